"""What a newcomer tripped over (issue 11): dates for people, elision, reasons in the
reader's language, translated checks and click strings, one error base."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

import tinyterritory
from vigikfield import i18n
from vigikfield.domain import reasons


@pytest.mark.parametrize(("lang", "day", "moment"), [
    ("fr", "01/12/2026", "01/12/2026 09:05"),
    ("en", "1 Dec 2026", "1 Dec 2026 09:05"),
])
def test_one_date_format_for_people(lang, day, moment, monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    import time
    time.tzset()
    i18n.set_language(lang)
    assert i18n.format_date("2026-12-01") == day
    assert i18n.format_date("2026-12-01T09:05:33+00:00") == day
    assert i18n.format_datetime("2026-12-01T09:05:33+00:00") == moment
    assert i18n.format_datetime(datetime(2026, 12, 1, 9, 5, tzinfo=timezone.utc)) == moment
    assert i18n.format_datetime("2026-12-01T09:05:33") == moment  # naive: stored UTC
    assert i18n.format_date("not a date") == "not a date" and i18n.format_date(None) == ""


def test_stored_utc_is_shown_local(monkeypatch):
    import time
    monkeypatch.setenv("TZ", "Europe/Paris")
    time.tzset()
    try:
        assert i18n.format_datetime("2026-12-01T23:30:00+00:00") == "02/12/2026 00:30"
    finally:
        monkeypatch.setenv("TZ", "UTC")
        time.tzset()


@pytest.mark.parametrize(("name", "french"), [
    ("Habitat 77", "d'Habitat 77"),
    ("Immobilière 3F", "d'Immobilière 3F"),
    ("Effidis", "d'Effidis"),
    ("Paris Habitat", "de Paris Habitat"),
    ("Hauts-de-Seine Habitat", "de Hauts-de-Seine Habitat"),  # aspirated h
    ("Les Foyers de Seine-et-Marne", "de Les Foyers de Seine-et-Marne"),
])
def test_elision(name, french):
    assert i18n.de(name) == french
    i18n.set_language("en")
    assert i18n.de(name) == f"of {name}"


def test_catalog_messages_elide():
    assert i18n.t("wizard.card.ok", service="S", landlord="Habitat 77") == (
        "Carte reconnue : S, carte d'Habitat 77.")
    assert "carte de service d'Habitat 77 au lecteur" in i18n.t(
        "wizard.panel.card", landlord="Habitat 77", status="")
    assert "carte de service de Paris Habitat" in i18n.t(
        "wizard.panel.card", landlord="Paris Habitat", status="")
    i18n.set_language("en")
    assert i18n.t("wizard.card.ok", service="S", landlord="Habitat 77") == (
        "Card recognised: S, Habitat 77's card.")


def test_no_french_catalog_says_de_before_a_placeholder():
    """Every "de {name}" of the catalogs goes through the elision."""
    import re
    bad = [(k, m) for k, m in i18n.catalog("fr").items()
           if re.search(r"\bde \{(landlord|wanted|name)\}", m)]
    assert bad == []


def test_reasons_are_codes_rendered_in_the_readers_language():
    stored = reasons.code("reason.import_file", file="recensement.csv")
    assert stored == 'reason.import_file {"file": "recensement.csv"}'
    assert reasons.render(stored) == "import de recensement.csv"
    assert reasons.render("reason.compatibility_check") == "vérification de compatibilité"
    i18n.set_language("en")
    assert reasons.render(stored) == "import of recensement.csv"
    # free text, old English reasons, unknown keys: shown as they are
    for text in ("vandalisée, remplacée", "compatibility check", "reason.nope", None, ""):
        assert reasons.render(text) == text
    with pytest.raises(KeyError):
        reasons.code("reason.nope")


def _encode_one(store, cli):
    ids = tinyterritory.build(store)
    code = store.get("halls", ids["al_a"])["code"]
    assert cli("encode", code, "--outcome", "encoded").exit_code == 0
    return code


def test_journal_show_in_the_readers_language(store, cli):
    code = _encode_one(store, cli)
    raw = {r[0] for r in store.conn.execute("SELECT reason FROM ops WHERE reason IS NOT NULL")}
    assert raw == {"reason.card_override"}
    fr = cli("journal", "show", code)
    assert fr.exit_code == 0, fr.output
    assert "sans carte de service (motif du technicien)" in fr.output
    assert "reason." not in fr.output
    today = datetime.now(timezone.utc).astimezone()
    assert today.strftime("%d/%m/%Y") in fr.output
    en = cli("journal", "show", code, lang="en")
    assert "no service card (technician's reason)" in en.output and "motif" not in en.output
    assert f"{today.day} {today:%b} {today.year}" in en.output
    rows = json.loads(cli("journal", "show", code, "--json").output)
    assert all(datetime.fromisoformat(r["when"]).utcoffset().total_seconds() == 0 for r in rows)
    assert "reason.card_override" in {r["reason"] for r in rows}


def test_hall_show_dates_and_command_line_reason(store, cli):
    code = _encode_one(store, cli)
    today = datetime.now(timezone.utc).astimezone()
    fr = cli("hall", "show", code)
    assert today.strftime("%d/%m/%Y") in fr.output and "saisi en ligne de commande" in fr.output
    en = cli("hall", "show", code, lang="en")
    assert "recorded from the command line" in en.output


def _tamper(db_path, sql, *params):
    import sqlite3
    raw = sqlite3.connect(db_path)
    raw.execute(sql, params)
    raw.commit()
    raw.close()


def test_journal_verify_names_the_hall_by_code_and_the_field_by_label(store, cli, db_path):
    ids = tinyterritory.build(store)
    code = store.get("halls", ids["al_a"])["code"]
    dwellings = store.get("halls", ids["al_a"])["dwellings"]
    _tamper(db_path, "UPDATE halls SET dwellings = 99 WHERE id = ?", ids["al_a"])
    fr = cli("journal", "verify")
    assert fr.exit_code == 1
    assert fr.output.strip() == (
        f"Journal incohérent : le hall {code}, champ « {i18n.t('field.halls.dwellings')} » : "
        f"contient 99, le journal dit {dwellings!r} (modifié en dehors de l'application)")
    assert ids["al_a"] not in fr.output
    en = cli("journal", "verify", lang="en")
    assert en.exit_code == 1
    i18n.set_language("en")
    assert f"hall {code}, field \"{i18n.t('field.halls.dwellings')}\": holds 99" in en.output
    assert "journal" in en.output and "Journal incohérent" not in en.output


def test_journal_verify_names_an_altered_op(store, cli, db_path):
    tinyterritory.build(store)
    _tamper(db_path, "UPDATE ops SET reason = 'x' WHERE seq = 3")
    result = cli("journal", "verify")
    assert result.exit_code == 1 and "opération modifiée" in result.output
    assert "champ « " in result.output


@pytest.mark.parametrize(("lang", "usage", "help_line", "heading"), [
    ("fr", "Utilisation : vigikfield", "Affiche cette aide et quitte.", "Options :"),
    ("en", "Usage: vigikfield", "Show this message and exit.", "Options:"),
])
def test_click_help_is_translated(cli, lang, usage, help_line, heading):
    result = cli("--help", lang=lang)
    assert result.exit_code == 0
    assert result.output.startswith(usage) and help_line in result.output
    assert heading in result.output.splitlines()
    if lang == "fr":
        assert "Show this message" not in result.output and "Usage:" not in result.output
        assert "Affiche la version et quitte." in result.output
        assert "Commandes :" in result.output
    sub = cli("encode", "--help", lang=lang)
    assert sub.exit_code == 0 and help_line in sub.output


@pytest.mark.parametrize(("lang", "texts"), [
    ("fr", ("Erreur : Option inconnue : --bogus.", "Essayez « vigikfield --help » pour l'aide.")),
    ("en", ("Error: No such option '--bogus'.", "Try 'vigikfield --help' for help.")),
])
def test_click_errors_are_translated(cli, lang, texts):
    result = cli("--bogus", lang=lang)
    assert result.exit_code == 2
    for text in texts:
        assert text in result.output
    missing = cli("encode", "ABCDEFG", lang=lang)
    assert missing.exit_code == 2
    assert ("Option manquante" if lang == "fr" else "Missing option") in missing.output
    bad_choice = cli("encode", "ABCDEFG", "--outcome", "nope", lang=lang)
    assert bad_choice.exit_code == 2
    assert ("Valeur incorrecte pour" if lang == "fr" else "Invalid value for") in bad_choice.output


def test_version_in_both_languages(cli):
    from importlib.metadata import version
    for lang in ("fr", "en"):
        result = cli("--version", lang=lang)
        assert result.exit_code == 0 and result.output.strip() == f"vigikfield, version {version('vigikfield')}"


def test_every_click_message_has_a_catalog_entry():
    from vigikfield.commands import click_text
    for key in click_text.MESSAGES.values():
        assert key in i18n.catalog("fr") and key in i18n.catalog("en")
    # the English catalog gives click's own text back
    i18n.set_language("en")
    for msgid, key in click_text.MESSAGES.items():
        if msgid not in ("file", "directory", "path", "Positional arguments"):
            assert i18n.t(key) == msgid, key


def test_wizard_errors_speak_the_users_language(store):
    from vigikfield.domain import wizard
    ids = tinyterritory.build(store)
    state = wizard.open_hall(store, ids["al_a"])
    with pytest.raises(wizard.WizardError) as err:
        wizard.no_access(store, state, "  ")
    assert str(err.value) == "Un motif est nécessaire." and err.value.exit_code == 2
    i18n.set_language("en")
    assert str(err.value) == "A reason is needed."


def test_user_facing_errors_share_one_base():
    from vigikfield.domain import cards, labels, profile, rights, values, windows, wizard
    from vigikfield.hardware import errors as hw
    from vigikfield_sync import SyncError
    for cls in (wizard.WizardError, labels.LabelError, labels.LabelInputError, cards.CardRegistryError,
                windows.WindowError, rights.RightsError, values.BadValue, profile.ProfileError,
                hw.HardwareError, SyncError):
        assert issubclass(cls, i18n.TranslatedError), cls
    assert labels.LabelInputError.exit_code == 2 and labels.LabelError.exit_code == 1
    assert not hasattr(labels.LabelError("no_hall", code="X"), "bad_input")


def test_command_modules_do_not_import_the_cli():
    from pathlib import Path

    import vigikfield.commands as commands
    for path in Path(commands.__file__).parent.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "from ..cli import" not in text and "from vigikfield.cli" not in text, path


def test_encode_names_the_argument_as_typed(store, cli):
    tinyterritory.build(store)
    result = cli("encode", "wbfrbx8", "--outcome", "encoded")
    assert result.exit_code == 2
    assert "--code" not in result.output
    assert "HALL_CODE « wbfrbx8 » : aucun hall ne porte le code WBFRBX8." in result.output


def _work_order(tmp_path):
    import vigikfield_sync as sync
    from sync_world import World
    world = World(tmp_path / "world")
    order = tmp_path / "ordre.vfb"
    sync.workorder(world.pilot, order, technician="paul", residences=["Les Mézereaux"])
    return world, order


def test_refused_bundle_import_creates_no_database(tmp_path, cli, db_path):
    _, order = _work_order(tmp_path)
    assert not db_path.exists()
    for lang, text in (("fr", "vigikfield trust add CLÉ_DU_PILOTE --name pilote --role pilot"),
                       ("en", "vigikfield trust add PILOT_KEY --name pilot --role pilot")):
        result = cli("bundle", "import", str(order), lang=lang)
        assert result.exit_code == 1, result.output
        assert text in result.output and "Traceback" not in result.output
        assert not db_path.exists()
        assert not any(p.name.startswith(db_path.name) for p in db_path.parent.iterdir())


def test_untrusted_work_order_says_which_command_to_run(tmp_path, cli, db_path):
    from vigikfield_sync import keys
    world, order = _work_order(tmp_path)
    assert cli("device", "show").exit_code == 0  # the database exists, trusts nobody
    result = cli("bundle", "import", str(order))
    assert result.exit_code == 1
    assert "vigikfield trust add CLÉ_DU_PILOTE --name pilote --role pilot" in result.output
    # the set-up the README gives, in its order: trust the pilot, then import
    assert cli("trust", "add", keys.key_text(world.pilot), "--name", "pilote",
               "--role", "pilot").exit_code == 0
    imported = cli("bundle", "import", str(order))
    assert imported.exit_code == 0, imported.output


def test_settings_file_then_environment(tmp_path, monkeypatch, capsys):
    from vigikfield import paths, settings
    from vigikfield.hardware.factory import HardwareConfig
    config = tmp_path / "settings.toml"
    monkeypatch.setenv("VIGIKFIELD_CONFIG", str(config))
    monkeypatch.delenv("VIGIKFIELD_HOME")
    monkeypatch.delenv("VIGIKFIELD_ACTOR")
    assert settings.current() == settings.Settings()
    config.write_text(f'home = "{tmp_path / "data"}"\nlang = "en"\nreader = "none"\n'
                      'actor = "Marie"\n', encoding="utf-8")
    now = settings.current()
    assert (now.home, now.lang, now.reader, now.actor) == (tmp_path / "data", "en", "none", "Marie")
    assert paths.default_db() == tmp_path / "data" / "vigikfield.db"
    assert HardwareConfig.from_env().reader == "none"
    monkeypatch.setenv("VIGIKFIELD_READER", "sim")  # the environment wins over the file
    monkeypatch.setenv("VIGIKFIELD_DB", str(tmp_path / "x.db"))
    assert HardwareConfig.from_env().reader == "sim" and paths.default_db() == tmp_path / "x.db"
    # the CLI takes the language from the file when --lang is not given
    from vigikfield.cli import main
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0 and "Show this message and exit." in capsys.readouterr().out


@pytest.mark.parametrize(("text", "key", "exit_code"), [
    ('colour = "blue"\n', "settings.unknown", 2),
    ('reader = "usb"\n', "settings.bad_choice", 2),
    ("lang = [\n", "settings.bad_toml", 2),
    ("reader = 3\n", "settings.not_text", 2),
])
def test_bad_settings_are_refused_naming_file_and_key(tmp_path, monkeypatch, text, key, exit_code):
    from vigikfield import settings
    from vigikfield.cli import main
    config = tmp_path / "settings.toml"
    config.write_text(text, encoding="utf-8")
    monkeypatch.setenv("VIGIKFIELD_CONFIG", str(config))
    with pytest.raises(settings.SettingsError) as err:
        settings.current()
    assert f"{err.value.prefix}{err.value.key}" == key
    assert str(config) in str(err.value)
    with pytest.raises(SystemExit) as done:
        main(["search", "x"])
    assert done.value.code == exit_code


def test_every_setting_is_documented():
    from pathlib import Path

    from vigikfield import settings
    doc = (Path(__file__).parents[1] / "docs" / "settings.md").read_text(encoding="utf-8")
    for name in settings.names():
        assert f"| `{name}` | `VIGIKFIELD_{name.upper()}` |" in doc, name
    import ast
    import inspect
    tree = ast.parse(inspect.getsource(settings.Settings))
    body = tree.body[0].body
    documented = {body[i].target.id for i in range(len(body) - 1)
                  if isinstance(body[i], ast.AnnAssign) and isinstance(body[i + 1], ast.Expr)}
    assert documented == set(settings.names())


def test_demo_says_what_its_view_shows(tmp_path, cli, db_path, monkeypatch):
    monkeypatch.delenv("VIGIKFIELD_ACTOR")  # the demo technician, as a newcomer would see it
    result = cli("demo", "--no-ui")
    assert result.exit_code == 0, result.output
    assert "technicien de démonstration" in result.output
    assert "de son ordre de mission, sur les" in result.output
    assert f"« vigikfield --db {db_path} » (sans « demo ») montre tout le territoire." in result.output
    assert "his work order" in i18n.catalog("en")["tui.subtitle_demo"]
    assert "ordre de mission" in i18n.catalog("fr")["tui.subtitle_demo"]


def test_hardware_does_not_import_the_demo_and_the_demo_not_the_hardware():
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-c", "import vigikfield.domain.demo, sys; "
                          "print([m for m in sys.modules if m.startswith('vigikfield.hardware')])"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == "[]", out.stderr
    out = subprocess.run([sys.executable, "-c", "import vigikfield.hardware.sim_reader, "
                          "vigikfield.hardware.factory, sys; print('vigikfield.domain.demo' in sys.modules)"],
                         capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False", out.stderr


@pytest.mark.parametrize("header", ["Téléphone", "Contact", "Tél."])
def test_import_reads_the_landlords_phone(tmp_path, cli, db_path, header):
    from import_support import rows, write
    inventory = write(tmp_path / "inv.csv", [
        f"Bailleur|Commune|Code INSEE|Résidence|Entrée|Nb logements|{header}",
        "Habitat 77|Melun|77288|Les Mézereaux|A|12|",
        "Habitat 77|Melun|77288|Les Mézereaux|B|20|01 64 10 20 30",
        "Les Foyers|Melun|77288|Plein Ciel|1|8|01 60 00 00 00",
    ])
    result = cli("import", str(inventory))
    assert result.exit_code == 0, result.output
    assert rows(db_path, "SELECT name, phone FROM landlords ORDER BY name") == [
        ("Habitat 77", "01 64 10 20 30"), ("Les Foyers", "01 60 00 00 00")]


def test_landlord_set_phone_pilot_only_and_kept_by_reimport(tmp_path, cli, db_path, store):
    from import_support import rows, write
    inventory = write(tmp_path / "inv.csv", [
        "Bailleur|Commune|Code INSEE|Résidence|Entrée|Nb logements",
        "Habitat 77|Melun|77288|Les Mézereaux|A|12",
    ])
    assert cli("import", str(inventory)).exit_code == 0
    result = cli("landlord", "set", "habitat", "--phone", "01 64 99 99 99")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Bailleur Habitat 77 : téléphone 01 64 99 99 99."
    assert rows(db_path, "SELECT phone FROM landlords") == [("01 64 99 99 99",)]
    (reason,) = rows(db_path, "SELECT reason FROM ops WHERE entity = 'landlords' AND field = 'phone'")
    assert reason == ("reason.landlord_set",)
    assert cli("import", str(inventory)).exit_code == 0  # no phone column: the number stays
    assert rows(db_path, "SELECT phone FROM landlords") == [("01 64 99 99 99",)]
    unknown = cli("landlord", "set", "Nobody", "--phone", "1")
    assert unknown.exit_code == 2 and "Habitat 77" in unknown.output
    # a technician may not change a landlord
    assert cli("profile", "set", "--role", "technician").exit_code == 0
    before = rows(db_path, "SELECT count(*) FROM ops")
    refused = cli("landlord", "set", "Habitat 77", "--phone", "00", lang="en")
    assert refused.exit_code == 2 and "Traceback" not in refused.output
    assert rows(db_path, "SELECT count(*) FROM ops") == before


def test_environment_variables_keep_working(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from vigikfield.cli import build_cli
    db = tmp_path / "env.db"
    monkeypatch.setenv("VIGIKFIELD_DB", str(db))
    monkeypatch.setenv("VIGIKFIELD_LANG", "en")
    result = CliRunner().invoke(build_cli(), ["search", "nothing-here"])
    assert result.exit_code == 1 and db.exists()
    assert i18n.language() == "en"
    monkeypatch.setenv("VIGIKFIELD_LANG", "de")
    bad = CliRunner().invoke(build_cli(), ["search", "x"])
    assert bad.exit_code == 2 and "VIGIKFIELD_LANG" in bad.output and "Traceback" not in bad.output
