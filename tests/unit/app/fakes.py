"""A small in-memory adapter link for unit tests of the app's pure cores."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from app_layer.phone import LinkListenerLike
from protocol import pb


@dataclass(frozen=True)
class FakeStatus:
    state: str = "connected"
    transport: str = "loopback"
    media_offloaded: bool = True
    adapter_version: str = "9.9.9"
    adapter_protocol: tuple[int, int] = (1, 0)
    capabilities: pb.Capabilities | None = None
    detail: str = ""


@dataclass
class FakeLink:
    """Records commands and answers them with canned results."""

    listeners: list[LinkListenerLike] = field(default_factory=list)
    commands: list[pb.Command] = field(default_factory=list)
    errors: dict[str, pb.Error] = field(default_factory=dict)
    sequence: int = 0
    #: Calls the adapter would put in a snapshot it is asked for.
    truth: list[pb.Call] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def add_listener(self, listener: LinkListenerLike) -> None:
        self.listeners.append(listener)

    async def command(self, command: pb.Command, timeout: float = 5.0) -> pb.Result:
        command.request_id = f"r{next(self._ids)}"
        self.commands.append(command)
        kind = command.WhichOneof("action") or ""
        if kind in self.errors:
            return pb.Result(request_id=command.request_id, error=self.errors[kind])
        ok = pb.Ok()
        if kind == "dial":
            ok.dial.call_id = f"call-{len(self.commands)}"
        if kind == "get_snapshot":
            ok.snapshot.CopyFrom(pb.Snapshot(sequence=self.sequence, calls=self.truth))
        return pb.Result(request_id=command.request_id, ok=ok)

    def kinds(self) -> list[str]:
        return [c.WhichOneof("action") or "" for c in self.commands]

    # -- drive the listeners -----------------------------------------------------------

    def status(self, **fields: object) -> None:
        for listener in self.listeners:
            listener.on_status(FakeStatus(**fields))  # type: ignore[arg-type]

    def snapshot(self, *calls: pb.Call, **fields: object) -> None:
        snap = pb.Snapshot(sequence=self.sequence, calls=list(calls), **fields)  # type: ignore[arg-type]
        for listener in self.listeners:
            listener.on_snapshot(snap)

    def event(self, event: pb.Event) -> pb.Event:
        self.sequence += 1
        event.sequence = self.sequence
        for listener in self.listeners:
            listener.on_event(event)
        return event

    def call(self, call: pb.Call) -> pb.Event:
        return self.event(pb.Event(call=pb.CallChanged(call=call)))
