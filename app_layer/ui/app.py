"""Start the window: Qt application, translations, the asyncio bridge and the view-model."""

from __future__ import annotations

import signal
import sys

from PySide6.QtCore import QLocale, Qt, QTimer, QTranslator
from PySide6.QtWidgets import QApplication

from app_layer.i18n import RIGHT_TO_LEFT, compiled_catalogue
from app_layer.runtime import Runtime
from app_layer.settings import Settings
from app_layer.ui.bridge import AsyncBridge, Backend
from app_layer.ui.settings_dialog import SettingsDialog
from app_layer.ui.viewmodel import PhoneViewModel
from app_layer.ui.window import PhoneWindow


class Translations:
    """Swaps the app's translator when the language changes, and the layout direction."""

    def __init__(self, app: QApplication) -> None:
        self._app = app
        self._translator: QTranslator | None = None

    def use(self, language: str) -> bool:
        """Switch to ``language``; False if its catalogue could not be loaded."""
        if self._translator is not None:
            self._app.removeTranslator(self._translator)
            self._translator = None
        direction = (
            Qt.LayoutDirection.RightToLeft
            if language in RIGHT_TO_LEFT
            else (Qt.LayoutDirection.LeftToRight)
        )
        self._app.setLayoutDirection(direction)
        QLocale.setDefault(QLocale(language))
        catalogue = compiled_catalogue(language)
        if catalogue is None:
            return language == "en"
        translator = QTranslator(self._app)
        if not translator.load(str(catalogue)):
            return False
        self._app.installTranslator(translator)
        self._translator = translator
        return True


class PhoneApp:
    """The window, its view-model and the bridge to the asyncio side, wired together."""

    def __init__(self, app: QApplication, backend: Backend, settings: Settings) -> None:
        self.settings = settings
        self.translations = Translations(app)
        self.translations.use(settings.language)
        self.bridge = AsyncBridge(backend)
        self.view_model = PhoneViewModel(self.bridge.submit, settings.language)
        self.window = PhoneWindow(self.view_model)
        self.bridge.reported.connect(self.view_model.apply)
        self.bridge.finished.connect(self.view_model.command_done)
        self.bridge.failed.connect(self.window.banner.setText)
        self.bridge.language.connect(self.view_model.set_language)
        self.view_model.language_changed.connect(self.translations.use)
        self.window.settings_button.clicked.connect(self.open_settings)

    def open_settings(self) -> None:
        SettingsDialog(self.view_model, self.settings, self.window).exec()

    def start(self) -> None:
        self.bridge.start()
        self.window.resize(860, 480)
        self.window.show()

    def stop(self) -> None:
        self.window.toasts.close_all()
        self.bridge.stop()


def _nothing() -> None:
    pass


def _announce(port: int) -> None:
    print(f"connector listening on http://127.0.0.1:{port}", flush=True)


def run_window(settings: Settings) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Softphone")
    phone = PhoneApp(app, Runtime(settings), settings)
    phone.bridge.started.connect(_announce)
    phone.start()
    # SIGTERM/SIGINT close the window cleanly; Python sees signals only when it runs,
    # so a slow timer gives it the chance while Qt's loop idles.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: app.quit())
    wake = QTimer()
    wake.timeout.connect(_nothing)
    wake.start(500)
    try:
        return app.exec()
    finally:
        phone.stop()
