"""The cost parameters' defaults: ONE table, read by every cost figure (docs/costs.md).

A project's own value (`projects.cost_*`, `projects.vat`, exact decimal text set
by the pilot) wins; when it is null, the default below applies. Defaults are
exact `Decimal`s, never pre-rounded: money is rounded once, at the end of each
total (`domain.money`).

Sources (seed ``000_…``, "Éléments financiers"):

- ``encoding``: 40 € HT per centrale ("l'encodage au Mée-sur-Seine a coûté
  40 €HT/centrale");
- ``replacement_per_entrance``: 67 000 € HT for a residence of 12 entrances
  ("le devis pour le remplacement du système d'accès s'est élevé à 67000 €HT"),
  kept as the exact quotient 67 000 / 12, so 12 entrances cost 67 000,00 €;
- ``charging_station``: 1 100 € HT each ("Les bornes de rechargement ont coûté
  1100 €HT l'unité");
- ``vat``: 20 % (the French standard rate; the seed's TTC figures use it);
- ``kit``, ``service_card``, ``computer``: the seed gives no price. None means
  "to be filled in by the pilot" (à renseigner): a figure is never invented.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Default:
    column: str              # the `projects` column holding the project's own value
    value: Decimal | None    # None: no default, the pilot must set it
    source: str              # "seed" (000_…), or "unset"


REPLACEMENT_QUOTE = Decimal(67_000)      # € HT, Melun, one residence...
REPLACEMENT_QUOTE_ENTRANCES = 12         # ...of 12 entrances

DEFAULTS: dict[str, Default] = {
    "encoding": Default("cost_encoding", Decimal(40), "seed"),
    "replacement_per_entrance": Default(
        "cost_replacement_per_entrance", REPLACEMENT_QUOTE / REPLACEMENT_QUOTE_ENTRANCES, "seed"),
    "kit": Default("cost_kit", None, "unset"),
    "service_card": Default("cost_service_card", None, "unset"),
    "charging_station": Default("cost_charging_station", Decimal(1_100), "seed"),
    "computer": Default("cost_computer", None, "unset"),
    "vat": Default("vat", Decimal(20), "seed"),   # percent
}


def resolve(name: str, own: str | None) -> Decimal | None:
    """Parameter `name`'s value: the project's own exact text `own` when set, else the default."""
    if own is not None and str(own).strip() != "":
        return Decimal(str(own))
    return DEFAULTS[name].value
