"""Who may see a person's full ID and mobile number (docs/workflows.md, "Personal data")."""

from casework.core.models import markets_for
from casework.parties.cases import case_markets
from casework.parties.models import Person


def may_reveal(user, person: Person) -> bool:
    """Staff with the permission, for a person with a case in one of their markets.

    A superuser spans every market. Anyone else sees full numbers only where their
    work is: a complaint officer of one county cannot read the ID number of a person
    whose only cases are in another.
    """
    if not user.has_perm("parties.view_full_personal_data"):
        return False
    if user.is_superuser:
        return True
    mine = set(markets_for(user).values_list("pk", flat=True))
    return bool(mine & case_markets(person))
