from django.contrib import admin

from casework.disputes.models import ArbitrationCommittee, ArbitrationHandoff, Dispute


@admin.register(Dispute)
class DisputeAdmin(admin.ModelAdmin):
    """Read-only: disputes change only through their workflow pages."""

    list_display = ["code", "market", "state", "priority", "due_date", "owner"]
    list_filter = ["state", "market"]
    search_fields = ["code"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ArbitrationCommittee)
class ArbitrationCommitteeAdmin(admin.ModelAdmin):
    """The committees each market hands cases to: kept by the administrators."""

    list_display = ["name", "market", "address", "phone"]
    list_filter = ["market"]
    search_fields = ["name"]


@admin.register(ArbitrationHandoff)
class ArbitrationHandoffAdmin(admin.ModelAdmin):
    """Read-only: hand-offs change only through the case's arbitration steps."""

    list_display = ["dispute", "committee", "filed_on", "due_date", "result", "closed_on"]
    list_filter = ["result", "committee"]
    search_fields = ["dispute__code", "committee_case_number"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
