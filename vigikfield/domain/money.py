"""Money, exact: `Decimal` euros, rounded once to the cent (half up) at the end of a total.

`spread` shares a rounded total over n lines to the cent, so the lines of a
report add up exactly to the total it shows (the first lines carry the spare cents).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def cents(value: Decimal) -> Decimal:
    """`value` rounded to the cent, half up (the one rounding of a total)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def with_vat(amount_ht: Decimal, vat_percent: Decimal) -> Decimal:
    """The TTC amount of an exact HT amount (not rounded here: round the total once)."""
    return Decimal(amount_ht) * (1 + Decimal(vat_percent) / HUNDRED)


def spread(total: Decimal, lines: int) -> list[Decimal]:
    """`total` (to the cent) over `lines` lines to the cent, adding up exactly to it."""
    if lines <= 0:
        return []
    units = int((cents(total) / CENT).to_integral_value())
    base, spare = divmod(units, lines)
    return [(base + (1 if i < spare else 0)) * CENT for i in range(lines)]
