"""The API in the admin: administrators create and revoke the systems' keys, read the
systems' call log and end a party's sign-ins (docs/api.md, "Systems")."""

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from casework.api import tokens
from casework.api.models import PartyToken, SystemCall, SystemKey


class SystemKeyForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("scopes"),
        choices=SystemKey.Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Personal data only where the system's legal basis allows it."),
    )

    class Meta:
        model = SystemKey
        fields = ("name", "contact", "markets", "scopes")


@admin.register(SystemKey)
class SystemKeyAdmin(admin.ModelAdmin):
    form = SystemKeyForm
    list_display = ("name", "prefix", "scope_list", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at", "markets")
    search_fields = ("name", "prefix", "contact")
    filter_horizontal = ("markets",)
    readonly_fields = ("prefix", "created_by", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    @admin.display(description=_("scopes"))
    def scope_list(self, key: SystemKey) -> str:
        return ", ".join(key.scopes)

    def get_readonly_fields(self, request, obj=None):
        # A key's reach is fixed when it is handed over: for another reach, a new key.
        if obj is not None:
            return (*self.readonly_fields, "markets", "scopes")
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        key, secret = tokens.key_create(
            name=obj.name,
            contact=obj.contact,
            markets=form.cleaned_data["markets"],
            scopes=form.cleaned_data["scopes"],
            created_by=request.user,
        )
        obj.pk = key.pk
        obj.refresh_from_db()
        messages.warning(
            request,
            gettext("The key, shown this once only: %(secret)s — hand it over securely.")
            % {"secret": secret},
        )

    def save_related(self, request, form, formsets, change):
        if change:  # a new key's markets were set with it
            super().save_related(request, form, formsets, change)

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at=None).update(revoked_at=timezone.now())
        messages.success(request, gettext("%(count)d keys revoked.") % {"count": count})

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, never deleted: the call log names the key


@admin.register(SystemCall)
class SystemCallAdmin(admin.ModelAdmin):
    """Read only: written by the API at every call."""

    list_display = ("at", "key", "method", "path", "status", "rows", "personal", "client_ip")
    list_filter = ("key", "status", "personal")
    search_fields = ("path",)
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PartyToken)
class PartyTokenAdmin(admin.ModelAdmin):
    """The parties' sign-ins, to end them (a lost phone); never their secrets."""

    list_display = ("user", "kind", "created_at", "expires_at", "used_at", "revoked_at")
    list_filter = ("kind", "revoked_at")
    search_fields = ("user__username",)
    fields = ("user", "kind", "family", "created_at", "expires_at", "used_at", "revoked_at")
    readonly_fields = fields
    actions = ["revoke"]

    @admin.action(description=_("End these sign-ins"))
    def revoke(self, request, queryset):
        families = set(queryset.values_list("family", flat=True))
        count = PartyToken.objects.filter(family__in=families, revoked_at=None).update(
            revoked_at=timezone.now()
        )
        messages.success(request, gettext("%(count)d tokens revoked.") % {"count": count})

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
