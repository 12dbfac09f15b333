"""Form fields every workflow uses for what people type on phones.

Phone keyboards in Chinese mode give full-width characters (１３８, ．, Ｘ). They are
normalised (NFKC) before validation, so that a number is stored, searched and compared
in one form whatever keyboard typed it (docs/workflows.md, "Input").
"""

import unicodedata

from django import forms


def nfkc(value: str | None) -> str:
    """Full-width digits, letters and stops as their ASCII forms; other text unchanged."""
    return unicodedata.normalize("NFKC", value or "")


class AmountField(forms.DecimalField):
    """An amount in yuan: full-width digits and decimal point are read as ASCII."""

    def to_python(self, value):
        if isinstance(value, str):
            value = nfkc(value).strip()
        return super().to_python(value)
