"""Which stored files rows reference, and which nobody does (orphans).

A render writes its PDF under a temporary name first (``documents/tmp/``) and
publishes it under its final name; a killed process can still leave a
temporary file, or a published file whose row was never updated. Evidence is
saved before its row. Those files carry personal data, so ``documents_orphans``
finds and removes them (``check_invariants`` reports them).

``default_storage.listdir`` is used so that the same code walks a local
folder (FileSystemStorage) and an S3 bucket (S3Storage).
"""

import datetime
from collections import Counter

from django.apps import apps
from django.core.files.storage import default_storage
from django.utils import timezone

# The folders rows point into: documents (Document.file) and evidence (EvidenceFile).
FOLDERS = ("documents", "evidence")
TEMP_FOLDER = "documents/tmp"


def file_models() -> list[tuple[type, str]]:
    """(model, field name) of every concrete model whose files live in FOLDERS."""
    from casework.core.models import EvidenceFile
    from casework.documents.models import Document

    evidence = [
        (model, "file")
        for model in apps.get_models()
        if issubclass(model, EvidenceFile) and not model._meta.proxy
    ]
    return [(Document, "file"), *evidence]


def referenced_files() -> Counter[str]:
    """Storage name -> how many rows reference it."""
    counts: Counter[str] = Counter()
    for model, field in file_models():
        names = model._base_manager.exclude(**{field: ""}).values_list(field, flat=True)
        counts.update(name for name in names.iterator() if name)
    return counts


def stored_files(folder: str) -> list[str]:
    """Every file under ``folder`` of the default storage, recursively."""
    try:
        dirs, files = default_storage.listdir(folder)
    except FileNotFoundError:  # FileSystemStorage: the folder was never created
        return []
    names = [f"{folder}/{name}" for name in files]
    for sub in dirs:
        names.extend(stored_files(f"{folder}/{sub}"))
    return names


def _older_than(name: str, cutoff: datetime.datetime) -> bool:
    try:
        return default_storage.get_modified_time(name) <= cutoff
    except FileNotFoundError:  # removed meanwhile (a render finishing or cleaning up)
        return False


def orphan_files(*, older_than: datetime.timedelta = datetime.timedelta(0)) -> list[str]:
    """Storage names under documents/ and evidence/ that no row references, sorted.

    Temporary render files are never referenced, so they are always listed. A
    render or an upload in progress has files not referenced *yet*: callers that
    delete pass ``older_than`` (longer than a render's lease) to leave those alone.
    """
    referenced = referenced_files()
    unreferenced = [
        name for folder in FOLDERS for name in stored_files(folder) if name not in referenced
    ]
    if older_than > datetime.timedelta(0):
        cutoff = timezone.now() - older_than
        unreferenced = [name for name in unreferenced if _older_than(name, cutoff)]
    return sorted(unreferenced)
