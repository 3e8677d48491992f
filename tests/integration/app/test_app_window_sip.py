"""The window, offscreen, on the real adapter (pjsua2 in its own process) with sipp as far end."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app_layer.config import Overrides, load_settings
from app_layer.runtime import Runtime
from app_layer.state import CallAction
from app_layer.ui.app import PhoneApp
from tests.integration.app.procs import (
    Client,
    Proc,
    free_udp_port,
    start_adapter,
    start_sipp_uas,
    wait_until,
)

pytestmark = pytest.mark.integration
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def window(qapp: QApplication, tmp_path: Path) -> Iterator[tuple[PhoneApp, Path, int]]:
    adapter, sock = start_adapter(tmp_path)
    sip_port = free_udp_port()
    config = tmp_path / "config.toml"
    config.write_text(f"[network]\nsip_port = {sip_port}\n", encoding="utf-8")
    flags = Overrides(
        transport=f"unix:{sock}", connector_port=0, token_file=str(tmp_path / "token")
    )
    settings, problems = load_settings(config, flags, env={})
    assert problems == []
    phone = PhoneApp(qapp, Runtime(settings), settings)
    try:
        phone.start()
        yield phone, tmp_path, sip_port
    finally:
        phone.stop()
        phone.window.close()
        adapter.stop()


def cell(phone: PhoneApp, row: int, column: str) -> str:
    model = phone.window.calls
    index = model.index(row, model.COLUMNS.index(column))
    return str(model.data(index, Qt.ItemDataRole.DisplayRole))


def sip_lines(path: Path) -> list[str]:
    if not path.exists():
        return []
    return [x for x in path.read_text(errors="replace").splitlines() if x[:4].isupper()]


def test_outbound_call_from_the_window(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    phone, tmp, _ = window
    qtbot.waitUntil(lambda: phone.view_model.state.synced, timeout=15000)
    assert phone.window.statusBar().transport.text() == "Local socket"
    uas_port = free_udp_port()
    sipp = start_sipp_uas(tmp, uas_port)
    try:
        phone.window.number.setText(f"sip:agent@127.0.0.1:{uas_port}")
        qtbot.mouseClick(phone.window.call_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: cell(phone, 0, "state") == "Connected", timeout=15000)
        assert cell(phone, 0, "party") == f"agent@127.0.0.1:{uas_port}"
        assert phone.window.action_buttons[CallAction.HOLD].isEnabled()
        qtbot.mouseClick(phone.window.action_buttons[CallAction.HANGUP], Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: cell(phone, 0, "state") == "Ended", timeout=10000)
        wait_until(
            lambda: any(x.startswith("BYE ") for x in sip_lines(tmp / "uas.msg")), 5, sipp.tail
        )
        assert sipp.popen.wait(10) == 0, sipp.tail()
    finally:
        sipp.stop()


def test_inbound_call_answered_from_the_toast(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    phone, tmp, sip_port = window
    qtbot.waitUntil(lambda: phone.view_model.state.synced, timeout=15000)
    qtbot.wait(500)  # the configuration (with the SIP port) reaches the engine
    args = ["sipp", "-sn", "uac", f"127.0.0.1:{sip_port}", "-s", "agent", "-i", "127.0.0.1"]
    args += ["-p", str(free_udp_port()), "-m", "1", "-d", "1500", "-nostdin"]
    args += ["-trace_msg", "-message_file", str(tmp / "uac.msg")]
    sipp = Proc(args, tmp / "uac.log")
    try:
        qtbot.waitUntil(lambda: bool(phone.window.toasts.toasts), timeout=15000)
        toast = next(iter(phone.window.toasts.toasts.values()))
        assert cell(phone, 0, "state") == "Incoming"
        qtbot.mouseClick(toast.answer, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: cell(phone, 0, "state") == "Connected", timeout=10000)
        assert not phone.window.toasts.toasts
        # sipp hangs up after its pause; the row follows.
        qtbot.waitUntil(lambda: cell(phone, 0, "state") == "Ended", timeout=15000)
        assert sipp.popen.wait(10) == 0, sipp.tail()
        assert any(x.startswith("SIP/2.0 200") for x in sip_lines(tmp / "uac.msg"))
    finally:
        sipp.stop()


def test_a_desktop_application_sets_the_window_language(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    phone, _, _ = window
    qtbot.waitUntil(lambda: phone.view_model.state.synced, timeout=15000)
    connector = phone.bridge.backend.connector  # type: ignore[attr-defined]
    client = Client(connector.port, connector.token)
    assert client.request("PUT", "/v1/language", {"language": "ja"})[0] == 200
    qtbot.waitUntil(lambda: phone.window.call_button.text() == "発信", timeout=5000)
    assert client.request("POST", "/session", {"language": "ar"})[0] == 200
    qtbot.waitUntil(
        lambda: phone.window.layoutDirection() == Qt.LayoutDirection.RightToLeft, timeout=5000
    )
