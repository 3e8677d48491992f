"""The gRPC fallback: TLS and a token, or a clear refusal."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from app_layer.link import AdapterLink, Backoff
from protocol import pb
from protocol.channel import MessageChannel
from protocol.errors import ChannelError, Unauthorized
from protocol.transports.grpc_transport import GrpcServer, TlsFiles, connect_grpc
from tests.support.certs import PkiFiles, make_pki
from tests.unit.phone_double import PhoneDouble
from vdi_adapter.event_sink import EventSink
from vdi_adapter.service import AdapterService

TOKEN = "s3cret-token-for-tests"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> PkiFiles:
    return make_pki(tmp_path_factory.mktemp("pki"))


async def start_adapter(
    pki: PkiFiles, *, mutual: bool = False
) -> tuple[GrpcServer, AdapterService, int]:
    sink = EventSink()
    service = AdapterService(PhoneDouble(sink), sink)

    async def on_channel(channel: MessageChannel) -> None:
        await service.serve_channel(channel)

    tls = TlsFiles(
        pki.server_cert, pki.server_key, pki.ca if mutual else None, require_client_cert=mutual
    )
    server = GrpcServer(on_channel, TOKEN, tls)
    port = await server.start("127.0.0.1", 0)
    return server, service, port


async def test_command_round_trip_with_tls_and_token(pki: PkiFiles) -> None:
    server, service, port = await start_adapter(pki)
    link = AdapterLink(
        lambda: connect_grpc(f"127.0.0.1:{port}", TOKEN, TlsFiles(ca=pki.ca)),
        transport="grpc+tls",
        backoff=Backoff(0.05, 0.5),
    )
    runner = asyncio.create_task(link.run())
    try:
        result = await link.command(pb.Command(dial=pb.Dial(to="7002")), timeout=5.0)
        assert result.ok.dial.call_id == "c1"
        assert link.status.state == "connected"
        assert link.status.adapter_version
    finally:
        await link.close()
        runner.cancel()
        await service.close()
        await server.stop()


async def test_mutual_tls_with_a_client_certificate(pki: PkiFiles) -> None:
    server, service, port = await start_adapter(pki, mutual=True)
    try:
        tls = TlsFiles(cert=pki.client_cert, key=pki.client_key, ca=pki.ca)
        channel = await connect_grpc(f"127.0.0.1:{port}", TOKEN, tls)
        hello = await asyncio.wait_for(channel.receive(), 5.0)
        assert hello.hello.role == pb.ROLE_ADAPTER
        await channel.close()
        with pytest.raises(ChannelError):  # no client certificate: refused
            await connect_grpc(f"127.0.0.1:{port}", TOKEN, TlsFiles(ca=pki.ca), timeout=2.0)
    finally:
        await service.close()
        await server.stop()


async def test_wrong_or_missing_token_is_refused(pki: PkiFiles) -> None:
    server, service, port = await start_adapter(pki)
    try:
        for token in ("wrong", ""):
            with pytest.raises(Unauthorized, match="refused the token"):
                await connect_grpc(f"127.0.0.1:{port}", token, TlsFiles(ca=pki.ca))
        assert service.sessions_served == 0
    finally:
        await service.close()
        await server.stop()


async def test_client_without_tls_is_refused_with_a_clear_error(pki: PkiFiles) -> None:
    server, service, port = await start_adapter(pki)
    try:
        with pytest.raises(ChannelError, match="TLS"):
            await connect_grpc(f"127.0.0.1:{port}", TOKEN, None, timeout=1.5)
        with pytest.raises(ChannelError):  # a server certificate from another CA is not trusted
            await connect_grpc(f"127.0.0.1:{port}", TOKEN, TlsFiles(ca=pki.other_ca), timeout=1.5)
        assert service.sessions_served == 0
    finally:
        await service.close()
        await server.stop()


async def test_plaintext_only_on_loopback_and_only_when_asked(
    pki: PkiFiles, tmp_path: Path
) -> None:
    with pytest.raises(ChannelError, match="TLS is required off loopback"):
        await GrpcServer(lambda c: asyncio.sleep(0), TOKEN, None).start("0.0.0.0", 0)
    with pytest.raises(ChannelError, match="needs a token"):
        GrpcServer(lambda c: asyncio.sleep(0), "", None)
    missing = TlsFiles(tmp_path / "nope.pem", tmp_path / "nope.key")
    with pytest.raises(ChannelError, match="cannot read TLS cert file"):
        await GrpcServer(lambda c: asyncio.sleep(0), TOKEN, missing).start("127.0.0.1", 0)
