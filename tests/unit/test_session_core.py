"""Two session cores back to back in memory, time driven by hand."""

from __future__ import annotations

import pytest

from protocol import pb
from protocol.errors import LocalProtocolError
from protocol.events import (
    CommandReceived,
    EventReceived,
    HandshakeComplete,
    HandshakeRefused,
    ProtocolNotice,
    RequestTimedOut,
    ResultReceived,
    SessionClosed,
)
from protocol.session import Session, SessionConfig, SessionState


def make_pair(
    now: float = 0.0, app_major: int = 1, adapter_major: int = 1
) -> tuple[Session, Session]:
    app = Session(SessionConfig(pb.ROLE_APP, "app-1", "2.3.0", (app_major, 4)), now)
    adapter = Session(SessionConfig(pb.ROLE_ADAPTER, "ws-7", "2.1.0", (adapter_major, 2)), now)
    return app, adapter


def transfer(sender: Session, receiver: Session, now: float) -> int:
    envelopes = sender.envelopes_to_send()
    for envelope in envelopes:
        # Through the wire format, as a real channel would.
        receiver.receive(pb.Envelope.FromString(envelope.SerializeToString()), now)
    return len(envelopes)


def roundtrip(a: Session, b: Session, now: float) -> None:
    while transfer(a, b, now) + transfer(b, a, now):
        pass


def events(session: Session) -> list[object]:
    out = []
    while (event := session.next_event()) is not None:
        out.append(event)
    return out


def test_handshake_exchanges_versions_and_capabilities() -> None:
    app, adapter = make_pair()
    roundtrip(app, adapter, 0.0)
    assert app.state is adapter.state is SessionState.OPEN
    (done,) = events(app)
    assert isinstance(done, HandshakeComplete)
    assert done.peer_hello.software_version == "2.1.0"
    assert (done.peer_hello.protocol.major, done.peer_hello.protocol.minor) == (1, 2)
    assert isinstance(events(adapter)[0], HandshakeComplete)


def test_incompatible_major_is_refused_on_both_sides_with_a_reason() -> None:
    app, adapter = make_pair(app_major=2, adapter_major=1)
    roundtrip(app, adapter, 0.0)
    assert app.state is adapter.state is SessionState.CLOSED
    for session in (app, adapter):
        refused = [e for e in events(session) if isinstance(e, HandshakeRefused)]
        assert refused, "each side must be able to show why"
        assert "upgrade the adapter" in refused[0].reason
        assert "2.4" in refused[0].reason and "1.2" in refused[0].reason


def test_command_gets_its_result_by_request_id() -> None:
    app, adapter = make_pair()
    roundtrip(app, adapter, 0.0)
    events(app), events(adapter)
    request_id = app.send_command(pb.Command(dial=pb.Dial(to="5551234")), 0.1)
    transfer(app, adapter, 0.1)
    (received,) = events(adapter)
    assert isinstance(received, CommandReceived) and received.command.dial.to == "5551234"
    result = pb.Result(request_id=request_id, ok=pb.Ok(dial=pb.DialOk(call_id="c1")))
    adapter.send_result(result, 0.2)
    transfer(adapter, app, 0.2)
    (answer,) = events(app)
    assert isinstance(answer, ResultReceived)
    assert answer.result.ok.dial.call_id == "c1" and answer.command.dial.to == "5551234"


def test_result_for_unknown_request_is_a_notice_not_a_crash() -> None:
    app, adapter = make_pair()
    roundtrip(app, adapter, 0.0)
    events(app)
    adapter.send_result(pb.Result(request_id="nobody:9", ok=pb.Ok()), 0.1)
    transfer(adapter, app, 0.1)
    (notice,) = events(app)
    assert isinstance(notice, ProtocolNotice) and "nobody:9" in notice.message
    assert app.state is SessionState.OPEN


