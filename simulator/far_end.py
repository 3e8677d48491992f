"""A simulated far end (customer or colleague): a pjsua2 endpoint in its own process.

pjsua2's Endpoint is a process singleton, so the peer of a test call runs in a child
process, driven by JSON lines on stdin and reporting JSON lines on stdout:

    {"id": 1, "op": "call", "uri": "sip:7001@127.0.0.1:5090"}
    {"id": 1, "event": "result", "ok": true, "call": 0}
    {"event": "state", "call": 0, "state": "CONFIRMED", "code": 200, "reason": "OK"}

Operations: call, answer (code), reject (code), hangup, hold, retrieve, dtmf (digits,
method rfc2833|info|inband), transfer (target: a blind REFER), tone (frequency) / tone_stop,
play (wav), record (wav) / record_stop, notify (event, body, content_type: an
in-dialog NOTIFY), info (body, content_type), quit. Events: ready, incoming (with
the whole INVITE), state, media, dtmf, request (in-dialog requests received),
response (to our in-dialog requests), transfer_request, replaced, registration.
``FarEnd`` starts the process, sends operations, waits for events and stops it by PID.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, TextIO

from simulator.processes import stop_group

State = dict[str, Any]


#: How many RTP/RTCP ports each far end may use, from ``rtp_base_port``.
RTP_PORTS = 10


def rtp_base_port(sip_port: int) -> int:
    """The far end's first RTP port: its own block, clear of other endpoints' 4000."""
    return 30000 + (sip_port % 1000) * 10


class FarEndError(RuntimeError):
    """The far end did not do what was asked in time, or refused it."""


class FarEnd:
    """Drives a far-end process; every wait has a timeout."""

    def __init__(
        self,
        port: int,
        *,
        user: str = "customer",
        registrar: str = "",
        password: str = "",
        auto_answer: int = 0,
        follow_refer: bool = True,
        codecs: str = "",
        srtp: int = 0,
        tls: tuple[int, str, str] | None = None,
        media_public: str = "",
    ) -> None:
        self.port = port
        self.args = ["--port", str(port), "--user", user, "--auto-answer", str(auto_answer)]
        if registrar:
            self.args += ["--registrar", registrar, "--password", password]
        if not follow_refer:
            self.args.append("--refuse-refer")
        if codecs:
            self.args += ["--codecs", codecs]
        if srtp:
            self.args += ["--srtp", str(srtp)]
        if tls:
            self.args += ["--tls-port", str(tls[0]), "--tls-cert", tls[1], "--tls-key", tls[2]]
        if media_public:
            self.args += ["--media-public", media_public]
        self.events: queue.Queue[State] = queue.Queue()
        self.seen: list[State] = []
        self._next_id = 0
        self._process: subprocess.Popen[str] | None = None
        self._reader: threading.Thread | None = None

    @property
    def uri(self) -> str:
        return f"sip:{self.args[3]}@127.0.0.1:{self.port}"

    def start(self, timeout: float = 15.0) -> None:
        command = [sys.executable, "-m", "simulator.far_end", *self.args]
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None if os.environ.get("FAR_END_STDERR") else subprocess.DEVNULL,
            text=True,
            start_new_session=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.wait_for("ready", timeout=timeout)

    def _read(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        for line in self._process.stdout:
            with contextlib.suppress(ValueError):
                self.events.put(json.loads(line))
        self.events.put({"event": "exited"})

    def request(self, op: str, timeout: float = 10.0, **fields: Any) -> State:
        """Send one operation and return its result; raises FarEndError if it failed."""
        assert self._process is not None and self._process.stdin is not None
        self._next_id += 1
        ident = self._next_id
        self._process.stdin.write(json.dumps({"id": ident, "op": op, **fields}) + "\n")
        self._process.stdin.flush()
        result = self.wait_for("result", lambda e: e.get("id") == ident, timeout)
        if not result.get("ok"):
            raise FarEndError(f"far end could not {op}: {result.get('error')}")
        return result

    def wait_for(
        self, event: str, match: Callable[[State], bool] | None = None, timeout: float = 10.0
    ) -> State:
        """The first event named ``event`` (seen before or arriving) that ``match`` accepts."""
        for old in self.seen:
            if old.get("event") == event and (match is None or match(old)):
                self.seen.remove(old)
                return old
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            try:
                item = self.events.get(timeout=max(0.0, remaining))
            except queue.Empty:
                raise FarEndError(f"no {event!r} event from the far end in {timeout} s") from None
            if item.get("event") == event and (match is None or match(item)):
                return item
            if item.get("event") == "exited":
                raise FarEndError(f"far end exited while waiting for {event!r}")
            self.seen.append(item)

    def wait_state(self, call: int, state: str, timeout: float = 10.0) -> State:
        return self.wait_for("state", lambda e: e["call"] == call and e["state"] == state, timeout)

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        with contextlib.suppress(OSError, ValueError):
            assert process.stdin is not None
            process.stdin.write(json.dumps({"id": 0, "op": "quit"}) + "\n")
            process.stdin.flush()
        stop_group(process, term=False)  # it was asked to quit; killed if it does not

    def __enter__(self) -> FarEnd:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


# ----- the child process ----------------------------------------------------------


def _main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Simulated SIP far end (JSON lines)")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--user", default="customer")
    parser.add_argument("--registrar", default="")
    parser.add_argument("--password", default="")
    parser.add_argument("--auto-answer", type=int, default=0, help="answer incoming with CODE")
    parser.add_argument("--refuse-refer", action="store_true")
    parser.add_argument("--codecs", default="", help="comma-separated codec order")
    parser.add_argument("--srtp", type=int, default=0, help="0 off, 1 optional, 2 mandatory")
    parser.add_argument("--tls-port", type=int, default=0, help="also listen for SIP over TLS")
    parser.add_argument("--media-public", default="", help="address to advertise in SDP (a relay)")
    parser.add_argument("--tls-cert", default="")
    parser.add_argument("--tls-key", default="")
    args = parser.parse_args(argv)
    # pjlib prints to fd 1; keep the real stdout for the JSON protocol only.
    out = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    peer = _Peer(args, out)
    peer.run(sys.stdin)


class _Peer:
    """The far end's pjsua2 endpoint; one thread runs jobs and polls pjsua2."""

    def __init__(self, args: argparse.Namespace, out: TextIO) -> None:
        import pjsua2 as pj

        self.pj = pj
        self.args = args
        self.out = out
        self.jobs: queue.Queue[State] = queue.Queue()
        self.calls: dict[int, Any] = {}
        self.helpers: dict[tuple[int, str], Any] = {}
        self.info_digits: dict[int, str] = {}
        self.info_in_flight: set[int] = set()
        self.numbers = iter(range(1_000_000))
        self.quit = False
        _name_constants(pj)
        self.endpoint = self._create_endpoint()
        self.account = self._create_account()
        self.emit(event="ready", port=args.port)

    def emit(self, **fields: Any) -> None:
        self.out.write(json.dumps(fields) + "\n")

    def _create_endpoint(self) -> Any:
        pj = self.pj
        endpoint = pj.Endpoint()
        endpoint.libCreate()
        config = pj.EpConfig()
        config.uaConfig.threadCnt = 0
        config.uaConfig.mainThreadOnly = True
        config.uaConfig.userAgent = "far-end simulator"
        config.logConfig.level = 1
        config.logConfig.consoleLevel = 1
        config.medConfig.noVad = True
        endpoint.libInit(config)
        for kind in (pj.PJSIP_TRANSPORT_UDP, pj.PJSIP_TRANSPORT_TCP):
            transport = pj.TransportConfig()
            transport.port = self.args.port
            transport.boundAddress = "127.0.0.1"
            endpoint.transportCreate(kind, transport)
        if self.args.tls_port:
            transport = pj.TransportConfig()
            transport.port = self.args.tls_port
            transport.boundAddress = "127.0.0.1"
            transport.tlsConfig.certFile = self.args.tls_cert
            transport.tlsConfig.privKeyFile = self.args.tls_key
            endpoint.transportCreate(pj.PJSIP_TRANSPORT_TLS, transport)
        endpoint.libStart()
        # No sound card: the null device clocks the conference bridge.
        endpoint.audDevManager().setNullDev()
        if self.args.codecs:
            self._set_codecs(endpoint, self.args.codecs.split(","))
        return endpoint

    def _set_codecs(self, endpoint: Any, order: list[str]) -> None:
        for info in endpoint.codecEnum2():
            wanted = [i for i, name in enumerate(order) if info.codecId.startswith(name)]
            endpoint.codecSetPriority(info.codecId, 250 - wanted[0] if wanted else 0)

    def _create_account(self) -> Any:
        pj = self.pj
        config = pj.AccountConfig()
        if self.args.registrar:
            config.idUri = f"sip:{self.args.user}@{self.args.registrar.split(':')[0]}"
            config.regConfig.registrarUri = f"sip:{self.args.registrar}"
            config.sipConfig.proxies.append(f"sip:{self.args.registrar};lr")
            credentials = pj.AuthCredInfo("digest", "*", self.args.user, 0, self.args.password)
            config.sipConfig.authCreds.append(credentials)
        else:
            config.idUri = f"sip:{self.args.user}@127.0.0.1:{self.args.port}"
        config.mediaConfig.srtpUse = self.args.srtp
        config.mediaConfig.srtpSecureSignaling = 0
        media = config.mediaConfig.transportConfig
        media.boundAddress = "127.0.0.1"
        media.port = rtp_base_port(self.args.port)
        media.portRange = RTP_PORTS
        if self.args.media_public:
            media.publicAddress = self.args.media_public
        account = _PEER_CLASSES["account"](self)
        account.create(config)
        return account

    def run(self, stdin: TextIO) -> None:
        reader = threading.Thread(target=self._read, args=(stdin,), daemon=True)
        reader.start()
        while not self.quit:
            while not self.jobs.empty():
                self._perform(self.jobs.get())
            self.endpoint.libHandleEvents(5)
        self._shutdown()

    def _read(self, stdin: TextIO) -> None:
        for line in stdin:
            with contextlib.suppress(ValueError):
                self.jobs.put(json.loads(line))
        self.jobs.put({"id": 0, "op": "quit"})

    def post(self, job: Callable[[], None]) -> None:
        self.jobs.put({"op": "_job", "job": job})

    def _perform(self, request: State) -> None:
        if request["op"] == "_job":
            with contextlib.suppress(Exception):
                request["job"]()
            return
        handler = getattr(self, f"op_{request['op']}", None)
        try:
            if handler is None:
                raise ValueError(f"unknown operation {request['op']!r}")
            extra = handler(request) or {}
            self.emit(event="result", id=request.get("id"), ok=True, **extra)
        except Exception as error:
            reason = getattr(error, "reason", "") or str(error)
            self.emit(event="result", id=request.get("id"), ok=False, error=reason)

    def _call(self, request: State) -> Any:
        call = self.calls.get(int(request["call"]))
        if call is None:
            raise ValueError(f"no call {request['call']}")
        return call

    def op(self, status_code: int = 0, headers: dict[str, str] | None = None) -> Any:
        prm = self.pj.CallOpParam(True)
        if status_code:
            prm.statusCode = status_code
        for name, value in (headers or {}).items():
            header = self.pj.SipHeader()
            header.hName, header.hValue = name, value
            prm.txOption.headers.append(header)
        return prm

    def new_call(self, pj_id: int = -1) -> Any:
        number = next(self.numbers)
        call = _PEER_CLASSES["call"](self, number, pj_id)
        self.calls[number] = call
        return call

    def op_call(self, request: State) -> State:
        call = self.new_call()
        call.makeCall(request["uri"], self.op(headers=request.get("headers")))
        return {"call": call.number}

    def op_answer(self, request: State) -> None:
        self._call(request).answer(self.op(int(request.get("code", 200))))

    def op_reject(self, request: State) -> None:
        self._call(request).hangup(self.op(int(request.get("code", 486))))

    def op_hangup(self, request: State) -> None:
        self._call(request).hangup(self.op())

    def op_hold(self, request: State) -> None:
        self._call(request).setHold(self.op())

    def op_retrieve(self, request: State) -> None:
        prm = self.op()
        prm.opt.flag = self.pj.PJSUA_CALL_UNHOLD
        self._call(request).reinvite(prm)

    def op_dtmf(self, request: State) -> None:
        call = self._call(request)
        if request.get("method") == "inband":
            self._play_digits(call, request["digits"])
        elif request.get("method", "rfc2833") == "info":
            self.info_digits[call.number] = (
                self.info_digits.get(call.number, "") + request["digits"]
            )
            if call.number not in self.info_in_flight:
                self.next_info_digit(call.number)
        else:
            call.dialDtmf(request["digits"])

    def next_info_digit(self, number: int) -> None:
        """One DTMF INFO at a time: a proxy may reorder parallel ones (500 at the far end)."""
        self.info_in_flight.discard(number)
        digits = self.info_digits.get(number, "")
        call = self.calls.get(number)
        if not digits or call is None:
            return
        self.info_digits[number] = digits[1:]
        prm = self.pj.CallSendDtmfParam()
        prm.method = self.pj.PJSUA_DTMF_METHOD_SIP_INFO
        prm.digits = digits[0]
        prm.duration = 160
        self.info_in_flight.add(number)
        call.sendDtmf(prm)

    def _play_digits(self, call: Any, digits: str) -> None:
        pj = self.pj
        tones = pj.ToneDigitVector()
        for digit in digits:
            tone = pj.ToneDigit()
            tone.digit, tone.on_msec, tone.off_msec, tone.volume = digit, 100, 100, 0
            tones.append(tone)
        generator = pj.ToneGenerator()
        generator.createToneGenerator(16000, 1)
        generator.startTransmit(call.audio_media())
        # Bridge connections take effect on a later clock tick (pjsua2 2.15 queues them).
        for _ in range(6):
            self.endpoint.libHandleEvents(10)
        generator.playDigits(tones)
        self._replace_helper(call.number, "tone", generator)

    def op_tone(self, request: State) -> None:
        pj = self.pj
        call = self._call(request)
        tone = pj.ToneDesc()
        tone.freq1 = int(request["frequency"])
        tone.freq2 = int(request.get("frequency2", 0))
        tone.on_msec, tone.off_msec, tone.volume = 1000, 0, 0
        tones = pj.ToneDescVector()
        tones.append(tone)
        generator = pj.ToneGenerator()
        generator.createToneGenerator(16000, 1)
        generator.play(tones, True)
        generator.startTransmit(call.audio_media())
        self._replace_helper(call.number, "tone", generator)

    def op_tone_stop(self, request: State) -> None:
        self._replace_helper(self._call(request).number, "tone", None)

    def op_play(self, request: State) -> None:
        call = self._call(request)
        player = self.pj.AudioMediaPlayer()
        player.createPlayer(request["wav"], self.pj.PJMEDIA_FILE_NO_LOOP)
        player.startTransmit(call.audio_media())
        self._replace_helper(call.number, "player", player)

    def op_record(self, request: State) -> None:
        call = self._call(request)
        recorder = self.pj.AudioMediaRecorder()
        recorder.createRecorder(request["wav"])
        call.audio_media().startTransmit(recorder)
        self._replace_helper(call.number, "recorder", recorder)

    def op_record_stop(self, request: State) -> None:
        self._replace_helper(self._call(request).number, "recorder", None)

    def _replace_helper(self, number: int, kind: str, helper: Any) -> None:
        old = self.helpers.pop((number, kind), None)
        if old is not None and kind == "tone":
            with contextlib.suppress(Exception):
                old.stop()
        del old
        if helper is not None:
            self.helpers[(number, kind)] = helper

    def op_transfer(self, request: State) -> None:
        self._call(request).xfer(request["target"], self.op())

    def op_notify(self, request: State) -> None:
        self._send_request(request, "NOTIFY", {"Event": request["event"]})

    def op_info(self, request: State) -> None:
        self._send_request(request, "INFO", {})

    def _send_request(self, request: State, method: str, headers: dict[str, str]) -> None:
        pj = self.pj
        prm = pj.CallSendRequestParam()
        prm.method = method
        headers = {**headers, **request.get("headers", {})}
        if method == "NOTIFY":
            headers.setdefault("Subscription-State", "active")
        for name, value in headers.items():
            header = pj.SipHeader()
            header.hName, header.hValue = name, value
            prm.txOption.headers.append(header)
        if request.get("body"):
            prm.txOption.contentType = request.get("content_type", "text/plain")
            prm.txOption.msgBody = request["body"]
        self._call(request).sendRequest(prm)

    def op_quit(self, request: State) -> None:
        self.quit = True

    def forget(self, number: int) -> None:
        for kind in ("tone", "player", "recorder"):
            self._replace_helper(number, kind, None)
        call = self.calls.pop(number, None)
        del call

    def _shutdown(self) -> None:
        for call in list(self.calls.values()):
            with contextlib.suppress(Exception):
                call.hangup(self.op())
        deadline = time.monotonic() + 1.0
        while self.calls and time.monotonic() < deadline:
            self.endpoint.libHandleEvents(10)
            while not self.jobs.empty():
                job = self.jobs.get()
                if job["op"] == "_job":
                    with contextlib.suppress(Exception):
                        job["job"]()
        self.out.flush()
        # The Endpoint is never destroyed (libDestroy is unsafe here): the process ends now.
        os._exit(0)


