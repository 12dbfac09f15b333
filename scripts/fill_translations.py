"""Fill empty or fuzzy entries of a .po catalogue from JSON files of {msgid: msgstr}.

    python scripts/fill_translations.py locale/zh_Hans/LC_MESSAGES/django.po new.json ...

Run after `manage.py makemessages`, then `manage.py compilemessages`. A fuzzy
entry loses its fuzzy flag only when a JSON file gives its translation. For a
plural entry the one translation fills every msgstr[n] (Chinese has one form).
Prints the msgids still untranslated. A pgettext entry is keyed "context\u0004msgid".
"""

import json
import re
import sys
from pathlib import Path

QUOTED = re.compile(r'^(msgid|msgid_plural|msgstr(?:\[\d+\])?|msgctxt)?\s*"(.*)"$')


def unquote(text: str) -> str:
    return json.loads(f'"{text}"')


def quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def parse(block: list[str]) -> dict:
    fields: dict[str, str] = {}
    key = None
    for line in block:
        if line.startswith("#"):
            continue
        match = QUOTED.match(line)
        if not match:
            continue
        if match.group(1):
            key = match.group(1)
            fields[key] = ""
        fields[key] += unquote(match.group(2))
    return fields


def fill(block: list[str], translations: dict[str, str]) -> tuple[list[str], str | None]:
    fields = parse(block)
    msgid = fields.get("msgid")
    if not msgid:
        return block, None
    msgstrs = [k for k in fields if k.startswith("msgstr")]
    fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in block)
    done = all(fields[k] for k in msgstrs) and not fuzzy
    if done:
        return block, None
    # A contextual entry (pgettext) is keyed "context\u0004msgid", as gettext stores it.
    key = f"{fields['msgctxt']}\x04{msgid}" if "msgctxt" in fields else msgid
    if key not in translations:
        return block, key
    out = []
    for line in block:
        if line.startswith("#,") and "fuzzy" in line:
            flags = [f.strip() for f in line[2:].split(",") if f.strip() not in ("fuzzy", "")]
            if flags:
                out.append("#, " + ", ".join(flags))
            continue
        if line.startswith("#| "):  # previous msgid of a fuzzy match
            continue
        if line.startswith("msgstr"):
            break
        out.append(line)
    for msgstr in msgstrs:
        out.append(f"{msgstr} {quote(translations[key])}")
    return out, None


def main(po_path: str, *json_paths: str) -> int:
    translations: dict[str, str] = {}
    for path in json_paths:
        translations.update(json.loads(Path(path).read_text(encoding="utf-8")))
    blocks: list[list[str]] = [[]]
    for line in Path(po_path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    missing = []
    result = []
    for block in blocks:
        if not block:
            continue
        new, still_missing = fill(block, translations)
        result.append("\n".join(new))
        if still_missing:
            missing.append(still_missing)
    Path(po_path).write_text("\n\n".join(result) + "\n", encoding="utf-8")
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
