"""The app's phone: the view-model fed by the adapter link, and the commands sent back.

Theory of operation
-------------------
``Phone`` listens to an ``AdapterLink`` (on the asyncio loop's thread) and applies
what it reports to a ``PhoneState``. When the numbering shows a gap and no fresh
snapshot follows within ``resync_delay`` (the link normally fetches one itself), it
asks the adapter for a snapshot (``GetSnapshot``) and applies that. Every report is passed
on, unchanged, to subscribers (the connector's event stream, the window's bridge),
which keep their own copies of the state from the same inputs.

Commands go the other way. A call action is checked against the state's action
table *before* it is sent, so an invalid one fails at once with ``InvalidAction``
(the connector's 409, a greyed-out button) instead of a round trip to the adapter.

On the first connection, and whenever a snapshot shows a freshly started adapter
(no registrations while lines are configured), the phone sends the configuration
and registers the lines.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Protocol

from app_layer.settings import Line, Settings
from app_layer.state import CallAction, EventOutcome, LinkStatusLike, LinkView, PhoneState
from protocol import pb

log = logging.getLogger(__name__)


class LinkListenerLike(Protocol):
    def on_status(self, status: LinkStatusLike) -> None: ...
    def on_snapshot(self, snapshot: pb.Snapshot) -> None: ...
    def on_event(self, event: pb.Event) -> None: ...


class LinkLike(Protocol):
    """The part of ``app_layer.link.AdapterLink`` the phone uses."""

    def add_listener(self, listener: Any) -> None: ...

    async def command(self, command: pb.Command, timeout: float = 5.0) -> pb.Result: ...


@dataclass(frozen=True)
class Report:
    """One thing the adapter link reported, passed on to subscribers as it came."""

    #: "link", "snapshot", "event" or "language".
    kind: str
    link: LinkView | None = None
    snapshot: pb.Snapshot | None = None
    event: pb.Event | None = None


def error_result(code: int, reason: str) -> pb.Result:
    return pb.Result(error=pb.Error(code=code, reason=reason))  # type: ignore[arg-type]


class Phone:
    """The state of the phone and the way to act on it, on the asyncio loop."""

    def __init__(self, link: LinkLike, settings: Settings, resync_delay: float = 1.0) -> None:
        self.state = PhoneState()
        self.resync_delay = resync_delay
        self._snapshots = 0
        self.settings = settings
        self._link = link
        self._subscribers: list[Callable[[Report], None]] = []
        self._configured = False
        self._resync: asyncio.Task[None] | None = None
        link.add_listener(self)

    def subscribe(self, callback: Callable[[Report], None]) -> None:
        """Call ``callback`` on the loop's thread for every later report."""
        self._subscribers.append(callback)

    def unsubscribe(self, callback: Callable[[Report], None]) -> None:
        if callback in self._subscribers:
            self._subscribers.remove(callback)

    # -- link listener ------------------------------------------------------------------

    def on_status(self, status: LinkStatusLike) -> None:
        self.state.apply_link(status)
        self._publish(Report("link", link=self.state.link))

    def on_snapshot(self, snapshot: pb.Snapshot) -> None:
        self._snapshots += 1
        self.state.apply_snapshot(snapshot)
        self._publish(Report("snapshot", snapshot=snapshot))
        if self._needs_configuration():
            self._configured = True
            self._spawn(self._configure_and_register())

    def on_event(self, event: pb.Event) -> None:
        update = self.state.apply_event(event)
        if update.outcome is EventOutcome.STALE:
            return
        self._publish(Report("event", event=event))
        if update.outcome is EventOutcome.GAP and self.state.link.connected:
            self._request_snapshot()

    # -- commands -----------------------------------------------------------------------

    async def send(self, command: pb.Command, timeout: float = 5.0) -> pb.Result:
        """Send any command; never raises for channel trouble."""
        if not self.state.link.connected:
            reason = self.state.link.detail or f"the adapter link is {self.state.link.state}"
            return error_result(pb.ERROR_CODE_UNAVAILABLE, reason)
        return await self._link.command(command, timeout)

    async def act(self, call_id: str, action: CallAction, **args: object) -> pb.Result:
        """Do ``action`` to a call; raises ``InvalidAction`` when its state forbids it."""
        self.state.check_action(call_id, action)
        return await self.send(call_command(call_id, action, **args))

    async def dial(self, to: str, account_id: str = "") -> pb.Result:
        return await self.send(pb.Command(dial=pb.Dial(to=to, account_id=account_id)))

    async def register(self, line: Line | None = None) -> pb.Result:
        """Register the lines; ``line`` first replaces the first configured line."""
        if line is not None:
            first = replace(line, id=self._first_line_id())
            lines = (first, *self.settings.lines[1:])
            self.settings = replace(self.settings, lines=lines)
            result = await self.send(pb.Command(configure=self._configure_message()))
            if result.WhichOneof("outcome") == "error":
                return result
        return await self.send(pb.Command(register=pb.Register()))

    async def unregister(self) -> pb.Result:
        return await self.send(pb.Command(unregister=pb.Unregister()))

    async def hangup_all(self) -> list[pb.Result]:
        """Hang up (or reject) every live call."""
        results = []
        for call in self.state.live_calls():
            allowed = self.state.allowed_actions(call.call_id)
            action = CallAction.REJECT if CallAction.REJECT in allowed else CallAction.HANGUP
            if action in allowed:
                results.append(await self.act(call.call_id, action))
        return results

    def set_language(self, language: str) -> None:
        self.settings = replace(self.settings, language=language)
        self._publish(Report("language"))

    # -- internals ----------------------------------------------------------------------

    def _publish(self, report: Report) -> None:
        for callback in list(self._subscribers):
            try:
                callback(report)
            except Exception:
                log.exception("a subscriber failed on a %s report", report.kind)

    def _first_line_id(self) -> str:
        return self.settings.lines[0].id if self.settings.lines else "line1"

    def _configure_message(self) -> pb.Configure:
        return pb.Configure(configuration=self.settings.to_configuration())

    def _needs_configuration(self) -> bool:
        if not self._configured:
            return True
        # An adapter that does not know our lines restarted (or is another workstation's):
        # configure it again. Its own default entries (a standalone "local" line) do not count.
        known = set(self.state.registrations)
        return any(line.id not in known for line in self.settings.lines)

    async def _configure_and_register(self) -> None:
        result = await self.send(pb.Command(configure=self._configure_message()))
        if result.WhichOneof("outcome") == "error":
            log.warning("the adapter refused the configuration: %s", result.error.reason)
            return
        if any(line.register and line.server for line in self.settings.lines):
            result = await self.send(pb.Command(register=pb.Register()))
            if result.WhichOneof("outcome") == "error":
                log.warning("registering failed: %s", result.error.reason)

    def _request_snapshot(self) -> None:
        if self._resync is None or self._resync.done():
            self._resync = self._spawn(self._fetch_snapshot(self._snapshots))

    async def _fetch_snapshot(self, snapshots_before: int) -> None:
        await asyncio.sleep(self.resync_delay)
        if self._snapshots != snapshots_before:
            return  # the link resynchronised on its own
        result = await self.send(pb.Command(get_snapshot=pb.GetSnapshot()))
        if result.WhichOneof("outcome") == "ok" and result.ok.HasField("snapshot"):
            self.on_snapshot(result.ok.snapshot)
        else:
            log.warning("could not fetch a snapshot after a gap: %s", result.error.reason)

    def _spawn(self, coro: object) -> asyncio.Task[None]:
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(coro)  # type: ignore[arg-type]
        _background.add(task)
        task.add_done_callback(_finished)
        return task


