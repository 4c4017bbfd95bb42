"""Confidential means confidential (issue 13, part 6): the site classification's facts
and levels appear in no output of any command — terminal, file or bundle — unless the
pilot asks with --include-confidential, and then the file says so.

Every command of the CLI is listed in INVOCATIONS (a test fails when one is not):
a new command must say how it is run here, or why it cannot show anything.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import date
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from vigikfield import i18n
from vigikfield.cli import build_cli
from vigikfield.domain import classification, demo
from vigikfield.domain.store import Store
from vigikfield.exports.table import CONFIDENTIAL_MARK

FACT = "Trafic-secret-Q7XW"         # a fact's text, found nowhere else
SOURCE = "Source-secrete-Z9KD"      # its source
SECRETS = (FACT, SOURCE, "site_level", "site_facts", "niveau de classification")

# command path -> invocations (each a list of arguments; {placeholders} filled in),
# or a string: why the command cannot show classification data.
INVOCATIONS: dict[str, list[list[str]] | str] = {
    "demo": "creates the demo territory in an empty database; it opens the TUI",
    "search": [["{residence_word}"], ["{code}"]],
    "journal verify": [[]],
    "journal show": [["{code}"], ["{code}", "--json"]],
    "profile show": [[], ["--json"]],
    "profile set": "writes the local profile; prints what it set",
    "encode": [["{code}", "--outcome", "no_access", "--reason", "absent"]],
    "authorise": [["{residence}", "--by", "M. Dupont", "--window", "08:00-12:00"]],
    "authorisations": [[], ["--json"], ["--pending", "--refused", "--json"]],
    "hall show": [["{code}"], ["{code}", "--json"]],
    "hall list": [[], ["--json"], ["--residence", "{residence}", "--json"]],
    "import": "reads a landlord's inventory; prints counts and errors",
    "landlord set": "sets a landlord's phone; prints it",
    "card enroll": "needs a card on a reader",
    "card list": [[], ["--json"]],
    "card revoke": "revokes a card; prints its fingerprint",
    "card check": "needs a card on a reader",
    "simulate centrale": "runs a simulated centrale on a pseudo-terminal",
    "centrale identify": "needs a centrale on a serial port",
    "centrale add-service": "needs a centrale on a serial port",
    "hw check": [[]],
    "labels": [["--residence", "{residence}", "--out", "{out}.pdf"],
               ["--hall", "{code}", "--out", "{out}.svg"]],
    "device show": [[], ["--public-key"]],
    "device role": "sets the device's role; prints it",
    "device renew": "renews the device id and key; prints them",
    "trust add": "adds a key; prints it",
    "trust list": [[], ["--json"]],
    "trust revoke": "revokes a key; prints its name",
    "bundle export": [["--out", "{out}.vfb"], ["--everything", "--out", "{out}.vfb"]],
    "bundle workorder": [["--technician", "Inès", "--residence", "{residence}",
                          "--out", "{out}.vfb"]],
    "bundle maintenance": [["--landlord", "{landlord}", "--out", "{out}.vfb"]],
    "workorder list": [[], ["--json"]],
    "workorder close": "closes a work order; prints its id, technician and date",
    "residence list": [[], ["--json"]],
    "residence add": "adds a residence to the checklist; prints its name",
    "hall add": "adds a hall to the checklist; prints its code and label",
    "hall edit": "corrects a hall's fields; prints how many changed",
    "hall replace-centrale": "records a new centrale; prints the hall's code",
    "hall re-encode": "renews the centrale's record; prints the hall's code",
    "hall retire": "retires a hall; prints its code",
    "hall restore": "restores a hall; prints its code",
    "bundle import": "reads a work order bundle from the pilot",
    "bundle merge": "reads technicians' bundles",
    "conflicts list": [[], ["--json"]],
    "conflicts resolve": "settles one conflict; prints its fields",
    "export geojson": [["--out", "{out}.geojson"],
                       ["--landlord", "{landlord}", "--out", "{out}.geojson"]],
    "report progress": [[], ["--by", "residence"], ["--by", "technician", "--json"],
                        ["--by", "qpv", "--json", "--out", "{out}.json"]],
    "goal show": [[], ["--json"]],
    "goal set": "sets the pilot's goal (two counts of dwellings); prints them",
    "report calendar": [[], ["--json"], ["--format", "json", "--out", "{out}.json"]],
    "report costs": [[], ["--json"], ["--by", "payer"], ["--format", "json", "--out", "{out}.json"]],
    "report kit": [[], ["--json"], ["--format", "json", "--out", "{out}.json"]],
    "costs show": [[], ["--json"]],
    "costs set": "sets one cost parameter; prints its name and value",
    "police set": "sets a police office's equipment; prints its fields",
    "serve": "serves the TUI behind a token; prints its address (tabs see what the TUI shows)",
    "report authorisations": [[], ["--json"], ["--format", "csv", "--out", "{out}.csv"]],
    "report replacements": [[], ["--json"], ["--format", "csv", "--out", "{out}.csv"],
                            ["--format", "xlsx", "--out", "{out}.xlsx"]],
    "report-failure": "records an access-failure report; prints its number and the hall's code",
    "failure close": "closes access-failure reports; prints their numbers",
    "failure list": [[], ["--json"], ["--open", "--format", "csv", "--out", "{out}.csv"]],
    "report failures": [[], ["--json"], ["--by", "month", "--json"],
                        ["--format", "xlsx", "--out", "{out}.xlsx"]],
    "report vigik-plus": [[], ["--json"], ["--format", "csv", "--out", "{out}.csv"]],
    "report all": [["--json"], ["--format", "csv"], ["--format", "xlsx", "--out", "{out}.xlsx"]],
    "report pdf": [["--out", "{out}.pdf"], ["--map", "--out", "{out}.pdf"]],
    # the classification's own commands: the pilot's, confidential by purpose
    "site add-fact": "the classification itself (pilot only: tests/test_classification.py)",
    "site withdraw-fact": "the classification itself (pilot only)",
    "site show": "the classification itself (pilot only)",
    "site list": "the classification itself (pilot only)",
    "site review": "the classification itself (pilot only)",
}
# Invocations that carry the classification on purpose, and must say so.
CONFIDENTIAL_INVOCATIONS: dict[str, list[list[str]]] = {
    "export geojson": [["--include-confidential", "--out", "{out}.geojson"]],
    "report pdf": [["--include-confidential", "--map", "--out", "{out}.pdf"]],
}


def _leaves(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from _leaves(command, prefix + (name,))
        else:
            yield " ".join(prefix + (name,))


def test_every_command_says_how_it_keeps_the_classification_out():
    assert set(_leaves(build_cli())) == set(INVOCATIONS)


@pytest.fixture(scope="module")
def pilot_db(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    path = tmp_path_factory.mktemp("confidential") / "pilot.db"
    store = Store(path)
    demo.ensure(store)
    residence, landlord, code = store.conn.execute(
        "SELECT r.name, l.name, h.code FROM residences r JOIN landlords l ON l.id = r.landlord_id "
        "JOIN halls h ON h.residence_id = r.id ORDER BY r.name, h.code LIMIT 1").fetchone()
    classification.add_fact(store, residence, fact=FACT, gravity="extreme",
                            frequency="quotidienne", observed_on=date.today(), source=SOURCE,
                            today=date.today())
    assert store.conn.execute("SELECT site_level FROM residences WHERE name = ?",
                              (residence,)).fetchone()[0] == 4
    store.close()
    return path, {"residence": residence, "landlord": landlord, "code": code,
                  "residence_word": residence.split()[-1]}


def _run(db: Path, args: list[str]):
    i18n.set_language("fr")
    return CliRunner().invoke(build_cli(), ["--db", str(db), *args])


def _outputs(result, files: list[Path]) -> bytes:
    data = (result.output or "").encode()
    for path in files:
        targets = [path] if path.is_file() else sorted(path.rglob("*")) if path.exists() else []
        for target in targets:
            if target.is_file():
                raw = target.read_bytes()
                data += raw
                if target.suffix == ".pdf":
                    import pdfplumber

                    with pdfplumber.open(target) as pdf:
                        data += "\n".join(p.extract_text() or "" for p in pdf.pages).encode()
                if target.suffix == ".vfb":
                    data += _bundle_text(target)
                if target.suffix == ".xlsx":  # a zip: its cells and sheet names as text
                    data += _workbook_text(target)
    return data


def _workbook_text(path: Path) -> bytes:
    import openpyxl

    book = openpyxl.load_workbook(path)
    return "\n".join([*book.sheetnames, *(repr(c.value) for ws in book for row in ws.iter_rows()
                                           for c in row)]).encode()


def _bundle_text(path: Path) -> bytes:
    """A bundle's ops as text (it is an SQLite file: its pages may be compressed)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        rows = [repr(row) for table in tables for row in conn.execute(f"SELECT * FROM {table}")]
    finally:
        conn.close()
    return "\n".join(rows).encode()


