"""The connector end to end: softphone --headless, the real adapter (pjsua2), sipp as far end."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.app.procs import (
    Client,
    Proc,
    free_udp_port,
    start_adapter,
    start_sipp_uas,
    start_softphone,
    wait_until,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[tuple[Client, Path, Proc]]:
    procs: list[Proc] = []
    try:
        adapter, sock = start_adapter(tmp_path)
        procs.append(adapter)
        phone, port, token = start_softphone(tmp_path, "--transport", f"unix:{sock}")
        procs.append(phone)
        client = Client(port, token)
        wait_until(lambda: client.session()["link"]["state"] == "connected", 15, phone.tail)
        yield client, tmp_path, phone
    finally:
        for proc in reversed(procs):
            proc.stop()


def messages_seen_by(tmp: Path) -> list[str]:
    path = tmp / "uas.msg"
    if not path.exists():
        return []
    starts = ("INVITE ", "ACK ", "BYE ", "CANCEL ", "SIP/2.0 ")
    return [
        line for line in path.read_text(errors="replace").splitlines() if line.startswith(starts)
    ]


def test_dial_act_and_hang_up_through_the_connector(stack: tuple[Client, Path, Proc]) -> None:
    client, tmp, phone = stack
    sip_port = free_udp_port()
    sipp = start_sipp_uas(tmp, sip_port)
    try:
        status, body = client.request(
            "POST", "/v1/calls", {"to": f"sip:agent@127.0.0.1:{sip_port}"}
        )
        assert status == 201, body
        call_id = body["call_id"]
        call = wait_until(
            lambda: (c := client.call(call_id)) and c["state"] == "connected" and c,
            15,
            lambda: f"{client.session()['calls']} / {sipp.tail()}",
        )
        assert call["direction"] == "outbound" and "hold" in call["actions"]
        assert any(m.startswith("INVITE sip:agent@127.0.0.1") for m in messages_seen_by(tmp))
        # The action table answers before the adapter is asked.
        status, body = client.request("POST", f"/v1/calls/{call_id}/answer")
        assert status == 409 and "is connected" in body["error"]["message"]
        assert client.request("POST", f"/v1/calls/{call_id}/mute")[0] == 200
        wait_until(lambda: client.call(call_id)["muted"], 5, phone.tail)
        assert client.request("POST", f"/v1/calls/{call_id}/hangup")[0] == 200
        ended = wait_until(
            lambda: (c := client.call(call_id)) and c["state"] == "ended" and c, 10, phone.tail
        )
        assert ended["end_reason"] == "local_hangup" and ended["actions"] == []
        wait_until(lambda: any(m.startswith("BYE ") for m in messages_seen_by(tmp)), 5, sipp.tail)
        assert sipp.popen.wait(10) == 0, sipp.tail()
    finally:
        sipp.stop()


def test_events_stream_follows_a_real_call(stack: tuple[Client, Path, Proc]) -> None:
    client, tmp, _phone = stack
    sip_port = free_udp_port()
    sipp = start_sipp_uas(tmp, sip_port)
    sock = socket.create_connection(("127.0.0.1", client.port), timeout=10)
    try:
        request = f"GET /v1/events HTTP/1.1\r\nAuthorization: Bearer {client.token}\r\n\r\n"
        sock.sendall(request.encode())
        stream = sock.makefile("rb")
        assert stream.readline().startswith(b"HTTP/1.1 200")
        _status, body = client.request(
            "POST", "/v1/calls", {"to": f"sip:agent@127.0.0.1:{sip_port}"}
        )
        call_id = body["call_id"]
        states: list[str] = []
        while "connected" not in states:
            line = stream.readline().decode()
            if line.startswith("data: ") and '"call"' in line:
                call = json.loads(line[6:]).get("call")
                if call and call["id"] == call_id:
                    states.append(call["state"])
        assert states[0] in ("dialing", "ringback") and states[-1] == "connected"
        client.request("POST", f"/v1/calls/{call_id}/hangup")
        while "ended" not in states:
            line = stream.readline().decode()
            if line.startswith("data: ") and call_id in line and '"call"' in line:
                states.append(json.loads(line[6:])["call"]["state"])
    finally:
        sock.close()
        sipp.stop()


def test_no_token_no_call(stack: tuple[Client, Path, Proc]) -> None:
    client, _, _ = stack
    intruder = Client(client.port, "not-the-token-at-all")
    status, body = intruder.request("POST", "/v1/calls", {"to": "sip:x@127.0.0.1:9"})
    assert status == 401 and body["error"]["code"] == "unauthorized"
    assert client.session()["calls"] == []


def test_passwords_never_reach_logs_or_the_session(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[[lines]]\nid = "l1"\nuser = "7001"\nserver = "127.0.0.1:9"\n'
        'password = "file-secret-4711"\n',
        encoding="utf-8",
    )
    procs: list[Proc] = []
    try:
        adapter, sock = start_adapter(tmp_path)
        procs.append(adapter)
        phone, port, token = start_softphone(
            tmp_path,
            "--config",
            str(config),
            "--transport",
            f"unix:{sock}",
            "--log-level",
            "debug",
        )
        procs.append(phone)
        client = Client(port, token)
        wait_until(lambda: client.session()["link"]["state"] == "connected", 15, phone.tail)
        line = {"user": "7002", "server": "127.0.0.1:9", "password": "api-secret-0815"}
        client.request("POST", "/v1/register", line)
        session = json.dumps(client.session())
        assert session.count('"has_password": true') == 1
    finally:
        for proc in reversed(procs):
            proc.stop()
    logs = {p.name: p.read_text(errors="replace") for p in tmp_path.glob("*.log")}
    assert logs["softphone.log"].strip(), "debug logging should have produced lines"
    for secret in ("file-secret-4711", "api-secret-0815"):
        assert secret not in session
        for name, text in logs.items():
            assert secret not in text, f"a password reached {name}"
