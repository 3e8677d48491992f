"""Call state table, command table and end reasons."""

from __future__ import annotations

import pytest

from protocol import pb
from vdi_adapter.engine import call_model
from vdi_adapter.engine.call_model import LocalAction


def test_outgoing_call_life():
    state = call_model.NEW
    for inv in ("CALLING", "EARLY", "CONNECTING", "CONFIRMED", "DISCONNECTED"):
        state = call_model.advance("c", state, call_model.state_from_invite(inv, outbound=True))
    assert state == pb.CALL_STATE_ENDED


def test_early_means_ringback_out_and_ringing_in():
    assert call_model.state_from_invite("EARLY", True) == pb.CALL_STATE_RINGBACK
    assert call_model.state_from_invite("EARLY", False) == pb.CALL_STATE_RINGING


def test_illegal_transition_names_call_and_states():
    with pytest.raises(call_model.IllegalTransition, match=r"call-7.*ENDED.*CONNECTED"):
        call_model.advance("call-7", pb.CALL_STATE_ENDED, pb.CALL_STATE_CONNECTED)


def test_commands_by_state():
    assert call_model.command_allowed("answer", pb.CALL_STATE_RINGING)
    assert not call_model.command_allowed("answer", pb.CALL_STATE_CONNECTED)
    assert call_model.command_allowed("hangup", pb.CALL_STATE_DIALING)
    assert not call_model.command_allowed("hold", pb.CALL_STATE_RINGING)
    assert not call_model.command_allowed("hangup", pb.CALL_STATE_ENDED)


@pytest.mark.parametrize(
    ("action", "outbound", "connected", "code", "reason"),
    [
        (LocalAction.NONE, True, True, 200, pb.CALL_END_REASON_REMOTE_HANGUP),
        (LocalAction.HANGUP, True, True, 200, pb.CALL_END_REASON_LOCAL_HANGUP),
        (LocalAction.HANGUP, True, False, 487, pb.CALL_END_REASON_LOCAL_HANGUP),
        (LocalAction.REJECT, False, False, 486, pb.CALL_END_REASON_REJECTED),
        (LocalAction.POLICY_REJECT, False, False, 486, pb.CALL_END_REASON_POLICY),
        (LocalAction.NONE, False, False, 487, pb.CALL_END_REASON_CANCELLED),
        (LocalAction.NONE, True, False, 486, pb.CALL_END_REASON_BUSY),
        (LocalAction.NONE, True, False, 603, pb.CALL_END_REASON_DECLINED),
        (LocalAction.NONE, True, False, 408, pb.CALL_END_REASON_NO_ANSWER),
        (LocalAction.NONE, True, False, 488, pb.CALL_END_REASON_FAILED),
        (LocalAction.NONE, True, False, 503, pb.CALL_END_REASON_NETWORK_ERROR),
        (LocalAction.TRANSFER, True, True, 200, pb.CALL_END_REASON_TRANSFERRED),
        (LocalAction.REPLACED, False, True, 200, pb.CALL_END_REASON_REPLACED),
        (LocalAction.SHUTDOWN, True, True, 200, pb.CALL_END_REASON_ADAPTER_SHUTDOWN),
    ],
)
def test_end_reasons(action, outbound, connected, code, reason):
    assert call_model.end_reason(action, outbound, connected, code) == reason
