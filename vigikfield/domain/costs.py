"""What the campaign costs and who pays: planned (everything it needs) and
incurred (what is done), HT and TTC, per payer and per item (docs/costs.md).

Money is exact: unit prices are `Fraction`s of euros (the defaults of
`cost_defaults`, or the pilot's decimal text on `projects`), each line's total
is rounded ONCE to the cent, half up (`money.cents`), HT and TTC each from the
exact amount; the total of a report is the sum of its lines' cents, so it adds up.

Who pays, as at Sénart (seed 000, "Répartition des coûts"): each landlord its
encodings and its replacements; the agglomeration the charging stations and
the computers; the kit and the extra service cards whoever `kit_payer` says
(the landlords: equal shares, the remainder cent(s) to the first by name).

Every count is an SQL aggregate over `hall_status` (docs/statuses.md) or the
police offices; nothing here imports Textual.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from ..i18n import LANGUAGES, TranslatedError, catalog
from . import kit, names, reasons, values
from .money import cents, with_vat
from .cost_defaults import BY_NAME, MONEY, PARAMETERS, PAYER, Parameter
from .model import KIT_PAYERS

if TYPE_CHECKING:
    from .store import Store

LANDLORD, AGGLOMERATION, STATE, NOBODY = "landlord", "agglomeration", "state", "none"
ITEMS = ("encoding", "replacement", "charging_station", "computer", "kit", "service_card")
# the parameter that prices each item
PRICE_OF = {"encoding": "encoding", "replacement": "replacement_per_entrance",
            "charging_station": "charging_station", "computer": "computer", "kit": "kit",
            "service_card": "service_card"}


class CostsError(TranslatedError):
    """A cost command the user can correct (unknown parameter, no project)."""

    prefix = "costs."
    exit_code = 2


# --- parameters ----------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Setting:
    """A parameter as it stands in this database."""

    parameter: Parameter
    value: Fraction | str | None     # in force; None: to fill (counted as 0 €)
    is_default: bool
    set_by: str | None = None        # the last op that set it: who, when (UTC), why
    set_at: datetime | None = None
    reason: str | None = None

    @property
    def source(self) -> str:
        """``set`` (by the pilot), else the default's source (seed, ours, to_fill)."""
        return "set" if not self.is_default else self.parameter.source

    @property
    def to_fill(self) -> bool:
        return self.value is None


def project_id(conn: sqlite3.Connection) -> str | None:
    """This database's project (the device's; else the only one)."""
    row = conn.execute("SELECT project_id FROM device").fetchone()
    if row and row[0]:
        return row[0]
    rows = conn.execute("SELECT id FROM projects LIMIT 2").fetchall()
    return rows[0][0] if len(rows) == 1 else None


def _stored(conn: sqlite3.Connection, project: str | None) -> dict[str, str | None]:
    if project is None:
        return {}
    fields = ", ".join(p.field for p in PARAMETERS)
    cursor = conn.execute(f"SELECT {fields} FROM projects WHERE id = ?", (project,))
    row = cursor.fetchone()
    return dict(zip((p.field for p in PARAMETERS), row)) if row else {}


def _value(parameter: Parameter, text: str | None) -> Fraction | str | None:
    if text is None:
        return parameter.default
    return text if parameter.unit == PAYER else Fraction(text)


def settings(conn: sqlite3.Connection) -> dict[str, Setting]:
    """Every parameter by name, in `PARAMETERS` order, with who set it when it is set."""
    project = project_id(conn)
    stored = _stored(conn, project)
    out: dict[str, Setting] = {}
    for p in PARAMETERS:
        text = stored.get(p.field)
        setting = Setting(p, _value(p, text), text is None)
        if text is not None:
            row = conn.execute(
                "SELECT actor, hlc, reason FROM ops WHERE entity = 'projects' AND entity_id = ? "
                "AND field = ? ORDER BY hlc DESC LIMIT 1", (project, p.field)).fetchone()
            if row:
                when = datetime.fromtimestamp(int(row[1][:16]) / 1000, timezone.utc)
                setting = replace(setting, set_by=row[0], set_at=when,
                                  reason=reasons.render(row[2]))
        out[p.name] = setting
    return out


def parameter(conn: sqlite3.Connection, name: str) -> Fraction | str | None:
    """The value in force of one parameter (euros HT or percent as an exact `Fraction`,
    the kit's payer as its code; None: no price known, "à renseigner")."""
    p = find_parameter(name)
    return _value(p, _stored(conn, project_id(conn)).get(p.field))


def find_parameter(name: str) -> Parameter:
    p = BY_NAME.get(name.strip().lower().replace("-", "_"))
    if p is None:
        raise CostsError("unknown_param", name=name, known=", ".join(BY_NAME))
    return p


