"""The case list filters render their options and errors without Django's templates
(casework.core.caselist): the same HTML, every label escaped."""

from django import forms
from django.template import Context, Template

from casework.core.caselist import CaseListForm, QuickSelect

HOLDERS = [(7, '<b>Zhang "San"</b> & Co'), (8, "李四")]


def form(data=None) -> CaseListForm:
    return CaseListForm(
        data,
        markets=[(1, "甲市场"), (2, "<i>乙</i>市场")],
        states=[("open", "Open"), ("closed", "Closed")],
        holders=HOLDERS,
    )


def test_options_are_escaped_and_the_chosen_one_selected():
    bound = form({"holder": "7", "market": "2"})
    assert bound.is_valid(), bound.errors

    holder = str(bound["holder"])
    assert (
        '<option value="7" selected>&lt;b&gt;Zhang &quot;San&quot;&lt;/b&gt; &amp; Co</option>'
        in holder
    )
    assert '<option value="8">李四</option>' in holder
    assert "<b>" not in holder
    market = str(bound["market"])
    assert '<option value="2" selected>&lt;i&gt;乙&lt;/i&gt;市场</option>' in market


def test_the_same_list_renders_the_same_for_another_choice():
    first, second = str(form({"holder": "7"})["holder"]), str(form({"holder": "8"})["holder"])
    assert first.replace(" selected", "") == second.replace(" selected", "")
    assert '<option value="8" selected>' in second


def test_a_subclass_select_renders_quickly_too():
    class WithKind(CaseListForm):
        kind = forms.ChoiceField(choices=[("", "any"), ("a&b", "A & B")], required=False)

    bound = WithKind({"kind": "a&b"}, markets=[(1, "甲市场")])
    assert bound.is_valid(), bound.errors
    assert isinstance(bound.fields["kind"].widget, QuickSelect)
    assert '<option value="a&amp;b" selected>A &amp; B</option>' in str(bound["kind"])


def test_empty_error_lists_render_nothing_and_errors_still_show():
    bound = form({"received_from": "2026-03-02", "received_to": "2026-03-01"})
    assert not bound.is_valid()

    html = Template(
        "{% for field in form %}[{{ field.errors }}]{% endfor %}|{{ form.non_field_errors }}|"
    ).render(Context({"form": bound}))

    assert html.count("[]") == len(bound.fields) - 1
    assert '<ul class="errorlist" id="id_received_to_error">' in html
    assert html.endswith("||")


def test_choices_compare_and_count_as_lists():
    choices = form().fields["holder"].choices
    assert len(choices) == 2 + len(HOLDERS)
    assert list(choices)[2:] == [("7", HOLDERS[0][1]), ("8", "李四")]
