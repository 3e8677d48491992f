"""The whole product in an emulated Citrix session, for QA's tests and benchmarks.

``citrix_stack()`` brings up, on loopback: the ICA engine emulator with our SOFTPH
driver (the workstation), ``softphone --headless --transport auto`` in the emulated
session (SESSIONNAME=ICA-TCP#1 and the emulator's WFAPI), and nothing else: the
driver starts the real adapter service (pjsua2, ``--audio null``) through a start
script when the app first speaks, exactly as on a thin client. Everything it starts
it stops by PID. Talk to the app through ``stack.client`` (its connector API).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulator.connector_client import BlockingConnectorClient
from simulator.ica_engine import ROOT, IcaEngine
from simulator.processes import wait_until
from simulator.sipp import free_port


@dataclass
class CitrixStack:
    workstation: Path
    engine: IcaEngine
    app: subprocess.Popen[bytes]
    client: BlockingConnectorClient
    sip_port: int

    def adapter_pid(self) -> int | None:
        path = self.workstation / "adapter.pid"
        return int(path.read_text()) if path.exists() else None

    def text(self, name: str) -> str:
        path = self.workstation / name
        return path.read_text(errors="replace")[-4000:] if path.exists() else f"(no {name})"

    def why(self) -> str:
        events = "\n".join(self.engine.events[-20:])
        return (
            f"--- engine\n{events}\n--- driver.log\n{self.text('driver.log')}\n"
            f"--- adapter.log\n{self.text('adapter.log')}\n--- app.log\n{self.text('app.log')}"
        )

    def link(self) -> dict[str, Any]:
        link: dict[str, Any] = self.client.session()["link"]
        return link

    def call(self, call_id: str) -> dict[str, Any]:
        return self.client.call(call_id) or {}

    def connected(self, call_id: str) -> bool:
        return self.call(call_id).get("state") == "connected"

    def act(self, call_id: str, action: str, body: object = None) -> None:
        status, reply = self.client.request("POST", f"/v1/calls/{call_id}/{action}", body)
        if status != 200:
            raise AssertionError(f"{action}: HTTP {status} {reply}")

    def dial(self, uri: str) -> str:
        status, body = self.client.request("POST", "/v1/calls", {"to": uri})
        if status != 201:
            raise AssertionError(f"POST /v1/calls: HTTP {status} {body}")
        return str(body["call_id"])


def start_script(workstation: Path, sock: Path) -> Path:
    """What the driver runs when no adapter answers (records its PID so we can stop it)."""
    script = workstation / "start-adapter.sh"
    adapter = [sys.executable, "-m", "vdi_adapter.cli", "--unix", str(sock), "--audio", "null"]
    script.write_text(
        "#!/bin/sh\n"
        f"cd {ROOT}\n"
        f"echo $$ > {workstation}/adapter.pid\n"
        f"exec {' '.join(adapter)} --grace-period 120 2>>{workstation}/adapter.log\n"
    )
    script.chmod(0o755)
    return script


def stop_pid(pid: int | None) -> None:
    """SIGTERM, then SIGKILL, and wait until the process is gone (or a zombie)."""
    if pid is None:
        return
    for sig, wait in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 2.0)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except (OSError, IndexError):
                return
            if state == "Z":
                return
            time.sleep(0.05)


@contextlib.contextmanager
def citrix_stack(config: str = "") -> Iterator[CitrixStack]:
    """The stack, up and linked; ``config`` is added to the app's configuration file."""
    workstation = Path(tempfile.mkdtemp(prefix="softphone-citrix-"))
    workstation.chmod(0o700)
    (workstation / "softphone").mkdir(mode=0o700)
    sock = workstation / "softphone" / "adapter.sock"
    engine = IcaEngine(
        env={
            "SOFTPHONE_ADAPTER_SOCKET": str(sock),
            "SOFTPHONE_ADAPTER_START": str(start_script(workstation, sock)),
            "SOFTPHONE_DRIVER_LOG": str(workstation / "driver.log"),
        }
    ).start()
    sip_port = free_port(socket.SOCK_DGRAM)
    config_file = workstation / "config.toml"
    config_file.write_text(f"[network]\nsip_port = {sip_port}\n\n{config}")
    port = free_port()
    token = workstation / "connector.token"
    command = [sys.executable, "-m", "app_layer.cli", "--headless", "--transport", "auto"]
    command += ["--config", str(config_file), "--connector-port", str(port)]
    command += ["--token-file", str(token)]
    with (workstation / "app.log").open("wb") as log:
        app = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **engine.session_env()},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    stack = CitrixStack(workstation, engine, app, BlockingConnectorClient(port), sip_port)
    try:
        wait_until(token.exists, 30, stack.why)
        stack.client.token = token.read_text().strip()
        wait_until(lambda: stack.client.link_state() == "connected", 30, stack.why)
        yield stack
    finally:
        stop_pid(app.pid)
        with contextlib.suppress(subprocess.TimeoutExpired):
            app.wait(5)
        engine.stop()
        stop_pid(stack.adapter_pid())
        shutil.rmtree(workstation, ignore_errors=True)
