"""The gRPC fallback: the same envelopes on one bidirectional stream.

Used when no virtual channel is available (or in network deployments). The
adapter serves ``softphone.v1.AdapterService/Connect``; the protocol lives in the
envelopes, not in RPCs, so this transport is interchangeable with the others.

Security: TLS is on unless explicitly turned off, and plaintext is only allowed
on a loopback address. Every stream must carry ``authorization: Bearer <token>``;
a missing or wrong token is refused with UNAUTHENTICATED before any envelope is
read. Optional client certificates (mutual TLS) are supported.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import ipaddress
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import grpc.aio

from protocol import pb
from protocol.channel import MessageChannel
from protocol.errors import ChannelClosed, ChannelError, Unauthorized
from protocol.framing import DEFAULT_MAX_FRAME

METHOD = "/softphone.v1.AdapterService/Connect"
_OPTIONS: list[tuple[str, Any]] = [
    ("grpc.max_receive_message_length", DEFAULT_MAX_FRAME),
    ("grpc.max_send_message_length", DEFAULT_MAX_FRAME),
    ("grpc.keepalive_time_ms", 10_000),
]
_CLOSE = object()


@dataclass(frozen=True)
class TlsFiles:
    """PEM files: our certificate and key, and the CA to check the peer with."""

    cert: Path | None = None
    key: Path | None = None
    ca: Path | None = None
    #: Server side: require a client certificate signed by ``ca``.
    require_client_cert: bool = False

    def read(self, name: str) -> bytes | None:
        path = getattr(self, name)
        if path is None:
            return None
        try:
            return Path(path).read_bytes()
        except OSError as error:
            raise ChannelError(f"cannot read TLS {name} file {path}: {error.strerror}") from None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class GrpcChannel:
    """A ``MessageChannel`` over one Connect stream (either side)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._incoming: asyncio.Queue[pb.Envelope | object] = asyncio.Queue()
        self._outgoing: asyncio.Queue[pb.Envelope | object] = asyncio.Queue()
        self._closed = False
        self.close_reason = "gRPC stream ended"

    async def send(self, envelope: pb.Envelope) -> None:
        if self._closed:
            raise ChannelClosed(self.close_reason)
        await self._outgoing.put(envelope)

    def send_nowait(self, envelope: pb.Envelope) -> None:
        if self._closed:
            raise ChannelClosed(self.close_reason)
        self._outgoing.put_nowait(envelope)

    async def receive(self) -> pb.Envelope:
        item = await self._incoming.get()
        if item is _CLOSE:
            self._incoming.put_nowait(_CLOSE)
            raise ChannelClosed(self.close_reason)
        assert isinstance(item, pb.Envelope)
        return item

    async def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._outgoing.put_nowait(_CLOSE)
            self._incoming.put_nowait(_CLOSE)

    def deliver(self, envelope: pb.Envelope) -> None:
        self._incoming.put_nowait(envelope)

    def ended(self, reason: str) -> None:
        self.close_reason = reason
        self._closed = True
        self._incoming.put_nowait(_CLOSE)
        self._outgoing.put_nowait(_CLOSE)

    async def outgoing(self) -> AsyncIterator[pb.Envelope]:
        while (item := await self._outgoing.get()) is not _CLOSE:
            assert isinstance(item, pb.Envelope)
            yield item


