"""The app layer installs without the adapter half, so none of its modules may import it."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[3] / "app_layer"
ADAPTER_HALF = ("vdi_adapter", "pjsua2", "sounddevice", "numpy", "soxr", "livekit", "simulator")


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_no_app_module_imports_the_adapter_half() -> None:
    offenders = {
        f"{path.relative_to(APP.parent)}: {name}"
        for path in APP.rglob("*.py")
        for name in imported(path)
        if name.split(".")[0] in ADAPTER_HALF
    }
    assert not offenders, sorted(offenders)
