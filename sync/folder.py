"""The bundle files of a folder (an inbox, a USB key), for the pilot's sync screen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .bundle import SUFFIX


@dataclass(frozen=True, slots=True)
class BundleFile:
    path: Path
    size: int             # bytes
    modified: str         # ISO 8601, UTC


def bundle_files(folder: Path) -> list[BundleFile]:
    """The ``*.vfb`` files directly in `folder`, by name (hidden and partial files left out)."""
    found = []
    for path in sorted(Path(folder).glob(f"*{SUFFIX}")):
        if path.name.startswith(".") or not path.is_file():
            continue
        st = path.stat()
        found.append(BundleFile(path, st.st_size, datetime.fromtimestamp(
            st.st_mtime, timezone.utc).isoformat(timespec="seconds")))
    return found
