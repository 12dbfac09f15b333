"""Self-service accounts of workers and hiring parties (docs/portal.md).

Sign-in by mobile number and text code, and registration with real-name verification.
Two rules shape everything here:

- **No enumeration.** Whether a number has a login is never told before the code sent
  to it is entered: a code is sent to every well-formed number (within the rate limits),
  by the same work, and only the right code shows what follows (sign-in, or registration
  with the number confirmed).
- **No takeover.** A new login is linked to an existing person only when the identity
  service confirmed the name and ID number, the name is the one on record, and the number
  confirmed by the code is the person's mobile on record. Knowing someone's ID number and
  name is not enough.
"""

import datetime
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.core.audit import Actor, record_event
from casework.core.formfields import nfkc
from casework.core.ratelimit import over_limit
from casework.core.roles import Role, is_portal_user
from casework.notifications.services import notify
from casework.parties import identifiers
from casework.parties.models import Organization, Person, RealNameCheck
from casework.parties.services import real_name_check_record
from casework.parties.verification import IdentityServiceUnavailable, identity_backend
from portal.models import SignInCode
from portal.notifications import SIGNIN_CODE

CODE_DIGITS = 6
CODE_MINUTES = 5
CODE_ATTEMPTS = 5  # the sixth try is refused, even with the right code
RESEND_SECONDS = 60
# How long a number confirmed by a code may be used to register.
CONFIRMED_MINUTES = 30

ONLINE_NOTE = "网上注册；手机号已通过短信验证码确认"
ORGANISATION_NOTE = "经办人网上登记，待工作人员核验营业执照"


class Refused(Exception):
    """A step the user cannot take, with the reason to show them (already translated)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# -- codes -------------------------------------------------------------------------------------


def code_hash(mobile: str, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"portal-signin:{mobile}:{code}".encode(), hashlib.sha256).hexdigest()


def code_send(*, mobile: str, client_ip: str | None = None) -> SignInCode:
    """Send a new sign-in code to ``mobile``, whether or not it has a login.

    The same work for every number: nothing here reads who owns it. Raises Refused when
    the number's last code was sent less than RESEND_SECONDS ago."""
    now = timezone.now()
    with transaction.atomic():
        last = SignInCode.objects.select_for_update().filter(mobile=mobile).first()
        if (
            last is not None
            and last.used_at is None
            and now - last.created_at < datetime.timedelta(seconds=RESEND_SECONDS)
        ):
            raise Refused(
                _("A code was sent less than %(seconds)s seconds ago; please wait.")
                % {"seconds": RESEND_SECONDS}
            )
        SignInCode.objects.filter(mobile=mobile, used_at=None, retired_at=None).update(
            retired_at=now
        )
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        row = SignInCode.objects.create(
            mobile=mobile,
            code_hash=code_hash(mobile, code),
            created_at=now,
            expires_at=now + datetime.timedelta(minutes=CODE_MINUTES),
            client_ip=client_ip,
        )
        # Each code is its own message (step = the code's row).
        notify(SIGNIN_CODE, row, mobile, {"code": code, "minutes": CODE_MINUTES}, step=row.pk)
    return row


def code_check(*, mobile: str, code: str) -> SignInCode:
    """Use the latest code of ``mobile``, or raise Refused (the try is counted)."""
    with transaction.atomic():
        row = SignInCode.objects.select_for_update().filter(mobile=mobile).first()
        refusal = _refusal(row, code)
        if row is not None:
            changed: dict[str, object] = {"attempts": row.attempts + 1}
            if refusal is None:
                changed["used_at"] = timezone.now()
            SignInCode.objects.filter(pk=row.pk).update(**changed)
    if refusal is not None or row is None:
        # Raised after the commit above, so the counted try stays.
        raise Refused(refusal or _("Ask for a code first."))
    return row


def _refusal(row: SignInCode | None, code: str) -> str | None:
    if row is None:
        return _("Ask for a code first.")
    if row.used_at is not None:
        return _("This code has already been used: ask for a new one.")
    if row.attempts >= CODE_ATTEMPTS:
        return _("Too many wrong tries: ask for a new code.")
    if timezone.now() > row.expires_at:
        return _("The code has expired: ask for a new one.")
    given = code_hash(row.mobile, "".join(ch for ch in nfkc(code) if ch.isdigit()))
    if hmac.compare_digest(row.code_hash, given):
        return None
    return _("The code is wrong.")


# -- rate limits (the pages and the API count together) ----------------------------------

HOUR = 3600


def send_limit_reached(request, mobile: str) -> bool:
    """Codes per client address and per number an hour (both counted, whichever is over)."""
    ip_over = over_limit(
        request, "portal_code_ip", limit=settings.PORTAL_CODE_IP_LIMIT, window=HOUR
    )
    number_over = over_limit(
        request,
        "portal_code_mobile",
        limit=settings.PORTAL_CODE_MOBILE_LIMIT,
        window=HOUR,
        key=mobile,
    )
    return ip_over or number_over


def entry_limit_reached(request) -> bool:
    """Codes tried per client address an hour."""
    return over_limit(
        request, "portal_code_entry", limit=settings.PORTAL_CODE_ENTRY_IP_LIMIT, window=HOUR
    )


# -- who signs in --------------------------------------------------------------------------


def portal_user_for(mobile: str) -> User | None:
    """The one portal login whose person has this mobile on record, or None (no login, a
    staff login, or more than one: those go to registration, which tells them more)."""
    users = [
        person.user
        for person in Person.objects.filter(mobile=mobile, user__isnull=False).select_related(
            "user"
        )
        if is_portal_user(person.user)
    ]
    return users[0] if len(users) == 1 else None


# -- registration ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Registration:
    person: Person
    user: User
    created_person: bool


