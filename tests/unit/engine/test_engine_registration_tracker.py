"""Registration state and failover decisions."""

from __future__ import annotations

from protocol import pb
from vdi_adapter.engine.lines import RegistrationTracker, fails_over, server_host


def test_success_then_unregister():
    tracker = RegistrationTracker("a", entries=2, register=True)
    assert tracker.on_result(200, "OK", 60) is False
    assert (tracker.state, tracker.expires_s) == (pb.REGISTRATION_STATE_REGISTERED, 60)
    assert tracker.on_result(200, "OK", 0) is False
    assert tracker.state == pb.REGISTRATION_STATE_UNREGISTERED


def test_timeouts_and_server_errors_fail_over_auth_errors_do_not():
    assert fails_over(408) and fails_over(503) and fails_over(0)
    assert not fails_over(401) and not fails_over(403) and not fails_over(404)
    tracker = RegistrationTracker("a", entries=2, register=True)
    assert tracker.on_result(403, "Forbidden", 0) is False
    assert (tracker.state, tracker.status_code, tracker.reason) == (
        pb.REGISTRATION_STATE_FAILED,
        403,
        "Forbidden",
    )
    assert tracker.on_result(408, "Request Timeout", 0) is True
    assert tracker.next_entry() == 1
    assert tracker.next_entry() == 0


def test_single_entry_never_fails_over():
    tracker = RegistrationTracker("a", entries=1, register=True)
    assert tracker.on_result(503, "Service Unavailable", 0) is False


def test_server_host():
    assert server_host("pbx.example:5060") == "pbx.example"
    assert server_host("pbx.example") == "pbx.example"
    assert server_host("[::1]:5061") == "[::1]"
