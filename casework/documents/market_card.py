"""The market information card (零工市场信息公示卡), a document about a core Market.

Every market publishes this card in the public market directory; it is sealed
so a copy printed or forwarded elsewhere can be checked at /verify/<code>/.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.core.hooks import Hook
from casework.core.models import Market
from casework.documents.registry import DocumentKind, register

# The directory's figures (求职人数, 日均成功对接) as [label, value] rows in Chinese, each
# label naming its month and whether it was entered or derived. casework.directory sets it
# (it sits above this layer); unset, the card prints no figures.
card_figures_hook = Hook("market_card_figures", lambda market: [])

# The card uses the directory's own Chinese terms whatever the UI language is,
# because the issued PDF must read the same whoever pressed the button.
NATURE_ZH = {
    Market.Nature.PUBLIC: "公益性（政府主办）",
    Market.Nature.COMMERCIAL: "经营性",
    Market.Nature.SPONTANEOUS: "自发性",
}


def market_card_context(market: Market) -> dict:
    return {
        "market": {
            "name": market.name,
            "nature": NATURE_ZH.get(market.nature, market.nature),
            "region": market.region,
            "address": market.address,
            "opening_hours": market.opening_hours,
            "main_trades": market.main_trades,
            "hotline": market.hotline,
            "complaint_channel": market.complaint_channel,
        },
        "figures": [list(row) for row in card_figures_hook(market)],
        "issued_on": timezone.localdate().isoformat(),
    }


MARKET_CARD = register(
    DocumentKind(
        slug="market_card",
        title=_("Market information card"),
        template="pdf/core/market_card.html",
        context=market_card_context,
        seal=True,
    )
)
