"""Start and stop an engine many times in one process, each time with a call up.

Run as a child process by the lifecycle test: the process must exit with status 0
(no pjsua2 assertion, no crash at interpreter exit). Prints one summary line.
"""

from __future__ import annotations

import sys
import threading

from protocol import pb
from vdi_adapter.engine import Engine
from vdi_adapter.event_sink import EventSink


def one_cycle(target: str, number: int) -> tuple[bool, int]:
    """Start, configure, dial, wait until connected, stop; (was connected, end reason)."""
    sink = EventSink()
    connected = threading.Event()
    ended: list[int] = []

    def on_event(event: pb.Event) -> None:
        if event.HasField("call"):
            if event.call.call.state == pb.CALL_STATE_CONNECTED:
                connected.set()
            if event.call.call.state == pb.CALL_STATE_ENDED:
                ended.append(event.call.call.end_reason)

    sink.subscribe(on_event)
    engine = Engine(sink)
    engine.start()
    network = pb.NetworkSettings(public_address="127.0.0.1", rtp_port_min=40200, rtp_port_max=40398)
    configure = pb.Configure(configuration=pb.Configuration(network=network))
    engine.submit(pb.Command(request_id=f"c{number}", configure=configure)).result(5)
    engine.submit(pb.Command(request_id=f"d{number}", dial=pb.Dial(to=target))).result(5)
    was_connected = connected.wait(5)
    engine.stop()
    return was_connected, ended[0] if ended else -1


def main() -> int:
    target, cycles = sys.argv[1], int(sys.argv[2])
    connected = shutdown = 0
    for number in range(cycles):
        was_connected, reason = one_cycle(target, number)
        connected += was_connected
        shutdown += reason == pb.CALL_END_REASON_ADAPTER_SHUTDOWN
    print(f"cycles={cycles} connected={connected} ended_by_shutdown={shutdown}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
