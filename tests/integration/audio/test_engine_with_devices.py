"""The SIP engine with real devices: the device policy and the tones the agent hears.

The engine drives the audio backend (``DeviceAudioBackend`` on a private PulseAudio
server); the far end is a pjsua2 endpoint in its own process.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from protocol import pb
from simulator.far_end import FarEnd
from tests.integration.audio.peers import tone_power_db
from tests.support.pulseaudio import PulseAudioServer
from vdi_adapter.audio.backend import DeviceAudioBackend
from vdi_adapter.engine import Engine
from vdi_adapter.event_sink import EventSink

pytestmark = pytest.mark.integration

# The engine shares 5070 with the engine tests: its SIP transports stay cached per
# process, and pjsua holds only a few.
ENGINE_PORT, FAR_PORT = 5070, 5171
RULES = pb.DeviceRules(headset=["^Jabra"], use_headset=True)


def configuration(reject_code: int = 0) -> pb.Configuration:
    return pb.Configuration(
        network=pb.NetworkSettings(
            sip_port=ENGINE_PORT, public_address="127.0.0.1", rtp_port_min=27000, rtp_port_max=27098
        ),
        policy=pb.CallPolicy(missing_headset_reject_code=reject_code),
        device_rules=RULES,
    )


@pytest.fixture
def make_engine(pulse: PulseAudioServer) -> Iterator[Callable[[], Engine]]:
    """Starts the engine on the devices plugged so far (call it after plugging them)."""
    started: list[tuple[Engine, DeviceAudioBackend]] = []

    def make() -> Engine:
        sink = EventSink()
        backend = DeviceAudioBackend(sink, watch=False)
        instance = Engine(sink, backend)
        instance.events = []  # type: ignore[attr-defined]
        sink.subscribe(instance.events.append)  # type: ignore[attr-defined]
        instance.start()
        started.append((instance, backend))
        return instance

    try:
        yield make
    finally:
        for instance, backend in started:
            instance.stop()
            backend.close()


def run(engine: Engine, **action: object) -> pb.Result:
    return engine.submit(pb.Command(request_id="t", **action)).result(15)  # type: ignore[arg-type]


def test_no_headset_rejects_incoming_calls_with_the_policy_code(
    pulse: PulseAudioServer, make_engine: Callable[[], Engine]
) -> None:
    pulse.plug("Laptop Speaker")
    instance = make_engine()
    assert run(instance, configure=pb.Configure(configuration=configuration(480))).HasField("ok")
    with FarEnd(FAR_PORT, user="5001") as customer:
        customer.request("call", uri=f"sip:agent@127.0.0.1:{ENGINE_PORT}")
        ended = customer.wait_state(0, "DISCONNECTED", timeout=10)
    assert ended["code"] == 480
    assert not [c for c in instance.snapshot().calls if c.state != pb.CALL_STATE_ENDED]
    # The agent's app learns of the call it never saw ringing, and why it was turned away.
    updates = [e.call.call for e in instance.events if e.HasField("call")]
    (rejected,) = [c for c in updates if c.end_reason == pb.CALL_END_REASON_POLICY]
    assert rejected.direction == pb.CALL_DIRECTION_INBOUND and "5001" in rejected.remote_uri
    assert rejected.state == pb.CALL_STATE_ENDED and rejected.end_sip_code == 480
    assert rejected.end_reason_text == "no headset connected"


def test_bad_device_rule_is_refused_with_its_reason(make_engine: Callable[[], Engine]) -> None:
    instance = make_engine()
    bad = configuration()
    bad.device_rules.headset[:] = ["Jabra("]
    result = run(instance, configure=pb.Configure(configuration=bad))
    assert result.error.code == pb.ERROR_CODE_INVALID_ARGUMENT
    assert "Jabra(" in result.error.reason


def test_the_agent_hears_ringback_while_the_far_end_rings(
    pulse: PulseAudioServer, make_engine: Callable[[], Engine]
) -> None:
    headset = pulse.plug("Jabra EVOLVE 40")
    instance = make_engine()
    assert run(instance, configure=pb.Configure(configuration=configuration())).HasField("ok")
    with FarEnd(FAR_PORT, user="5001") as customer:  # rings, never answers
        dialled = run(instance, dial=pb.Dial(to=f"sip:5001@127.0.0.1:{FAR_PORT}"))
        customer.wait_for("incoming", lambda e: True, timeout=10)
        customer.request("answer", call=0, code=180)  # alerting, no early media
        time.sleep(0.3)
        heard = pulse.record(headset.output_sink, 1.0)
        run(instance, hangup=pb.Hangup(call_id=dialled.ok.dial.call_id))
    # Ringback: 425 Hz, 1 s on (tones.TONES["ringback"]), in the headset.
    assert tone_power_db(heard, 48000, 425) > -40


def test_inband_digits_are_heard_through_the_device_bridge(
    pulse: PulseAudioServer, make_engine: Callable[[], Engine]
) -> None:
    pulse.plug("Jabra EVOLVE 40")
    instance = make_engine()
    assert run(instance, configure=pb.Configure(configuration=configuration())).HasField("ok")
    with FarEnd(FAR_PORT, user="5001") as customer:
        dialled = run(instance, dial=pb.Dial(to=f"sip:5001@127.0.0.1:{FAR_PORT}"))
        call_id = dialled.ok.dial.call_id
        customer.wait_for("incoming", lambda e: True, timeout=10)
        customer.request("answer", call=0, code=200)
        customer.wait_for("media", lambda e: e["status"] == "active", timeout=10)
        time.sleep(0.5)
        customer.request("dtmf", call=0, digits="159#", method="inband")
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline and len(inband_digits(instance, call_id)) < 4:
            time.sleep(0.05)
        # Taken from the bridge's own port: one Python port on the call, not two.
        tapped = call_id in instance.calls.media.detectors._tapped
        run(instance, hangup=pb.Hangup(call_id=call_id))
    assert inband_digits(instance, call_id) == "159#"
    assert tapped


def inband_digits(instance: Engine, call_id: str) -> str:
    events = instance.events  # type: ignore[attr-defined]
    return "".join(
        e.dtmf.digit
        for e in events
        if e.HasField("dtmf")
        and e.dtmf.method == pb.DTMF_METHOD_INBAND
        and e.dtmf.call_id == call_id
    )
