"""The scenario library runs through the real components, and its reports are right."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

LIBRARY = Path(__file__).resolve().parents[3] / "scenarios"


def run_sim(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "simulator.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def first_failure(scenario: dict[str, object]) -> str:
    steps = scenario["steps"]
    assert isinstance(steps, list)
    failed = [s["message"] for s in steps if s["outcome"] == "failed"]
    return str(failed[0] if failed else scenario["setup_error"])


def test_the_whole_scenario_library_passes(tmp_path: Path) -> None:
    done = run_sim("run", "--quiet", "--report-dir", str(tmp_path), str(LIBRARY))
    report = json.loads((tmp_path / "report.json").read_text())
    failed = {s["name"]: s for s in report["scenarios"] if not s["passed"]}
    detail = "\n".join(f"{name}: {first_failure(s)}" for name, s in failed.items())
    assert not failed, detail + "\n" + done.stdout[-3000:]
    assert done.returncode == 0
    assert len(report["scenarios"]) == len(list(LIBRARY.glob("*.toml")))
    suites = ET.parse(tmp_path / "junit.xml").getroot().findall("testsuite")
    assert {s.get("name") for s in suites} == {s["name"] for s in report["scenarios"]}


def test_a_failed_expectation_fails_the_run_and_names_the_line(tmp_path: Path) -> None:
    scenario = tmp_path / "wrong.toml"
    scenario.write_text(
        'name = "expects what cannot happen"\n'
        '[[peer]]\nname = "customer"\nuser = "5001"\n'
        '[[step]]\naction = "incoming_call"\nfrom = "customer"\n'
        '[[step]]\naction = "expect"\ncall_state = "connected"\nwithin = "1s"\n'
        '[[step]]\naction = "hangup"\n'
    )
    done = run_sim("run", "--report-dir", str(tmp_path / "out"), str(scenario))
    assert done.returncode == 1
    assert "FAILED at line 8" in done.stdout
    suite = ET.parse(tmp_path / "out" / "junit.xml").getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "1" and suite.get("skipped") == "1"


def test_record_keeps_the_channel_log_and_the_sip_trace(tmp_path: Path) -> None:
    done = run_sim(
        "run",
        "--quiet",
        "--record",
        "--report-dir",
        str(tmp_path),
        str(LIBRARY / "answer_connector.toml"),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    channel = (tmp_path / "record" / "answer_connector.channel.jsonl").read_text().splitlines()
    entries = [json.loads(line) for line in channel]
    assert any(e["dir"] == "out" and "command" in e["envelope"] for e in entries)
    assert any(e["dir"] == "in" and "event" in e["envelope"] for e in entries)
    assert "agent-secret" not in "\n".join(channel)  # the line's password is never written
    sip = (tmp_path / "record" / "answer_connector.sip.log").read_text()
    assert "INVITE sip:" in sip


def test_an_invalid_scenario_is_refused_before_anything_runs(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\n[[step]]\naction = "teleport"\n')
    done = run_sim("run", str(bad))
    assert done.returncode == 2
    assert f"{bad}:3: unknown action 'teleport'" in done.stderr
    assert "Traceback" not in done.stderr
