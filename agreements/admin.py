"""Supervisors publish standard terms here; agreements themselves are read-only."""

from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement, StandardTerms, TermsClause


class TermsClauseInline(admin.TabularInline):
    """Clauses are part of their version: whoever may edit the version edits its clauses."""

    model = TermsClause
    extra = 0

    def _may_edit(self, request, obj) -> bool:
        if obj is not None and obj.in_use:
            return False
        action = "change" if obj is not None else "add"
        return request.user.has_perm(f"agreements.{action}_standardterms")

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("agreements.view_standardterms")

    def has_change_permission(self, request, obj=None) -> bool:
        return self._may_edit(request, obj)

    def has_add_permission(self, request, obj=None) -> bool:
        return self._may_edit(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._may_edit(request, obj)


@admin.register(StandardTerms)
class StandardTermsAdmin(admin.ModelAdmin):
    """A version agreements were made from is frozen; publish a new version instead."""

    list_display = ["version", "title", "published_on", "is_active"]
    inlines = [TermsClauseInline]
    actions = ["activate"]
    readonly_fields = ["is_active"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.in_use:
            return ["version", "title", "published_on", "note", "is_active"]
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None) -> bool:
        return not (obj and obj.in_use) and super().has_delete_permission(request, obj)

    @admin.action(description=_("Make the chosen version the active one"))
    def activate(self, request, queryset) -> None:
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one version."), messages.ERROR)
            return
        chosen = queryset.get()
        if not chosen.clauses.exists():
            self.message_user(
                request, _("A version without clauses cannot be active."), messages.ERROR
            )
            return
        with transaction.atomic():
            StandardTerms.objects.filter(is_active=True).update(is_active=False)
            StandardTerms.objects.filter(pk=chosen.pk).update(is_active=True)
        self.message_user(
            request,
            _("%(version)s is now active.") % {"version": chosen.version},
        )


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    """Read-only: agreements change only through their workflow pages."""

    list_display = ["code", "market", "state", "worker", "trade", "start_date", "owner"]
    list_filter = ["state", "trade", "market"]
    search_fields = ["code"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
