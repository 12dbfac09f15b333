from django.contrib import admin

from casework.surveys.models import SurveyInvitation


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(admin.ModelAdmin):
    """Read only: invitations are made when a case closes and answered by the party."""

    list_display = ("case_code", "kind", "market", "created_at", "used_at", "level")
    list_filter = ("kind", "market", "level")
    search_fields = ("case_code",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