# ----------------------------------------------------------------- server side
class GrpcServer:
    """Serves Connect streams; each becomes a channel handed to ``on_channel``."""

    def __init__(
        self,
        on_channel: Callable[[MessageChannel], Coroutine[Any, Any, object]],
        token: str,
        tls: TlsFiles | None,
    ) -> None:
        if not token:
            raise ChannelError("the gRPC listener needs a token (--token-file)")
        self._on_channel = on_channel
        self._token = token
        self._tls = tls
        self._server: grpc.aio.Server | None = None
        self.port = 0

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Listen; return the port. Plaintext (``tls=None``) only on loopback."""
        if self._tls is None and not _is_loopback(host):
            raise ChannelError(f"refusing plaintext gRPC on {host}: TLS is required off loopback")
        server = grpc.aio.server(options=_OPTIONS)
        handler = grpc.stream_stream_rpc_method_handler(
            self._connect,
            request_deserializer=pb.Envelope.FromString,
            response_serializer=pb.Envelope.SerializeToString,
        )
        server.add_generic_rpc_handlers(
            (
                grpc.method_handlers_generic_handler(
                    "softphone.v1.AdapterService", {"Connect": handler}
                ),
            )
        )
        address = f"{host}:{port}"
        try:
            self.port = self._bind(server, address)
        except RuntimeError as error:
            raise ChannelError(f"cannot listen on {address}: {error}") from None
        if self.port == 0:
            raise ChannelError(f"cannot listen on {address}: address in use or not available")
        await server.start()
        self._server = server
        return self.port

    def _bind(self, server: grpc.aio.Server, address: str) -> int:
        if self._tls is None:
            return int(server.add_insecure_port(address))
        cert, key = self._tls.read("cert"), self._tls.read("key")
        if cert is None or key is None:
            raise ChannelError("TLS needs a server certificate and key (--tls-cert, --tls-key)")
        credentials = grpc.ssl_server_credentials(
            [(key, cert)],
            root_certificates=self._tls.read("ca"),
            require_client_auth=self._tls.require_client_cert,
        )
        return int(server.add_secure_port(address, credentials))

    async def stop(self, grace: float = 0.5) -> None:
        if self._server is not None:
            await self._server.stop(grace)
            self._server = None

    async def _connect(
        self, requests: AsyncIterator[pb.Envelope], context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.Envelope]:
        if not self._authorized(context):
            await context.abort(grpc.StatusCode.UNAUTHENTICATED, "missing or wrong adapter token")
        kind = "grpc" if self._tls is None else "grpc+tls"
        channel = GrpcChannel(kind)
        pump = asyncio.create_task(self._pump(requests, channel))
        session = asyncio.create_task(self._on_channel(channel))
        try:
            async for envelope in channel.outgoing():
                yield envelope
        finally:
            channel.ended("gRPC stream ended")
            pump.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await session

    async def _pump(self, requests: AsyncIterator[pb.Envelope], channel: GrpcChannel) -> None:
        try:
            async for envelope in requests:
                channel.deliver(envelope)
            channel.ended("the app closed the gRPC stream")
        except (grpc.aio.AioRpcError, asyncio.CancelledError):
            channel.ended("the gRPC stream broke")

    def _authorized(self, context: grpc.aio.ServicerContext) -> bool:
        metadata = dict(context.invocation_metadata() or ())
        offered = str(metadata.get("authorization", ""))
        return hmac.compare_digest(offered.encode(), f"Bearer {self._token}".encode())


# ----------------------------------------------------------------- client side
async def connect_grpc(
    target: str,
    token: str,
    tls: TlsFiles | None,
    timeout: float = 5.0,
    server_name: str | None = None,
) -> GrpcChannel:
    """Open a Connect stream to an adapter; raise a clear ``ChannelError`` if refused."""
    host = target.rsplit(":", 1)[0]
    if tls is None and not _is_loopback(host):
        raise ChannelError(f"refusing plaintext gRPC to {host}: TLS is required off loopback")
    options = list(_OPTIONS)
    if server_name:
        options.append(("grpc.ssl_target_name_override", server_name))
    if tls is None:
        grpc_channel = grpc.aio.insecure_channel(target, options=options)
    else:
        credentials = grpc.ssl_channel_credentials(
            root_certificates=tls.read("ca"),
            private_key=tls.read("key"),
            certificate_chain=tls.read("cert"),
        )
        grpc_channel = grpc.aio.secure_channel(target, credentials, options=options)
    try:
        await asyncio.wait_for(grpc_channel.channel_ready(), timeout)
    except TimeoutError:
        await grpc_channel.close()
        hint = " (is it serving TLS? the app connected without TLS)" if tls is None else ""
        raise ChannelError(
            f"no gRPC answer from the adapter at {target} within {timeout:g} s{hint}"
        ) from None
    return await _open_stream(grpc_channel, token, tls)


async def _open_stream(
    grpc_channel: grpc.aio.Channel, token: str, tls: TlsFiles | None
) -> GrpcChannel:
    stub = grpc_channel.stream_stream(
        METHOD,
        request_serializer=pb.Envelope.SerializeToString,
        response_deserializer=pb.Envelope.FromString,
    )
    channel = GrpcChannel("grpc" if tls is None else "grpc+tls")
    call = stub(channel.outgoing(), metadata=(("authorization", f"Bearer {token}"),))
    try:
        # The adapter speaks first (its Hello), so a refusal shows up right here.
        first = await call.read()
    except grpc.aio.AioRpcError as error:
        await grpc_channel.close()
        raise _explain(error) from None
    if first is grpc.aio.EOF:
        await grpc_channel.close()
        raise ChannelError("the adapter closed the gRPC stream at once")
    channel.deliver(first)

    async def read() -> None:
        try:
            while (envelope := await call.read()) is not grpc.aio.EOF:
                channel.deliver(envelope)
            channel.ended("the adapter closed the gRPC stream")
        except grpc.aio.AioRpcError as error:
            channel.ended(str(_explain(error)))
        finally:
            await grpc_channel.close()

    channel.reader_task = asyncio.create_task(read())  # type: ignore[attr-defined]
    return channel


def _explain(error: grpc.aio.AioRpcError) -> ChannelError:
    if error.code() == grpc.StatusCode.UNAUTHENTICATED:
        return Unauthorized("the adapter refused the token: check --token-file")
    return ChannelError(f"gRPC stream failed: {error.code().name}: {error.details()}")
