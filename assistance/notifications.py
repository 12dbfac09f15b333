"""The hardship assistance cases' text messages (casework.notifications;
docs/notifications.md).

The texts are those the market registers with its SMS provider: Chinese, with the
parameters in the order given, and never a sensitive detail (disability, 低保): they go
to the applicant's phone and are listed on the case page for every role that opens it."""

from django.utils.translation import gettext_lazy as _

from casework.notifications.registry import Template, register
from casework.notifications.reminders import Due, register_deadlines

ACCEPTED = "assistance_accepted"
CERTIFIED = "assistance_certified"
DECLINED = "assistance_declined"
PLACEMENT_APPROVED = "assistance_placement_approved"
POST_STARTED = "assistance_post_started"
TERM_ENDING = "assistance_term_ending"

# The person in a public-welfare post is told this many days before the term ends.
TERM_ENDING_DAYS = 30

register(
    Template(
        ACCEPTED,
        _("Hardship application accepted"),
        "您的就业困难人员认定申请（{code}）已于{date}受理，我们将于{due}前完成初审，结果将告知您。",
        params=("code", "date", "due"),
    ),
    Template(
        CERTIFIED,
        _("Hardship certification granted"),
        "您已被认定为就业困难人员（{code}），服务等级{tier}级，认定有效期至{expires}。"
        "我们将为您提供就业援助。",
        params=("code", "tier", "expires"),
    ),
    Template(
        DECLINED,
        _("Hardship certification declined"),
        "您的就业困难人员认定申请（{code}）未予认定，原因：{reason}。",
        params=("code", "reason"),
    ),
    Template(
        PLACEMENT_APPROVED,
        _("Hardship assistance: placement approved"),
        "您（{code}）安置到公益性岗位“{post}”（{employer}）已获批准，请按通知到岗。",
        params=("code", "post", "employer"),
    ),
    Template(
        POST_STARTED,
        _("Hardship assistance: in post"),
        "您（{code}）自{start}起在公益性岗位“{post}”上岗，岗位期限至{ends}。",
        params=("code", "start", "post", "ends"),
    ),
    Template(
        TERM_ENDING,
        _("Hardship assistance: post term ending"),
        "您（{code}）在公益性岗位“{post}”的期限将于{ends}届满，请与经办人联系做好后续就业安排。",
        params=("code", "post", "ends"),
    ),
)


def _due_soon(today, until):
    """Applications under first review due, and open support-plan items falling due, from
    today to ``until``: reminders to the caseworker holding the case."""
    from assistance.models import AssistanceCase, PlanItem

    reviews = AssistanceCase.objects.filter(
        state=AssistanceCase.State.UNDER_REVIEW,
        owner__isnull=False,
        review_due__gte=today,
        review_due__lte=until,
    ).select_related("market", "owner__staff_profile")
    for case in reviews:
        yield Due(case, case.owner, case.review_due, "初审期限")
    items = PlanItem.objects.filter(
        status=PlanItem.Status.OPEN,
        case__owner__isnull=False,
        case__state__in=AssistanceCase.ENTITLED_STATES,
        due_on__gte=today,
        due_on__lte=until,
    ).select_related("case__market", "case__owner__staff_profile")
    for item in items:
        yield Due(item.case, item.case.owner, item.due_on, "援助计划事项")


register_deadlines(_due_soon)
