"""``softphone-adapter``: the SIP engine behind one or more channel listeners.

    softphone-adapter                         # Unix socket in $XDG_RUNTIME_DIR/softphone/
    softphone-adapter --listen grpc://127.0.0.1:7443 --token-file T --tls-cert C --tls-key K
    softphone-adapter --stdio                 # the channel on stdin/stdout
    softphone-adapter --listen tcp://127.0.0.1:0  # loopback TCP + endpoint file (Windows)

It runs until SIGTERM/SIGINT, then hangs up, unregisters and exits 0. Errors an
administrator can fix (port in use, missing certificate, bad option) are printed
as one line and exit with status 2; no traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from protocol import SOFTWARE_VERSION, pb
from protocol.channel import MessageChannel
from protocol.errors import ChannelError
from protocol.stop_signals import install_stop_handlers
from protocol.transports.adapter_address import (
    default_adapter_socket,
    default_endpoint_file,
    uses_unix_socket,
)
from protocol.transports.grpc_transport import GrpcServer, TlsFiles
from protocol.transports.stream import serve_unix, stdio_channel
from vdi_adapter.adapter_config import AdapterSettings, SettingsError, read_settings, settings_path
from vdi_adapter.check import run_checks
from vdi_adapter.event_sink import EventSink
from vdi_adapter.service import AdapterService

if TYPE_CHECKING:
    from vdi_adapter.audio.tones import ToneSet

log = logging.getLogger("softphone.adapter")


#: How long calls outlive a lost app session unless configured.
DEFAULT_GRACE_PERIOD_S = 300.0


class UsageError(Exception):
    """A problem with the command line or the files it names."""


def default_socket() -> Path:
    return default_adapter_socket()


@dataclass
class Listeners:
    unix: Path | None
    grpc: tuple[str, int] | None
    stdio: bool
    #: Port of the token-guarded loopback TCP listener (0: the system picks).
    local_tcp: int | None = None
    endpoint_file: Path | None = None


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="softphone-adapter", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--unix", metavar="PATH", help=f"serve on a Unix socket (default {default_socket()})"
    )
    parser.add_argument(
        "--listen",
        metavar="URL",
        help="grpc://HOST:PORT serves the gRPC fallback; tcp://127.0.0.1:PORT the local channel "
        "guarded by a token in the endpoint file (Windows endpoints, PORT 0 picks one)",
    )
    parser.add_argument(
        "--endpoint-file",
        type=Path,
        help="where the tcp:// listener writes its address and token "
        "(default %%LOCALAPPDATA%%\\Softphone\\adapter.endpoint, or beside the Unix socket)",
    )
    parser.add_argument("--stdio", action="store_true", help="serve one session on stdin/stdout")
    parser.add_argument("--token-file", type=Path, help="file holding the gRPC bearer token")
    parser.add_argument("--tls-cert", type=Path, help="server certificate (PEM) for gRPC")
    parser.add_argument("--tls-key", type=Path, help="server private key (PEM) for gRPC")
    parser.add_argument("--tls-ca", type=Path, help="CA that client certificates must chain to")
    parser.add_argument("--require-client-cert", action="store_true", help="mutual TLS for gRPC")
    parser.add_argument("--plaintext", action="store_true", help="gRPC without TLS (loopback only)")
    parser.add_argument(
        "--audio",
        choices=["auto", "devices", "null"],
        default=None,
        help="sound devices through PortAudio, or none (default: auto)",
    )
    parser.add_argument(
        "--tone",
        action="append",
        default=[],
        metavar="NAME=FILE",
        help="play a WAV file instead of a built-in tone (ring, ringback, busy, error, "
        "call_waiting, dtmf:<digit>); repeatable",
    )
    parser.add_argument(
        "--grace-period",
        type=float,
        default=None,
        metavar="SECONDS",
        help="how long calls outlive a lost app session (default 300)",
    )
    parser.add_argument("--log-level", default=None, choices=["debug", "info", "warning", "error"])
    parser.add_argument(
        "--config",
        type=Path,
        metavar="PATH",
        help="settings file (default $SOFTPHONE_ADAPTER_CONFIG or /etc/softphone/adapter.toml)",
    )
    parser.add_argument(
        "--check", action="store_true", help="check this workstation, one line per check, and exit"
    )
    parser.add_argument(
        "--version", action="version", version=f"softphone-adapter {SOFTWARE_VERSION}"
    )
    return parser.parse_args(argv)


def listeners_from(args: argparse.Namespace) -> Listeners:
    grpc_address = None
    local_tcp = None
    if args.listen:
        url = urlparse(args.listen)
        try:
            port = url.port
        except ValueError:
            port = None
        if url.scheme == "tcp" and url.hostname == "127.0.0.1" and port is not None:
            local_tcp = port
        elif url.scheme == "grpc" and url.hostname and port:
            grpc_address = (url.hostname, port)
        else:
            raise UsageError(
                f"--listen wants grpc://HOST:PORT or tcp://127.0.0.1:PORT, got {args.listen!r}"
            )
    unix = Path(args.unix) if args.unix else None
    if not (unix or grpc_address or args.stdio or local_tcp is not None):
        # Nothing asked for: this user's local channel, as the app's auto looks for it.
        if uses_unix_socket():
            unix = default_socket()
        else:
            local_tcp = 0
    endpoint_file = None
    if local_tcp is not None:
        endpoint_file = args.endpoint_file or default_endpoint_file()
    return Listeners(unix, grpc_address, args.stdio, local_tcp, endpoint_file)


def read_token(path: Path | None) -> str:
    if path is None:
        raise UsageError("the gRPC listener needs --token-file")
    try:
        token = path.read_text().strip()
    except OSError as error:
        raise UsageError(f"cannot read token file {path}: {error.strerror}") from None
    if not token:
        raise UsageError(f"token file {path} is empty")
    return token


def tls_from(args: argparse.Namespace) -> TlsFiles | None:
    if args.plaintext:
        return None
    if not (args.tls_cert and args.tls_key):
        raise UsageError("gRPC needs --tls-cert and --tls-key (or --plaintext on loopback)")
    for path in (args.tls_cert, args.tls_key, args.tls_ca):
        if path is not None and not Path(path).is_file():
            raise UsageError(f"TLS file not found: {path}")
    return TlsFiles(args.tls_cert, args.tls_key, args.tls_ca, args.require_client_cert)


def tones_from(items: list[str]) -> ToneSet:
    """The tone set with the administrator's WAV files, each checked now."""
    from vdi_adapter.audio.tones import ToneError, tone_files

    try:
        return tone_files(items)
    except ToneError as error:
        raise UsageError(f"--tone: {error}") from None


