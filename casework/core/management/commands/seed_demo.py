"""Idempotent demo data: one market (and its drawn seal), the staff logins and the
admin, then each app's ``seed_demo(market)`` in its ``seed.py``, in INSTALLED_APPS
order: the parties (and the portal logins) from casework.parties, the market card
from casework.documents, then each workflow's sample cases."""

from decimal import Decimal
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import module_has_submodule

from casework.core.audit import Actor, record_event
from casework.core.digests import take_digest
from casework.core.logins import DEMO_PASSWORD, demo_login, demo_logins
from casework.core.models import Market, StaffProfile
from casework.core.roles import Role
from casework.core.seals import drawn_seal_path


def _app_seeds(market: Market) -> None:
    for app_config in apps.get_app_configs():
        if module_has_submodule(app_config.module, "seed"):
            module = import_module(f"{app_config.name}.seed")
            if hasattr(module, "seed_demo"):
                module.seed_demo(market)


MARKET = {
    "code": "cd",
    "name": "城东区零工市场",
    "nature": Market.Nature.PUBLIC,
    "region": "城东区",
    "address": "城东区人民路88号零工市场服务大厅",
    "opening_hours": "周一至周六 6:30-18:00（法定节假日除外）",
    "main_trades": "搬运装卸、家政保洁、装修、餐饮帮厨、配送",
    "hotline": "0571-12345678",
    "complaint_channel": "服务大厅2号投诉窗口；热线 0571-12345678；网上门户“我要投诉”",
    # WGS-84 / CGCS2000, as the directory's map and feeds take them (not GCJ-02).
    "latitude": Decimal("30.274150"),
    "longitude": Decimal("120.155150"),
}

STAFF = [
    ("mediator", Role.MEDIATOR, "刘明"),
    ("mediator2", Role.MEDIATOR, "赵芳"),
    ("caseworker", Role.CASEWORKER, "孙丽"),
    ("officer", Role.COMPLAINT_OFFICER, "周强"),
    ("supervisor", Role.SUPERVISOR, "吴国华"),
    ("auditor", Role.AUDITOR, "郑敏"),
    ("regional", Role.REGIONAL, "钱进"),
]


class Command(BaseCommand):
    help = "Create or refresh the demo market, logins and parties (safe to run again)."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            market, created = Market.objects.update_or_create(code=MARKET["code"], defaults=MARKET)
            if created:
                record_event(
                    market,
                    actor=Actor.system("seed_demo"),
                    action="market_registered",
                    note=market.name,
                )
            self._staff(market)
            self._admin()
            if not market.seal_image:
                # The demo market's seal, drawn now rather than by its first sealed document.
                drawn_seal_path(market.name)
            _app_seeds(market)
        # The day's audit digest, so the demo has a sealed one (the beat takes the next).
        take_digest()
        self._print_logins()

    def _staff(self, market: Market) -> None:
        for username, role, name in STAFF:
            user = demo_login(username, role, name, label=role.label)
            profile, _created = StaffProfile.objects.get_or_create(user=user)
            profile.markets.add(market)
            if role == Role.SUPERVISOR:
                market.supervisors.add(user)
                # Supervisors keep the calendar overrides and registries in the admin.
                user.is_staff = True
                user.save(update_fields=["is_staff"])

    def _admin(self) -> None:
        user = demo_login("admin", None, "", label="superuser")
        user.is_staff = user.is_superuser = True
        user.save()

    def _print_logins(self) -> None:
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD}):"))
        # The admin last, after the logins of every role.
        for username, label in sorted(demo_logins(), key=lambda row: row[0] == "admin"):
            self.stdout.write(f"  {username:<12} {label}")
        self.stdout.write(f"Open {settings.PUBLIC_BASE_URL}/ and log in.")
