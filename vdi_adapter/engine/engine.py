"""The SIP engine of the VDI adapter: commands in, events out, pjsua2 underneath.

Theory of operation: every pjsua2 object is touched only on the host thread
(``host.PjHost``), which owns the process's one Endpoint. ``submit`` queues a command
as a job on that thread and returns a future that gets exactly one ``pb.Result``;
callbacks publish events through the ``EventSink`` on the same thread, so events and
results come out in the order things happened. ``start`` creates the SIP transports
and a standalone line; ``Configure`` replaces lines, codecs and network settings;
``stop`` hangs up calls, unregisters, then deletes calls and accounts in that order,
and leaves the Endpoint and its SIP transports to the next ``start`` (see ``host`` and
``setup``).
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import pjsua2 as pj

from protocol import SOFTWARE_VERSION, pb
from vdi_adapter.audio_backend import AudioBackend, NullAudioBackend
from vdi_adapter.engine import codecs, setup
from vdi_adapter.engine.calls import CallControl
from vdi_adapter.engine.errors import CommandError, invalid_state, not_found
from vdi_adapter.engine.host import PjHost
from vdi_adapter.engine.lines import Line
from vdi_adapter.event_sink import EventSink

log = logging.getLogger(__name__)

STOP_CALLS_TIMEOUT_S = 3.0
STOP_UNREGISTER_TIMEOUT_S = 2.0
IOQUEUE_KEY_FREE_DELAY_S = 0.55
#: Ended calls stay in memory this long (for late commands), then are forgotten.
ENDED_CALL_MEMORY_S = 30.0

FEATURES = (
    "hold",
    "mute",
    "blind_transfer",
    "attended_transfer",
    "conference",
    "remote_control",
    "auto_answer",
    "srtp",
    "tls",
    "failover",
)

_REGISTERING_OR_REGISTERED = frozenset(
    {pb.REGISTRATION_STATE_REGISTERING, pb.REGISTRATION_STATE_REGISTERED}
)
_AUDIO_COMMANDS = frozenset({"select_audio_devices", "set_volumes", "test_audio_devices"})


class Engine:
    """pjsua2 SIP engine driven by ``pb.Command`` and reporting ``pb.Event``."""

    def __init__(
        self, sink: EventSink, audio: AudioBackend | None = None, *, sip_trace: bool = False
    ) -> None:
        self.sink = sink
        self.audio: Any = audio if audio is not None else NullAudioBackend()
        self.sip_trace = sip_trace
        self.configuration = pb.Configuration()
        self.lines: dict[str, Line] = {}
        self.transports: dict[int, int] = {}
        self.warnings: dict[str, pb.AdapterWarning] = {}
        self.calls = CallControl(self)
        self._host: PjHost | None = None
        self._running = False
        self._started_monotonic = 0.0
        self._ended_seen: dict[str, float] = {}
        self.available_codecs: list[str] = []

    # ----- public interface (any thread) -------------------------------------------

    def start(self) -> None:
        """Start the engine on the SIP thread; returns when it is ready."""
        host = PjHost.instance()
        self._host = host
        host.call(self._start_on_host)

    def submit(self, command: pb.Command) -> concurrent.futures.Future[pb.Result]:
        """Queue ``command``; the future gets exactly one Result echoing its request_id."""
        future: concurrent.futures.Future[pb.Result] = concurrent.futures.Future()
        host = self._host
        if host is None or not self._running:
            error = CommandError(pb.ERROR_CODE_UNAVAILABLE, "the SIP engine is not running")
            future.set_result(_error_result(command.request_id, error))
            return future
        if command.WhichOneof("action") in _AUDIO_COMMANDS:
            # Device commands never touch pjsua2 and the audio test blocks for its length:
            # keep them off the SIP thread so signalling never waits on a sound card.
            worker = threading.Thread(
                target=lambda: future.set_result(self._execute(command)),
                name="audio-command",
                daemon=True,
            )
            worker.start()
            return future
        host.post(lambda: future.set_result(self._execute(command)))
        return future

    def snapshot(self) -> pb.Snapshot:
        """The whole state; ``sequence`` is the last event it reflects."""
        host = self._host
        if host is None or not self._running:
            return self._build_snapshot()
        return host.call(self._build_snapshot)

    def capabilities(self) -> pb.Capabilities:
        """What this engine offers, for the session's Hello (codecs known after start)."""
        return pb.Capabilities(
            codecs=list(self.available_codecs),
            dtmf_methods=[pb.DTMF_METHOD_RFC2833, pb.DTMF_METHOD_SIP_INFO, pb.DTMF_METHOD_INBAND],
            sip_transports=["UDP", "TCP", "TLS"],
            features=list(FEATURES),
        )

    def stop(self) -> None:
        """Hang up calls, unregister, tear down in order; idempotent."""
        host = self._host
        if host is not None and self._running:
            host.call(self._stop_on_host, timeout=STOP_CALLS_TIMEOUT_S + 12)

    # ----- EngineContext for call control (engine thread) ----------------------------

    @property
    def policy(self) -> pb.CallPolicy:
        return self.configuration.policy

    def publish(self, event: pb.Event) -> None:
        """Publish; a failing subscriber is logged and must not break call handling."""
        try:
            self.sink.publish(event)
        except Exception:
            log.exception("an event subscriber failed on %s", event.WhichOneof("kind"))

    def post(self, job: Callable[[], None]) -> None:
        assert self._host is not None
        self._host.post(job)

    def line(self, account_id: str) -> Line:
        if not account_id:
            return next(iter(self.lines.values()))
        line = self.lines.get(account_id)
        if line is None:
            raise not_found("account", account_id)
        return line

    def dtmf_method(self, account_id: str) -> int:
        line = self.lines.get(account_id)
        own = line.config.dtmf_method if line else pb.DTMF_METHOD_UNSPECIFIED
        return own or self.configuration.dtmf_method or pb.DTMF_METHOD_RFC2833

    def warn(self, code: str, message: str, severity: int = pb.SEVERITY_WARNING) -> None:
        warning = pb.AdapterWarning(code=code, severity=severity, message=message)  # type: ignore[arg-type]
        self.warnings[code] = warning
        log.warning("%s: %s", code, message)
        self.publish(pb.Event(warning=pb.WarningRaised(warning=warning)))

    # ----- lifecycle (engine thread) -------------------------------------------------

    def _start_on_host(self) -> None:
        if self._running:
            return
        assert self._host is not None
        self._started_monotonic = time.monotonic()
        self.transports = setup.create_transports(self.configuration)
        self._host.set_wake_port(setup.udp_port(self.transports))
        self._apply_codecs()
        self._create_lines()
        self._host.add_tick(self._tick)
        if self.sip_trace:
            self._host.set_tracing(True)
        self._running = True

    def _stop_on_host(self) -> None:
        if not self._running:
            return
        assert self._host is not None
        self._running = False
        self._host.remove_tick(self._tick)
        had_calls = bool(self.calls.live_legs())
        self.calls.hangup_all()
        self._pump_until(lambda: not self.calls.live_legs(), STOP_CALLS_TIMEOUT_S)
        self.calls.force_end_all()
        if had_calls:
            # pjlib frees the ioqueue slot of a closed RTP/RTCP socket only after 500 ms
            # (PJ_IOQUEUE_KEY_FREE_DELAY); without this wait, quick stop/start cycles with
            # calls up run out of its 64 slots and pjlib aborts.
            deadline = time.monotonic() + IOQUEUE_KEY_FREE_DELAY_S
            self._pump_until(lambda: False, deadline - time.monotonic())
        self._destroy_lines()
        setup.release_transports(self.transports)
        if self.sip_trace:
            self._host.set_tracing(False)
        self.audio.close()

    def _pump_until(self, done: Callable[[], bool], timeout: float) -> None:
        assert self._host is not None
        deadline = time.monotonic() + timeout
        while not done() and time.monotonic() < deadline:
            self._host.pump(10)

    def _create_lines(self) -> None:
        accounts = list(self.configuration.accounts) or [setup.standalone_account()]
        local_host = self.configuration.network.public_address or "127.0.0.1"
        for account in accounts:
            line = Line(self, account, local_host)
            self.lines[line.account_id] = line
            line.create(self.transports, self.configuration.network)
            self.publish(
                pb.Event(registration=pb.RegistrationChanged(registration=line.registration()))
            )

    def _destroy_lines(self) -> None:
        for line in self.lines.values():
            if line.tracker.state == pb.REGISTRATION_STATE_REGISTERED:
                line.set_registration(False)
        unregistering = pb.REGISTRATION_STATE_UNREGISTERING
        self._pump_until(
            lambda: all(line.tracker.state != unregistering for line in self.lines.values()),
            STOP_UNREGISTER_TIMEOUT_S,
        )
        lines, self.lines = list(self.lines.values()), {}
        for line in lines:
            line.destroy()

    def _apply_codecs(self) -> None:
        plan = setup.apply_codec_order(list(self.configuration.codec_order))
        self.available_codecs = list(plan.available)
        self.warnings.pop("codec_unavailable", None)
        if plan.missing:
            self.warn("codec_unavailable", codecs.missing_warning(plan))

    def _tick(self) -> None:
        now = time.monotonic()
        self.calls.tick(now)
        for leg in list(self.calls.legs.values()):
            if leg.live or leg.sip_call is not None:
                continue
            first_seen = self._ended_seen.setdefault(leg.call_id, now)
            if now - first_seen > ENDED_CALL_MEMORY_S:
                del self.calls.legs[leg.call_id]
                del self._ended_seen[leg.call_id]

    # ----- callbacks from lines ------------------------------------------------------

    def on_registration(self, line: Line, code: int, reason: str, expiration: int) -> None:
        if self.lines.get(line.account_id) is not line:
            return
        fail_over = line.tracker.on_result(code, reason, expiration)
        self.publish(
            pb.Event(registration=pb.RegistrationChanged(registration=line.registration()))
        )
        if fail_over:
            failed = line.connectivity.server if line.connectivity else ""
            line.fail_over(self.transports, self.configuration.network)
            server = line.connectivity.server if line.connectivity else ""
            self.warn(
                "registration_failover",
                f"Account {line.account_id}: {failed} failed ({code} {reason}); using {server}",
            )
            self.publish(
                pb.Event(registration=pb.RegistrationChanged(registration=line.registration()))
            )

    def on_incoming_call(self, line: Line, pj_call_id: int, message: str) -> None:
        self.calls.on_incoming_call(line, pj_call_id, message)

    # ----- commands (engine thread) --------------------------------------------------

    def _execute(self, command: pb.Command) -> pb.Result:
        try:
            ok = self._dispatch(command)
        except CommandError as error:
            return _error_result(command.request_id, error)
        except Exception:
            log.exception("command %s failed", command.WhichOneof("action"))
            internal = CommandError(pb.ERROR_CODE_INTERNAL, "internal error in the SIP engine")
            return _error_result(command.request_id, internal)
        if isinstance(ok, pb.Result):
            ok.request_id = command.request_id
            return ok
        return pb.Result(request_id=command.request_id, ok=ok or pb.Ok())

    def _dispatch(self, command: pb.Command) -> pb.Ok | pb.Result | None:
        kind = command.WhichOneof("action")
        if kind is None:
            raise CommandError(pb.ERROR_CODE_UNKNOWN_COMMAND, "the command has no action")
        if kind in _AUDIO_COMMANDS:
            return self._audio_command(command)
        handler = getattr(self, f"_cmd_{kind}", None)
        if handler is None:
            raise CommandError(pb.ERROR_CODE_UNKNOWN_COMMAND, f"unknown command {kind}")
        result: pb.Ok | None = handler(getattr(command, kind))
        return result

    def _audio_command(self, command: pb.Command) -> pb.Result:
        handle = getattr(self.audio, "handle_command", None)
        if handle is None:
            raise CommandError(pb.ERROR_CODE_NOT_SUPPORTED, "no audio devices in this adapter")
        result: pb.Result = handle(command)
        return result

    def _cmd_configure(self, cmd: pb.Configure) -> None:
        configuration = cmd.configuration
        setup.validate(configuration)
        if self.calls.live_legs() and _lines_differ(self.configuration, configuration):
            raise invalid_state("accounts and network settings cannot change while calls are up")
        rebuild = _lines_differ(self.configuration, configuration)
        self._apply_device_rules(configuration.device_rules)
        self.configuration = pb.Configuration()
        self.configuration.CopyFrom(configuration)
        self._apply_codecs()
        if rebuild:
            self._destroy_lines()
            setup.release_transports(self.transports)
            self.transports = setup.create_transports(self.configuration)
            assert self._host is not None
            self._host.set_wake_port(setup.udp_port(self.transports))
            self._create_lines()

    def _apply_device_rules(self, rules: pb.DeviceRules) -> None:
        set_rules = getattr(self.audio, "set_rules", None)
        if set_rules is None:
            return
        try:
            set_rules(rules)
        except ValueError as error:  # DeviceRulesError: a bad name or expression
            raise CommandError(pb.ERROR_CODE_INVALID_ARGUMENT, f"device rules: {error}") from None

    def _cmd_register(self, cmd: pb.Register) -> None:
        for line in self._lines_for(cmd.account_id):
            if line.tracker.state in _REGISTERING_OR_REGISTERED:
                # The app registers right after it configures, and the configured line
                # registers by itself: a second REGISTER chain (new From tag) would reach
                # the registrar as an unexpected request. Say where the line stands instead.
                self.publish(
                    pb.Event(registration=pb.RegistrationChanged(registration=line.registration()))
                )
                continue
            line.set_registration(True)

    def _cmd_unregister(self, cmd: pb.Unregister) -> None:
        for line in self._lines_for(cmd.account_id):
            line.set_registration(False)

    def _lines_for(self, account_id: str) -> list[Line]:
        lines = [self.line(account_id)] if account_id else list(self.lines.values())
        lines = [line for line in lines if line.tracker.register]
        if not lines:
            raise invalid_state("no account registers (standalone mode)")
        return lines

    def _cmd_dial(self, cmd: pb.Dial) -> pb.Ok:
        return pb.Ok(dial=pb.DialOk(call_id=self.calls.dial(cmd.to, cmd.account_id)))

    def _cmd_answer(self, cmd: pb.Answer) -> None:
        self.calls.answer(cmd.call_id)

    def _cmd_reject(self, cmd: pb.Reject) -> None:
        self.calls.reject(cmd.call_id, cmd.sip_code)

    def _cmd_hangup(self, cmd: pb.Hangup) -> None:
        self.calls.hangup(cmd.call_id)

    def _cmd_hold(self, cmd: pb.Hold) -> None:
        self.calls.hold(cmd.call_id)

    def _cmd_retrieve(self, cmd: pb.Retrieve) -> None:
        self.calls.retrieve(cmd.call_id)

    def _cmd_mute(self, cmd: pb.Mute) -> None:
        self.calls.mute(cmd.call_id, cmd.muted)

    def _cmd_send_dtmf(self, cmd: pb.SendDtmf) -> None:
        self.calls.send_dtmf(cmd.call_id, cmd.digits, cmd.method)

    def _cmd_blind_transfer(self, cmd: pb.BlindTransfer) -> None:
        self.calls.blind_transfer(cmd.call_id, cmd.to)

    def _cmd_attended_transfer(self, cmd: pb.AttendedTransfer) -> None:
        self.calls.attended_transfer(cmd.call_id, cmd.consult_call_id)

    def _cmd_merge(self, cmd: pb.Merge) -> None:
        self.calls.merge(list(cmd.call_ids))

    def _cmd_split(self, cmd: pb.Split) -> None:
        self.calls.split(cmd.call_id)

    def _cmd_get_snapshot(self, cmd: pb.GetSnapshot) -> pb.Ok:
        return pb.Ok(snapshot=self._build_snapshot())

    def _cmd_collect_diagnostics(self, cmd: pb.CollectDiagnostics) -> pb.Ok:
        assert self._host is not None
        diagnostics = pb.Diagnostics(
            adapter_version=SOFTWARE_VERSION,
            engine_version=f"pjsua2 {pj.Endpoint.instance().libVersion().full}",
            log_lines=list(self._host.log.lines),
            snapshot=self._build_snapshot(),
        )
        if cmd.include_sip_trace:
            diagnostics.sip_trace.extend(self._host.log.trace)
        return pb.Ok(diagnostics=diagnostics)

    def _build_snapshot(self) -> pb.Snapshot:
        snapshot = pb.Snapshot(
            sequence=self.sink.last_sequence,
            registrations=[line.registration() for line in self.lines.values()],
            calls=[leg.to_pb() for leg in self.calls.live_legs()],
            quality=[leg.quality for leg in self.calls.live_legs() if leg.quality is not None],
            warnings=list(self.warnings.values()),
            adapter_version=SOFTWARE_VERSION,
            available_codecs=self.available_codecs,
        )
        # Without the devices a resync would empty the agent's device list.
        self.audio.snapshot_into(snapshot)
        if self._running:
            snapshot.adapter_uptime_s = time.monotonic() - self._started_monotonic
        return snapshot


def _lines_differ(old: pb.Configuration, new: pb.Configuration) -> bool:
    return list(old.accounts) != list(new.accounts) or old.network != new.network


def _error_result(request_id: str, error: CommandError) -> pb.Result:
    return pb.Result(request_id=request_id, error=error.to_pb())


__all__ = ["Engine"]
