"""The site classification of seed 002: facts observed on a site, each at a level from
the gravity × frequency grid, and the site's level, the highest of its recent facts.

The grid (docs/classification.md): level = gravity + frequency − 1, bounded to
1…4, with gravity 1 (faible) to 4 (extrême) and frequency 0 (ponctuelle),
1 (régulière), 2 (quotidienne). The seed states four cells — faible ×
quotidienne = 2, moyenne × quotidienne = 3, majeure × ponctuelle = 2, extrême ×
ponctuelle = 3 — and the rest follow its diagonal. `fact_level` and `LEVEL_SQL`
are both written from `GRAVITY_RANK` and `FREQUENCY_RANK`: one grid.

A site's level counts the facts of the last `WINDOW_MONTHS` months (the seed asks
to repeat the diagnosis and follow how sites evolve); it is stored in
``residences.site_level`` each time it changes (a fact added or withdrawn, a
review), so its history is the op log's. Everything here is confidential
(police, justice, landlords): the pilot's role only, read or written.
"""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..i18n import TranslatedError
from . import journal, names
from .journal import Change
from .model import FREQUENCIES, GRAVITIES
from .profile import PILOT

GRAVITY_RANK = dict(zip(GRAVITIES, (1, 2, 3, 4)))
FREQUENCY_RANK = dict(zip(FREQUENCIES, (0, 1, 2)))
LEVELS = (1, 2, 3, 4)
WINDOW_MONTHS = 12

# The types of facts of seed 002's table 2 ("liste non-exhaustive et indicative"),
# with the gravity column the seed puts them in. Free text is accepted too.
FACT_TYPES: dict[str, str] = {
    "injures": "faible", "jets de détritus ou dépôts d'ordures": "faible", "tags": "faible",
    "voitures ventouses": "faible", "dégradations légères": "faible",
    "tapages, dont nocturnes": "faible",
    "squats (logements, caves, parking)": "moyenne", "voitures épaves": "moyenne",
    "mécanique sauvage": "moyenne", "agressions verbales": "moyenne", "dégradations": "moyenne",
    "petits trafics": "moyenne", "animaux dangereux": "moyenne", "rodéos": "moyenne",
    "incendies": "moyenne", "cambriolages et vols": "moyenne",
    "occupations abusives des espaces": "majeure", "vandalisme": "majeure",
    "chantage, racket": "majeure", "trafics installés": "majeure",
    "agressions physiques": "majeure", "vols avec violences": "majeure",
    "menaces de mort": "majeure",
    "trafics fortement implantés et organisés": "extreme",
    "contrôle des allées et venues": "extreme",
    "appropriation des espaces communs ou individuels": "extreme",
    "présence d'armes": "extreme", "risque de violence sur biens et personnes": "extreme",
    "violences sur le personnel de proximité ou la police": "extreme",
    "violences urbaines, violences entre bandes": "extreme",
    "homicides, agressions sexuelles": "extreme",
}


class ClassificationError(TranslatedError):
    """A classification request refused (role, name, value); nothing was written."""

    prefix = "site."
    exit_code = 2


def fact_level(gravity: str, frequency: str) -> int:
    """The level of one fact from the grid."""
    return max(1, min(4, GRAVITY_RANK[gravity] + FREQUENCY_RANK[frequency] - 1))


def _case(column: str, ranks: dict[str, int]) -> str:
    whens = " ".join(f"WHEN '{name}' THEN {rank}" for name, rank in ranks.items())
    return f"(CASE {column} {whens} END)"


# The level of a site_facts row `f`, in SQL: the same grid as `fact_level`.
LEVEL_SQL = (f"max(1, min(4, {_case('f.gravity', GRAVITY_RANK)} + "
             f"{_case('f.frequency', FREQUENCY_RANK)} - 1))")


def window_start(today: date, months: int = WINDOW_MONTHS) -> date:
    """The first day that still counts: the same day `months` months before (28 Feb for
    a 29 Feb that the earlier year does not have)."""
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    day = today.day
    while True:
        try:
            return date(year, month + 1, day)
        except ValueError:
            day -= 1


