from django.contrib import admin
from django.utils.translation import gettext

from casework.core.audit import log_access
from casework.parties.models import Organization, Person, RealNameCheck


class RealNameCheckInline(admin.TabularInline):
    model = RealNameCheck
    extra = 0
    fields = ["method", "result", "checked_by", "checked_at", "note"]
    readonly_fields = ["checked_by", "checked_at"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "masked_id", "masked_mobile", "birth_date", "sex"]
    search_fields = ["name", "id_number", "mobile"]
    readonly_fields = ["birth_date", "sex", "created_at"]
    raw_id_fields = ["user"]
    inlines = [RealNameCheckInline]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The change form shows the full ID number and mobile: that is a logged access.
        person = self.get_object(request, object_id)
        if person is not None and request.method == "GET":
            log_access(request, person, gettext("full ID number and mobile (admin page)"))
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "credit_code", "licence_number"]
    list_filter = ["kind"]
    search_fields = ["name", "credit_code", "licence_number"]
    filter_horizontal = ["representatives"]
    readonly_fields = ["credit_code_override_by", "created_at"]
    inlines = [RealNameCheckInline]

    def save_model(self, request, obj, form, change):
        if obj.credit_code_override_reason and not obj.credit_code_override_by_id:
            obj.credit_code_override_by = request.user
        super().save_model(request, obj, form, change)
