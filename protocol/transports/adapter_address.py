"""Where this user's adapter service listens on this machine, defined once for every part.

Theory of operation: on Linux (and other Unix) the adapter serves a Unix socket in the
user's runtime folder, private by its permissions; Windows has no such per-user socket
the adapter can rely on, so there it serves loopback TCP guarded by a token, and
writes port and token to an endpoint file only the user can read
(``protocol.transports.local_tcp``). The app's ``auto`` transport, the RDP relay,
the Citrix driver (in C, same paths) and the adapter's own defaults all read these.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def runtime_folder() -> Path:
    """``$XDG_RUNTIME_DIR``, else a per-user folder under /tmp."""
    getuid = getattr(os, "getuid", lambda: 0)
    return Path(os.environ.get("XDG_RUNTIME_DIR") or f"/tmp/softphone-{getuid()}")


def default_adapter_socket() -> Path:
    """The adapter's Unix socket: ``$XDG_RUNTIME_DIR/softphone/adapter.sock``."""
    return runtime_folder() / "softphone" / "adapter.sock"


def default_endpoint_file() -> Path:
    """Where the adapter of this user writes its endpoint file (loopback TCP + token)."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "Softphone" / "adapter.endpoint"
    return runtime_folder() / "softphone" / "adapter.endpoint"


def uses_unix_socket() -> bool:
    """True where the adapter's local channel is a Unix socket (not on Windows)."""
    return sys.platform != "win32"
