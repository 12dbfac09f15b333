"""Operations on parties that staff perform (docs/workflows.md: keyword-only, one transaction)."""

from django.db import transaction

from casework.parties.models import Organization, Person, RealNameCheck


@transaction.atomic
def real_name_check_record(
    *,
    party: Person | Organization,
    method: str,
    result: str,
    by,
    note: str = "",
    backend_reference: str = "",
) -> RealNameCheck:
    """Record that a person's or organisation's identity was checked, and how."""
    check = RealNameCheck(
        person=party if isinstance(party, Person) else None,
        organization=party if isinstance(party, Organization) else None,
        method=method,
        result=result,
        checked_by=by,
        note=note,
        backend_reference=backend_reference,
    )
    check.full_clean()
    check.save()
    return check
