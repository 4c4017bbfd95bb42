"""Owner-only files: databases, bundles, kept copies, keys and logs, whatever the umask.

Files are made 0600 and folders 0700 at creation (``os.open``/``os.mkdir``
honour the umask, so the mode is set again with ``fchmod``/``chmod``).
Folders that already exist are left alone unless they are vigikfield's own
(``tighten=True``): a database may live in the user's home folder. An existing
database is tightened at open (group and other bits dropped, silently); SQLite
creates its ``-wal``/``-shm`` files with the database file's mode, so a 0600
database gets 0600 sidecars. See docs/bundle-format.md, "File modes".
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
from pathlib import Path
from typing import IO

from ..i18n import TranslatedError

FILE_MODE = 0o600
DIR_MODE = 0o700
SIDECARS = ("-wal", "-shm", "-journal")
_FLAGS = {
    "x": os.O_WRONLY | os.O_CREAT | os.O_EXCL,
    "a": os.O_WRONLY | os.O_CREAT | os.O_APPEND,
}


def make_dir(path: str | os.PathLike, *, tighten: bool = False) -> Path:
    """Create `path` and its missing parents as 0700 folders; `tighten` also an existing `path`."""
    path = Path(path)
    missing = []
    level = path
    while not os.path.lexists(level) and level != level.parent:
        missing.append(level)
        level = level.parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, DIR_MODE)
        except FileExistsError:
            if not folder.is_dir():
                raise
            continue  # made meanwhile by someone else: not ours to change
        os.chmod(folder, DIR_MODE)
    if tighten and not missing:
        restrict(path)
    return path


def open_file(path: str | os.PathLike, mode: str = "x", **kwargs) -> IO:
    """Open an owner-only file: ``"x"``/``"xb"`` a new one, ``"a"``/``"ab"`` append (tightened)."""
    fd = os.open(path, _FLAGS[mode.replace("b", "")], FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, mode.replace("x", "w"), **kwargs)


def touch(path: str | os.PathLike) -> None:
    """A new, empty owner-only file (e.g. for VACUUM INTO, which accepts an empty target)."""
    open_file(path, "xb").close()


def copy(source: str | os.PathLike, target: str | os.PathLike) -> None:
    """Copy `source` into a new owner-only `target` (a stale `target` is removed first)."""
    Path(target).unlink(missing_ok=True)
    with open(source, "rb") as src, open_file(target, "xb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)


def restrict(path: str | os.PathLike) -> None:
    """Drop the group and other bits of an existing file or folder; silent if it cannot."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
        if mode & 0o077:
            os.chmod(path, mode & ~0o077)
    except OSError:
        pass  # missing, or not ours: nothing we may do


def prepare_database(path: str | os.PathLike) -> None:
    """Before SQLite opens `path`: its folder made (0700), the file made 0600 or tightened."""
    path = Path(path)
    try:
        make_dir(path.parent)
        touch(path)  # SQLite itself would create it 0644 (less the umask)
    except FileExistsError:
        restrict(path)
    except OSError:
        pass  # a read-only folder, a file in the way: SQLite refuses to open, in its words
    for suffix in SIDECARS:
        restrict(f"{path}{suffix}")


class CannotWrite(TranslatedError):
    """An output file that could not be written (missing folder, no right, disk full);
    nothing was left at its place."""

    prefix = "files."
    key = "cannot_write"


def write_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Write `data` to an owner-only `path` all at once: a temporary file beside it,
    flushed, then renamed over it (a reader, or a crash, never sees half a file).
    Raises `CannotWrite`, with the system's reason."""
    path = Path(path)
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        partial.unlink(missing_ok=True)
        with open_file(partial, "xb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(partial, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise CannotWrite(path=path, error=exc.strerror or exc) from None
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise
