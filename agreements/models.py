"""Standard gig agreements (零工服务协议, docs/domain.md, "Gig agreements").

An agreement is made from the active version of the published standard terms
and freezes that version: when it is sent for signing its whole text (the
particulars and every clause) is fixed in ``final_text`` and hashed, and both
signatures bind that hash. Both parties must pass a real-name check (双实名)
before they can sign, and each signs by entering a one-time code sent to their
phone (意愿确认). State changes go through flows.run_step() (perform()).
"""

import hashlib
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from casework.core.dates import DB_FLOOR
from casework.core.models import CaseBase
from casework.parties.models import Organization, Person, RealNameCheck

MIN_PAY = Decimal("0.01")


class StandardTerms(models.Model):
    """One published version of the general terms (零工服务协议通用条款).

    Exactly one version is active; new agreements are made from it. A version an
    agreement was made from never changes again (the admin shows it read-only).
    """

    version = models.CharField(_("version"), max_length=30, unique=True)
    title = models.CharField(_("title"), max_length=100, default="零工服务协议通用条款")
    is_active = models.BooleanField(_("active"), default=False)
    published_on = models.DateField(_("published on"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("standard terms version")
        verbose_name_plural = _("standard terms")
        ordering = ["-published_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=Q(is_active=True),
                name="agreements_one_active_terms",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.version}）"

    @classmethod
    def active(cls) -> "StandardTerms | None":
        return cls.objects.filter(is_active=True).first()

    @property
    def in_use(self) -> bool:
        return self.pk is not None and self.agreements.exists()


class TermsClause(models.Model):
    """One numbered clause (section) of a standard terms version."""

    terms = models.ForeignKey(StandardTerms, on_delete=models.CASCADE, related_name="clauses")
    number = models.PositiveSmallIntegerField(_("number"))
    heading = models.CharField(_("heading"), max_length=60)
    body = models.TextField(_("text"))

    class Meta:
        verbose_name = _("clause")
        verbose_name_plural = _("clauses")
        ordering = ["terms", "number"]
        constraints = [
            models.UniqueConstraint(fields=["terms", "number"], name="agreements_clause_number")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.heading}"


class Trade(models.TextChoices):
    MOVING = "moving", _("moving and loading (搬运)")
    HOUSEKEEPING = "housekeeping", _("housekeeping and cleaning (家政保洁)")
    RENOVATION = "renovation", _("renovation (装修)")
    CATERING = "catering", _("catering (餐饮)")
    DELIVERY = "delivery", _("delivery (配送)")
    OTHER = "other", _("other")


class PayUnit(models.TextChoices):
    HOUR = "hour", _("per hour")
    DAY = "day", _("per day")
    PIECE = "piece", _("per piece")
    JOB = "job", _("per job")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("cash")
    BANK = "bank", _("bank transfer")
    MOBILE = "mobile", _("mobile payment (WeChat Pay / Alipay)")
    OTHER = "other", _("other")


class InjuryCover(models.TextChoices):
    OCCUPATIONAL = "occupational", _("occupational injury protection (职业伤害保障)")
    ACCIDENT = "accident", _("accident insurance bought by the hiring party")
    LIABILITY = "liability", _("employer's liability insurance")
    NONE = "none", _("none: the hiring party bears the liability by law")


class Party(models.TextChoices):
    """The two signing sides."""

    WORKER = "worker", _("worker (Party B)")
    HIRING = "hiring", _("hiring party (Party A)")


class PaymentStatus(models.TextChoices):
    PAID = "paid", _("payment confirmed by the worker")
    UNPAID = "unpaid", _("reported unpaid by the worker")


class AgreementQuerySet(models.QuerySet):
    def for_party(self, user) -> "AgreementQuerySet":
        """Agreements a portal user is a party to: as worker, hiring person or handling person."""
        person = getattr(user, "person", None) if user.is_authenticated else None
        if person is None:
            return self.none()
        # Three indexed look-ups in one subquery, not an OR of joins with DISTINCT, which
        # reads the whole table (as Dispute.for_party did at a million disputes).
        working = Agreement.objects.filter(worker=person).values("pk")
        hiring = Agreement.objects.filter(hiring_person=person).values("pk")
        represented = Agreement.objects.filter(
            hiring_organization__in=person.organizations.values("pk")
        ).values("pk")
        return self.filter(pk__in=working.union(hiring, represented))

    def awaiting_signature(self) -> "AgreementQuerySet":
        return self.filter(state__in=Agreement.SIGNING_STATES)


def _may_sign(instance: "Agreement", user) -> bool:
    # A party signs on the portal; counter staff may run the signing for a party at the
    # counter (the code still goes to the party's own phone).
    return user.has_perm("agreements.add_agreement") or instance.party_of(user) is not None


def _may_complete(instance: "Agreement", user) -> bool:
    return user.has_perm("agreements.add_agreement") or instance.party_of(user) == Party.HIRING


class Agreement(CaseBase):
    CODE_PREFIX = "GA"

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        SENT = "sent", _("sent for signing")
        PARTLY_SIGNED = "partly_signed", _("signed by one party")
        SIGNED = "signed", _("signed (in force)")
        COMPLETED = "completed", _("work completed")
        TERMINATED = "terminated", _("terminated")
        EXPIRED = "expired", _("expired unsigned")
        CANCELLED = "cancelled", _("cancelled")
        SUPERSEDED = "superseded", _("replaced by a changed agreement")

    SIGNING_STATES = (State.SENT, State.PARTLY_SIGNED)
    FINAL_STATES = (
        State.COMPLETED,
        State.TERMINATED,
        State.EXPIRED,
        State.CANCELLED,
        State.SUPERSEDED,
    )

    state = FSMField(
        _("state"), default=State.DRAFT, choices=State.choices, protected=True, db_index=True
    )
    terms = models.ForeignKey(
        StandardTerms,
        on_delete=models.PROTECT,
        related_name="agreements",
        verbose_name=_("standard terms version"),
    )
    worker = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="agreements_as_worker",
        verbose_name=_("worker (Party B)"),
    )
    hiring_organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreements_as_hiring_party",
        verbose_name=_("hiring party (organisation)"),
    )
    hiring_person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreements_as_hiring_party",
        verbose_name=_("hiring party (individual)"),
    )
    hiring_signer = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreements_signed_for_organization",
        verbose_name=_("handling person who signs for the organisation"),
    )
    intermediary = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreements_as_intermediary",
        limit_choices_to={"kind": Organization.Kind.INTERMEDIARY},
        verbose_name=_("intermediary"),
    )
    trade = models.CharField(_("trade"), max_length=20, choices=Trade.choices)
    job_description = models.TextField(_("work content"))
    work_place = models.CharField(_("place of work"), max_length=200)
    start_date = models.DateField(_("first day of work"))
    end_date = models.DateField(_("last day of work"))
    work_hours = models.CharField(
        _("working hours"), max_length=100, help_text=_("e.g. 8:00-17:00 each day")
    )
    rest = models.CharField(
        _("rest"), max_length=200, blank=True, help_text=_("e.g. one hour at noon")
    )
    pay_rate = models.DecimalField(
        _("pay rate (yuan)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(MIN_PAY)],
    )
    pay_unit = models.CharField(_("pay unit"), max_length=10, choices=PayUnit.choices)
    pay_total = models.DecimalField(
        _("total pay (yuan), if known"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(MIN_PAY)],
    )
    payment_method = models.CharField(
        _("payment method"), max_length=10, choices=PaymentMethod.choices
    )
    payment_date = models.DateField(_("payment date"))
    safety = models.TextField(
        _("safety protection"),
        help_text=_("Protective equipment and safety measures the hiring party provides."),
    )
    injury_cover = models.CharField(
        _("occupational injury or accident cover"), max_length=20, choices=InjuryCover.choices
    )
    insurance_details = models.CharField(_("insurer and policy number"), max_length=200, blank=True)
    special_terms = models.TextField(_("special terms"), blank=True)
    hiring_party_first = models.BooleanField(
        _("hiring party signs first"),
        default=False,
        help_text=_("Otherwise the parties may sign in either order."),
    )
    supersedes = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="changes",
        verbose_name=_("replaces agreement"),
    )
    # Fixed when the agreement is sent for signing: the text both parties sign.
    final_text = models.TextField(_("text for signing"), blank=True, editable=False)
    text_hash = models.CharField(_("SHA-256 of the text"), max_length=64, blank=True)
    sign_deadline = models.DateTimeField(_("sign by"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent for signing"), null=True, blank=True)
    signed_at = models.DateTimeField(_("in force since"), null=True, blank=True)
    completed_at = models.DateTimeField(_("work completed"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    end_reason = models.TextField(_("reason"), blank=True)
    payment_status = models.CharField(
        _("payment"), max_length=10, choices=PaymentStatus.choices, blank=True
    )
    payment_reported_at = models.DateTimeField(_("payment reported"), null=True, blank=True)
    dispute = models.OneToOneField(
        "disputes.Dispute",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agreement",
        verbose_name=_("wage dispute"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("made by"),
    )

    objects = AgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("gig agreement")
        verbose_name_plural = _("gig agreements")
        permissions = [("terminate_agreement", _("Can terminate signed agreements"))]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(hiring_organization__isnull=False, hiring_person__isnull=True)
                    | Q(hiring_organization__isnull=True, hiring_person__isnull=False)
                ),
                name="agreements_agreement_one_hiring_party",
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="agreements_agreement_dates_in_order",
            ),
            # Lists sort and deadlines count on the term: no absurd year (casework.core.dates).
            models.CheckConstraint(
                condition=Q(start_date__gte=DB_FLOOR),
                name="agreements_agreement_start_plausible",
            ),
            # One change at a time; a change cancelled or left unsigned makes room for another.
            models.UniqueConstraint(
                fields=["supersedes"],
                condition=~Q(state__in=["cancelled", "expired"]),
                name="agreements_one_live_change",
            ),
        ]
        indexes = [
            models.Index(fields=["market", "state", "-created_at"], name="agreement_market_idx"),
            models.Index(fields=["state", "sign_deadline"], name="agreement_deadline_idx"),
            # The statistics count and list agreements by these per period (reports.py).
            models.Index(fields=["market", "signed_at"], name="agreement_signed_idx"),
            models.Index(fields=["market", "completed_at"], name="agreement_completed_idx"),
            # The system API's sync (casework/api/system.py) pages a market's cases by
            # (updated_at, id): a page is one range of this index, however deep.
            models.Index(fields=["market", "updated_at", "id"], name="agreement_updated_idx"),
        ]

    # -- derived facts -------------------------------------------------------

    @property
    def hiring_party(self) -> Organization | Person:
        return self.hiring_organization or self.hiring_person

    @property
    def hiring_party_signer(self) -> Person | None:
        """The person who signs for the hiring side: the individual, or the handling person."""
        return self.hiring_person or self.hiring_signer

    @property
    def superseded_by(self) -> "Agreement | None":
        """The changed agreement replacing this one (being signed, or signed), if any."""
        dead = (self.State.CANCELLED, self.State.EXPIRED)
        return self.changes.exclude(state__in=dead).first() if self.pk else None

    def signer_for(self, party: str) -> Person | None:
        return self.worker if party == Party.WORKER else self.hiring_party_signer

    def party_of(self, user) -> str | None:
        """Which side ``user`` signs for, or None when they are not a party."""
        person = getattr(user, "person", None) if user.is_authenticated else None
        if person is None:
            return None
        if person.pk == self.worker_id:
            return Party.WORKER
        signer = self.hiring_party_signer
        if signer is not None and person.pk == signer.pk:
            return Party.HIRING
        return None

    def signed_parties(self) -> set[str]:
        # Through .all(): lists that prefetch the signatures ask nothing per row.
        return {signature.party for signature in self.signatures.all()}

    def may_sign_now(self, party: str) -> bool:
        """Whether the signing order lets ``party`` sign now."""
        if self.state not in self.SIGNING_STATES or party in self.signed_parties():
            return False
        if self.hiring_party_first and party == Party.WORKER:
            return Party.HIRING in self.signed_parties()
        return True

    def compute_hash(self) -> str:
        return hashlib.sha256(self.final_text.encode("utf-8")).hexdigest()

    def clean(self) -> None:
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The last day of work cannot be before the first.")
        if self.start_date and self.payment_date and self.payment_date < self.start_date:
            errors["payment_date"] = _("Pay cannot fall due before the work starts.")
        if self.hiring_organization_id and self.hiring_person_id:
            errors["hiring_person"] = _("Choose an organisation or an individual, not both.")
        if not self.hiring_organization_id and not self.hiring_person_id:
            errors["hiring_organization"] = _("Choose the hiring party.")
        if self.hiring_organization_id and not self.hiring_signer_id:
            errors["hiring_signer"] = _("Choose the handling person who signs for it.")
        if (
            self.hiring_organization_id
            and self.hiring_signer_id
            and not self.hiring_organization.representatives.filter(
                pk=self.hiring_signer_id
            ).exists()
        ):
            errors["hiring_signer"] = _(
                "This person is not registered as a handling person of the organisation."
            )
        if self.hiring_person_id and self.hiring_person_id == self.worker_id:
            errors["hiring_person"] = _("The worker cannot hire themselves.")
        if errors:
            raise ValidationError(errors)

    # -- conditions ----------------------------------------------------------

    def has_text(self) -> bool:
        return bool(self.final_text and self.text_hash)

    def both_signed(self) -> bool:
        return self.signed_parties() == {Party.WORKER, Party.HIRING}

    def one_signed(self) -> bool:
        return len(self.signed_parties()) == 1

    def deadline_passed(self) -> bool:
        return self.sign_deadline is not None and timezone.now() > self.sign_deadline

    # -- transitions ---------------------------------------------------------

    @transition(
        field=state,
        source=State.DRAFT,
        target=State.SENT,
        permission="agreements.add_agreement",
        conditions=[has_text],
        custom={"label": _("Send for signing")},
    )
    def send_for_signing(self) -> None:
        self.sent_at = timezone.now()

    @transition(
        field=state,
        source=State.SENT,
        target=State.PARTLY_SIGNED,
        permission=_may_sign,
        conditions=[one_signed],
        custom={"label": _("First signature")},
    )
    def sign_first(self) -> None:
        pass

    @transition(
        field=state,
        source=State.PARTLY_SIGNED,
        target=State.SIGNED,
        permission=_may_sign,
        conditions=[both_signed],
        custom={"label": _("Second signature: in force")},
    )
    def sign_second(self) -> None:
        self.signed_at = timezone.now()

    @transition(
        field=state,
        source=[State.DRAFT, State.SENT, State.PARTLY_SIGNED],
        target=State.CANCELLED,
        permission="agreements.add_agreement",
        custom={"label": _("Cancel")},
    )
    def cancel(self, *, reason: str) -> None:
        self.end_reason = reason
        self.ended_at = timezone.now()

    @transition(
        field=state,
        source=[State.SENT, State.PARTLY_SIGNED],
        target=State.EXPIRED,
        conditions=[deadline_passed],
        custom={"label": _("Expire unsigned")},
    )
    def expire(self) -> None:
        self.ended_at = timezone.now()

    @transition(
        field=state,
        source=State.SIGNED,
        target=State.COMPLETED,
        permission=_may_complete,
        custom={"label": _("Mark the work completed")},
    )
    def complete(self) -> None:
        self.completed_at = timezone.now()

    @transition(
        field=state,
        source=State.SIGNED,
        target=State.TERMINATED,
        permission="agreements.terminate_agreement",
        custom={"label": _("Terminate")},
    )
    def terminate(self, *, reason: str) -> None:
        self.end_reason = reason
        self.ended_at = timezone.now()

    @transition(
        field=state,
        source=State.SIGNED,
        target=State.SUPERSEDED,
        custom={"label": _("Replaced by a changed agreement")},
    )
    def supersede(self, *, by_code: str) -> None:
        self.end_reason = by_code
        self.ended_at = timezone.now()


class SigningCode(models.Model):
    """A one-time code sent to a signer's phone to confirm the intent to sign (意愿确认).

    Only a keyed hash of the code is stored. A code expires after
    AGREEMENT_CODE_MINUTES, allows AGREEMENT_CODE_ATTEMPTS tries and works once;
    asking for a new code retires the previous one.
    """

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="codes")
    party = models.CharField(_("party"), max_length=10, choices=Party.choices)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    mobile = models.CharField(_("sent to"), max_length=11)
    code_hash = models.CharField(max_length=64)
    text_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("signing code")
        verbose_name_plural = _("signing codes")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["agreement", "party", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.agreement} {self.party} {self.created_at:%Y-%m-%d %H:%M}"


class Signature(models.Model):
    """The evidence of one party's signature (电子签名法 Art. 13; 电子劳动合同订立指引)."""

    class Channel(models.TextChoices):
        PORTAL = "portal", _("on the portal, by the party")
        COUNTER = "counter", _("at the counter, with staff")

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="signatures")
    party = models.CharField(_("party"), max_length=10, choices=Party.choices)
    signer = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("signer")
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed for"),
    )
    # 双实名: the party's passed check, and for an organisation its handling person's.
    real_name_check = models.ForeignKey(
        RealNameCheck,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("real-name check"),
    )
    signer_check = models.ForeignKey(
        RealNameCheck,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handling person's real-name check"),
    )
    code = models.OneToOneField(
        SigningCode, on_delete=models.PROTECT, related_name="signature", verbose_name=_("code")
    )
    text_hash = models.CharField(_("SHA-256 of the text signed"), max_length=64)
    signed_at = models.DateTimeField(_("signed at"))
    client_ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    channel = models.CharField(_("where"), max_length=10, choices=Channel.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("login used"),
    )

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["signed_at"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "party"], name="agreements_one_signature")
        ]

    def __str__(self) -> str:
        return f"{self.agreement} {self.get_party_display()} {self.signer}"
