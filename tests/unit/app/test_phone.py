"""The phone driver: resync on gaps, configuration on connect, dialable numbers."""

from __future__ import annotations

import asyncio

import pytest

from app_layer.phone import Phone, Report, dialable
from app_layer.settings import Line, Settings
from app_layer.state import CallAction, InvalidAction
from protocol import pb

from .fakes import FakeLink


@pytest.mark.parametrize(
    ("typed", "dialled"),
    [
        ("+1 (415) 555-0123", "+14155550123"),
        ("tel:+33 1 42 68 00 00", "+33142680000"),
        (" 7001 ", "7001"),
        ("sip:7002@127.0.0.1:5060", "sip:7002@127.0.0.1:5060"),
        ("agent.smith@example.com", "agent.smith@example.com"),
    ],
)
def test_dialable(typed: str, dialled: str) -> None:
    assert dialable(typed) == dialled


async def _settle() -> None:
    for _ in range(10):
        await asyncio.sleep(0)


def test_a_gap_fetches_a_snapshot_that_restores_the_truth() -> None:
    async def scenario() -> tuple[Phone, FakeLink, list[Report]]:
        link = FakeLink()
        phone = Phone(link, Settings(), resync_delay=0)
        reports: list[Report] = []
        phone.subscribe(reports.append)
        link.status()
        link.snapshot()
        link.sequence = 5  # events 1-5 were lost on the way, among them call y
        link.truth = [pb.Call(call_id="y", state=pb.CALL_STATE_CONNECTED)]
        link.call(pb.Call(call_id="x", state=pb.CALL_STATE_RINGING))
        await _settle()
        return phone, link, reports

    phone, link, reports = asyncio.run(scenario())
    assert "get_snapshot" in link.kinds()
    assert [r.kind for r in reports][:3] == ["link", "snapshot", "event"]
    assert reports[-1].kind == "snapshot"  # the fetched one, applied and passed on
    assert list(phone.state.calls) == ["y"] and phone.state.sequence == 6


def test_no_second_snapshot_when_the_link_resyncs_itself() -> None:
    async def scenario() -> FakeLink:
        link = FakeLink()
        Phone(link, Settings(), resync_delay=0.05)
        link.status()
        link.snapshot()
        link.sequence = 5
        link.call(pb.Call(call_id="x", state=pb.CALL_STATE_RINGING))
        link.snapshot()  # what AdapterLink does on a gap
        await asyncio.sleep(0.1)
        return link

    assert "get_snapshot" not in asyncio.run(scenario()).kinds()


def test_configuration_is_sent_once_then_again_for_a_restarted_adapter() -> None:
    line = Line(id="l1", user="7001", server="127.0.0.1:5060")

    async def scenario() -> FakeLink:
        link = FakeLink()
        Phone(link, Settings(lines=(line,)))
        link.status()
        link.snapshot()
        await _settle()
        registered = pb.Registration(account_id="l1", state=pb.REGISTRATION_STATE_REGISTERED)
        link.snapshot(registrations=[registered])  # a reconnect to the same adapter
        await _settle()
        link.snapshot()  # the adapter restarted: nothing registered
        await _settle()
        return link

    link = asyncio.run(scenario())
    assert link.kinds() == ["configure", "register", "configure", "register"]


def test_actions_checked_before_sending() -> None:
    async def scenario() -> FakeLink:
        link = FakeLink()
        phone = Phone(link, Settings())
        link.status()
        link.snapshot(pb.Call(call_id="a", state=pb.CALL_STATE_CONNECTED))
        await _settle()
        with pytest.raises(InvalidAction):
            await phone.act("a", CallAction.ANSWER)
        await phone.act("a", CallAction.HOLD)
        return link

    link = asyncio.run(scenario())
    assert link.kinds()[-1] == "hold" and "answer" not in link.kinds()


def test_commands_while_the_link_is_down_fail_with_the_reason() -> None:
    async def scenario() -> pb.Result:
        link = FakeLink()
        phone = Phone(link, Settings())
        link.status(state="unreachable", detail="cannot reach the adapter: no socket")
        return await phone.dial("7001")

    result = asyncio.run(scenario())
    assert result.error.code == pb.ERROR_CODE_UNAVAILABLE
    assert result.error.reason == "cannot reach the adapter: no socket"
