"""Engine lifecycle: many start/stop cycles in one process with calls up at stop."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from protocol import pb
from vdi_adapter.engine import Engine
from vdi_adapter.event_sink import EventSink

pytestmark = pytest.mark.integration

PROBE = Path(__file__).with_name("lifecycle_probe.py")
REPO = Path(__file__).parents[3]


def test_fifty_start_stop_cycles_with_calls_up_exit_cleanly(sipp):
    server = sipp("uas_answer.xml", 5091, "-m", "50")
    probe = subprocess.run(
        [sys.executable, str(PROBE), "sip:service@127.0.0.1:5091", "50"],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )
    assert probe.returncode == 0, f"exit {probe.returncode}:\n{probe.stderr[-3000:]}"
    assert "cycles=50 connected=50 ended_by_shutdown=50" in probe.stdout
    messages = server.assert_success(timeout=20)
    assert messages.count("BYE sip:") >= 50


def test_commands_before_start_and_after_stop_are_refused():
    sink = EventSink()
    engine = Engine(sink)
    before = engine.submit(pb.Command(request_id="x", dial=pb.Dial(to="sip:a@127.0.0.1"))).result(1)
    assert (before.request_id, before.error.code) == ("x", pb.ERROR_CODE_UNAVAILABLE)
    engine.start()
    engine.stop()
    engine.stop()
    after = engine.submit(pb.Command(request_id="y", get_snapshot=pb.GetSnapshot())).result(1)
    assert after.error.code == pb.ERROR_CODE_UNAVAILABLE
    assert engine.snapshot().sequence == sink.last_sequence


def test_capabilities_name_codecs_after_start():
    engine = Engine(EventSink())
    engine.start()
    try:
        capabilities = engine.capabilities()
    finally:
        engine.stop()
    assert "PCMU/8000" in capabilities.codecs and "G722/16000" in capabilities.codecs
    assert "opus/48000" not in capabilities.codecs
    assert pb.DTMF_METHOD_INBAND in capabilities.dtmf_methods
    assert "attended_transfer" in capabilities.features


def test_a_failing_event_subscriber_does_not_stop_the_engine():
    sink = EventSink()
    failures = []

    def broken(event: pb.Event) -> None:
        failures.append(event.sequence)
        raise RuntimeError("subscriber bug")

    engine = Engine(sink)
    engine.start()
    try:
        sink.subscribe(broken)
        network = pb.NetworkSettings(public_address="127.0.0.1", sip_port=5070)
        configure = pb.Configure(configuration=pb.Configuration(network=network))
        first = engine.submit(pb.Command(request_id="1", configure=configure)).result(5)
        sink.unsubscribe(broken)
        second = engine.submit(pb.Command(request_id="2", get_snapshot=pb.GetSnapshot()))
        assert second.result(5).HasField("ok")
    finally:
        engine.stop()
    assert failures
    assert first.HasField("ok")
