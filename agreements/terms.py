"""The default standard terms shipped in ``fixtures/standard_terms.json``.

A data migration publishes them on a new installation, so the counter can make
agreements at once; supervisors publish later versions in the admin.
"""

import json
from pathlib import Path

from django.conf import settings

DEFAULT_TERMS_FILE = Path(settings.BASE_DIR) / "fixtures" / "standard_terms.json"


def default_terms() -> dict:
    return json.loads(DEFAULT_TERMS_FILE.read_text("utf-8"))


def install_default_terms(apps=None) -> None:
    """Publish the default version as the active one unless a version exists already."""
    from django.apps import apps as global_apps

    apps = apps or global_apps
    StandardTerms = apps.get_model("agreements", "StandardTerms")
    TermsClause = apps.get_model("agreements", "TermsClause")
    if StandardTerms.objects.exists():
        return
    data = default_terms()
    terms = StandardTerms.objects.create(
        version=data["version"],
        title=data["title"],
        published_on=data["published_on"],
        note=data.get("note", ""),
        is_active=True,
    )
    TermsClause.objects.bulk_create(
        TermsClause(terms=terms, number=number, heading=c["heading"], body=c["body"])
        for number, c in enumerate(data["clauses"], start=1)
    )
