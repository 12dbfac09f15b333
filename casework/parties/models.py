from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from casework.parties import identifiers


class Sex(models.TextChoices):
    MALE = "M", _("male")
    FEMALE = "F", _("female")


class Person(models.Model):
    """A natural person: a worker, an individual hiring party, a representative."""

    name = models.CharField(pgettext_lazy("a person's", "name"), max_length=60)
    id_number = models.CharField(
        _("resident ID number"),
        max_length=18,
        unique=True,
        help_text=_("18 characters; the last may be X."),
    )
    birth_date = models.DateField(_("birth date"), editable=False)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, editable=False)
    mobile = models.CharField(_("mobile number"), max_length=11, db_index=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        verbose_name=_("portal login"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name"]
        permissions = [("view_full_personal_data", _("Can see full ID numbers and phones"))]

    def __str__(self) -> str:
        return self.name

    def clean_fields(self, exclude=None) -> None:
        # Normalised before the field checks, and only the fields not excluded: a form
        # that has refused an ID number (say, its check digit) excludes it, and checking
        # the blank left behind would add a second, false message.
        exclude = set(exclude or ())
        errors: dict = {}
        if "id_number" not in exclude:
            try:
                self.id_number = identifiers.normalise_ric(self.id_number or "")
                self.birth_date = identifiers.ric_birth_date(self.id_number)
                self.sex = identifiers.ric_sex(self.id_number)
            except ValidationError as exc:
                errors["id_number"] = exc.error_list
                exclude.add("id_number")
        if "mobile" not in exclude:
            try:
                self.mobile = identifiers.normalise_mobile(self.mobile)
            except ValidationError as exc:
                errors["mobile"] = exc.error_list
                exclude.add("mobile")
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    @property
    def masked_id(self) -> str:
        return identifiers.mask_id(self.id_number)

    @property
    def masked_mobile(self) -> str:
        return identifiers.mask_phone(self.mobile)

    def age_on(self, day) -> int:
        years = day.year - self.birth_date.year
        return years - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))


class Organization(models.Model):
    """A hiring party, a job intermediary or a mediation body."""

    class Kind(models.TextChoices):
        EMPLOYER = "employer", _("employer / hiring party")
        INTERMEDIARY = "intermediary", _("job intermediary")
        MEDIATION_BODY = "mediation_body", _("mediation body")

    class LicenceStatus(models.TextChoices):
        VALID = "valid", _("licensed")
        SUSPENDED = "suspended", _("licence suspended")
        REVOKED = "revoked", _("licence revoked")
        NONE = "none", _("no licence")

    class MediationBodyType(models.TextChoices):
        ENTERPRISE = "enterprise", _("enterprise labour dispute mediation committee")
        PEOPLES = "peoples", _("grassroots people's mediation organisation")
        TOWNSHIP = "township", _("township / street body with labour mediation functions")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=120)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    credit_code_override_reason = models.CharField(
        _("reason for accepting a code that fails the check"), max_length=200, blank=True
    )
    credit_code_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    licence_number = models.CharField(
        _("human resources service licence number"), max_length=60, blank=True
    )
    licence_status = models.CharField(
        _("licence status"),
        max_length=10,
        choices=LicenceStatus.choices,
        blank=True,
        default="",
        db_default="",  # bulk loaders write rows without it (casework.core.bulk)
    )
    mediation_body_type = models.CharField(
        _("mediation body type"), max_length=20, choices=MediationBodyType.choices, blank=True
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    representatives = models.ManyToManyField(
        Person,
        blank=True,
        related_name="organizations",
        verbose_name=_("handling persons"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        permissions = [("override_credit_code", _("Can accept a credit code that fails the check"))]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.credit_code, problem = identifiers.check_uscc(self.credit_code or "")
        if problem is not None and problem.code == "uscc_format":
            raise ValidationError({"credit_code": problem})
        if problem is not None and not self.credit_code_override_reason.strip():
            raise ValidationError({"credit_code": problem})
        if problem is None:
            self.credit_code_override_reason = ""
            self.credit_code_override_by = None
        if self.kind == self.Kind.INTERMEDIARY and not self.licence_number:
            raise ValidationError(
                {
                    "licence_number": _(
                        "Enter the intermediary's licence number, or 无 if it has none."
                    )
                }
            )
        if self.kind == self.Kind.MEDIATION_BODY and not self.mediation_body_type:
            raise ValidationError({"mediation_body_type": _("Choose the mediation body type.")})


class RealNameCheck(models.Model):
    """A record that a party's identity was checked: the basis of 双实名."""

    class Method(models.TextChoices):
        ID_CARD_SEEN = "id_card_seen", _("ID card seen by staff")
        VERIFICATION_SERVICE = "verification_service", _("identity verification service")
        LICENCE_SEEN = "licence_seen", _("business licence and handling person's ID seen")

    class Result(models.TextChoices):
        PASSED = "passed", pgettext_lazy("real-name check", "passed")
        FAILED = "failed", pgettext_lazy("real-name check", "failed")

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="real_name_checks"
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="real_name_checks",
    )
    method = models.CharField(_("method"), max_length=30, choices=Method.choices)
    result = models.CharField(_("result"), max_length=10, choices=Result.choices)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked by"),
    )
    checked_at = models.DateTimeField(_("checked at"), default=timezone.now)
    backend_reference = models.CharField(_("service reference"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("real-name check")
        verbose_name_plural = _("real-name checks")
        ordering = ["-checked_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(person__isnull=False, organization__isnull=True)
                    | models.Q(person__isnull=True, organization__isnull=False)
                ),
                name="parties_realnamecheck_one_party",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person or self.organization} {self.get_result_display()}"

    def clean(self) -> None:
        org_method = self.method == self.Method.LICENCE_SEEN
        if self.organization_id and not org_method:
            raise ValidationError(
                {
                    "method": _(
                        "An organisation is checked by its business licence and handling person."
                    )
                }
            )
        if self.person_id and org_method:
            raise ValidationError({"method": _("A person is checked by their ID card.")})
        if self.result == self.Result.FAILED and not self.note.strip():
            raise ValidationError({"note": _("Say why the check failed.")})
