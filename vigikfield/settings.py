"""One settings object: a TOML file in the platform's config folder, overridable by
environment variables, for every part of vigikfield (CLI, TUI, hardware, paths).

The file is ``<user config folder>/vigikfield/settings.toml`` (platformdirs:
``~/.config/vigikfield/settings.toml`` on Linux), or the file named by
``VIGIKFIELD_CONFIG``. Each setting can be overridden by ``VIGIKFIELD_<NAME>``
(``VIGIKFIELD_LANG=en``); the environment wins over the file, and a command-line
option (``--db``, ``--lang``) over both. Every setting is listed in
docs/settings.md (a test checks the two agree). Settings are read when asked
for (`current()`), so a test can point `VIGIKFIELD_CONFIG` at a temporary file.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

import platformdirs

from .i18n import EXIT_BAD_INPUT, TranslatedError

APP = "vigikfield"
CONFIG_ENV = "VIGIKFIELD_CONFIG"
ENV_PREFIX = "VIGIKFIELD_"


class SettingsError(TranslatedError):
    """A settings file or variable that cannot be used (names the file and the key)."""

    prefix = "settings."
    exit_code = EXIT_BAD_INPUT


@dataclass(frozen=True, slots=True)
class Settings:
    """Every setting, typed; None: not set (the default applies where it is used)."""

    home: Path | None = None
    """Folder for the databases, logs and label images (default: the platform's user
    data folder, e.g. ``~/.local/share/vigikfield``)."""

    db: Path | None = None
    """The database file opened when ``--db`` is not given (default:
    ``<home>/vigikfield.db``)."""

    lang: str | None = None
    """Interface language: ``fr`` (default) or ``en``."""

    actor: str | None = None
    """The name that signs changes when the database's profile has none (scripts)."""

    reader: str = "pcsc"
    """Card reader: ``pcsc`` (a USB PC/SC reader), ``sim`` (the demo's cards) or ``none``."""

    centrale: str = "manual"
    """Centrale link: ``manual`` (by hand with the service card), ``sim`` or
    ``serial:/dev/ttyUSB0``."""

    scanner: str = "wedge"
    """Label scanner: ``wedge`` (types like a keyboard) or ``serial:/dev/ttyACM0``."""


_PATHS = {"home", "db"}
_CHOICES = {"lang": ("fr", "en"), "reader": ("pcsc", "sim", "none")}


def names() -> tuple[str, ...]:
    return tuple(f.name for f in fields(Settings))


def config_file(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    named = env.get(CONFIG_ENV)
    return Path(named) if named else Path(platformdirs.user_config_dir(APP)) / "settings.toml"


def _read_file(path: Path) -> dict[str, object]:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise SettingsError("unreadable", path=path, error=exc.strerror or exc) from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError("bad_toml", path=path, error=exc) from None
    unknown = sorted(set(data) - set(names()))
    if unknown:
        raise SettingsError("unknown", path=path, key=unknown[0], known=", ".join(names()))
    return data


def _typed(name: str, value: object, where: str) -> object:
    if not isinstance(value, str):
        raise SettingsError("not_text", where=where, key=name)
    value = value.strip()
    if not value:
        return None
    if name in _CHOICES and value not in _CHOICES[name]:
        raise SettingsError("bad_choice", where=where, key=name, value=value,
                            choices=", ".join(_CHOICES[name]))
    return Path(value).expanduser() if name in _PATHS else value


def load(env: Mapping[str, str] | None = None) -> Settings:
    """The settings: defaults, then the file, then ``VIGIKFIELD_*`` variables."""
    env = os.environ if env is None else env
    path = config_file(env)
    chosen: dict[str, object] = {}
    for name, value in _read_file(path).items():
        chosen[name] = _typed(name, value, str(path))
    for name in names():
        variable = f"{ENV_PREFIX}{name.upper()}"
        if variable in env:
            chosen[name] = _typed(name, env[variable], variable)
    defaults = Settings()
    return Settings(**{k: (getattr(defaults, k) if v is None else v) for k, v in chosen.items()})


def current() -> Settings:
    """The settings in force now (read each time: the file is small, tests change it)."""
    return load()
