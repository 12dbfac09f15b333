from django.contrib import admin

from casework.legalaid.models import LegalAidCentre


@admin.register(LegalAidCentre)
class LegalAidCentreAdmin(admin.ModelAdmin):
    list_display = ("name", "market", "phone", "opening_hours", "active")
    list_filter = ("market", "active")
    search_fields = ("name", "address")
