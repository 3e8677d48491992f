"""Which channel the app uses to reach its adapter, built from the transport settings.

``auto`` picks the RDP virtual channel inside an xrdp/RDS session, the Citrix ICA
virtual channel inside a Citrix session, else the local adapter's Unix socket;
then the gRPC fallback when one is configured. ``loopback`` and ``inproc`` run an
adapter (the real SIP engine) inside this process: ``loopback`` through the channel
simulator, so the framing and the session work exactly as over RDP; ``inproc`` is
the standalone desktop case where media is not offloaded. The engine lives as long as the process
(pjsua2 tears down badly), so ``close`` stops it once, at exit.
"""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Protocol

from app_layer.link import AdapterLink
from app_layer.settings import TransportSettings
from protocol.channel import MessageChannel
from protocol.errors import ChannelError
from protocol.transports.adapter_address import (
    default_adapter_socket,
    default_endpoint_file,
    uses_unix_socket,
)

Connect = Callable[[], Awaitable[MessageChannel]]
log = logging.getLogger(__name__)


class TransportUnavailable(Exception):
    """The chosen transport cannot work on this system; the message says why."""


def in_rdp_session() -> bool:
    """xrdp sets XRDP_SESSION; Windows RDS sets SESSIONNAME=RDP-Tcp#N."""
    return bool(os.environ.get("XRDP_SESSION")) or os.environ.get("SESSIONNAME", "").startswith(
        "RDP"
    )


def in_citrix_session() -> bool:
    """The Citrix VDA names ICA sessions ICA-TCP#N (or ICA-CGP#N with session reliability)."""
    return os.environ.get("SESSIONNAME", "").upper().startswith("ICA")


def resolve_auto(settings: TransportSettings) -> TransportSettings:
    """The single transport ``auto`` would try first (kept for callers wanting one)."""
    if settings.kind != "auto":
        return settings
    if in_rdp_session():
        return TransportSettings(kind="rdp")
    return TransportSettings(kind="unix", path=str(default_adapter_socket()))


class TransportChooser:
    """``auto``: try each way to the adapter in order, remember why the others failed.

    Order: the session's virtual channel, a local adapter (plain desktop), the gRPC
    fallback, then (only if the policy allows) an engine in this process. Every
    (re)connect starts again from the top, so when the virtual channel comes back
    after a fallback, the phone returns to it.
    """

    def __init__(self, settings: TransportSettings) -> None:
        self.settings = settings
        self.notes = ""
        self._inproc: InProcessEngine | None = None

    def candidates(self) -> list[tuple[str, Connect | None, str]]:
        """(name, how to connect, why not) for each way, in order."""
        found: list[tuple[str, Connect | None, str]] = []
        if in_rdp_session():
            found.append(("rdp", _rdp(self.settings)[0], ""))
        elif in_citrix_session():
            try:
                found.append(("citrix", _citrix(self.settings)[0], ""))
            except TransportUnavailable as error:
                found.append(("citrix", None, str(error)))
        else:
            found.append(("virtual channel", None, "not in an RDP or Citrix session"))
            found.append(("local adapter", _local_adapter(), ""))
        if self.settings.address:
            grpc = replace(self.settings, kind="grpc")
            found.append((_grpc(grpc)[1], _grpc(grpc)[0], ""))
        else:
            found.append(("gRPC", None, "no gRPC address configured"))
        if self.settings.allow_inproc:
            found.append(("inproc", self._connect_inproc, ""))
        else:
            found.append(("in-process", None, "not allowed by policy (transport.allow_inproc)"))
        return found

    async def __call__(self) -> MessageChannel:
        failures: list[str] = []
        for name, connect, why_not in self.candidates():
            if connect is None:
                failures.append(f"{name}: {why_not}")
                continue
            try:
                channel = await connect()
            except (ChannelError, OSError, TransportUnavailable, TimeoutError) as error:
                failures.append(f"{name}: {error}")
                continue
            self.notes = f"chose {channel.kind}" + (f"; {'; '.join(failures)}" if failures else "")
            log.info("adapter transport: %s", self.notes)
            return channel
        self.notes = "; ".join(failures)
        raise ChannelError(f"no way to the adapter ({self.notes})")

    async def _connect_inproc(self) -> MessageChannel:
        if self._inproc is None:
            self._inproc = in_process_engine(simulated=False)
            self._connect = await self._inproc.start()
        channel = await self._connect()
        channel.kind = "inproc"
        return channel

    async def close(self) -> None:
        if self._inproc is not None:
            await self._inproc.close()


