import datetime
import hashlib
import json
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin

from casework.core.seals import validate_seal_image


class Market(models.Model):
    """A gig-work market (零工市场) as listed in the public market directory."""

    class Nature(models.TextChoices):
        PUBLIC = "public", _("Public (government-run)")
        COMMERCIAL = "commercial", _("Commercial")
        SPONTANEOUS = "spontaneous", _("Spontaneous")

    name = models.CharField(_("name"), max_length=120, unique=True)
    code = models.SlugField(
        _("short code"), max_length=20, unique=True, help_text=_("Used in case numbers.")
    )
    nature = models.CharField(_("operating nature"), max_length=20, choices=Nature.choices)
    region = models.CharField(_("county / district"), max_length=120)
    address = models.CharField(_("address"), max_length=200)
    opening_hours = models.CharField(_("opening hours"), max_length=200)
    main_trades = models.CharField(_("main trades"), max_length=300)
    hotline = models.CharField(_("service hotline"), max_length=40)
    complaint_channel = models.CharField(_("complaint channel"), max_length=200)
    supervisors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="supervised_markets",
        verbose_name=_("supervisors"),
    )
    # The picture shown where sealed documents are stamped (casework.core.seals); without
    # one a red round seal with the market's name is drawn.
    seal_image = models.FileField(
        _("seal image"),
        upload_to="seals/",
        blank=True,
        validators=[validate_seal_image],
        help_text=_(
            "The market's round seal as a PNG (transparent background) or SVG file, at "
            "most 1 MB. Sealed documents show it at their seal place (盖章). Left empty, a "
            "red round seal with the market's name is drawn."
        ),
    )
    # Where the market is, for the public directory's map and feeds (docs/architecture.md,
    # "The public market directory"): WGS-84 / CGCS2000 degrees, as GeoJSON (RFC 7946) and
    # 天地图 use. Coordinates read off 高德 or 腾讯 maps (GCJ-02) must be converted first.
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
        help_text=_("WGS-84 / CGCS2000 degrees north, as 天地图 shows them (not GCJ-02)."),
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
        help_text=_("WGS-84 / CGCS2000 degrees east, as 天地图 shows them (not GCJ-02)."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("market")
        verbose_name_plural = _("markets")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        validate_coordinates(self.latitude, self.longitude)

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None


# China's rough bounding box (degrees): a market's coordinates outside it are a typing
# error or a swapped pair, not a market.
CHINA_LATITUDES = (Decimal("3.8"), Decimal("53.6"))
CHINA_LONGITUDES = (Decimal("73.4"), Decimal("135.1"))


def validate_coordinates(latitude: Decimal | None, longitude: Decimal | None) -> None:
    """Both coordinates or neither, and within China's rough bounding box."""
    if (latitude is None) != (longitude is None):
        raise ValidationError(_("Enter both the latitude and the longitude, or neither."))
    if latitude is None or longitude is None:
        return
    errors = {}
    if not CHINA_LATITUDES[0] <= latitude <= CHINA_LATITUDES[1]:
        errors["latitude"] = _("The latitude lies outside China (%(low)s to %(high)s).") % {
            "low": CHINA_LATITUDES[0],
            "high": CHINA_LATITUDES[1],
        }
    if not CHINA_LONGITUDES[0] <= longitude <= CHINA_LONGITUDES[1]:
        errors["longitude"] = _("The longitude lies outside China (%(low)s to %(high)s).") % {
            "low": CHINA_LONGITUDES[0],
            "high": CHINA_LONGITUDES[1],
        }
    if errors:
        raise ValidationError(errors)


class NotifyBy(models.TextChoices):
    """How a staff member gets reminders (StaffProfile.notify_by)."""

    SMS = "sms", _("text message to my mobile")
    EMAIL = "email", _("e-mail")
    NONE = "none", _("no reminders")


class StaffProfile(models.Model):
    """Links a staff user to the markets whose cases they handle."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    markets = models.ManyToManyField(Market, related_name="staff", verbose_name=_("markets"))
    title = models.CharField(_("job title"), max_length=80, blank=True)
    phone = models.CharField(_("office phone"), max_length=40, blank=True)
    # Staff reminders (casework.notifications, docs/notifications.md): how this user gets
    # them. Blank: by e-mail when the user has an address, else none.
    mobile = models.CharField(
        _("mobile number for reminders"), max_length=11, blank=True, default=""
    )
    notify_by = models.CharField(
        _("reminders by"), max_length=10, choices=NotifyBy.choices, blank=True, default=""
    )

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return self.user.get_username()


def markets_for(user) -> models.QuerySet[Market]:
    """The markets whose cases this user may see (none for portal users)."""
    if not user.is_authenticated:
        return Market.objects.none()
    if user.is_superuser:
        return Market.objects.all()
    return Market.objects.filter(models.Q(staff__user=user) | models.Q(supervisors=user)).distinct()


class CodeSequence(models.Model):
    """Per prefix and year counter behind public case codes such as WD-2026-000123."""

    prefix = models.CharField(max_length=8)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="core_codesequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"

    @classmethod
    def next_code(cls, prefix: str) -> str:
        year = timezone.localdate().year
        with transaction.atomic():
            cls.objects.get_or_create(prefix=prefix, year=year)
            row = cls.objects.select_for_update().get(prefix=prefix, year=year)
            row.last += 1
            row.save(update_fields=["last"])
        return f"{prefix}-{year}-{row.last:06d}"


class CaseBase(ConcurrentTransitionMixin, models.Model):
    """What every workflow's case has in common.

    A subclass declares ``CODE_PREFIX``, its own ``state = FSMField(...,
    protected=True)`` and its ``@transition`` methods. State changes go through
    ``casework.core.transitions.perform()``, which writes the audit row and
    enqueues the documents in the same transaction.
    """

    CODE_PREFIX = "XX"

    code = models.CharField(_("case number"), max_length=24, unique=True, editable=False)
    market = models.ForeignKey(
        Market, on_delete=models.PROTECT, related_name="+", verbose_name=_("market")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("current owner"),
    )
    # The case's viewflow process: who must act next (casework.core.flows).
    process = models.OneToOneField(
        "viewflow.Process",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs) -> None:
        if not self.code:
            self.code = CodeSequence.next_code(self.CODE_PREFIX)
        super().save(*args, **kwargs)

    @property
    def events(self) -> models.QuerySet["CaseEvent"]:
        return CaseEvent.objects.for_subject(self)


class SubjectQuerySet(models.QuerySet):
    def for_subject(self, subject: models.Model) -> "SubjectQuerySet":
        ct = ContentType.objects.get_for_model(subject, for_concrete_model=True)
        return self.filter(subject_type=ct, subject_id=subject.pk)


class SubjectLink(models.Model):
    """Points at the case (or market) a row belongs to, whatever its model.

    Case models keep integer keys (viewflow stores artifact ids as integers),
    so a content type and a big integer identify any subject.
    """

    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")

    class Meta:
        abstract = True


class AppendOnlyError(Exception):
    pass


class AppendOnly:
    """Reads and appends only: bulk changes would bypass the model's save() and delete()."""

    model: Any

    def _refuse(self):
        raise AppendOnlyError(f"{self.model._meta.label} rows are append-only")

    def update(self, **kwargs):
        self._refuse()

    def delete(self):
        self._refuse()

    def bulk_update(self, objs, fields, batch_size=None):
        self._refuse()

    def update_or_create(self, *args, **kwargs):
        self._refuse()


class AppendOnlyQuerySet(AppendOnly, models.QuerySet):
    pass


class AppendOnlyModel(models.Model):
    """A row written once and never changed or deleted (the audit trail)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{self._meta.label} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{self._meta.label} rows are append-only")


class CaseEventQuerySet(AppendOnly, SubjectQuerySet):
    def for_subject(self, subject: models.Model) -> "CaseEventQuerySet":
        return super().for_subject(subject).order_by("seq")


class CaseEvent(AppendOnlyModel, SubjectLink):
    """One append-only audit row; rows of one case form a hash chain."""

    GENESIS = "0" * 64

    seq = models.PositiveIntegerField()
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=40, blank=True)
    action = models.CharField(_("action"), max_length=60)
    from_state = models.CharField(_("from"), max_length=40, blank=True)
    to_state = models.CharField(_("to"), max_length=40, blank=True)
    note = models.TextField(_("note"), blank=True)
    client_ip = models.GenericIPAddressField(_("client IP"), null=True, blank=True)
    documents = models.JSONField(_("documents produced"), default=list, blank=True)
    # The case's owner as stored when the event was written (record_event), so an
    # owner changed behind the trail's back shows (check_invariants). Rows written
    # before this field existed record no owner and hash without it.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner after the event"),
    )
    # The database default serves bulk loaders that COPY only the older columns.
    records_owner = models.BooleanField(default=False, db_default=False, editable=False)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = CaseEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "seq"], name="core_caseevent_chain_unique"
            )
        ]
        indexes = [models.Index(fields=["subject_type", "subject_id", "seq"])]

    def __str__(self) -> str:
        return f"{self.action} #{self.seq}"

    def payload(self) -> dict:
        payload = {
            "subject": f"{self.subject_type_id}:{self.subject_id}",
            "seq": self.seq,
            "at": self.at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
            "actor": self.actor_id,
            "actor_name": self.actor_name,
            "role": self.role,
            "action": self.action,
            "from": self.from_state,
            "to": self.to_state,
            "note": self.note,
            "ip": self.client_ip,
            "documents": self.documents,
            "prev": self.prev_hash,
        }
        # Only when recorded, so chains written before owners were recorded still verify.
        if self.records_owner:
            payload["owner"] = self.owner_id
        return payload

    def compute_hash(self) -> str:
        canonical = json.dumps(self.payload(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class ChainHead(SubjectLink):
    """The last seq and hash of each audit chain, updated with every event.

    A chain alone cannot show that its last rows were deleted; comparing the
    chain's end with this row can. It is also the row appenders lock.
    """

    seq = models.PositiveIntegerField(default=0)
    hash = models.CharField(max_length=64, default=CaseEvent.GENESIS)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id"], name="core_chainhead_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject_type_id}:{self.subject_id} #{self.seq}"


class AuditDigest(AppendOnlyModel):
    """The head of every audit chain at one moment, taken once a day.

    casework.documents seals each digest in a document (with an RFC 3161 time stamp
    when a TSA is configured), out of reach of anyone who can only write the database:
    a chain rebuilt later with correct hashes no longer matches the digests
    (``manage.py verify_audit --digests``; docs/architecture.md, "The audit trail").
    Each digest names the SHA-256 of the one before, so a removed digest shows too.
    """

    day = models.DateField(_("day"), unique=True)
    taken_at = models.DateTimeField(_("taken at"))
    chains = models.PositiveIntegerField(_("chains"))
    events = models.PositiveBigIntegerField(_("events"))
    # [["app_label.model", subject id, seq, hash], ...] sorted; labels rather than
    # content type ids, which differ between a database and its restored copy.
    heads = models.JSONField(_("chain heads"))
    previous = models.CharField(_("previous digest's SHA-256"), max_length=64)
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit digest")
        verbose_name_plural = _("audit digests")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {self.sha256[:12]}"

    def computed_sha256(self) -> str:
        """SHA-256 over what the digest says, in one canonical form."""
        taken_at = self.taken_at.astimezone(datetime.UTC).isoformat()
        body = {"previous": self.previous, "taken_at": taken_at, "heads": self.heads}
        canonical = json.dumps(body, separators=(",", ":"), ensure_ascii=True, sort_keys=True)
        return hashlib.sha256(canonical.encode("ascii")).hexdigest()


class AccessLog(SubjectLink):
    """Who saw or exported full personal data, and when (个人信息保护法)."""

    class Action(models.TextChoices):
        VIEW = "view", _("viewed")
        EXPORT = "export", _("exported")

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("user"),
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    subject_label = models.CharField(_("record"), max_length=200)
    fields = models.CharField(_("data seen"), max_length=200)
    path = models.CharField(_("page"), max_length=300, blank=True)
    client_ip = models.GenericIPAddressField(_("client IP"), null=True, blank=True)

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data access log")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.user} {self.action} {self.subject_label}"


class HolidayOverride(models.Model):
    """A day whose status differs from (or is missing in) the chinese-calendar package."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(
        _("is a working day"),
        help_text=_("Tick for a make-up working day (调休上班); leave empty for a holiday."),
    )
    name = models.CharField(_("name"), max_length=60, help_text=_("e.g. 春节 or 国庆节调休"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class SmsMessage(models.Model):
    """A text message as the development SMS backend keeps it (its outbox).

    Production sends through the gateway named by SMS_BACKEND and keeps no text:
    one-time codes are secrets. The outbox exists so that in the embedded set-up
    counter staff (and tests) can read the code a party would get on the phone.
    """

    to = models.CharField(_("to"), max_length=20)
    text = models.TextField(_("text"))
    purpose = models.CharField(_("purpose"), max_length=40)
    subject_label = models.CharField(_("record"), max_length=60, blank=True)
    # The template the message was sent under (a provider sends only registered ones) and
    # its parameters in order, as [name, value] pairs (docs/notifications.md).
    template = models.CharField(_("template"), max_length=60, blank=True)
    params = models.JSONField(_("parameters"), default=list, blank=True)
    sent_at = models.DateTimeField(_("sent"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("text message (development outbox)")
        verbose_name_plural = _("text messages (development outbox)")
        ordering = ["-sent_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.to} {self.purpose}"


def evidence_path(instance: "EvidenceFile", filename: str) -> str:
    # No personal data or user-chosen names in storage paths.
    suffix = filename.rsplit(".", 1)[-1].lower()
    return f"evidence/{timezone.localdate():%Y/%m}/{instance.sha256[:32]}.{suffix}"


class EvidenceFile(models.Model):
    """An uploaded evidence file of a case, checked (casework.core.uploads) and hashed.

    A workflow's evidence model subclasses it and adds the foreign key to its case.
    """

    file = models.FileField(_("file"), upload_to=evidence_path)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        abstract = True
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name

    def store(self, upload, *, content_type: str) -> None:
        """Read the (already checked) upload, hash it and save row and file."""
        from django.core.files.base import ContentFile

        data = b"".join(upload.chunks())
        self.original_name = upload.name[-200:]
        self.content_type = content_type
        self.size = len(data)
        self.sha256 = hashlib.sha256(data).hexdigest()
        self.file.save(upload.name, ContentFile(data), save=False)
        self.save()


class FormToken(models.Model):
    """A one-time form token, claimed by the first POST that carries it.

    The unique ``token`` makes the claim race-safe: of two requests sending the
    same form at once, only one INSERT succeeds (casework.core.formtokens).
    """

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", _("being processed")
        DONE = "done", _("done")

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+"
    )
    # The anonymous sender's session (the public complaint form); empty for a user.
    session_key = models.CharField(max_length=40, blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.IN_PROGRESS)
    result_url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("form token")
        verbose_name_plural = _("form tokens")

    def __str__(self) -> str:
        return f"{self.token[:8]}… {self.state}"
