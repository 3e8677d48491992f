"""The incoming-call toast: answer or reject without finding the window."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app_layer.state import CallAction
from app_layer.ui.calls_model import remote_party
from app_layer.ui.viewmodel import PhoneViewModel


class IncomingCallToast(QFrame):
    """A small always-on-top window per ringing call; it closes when ringing stops."""

    def __init__(self, view_model: PhoneViewModel, call_id: str) -> None:
        # A tool window on top of the others: seen even when the phone is behind them.
        flags = Qt.WindowType.Tool | Qt.WindowType.WindowStaysOnTopHint
        super().__init__(None, flags | Qt.WindowType.FramelessWindowHint)
        self._vm = view_model
        self.call_id = call_id
        self.setObjectName("incomingToast")
        self.setStyleSheet(
            "QFrame#incomingToast { background: #1f2937; border-radius: 8px; }"
            "QLabel { color: white; } QPushButton { padding: 6px 14px; }"
        )
        self.title = QLabel()
        self.caller = QLabel()
        self.caller.setStyleSheet("font-size: 15pt; font-weight: bold;")
        self.answer = QPushButton()
        self.answer.setStyleSheet("background: #15803d; color: white;")
        self.reject = QPushButton()
        self.reject.setStyleSheet("background: #b91c1c; color: white;")
        self.answer.clicked.connect(lambda: self._act(CallAction.ANSWER))
        self.reject.clicked.connect(lambda: self._act(CallAction.REJECT))
        buttons = QHBoxLayout()
        buttons.addWidget(self.answer)
        buttons.addWidget(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.caller)
        layout.addLayout(buttons)
        self.retranslate()

    def retranslate(self) -> None:
        call = self._vm.state.call(self.call_id)
        self.title.setText(self.tr("Incoming call"))
        self.caller.setText(remote_party(call) if call else "")
        self.answer.setText(self.tr("Answer"))
        self.answer.setAccessibleName(self.tr("Answer incoming call"))
        self.reject.setText(self.tr("Reject"))
        self.reject.setAccessibleName(self.tr("Reject incoming call"))
        self.setAccessibleName(self.tr("Incoming call"))

    def show_near_corner(self) -> None:
        self.adjustSize()
        screen = QGuiApplication.primaryScreen()
        if screen is not None:
            area = screen.availableGeometry()
            self.move(area.right() - self.width() - 16, area.top() + 16)
        self.show()
        self.raise_()

    def _act(self, action: CallAction) -> None:
        self._vm.act(self.call_id, action)
        self.close()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


class ToastManager:
    """One toast per ringing call, opened and closed by the view-model's signals."""

    def __init__(self, view_model: PhoneViewModel, parent: QWidget | None = None) -> None:
        self._vm = view_model
        self.toasts: dict[str, IncomingCallToast] = {}
        view_model.incoming_call.connect(self.open)
        view_model.ringing_stopped.connect(self.dismiss)

    def open(self, call_id: str) -> None:
        toast = IncomingCallToast(self._vm, call_id)
        self.toasts[call_id] = toast
        toast.show_near_corner()

    def dismiss(self, call_id: str) -> None:
        toast = self.toasts.pop(call_id, None)
        if toast is not None:
            toast.close()
            toast.deleteLater()

    def close_all(self) -> None:
        for call_id in list(self.toasts):
            self.dismiss(call_id)
