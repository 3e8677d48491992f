"""What can be configured: frozen settings and their conversion to ``pb.Configuration``.

``app_layer.config`` fills these from the TOML file, the environment and flags; the
schema is documented in docs/config.md. Passwords and tokens are held in ``Secret``,
whose ``repr`` and ``str`` hide them, so settings can be logged without leaking them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from protocol import pb

LANGUAGES = ("en", "fr", "de", "es", "ja", "ar")
LOG_LEVELS = ("debug", "info", "warning", "error")
TRANSPORT_KINDS = ("auto", "rdp", "citrix", "grpc", "unix", "loopback", "inproc")
SIP_TRANSPORTS = {
    "udp": pb.SIP_TRANSPORT_UDP,
    "tcp": pb.SIP_TRANSPORT_TCP,
    "tls": pb.SIP_TRANSPORT_TLS,
}
DTMF_METHODS = {
    "rfc2833": pb.DTMF_METHOD_RFC2833,
    "sip_info": pb.DTMF_METHOD_SIP_INFO,
    "inband": pb.DTMF_METHOD_INBAND,
}
DEFAULT_CONNECTOR_PORT = 8765


class Secret:
    """A password or token: usable as ``.value``, never shown by ``repr``/``str``."""

    __slots__ = ("value",)

    def __init__(self, value: str = "") -> None:
        self.value = value

    def __repr__(self) -> str:
        return "Secret('***')" if self.value else "Secret('')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other.value == self.value

    def __hash__(self) -> int:
        return hash(self.value)

    def __bool__(self) -> bool:
        return bool(self.value)


@dataclass(frozen=True)
class ConfigProblem:
    """One bad value: where it is and what would have been accepted."""

    source: str
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.key}: {self.message}"


@dataclass(frozen=True)
class Line:
    """One SIP line (account) with one server."""

    id: str = "line1"
    display_name: str = ""
    user: str = ""
    server: str = ""
    transport: str = "udp"
    auth_user: str = ""
    password: Secret = field(default_factory=Secret)
    realm: str = ""
    register: bool = True
    expiry_s: int = 0
    domain: str = ""
    dtmf_method: str = ""


@dataclass(frozen=True)
class AutoAnswer:
    enabled: bool = False
    delay_s: int = 0
    honour_caller_request: bool = False
    when_busy: bool = False


@dataclass(frozen=True)
class CallPolicySettings:
    """What the adapter may do on its own, as the administrator decides."""

    #: Obey NOTIFY Event: talk / hold from the server (Genesys SIP Server, BroadSoft).
    remote_control: bool = True
    #: Answer to a refused remote-control NOTIFY: 489 Bad Event or 403 Forbidden.
    remote_control_refusal_code: int = 489
    #: Follow a REFER from the far end (transfer requested by the other party).
    follow_refer: bool = True
    #: Seconds calls stay up on the adapter while the app's session is gone.
    session_grace_period_s: int = 300
    #: After the grace period: hang calls up (True) or keep them until the agent decides.
    hangup_after_grace: bool = True
    #: Reject incoming calls with this code when no headset is present (0: use another device).
    missing_headset_reject_code: int = 0
    #: Code of a plain Reject: 486 Busy Here or 603 Decline.
    default_reject_code: int = 486


@dataclass(frozen=True)
class DeviceRuleSettings:
    """Ordered device preferences: names or regular expressions."""

    headset: tuple[str, ...] = ()
    microphone: tuple[str, ...] = ()
    speaker: tuple[str, ...] = ()
    ringer: tuple[str, ...] = ()
    use_headset: bool = True
    ring_on_speaker: bool = False


SRTP_POLICIES = {
    "off": pb.SRTP_POLICY_OFF,
    "optional": pb.SRTP_POLICY_OPTIONAL,
    "mandatory": pb.SRTP_POLICY_MANDATORY,
}


@dataclass(frozen=True)
class NetworkSettings:
    """Signalling and media network settings passed to the adapter."""

    #: Local SIP port (0: any).
    sip_port: int = 0
    srtp: str = "off"
    stun_server: str = ""
    public_address: str = ""
    #: Advertised in SDP only (a media relay); empty: ``public_address``.
    media_public_address: str = ""
    #: Local address SIP and media bind to (multi-homed workstations); empty: all.
    bind_address: str = ""
    rtp_port_min: int = 0
    rtp_port_max: int = 0
    tls_ca_file: str = ""
    tls_verify_server: bool = True

    def to_message(self) -> pb.NetworkSettings:
        return pb.NetworkSettings(
            srtp=SRTP_POLICIES[self.srtp],
            stun_server=self.stun_server,
            public_address=self.public_address,
            media_public_address=self.media_public_address,
            bind_address=self.bind_address,
            rtp_port_min=self.rtp_port_min,
            rtp_port_max=self.rtp_port_max,
            tls_ca_file=self.tls_ca_file,
            tls_verify_server=self.tls_verify_server,
            sip_port=self.sip_port,
        )


@dataclass(frozen=True)
class TransportSettings:
    """How the app reaches the adapter."""

    kind: str = "auto"
    #: host:port of the adapter's gRPC service.
    address: str = ""
    #: Unix socket path for ``unix``.
    path: str = ""
    tls: bool = True
    ca_file: str = ""
    token: Secret = field(default_factory=Secret)
    #: ``auto`` may fall back to an engine in this process (media not offloaded).
    allow_inproc: bool = False

    def describe(self) -> str:
        """The transport as the ``--transport`` flag spells it."""
        if self.kind == "grpc":
            return f"grpc://{self.address}"
        if self.kind == "unix":
            return f"unix:{self.path}"
        return self.kind


@dataclass(frozen=True)
class ConnectorSettings:
    port: int = DEFAULT_CONNECTOR_PORT
    token_file: str = ""
    https: bool = False
    certificate: str = ""
    private_key: str = ""


@dataclass(frozen=True)
class Settings:
    """Everything configurable, after file, environment and flags."""

    lines: tuple[Line, ...] = ()
    codec_order: tuple[str, ...] = ("PCMU/8000", "PCMA/8000", "G722/16000")
    dtmf_method: str = "rfc2833"
    max_calls: int = 4
    auto_answer: AutoAnswer = field(default_factory=AutoAnswer)
    policy: CallPolicySettings = field(default_factory=CallPolicySettings)
    devices: DeviceRuleSettings = field(default_factory=DeviceRuleSettings)
    network: NetworkSettings = field(default_factory=NetworkSettings)
    transport: TransportSettings = field(default_factory=TransportSettings)
    connector: ConnectorSettings = field(default_factory=ConnectorSettings)
    language: str = "en"
    log_level: str = "info"
    #: The file these came from (may not exist).
    path: str = ""

    def to_configuration(self) -> pb.Configuration:
        """The adapter's configuration message for these settings."""
        aa = self.auto_answer
        return pb.Configuration(
            accounts=[_account(line, self.dtmf_method) for line in self.lines],
            codec_order=list(self.codec_order),
            dtmf_method=DTMF_METHODS[self.dtmf_method],
            policy=pb.CallPolicy(
                max_calls=self.max_calls,
                auto_answer=pb.AutoAnswerPolicy(
                    enabled=aa.enabled,
                    delay_s=aa.delay_s,
                    honour_caller_request=aa.honour_caller_request,
                    when_busy=aa.when_busy,
                ),
                remote_control=self.policy.remote_control,
                remote_control_refusal_code=self.policy.remote_control_refusal_code,
                follow_refer=self.policy.follow_refer,
                session_grace_period_s=self.policy.session_grace_period_s,
                hangup_after_grace=self.policy.hangup_after_grace,
                missing_headset_reject_code=self.policy.missing_headset_reject_code,
                default_reject_code=self.policy.default_reject_code,
            ),
            network=self.network.to_message(),
            device_rules=pb.DeviceRules(
                headset=list(self.devices.headset),
                microphone=list(self.devices.microphone),
                speaker=list(self.devices.speaker),
                ringer=list(self.devices.ringer),
                use_headset=self.devices.use_headset,
                ring_on_speaker=self.devices.ring_on_speaker,
            ),
        )


def _account(line: Line, default_dtmf: str) -> pb.Account:
    connectivity = pb.Connectivity(
        user=line.user,
        server=line.server,
        transport=SIP_TRANSPORTS[line.transport],
        auth_user=line.auth_user,
        password=line.password.value,
        realm=line.realm,
        registration_expiry_s=line.expiry_s,
        domain=line.domain,
    )
    return pb.Account(
        account_id=line.id,
        display_name=line.display_name,
        connectivities=[connectivity] if line.server else [],
        register=line.register and bool(line.server),
        dtmf_method=DTMF_METHODS[line.dtmf_method or default_dtmf],
    )
