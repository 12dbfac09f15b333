"""Idempotent demo data: one market, one login per role, parties, a verifiable document,
and each workflow's sample cases (``seed_demo(market)`` in the workflow app's ``seed.py``)."""

from importlib import import_module

from django.apps import apps
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import module_has_submodule

from casework.core.audit import Actor, record_event
from casework.core.models import Market, StaffProfile
from casework.core.roles import Role
from casework.parties.models import Organization, Person, RealNameCheck


def _workflow_samples(market: Market) -> None:
    for app_config in apps.get_app_configs():
        if module_has_submodule(app_config.module, "seed"):
            module = import_module(f"{app_config.name}.seed")
            if hasattr(module, "seed_demo"):
                module.seed_demo(market)


DEMO_PASSWORD = "demo12345"  # noqa: S105  (printed for the demo on purpose)

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
}

STAFF = [
    ("mediator", Role.MEDIATOR, "刘明"),
    ("mediator2", Role.MEDIATOR, "赵芳"),
    ("caseworker", Role.CASEWORKER, "孙丽"),
    ("officer", Role.COMPLAINT_OFFICER, "周强"),
    ("supervisor", Role.SUPERVISOR, "吴国华"),
    ("auditor", Role.AUDITOR, "郑敏"),
]

PEOPLE = [
    # (login, role, name, ID number, mobile, address)
    ("worker", Role.WORKER, "张建国", "110105197003120513", "13800000001", "城东区幸福里3幢"),
    ("worker2", Role.WORKER, "李秀兰", "110108197508080624", "13800000002", "城东区新华路12号"),
    (
        "employer",
        Role.HIRING_PARTY,
        "陈志强",
        "110108198204050332",
        "13900000003",
        "城东区解放路5号",
    ),
]

ORGANIZATIONS = [
    {
        "kind": Organization.Kind.EMPLOYER,
        "name": "城东顺达搬家服务有限公司",
        "credit_code": "91330102MA2H00010J",
        "address": "城东区解放路5号",
        "phone": "0571-88880001",
    },
    {
        "kind": Organization.Kind.INTERMEDIARY,
        "name": "城东快聘人力资源服务有限公司",
        "credit_code": "91330102MA2H00020K",
        "licence_number": "人社许字〔2024〕第0031号",
        "licence_status": Organization.LicenceStatus.VALID,
        "address": "城东区建设路20号",
        "phone": "0571-88880002",
    },
    {
        "kind": Organization.Kind.MEDIATION_BODY,
        "name": "城东街道劳动人事争议调解委员会",
        "credit_code": "52330102MA2H00030M",
        "mediation_body_type": Organization.MediationBodyType.TOWNSHIP,
        "address": "城东区人民路88号",
        "phone": "0571-88880003",
    },
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
            people = self._people()
            self._organizations(people["employer"])
            self._admin()
            _workflow_samples(market)
        self._market_card(market)
        self._print_logins()

    def _user(self, username: str, role: str | None, name: str) -> User:
        user, _created = User.objects.get_or_create(username=username)
        # Chinese names have no first/last split to display: keep the whole name in one field.
        user.first_name, user.last_name = name, ""
        user.set_password(DEMO_PASSWORD)
        user.save()
        if role:
            user.groups.add(Group.objects.get(name=role))
        return user

    def _staff(self, market: Market) -> None:
        for username, role, name in STAFF:
            user = self._user(username, role, name)
            profile, _created = StaffProfile.objects.get_or_create(user=user)
            profile.markets.add(market)
            if role == Role.SUPERVISOR:
                market.supervisors.add(user)
                # Supervisors keep the calendar overrides and registries in the admin.
                user.is_staff = True
                user.save(update_fields=["is_staff"])

    def _people(self) -> dict[str, Person]:
        people = {}
        for username, role, name, id_number, mobile, address in PEOPLE:
            user = self._user(username, role, name)
            person = Person.objects.filter(id_number=id_number).first() or Person(
                id_number=id_number
            )
            person.name, person.mobile, person.address, person.user = name, mobile, address, user
            person.full_clean()
            person.save()
            if not person.real_name_checks.exists():
                RealNameCheck.objects.create(
                    person=person,
                    method=RealNameCheck.Method.ID_CARD_SEEN,
                    result=RealNameCheck.Result.PASSED,
                    note="演示数据",
                )
            people[username] = person
        return people

    def _organizations(self, representative: Person) -> None:
        for data in ORGANIZATIONS:
            org = Organization.objects.filter(credit_code=data["credit_code"]).first()
            org = org or Organization()
            for field, value in data.items():
                setattr(org, field, value)
            org.full_clean()
            org.save()
            if org.kind == Organization.Kind.EMPLOYER:
                org.representatives.add(representative)

    def _admin(self) -> None:
        user, _created = User.objects.get_or_create(username="admin")
        user.is_staff = user.is_superuser = True
        user.set_password(DEMO_PASSWORD)
        user.save()

    def _market_card(self, market: Market) -> None:
        from casework.documents.models import Document
        from casework.documents.services import document_issue

        if Document.objects.for_subject(market).filter(kind="market_card").exists():
            return
        with transaction.atomic():
            doc = document_issue(subject=market, kind="market_card", by=None)
            record_event(
                market,
                actor=Actor.system("seed_demo"),
                action="document_issued",
                documents=[doc.verification_code],
                note=doc.title,
            )

    def _print_logins(self) -> None:
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD}):"))
        rows = [(u, r.label) for u, r, *_ in STAFF] + [(u, r.label) for u, r, *_ in PEOPLE]
        rows.append(("admin", "superuser"))
        for username, label in rows:
            self.stdout.write(f"  {username:<12} {label}")
        self.stdout.write("Open http://127.0.0.1:8000/ and log in.")
