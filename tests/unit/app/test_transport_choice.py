"""``auto`` tries each way to the adapter in order and says why it chose what it chose."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from app_layer.link import AdapterLink, Backoff
from app_layer.settings import TransportSettings
from app_layer.transport import TransportChooser
from protocol import pb
from protocol.channel import MessageChannel
from protocol.transports.stream import serve_unix
from tests.unit.phone_double import PhoneDouble
from vdi_adapter.event_sink import EventSink
from vdi_adapter.service import AdapterService


@pytest.fixture
def plain_desktop(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in ("XRDP_SESSION", "SESSIONNAME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    return tmp_path / "softphone" / "adapter.sock"


async def wait_state(link: AdapterLink, *states: str) -> None:
    for _ in range(500):
        if link.status.state in states:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"link stayed {link.status.state}: {link.status.detail}")


async def test_nothing_reachable_lists_every_reason(plain_desktop: Path) -> None:
    link = AdapterLink(
        TransportChooser(TransportSettings(kind="auto")),
        transport="auto",
        backoff=Backoff(0.05, 0.1),
    )
    runner = asyncio.create_task(link.run())
    await wait_state(link, "unreachable")
    detail = link.status.detail
    assert "not in an RDP or Citrix session" in detail
    assert "local adapter: no adapter listening" in detail
    assert "no gRPC address configured" in detail
    assert "not allowed by policy" in detail
    await link.close()
    runner.cancel()


async def test_a_local_adapter_is_chosen_and_the_reason_shown(plain_desktop: Path) -> None:
    sink = EventSink()
    service = AdapterService(PhoneDouble(sink), sink)

    async def serve(channel: MessageChannel) -> None:
        await service.serve_channel(channel)

    server = await serve_unix(plain_desktop, serve)
    link = AdapterLink(
        TransportChooser(TransportSettings(kind="auto")),
        transport="auto",
        backoff=Backoff(0.05, 0.1),
    )
    runner = asyncio.create_task(link.run())
    try:
        await wait_state(link, "connected")
        assert link.status.transport == "unix" and link.status.media_offloaded
        assert link.status.transport_choice.startswith("chose unix")
        assert "virtual channel: not in an RDP or Citrix session" in link.status.transport_choice
        result = await link.command(pb.Command(dial=pb.Dial(to="7002")))
        assert result.ok.dial.call_id
    finally:
        await link.close()
        runner.cancel()
        await service.close()
        server.close()


def test_citrix_session_is_recognised(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XRDP_SESSION", raising=False)
    monkeypatch.setenv("SESSIONNAME", "ICA-CGP#3")
    names = [c[0] for c in TransportChooser(TransportSettings(kind="auto")).candidates()]
    assert names[0] == "citrix" and "local adapter" not in names


def test_rdp_session_tries_the_virtual_channel_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XRDP_SESSION", "1")
    chooser = TransportChooser(TransportSettings(kind="auto", address="10.1.2.3:7443"))
    names = [c[0] for c in chooser.candidates()]
    assert names[:2] == ["rdp", "grpc+tls"]


def test_inproc_fallback_when_the_policy_allows(plain_desktop: Path, tmp_path: Path) -> None:
    # The engine is a process singleton: run this one in a child process of its own.
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent("""
        import asyncio
        from app_layer.link import AdapterLink, Backoff
        from app_layer.settings import TransportSettings
        from app_layer.transport import TransportChooser

        async def main():
            chooser = TransportChooser(TransportSettings(kind="auto", allow_inproc=True))
            link = AdapterLink(chooser, transport="auto", backoff=Backoff(0.05, 0.1))
            runner = asyncio.create_task(link.run())
            for _ in range(1000):
                if link.status.state == "connected":
                    break
                await asyncio.sleep(0.01)
            s = link.status
            print(s.state, s.transport, s.media_offloaded, "|", s.transport_choice)
            await link.close()
            runner.cancel()
            await chooser.close()

        asyncio.run(main())
    """)
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=Path(__file__).resolve().parents[3],
        env={"XDG_RUNTIME_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    state, transport, offloaded, _bar, *why = done.stdout.split()
    assert (state, transport, offloaded) == ("connected", "inproc", "False")
    assert "local adapter: no adapter listening" in " ".join(why)
