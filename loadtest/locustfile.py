"""The load test's scenario (``make load``): four kinds of people at work at once.

- mediators: the queue, a case page, "take next", recording a mediation session;
- caseworkers: their start page, the hardship-assistance queue and cases, the agreements;
- portal workers: sign-in by text code, their portal pages, downloading their receipt;
- the public: verifying a document by its code, the complaint form (read and sent).

Run by scripts/load.py as a process of its own (``locust -f loadtest/locustfile.py
--headless``), never imported by Django: Locust patches the standard library for gevent.
It reads LOAD_DATA (the JSON of loadtest/prepare.py: logins, mobiles, document codes),
LOAD_SMS_FILE (where loadtest/sms.py writes each text message), LOAD_COUNTS (how many
users of each class, e.g. {"Mediator": 25}) and LOAD_THINK (mean seconds between pages).

Forms are read from their pages like a browser reads them, CSRF and one-time token
included. Every request has a fixed name in the statistics; one that does not answer as
expected (another status, a redirect to a sign-in page, a form sent back, a connection
error) is a failure with its reason.
"""

import datetime
import itertools
import json
import os
import random
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import gevent
from locust import FastHttpUser, between, task

DATA = json.loads(Path(os.environ["LOAD_DATA"]).read_text())
SMS_FILE = Path(os.environ["LOAD_SMS_FILE"])
COUNTS = json.loads(os.environ.get("LOAD_COUNTS", "{}"))
THINK = float(os.environ.get("LOAD_THINK", "0.25"))
SIGN_IN_PATHS = ("/accounts/login/", "/portal/signin/")
FORM = {"Content-Type": "application/x-www-form-urlencoded"}

# Each user takes the next login (or mobile); scripts/load.py prepares one per user.
MEDIATORS = itertools.cycle(DATA["mediators"] or [""])
CASEWORKERS = itertools.cycle(DATA["caseworkers"] or [""])
MOBILES = itertools.cycle(DATA["portal"] or [""])


# -- forms, as a browser reads them ---------------------------------------------------------


@dataclass
class Form:
    action: str
    fields: list[list[str]] = field(default_factory=list)  # what the browser would send

    def data(self, **values: str) -> str:
        kept = [(name, value) for name, value in self.fields if name not in values]
        return urlencode(kept + list(values.items()))


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._open = False
        self._select: dict | None = None
        self._textarea: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", "")))
            self._open = True
        elif not self._open or (not a.get("name") and tag != "option"):
            return
        elif tag == "input":
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "reset", "file", "image"):
                default = "on" if kind in ("checkbox", "radio") else ""
                self.forms[-1].fields.append([a["name"], a.get("value", default)])
        elif tag == "select":
            self._select = {"name": a["name"], "first": None, "chosen": None}
        elif tag == "option" and self._select is not None:
            self._select["first"] = self._select["first"] or a.get("value", "")
            if "selected" in a:
                self._select["chosen"] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = [a["name"], ""]

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._open = False
        elif tag == "select" and self._select is not None and self.forms:
            chosen = self._select["chosen"] or self._select["first"] or ""
            self.forms[-1].fields.append([self._select["name"], chosen])
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self.forms:
            self.forms[-1].fields.append([self._textarea[0], self._textarea[1].lstrip("\n")])
            self._textarea = None


def form_with(html: str, name: str) -> Form | None:
    """The page's first form with a field (or an action) named ``name``."""
    reader = _FormReader()
    reader.feed(html)
    for form in reader.forms:
        if name in form.action or any(pair[0] == name for pair in form.fields):
            return form
    return None


def links(html: str, prefix: str) -> list[str]:
    """The page's links that start with ``prefix`` and are more than ``prefix`` itself."""
    found = []
    for part in html.split('href="')[1:]:
        url = part.split('"', 1)[0]
        if url.startswith(prefix) and url.split("?")[0] != prefix:
            found.append(url)
    return found


def _took_a_case(response) -> str | None:
    if response.headers["Location"].startswith("/disputes/WD-"):
        return None
    return "no case was waiting: the run prepared too few"


