"""What each scenario step does, through the real components.

Every step acts the way its actor would: the CTI application through the
connector API, the far end through its own SIP endpoint, the network through the
channel simulator. ``expect`` looks only at what the agent (or a far end) can see.
A step that does not happen raises ``StepFailed`` with a message naming what was
missing.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app_layer.state import CallAction
from protocol import pb
from simulator.audio_check import detect_dtmf, dominant_frequency
from simulator.rig import describe_call
from simulator.scenario import Step, parse_duration, parse_frequency
from simulator.world import SimWorld


class StepFailed(Exception):
    """The step's action was refused or its expectation was not met."""


_STATES = {
    "dialing": pb.CALL_STATE_DIALING,
    "ringback": pb.CALL_STATE_RINGBACK,
    "ringing": pb.CALL_STATE_RINGING,
    "connecting": pb.CALL_STATE_CONNECTING,
    "connected": pb.CALL_STATE_CONNECTED,
    "ended": pb.CALL_STATE_ENDED,
}
_REGISTRATIONS = {
    "registered": pb.REGISTRATION_STATE_REGISTERED,
    "unregistered": pb.REGISTRATION_STATE_UNREGISTERED,
    "failed": pb.REGISTRATION_STATE_FAILED,
    "registering": pb.REGISTRATION_STATE_REGISTERING,
    "standalone": pb.REGISTRATION_STATE_STANDALONE,
}
_PEER_STATES = {
    "ringing": "EARLY",
    "connected": "CONFIRMED",
    "ended": "DISCONNECTED",
    "dialing": "CALLING",
    "connecting": "CONNECTING",
}
_DTMF = {
    "rfc2833": pb.DTMF_METHOD_RFC2833,
    "info": pb.DTMF_METHOD_SIP_INFO,
    "inband": pb.DTMF_METHOD_INBAND,
}


