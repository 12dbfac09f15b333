"""Work queues shown on each role's home page.

A workflow app registers its queues in its AppConfig.ready():

    queues.register(Role.MEDIATOR, Queue(_("Unassigned disputes"), "disputes:queue", count))

``count(user)`` returns how many items wait for that user.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class Queue:
    title: str
    url_name: str
    count: Callable[[object], int]
    url_query: str = ""

    def url(self) -> str:
        return reverse(self.url_name) + (f"?{self.url_query}" if self.url_query else "")


_QUEUES: dict[str, list[Queue]] = {}


def register(role: str, queue: Queue) -> None:
    _QUEUES.setdefault(role, []).append(queue)


def queues_for(role: str) -> list[Queue]:
    return list(_QUEUES.get(role, []))
