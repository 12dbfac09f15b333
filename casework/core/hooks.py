"""Where the core calls the layers above it (docs/architecture.md).

The core imports nothing from casework.documents, casework.parties or a
workflow. Where one of its steps needs them, it calls a hook here, and the app
that does the work sets the hook from its AppConfig.ready(); casework.documents
sets both hooks below. A hook nobody set does its default: nothing.
"""

from collections.abc import Callable
from typing import Any


class Hook:
    """One function the core calls and an app above it provides."""

    def __init__(self, name: str, default: Callable[..., Any]) -> None:
        self.name = name
        self._default = default
        self._fn = default

    def set(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        """Provide the function (from an AppConfig.ready()); usable as a decorator."""
        self._fn = fn
        return fn

    def __call__(self, *args, **kwargs) -> Any:
        return self._fn(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {getattr(self._fn, '__qualname__', self._fn)}>"


# perform() calls it on the locked case, inside the transaction of the transition and
# before the audit row: it issues the documents the transition produces and returns
# their verification codes, which the audit event records.
transition_documents = Hook("transition_documents", lambda case, transition, *, by: [])

# The staff home page: the documents about these markets that the user may open.
market_documents = Hook("market_documents", lambda user, markets: [])

# take_digest() calls it on the new audit digest, in its transaction: casework.documents
# issues the sealed document of it.
seal_digest = Hook("seal_digest", lambda digest: None)

# verify_digests() asks it about each digest's sealed copy: (problem, note), each "" when
# there is nothing to say. Without a document layer there is no sealed copy to check.
sealed_digest_check = Hook(
    "sealed_digest_check", lambda digest: ("", "no sealed copy (no document layer)")
)
