"""The messages each workflow sends: its text templates (docs/notifications.md).

A workflow app registers its templates in its own ``notifications.py`` (autodiscovered
by NotificationsConfig.ready()), so a fifth workflow adds its messages without touching
this app::

    register(Template("complaint_accepted", _("Complaint accepted"),
                      "您的投诉（{code}）已于{date}受理，……", params=("code", "date")))

The text is Chinese whatever the reader's language: it is what the market registers
with its SMS provider, which sends only registered templates, each under a code of the
provider's (settings.SMS_TEMPLATE_CODES) with the parameters in the order given.
"""

import string
from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class Template:
    slug: str
    title: str | Promise
    text: str
    params: tuple[str, ...] = ()
    # Sent at any hour (a signing code); others wait for the end of the quiet hours.
    urgent: bool = False
    # Parameters that are secrets (a one-time code): the stored text shows them masked,
    # and the stored parameters lose them once the message is sent or has failed.
    secret: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        named = {name for _lit, name, _spec, _conv in string.Formatter().parse(self.text) if name}
        if named != set(self.params):
            raise ValueError(f"template {self.slug}: text names {named}, params {self.params}")
        if not set(self.secret) <= named:
            raise ValueError(f"template {self.slug}: secret {self.secret} not among its params")

    def render(self, params: dict[str, str]) -> str:
        return self.text.format(**params)

    def masked(self, params: dict[str, str]) -> dict[str, str]:
        """``params`` with the secret ones replaced by asterisks."""
        return {name: MASK if name in self.secret else value for name, value in params.items()}


MASK = "******"


_TEMPLATES: dict[str, Template] = {}


def register(*templates: Template) -> None:
    for template in templates:
        if template.slug in _TEMPLATES and _TEMPLATES[template.slug] != template:
            raise ValueError(f"template {template.slug} registered twice")
        _TEMPLATES[template.slug] = template


def get_template(slug: str) -> Template:
    return _TEMPLATES[slug]


def templates() -> list[Template]:
    return sorted(_TEMPLATES.values(), key=lambda t: t.slug)
