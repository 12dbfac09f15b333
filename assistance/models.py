"""Hardship assistance (就业援助): certifying hardship workers and placing them
(docs/domain.md, "Hardship assistance").

Who counts as a hardship worker is data, not code: a ``RuleSet`` (one active,
versioned, edited in the admin and shipped in ``fixtures/``) lists its
categories, each with the test the engine (``rules.py``) applies and the
evidence it needs. Statutory retirement ages come from ``RetirementRule`` rows.

Disability and 低保 status are sensitive personal data (个人信息保护法 Art. 28):
they live in ``SensitiveFacts``, apart from the case, and are read only through
``privacy.py``, which checks the reader and writes the access log.

The case's legal state is one protected FSM field; its transitions run through
flows.run_step() (perform()). Certification and placement follow the
two-person rule: a caseworker proposes, a different supervisor approves.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, transition

from casework.core.dates import DB_FLOOR
from casework.core.models import CaseBase, EvidenceFile, Market
from casework.parties.models import Organization, Person

# -- rules as data ---------------------------------------------------------------------


class RuleSet(models.Model):
    """One version of a province's (or the default) hardship-worker rules."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    region = models.CharField(_("province or region"), max_length=60, blank=True)
    version = models.CharField(_("version"), max_length=30)
    effective_from = models.DateField(_("in force from"))
    is_active = models.BooleanField(_("active"), default=False)
    review_working_days = models.PositiveSmallIntegerField(
        _("first review (working days)"), default=7
    )
    notice_working_days = models.PositiveSmallIntegerField(
        _("public notice (working days)"), default=5
    )
    certification_months = models.PositiveSmallIntegerField(
        _("certification valid for (months)"), default=24
    )
    # Tiered service (分级服务): level A is the most intensive.
    tier_a_categories = models.PositiveSmallIntegerField(
        _("level A from this many categories"), default=3
    )
    tier_a_unemployed_months = models.PositiveSmallIntegerField(
        _("level A from this many months unemployed"), default=24
    )
    tier_b_categories = models.PositiveSmallIntegerField(
        _("level B from this many categories"), default=2
    )
    tier_b_unemployed_months = models.PositiveSmallIntegerField(
        _("level B from this many months unemployed"), default=12
    )
    note = models.TextField(_("source and remarks"), blank=True)

    class Meta:
        verbose_name = _("eligibility rule set")
        verbose_name_plural = _("eligibility rule sets")
        ordering = ["-effective_from", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=Q(is_active=True),
                name="assistance_one_active_rule_set",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.version}）"

    @classmethod
    def active(cls) -> "RuleSet | None":
        return cls.objects.filter(is_active=True).first()


class Test(models.TextChoices):
    """How the engine decides whether a person falls into a category."""

    AGE = "age", _("age on the day (women / men)")
    NEAR_RETIREMENT = "near_retirement", _("within N years of statutory retirement age")
    FACT = "fact", _("a recorded fact (certificate, family status)")
    UNEMPLOYED = "unemployed", _("registered unemployed for N months")
    OTHER = "other", _("other, with a reason")


class Fact(models.TextChoices):
    """The yes/no facts a FACT category can test."""

    DISABILITY = "disability_certificate", _("holds a disability certificate")
    DIBAO = "dibao_family", _("member of a 低保 (minimum living allowance) family")
    ZERO_EMPLOYMENT = "zero_employment_family", _("member of a zero-employment family")
    LAND = "land_requisitioned", _("farmer whose land was requisitioned")
    SINGLE_PARENT = "single_parent_of_minors", _("single parent of minor children")


# Facts that are sensitive personal data (个人信息保护法 Art. 28).
SENSITIVE_FACTS = frozenset({Fact.DISABILITY, Fact.DIBAO})


