"""Which documents a user may open (DESIGN.md §9).

Staff see the documents of their markets' subjects: a subject that is a
Market, or any model with a ``market`` foreign key (every CaseBase). Superusers
see everything; portal users (workers, hiring parties) see nothing yet.
"""

import functools

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.http import Http404

from casework.core.models import Market, markets_for
from casework.core.roles import PORTAL_ROLES, roles_of
from casework.documents.models import Document


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


def documents_visible_to(user) -> QuerySet[Document]:
    if not user.is_authenticated:
        return Document.objects.none()
    if user.is_superuser:
        return Document.objects.all()
    roles = roles_of(user)
    if not user.has_perm("documents.view_document") or (roles and set(roles) <= PORTAL_ROLES):
        return Document.objects.none()
    markets = markets_for(user)
    scope = Q(
        subject_type=ContentType.objects.get_for_model(Market),
        subject_id__in=markets.values("pk"),
    )
    for model in _market_scoped_models():
        scope |= Q(
            subject_type=ContentType.objects.get_for_model(model),
            subject_id__in=model._base_manager.filter(market__in=markets).values("pk"),
        )
    return Document.objects.filter(scope)


def get_document_for_user(user, pk: int) -> Document:
    """The document, or Http404 when it does not exist or is outside the user's scope."""
    try:
        return documents_visible_to(user).get(pk=pk)
    except Document.DoesNotExist:
        raise Http404("No such document.") from None
