"""A tiny in-memory command handler standing in for the SIP engine in channel tests.

It only tracks call records so the channel's resync and exactly-once behaviour can
be observed; everything about real calls is tested against real SIP peers.
"""

from __future__ import annotations

import collections
import concurrent.futures
import itertools
import threading

from protocol import pb
from vdi_adapter.event_sink import EventSink


class PhoneDouble:
    def __init__(self, sink: EventSink, delay_s: float = 0.0) -> None:
        self.sink = sink
        self.delay_s = delay_s
        self.calls: dict[str, pb.Call] = {}
        self.executed: collections.Counter[str] = collections.Counter()
        self.submitted: collections.Counter[str] = collections.Counter()
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def submit(self, command: pb.Command) -> concurrent.futures.Future[pb.Result]:
        future: concurrent.futures.Future[pb.Result] = concurrent.futures.Future()
        with self._lock:
            self.submitted[command.request_id] += 1
        timer = threading.Timer(self.delay_s, lambda: future.set_result(self._run(command)))
        timer.daemon = True
        timer.start()
        return future

    def snapshot(self) -> pb.Snapshot:
        with self._lock:
            return pb.Snapshot(sequence=self.sink.last_sequence, calls=list(self.calls.values()))

    def _run(self, command: pb.Command) -> pb.Result:
        with self._lock:
            self.executed[command.request_id] += 1
            kind = command.WhichOneof("action")
            if kind == "dial":
                call = pb.Call(
                    call_id=f"c{next(self._ids)}",
                    remote_uri=command.dial.to,
                    state=pb.CALL_STATE_CONNECTED,
                    direction=pb.CALL_DIRECTION_OUTBOUND,
                )
                self.calls[call.call_id] = call
                self.sink.publish(pb.Event(call=pb.CallChanged(call=call)))
                return pb.Result(ok=pb.Ok(dial=pb.DialOk(call_id=call.call_id)))
            if kind in ("hold", "hangup"):
                call_id = getattr(command, kind).call_id
                if call_id not in self.calls:
                    return pb.Result(
                        error=pb.Error(code=pb.ERROR_CODE_NOT_FOUND, reason="no such call")
                    )
                call = self.calls[call_id]
                if kind == "hold":
                    call.on_hold = True
                else:
                    call.state = pb.CALL_STATE_ENDED
                self.sink.publish(pb.Event(call=pb.CallChanged(call=call)))
            return pb.Result(ok=pb.Ok())
