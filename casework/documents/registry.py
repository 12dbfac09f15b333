"""Which documents exist, and which transitions produce them.

A workflow app declares its documents in its ``documents.py`` (autodiscovered
by DocumentsConfig.ready)::

    register(DocumentKind(
        slug="mediation_agreement",
        title=_("Mediation agreement"),
        template="pdf/disputes/mediation_agreement.html",
        context=mediation_agreement_context,
        seal=True,
    ))
    on_transition(Dispute, "conclude", "mediation_agreement")

``context(subject)`` returns a JSON-serialisable snapshot taken when the
document is issued: the PDF shows that moment, not the live record.

The public verification page says what a document is, never what it says. An
app may add a few non-identifying facts about a document's subject there with
``register_public_summary(Model, fn)``: ``fn(subject)`` returns PublicFact
rows, masked as a public page needs (e.g. an agreement's masked party names).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models


@dataclass(frozen=True)
class DocumentKind:
    slug: str
    title: Any  # str or a lazy translation
    template: str
    context: Callable[[Any], dict]
    seal: bool = False
    # A permission staff need besides seeing the subject: documents carrying sensitive
    # personal data (个人信息保护法 Art. 28) are for fewer readers than the case.
    permission: str = ""
    # Whether the case's parties (portal users, a complainant) may open it: a letter to
    # another authority or an internal record is for staff only.
    for_parties: bool = True
    # Files carried inside the PDF, under its seal: ``attachments(snapshot)`` returns
    # PdfAttachment rows (casework.documents.rendering) built from the stored snapshot.
    attachments: Callable[[dict], list] | None = None


@dataclass(frozen=True)
class PublicFact:
    """One row of the public verification page; ``mono`` for hashes and codes."""

    label: Any  # str or a lazy translation
    value: str
    mono: bool = False


_KINDS: dict[str, DocumentKind] = {}
_TRANSITIONS: dict[tuple[str, str], list[str]] = {}
_PUBLIC_SUMMARIES: dict[str, Callable[[Any], list[PublicFact]]] = {}


class UnknownDocumentKind(KeyError):
    pass


def register(kind: DocumentKind) -> DocumentKind:
    existing = _KINDS.get(kind.slug)
    if existing is not None and existing != kind:
        raise ValueError(f"document kind {kind.slug!r} is registered twice")
    _KINDS[kind.slug] = kind
    return kind


def get_kind(slug: str) -> DocumentKind:
    try:
        return _KINDS[slug]
    except KeyError:
        raise UnknownDocumentKind(slug) from None


def restricted_kinds() -> dict[str, str]:
    """{kind slug: permission} for the kinds that need a permission of their own."""
    return {slug: kind.permission for slug, kind in _KINDS.items() if kind.permission}


def staff_only_kinds() -> list[str]:
    """Slugs of the kinds the parties of a case may not open."""
    return [slug for slug, kind in _KINDS.items() if not kind.for_parties]


def all_kinds() -> list[DocumentKind]:
    return list(_KINDS.values())


def _model_key(model_cls: type[models.Model]) -> str:
    # Proxy models share their concrete model's documents, as they share its table.
    return model_cls._meta.concrete_model._meta.label_lower


def on_transition(model_cls: type[models.Model], transition_name: str, *slugs: str) -> None:
    """Declare that ``transition_name`` on ``model_cls`` issues these kinds, in order."""
    listed = _TRANSITIONS.setdefault((_model_key(model_cls), transition_name), [])
    listed.extend(slug for slug in slugs if slug not in listed)


def documents_for_transition(
    model_cls: type[models.Model], transition_name: str
) -> list[DocumentKind]:
    # Kinds are looked up when used, so on_transition() may come before register().
    slugs = _TRANSITIONS.get((_model_key(model_cls), transition_name), [])
    return [get_kind(slug) for slug in slugs]


def declared_transitions() -> dict[tuple[str, str], list[str]]:
    """Every on_transition() declaration, for the system checks."""
    return {key: list(slugs) for key, slugs in _TRANSITIONS.items()}


def register_public_summary(
    model_cls: type[models.Model], fn: Callable[[Any], list[PublicFact]]
) -> None:
    """Let the verification page show ``fn(subject)`` rows for documents of ``model_cls``."""
    _PUBLIC_SUMMARIES[_model_key(model_cls)] = fn


def public_summary(subject: models.Model | None) -> list[PublicFact]:
    """The public rows registered for ``subject``'s model, or none."""
    if subject is None:
        return []
    fn = _PUBLIC_SUMMARIES.get(_model_key(type(subject)))
    return fn(subject) if fn is not None else []
