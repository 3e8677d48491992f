"""The engine's use of the AudioBackend seam, with a recording backend of our own."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from protocol import pb
from tests.integration.sip.helpers import ENGINE_PORT, EngineUnderTest, EventLog
from tests.integration.sip.helpers import base_configuration as configuration
from vdi_adapter.engine import Engine
from vdi_adapter.event_sink import EventSink

pytestmark = pytest.mark.integration


class RecordingBackend:
    """Records hook calls; answers audio commands like a device backend would."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.media: Any = None

    def call_media_started(self, call_id: str, media: Any) -> None:
        self.calls.append(("media_started", call_id))
        self.media = media

    def call_media_stopped(self, call_id: str) -> None:
        self.calls.append(("media_stopped", call_id))

    def ringing_started(self, call_id: str) -> None:
        self.calls.append(("ringing_started", call_id))

    def ringing_stopped(self, call_id: str) -> None:
        self.calls.append(("ringing_stopped", call_id))

    def snapshot_into(self, snapshot: pb.Snapshot) -> None:
        snapshot.devices.add(device_id="recording", name="Recording backend")
        snapshot.active_devices.microphone = "recording"

    def close(self) -> None:
        self.calls.append(("close", ""))

    def handle_command(self, command: pb.Command) -> pb.Result:
        return pb.Result(request_id=command.request_id, ok=pb.Ok())


@pytest.fixture
def backend_engine() -> Iterator[tuple[EngineUnderTest, RecordingBackend]]:
    backend = RecordingBackend()
    sink = EventSink()
    engine = Engine(sink, backend)
    engine.start()
    try:
        yield EngineUnderTest(engine, EventLog(sink)), backend
    finally:
        engine.stop()


def test_hooks_follow_ringing_answer_hold_and_hangup(backend_engine, far_ends):
    engine, backend = backend_engine
    engine.configure(configuration())
    caller = far_ends(5081)
    caller.request("call", uri=f"sip:agent@127.0.0.1:{ENGINE_PORT}")
    ringing = engine.log.wait_new_call(pb.CALL_STATE_RINGING)
    engine.ok(answer=pb.Answer(call_id=ringing.call_id))
    engine.log.wait_call(ringing.call_id, pb.CALL_STATE_CONNECTED)
    caller.wait_for("media", lambda e: e["status"] == "active")
    engine.ok(hold=pb.Hold(call_id=ringing.call_id))
    caller.wait_for("media", lambda e: e["status"] == "remote_hold")
    engine.ok(retrieve=pb.Retrieve(call_id=ringing.call_id))
    deadline = time.monotonic() + 5
    while len(backend.calls) < 5 and time.monotonic() < deadline:
        time.sleep(0.02)
    engine.ok(hangup=pb.Hangup(call_id=ringing.call_id))
    engine.log.wait_call(ringing.call_id, pb.CALL_STATE_ENDED)
    call = ringing.call_id
    assert backend.calls == [
        ("ringing_started", call),
        ("ringing_stopped", call),
        ("media_started", call),
        ("media_stopped", call),
        ("media_started", call),
        ("media_stopped", call),
    ]
    assert backend.media is not None


def test_audio_commands_are_delegated_to_a_backend_that_handles_them(backend_engine):
    engine, backend = backend_engine
    result = engine.run(set_volumes=pb.SetVolumes(speaker_volume=40))
    assert result.HasField("ok")
    engine.engine.stop()
    assert backend.calls[-1] == ("close", "")


def test_a_snapshot_carries_the_backends_devices(backend_engine):
    # The app's resync replaces its whole view with the snapshot: the devices must be in it.
    engine, _backend = backend_engine
    snapshot = engine.engine.snapshot()
    assert [d.device_id for d in snapshot.devices] == ["recording"]
    assert snapshot.active_devices.microphone == "recording"
    result = engine.run(get_snapshot=pb.GetSnapshot())
    assert [d.name for d in result.ok.snapshot.devices] == ["Recording backend"]
