"""SIP over TLS speaks TLS 1.2 or newer: a server capped at TLS 1.0 or 1.1 never gets the INVITE."""

from __future__ import annotations

import socket
import ssl
import threading
import warnings
from pathlib import Path

import pytest

from protocol import pb
from tests.integration.sip.helpers import base_configuration
from tests.support.certs import make_pki

pytestmark = pytest.mark.integration


class OldTlsServer:
    """A SIP-over-TLS listener that speaks at most ``version``; records what reached it."""

    def __init__(self, pki_dir: Path, version: ssl.TLSVersion) -> None:
        pki = make_pki(pki_dir)
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.set_ciphers("DEFAULT:@SECLEVEL=0")  # let the host's OpenSSL offer it
        with warnings.catch_warnings():  # old versions are the point of this server
            warnings.simplefilter("ignore", DeprecationWarning)
            self.context.minimum_version = ssl.TLSVersion.TLSv1
            self.context.maximum_version = version
        self.context.load_cert_chain(pki.server_cert, pki.server_key)
        self.ca = pki.ca
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.handshakes: list[str] = []
        self.received = b""
        self.attempts = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            conn.settimeout(5)
            try:
                with self.context.wrap_socket(conn, server_side=True) as tls:
                    self.handshakes.append(str(tls.version()))
                    self.received += tls.recv(65536)
            except (OSError, ssl.SSLError):
                pass
            finally:
                self.attempts.set()

    def close(self) -> None:
        self.listener.close()


@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1],
                         ids=["tls1.0", "tls1.1"])  # fmt: skip
def test_a_server_capped_below_tls_1_2_is_refused(engine, tmp_path: Path, version) -> None:  # type: ignore[no-untyped-def]
    server = OldTlsServer(tmp_path, version)
    try:
        configuration = base_configuration()
        configuration.network.tls_ca_file = str(server.ca)
        configuration.network.tls_verify_server = True
        target = f"127.0.0.1:{server.port}"
        entry = pb.Connectivity(user="agent", server=target, transport=pb.SIP_TRANSPORT_TLS)
        configuration.accounts.append(pb.Account(account_id="tls", connectivities=[entry]))
        engine.configure(configuration)
        call_id = engine.dial(f"sip:customer@{target};transport=tls", account_id="tls")
        ended = engine.log.wait_call(call_id, pb.CALL_STATE_ENDED)
        assert ended.end_reason in (pb.CALL_END_REASON_NETWORK_ERROR, pb.CALL_END_REASON_FAILED)
        assert server.attempts.wait(10), "the engine never tried to connect"
        assert not server.handshakes, f"handshake completed at {server.handshakes}"
        assert b"INVITE" not in server.received
    finally:
        server.close()