def _payer_code(text: str) -> str:
    """The kit's payer as typed: its code, or its name in any language."""
    wanted = names.fold(text)
    for code in KIT_PAYERS:
        labels = [catalog(lang)[f"costs.payer.{code}"] for lang in LANGUAGES]
        spelt = {code} | set(labels) | {label.split(" (")[0] for label in labels}
        if wanted in {names.fold(s) for s in spelt}:
            return code
    return text.strip()  # values.check refuses it, naming the choices


def set_parameter(store: Store, name: str, text: str, reason: str | None = None
                  ) -> tuple[Setting, Setting]:
    """Set a parameter from what a person typed (``1 234,56``, ``40 €``, ``20 %``; empty:
    back to the default); (before, after). Pilot only: the store's rights refuse anyone
    else (`RightsError`, exit 2); a bad value raises `BadValue`; either way nothing is written."""
    p = find_parameter(name)
    project = project_id(store.conn)
    if project is None:
        raise CostsError("no_project")
    if p.unit == PAYER:
        value = values.check("projects", p.field, _payer_code(text) if text.strip() else None)
    else:
        value = values.parse_text("projects", p.field, text)
    before = settings(store.conn)[p.name]
    store.update("projects", project, {p.field: value},
                 reason or reasons.code("reason.costs_set", param=p.name))
    return before, settings(store.conn)[p.name]


# --- the figures ---------------------------------------------------------------
MONEY_KEYS = ("planned_ht", "planned_ttc", "incurred_ht", "incurred_ttc")


@dataclass(frozen=True, slots=True)
class Line:
    """One payer's cost for one item. Counts are None on a share of a split cost."""

    payer_kind: str                 # LANDLORD, AGGLOMERATION, STATE or NOBODY
    payer: str | None               # the landlord's name (None for the others)
    item: str | None                # one of ITEMS (None: every item of a payer, `by_payer`)
    planned_count: int | None
    planned_ht: Decimal
    planned_ttc: Decimal
    incurred_count: int | None
    incurred_ht: Decimal
    incurred_ttc: Decimal
    to_fill: bool = False           # its unit price is unknown: counted as 0 €
    share: tuple[int, int] | None = None  # (n, of): the n-th of `of` equal shares
    payer_id: str | None = None     # the landlord's id


@dataclass(frozen=True, slots=True)
class Totals:
    planned_ht: Decimal
    planned_ttc: Decimal
    incurred_ht: Decimal
    incurred_ttc: Decimal


@dataclass(frozen=True, slots=True)
class Report:
    lines: list[Line]
    settings: dict[str, Setting]

    @property
    def total(self) -> Totals:
        """The sum of the lines' cents (each line rounded once): the report adds up."""
        return Totals(*(sum((getattr(line, k) for line in self.lines), Decimal("0.00"))
                        for k in MONEY_KEYS))

    def by_payer(self) -> list[Line]:
        """One line per payer (in the report's order): the sum of its lines' cents, so
        these lines add up to the same total. No item, no count."""
        grouped: dict[tuple[str, str | None], list[Line]] = {}
        for line in self.lines:
            grouped.setdefault((line.payer_kind, line.payer_id), []).append(line)
        out = []
        for group in grouped.values():
            sums = {k: sum((getattr(x, k) for x in group), Decimal("0.00")) for k in MONEY_KEYS}
            out.append(Line(group[0].payer_kind, group[0].payer, None, None,
                            sums["planned_ht"], sums["planned_ttc"], None, sums["incurred_ht"],
                            sums["incurred_ttc"], to_fill=any(x.to_fill for x in group),
                            payer_id=group[0].payer_id))
        return out

    @property
    def to_fill(self) -> list[str]:
        """The parameters with no price that a line needs (names, in PARAMETERS order)."""
        used = {PRICE_OF[line.item] for line in self.lines if line.to_fill and line.item}
        return [p.name for p in PARAMETERS if p.name in used]


# One aggregate over the one status definition: per landlord of the halls'
# residences, the halls (all are to be encoded: the incompatible ones after their
# replacement), those encoded, those to replace (incompatible, or already replaced)
# and those replaced.
# The sums over hall_status kept per residence with its landlord (`residence_counts`,
# kept.REPLACEMENT_COUNTS: at 130,000 halls 20,000 rows rather than every hall).
_HALLS = """SELECT c.landlord_id, coalesce(sum(c.halls), 0), coalesce(sum(c.encoded), 0),
  coalesce(sum(c.to_replace), 0), coalesce(sum(c.replaced), 0)
FROM residence_counts c
GROUP BY c.landlord_id"""

