from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "casework.documents"
    label = "documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from casework.core import hooks, invariants, queues
        from casework.core.queues import Queue
        from casework.core.roles import Role
        from casework.documents import (
            audit_digest,
            checks,  # noqa: F401  (registers system checks)
            market_card,  # noqa: F401  (registers the market card)
            tasks,  # noqa: F401  (services send its render task)
        )
        from casework.documents.access import market_documents
        from casework.documents.invariants import file_violations
        from casework.documents.services import transition_documents

        # The core calls the documents layer only through these (docs/architecture.md).
        hooks.transition_documents.set(transition_documents)
        hooks.market_documents.set(market_documents)
        hooks.seal_digest.set(audit_digest.seal_digest)
        digests = Queue(
            _("Sealed audit digests"), "documents:audit_digests", audit_digest.digest_count
        )
        for role in (Role.AUDITOR, Role.SUPERVISOR):
            queues.register(role, digests)
        hooks.sealed_digest_check.set(audit_digest.sealed_digest_check)
        invariants.register_storage(file_violations)

        # Each workflow app declares the documents its transitions produce in documents.py.
        autodiscover_modules("documents")
