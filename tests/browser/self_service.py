"""Issue 16 in a real browser, on a phone (390×844): register, sign in by text code,
apply for hardship certification online, and rate the service once the case is closed.

Not a pytest test (no ``test_`` prefix; pytest collects ``test_*.py`` only). Run it
against a demo server of your own, with a throw-away database, and Debian's chromium
(``apt-get install chromium chromium-l10n``, the second for the browser's own controls in
Chinese; never ``playwright install``)::

    make install   # playwright is a dev dependency (make test-browser uses it too)
    export CASEWORK_VAR_DIR=/tmp/pwvar DJANGO_DEBUG=1 TWO_FACTOR_DEMO_EXEMPT=1
    .venv/bin/python manage.py migrate --noinput && .venv/bin/python manage.py seed_demo
    .venv/bin/python manage.py runserver 127.0.0.1:8765 --noreload &
    .venv/bin/python tests/browser/self_service.py http://127.0.0.1:8765 /tmp/pw-shots

(8765 is only an example: pick a port nobody else's server holds.) The journeys and
accessibility checks that run in CI are the test_*.py files beside it (make test-browser).

The script reads the texts (the sign-in codes, the survey link) from the outbox and
drives the staff steps through ``manage.py shell``, with the project's .venv and the
environment it was started with: start it with the server's CASEWORK_VAR_DIR (or
DATABASE_URL). The demo registrant 孙晓梅 (docs/portal.md) can register once per
database: seed a fresh one for each run.

Each important page is saved as a full-page PNG in the output directory; a page wider
than the viewport (horizontal scrolling) is reported, and the script exits with 1.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path
from struct import pack

from playwright.sync_api import Page, sync_playwright

REPO = Path(__file__).resolve().parents[2]
PYTHON = REPO / ".venv" / "bin" / "python"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
WIDTH, HEIGHT = 390, 844

NAME, ID_NUMBER, MOBILE = "孙晓梅", "110105199206151626", "13800000011"

problems: list[str] = []
shots: list[tuple[str, str]] = []


def shell(code: str) -> str:
    """Run ``code`` in ``manage.py shell`` (the server's database) and return its output."""
    done = subprocess.run(
        [str(PYTHON), "manage.py", "shell", "-c", code],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        sys.exit(f"manage.py shell failed:\n{done.stderr}")
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def last_text(mobile: str, template: str = "") -> tuple[int, str]:
    """The newest text in the outbox to ``mobile`` (of ``template``): (its id, its text)."""
    only = f", template={template!r}" if template else ""
    out = shell(
        "import json; from casework.core.models import SmsMessage as M; "
        f"m = M.objects.filter(to={mobile!r}{only}).order_by('-pk').first(); "
        "print(json.dumps([m.pk, m.text] if m else [0, '']))"
    )
    pk, text = json.loads(out)
    return pk, text


def snap(page: Page, out: Path, name: str, what: str) -> None:
    """A full-page screenshot, and a check that nothing scrolls sideways."""
    page.wait_for_load_state("networkidle")
    path = out / f"{len(shots) + 1:02d}-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    shots.append((str(path), what))
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > WIDTH:
        wide = page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                 .filter(e => e.getBoundingClientRect().right > innerWidth + 1)
                 .slice(0, 5)
                 .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))"""
        )
        problems.append(f"{path.name}: scrollWidth {width} > {WIDTH} (wide: {', '.join(wide)})")
    print(f"{path.name}: {what} (scrollWidth {width})")


def ask_for_code(page: Page, base: str, out: Path, label: str) -> str:
    """Sign-in page → the mobile → the code page; the code from the outbox."""
    before, _ = last_text(MOBILE)
    page.goto(f"{base}/portal/signin/")
    snap(page, out, f"{label}-signin", "sign-in page: the mobile number")
    page.fill("#id_mobile", MOBILE)
    page.click("button.primary")
    page.wait_for_load_state("networkidle")
    if "/portal/signin/code/" not in page.url:
        snap(page, out, f"{label}-signin-refused", "no code page: what the page says")
        sys.exit(f"no code page after asking for a code: {page.url}")
    pk, text = last_text(MOBILE)
    if pk <= before:
        sys.exit("no new sign-in text in the outbox")
    code = re.search(r"\d{6}", text)
    if not code:
        sys.exit(f"no 6-digit code in the text: {text}")
    snap(page, out, f"{label}-code", "code page: 6-digit code sent to the masked number")
    return code.group()


def enter_code(page: Page, code: str) -> None:
    page.fill("#id_code", code)
    page.click("button.primary")
    page.wait_for_load_state("networkidle")


def files(folder: Path) -> tuple[Path, Path]:
    """A small PNG (8×8, grey) and a one-page PDF, as a phone's camera and scanner would."""
    raw = b"".join(b"\0" + b"\x80" * 8 for _ in range(8))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return pack(">I", len(data)) + kind + data + pack(">I", zlib.crc32(kind + data))

    png = folder / "身份证.png"
    png.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", pack(">IIBBBBB", 8, 8, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    body, offsets = b"%PDF-1.4\n", []
    for number, obj in enumerate(objects, 1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    pdf = folder / "失业登记证明.pdf"
    pdf.write_bytes(body)
    return png, pdf


# The staff steps of docs/workflows.md, as the demo caseworker and supervisor would take
# them on their pages. The public notice runs some working days: for the demo, the
# case's notice_ends is set to yesterday directly in the database (an update, no audit
# event), so the supervisor may certify today. Then the caseworker closes the case,
# which invites 孙晓梅 to the survey by text.
STAFF_STEPS = f"""
import datetime
from django.contrib.auth import get_user_model
from django.utils import timezone
from assistance import services
from assistance.models import AssistanceCase, Outcome
from casework.core.audit import Actor
User = get_user_model()
carol = Actor(user=User.objects.get(username="caseworker"), role="caseworker")
sam = Actor(user=User.objects.get(username="supervisor"), role="supervisor")
case = AssistanceCase.objects.get(person__id_number={ID_NUMBER!r}, state="applied")
services.review_start(case=case, actor=carol)
services.certification_propose(case=case, actor=carol)
# Demo only: the public notice is over (notice_ends in the past) instead of waiting for it.
AssistanceCase.objects.filter(pk=case.pk).update(
    notice_ends=timezone.localdate() - datetime.timedelta(days=1)
)
case.refresh_from_db()
services.certification_approve(case=case, actor=sam)
services.case_close(case=case, outcome=Outcome.EMPLOYED, actor=carol)
case.refresh_from_db()
print(case.code, case.state)
"""


def run(base: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        # The browser's own controls (file and date pickers) in Chinese, as on the phone: on
        # Linux chromium takes its language from LANGUAGE (needs chromium-l10n).
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--lang=zh-CN"],
            env={**os.environ, "LANGUAGE": "zh_CN:zh"},
        )
        context = browser.new_context(
            viewport={"width": WIDTH, "height": HEIGHT},
            device_scale_factor=1,
            is_mobile=True,
            has_touch=True,
            locale="zh-CN",
        )
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))

        # (a) Register: a number without an account is confirmed by its code.
        code = ask_for_code(page, base, out, "a")
        enter_code(page, "000000" if code != "000000" else "111111")
        snap(page, out, "a-code-wrong", "a wrong code: the error message")
        enter_code(page, code)
        assert "/portal/register/" in page.url, page.url
        snap(page, out, "a-register", "registration form (number confirmed)")
        page.click("button.primary")  # nothing filled in: the errors
        page.wait_for_load_state("networkidle")
        snap(page, out, "a-register-errors", "registration sent empty: the errors")
        page.check("input[name=role][value=worker]")
        page.fill("#id_name", NAME)
        page.fill("#id_id_number", ID_NUMBER)
        page.click("button.primary")
        page.wait_for_load_state("networkidle")
        assert page.url.rstrip("/").endswith("/portal"), page.url
        snap(page, out, "a-home", "portal home after registration")

        # (b) Sign out, and back by text code alone.
        page.click("form[action$='/logout/'] button")
        page.wait_for_load_state("networkidle")
        assert page.url.endswith("/portal/signin/"), page.url  # back to the code sign-in
        snap(page, out, "b-signed-out", "after signing out")
        code = ask_for_code(page, base, out, "b")
        # A new code for the number within the minute is refused (docs/portal.md); the
        # code already sent stays good.
        page.goto(f"{base}/portal/signin/")
        page.fill("#id_mobile", MOBILE)
        page.click("button.primary")
        page.wait_for_load_state("networkidle")
        assert "/portal/signin/code/" not in page.url, "a second code within the minute"
        snap(page, out, "b-signin-too-soon", "a new code asked within the minute: the refusal")
        page.goto(f"{base}/portal/signin/code/")
        enter_code(page, code)
        assert page.url.rstrip("/").endswith("/portal"), page.url
        snap(page, out, "b-home", "portal home after sign-in by code")

        # (c) The online hardship application, with a PNG and a PDF.
        with tempfile.TemporaryDirectory() as folder:
            png, pdf = files(Path(folder))
            page.goto(f"{base}/portal/assistance/new/")
            snap(page, out, "c-apply", "hardship application form")
            page.click("button.primary")  # nothing attached: the errors
            page.wait_for_load_state("networkidle")
            snap(page, out, "c-apply-errors", "application sent without the ID card: the errors")
            market = page.locator("#id_market")
            if not market.input_value():
                market.select_option(index=1)
            page.fill("#id_unemployment_registered_on", "2025-01-10")
            page.set_input_files("#id_doc_id_card", str(png))
            page.set_input_files("#id_doc_unemployment", str(pdf))
            snap(page, out, "c-apply-filled", "application filled in, two files chosen")
            page.click("button.primary")
            page.wait_for_load_state("networkidle")
        assert re.search(r"/portal/assistance/[^/]+/$", page.url), page.url
        assert page.locator("section.progress").count() == 1, "no progress tracker"
        snap(page, out, "c-case", "the case page: progress tracker (办件进度) and documents")
        _, accepted = last_text(MOBILE, "assistance_accepted")
        print(f"acceptance text: {accepted}")

        # (d) Staff review, certify (after the notice, see STAFF_STEPS) and close the case.
        print("staff steps:", shell(STAFF_STEPS))
        page.reload()
        snap(page, out, "d-case-closed", "the case page once closed: every step done")

        # (e) The survey from the invitation's link.
        _, invitation = last_text(MOBILE, "survey_invitation")
        print(f"invitation text: {invitation}")
        link = re.search(r"/survey/[^/\s]+/", invitation)
        assert link, invitation
        page.goto(base + link.group())
        assert page.locator("form.survey-form").count() == 1, "no survey form at the link"
        snap(page, out, "e-survey", "the survey: five levels, reasons, comment")
        page.click("form.survey-form button[type=submit]")  # no level chosen: the error
        page.wait_for_load_state("networkidle")
        snap(page, out, "e-survey-error", "the survey sent without a level: the error")
        page.check("input[name=level][value='3']")  # 基本满意: the reasons show
        page.check("input[name=reasons][value=too_long]")
        page.fill("textarea[name=comment]", "材料准备说明可以更清楚一些，审核等了好几天。")
        snap(page, out, "e-survey-filled", "基本满意 chosen: the reasons appear")
        page.click("form.survey-form button[type=submit]")
        page.wait_for_load_state("networkidle")
        snap(page, out, "e-thanks", "the thank-you page")
        page.goto(base + link.group())
        snap(page, out, "e-survey-again", "the link a second time: already answered")
        browser.close()


def main() -> int:
    if len(sys.argv) != 3:
        sys.exit(f"usage: {sys.argv[0]} BASE_URL OUTPUT_DIR")
    base, out = sys.argv[1].rstrip("/"), Path(sys.argv[2])
    run(base, out)
    print(f"\n{len(shots)} screenshots in {out}")
    for problem in problems:
        print(f"PROBLEM {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
