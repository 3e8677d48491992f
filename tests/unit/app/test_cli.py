"""The ``softphone`` command: flags, config problems, clean errors, never a traceback."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app_layer.cli import main


def run(tmp_path: Path, *args: str, timeout: float = 20) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    return subprocess.run(
        [sys.executable, "-m", "app_layer.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--transport", "tcp://x:1"], "--transport: 'tcp://x:1': expected auto"),
        (["--connector-port", "99999"], "not a port number"),
        (["--language", "tlh"], "--language: must be one of"),
    ],
)
def test_bad_flags_are_one_line_and_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    done = run(tmp_path, "--headless", *args)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_citrix_outside_a_vda_is_explained(tmp_path: Path) -> None:
    done = run(tmp_path, "--headless", "--transport", "citrix")
    assert done.returncode == 2 and "Citrix" in done.stderr and "Traceback" not in done.stderr


def test_port_in_use_is_explained(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = run(
            tmp_path,
            "--headless",
            "--transport",
            "unix:/nonexistent.sock",
            "--connector-port",
            str(port),
        )
    assert done.returncode == 2 and "address already in use" in done.stderr.lower()
    assert "Traceback" not in done.stderr


def test_headless_prints_the_port_reports_config_problems_and_stops_on_sigterm(
    tmp_path: Path,
) -> None:
    config = tmp_path / "phone.toml"
    config.write_text(
        'language = "xx"\n[[lines]]\nuser = "7001"\nserver = "127.0.0.1:5060"\n'
        'password = "hunter2-secret"\n',
        encoding="utf-8",
    )
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "app_layer.cli",
            "--headless",
            "--config",
            str(config),
            "--transport",
            f"unix:{tmp_path}/none.sock",
            "--connector-port",
            "0",
            "--log-level",
            "debug",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("connector listening on http://127.0.0.1:")
        port = int(line.strip().rsplit(":", 1)[1])
        assert port > 0
        token = tmp_path / "cfg" / "softphone" / "connector.token"
        assert token.exists() and (token.stat().st_mode & 0o777) == 0o600
        time.sleep(0.5)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)
    assert proc.returncode == 0
    assert f"{config}: language: must be one of" in err
    assert "hunter2-secret" not in err, "a password reached the log"
    assert "Traceback" not in err


def test_main_returns_instead_of_raising_for_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "--connector-port" in capsys.readouterr().out