def text_code(mobile: str) -> str | None:
    """The latest sign-in code sent to ``mobile``, read from the gateway's file."""
    for _attempt in range(20):
        with SMS_FILE.open("rb") as sms:
            sms.seek(max(SMS_FILE.stat().st_size - 65536, 0))
            lines = sms.read().decode(errors="replace").splitlines()
        for line in reversed(lines):
            try:
                message = json.loads(line)
            except ValueError:  # the first line of the tail, cut in two
                continue
            if message["to"] == mobile and "code" in message["params"]:
                return message["params"]["code"]
        gevent.sleep(0.1)
    return None


# -- the users ------------------------------------------------------------------------------


class Visitor(FastHttpUser):
    """One person. Each first opens every page of their kind once, in the order of their
    work (so a short run has every page), then what the task weights choose."""

    abstract = True
    wait_time = between(0, 2 * THINK)
    signed_in = False  # a redirect to a sign-in page is then a failure

    def page(self, name: str, url: str, *, expect: int = 200, form: str = "", check=None):
        """GET ``url`` (POST ``form``, urlencoded); the response, or None after a failure.

        ``check(response)`` may name a further problem (a form sent back)."""
        with self.client.request(
            "POST" if form else "GET",
            url,
            name=name,
            data=form or None,
            headers=FORM if form else None,
            catch_response=True,
            allow_redirects=False,
        ) as response:
            problem = self._problem(response, expect) or (check(response) if check else None)
            if problem:
                response.failure(problem)
                return None
            response.success()
            return response

    def _problem(self, response, expect: int) -> str | None:
        status = response.status_code
        if status == 0:
            return f"connection error ({type(response.error).__name__})"
        location = response.headers.get("Location", "") if response.headers else ""
        to_sign_in = status in (301, 302) and urlsplit(location).path in SIGN_IN_PATHS
        if to_sign_in and (self.signed_in or expect != status):
            return "sent to the sign-in page"
        if status == expect:
            return None
        if expect == 302 and status == 200:
            return "the form came back (not accepted)"
        return f"HTTP {status}"

    def post_form(
        self, name: str, url: str, form: Form | None, check=None, expect=302, **values: str
    ):
        """Send a form read from a page (answered by a redirect, unless ``expect`` says
        otherwise); None (a failure) when the page had none."""
        if form is None:
            self.environment.events.request.fire(
                request_type="POST",
                name=name,
                response_time=0,
                response_length=0,
                exception=LookupError("the page had no such form"),
                context={},
            )
            return None
        body = form.data(**values)
        return self.page(name, form.action or url, expect=expect, form=body, check=check)

    def staff_sign_in(self, username: str) -> None:
        login = self.page("login page", "/accounts/login/")
        if login is None:
            return
        form = form_with(login.text, "password")
        password = DATA["password"]
        if self.post_form("login", "/accounts/login/", form, username=username, password=password):
            self.signed_in = True


class Mediator(Visitor):
    fixed_count = COUNTS.get("Mediator", 0)

    def on_start(self) -> None:
        self.cases: list[str] = []
        self.held: list[str] = []
        self.take_form: Form | None = None
        self.staff_sign_in(next(MEDIATORS))
        self.queue()
        self.case_page()
        self.take_next()
        self.record_session()

    @task(5)
    def queue(self) -> None:
        tab = random.choice(("", "?tab=mine", "?tab=all"))  # noqa: S311
        response = self.page("queue", f"/disputes/{tab}")
        if response is not None:
            self.cases = [url for url in links(response.text, "/disputes/WD-")][:25]
            self.take_form = form_with(response.text, "take-next") or self.take_form

    @task(4)
    def case_page(self) -> None:
        if self.cases or self.held:
            self.page("case page", random.choice(self.cases + self.held))  # noqa: S311

    @task(1)
    def take_next(self) -> None:
        taken = self.post_form(
            "take next", "/disputes/take-next/", self.take_form, check=_took_a_case
        )
        if taken is not None:
            self.held.append(taken.headers["Location"])
            self.page("case page", taken.headers["Location"])

    @task(1)
    def record_session(self) -> None:
        if not self.held:
            self.take_next()
            return
        case = random.choice(self.held)  # noqa: S311
        blank = self.page("session form", f"{case}sessions/new/")
        if blank is None:
            return
        done = self.post_form(
            "record a session",
            f"{case}sessions/new/",
            form_with(blank.text, "held_at"),
            place="城东区人民路88号调解室",
            attendees="申请人、被申请人委托代理人",
            notes="双方陈述了工资数额与支付时间，约定三日内提交考勤记录。",
        )
        if done is not None:
            self.page("case page", done.headers["Location"])


