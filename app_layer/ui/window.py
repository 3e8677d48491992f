"""The phone window: number field and dial pad, call list, call actions, status.

Every widget here binds to ``PhoneViewModel``: it reads the state to show it and
calls the view-model to act. Buttons are enabled from the same action table the
connector uses, for the selected call, so the window never offers what would fail.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app_layer.state import CallAction, CallPhase, call_phase
from app_layer.ui.calls_model import CallTableModel, remote_party
from app_layer.ui.signals import emit
from app_layer.ui.status import LinkBanner, PhoneStatusBar
from app_layer.ui.toast import ToastManager
from app_layer.ui.viewmodel import PhoneViewModel

DIAL_KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#")

#: Buttons under the call list, in order: (action, object name).
ACTION_BUTTONS = (
    (CallAction.ANSWER, "answer"),
    (CallAction.REJECT, "reject"),
    (CallAction.HANGUP, "hangup"),
    (CallAction.HOLD, "hold"),
    (CallAction.RETRIEVE, "retrieve"),
    (CallAction.MUTE, "mute"),
    (CallAction.UNMUTE, "unmute"),
    (CallAction.TRANSFER_BLIND, "transfer"),
    (CallAction.TRANSFER_ATTENDED, "consult_transfer"),
    (CallAction.CONFERENCE, "merge"),
)


class DialPad(QWidget):
    """Twelve keys: digits into the number field, or DTMF into the selected call."""

    def __init__(self, on_key: object, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Keypads read 1-2-3 left to right in every language, Arabic and Hebrew included.
        self.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        grid = QGridLayout(self)
        grid.setSpacing(4)
        self.keys: dict[str, QPushButton] = {}
        for n, key in enumerate(DIAL_KEYS):
            button = QPushButton(key)
            button.setMinimumSize(48, 36)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _=False, k=key: on_key(k))  # type: ignore[operator]
            grid.addWidget(button, n // 3, n % 3)
            self.keys[key] = button

    def retranslate(self) -> None:
        for key, button in self.keys.items():
            button.setAccessibleName(self.tr("Key %1").replace("%1", key))


class PhoneWindow(QMainWindow):
    """The agent's phone."""

    def __init__(self, view_model: PhoneViewModel) -> None:
        super().__init__()
        self.vm = view_model
        self.setObjectName("phoneWindow")
        self.calls = CallTableModel(view_model)
        self.banner = LinkBanner(view_model)
        self.number = QLineEdit()
        self.number.setClearButtonEnabled(True)
        self.number.returnPressed.connect(self.dial)
        self.call_button = QPushButton()
        self.call_button.clicked.connect(self.dial)
        self.redial_button = QPushButton()
        self.redial_button.clicked.connect(self.vm.redial)
        self.settings_button = QPushButton()
        self.pad = DialPad(self.key_pressed)
        self.table = self._build_table()
        self.action_buttons = self._build_action_buttons()
        self.toasts = ToastManager(view_model, self)
        self.setStatusBar(PhoneStatusBar(view_model))
        self.setCentralWidget(self._layout())
        self.shortcuts = self._build_shortcuts()
        self._bind()
        self.retranslate()
        self.refresh()

    # -- construction ---------------------------------------------------------------

    def _build_table(self) -> QTableView:
        table = QTableView()
        table.setModel(self.calls)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.verticalHeader().hide()
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        table.setMinimumHeight(140)
        return table

    def _build_action_buttons(self) -> dict[CallAction, QPushButton]:
        buttons = {}
        for action, name in ACTION_BUTTONS:
            button = QPushButton()
            button.setObjectName(name)
            button.clicked.connect(lambda _=False, a=action: self.act(a))
            buttons[action] = button
        return buttons

    def _build_shortcuts(self) -> dict[str, QAction]:
        shortcuts = {
            "answer": ("Ctrl+Shift+A", lambda: self.act(CallAction.ANSWER)),
            "hangup": ("Ctrl+Shift+E", self.hang_up),
            "hold": ("Ctrl+Shift+H", self.toggle_hold),
            "mute": ("Ctrl+Shift+M", self.toggle_mute),
        }
        actions = {}
        for name, (keys, slot) in shortcuts.items():
            action = QAction(self)
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
            action.triggered.connect(slot)
            self.addAction(action)
            actions[name] = action
        return actions

    def _layout(self) -> QWidget:
        top = QHBoxLayout()
        top.addWidget(self.number, 1)
        top.addWidget(self.call_button)
        top.addWidget(self.redial_button)
        top.addWidget(self.settings_button)
        actions = QGridLayout()
        for n, button in enumerate(self.action_buttons.values()):
            actions.addWidget(button, n // 5, n % 5)
        pad = QVBoxLayout()
        pad.addWidget(self.pad)
        pad.addStretch(1)
        middle = QHBoxLayout()
        middle.addLayout(pad)
        right = QVBoxLayout()
        right.addWidget(self.table, 1)
        right.addLayout(actions)
        middle.addLayout(right, 1)
        body = QVBoxLayout()
        body.addWidget(self.banner)
        body.addLayout(top)
        body.addLayout(middle, 1)
        central = QWidget()
        central.setLayout(body)
        return central

    def _bind(self) -> None:
        self.vm.calls_changed.connect(self.refresh)
        self.vm.link_changed.connect(self.refresh)
        self.vm.incoming_call.connect(self._select_call)
        self.vm.command_failed.connect(self.show_problem)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self.refresh_actions())
        self.calls.modelReset.connect(self._restore_selection)
        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self.calls.tick)

    # -- texts ----------------------------------------------------------------------

    def action_label(self, action: CallAction) -> str:
        labels = {
            CallAction.ANSWER: self.tr("Answer"),
            CallAction.REJECT: self.tr("Reject"),
            CallAction.HANGUP: self.tr("Hang up"),
            CallAction.HOLD: self.tr("Hold"),
            CallAction.RETRIEVE: self.tr("Retrieve"),
            CallAction.MUTE: self.tr("Mute"),
            CallAction.UNMUTE: self.tr("Unmute"),
            CallAction.TRANSFER_BLIND: self.tr("Transfer…"),
            CallAction.TRANSFER_ATTENDED: self.tr("Consult transfer…"),
            CallAction.CONFERENCE: self.tr("Merge…"),
        }
        return labels[action]

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Softphone"))
        self.number.setPlaceholderText(self.tr("Number or SIP address"))
        self.number.setAccessibleName(self.tr("Number to call"))
        self.call_button.setText(self.tr("Call"))
        self.call_button.setAccessibleName(self.tr("Call the number"))
        self.redial_button.setText(self.tr("Redial"))
        self.redial_button.setAccessibleName(self.tr("Call the last number again"))
        self.settings_button.setText(self.tr("Settings…"))
        self.settings_button.setAccessibleName(self.tr("Open settings"))
        self.table.setAccessibleName(self.tr("Calls"))
        self.pad.retranslate()
        for action, button in self.action_buttons.items():
            button.setText(self.action_label(action))
            button.setAccessibleName(self.action_label(action).rstrip("…"))
        emit(self.calls.headerDataChanged, Qt.Orientation.Horizontal, 0, 5)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- state to widgets -----------------------------------------------------------

    def selected_call(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            return self.calls.call_id(rows[0].row())
        live = self.vm.state.live_calls()
        return live[-1].call_id if live else None

    def refresh(self) -> None:
        can_dial = self.vm.state.can_dial()
        self.call_button.setEnabled(can_dial)
        self.redial_button.setEnabled(can_dial and bool(self.vm.state.last_dialled))
        self.redial_button.setToolTip(self.vm.state.last_dialled)
        active = any(call_phase(c) is not CallPhase.ENDED for c in self.vm.state.calls.values())
        if active and not self._ticker.isActive():
            self._ticker.start()
        elif not active:
            self._ticker.stop()
        self.refresh_actions()

    def refresh_actions(self) -> None:
        allowed = self.vm.allowed(self.selected_call())
        for action, button in self.action_buttons.items():
            button.setEnabled(action in allowed)

    def _select_call(self, call_id: str) -> None:
        row = self.calls.row_of(call_id)
        if row >= 0:
            self.table.selectRow(row)

    def _restore_selection(self) -> None:
        live = self.vm.state.live_calls()
        if live:
            self._select_call(live[-1].call_id)
        self.refresh_actions()

    def show_problem(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)

    # -- agent actions --------------------------------------------------------------

    def dial(self) -> None:
        if self.vm.dial(self.number.text()):
            self.number.clear()

    def key_pressed(self, key: str) -> None:
        call_id = self.selected_call()
        if call_id and CallAction.DTMF in self.vm.allowed(call_id):
            self.vm.act(call_id, CallAction.DTMF, digits=key)
        else:
            self.number.insert(key)

    def act(self, action: CallAction) -> None:
        call_id = self.selected_call()
        if call_id is None or action not in self.vm.allowed(call_id):
            return
        args = self._ask_arguments(call_id, action)
        if args is not None:
            self.vm.act(call_id, action, **args)

    def _ask_arguments(self, call_id: str, action: CallAction) -> dict[str, object] | None:
        if action is CallAction.TRANSFER_BLIND:
            to, ok = QInputDialog.getText(self, self.tr("Transfer"), self.tr("Transfer to:"))
            return {"to": to.strip()} if ok and to.strip() else None
        if action in (CallAction.TRANSFER_ATTENDED, CallAction.CONFERENCE):
            other = self._pick_partner(call_id)
            if other is None:
                return None
            key = "consult_call_id" if action is CallAction.TRANSFER_ATTENDED else "with_call_id"
            return {key: other}
        return {}

    def _pick_partner(self, call_id: str) -> str | None:
        partners = self.vm.state.partners(call_id)
        names = [f"{remote_party(self.vm.state.calls[p])} ({p})" for p in partners]
        if len(partners) == 1:
            return partners[0]
        choice, ok = QInputDialog.getItem(
            self, self.tr("Choose a call"), self.tr("With call:"), names, 0, False
        )
        return partners[names.index(choice)] if ok and choice in names else None

    def hang_up(self) -> None:
        call_id = self.selected_call()
        allowed = self.vm.allowed(call_id)
        if call_id and CallAction.HANGUP in allowed:
            self.vm.act(call_id, CallAction.HANGUP)
        elif call_id and CallAction.REJECT in allowed:
            self.vm.act(call_id, CallAction.REJECT)

    def toggle_hold(self) -> None:
        call_id = self.selected_call()
        allowed = self.vm.allowed(call_id)
        for action in (CallAction.HOLD, CallAction.RETRIEVE):
            if call_id and action in allowed:
                self.vm.act(call_id, action)
                return

    def toggle_mute(self) -> None:
        call_id = self.selected_call()
        allowed = self.vm.allowed(call_id)
        for action in (CallAction.MUTE, CallAction.UNMUTE):
            if call_id and action in allowed:
                self.vm.act(call_id, action)
                return

    def closeEvent(self, event: object) -> None:
        self.toasts.close_all()
        super().closeEvent(event)  # type: ignore[arg-type]
