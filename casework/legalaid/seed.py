"""The demo's legal-aid centres, one per market, and a few referrals from the demo cases
of each workflow (manage.py seed_demo runs it after the workflows' own seed.py)."""

from django.utils import timezone

from casework.core.audit import Actor
from casework.core.models import Market
from casework.core.roles import roles_of
from casework.legalaid import services
from casework.legalaid.models import LegalAidCentre, LegalAidReferral, Result
from casework.legalaid.registry import Source, sources


def seed_demo(market: Market) -> None:
    centre, _created = LegalAidCentre.objects.get_or_create(
        market=market,
        name=f"{market.name.removesuffix('零工市场')}法律援助中心",
        defaults={
            "address": "人民路88号公共法律服务中心一楼",
            "phone": "12348",
            "opening_hours": "工作日 9:00–12:00，13:30–17:30",
        },
    )
    if LegalAidReferral.objects.filter(market=market).exists():
        return
    for source in sources():
        _seed_source(source, market, centre)


def _seed_source(source: Source, market: Market, centre: LegalAidCentre) -> None:
    """Refer the first worker of up to two cases: one waiting, one accepted and concluded."""
    cases = source.model.objects.filter(market=market, state__in=source.states)
    done = 0
    for case in cases.select_related("owner").order_by("pk")[:20]:
        workers = source.workers(case)
        if not workers or case.owner is None or not source.may_act(case.owner):
            continue
        actor = Actor(user=case.owner, role=",".join(roles_of(case.owner)))
        referral = services.referral_make(
            case=case,
            worker=workers[0],
            centre=centre,
            ground=services.allowed_grounds(source, case)[0],
            summary="劳动者请求法律援助，代理其追索相关款项。",
            actor=actor,
        )
        if done == 1:
            _conclude(referral, actor)
        done += 1
        if done == 2:
            return


def _conclude(referral: LegalAidReferral, actor: Actor) -> None:
    today = timezone.localdate()
    services.referral_answer(
        referral=referral,
        accepted=True,
        answered_on=today,
        centre_reference=f"法援〔{today.year}〕{referral.pk:03d}号",
        actor=actor,
    )
    services.referral_outcome(
        referral=referral,
        concluded_on=today,
        result=Result.SETTLED,
        result_note="经法律援助律师代理，双方在仲裁中达成调解。",
        actor=actor,
    )
