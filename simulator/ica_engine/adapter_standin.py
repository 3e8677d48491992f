"""A stand-in for the adapter service's listener, for testing the driver alone.

``EchoAdapter`` listens where the SOFTPH driver connects (a Unix socket, or on
Windows a loopback TCP port named by an endpoint file with a token) and either
echoes every byte back or only collects them, counting connections. It speaks
no protocol: the driver must pass bytes as they are.
"""

from __future__ import annotations

import contextlib
import hmac
import secrets
import socket
import threading
from pathlib import Path


class EchoAdapter:
    """Accepts the driver's connections; echoes (or collects) and records bytes."""

    def __init__(self, path: Path | None = None, endpoint_file: Path | None = None,
                 echo: bool = True) -> None:  # fmt: skip
        self.echo = echo
        self.received = bytearray()
        self.accepted = 0
        self.refused_prefaces = 0
        self.token = secrets.token_hex(32)
        self._changed = threading.Condition()
        self._connections: list[socket.socket] = []
        if endpoint_file is not None:
            self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self._listener.bind(("127.0.0.1", 0))
            port = self._listener.getsockname()[1]
            endpoint_file.write_text(f"127.0.0.1 {port} {self.token}\n")
            self._needs_token = True
        else:
            assert path is not None
            self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self._listener.bind(str(path))
            self._needs_token = False
        self._listener.listen(8)
        threading.Thread(target=self._accept, daemon=True).start()

    def wait(self, what: str, ready: object, timeout: float = 10.0) -> None:
        with self._changed:
            if not self._changed.wait_for(ready, timeout):  # type: ignore[arg-type]
                got = len(self.received)
                raise AssertionError(f"timed out waiting for {what}; got {got} bytes")

    def send(self, data: bytes) -> None:
        """Bytes towards the session, on the newest connection."""
        self._connections[-1].sendall(data)

    def drop_connections(self) -> None:
        """Close every connection, as a restarting service does."""
        for conn in self._connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()
        self._connections.clear()

    def stop(self) -> None:
        self._listener.close()
        self.drop_connections()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        if self._needs_token and not self._check_preface(conn):
            conn.close()
            return
        with self._changed:
            self.accepted += 1
            self._connections.append(conn)
            self._changed.notify_all()
        try:
            while data := conn.recv(65536):
                if self.echo:
                    conn.sendall(data)
                with self._changed:
                    self.received += data
                    self._changed.notify_all()
        except OSError:
            pass

    def _check_preface(self, conn: socket.socket) -> bool:
        expected = f"softphone-token {self.token}\n".encode()
        got = b""
        conn.settimeout(5)
        with contextlib.suppress(OSError):
            while len(got) < len(expected) and (chunk := conn.recv(len(expected) - len(got))):
                got += chunk
        conn.settimeout(None)
        if hmac.compare_digest(got, expected):
            return True
        with self._changed:
            self.refused_prefaces += 1
            self._changed.notify_all()
        return False
