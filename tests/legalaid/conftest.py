"""Legal-aid centres for the tests (casework.legalaid)."""

import pytest

from casework.legalaid.models import LegalAidCentre


def make_centre(market, name="测试区法律援助中心", **extra) -> LegalAidCentre:
    return LegalAidCentre.objects.create(
        market=market,
        name=name,
        address=extra.pop("address", "测试区人民路88号公共法律服务中心一楼"),
        phone=extra.pop("phone", "0571-12348"),
        opening_hours=extra.pop("opening_hours", "工作日 9:00–17:00"),
        **extra,
    )


@pytest.fixture
def centre(market) -> LegalAidCentre:
    return make_centre(market)


@pytest.fixture
def other_centre(other_market) -> LegalAidCentre:
    return make_centre(other_market, name="另一区法律援助中心")
