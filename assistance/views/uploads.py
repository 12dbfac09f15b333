"""The supporting documents of an online application, opened by the case's staff.

Staff who may open the case download them; a disability or 低保 certificate only
with ``assistance.view_sensitive`` (assistance.privacy). Each download writes an
access-log row, as the disputes' evidence does: the files carry personal data.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from assistance.models import SupportingDocument
from assistance.privacy import may_see_sensitive
from assistance.views.common import case_for
from casework.core.audit import log_access
from casework.core.models import AccessLog


@login_required
@require_GET
def document_file(request, code: str, pk: int):
    case = case_for(request, code)
    item = get_object_or_404(SupportingDocument, case=case, pk=pk)
    if item.sensitive and not may_see_sensitive(request.user, case):
        raise PermissionDenied
    log_access(request, case, _("supporting document"), action=AccessLog.Action.EXPORT)
    return FileResponse(
        item.file.open("rb"),
        as_attachment=True,
        filename=item.original_name,
        content_type=item.content_type,
    )
