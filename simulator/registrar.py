"""A kamailio registrar and proxy for tests, demos and benchmarks.

Kamailio runs in the foreground (``-DD -E``) so it can be stopped by its PID, with no
database: users live in an in-memory ``htable`` filled at start-up, locations in
``usrloc`` with ``db_mode=0``. REGISTER is challenged with digest authentication
(RFC 3261 section 22); other requests are proxied to the registered contact, or
relayed by their Request-URI when it is not a local user. ``alias`` carries the port,
else ACK and BYE towards UAs on 127.0.0.1 are not relayed.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

from simulator.processes import stop_group

KAMAILIO = "/usr/sbin/kamailio"
MODULE_PATH = "/usr/lib/x86_64-linux-gnu/kamailio/modules/"

_CONFIG = """#!KAMAILIO
debug={debug}
log_stderror=yes
children=2
tcp_children=2
listen=udp:{host}:{port}
listen=tcp:{host}:{port}
alias="{host}:{port}"
auto_aliases=no
mpath="{mpath}"

loadmodule "kex.so"
loadmodule "corex.so"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "sanity.so"
loadmodule "htable.so"
loadmodule "auth.so"

modparam("usrloc", "db_mode", 0)
modparam("registrar", "default_expires", {default_expires})
modparam("registrar", "min_expires", {min_expires})
modparam("htable", "htable", "users=>size=8;")
modparam("rr", "append_fromtag", 1)

event_route[htable:mod-init] {{
{users}
}}

request_route {{
    if (!mf_process_maxfwd_header("10")) {{
        sl_send_reply("483", "Too Many Hops");
        exit;
    }}
    if (has_totag()) {{
        if (loose_route()) {{
            t_relay();
            exit;
        }}
        if (is_method("ACK")) {{
            if (t_check_trans()) {{ t_relay(); }}
            exit;
        }}
        t_relay();
        exit;
    }}
    if (is_method("CANCEL")) {{
        if (t_check_trans()) {{ t_relay(); }}
        exit;
    }}
    if (is_method("REGISTER")) {{
        if (!pv_www_authenticate("$td", "$sht(users=>$tU)", "0")) {{
            www_challenge("$td", "0");
            exit;
        }}
        consume_credentials();
        if (!save("location")) {{ sl_reply_error(); }}
        exit;
    }}
    if (is_method("INVITE|SUBSCRIBE|REFER")) {{ record_route(); }}
    if (uri == myself) {{
        if (!lookup("location")) {{
            sl_send_reply("404", "Not Found");
            exit;
        }}
    }}
    if (!t_relay()) {{ sl_reply_error(); }}
}}
"""


class RegistrarError(RuntimeError):
    """Kamailio could not be started (missing binary, port in use, bad configuration)."""


class Registrar:
    """One kamailio process on ``host:port`` with the given ``{user: password}`` accounts."""

    def __init__(
        self,
        users: dict[str, str],
        port: int = 5060,
        host: str = "127.0.0.1",
        *,
        default_expires: int = 3600,
        min_expires: int = 1,
    ) -> None:
        _check_users(users)
        self.users = dict(users)
        self.host = host
        self.port = port
        self.default_expires = default_expires
        self.min_expires = min_expires
        self._process: subprocess.Popen[bytes] | None = None
        self._workdir: Path | None = None

    @property
    def address(self) -> str:
        """``host:port`` as an account's connectivity entry names it."""
        return f"{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def config_text(self) -> str:
        """The kamailio configuration this registrar runs."""
        users = "\n".join(f'    $sht(users=>{u}) = "{p}";' for u, p in self.users.items())
        return _CONFIG.format(
            debug=1,
            host=self.host,
            port=self.port,
            mpath=MODULE_PATH,
            users=users,
            default_expires=self.default_expires,
            min_expires=self.min_expires,
        )

    def start(self, timeout: float = 5.0) -> None:
        """Start kamailio and return once it answers on its UDP port."""
        if self._process is not None:
            raise RegistrarError("registrar already started")
        if not Path(KAMAILIO).exists():
            raise RegistrarError(f"kamailio not found at {KAMAILIO} (apt-get install kamailio)")
        _check_port_free(self.host, self.port)
        self._workdir = Path(tempfile.mkdtemp(prefix="registrar-"))
        config = self._workdir / "kamailio.cfg"
        config.write_text(self.config_text())
        log = open(self._workdir / "kamailio.log", "wb")  # noqa: SIM115
        command = [KAMAILIO, "-DD", "-E", "-f", str(config), "-Y", str(self._workdir)]
        command += ["-m", "32", "-M", "8"]
        self._process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        self._wait_ready(timeout)

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                text = self.log_text()
                self.stop()
                raise RegistrarError(f"kamailio exited at start:\n{text[-2000:]}")
            if _answers_options(self.host, self.port):
                return
            time.sleep(0.05)
        self.stop()
        raise RegistrarError(f"kamailio did not answer on {self.address} within {timeout} s")

    def log_text(self) -> str:
        if self._workdir is None:
            return ""
        path = self._workdir / "kamailio.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        """Stop kamailio by its PID (its whole process group) and remove its files."""
        process, self._process = self._process, None
        if process is not None:
            stop_group(process)
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def __enter__(self) -> Registrar:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _check_users(users: dict[str, str]) -> None:
    for user, password in users.items():
        if not user or not all(c.isalnum() or c in "-_." for c in user):
            raise ValueError(f"user name {user!r} must be letters, digits, '-', '_' or '.'")
        if '"' in password or "\\" in password or "\n" in password:
            raise ValueError(f"password of {user!r} must not contain quotes or backslashes")


def _check_port_free(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.bind((host, port))
        except OSError as error:
            raise RegistrarError(f"UDP port {host}:{port} is in use: {error}") from None


def _answers_options(host: str, port: int) -> bool:
    """Send one OPTIONS and report whether any SIP answer came back."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((host, 0))
        sock.settimeout(0.2)
        local = sock.getsockname()[1]
        request = (
            f"OPTIONS sip:{host}:{port} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP {host}:{local};branch=z9hG4bK-probe{time.monotonic_ns()}\r\n"
            f"From: <sip:probe@{host}>;tag=probe\r\nTo: <sip:{host}:{port}>\r\n"
            f"Call-ID: probe-{time.monotonic_ns()}@{host}\r\nCSeq: 1 OPTIONS\r\n"
            "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
        )
        sock.sendto(request.encode(), (host, port))
        try:
            return sock.recv(4096).startswith(b"SIP/2.0")
        except OSError:
            return False
