"""Translations: ``.ts`` sources committed here, ``.qm`` compiled from them.

The build runs ``pyside6-lrelease`` (shipped with PySide6-Essentials); when the
compiled ``.qm`` is missing or older than its ``.ts`` (a source checkout, an
editable install) ``compiled_catalogue`` compiles it on first use into the user's
cache, so a fresh checkout shows every language without a build step.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
#: Languages with a catalogue (English is also the source language).
TRANSLATED = ("en", "fr", "de", "es", "ja", "ar")
RIGHT_TO_LEFT = frozenset({"ar"})


def ts_path(language: str) -> Path:
    return HERE / f"softphone_{language}.ts"


def lrelease() -> str | None:
    """The lrelease tool of the installed PySide6, if present."""
    candidates = [Path(sys.executable).with_name("pyside6-lrelease")]
    found = shutil.which("pyside6-lrelease")
    candidates += [Path(found)] if found else []
    for candidate in candidates:
        if candidate.exists():
            return str(candidate)
    return None


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "softphone" / "i18n"


def compiled_catalogue(language: str) -> Path | None:
    """The ``.qm`` for ``language``, compiling it when needed; None for English or failure."""
    if language not in TRANSLATED:
        return None
    source = ts_path(language)
    cached = _cache_dir() / source.with_suffix(".qm").name
    for candidate in (HERE / f"softphone_{language}.qm", cached):
        if candidate.exists() and candidate.stat().st_mtime >= source.stat().st_mtime:
            return candidate
    return _compile(source, cached)


def _compile(source: Path, target: Path) -> Path | None:
    tool = lrelease()
    if tool is None:
        log.warning("pyside6-lrelease is missing: the window stays in English")
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [tool, "-silent", str(source), "-qm", str(target)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0 or not target.exists():
        log.warning("cannot compile %s: %s", source.name, done.stderr.strip())
        return None
    return target