class Caseworker(Visitor):
    fixed_count = COUNTS.get("Caseworker", 0)

    def on_start(self) -> None:
        self.cases: list[str] = []
        self.agreements: list[str] = []
        self.staff_sign_in(next(CASEWORKERS))
        self.home()
        self.assistance_queue()
        self.assistance_case()
        self.agreement_list()
        self.agreement()

    @task(2)
    def home(self) -> None:
        self.page("home", "/")

    @task(3)
    def assistance_queue(self) -> None:
        response = self.page("assistance queue", "/assistance/")
        if response is not None:
            self.cases = links(response.text, "/assistance/HA-")

    @task(3)
    def assistance_case(self) -> None:
        if self.cases:
            self.page("assistance case", random.choice(self.cases))  # noqa: S311

    @task(3)
    def agreement_list(self) -> None:
        response = self.page("agreements", "/agreements/")
        if response is not None:
            self.agreements = links(response.text, "/agreements/GA-")

    @task(3)
    def agreement(self) -> None:
        if self.agreements:
            self.page("agreement", random.choice(self.agreements))  # noqa: S311


class PortalWorker(Visitor):
    fixed_count = COUNTS.get("PortalWorker", 0)

    def on_start(self) -> None:
        self.mobile = next(MOBILES)
        self.cases: list[str] = []
        self.files: list[str] = []
        self.sign_in()
        self.case()
        self.download()

    @task(1)
    def sign_in(self) -> None:
        """As on a new phone: no cookies, the number, the text's code."""
        self.client.cookiejar.clear()
        self.signed_in = False
        blank = self.page("portal sign-in", "/portal/signin/")
        if blank is None:
            return
        form = form_with(blank.text, "mobile")
        if self.post_form("portal send code", "/portal/signin/", form, mobile=self.mobile) is None:
            return
        entry = self.page("portal code page", "/portal/signin/code/")
        code = text_code(self.mobile)
        if entry is None or code is None:
            return
        form = form_with(entry.text, "code")
        if self.post_form("portal enter code", "/portal/signin/code/", form, code=code):
            self.signed_in = True
            self.home()

    @task(4)
    def home(self) -> None:
        response = self.page("portal home", "/portal/")
        if response is not None:
            self.cases = links(response.text, "/portal/disputes/WD-")
            self.files = links(response.text, "/documents/") or self.files

    @task(4)
    def case(self) -> None:
        if self.cases:
            response = self.page("portal case", random.choice(self.cases))  # noqa: S311
            if response is not None:
                self.files = links(response.text, "/documents/") or self.files

    @task(2)
    def download(self) -> None:
        if self.files:
            self.page("download", random.choice(self.files))  # noqa: S311


class Public(Visitor):
    fixed_count = COUNTS.get("Public", 0)

    def on_start(self) -> None:
        self.verify()
        self.report()

    @task(3)
    def verify(self) -> None:
        if self.page("verify lookup page", "/verify/") is None or not DATA["verify"]:
            return
        code = random.choice(DATA["verify"])  # noqa: S311
        found = self.page("verify lookup", f"/verify/?code={code}", expect=302)
        if found is not None:
            self.page("verify", found.headers["Location"])

    @task(2)
    def report_form(self) -> None:
        self.page("report form", "/report/")

    @task(1)
    def report(self) -> None:
        blank = self.page("report form", "/report/")
        if blank is None:
            return
        today = datetime.date.today()
        self.post_form(
            "report sent",
            "/report/",
            form_with(blank.text, "facts"),
            # Sent, the page shows the tracking code; refused, the form again.
            check=lambda sent: "the form came back" if 'name="facts"' in sent.text else None,
            expect=200,
            respondent_name_given="城东速聘劳务信息部",
            categories="deposit",
            deposit_amount="300",
            deposit_workers="1",
            conduct_on=(today - datetime.timedelta(days=10)).isoformat(),
            facts="介绍工作前收取押金三百元，未安排工作也不退还。",
            anonymous="on",
        )
