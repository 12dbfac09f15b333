"""The online application for hardship certification (portal): validation only.

It asks what the counter form (assistance.forms.ApplicationForm) asks the applicant
to declare, from the same model fields, minus what only staff decide (the day of
the application is the day it is sent; the retirement age group follows the
person's record), and adds the market and the supporting documents, one field per
kind of document, each taking several PDF, JPEG or PNG files. The form never
saves: assistance.online.case_apply_online does.
"""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from assistance.forms import ApplicationForm, check_declarations
from assistance.models import SupportingDocument
from assistance.services import CASE_FACTS, SENSITIVE_FIELDS
from casework.core.models import Market
from casework.core.uploads import CheckedFilesField

K = SupportingDocument.Kind

FILES_NOT_KEPT = _(
    "Files cannot be kept while the form has errors: choose your documents again before sending."
)


def _files(label, help_text="", required_message=None) -> CheckedFilesField:
    return CheckedFilesField(
        label=label,
        help_text=help_text,
        required=required_message is not None,
        size_setting="ASSISTANCE_UPLOAD_MAX_BYTES",
        count_setting="ASSISTANCE_UPLOAD_MAX_FILES",
        error_messages={"required": required_message} if required_message else None,
    )


class OnlineApplicationForm(forms.Form):
    """What the worker declares, where they apply and the documents that show it."""

    FACT_FIELDS = CASE_FACTS
    SENSITIVE = SENSITIVE_FIELDS
    # Upload field -> the kind of document it holds.
    DOCUMENT_FIELDS = {
        "doc_id_card": K.ID_CARD,
        "doc_residence": K.RESIDENCE,
        "doc_unemployment": K.UNEMPLOYMENT,
        "doc_disability": K.DISABILITY,
        "doc_dibao": K.DIBAO,
        "doc_other": K.OTHER,
    }

    market = forms.ModelChoiceField(
        label=_("Gig market"),
        queryset=Market.objects.all(),
        help_text=_("The market whose service counter should handle your application."),
    )
    zero_employment_family = ApplicationForm.base_fields["zero_employment_family"]
    land_requisitioned = ApplicationForm.base_fields["land_requisitioned"]
    single_parent_of_minors = ApplicationForm.base_fields["single_parent_of_minors"]
    unemployment_registered_on = ApplicationForm.base_fields["unemployment_registered_on"]
    other_reason = ApplicationForm.base_fields["other_reason"]
    disability_certificate = ApplicationForm.base_fields["disability_certificate"]
    disability_certificate_no = ApplicationForm.base_fields["disability_certificate_no"]
    disability_level = ApplicationForm.base_fields["disability_level"]
    dibao_family = ApplicationForm.base_fields["dibao_family"]
    dibao_reference = ApplicationForm.base_fields["dibao_reference"]

    doc_id_card = _files(
        K.ID_CARD.label, _("Both sides."), _("Attach a photo or scan of your ID card.")
    )
    doc_residence = _files(K.RESIDENCE.label)
    doc_unemployment = _files(
        K.UNEMPLOYMENT.label, _("The unemployment registration certificate or its record.")
    )
    doc_disability = _files(K.DISABILITY.label, _("Needed if you hold one."))
    doc_dibao = _files(K.DIBAO.label, _("Needed if your family receives 低保."))
    doc_other = _files(K.OTHER.label, _("For example a land requisition or family record."))

    files_not_kept = FILES_NOT_KEPT

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_file_size = settings.ASSISTANCE_UPLOAD_MAX_BYTES
        markets = self.fields["market"].queryset
        if markets.count() == 1:
            self.fields["market"].initial = markets.get()

    clean_unemployment_registered_on = ApplicationForm.clean_unemployment_registered_on

    def clean(self):
        cleaned = super().clean()
        check_declarations(
            self,
            cleaned,
            disability_unticked=_("Tick this box if you hold a disability certificate."),
            dibao_unticked=_("Tick this box if your family receives 低保."),
        )
        # A ticked box needs its certificate among the documents (when the files cleaned).
        if cleaned.get("disability_certificate") and cleaned.get("doc_disability") == []:
            self.add_error("doc_disability", _("Attach your disability certificate."))
        if cleaned.get("dibao_family") and cleaned.get("doc_dibao") == []:
            self.add_error("doc_dibao", _("Attach your family's 低保 certificate."))
        limit = settings.ASSISTANCE_UPLOAD_MAX_FILES
        if len(self.documents()) > limit:
            self.add_error(
                None,
                ValidationError(
                    _("Attach at most %(n)s files in all."),
                    code="too_many_files",
                    params={"n": limit},
                ),
            )
        return cleaned

    @property
    def files_lost(self) -> bool:
        """The form came back with errors after files were chosen: they must be chosen again."""
        return self.is_bound and bool(self.errors) and bool(self.files)

    def facts(self) -> dict:
        return {name: self.cleaned_data[name] for name in CASE_FACTS}

    def sensitive(self) -> dict:
        return {name: self.cleaned_data[name] for name in SENSITIVE_FIELDS}

    def documents(self) -> list[tuple[str, object]]:
        """(kind, upload) for every file attached, in the order of the fields."""
        return [
            (kind, upload)
            for name, kind in self.DOCUMENT_FIELDS.items()
            for upload in self.cleaned_data.get(name) or []
        ]

    def add_service_error(self, exc: ValidationError) -> None:
        self.add_error(None, ValidationError(exc.messages))
