"""Create, list and revoke the systems' API keys from the shell (the admin does the same).

manage.py api_key create --name 省人社厅数据归集 --market p001 --scope cases --scope statistics
manage.py api_key list
manage.py api_key revoke 1a2b3c4d
"""

from django.core.management.base import BaseCommand, CommandError

from casework.api import tokens
from casework.api.models import SystemKey
from casework.core.models import Market


class Command(BaseCommand):
    help = "Create, list or revoke the API keys of other government systems (docs/api.md)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="a new key; its secret is printed once")
        create.add_argument("--name", required=True)
        create.add_argument("--contact", default="")
        create.add_argument("--market", action="append", required=True, help="a market's code")
        create.add_argument(
            "--scope", action="append", required=True, choices=SystemKey.Scope.values
        )
        actions.add_parser("list", help="every key, without secrets")
        revoke = actions.add_parser("revoke", help="revoke a key by its prefix")
        revoke.add_argument("prefix")

    def handle(self, *args, action: str, **options):
        getattr(self, f"_{action}")(**options)

    def _create(self, *, name, contact, market, scope, **_options):
        markets = list(Market.objects.filter(code__in=market))
        missing = set(market) - {m.code for m in markets}
        if missing:
            raise CommandError(f"no market with the code {', '.join(sorted(missing))}")
        key, secret = tokens.key_create(name=name, contact=contact, markets=markets, scopes=scope)
        self.stdout.write(f"{key.prefix}\t{secret}")
        self.stderr.write("The secret is shown this once only: hand it over securely.")

    def _list(self, **_options):
        for key in SystemKey.objects.prefetch_related("markets").order_by("created_at"):
            markets = ",".join(sorted(m.code for m in key.markets.all()))
            state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
            self.stdout.write(
                f"{key.prefix}\t{key.name}\t{','.join(key.scopes)}\t{markets}\t{state}"
            )

    def _revoke(self, *, prefix, **_options):
        key = SystemKey.objects.filter(prefix=prefix).first()
        if key is None:
            raise CommandError(f"no key with the prefix {prefix}")
        tokens.key_revoke(key)
        self.stdout.write(f"revoked {key.prefix} ({key.name})")