def make_audio_backend(choice: str, sink: EventSink, tones: ToneSet | None = None) -> object:
    from vdi_adapter.audio_backend import NullAudioBackend

    if choice == "null":
        return NullAudioBackend()
    try:
        from vdi_adapter.audio.backend import DeviceAudioBackend

        return DeviceAudioBackend(sink, tones=tones)
    except Exception as error:  # no PortAudio, no sound server: run without devices
        if choice == "devices":
            raise UsageError(f"no usable sound devices: {error}") from None
        log.warning("no sound devices (%s): calls run without audio devices", error)
        return NullAudioBackend()


async def serve(args: argparse.Namespace) -> int:
    listeners = listeners_from(args)
    grpc_setup = (read_token(args.token_file), tls_from(args)) if listeners.grpc else None
    tones = tones_from(args.tone)
    from vdi_adapter.engine import Engine

    sink = EventSink()
    engine = Engine(sink, make_audio_backend(args.audio, sink, tones))  # type: ignore[arg-type]
    await asyncio.get_running_loop().run_in_executor(None, engine.start)
    service = AdapterService(
        engine,
        sink,
        capabilities=_capabilities(engine),
        grace_period_s=args.grace_period,
        on_session_change=log.info,
    )
    stop = asyncio.Event()
    servers: list[object] = []
    try:
        await _start_listeners(listeners, grpc_setup, service, servers, stop)
        _install_signal_handlers(stop)
        await stop.wait()
    finally:
        await service.close()
        for server in servers:
            await _stop_server(server)
        await asyncio.get_running_loop().run_in_executor(None, engine.stop)
    return 0


