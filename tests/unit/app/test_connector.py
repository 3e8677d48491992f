"""The connector API over real HTTP on 127.0.0.1, with a phone on a fake link."""

from __future__ import annotations

import http.client
import json
import os
import socket
import stat
import time
from pathlib import Path

import pytest

from app_layer.connector.token import TokenFileError, load_or_create_token
from protocol import pb

from .conftest import Harness


def ringing(call_id: str = "c1") -> pb.Call:
    return pb.Call(
        call_id=call_id,
        state=pb.CALL_STATE_RINGING,
        direction=pb.CALL_DIRECTION_INBOUND,
        remote_uri="sip:100@127.0.0.1",
    )


def connected(call_id: str, **fields: object) -> pb.Call:
    return pb.Call(call_id=call_id, state=pb.CALL_STATE_CONNECTED, **fields)  # type: ignore[arg-type]


def up(h: Harness, *calls: pb.Call) -> None:
    """Connect the link, deliver a snapshot, and wait for the first configure/register."""
    h.run(h.link.status)
    h.run(lambda: h.link.snapshot(*calls))
    deadline = time.monotonic() + 5
    while "register" not in h.link.kinds():
        assert time.monotonic() < deadline, "the phone never registered"
        time.sleep(0.005)


def test_token_file_is_created_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "token"
    token = load_or_create_token(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_token(path) == token and len(token) >= 32
    os.chmod(path, 0o644)
    assert load_or_create_token(path) == token
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.write_text("short")
    with pytest.raises(TokenFileError, match="too short"):
        load_or_create_token(path)


@pytest.mark.parametrize("token", [None, "wrong-token-wrong-token", "Basic abc"])
def test_without_the_token_everything_is_401(harness: Harness, token: str | None) -> None:
    for method, path in [("GET", "/v1/session"), ("POST", "/v1/calls"), ("GET", "/nope")]:
        status, body = harness.request(method, path, {"to": "1"}, token=token)
        assert status == 401 and body["error"]["code"] == "unauthorized"
    assert harness.link.commands == []


def test_session_shows_state_and_never_the_password(harness: Harness) -> None:
    up(harness, ringing())
    status, body = harness.request("GET", "/v1/session")
    assert status == 200
    assert body["link"]["state"] == "connected" and body["link"]["media_offloaded"] is True
    assert body["calls"][0]["state"] == "ringing"
    assert body["calls"][0]["actions"] == ["answer", "reject"]
    assert body["lines"][0]["has_password"] is True
    assert "pw-secret" not in json.dumps(body)


def test_first_connection_configures_and_registers(harness: Harness) -> None:
    up(harness)
    assert harness.link.kinds()[:2] == ["configure", "register"]
    conf = harness.link.commands[0].configure.configuration
    assert conf.accounts[0].connectivities[0].server == "127.0.0.1:5060"


def test_dial_returns_call_id_and_sends_one_dial(harness: Harness) -> None:
    up(harness)
    status, body = harness.request("POST", "/v1/calls", {"to": "sip:200@127.0.0.1"})
    assert status == 201 and body["call_id"].startswith("call-")
    dials = [c.dial for c in harness.link.commands if c.WhichOneof("action") == "dial"]
    assert [d.to for d in dials] == ["sip:200@127.0.0.1"]


def test_actions_valid_in_state_reach_the_adapter(harness: Harness) -> None:
    up(harness, ringing("c1"), connected("c2"), connected("c3", on_hold=True))
    assert harness.request("POST", "/v1/calls/c1/answer")[0] == 200
    assert harness.request("POST", "/v1/calls/c2/hold")[0] == 200
    assert harness.request("POST", "/v1/calls/c2/mute")[0] == 200
    assert harness.request("POST", "/v1/calls/c2/dtmf", {"digits": "12#"})[0] == 200
    assert harness.request("POST", "/v1/calls/c3/retrieve")[0] == 200
    body = {"mode": "attended", "consult_call_id": "c2"}
    assert harness.request("POST", "/v1/calls/c3/transfer", body)[0] == 200
    assert harness.request("POST", "/v1/calls/c2/transfer", {"to": "sip:9@127.0.0.1"})[0] == 200
    assert harness.request("POST", "/v1/calls/c2/conference", {"with": "c3"})[0] == 200
    sent = [
        c for c in harness.link.commands if c.WhichOneof("action") not in ("configure", "register")
    ]
    assert [c.WhichOneof("action") for c in sent] == [
        "answer",
        "hold",
        "mute",
        "send_dtmf",
        "retrieve",
        "attended_transfer",
        "blind_transfer",
        "merge",
    ]
    assert sent[3].send_dtmf.digits == "12#"
    assert sent[5].attended_transfer.consult_call_id == "c2"
    assert list(sent[7].merge.call_ids) == ["c2", "c3"]


def test_invalid_in_state_is_409_and_nothing_is_sent(harness: Harness) -> None:
    up(harness, connected("c2"))
    before = len(harness.link.commands)
    status, body = harness.request("POST", "/v1/calls/c2/answer")
    assert status == 409 and "call c2 is connected" in body["error"]["message"]
    assert harness.request("POST", "/v1/calls/c2/retrieve")[0] == 409
    assert harness.request("POST", "/v1/calls/c2/unmute")[0] == 409
    assert harness.request("POST", "/v1/calls/c2/conference", {"with": "zz"})[0] == 404
    assert harness.request("POST", "/v1/calls/nope/hangup")[0] == 404
    assert len(harness.link.commands) == before


def test_bad_input_is_400_with_a_message(harness: Harness) -> None:
    up(harness, connected("c2"))
    cases = [
        ("POST", "/v1/calls", None, b"{not json"),
        ("POST", "/v1/calls", {"to": 5}, None),
        ("POST", "/v1/calls", {}, None),
        ("POST", "/v1/calls", ["x"], None),
        ("POST", "/v1/calls/c2/dtmf", {"digits": "12x"}, None),
        ("POST", "/v1/calls/c2/transfer", {"mode": "sideways"}, None),
        ("PUT", "/v1/audio", {"speaker_volume": 101}, None),
        ("PUT", "/v1/audio", {"volume": 1}, None),
        ("PUT", "/v1/language", {"language": "tlh"}, None),
        ("POST", "/v1/register", {"user": "1", "server": "bad host"}, None),
    ]
    for method, path, body, raw in cases:
        status, answer = harness.request(method, path, body, raw=raw)
        assert status == 400, (path, body, answer)
        assert answer["error"]["message"]


def test_unknown_path_and_method(harness: Harness) -> None:
    assert harness.request("GET", "/v1/nothing")[0] == 404
    status, body = harness.request("DELETE", "/v1/session")
    assert status == 405 and "GET" in body["error"]["message"]


def test_adapter_errors_map_to_statuses(harness: Harness) -> None:
    up(harness)
    harness.link.errors["dial"] = pb.Error(code=pb.ERROR_CODE_TIMEOUT, reason="no answer in 5 s")
    status, body = harness.request("POST", "/v1/calls", {"to": "1"})
    assert status == 504 and body["error"] == {"code": "timeout", "message": "no answer in 5 s"}


def test_link_down_is_503_with_the_reason(harness: Harness) -> None:
    up(harness, connected("c2"))
    harness.run(lambda: harness.link.status(state="reconnecting", detail="adapter not answering"))
    status, body = harness.request("POST", "/v1/calls", {"to": "1"})
    assert status == 503 and body["error"]["message"] == "adapter not answering"
    assert harness.request("POST", "/v1/calls/c2/hangup")[0] == 503


def test_register_with_a_line_replaces_it_without_echoing_the_password(harness: Harness) -> None:
    up(harness)
    line = {"user": "7002", "server": "127.0.0.1:5070", "password": "new-pw", "realm": "r"}
    assert harness.request("POST", "/v1/register", line)[0] == 200
    configure = [c for c in harness.link.commands if c.WhichOneof("action") == "configure"][-1]
    conn = configure.configure.configuration.accounts[0].connectivities[0]
    assert (conn.user, conn.server, conn.password) == ("7002", "127.0.0.1:5070", "new-pw")
    assert harness.link.kinds()[-1] == "register"
    _, session = harness.request("GET", "/v1/session")
    assert session["lines"][0]["user"] == "7002" and "new-pw" not in json.dumps(session)
    assert harness.request("DELETE", "/v1/register")[0] == 200
    assert harness.link.kinds()[-1] == "unregister"


def test_put_audio_sends_devices_and_volumes(harness: Harness) -> None:
    up(harness)
    body = {"speaker": "Jabra", "speaker_volume": 40, "microphone_muted": True}
    assert harness.request("PUT", "/v1/audio", body)[0] == 200
    select, volumes = harness.link.commands[-2:]
    assert select.select_audio_devices.speaker == "Jabra"
    assert volumes.set_volumes.speaker_volume == 40 and volumes.set_volumes.microphone_muted


def test_genesys_face(harness: Harness) -> None:
    up(harness, ringing("c1"), connected("c2"))
    reg = pb.Registration(account_id="l1", state=pb.REGISTRATION_STATE_REGISTERED)
    harness.run(
        lambda: harness.link.event(pb.Event(registration=pb.RegistrationChanged(registration=reg)))
    )
    q = pb.CallQuality(call_id="c2", mos=2.5, rtt_ms=180)
    harness.run(lambda: harness.link.event(pb.Event(quality=pb.QualityReport(quality=q))))
    status, body = harness.request("GET", "/session")
    assert status == 200
    assert body["phone"]["calls"] == [
        {"state": "RINGING", "uuid": "c1"},
        {"state": "ESTABLISHED", "uuid": "c2"},
    ]
    assert body["phone"]["vq_alarm_on"] is True and body["phone"]["rtt_ms"] == 180
    assert body["connectivities"]["connections"] == [
        {"server": "127.0.0.1:5060", "user": "7001", "state": "REGISTERED"}
    ]
    assert (
        harness.request("POST", "/audio", {"microphone": {"muted": True, "volume": 30}})[0] == 200
    )
    assert harness.link.commands[-1].set_volumes.microphone_volume == 30
    assert harness.request("POST", "/session", {"language": "ar"})[0] == 200
    assert harness.request("GET", "/v1/session")[1]["language"] == "ar"
    assert harness.request("DELETE", "/calls")[0] == 200
    assert harness.link.kinds()[-2:] == ["reject", "hangup"]
    assert harness.request("DELETE", "/session")[0] == 200
    assert harness.link.kinds()[-1] == "unregister"


class SseReader:
    """Reads server-sent events from a raw socket."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buf = b""
        self.headers_seen = False

    def next(self) -> tuple[str, dict]:
        while True:
            if not self.headers_seen and b"\r\n\r\n" in self.buf:
                head, self.buf = self.buf.split(b"\r\n\r\n", 1)
                assert head.startswith(b"HTTP/1.1 200") and b"text/event-stream" in head
                self.headers_seen = True
            if self.headers_seen and b"\n\n" in self.buf:
                block, self.buf = self.buf.split(b"\n\n", 1)
                fields = dict(line.split(": ", 1) for line in block.decode().splitlines())
                return fields["event"], json.loads(fields["data"])
            chunk = self.sock.recv(65536)
            assert chunk, "stream closed early"
            self.buf += chunk


def test_events_stream_delivers_what_the_window_sees(harness: Harness) -> None:
    up(harness)
    sock = socket.create_connection(("127.0.0.1", harness.port), timeout=5)
    try:
        auth = f"Authorization: Bearer {harness.token}"
        sock.sendall(f"GET /v1/events HTTP/1.1\r\nHost: x\r\n{auth}\r\n\r\n".encode())
        reader = SseReader(sock)
        assert reader.next()[0] == "session"
        harness.run(lambda: harness.link.call(ringing("c9")))
        harness.run(lambda: harness.link.status(state="reconnecting", detail="cut"))
        call_event = reader.next()
        link_event = reader.next()
    finally:
        sock.close()
    assert call_event[0] == "call" and call_event[1]["sequence"] == 1
    assert call_event[1]["call"]["id"] == "c9"
    assert call_event[1]["call"]["state"] == "ringing"
    assert call_event[1]["call"]["actions"] == ["answer", "reject"]
    assert link_event[0] == "link"
    assert link_event[1]["state"] == "reconnecting" and link_event[1]["detail"] == "cut"


def test_keep_alive_serves_several_requests_on_one_connection(harness: Harness) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", harness.port, timeout=5)
    try:
        for _ in range(3):
            conn.request("GET", "/v1/session", headers={"Authorization": f"Bearer {harness.token}"})
            response = conn.getresponse()
            assert response.status == 200
            response.read()
    finally:
        conn.close()


def test_garbage_request_gets_400_not_a_hang(harness: Harness) -> None:
    with socket.create_connection(("127.0.0.1", harness.port), timeout=5) as sock:
        sock.sendall(b"HELLO\r\n\r\n")
        assert sock.recv(4096).startswith(b"HTTP/1.1 400")


def raw_exchange(port: int, data: bytes) -> bytes:
    """Send ``data`` as is; everything the server answers before it closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(data)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


@pytest.mark.parametrize(
    ("head", "body"),
    [
        ("POST /v1/calls HTTP/1.1\r\nContent-Length: \u00b2\r\n", b""),
        ("GET http://[::1 HTTP/1.1\r\n", b""),
        ("POST /v1/calls HTTP/1.1\r\nContent-Length: {n}\r\n", b"[" * 100_000),
    ],
    ids=["non-ascii-digit-length", "unclosed-ipv6-target", "json-nested-100000-deep"],
)
def test_malformed_requests_get_400_and_no_traceback(
    harness: Harness, caplog: pytest.LogCaptureFixture, head: str, body: bytes
) -> None:
    request = head.replace("{n}", str(len(body))) + f"Authorization: Bearer {harness.token}\r\n"
    request += "Connection: close\r\n"
    answer = raw_exchange(harness.port, request.encode("latin-1") + b"\r\n" + body)
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line == b"HTTP/1.1 400 Bad Request", answer[:200]
    assert json.loads(rest.partition(b"\r\n\r\n")[2])["error"]["message"]
    assert not [r for r in caplog.records if r.exc_info or "exception" in r.getMessage().lower()]


def test_hundreds_of_idle_connections_do_not_starve_an_authorised_request(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    from app_layer.connector.http import MAX_CONNECTIONS

    idle = [
        socket.create_connection(("127.0.0.1", harness.port)) for _ in range(MAX_CONNECTIONS * 3)
    ]
    try:
        started = time.monotonic()
        conn = http.client.HTTPConnection("127.0.0.1", harness.port, timeout=5)
        conn.request("GET", "/v1/session", headers={"Authorization": f"Bearer {harness.token}"})
        assert conn.getresponse().status == 200
        assert time.monotonic() - started < 2.0
        conn.close()
        closed = 0
        for sock in idle:
            sock.settimeout(0.01)
            try:
                closed += sock.recv(1) == b""
            except TimeoutError:
                pass
            except ConnectionError:
                closed += 1
        assert closed >= MAX_CONNECTIONS * 2  # the oldest idle ones made room
        limit_lines = [
            r for r in caplog.records if "connections open (the limit)" in r.getMessage()
        ]
        assert len(limit_lines) == 1  # said once, not per connection
    finally:
        for sock in idle:
            sock.close()


def test_a_connection_that_never_speaks_is_closed(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    import app_layer.connector.http as connector_http

    monkeypatch.setattr(connector_http, "IDLE_TIMEOUT_S", 0.2)
    with socket.create_connection(("127.0.0.1", harness.port), timeout=5) as sock:
        assert sock.recv(1) == b""  # closed by the server, no request needed
