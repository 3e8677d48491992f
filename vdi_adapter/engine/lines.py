"""Accounts (lines) and their registration, with failover between connectivity entries.

Theory of operation: an account lists connectivity entries (server, transport,
credentials) in order. The line registers through the first; when a REGISTER or its
refresh fails because the server does not answer (408, a 5xx such as a local 503 for
a refused TCP connection), the line moves to the next entry with
``Account.modify`` and reports it; an authentication refusal (401/403) is reported
and not failed over, since another server would refuse the same credentials. pjsua
refreshes ``delayBeforeRefreshSec`` before expiry. A line with ``register = false`` is
standalone: no REGISTER, direct calls to SIP URIs only.

``RegistrationTracker`` is the pure part (state, failover decision); ``Line`` is the
pjsua2 driver.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol

import pjsua2 as pj

from protocol import pb

log = logging.getLogger(__name__)

_TRANSPORT_PARAM = {
    pb.SIP_TRANSPORT_UDP: "",
    pb.SIP_TRANSPORT_UNSPECIFIED: "",
    pb.SIP_TRANSPORT_TCP: ";transport=tcp",
    pb.SIP_TRANSPORT_TLS: ";transport=tls",
}

_SRTP_USE = {
    pb.SRTP_POLICY_UNSPECIFIED: pj.PJMEDIA_SRTP_DISABLED,
    pb.SRTP_POLICY_OFF: pj.PJMEDIA_SRTP_DISABLED,
    pb.SRTP_POLICY_OPTIONAL: pj.PJMEDIA_SRTP_OPTIONAL,
    pb.SRTP_POLICY_MANDATORY: pj.PJMEDIA_SRTP_MANDATORY,
}


def fails_over(status_code: int) -> bool:
    """A registration failure another server may not have: no answer or a server error."""
    return status_code == 408 or status_code >= 500 or status_code == 0


@dataclass
class RegistrationTracker:
    """Registration state of one line across its connectivity entries (pure)."""

    account_id: str
    entries: int
    register: bool
    index: int = 0
    state: int = pb.REGISTRATION_STATE_UNREGISTERED
    status_code: int = 0
    reason: str = ""
    expires_s: int = 0

    def on_result(self, code: int, reason: str, expiration: int) -> bool:
        """Record a REGISTER outcome; return True when the line should fail over."""
        self.status_code, self.reason = code, reason
        if 200 <= code < 300:
            self.expires_s = expiration
            unregistered = expiration == 0
            self.state = (
                pb.REGISTRATION_STATE_UNREGISTERED
                if unregistered
                else pb.REGISTRATION_STATE_REGISTERED
            )
            return False
        self.expires_s = 0
        if self.state == pb.REGISTRATION_STATE_UNREGISTERING:
            self.state = pb.REGISTRATION_STATE_UNREGISTERED
            return False
        self.state = pb.REGISTRATION_STATE_FAILED
        return self.entries > 1 and fails_over(code)

    def next_entry(self) -> int:
        self.index = (self.index + 1) % self.entries
        self.state = pb.REGISTRATION_STATE_REGISTERING
        return self.index


class LineEvents(Protocol):
    def on_registration(self, line: Line, code: int, reason: str, expiration: int) -> None: ...
    def on_incoming_call(self, line: Line, pj_call_id: int, message: str) -> None: ...


class SipAccount(pj.Account):
    """pjsua2 account forwarding its callbacks to the line's owner."""

    def __init__(self, line: Line) -> None:
        super().__init__()
        self.line = line

    def onRegState(self, prm: Any) -> None:
        try:
            self.line.owner.on_registration(
                self.line, int(prm.code), str(prm.reason), int(prm.expiration)
            )
        except Exception:
            log.exception("account %s: registration callback failed", self.line.account_id)

    def onIncomingCall(self, prm: Any) -> None:
        try:
            message = str(prm.rdata.wholeMsg)
            self.line.owner.on_incoming_call(self.line, int(prm.callId), message)
        except Exception:
            log.exception("account %s: incoming call callback failed", self.line.account_id)


def server_host(server: str) -> str:
    """'host:port' -> 'host' (IPv6 literals in brackets are kept whole)."""
    if server.startswith("["):
        return server.split("]", 1)[0] + "]"
    return server.rsplit(":", 1)[0] if server.count(":") == 1 else server


