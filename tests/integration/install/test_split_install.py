"""Two installs from one tree: the app layer without the SIP engine, the adapter without Qt.

Each half goes into a fresh venv of its own, on the oldest and the newest CPython that
``requires-python`` admits (the app on 3.12, the adapter on 3.11), from a copy of this
tree; then ``softphone --headless`` from the app venv drives the adapter from the other
venv over its Unix socket, and a call reaches sipp.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from simulator.connector_client import BlockingConnectorClient
from simulator.ica_engine.stack import stop_pid
from simulator.processes import wait_until
from simulator.sipp import SippUas, free_port

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]
PYTHONS = Path("/root/.pyenv/versions")
APP_PYTHON = PYTHONS / "3.12.1" / "bin" / "python3.12"
ADAPTER_PYTHON = PYTHONS / "3.11.7" / "bin" / "python3.11"
ADAPTER_ONLY = ("pjsua2", "sounddevice", "numpy", "soxr", "livekit", "samplerate")


@dataclass
class Installs:
    folder: Path
    app: Path
    adapter: Path


def run(*command: str | Path, cwd: Path | None = None) -> str:
    done = subprocess.run(
        [str(c) for c in command], capture_output=True, text=True, cwd=cwd, check=False
    )
    assert done.returncode == 0, f"{command}: {done.stdout[-2000:]}{done.stderr[-3000:]}"
    return done.stdout


def install(python: Path, venv: Path, source: Path, extra: str) -> Path:
    assert python.exists(), f"{python} is missing: the test runs both ends of requires-python"
    run(python, "-m", "venv", venv)
    run(venv / "bin" / "pip", "install", "-q", f"{source}[{extra}]")
    return venv


def has_module(venv: Path, name: str) -> bool:
    code = f"import importlib.util, sys; sys.exit(0 if importlib.util.find_spec({name!r}) else 1)"
    return subprocess.run([venv / "bin" / "python", "-c", code], check=False).returncode == 0


@pytest.fixture(scope="module")
def installs() -> Iterator[Installs]:
    folder = Path(tempfile.mkdtemp(prefix="softphone-installs-"))
    source = folder / "source"
    skip = shutil.ignore_patterns(".venv", ".git", "build", "dist", "__pycache__", "*.egg-info",
                                  ".mypy_cache", ".ruff_cache", ".pytest_cache")  # fmt: skip
    shutil.copytree(ROOT, source, ignore=skip)
    try:
        app = install(APP_PYTHON, folder / "app", source, "app")
        adapter = install(ADAPTER_PYTHON, folder / "adapter", source, "adapter")
        yield Installs(folder, app, adapter)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_the_app_install_has_no_sip_engine_and_the_adapter_install_no_qt(
    installs: Installs,
) -> None:
    assert not [name for name in ADAPTER_ONLY if has_module(installs.app, name)]
    assert has_module(installs.app, "PySide6")
    assert not has_module(installs.adapter, "PySide6")
    assert all(has_module(installs.adapter, name) for name in ("pjsua2", "sounddevice"))


def test_the_app_alone_says_why_it_cannot_run_an_engine_in_process(installs: Installs) -> None:
    done = subprocess.run(
        [installs.app / "bin" / "softphone", "--headless", "--transport", "loopback"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "adapter half" in lines[0], done.stderr
    assert "Traceback" not in done.stderr


def test_the_app_venv_drives_the_adapter_venv_and_a_call_reaches_sipp(
    installs: Installs, tmp_path: Path
) -> None:
    tmp_path.chmod(0o700)
    sock = tmp_path / "adapter.sock"
    adapter_bin = installs.adapter / "bin" / "softphone-adapter"
    adapter_cmd = [adapter_bin, "--unix", sock, "--audio", "null"]
    port = free_port()
    token = tmp_path / "connector.token"
    app_cmd = [installs.app / "bin" / "softphone", "--headless", "--transport", f"unix:{sock}"]
    app_cmd += ["--connector-port", str(port), "--token-file", token]
    with (tmp_path / "adapter.log").open("wb") as adapter_log:
        adapter = subprocess.Popen(adapter_cmd, stderr=adapter_log, start_new_session=True)
    with (tmp_path / "app.log").open("wb") as app_log:
        app = subprocess.Popen(app_cmd, stdout=app_log, stderr=subprocess.STDOUT,
                               start_new_session=True)  # fmt: skip
    sipp = SippUas(tmp_path)

    def why() -> str:
        return (tmp_path / "adapter.log").read_text() + (tmp_path / "app.log").read_text()

    try:
        wait_until(token.exists, 30, why)
        client = BlockingConnectorClient(port, token.read_text().strip())
        wait_until(lambda: client.link_state() == "connected", 30, why)
        session = client.session()
        assert session["link"]["transport"] == "unix" and session["link"]["media_offloaded"]
        status, body = client.request("POST", "/v1/calls", {"to": sipp.uri})
        assert status == 201, body
        call_id = body["call_id"]
        wait_until(lambda: (client.call(call_id) or {}).get("state") == "connected", 15, why)
        assert client.request("POST", f"/v1/calls/{call_id}/hangup")[0] == 200
        wait_until(lambda: sipp.saw("BYE "), 10, sipp.tail)
    finally:
        sipp.stop()
        stop_pid(app.pid)
        stop_pid(adapter.pid)
        app.wait(5)
        adapter.wait(5)
