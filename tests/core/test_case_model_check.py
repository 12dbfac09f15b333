from django.db import models
from django.test.utils import isolate_apps
from django_fsm import FSMField

from casework.core.checks import check_case_models
from casework.core.models import CaseBase


def test_the_sample_workflow_passes():
    assert check_case_models() == []


@isolate_apps("tests.caseapp")
def test_a_case_model_with_a_plain_or_unprotected_state_is_an_error(monkeypatch):
    class PlainState(CaseBase):
        state = models.CharField(max_length=20)

        class Meta:
            app_label = "caseapp"

    class Unprotected(CaseBase):
        state = FSMField(default="new")

        class Meta:
            app_label = "caseapp"

    from django.apps import apps

    monkeypatch.setattr(apps, "get_models", lambda: [PlainState, Unprotected])
    errors = check_case_models()
    assert [e.id for e in errors] == ["core.E001", "core.E001"]
    assert {e.obj for e in errors} == {PlainState, Unprotected}