def _fill(args: list[str], names: dict[str, str], out: Path) -> list[str]:
    return [a.format(out=out, **names) for a in args]


def _cases(table):
    for command, invocations in table.items():
        if isinstance(invocations, str):
            continue
        for i, args in enumerate(invocations):
            yield pytest.param(command, args, id=f"{command}-{i}")


def _invoke(pilot_db, tmp_path: Path, command: str, args: list[str]):
    """Run one invocation on a copy of the pilot's database: its result, the arguments as
    filled in, and everything it showed or wrote (terminal, files, bundles)."""
    source, names = pilot_db
    db = tmp_path / "copy.db"
    shutil.copyfile(source, db)
    out = tmp_path / "out"
    filled = _fill(args, names, out)
    result = _run(db, [*command.split(), *filled])
    files = [Path(a) for a in filled if a.startswith(str(out))]
    return result, filled, _outputs(result, files)


@pytest.mark.parametrize("command, args", list(_cases(INVOCATIONS)))
def test_no_output_carries_the_classification(pilot_db, tmp_path, command, args):
    result, filled, data = _invoke(pilot_db, tmp_path, command, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    for secret in SECRETS:
        assert secret.encode() not in data, (command, filled, secret)
    if command in ("hall show", "hall list", "journal show") and "--json" in filled:
        text = result.output
        assert '"level"' not in text and "site" not in json.dumps(json.loads(text))


@pytest.mark.parametrize("command, args", list(_cases(CONFIDENTIAL_INVOCATIONS)))
def test_asked_for_it_comes_marked_confidential(pilot_db, tmp_path, command, args):
    result, _filled, data = _invoke(pilot_db, tmp_path, command, args)
    assert result.exit_code == 0, result.output
    assert CONFIDENTIAL_MARK.encode() in data
    assert FACT.encode() not in data and SOURCE.encode() not in data  # the level, not the facts


def test_the_search_would_find_a_level_that_travelled(pilot_db, tmp_path):
    """The control: a work order the pilot sends with --include-confidential carries the
    level, and the same reading of outputs finds it (so the absences above mean something)."""
    source, names = pilot_db
    db = tmp_path / "copy.db"
    shutil.copyfile(source, db)
    out = tmp_path / "told.vfb"
    result = _run(db, ["bundle", "workorder", "--technician", "Inès", "--residence",
                       names["residence"], "--include-confidential", "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = _outputs(result, [out])
    assert b"site_level" in data
    assert FACT.encode() not in data  # the facts stay home even then
