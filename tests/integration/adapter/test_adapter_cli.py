"""softphone-adapter as IT runs it: listeners, clear errors, clean shutdown."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from app_layer.link import AdapterLink, Backoff
from protocol import pb
from protocol.framed import FramedChannel
from protocol.transports.grpc_transport import TlsFiles, connect_grpc
from protocol.transports.stream import StreamPipe, connect_unix
from tests.support.certs import make_pki

pytestmark = pytest.mark.integration
ADAPTER = [sys.executable, "-m", "vdi_adapter.cli", "--audio", "null"]


def run_adapter(*args: str, timeout: float = 20) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*ADAPTER, *args], capture_output=True, text=True, timeout=timeout, check=False
    )


def test_port_in_use_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "token").write_text("t0ken\n")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        pki = make_pki(tmp_path)
        done = run_adapter(
            "--listen",
            f"grpc://127.0.0.1:{port}",
            "--token-file",
            str(tmp_path / "token"),
            "--tls-cert",
            str(pki.server_cert),
            "--tls-key",
            str(pki.server_key),
        )
    assert done.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--listen", "grpc://127.0.0.1:1", "--token-file", "/nonexistent/token"],
            "cannot read token file",
        ),
        (
            [
                "--listen",
                "grpc://127.0.0.1:1",
                "--token-file",
                "{token}",
                "--tls-cert",
                "/no/cert.pem",
                "--tls-key",
                "/no/key.pem",
            ],
            "TLS file not found: /no/cert.pem",
        ),
        (
            ["--listen", "grpc://127.0.0.1:1", "--token-file", "{token}"],
            "needs --tls-cert and --tls-key",
        ),
        (["--listen", "http://127.0.0.1:80"], "--listen wants grpc://HOST:PORT"),
        (["--tone", "fanfare=/no/such.wav"], "--tone: unknown tone 'fanfare'"),
        (["--tone", "ring=/no/such.wav"], "--tone: /no/such.wav: cannot read WAV file"),
        (
            ["--listen", "grpc://0.0.0.0:7443", "--token-file", "{token}", "--plaintext"],
            "TLS is required",
        ),
    ],
)
def test_bad_options_are_clear_errors(tmp_path: Path, args: list[str], message: str) -> None:
    token = tmp_path / "token"
    token.write_text("t0ken")
    done = run_adapter(*[a.replace("{token}", str(token)) for a in args])
    assert done.returncode == 2, done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr


async def test_unix_socket_session_and_clean_shutdown(tmp_path: Path) -> None:
    sock = tmp_path / "run" / "adapter.sock"
    proc = await asyncio.create_subprocess_exec(
        *ADAPTER, "--unix", str(sock), stderr=subprocess.PIPE
    )
    try:
        link = AdapterLink(lambda: connect_unix(sock), transport="unix", backoff=Backoff(0.1, 0.5))
        runner = asyncio.create_task(link.run())
        result = await link.command(pb.Command(get_snapshot=pb.GetSnapshot()), timeout=20)
        assert result.ok.snapshot.adapter_version
        assert link.status.state == "connected"
        await link.close()
        runner.cancel()
    finally:
        proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(proc.wait(), 15)
        stderr = (await proc.stderr.read()).decode() if proc.stderr else ""
    assert code == 0, stderr
    assert "Traceback" not in stderr


async def test_stdio_carries_the_channel_and_nothing_else(tmp_path: Path) -> None:
    proc = await asyncio.create_subprocess_exec(
        *ADAPTER, "--stdio", stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdin is not None and proc.stdout is not None
    channel = FramedChannel(StreamPipe(proc.stdout, proc.stdin, "stdio"))  # type: ignore[arg-type]
    try:
        link = AdapterLink(_once(channel), transport="stdio", backoff=Backoff(0.1, 0.5))
        runner = asyncio.create_task(link.run())
        result = await link.command(pb.Command(hold=pb.Hold(call_id="none")), timeout=20)
        assert (
            result.error.code == pb.ERROR_CODE_NOT_FOUND
        )  # framed envelopes both ways, no stray bytes
        await link.close()
        runner.cancel()
    finally:
        if proc.returncode is None:
            os.kill(proc.pid, signal.SIGTERM)
        code = await asyncio.wait_for(proc.wait(), 15)
    assert code == 0


def _once(channel: FramedChannel):  # type: ignore[no-untyped-def]
    used = False

    async def connect() -> FramedChannel:
        nonlocal used
        if used:
            raise OSError("stdio channel already used")
        used = True
        return channel

    return connect


async def test_grpc_listener_with_tls_and_token(tmp_path: Path) -> None:
    pki = make_pki(tmp_path)
    (tmp_path / "token").write_text("s3cret\n")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = await asyncio.create_subprocess_exec(
        *ADAPTER,
        "--listen",
        f"grpc://127.0.0.1:{port}",
        "--token-file",
        str(tmp_path / "token"),
        "--tls-cert",
        str(pki.server_cert),
        "--tls-key",
        str(pki.server_key),
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(100):
            try:
                channel = await connect_grpc(
                    f"127.0.0.1:{port}", "s3cret", TlsFiles(ca=pki.ca), timeout=1
                )
                break
            except Exception:
                await asyncio.sleep(0.2)
        hello = await asyncio.wait_for(channel.receive(), 5)
        assert hello.hello.role == pb.ROLE_ADAPTER
        await channel.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 15) == 0
