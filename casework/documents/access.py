"""Which documents a user may open (docs/workflows.md, "Documents").

Staff see the documents of their markets' subjects: a subject that is a
Market, or any model with a ``market`` foreign key (every CaseBase) that they
have the view permission of. A workflow adds other subjects (a mediation
session) and the documents its parties may open with ``register_scope()``. A
document kind with a ``permission`` (sensitive personal data) also needs that
permission. Superusers see everything.

Rendering a failed document again (may_retry) is for staff who work cases and
may open the document: not auditors, who only read, nor the parties.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.http import Http404

from casework.core.models import Market, markets_for
from casework.core.roles import PORTAL_ROLES, STAFF_ROLES, Role, roles_of
from casework.documents.models import Document
from casework.documents.registry import restricted_kinds, staff_only_kinds


@dataclass(frozen=True)
class SubjectScope:
    """``staff(markets)`` and ``party(user)`` return querysets of the model's visible rows.

    ``permission`` is what staff need besides the market (the case's view permission
    when the subject is part of a case, such as an interview record).
    """

    model: type
    staff: Callable[[QuerySet[Market]], QuerySet] | None = None
    party: Callable[[object], QuerySet] | None = None
    permission: str = ""


_SCOPES: dict[str, SubjectScope] = {}


def register_scope(model: type, *, staff=None, party=None, permission: str = "") -> None:
    """Let staff (by market) or parties (by login) open the documents of ``model`` rows."""
    _SCOPES[model._meta.label_lower] = SubjectScope(model, staff, party, permission)


def _subject_q(model: type, rows: QuerySet) -> Q:
    return Q(
        subject_type=ContentType.objects.get_for_model(model),
        subject_id__in=rows.values("pk"),
    )


def party_documents(user) -> QuerySet[Document]:
    """Documents of the cases a worker or hiring party is a party to."""
    scope = Q(pk__in=[])
    for entry in _SCOPES.values():
        if entry.party is not None:
            scope |= _subject_q(entry.model, entry.party(user))
    return Document.objects.filter(scope).exclude(kind__in=staff_only_kinds())


@functools.cache
def _market_scoped_models() -> tuple[type, ...]:
    # Computed once: the set of installed models does not change while running.
    return tuple(
        model
        for model in apps.get_models()
        if any(
            field.name == "market" and getattr(field, "related_model", None) is Market
            for field in model._meta.concrete_fields
        )
    )


def _may_view(user, model) -> bool:
    opts = model._meta
    return user.has_perm(f"{opts.app_label}.view_{opts.model_name}")


def documents_visible_to(user) -> QuerySet[Document]:
    if not user.is_authenticated:
        return Document.objects.none()
    if user.is_superuser:
        return Document.objects.all()
    roles = roles_of(user)
    if roles and set(roles) <= PORTAL_ROLES:
        return party_documents(user)
    if not user.has_perm("documents.view_document"):
        return Document.objects.none()
    markets = markets_for(user)
    scope = _subject_q(Market, markets)
    for model in _market_scoped_models():
        # A case's documents are for those who may see the case itself.
        if model._meta.concrete_model is not Market and not _may_view(user, model):
            continue
        scope |= _subject_q(model, model._base_manager.filter(market__in=markets))
    for entry in _SCOPES.values():
        if entry.staff is not None and (not entry.permission or user.has_perm(entry.permission)):
            scope |= _subject_q(entry.model, entry.staff(markets))
    hidden = [slug for slug, perm in restricted_kinds().items() if not user.has_perm(perm)]
    return Document.objects.filter(scope).exclude(kind__in=hidden)


def market_documents(user, markets: QuerySet[Market]) -> QuerySet[Document]:
    """The documents about ``markets`` (the market card) that ``user`` may open.

    The staff home page lists them (``hooks.market_documents``, set in
    DocumentsConfig.ready()).
    """
    market_type = ContentType.objects.get_for_model(Market)
    return documents_visible_to(user).filter(
        subject_type=market_type, subject_id__in=markets.values("pk")
    )


def documents_of(user, subject, parts=()) -> QuerySet[Document]:
    """The documents of a case and of its parts (sessions, interviews) ``user`` may open,
    oldest first."""
    models = {type(subject), *(type(part) for part in parts)}
    types = ContentType.objects.get_for_models(*models)
    scope = Q(subject_type=types[type(subject)], subject_id=subject.pk)
    for model in models - {type(subject)}:
        ids = [part.pk for part in parts if type(part) is model]
        scope |= Q(subject_type=types[model], subject_id__in=ids)
    return documents_visible_to(user).filter(scope).order_by("created_at", "pk")


def get_document_for_user(user, pk: int) -> Document:
    """The document, or Http404 when it does not exist or is outside the user's scope."""
    try:
        return documents_visible_to(user).get(pk=pk)
    except Document.DoesNotExist:
        raise Http404("No such document.") from None


# Auditors only read; the parties (portal roles) are not staff at all.
RETRY_ROLES = STAFF_ROLES - {Role.AUDITOR}


def may_retry(user, doc: Document) -> bool:
    """Whether ``user`` may have the failed ``doc`` rendered again."""
    if not user.is_authenticated:
        return False
    if not user.is_superuser and not RETRY_ROLES.intersection(roles_of(user)):
        return False
    return documents_visible_to(user).filter(pk=doc.pk).exists()
