"""Translations: every string in the code is in every committed .ts, translated, and compiles."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from app_layer.i18n import HERE, TRANSLATED, compiled_catalogue, lrelease, ts_path

UI_SOURCES = sorted(str(p) for p in (HERE.parent / "ui").glob("*.py"))


def messages(path: Path) -> dict[tuple[str, str], ET.Element]:
    root = ET.parse(path).getroot()
    found = {}
    for context in root.iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            found[(name, message.findtext("source") or "")] = message
    return found


@pytest.fixture(scope="module")
def strings_in_code(tmp_path_factory: pytest.TempPathFactory) -> set[tuple[str, str]]:
    """What pyside6-lupdate extracts from the window's sources right now."""
    tool = Path(lrelease() or "").with_name("pyside6-lupdate")
    assert tool.exists(), "pyside6-lupdate is missing (it ships with PySide6-Essentials)"
    target = tmp_path_factory.mktemp("lupdate") / "fresh.ts"
    done = subprocess.run(
        [str(tool), "-silent", *UI_SOURCES, "-ts", str(target)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    found = set(messages(target))
    assert len(found) > 50, "lupdate found suspiciously few strings"
    return found


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_string_in_the_code_is_translated(
    language: str, strings_in_code: set[tuple[str, str]]
) -> None:
    catalogue = messages(ts_path(language))
    missing = sorted(strings_in_code - set(catalogue))
    assert not missing, f"{ts_path(language).name} lacks {missing[:5]}; run pyside6-lupdate"
    for key in strings_in_code:
        translation = catalogue[key].find("translation")
        assert translation is not None and (translation.text or "").strip(), (language, key)
        assert translation.get("type") not in ("unfinished", "vanished", "obsolete"), key


@pytest.mark.parametrize("language", TRANSLATED)
def test_placeholders_survive_translation(language: str) -> None:
    for (_, source), message in messages(ts_path(language)).items():
        text = message.findtext("translation") or ""
        assert ("%1" in source) == ("%1" in text), (language, source, text)


def test_catalogues_compile_and_translate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtCore import QTranslator

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    expected = {"fr": "Raccrocher", "de": "Auflegen", "es": "Colgar", "ja": "切断", "ar": "إنهاء"}
    for language, hang_up in expected.items():
        qm = compiled_catalogue(language)
        assert qm is not None and qm.stat().st_size > 0
        translator = QTranslator()
        assert translator.load(str(qm))
        assert translator.translate("PhoneWindow", "Hang up") == hang_up