def choice(kind: str, text: str) -> str:
    """A gravity or a frequency as typed (accents and case ignored): its stable name."""
    allowed = GRAVITIES if kind == "gravity" else FREQUENCIES
    folded = names.fold(text)
    for name in allowed:
        if folded == name:
            return name
    raise ClassificationError(f"bad_{kind}", value=text, allowed=", ".join(allowed))


def require_pilot(role: str | None) -> None:
    """Only the pilot reads or writes the classification (maintenance never, seed 002)."""
    if role not in (PILOT, None):
        raise ClassificationError("pilot_only")


def residence_id(conn: sqlite3.Connection, name: str) -> str:
    found = names.residences_called(conn, name)
    if len(found) != 1:
        known = ", ".join(names.known(conn, "residences")) or "—"
        raise ClassificationError("no_residence" if not found else "ambiguous_residence",
                                  name=name, known=known, count=len(found))
    return found[0]


# The live level of each residence with facts in the window.
_LEVELS = f"""SELECT f.residence_id, max({LEVEL_SQL}) FROM site_facts f
WHERE coalesce(f.withdrawn, 0) = 0 AND f.observed_on >= :since {{only}}
GROUP BY f.residence_id"""


def levels(conn: sqlite3.Connection, today: date, residence: str | None = None) -> dict[str, int]:
    """residence id -> its level today (residences without a fact in the window: absent)."""
    only = "AND f.residence_id = :residence" if residence else ""
    params = {"since": window_start(today).isoformat(), "residence": residence}
    return dict(conn.execute(_LEVELS.format(only=only), params).fetchall())


def _level_change(conn: sqlite3.Connection, residence: str, today: date) -> list[Change]:
    stored = conn.execute("SELECT site_level FROM residences WHERE id = ?",
                          (residence,)).fetchone()[0]
    now = levels(conn, today, residence).get(residence)
    return [] if now == stored else [Change("residences", residence, "site_level", now)]


def add_fact(store, residence_name: str, *, fact: str, gravity: str | None, frequency: str,
             observed_on: date, source: str | None, today: date) -> tuple[str, int]:
    """Record a fact and the site's new level; returns the fact's id and level.

    `gravity` None: the gravity the seed gives this type of fact (`FACT_TYPES`).
    """
    require_pilot(store.role)
    text = fact.strip()
    if not text:
        raise ClassificationError("no_fact")
    if gravity is None:
        known = {names.fold(k): v for k, v in FACT_TYPES.items()}
        if names.fold(text) not in known:
            raise ClassificationError("gravity_needed", fact=text,
                                      allowed=", ".join(GRAVITIES))
        gravity = known[names.fold(text)]
    gravity, frequency = choice("gravity", gravity), choice("frequency", frequency)
    if observed_on > today:
        raise ClassificationError("future_fact", day=observed_on.isoformat())
    residence = residence_id(store.conn, residence_name)
    fact_id = str(uuid.uuid4())
    fields = {"residence_id": residence, "fact": text, "gravity": gravity,
              "frequency": frequency, "observed_on": observed_on.isoformat(), "source": source}
    with store.transaction():
        store.record([Change("site_facts", fact_id, k, v, new=True) for k, v in fields.items()
                      if v is not None], reason="classification")
        store.record(_level_change(store.conn, residence, today), reason="classification")
    return fact_id, fact_level(gravity, frequency)


def withdraw_fact(store, fact_id: str, *, reason: str, today: date) -> None:
    """A fact recorded by mistake: withdrawn (kept in the history), the level follows.
    `fact_id`: its id, or the first characters of it that `site show` prints."""
    require_pilot(store.role)
    rows = store.conn.execute("SELECT id, residence_id FROM site_facts WHERE id LIKE ? || '%'",
                              (fact_id.strip().lower(),)).fetchall() if fact_id.strip() else []
    if len(rows) != 1:
        raise ClassificationError("no_fact_id", id=fact_id)
    (full_id, residence), = rows
    with store.transaction():
        store.record([Change("site_facts", full_id, "withdrawn", 1)], reason=reason)
        store.record(_level_change(store.conn, residence, today), reason=reason)