def _local_adapter() -> Connect:
    """This user's adapter on this machine: its Unix socket, or on Windows its endpoint file."""
    if uses_unix_socket():
        return _unix(TransportSettings(kind="unix", path=str(default_adapter_socket())))[0]
    from protocol.transports.local_tcp import connect_local_tcp

    return lambda: connect_local_tcp(default_endpoint_file())


def _unix(settings: TransportSettings) -> tuple[Connect, str]:
    from protocol.transports.stream import connect_unix

    return (lambda: connect_unix(settings.path)), "unix"


def _grpc(settings: TransportSettings) -> tuple[Connect, str]:
    from protocol.transports.grpc_transport import TlsFiles, connect_grpc

    tls = (
        TlsFiles(ca=Path(settings.ca_file) if settings.ca_file else None) if settings.tls else None
    )
    token = settings.token.value
    return (lambda: connect_grpc(settings.address, token, tls)), "grpc+tls" if tls else "grpc"


def _rdp(settings: TransportSettings) -> tuple[Connect, str]:
    from protocol.framed import FramedChannel
    from protocol.vchannel.wts import open_wts_channel

    async def connect() -> MessageChannel:
        return FramedChannel(await open_wts_channel())

    return connect, "rdp"


def _citrix(settings: TransportSettings) -> tuple[Connect, str]:
    from protocol.framed import FramedChannel
    from protocol.vchannel.citrix import load_library, open_citrix_channel
    from protocol.vchannel.pipe import VirtualChannelUnavailable

    # The library is the VDA's and does not come and go: a missing one is a setup error now.
    try:
        wfapi = load_library()
    except VirtualChannelUnavailable as error:
        raise TransportUnavailable(
            f"{error}; use --transport grpc://HOST:PORT or unix:PATH"
        ) from None

    async def connect() -> MessageChannel:
        return FramedChannel(await open_citrix_channel(library=wfapi))

    return connect, "citrix"


_FACTORIES = {"unix": _unix, "grpc": _grpc, "rdp": _rdp, "citrix": _citrix}


class InProcessEngine(Protocol):
    """The SIP engine and adapter service run inside this process (``loopback``, ``inproc``).

    They belong to the adapter half: an app-only install has no SIP engine, so this
    side is found by name (``IN_PROCESS_MODULE``, where both halves meet) and
    reported as unavailable when that half is not installed.
    """

    async def start(self) -> Connect: ...

    async def close(self) -> None: ...


#: Where the in-process wiring lives: the simulator, which has both halves.
IN_PROCESS_MODULE = "simulator.in_process"


def in_process_engine(simulated: bool) -> InProcessEngine:
    """The engine in this process, or ``TransportUnavailable`` in an app-only install."""
    try:
        module = importlib.import_module(IN_PROCESS_MODULE)
    except ImportError as error:
        raise TransportUnavailable(
            f"no SIP engine in this install ({error.name or error}): the in-process"
            " transports need the adapter half (pip install 'vdi-softphone[adapter]')"
        ) from None
    engine: InProcessEngine = module.InProcessAdapter(simulated=simulated)
    return engine


async def open_link(
    settings: TransportSettings,
) -> tuple[AdapterLink, InProcessEngine | TransportChooser | None]:
    """The adapter link for ``settings`` (not yet running), and what must be closed with it."""
    if settings.kind == "auto":
        chooser = TransportChooser(settings)
        return AdapterLink(chooser, transport="auto", media_offloaded=True), chooser
    if settings.kind in ("loopback", "inproc"):
        adapter = in_process_engine(simulated=settings.kind == "loopback")
        try:
            connect = await adapter.start()
        except (ChannelError, OSError, RuntimeError) as exc:
            raise TransportUnavailable(f"cannot start the in-process adapter: {exc}") from None
        offloaded = False
        return AdapterLink(connect, transport=settings.kind, media_offloaded=offloaded), adapter
    connect, kind = _FACTORIES[settings.kind](settings)
    return AdapterLink(connect, transport=kind, media_offloaded=True), None
