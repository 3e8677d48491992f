"""Command to effect as the agent sees it, under the lan, wan and flaky channel profiles.

One call between the agent and a simulated customer per profile; the CTI
application (connector API) holds, retrieves, mutes and unmutes it in a loop; each
sample is the time from the POST to the agent's view showing the change. Under
``flaky`` the channel is cut at random, so the p99 shows what a cut costs.

    python bench/sim_profiles.py [--seconds S] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.stats import percentile
from protocol import pb
from simulator.world import SimWorld

ACTIONS = (
    ("hold", lambda c: c.on_hold),
    ("retrieve", lambda c: not c.on_hold),
    ("mute", lambda c: c.muted),
    ("unmute", lambda c: not c.muted),
)


async def measure(profile: str, seconds: float) -> list[float]:
    async with SimWorld(profile, {"customer": "5001"}) as world:
        view = world.rig.view
        await world.rig.wait_for(
            lambda: any(
                r.state == pb.REGISTRATION_STATE_REGISTERED for r in view.registrations.values()
            ),
            15,
            "registered",
        )
        await asyncio.to_thread(world.peers["customer"].request, "call", 10.0, uri=world.agent_uri)
        await world.rig.wait_for(lambda: bool(view.active_calls()), 10, "ringing")
        call_id = view.active_calls()[0].call_id
        await world.client.post(f"/v1/calls/{call_id}/answer")
        await world.rig.wait_for(
            lambda: view.calls[call_id].state == pb.CALL_STATE_CONNECTED, 10, "up"
        )
        samples: list[float] = []
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for action, effect in ACTIONS:
                start = time.perf_counter()
                reply = await world.client.post(f"/v1/calls/{call_id}/{action}")
                while reply.status == 503:  # the channel is cut: the agent tries again
                    await asyncio.sleep(0.1)
                    reply = await world.client.post(f"/v1/calls/{call_id}/{action}")
                if reply.status == 409:  # the view lags behind a cut: try the next action
                    continue
                if not reply.ok:
                    raise RuntimeError(f"{profile}: {action}: {reply.describe()}")
                await world.rig.wait_for(lambda e=effect: e(view.calls[call_id]), 30, action)  # type: ignore[misc]
                samples.append((time.perf_counter() - start) * 1000)
        return samples


async def run(seconds: dict[str, float]) -> dict[str, float]:
    figures: dict[str, float] = {}
    for profile, duration in seconds.items():
        samples = await measure(profile, duration)
        figures[f"{profile}_command_to_effect_p50_ms"] = round(statistics.median(samples), 2)
        figures[f"{profile}_command_to_effect_p99_ms"] = round(percentile(samples, 99), 2)
        figures[f"{profile}_command_to_effect_max_ms"] = round(max(samples), 2)
        figures[f"{profile}_samples"] = len(samples)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seconds", type=float, default=10.0, help="per profile (flaky runs 4x as long)"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    # flaky cuts every ~10 s on average: give it long enough to meet a few cuts.
    plan = {"lan": args.seconds, "wan": args.seconds, "flaky": max(60.0, args.seconds * 4)}
    figures = asyncio.run(run(plan))
    if args.json:
        print(json.dumps(figures))
        return
    print("connector command -> effect in the agent's view (ms)")
    print(f"{'profile':<8} {'median':>8} {'p99':>9} {'max':>9} {'samples':>8}")
    for profile in plan:
        p50 = figures[f"{profile}_command_to_effect_p50_ms"]
        p99 = figures[f"{profile}_command_to_effect_p99_ms"]
        top = figures[f"{profile}_command_to_effect_max_ms"]
        count = int(figures[f"{profile}_samples"])
        print(f"{profile:<8} {p50:>8.1f} {p99:>9.1f} {top:>9.1f} {count:>8}")


if __name__ == "__main__":
    main()
