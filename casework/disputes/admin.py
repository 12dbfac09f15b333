from django.contrib import admin

from casework.disputes.models import Dispute


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