def review(store, today: date) -> list[tuple[str, int | None, int | None]]:
    """The diagnosis again: every site's stored level set to today's (facts older than
    the window no longer count). Returns (residence name, old, new) of those that moved."""
    require_pilot(store.role)
    now = levels(store.conn, today)
    moved = []
    changes = []
    for rid, name, stored in store.conn.execute(
            "SELECT id, name, site_level FROM residences ORDER BY name"):
        if now.get(rid) != stored:
            moved.append((name, stored, now.get(rid)))
            changes.append(Change("residences", rid, "site_level", now.get(rid)))
    if changes:
        store.record(changes, reason="revue de la classification")
    return moved


@dataclass(frozen=True, slots=True)
class Fact:
    id: str
    fact: str
    gravity: str
    frequency: str
    observed_on: str
    source: str | None
    level: int
    counts: bool        # within the window and not withdrawn
    withdrawn: bool

    def as_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__}


def facts(conn: sqlite3.Connection, residence: str, today: date) -> list[Fact]:
    since = window_start(today).isoformat()
    rows = conn.execute(
        f"SELECT f.id, f.fact, f.gravity, f.frequency, f.observed_on, f.source, {LEVEL_SQL}, "
        "coalesce(f.withdrawn, 0) = 0 AND f.observed_on >= ?, coalesce(f.withdrawn, 0) "
        "FROM site_facts f WHERE f.residence_id = ? ORDER BY f.observed_on DESC, f.id",
        (since, residence)).fetchall()
    return [Fact(*row[:7], bool(row[7]), bool(row[8])) for row in rows]


def show(store, residence_name: str, today: date) -> dict[str, Any]:
    """A site's level today, its stored level, its facts and the level's history."""
    require_pilot(store.role)
    return of_residence(store, residence_id(store.conn, residence_name), today)


def of_residence(store, rid: str, today: date) -> dict[str, Any]:
    """`show` of the residence with this id (the pilot's residence view)."""
    require_pilot(store.role)
    conn = store.conn
    name, landlord, commune, stored = conn.execute(
        "SELECT r.name, l.name, c.name, r.site_level FROM residences r "
        "LEFT JOIN landlords l ON l.id = r.landlord_id "
        "LEFT JOIN communes c ON c.id = r.commune_id WHERE r.id = ?", (rid,)).fetchone()
    history = [{"when": op["hlc"], "actor": op["actor"], "old": op["old"], "new": op["new"],
                "reason": op["reason"]}
               for op in journal.history(conn, "residences", [rid]) if op["field"] == "site_level"]
    return {"residence": name, "landlord": landlord, "commune": commune,
            "level": levels(conn, today, rid).get(rid), "stored_level": stored,
            "since": window_start(today).isoformat(),
            "facts": [f.as_json() for f in facts(conn, rid, today)], "history": history}


_LIST = f"""SELECT r.id, r.name, l.name, c.name, r.site_level,
  (SELECT max({LEVEL_SQL}) FROM site_facts f WHERE f.residence_id = r.id
     AND coalesce(f.withdrawn, 0) = 0 AND f.observed_on >= :since) AS level,
  (SELECT count(*) FROM site_facts f WHERE f.residence_id = r.id
     AND coalesce(f.withdrawn, 0) = 0 AND f.observed_on >= :since),
  (SELECT max(f.observed_on) FROM site_facts f WHERE f.residence_id = r.id
     AND coalesce(f.withdrawn, 0) = 0)
FROM residences r
LEFT JOIN landlords l ON l.id = r.landlord_id
LEFT JOIN communes c ON c.id = r.commune_id
WHERE r.site_level IS NOT NULL OR r.id IN (SELECT residence_id FROM site_facts)
ORDER BY coalesce(level, 0) DESC, c.name, r.name"""


def listing(store, today: date, level: int | None = None) -> list[dict[str, Any]]:
    """The classified sites, highest level first (`level`: only those at that level today)."""
    require_pilot(store.role)
    rows = store.conn.execute(_LIST, {"since": window_start(today).isoformat()}).fetchall()
    out = [{"residence": name, "landlord": landlord, "commune": commune, "level": now,
            "stored_level": stored, "facts": count, "last_fact": last}
           for _rid, name, landlord, commune, stored, now, count, last in rows]
    return [row for row in out if level is None or row["level"] == level]
