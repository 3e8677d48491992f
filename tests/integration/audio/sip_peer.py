"""A pjsua2 user agent in its own process, for call tests (one Endpoint per process).

Roles:
  far   the customer: answers, plays a WAV file into the call in a loop, records what it
        hears to a WAV file (pjsua2's null sound device clocks it; no sound card).
  near  the agent's adapter: dials the far end and bridges the call through
        ``DeviceAudioBackend`` to the PortAudio devices of the PulseAudio test server.

Control is line-based JSON: commands on stdin, events on stdout (one object a line).
near commands: {"cmd": "hangup"}, {"cmd": "quit"}, {"cmd": "mute", "muted": true},
{"cmd": "command", "command": <pb.Command as hex>}, {"cmd": "stats"}.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import sys
import threading
import time
from typing import Any

import pjsua2 as pj


def emit(**fields: Any) -> None:
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


def start_endpoint(port: int, codec: str) -> pj.Endpoint:
    ep = pj.Endpoint()
    ep.libCreate()
    cfg = pj.EpConfig()
    cfg.uaConfig.threadCnt = 0
    cfg.uaConfig.mainThreadOnly = True
    cfg.logConfig.level = 1
    cfg.logConfig.consoleLevel = 1
    cfg.medConfig.clockRate = 16000
    cfg.medConfig.noVad = True
    ep.libInit(cfg)
    transport = pj.TransportConfig()
    transport.port = port
    transport.boundAddress = "127.0.0.1"
    ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, transport)
    ep.libStart()
    ep.audDevManager().setNullDev()
    for info in ep.codecEnum2():
        prefix = codec.lower() if "/" in codec else codec.lower() + "/"
        wanted = info.codecId.lower().startswith(prefix)
        ep.codecSetPriority(info.codecId, 255 if wanted else 0)
    return ep


def make_account(
    ep: pj.Endpoint, user: str, port: int, rtp_port: int, public: str = ""
) -> pj.Account:
    cfg = pj.AccountConfig()
    cfg.idUri = f"sip:{user}@127.0.0.1:{port}"
    cfg.mediaConfig.transportConfig.port = rtp_port
    cfg.mediaConfig.transportConfig.portRange = 100
    cfg.mediaConfig.transportConfig.boundAddress = "127.0.0.1"
    if public:
        # Advertise a relay's address in the SDP, so RTP to us crosses the relay.
        cfg.mediaConfig.transportConfig.publicAddress = public
    account = Account()
    account.create(cfg)
    return account


class Account(pj.Account):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__()
        self.incoming: list[Call] = []

    def onIncomingCall(self, prm: Any) -> None:
        # The Call object must exist before this callback returns, or pjsua2 drops the call.
        self.incoming.append(Call(self, prm.callId))


class Call(pj.Call):  # type: ignore[misc]
    def __init__(self, account: pj.Account, call_id: int = pj.PJSUA_INVALID_ID) -> None:
        super().__init__(account, call_id)
        self.events: queue.Queue[str] = queue.Queue()

    def onCallState(self, prm: Any) -> None:
        info = self.getInfo()
        if info.state == pj.PJSIP_INV_STATE_CONFIRMED:
            self.events.put("confirmed")
        elif info.state == pj.PJSIP_INV_STATE_DISCONNECTED:
            self.events.put("disconnected")

    def onCallMediaState(self, prm: Any) -> None:
        self.events.put("media")

    def audio_media(self) -> Any:
        info = self.getInfo()
        for index, media in enumerate(info.media):
            if media.type == pj.PJMEDIA_TYPE_AUDIO and media.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                return self.getAudioMedia(index)
        return None


def stdin_lines() -> queue.Queue[dict[str, Any]]:
    lines: queue.Queue[dict[str, Any]] = queue.Queue()

    def read() -> None:
        for line in sys.stdin:
            if line.strip():
                lines.put(json.loads(line))
        lines.put({"cmd": "quit"})

    threading.Thread(target=read, daemon=True).start()
    return lines


def run_far(args: argparse.Namespace) -> None:
    ep = start_endpoint(args.port, args.codec)
    account = make_account(ep, "far", args.port, args.rtp_port, args.media_public)
    commands = stdin_lines()
    emit(event="ready")
    call = player = recorder = None
    answer_at = 0.0
    while True:
        ep.libHandleEvents(10)
        if account.incoming and call is None:
            call = account.incoming.pop()
            ringing = pj.CallOpParam()
            ringing.statusCode = 180
            call.answer(ringing)
            answer_at = time.monotonic() + args.answer_after
        if call is not None and answer_at and time.monotonic() >= answer_at:
            answer_at = 0.0
            answer = pj.CallOpParam()
            answer.statusCode = 200
            try:
                call.answer(answer)
            except pj.Error as error:
                emit(event="error", reason=error.info())
                print(error.info(), file=sys.stderr)
                raise
        while call is not None and not call.events.empty():
            event = call.events.get()
            if event == "media" and player is None and call.audio_media() is not None:
                media = call.audio_media()
                player = pj.AudioMediaPlayer()
                player.createPlayer(args.play, 0)
                player.startTransmit(media)
                recorder = pj.AudioMediaRecorder()
                recorder.createRecorder(args.record)
                media.startTransmit(recorder)
                emit(event="media")
            elif event == "disconnected":
                emit(event="disconnected")
        try:
            command = commands.get_nowait()
        except queue.Empty:
            continue
        if command["cmd"] == "quit":
            break
    # Explicit teardown in order: the recorder writes its WAV header when destroyed.
    del recorder, player
    if call is not None:
        ep.hangupAllCalls()
        for _ in range(20):
            ep.libHandleEvents(10)
        del call
    del account
    ep.libDestroy()
    emit(event="exited")


def run_near(args: argparse.Namespace) -> None:
    from protocol import pb
    from vdi_adapter.audio.backend import DeviceAudioBackend
    from vdi_adapter.audio_backend import NullAudioBackend
    from vdi_adapter.event_sink import EventSink

    ep = start_endpoint(args.port, args.codec)
    account = make_account(ep, "near", args.port, args.rtp_port, args.media_public)
    sink = EventSink()
    sink.subscribe(
        lambda event: emit(
            event="pb", kind=event.WhichOneof("kind"), hex=event.SerializeToString().hex()
        )
    )
    rules = pb.DeviceRules.FromString(bytes.fromhex(args.rules)) if args.rules else None
    backend: Any = (
        NullAudioBackend()
        if args.no_bridge
        else DeviceAudioBackend(sink, rules, voice_processing=not args.no_processing)
    )
    commands = stdin_lines()
    emit(event="ready")
    if args.prewarm:
        backend.ringing_started("c1")  # as for an incoming call: ring, open devices early
    call = Call(account)
    if not args.dial_on_command:
        call.makeCall(args.dial, pj.CallOpParam(True))
    bridged = False
    tap = voice = extras = None
    while True:
        ep.libHandleEvents(10)
        while not call.events.empty():
            event = call.events.get()
            if event == "media" and not bridged and call.audio_media() is not None:
                if args.prewarm:
                    backend.ringing_stopped("c1")
                backend.call_media_started("c1", call.audio_media())
                if not args.no_bridge:
                    extras = engine_call_ports(call.audio_media(), backend)
                bridged = True
                if args.play and args.no_bridge:
                    # pjsua2 alone, agent to far end: the speech file straight into the call.
                    voice = pj.AudioMediaPlayer()
                    voice.createPlayer(args.play, 0)
                    voice.startTransmit(call.audio_media())
                if args.tap_record:
                    # pjsua2 alone, no bridge: the decoded call audio straight to a WAV.
                    tap = pj.AudioMediaRecorder()
                    tap.createRecorder(args.tap_record)
                    call.audio_media().startTransmit(tap)
                emit(event="media")
            elif event == "disconnected":
                backend.call_media_stopped("c1")
                emit(event="disconnected")
        try:
            command = commands.get_nowait()
        except queue.Empty:
            continue
        if command["cmd"] == "dial":
            call.makeCall(args.dial, pj.CallOpParam(True))
        elif not handle_near_command(command, call, backend, ep):
            break
    backend.close()
    del tap, voice, extras
    ep.hangupAllCalls()
    for _ in range(20):
        ep.libHandleEvents(10)
    del call
    emit(event="exited")
    sys.stdout.flush()
    # libDestroy() can corrupt the heap after a Python AudioMediaPort was bridged; the
    # process ends here, and the OS releases sockets and memory.
    os._exit(0)


def engine_call_ports(media: Any, backend: Any) -> tuple[Any, Any]:
    """The other ports the adapter's engine puts on every call's audio (an in-band DTMF
    listener, a DTMF tone generator), so the near end costs what an agent's call does."""
    from vdi_adapter.engine.inband import DetectorPool

    detectors = DetectorPool()
    detectors.attach("c1", media, lambda digit: emit(event="dtmf", digit=digit), backend)
    generator = pj.ToneGenerator()
    generator.createToneGenerator(16000, 1)
    generator.startTransmit(media)
    return detectors, generator


