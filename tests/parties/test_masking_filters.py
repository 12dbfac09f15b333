from django.template import Context, Template


def test_templates_mask_identifiers_through_the_shared_filters():
    out = Template("{% load masking %}{{ i|mask_id }} {{ m|mask_phone }} {{ n|mask_name }}").render(
        Context({"i": "11010519491231002X", "m": "13800138000", "n": "王小明"})
    )
    assert out == "110105********002X 138****8000 王**"
