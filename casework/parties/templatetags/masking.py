"""{% load masking %}: {{ number|mask_id }}, {{ mobile|mask_phone }}, {{ name|mask_name }}."""

from django import template

from casework.parties import identifiers

register = template.Library()

register.filter("mask_id", identifiers.mask_id)
register.filter("mask_phone", identifiers.mask_phone)
register.filter("mask_name", identifiers.mask_name)
