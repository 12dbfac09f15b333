"""The intermediary record: the list with complaint counts, and each intermediary's page
with its licence, its complaints by category and outcome, decisions, sanctions and the
repeat-offender flag. Counts include only the complaints of the reader's markets."""

import pytest
from django.urls import reverse
from django.utils import translation

from casework.complaints import services
from casework.complaints.models import Complaint
from casework.complaints.penalties import RULES, Conduct
from casework.core.roles import Role
from casework.parties.models import Organization
from tests.complaints.fixtures import (
    SECOND_INTERMEDIARY_USCC,
    actor,
    file_anonymous,
    make_intermediary,
)
from tests.conftest import make_user

S = Complaint.State
LIST = reverse("complaints:intermediaries")


def zh(label) -> str:
    with translation.override("zh-hans"):
        return str(label)


def page(org) -> str:
    return reverse("complaints:intermediary", args=[org.pk])


def read(client, user, path: str) -> str:
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def other_market_complaint(other_market, intermediary):
    """A complaint against the same intermediary at another market, accepted there."""
    otto = make_user("otto", Role.COMPLAINT_OFFICER, markets=[other_market])
    complaint = file_anonymous(other_market).complaint
    services.complaint_take(complaint=complaint, actor=actor(otto))
    services.respondent_link(complaint=complaint, respondent=intermediary, actor=actor(otto))
    complaint.refresh_from_db()
    services.complaint_accept(complaint=complaint, actor=actor(otto))
    return complaint


def test_anonymous_visitors_are_sent_to_the_login_page(client, intermediary):
    for path in (LIST, page(intermediary)):
        response = client.get(path)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["oscar_outsider", "carol_caseworker", "wang_worker"])
def test_users_without_the_complaint_permission_are_refused(client, request, persona, intermediary):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(LIST).status_code == 403
    assert client.get(page(intermediary)).status_code == 403


def test_an_organisation_that_is_not_an_intermediary_is_404(client, olga_officer, hui_hiring):
    employer = Organization.objects.get(kind=Organization.Kind.EMPLOYER)
    client.force_login(olga_officer)
    assert client.get(page(employer)).status_code == 404
    assert client.get(reverse("complaints:intermediary", args=[999999])).status_code == 404


def test_the_list_counts_complaints_of_the_readers_markets_and_flags_repeat_offenders(
    client, olga_officer, make_complaint, intermediary, other_market
):
    other = make_intermediary("诚信劳务中介", SECOND_INTERMEDIARY_USCC)
    for state in (S.ACCEPTED, S.INVESTIGATING):
        make_complaint(state)
    make_complaint(respondent=other)
    other_market_complaint(other_market, intermediary)  # the third accepted: a repeat offender
    html = read(client, olga_officer, LIST)
    row = html[html.index("速聘人力中介") :].split("</tr>")[0]
    assert '<td class="num">2</td>' in row  # two complaints in olga's market, not three
    assert "多次被投诉" in row
    other_row = html[html.index("诚信劳务中介") :].split("</tr>")[0]
    assert '<td class="num">1</td>' in other_row and "多次被投诉" not in other_row


def test_the_list_searches_by_name_or_credit_code(client, olga_officer, intermediary):
    make_intermediary("诚信劳务中介", SECOND_INTERMEDIARY_USCC)
    html = read(client, olga_officer, LIST + "?q=诚信")
    assert "诚信劳务中介" in html and "速聘人力中介" not in html
    html = read(client, olga_officer, LIST + "?q=" + intermediary.credit_code[-6:].lower())
    assert "速聘人力中介" in html and "诚信劳务中介" not in html


def test_the_auditor_reads_the_record(client, audrey_auditor, make_complaint, intermediary):
    complaint = make_complaint()
    assert "速聘人力中介" in read(client, audrey_auditor, LIST)
    assert complaint.code in read(client, audrey_auditor, page(intermediary))


def test_the_intermediary_page_shows_licence_counts_decisions_and_sanctions(
    client, olga_officer, make_complaint, intermediary
):
    Organization.objects.filter(pk=intermediary.pk).update(
        licence_status=Organization.LicenceStatus.SUSPENDED
    )
    closed = make_complaint(S.CLOSED)
    make_complaint(S.INVESTIGATING, categories=["false_ad"])
    make_complaint()
    html = read(client, olga_officer, page(intermediary))
    assert "（浙）人服证字〔2024〕第0101号" in html and "暂停" in html
    assert intermediary.credit_code in html
    by_category = html[html.index('id="by-category"') :].split("</table>")[0]
    assert '<td>收取押金</td><td class="num">2</td>' in by_category
    assert '<td>扣押居民身份证</td><td class="num">2</td>' in by_category
    assert '<td>发布虚假或违法招聘信息</td><td class="num">1</td>' in by_category
    by_state = html[html.index('id="by-state"') :].split("</table>")[0]
    for state in (S.CLOSED, S.INVESTIGATING, S.RECEIVED):
        assert f'<td>{zh(state.label)}</td><td class="num">1</td>' in by_state
    by_outcome = html[html.index('id="by-outcome"') :].split("</table>")[0]
    assert '<td>责令改正</td><td class="num">1</td>' in by_outcome
    sanctions = html[html.index("处理公示</h2>") :]
    assert closed.code in sanctions and RULES[Conduct.DEPOSIT].correction in sanctions
    assert "多次被投诉" not in html  # two accepted complaints only


def test_a_repeat_offender_is_flagged_prominently_on_its_page(
    client, olga_officer, make_complaint, intermediary
):
    for _ in range(3):
        make_complaint(S.ACCEPTED)
    html = read(client, olga_officer, page(intermediary))
    assert 'class="repeat-flag"' in html
    assert "有3件投诉被受理" in html


def test_counts_on_the_page_include_only_the_readers_markets(
    client, olga_officer, make_complaint, intermediary, other_market
):
    make_complaint()
    elsewhere = other_market_complaint(other_market, intermediary)
    html = read(client, olga_officer, page(intermediary))
    assert "您所属零工市场共有1件投诉" in html
    assert elsewhere.code not in html