class StepRunner:
    """Executes steps against one ``SimWorld``; remembers which call is which."""

    def __init__(self, world: SimWorld, note: Callable[[str, str], None]) -> None:
        self.world = world
        self.view = world.rig.view
        self.note = note
        #: Agent call ids by the peer on the other end.
        self.calls: dict[str, str] = {}
        #: The far end's own call number by peer.
        self.peer_calls: dict[str, int] = {}
        self.current: str | None = None

    async def run(self, step: Step) -> None:
        handler = getattr(self, f"do_{step.action}")
        # "from" and "with" are Python keywords: the handlers take from_ and with_.
        renamed = {"from": "from_", "with": "with_"}
        await handler(**{renamed.get(k, k): v for k, v in step.args.items()})

    # ----------------------------------------------------------------- helpers
    async def until(self, predicate: Callable[[], bool], what: str, timeout: float = 5.0) -> float:
        try:
            return await self.world.rig.wait_for(predicate, timeout, what)
        except TimeoutError as error:
            raise StepFailed(str(error)) from None

    async def peer_op(self, name: str, op: str, **fields: Any) -> dict[str, Any]:
        try:
            return await asyncio.to_thread(self.world.peers[name].request, op, 10.0, **fields)
        except RuntimeError as error:
            raise StepFailed(f"{name}: {error}") from None

    async def peer_wait(
        self, name: str, event: str, match: Callable[[dict[str, Any]], bool], timeout: float = 5.0
    ) -> dict[str, Any]:
        try:
            return await asyncio.to_thread(self.world.peers[name].wait_for, event, match, timeout)
        except RuntimeError as error:
            raise StepFailed(f"{name}: {error}") from None

    def call_id(self, label: str | None) -> str:
        if label is None:
            if self.current is None:
                raise StepFailed("no call yet: start one with incoming_call or dial")
            return self.current
        if label in self.calls:
            return self.calls[label]
        if label in self.view.calls:
            return label
        raise StepFailed(f"no call with {label!r} (calls: {', '.join(self.calls) or 'none'})")

    def peer_of(self, call_id: str) -> str:
        for name, cid in self.calls.items():
            if cid == call_id:
                return name
        raise StepFailed(f"call {call_id} has no simulated peer")

    async def connector(self, method: str, path: str, body: Any = None) -> Any:
        self.note("cti app", f"{method} {path} {body or ''}".rstrip())
        reply = await self.world.client.request(method, path, body if body is not None else {})
        if not reply.ok:
            raise StepFailed(f"connector: {reply.describe()}")
        return reply.body

    async def ui(self, call_id: str, action: CallAction) -> None:
        """Do what the agent's click in the window does (its view-model's action)."""
        self.note("agent", f"clicks {action.value} in the window")
        before = len(self.world.ui_messages)
        if not self.world.agent_ui.act(call_id, action):
            raise StepFailed(f"the window refused {action.value}: {self.world.ui_messages[-1]}")
        await asyncio.sleep(0.2)  # the command's outcome comes back as a message if it fails
        if len(self.world.ui_messages) > before:
            raise StepFailed(f"the window reports: {self.world.ui_messages[-1]}")

    async def adapter(self, command: pb.Command) -> pb.Result:
        result = await self.world.rig.command(command)
        if result.WhichOneof("outcome") == "error":
            raise StepFailed(f"adapter: {result.error.reason}")
        return result

    def uri_of(self, target: str) -> str:
        if target.startswith("sip:") or target.isdigit():
            return target
        return f"sip:{self.world.peer_users[target]}@{self.world.registrar.address}"

    async def new_call_to(self, label: str, before: set[str], timeout: float = 5.0) -> str:
        await self.until(
            lambda: bool(set(self.view.calls) - before), f"a new call with {label}", timeout
        )
        call_id = sorted(set(self.view.calls) - before)[0]
        self.calls[label] = call_id
        self.current = call_id
        return call_id

    # ------------------------------------------------------------- registration
    async def do_register(self, line: str = "") -> None:
        await self.connector("POST", "/v1/register")

    async def do_unregister(self, line: str = "") -> None:
        await self.connector("DELETE", "/v1/register")

    # ------------------------------------------------------------------- calls
    async def do_incoming_call(
        self, from_: str, headers: dict[str, str] | None = None, answer_after: Any = None
    ) -> None:
        before = set(self.view.calls)
        extra = dict(headers or {})
        if answer_after is not None:
            extra["Call-Info"] = (
                f"<{self.world.agent_uri}>;answer-after={int(parse_duration(answer_after))}"
            )
        self.note(from_, f"calls the agent{' with ' + str(extra) if extra else ''}")
        result = await self.peer_op(from_, "call", uri=self.world.agent_uri, headers=extra)
        self.peer_calls[from_] = int(result["call"])
        await self.new_call_to(from_, before)

    async def do_dial(self, to: str, via: str = "connector") -> None:
        before = set(self.view.calls)
        if via == "adapter":
            await self.adapter(pb.Command(dial=pb.Dial(to=self.uri_of(to))))
        else:
            await self.connector("POST", "/v1/calls", {"to": self.uri_of(to)})
        await self.new_call_to(to, before)
        if to in self.world.peers:
            incoming = await self.peer_wait(to, "incoming", lambda e: True)
            self.peer_calls[to] = int(incoming["call"])

    async def do_answer(
        self, via: str = "connector", call: str | None = None, by: str = "agent"
    ) -> None:
        if by != "agent":
            await self.peer_op(by, "answer", call=self.peer_calls[by])
            return
        call_id = self.call_id(call)
        if via == "notify":
            await self.peer_notify(call_id, "talk")
        elif via == "adapter":
            await self.adapter(pb.Command(answer=pb.Answer(call_id=call_id)))
        elif via == "ui":
            await self.ui(call_id, CallAction.ANSWER)
        else:
            await self.connector("POST", f"/v1/calls/{call_id}/answer")

    async def peer_notify(self, call_id: str, event: str) -> None:
        peer = self.peer_of(call_id)
        self.note(peer, f"sends NOTIFY Event: {event} (remote call control)")
        await self.peer_op(peer, "notify", call=self.peer_calls[peer], event=event)

    async def do_reject(self, code: int = 486, call: str | None = None) -> None:
        await self.adapter(pb.Command(reject=pb.Reject(call_id=self.call_id(call), sip_code=code)))

    async def do_hangup(
        self, by: str = "agent", call: str | None = None, via: str = "connector"
    ) -> None:
        if by != "agent":
            await self.peer_op(by, "hangup", call=self.peer_calls[by])
        elif via == "ui":
            await self.ui(self.call_id(call), CallAction.HANGUP)
        else:
            await self.connector("POST", f"/v1/calls/{self.call_id(call)}/hangup")

    async def do_hold(
        self, via: str = "connector", call: str | None = None, by: str = "agent"
    ) -> None:
        await self._hold("hold", via, call, by)

    async def do_retrieve(
        self, via: str = "connector", call: str | None = None, by: str = "agent"
    ) -> None:
        await self._hold("retrieve", via, call, by)

    async def _hold(self, action: str, via: str, call: str | None, by: str) -> None:
        call_id = self.call_id(call)
        if by != "agent":
            await self.peer_op(by, action, call=self.peer_calls[by])
        elif via == "notify":
            await self.peer_notify(call_id, "hold" if action == "hold" else "talk")
        elif via == "ui":
            await self.ui(call_id, CallAction.HOLD if action == "hold" else CallAction.RETRIEVE)
        else:
            await self.connector("POST", f"/v1/calls/{call_id}/{action}")

    async def do_mute(self, call: str | None = None, via: str = "connector") -> None:
        if via == "ui":
            await self.ui(self.call_id(call), CallAction.MUTE)
            return
        await self.connector("POST", f"/v1/calls/{self.call_id(call)}/mute")

    async def do_unmute(self, call: str | None = None, via: str = "connector") -> None:
        if via == "ui":
            await self.ui(self.call_id(call), CallAction.UNMUTE)
            return
        await self.connector("POST", f"/v1/calls/{self.call_id(call)}/unmute")

    async def do_dtmf(
        self,
        digits: str,
        method: str = "",
        by: str = "agent",
        call: str | None = None,
        via: str = "connector",
    ) -> None:
        if by != "agent":
            await self.peer_op(
                by, "dtmf", call=self.peer_calls[by], digits=digits, method=method or "rfc2833"
            )
            return
        call_id = self.call_id(call)
        if method:
            command = pb.SendDtmf(call_id=call_id, digits=digits, method=_DTMF[method])
            await self.adapter(pb.Command(send_dtmf=command))
        else:
            await self.connector("POST", f"/v1/calls/{call_id}/dtmf", {"digits": digits})
        if method != "inband":  # the far end's endpoint does not decode in-band tones
            peer = self.peer_of(call_id)
            for digit in digits:
                await self.peer_wait(peer, "dtmf", lambda e, d=digit: e["digit"] == d)  # type: ignore[misc]
            self.note(peer, f"heard DTMF {digits}")

    async def do_transfer(
        self, to: str, mode: str = "blind", call: str | None = None, via: str = "connector"
    ) -> None:
        call_id = self.call_id(call)
        if mode == "blind":
            body = {"to": self.uri_of(to), "mode": "blind"}
        else:
            consult = self.calls.get(to)
            if consult is None:
                raise StepFailed(f"attended transfer: dial {to} first (the consult call)")
            body = {"consult_call_id": consult, "mode": "attended"}
        await self.connector("POST", f"/v1/calls/{call_id}/transfer", body)

    async def do_conference(
        self, call: str | None = None, with_: str | None = None, via: str = "connector"
    ) -> None:
        if with_ is None:
            raise StepFailed("conference: say with=<peer>")
        await self.connector(
            "POST", f"/v1/calls/{self.call_id(call)}/conference", {"with": self.call_id(with_)}
        )

    async def do_play(self, by: str, tone: Any = None, file: str = "") -> None:
        if tone is not None:
            await self.peer_op(
                by, "tone", call=self.peer_calls[by], frequency=int(parse_frequency(tone))
            )
        else:
            await self.peer_op(by, "play", call=self.peer_calls[by], wav=str(Path(file).resolve()))

    # ------------------------------------------------------------- the network
    async def do_cut_channel(self, **args: Any) -> None:
        seconds = parse_duration(args["for"])
        self.note("sim", f"virtual channel cut for {seconds:g} s")
        self.world.rig.cut(seconds)

    async def do_plug_device(self, name: str) -> None:
        self.note("sim", f"plugs in {name}")
        await asyncio.to_thread(self._sound().plug, name)

    async def do_unplug_device(self, name: str) -> None:
        self.note("sim", f"unplugs {name}")
        await asyncio.to_thread(self._sound().unplug, name)

    def _sound(self) -> Any:
        if self.world.sound is None:
            raise StepFailed('no sound devices in this scenario: add sound = ["..."] at the top')
        return self.world.sound

    async def do_wait(self, **args: Any) -> None:
        await asyncio.sleep(parse_duration(args["for"]))

    async def do_restart_adapter(self) -> None:
        self.note("sim", "restarting the adapter")
        await self.world.rig.restart_adapter()

    # ------------------------------------------------------------ expectations
    async def do_expect(
        self, within: Any = "5s", call: str | None = None, peer: str | None = None, **what: Any
    ) -> None:
        timeout = parse_duration(within)
        for key, value in what.items():
            check = getattr(self, f"expect_{key}")
            await check(value, timeout, call, peer)

    async def expect_call_state(
        self, value: str, timeout: float, call: str | None, peer: str | None
    ) -> None:
        if value == "none":
            await self.until(lambda: not self.view.active_calls(), "no call up", timeout)
            return
        call_id = self.call_id(call)
        wanted = _STATES[value]
        await self.until(
            lambda: self.view.calls[call_id].state == wanted,
            f"call {call_id} {value} (it is {describe_call(self.view.calls[call_id])})",
            timeout,
        )

    async def expect_held(
        self, value: bool, timeout: float, call: str | None, peer: str | None
    ) -> None:
        call_id = self.call_id(call)
        await self.until(
            lambda: self.view.calls[call_id].on_hold == value, f"held={value}", timeout
        )

    async def expect_muted(
        self, value: bool, timeout: float, call: str | None, peer: str | None
    ) -> None:
        call_id = self.call_id(call)
        await self.until(lambda: self.view.calls[call_id].muted == value, f"muted={value}", timeout)

    async def expect_end_reason(
        self, value: str, timeout: float, call: str | None, peer: str | None
    ) -> None:
        call_id = self.call_id(call)
        wanted = getattr(pb, f"CALL_END_REASON_{value.upper()}")
        await self.until(
            lambda: self.view.calls[call_id].end_reason == wanted, f"ended: {value}", timeout
        )

    async def expect_calls(
        self, value: int, timeout: float, call: str | None, peer: str | None
    ) -> None:
        await self.until(
            lambda: len(self.view.active_calls()) == value, f"{value} call(s) up", timeout
        )

    async def expect_registration(
        self, value: str, timeout: float, call: str | None, peer: str | None
    ) -> None:
        wanted = _REGISTRATIONS[value]
        await self.until(
            lambda: any(r.state == wanted for r in self.view.registrations.values()),
            f"registration {value}",
            timeout,
        )

    async def expect_link(
        self, value: str, timeout: float, call: str | None, peer: str | None
    ) -> None:
        await self.until(lambda: self.view.status.state == value, f"link {value}", timeout)

    async def expect_dtmf(
        self, value: str, timeout: float, call: str | None, peer: str | None
    ) -> None:
        await self.until(
            lambda: "".join(self.view.dtmf).endswith(str(value)), f"DTMF {value} received", timeout
        )

    async def expect_peer_state(
        self, value: str, timeout: float, call: str | None, peer: str | None
    ) -> None:
        if peer is None:
            raise StepFailed("expect peer_state needs peer=<name>")
        wanted = _PEER_STATES[value]
        await self.peer_wait(peer, "state", lambda e: e["state"] == wanted, timeout)

    async def expect_tone(
        self, value: Any, timeout: float, call: str | None, peer: str | None
    ) -> None:
        """``peer`` records what it hears for a second; its dominant frequency must match."""
        if peer is None:
            raise StepFailed("expect tone needs peer=<name> (who should hear it)")
        wanted = parse_frequency(value)
        wav = self.world.workdir / f"{peer}-{time.monotonic_ns()}.wav"
        await self.peer_op(peer, "record", call=self.peer_calls[peer], wav=str(wav))
        await asyncio.sleep(min(1.5, timeout))
        await self.peer_op(peer, "record_stop", call=self.peer_calls[peer])
        heard = dominant_frequency(wav)
        self.note(peer, f"hears {heard:.0f} Hz")
        if heard is None or abs(heard - wanted) > max(15.0, wanted * 0.03):
            raise StepFailed(f"{peer} hears {heard or 0:.0f} Hz, not {wanted:.0f} Hz")

    async def expect_peer_media(
        self, value: str, timeout: float, call: str | None, peer: str | None
    ) -> None:
        """What the far end's endpoint made of our SDP now (a=sendonly -> remote_hold, ...)."""
        if peer is None:
            raise StepFailed("expect peer_media needs peer=<name>")
        far = self.world.peers[peer]

        def latest() -> str:
            while not far.events.empty():  # the newest media event counts, not an old one
                far.seen.append(far.events.get_nowait())
            media = [e for e in far.seen if e.get("event") == "media"]
            return str(media[-1]["status"]) if media else "none"

        await self.until(
            lambda: latest() == value, f"{peer} media {value} (is {latest()})", timeout
        )

    async def expect_dtmf_tones(
        self, value: str, timeout: float, call: str | None, peer: str | None
    ) -> None:
        """``peer`` records while the digits play; the recording must decode to them."""
        if peer is None:
            raise StepFailed("expect dtmf_tones needs peer=<name>")
        wav = self.world.workdir / f"{peer}-dtmf-{time.monotonic_ns()}.wav"
        await self.peer_op(peer, "record", call=self.peer_calls[peer], wav=str(wav))
        await asyncio.sleep(min(timeout, 0.4 + 0.25 * len(value)))
        await self.peer_op(peer, "record_stop", call=self.peer_calls[peer])
        heard = detect_dtmf(wav)
        self.note(peer, f"hears in-band DTMF {heard or 'nothing'}")
        if heard != value:
            raise StepFailed(f"{peer} heard in-band DTMF {heard or 'nothing'!r}, not {value!r}")

    async def expect_mos_at_least(
        self, value: float, timeout: float, call: str | None, peer: str | None
    ) -> None:
        await self._expect_quality(lambda q: q.mos >= value, f"MOS at least {value}", timeout, call)

    async def expect_mos_at_most(
        self, value: float, timeout: float, call: str | None, peer: str | None
    ) -> None:
        await self._expect_quality(
            lambda q: 0 < q.mos <= value, f"MOS at most {value}", timeout, call
        )

    async def expect_loss_rx_at_least(
        self, value: float, timeout: float, call: str | None, peer: str | None
    ) -> None:
        check = lambda q: q.loss_rx_pct >= value  # noqa: E731
        await self._expect_quality(check, f"receive loss at least {value} %", timeout, call)

    async def _expect_quality(
        self, check: Callable[[pb.CallQuality], bool], what: str, timeout: float, call: str | None
    ) -> None:
        call_id = self.call_id(call)

        def now() -> str:
            q = self.view.quality.get(call_id)
            return f"MOS {q.mos:.2f}, loss rx {q.loss_rx_pct:.1f} %" if q else "no report yet"

        await self.until(
            lambda: call_id in self.view.quality and check(self.view.quality[call_id]),
            f"{what} ({now()})",
            timeout,
        )
        self.note("agent", f"quality: {now()}")

    async def expect_active_speaker(
        self, value: str, timeout: float, call: str | None, peer: str | None
    ) -> None:
        await self.until(
            lambda: value in self.view.active_devices.speaker,
            f"speaker {value!r} in use (is {self.view.active_devices.speaker!r})",
            timeout,
        )

    async def expect_active_microphone(
        self, value: str, timeout: float, call: str | None, peer: str | None
    ) -> None:
        await self.until(
            lambda: value in self.view.active_devices.microphone,
            f"microphone {value!r} in use (is {self.view.active_devices.microphone!r})",
            timeout,
        )

    async def expect_audio(
        self, value: Any, timeout: float, call: str | None, peer: str | None
    ) -> None:
        await self.expect_tone(value, timeout, call, peer)
