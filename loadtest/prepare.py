"""The load run's own logins and cases, after ``migrate`` and ``seed_demo`` (scripts/load.py).

Run inside Django (``manage.py shell -c "from loadtest.prepare import run; run({...})"``),
it adds to the demo market ``cd``:

- ``load-mediator-NNN`` and ``load-caseworker-NNN`` staff logins, all with one new random
  password per run (hashed once: hashing 200 passwords would take a minute);
- ``load-worker-NNN`` portal workers, each with a person (a valid ID number, a mobile
  171NNNNNNNN not used by anyone else) and a dispute filed online, whose receipt is the
  document they download;
- ``accepted`` accepted disputes nobody holds, for "take next" (the bulk loader).

and writes what the scenario needs as JSON to ``out``. Run again on the same database, it
reuses the logins and workers and adds accepted disputes; it deletes nothing but the
failed-login records (django-axes) of its own logins.
"""

import datetime
import json
import random
import secrets
from decimal import Decimal
from itertools import count
from pathlib import Path

from axes.models import AccessAttempt
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.db import transaction

from casework.core.audit import Actor
from casework.core.demo import AREA_CODE, resident_id
from casework.core.loading import random_address, random_name
from casework.core.models import Market, StaffProfile
from casework.core.roles import Role
from casework.disputes import services
from casework.disputes.load import load_disputes
from casework.disputes.models import ClaimType, Dispute
from casework.documents.models import Document
from casework.parties.models import Organization, Person, RealNameCheck

MARKET = "cd"  # seed_demo's market
PREFIX = "load-"
MOBILE_PREFIX = "171"
VERIFY_CODES = 200  # documents the public users look up


def run(spec: dict) -> None:
    """``spec``: {"mediators": n, "caseworkers": n, "portal": n, "accepted": n, "out": path}."""
    market = Market.objects.get(code=MARKET)
    password = secrets.token_urlsafe(16)
    encoded = make_password(password)
    rng = random.Random(0)  # noqa: S311  (made-up names)
    data = {
        "password": password,
        "mediators": _staff(market, Role.MEDIATOR, spec["mediators"], encoded, rng),
        "caseworkers": _staff(market, Role.CASEWORKER, spec["caseworkers"], encoded, rng),
        "portal": _portal_workers(market, spec["portal"], rng),
    }
    AccessAttempt.objects.filter(username__startswith=PREFIX).delete()
    if spec["accepted"]:
        load_disputes(spec["accepted"], market=market, mix={Dispute.State.ACCEPTED: 1})
    ready = Document.objects.filter(status=Document.Status.READY).order_by("-pk")
    data["verify"] = list(ready.values_list("verification_code", flat=True)[:VERIFY_CODES])
    Path(spec["out"]).write_text(json.dumps(data))


def _staff(market: Market, role: str, n: int, encoded: str, rng: random.Random) -> list[str]:
    group = Group.objects.get(name=role)
    usernames = [f"{PREFIX}{role}-{i:03d}" for i in range(1, n + 1)]
    for username in usernames:
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": random_name(rng)}
        )
        user.password, user.is_active = encoded, True
        user.save(update_fields=["password", "is_active"])
        if created:
            user.groups.add(group)
            StaffProfile.objects.get_or_create(user=user)[0].markets.add(market)
    return usernames


def _portal_workers(market: Market, n: int, rng: random.Random) -> list[str]:
    """The mobiles of ``n`` portal workers, each with a dispute and its receipt."""
    group = Group.objects.get(name=Role.WORKER)
    free_mobiles = _free_mobiles()
    mobiles = []
    for i in range(1, n + 1):
        user, created = User.objects.get_or_create(
            username=f"{PREFIX}worker-{i:03d}", defaults={"password": "!"}
        )
        if created:
            user.groups.add(group)
        person = Person.objects.filter(user=user).first()
        if person is None:
            person = _person(user, next(free_mobiles), i, rng)
        if not Dispute.objects.filter(applicants=person).exists():
            _file_dispute(market, person)
        mobiles.append(person.mobile)
    return mobiles


def _free_mobiles():
    for n in count(1):
        mobile = f"{MOBILE_PREFIX}{n:08d}"
        if not Person.objects.filter(mobile=mobile).exists():
            yield mobile


def _person(user: User, mobile: str, i: int, rng: random.Random) -> Person:
    birth = datetime.date(1970, 1, 1) + datetime.timedelta(days=i * 37)
    number = next(
        number
        for seq in range(1000)
        if not Person.objects.filter(
            id_number=(number := resident_id(f"{AREA_CODE}{birth:%Y%m%d}{seq:03d}"))
        ).exists()
    )
    name = random_name(rng)
    person = Person(name=name, id_number=number, mobile=mobile, address=random_address(rng))
    person.user = user
    person.full_clean()
    with transaction.atomic():
        person.save()
        user.first_name = name
        user.save(update_fields=["first_name"])
        RealNameCheck.objects.create(
            person=person,
            method=RealNameCheck.Method.ID_CARD_SEEN,
            result=RealNameCheck.Result.PASSED,
            note="压测数据",
        )
    return person


def _file_dispute(market: Market, person: Person) -> Dispute:
    """Filed the way the portal files it: its receipt is rendered at once (no broker)."""
    orgs = Organization.objects.order_by("pk")
    return services.dispute_file_online(
        applicant=person,
        respondent=orgs.filter(kind=Organization.Kind.EMPLOYER).first(),
        market=market,
        mediation_body=orgs.filter(kind=Organization.Kind.MEDIATION_BODY).first(),
        matter="压测：拖欠搬运工资",
        reasons="用工方拖欠两周搬运工资，多次催要未果。",
        claims=[services.Claim(ClaimType.UNPAID_WAGES, Decimal("3200"))],
        actor=Actor(user=person.user, role=Role.WORKER),
    )
