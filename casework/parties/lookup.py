"""Finding a registered party from what staff type: an ID number, a credit code or a name.

Counter forms let staff pick a person or an organisation by typing rather than
scrolling a list; a name must match exactly one row. ``form_below`` says whether
the page offers a registration form under the field, so the message can point there.
"""

import re
from enum import Enum

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from casework.core.formfields import nfkc
from casework.parties import identifiers
from casework.parties.models import Organization, Person

ID_NUMBER_RE = re.compile(r"^\d{17}[\dXx]$")
CREDIT_CODE_RE = re.compile(r"^[0-9A-Z]{18}$")


def find_person(entry: str, *, form_below: bool = True) -> Person:
    """The person with this resident ID number, or the only one with this exact name."""
    compact = re.sub(r"[\s-]", "", entry)
    if ID_NUMBER_RE.match(compact):
        number = identifiers.normalise_ric(compact)
        person = Person.objects.filter(id_number=number).first()
        if person is None:
            raise ValidationError(
                _("Nobody with ID number %(number)s is registered: register the person below."),
                params={"number": identifiers.mask_id(number)},
                code="person_unknown",
            )
        return person
    return _only_one(Person.objects.filter(name=entry.strip()), entry.strip(), form_below)


def find_employer(entry: str, *, form_below: bool = True) -> Organization:
    """The employer with this unified social credit code, or the only one with this name."""
    employers = Organization.objects.filter(kind=Organization.Kind.EMPLOYER)
    compact = re.sub(r"[\s-]", "", entry).upper()
    if CREDIT_CODE_RE.match(compact):
        org = employers.filter(credit_code=compact).first()
        if org is not None:
            return org
    return _only_one(employers.filter(name=entry.strip()), entry.strip(), form_below)


def _only_one(queryset, name: str, form_below: bool):
    found = list(queryset[:2])
    if not found:
        message = (
            _("Nothing registered matches “%(name)s”: check it, or register it below.")
            if form_below
            else _("Nothing registered matches “%(name)s”: check it, or register it.")
        )
        raise ValidationError(message, params={"name": name}, code="party_unknown")
    if len(found) > 1:
        raise ValidationError(
            _("Several are registered as “%(name)s”: enter the ID number or credit code."),
            params={"name": name},
            code="party_ambiguous",
        )
    return found[0]


class MatchedBy(Enum):
    ID_NUMBER = "id_number"
    MOBILE = "mobile"
    NAME = "name"
    PART_OF_A_NUMBER = "part_of_a_number"


def search_people(term: str) -> tuple[QuerySet[Person], MatchedBy]:
    """People by a full ID or mobile number (exact), or by part of the name.

    Numbers match only in full: a search that matched parts of numbers would let
    anyone rebuild a full ID number digit by digit. A term that is part of a number
    finds nobody.
    """
    compact = re.sub(r"[\s-]", "", nfkc(term)).upper()
    try:
        number = identifiers.normalise_ric(compact)
        return Person.objects.filter(id_number=number), MatchedBy.ID_NUMBER
    except ValidationError:
        pass
    try:
        mobile = identifiers.normalise_mobile(compact)
        return Person.objects.filter(mobile=mobile), MatchedBy.MOBILE
    except ValidationError:
        pass
    if re.search(r"[0-9]", compact):
        return Person.objects.none(), MatchedBy.PART_OF_A_NUMBER
    return Person.objects.filter(name__icontains=term.strip()), MatchedBy.NAME
