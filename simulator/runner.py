"""Runs scenario files through the real components and reports what happened.

Each scenario gets a fresh world (registrar, adapter, app layer, peers) so one
cannot leak into the next. Steps run in order; the first failed step ends the
scenario (later steps would only fail for the same reason) and is reported with
its line. The timeline shows who did what and what the agent saw.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import time
from pathlib import Path
from typing import IO, TextIO

from protocol import pb
from simulator.report import ScenarioResult, StepResult
from simulator.rtp_relay import MediaImpairment
from simulator.scenario import Scenario
from simulator.steps import StepFailed, StepRunner
from simulator.timeline import Timeline
from simulator.world import SimWorld

log = logging.getLogger(__name__)

#: No single step may take longer than this, whatever it waits for.
STEP_LIMIT_S = 60.0


async def run_scenario(
    scenario: Scenario,
    *,
    out: TextIO | None = sys.stdout,
    record_dir: Path | None = None,
    progress: str = "",
) -> ScenarioResult:
    timeline = Timeline(out=out)
    result = ScenarioResult(scenario.name, str(scenario.source), scenario.profile.name)
    started = time.monotonic()
    with contextlib.ExitStack() as files:
        channel_log = _open_log(files, record_dir, scenario, "channel.jsonl")
        try:
            await _run_world(
                scenario,
                timeline,
                result,
                channel_log=channel_log,
                record_dir=record_dir,
                progress=progress,
            )
        except StepFailed as error:
            result.setup_error = str(error)
        except (OSError, RuntimeError, TimeoutError) as error:
            result.setup_error = f"could not start the simulated world: {error}"
    if result.setup_error:
        timeline.note("sim", f"FAILED: {result.setup_error}")
    result.seconds = time.monotonic() - started
    result.timeline = timeline.entries
    return result


def _open_log(
    files: contextlib.ExitStack, record_dir: Path | None, scenario: Scenario, name: str
) -> IO[str] | None:
    if record_dir is None:
        return None
    record_dir.mkdir(parents=True, exist_ok=True)
    return files.enter_context(open(record_dir / f"{scenario.source.stem}.{name}", "w"))


async def _run_world(
    scenario: Scenario,
    timeline: Timeline,
    result: ScenarioResult,
    *,
    channel_log: IO[str] | None,
    record_dir: Path | None,
    progress: str,
) -> None:
    peers = {p.name: p.user for p in scenario.peers}
    auto = {p.name: 200 for p in scenario.peers if p.auto_answer}
    options = {
        "record": channel_log,
        "sip_trace": record_dir is not None,
        "app_protocol": scenario.app_protocol,
    }
    timeline.note(
        "sim",
        f"{progress}scenario {scenario.name!r} ({scenario.source.name}), "
        f"channel profile {scenario.profile.name!r}",
    )
    async with SimWorld(
        scenario.profile,
        peers,
        on_change=timeline.agent_saw,
        peer_auto_answer=auto,
        rig_options=options,
        config=scenario.config,
        media=MediaImpairment(scenario.rtp_loss_pct, scenario.rtp_jitter_ms),
        sound=scenario.sound,
    ) as world:
        runner = StepRunner(world, timeline.note)
        await _run_steps(scenario, runner, timeline, result)
        if record_dir is not None:
            await _save_sip_trace(world, record_dir / f"{scenario.source.stem}.sip.log")


async def _run_steps(
    scenario: Scenario, runner: StepRunner, timeline: Timeline, result: ScenarioResult
) -> None:
    failed = False
    for index, step in enumerate(scenario.steps, 1):
        entry = StepResult(index, step.line, step.action, step.describe(), "not run")
        result.steps.append(entry)
        if failed:
            continue
        timeline.note("step", f"[{index}/{len(scenario.steps)}] {step.describe()}")
        start = time.monotonic()
        try:
            await asyncio.wait_for(runner.run(step), STEP_LIMIT_S)
            entry.outcome = "passed"
        except (StepFailed, TimeoutError) as error:
            entry.outcome, entry.message = "failed", str(error) or f"took over {STEP_LIMIT_S:g} s"
        except Exception as error:  # a bug in a step must fail the step, not the run
            log.exception("step %d of %s", index, scenario.source)
            entry.outcome, entry.message = (
                "failed",
                f"internal error: {type(error).__name__}: {error}",
            )
        if entry.outcome == "failed":
            timeline.note("step", f"FAILED at line {step.line}: {entry.message}")
            failed = True
        entry.seconds = time.monotonic() - start


async def _save_sip_trace(world: SimWorld, path: Path) -> None:
    command = pb.Command(collect_diagnostics=pb.CollectDiagnostics(include_sip_trace=True))
    result = await world.rig.command(command)
    if result.WhichOneof("outcome") == "ok":
        path.write_text("\n".join(result.ok.diagnostics.sip_trace) + "\n")
