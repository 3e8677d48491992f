"""The window and its view-model, headless, driven by a real adapter session over loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app_layer.settings import Settings
from app_layer.state import CallAction
from app_layer.ui.app import PhoneApp
from app_layer.ui.calls_model import CallTableModel
from protocol import pb

from .loopback_backend import LoopbackBackend


@pytest.fixture
def phone(qapp: QApplication) -> Iterator[tuple[PhoneApp, LoopbackBackend]]:
    backend = LoopbackBackend()
    app = PhoneApp(qapp, backend, Settings())
    app.start()
    try:
        yield app, backend
    finally:
        app.stop()
        app.window.close()


def connected(qtbot, app: PhoneApp) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: app.view_model.state.link.connected and app.view_model.state.synced)


def cell(model: CallTableModel, row: int, column: str) -> str:
    return str(
        model.data(model.index(row, model.COLUMNS.index(column)), Qt.ItemDataRole.DisplayRole)
    )


def test_status_bar_and_banner_follow_the_link(qtbot, phone) -> None:  # type: ignore[no-untyped-def]
    app, _ = phone
    connected(qtbot, app)
    bar = app.window.statusBar()
    assert bar.transport.text() == "Loopback simulator"
    assert bar.version.text() == "Adapter 0.1.0"
    assert app.window.banner.isHidden()
    assert app.window.call_button.isEnabled()


def test_dial_shows_the_call_and_enables_its_actions(qtbot, phone) -> None:  # type: ignore[no-untyped-def]
    app, backend = phone
    connected(qtbot, app)
    app.window.number.setText("sip:7002@127.0.0.1")
    qtbot.mouseClick(app.window.call_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: app.window.calls.rowCount() == 1)
    assert cell(app.window.calls, 0, "party") == "7002@127.0.0.1"
    assert cell(app.window.calls, 0, "state") == "Connected"
    assert cell(app.window.calls, 0, "direction") == "Out"
    assert app.window.number.text() == ""
    buttons = app.window.action_buttons
    qtbot.waitUntil(buttons[CallAction.HOLD].isEnabled)
    assert not buttons[CallAction.ANSWER].isEnabled()
    assert not buttons[CallAction.RETRIEVE].isEnabled()
    # Hold through the keyboard shortcut; the adapter's event flips the row.
    app.window.shortcuts["hold"].trigger()
    qtbot.waitUntil(lambda: cell(app.window.calls, 0, "state") == "On hold")
    qtbot.waitUntil(buttons[CallAction.RETRIEVE].isEnabled)
    assert not buttons[CallAction.HOLD].isEnabled()
    assert backend.double.executed  # the adapter side ran the commands
    app.window.shortcuts["hangup"].trigger()
    qtbot.waitUntil(lambda: cell(app.window.calls, 0, "state") == "Ended")
    assert not any(b.isEnabled() for b in buttons.values())
    assert app.window.redial_button.isEnabled()


def test_a_call_turned_away_by_policy_is_listed_with_its_reason(qtbot, phone) -> None:  # type: ignore[no-untyped-def]
    app, backend = phone
    connected(qtbot, app)
    call = pb.Call(
        call_id="in-9",
        remote_uri="sip:customer@127.0.0.1",
        state=pb.CALL_STATE_ENDED,
        direction=pb.CALL_DIRECTION_INBOUND,
        end_reason=pb.CALL_END_REASON_POLICY,
        end_sip_code=480,
        end_reason_text="no headset connected",
    )
    backend.publish(pb.Event(call=pb.CallChanged(call=call)))
    qtbot.waitUntil(lambda: app.window.calls.rowCount() == 1)
    assert cell(app.window.calls, 0, "state") == "Turned away · no headset connected"
    assert cell(app.window.calls, 0, "direction") == "In"


def test_incoming_call_raises_a_toast_that_answers(qtbot, phone) -> None:  # type: ignore[no-untyped-def]
    app, backend = phone
    connected(qtbot, app)
    backend.ring("in-1", "sip:customer@127.0.0.1")
    qtbot.waitUntil(lambda: "in-1" in app.window.toasts.toasts)
    toast = app.window.toasts.toasts["in-1"]
    assert toast.caller.text() == "customer@127.0.0.1"
    assert toast.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    assert app.window.action_buttons[CallAction.ANSWER].isEnabled()
    with qtbot.waitSignal(app.bridge.finished, timeout=5000) as blocker:
        qtbot.mouseClick(toast.answer, Qt.MouseButton.LeftButton)
    assert blocker.args[0] == "answer"
    assert blocker.args[1].WhichOneof("outcome") == "ok"


def test_losing_the_adapter_shows_the_banner_and_greys_out(qtbot, phone) -> None:  # type: ignore[no-untyped-def]
    app, backend = phone
    connected(qtbot, app)
    assert backend.channel is not None
    backend.channel.cut(3.0)
    qtbot.waitUntil(
        lambda: app.window.banner.isVisible() or not app.window.banner.isHidden(), timeout=5000
    )
    assert "reconnecting" in app.window.banner.text()
    assert not app.window.call_button.isEnabled()
    qtbot.waitUntil(app.window.banner.isHidden, timeout=10000)
    assert app.window.call_button.isEnabled()


def test_invalid_action_is_refused_with_a_message(qtbot, phone) -> None:  # type: ignore[no-untyped-def]
    app, _ = phone
    connected(qtbot, app)
    with qtbot.waitSignal(app.view_model.command_failed) as blocker:
        assert not app.view_model.act("nope", CallAction.ANSWER)
    assert "does not exist" in blocker.args[0]


def test_controls_have_accessible_names(qtbot, phone) -> None:  # type: ignore[no-untyped-def]
    app, _ = phone
    w = app.window
    for widget in [w.number, w.call_button, w.redial_button, w.settings_button, w.table]:
        assert widget.accessibleName()
    assert all(b.accessibleName() for b in w.action_buttons.values())
    assert all(k.accessibleName() for k in w.pad.keys.values())


def test_language_switch_retranslates_and_arabic_is_right_to_left(qtbot, phone) -> None:  # type: ignore[no-untyped-def]
    app, _ = phone
    app.view_model.set_language("fr")
    qtbot.waitUntil(lambda: app.window.call_button.text() == "Appeler")
    assert app.window.action_buttons[CallAction.HANGUP].text() == "Raccrocher"
    app.view_model.set_language("ar")
    qtbot.waitUntil(lambda: app.window.call_button.text() == "اتصال")
    assert QApplication.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert app.window.layoutDirection() == Qt.LayoutDirection.RightToLeft
    app.view_model.set_language("en")
    qtbot.waitUntil(lambda: app.window.call_button.text() == "Call")
    assert QApplication.layoutDirection() == Qt.LayoutDirection.LeftToRight


def test_dial_pad_types_digits_then_sends_dtmf_in_a_call(qtbot, phone) -> None:  # type: ignore[no-untyped-def]
    app, backend = phone
    connected(qtbot, app)
    qtbot.mouseClick(app.window.pad.keys["7"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(app.window.pad.keys["#"], Qt.MouseButton.LeftButton)
    assert app.window.number.text() == "7#"
    app.window.number.setText("sip:7002@127.0.0.1")
    app.window.dial()
    qtbot.waitUntil(lambda: cell(app.window.calls, 0, "state") == "Connected")
    qtbot.mouseClick(app.window.pad.keys["5"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "send_dtmf" in backend.kinds())
    dtmf = next(c.send_dtmf for c in backend.received if c.HasField("send_dtmf"))
    assert dtmf.digits == "5" and dtmf.call_id == app.view_model.state.live_calls()[0].call_id
    assert app.window.number.text() == ""


def test_settings_show_devices_levels_and_run_the_test(qtbot, phone) -> None:  # type: ignore[no-untyped-def]
    from app_layer.ui.settings_dialog import SettingsDialog
    from protocol import pb

    app, backend = phone
    connected(qtbot, app)
    devices = [
        pb.AudioDevice(name="Jabra EVOLVE 40", max_input_channels=1, max_output_channels=2),
        pb.AudioDevice(name="Speakers", max_output_channels=2),
    ]
    backend.publish(pb.Event(device_list=pb.DeviceListChanged(devices=devices)))
    active = pb.ActiveDevices(microphone="Jabra EVOLVE 40", speaker="Speakers", speaker_volume=60)
    backend.publish(pb.Event(active_devices=pb.ActiveDevicesChanged(active=active)))
    qtbot.waitUntil(lambda: app.view_model.state.active_devices.speaker == "Speakers")
    dialog = SettingsDialog(app.view_model, app.settings, app.window)
    assert [dialog.speaker.itemText(i) for i in range(dialog.speaker.count())] == [
        "Jabra EVOLVE 40",
        "Speakers",
    ]
    assert dialog.microphone.currentText() == "Jabra EVOLVE 40"
    assert dialog.speaker_volume.value() == 60
    backend.publish(pb.Event(audio_level=pb.AudioLevel(call_id="x", microphone_dbfs=-30)))
    qtbot.waitUntil(lambda: dialog.mic_level.value() == 50)
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "test_audio_devices" in backend.kinds())
    # What the adapter answers a device test with is shown beside the button.
    measured = pb.AudioTestResult(microphone_level_dbfs=-23.2, speaker_level_dbfs=-18.0)
    app.view_model.command_done("test", pb.Result(ok=pb.Ok(audio_test=measured)))
    assert dialog.test_result.text() == "Microphone -23 dBFS, speaker -18 dBFS"
    dialog.speaker.setCurrentText("Jabra EVOLVE 40")
    dialog.speaker_volume.setValue(35)
    dialog.language.setCurrentIndex(dialog.language.findData("de"))
    dialog.apply()
    qtbot.waitUntil(lambda: "set_volumes" in backend.kinds())
    select = next(
        c.select_audio_devices for c in backend.received if c.HasField("select_audio_devices")
    )
    assert select.speaker == "Jabra EVOLVE 40"
    qtbot.waitUntil(lambda: app.window.call_button.text() == "Anrufen")
    assert dialog.tabs.tabText(1) == "Audio"
