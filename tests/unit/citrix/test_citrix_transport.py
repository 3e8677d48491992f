"""The app's Citrix transport against the ICA engine emulator and our driver, with the adapter
service's session core behind the driver: chosen, forced, and fallen back from."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from app_layer.link import AdapterLink, Backoff
from app_layer.settings import Secret, TransportSettings
from app_layer.transport import open_link
from protocol import pb
from protocol.channel import MessageChannel
from protocol.transports.grpc_transport import GrpcServer
from protocol.transports.stream import serve_unix
from simulator.ica_engine import IcaEngine
from tests.unit.phone_double import PhoneDouble
from vdi_adapter.event_sink import EventSink
from vdi_adapter.service import AdapterService


@dataclass
class Session:
    engine: IcaEngine
    service: AdapterService


@pytest.fixture
async def citrix_session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Session]:
    """An emulated Citrix session whose endpoint driver reaches an adapter session core."""
    tmp_path.chmod(0o700)
    (tmp_path / "softphone").mkdir(mode=0o700)
    sock = tmp_path / "softphone" / "adapter.sock"
    sink = EventSink()
    service = AdapterService(PhoneDouble(sink), sink)

    async def serve(channel: MessageChannel) -> None:
        await service.serve_channel(channel)

    server = await serve_unix(sock, serve)
    env = {
        "SOFTPHONE_ADAPTER_SOCKET": str(sock),
        "SOFTPHONE_DRIVER_LOG": str(tmp_path / "driver.log"),
        "SOFTPHONE_ADAPTER_START": "/bin/false",
    }
    engine = await asyncio.to_thread(IcaEngine(env=env).start)
    monkeypatch.delenv("XRDP_SESSION", raising=False)
    for name, value in engine.session_env().items():
        monkeypatch.setenv(name, value)
    try:
        yield Session(engine, service)
    finally:
        await asyncio.to_thread(engine.stop)
        await service.close()
        server.close()


async def wait_state(link: AdapterLink, state: str) -> None:
    for _ in range(1000):
        if link.status.state == state:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"link stayed {link.status.state}: {link.status.detail}")


async def run_link(settings: TransportSettings) -> tuple[AdapterLink, asyncio.Task[None]]:
    link, _closer = await open_link(settings)
    link._backoff = Backoff(0.05, 0.2)  # the test need not wait out the agent's backoff
    return link, asyncio.create_task(link.run())


@pytest.mark.parametrize("kind", ["citrix", "auto"])
async def test_the_citrix_channel_carries_commands(citrix_session: Session, kind: str) -> None:
    link, runner = await run_link(TransportSettings(kind=kind))
    try:
        await wait_state(link, "connected")
        assert link.status.transport == "citrix" and link.status.media_offloaded
        result = await link.command(pb.Command(dial=pb.Dial(to="7002")))
        assert result.ok.dial.call_id
    finally:
        await link.close()
        runner.cancel()


async def test_auto_falls_back_to_grpc_and_says_why_citrix_was_skipped(
    citrix_session: Session,
) -> None:
    await asyncio.to_thread(citrix_session.engine.cut)  # no driver: the channel will not open

    async def serve(channel: MessageChannel) -> None:
        await citrix_session.service.serve_channel(channel)

    grpc = GrpcServer(serve, "fallback-token", None)
    port = await grpc.start("127.0.0.1", 0)
    settings = TransportSettings(
        kind="auto", address=f"127.0.0.1:{port}", tls=False, token=Secret("fallback-token")
    )
    link, runner = await run_link(settings)
    try:
        await wait_state(link, "connected")
        assert link.status.transport == "grpc"
        why = link.status.transport_choice
        assert why.startswith("chose grpc"), why
        assert "citrix: cannot open Citrix virtual channel 'SOFTPH' (error 2)" in why
    finally:
        await link.close()
        runner.cancel()
        await grpc.stop()
