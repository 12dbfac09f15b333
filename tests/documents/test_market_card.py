"""The market information card every market publishes (casework/documents/market_card.py)."""

from casework.documents.registry import get_kind
from casework.documents.services import document_issue
from tests.documents.conftest import pdftotext, render_now, squeeze


def test_the_market_card_snapshots_the_directory_entry(market):
    doc = document_issue(subject=market, kind="market_card", by=None)

    assert (doc.seal, doc.market_name, doc.subject, doc.created_by) == (
        True,
        "测试区零工市场",
        market,
        None,
    )
    assert doc.context["market"] == {
        "name": "测试区零工市场",
        "nature": "公益性（政府主办）",
        "region": "测试区",
        "address": "测试区人民路1号",
        "opening_hours": "周一至周六 7:00-18:00",
        "main_trades": "搬运、家政保洁、装修",
        "hotline": "0000-12345678",
        "complaint_channel": "服务大厅投诉窗口；热线 0000-12345678",
    }


def test_the_market_card_prints_every_field(market, tmp_path):
    doc = render_now(document_issue(subject=market, kind="market_card"))

    text = squeeze(pdftotext(doc.file.read(), tmp_path))
    assert doc.status == "ready"
    assert "零工市场信息公示卡" in text
    for value in doc.context["market"].values():
        assert squeeze(value) in text
    assert doc.verification_code in text


def test_the_market_card_kind_is_registered_as_sealed():
    kind = get_kind("market_card")

    assert kind.seal is True
    assert kind.template == "pdf/core/market_card.html"
