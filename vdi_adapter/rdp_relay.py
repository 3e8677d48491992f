"""The workstation end of the RDP virtual channel: FreeRDP's rdp2tcp program.

Theory of operation: FreeRDP (``xfreerdp "/rdp2tcp:softphone-rdp-relay"``) starts
this program once per connection and carries the ``rdp2tcp`` static channel on
its stdin and stdout. Each message FreeRDP writes to our stdin is prefixed with
its length (4 bytes, little-endian); whatever we write to stdout goes to the
session raw. When the client disconnects FreeRDP kills us with SIGKILL and never
restarts us, so we must not be the adapter (a session hiccup would drop every
call): we only relay bytes to the long-running adapter service on its Unix
socket, starting the service if nothing answers there. We keep no state; the
protocol lives in the bytes, between the app and the adapter.

Three facts of FreeRDP 2 shape the relay:

* FreeRDP starts us before the channel is open, and the first stdout write it
  cannot forward stops its stdout reader for good. So nothing goes to stdout
  before the session has spoken: we connect to the service only when the first
  message arrives from the session (proof that the channel is open).
* It never restarts us. So when the service closes our connection (restart,
  upgrade, protocol error) we do not exit: the next message from the session
  opens a new connection; the app's heartbeat and reopen resynchronise.
* Its stdout is the channel. Standard output is rerouted to stderr at start and
  diagnostics go to stderr; stdout carries channel bytes only.

The socket must belong to us: another user's process listening there must not
get our agent's commands. We exit when FreeRDP closes our stdin.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import shlex
import socket
import stat
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

from protocol.transports.adapter_address import default_adapter_socket

log = logging.getLogger("softphone.rdp_relay")

#: FreeRDP's rdp2tcp length prefix: 4 bytes, little-endian.
PREFIX = struct.Struct("<I")
#: No channel message is anywhere near this; a larger prefix means the stream is corrupt.
MAX_MESSAGE = 16 * 1024 * 1024
START_COMMAND_ENV = "SOFTPHONE_ADAPTER_START"
#: Start the service at most this often (one that dies at once is not respawned in a loop).
START_INTERVAL_S = 10.0
_READ_SIZE = 64 * 1024


class RelayError(Exception):
    """Why the relay cannot do its job, in words for the log."""


class Rdp2tcpDeframer:
    """Strips FreeRDP's length prefixes from the stdin stream (sans-I/O)."""

    def __init__(self, max_message: int = MAX_MESSAGE) -> None:
        self._buffer = bytearray()
        self._max = max_message

    @property
    def buffered(self) -> int:
        """Bytes of an incomplete message held back."""
        return len(self._buffer)

    def feed(self, data: bytes) -> list[bytes]:
        """Add bytes from stdin; return the complete messages' payloads."""
        self._buffer += data
        payloads = []
        while len(self._buffer) >= PREFIX.size:
            (length,) = PREFIX.unpack_from(self._buffer)
            if length > self._max:
                raise RelayError(f"FreeRDP announced a {length}-byte message (limit {self._max})")
            if len(self._buffer) < PREFIX.size + length:
                break
            payloads.append(bytes(self._buffer[PREFIX.size : PREFIX.size + length]))
            del self._buffer[: PREFIX.size + length]
        return payloads


def default_socket_path() -> Path:
    """``$XDG_RUNTIME_DIR/softphone/adapter.sock`` (private per user)."""
    return default_adapter_socket()


def check_owner(path: Path) -> None:
    """Refuse a socket, or a folder holding it, that another user controls."""
    for item in (path, path.parent):
        info = os.stat(item)
        if info.st_uid != os.getuid():
            raise RelayError(f"{item} belongs to uid {info.st_uid}, not to us; refusing it")
        if item == path.parent and info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            raise RelayError(f"{item} is writable by other users; refusing it")


def try_connect(path: Path) -> socket.socket | None:
    """A connection to the adapter service, or None when nothing answers."""
    if not path.exists():
        return None
    check_owner(path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(str(path))
    except (ConnectionRefusedError, FileNotFoundError):
        sock.close()
        return None
    return sock


def start_service(command: list[str]) -> None:
    """Start the adapter service detached: it must outlive us and never touch our stdio."""
    log.info("adapter service not answering; starting %s", command[0])
    try:
        subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            close_fds=True,
        )
    except OSError as error:
        raise RelayError(f"cannot start the adapter service ({command[0]}): {error}") from None


