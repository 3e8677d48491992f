"""``softphone-sim``: QA's simulator of the whole phone on one machine."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from protocol.impairment import PROFILES


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="softphone-sim", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    channel = sub.add_parser(
        "channel-demo", help="both halves over the simulated channel, with a cut"
    )
    channel.add_argument("--profile", choices=sorted(PROFILES), default="lan")
    channel.add_argument("--cut", type=float, default=3.0, metavar="SECONDS")
    demo = sub.add_parser(
        "demo", help="the whole product: call, answer via connector, hold, cut, transfer"
    )
    demo.add_argument("--profile", choices=sorted(PROFILES), default="lan")
    demo.add_argument("--cut", type=float, default=4.0, metavar="SECONDS")
    demo.add_argument(
        "--audio",
        choices=["auto", "pulse", "null"],
        default="auto",
        help="the agent's headset on a private PulseAudio (auto: when pulseaudio is installed)",
    )
    demo.add_argument(
        "--ui", action="store_true", help="show the agent's window (needs a display or Xvfb)"
    )
    demo.add_argument("--screenshot", type=Path, help="with --ui: save the window at the end")
    run = sub.add_parser("run", help="run scenario files and report (JUnit XML, JSON)")
    run.add_argument("scenarios", nargs="+", type=Path, help="scenario .toml files or folders")
    run.add_argument(
        "--report-dir",
        type=Path,
        default=Path("sim-reports"),
        help="where report.json and junit.xml go (default sim-reports/)",
    )
    run.add_argument(
        "--record",
        action="store_true",
        help="keep the channel's message log and the SIP trace in the report folder",
    )
    run.add_argument("--quiet", action="store_true", help="print only progress and the result")
    sub.add_parser("profiles", help="list the channel impairment profiles")
    parser.add_argument(
        "--log-level", default="warning", choices=["debug", "info", "warning", "error"]
    )
    return parser


def print_profiles() -> int:
    print(f"{'profile':<10} {'latency':>8} {'jitter':>7} {'bandwidth':>10} {'max write':>9}  cuts")
    for name, p in PROFILES.items():
        bandwidth = f"{p.bandwidth_bps // 1000} kb/s" if p.bandwidth_bps else "-"
        cuts = (
            f"every ~{p.random_cut_every_s:g} s for {p.random_cut_duration_s:g} s"
            if p.random_cut_every_s
            else "-"
        )
        delays = f"{p.latency_ms:>6g}ms {p.jitter_ms:>5g}ms"
        print(f"{name:<10} {delays} {bandwidth:>10} {p.max_write or '-':>9}  {cuts}")
    return 0


async def run_scenarios(args: argparse.Namespace) -> int:
    from simulator.report import write_json, write_junit
    from simulator.runner import run_scenario
    from simulator.scenario import ScenarioError, load_scenario

    files = [f for p in args.scenarios for f in (sorted(p.glob("*.toml")) if p.is_dir() else [p])]
    try:
        scenarios = [load_scenario(f) for f in files]
    except (ScenarioError, OSError) as error:
        print(f"softphone-sim: {error}", file=sys.stderr)
        return 2
    results = []
    for number, scenario in enumerate(scenarios, 1):
        progress = f"[{number}/{len(scenarios)}] "
        if args.quiet:
            print(f"{progress}{scenario.name} ...", end="", flush=True)
        record = args.report_dir / "record" if args.record else None
        result = await run_scenario(
            scenario, out=None if args.quiet else sys.stdout, record_dir=record, progress=progress
        )
        results.append(result)
        verdict = "passed" if result.passed else f"FAILED: {result.failure}"
        print(
            f"{'' if args.quiet else progress}{scenario.name}: {verdict} ({result.seconds:.1f} s)"
        )
    args.report_dir.mkdir(parents=True, exist_ok=True)
    write_json(results, args.report_dir / "report.json")
    write_junit(results, args.report_dir / "junit.xml")
    passed = sum(r.passed for r in results)
    print(f"{passed}/{len(results)} scenarios passed; reports in {args.report_dir}/")
    return 0 if passed == len(results) else 1


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    try:
        if args.command == "profiles":
            return print_profiles()
        if args.command == "demo" and args.ui:
            from simulator.demo_ui import run_demo_ui

            return run_demo_ui(args.profile, args.cut, args.screenshot)
        if args.command == "demo":
            from simulator.demo import run_demo

            return asyncio.run(run_demo(args.profile, args.cut, args.audio))
        if args.command == "run":
            return asyncio.run(run_scenarios(args))
        if args.command == "channel-demo":
            from simulator.channel_demo import run_channel_demo

            return asyncio.run(run_channel_demo(args.profile, args.cut))
    except KeyboardInterrupt:
        return 130
    except (OSError, TimeoutError, RuntimeError) as error:
        print(f"softphone-sim: {error}", file=sys.stderr)
        return 1
    return 2


if __name__ == "__main__":
    sys.exit(main())
