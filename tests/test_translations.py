"""The Chinese catalogue is complete and its compiled .mo matches the .po."""

import gettext
import re
from pathlib import Path

from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale/zh_Hans/LC_MESSAGES/django.po"


def test_no_message_is_untranslated_or_fuzzy():
    text = PO.read_text(encoding="utf-8")
    assert "#, fuzzy" not in text
    empty = re.findall(r'\nmsgid "(.+)"\nmsgstr ""\n\n', text)
    assert empty == []


def test_the_compiled_catalogue_has_every_message_of_the_po_file():
    with open(PO.with_suffix(".mo"), "rb") as mo:
        catalogue = gettext.GNUTranslations(mo)._catalog
    msgids = re.findall(r'^msgid "(.+)"$', PO.read_text(encoding="utf-8"), re.M)
    keys = {key[0] if isinstance(key, tuple) else key for key in catalogue}  # plurals: (msgid, n)
    keys |= {key.split("\x04")[-1] for key in keys}  # pgettext: "context\x04msgid"
    missing = [m for m in msgids if m.replace('\\"', '"') not in keys]
    assert missing == [], "run: python manage.py compilemessages -l zh_Hans --ignore=.venv"