#: Strong references to fire-and-forget tasks, so the loop cannot lose them.
_background: set[asyncio.Task[None]] = set()


def _finished(task: asyncio.Task[None]) -> None:
    _background.discard(task)
    if not task.cancelled() and task.exception() is not None:
        log.error("background phone task failed", exc_info=task.exception())


_VISUAL_SEPARATORS = str.maketrans("", "", " -.()/\u00a0")


def dialable(text: str) -> str:
    """What to dial for what an agent typed or pasted: "+1 (415) 555-0123" -> "+14155550123".

    SIP URIs and addresses with a host are left alone; only phone numbers lose the
    separators people write them with.
    """
    text = text.strip().removeprefix("tel:")
    if ":" in text or "@" in text:
        return text
    return text.translate(_VISUAL_SEPARATORS)


def call_command(call_id: str, action: CallAction, **args: object) -> pb.Command:
    """The command message for one call action."""
    a = CallAction
    builders: dict[CallAction, Callable[[], pb.Command]] = {
        a.ANSWER: lambda: pb.Command(answer=pb.Answer(call_id=call_id)),
        a.REJECT: lambda: pb.Command(
            reject=pb.Reject(call_id=call_id, sip_code=int(args.get("sip_code", 0)))  # type: ignore[call-overload]
        ),
        a.HANGUP: lambda: pb.Command(hangup=pb.Hangup(call_id=call_id)),
        a.HOLD: lambda: pb.Command(hold=pb.Hold(call_id=call_id)),
        a.RETRIEVE: lambda: pb.Command(retrieve=pb.Retrieve(call_id=call_id)),
        a.MUTE: lambda: pb.Command(mute=pb.Mute(call_id=call_id, muted=True)),
        a.UNMUTE: lambda: pb.Command(mute=pb.Mute(call_id=call_id, muted=False)),
        a.DTMF: lambda: pb.Command(
            send_dtmf=pb.SendDtmf(call_id=call_id, digits=str(args["digits"]))
        ),
        a.TRANSFER_BLIND: lambda: pb.Command(
            blind_transfer=pb.BlindTransfer(call_id=call_id, to=str(args["to"]))
        ),
        a.TRANSFER_ATTENDED: lambda: pb.Command(
            attended_transfer=pb.AttendedTransfer(
                call_id=call_id, consult_call_id=str(args["consult_call_id"])
            )
        ),
        a.CONFERENCE: lambda: pb.Command(
            merge=pb.Merge(call_ids=[call_id, str(args["with_call_id"])])
        ),
    }
    return builders[action]()
