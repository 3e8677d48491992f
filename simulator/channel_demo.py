"""The channel demo: both halves over the loopback simulator, a cut, a recovery.

It shows, in words a person can read, what the channel does for the agent:
the handshake, commands and their results, a cut of the virtual channel, the
reconnect and the snapshot that brings the agent's view back.
"""

from __future__ import annotations

import asyncio

from protocol import pb
from simulator.rig import SimRig
from simulator.timeline import Timeline


def _outcome(result: pb.Result) -> str:
    if result.WhichOneof("outcome") == "ok":
        payload = result.ok.WhichOneof("payload")
        return f"ok{' (' + payload + ')' if payload else ''}"
    return f"error {pb.ErrorCode.Name(result.error.code)}: {result.error.reason}"


async def run_channel_demo(profile: str = "lan", cut_s: float = 3.0) -> int:
    timeline = Timeline()
    async with SimRig(profile, on_change=timeline.agent_saw) as rig:
        timeline.note("sim", f"adapter and app joined by the loopback channel, profile {profile!r}")
        await rig.wait_for(lambda: rig.view.snapshots > 0, 10, "first snapshot")
        status = rig.app.status
        timeline.note(
            "sim",
            f"handshake done: adapter {status.adapter_version}, protocol "
            f"{status.adapter_protocol[0]}.{status.adapter_protocol[1]}",
        )
        config = pb.Configuration(
            accounts=[
                pb.Account(
                    account_id="line1",
                    register=False,
                    connectivities=[pb.Connectivity(user="agent", server="127.0.0.1:5060")],
                )
            ]
        )
        for label, command in (
            (
                "configure a standalone line",
                pb.Command(configure=pb.Configure(configuration=config)),
            ),
            ("hold a call that does not exist", pb.Command(hold=pb.Hold(call_id="no-such-call"))),
            ("ask for a snapshot", pb.Command(get_snapshot=pb.GetSnapshot())),
        ):
            timeline.note("app", label)
            timeline.note("adapter", _outcome(await rig.command(command)))
        timeline.note("sim", f"cutting the virtual channel for {cut_s:g} s")
        rig.cut(cut_s)
        timeline.note(
            "app", "ask for a snapshot while the channel is down (sent after the reconnect)"
        )
        pending = asyncio.create_task(
            rig.command(pb.Command(get_snapshot=pb.GetSnapshot()), cut_s + 10)
        )
        await rig.wait_for(lambda: rig.app.status.state != "connected", 5, "loss noticed")
        took = await rig.wait_for(
            lambda: rig.app.status.state == "connected", cut_s + 10, "reconnect"
        )
        timeline.note("adapter", f"queued command: {_outcome(await pending)}")
        timeline.note(
            "sim",
            f"reconnected {took:.1f} s after the loss was noticed; "
            f"{rig.view.snapshots} snapshots so far, {rig.link.cuts} cut(s)",
        )
    timeline.note("sim", "done")
    return 0
