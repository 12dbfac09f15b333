"""A decision may find several conducts, each with its measures, fine and legal basis
(DecisionItem): saved, checked row by row against the statutory range, shown on the case
page and printed in the 处理决定书; employment discrimination and the measures beyond a fine
(docs/domain.md, "Complaints")."""

import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from casework.complaints import services
from casework.complaints.models import Complaint, DecisionItem, Outcome, Penalty, Sanction
from casework.complaints.penalties import MEASURE_BASIS, Conduct, Measure, rule_for
from casework.documents.models import Document
from tests.complaints.fixtures import actor, decision_post, interview
from tests.documents.conftest import pdftotext, render_now, squeeze

S = Complaint.State
PIPL_66 = "《中华人民共和国个人信息保护法》第六十六条"

TWO_CONDUCTS = services.Decision(
    outcome=Outcome.PENALTY_PROPOSED,
    findings="经查，被投诉人向三名劳动者收取押金，并在其招聘应用程序上发布限招男性的信息。",
    measures="退还押金，删除歧视性招聘信息，并处罚款。",
    items=(
        services.Item(
            Conduct.DEPOSIT,
            (Measure.CORRECT, Measure.FINE),
            workers_affected=3,
            amount=Decimal("3000"),  # ¥1,500–6,000 for 3 workers
        ),
        services.Item(
            Conduct.DISCRIMINATION,
            (Measure.FINE, Measure.APP_TAKEDOWN),
            amount=Decimal("60000"),  # above ¥10,000–50,000: justified
            justification="应用程序持续发布歧视性招聘信息，涉及人数众多。",
        ),
    ),
)


def pdf_text(complaint: Complaint, tmp_path) -> str:
    doc = Document.objects.for_subject(complaint).get(kind="complaint_decision")
    doc = render_now(doc)
    assert doc.status == Document.Status.READY, doc.error
    with doc.file.open("rb") as f:
        return squeeze(pdftotext(f.read(), tmp_path))


def problems(decision: services.Decision) -> dict[str, str]:
    with translation.override("en"):
        return services.decision_problems(decision)


# -- the rules ---------------------------------------------------------------------------------


def test_employment_discrimination_has_its_rule_and_the_measures_their_basis():
    rule = rule_for(Conduct.DISCRIMINATION)
    assert "《就业促进法》第三条、第六十二条" in rule.basis
    assert "《人力资源市场暂行条例》第二十四条、第四十三条" in rule.basis
    assert rule.bounds() == (Decimal(10000), Decimal(50000))
    assert MEASURE_BASIS[Measure.APP_TAKEDOWN] == PIPL_66
    assert "第四十二条" in MEASURE_BASIS[Measure.CLOSE_PLATFORM]
    assert "人力资源社会保障部令第44号" in MEASURE_BASIS[Measure.SUSPEND_SERVICE]


# -- the service -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_decision_with_two_conducts_and_two_measures_is_saved_and_printed(
    make_complaint, tmp_path
):
    complaint = make_complaint(S.DECIDED, decision=TWO_CONDUCTS)

    items = list(complaint.decision_items.all())
    assert [(i.position, i.conduct, i.measures, i.amount) for i in items] == [
        (0, Conduct.DEPOSIT, ["correct", "fine"], Decimal("3000.00")),
        (1, Conduct.DISCRIMINATION, ["fine", "app_takedown"], Decimal("60000.00")),
    ]
    # The complaint's own fields: the first conduct, the fines proposed in all.
    assert complaint.conduct_found == Conduct.DEPOSIT and complaint.workers_affected == 3
    assert complaint.penalty_amount == Decimal("63000.00")

    text = pdf_text(complaint, tmp_path)
    for needle in (
        "处理决定书",
        "1.向劳动者收取押金（涉及劳动者3人）",
        "2.发布含有歧视性内容的招聘信息（就业歧视）",
        "《就业促进法》第三条、第六十二条；《人力资源市场暂行条例》第二十四条、第四十三条",
        "责令改正（依据《就业促进法》第四十一条第四项、第六十六条）",
        "责令下架应用程序（暂停或者终止提供服务）（依据" + PIPL_66 + "）",
        "拟处罚款3,000.00元（大写：叁仟元整）",
        "拟处罚款60,000.00元（大写：陆万元整）",
        "应用程序持续发布歧视性招聘信息，涉及人数众多。",
        "以上拟处罚款合计63,000.00元",
    ):
        assert squeeze(needle) in text, needle


