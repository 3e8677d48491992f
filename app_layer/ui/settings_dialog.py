"""Settings: the line, audio devices with level meters and a test, DTMF, auto-answer, language."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSlider,
    QTabWidget,
    QWidget,
)

from app_layer.settings import LANGUAGES, Settings
from app_layer.ui.viewmodel import PhoneViewModel
from protocol import pb

#: Each language named in itself, so an agent finds theirs whatever the current one.
LANGUAGE_NAMES = {
    "en": "English",
    "fr": "Français",
    "de": "Deutsch",
    "es": "Español",
    "ja": "日本語",
    "ar": "العربية",
}


def level_percent(dbfs: float) -> int:
    """A meter position for a level: -60 dBFS and below is empty, 0 dBFS full."""
    return max(0, min(100, round((dbfs + 60) * 100 / 60)))


class SettingsDialog(QDialog):
    def __init__(
        self, view_model: PhoneViewModel, settings: Settings, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._vm = view_model
        self._settings = settings
        self.tabs = QTabWidget()
        self.line_form = self._line_tab()
        self.audio_form = self._audio_tab()
        self.calls_form = self._calls_tab()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.apply)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.tabs)
        form.addRow(self.buttons)
        view_model.devices_changed.connect(self.refresh_devices)
        view_model.levels_changed.connect(self.refresh_levels)
        self.retranslate()
        self.refresh_devices()

    def _line_tab(self) -> QFormLayout:
        page = QWidget()
        form = QFormLayout(page)
        line = self._settings.lines[0] if self._settings.lines else None
        self.user = QLabel(line.user if line else "—")
        self.server = QLabel(line.server if line else "—")
        self.sip_transport = QLabel(line.transport.upper() if line else "—")
        for widget in (self.user, self.server, self.sip_transport):
            form.addRow(QLabel(), widget)
        self.tabs.addTab(page, "")
        return form

    def _audio_tab(self) -> QFormLayout:
        page = QWidget()
        form = QFormLayout(page)
        self.microphone = QComboBox()
        self.speaker = QComboBox()
        self.ringer = QComboBox()
        self.speaker_volume = QSlider()
        self.speaker_volume.setOrientation(self.speaker_volume.orientation().Horizontal)
        self.speaker_volume.setRange(0, 100)
        self.mic_level = QProgressBar()
        self.speaker_level = QProgressBar()
        for meter in (self.mic_level, self.speaker_level):
            meter.setRange(0, 100)
            meter.setTextVisible(False)
        self.test_button = QPushButton()
        self.test_button.clicked.connect(self.test_devices)
        self.test_result = QLabel()
        self._vm.audio_test_done.connect(self.show_test_result)
        widgets = (self.microphone, self.speaker, self.ringer, self.speaker_volume)
        meters = (self.mic_level, self.speaker_level, self.test_button, self.test_result)
        for widget in (*widgets, *meters):
            form.addRow(QLabel(), widget)
        self.tabs.addTab(page, "")
        return form

    def _calls_tab(self) -> QFormLayout:
        page = QWidget()
        form = QFormLayout(page)
        self.dtmf = QComboBox()
        self.auto_answer = QCheckBox()
        self.auto_answer.setChecked(self._settings.auto_answer.enabled)
        self.language = QComboBox()
        for code in LANGUAGES:
            self.language.addItem(LANGUAGE_NAMES[code], code)
        self.language.setCurrentIndex(LANGUAGES.index(self._vm.language))
        # Call behaviour is the administrator's (configuration file); shown, not edited here.
        self.dtmf.setEnabled(False)
        self.auto_answer.setEnabled(False)
        for widget in (self.dtmf, self.auto_answer, self.language):
            form.addRow(QLabel(), widget)
        self.tabs.addTab(page, "")
        return form

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Settings"))
        for n, text in enumerate((self.tr("Line"), self.tr("Audio"), self.tr("Calls"))):
            self.tabs.setTabText(n, text)
        self._label_rows(
            self.line_form, (self.tr("User"), self.tr("Server"), self.tr("SIP transport"))
        )
        audio = (
            self.tr("Microphone"),
            self.tr("Speaker"),
            self.tr("Ringer"),
            self.tr("Speaker volume"),
            self.tr("Microphone level"),
            self.tr("Speaker level"),
            "",
            "",
        )
        self._label_rows(self.audio_form, audio)
        self.test_button.setText(self.tr("Test devices"))
        self.test_button.setAccessibleName(self.tr("Test the microphone and speaker"))
        self._label_rows(
            self.calls_form, (self.tr("DTMF method"), self.tr("Auto-answer"), self.tr("Language"))
        )
        current = self.dtmf.currentIndex()
        self.dtmf.clear()
        self.dtmf.addItem(self.tr("RFC 4733 (telephone-event)"), "rfc2833")
        self.dtmf.addItem(self.tr("SIP INFO"), "sip_info")
        self.dtmf.addItem(self.tr("In-band tones"), "inband")
        methods = ("rfc2833", "sip_info", "inband")
        self.dtmf.setCurrentIndex(max(current, methods.index(self._settings.dtmf_method)))
        self.auto_answer.setText(self.tr("Answer incoming calls automatically"))

    def _label_rows(self, form: QFormLayout, texts: tuple[str, ...]) -> None:
        for row, text in enumerate(texts):
            item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            label = item.widget() if item else None
            field = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            if isinstance(label, QLabel):
                label.setText(text)
            widget = field.widget() if field else None
            if widget is not None and text:
                widget.setAccessibleName(text)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def refresh_devices(self) -> None:
        state = self._vm.state
        active = state.active_devices
        inputs = [d.name for d in state.devices if d.max_input_channels]
        outputs = [d.name for d in state.devices if d.max_output_channels]
        for combo, names, chosen in (
            (self.microphone, inputs, active.microphone),
            (self.speaker, outputs, active.speaker),
            (self.ringer, outputs, active.ringer),
        ):
            combo.clear()
            combo.addItems(names or ([chosen] if chosen else []))
            combo.setCurrentText(chosen)
        self.speaker_volume.setValue(active.speaker_volume)

    def refresh_levels(self) -> None:
        levels = list(self._vm.state.levels.values())
        if levels:
            self.mic_level.setValue(level_percent(levels[-1].microphone_dbfs))
            self.speaker_level.setValue(level_percent(levels[-1].speaker_dbfs))

    def show_test_result(self, microphone_dbfs: float, speaker_dbfs: float) -> None:
        text = self.tr("Microphone %1 dBFS, speaker %2 dBFS")
        text = text.replace("%1", f"{microphone_dbfs:.0f}").replace("%2", f"{speaker_dbfs:.0f}")
        self.test_result.setText(text)

    def test_devices(self) -> None:
        command = pb.Command(test_audio_devices=pb.TestAudioDevices(duration_ms=3000))
        self._vm.set_audio(command)

    def apply(self) -> None:
        active = self._vm.state.active_devices
        select = pb.SelectAudioDevices(
            microphone=self.microphone.currentText(),
            speaker=self.speaker.currentText(),
            ringer=self.ringer.currentText(),
        )
        if (select.microphone, select.speaker, select.ringer) != (
            active.microphone,
            active.speaker,
            active.ringer,
        ):
            self._vm.set_audio(pb.Command(select_audio_devices=select))
        if self.speaker_volume.value() != active.speaker_volume:
            volumes = pb.SetVolumes(speaker_volume=self.speaker_volume.value())
            self._vm.set_audio(pb.Command(set_volumes=volumes))
        self._vm.set_language(str(self.language.currentData()))
        self.accept()