# Each installed offline station has its dedicated computer: an office's computers
# are incurred as far as its stations are installed.
_POLICE = """SELECT coalesce(sum(stations), 0), coalesce(sum(stations_installed), 0),
  coalesce(sum(computers), 0),
  coalesce(sum(min(coalesce(computers, 0), coalesce(stations_installed, 0))), 0)
FROM police_offices"""


class _Pricer:
    def __init__(self, found: dict[str, Setting]) -> None:
        self.found = found
        self.vat = found["vat"].value if isinstance(found["vat"].value, Fraction) else Fraction(0)

    def line(self, kind: str, payer: tuple[str, str] | None, item: str, planned: int,
             incurred: int) -> Line:
        """`payer`: the landlord's (id, name), None for the others."""
        price = self.found[PRICE_OF[item]].value
        unit = price if isinstance(price, Fraction) else Fraction(0)
        amounts = []
        for count in (planned, incurred):
            ht = unit * count
            amounts += [cents(ht), cents(with_vat(ht, self.vat))]
        landlord_id, name = payer or (None, None)
        return Line(kind, name, item, planned, amounts[0], amounts[1], incurred, amounts[2],
                    amounts[3], to_fill=price is None, payer_id=landlord_id)


def _split(line: Line, payers: list[tuple[str, str]]) -> list[Line]:
    """`line`'s cents in equal shares among `payers` (landlords' (id, name), in order); the
    remainder cents go to the first, so the shares add up exactly to the line."""
    shares: list[dict[str, Decimal]] = [{} for _ in payers]
    for key in MONEY_KEYS:
        each, rest = divmod(int(getattr(line, key).scaleb(2)), len(payers))
        for n, share in enumerate(shares):
            share[key] = Decimal(each + (rest if n == 0 else 0)).scaleb(-2)
    return [replace(line, payer_kind=LANDLORD, payer=name, payer_id=landlord_id,
                    planned_count=None, incurred_count=None, share=(n + 1, len(payers)), **s)
            for n, ((landlord_id, name), s) in enumerate(zip(payers, shares))]


def report(conn: sqlite3.Connection) -> Report:
    """The campaign's costs, line by line: each landlord (by name), then the agglomeration,
    the State when it pays the kit, and halls of no known landlord last."""
    found = settings(conn)
    price = _Pricer(found)
    landlords = sorted(((i, n or "?") for i, n in conn.execute("SELECT id, name FROM landlords")),
                       key=lambda r: (names.fold(r[1]), r[0]))
    known = {landlord_id for landlord_id, _ in landlords}
    halls: dict[str | None, list[int]] = {}
    for landlord_id, *counts in conn.execute(_HALLS):
        key = landlord_id if landlord_id in known else None
        halls[key] = [a + b for a, b in zip(halls.get(key, [0, 0, 0, 0]), counts)]
    needs = kit.needs(conn)
    stations, installed, computers, computers_in = conn.execute(_POLICE).fetchone()

    kit_lines = [
        price.line(NOBODY, None, "kit", 1, 1 if needs.cards_enrolled else 0),
        price.line(NOBODY, None, "service_card", needs.extra_service_cards,
                   kit.extra(needs.cards_enrolled, kit.SERVICE_CARDS_IN_KIT)),
    ]
    payer = found["kit_payer"].value
    by_landlord: dict[str, list[Line]] = {}
    for landlord in landlords:
        total, encoded, to_replace, replaced = halls.get(landlord[0], [0, 0, 0, 0])
        by_landlord[landlord[0]] = [
            price.line(LANDLORD, landlord, "encoding", total, encoded),
            price.line(LANDLORD, landlord, "replacement", to_replace, replaced)]
    if payer == "landlords" and landlords:
        for item_line in kit_lines:
            for share in _split(item_line, landlords):
                by_landlord[share.payer_id].append(share)  # type: ignore[index]
        kit_lines = []
    lines = [line for landlord_id, _ in landlords for line in by_landlord[landlord_id]]
    lines += [price.line(AGGLOMERATION, None, "charging_station", stations, installed),
              price.line(AGGLOMERATION, None, "computer", computers, computers_in)]
    if payer in (AGGLOMERATION, STATE):
        lines += [replace(line, payer_kind=payer) for line in kit_lines]
        kit_lines = []
    if None in halls:
        total, encoded, to_replace, replaced = halls[None]
        lines += [price.line(NOBODY, None, "encoding", total, encoded),
                  price.line(NOBODY, None, "replacement", to_replace, replaced)]
    lines += kit_lines  # landlords pay, but there is none yet
    return Report(lines, found)


def unit_price(setting: Setting) -> Decimal | None:
    """A money parameter for people: to the cent (the exact value stays in the sums)."""
    if setting.parameter.unit != MONEY or setting.value is None:
        return None
    return cents(setting.value)  # type: ignore[arg-type]