class Category(models.Model):
    rule_set = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="categories")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    test = models.CharField(_("test"), max_length=20, choices=Test.choices)
    fact = models.CharField(_("fact"), max_length=30, choices=Fact.choices, blank=True)
    women_age = models.PositiveSmallIntegerField(_("women from age"), null=True, blank=True)
    men_age = models.PositiveSmallIntegerField(_("men from age"), null=True, blank=True)
    years = models.PositiveSmallIntegerField(_("years before retirement"), null=True, blank=True)
    months = models.PositiveSmallIntegerField(_("months unemployed"), null=True, blank=True)
    evidence = models.TextField(_("evidence required"), help_text=_("One item per line."))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["rule_set", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "code"], name="assistance_category_code")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def sensitive(self) -> bool:
        return self.test == Test.FACT and self.fact in SENSITIVE_FACTS


class RetirementGroup(models.TextChoices):
    MALE = "male_60", _("men (60 before the reform)")
    FEMALE_50 = "female_50", _("women workers (50 before the reform)")
    FEMALE_55 = "female_55", _("women staff (55 before the reform)")


class RetirementRule(models.Model):
    """Statutory retirement age of one group by birth month (渐进式延迟法定退休年龄).

    Born before ``reform_born_from``: the base age. From that month on the age
    rises by ``step_months`` for every ``every_months`` months of birth, to at
    most ``max_extra_months`` more.
    """

    group = models.CharField(_("group"), max_length=12, choices=RetirementGroup.choices)
    base_age_months = models.PositiveSmallIntegerField(_("age before the reform (months)"))
    reform_born_from = models.DateField(_("reform applies to those born from"))
    every_months = models.PositiveSmallIntegerField(
        _("one step per this many months of birth"), validators=[MinValueValidator(1)]
    )
    step_months = models.PositiveSmallIntegerField(_("months added per step"), default=1)
    max_extra_months = models.PositiveSmallIntegerField(_("at most this many months added"))
    note = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("retirement age rule")
        verbose_name_plural = _("retirement age rules")
        constraints = [
            models.UniqueConstraint(fields=["group"], name="assistance_retirement_group")
        ]

    def __str__(self) -> str:
        return self.get_group_display()


# -- the case ---------------------------------------------------------------------------


class Tier(models.TextChoices):
    A = "A", _("level A (intensive)")
    B = "B", _("level B")
    C = "C", _("level C (light)")


class ExitReason(models.TextChoices):
    TERM_ENDED = "term_ended", _("term ended")
    MARKET_JOB = "market_job", _("found a job in the market")
    RESIGNED = "resigned", _("resigned")
    DISMISSED = "dismissed", _("dismissed")
    WITHDRAWN = "withdrawn", _("certification withdrawn")


class Outcome(models.TextChoices):
    EMPLOYED = "employed", _("employed through matching")
    EXITED = "exited", _("left the public-welfare post")
    NO_LONGER_NEEDED = "no_longer_needed", _("no longer needs assistance")


class AssistanceCaseQuerySet(models.QuerySet):
    def for_markets(self, markets) -> "AssistanceCaseQuerySet":
        return self.filter(market__in=markets)


def _approver_is_not_proposer(instance: "AssistanceCase", user) -> bool:
    return user.has_perm("assistance.approve_case") and user.pk != instance.proposed_by_id


def _placement_approver(instance: "AssistanceCase", user) -> bool:
    placement = instance.proposed_placement()
    proposer = placement.proposed_by_id if placement else None
    return user.has_perm("assistance.approve_case") and user.pk != proposer


