"""The legal-aid ledger: read by the market's supervisors and auditors (core.roles grants
legalaid.view_legalaidreferral), not by a mediator, whose role sees no statistics."""

import csv
import io

from django.urls import reverse

from tests.legalaid.test_referrals import refer


def test_a_supervisor_exports_the_ledger_and_a_mediator_cannot(
    client, new_dispute, alice_mediator, sam_supervisor, audrey_auditor, wang_worker, centre
):
    dispute = new_dispute("terminated")
    refer(dispute, wang_worker.person, centre, alice_mediator)
    url = reverse("reports:ledger_csv", args=["legalaid"])

    for reader in (sam_supervisor, audrey_auditor):
        client.force_login(reader)
        response = client.get(url)
        assert response.status_code == 200, reader
        body = b"".join(response.streaming_content).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(body)))
        assert any(dispute.code in row for row in rows), reader

    client.force_login(alice_mediator)
    assert client.get(url).status_code == 403
