"""The call list: one row per call, bound to the view-model (a Qt table model)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from app_layer.state import CallPhase, call_phase
from app_layer.ui.signals import emit
from app_layer.ui.viewmodel import PhoneViewModel
from protocol import pb

_Index = QModelIndex | QPersistentModelIndex


def remote_party(call: pb.Call) -> str:
    """The far end as an agent reads it: the display name, else the user part."""
    if call.remote_display_name:
        return call.remote_display_name
    uri = call.remote_uri.removeprefix("sip:").removeprefix("sips:")
    return uri.split(";")[0]


def quality_label(mos: float) -> str:
    if mos <= 0:
        return ""
    if mos >= 4.0:
        return "●●●"
    if mos >= 3.6:
        return "●●○"
    return "●○○"


class CallTableModel(QAbstractTableModel):
    """Remote party, direction, state, duration, codec and quality of each call."""

    COLUMNS = ("party", "direction", "state", "duration", "codec", "quality")

    def __init__(self, view_model: PhoneViewModel) -> None:
        super().__init__()
        self._vm = view_model
        self._ids: list[str] = []
        view_model.calls_changed.connect(self.refresh)
        view_model.link_changed.connect(self.refresh)
        self.refresh()

    def headers(self) -> tuple[str, ...]:
        return (
            self.tr("Remote party"),
            self.tr("Direction"),
            self.tr("State"),
            self.tr("Duration"),
            self.tr("Codec"),
            self.tr("Quality"),
        )

    def phase_label(self, phase: CallPhase) -> str:
        labels = {
            CallPhase.DIALING: self.tr("Dialing"),
            CallPhase.RINGBACK: self.tr("Ringing back"),
            CallPhase.RINGING: self.tr("Incoming"),
            CallPhase.CONNECTING: self.tr("Connecting"),
            CallPhase.CONNECTED: self.tr("Connected"),
            CallPhase.HELD: self.tr("On hold"),
            CallPhase.ENDED: self.tr("Ended"),
        }
        return labels[phase]

    def call_id(self, row: int) -> str | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, call_id: str) -> int:
        return self._ids.index(call_id) if call_id in self._ids else -1

    def refresh(self) -> None:
        """Rebuild rows: live calls first (newest on top), then recent ended ones."""
        calls = list(self._vm.state.calls.values())
        live = [c.call_id for c in reversed(calls) if call_phase(c) is not CallPhase.ENDED]
        ended = [c.call_id for c in reversed(calls) if call_phase(c) is CallPhase.ENDED]
        ids = live + ended
        if ids != self._ids:
            self.beginResetModel()
            self._ids = ids
            self.endResetModel()
        elif ids:
            last = self.index(len(ids) - 1, len(self.COLUMNS) - 1)
            emit(self.dataChanged, self.index(0, 0), last)

    def tick(self) -> None:
        """Durations move every second; only that column changes."""
        if self._ids:
            column = self.COLUMNS.index("duration")
            emit(self.dataChanged, self.index(0, column), self.index(len(self._ids) - 1, column))

    # -- QAbstractTableModel --------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers()[section]
        return None

    def data(self, index: _Index, role: int = 0) -> Any:
        call = self._vm.state.call(self._ids[index.row()]) if index.isValid() else None
        if call is None:
            return None
        column = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(call, column)
        if role == Qt.ItemDataRole.ForegroundRole and call_phase(call) is CallPhase.ENDED:
            return QColor("#808080")
        if role == Qt.ItemDataRole.ToolTipRole and column == "quality":
            quality = self._vm.state.quality.get(call.call_id)
            return f"MOS {quality.mos:.2f}" if quality else None
        return None

    def _display(self, call: pb.Call, column: str) -> str:
        if column == "party":
            return remote_party(call)
        if column == "direction":
            inbound = call.direction == pb.CALL_DIRECTION_INBOUND
            return self.tr("In") if inbound else self.tr("Out")
        if column == "state":
            phase = call_phase(call)
            if phase is CallPhase.ENDED and call.end_reason == pb.CALL_END_REASON_POLICY:
                # A call the adapter turned away (no headset, too many calls) never rang
                # here: the row is all the agent sees of it, so it says why.
                why = call.end_reason_text
                return self.tr("Turned away") + (f" · {why}" if why else "")
            label = self.phase_label(phase)
            return label + (" · " + self.tr("muted") if call.muted else "")
        if column == "duration":
            seconds = self._vm.state.call_duration_s(call.call_id, self._vm.now_ms())
            return f"{seconds // 60:d}:{seconds % 60:02d}" if call.connected_unix_ms else ""
        if column == "codec":
            return call.codec
        quality = self._vm.state.quality.get(call.call_id)
        return quality_label(quality.mos) if quality else ""