def _capabilities(engine: object) -> pb.Capabilities | None:
    capabilities = getattr(engine, "capabilities", None)
    return capabilities() if callable(capabilities) else None


async def _start_listeners(
    listeners: Listeners,
    grpc_setup: tuple[str, TlsFiles | None] | None,
    service: AdapterService,
    servers: list[object],
    stop: asyncio.Event,
) -> None:
    async def on_channel(channel: MessageChannel) -> None:
        await service.serve_channel(channel)

    if listeners.unix:
        try:
            servers.append(await serve_unix(listeners.unix, on_channel))
        except OSError as error:  # an uncreatable folder, a path longer than AF_UNIX allows
            reason = error.strerror or str(error)
            raise UsageError(f"--unix {listeners.unix}: cannot serve there ({reason})") from None
        log.info("serving on unix:%s", listeners.unix)
    if listeners.grpc and grpc_setup:
        server = GrpcServer(on_channel, grpc_setup[0], grpc_setup[1])
        port = await server.start(*listeners.grpc)
        servers.append(server)
        log.info(
            "serving gRPC%s on %s:%d",
            "" if grpc_setup[1] is None else "+TLS",
            listeners.grpc[0],
            port,
        )
    if listeners.local_tcp is not None and listeners.endpoint_file is not None:
        from protocol.transports.local_tcp import serve_local_tcp

        tcp_server, endpoint = await serve_local_tcp(
            on_channel, listeners.endpoint_file, listeners.local_tcp
        )
        servers.append(tcp_server)
        log.info(
            "serving on tcp://127.0.0.1:%d (endpoint file %s)",
            endpoint.port,
            listeners.endpoint_file,
        )
    if listeners.stdio:
        channel = await stdio_channel()
        task = asyncio.create_task(service.serve_channel(channel))
        task.add_done_callback(lambda _t: stop.set())  # stdin closed: the relay is gone
        servers.append(task)


async def _stop_server(server: object) -> None:
    if isinstance(server, GrpcServer):
        await server.stop()
    elif isinstance(server, asyncio.Server):
        server.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(server.wait_closed(), 1.0)
    elif isinstance(server, asyncio.Task):
        server.cancel()


def _install_signal_handlers(stop: asyncio.Event) -> None:
    install_stop_handlers(asyncio.get_running_loop(), stop)


def apply_settings(args: argparse.Namespace, settings: AdapterSettings) -> None:
    """Fill what the command line left open from the settings file, then the defaults."""
    if not (args.unix or args.listen or args.stdio):
        args.unix = str(settings.socket) if settings.socket else None
        args.listen = settings.listen or None
    args.audio = args.audio or settings.audio or "auto"
    args.log_level = args.log_level or settings.log_level or "info"
    grace = args.grace_period if args.grace_period is not None else settings.grace_period_s
    args.grace_period = DEFAULT_GRACE_PERIOD_S if grace is None else grace
    if not math.isfinite(args.grace_period) or args.grace_period <= 0:
        raise UsageError(
            f"--grace-period: {args.grace_period:g} is not a positive number of seconds"
        )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        settings = read_settings(settings_path(args.config))
        apply_settings(args, settings)
    except (SettingsError, UsageError) as error:
        print(f"softphone-adapter: {error}", file=sys.stderr)
        return 2
    if args.check:
        return run_checks(settings)
    # Logs go to stderr: with --stdio, stdout carries nothing but channel bytes.
    logging.basicConfig(
        level=args.log_level.upper(),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        return asyncio.run(serve(args))
    except (UsageError, ChannelError) as error:
        print(f"softphone-adapter: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