@pytest.mark.django_db
def test_each_fine_is_checked_against_its_own_conducts_range(make_complaint):
    unjustified = services.Item(Conduct.DISCRIMINATION, (Measure.FINE,), amount=Decimal(60000))
    decision = services.Decision(
        **{**TWO_CONDUCTS.__dict__, "items": (TWO_CONDUCTS.items[0], unjustified)}
    )
    assert problems(decision) == {
        "items-1-justification": "The proposed fine is outside the statutory range: explain why."
    }
    # ¥3,000 is inside the deposit's range for 3 workers, outside it for one.
    one_worker = services.Item(Conduct.DEPOSIT, (Measure.FINE,), 1, Decimal(3000))
    decision = services.Decision(**{**TWO_CONDUCTS.__dict__, "items": (one_worker,)})
    assert set(problems(decision)) == {"items-0-justification"}

    complaint = make_complaint(S.INVESTIGATING)
    interview(complaint, complaint.owner)
    with pytest.raises(ValidationError):
        services.complaint_decide(
            complaint=complaint, decision=decision, actor=actor(complaint.owner)
        )
    assert not DecisionItem.objects.filter(complaint=complaint).exists()
    complaint.refresh_from_db()
    assert complaint.state == S.INVESTIGATING


def test_each_row_needs_its_conduct_measures_and_fine():
    base = {"outcome": Outcome.PENALTY_PROPOSED, "findings": "事实", "measures": "处罚"}
    rows = (
        services.Item(Conduct.DEPOSIT, (Measure.FINE,)),  # no workers, no amount
        services.Item(Conduct.DEPOSIT, (Measure.CORRECT,), 2),  # listed twice
        services.Item(Conduct.FALSE_AD, (), amount=Decimal(20000)),  # no measure
    )
    assert set(problems(services.Decision(**base, items=rows))) == {
        "items-0-workers_affected",
        "items-0-amount",
        "items-1-conduct",
        "items-2-measures",
        "items-2-amount",  # an amount without the measure "fine"
    }
    amount_without_fine = services.Item(Conduct.FALSE_AD, (Measure.CORRECT,), None, Decimal(100))
    assert set(problems(services.Decision(**base, items=(amount_without_fine,)))) == {
        "items-0-amount"
    }


def test_an_order_to_correct_cannot_take_an_app_down_itself():
    decision = services.Decision(
        outcome=Outcome.ORDER_TO_CORRECT,
        findings="招聘信息含有歧视性内容。",
        measures="删除歧视性招聘信息。",
        correction_due=timezone.localdate() + datetime.timedelta(days=10),
        items=(services.Item(Conduct.DISCRIMINATION, (Measure.CORRECT, Measure.APP_TAKEDOWN)),),
    )
    found = problems(decision)
    assert set(found) == {"items-0-measures"}
    assert "propose the other measures" in found["items-0-measures"]
    allowed = services.Decision(
        **{**decision.__dict__, "items": (services.Item(Conduct.DISCRIMINATION, ("correct",)),)}
    )
    assert problems(allowed) == {}


@pytest.mark.django_db
def test_discrimination_with_an_app_taken_down_is_proposed_and_printed(make_complaint, tmp_path):
    decision = services.Decision(
        outcome=Outcome.PENALTY_PROPOSED,
        findings="被投诉人招聘应用程序发布“限男性”等歧视性招聘信息，经责令改正拒不改正。",
        measures="删除歧视性信息，下架招聘应用程序，并处罚款。",
        items=(
            services.Item(
                Conduct.DISCRIMINATION,
                (Measure.APP_TAKEDOWN, Measure.FINE),
                amount=Decimal("20000"),
            ),
        ),
    )
    complaint = make_complaint(S.DECIDED, decision=decision)
    assert complaint.conduct_found == Conduct.DISCRIMINATION
    text = pdf_text(complaint, tmp_path)
    assert squeeze("1.发布含有歧视性内容的招聘信息（就业歧视）") in text
    assert squeeze("拟采取的措施责令下架应用程序（暂停或者终止提供服务）（依据" + PIPL_66) in text
    assert squeeze("20,000.00元（大写：贰万元整）") in text
    assert "合计" not in text  # one conduct: no total line


@pytest.mark.django_db
def test_the_single_conduct_fields_still_make_one_item(make_complaint):
    # The way a decision was given before it could list several (seed data, tests).
    complaint = make_complaint(S.DECIDED)
    item = complaint.decision_items.get()
    assert (item.conduct, item.measures, item.workers_affected) == (
        Conduct.DEPOSIT,
        ["correct"],
        3,
    )


@pytest.mark.django_db
def test_the_migration_turns_each_earlier_decision_into_one_item(make_complaint):
    migration = importlib.import_module(
        "casework.complaints.migrations.0007_feedback_and_decision_items"
    )
    proposal = services.Decision(
        outcome=Outcome.PENALTY_PROPOSED,
        conduct_found=Conduct.FRAUD,
        findings="以招聘为名收费。",
        measures="处罚款。",
        penalty_amount=Decimal("20000"),
    )
    complaint = make_complaint(S.DECIDED, decision=proposal)
    undecided = make_complaint(S.INVESTIGATING)
    DecisionItem.objects.all().delete()  # as before the migration

    migration.one_item_per_decision(apps, None)

    item = DecisionItem.objects.get()
    assert item.complaint_id == complaint.pk and undecided.decision_items.count() == 0
    assert (item.conduct, item.measures, item.amount) == (
        Conduct.FRAUD,
        ["correct", "fine"],
        Decimal("20000.00"),
    )