def test_request_times_out_and_a_late_result_is_ignored() -> None:
    app, adapter = make_pair()
    roundtrip(app, adapter, 0.0)
    events(app)
    request_id = app.send_command(pb.Command(hangup=pb.Hangup(call_id="c1")), 0.0, timeout=2.0)
    for t in (0.5, 1.0, 1.5):
        roundtrip(app, adapter, t)  # heartbeats keep both alive
        app.handle_timer(t)
    assert not [e for e in events(app) if isinstance(e, RequestTimedOut)]
    app.handle_timer(2.0)
    timed_out = [e for e in events(app) if isinstance(e, RequestTimedOut)]
    assert [e.command.request_id for e in timed_out] == [request_id]
    adapter.send_result(pb.Result(request_id=request_id, ok=pb.Ok()), 2.1)
    transfer(adapter, app, 2.1)
    assert all(isinstance(e, ProtocolNotice) for e in events(app))


def test_heartbeats_keep_a_quiet_session_alive() -> None:
    app, adapter = make_pair()
    t = 0.0
    while t < 30.0:
        roundtrip(app, adapter, t)
        app.handle_timer(t)
        adapter.handle_timer(t)
        t += 0.25
    assert app.state is adapter.state is SessionState.OPEN


@pytest.mark.parametrize("timeout", [3.0, 1.5])
def test_silent_peer_is_declared_gone_within_the_bound(timeout: float) -> None:
    app = Session(SessionConfig(pb.ROLE_APP, "a", peer_timeout=timeout), 0.0)
    adapter = Session(SessionConfig(pb.ROLE_ADAPTER, "b"), 0.0)
    roundtrip(app, adapter, 0.0)
    events(app)
    # The adapter dies: nothing arrives any more. The app follows its deadlines.
    now = 0.0
    while app.state is SessionState.OPEN:
        deadline = app.next_deadline()
        assert deadline is not None
        now = deadline
        app.handle_timer(now)
        app.envelopes_to_send()
    closed = [e for e in events(app) if isinstance(e, SessionClosed)]
    assert closed and closed[0].peer_gone
    assert now <= timeout + 1e-9


def test_anything_before_hello_is_a_protocol_error() -> None:
    adapter = Session(SessionConfig(pb.ROLE_ADAPTER, "b"), 0.0)
    adapter.envelopes_to_send()
    adapter.receive(pb.Envelope(command=pb.Command(request_id="x", dial=pb.Dial(to="1"))), 0.1)
    assert adapter.state is SessionState.CLOSED
    (goodbye,) = adapter.envelopes_to_send()
    assert goodbye.goodbye.reason == pb.GOODBYE_REASON_PROTOCOL_ERROR
    assert "command before hello" in goodbye.goodbye.message


def test_unknown_envelope_kind_from_a_newer_minor_is_ignored() -> None:
    app, adapter = make_pair()
    roundtrip(app, adapter, 0.0)
    events(adapter)
    adapter.receive(pb.Envelope.FromString(b"\xfa\x01\x02hi"), 0.1)  # field 31: unknown here
    assert adapter.state is SessionState.OPEN
    assert isinstance(events(adapter)[0], ProtocolNotice)


def test_events_and_goodbye() -> None:
    app, adapter = make_pair()
    roundtrip(app, adapter, 0.0)
    events(app), events(adapter)
    adapter.send_event(pb.Event(sequence=1, call=pb.CallChanged(call=pb.Call(call_id="c1"))), 0.1)
    adapter.close(pb.GOODBYE_REASON_SHUTDOWN, "adapter stopping", 0.2)
    transfer(adapter, app, 0.2)
    got = events(app)
    assert isinstance(got[0], EventReceived) and got[0].event.call.call.call_id == "c1"
    assert isinstance(got[1], SessionClosed) and got[1].reason == "adapter stopping"
    assert not got[1].peer_gone


def test_misuse_is_a_local_error_naming_the_state() -> None:
    app, _adapter = make_pair()
    with pytest.raises(LocalProtocolError, match="awaiting hello"):
        app.send_command(pb.Command(dial=pb.Dial(to="1")), 0.0)