def handle_near_command(command: dict[str, Any], call: Call, backend: Any, ep: Any) -> bool:
    from protocol import pb

    kind = command["cmd"]
    if kind == "quit":
        return False
    if kind == "hangup":
        ep.hangupAllCalls()
    elif kind == "mute":
        backend.set_call_muted("c1", bool(command["muted"]))
        emit(event="muted", muted=command["muted"])
    elif kind == "command":
        result = backend.handle_command(pb.Command.FromString(bytes.fromhex(command["command"])))
        emit(event="result", hex=result.SerializeToString().hex())
    elif kind == "stats":
        emit(event="stats", **bridge_stats(backend))
    elif kind == "tone":
        backend.play_tone("c1", command["tone"])
        emit(event="tone")
    return True


def bridge_stats(backend: Any) -> dict[str, Any]:
    bridge = backend.bridge("c1") if hasattr(backend, "bridge") else None
    if bridge is None:
        return {"cpu_s": time.process_time(), "time": time.monotonic()}
    pipeline = bridge.pipeline
    return {
        "frames_in": bridge.port.frames_in,
        "frames_out": bridge.port.frames_out,
        "play_starved": pipeline.play_ring.starved,
        "send_starved": pipeline.send_starved,
        "play_dropped": pipeline.play_ring.dropped,
        "send_dropped": pipeline.send_dropped,
        "devices": list(bridge.devices),
        "play_level": pipeline.play_ring.level,
        "send_level": pipeline.send_level,
        "play_consumed": pipeline.play_ring.removed,
        "stream_status": bridge.active_streams.status_flags if bridge.active_streams else -1,
        "busy_s": pipeline.busy_s,
        "reference_resyncs": pipeline.reference_resyncs,
        "first_block_after_s": pipeline.first_block_at - pipeline.created_at,
        "cpu_s": time.process_time(),
        "latency_up_ms": latency_ms(pipeline.latency.up, pipeline.latency.up_count),
        "latency_down_ms": latency_ms(pipeline.latency.down, pipeline.latency.down_count),
        "time": time.monotonic(),
    }