def _mobile_taken_message() -> str:
    return _(
        "Another login already uses this mobile number. Sign in with it, or ask the "
        "market's counter staff for help."
    )


def register(
    *,
    name: str,
    id_number: str,
    mobile: str,
    role: str,
    client_ip: str | None = None,
    user: User | None = None,
) -> Registration:
    """Register a worker or an individual hiring party whose ``mobile`` was confirmed by a
    code: the identity service checks name and ID number, then the login is made (or
    ``user``, a portal login without a person, is used) and linked to the person.

    Raises Refused with the reason to show; nothing is saved then."""
    if role not in (Role.WORKER, Role.HIRING_PARTY):
        raise Refused(_("Choose whether you register as a worker or as a hiring party."))
    if _mobile_has_login(mobile, other_than=user):
        raise Refused(_mobile_taken_message())
    result = _verify(name, id_number, mobile)
    with transaction.atomic():
        person = Person.objects.select_for_update().filter(id_number=id_number).first()
        created = person is None
        if person is None:
            person = Person(name=name, id_number=id_number, mobile=mobile)
            person.full_clean(exclude=["user"])
            try:
                with transaction.atomic():
                    person.save()
            except IntegrityError:  # registered a moment ago by another request
                raise Refused(
                    _("This ID number was registered a moment ago. Try signing in.")
                ) from None
        else:
            _check_linkable(person, name, mobile)
        if user is None:
            user = _new_login(mobile, name)
        else:
            user = User.objects.select_for_update().get(pk=user.pk)
            if Person.objects.filter(user=user).exists():
                raise Refused(_("Your login is already linked to a registered person."))
        user.groups.add(Group.objects.get(name=role))
        person.user = user
        person.save(update_fields=["user"])
        real_name_check_record(
            party=person,
            method=RealNameCheck.Method.VERIFICATION_SERVICE,
            result=RealNameCheck.Result.PASSED,
            by=None,
            note=ONLINE_NOTE,
            backend_reference=result.reference[:100],
        )
        record_event(
            person,
            actor=Actor(user=user, role=role, client_ip=client_ip),
            action="registered_online",
            note=f"{ONLINE_NOTE}（{identifiers.mask_phone(mobile)}）"
            + ("" if created else "；关联已有人员记录"),
        )
    return Registration(person=person, user=user, created_person=created)


def _mobile_has_login(mobile: str, other_than: User | None = None) -> bool:
    others = User.objects.exclude(pk=other_than.pk) if other_than is not None else User.objects
    taken = others.filter(person__mobile=mobile).exists()
    return taken or others.filter(username=login_name(mobile)).exists()


def login_name(mobile: str) -> str:
    return f"m{mobile}"


def _verify(name: str, id_number: str, mobile: str):
    candidate = Person(name=name, id_number=id_number, mobile=mobile)  # never saved
    try:
        result = identity_backend().verify(candidate)
    except IdentityServiceUnavailable:
        raise Refused(
            _(
                "The identity verification service cannot answer just now. Please try "
                "again in a few minutes."
            )
        ) from None
    if not result.passed:
        raise Refused(
            _(
                "The identity service could not confirm this name and ID number. Check "
                "both against your ID card and try again."
            )
        )
    return result


def _check_linkable(person: Person, name: str, mobile: str) -> None:
    """On the locked person: only the same name and the mobile on record link (no details
    of the record are shown otherwise)."""
    if person.user_id is not None:
        raise Refused(
            _(
                "This ID number is already registered with a login. Sign in with the "
                "mobile number on record, or ask the market's counter staff for help."
            )
        )
    if person.mobile != mobile:
        raise Refused(
            _(
                "This ID number is already registered with another mobile number. Sign in "
                "with the number on record, or come to the market's counter with your ID "
                "card to change it."
            )
        )
    if person.name != name:
        raise Refused(
            _(
                "This ID number is already registered with other details. Please come to "
                "the market's counter with your ID card."
            )
        )


def _new_login(mobile: str, name: str) -> User:
    # The user name is a label: one login per number, kept unique by the database.
    try:
        with transaction.atomic():
            user = User.objects.create_user(login_name(mobile), first_name=name)
    except IntegrityError:
        raise Refused(_mobile_taken_message()) from None
    user.set_unusable_password()
    user.save(update_fields=["password"])
    return user


# -- organisations -----------------------------------------------------------------------------


def organisation_register(
    *, agent: Person, name: str, credit_code: str, actor: Actor
) -> Organization:
    """An employer organisation registered by its agent (经办人), to be verified by staff
    (a licence_seen check) before it may sign; an existing credit code is never taken."""
    user = actor.user
    if not isinstance(user, User) or agent.user_id != user.pk or not is_portal_user(user):
        raise PermissionDenied
    code, problem = identifiers.check_uscc(credit_code)
    if problem is not None:
        raise Refused(problem.messages[0])
    name = name.strip()
    if not name:
        raise Refused(_("Enter the organisation's name."))
    taken = _(
        "An organisation with this credit code is already registered. Please ask the "
        "market's counter staff to add you as its handling person."
    )
    if Organization.objects.filter(credit_code=code).exists():
        raise Refused(taken)
    with transaction.atomic():
        try:
            with transaction.atomic():
                org = Organization(kind=Organization.Kind.EMPLOYER, name=name, credit_code=code)
                org.full_clean()
                org.save()
        except IntegrityError:
            raise Refused(taken) from None
        except ValidationError as error:
            raise Refused(" ".join(error.messages)) from None
        org.representatives.add(agent)
        user.groups.add(Group.objects.get(name=Role.HIRING_PARTY))
        record_event(
            org,
            actor=actor,
            action="registered_online",
            note=f"{ORGANISATION_NOTE}：{agent.name}",
        )
    return org
