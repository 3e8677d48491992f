"""``softphone-sim``: QA's simulator of the whole phone on one machine."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

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


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    try:
        if args.command == "profiles":
            return print_profiles()
        if args.command == "demo":
            from simulator.demo import run_demo

            return asyncio.run(run_demo(args.profile, args.cut))
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
