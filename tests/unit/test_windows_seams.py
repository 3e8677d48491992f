"""The seams that make both halves run on Windows, exercised here: shutdown without loop signal
handlers, and the local channel being token-guarded loopback TCP instead of a Unix socket."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import pytest

import app_layer.transport as app_transport
import vdi_adapter.cli as adapter_cli
from app_layer.link import AdapterLink, Backoff
from app_layer.settings import TransportSettings
from app_layer.transport import TransportChooser
from protocol import pb
from protocol.channel import MessageChannel
from protocol.stop_signals import install_stop_handlers
from protocol.transports import adapter_address
from protocol.transports.local_tcp import serve_local_tcp
from tests.unit.phone_double import PhoneDouble
from vdi_adapter.event_sink import EventSink
from vdi_adapter.service import AdapterService


class WindowsLoop(asyncio.SelectorEventLoop):
    """A loop that, like Windows' loops, cannot take signal handlers."""

    def add_signal_handler(self, sig: int, callback: object, *args: object) -> None:
        raise NotImplementedError


def test_a_stop_signal_reaches_a_loop_that_cannot_take_signal_handlers() -> None:
    loop = WindowsLoop()
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        stop = asyncio.Event()
        assert install_stop_handlers(loop, stop) == "signal"

        async def wait_for_stop() -> None:
            loop.call_later(0.05, signal.raise_signal, signal.SIGTERM)
            await asyncio.wait_for(stop.wait(), 5)

        loop.run_until_complete(wait_for_stop())
        assert stop.is_set()
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
        loop.close()


async def test_on_unix_the_loop_takes_the_signals() -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    try:
        assert install_stop_handlers(loop, stop) == "loop"
        signal.raise_signal(signal.SIGINT)
        await asyncio.wait_for(stop.wait(), 5)
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)


def test_windows_paths_come_from_the_user_profile(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(adapter_address.sys, "platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path))
    assert adapter_address.default_endpoint_file() == tmp_path / "Softphone" / "adapter.endpoint"
    assert not adapter_address.uses_unix_socket()


def test_the_adapter_on_windows_listens_on_loopback_tcp_by_default(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(adapter_address.sys, "platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path))
    listeners = adapter_cli.listeners_from(adapter_cli.parse_args([]))
    assert listeners.unix is None
    assert listeners.local_tcp == 0
    assert listeners.endpoint_file == tmp_path / "Softphone" / "adapter.endpoint"


async def test_auto_on_a_windows_desktop_finds_the_adapter_by_its_endpoint_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("XRDP_SESSION", "SESSIONNAME"):
        monkeypatch.delenv(name, raising=False)
    endpoint = tmp_path / "Softphone" / "adapter.endpoint"
    monkeypatch.setattr(app_transport, "uses_unix_socket", lambda: False)
    monkeypatch.setattr(app_transport, "default_endpoint_file", lambda: endpoint)
    sink = EventSink()
    service = AdapterService(PhoneDouble(sink), sink)

    async def serve(channel: MessageChannel) -> None:
        await service.serve_channel(channel)

    server, _ = await serve_local_tcp(serve, endpoint)
    chooser = TransportChooser(TransportSettings(kind="auto"))
    link = AdapterLink(chooser, transport="auto", backoff=Backoff(0.05, 0.1))
    runner = asyncio.create_task(link.run())
    try:
        for _ in range(500):
            if link.status.state == "connected":
                break
            await asyncio.sleep(0.01)
        assert link.status.state == "connected", link.status.detail
        assert link.status.transport == "tcp"
        result = await link.command(pb.Command(dial=pb.Dial(to="7002")))
        assert result.ok.dial.call_id
    finally:
        await link.close()
        runner.cancel()
        await service.close()
        server.close()
