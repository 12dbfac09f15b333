"""The disputes' own invariants (casework.core.invariants): payments add up.

An instalment is never paid beyond its amount, and what it records as paid is
the sum of its payment rows, whatever two mediators recorded at once.
"""

from decimal import Decimal

from django.db.models import DecimalField, Sum, Value
from django.db.models.functions import Coalesce

from casework.core.invariants import Violation
from casework.disputes.models import Instalment

ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=12, decimal_places=2))


def payment_violations() -> list[Violation]:
    rows = (
        Instalment.objects.annotate(payments_total=Coalesce(Sum("payments__amount"), ZERO))
        .order_by("settlement__dispute_id", "seq")
        .values("settlement__dispute__code", "seq", "amount", "paid", "payments_total")
    )
    found = []
    for row in rows.iterator(chunk_size=2000):
        found += _instalment_problems(row)
    return found


def _instalment_problems(row: dict) -> list[Violation]:
    code, seq = row["settlement__dispute__code"], row["seq"]
    found = []
    if row["paid"] > row["amount"]:
        found.append(
            Violation(
                code,
                "payment",
                f"instalment #{seq}: paid {_yuan(row['paid'])} of {_yuan(row['amount'])}",
            )
        )
    if row["paid"] != row["payments_total"]:
        found.append(
            Violation(
                code,
                "payment",
                f"instalment #{seq}: records {_yuan(row['paid'])} paid but its payments "
                f"add up to {_yuan(row['payments_total'])}",
            )
        )
    return found


def _yuan(amount: Decimal) -> str:
    return f"¥{amount:.2f}"
