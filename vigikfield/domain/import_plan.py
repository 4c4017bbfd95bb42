"""From checked inventory rows to ops: stable ids, the difference with the database, the write.

`build` names every landlord, commune, QPV, residence and hall by a UUID5 of
its natural key and finds what only the whole file can show (a hall listed
twice, one INSEE code for two communes). `diff` compares with the rows already
in the database, loaded once, and keeps only the fields whose value differs;
`run` writes them in one transaction through the journal, or, for a dry run,
only counts them.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from . import journal, reasons
from .importer import NAMESPACE, PROJECT_NAME, Parsed, Problem, Row, key_text
from .journal import Change
from .model import ENTITIES, MAX_DWELLINGS, VIGIK_STATUSES
from .store import Store

TABLES = ("landlords", "communes", "qpvs", "residences", "halls")
PENDING_PROJECT = "(new project)"   # stands for the project a dry run would create
DETAILS = 20                         # changed fields shown one by one in the summary
# Page cache during the write (KiB, negative as SQLite wants): a 130,000-hall import
# touches ~1M op rows and their indexes; the default 2 MB cache spills them over and over.
WRITE_CACHE = -262_144


class ImportProblems(Exception):
    """The file is wrong somewhere: nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


Desired = dict[str, dict[str, dict[str, Any]]]   # table -> id -> field -> value


@dataclass
class Summary:
    """What the file holds and what importing it changes (or would change)."""

    residences: int = 0
    halls: int = 0
    dwellings: int = 0
    vigik: Counter = field(default_factory=Counter)
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    updated_fields: int = 0
    details: list[tuple[str, str, str, Any, Any]] = field(default_factory=list)
    kept: list[tuple[str, str]] = field(default_factory=list)   # (code, label) absent halls
    project_created: bool = False
    ops: int = 0


@lru_cache(maxsize=1 << 14)  # landlords and communes come back on every row
def uid(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "\x1f".join(parts)))


def build(rows: list[Row], project_id: str, known_insee: dict[str, str],
          columns: dict[str, str] | None = None) -> tuple[Desired, list[Problem]]:
    """The entities the file describes, keyed by stable ids, and the cross-row problems.

    `columns` (field -> header) lets a problem name the column it is about.
    """
    columns = columns or {}
    desired: Desired = {table: {} for table in TABLES}
    problems: list[Problem] = []
    codes: dict[str, set[str]] = {}
    for row in rows:
        if row.insee:
            codes.setdefault(key_text(row.commune), set()).add(row.insee)
    # A row without INSEE code joins the commune of that name, if the name has one code.
    insee_of = {**known_insee, **{name: next(iter(found)) for name, found in codes.items()
                                  if len(found) == 1}}
    names_by_insee: dict[str, tuple[str, Row]] = {}
    hall_lines: dict[str, int] = {}
    residence_qpv: dict[str, tuple[str | None, Row]] = {}
    landlords, communes, qpvs = desired["landlords"], desired["communes"], desired["qpvs"]
    residences, halls = desired["residences"], desired["halls"]
    for row in rows:
        landlord_id = uid("landlord", key_text(row.landlord))
        if landlord_id not in landlords:
            landlords[landlord_id] = {"project_id": project_id, "name": row.landlord,
                                      "phone": row.phone}
        elif row.phone and not landlords[landlord_id]["phone"]:
            landlords[landlord_id]["phone"] = row.phone  # the first row that gives one
        insee = row.insee or insee_of.get(key_text(row.commune))
        if insee:
            first = names_by_insee.setdefault(insee, (key_text(row.commune), row))
            if first[0] != key_text(row.commune):
                problems.append(Problem("import.insee_conflict", row.line,
                                        columns.get("commune"), {
                    "insee": insee, "name": row.commune, "other": first[1].commune,
                    "other_line": first[1].line}))
                continue
            commune_id = uid("commune", "insee", insee)
        else:
            commune_id = uid("commune", "name", key_text(row.commune))
        if commune_id not in communes:
            communes[commune_id] = {"insee": insee, "name": row.commune}
        qpv_id = None
        if row.qpv or row.qpv_code:
            qpv_id = uid("qpv", commune_id, key_text(row.qpv or row.qpv_code))
            qpvs.setdefault(qpv_id, {"commune_id": commune_id, "name": row.qpv,
                                     "code": row.qpv_code})
        place = row.residence or row.address
        residence_id = uid("residence", landlord_id, commune_id, key_text(place))
        residence = residences.get(residence_id)
        if residence is None:
            residence = residences[residence_id] = {
                "landlord_id": landlord_id, "commune_id": commune_id, "name": place,
                "address": row.address, "qpv_id": qpv_id, "lat": row.lat, "lon": row.lon,
            }
            residence_qpv[residence_id] = (qpv_id, row)
        else:
            first_qpv, first_row = residence_qpv[residence_id]
            if qpv_id and first_qpv and qpv_id != first_qpv:
                problems.append(Problem("import.qpv_conflict", row.line,
                                        columns.get("qpv") or columns.get("qpv_code"), {
                    "residence": place, "qpv": row.qpv or row.qpv_code,
                    "other": first_row.qpv or first_row.qpv_code, "other_line": first_row.line}))
            for name, value in (("address", row.address), ("qpv_id", qpv_id),
                                ("lat", row.lat), ("lon", row.lon)):
                if residence[name] is None:
                    residence[name] = value
        hall_id = uid("hall", residence_id, key_text(row.label or row.address))
        if hall_id in hall_lines:
            where = columns.get("hall") or columns.get("address") or columns.get("residence")
            problems.append(Problem("import.duplicate_hall", row.line, where, {
                "hall": row.label or row.address or place, "residence": place,
                "other_line": hall_lines[hall_id]}))
            continue
        hall_lines[hall_id] = row.line
        halls[hall_id] = {
            "residence_id": residence_id, "label": row.label, "address": row.address,
            "dwellings": row.dwellings, "brand": row.brand, "model": row.model,
            "vigik": row.vigik, "centrale_location": row.centrale_location, "notes": row.notes,
        }
    return desired, problems


