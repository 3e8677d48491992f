"""The window's view-model: a ``PhoneState`` on the GUI thread, exposed as Qt signals.

Theory of operation
-------------------
Reports from the phone (link, snapshot, event) arrive through the bridge as queued
signals and are applied to this view-model's own ``PhoneState`` (the same pure core
the connector uses, fed the same inputs). Each update's aspects become narrow
signals so widgets refresh only what changed. Widgets call the ``dial``/``act``
methods; an action is checked against the state's action table first, so a stale
click on a greyed-out-too-late button is refused here with a message, not sent.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from app_layer.phone import Phone, Report, dialable
from app_layer.state import Aspect, CallAction, CallPhase, InvalidAction, PhoneState, call_phase
from app_layer.ui.signals import emit
from protocol import pb

#: Runs an action on the phone, off the GUI thread; outcome comes back via ``command_done``.
Submit = Callable[[str, Callable[[Phone], Awaitable[Any]]], None]


class PhoneViewModel(QObject):
    """What the window shows and the actions it may take."""

    link_changed = Signal()
    registrations_changed = Signal()
    calls_changed = Signal()
    devices_changed = Signal()
    levels_changed = Signal()
    warnings_changed = Signal()
    #: A call started ringing here: its id.
    incoming_call = Signal(str)
    #: A call stopped ringing (answered, rejected, cancelled): its id.
    ringing_stopped = Signal(str)
    #: A command failed: a message for the agent.
    command_failed = Signal(str)
    #: The language changed (by the agent or a desktop application).
    language_changed = Signal(str)
    #: An audio device test finished: microphone and speaker levels in dBFS.
    audio_test_done = Signal(float, float)

    def __init__(self, submit: Submit, language: str = "en") -> None:
        super().__init__()
        self.state = PhoneState()
        self.language = language
        self._submit = submit
        self._ringing: set[str] = set()

    # -- inputs ---------------------------------------------------------------------

    def apply(self, report: Report) -> None:
        """Apply one report from the phone (called on the GUI thread)."""
        if report.kind == "link" and report.link is not None:
            update = self.state.apply_link(report.link)
        elif report.kind == "snapshot" and report.snapshot is not None:
            update = self.state.apply_snapshot(report.snapshot)
        elif report.kind == "event" and report.event is not None:
            update = self.state.apply_event(report.event)
        else:
            return
        self._emit(update.aspects)

    def command_done(self, label: str, outcome: object) -> None:
        if isinstance(outcome, Exception):
            emit(self.command_failed, f"{label}: {outcome}")
        elif isinstance(outcome, pb.Result) and outcome.WhichOneof("outcome") == "error":
            emit(self.command_failed, f"{label}: {outcome.error.reason or 'failed'}")
        elif isinstance(outcome, pb.Result) and outcome.ok.HasField("audio_test"):
            test = outcome.ok.audio_test
            emit(self.audio_test_done, test.microphone_level_dbfs, test.speaker_level_dbfs)

    def set_language(self, language: str) -> None:
        if language != self.language:
            self.language = language
            emit(self.language_changed, language)

    # -- actions --------------------------------------------------------------------

    def dial(self, to: str) -> bool:
        to = dialable(to)
        if not to or not self.state.can_dial():
            return False
        self._submit(self.tr("Dial"), lambda phone: phone.dial(to))
        return True

    def redial(self) -> bool:
        return self.dial(self.state.last_dialled)

    def act(self, call_id: str, action: CallAction, **args: object) -> bool:
        """Ask for ``action`` on a call; False (and a message) when its state forbids it."""
        try:
            self.state.check_action(call_id, action)
        except InvalidAction as exc:
            emit(self.command_failed, str(exc))
            return False
        self._submit(action.value, lambda phone: phone.act(call_id, action, **args))
        return True

    def set_audio(self, command: pb.Command) -> None:
        self._submit(self.tr("Audio"), lambda phone: phone.send(command))

    def register(self) -> None:
        self._submit(self.tr("Register"), lambda phone: phone.register())

    # -- queries --------------------------------------------------------------------

    def allowed(self, call_id: str | None) -> frozenset[CallAction]:
        return self.state.allowed_actions(call_id) if call_id else frozenset()

    def now_ms(self) -> int:
        return int(time.time() * 1000)

    # -- internals ------------------------------------------------------------------

    def _emit(self, aspects: frozenset[Aspect]) -> None:
        signals = {
            Aspect.LINK: self.link_changed,
            Aspect.REGISTRATIONS: self.registrations_changed,
            Aspect.CALLS: self.calls_changed,
            Aspect.DEVICES: self.devices_changed,
            Aspect.LEVELS: self.levels_changed,
            Aspect.WARNINGS: self.warnings_changed,
        }
        for aspect in aspects:
            if aspect in signals:
                emit(signals[aspect])
        if Aspect.CALLS in aspects or Aspect.LINK in aspects:
            self._track_ringing()

    def _track_ringing(self) -> None:
        now = {c.call_id for c in self.state.calls.values() if call_phase(c) is CallPhase.RINGING}
        for call_id in sorted(now - self._ringing):
            emit(self.incoming_call, call_id)
        for call_id in sorted(self._ringing - now):
            emit(self.ringing_stopped, call_id)
        self._ringing = now
