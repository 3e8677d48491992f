"""``DeviceAudioBackend``: the engine's ``AudioBackend`` on real sound devices.

It joins the parts: the device list and hot-plug watcher (``devices.py``), the selection
rules (``rules.py``), one ``CallBridge`` per call with media (``bridge.py``), the ringer
and tones (``players.py``, ``tones.py``). It tells the app what happens through the
``EventSink``: ``DeviceListChanged`` (what was added or removed), ``ActiveDevicesChanged``
(which devices are used and why) and ``AudioLevel`` four times a second per call.

Threads: the engine calls the ``AudioBackend`` hooks on its pjsua2 thread; the watcher
thread reports device changes; the level ticker publishes meters. One lock guards the
state they share. ``handle_command`` touches no pjsua2 object, so the engine may run it
on any thread (``TestAudioDevices`` blocks for the test's duration).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import sounddevice as sd

from protocol import pb
from vdi_adapter.audio import devices as device_list
from vdi_adapter.audio.bridge import CallBridge, DeviceStreams, DeviceUnavailable
from vdi_adapter.audio.pipeline import DEVICE_RATE, AudioControls, MediaPipeline
from vdi_adapter.audio.players import Ticker, TonePlayer, run_device_test
from vdi_adapter.audio.processing import VoiceProcessing
from vdi_adapter.audio.rules import (
    DeviceEntry,
    DeviceRulesError,
    ExplicitChoice,
    Selection,
    compile_rules,
    describe_change,
    find_device,
    headset_missing,
    select,
)
from vdi_adapter.audio.tones import ToneError, ToneSet, ToneSource
from vdi_adapter.audio_backend import TAP_RATE
from vdi_adapter.event_sink import EventSink

log = logging.getLogger(__name__)

LEVEL_PERIOD_S = 0.25
WARM_KEEP_S = 5.0
"""How long devices opened for a ringing call stay open after it stops ringing."""
DEFAULT_TEST_MS = 3000
MAX_TEST_MS = 30000


def speaker_gain(volume: int) -> float:
    """0..100 to a gain; 100 is unity, square law so the slider feels even."""
    return (volume / 100.0) ** 2


def microphone_gain(volume: int) -> float:
    """0..100 to a gain; 50 is unity, 100 is +12 dB."""
    return (volume / 50.0) ** 2


def _error(request_id: str, code: pb.ErrorCode, reason: str) -> pb.Result:
    return pb.Result(request_id=request_id, error=pb.Error(code=code, reason=reason))


class DeviceAudioBackend:
    """Sound devices, rules, per-call bridges, ringer and tones for the SIP engine."""

    def __init__(
        self,
        sink: EventSink,
        rules: pb.DeviceRules | None = None,
        *,
        voice_processing: bool = True,
        tones: ToneSet | None = None,
        watch: bool = True,
    ) -> None:
        self._sink = sink
        self._rules = compile_rules(rules)
        self._choice = ExplicitChoice()
        self._voice_processing = voice_processing
        self._tones = tones or ToneSet()
        self._lock = threading.RLock()
        self._controls = AudioControls()
        self._volumes = {"microphone": 50, "speaker": 100, "ringer": 100}
        self._bridges: dict[str, CallBridge] = {}
        self._call_muted: dict[str, bool] = {}
        self._ringers: dict[str, list[TonePlayer]] = {}
        self._tone_players: dict[str, TonePlayer | ToneSource] = {}
        self._warm: DeviceStreams | None = None
        if voice_processing:
            VoiceProcessing.preload()
        self._devices = device_list.list_devices_fresh()
        self._selection = select(self._devices, self._rules, self._choice)
        self._watcher = device_list.DeviceWatcher(self._devices_changed)
        self._levels = Ticker(LEVEL_PERIOD_S, self._publish_levels, "audio-levels")
        self._publish_device_list("initial device list")
        self._publish_active()
        if watch:
            self._watcher.start(self._devices)
        self._levels.start()

    # configuration and state

    @property
    def selection(self) -> Selection:
        return self._selection

    @property
    def devices(self) -> list[DeviceEntry]:
        return list(self._devices)

    def set_rules(self, rules: pb.DeviceRules | None) -> None:
        """New admin rules; raises ``DeviceRulesError`` (nothing changed) if one is bad."""
        compiled = compile_rules(rules)
        with self._lock:
            self._rules = compiled
            self._reselect("device rules changed")

    def incoming_call_reject_code(self, policy: pb.CallPolicy | None) -> int:
        """SIP code to reject an incoming call with for want of a headset, else 0."""
        code = policy.missing_headset_reject_code if policy is not None else 0
        with self._lock:
            return code if code and headset_missing(self._selection, self._rules) else 0

    def snapshot_into(self, snapshot: pb.Snapshot) -> None:
        """Fill the snapshot's device list and active devices."""
        with self._lock:
            del snapshot.devices[:]
            snapshot.devices.extend(device.to_proto() for device in self._devices)
            snapshot.active_devices.CopyFrom(self._active_proto())

    def _active_proto(self) -> pb.ActiveDevices:
        active = self._selection.to_proto()
        active.microphone_volume = self._volumes["microphone"]
        active.speaker_volume = self._volumes["speaker"]
        active.microphone_muted = self._controls.muted
        return active

    # events

    def _publish_device_list(self, change: str) -> None:
        devices = [device.to_proto() for device in self._devices]
        self._sink.publish(
            pb.Event(device_list=pb.DeviceListChanged(devices=devices, change=change))
        )

    def _publish_active(self, why: str = "") -> None:
        active = self._active_proto()
        if why:
            active.reason = f"{why}: {active.reason}" if active.reason else why
        self._sink.publish(pb.Event(active_devices=pb.ActiveDevicesChanged(active=active)))

    def _publish_levels(self) -> None:
        with self._lock:
            bridges = list(self._bridges.values())
        for bridge in bridges:
            pipeline = bridge.pipeline
            level = pb.AudioLevel(
                call_id=bridge.call_id,
                microphone_dbfs=pipeline.microphone_meter.take(),
                speaker_dbfs=pipeline.speaker_meter.take(),
            )
            self._sink.publish(pb.Event(audio_level=level))

    # device changes

    def _devices_changed(self, old: list[DeviceEntry], new: list[DeviceEntry]) -> None:
        change = describe_change(old, new)
        log.info("sound devices changed: %s", change)
        with self._lock:
            self._devices = list(new)
            self._publish_device_list(change)
            self._reselect(change)

    def refresh_devices(self) -> None:
        """List the devices now (as the watcher does) and apply the rules."""
        self._watcher.refresh()

    def _reselect(self, why: str) -> None:
        selection = select(self._devices, self._rules, self._choice)
        if selection == self._selection:
            return
        self._selection = selection
        self._publish_active(why)
        self._move_calls()

    def _move_calls(self) -> None:
        wanted = self._wanted_devices()
        moving = [b for b in self._bridges.values() if b.devices != wanted]
        try:
            for bridge in moving:
                bridge.open_devices(*wanted)
        except (DeviceUnavailable, sd.PortAudioError):
            # Plugged in during a call: only a re-initialised PortAudio can open it.
            self._reopen_all(wanted)

    def _wanted_devices(self) -> tuple[str | None, str | None]:
        microphone, speaker = self._selection.microphone, self._selection.speaker
        return (microphone.name if microphone else None, speaker.name if speaker else None)

    def _reopen_all(self, wanted: tuple[str | None, str | None]) -> None:
        for bridge in self._bridges.values():
            bridge.close_devices()
        self._drop_warm_streams()
        self._stop_ringers()
        for call_id in list(self._tone_players):
            self._stop_tone(call_id)
        try:
            device_list.list_devices_in_process(reinitialise=True)
            for bridge in self._bridges.values():
                bridge.open_devices(*wanted)
        except (DeviceUnavailable, RuntimeError, OSError, sd.PortAudioError) as error:
            log.warning("could not move calls to %s: %s", wanted, error)

    # AudioBackend hooks (engine thread)

    def call_media_started(self, call_id: str, media: Any) -> None:
        """Bridge the call to the selected microphone and speaker."""
        with self._lock:
            if call_id in self._bridges:
                return
            processing = VoiceProcessing() if self._voice_processing else None
            # The bridge port runs at the device rate whatever the codec: the conference
            # bridge converts a narrow-band call's audio once, in C, on the way to it
            # (it converts to its own 16 kHz clock for mixing anyway); only the drift
            # correction is left to the pipeline.
            pipeline = MediaPipeline(DEVICE_RATE, self._controls, processing)
            pipeline.call_muted = self._call_muted.get(call_id, False)
            bridge = CallBridge(call_id, pipeline)
            self._bridges[call_id] = bridge
            bridge.connect(media)
            warm = self._take_warm_streams()
            if warm is not None:
                bridge.adopt(warm)
                return
            # Sound streams can take a second or two to start: not on the engine's thread.
            opener = threading.Thread(
                target=self._open_bridge,
                args=(bridge, self._wanted_devices()),
                name=f"open-audio-{call_id}",
                daemon=True,
            )
            opener.start()

    def _warm_up(self) -> None:
        """Open the call devices while a call rings, so answering finds them running."""
        wanted = self._wanted_devices()
        if self._warm is not None or not any(wanted):
            return
        streams = DeviceStreams(None, *wanted)
        self._warm = streams
        threading.Thread(target=self._open_warm, args=(streams,), daemon=True).start()

    def _open_warm(self, streams: DeviceStreams) -> None:
        try:
            streams.open()
        except (DeviceUnavailable, OSError, sd.PortAudioError) as error:
            log.warning("could not open the call devices early: %s", error)
            with self._lock:
                if self._warm is streams:
                    self._warm = None

    def _take_warm_streams(self) -> DeviceStreams | None:
        warm, self._warm = self._warm, None
        if warm is None:
            return None
        if (warm.microphone, warm.speaker) == self._wanted_devices():
            return warm  # running, or about to: the pipeline waits for its first block
        warm.close()
        return None

    def _drop_warm_streams(self) -> None:
        warm, self._warm = self._warm, None
        if warm is not None:
            warm.close()

    def _open_bridge(self, bridge: CallBridge, devices: tuple[str | None, str | None]) -> None:
        try:
            bridge.open_devices(*devices)
        except (DeviceUnavailable, OSError, sd.PortAudioError) as error:
            # The call stays up without local audio; the app is told why.
            log.warning("call %s has no sound device: %s", bridge.call_id, error)
            self._publish_warning(
                "AUDIO_DEVICE_UNAVAILABLE", f"no sound device for the call: {error}"
            )

    def _publish_warning(self, code: str, message: str) -> None:
        warning = pb.AdapterWarning(code=code, severity=pb.SEVERITY_WARNING, message=message)
        self._sink.publish(pb.Event(warning=pb.WarningRaised(warning=warning)))

    def call_media_stopped(self, call_id: str) -> None:
        with self._lock:
            bridge = self._bridges.pop(call_id, None)
            self._stop_tone(call_id)
            if not self._bridges and not self._ringers:
                self._drop_warm_streams()
        if bridge is not None:
            bridge.close()

    def tap_received(self, call_id: str, listener: Callable[[bytes], None] | None) -> bool:
        """Give ``listener`` the frames the call's bridge port receives (see ``AudioBackend``)."""
        with self._lock:
            bridge = self._bridges.get(call_id)
            if bridge is None or bridge.port is None or bridge.pipeline.call_rate != TAP_RATE:
                return False
            bridge.port.received_tap = listener
            return True

    def ringing_started(self, call_id: str) -> None:
        """Ring on the ringer device(s), or beep in the call if one is already up."""
        with self._lock:
            if call_id in self._ringers:
                return
            if self._bridges:
                self._ringers[call_id] = []
                self._mix_into_calls(self._tones.source("call_waiting"))
                return
            self._ringers[call_id] = self._start_ringers()
            self._warm_up()

    def _start_ringers(self) -> list[TonePlayer]:
        players = []
        for device in self._selection.ringers:
            source = self._tones.source("ring")
            player = TonePlayer(device.name, source, lambda: speaker_gain(self._volumes["ringer"]))
            try:
                player.start()
                players.append(player)
            except (DeviceUnavailable, OSError, sd.PortAudioError) as error:
                log.warning("cannot ring on %s: %s", device.name, error)
        return players

    def _mix_into_calls(self, source: ToneSource) -> None:
        for bridge in self._bridges.values():
            bridge.pipeline.add_mixer(source)

    def ringing_stopped(self, call_id: str) -> None:
        """Stop ringing; devices opened early stay open a while for the answer's media."""
        with self._lock:
            players = self._ringers.pop(call_id, [])
            if not self._ringers and not self._bridges:
                timer = threading.Timer(WARM_KEEP_S, self._drop_if_unused)
                timer.daemon = True
                timer.start()
        for player in players:
            player.stop()

    def _drop_if_unused(self) -> None:
        with self._lock:
            if not self._ringers and not self._bridges:
                self._drop_warm_streams()

    def _stop_ringers(self) -> None:
        for call_id in list(self._ringers):
            self.ringing_stopped(call_id)

    # tones the engine asks for: ringback, busy, error, DTMF feedback

    def play_tone(self, call_id: str, tone: str) -> None:
        """Play a tone to the agent: in the call's audio if bridged, else on the speaker.

        ``tone`` is one of ``tones.TONES`` or "dtmf:<digit>"; raises ``ToneError``.
        """
        with self._lock:
            self._stop_tone(call_id)
            source = self._tones.source(tone, speaker_gain(self._volumes["speaker"]))
            bridge = self._bridges.get(call_id)
            if bridge is not None:
                bridge.pipeline.add_mixer(source)
                self._tone_players[call_id] = source
            elif self._selection.speaker is not None:
                player = TonePlayer(self._selection.speaker.name, source, lambda: 1.0)
                try:
                    player.start()
                except (DeviceUnavailable, sd.PortAudioError) as error:
                    log.warning("cannot play %s: %s", tone, error)
                    return
                self._tone_players[call_id] = player

    def stop_tone(self, call_id: str) -> None:
        with self._lock:
            self._stop_tone(call_id)

    def _stop_tone(self, call_id: str) -> None:
        player = self._tone_players.pop(call_id, None)
        if isinstance(player, TonePlayer):
            player.stop()
        elif player is not None:
            player.stop()
            for bridge in self._bridges.values():
                bridge.pipeline.remove_mixer(player)

    def set_call_muted(self, call_id: str, muted: bool) -> None:
        """Mute one call's microphone (the engine's ``Mute`` command)."""
        with self._lock:
            self._call_muted[call_id] = muted
            bridge = self._bridges.get(call_id)
            if bridge is not None:
                bridge.pipeline.call_muted = muted

    def close(self) -> None:
        """Release every device and port; call before the engine's ``libDestroy``."""
        self._watcher.stop()
        self._levels.stop()
        with self._lock:
            self._drop_warm_streams()
            bridges, self._bridges = list(self._bridges.values()), {}
            for call_id in list(self._tone_players):
                self._stop_tone(call_id)
        self._stop_ringers()
        for bridge in bridges:
            bridge.close()

    def bridge(self, call_id: str) -> CallBridge | None:
        """The call's bridge (statistics for diagnostics and benchmarks)."""
        return self._bridges.get(call_id)

    # commands the engine delegates

    def handle_command(self, command: pb.Command) -> pb.Result:
        """Answer SelectAudioDevices, SetVolumes or TestAudioDevices with one Result."""
        kind = command.WhichOneof("action")
        handler = {
            "select_audio_devices": self._select_devices,
            "set_volumes": self._set_volumes,
            "test_audio_devices": self._test_devices,
        }.get(kind or "")
        if handler is None:
            return _error(
                command.request_id, pb.ERROR_CODE_UNKNOWN_COMMAND, f"not an audio command: {kind}"
            )
        try:
            return handler(command)
        except Exception as error:
            log.exception("audio command %s failed", kind)
            return _error(
                command.request_id, pb.ERROR_CODE_INTERNAL, f"audio command failed: {error}"
            )

    def _select_devices(self, command: pb.Command) -> pb.Result:
        request = command.select_audio_devices
        with self._lock:
            if request.reset_to_rules:
                self._choice = ExplicitChoice()
                self._reselect("explicit choice reset")
                return pb.Result(request_id=command.request_id, ok=pb.Ok())
            problem = self._check_choice(request)
            if problem:
                return _error(command.request_id, pb.ERROR_CODE_NOT_FOUND, problem)
            self._choice = _merge_choice(self._choice, request)
            self._reselect("chosen by the agent")
        return pb.Result(request_id=command.request_id, ok=pb.Ok())

    def _check_choice(self, request: pb.SelectAudioDevices) -> str:
        roles = (("microphone", True), ("speaker", False), ("ringer", False))
        if not any(getattr(request, role) for role, _ in roles):
            return "no device given (set microphone, speaker or ringer, or reset_to_rules)"
        for role, recording in roles:
            wanted = getattr(request, role)
            device = find_device(self._devices, wanted) if wanted else None
            if wanted and device is None:
                return f"no such {role}: {wanted}"
            if device is not None and not (device.can_record if recording else device.can_play):
                return f"{device.name} cannot be used as {role}"
        return ""

    def _set_volumes(self, command: pb.Command) -> pb.Result:
        request = command.set_volumes
        fields = ("microphone_volume", "speaker_volume", "ringer_volume")
        for name in fields:
            if request.HasField(name) and getattr(request, name) > 100:
                reason = f"{name} must be 0..100, got {getattr(request, name)}"
                return _error(command.request_id, pb.ERROR_CODE_INVALID_ARGUMENT, reason)
        with self._lock:
            for name in fields:
                if request.HasField(name):
                    self._volumes[name.removesuffix("_volume")] = getattr(request, name)
            if request.HasField("microphone_muted"):
                self._controls.muted = request.microphone_muted
            self._controls.microphone_gain = microphone_gain(self._volumes["microphone"])
            self._controls.speaker_gain = speaker_gain(self._volumes["speaker"])
            self._publish_active("volumes changed")
        return pb.Result(request_id=command.request_id, ok=pb.Ok())

    def _test_devices(self, command: pb.Command) -> pb.Result:
        duration_ms = command.test_audio_devices.duration_ms or DEFAULT_TEST_MS
        if duration_ms > MAX_TEST_MS:
            reason = f"duration_ms must be at most {MAX_TEST_MS}"
            return _error(command.request_id, pb.ERROR_CODE_INVALID_ARGUMENT, reason)
        with self._lock:
            if self._bridges:
                reason = "a call is using the sound devices; test them outside a call"
                return _error(command.request_id, pb.ERROR_CODE_INVALID_STATE, reason)
            microphone, speaker = self._wanted_devices()
        if microphone is None or speaker is None:
            return _error(
                command.request_id, pb.ERROR_CODE_UNAVAILABLE, "no microphone or speaker present"
            )
        try:
            mic_dbfs, speaker_dbfs = run_device_test(microphone, speaker, duration_ms / 1000)
        except (DeviceUnavailable, sd.PortAudioError) as error:
            reason = f"the device test could not open the devices: {error}"
            return _error(command.request_id, pb.ERROR_CODE_UNAVAILABLE, reason)
        result = pb.AudioTestResult(
            microphone_level_dbfs=mic_dbfs, speaker_level_dbfs=speaker_dbfs,
            microphone=microphone, speaker=speaker,
        )  # fmt: skip
        return pb.Result(request_id=command.request_id, ok=pb.Ok(audio_test=result))


def _merge_choice(choice: ExplicitChoice, request: pb.SelectAudioDevices) -> ExplicitChoice:
    changes = {role: getattr(request, role) for role in ("microphone", "speaker", "ringer")}
    return replace(choice, **{role: value for role, value in changes.items() if value})


__all__ = ["DeviceAudioBackend", "DeviceRulesError", "ToneError"]
