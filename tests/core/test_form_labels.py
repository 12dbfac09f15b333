"""Every input of the real forms has a label, and its help text and errors are read with it.

A screen reader announces an input by its label (a <label for>, a label around it, or
aria-label) and then what aria-describedby names: the help text (<id>_helptext) and the
errors (<id>_error), the ids Django puts there and the project's field templates
(templates/core/_field.html, templates/portal/_field.html, FORM_RENDERER) give.
"""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from agreements.models import Agreement
from casework.disputes.models import Dispute

SKIPPED_TYPES = {"hidden", "submit", "button", "reset", "image"}


class Form(HTMLParser):
    """The ids, labels, inputs and aria-describedby references of a page."""

    def __init__(self, html: str):
        super().__init__()
        self.ids: set[str] = set()
        self.labelled: set[str] = set()
        self.inputs: list[tuple[str, dict, bool]] = []
        self.described: list[tuple[str, dict]] = []
        self._in_label = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if "id" in attributes:
            self.ids.add(attributes["id"])
        if tag == "label":
            self._in_label += 1
            if attributes.get("for"):
                self.labelled.add(attributes["for"])
        typed = tag != "input" or attributes.get("type", "text") not in SKIPPED_TYPES
        if tag in ("input", "select", "textarea") and typed:
            self.inputs.append((tag, attributes, self._in_label > 0))
        if attributes.get("aria-describedby"):
            self.described.append((tag, attributes))

    def handle_endtag(self, tag):
        if tag == "label" and self._in_label:
            self._in_label -= 1

    def unlabelled(self) -> list[str]:
        return [
            attributes.get("name") or attributes.get("id") or tag
            for tag, attributes, inside_label in self.inputs
            if not inside_label
            and attributes.get("id", "") not in self.labelled
            and not attributes.get("aria-label")
            and not attributes.get("aria-labelledby")
        ]

    def references(self) -> set[str]:
        return {
            ref
            for _, attributes in self.described
            for ref in attributes["aria-describedby"].split()
        }

    def dangling(self) -> set[str]:
        return self.references() - self.ids

    def help_texts(self) -> set[str]:
        return {i for i in self.ids if i.endswith("_helptext")}


def checked(response) -> Form:
    assert response.status_code == 200, response.status_code
    form = Form(response.content.decode())
    assert form.inputs, "no input on the page"
    assert form.unlabelled() == [], "inputs without a label"
    assert form.dangling() == set(), "aria-describedby names a missing id"
    # Each help text shown is read with its input (or its group of choices).
    assert form.help_texts() <= form.references(), "help text no input refers to"
    return form


@pytest.fixture
def counter(client, alice_mediator, mediation_body, employer):
    client.force_login(alice_mediator)
    return client


def test_the_dispute_intake_forms(counter):
    written = checked(counter.get(reverse("disputes:file")))
    checked(counter.get(reverse("disputes:file_oral")))
    # The claims table: each row's inputs are named with the row's number.
    assert "id_claims-0-amount" in written.labelled


def test_the_settlement_form_labels_each_instalment(counter, new_dispute):
    dispute = new_dispute(Dispute.State.IN_MEDIATION)
    page = checked(counter.get(reverse("disputes:settle", args=[dispute.code])))
    assert {"id_instalments-0-amount", "id_instalments-2-due_date"} <= page.labelled


def test_the_public_complaint_form_also_when_it_comes_back_with_errors(client, market):
    page = checked(client.get(reverse("complaints_public:report")))
    assert page.help_texts()  # the form has help texts, and they are wired

    refused = client.post(reverse("complaints_public:report"), {"facts": ""})
    again = checked(refused)
    wrong = [
        attributes
        for _, attributes, _ in again.inputs
        if attributes.get("aria-invalid") and attributes.get("type") != "checkbox"
    ]
    assert wrong
    # A wrong field names its error list, which is on the page (checked() found no dangling id);
    # a group of check boxes does so on its fieldset.
    assert all(
        any(ref.endswith("_error") for ref in attributes.get("aria-describedby", "").split())
        for attributes in wrong
    )
    assert "id_categories_error" in again.references()


def test_the_counter_complaint_form(client, olga_officer):
    client.force_login(olga_officer)
    checked(client.get(reverse("complaints:new")))


def test_the_counter_agreement_form(client, carol_caseworker):
    client.force_login(carol_caseworker)
    checked(client.get(reverse("agreements:new")))


def test_the_portal_agreement_signing_form(
    client, new_agreement, verified_parties, wang_worker, django_capture_on_commit_callbacks
):
    agreement = new_agreement(Agreement.State.SENT)
    client.force_login(wang_worker)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("portal:agreement_code", args=[agreement.code]))
    page = checked(client.get(reverse("portal:agreement", args=[agreement.code])))
    assert "id_code" in page.labelled


def test_the_portal_application_forms(client, wang_worker, market):
    client.force_login(wang_worker)
    checked(client.get(reverse("portal:dispute_new")))
    checked(client.get(reverse("portal:complaint_new")))
    checked(client.get(reverse("portal:assistance_new")))


def test_the_person_form_uses_the_project_field_template(client, sam_supervisor):
    client.force_login(sam_supervisor)
    response = client.get(reverse("parties:person_create"))
    page = checked(response)
    assert len(page.inputs) > 2
    # {{ field.as_field_group }} rendered templates/core/_field.html (FORM_RENDERER).
    assert response.content.decode().count('<div class="field') == len(page.inputs) - 1  # search