def latency_ms(log: Any, count: int) -> list[float]:
    """Percentiles 50 and 99 of the logged ring waits, in ms (skipping the first 2 s)."""
    import numpy as np

    values = log[: min(count, len(log))][100:]
    if len(values) == 0:
        return [0.0, 0.0]
    return [float(np.percentile(values, 50) * 1000), float(np.percentile(values, 99) * 1000)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("role", choices=["far", "near"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--rtp-port", type=int, required=True)
    parser.add_argument("--codec", default="PCMU")
    parser.add_argument("--play", default="")
    parser.add_argument("--record", default="")
    parser.add_argument("--dial", default="")
    parser.add_argument("--dial-on-command", action="store_true", help="idle until 'dial'")
    parser.add_argument("--rules", default="", help="pb.DeviceRules, serialized, hex")
    parser.add_argument("--no-processing", action="store_true")
    parser.add_argument("--no-bridge", action="store_true", help="pjsua2 only, for baselines")
    parser.add_argument("--prewarm", action="store_true", help="ring first, as for incoming")
    parser.add_argument("--answer-after", type=float, default=0.0, help="far: seconds of 180")
    parser.add_argument("--media-public", default="", help="address to advertise in SDP")
    parser.add_argument("--tap-record", default="", help="also record the call, no bridge")
    args = parser.parse_args()
    (run_far if args.role == "far" else run_near)(args)


if __name__ == "__main__":
    main()
