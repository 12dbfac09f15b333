"""The storage check of ``check_invariants`` (casework.core.invariants).

Every stored file is referenced once, and no file lies in storage unreferenced.
DocumentsConfig.ready() registers it with ``invariants.register_storage()``.
"""

from datetime import timedelta

from django.apps import apps
from django.db import models

from casework.core.invariants import NO_CASE, Violation
from casework.core.models import CaseBase
from casework.documents.files import orphan_files, referenced_files


def file_violations(orphans_older_than: timedelta) -> list[Violation]:
    """Files referenced more than once, and files in storage nothing references."""
    found = [
        Violation(_holder(name), "file", f"{name} is referenced {count} times")
        for name, count in sorted(referenced_files().items())
        if count > 1
    ]
    found += [
        Violation(NO_CASE, "file", f"{name} is in storage but nothing references it")
        for name in orphan_files(older_than=orphans_older_than)
    ]
    return found


def _holder(name: str) -> str:
    """The codes of the cases whose rows reference the stored file ``name``."""
    codes = []
    for model, field in _file_fields():
        for row in model.objects.filter(**{field: name}):
            codes.append(_case_code(row))
    return ", ".join(sorted(set(codes))) or NO_CASE


def _file_fields() -> list[tuple[type[models.Model], str]]:
    return [
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.FileField)
    ]


def _case_code(row: models.Model) -> str:
    """The code of the case a row belongs to: itself, its subject, or its case foreign key."""
    if isinstance(row, CaseBase):
        return row.code
    subject = getattr(row, "subject", None)  # a document: of a case or of a case's part
    if isinstance(subject, models.Model):
        return _case_code(subject)
    for field in row._meta.concrete_fields:
        if field.is_relation and issubclass(field.related_model, CaseBase):
            return getattr(row, field.name).code
    return f"{row._meta.label} {row.pk}"
