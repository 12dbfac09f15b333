"""Disability and 低保 details: who may see them, and the access log
(docs/domain.md, "Personal data").

Only caseworkers and supervisors of the case's market (``assistance.view_sensitive``
and the case in their scope) see them, and every time they do, one AccessLog row
is written. Public notices, employer letters and other roles' pages never get them:
they are built from ``public_categories``, which leaves the sensitive ones out.
"""

from django.utils.translation import gettext as _

from assistance.access import cases_visible_to
from assistance.models import AssistanceCase, Category, SensitiveFacts
from casework.core.audit import log_access

SENSITIVE_PERMISSION = "assistance.view_sensitive"


def may_see_sensitive(user, case: AssistanceCase) -> bool:
    return (
        user.has_perm(SENSITIVE_PERMISSION) and cases_visible_to(user).filter(pk=case.pk).exists()
    )


def sensitive_facts(request, case: AssistanceCase) -> SensitiveFacts | None:
    """The case's sensitive facts for this reader (logged), or None when they may not see them."""
    if not may_see_sensitive(request.user, case):
        return None
    facts = SensitiveFacts.objects.filter(case=case).first()
    if facts is not None:
        log_access(request, case, _("disability and 低保 details"))
    return facts


def public_categories(case: AssistanceCase) -> list[Category]:
    """The proposed categories that may be shown to anyone who sees the case: no sensitive ones."""
    categories = case.rule_set.categories.filter(code__in=case.proposed_categories)
    return [category for category in categories if not category.sensitive]
