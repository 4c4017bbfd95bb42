"""The pilot's bundle folders: where work orders go (outbox) and where the technicians'
bundles arrive (inbox), and the check that a folder can be used.

Both sit beside the database by default (``terrain.db`` → ``terrain.outbox/``,
``terrain.inbox/``), owner-only like everything vigikfield writes
(`private`). A folder typed by the pilot (a USB key) is taken as it is; a
relative one is read from the database's folder, so "terrain.inbox" always
means the inbox beside the database, whatever folder the TUI was started in.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

from ..i18n import TranslatedError
from . import private


class FolderError(TranslatedError):
    """A folder that cannot be used as asked; nothing was written."""

    prefix = "orders.folder."
    exit_code = 2


def outbox(db_path: Path) -> Path:
    return db_path.with_name(db_path.stem + ".outbox")


def inbox(db_path: Path) -> Path:
    return db_path.with_name(db_path.stem + ".inbox")


def shown(folder: Path, db_path: Path) -> str:
    """How a folder is shown: relative to the database's folder when it is inside it."""
    try:
        return str(folder.relative_to(db_path.parent))
    except ValueError:
        return str(folder)


def resolve(text: str, db_path: Path) -> Path:
    """The folder a person typed: ``~`` expanded, a relative path read from the database's folder."""
    text = text.strip()
    if not text:
        raise FolderError("empty")
    path = Path(text).expanduser()
    return path if path.is_absolute() else db_path.parent / path


def make_default(folder: Path) -> Path:
    """The default outbox or inbox, made (0700) if missing: vigikfield's own folder."""
    return private.make_dir(folder, tighten=True)


def check(folder: Path, *, write: bool) -> Path:
    """`folder` if it exists, is a folder and can be read (and written, with `write`);
    else a refusal in plain words naming it."""
    if not folder.exists():
        raise FolderError("missing", folder=folder)
    if not folder.is_dir():
        raise FolderError("not_folder", folder=folder)
    if not os.access(folder, os.R_OK | os.X_OK):
        raise FolderError("not_readable", folder=folder)
    if write and not os.access(folder, os.W_OK | os.X_OK):
        raise FolderError("not_writable", folder=folder)
    return folder


def slug(text: str) -> str:
    """`text` as a portable file name part: ASCII letters, digits and dashes."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80] or "x"


def free_name(folder: Path, stem: str, suffix: str) -> Path:
    """``folder/stem+suffix``, or ``stem-2``, ``stem-3``… when taken: never over a file."""
    candidate, n = folder / f"{stem}{suffix}", 1
    while candidate.exists():
        n += 1
        candidate = folder / f"{stem}-{n}{suffix}"
    return candidate
