"""Where vigikfield keeps its files (platform folders, overridable: `settings.home`)."""

from __future__ import annotations

from pathlib import Path

import platformdirs

from . import settings

APP = "vigikfield"


def data_dir() -> Path:
    return settings.current().home or Path(platformdirs.user_data_dir(APP))


def default_db() -> Path:
    """The `db` setting (`VIGIKFIELD_DB`), else ``<user data folder>/vigikfield.db``."""
    return settings.current().db or data_dir() / "vigikfield.db"


def log_dir() -> Path:
    return settings.current().home or Path(platformdirs.user_log_dir(APP))
