"""The rule sets and retirement table shipped in ``fixtures/``, installed by a data migration."""

import json
from pathlib import Path

from django.conf import settings

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
RULE_SETS_FILE = FIXTURES / "assistance_rule_sets.json"
RETIREMENT_FILE = FIXTURES / "retirement_rules.json"


def load(path: Path) -> dict:
    return json.loads(path.read_text("utf-8"))


def install_defaults(apps=None) -> None:
    """Install the shipped rule sets and retirement rules that are not there yet."""
    from django.apps import apps as global_apps

    apps = apps or global_apps
    RuleSet = apps.get_model("assistance", "RuleSet")
    Category = apps.get_model("assistance", "Category")
    RetirementRule = apps.get_model("assistance", "RetirementRule")
    for data in load(RULE_SETS_FILE)["rule_sets"]:
        if RuleSet.objects.filter(code=data["code"]).exists():
            continue
        fields = {k: v for k, v in data.items() if k != "categories"}
        if fields.get("is_active") and RuleSet.objects.filter(is_active=True).exists():
            fields["is_active"] = False
        rule_set = RuleSet.objects.create(**fields)
        for order, category in enumerate(data["categories"], start=1):
            Category.objects.create(rule_set=rule_set, order=order, **category)
    for rule in load(RETIREMENT_FILE)["rules"]:
        RetirementRule.objects.get_or_create(group=rule["group"], defaults=rule)
