from django.contrib import admin

from casework.documents.models import Document


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    """Read-only: documents are issued by transitions and immutable once ready."""

    list_display = ["title", "kind", "version", "status", "market_name", "created_at"]
    list_filter = ["status", "kind"]
    search_fields = ["verification_code", "kind", "market_name"]
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