class AssistanceCase(CaseBase):
    CODE_PREFIX = "HA"

    class State(models.TextChoices):
        APPLIED = "applied", _("applied")
        UNDER_REVIEW = "under_review", _("first review")
        ON_NOTICE = "on_notice", _("public notice")
        CERTIFIED = "certified", _("certified")
        DECLINED = "declined", _("not certified")
        PLAN_ACTIVE = "plan_active", _("support plan active")
        # 推荐 (to a post or an employer), not the 移送 of a dispute or a complaint: own context.
        REFERRED = "referred", pgettext_lazy("assistance state", "referred")
        PLACEMENT_PROPOSED = "placement_proposed", _("placement waiting for approval")
        PLACED = "placed", _("placement approved")
        IN_POST = "in_post", _("in post")
        EXITED = "exited", _("left the post")
        CLOSED = "closed", _("closed")
        WITHDRAWN = "withdrawn", _("certification withdrawn")
        EXPIRED = "expired", _("certification expired")

    # Certified and still entitled to support: expiry and withdrawal apply.
    ENTITLED_STATES = (
        State.CERTIFIED,
        State.PLAN_ACTIVE,
        State.REFERRED,
        State.PLACEMENT_PROPOSED,
        State.PLACED,
        State.IN_POST,
        State.EXITED,
    )
    FINAL_STATES = (State.DECLINED, State.CLOSED, State.WITHDRAWN, State.EXPIRED)

    state = FSMField(
        _("state"), default=State.APPLIED, choices=State.choices, protected=True, db_index=True
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="assistance_cases",
        verbose_name=_("applicant"),
    )
    rule_set = models.ForeignKey(
        RuleSet, on_delete=models.PROTECT, related_name="cases", verbose_name=_("rule set")
    )
    applied_on = models.DateField(_("applied on"))
    # What the applicant declared (non-sensitive facts; the sensitive ones: SensitiveFacts).
    zero_employment_family = models.BooleanField(_("zero-employment family"), default=False)
    land_requisitioned = models.BooleanField(_("land requisitioned"), default=False)
    single_parent_of_minors = models.BooleanField(_("single parent of minors"), default=False)
    unemployment_registered_on = models.DateField(
        _("registered unemployed since"), null=True, blank=True
    )
    other_reason = models.TextField(_("other reason"), blank=True)
    retirement_group = models.CharField(
        _("retirement age group"), max_length=12, choices=RetirementGroup.choices
    )
    review_due = models.DateField(_("first review due"), null=True, blank=True)
    notice_starts = models.DateField(_("public notice from"), null=True, blank=True)
    notice_ends = models.DateField(_("public notice until"), null=True, blank=True)
    # The proposal a supervisor approves: categories matched (codes) and the tier.
    proposed_categories = models.JSONField(_("categories proposed"), default=list, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    proposed_at = models.DateTimeField(_("proposed"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("certification approved by"),
    )
    certified_on = models.DateField(_("certified on"), null=True, blank=True)
    certification_expires = models.DateField(_("certification expires"), null=True, blank=True)
    tier = models.CharField(_("service level"), max_length=1, choices=Tier.choices, blank=True)
    tier_computed = models.CharField(
        _("service level by the rules"), max_length=1, choices=Tier.choices, blank=True
    )
    tier_reason = models.CharField(_("reason for another level"), max_length=300, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    objects = AssistanceCaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("assistance case")
        verbose_name_plural = _("assistance cases")
        permissions = [
            ("work_case", _("Can review, plan and refer assistance cases")),
            ("approve_case", _("Can approve certifications and placements")),
            ("view_sensitive", _("Can see disability and 低保 details")),
        ]
        constraints = [
            # The intake queue sorts on it: no absurd year (casework.core.dates).
            models.CheckConstraint(
                condition=Q(applied_on__gte=DB_FLOOR),
                name="assistance_case_applied_plausible",
            ),
        ]
        indexes = [
            models.Index(fields=["market", "state", "review_due"], name="assist_review_idx"),
            models.Index(fields=["market", "state", "notice_ends"], name="assist_notice_idx"),
            # The system API's sync (casework/api/system.py) pages a market's cases by
            # (updated_at, id): a page is one range of this index, however deep.
            models.Index(fields=["market", "updated_at", "id"], name="assist_updated_idx"),
        ]

    # -- conditions ----------------------------------------------------------

    def has_proposal(self) -> bool:
        return bool(self.proposed_categories) and self.proposed_by_id is not None

    def notice_over(self) -> bool:
        return self.notice_ends is not None and timezone.localdate() > self.notice_ends

    def has_plan(self) -> bool:
        return self.plan_items.exists()

    def has_open_referral(self) -> bool:
        return self.referrals.filter(status__in=Referral.OPEN).exists()

    def proposed_placement(self) -> "Placement | None":
        return self.placements.filter(status=Placement.Status.PROPOSED).first()

    def has_proposed_placement(self) -> bool:
        return self.proposed_placement() is not None

    def has_started_placement(self) -> bool:
        return self.placements.filter(status=Placement.Status.IN_POST).exists()

    def certification_lapsed(self) -> bool:
        return (
            self.certification_expires is not None
            and timezone.localdate() > self.certification_expires
        )

    # -- transitions ---------------------------------------------------------

    @transition(
        field=state,
        source=State.APPLIED,
        target=State.UNDER_REVIEW,
        permission="assistance.work_case",
        custom={"label": _("Start the first review")},
    )
    def start_review(self) -> None:
        pass

    @transition(
        field=state,
        source=State.UNDER_REVIEW,
        target=State.ON_NOTICE,
        permission="assistance.work_case",
        conditions=[has_proposal],
        custom={"label": _("Propose certification and publish the notice")},
    )
    def publish_notice(self) -> None:
        pass

    @transition(
        field=state,
        source=State.ON_NOTICE,
        target=State.CERTIFIED,
        permission=_approver_is_not_proposer,
        conditions=[notice_over],
        custom={"label": _("Approve the certification")},
    )
    def certify(self) -> None:
        self.certified_on = timezone.localdate()

    @transition(
        field=state,
        source=[State.APPLIED, State.UNDER_REVIEW, State.ON_NOTICE],
        target=State.DECLINED,
        permission="assistance.work_case",
        custom={"label": _("Do not certify")},
    )
    def decline(self, *, reason: str) -> None:
        self.decision_reason = reason
        self.ended_at = timezone.now()

    @transition(
        field=state,
        source=[State.CERTIFIED, State.EXITED],
        target=State.PLAN_ACTIVE,
        permission="assistance.work_case",
        conditions=[has_plan],
        custom={"label": _("Start the support plan")},
    )
    def start_plan(self) -> None:
        pass

    @transition(
        field=state,
        source=State.PLAN_ACTIVE,
        target=State.REFERRED,
        permission="assistance.work_case",
        conditions=[has_open_referral],
        custom={"label": _("Refer")},
    )
    def refer(self) -> None:
        pass

    @transition(
        field=state,
        source=State.REFERRED,
        target=State.PLAN_ACTIVE,
        permission="assistance.work_case",
        custom={"label": _("Referral did not lead to a placement")},
    )
    def referral_ended(self) -> None:
        pass

    @transition(
        field=state,
        source=State.REFERRED,
        target=State.PLACEMENT_PROPOSED,
        permission="assistance.work_case",
        conditions=[has_proposed_placement],
        custom={"label": _("Propose the placement")},
    )
    def propose_placement(self) -> None:
        pass

    @transition(
        field=state,
        source=State.PLACEMENT_PROPOSED,
        target=State.PLACED,
        permission=_placement_approver,
        conditions=[has_proposed_placement],
        custom={"label": _("Approve the placement")},
    )
    def approve_placement(self) -> None:
        pass

    @transition(
        field=state,
        source=State.PLACEMENT_PROPOSED,
        target=State.REFERRED,
        permission=_placement_approver,
        custom={"label": _("Do not approve the placement")},
    )
    def refuse_placement(self, *, reason: str) -> None:
        self.decision_reason = reason

    @transition(
        field=state,
        source=State.PLACED,
        target=State.IN_POST,
        permission="assistance.work_case",
        conditions=[has_started_placement],
        custom={"label": _("Starts in the post")},
    )
    def start_post(self) -> None:
        pass

    @transition(
        field=state,
        source=State.IN_POST,
        target=State.EXITED,
        permission="assistance.work_case",
        custom={"label": _("Leaves the post")},
    )
    def exit_post(self) -> None:
        pass

    @transition(
        field=state,
        source=[State.CERTIFIED, State.PLAN_ACTIVE, State.REFERRED, State.EXITED],
        target=State.CLOSED,
        permission="assistance.work_case",
        custom={"label": _("Close")},
    )
    def close(self, *, outcome: str) -> None:
        self.outcome = outcome
        self.ended_at = timezone.now()

    @transition(
        field=state,
        source=list(ENTITLED_STATES),
        target=State.WITHDRAWN,
        permission="assistance.approve_case",
        custom={"label": _("Withdraw the certification")},
    )
    def withdraw(self, *, reason: str) -> None:
        self.decision_reason = reason
        self.ended_at = timezone.now()

    @transition(
        field=state,
        source=[State.CERTIFIED, State.PLAN_ACTIVE, State.EXITED],
        target=State.EXPIRED,
        conditions=[certification_lapsed],
        custom={"label": _("Certification expires")},
    )
    def expire(self) -> None:
        self.ended_at = timezone.now()


class SensitiveFacts(models.Model):
    """Disability and 低保 details of one case, read only through assistance.privacy."""

    case = models.OneToOneField(AssistanceCase, on_delete=models.CASCADE, related_name="sensitive")
    disability_certificate = models.BooleanField(_("holds a disability certificate"), default=False)
    disability_certificate_no = models.CharField(
        _("disability certificate number"), max_length=30, blank=True
    )
    disability_level = models.CharField(_("disability kind and level"), max_length=60, blank=True)
    dibao_family = models.BooleanField(_("member of a 低保 family"), default=False)
    dibao_reference = models.CharField(_("低保 certificate number"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("sensitive facts")
        verbose_name_plural = _("sensitive facts")

    def __str__(self) -> str:
        return str(self.case)


class PlanItem(models.Model):
    """One item of the support plan (就业援助计划)."""

    class Kind(models.TextChoices):
        GUIDANCE = "guidance", _("career guidance")
        TRAINING = "training", _("training")
        MATCHING = "matching", _("point-to-point matching")
        POST_REFERRAL = "post_referral", _("public-welfare post referral")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        OPEN = "open", _("to do")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    case = models.ForeignKey(AssistanceCase, on_delete=models.CASCADE, related_name="plan_items")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description = models.CharField(_("what"), max_length=300)
    due_on = models.DateField(_("due"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default="open")
    done_on = models.DateField(_("done on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.description


class Post(models.Model):
    """A public-welfare post (公益性岗位) with a fixed number of places."""

    class Kind(models.TextChoices):
        REGULAR = "regular", _("regular")
        TEMPORARY = "temporary", _("temporary")
        RURAL = "rural", _("rural")

    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="+")
    employer = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="welfare_posts"
    )
    title = models.CharField(_("post"), max_length=100)
    place = models.CharField(_("place of work"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    places = models.PositiveSmallIntegerField(_("places"), validators=[MinValueValidator(1)])
    monthly_subsidy = models.DecimalField(
        _("monthly post subsidy (yuan)"), max_digits=9, decimal_places=2
    )
    age_limit = models.PositiveSmallIntegerField(
        _("oldest age for a new hire"), null=True, blank=True
    )
    is_open = models.BooleanField(_("taking referrals"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("public-welfare post")
        verbose_name_plural = _("public-welfare posts")
        ordering = ["title"]

    def __str__(self) -> str:
        return f"{self.title}（{self.employer}）"


class Referral(models.Model):
    """A referral to an employer's market job or to a public-welfare post.

    A post referral holds a place (``reserved``) or waits for one
    (``waitlisted``); the place is kept until the placement ends or the
    referral is released.
    """

    class Kind(models.TextChoices):
        MARKET_JOB = "market_job", _("market job (point-to-point matching)")
        POST = "post", _("public-welfare post")

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for the employer")
        RESERVED = "reserved", _("place reserved")
        WAITLISTED = "waitlisted", _("on the waiting list")
        PLACED = "placed", _("placed")
        HIRED = "hired", _("hired")
        NOT_HIRED = "not_hired", _("not hired")
        RELEASED = "released", _("released")

    OPEN = (Status.PENDING, Status.RESERVED, Status.WAITLISTED)
    # Statuses that occupy one of a post's places.
    HOLDING = (Status.RESERVED, Status.PLACED)

    case = models.ForeignKey(AssistanceCase, on_delete=models.CASCADE, related_name="referrals")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    post = models.ForeignKey(
        Post, on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    employer = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    job_title = models.CharField(_("job"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    referred_at = models.DateTimeField(
        pgettext_lazy("referral to a post", "referred"), default=timezone.now
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    outcome_at = models.DateTimeField(_("outcome recorded"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("referral to a post", "referral")
        verbose_name_plural = pgettext_lazy("referral to a post", "referrals")
        ordering = ["referred_at", "pk"]
        indexes = [models.Index(fields=["post", "status"], name="assist_post_places_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="post", post__isnull=False)
                | Q(kind="market_job", employer__isnull=False),
                name="assistance_referral_target",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} → {self.post or self.employer}"


class Placement(models.Model):
    """A person's term in a public-welfare post, proposed and approved by two people."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        APPROVED = "approved", _("approved")
        IN_POST = "in_post", _("in post")
        ENDED = "ended", _("ended")
        REFUSED = "refused", _("not approved")

    case = models.ForeignKey(AssistanceCase, on_delete=models.PROTECT, related_name="placements")
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="placements")
    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="placements")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed"), default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    subsidy_approved_on = models.DateField(_("first subsidy approved on"), null=True, blank=True)
    starts_on = models.DateField(_("starts"), null=True, blank=True)
    term_ends_on = models.DateField(_("term ends"), null=True, blank=True)
    term_rule = models.CharField(_("term rule applied"), max_length=200, blank=True)
    ended_on = models.DateField(_("ended"), null=True, blank=True)
    exit_reason = models.CharField(
        _("reason for leaving"), max_length=12, choices=ExitReason.choices, blank=True
    )

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        ordering = ["proposed_at", "pk"]
        constraints = [
            # A refused proposal makes room for another on the same reserved place.
            models.UniqueConstraint(
                fields=["referral"],
                condition=~Q(status="refused"),
                name="assistance_one_placement_per_referral",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} @ {self.post}"


class SupportingDocument(EvidenceFile):
    """A supporting document the applicant uploaded with an online application.

    Stored like the disputes' evidence (checked by casework.core.uploads, hashed, no
    personal data in the storage path). A disability or 低保 certificate is sensitive
    personal data: staff open it only with ``assistance.view_sensitive``
    (assistance.privacy), and its kind is never written into the audit trail.
    """

    class Kind(models.TextChoices):
        ID_CARD = "id_card", _("resident ID card")
        RESIDENCE = "residence", _("household register (户口簿) or residence permit (居住证)")
        UNEMPLOYMENT = "unemployment", _("unemployment registration")
        DISABILITY = "disability", _("disability certificate")
        DIBAO = "dibao", _("低保 certificate")
        OTHER = "other", _("other supporting document")

    SENSITIVE_KINDS = (Kind.DISABILITY, Kind.DIBAO)

    case = models.ForeignKey(
        AssistanceCase, on_delete=models.CASCADE, related_name="supporting_documents"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)

    class Meta(EvidenceFile.Meta):
        verbose_name = _("supporting document")
        verbose_name_plural = _("supporting documents")

    @property
    def sensitive(self) -> bool:
        return self.kind in self.SENSITIVE_KINDS