def load(conn: sqlite3.Connection) -> Desired:
    """Every row of the tables an import touches, read once."""
    existing: Desired = {}
    for table in TABLES:
        names = tuple(ENTITIES[table])
        cursor = conn.execute(f"SELECT id, {', '.join(names)} FROM {table}")
        existing[table] = {row[0]: dict(zip(names, row[1:])) for row in cursor}
    return existing


def known_insee(communes: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Commune name -> INSEE code, for names the database knows under one code only."""
    codes: dict[str, set[str]] = {}
    for row in communes.values():
        if row["insee"] and row["name"]:
            codes.setdefault(key_text(row["name"]), set()).add(row["insee"])
    return {name: next(iter(found)) for name, found in codes.items() if len(found) == 1}


def _differs(old: Any, new: Any) -> bool:
    """Whether `new` changes `old`; case, accents and punctuation alone are no change."""
    if new is None:
        return False    # an empty cell never erases what the database knows
    if old is None:
        return True
    if isinstance(new, str) and isinstance(old, str):
        return key_text(old) != key_text(new)
    if isinstance(new, (int, float)) and isinstance(old, (int, float)):
        return float(old) != float(new)
    return journal.state_value(new) != old


def _residence_dwellings(desired: Desired, existing: Desired) -> list[Problem]:
    """Each residence's dwellings: the sum over its halls, those of the file and those kept.

    A sum past `MAX_DWELLINGS` (the most the model allows) is a problem of the file.
    """
    totals: dict[str, list[int | None]] = {rid: [] for rid in desired["residences"]}
    for hall_id, hall in desired["halls"].items():
        old = existing["halls"].get(hall_id, {})
        totals[hall["residence_id"]].append(
            hall["dwellings"] if hall["dwellings"] is not None else old.get("dwellings"))
    for hall_id, hall in existing["halls"].items():
        if hall["residence_id"] in totals and hall_id not in desired["halls"]:
            totals[hall["residence_id"]].append(hall["dwellings"])
    problems = []
    for residence_id, values in totals.items():
        known = [v for v in values if v is not None]
        residence = desired["residences"][residence_id]
        residence["dwellings"] = sum(known) if known else None
        if known and residence["dwellings"] > MAX_DWELLINGS:
            problems.append(Problem("import.residence_dwellings_too_many", None, None, {
                "residence": residence["name"], "total": residence["dwellings"],
                "max": MAX_DWELLINGS}))
    return problems


def _label(table: str, entity_id: str, fields: dict[str, Any]) -> str:
    if table == "halls":
        return " ".join(str(v) for v in (fields.get("code"), fields.get("label")
                                         or fields.get("address")) if v)
    return str(fields.get("name") or fields.get("code") or entity_id)


def diff(desired: Desired, existing: Desired, store: Store) -> tuple[list[Change], Summary]:
    """The changes that bring the database to the file, and the summary of both."""
    problems = _residence_dwellings(desired, existing)
    if problems:
        raise ImportProblems(problems)
    summary = Summary(residences=len(desired["residences"]), halls=len(desired["halls"]))
    taken = {h["code"] for h in existing["halls"].values() if h["code"]}
    changes: list[Change] = []
    for table in TABLES:
        have = existing[table]
        for entity_id, fields in desired[table].items():
            old = have.get(entity_id)
            if old is None:
                if table == "halls":
                    fields = {**fields, "code": store.free_hall_code(entity_id, taken),
                              "vigik": fields["vigik"] or "unknown"}
                changes.extend(Change(table, entity_id, name, value, new=True)
                               for name, value in fields.items() if value is not None)
                summary.created[table] += 1
                continue
            changed = [n for n, v in fields.items() if _differs(old[n], v)]
            if changed:
                summary.updated[table] += 1
                summary.updated_fields += len(changed)
                for name in changed:
                    changes.append(Change(table, entity_id, name, fields[name]))
                    if len(summary.details) < DETAILS:
                        summary.details.append((table, _label(table, entity_id, old), name,
                                                old[name], fields[name]))
    for entity_id, hall in desired["halls"].items():
        status = hall["vigik"] or existing["halls"].get(entity_id, {}).get("vigik") or "unknown"
        summary.vigik[status if status in VIGIK_STATUSES else "unknown"] += 1
    summary.dwellings = sum(r["dwellings"] or 0 for r in desired["residences"].values())
    summary.kept = sorted(
        (hall["code"] or "", hall["label"] or hall["address"] or "")
        for hall_id, hall in existing["halls"].items()
        if hall["residence_id"] in desired["residences"] and hall_id not in desired["halls"]
    )
    summary.ops = len(changes)
    return changes, summary


def run(store: Store, parsed: Parsed, file_name: str, *, dry_run: bool = False) -> Summary:
    """Check the file against the database and write the differences, all or nothing."""
    if parsed.problems:
        raise ImportProblems(parsed.problems)
    if dry_run:
        return _plan(store, parsed, store.project_id or PENDING_PROJECT)[1]
    (cache,) = store.conn.execute("PRAGMA cache_size").fetchone()
    store.conn.execute(f"PRAGMA cache_size = {WRITE_CACHE}")
    try:
        with store.transaction():
            project_created = store.project_id is None and bool(parsed.rows)
            project_id = (store.ensure_project(PROJECT_NAME) if project_created
                          else store.project_id)
            changes, summary = _plan(store, parsed, project_id or PENDING_PROJECT)
            store.record(changes, reason=reasons.code("reason.import_file", file=file_name))
    finally:
        store.conn.execute(f"PRAGMA cache_size = {int(cache)}")
    summary.project_created = project_created
    return summary


def _plan(store: Store, parsed: Parsed, project_id: str) -> tuple[list[Change], Summary]:
    existing = load(store.conn)
    desired, problems = build(parsed.rows, project_id, known_insee(existing["communes"]),
                              parsed.columns)
    if problems:
        raise ImportProblems(problems)
    changes, summary = diff(desired, existing, store)
    summary.project_created = project_id == PENDING_PROJECT and bool(parsed.rows)
    return changes, summary
