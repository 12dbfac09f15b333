"""The demo's market card: issued once, so a new user has a document to verify.

``manage.py seed_demo`` runs it (as every app's ``seed_demo(market)``) in its
transaction; the card renders after commit.
"""

from django.db import transaction

from casework.core.audit import Actor, record_event
from casework.core.models import Market
from casework.documents.models import Document
from casework.documents.services import document_issue


def seed_demo(market: Market) -> None:
    if Document.objects.for_subject(market).filter(kind="market_card").exists():
        return
    with transaction.atomic():
        doc = document_issue(subject=market, kind="market_card", by=None)
        record_event(
            market,
            actor=Actor.system("seed_demo"),
            action="document_issued",
            documents=[doc.verification_code],
            note=doc.title,
        )
