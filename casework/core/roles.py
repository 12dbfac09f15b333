"""The roles of the system and the permissions each group gets.

Groups are created by a data migration (core 0002) through sync_roles();
a workflow app that adds permissions extends ROLE_PERMISSIONS and calls
sync_roles() from its own data migration.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MEDIATOR = "mediator", _("Mediator")
    CASEWORKER = "caseworker", _("Caseworker")
    COMPLAINT_OFFICER = "complaint_officer", _("Complaint officer")
    SUPERVISOR = "supervisor", _("Supervisor")
    AUDITOR = "auditor", _("Auditor")
    # A county's or city's office watching many markets' figures, never a case or a person.
    REGIONAL = "regional", _("Regional supervisor")
    WORKER = "worker", _("Worker")
    HIRING_PARTY = "hiring_party", _("Hiring party")


STAFF_ROLES = frozenset(
    {
        Role.MEDIATOR,
        Role.CASEWORKER,
        Role.COMPLAINT_OFFICER,
        Role.SUPERVISOR,
        Role.AUDITOR,
        Role.REGIONAL,
    }
)
PORTAL_ROLES = frozenset({Role.WORKER, Role.HIRING_PARTY})

_PARTY_WORK = [
    "parties.view_person",
    "parties.add_person",
    "parties.change_person",
    "parties.view_organization",
    "parties.add_organization",
    "parties.change_organization",
    "parties.view_realnamecheck",
    "parties.add_realnamecheck",
    "core.view_market",
    "documents.view_document",
]

# Counter work on gig agreements; the outbox shows development text messages (codes).
_AGREEMENT_WORK = [
    "agreements.view_agreement",
    "agreements.add_agreement",
    "agreements.change_agreement",
    "agreements.terminate_agreement",
    "core.view_smsmessage",
]

# Hardship assistance; disability and 低保 details need view_sensitive (assistance.privacy).
_ASSISTANCE_WORK = [
    "assistance.view_assistancecase",
    "assistance.add_assistancecase",
    "assistance.work_case",
    "assistance.view_sensitive",
    "assistance.view_post",
    "assistance.view_ruleset",
]

# Complaints against intermediaries; an officer also registers the intermediaries.
_COMPLAINT_WORK = [
    "complaints.view_complaint",
    "complaints.add_complaint",
    "complaints.work_complaint",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.MEDIATOR: [
        *_PARTY_WORK,
        "parties.view_full_personal_data",
        "disputes.view_dispute",
        "disputes.add_dispute",
        "disputes.accept_dispute",
        "disputes.mediate_dispute",
        "agreements.view_agreement",
    ],
    Role.CASEWORKER: [
        *_PARTY_WORK,
        *_AGREEMENT_WORK,
        *_ASSISTANCE_WORK,
        "parties.view_full_personal_data",
    ],
    Role.COMPLAINT_OFFICER: [*_PARTY_WORK, *_COMPLAINT_WORK],
    Role.SUPERVISOR: [
        *_PARTY_WORK,
        "parties.view_full_personal_data",
        "parties.override_credit_code",
        "disputes.view_dispute",
        "disputes.add_dispute",
        "disputes.accept_dispute",
        "disputes.reassign_dispute",
        *_AGREEMENT_WORK,
        "agreements.view_standardterms",
        "agreements.add_standardterms",
        "agreements.change_standardterms",
        *_ASSISTANCE_WORK,
        "assistance.approve_case",
        "assistance.add_post",
        "assistance.change_post",
        "assistance.add_ruleset",
        "assistance.change_ruleset",
        "assistance.view_retirementrule",
        "complaints.view_complaint",
        "complaints.approve_extension",
        "complaints.reassign_complaint",
        "assistance.change_retirementrule",
        "core.change_market",
        "core.view_caseevent",
        "core.view_accesslog",
        "core.view_holidayoverride",
        "core.add_holidayoverride",
        "core.change_holidayoverride",
        "core.delete_holidayoverride",
        "reports.view_statistics",
        "reports.view_target",
        "reports.change_target",
        "reports.add_target",
        "legalaid.view_legalaidreferral",
    ],
    Role.AUDITOR: [
        "core.view_market",
        "core.view_caseevent",
        "core.view_accesslog",
        "disputes.view_dispute",
        "agreements.view_agreement",
        "assistance.view_assistancecase",
        "assistance.view_post",
        "complaints.view_complaint",
        "parties.view_person",
        "parties.view_organization",
        "parties.view_realnamecheck",
        "documents.view_document",
        "reports.view_statistics",
        "reports.view_target",
        "legalaid.view_legalaidreferral",
    ],
    Role.REGIONAL: [
        "core.view_market",
        "reports.view_statistics",
        "reports.view_regional_statistics",
        "reports.view_target",
    ],
    Role.WORKER: [],
    Role.HIRING_PARTY: [],
}


def sync_roles(apps=None) -> None:
    """Create each role's group and give it exactly the listed permissions."""
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    apps = apps or global_apps
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, names in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        perms = []
        for name in names:
            app_label, codename = name.split(".")
            try:
                perms.append(
                    Permission.objects.get(content_type__app_label=app_label, codename=codename)
                )
            except Permission.DoesNotExist:
                # An app or model migrated later grants its permissions from its own
                # migration; a misspelt permission of an existing model is still an error.
                if _exists_yet(apps, app_label, codename):
                    raise
        group.permissions.set(perms)


DEFAULT_ACTIONS = frozenset({"add", "change", "delete", "view"})


def _exists_yet(apps, app_label: str, codename: str) -> bool:
    """Whether the model behind a permission exists at this point of the migrations."""
    action, _sep, model_name = codename.partition("_")
    if action in DEFAULT_ACTIONS:
        try:
            apps.get_model(app_label, model_name)
            return True
        except LookupError:
            pass  # a custom permission such as view_full_personal_data, or a later model
    return _has_models(apps, app_label) and action not in DEFAULT_ACTIONS


def _has_models(apps, app_label: str) -> bool:
    try:
        return any(True for _model in apps.get_app_config(app_label).get_models())
    except LookupError:
        return False


def roles_of(user) -> list[str]:
    if not user.is_authenticated:
        return []
    names = {g.name for g in user.groups.all()}
    return [role for role in Role.values if role in names]


def staff_roles(user) -> list[str]:
    """The user's staff roles (all roles but the portal's); a superuser counts as staff."""
    roles = [role for role in roles_of(user) if role in STAFF_ROLES]
    return roles or (["superuser"] if user.is_authenticated and user.is_superuser else [])
