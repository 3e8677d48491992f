"""Status bar and banner: is the phone usable, over what, and what can the agent do."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from app_layer.state import LinkView
from app_layer.ui.viewmodel import PhoneViewModel
from protocol import pb


class LinkBanner(QLabel):
    """A strip over the window whenever the adapter is not connected."""

    def __init__(self, view_model: PhoneViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = view_model
        self.setWordWrap(True)
        self.setObjectName("linkBanner")
        self.setAccessibleName(self.tr("Connection status"))
        view_model.link_changed.connect(self.refresh)
        self.refresh()

    def message(self, link: LinkView) -> str:
        texts = {
            "connecting": self.tr("Connecting to the phone adapter on your workstation…"),
            "reconnecting": self.tr(
                "Connection to the phone adapter lost; reconnecting. Calls in progress "
                "continue on your headset."
            ),
            "unreachable": self.tr(
                "The phone adapter cannot be reached. Check that the softphone adapter is "
                "running on your workstation; the phone keeps retrying."
            ),
            "incompatible": self.tr(
                "The phone adapter on your workstation is not compatible with this app. "
                "Ask IT to update it."
            ),
            "closed": self.tr("The phone is closed."),
        }
        text = texts.get(link.state, link.state)
        return f"{text}\n{link.detail}" if link.detail else text

    def refresh(self) -> None:
        link = self._vm.state.link
        self.setVisible(not link.connected)
        severe = link.state in ("unreachable", "incompatible", "closed")
        colour = "#b3261e" if severe else "#8a5a00"
        self.setStyleSheet(
            f"QLabel#linkBanner {{ background: {colour}; color: white; padding: 8px; }}"
        )
        self.setText(self.message(link))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.refresh()
        super().changeEvent(event)


class PhoneStatusBar(QStatusBar):
    """Registration per line, transport, media offload, adapter version."""

    def __init__(self, view_model: PhoneViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = view_model
        self.registration = QLabel()
        self.transport = QLabel()
        self.media = QLabel()
        self.version = QLabel()
        for label in (self.registration, self.transport, self.media, self.version):
            self.addPermanentWidget(label)
        view_model.link_changed.connect(self.refresh)
        view_model.registrations_changed.connect(self.refresh)
        self.refresh()

    def registration_text(self, state: int) -> str:
        texts: dict[int, str] = {
            pb.REGISTRATION_STATE_UNREGISTERED: self.tr("Not registered"),
            pb.REGISTRATION_STATE_REGISTERING: self.tr("Registering…"),
            pb.REGISTRATION_STATE_REGISTERED: self.tr("Registered"),
            pb.REGISTRATION_STATE_UNREGISTERING: self.tr("Unregistering…"),
            pb.REGISTRATION_STATE_FAILED: self.tr("Registration failed"),
            pb.REGISTRATION_STATE_STANDALONE: self.tr("Direct calls only"),
        }
        return texts.get(state, self.tr("Unknown"))

    def transport_text(self, transport: str) -> str:
        texts = {
            "rdp": self.tr("Virtual channel (RDP)"),
            "citrix": self.tr("Virtual channel (Citrix)"),
            "grpc+tls": self.tr("gRPC fallback (TLS)"),
            "grpc": self.tr("gRPC fallback"),
            "unix": self.tr("Local socket"),
            "tcp": self.tr("Local socket"),
            "loopback": self.tr("Loopback simulator"),
            "inproc": self.tr("In-process"),
        }
        return texts.get(transport, transport or "—")

    def refresh(self) -> None:
        state = self._vm.state
        regs = [
            f"{reg.account_id}: {self.registration_text(reg.state)}"
            + (f" ({reg.status_code} {reg.reason})" if reg.status_code >= 300 else "")
            for reg in state.registrations.values()
        ]
        self.registration.setText(" · ".join(regs) or self.tr("No line"))
        self.registration.setAccessibleName(self.tr("Registration"))
        self.transport.setText(self.transport_text(state.link.transport))
        self.transport.setAccessibleName(self.tr("Transport"))
        # IT asks "why not the virtual channel?": the reasons are one hover away.
        self.transport.setToolTip(state.link.transport_choice)
        self.transport.setAccessibleDescription(state.link.transport_choice)
        offloaded = state.link.media_offloaded
        self.media.setText(
            self.tr("Media on workstation") if offloaded else self.tr("Media in this desktop")
        )
        self.media.setAccessibleName(self.tr("Media"))
        version = state.adapter_version or "—"
        self.version.setText(self.tr("Adapter %1").replace("%1", version))
        self.version.setAccessibleName(self.tr("Adapter version"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.refresh()
        super().changeEvent(event)
