"""The demo's legal-aid centres: one per market (manage.py seed_demo)."""

from casework.core.models import Market
from casework.legalaid.models import LegalAidCentre


def seed_demo(market: Market) -> None:
    LegalAidCentre.objects.get_or_create(
        market=market,
        name=f"{market.name.removesuffix('零工市场')}法律援助中心",
        defaults={
            "address": "人民路88号公共法律服务中心一楼",
            "phone": "12348",
            "opening_hours": "工作日 9:00–12:00，13:30–17:30",
        },
    )
