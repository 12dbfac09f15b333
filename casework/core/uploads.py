"""Checking an uploaded evidence file (any workflow's) before anything is stored.

The browser's content type and the file name are the uploader's word only; the
first bytes of the file decide whether it really is a PDF, JPEG or PNG.
"""

from contextlib import contextmanager

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

# suffix -> (content type, magic bytes at offset 0)
ALLOWED = {
    "pdf": ("application/pdf", b"%PDF-"),
    "jpg": ("image/jpeg", b"\xff\xd8\xff"),
    "jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    "png": ("image/png", b"\x89PNG\r\n\x1a\n"),
}


def checked_content_type(upload, *, max_bytes: int) -> str:
    """The checked content type of ``upload``, or ValidationError with a message for staff."""
    if upload.size > max_bytes:
        raise ValidationError(
            _("%(name)s is too large (%(size)s); the limit is %(limit)s."),
            code="evidence_too_large",
            params={
                "name": upload.name,
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(max_bytes),
            },
        )
    suffix = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if suffix not in ALLOWED:
        raise ValidationError(
            _("%(name)s: only PDF, JPEG and PNG files can be attached."),
            code="evidence_type",
            params={"name": upload.name},
        )
    content_type, magic = ALLOWED[suffix]
    upload.seek(0)
    head = upload.read(len(magic))
    upload.seek(0)
    declared = (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
    if head != magic or (declared and declared not in (content_type, "application/octet-stream")):
        raise ValidationError(
            _("%(name)s is not really a %(kind)s file; its contents do not match its name."),
            code="evidence_mislabelled",
            params={"name": upload.name, "kind": suffix.upper()},
        )
    return content_type


@contextmanager
def removed_on_failure(item):
    """Delete the file ``item`` stored in the block when the block fails.

    The row is rolled back with the transaction; without this its file would stay
    in storage, referenced by nothing.
    """
    try:
        yield item
    except BaseException:
        if item.file and item.file.name:
            item.file.storage.delete(item.file.name)
        raise


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


class CheckedFilesField(forms.FileField):
    """Several PDF, JPEG or PNG files, each checked by ``checked_content_type``.

    Cleans to a list (empty when none and not required); every file's problem is
    reported at once. The limits are read from the settings when the form is cleaned
    (so that a deployment's or a test's values apply): bytes per file from
    ``size_setting``, the number of files from ``count_setting`` or ``max_files``.
    """

    def __init__(
        self,
        *,
        size_setting: str,
        max_files: int | None = None,
        count_setting: str | None = None,
        **kwargs,
    ):
        self.size_setting, self.count_setting, self.max_files = (
            size_setting,
            count_setting,
            max_files,
        )
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None) -> list:
        uploads = [u for u in (data if isinstance(data, list | tuple) else [data]) if u]
        if not uploads and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        most = getattr(settings, self.count_setting) if self.count_setting else self.max_files
        if most is not None and len(uploads) > most:
            raise ValidationError(
                _("Attach at most %(n)s files."), code="too_many_files", params={"n": most}
            )
        max_bytes = getattr(settings, self.size_setting)
        cleaned, errors = [], []
        for upload in uploads:
            try:
                upload = super().clean(upload, initial)
                checked_content_type(upload, max_bytes=max_bytes)
            except ValidationError as exc:
                errors.extend(exc.error_list)
                continue
            cleaned.append(upload)
        if errors:
            raise ValidationError(errors)
        return cleaned
