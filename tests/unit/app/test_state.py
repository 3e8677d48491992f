"""The view-model core: snapshots, event numbering and the action table."""

from __future__ import annotations

import pytest

from app_layer.state import (
    CALL_ACTIONS,
    HISTORY_LIMIT,
    Aspect,
    CallAction,
    CallPhase,
    EventOutcome,
    InvalidAction,
    LinkView,
    PhoneState,
    call_phase,
)
from protocol import pb


def call(call_id: str, state: int, **fields: object) -> pb.Call:
    return pb.Call(call_id=call_id, state=state, **fields)  # type: ignore[arg-type]


def call_event(seq: int, c: pb.Call) -> pb.Event:
    return pb.Event(sequence=seq, call=pb.CallChanged(call=c))


def connected_phone(*calls: pb.Call, sequence: int = 10) -> PhoneState:
    phone = PhoneState()
    phone.apply_link(LinkView(state="connected", transport="loopback", media_offloaded=True))
    phone.apply_snapshot(pb.Snapshot(sequence=sequence, calls=list(calls)))
    return phone


def test_snapshot_replaces_everything() -> None:
    phone = connected_phone(call("a", pb.CALL_STATE_RINGING))
    snap = pb.Snapshot(
        sequence=20,
        registrations=[pb.Registration(account_id="l1", state=pb.REGISTRATION_STATE_REGISTERED)],
        calls=[call("b", pb.CALL_STATE_CONNECTED)],
        adapter_version="1.2.3",
    )
    update = phone.apply_snapshot(snap)
    assert list(phone.calls) == ["b"]
    assert phone.registrations["l1"].state == pb.REGISTRATION_STATE_REGISTERED
    assert phone.adapter_version == "1.2.3"
    assert Aspect.CALLS in update.aspects and update.call_ids == ("b",)
    snap.calls[0].state = pb.CALL_STATE_ENDED
    assert phone.calls["b"].state == pb.CALL_STATE_CONNECTED, "state must hold its own copy"


def test_events_at_or_below_snapshot_sequence_are_dropped() -> None:
    phone = connected_phone(call("a", pb.CALL_STATE_RINGING), sequence=10)
    stale = phone.apply_event(call_event(10, call("a", pb.CALL_STATE_ENDED)))
    older = phone.apply_event(call_event(3, call("a", pb.CALL_STATE_ENDED)))
    assert stale.outcome is older.outcome is EventOutcome.STALE
    assert phone.calls["a"].state == pb.CALL_STATE_RINGING
    fresh = phone.apply_event(call_event(11, call("a", pb.CALL_STATE_CONNECTING)))
    assert fresh.outcome is EventOutcome.APPLIED
    assert phone.calls["a"].state == pb.CALL_STATE_CONNECTING
    assert phone.sequence == 11


def test_gap_is_reported_and_event_still_applied() -> None:
    phone = connected_phone(sequence=10)
    update = phone.apply_event(call_event(13, call("x", pb.CALL_STATE_RINGING)))
    assert update.outcome is EventOutcome.GAP
    assert "x" in phone.calls
    assert phone.apply_event(call_event(14, call("x", pb.CALL_STATE_ENDED))).outcome is (
        EventOutcome.APPLIED
    )


def test_event_before_any_snapshot_is_a_gap() -> None:
    phone = PhoneState()
    update = phone.apply_event(call_event(1, call("x", pb.CALL_STATE_RINGING)))
    assert update.outcome is EventOutcome.GAP


def test_losing_the_link_unsyncs_and_disables_actions() -> None:
    phone = connected_phone(call("a", pb.CALL_STATE_RINGING))
    assert CallAction.ANSWER in phone.allowed_actions("a")
    phone.apply_link(LinkView(state="reconnecting", detail="channel cut"))
    assert phone.allowed_actions("a") == frozenset()
    assert not phone.synced and not phone.can_dial()


@pytest.mark.parametrize(
    ("c", "expected"),
    [
        (call("a", pb.CALL_STATE_RINGING), {CallAction.ANSWER, CallAction.REJECT}),
        (call("a", pb.CALL_STATE_DIALING), {CallAction.HANGUP}),
        (call("a", pb.CALL_STATE_RINGBACK), {CallAction.HANGUP}),
        (
            call("a", pb.CALL_STATE_CONNECTED),
            {
                CallAction.HANGUP,
                CallAction.HOLD,
                CallAction.MUTE,
                CallAction.DTMF,
                CallAction.TRANSFER_BLIND,
            },
        ),
        (
            call("a", pb.CALL_STATE_CONNECTED, on_hold=True, muted=True),
            {
                CallAction.HANGUP,
                CallAction.RETRIEVE,
                CallAction.UNMUTE,
                CallAction.TRANSFER_BLIND,
            },
        ),
        (call("a", pb.CALL_STATE_ENDED), set()),
    ],
)
def test_allowed_actions_per_state(c: pb.Call, expected: set[CallAction]) -> None:
    assert connected_phone(c).allowed_actions("a") == expected


def test_transfer_and_conference_need_a_second_answered_call() -> None:
    phone = connected_phone(
        call("a", pb.CALL_STATE_CONNECTED, on_hold=True), call("b", pb.CALL_STATE_CONNECTED)
    )
    assert {CallAction.TRANSFER_ATTENDED, CallAction.CONFERENCE} <= phone.allowed_actions("a")
    assert phone.partners("a") == ["b"]


