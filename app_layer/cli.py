"""``softphone``: the agent's phone window, or ``--headless`` the connector API alone.

    softphone                                  # window, transport from the config file
    softphone --headless --connector-port 0    # kiosk/CTI: prints the port it picked
    softphone --transport grpc://10.0.0.5:7443 --config ~/phone.toml

Problems in the configuration are printed, one per line, and the phone starts with
safe defaults for those keys. Anything that stops it (a port in use, no usable
transport) is one line on stderr and exit status 2; never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from app_layer.config import ConfigProblem, Overrides, load_settings
from app_layer.connector.token import TokenFileError
from app_layer.settings import Settings
from app_layer.transport import TransportUnavailable
from protocol import SOFTWARE_VERSION
from protocol.errors import ChannelError
from protocol.stop_signals import install_stop_handlers

log = logging.getLogger("softphone")


class UsageError(Exception):
    """Something on the command line or in the environment that the user must fix."""


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65_535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0-65535)")
    return int(text)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="softphone", description=__doc__.splitlines()[0])
    parser.add_argument("--headless", action="store_true", help="no window: connector API only")
    parser.add_argument("--config", type=Path, metavar="PATH", help="configuration file (TOML)")
    parser.add_argument(
        "--transport",
        metavar="SPEC",
        help="auto, rdp, citrix, grpc://HOST:PORT, unix:PATH, loopback or inproc",
    )
    parser.add_argument(
        "--connector-port", type=_port, metavar="N", help="connector port (0: pick a free one)"
    )
    parser.add_argument("--token-file", metavar="PATH", help="connector bearer token file")
    parser.add_argument("--language", metavar="CODE", help="en, fr, de, es, ja or ar")
    parser.add_argument("--log-level", metavar="LEVEL", help="debug, info, warning or error")
    parser.add_argument("--version", action="version", version=f"softphone {SOFTWARE_VERSION}")
    return parser.parse_args(argv)


def settings_from(args: argparse.Namespace) -> tuple[Settings, list[ConfigProblem]]:
    flags = Overrides(
        transport=args.transport,
        connector_port=args.connector_port,
        token_file=args.token_file,
        language=args.language,
        log_level=args.log_level,
    )
    settings, problems = load_settings(args.config, flags)
    bad_flags = [p for p in problems if p.source == "command line"]
    if bad_flags:
        raise UsageError("; ".join(f"--{p.key.replace('_', '-')}: {p.message}" for p in bad_flags))
    return settings, problems


async def run_headless(settings: Settings) -> int:
    from app_layer.runtime import Runtime

    runtime = Runtime(settings)
    stop = asyncio.Event()
    install_stop_handlers(asyncio.get_running_loop(), stop)
    try:
        port = await runtime.start()
        print(f"connector listening on http://127.0.0.1:{port}", flush=True)
        await stop.wait()
    finally:
        await runtime.close()
    return 0


def _setup_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def _run(args: argparse.Namespace) -> int:
    settings, problems = settings_from(args)
    _setup_logging(settings.log_level)
    for problem in problems:
        print(f"softphone: configuration: {problem}", file=sys.stderr)
    if args.headless:
        return asyncio.run(run_headless(settings))
    from app_layer.ui.app import run_window

    return run_window(settings)


def main(argv: list[str] | None = None) -> int:
    try:
        args = parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    try:
        return _run(args)
    except (UsageError, TransportUnavailable, ChannelError, TokenFileError) as exc:
        print(f"softphone: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"softphone: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    except Exception as exc:
        log.debug("unexpected failure", exc_info=True)
        print(f"softphone: unexpected error: {exc}; run with --log-level debug", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