class Line:
    """One configured account on pjsua2 (the driver around ``RegistrationTracker``)."""

    def __init__(self, owner: LineEvents, account: pb.Account, local_host: str) -> None:
        self.owner = owner
        self.config = account
        self.account_id = account.account_id or "default"
        self.local_host = local_host
        registers = account.register and len(account.connectivities) > 0
        self.tracker = RegistrationTracker(
            self.account_id, max(1, len(account.connectivities)), registers
        )
        if not registers:
            self.tracker.state = pb.REGISTRATION_STATE_STANDALONE
        self.sip_account: SipAccount | None = None

    @property
    def connectivity(self) -> pb.Connectivity | None:
        entries = self.config.connectivities
        return entries[self.tracker.index] if entries else None

    @property
    def domain(self) -> str:
        entry = self.connectivity
        if entry is None:
            return ""
        return entry.domain or server_host(entry.server)

    @property
    def dial_domain(self) -> str:
        """Where dialled digits go: the configured domain, else the server as configured,
        port included (a registrar on a non-standard port must be reached there, and a
        transfer target is dialled by the far end, which has no outbound proxy of ours)."""
        entry = self.connectivity
        if entry is None:
            return ""
        if entry.domain:
            return entry.domain
        host = server_host(entry.server)
        # The default port says nothing: keep URIs as people write them.
        return host if entry.server in (host, f"{host}:5060") else entry.server

    def registration(self) -> pb.Registration:
        entry = self.connectivity
        return pb.Registration(
            account_id=self.account_id,
            state=self.tracker.state,  # type: ignore[arg-type]
            server=entry.server if entry else "",
            status_code=self.tracker.status_code,
            reason=self.tracker.reason,
            expires_s=self.tracker.expires_s,
        )

    def account_config(self, transports: dict[int, int], network: pb.NetworkSettings) -> Any:
        """pjsua2 AccountConfig for the connectivity entry in use."""
        entry = self.connectivity
        config = pj.AccountConfig()
        config.idUri = self._id_uri(entry)
        if entry is not None:
            self._add_server(config, entry, transports)
        else:
            # Standalone: Contact and Via must carry the configured SIP port, not that of
            # another transport kept from an earlier configuration.
            config.sipConfig.transportId = transports[pb.SIP_TRANSPORT_UDP]
        self._add_media(config, network)
        config.callConfig.timerUse = pj.PJSUA_SIP_TIMER_OPTIONAL
        return config

    def _id_uri(self, entry: pb.Connectivity | None) -> str:
        user = entry.user if entry and entry.user else "softphone"
        host = self.domain or self.local_host
        display = self.config.display_name.replace('"', "")
        uri = f"sip:{user}@{host}"
        return f'"{display}" <{uri}>' if display else uri

    def _add_server(self, config: Any, entry: pb.Connectivity, transports: dict[int, int]) -> None:
        kind = entry.transport or pb.SIP_TRANSPORT_UDP
        config.sipConfig.transportId = transports[kind]
        server_uri = f"sip:{entry.server}{_TRANSPORT_PARAM[kind]}"
        if self.tracker.register:
            config.regConfig.registrarUri = server_uri
            config.sipConfig.proxies.append(f"sip:{entry.server};lr{_TRANSPORT_PARAM[kind]}")
        config.regConfig.registerOnAdd = False
        expiry = entry.registration_expiry_s or 300
        config.regConfig.timeoutSec = expiry
        config.regConfig.delayBeforeRefreshSec = max(1, min(5, expiry // 3))
        config.regConfig.retryIntervalSec = 30
        config.regConfig.firstRetryIntervalSec = 5
        config.regConfig.unregWaitMsec = 1000
        user = entry.auth_user or entry.user
        if user:
            credentials = pj.AuthCredInfo("digest", entry.realm or "*", user, 0, entry.password)
            config.sipConfig.authCreds.append(credentials)

    def _add_media(self, config: Any, network: pb.NetworkSettings) -> None:
        media = config.mediaConfig
        media.srtpUse = _SRTP_USE[network.srtp]
        media.srtpSecureSignaling = 0
        if network.rtp_port_min:
            media.transportConfig.port = network.rtp_port_min
            media.transportConfig.portRange = max(0, network.rtp_port_max - network.rtp_port_min)
        if network.bind_address:
            media.transportConfig.boundAddress = network.bind_address
        # SDP may name a media relay while SIP keeps its own address (media_public_address).
        media_address = network.media_public_address or network.public_address
        if media_address:
            media.transportConfig.publicAddress = media_address
        if not network.stun_server:
            config.natConfig.sipStunUse = pj.PJSUA_STUN_USE_DISABLED
            config.natConfig.mediaStunUse = pj.PJSUA_STUN_USE_DISABLED

    def create(self, transports: dict[int, int], network: pb.NetworkSettings) -> None:
        self.sip_account = SipAccount(self)
        self.sip_account.create(self.account_config(transports, network))
        if self.tracker.register:
            self.set_registration(True)

    def set_registration(self, on: bool) -> None:
        """Send REGISTER (or un-REGISTER with Expires: 0) now."""
        if self.sip_account is None or not self.tracker.register:
            return
        previous = self.tracker.state
        self.tracker.state = (
            pb.REGISTRATION_STATE_REGISTERING if on else pb.REGISTRATION_STATE_UNREGISTERING
        )
        try:
            self.sip_account.setRegistration(on)
        except pj.Error as error:
            # A REGISTER already in flight (the account registers as it is created, and
            # the app's Register can arrive meanwhile): pjsua refuses a second one. That
            # one's outcome is the answer, so asking again is not an error.
            if on and previous == pb.REGISTRATION_STATE_REGISTERING:
                log.debug("REGISTER already in progress: %s", getattr(error, "reason", error))
                return
            self.tracker.state = previous
            raise

    def fail_over(self, transports: dict[int, int], network: pb.NetworkSettings) -> None:
        """Move to the next connectivity entry and register there."""
        self.tracker.next_entry()
        assert self.sip_account is not None
        config = self.account_config(transports, network)
        # A changed registrar makes pjsua send REGISTER there as part of modify().
        self.sip_account.modify(config)

    def destroy(self) -> None:
        account, self.sip_account = self.sip_account, None
        if account is not None:
            account.shutdown()