def test_check_action_names_call_phase_and_action() -> None:
    phone = connected_phone(call("a", pb.CALL_STATE_CONNECTED))
    with pytest.raises(InvalidAction, match="cannot answer: call a is connected"):
        phone.check_action("a", CallAction.ANSWER)
    with pytest.raises(InvalidAction, match="call zz does not exist"):
        phone.check_action("zz", CallAction.HANGUP)


def test_table_covers_every_phase_and_leads_to_known_phases() -> None:
    assert set(CALL_ACTIONS) == set(CallPhase)
    for actions in CALL_ACTIONS.values():
        assert all(isinstance(p, CallPhase) for p in actions.values())


def test_hold_folds_into_phase() -> None:
    assert call_phase(call("a", pb.CALL_STATE_CONNECTED, on_hold=True)) is CallPhase.HELD


def test_other_event_kinds() -> None:
    phone = connected_phone(call("a", pb.CALL_STATE_CONNECTED), sequence=0)
    events = [
        pb.Event(registration=pb.RegistrationChanged(registration=pb.Registration(account_id="l"))),
        pb.Event(dtmf=pb.DtmfReceived(call_id="a", digit="5")),
        pb.Event(device_list=pb.DeviceListChanged(devices=[pb.AudioDevice(name="Jabra")])),
        pb.Event(active_devices=pb.ActiveDevicesChanged(active=pb.ActiveDevices(speaker="S"))),
        pb.Event(audio_level=pb.AudioLevel(call_id="a", microphone_dbfs=-20)),
        pb.Event(quality=pb.QualityReport(quality=pb.CallQuality(call_id="a", mos=4.1))),
        pb.Event(warning=pb.WarningRaised(warning=pb.AdapterWarning(code="no_headset"))),
        pb.Event(warning=pb.WarningRaised(warning=pb.AdapterWarning(code="no_headset"))),
    ]
    for seq, ev in enumerate(events, start=1):
        ev.sequence = seq
        assert phone.apply_event(ev).outcome is EventOutcome.APPLIED
    assert "l" in phone.registrations
    assert phone.received_dtmf["a"] == "5"
    assert phone.devices[0].name == "Jabra"
    assert phone.active_devices.speaker == "S"
    assert phone.levels["a"].microphone_dbfs == -20
    assert phone.quality["a"].mos == pytest.approx(4.1)
    assert len(phone.warnings) == 1


def test_history_is_bounded_and_redial_remembers_last_number() -> None:
    phone = connected_phone(sequence=0)
    for n in range(HISTORY_LIMIT + 5):
        c = call(f"c{n}", pb.CALL_STATE_ENDED, direction=pb.CALL_DIRECTION_OUTBOUND)
        c.remote_uri = f"sip:{n}@127.0.0.1"
        phone.apply_event(call_event(n + 1, c))
    assert len(phone.calls) == HISTORY_LIMIT
    assert phone.last_dialled == f"sip:{HISTORY_LIMIT + 4}@127.0.0.1"


def test_duration_uses_given_clock_and_freezes_at_end() -> None:
    c = call("a", pb.CALL_STATE_CONNECTED, connected_unix_ms=1_000)
    phone = connected_phone(c)
    assert phone.call_duration_s("a", now_ms=62_000) == 61
    ended = call("a", pb.CALL_STATE_ENDED, connected_unix_ms=1_000, ended_unix_ms=6_000)
    phone.apply_event(call_event(11, ended))
    assert phone.call_duration_s("a", now_ms=99_000) == 5


def test_features_an_older_adapter_lacks_are_hidden() -> None:
    from app_layer.link import LinkStatus
    from app_layer.state import CallAction, PhoneState

    state = PhoneState()
    older = pb.Capabilities(features=["hold", "mute", "blind_transfer"])  # no conference
    state.apply_link(LinkStatus(state="connected", transport="rdp", capabilities=older))
    calls = [pb.Call(call_id=c, state=pb.CALL_STATE_CONNECTED) for c in ("c1", "c2")]
    state.apply_snapshot(pb.Snapshot(sequence=1, calls=calls))
    allowed = state.allowed_actions("c1")
    assert CallAction.HOLD in allowed and CallAction.TRANSFER_BLIND in allowed
    assert CallAction.CONFERENCE not in allowed and CallAction.TRANSFER_ATTENDED not in allowed
    current = pb.Capabilities(features=["hold", "mute", "conference", "attended_transfer"])
    state.apply_link(LinkStatus(state="connected", transport="rdp", capabilities=current))
    assert CallAction.CONFERENCE in state.allowed_actions("c1")


def test_the_refusal_says_which_side_to_upgrade() -> None:
    from app_layer.link import LinkStatus
    from app_layer.state import CallAction, InvalidAction, PhoneState

    state = PhoneState()
    older = pb.Capabilities(features=["hold"])
    state.apply_link(LinkStatus(state="connected", adapter_version="0.9.0", capabilities=older))
    state.apply_snapshot(
        pb.Snapshot(
            sequence=1,
            calls=[
                pb.Call(call_id="c1", state=pb.CALL_STATE_CONNECTED),
                pb.Call(call_id="c2", state=pb.CALL_STATE_CONNECTED),
            ],
        )
    )
    with pytest.raises(InvalidAction, match=r"adapter \(0.9.0\) does not offer conference"):
        state.check_action("c1", CallAction.CONFERENCE)
