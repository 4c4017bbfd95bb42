"""The access token of `vigikfield serve`: made, read from a file, compared.

A token is always required, on loopback too (other users of the machine reach
127.0.0.1 as well). Generated: `secrets.token_urlsafe(32)` (43 characters, 256
bits). Read from ``--token-file``: the file's text without its surrounding
blanks, refused (nothing served) when it is missing, empty, readable by group
or other (``chmod 600``, as ssh does for its keys) or weaker than `MIN_LENGTH`
URL-safe characters (it travels in URLs and cookies as it is).
"""

from __future__ import annotations

import hmac
import os
import re
import secrets
import stat
from pathlib import Path

from ..i18n import EXIT_BAD_INPUT, TranslatedError

MIN_LENGTH = 16  # characters of a token read from a file
_URL_SAFE = re.compile(r"[A-Za-z0-9_\-.~]+")


class TokenError(TranslatedError):
    """A token file that cannot be used; nothing is served."""

    prefix = "serve.error."
    exit_code = EXIT_BAD_INPUT


def new_token() -> str:
    return secrets.token_urlsafe(32)


def read_token(path: Path) -> str:
    """The token held in `path`, or a `TokenError` naming the file and what is wrong."""
    try:
        info = os.stat(path)
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TokenError("token_missing", path=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TokenError("token_unreadable", path=path,
                         error=getattr(exc, "strerror", None) or exc) from None
    if os.name != "nt" and stat.S_IMODE(info.st_mode) & 0o077:
        raise TokenError("token_readable", path=path, mode=f"{stat.S_IMODE(info.st_mode):o}")
    token = text.strip()
    if not token:
        raise TokenError("token_empty", path=path)
    if len(token) < MIN_LENGTH or not _URL_SAFE.fullmatch(token):
        raise TokenError("token_weak", path=path, length=MIN_LENGTH)
    return token


def matches(offered: str | None, token: str) -> bool:
    """Whether `offered` is the token, in constant time (no early exit on the first
    differing character that a timing attack could measure)."""
    if not offered:
        return False
    return hmac.compare_digest(offered.encode("utf-8"), token.encode("utf-8"))
