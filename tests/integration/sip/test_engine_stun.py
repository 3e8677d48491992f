"""STUN: the address a STUN server reports is what the engine advertises."""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Iterator

import pytest

from protocol import pb
from tests.integration.sip.helpers import base_configuration

pytestmark = pytest.mark.integration

MAGIC = 0x2112A442
#: The "public" address our STUN server reports: still loopback, but not 127.0.0.1.
MAPPED = "127.0.0.9"


class StunServer:
    """Answers RFC 5389 Binding requests with MAPPED-ADDRESS and XOR-MAPPED-ADDRESS."""

    def __init__(self, port: int) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", port))
        self.sock.settimeout(0.2)
        self.requests = 0
        self._running = True
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while self._running:
            try:
                data, peer = self.sock.recvfrom(2048)
            except OSError:
                continue
            if len(data) >= 20 and struct.unpack("!H", data[:2])[0] == 0x0001:
                self.requests += 1
                self.sock.sendto(self._answer(data[4:20], peer[1]), peer)

    @staticmethod
    def _answer(cookie_and_id: bytes, port: int) -> bytes:
        address = struct.unpack("!I", socket.inet_aton(MAPPED))[0]
        mapped = struct.pack("!HHBBHI", 0x0001, 8, 0, 1, port, address)
        xored = struct.pack("!HHBBHI", 0x0020, 8, 0, 1, port ^ (MAGIC >> 16), address ^ MAGIC)
        body = mapped + xored
        return struct.pack("!HH", 0x0101, len(body)) + cookie_and_id + body

    def stop(self) -> None:
        self._running = False
        self._thread.join(timeout=2)
        self.sock.close()


@pytest.fixture
def stun_server() -> Iterator[StunServer]:
    server = StunServer(5078)
    try:
        yield server
    finally:
        server.stop()


def test_stun_mapped_address_is_advertised_in_sip_and_sdp(engine, far_ends, stun_server):
    configuration = base_configuration()
    configuration.network.public_address = ""
    configuration.network.sip_port = 5076
    configuration.network.stun_server = "127.0.0.1:5078"
    engine.configure(configuration)
    peer = far_ends(5081, auto_answer=200)
    call_id = engine.dial(peer.uri)
    invite = peer.wait_for("incoming")["invite"]
    assert stun_server.requests > 0
    assert f"c=IN IP4 {MAPPED}" in invite
    assert f"@{MAPPED}:" in invite.split("Contact:", 1)[1].split("\r\n", 1)[0]
    engine.log.wait_call(call_id, pb.CALL_STATE_CONNECTED)
    engine.ok(hangup=pb.Hangup(call_id=call_id))
    engine.log.wait_call(call_id, pb.CALL_STATE_ENDED)
