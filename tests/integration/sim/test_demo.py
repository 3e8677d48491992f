"""QA's demo and channel demo run through the real components and say what happened."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration


def run_sim(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.run(
        [sys.executable, "-m", "simulator.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )


def test_demo_answers_holds_survives_a_cut_and_transfers() -> None:
    done = run_sim("demo", "--cut", "2")
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "POST /v1/calls/call-1/answer" in out
    assert "heard DTMF 4, 2, #" in out
    assert "connected held" in out
    assert "link reconnecting" in out and "duration kept" in out
    assert "agent's call ended: transferred" in out
    assert "Traceback" not in done.stderr


def test_channel_demo_shows_the_cut_and_the_recovery() -> None:
    done = run_sim("channel-demo", "--profile", "wan", "--cut", "1.5")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "handshake done" in done.stdout
    assert "ERROR_CODE_NOT_FOUND" in done.stdout  # a command on an unknown call gets a typed error
    assert "link reconnecting" in done.stdout and "2 snapshots" in done.stdout


def test_bad_option_is_a_one_line_error() -> None:
    done = run_sim("demo", "--profile", "moon")
    assert done.returncode == 2
    assert "invalid choice: 'moon'" in done.stderr and "Traceback" not in done.stderr


def test_demo_with_the_agent_window(tmp_path: Path) -> None:
    shot = tmp_path / "window.png"
    env_run = subprocess.run(
        [
            sys.executable,
            "-m",
            "simulator.cli",
            "demo",
            "--ui",
            "--cut",
            "1.5",
            "--screenshot",
            str(shot),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert env_run.returncode == 0, env_run.stdout[-2000:] + env_run.stderr[-2000:]
    assert "agent's call ended: transferred" in env_run.stdout
    assert shot.stat().st_size > 5000  # the window was rendered


def test_demo_ui_without_a_display_says_what_to_do() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "QT_QPA_PLATFORM")}
    done = subprocess.run(
        [sys.executable, "-m", "simulator.cli", "demo", "--ui"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert done.returncode == 2 and "xvfb-run" in done.stderr