@pytest.mark.django_db
def test_the_public_list_and_the_penalty_decision_still_work(make_complaint, sam_supervisor):
    complaint = make_complaint(S.CLOSED, decision=TWO_CONDUCTS)
    assert complaint.awaits_penalty_decision()
    services.penalty_decision_record(
        complaint=complaint,
        ruling=services.Ruling(
            authority="测试区人力资源和社会保障局",
            document_number="测人社罚〔2026〕7号",
            decided_on=timezone.localdate(),
            penalty=Penalty.FINE,
            amount=Decimal("50000"),
        ),
        actor=actor(sam_supervisor),
    )
    sanction = Sanction.objects.get(complaint=complaint)
    assert (sanction.conduct, sanction.amount) == (Conduct.DEPOSIT, Decimal("50000.00"))


def test_an_order_to_correct_two_conducts_shows_both_on_the_public_list(make_complaint, client):
    decision = services.Decision(
        outcome=Outcome.ORDER_TO_CORRECT,
        findings="经查，被投诉人扣押两名劳动者的身份证，并向其收取押金。",
        measures="限期退还身份证和押金。",
        correction_due=timezone.localdate() + datetime.timedelta(days=10),
        items=(
            services.Item(Conduct.ID_WITHHELD, (Measure.CORRECT,)),
            services.Item(Conduct.DEPOSIT, (Measure.CORRECT,), workers_affected=2),
        ),
    )
    complaint = make_complaint(S.CLOSED, decision=decision)
    sanction = Sanction.objects.get(complaint=complaint)
    assert sanction.measures == "；".join(
        rule_for(conduct).correction for conduct in (Conduct.ID_WITHHELD, Conduct.DEPOSIT)
    )
    page = client.get(reverse("complaints_public:sanctioned")).content.decode()
    with translation.override(settings.LANGUAGE_CODE):
        for conduct in (Conduct.ID_WITHHELD, Conduct.DEPOSIT):
            assert str(conduct.label) in page
            assert rule_for(conduct).correction in page


# -- the pages ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_decision_page_takes_two_conducts_in_labelled_rows(
    client, make_complaint, olga_officer
):
    complaint = make_complaint(S.INVESTIGATING)
    interview(complaint, olga_officer)
    client.force_login(olga_officer)
    url = reverse("complaints:decide", args=[complaint.code])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the language switch
    page = client.get(url).content.decode()
    assert "<legend>Conduct 1</legend>" in page and "<legend>Conduct 2</legend>" in page
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert 'name="items-0-measures" value="app_takedown"' in page

    fields = {
        "outcome": Outcome.PENALTY_PROPOSED,
        "findings": TWO_CONDUCTS.findings,
        "measures": TWO_CONDUCTS.measures,
    }
    rows = [
        {
            "conduct": Conduct.DEPOSIT,
            "measures": ["correct", "fine"],
            "workers_affected": "3",
            "amount": "3000",
        },
        {
            "conduct": Conduct.DISCRIMINATION,
            "measures": ["fine", "app_takedown"],
            "amount": "60000",
        },
    ]
    refused = client.post(url, decision_post(rows, **fields))
    assert refused.status_code == 200
    assert "拟处罚款超出法定幅度，请说明理由。" in refused.content.decode()
    assert refused.context["items"].forms[1].errors["justification"]
    assert not refused.context["items"].forms[0].errors
    rows[1]["justification"] = "持续发布歧视性招聘信息。"
    assert client.post(url, decision_post(rows, **fields)).status_code == 302

    complaint.refresh_from_db()
    assert complaint.state == S.DECIDED and complaint.decision_items.count() == 2
    page = client.get(reverse("complaints:detail", args=[complaint.code])).content.decode()
    assert "持续发布歧视性招聘信息。" in page
    assert PIPL_66 in page and "63000.00" in page
    with translation.override("zh-hans"):
        for label in (Conduct.DEPOSIT.label, Conduct.DISCRIMINATION.label):
            assert str(label) in page


@pytest.mark.django_db
def test_the_penalty_decision_page_shows_every_conduct_proposed(
    client, make_complaint, olga_officer
):
    complaint = make_complaint(S.CLOSED, decision=TWO_CONDUCTS)
    client.force_login(olga_officer)
    page = client.get(reverse("complaints:penalty_decision", args=[complaint.code]))
    proposal = page.context["proposal"]
    with translation.override("zh-hans"):
        assert proposal.conduct == "、".join(
            str(c.label) for c in (Conduct.DEPOSIT, Conduct.DISCRIMINATION)
        )
    assert proposal.amount == "¥63,000" and proposal.statutory == ""
