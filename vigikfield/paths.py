"""Where vigikfield keeps its files (platform folders, overridable)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "vigikfield"


def data_dir() -> Path:
    return Path(os.environ.get("VIGIKFIELD_HOME") or platformdirs.user_data_dir(APP))


def default_db() -> Path:
    """`VIGIKFIELD_DB`, else ``<user data folder>/vigikfield.db``."""
    env = os.environ.get("VIGIKFIELD_DB")
    return Path(env) if env else data_dir() / "vigikfield.db"


def log_dir() -> Path:
    return Path(os.environ.get("VIGIKFIELD_HOME") or platformdirs.user_log_dir(APP))
