"""The connector's bearer token: one per user, in a file only its owner can read.

Desktop applications of the same user read the file to call the API; other users on
the same virtual-desktop server cannot, which is what keeps them off this agent's
phone even though the port is reachable by every local user.
"""

from __future__ import annotations

import hmac
import logging
import os
import secrets
import stat
from pathlib import Path

log = logging.getLogger(__name__)


class TokenFileError(Exception):
    """The token file cannot be created or read."""


def load_or_create_token(path: Path) -> str:
    """The token in ``path``, creating the file (mode 0600) with a fresh one if missing."""
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    token = secrets.token_urlsafe(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read(path)
    except OSError as exc:
        raise TokenFileError(f"cannot create the token file {path}: {exc.strerror}") from None
    with os.fdopen(fd, "w", encoding="ascii") as file:
        file.write(token + "\n")
    return token


def _read(path: Path) -> str:
    try:
        mode = path.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            log.warning("token file %s was readable by others; restricting it to its owner", path)
            path.chmod(0o600)
        token = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise
    except (OSError, UnicodeDecodeError) as exc:
        raise TokenFileError(f"cannot read the token file {path}: {exc}") from None
    if len(token) < 16:
        raise TokenFileError(f"the token in {path} is too short (at least 16 characters)")
    return token


def authorised(header: str, token: str) -> bool:
    """True when an ``Authorization`` header carries ``token`` (compared in constant time)."""
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())