_STATE_NAMES: dict[int, str] = {}
_MEDIA_NAMES: dict[int, str] = {}
_PEER_CLASSES: dict[str, Any] = {}


def _name_constants(pj: Any) -> None:
    for name in ("CALLING", "INCOMING", "EARLY", "CONNECTING", "CONFIRMED", "DISCONNECTED"):
        _STATE_NAMES[getattr(pj, f"PJSIP_INV_STATE_{name}")] = name
    for name in ("NONE", "ACTIVE", "LOCAL_HOLD", "REMOTE_HOLD", "ERROR"):
        _MEDIA_NAMES[getattr(pj, f"PJSUA_CALL_MEDIA_{name}")] = name.lower()
    _PEER_CLASSES["account"] = _define_account(pj)
    _PEER_CLASSES["call"] = _define_call(pj)


def _define_account(pj: Any) -> type:
    class PeerAccount(pj.Account):
        def __init__(self, peer: _Peer) -> None:
            super().__init__()
            self.peer = peer

        def onRegState(self, prm: Any) -> None:
            self.peer.emit(event="registration", code=prm.code, reason=prm.reason)

        def onIncomingCall(self, prm: Any) -> None:
            peer = self.peer
            call = peer.new_call(prm.callId)
            peer.emit(event="incoming", call=call.number, invite=str(prm.rdata.wholeMsg))
            code = peer.args.auto_answer or 180
            peer.post(lambda: call.answer(peer.op(code)))

    return PeerAccount


