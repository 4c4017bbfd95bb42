"""Money, exact: `Decimal` euros (or `Fraction`s, for a price such as 67 000 / 12 that no
decimal holds: `domain.costs`), rounded once to the cent (half up) at the end of a total.

`spread` shares a rounded total over n lines to the cent, so the lines of a
report add up exactly to the total it shows (the first lines carry the spare cents).
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def cents(value: Decimal | Fraction | int) -> Decimal:
    """`value` rounded to the cent, half up (away from zero): the one rounding of a total."""
    if isinstance(value, Fraction):
        whole = math.floor(abs(value) * 100 + Fraction(1, 2))
        return Decimal(-whole if value < 0 else whole).scaleb(-2)
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def with_vat(amount_ht: Decimal | Fraction, vat_percent: Decimal | Fraction
             ) -> Decimal | Fraction:
    """The TTC amount of an exact HT amount (not rounded here: round the total once);
    exact as a `Fraction` when either is one."""
    if isinstance(amount_ht, Fraction) or isinstance(vat_percent, Fraction):
        return Fraction(amount_ht) * (1 + Fraction(vat_percent) / 100)
    return Decimal(amount_ht) * (1 + Decimal(vat_percent) / HUNDRED)


def spread(total: Decimal, lines: int) -> list[Decimal]:
    """`total` (to the cent) over `lines` lines to the cent, adding up exactly to it."""
    if lines <= 0:
        return []
    units = int((cents(total) / CENT).to_integral_value())
    base, spare = divmod(units, lines)
    return [(base + (1 if i < spare else 0)) * CENT for i in range(lines)]
