"""Admin: supervisors edit the calendar overrides; the audit tables are read-only."""

import pytest
from django.urls import reverse

from casework.core.audit import Actor, record_event
from casework.core.models import CaseEvent, HolidayOverride


@pytest.fixture
def staff_client(client):
    def login(user):
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        client.force_login(user)
        return client

    return login


@pytest.fixture
def event(market, alice_mediator) -> CaseEvent:
    return record_event(market, actor=Actor(user=alice_mediator), action="note", note="记录")


def test_a_supervisor_adds_a_holiday_and_is_recorded_as_its_author(staff_client, sam_supervisor):
    client = staff_client(sam_supervisor)

    response = client.post(
        reverse("admin:core_holidayoverride_add"),
        {"date": "2027-01-01", "name": "元旦", "is_workday": ""},
    )

    assert response.status_code == 302
    override = HolidayOverride.objects.get()
    assert (override.is_workday, override.created_by) == (False, sam_supervisor)


def test_the_calendar_override_list_shows_the_weekday(staff_client, sam_supervisor):
    HolidayOverride.objects.create(date="2027-02-06", is_workday=True, name="春节调休")

    page = staff_client(sam_supervisor).get(reverse("admin:core_holidayoverride_changelist"))

    assert page.status_code == 200
    assert "春节调休" in page.content.decode()


def test_an_auditor_reads_case_events(staff_client, audrey_auditor, event):
    client = staff_client(audrey_auditor)

    assert client.get(reverse("admin:core_caseevent_changelist")).status_code == 200
    assert client.get(reverse("admin:core_caseevent_change", args=[event.pk])).status_code == 200


def test_nobody_adds_changes_or_deletes_case_events_in_the_admin(admin_client, event):
    add = admin_client.get(reverse("admin:core_caseevent_add"))
    change = admin_client.post(
        reverse("admin:core_caseevent_change", args=[event.pk]), {"note": "改过的内容"}
    )
    delete = admin_client.post(
        reverse("admin:core_caseevent_delete", args=[event.pk]), {"post": "yes"}
    )

    assert (add.status_code, change.status_code, delete.status_code) == (403, 403, 403)
    assert CaseEvent.objects.get(pk=event.pk).note == "记录"


def test_the_access_log_cannot_be_added_to_in_the_admin(admin_client):
    assert admin_client.get(reverse("admin:core_accesslog_add")).status_code == 403
    assert admin_client.get(reverse("admin:core_accesslog_changelist")).status_code == 200


def test_market_and_staff_pages_open(admin_client, alice_mediator, market):
    profile = alice_mediator.staff_profile
    pages = [
        reverse("admin:core_market_changelist"),
        reverse("admin:core_market_change", args=[market.pk]),
        reverse("admin:core_staffprofile_changelist"),
        reverse("admin:core_staffprofile_change", args=[profile.pk]),
    ]

    for url in pages:
        response = admin_client.get(url)
        assert response.status_code == 200, url
    assert market.name in admin_client.get(pages[2]).content.decode()
