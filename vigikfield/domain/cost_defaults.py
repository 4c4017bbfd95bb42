"""The cost parameters and their defaults: ONE table, read by the costs, the
replacements list and every screen that shows a price (docs/costs.md).

Each parameter is a field of `projects` (migration m007): null there means
"the default below". A default is either a figure of the seed (`SEED`: the
AORIF guide, seed 000, "Éléments financiers"), a choice of ours (`OURS`,
argued in docs/costs.md), or nothing (`TO_FILL`: the seed gives no price and
we do not invent one; the reports say "à renseigner" and count it as 0 €).

Money is euros HT, kept exact as a `Fraction`: the replacement of an entrance
is 67 000 € HT for 12 entrances, 5 583,333… € each, never rounded, so that
12 entrances cost exactly 67 000,00 € (rounding happens once, on totals:
`domain.money.cents`). The VAT rate is a percent.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

SEED = "seed"        # a figure of the seed (000, "Éléments financiers")
OURS = "ours"        # chosen by us, argued in docs/costs.md
TO_FILL = "to_fill"  # no figure to justify: "à renseigner", counted as 0 €

MONEY = "money"      # euros HT
PERCENT = "percent"
PAYER = "payer"      # one of model.KIT_PAYERS


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str                           # as typed: `vigikfield costs set NAME VALUE`
    field: str                          # the `projects` column that overrides the default
    unit: str                           # MONEY, PERCENT or PAYER
    default: Fraction | str | None      # None: TO_FILL
    source: str                         # SEED, OURS or TO_FILL
    basis: str                          # catalog key: where the default comes from


PARAMETERS: tuple[Parameter, ...] = (
    # "l'encodage au Mée-sur-Seine a coûté 40 €HT/centrale"
    Parameter("encoding", "cost_encoding", MONEY, Fraction(40), SEED, "costs.basis.encoding"),
    # "pour une résidence de 208 logements avec 12 entrées, le devis ... 67000 €HT"
    Parameter("replacement_per_entrance", "cost_replacement_per_entrance", MONEY,
              Fraction(67_000, 12), SEED, "costs.basis.replacement_per_entrance"),
    # the seed gives no price for the kit, an extra service card or a computer
    Parameter("kit", "cost_kit", MONEY, None, TO_FILL, "costs.basis.kit"),
    Parameter("service_card", "cost_service_card", MONEY, None, TO_FILL,
              "costs.basis.service_card"),
    # "Les bornes de rechargement ont coûté 1100 €HT l'unité"
    Parameter("charging_station", "cost_charging_station", MONEY, Fraction(1_100), SEED,
              "costs.basis.charging_station"),
    Parameter("computer", "cost_computer", MONEY, None, TO_FILL, "costs.basis.computer"),
    # 134 halls at 40 € HT "pour 6400 €TTC": 5 360 × 1,20 = 6 432 (the French standard rate)
    Parameter("vat", "vat", PERCENT, Fraction(20), SEED, "costs.basis.vat"),
    # "le pilote de la mutualisation acquiert un kit": at Sénart, the agglomeration
    Parameter("kit_payer", "kit_payer", PAYER, "agglomeration", OURS, "costs.basis.kit_payer"),
)

BY_NAME: dict[str, Parameter] = {p.name: p for p in PARAMETERS}
BY_FIELD: dict[str, Parameter] = {p.field: p for p in PARAMETERS}


def resolve(name: str, own: str | None) -> Decimal | None:
    """Parameter `name`'s value as a `Decimal`: the project's own exact text `own` when
    set, else the default (67 000 / 12 to Decimal's 28 digits: round totals, not it).
    None: no price known ("à renseigner"). For exact sums use `domain.costs`."""
    if own is not None and str(own).strip() != "":
        return Decimal(str(own))
    default = BY_NAME[name].default
    if default is None or isinstance(default, str):
        return None
    return Decimal(default.numerator) / Decimal(default.denominator)
