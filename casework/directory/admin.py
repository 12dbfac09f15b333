from django.contrib import admin

from casework.directory.models import MarketMonthFigures


@admin.register(MarketMonthFigures)
class MarketMonthFiguresAdmin(admin.ModelAdmin):
    list_display = ["market", "month", "job_seekers", "daily_placements", "entered_by"]
    list_filter = ["market"]
    readonly_fields = ["entered_by", "entered_at"]

    def save_model(self, request, obj, form, change) -> None:
        obj.entered_by = request.user
        super().save_model(request, obj, form, change)
