"""The pages people use most, in a real browser at a laptop's and a phone's size.

Each journey asserts what the person came for (a heading, a row, a result), that the
page raised no JavaScript error and that nothing on it scrolls sideways, and leaves a
full-page screenshot in var/browser-shots/ (BROWSER_SHOTS) named by journey and size.
"""

import pytest

from tests.browser.support import check_page, heading, visit

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# The home page names the role in its own section (templates/core/home.html).
STAFF_ROLES = {
    "mediator": "调解员",
    "caseworker": "就业援助员",
    "officer": "投诉处理专员",
    "supervisor": "主管",
}

# workflow: (login, queue, its heading, the start of its cases' links)
QUEUES = {
    "disputes": ("mediator", "/disputes/", "劳动争议案件队列", "/disputes/WD-"),
    "assistance": ("caseworker", "/assistance/", "就业援助工作队列", "/assistance/HA-"),
    "complaints": ("officer", "/complaints/", "中介投诉", "/complaints/IC-"),
    "agreements": ("caseworker", "/agreements/", "零工服务协议", "/agreements/GA-"),
}


@pytest.mark.parametrize("user", list(STAFF_ROLES))
def test_staff_home_after_login(open_page, demo, user):
    page = open_page()
    visit(page, demo, "/accounts/login/")
    page.fill("#id_username", user)
    page.fill("#id_password", "demo12345")
    with page.expect_navigation():
        page.press("#id_password", "Enter")

    assert page.url == demo.url("/"), page.url
    demo.logins.setdefault(user, page.context.storage_state())  # the later pages' login
    assert heading(page) == "我的工作"
    expect(page.locator("main h2", has_text=STAFF_ROLES[user])).to_be_visible()
    check_page(page, f"home-{user}")


@pytest.mark.parametrize("workflow", list(QUEUES))
def test_queue(open_page, demo, workflow):
    user, path, title, case_link = QUEUES[workflow]
    page = open_page(user)
    visit(page, demo, path)

    assert heading(page).startswith(title)
    cases = page.locator(f"main a[href^='{case_link}']")
    expect(cases.first).to_be_visible()
    check_page(page, f"queue-{workflow}")


# workflow: (the all tab's address, a state to filter by, that state's label)
ALL_TABS = {
    "disputes": ("/disputes/?tab=all", "in_mediation", "调解中"),
    "assistance": ("/assistance/?tab=all", "on_notice", "公示中"),
    "complaints": ("/complaints/?show=all", "received", None),
}


@pytest.mark.parametrize("workflow", list(ALL_TABS))
def test_all_tab_filtered_by_state(open_page, demo, workflow):
    user, _path, _title, case_link = QUEUES[workflow]
    path, state, label = ALL_TABS[workflow]
    page = open_page(user)
    visit(page, demo, path)
    expect(page.locator(f"main a[href^='{case_link}']").first).to_be_visible()

    page.select_option("#id_state", state)
    with page.expect_navigation():
        page.get_by_role("button", name="筛选").click()

    assert f"state={state}" in page.url, page.url
    rows = page.locator("main table.queue tbody tr")
    expect(rows.first).to_be_visible()
    if label:
        for text in rows.locator("td:nth-child(2)").all_inner_texts():
            assert text.strip() == label
    check_page(page, f"all-{workflow}")


def test_dispute_case_page(open_page, demo):
    code = demo.facts["dispute"]
    page = open_page("mediator")
    visit(page, demo, f"/disputes/{code}/")

    assert heading(page).startswith(code)
    expect(page.locator("main h1 .state")).to_have_text("调解中")
    parties = page.locator(
        "main section", has=page.get_by_role("heading", name="当事人", exact=True)
    )
    expect(parties).to_contain_text(demo.facts["person"])
    check_page(page, "dispute-case")


def test_header_search_by_name_then_to_the_case(open_page, demo):
    person, code = demo.facts["person"], demo.facts["dispute"]
    page = open_page("mediator")
    visit(page, demo, "/")
    box = page.locator("header.topbar input[name=q]")
    expect(box).to_be_visible()
    box.fill(person)
    with page.expect_navigation():
        box.press("Enter")

    assert "/search/?q=" in page.url, page.url
    found = page.locator("main section", has=page.locator("h2", has_text=person))
    expect(found).to_be_visible()
    check_page(page, "search-name")
    with page.expect_navigation():
        found.get_by_role("link", name=code).click()
    assert page.url == demo.url(f"/disputes/{code}/")
    assert heading(page).startswith(code)


def test_header_search_by_case_code_goes_to_the_case(open_page, demo):
    code = demo.facts["dispute"]
    page = open_page("mediator")
    visit(page, demo, "/disputes/")
    box = page.locator("header.topbar input[name=q]")
    box.fill(code)
    with page.expect_navigation():
        box.press("Enter")

    assert page.url == demo.url(f"/disputes/{code}/"), page.url
    assert heading(page).startswith(code)
    check_page(page, "search-code")


def test_public_complaint_report_form(open_page, demo):
    page = open_page()
    visit(page, demo, "/report/")

    assert heading(page) == "投诉职业中介机构"
    expect(page.get_by_label("中介机构名称")).to_be_editable()
    expect(page.get_by_label("匿名投诉")).to_be_visible()
    check_page(page, "report-form")
    # Sent empty: the form comes back with the errors, not an error page.
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()
    expect(page.locator("main .errorlist").first).to_be_visible()
    check_page(page, "report-form-errors")


def test_public_verify_page(open_page, demo):
    page = open_page()
    visit(page, demo, "/verify/")

    assert heading(page) == "文书核验"
    page.get_by_label("验证码").fill(demo.facts["document_code"])
    with page.expect_navigation():
        page.get_by_label("验证码").press("Enter")
    assert demo.facts["document_code"] in page.url
    result = page.locator("main section.card").first
    expect(result).to_contain_text("确曾出具")
    expect(result).to_contain_text(demo.facts["document_title"])
    check_page(page, "verify-result")


def test_portal_home(open_page, demo):
    page = open_page("worker")
    visit(page, demo, "/portal/")

    assert heading(page) == f"{demo.facts['person']}，您好"
    agreements = page.locator("main section", has=page.locator("h2", has_text="我的协议"))
    expect(agreements.locator(f"a[href*='{demo.facts['agreement']}']").first).to_be_visible()
    check_page(page, "portal-home")


def test_portal_agreement_page(open_page, demo):
    code = demo.facts["agreement"]
    page = open_page("worker")
    visit(page, demo, f"/portal/agreements/{code}/")

    assert heading(page) == f"零工服务协议 {code}"
    expect(page.locator("main section.progress")).to_contain_text("办理进度")
    expect(page.locator("main .state").first).to_have_text("待签署")
    check_page(page, "portal-agreement")
