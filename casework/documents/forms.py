from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from casework.documents.models import CODE_ALPHABET, CODE_LENGTH

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def normalize_code(raw: str) -> str:
    """Accept a code as printed (groups of four), typed in lower case or with spaces."""
    return "".join(raw.split()).replace("-", "").upper()


def is_well_formed_code(code: str) -> bool:
    return len(code) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in code)


class VerifyCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=40,
        help_text=_("The code printed at the foot of every page, e.g. ABCD-EFGH-JKMN-PQRS."),
    )

    def clean_code(self) -> str:
        code = normalize_code(self.cleaned_data["code"])
        if not is_well_formed_code(code):
            raise forms.ValidationError(
                _("A verification code has %(n)d letters and digits.") % {"n": CODE_LENGTH}
            )
        return code


class VerifyUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Your copy of the PDF"),
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(max)s.") % {"max": filesizeformat(MAX_UPLOAD_BYTES)}
            )
        upload.seek(0)
        head = upload.read(5)
        upload.seek(0)
        if head != b"%PDF-":
            raise forms.ValidationError(_("This is not a PDF file."))
        return upload
