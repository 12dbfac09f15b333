"""One stored row with an absurd date never takes a page down (casework.core.dates).

The check constraints refuse such a row on both databases; on SQLite the test
switches them off (PRAGMA ignore_check_constraints) to write one by raw SQL, as an
old or hand-edited database might hold, and the queues and case pages must still answer.
"""

import pytest
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")

ODD_MOMENTS = ["1700-01-01 00:00:00", "0001-01-01 00:00:00"]
ODD_DAYS = ["1700-01-01", "0001-01-01"]


def _write(table: str, column: str, value: str, pk: int, *, force: bool = False) -> None:
    with connection.cursor() as cursor:
        if force:
            cursor.execute("PRAGMA ignore_check_constraints = ON")
        try:
            cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, pk])
        finally:
            if force:
                cursor.execute("PRAGMA ignore_check_constraints = OFF")
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        assert str(cursor.fetchone()[0]).startswith(value[:10])


def _pages_answer(client, user, urls) -> None:
    client.force_login(user)
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, url


sqlite_only = pytest.mark.skipif(ON_POSTGRES, reason="PostgreSQL refuses the row (see below)")


@sqlite_only
@pytest.mark.parametrize("value", ODD_MOMENTS)
def test_a_dispute_received_in_an_absurd_year_leaves_the_queue_and_case_page_up(
    client, new_dispute, sam_supervisor, alice_mediator, value
):
    dispute = new_dispute()
    _write("disputes_dispute", "received_at", value, dispute.pk, force=True)
    queue = reverse("disputes:queue")
    tabs = ["", "review", "unassigned", "mine", "due_soon", "overdue", "all"]
    urls = [f"{queue}?tab={tab}" for tab in tabs]
    urls += [
        f"{queue}?tab=all&received_from=2000-01-01",
        reverse("disputes:detail", args=[dispute.code]),
    ]
    _pages_answer(client, sam_supervisor, urls)
    _pages_answer(client, alice_mediator, urls)


@sqlite_only
@pytest.mark.parametrize("value", ODD_MOMENTS)
def test_a_complaint_received_in_an_absurd_year_leaves_the_queue_and_case_page_up(
    client, make_complaint, olga_officer, value
):
    complaint = make_complaint()
    _write("complaints_complaint", "received_at", value, complaint.pk, force=True)
    queue = reverse("complaints:queue")
    tabs = ["", "acceptance", "supplement", "investigating", "decided", "overdue"]
    tabs += ["extensions", "unassigned", "mine", "finished"]
    urls = [f"{queue}?tab={tab}" for tab in tabs]
    urls.append(reverse("complaints:detail", args=[complaint.code]))
    _pages_answer(client, olga_officer, urls)


@sqlite_only
@pytest.mark.parametrize("value", ODD_DAYS)
def test_an_agreement_dated_in_an_absurd_year_leaves_the_list_and_case_page_up(
    client, new_agreement, carol_caseworker, value
):
    agreement = new_agreement()
    _write("agreements_agreement", "start_date", value, agreement.pk, force=True)
    _write("agreements_agreement", "payment_date", value, agreement.pk, force=True)
    urls = [reverse("agreements:list"), reverse("agreements:detail", args=[agreement.code])]
    _pages_answer(client, carol_caseworker, urls)


@sqlite_only
@pytest.mark.parametrize("value", ODD_DAYS)
def test_an_assistance_case_applied_in_an_absurd_year_leaves_the_queue_and_case_page_up(
    client, new_case, carol_caseworker, value
):
    case = new_case()
    _write("assistance_assistancecase", "applied_on", value, case.pk, force=True)
    urls = [reverse("assistance:queue"), reverse("assistance:detail", args=[case.code])]
    _pages_answer(client, carol_caseworker, urls)


def _refuses_absurd_dates(new_dispute, make_complaint, new_agreement, new_case) -> None:
    moment = "1700-01-01 00:00:00+00" if ON_POSTGRES else "1700-01-01 00:00:00"
    rows = [
        ("disputes_dispute", "received_at", moment, new_dispute().pk),
        ("complaints_complaint", "received_at", moment, make_complaint().pk),
        ("agreements_agreement", "start_date", "1700-01-01", new_agreement().pk),
        ("agreements_agreement", "end_date", "1700-01-01", new_agreement().pk),
        ("assistance_assistancecase", "applied_on", "1700-01-01", new_case().pk),
    ]
    for table, column, value, pk in rows:
        with pytest.raises(IntegrityError), transaction.atomic():
            _write(table, column, value, pk)


@sqlite_only
def test_the_check_constraints_refuse_absurd_dates(
    new_dispute, make_complaint, new_agreement, new_case
):
    _refuses_absurd_dates(new_dispute, make_complaint, new_agreement, new_case)


@pytest.mark.services
@pytest.mark.skipif(not ON_POSTGRES, reason="runs in make test-services")
def test_postgres_refuses_absurd_dates_on_the_dates_the_queues_sort_on(
    new_dispute, make_complaint, new_agreement, new_case
):
    _refuses_absurd_dates(new_dispute, make_complaint, new_agreement, new_case)
