"""Machine-readable results of scenario runs: JSON and JUnit XML."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, field
from pathlib import Path

from simulator.timeline import Entry


@dataclass
class StepResult:
    index: int
    line: int
    action: str
    description: str
    #: "passed", "failed" or "not run" (after an earlier failure).
    outcome: str
    seconds: float = 0.0
    message: str = ""


@dataclass
class ScenarioResult:
    name: str
    source: str
    profile: str
    steps: list[StepResult] = field(default_factory=list)
    seconds: float = 0.0
    #: Set when the scenario could not even start (registrar, engine, peers).
    setup_error: str = ""
    timeline: list[Entry] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.setup_error and all(s.outcome == "passed" for s in self.steps)

    @property
    def failure(self) -> str:
        if self.setup_error:
            return self.setup_error
        failed = [s for s in self.steps if s.outcome == "failed"]
        return (
            f"step {failed[0].index} (line {failed[0].line}): {failed[0].message}" if failed else ""
        )


def write_json(results: list[ScenarioResult], path: Path) -> None:
    body = {
        "passed": all(r.passed for r in results),
        "scenarios": [
            {
                **{k: v for k, v in asdict(r).items() if k != "timeline"},
                "passed": r.passed,
                "timeline": [asdict(e) for e in r.timeline],
            }
            for r in results
        ],
    }
    path.write_text(json.dumps(body, indent=2))


def write_junit(results: list[ScenarioResult], path: Path) -> None:
    suites = ET.Element("testsuites", name="softphone-sim")
    for result in results:
        failures = sum(s.outcome == "failed" for s in result.steps) + bool(result.setup_error)
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=result.name,
            tests=str(max(1, len(result.steps))),
            failures=str(failures),
            skipped=str(sum(s.outcome == "not run" for s in result.steps)),
            time=f"{result.seconds:.3f}",
            file=result.source,
        )
        if result.setup_error:
            case = ET.SubElement(suite, "testcase", name="setup", classname=result.name)
            ET.SubElement(case, "failure", message=result.setup_error)
        for step in result.steps:
            case = ET.SubElement(
                suite,
                "testcase",
                name=f"{step.index:02d} {step.description}",
                classname=result.name,
                time=f"{step.seconds:.3f}",
                line=str(step.line),
            )
            if step.outcome == "failed":
                ET.SubElement(case, "failure", message=step.message)
            elif step.outcome == "not run":
                ET.SubElement(case, "skipped", message="an earlier step failed")
        log = "\n".join(f"{e.at_s:8.3f}s {e.actor:<8} {e.text}" for e in result.timeline)
        ET.SubElement(suite, "system-out").text = log
    ET.ElementTree(suites).write(path, encoding="utf-8", xml_declaration=True)