def _define_call(pj: Any) -> type:
    class PeerCall(pj.Call):
        def __init__(self, peer: _Peer, number: int, pj_id: int) -> None:
            if pj_id < 0:
                super().__init__(peer.account)
            else:
                super().__init__(peer.account, pj_id)
            self.peer = peer
            self.number = number

        def audio_media(self) -> Any:
            # Keep CallInfo referenced: its media vector dies with it.
            call_info = self.getInfo()
            for info in call_info.media:
                if info.type == pj.PJMEDIA_TYPE_AUDIO and info.audioConfSlot >= 0:
                    return self.getAudioMedia(info.index)
            raise ValueError("the call has no active audio")

        def onCallState(self, prm: Any) -> None:
            info = self.getInfo()
            self.peer.emit(
                event="state",
                call=self.number,
                state=_STATE_NAMES.get(info.state, str(info.stateText)),
                code=info.lastStatusCode,
                reason=info.lastReason,
            )
            if info.state == pj.PJSIP_INV_STATE_DISCONNECTED:
                number = self.number
                self.peer.post(lambda: self.peer.forget(number))

        def onCallMediaState(self, prm: Any) -> None:
            # Keep CallInfo referenced: its media vector dies with it.
            call_info = self.getInfo()
            for info in call_info.media:
                if info.type == pj.PJMEDIA_TYPE_AUDIO:
                    status = _MEDIA_NAMES.get(info.status, str(info.status))
                    self.peer.emit(event="media", call=self.number, status=status)

        def onDtmfDigit(self, prm: Any) -> None:
            method = "info" if prm.method == pj.PJSUA_DTMF_METHOD_SIP_INFO else "rfc2833"
            self.peer.emit(event="dtmf", call=self.number, digit=prm.digit, method=method)

        def onCallTsxState(self, prm: Any) -> None:
            event = prm.e
            if event.type != pj.PJSIP_EVENT_TSX_STATE:
                return
            tsx = event.body.tsxState.tsx
            final = tsx.statusCode >= 200 and tsx.state == pj.PJSIP_TSX_STATE_COMPLETED
            if tsx.role == pj.PJSIP_ROLE_UAC and final:
                fields = {"method": tsx.method, "code": tsx.statusCode}
                self.peer.emit(event="response", call=self.number, **fields)
                if tsx.method == "INFO":
                    number = self.number
                    self.peer.post(lambda: self.peer.next_info_digit(number))
            trying = tsx.state == pj.PJSIP_TSX_STATE_TRYING
            received = event.body.tsxState.type == pj.PJSIP_EVENT_RX_MSG
            if tsx.role == pj.PJSIP_ROLE_UAS and trying and received:
                text = str(event.body.tsxState.src.rdata.wholeMsg)
                fields = {"method": tsx.method, "text": text}
                self.peer.emit(event="request", call=self.number, **fields)

        def onCallTransferRequest(self, prm: Any) -> None:
            refuse = self.peer.args.refuse_refer
            prm.statusCode = 603 if refuse else 202
            self.peer.emit(event="transfer_request", call=self.number, target=prm.dstUri)
            if not refuse:
                new_call = self.peer.new_call()
                prm.newCall = new_call
                self.peer.emit(event="transfer_call", call=new_call.number)

        def onCallReplaced(self, prm: Any) -> None:
            new_call = self.peer.new_call(prm.newCallId)
            prm.newCall = new_call
            self.peer.emit(event="replaced", call=self.number, new_call=new_call.number)

    return PeerCall


if __name__ == "__main__":
    _main()
