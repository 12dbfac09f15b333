from django.contrib import admin
from django.utils import dateformat
from django.utils.translation import gettext_lazy as _

from casework.core.models import (
    AccessLog,
    CaseEvent,
    HolidayOverride,
    Market,
    SmsMessage,
    StaffProfile,
)


@admin.register(Market)
class MarketAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "nature", "region", "hotline"]
    list_filter = ["nature"]
    search_fields = ["name", "code", "region"]
    filter_horizontal = ["supervisors"]
    readonly_fields = ["created_at"]


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "title", "market_names"]
    list_filter = ["markets"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "title"]
    raw_id_fields = ["user"]
    filter_horizontal = ["markets"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user").prefetch_related("markets")

    @admin.display(description=_("markets"))
    def market_names(self, obj: StaffProfile) -> str:
        return ", ".join(market.name for market in obj.markets.all())


@admin.register(HolidayOverride)
class HolidayOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "weekday", "is_workday", "name", "created_by", "created_at"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"
    search_fields = ["name"]
    readonly_fields = ["created_by", "created_at"]

    @admin.display(description=_("weekday"))
    def weekday(self, obj: HolidayOverride) -> str:
        return dateformat.format(obj.date, "D")  # translated, unlike strftime

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Audit tables: visible to those with the view permission, never edited here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    list_display = [
        "at",
        "subject_type",
        "subject_id",
        "seq",
        "action",
        "actor_name",
        "role",
        "from_state",
        "to_state",
        "client_ip",
    ]
    list_filter = ["subject_type", "action", "role", "at"]
    list_select_related = ["subject_type"]
    search_fields = ["actor_name", "action", "note"]
    ordering = ["-at", "-id"]


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "action", "subject_label", "fields", "path", "client_ip"]
    list_filter = ["action", "subject_type", "at"]
    list_select_related = ["user", "subject_type"]
    search_fields = ["user__username", "subject_label", "fields"]


@admin.register(SmsMessage)
class SmsMessageAdmin(ReadOnlyAdmin):
    list_display = ["sent_at", "to", "purpose", "subject_label", "text"]
    list_filter = ["purpose", "sent_at"]
    search_fields = ["to", "subject_label"]
