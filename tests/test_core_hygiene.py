"""House rules checked mechanically: layers, translations, help texts."""

from __future__ import annotations

import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import vigikfield
from vigikfield import i18n

ROOT = Path(__file__).resolve().parents[1]


def _modules(package_dir: Path, prefix: str) -> list[str]:
    return [prefix + m.name for m in pkgutil.walk_packages([str(package_dir)], prefix)]


UI_FREE = (
    _modules(ROOT / "vigikfield" / "domain", "vigikfield.domain.")
    + _modules(ROOT / "vigikfield" / "hardware", "vigikfield.hardware.")
    + _modules(ROOT / "sync", "vigikfield_sync.")
    + ["vigikfield.cli", "vigikfield.domain", "vigikfield.hardware"]
)


def test_domain_sync_and_hardware_never_import_textual():
    code = (
        "import importlib, sys\n"
        f"for name in {UI_FREE!r}:\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except ImportError as exc:\n"
        "        if 'textual' in str(exc): raise\n"
        "bad = [m for m in sys.modules if m == 'textual' or m.startswith('textual.')]\n"
        "assert not bad, bad[:5]\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_both_languages_have_the_same_messages():
    fr, en = i18n.catalog("fr"), i18n.catalog("en")
    assert set(fr) == set(en), sorted(set(fr) ^ set(en))
    for key in fr:
        assert i18n.placeholders(fr[key]) == i18n.placeholders(en[key]), key
        assert fr[key].strip() and en[key].strip(), key


def _message_ids_in_code() -> set[str]:
    ids: set[str] = set()
    pattern = re.compile(r"""\bt\(\s*f?["']([a-z_]+(?:\.[a-z0-9_]+)+)["']""")
    binding = re.compile(r"""Binding\([^)]*?["']([a-z_]+\.key_[a-z0-9_]+)["']""", re.S)
    for path in (ROOT / "vigikfield").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        ids.update(m for m in pattern.findall(text) if "{" not in m)
        ids.update(binding.findall(text))
    return ids


def test_every_message_id_used_in_code_exists():
    fr = i18n.catalog("fr")
    missing = sorted(i for i in _message_ids_in_code() if i not in fr)
    assert not missing, missing


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_command_has_help(lang):
    from click.testing import CliRunner

    from vigikfield.cli import build_cli

    i18n.set_language(lang)
    cli = build_cli()

    def walk(group, path):
        for name, command in group.commands.items():
            assert command.help, (path, name)
            assert not re.fullmatch(r"[a-z_]+(\.[a-z0-9_]+)+", command.help), (path, name)
            if hasattr(command, "commands"):
                walk(command, path + [name])

    walk(cli, [])
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0 and "--db" in result.output


def test_version_is_exposed():
    assert vigikfield.__version__


def test_cli_docs_are_current():
    """docs/cli.md is generated from the commands' help: it must match them."""
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "cli_docs.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