def connect_service(
    path: Path, start_command: list[str] | None, wait_s: float, may_start: bool = True
) -> socket.socket:
    """Connect to the adapter service, starting it first if needed (and allowed)."""
    sock = try_connect(path)
    if sock is not None:
        return sock
    if not start_command:
        raise RelayError(f"no adapter service answers on {path} and no start command is set")
    if may_start:
        start_service(start_command)
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        time.sleep(0.05)
        sock = try_connect(path)
        if sock is not None:
            return sock
    raise RelayError(f"the adapter service did not answer on {path} within {wait_s:g} s")


def write_all(fd: int, data: bytes) -> None:
    """Write every byte to a blocking descriptor."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


class ServiceLink:
    """Our connection to the adapter service: made on demand, remade after a loss."""

    def __init__(self, path: Path, start_command: list[str] | None, wait_s: float, out: int):
        self.path = path
        self.start_command = start_command
        self.wait_s = wait_s
        self.out = out
        self.connections = 0
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._last_start = -START_INTERVAL_S

    def prestart(self) -> None:
        """Start the service now if it is not running, so it is ready when the app speaks."""
        try:
            sock = try_connect(self.path)
        except (OSError, RelayError) as error:
            log.error("%s", error)
            return
        if sock is not None:
            sock.close()
        elif self.start_command:
            self._start()

    def send(self, payload: bytes) -> None:
        """Pass one message from the session on, connecting first if needed."""
        for _attempt in range(2):
            sock = self._sock or self._connect()
            if sock is None:
                return
            try:
                sock.sendall(payload)
                return
            except OSError as error:
                log.warning("adapter service connection lost: %s", error)
                self._drop(sock)

    def close(self) -> None:
        if self._sock is not None:
            self._drop(self._sock)

    def _connect(self) -> socket.socket | None:
        may_start = time.monotonic() - self._last_start >= START_INTERVAL_S
        try:
            sock = connect_service(self.path, self.start_command, self.wait_s, may_start)
        except (OSError, RelayError) as error:
            log.error("%s; dropping the message", error)
            return None
        if may_start:
            self._last_start = time.monotonic()
        self.connections += 1
        log.info("relaying the RDP channel to %s", self.path)
        self._sock = sock
        threading.Thread(target=self._to_channel, args=(sock,), daemon=True).start()
        return sock

    def _start(self) -> None:
        assert self.start_command is not None
        try:
            start_service(self.start_command)
            self._last_start = time.monotonic()
        except RelayError as error:
            log.error("%s", error)

    def _to_channel(self, sock: socket.socket) -> None:
        """The service's bytes go to FreeRDP raw, until that connection ends."""
        try:
            while data := sock.recv(_READ_SIZE):
                write_all(self.out, data)
        except OSError as error:
            log.warning("adapter service connection failed: %s", error)
        log.info("adapter service closed the connection; reconnecting on the next message")
        self._drop(sock)

    def _drop(self, sock: socket.socket) -> None:
        with self._lock:
            if self._sock is sock:
                self._sock = None
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()


def relay(stdin_fd: int, service: ServiceLink) -> None:
    """Pass FreeRDP's messages, unprefixed, to the service until FreeRDP closes stdin."""
    deframer = Rdp2tcpDeframer()
    while data := os.read(stdin_fd, _READ_SIZE):
        for payload in deframer.feed(data):
            service.send(payload)
    if deframer.buffered:
        log.warning("channel closed inside a message (%d bytes dropped)", deframer.buffered)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="softphone-rdp-relay",
        description="Relay FreeRDP's rdp2tcp channel to the softphone adapter service.",
    )
    parser.add_argument("--socket", type=Path, default=None, help="adapter service socket")
    parser.add_argument(
        "--start-command",
        default=os.environ.get(START_COMMAND_ENV, ""),
        help=f"command that starts the adapter service (default ${START_COMMAND_ENV})",
    )
    parser.add_argument("--start-wait", type=float, default=15.0, help="seconds to wait for it")
    return parser.parse_args(argv)


def take_stdout() -> int:
    """Keep the real stdout for channel bytes; send everything else printed to stderr."""
    channel_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return channel_fd


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``softphone-rdp-relay``; returns the exit status."""
    channel_fd = take_stdout()
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="rdp-relay: %(message)s")
    args = parse_args(argv)
    start = shlex.split(args.start_command) if args.start_command else None
    service = ServiceLink(args.socket or default_socket_path(), start, args.start_wait, channel_fd)
    service.prestart()
    try:
        relay(0, service)
    except RelayError as error:
        log.error("%s; exiting", error)
        return 1
    finally:
        service.close()
    log.info("FreeRDP closed the channel; exiting")
    return 0


if __name__ == "__main__":
    sys.exit(main())
