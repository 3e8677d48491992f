"""Device enumeration, selection rules, hot-plug, commands, ringer and self-test, on a
real PulseAudio server seen through PortAudio."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import numpy as np
import pytest

from protocol import pb
from tests.integration.audio.peers import dominant_frequency, tone, tone_power_db
from tests.support.pulseaudio import PulseAudioServer, stop_player
from vdi_adapter.audio.backend import DeviceAudioBackend
from vdi_adapter.audio.rules import DeviceRulesError
from vdi_adapter.event_sink import EventSink

pytestmark = pytest.mark.integration

HEADSET_RULES = pb.DeviceRules(
    headset=["^Plantronics", "jabra.*40"], speaker=["Speakerphone"], use_headset=True
)


class Events:
    def __init__(self, sink: EventSink) -> None:
        self.items: list[pb.Event] = []
        sink.subscribe(self.items.append)

    def mark(self) -> int:
        return len(self.items)

    def wait(
        self, predicate: Callable[[pb.Event], bool], timeout: float, since: int = 0
    ) -> pb.Event:
        deadline = time.monotonic() + timeout
        seen = since
        while time.monotonic() < deadline:
            for event in self.items[seen:]:
                if predicate(event):
                    return event
            seen = len(self.items)
            time.sleep(0.02)
        raise AssertionError(f"no matching event within {timeout} s: {self.items[-3:]}")

    def of(self, kind: str) -> list[pb.Event]:
        return [e for e in self.items if e.WhichOneof("kind") == kind]


@pytest.fixture
def sink() -> EventSink:
    return EventSink()


@pytest.fixture
def backend_factory(sink: EventSink) -> Iterator[Callable[..., DeviceAudioBackend]]:
    made: list[DeviceAudioBackend] = []

    def make(rules: pb.DeviceRules | None = None) -> DeviceAudioBackend:
        made.append(DeviceAudioBackend(sink, rules))
        return made[-1]

    yield make
    for backend in made:
        backend.close()


def test_enumerates_devices_with_their_capabilities(
    pulse: PulseAudioServer, sink: EventSink, backend_factory: Callable[..., DeviceAudioBackend]
) -> None:
    pulse.plug("Jabra EVOLVE 40")
    pulse.plug("Laptop Speaker", capture=False)
    pulse.plug("USB Microphone", playback=False)
    events = Events(sink)
    backend = backend_factory()
    by_name = {d.name: d for d in backend.devices}
    assert by_name["Jabra EVOLVE 40"].can_play and by_name["Jabra EVOLVE 40"].can_record
    assert by_name["Laptop Speaker"].can_play and not by_name["Laptop Speaker"].can_record
    assert by_name["USB Microphone"].can_record and not by_name["USB Microphone"].can_play
    listed = events.of("device_list")[0].device_list
    assert {"Jabra EVOLVE 40", "Laptop Speaker", "USB Microphone"} <= {
        d.name for d in listed.devices
    }
    assert all(d.host_api == "ALSA" and d.device_id == f"ALSA:{d.name}" for d in listed.devices)
    snapshot = pb.Snapshot()
    backend.snapshot_into(snapshot)
    assert len(snapshot.devices) == len(listed.devices)
    assert snapshot.active_devices.speaker_volume == 100


def test_rules_follow_preference_order_and_hot_plug(
    pulse: PulseAudioServer, sink: EventSink, backend_factory: Callable[..., DeviceAudioBackend]
) -> None:
    pulse.plug("Jabra EVOLVE 40")
    pulse.plug("USB Speakerphone")
    events = Events(sink)
    backend = backend_factory(HEADSET_RULES)
    assert backend.selection.headset_in_use
    assert backend.selection.microphone.name == "Jabra EVOLVE 40"
    assert "jabra.*40" in backend.selection.reason

    plugged_at = time.monotonic()
    pulse.plug("Plantronics Blackwire 3220")
    changed = events.wait(
        lambda e: e.active_devices.active.microphone == "ALSA:Plantronics Blackwire 3220", 2.0
    )
    assert time.monotonic() - plugged_at < 2.0
    assert "added: Plantronics Blackwire 3220" in changed.active_devices.active.reason
    assert "added: Plantronics" in events.of("device_list")[-1].device_list.change

    mark = events.mark()
    pulse.unplug("Plantronics Blackwire 3220")
    back = events.wait(
        lambda e: e.active_devices.active.speaker == "ALSA:Jabra EVOLVE 40", 2.0, since=mark
    )
    assert "removed: Plantronics Blackwire 3220" in back.active_devices.active.reason


def test_missing_headset_falls_back_or_rejects(
    pulse: PulseAudioServer, sink: EventSink, backend_factory: Callable[..., DeviceAudioBackend]
) -> None:
    pulse.plug("USB Speakerphone")
    backend = backend_factory(HEADSET_RULES)
    assert not backend.selection.headset_in_use
    assert backend.selection.speaker.name == "USB Speakerphone"
    assert "no headset present" in backend.selection.reason
    assert backend.incoming_call_reject_code(pb.CallPolicy(missing_headset_reject_code=480)) == 480
    assert backend.incoming_call_reject_code(pb.CallPolicy()) == 0
    events = Events(sink)
    pulse.plug("Jabra EVOLVE 40")
    events.wait(lambda e: e.active_devices.active.headset_in_use, 2.0)
    assert backend.incoming_call_reject_code(pb.CallPolicy(missing_headset_reject_code=480)) == 0


def test_explicit_choice_overrides_rules_until_reset(
    pulse: PulseAudioServer, sink: EventSink, backend_factory: Callable[..., DeviceAudioBackend]
) -> None:
    pulse.plug("Jabra EVOLVE 40")
    pulse.plug("USB Speakerphone")
    backend = backend_factory(HEADSET_RULES)
    events = Events(sink)
    choose = pb.SelectAudioDevices(speaker="ALSA:USB Speakerphone")
    result = backend.handle_command(pb.Command(request_id="r1", select_audio_devices=choose))
    assert result.request_id == "r1" and result.HasField("ok")
    active = events.of("active_devices")[-1].active_devices.active
    assert active.speaker == "ALSA:USB Speakerphone" and active.explicit_choice
    assert active.microphone == "ALSA:Jabra EVOLVE 40"

    pulse.plug("Plantronics Blackwire 3220")  # rules would now pick it; the choice holds
    events.wait(lambda e: e.active_devices.active.microphone.startswith("ALSA:Plantronics"), 2.0)
    assert backend.selection.speaker.name == "USB Speakerphone"

    reset = pb.SelectAudioDevices(reset_to_rules=True)
    backend.handle_command(pb.Command(request_id="r2", select_audio_devices=reset))
    assert backend.selection.speaker.name == "Plantronics Blackwire 3220"
    assert not backend.selection.explicit


def test_bad_commands_get_clear_errors(
    pulse: PulseAudioServer, backend_factory: Callable[..., DeviceAudioBackend]
) -> None:
    pulse.plug("Laptop Speaker", capture=False)
    backend = backend_factory()
    unknown = pb.SelectAudioDevices(microphone="ALSA:No Such Headset")
    result = backend.handle_command(pb.Command(request_id="a", select_audio_devices=unknown))
    assert result.error.code == pb.ERROR_CODE_NOT_FOUND and "No Such Headset" in result.error.reason
    wrong = pb.SelectAudioDevices(microphone="ALSA:Laptop Speaker")
    result = backend.handle_command(pb.Command(request_id="b", select_audio_devices=wrong))
    assert "cannot be used as microphone" in result.error.reason
    loud = pb.SetVolumes(speaker_volume=101)
    result = backend.handle_command(pb.Command(request_id="c", set_volumes=loud))
    assert result.error.code == pb.ERROR_CODE_INVALID_ARGUMENT
    result = backend.handle_command(pb.Command(request_id="d", dial=pb.Dial(to="x")))
    assert result.error.code == pb.ERROR_CODE_UNKNOWN_COMMAND
    with pytest.raises(DeviceRulesError, match="not a valid pattern"):
        backend.set_rules(pb.DeviceRules(headset=["(unclosed"]))


def test_ringer_rings_on_headset_and_speaker(
    pulse: PulseAudioServer, backend_factory: Callable[..., DeviceAudioBackend]
) -> None:
    headset = pulse.plug("Jabra EVOLVE 40")
    speaker = pulse.plug("USB Speakerphone")
    rules = pb.DeviceRules()
    rules.CopyFrom(HEADSET_RULES)
    rules.ring_on_speaker = True
    backend = backend_factory(rules)
    assert [d.name for d in backend.selection.ringers] == ["Jabra EVOLVE 40", "USB Speakerphone"]
    backend.ringing_started("call-1")
    try:
        on_headset, on_speaker = pulse.record_many([headset.output_sink, speaker.output_sink], 0.8)
    finally:
        backend.ringing_stopped("call-1")
    # The ring tone is a 1000 + 1250 Hz pair, 1 s on.
    assert tone_power_db(on_headset, 48000, 1250) > -30
    assert tone_power_db(on_speaker, 48000, 1000) > -30
    time.sleep(0.2)
    assert np.abs(pulse.record(headset.output_sink, 0.5)).max() == 0


def test_device_self_test_loops_microphone_to_speaker(
    pulse: PulseAudioServer, backend_factory: Callable[..., DeviceAudioBackend]
) -> None:
    headset = pulse.plug("Jabra EVOLVE 40")
    backend = backend_factory(HEADSET_RULES)
    voice = pulse.start_playing(headset.input_sink, tone(600, 4.0, 48000, dbfs=-12))
    try:
        command = pb.Command(
            request_id="t", test_audio_devices=pb.TestAudioDevices(duration_ms=2500)
        )
        heard: list[np.ndarray] = []
        import threading

        recorder = threading.Thread(
            target=lambda: (time.sleep(1.0), heard.append(pulse.record(headset.output_sink, 1.0)))
        )
        recorder.start()
        result = backend.handle_command(command)
        recorder.join()
    finally:
        stop_player(voice)
    assert result.ok.audio_test.microphone == "Jabra EVOLVE 40"
    assert -20 < result.ok.audio_test.microphone_level_dbfs < -10
    assert abs(dominant_frequency(heard[0], 48000) - 600) < 5


def test_tones_without_a_call_play_on_the_speaker(
    pulse: PulseAudioServer, backend_factory: Callable[..., DeviceAudioBackend]
) -> None:
    headset = pulse.plug("Jabra EVOLVE 40")
    backend = backend_factory(HEADSET_RULES)
    backend.play_tone("call-1", "busy")  # 425 Hz, 0.5 s on / 0.5 s off
    try:
        busy = pulse.record(headset.output_sink, 1.2)
        backend.play_tone("call-1", "dtmf:5")  # replaces the busy tone
        time.sleep(0.05)
        digit = pulse.record(headset.output_sink, 0.3)
    finally:
        backend.stop_tone("call-1")
    assert tone_power_db(busy, 48000, 425) > -35
    assert tone_power_db(digit, 48000, 770) > -40 and tone_power_db(digit, 48000, 1336) > -40
    assert tone_power_db(digit, 48000, 425) < -60
    time.sleep(0.2)
    assert np.abs(pulse.record(headset.output_sink, 0.4)).max() == 0


def test_volume_and_mute_settings_are_reported(
    pulse: PulseAudioServer, sink: EventSink, backend_factory: Callable[..., DeviceAudioBackend]
) -> None:
    pulse.plug("Jabra EVOLVE 40")
    backend = backend_factory(HEADSET_RULES)
    events = Events(sink)
    volumes = pb.SetVolumes(speaker_volume=40, microphone_volume=75, microphone_muted=True)
    result = backend.handle_command(pb.Command(request_id="v", set_volumes=volumes))
    assert result.HasField("ok")
    active = events.of("active_devices")[-1].active_devices.active
    assert (active.speaker_volume, active.microphone_volume) == (40, 75)
    assert active.microphone_muted and active.reason.startswith("volumes changed")


def test_streams_closed_while_still_opening_are_not_left_running(
    pulse: PulseAudioServer, backend_factory: Callable[..., DeviceAudioBackend]
) -> None:
    # Warm-up streams open on a thread of their own; a hang-up or a device change can
    # close them before that thread is done. A stream it starts after that would play on
    # with no one left to close it.
    from vdi_adapter.audio.bridge import DeviceStreams
    from vdi_adapter.audio.devices import PortAudioStreams

    pulse.plug("Jabra EVOLVE 40")
    backend_factory(HEADSET_RULES)  # PortAudio now lists the headset
    streams = DeviceStreams(None, "Jabra EVOLVE 40", "Jabra EVOLVE 40")
    open_before = PortAudioStreams.count()
    streams.close()
    streams.open()
    time.sleep(0.3)
    assert PortAudioStreams.count() == open_before
    assert streams.taps["input"].blocks == 0 and streams.taps["output"].blocks == 0
