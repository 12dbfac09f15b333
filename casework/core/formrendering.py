"""The project's form renderer (settings.FORM_RENDERER).

A field rendered whole (``{{ form }}``, ``{{ field.as_field_group }}``) uses the project's
field template, templates/core/_field.html, the one the pages include field by field. It
gives the help text and the error list the ids that Django names in the input's
``aria-describedby`` (``<id>_helptext``, ``<id>_error``), so a screen reader reads them
with the field. TemplatesSetting finds templates as the site's pages do: the project's
templates/ first, then Django's own form templates (``django.forms`` in INSTALLED_APPS).
"""

from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    field_template_name = "core/_field.html"
