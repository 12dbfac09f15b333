"""The demo parties: the portal people (with their logins) and the command's organisations.

``manage.py seed_demo`` runs ``seed_demo(market)`` of every app that has one, in
INSTALLED_APPS order, so these exist before the workflows' sample cases name them.
The demo identity backend (casework/parties/verification.py) knows ``PEOPLE``.
"""

from casework.core.logins import demo_login
from casework.core.models import Market
from casework.core.roles import Role
from casework.parties.models import Organization, Person, RealNameCheck

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

# People the demo identity service also knows, to try the portal's registration
# (docs/portal.md): (name, ID number, mobile, whether a record exists). The first has no
# record (registering creates it); the second's record, with this mobile, has no login.
REGISTRANTS = [
    ("孙晓梅", "110105199206151626", "13800000011", False),
    ("周国庆", "110108198010013517", "13800000012", True),
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


def seed_demo(market: Market) -> None:
    people = _people()
    _organizations(people["employer"])
    _registrants()


def _people() -> dict[str, Person]:
    people = {}
    for username, role, name, id_number, mobile, address in PEOPLE:
        user = demo_login(username, role, name, label=role.label)
        person = Person.objects.filter(id_number=id_number).first() or Person(id_number=id_number)
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


def _registrants() -> None:
    for name, id_number, mobile, has_record in REGISTRANTS:
        if has_record and not Person.objects.filter(id_number=id_number).exists():
            person = Person(
                name=name, id_number=id_number, mobile=mobile, address="城东区和平路7号"
            )
            person.full_clean(exclude=["user"])
            person.save()


def _organizations(representative: Person) -> None:
    for data in ORGANIZATIONS:
        org = Organization.objects.filter(credit_code=data["credit_code"]).first()
        org = org or Organization()
        for field, value in data.items():
            setattr(org, field, value)
        org.full_clean()
        org.save()
        if org.kind == Organization.Kind.EMPLOYER:
            org.representatives.add(representative)
