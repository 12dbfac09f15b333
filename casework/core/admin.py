import base64

from django.contrib import admin
from django.utils import dateformat
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from casework.core.models import (
    AccessLog,
    CaseEvent,
    HolidayOverride,
    Market,
    SmsMessage,
    StaffProfile,
)
from casework.core.seals import drawn_seal_path, seal_image_kind


@admin.register(Market)
class MarketAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "nature", "region", "hotline"]
    list_filter = ["nature"]
    search_fields = ["name", "code", "region"]
    filter_horizontal = ["supervisors"]
    readonly_fields = ["seal_preview", "created_at"]

    @admin.display(description=_("seal on documents"))
    def seal_preview(self, obj: Market) -> str:
        """The seal sealed documents show: the uploaded image, else the drawn one."""
        if obj.pk is None:
            return str(_("After saving: the uploaded seal, or the seal drawn with the name."))
        if obj.seal_image:
            try:
                with obj.seal_image.open("rb") as upload:
                    data = upload.read()
            except OSError:
                return str(_("The uploaded seal image cannot be read."))
            kind = (
                "image/svg+xml"
                if seal_image_kind(obj.seal_image.name or "") == "svg"
                else "image/png"
            )
            note = _("The uploaded seal image.")
        else:
            data = drawn_seal_path(obj.name).read_bytes()
            kind = "image/png"
            note = _("No image uploaded: documents show this seal, drawn with the market's name.")
        # A data: URI (allowed by the CSP's img-src); an <img> never runs an SVG's scripts.
        uri = f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"
        return format_html('<img src="{}" alt="" width="160" height="160"><br>{}', uri, note)


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
