"""Supervisors keep the eligibility rule sets, the retirement table and the posts here."""

from django.contrib import admin

from assistance.models import AssistanceCase, Category, Post, RetirementRule, RuleSet


class CategoryInline(admin.TabularInline):
    model = Category
    extra = 0


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):
    list_display = ["name", "version", "region", "effective_from", "is_active"]
    inlines = [CategoryInline]


@admin.register(RetirementRule)
class RetirementRuleAdmin(admin.ModelAdmin):
    list_display = [
        "group",
        "base_age_months",
        "reform_born_from",
        "every_months",
        "max_extra_months",
    ]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["title", "employer", "kind", "places", "monthly_subsidy", "is_open", "market"]
    list_filter = ["kind", "is_open", "market"]


@admin.register(AssistanceCase)
class AssistanceCaseAdmin(admin.ModelAdmin):
    """Read-only, and without the sensitive facts: cases change through their pages."""

    list_display = ["code", "market", "state", "tier", "owner"]
    list_filter = ["state", "market"]
    search_fields = ["code"]
    exclude = ["proposed_categories"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
