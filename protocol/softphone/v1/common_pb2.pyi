from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SipTransport(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SIP_TRANSPORT_UNSPECIFIED: _ClassVar[SipTransport]
    SIP_TRANSPORT_UDP: _ClassVar[SipTransport]
    SIP_TRANSPORT_TCP: _ClassVar[SipTransport]
    SIP_TRANSPORT_TLS: _ClassVar[SipTransport]

class DtmfMethod(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DTMF_METHOD_UNSPECIFIED: _ClassVar[DtmfMethod]
    DTMF_METHOD_RFC2833: _ClassVar[DtmfMethod]
    DTMF_METHOD_SIP_INFO: _ClassVar[DtmfMethod]
    DTMF_METHOD_INBAND: _ClassVar[DtmfMethod]

class SrtpPolicy(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SRTP_POLICY_UNSPECIFIED: _ClassVar[SrtpPolicy]
    SRTP_POLICY_OFF: _ClassVar[SrtpPolicy]
    SRTP_POLICY_OPTIONAL: _ClassVar[SrtpPolicy]
    SRTP_POLICY_MANDATORY: _ClassVar[SrtpPolicy]

class RegistrationState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REGISTRATION_STATE_UNSPECIFIED: _ClassVar[RegistrationState]
    REGISTRATION_STATE_UNREGISTERED: _ClassVar[RegistrationState]
    REGISTRATION_STATE_REGISTERING: _ClassVar[RegistrationState]
    REGISTRATION_STATE_REGISTERED: _ClassVar[RegistrationState]
    REGISTRATION_STATE_UNREGISTERING: _ClassVar[RegistrationState]
    REGISTRATION_STATE_FAILED: _ClassVar[RegistrationState]
    REGISTRATION_STATE_STANDALONE: _ClassVar[RegistrationState]

class CallDirection(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CALL_DIRECTION_UNSPECIFIED: _ClassVar[CallDirection]
    CALL_DIRECTION_INBOUND: _ClassVar[CallDirection]
    CALL_DIRECTION_OUTBOUND: _ClassVar[CallDirection]

class CallState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CALL_STATE_UNSPECIFIED: _ClassVar[CallState]
    CALL_STATE_DIALING: _ClassVar[CallState]
    CALL_STATE_RINGBACK: _ClassVar[CallState]
    CALL_STATE_RINGING: _ClassVar[CallState]
    CALL_STATE_CONNECTING: _ClassVar[CallState]
    CALL_STATE_CONNECTED: _ClassVar[CallState]
    CALL_STATE_ENDED: _ClassVar[CallState]

class CallEndReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CALL_END_REASON_UNSPECIFIED: _ClassVar[CallEndReason]
    CALL_END_REASON_LOCAL_HANGUP: _ClassVar[CallEndReason]
    CALL_END_REASON_REMOTE_HANGUP: _ClassVar[CallEndReason]
    CALL_END_REASON_REJECTED: _ClassVar[CallEndReason]
    CALL_END_REASON_BUSY: _ClassVar[CallEndReason]
    CALL_END_REASON_DECLINED: _ClassVar[CallEndReason]
    CALL_END_REASON_NO_ANSWER: _ClassVar[CallEndReason]
    CALL_END_REASON_CANCELLED: _ClassVar[CallEndReason]
    CALL_END_REASON_TRANSFERRED: _ClassVar[CallEndReason]
    CALL_END_REASON_REPLACED: _ClassVar[CallEndReason]
    CALL_END_REASON_POLICY: _ClassVar[CallEndReason]
    CALL_END_REASON_FAILED: _ClassVar[CallEndReason]
    CALL_END_REASON_NETWORK_ERROR: _ClassVar[CallEndReason]
    CALL_END_REASON_ADAPTER_SHUTDOWN: _ClassVar[CallEndReason]
    CALL_END_REASON_SESSION_LOST: _ClassVar[CallEndReason]

class DeviceRole(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DEVICE_ROLE_UNSPECIFIED: _ClassVar[DeviceRole]
    DEVICE_ROLE_HEADSET: _ClassVar[DeviceRole]
    DEVICE_ROLE_MICROPHONE: _ClassVar[DeviceRole]
    DEVICE_ROLE_SPEAKER: _ClassVar[DeviceRole]
    DEVICE_ROLE_RINGER: _ClassVar[DeviceRole]

class Severity(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SEVERITY_UNSPECIFIED: _ClassVar[Severity]
    SEVERITY_INFO: _ClassVar[Severity]
    SEVERITY_WARNING: _ClassVar[Severity]
    SEVERITY_ERROR: _ClassVar[Severity]
SIP_TRANSPORT_UNSPECIFIED: SipTransport
SIP_TRANSPORT_UDP: SipTransport
SIP_TRANSPORT_TCP: SipTransport
SIP_TRANSPORT_TLS: SipTransport
DTMF_METHOD_UNSPECIFIED: DtmfMethod
DTMF_METHOD_RFC2833: DtmfMethod
DTMF_METHOD_SIP_INFO: DtmfMethod
DTMF_METHOD_INBAND: DtmfMethod
SRTP_POLICY_UNSPECIFIED: SrtpPolicy
SRTP_POLICY_OFF: SrtpPolicy
SRTP_POLICY_OPTIONAL: SrtpPolicy
SRTP_POLICY_MANDATORY: SrtpPolicy
REGISTRATION_STATE_UNSPECIFIED: RegistrationState
REGISTRATION_STATE_UNREGISTERED: RegistrationState
REGISTRATION_STATE_REGISTERING: RegistrationState
REGISTRATION_STATE_REGISTERED: RegistrationState
REGISTRATION_STATE_UNREGISTERING: RegistrationState
REGISTRATION_STATE_FAILED: RegistrationState
REGISTRATION_STATE_STANDALONE: RegistrationState
CALL_DIRECTION_UNSPECIFIED: CallDirection
CALL_DIRECTION_INBOUND: CallDirection
CALL_DIRECTION_OUTBOUND: CallDirection
CALL_STATE_UNSPECIFIED: CallState
CALL_STATE_DIALING: CallState
CALL_STATE_RINGBACK: CallState
CALL_STATE_RINGING: CallState
CALL_STATE_CONNECTING: CallState
CALL_STATE_CONNECTED: CallState
CALL_STATE_ENDED: CallState
CALL_END_REASON_UNSPECIFIED: CallEndReason
CALL_END_REASON_LOCAL_HANGUP: CallEndReason
CALL_END_REASON_REMOTE_HANGUP: CallEndReason
CALL_END_REASON_REJECTED: CallEndReason
CALL_END_REASON_BUSY: CallEndReason
CALL_END_REASON_DECLINED: CallEndReason
CALL_END_REASON_NO_ANSWER: CallEndReason
CALL_END_REASON_CANCELLED: CallEndReason
CALL_END_REASON_TRANSFERRED: CallEndReason
CALL_END_REASON_REPLACED: CallEndReason
CALL_END_REASON_POLICY: CallEndReason
CALL_END_REASON_FAILED: CallEndReason
CALL_END_REASON_NETWORK_ERROR: CallEndReason
CALL_END_REASON_ADAPTER_SHUTDOWN: CallEndReason
CALL_END_REASON_SESSION_LOST: CallEndReason
DEVICE_ROLE_UNSPECIFIED: DeviceRole
DEVICE_ROLE_HEADSET: DeviceRole
DEVICE_ROLE_MICROPHONE: DeviceRole
DEVICE_ROLE_SPEAKER: DeviceRole
DEVICE_ROLE_RINGER: DeviceRole
SEVERITY_UNSPECIFIED: Severity
SEVERITY_INFO: Severity
SEVERITY_WARNING: Severity
SEVERITY_ERROR: Severity

class Connectivity(_message.Message):
    __slots__ = ("user", "server", "transport", "auth_user", "password", "realm", "registration_expiry_s", "domain")
    USER_FIELD_NUMBER: _ClassVar[int]
    SERVER_FIELD_NUMBER: _ClassVar[int]
    TRANSPORT_FIELD_NUMBER: _ClassVar[int]
    AUTH_USER_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_FIELD_NUMBER: _ClassVar[int]
    REALM_FIELD_NUMBER: _ClassVar[int]
    REGISTRATION_EXPIRY_S_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    user: str
    server: str
    transport: SipTransport
    auth_user: str
    password: str
    realm: str
    registration_expiry_s: int
    domain: str
    def __init__(self, user: _Optional[str] = ..., server: _Optional[str] = ..., transport: _Optional[_Union[SipTransport, str]] = ..., auth_user: _Optional[str] = ..., password: _Optional[str] = ..., realm: _Optional[str] = ..., registration_expiry_s: _Optional[int] = ..., domain: _Optional[str] = ...) -> None: ...

class Account(_message.Message):
    __slots__ = ("account_id", "display_name", "connectivities", "register", "dtmf_method")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    CONNECTIVITIES_FIELD_NUMBER: _ClassVar[int]
    REGISTER_FIELD_NUMBER: _ClassVar[int]
    DTMF_METHOD_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    display_name: str
    connectivities: _containers.RepeatedCompositeFieldContainer[Connectivity]
    register: bool
    dtmf_method: DtmfMethod
    def __init__(self, account_id: _Optional[str] = ..., display_name: _Optional[str] = ..., connectivities: _Optional[_Iterable[_Union[Connectivity, _Mapping]]] = ..., register: _Optional[bool] = ..., dtmf_method: _Optional[_Union[DtmfMethod, str]] = ...) -> None: ...

class AutoAnswerPolicy(_message.Message):
    __slots__ = ("enabled", "delay_s", "honour_caller_request", "when_busy")
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    DELAY_S_FIELD_NUMBER: _ClassVar[int]
    HONOUR_CALLER_REQUEST_FIELD_NUMBER: _ClassVar[int]
    WHEN_BUSY_FIELD_NUMBER: _ClassVar[int]
    enabled: bool
    delay_s: int
    honour_caller_request: bool
    when_busy: bool
    def __init__(self, enabled: _Optional[bool] = ..., delay_s: _Optional[int] = ..., honour_caller_request: _Optional[bool] = ..., when_busy: _Optional[bool] = ...) -> None: ...

class CallPolicy(_message.Message):
    __slots__ = ("max_calls", "auto_answer", "remote_control", "remote_control_refusal_code", "follow_refer", "session_grace_period_s", "hangup_after_grace", "missing_headset_reject_code", "default_reject_code")
    MAX_CALLS_FIELD_NUMBER: _ClassVar[int]
    AUTO_ANSWER_FIELD_NUMBER: _ClassVar[int]
    REMOTE_CONTROL_FIELD_NUMBER: _ClassVar[int]
    REMOTE_CONTROL_REFUSAL_CODE_FIELD_NUMBER: _ClassVar[int]
    FOLLOW_REFER_FIELD_NUMBER: _ClassVar[int]
    SESSION_GRACE_PERIOD_S_FIELD_NUMBER: _ClassVar[int]
    HANGUP_AFTER_GRACE_FIELD_NUMBER: _ClassVar[int]
    MISSING_HEADSET_REJECT_CODE_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_REJECT_CODE_FIELD_NUMBER: _ClassVar[int]
    max_calls: int
    auto_answer: AutoAnswerPolicy
    remote_control: bool
    remote_control_refusal_code: int
    follow_refer: bool
    session_grace_period_s: int
    hangup_after_grace: bool
    missing_headset_reject_code: int
    default_reject_code: int
    def __init__(self, max_calls: _Optional[int] = ..., auto_answer: _Optional[_Union[AutoAnswerPolicy, _Mapping]] = ..., remote_control: _Optional[bool] = ..., remote_control_refusal_code: _Optional[int] = ..., follow_refer: _Optional[bool] = ..., session_grace_period_s: _Optional[int] = ..., hangup_after_grace: _Optional[bool] = ..., missing_headset_reject_code: _Optional[int] = ..., default_reject_code: _Optional[int] = ...) -> None: ...

class NetworkSettings(_message.Message):
    __slots__ = ("srtp", "stun_server", "public_address", "rtp_port_min", "rtp_port_max", "tls_ca_file", "tls_verify_server", "sip_port", "media_public_address", "bind_address")
    SRTP_FIELD_NUMBER: _ClassVar[int]
    STUN_SERVER_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    RTP_PORT_MIN_FIELD_NUMBER: _ClassVar[int]
    RTP_PORT_MAX_FIELD_NUMBER: _ClassVar[int]
    TLS_CA_FILE_FIELD_NUMBER: _ClassVar[int]
    TLS_VERIFY_SERVER_FIELD_NUMBER: _ClassVar[int]
    SIP_PORT_FIELD_NUMBER: _ClassVar[int]
    MEDIA_PUBLIC_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    BIND_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    srtp: SrtpPolicy
    stun_server: str
    public_address: str
    rtp_port_min: int
    rtp_port_max: int
    tls_ca_file: str
    tls_verify_server: bool
    sip_port: int
    media_public_address: str
    bind_address: str
    def __init__(self, srtp: _Optional[_Union[SrtpPolicy, str]] = ..., stun_server: _Optional[str] = ..., public_address: _Optional[str] = ..., rtp_port_min: _Optional[int] = ..., rtp_port_max: _Optional[int] = ..., tls_ca_file: _Optional[str] = ..., tls_verify_server: _Optional[bool] = ..., sip_port: _Optional[int] = ..., media_public_address: _Optional[str] = ..., bind_address: _Optional[str] = ...) -> None: ...

class DeviceRules(_message.Message):
    __slots__ = ("headset", "microphone", "speaker", "ringer", "use_headset", "ring_on_speaker")
    HEADSET_FIELD_NUMBER: _ClassVar[int]
    MICROPHONE_FIELD_NUMBER: _ClassVar[int]
    SPEAKER_FIELD_NUMBER: _ClassVar[int]
    RINGER_FIELD_NUMBER: _ClassVar[int]
    USE_HEADSET_FIELD_NUMBER: _ClassVar[int]
    RING_ON_SPEAKER_FIELD_NUMBER: _ClassVar[int]
    headset: _containers.RepeatedScalarFieldContainer[str]
    microphone: _containers.RepeatedScalarFieldContainer[str]
    speaker: _containers.RepeatedScalarFieldContainer[str]
    ringer: _containers.RepeatedScalarFieldContainer[str]
    use_headset: bool
    ring_on_speaker: bool
    def __init__(self, headset: _Optional[_Iterable[str]] = ..., microphone: _Optional[_Iterable[str]] = ..., speaker: _Optional[_Iterable[str]] = ..., ringer: _Optional[_Iterable[str]] = ..., use_headset: _Optional[bool] = ..., ring_on_speaker: _Optional[bool] = ...) -> None: ...

class Configuration(_message.Message):
    __slots__ = ("accounts", "codec_order", "dtmf_method", "policy", "network", "device_rules")
    ACCOUNTS_FIELD_NUMBER: _ClassVar[int]
    CODEC_ORDER_FIELD_NUMBER: _ClassVar[int]
    DTMF_METHOD_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    NETWORK_FIELD_NUMBER: _ClassVar[int]
    DEVICE_RULES_FIELD_NUMBER: _ClassVar[int]
    accounts: _containers.RepeatedCompositeFieldContainer[Account]
    codec_order: _containers.RepeatedScalarFieldContainer[str]
    dtmf_method: DtmfMethod
    policy: CallPolicy
    network: NetworkSettings
    device_rules: DeviceRules
    def __init__(self, accounts: _Optional[_Iterable[_Union[Account, _Mapping]]] = ..., codec_order: _Optional[_Iterable[str]] = ..., dtmf_method: _Optional[_Union[DtmfMethod, str]] = ..., policy: _Optional[_Union[CallPolicy, _Mapping]] = ..., network: _Optional[_Union[NetworkSettings, _Mapping]] = ..., device_rules: _Optional[_Union[DeviceRules, _Mapping]] = ...) -> None: ...

class Registration(_message.Message):
    __slots__ = ("account_id", "state", "server", "status_code", "reason", "expires_s")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    SERVER_FIELD_NUMBER: _ClassVar[int]
    STATUS_CODE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_S_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    state: RegistrationState
    server: str
    status_code: int
    reason: str
    expires_s: int
    def __init__(self, account_id: _Optional[str] = ..., state: _Optional[_Union[RegistrationState, str]] = ..., server: _Optional[str] = ..., status_code: _Optional[int] = ..., reason: _Optional[str] = ..., expires_s: _Optional[int] = ...) -> None: ...

class Call(_message.Message):
    __slots__ = ("call_id", "account_id", "direction", "remote_uri", "remote_display_name", "state", "codec", "on_hold", "remote_hold", "muted", "end_reason", "end_sip_code", "end_reason_text", "started_unix_ms", "connected_unix_ms", "ended_unix_ms", "conference_id", "auto_answer_after_s")
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    DIRECTION_FIELD_NUMBER: _ClassVar[int]
    REMOTE_URI_FIELD_NUMBER: _ClassVar[int]
    REMOTE_DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    CODEC_FIELD_NUMBER: _ClassVar[int]
    ON_HOLD_FIELD_NUMBER: _ClassVar[int]
    REMOTE_HOLD_FIELD_NUMBER: _ClassVar[int]
    MUTED_FIELD_NUMBER: _ClassVar[int]
    END_REASON_FIELD_NUMBER: _ClassVar[int]
    END_SIP_CODE_FIELD_NUMBER: _ClassVar[int]
    END_REASON_TEXT_FIELD_NUMBER: _ClassVar[int]
    STARTED_UNIX_MS_FIELD_NUMBER: _ClassVar[int]
    CONNECTED_UNIX_MS_FIELD_NUMBER: _ClassVar[int]
    ENDED_UNIX_MS_FIELD_NUMBER: _ClassVar[int]
    CONFERENCE_ID_FIELD_NUMBER: _ClassVar[int]
    AUTO_ANSWER_AFTER_S_FIELD_NUMBER: _ClassVar[int]
    call_id: str
    account_id: str
    direction: CallDirection
    remote_uri: str
    remote_display_name: str
    state: CallState
    codec: str
    on_hold: bool
    remote_hold: bool
    muted: bool
    end_reason: CallEndReason
    end_sip_code: int
    end_reason_text: str
    started_unix_ms: int
    connected_unix_ms: int
    ended_unix_ms: int
    conference_id: str
    auto_answer_after_s: int
    def __init__(self, call_id: _Optional[str] = ..., account_id: _Optional[str] = ..., direction: _Optional[_Union[CallDirection, str]] = ..., remote_uri: _Optional[str] = ..., remote_display_name: _Optional[str] = ..., state: _Optional[_Union[CallState, str]] = ..., codec: _Optional[str] = ..., on_hold: _Optional[bool] = ..., remote_hold: _Optional[bool] = ..., muted: _Optional[bool] = ..., end_reason: _Optional[_Union[CallEndReason, str]] = ..., end_sip_code: _Optional[int] = ..., end_reason_text: _Optional[str] = ..., started_unix_ms: _Optional[int] = ..., connected_unix_ms: _Optional[int] = ..., ended_unix_ms: _Optional[int] = ..., conference_id: _Optional[str] = ..., auto_answer_after_s: _Optional[int] = ...) -> None: ...

class CallQuality(_message.Message):
    __slots__ = ("call_id", "codec", "rtt_ms", "jitter_rx_ms", "jitter_tx_ms", "loss_rx_pct", "loss_tx_pct", "mos", "final")
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    CODEC_FIELD_NUMBER: _ClassVar[int]
    RTT_MS_FIELD_NUMBER: _ClassVar[int]
    JITTER_RX_MS_FIELD_NUMBER: _ClassVar[int]
    JITTER_TX_MS_FIELD_NUMBER: _ClassVar[int]
    LOSS_RX_PCT_FIELD_NUMBER: _ClassVar[int]
    LOSS_TX_PCT_FIELD_NUMBER: _ClassVar[int]
    MOS_FIELD_NUMBER: _ClassVar[int]
    FINAL_FIELD_NUMBER: _ClassVar[int]
    call_id: str
    codec: str
    rtt_ms: float
    jitter_rx_ms: float
    jitter_tx_ms: float
    loss_rx_pct: float
    loss_tx_pct: float
    mos: float
    final: bool
    def __init__(self, call_id: _Optional[str] = ..., codec: _Optional[str] = ..., rtt_ms: _Optional[float] = ..., jitter_rx_ms: _Optional[float] = ..., jitter_tx_ms: _Optional[float] = ..., loss_rx_pct: _Optional[float] = ..., loss_tx_pct: _Optional[float] = ..., mos: _Optional[float] = ..., final: _Optional[bool] = ...) -> None: ...

class AudioDevice(_message.Message):
    __slots__ = ("device_id", "name", "host_api", "max_input_channels", "max_output_channels", "default_samplerate", "is_default_input", "is_default_output")
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    HOST_API_FIELD_NUMBER: _ClassVar[int]
    MAX_INPUT_CHANNELS_FIELD_NUMBER: _ClassVar[int]
    MAX_OUTPUT_CHANNELS_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_SAMPLERATE_FIELD_NUMBER: _ClassVar[int]
    IS_DEFAULT_INPUT_FIELD_NUMBER: _ClassVar[int]
    IS_DEFAULT_OUTPUT_FIELD_NUMBER: _ClassVar[int]
    device_id: str
    name: str
    host_api: str
    max_input_channels: int
    max_output_channels: int
    default_samplerate: float
    is_default_input: bool
    is_default_output: bool
    def __init__(self, device_id: _Optional[str] = ..., name: _Optional[str] = ..., host_api: _Optional[str] = ..., max_input_channels: _Optional[int] = ..., max_output_channels: _Optional[int] = ..., default_samplerate: _Optional[float] = ..., is_default_input: _Optional[bool] = ..., is_default_output: _Optional[bool] = ...) -> None: ...

class ActiveDevices(_message.Message):
    __slots__ = ("microphone", "speaker", "ringer", "headset_in_use", "explicit_choice", "reason", "microphone_volume", "speaker_volume", "microphone_muted")
    MICROPHONE_FIELD_NUMBER: _ClassVar[int]
    SPEAKER_FIELD_NUMBER: _ClassVar[int]
    RINGER_FIELD_NUMBER: _ClassVar[int]
    HEADSET_IN_USE_FIELD_NUMBER: _ClassVar[int]
    EXPLICIT_CHOICE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    MICROPHONE_VOLUME_FIELD_NUMBER: _ClassVar[int]
    SPEAKER_VOLUME_FIELD_NUMBER: _ClassVar[int]
    MICROPHONE_MUTED_FIELD_NUMBER: _ClassVar[int]
    microphone: str
    speaker: str
    ringer: str
    headset_in_use: bool
    explicit_choice: bool
    reason: str
    microphone_volume: int
    speaker_volume: int
    microphone_muted: bool
    def __init__(self, microphone: _Optional[str] = ..., speaker: _Optional[str] = ..., ringer: _Optional[str] = ..., headset_in_use: _Optional[bool] = ..., explicit_choice: _Optional[bool] = ..., reason: _Optional[str] = ..., microphone_volume: _Optional[int] = ..., speaker_volume: _Optional[int] = ..., microphone_muted: _Optional[bool] = ...) -> None: ...

class AdapterWarning(_message.Message):
    __slots__ = ("code", "severity", "message")
    CODE_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    code: str
    severity: Severity
    message: str
    def __init__(self, code: _Optional[str] = ..., severity: _Optional[_Union[Severity, str]] = ..., message: _Optional[str] = ...) -> None: ...

class Snapshot(_message.Message):
    __slots__ = ("sequence", "registrations", "calls", "devices", "active_devices", "quality", "warnings", "adapter_version", "adapter_uptime_s", "available_codecs")
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    REGISTRATIONS_FIELD_NUMBER: _ClassVar[int]
    CALLS_FIELD_NUMBER: _ClassVar[int]
    DEVICES_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_DEVICES_FIELD_NUMBER: _ClassVar[int]
    QUALITY_FIELD_NUMBER: _ClassVar[int]
    WARNINGS_FIELD_NUMBER: _ClassVar[int]
    ADAPTER_VERSION_FIELD_NUMBER: _ClassVar[int]
    ADAPTER_UPTIME_S_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_CODECS_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    registrations: _containers.RepeatedCompositeFieldContainer[Registration]
    calls: _containers.RepeatedCompositeFieldContainer[Call]
    devices: _containers.RepeatedCompositeFieldContainer[AudioDevice]
    active_devices: ActiveDevices
    quality: _containers.RepeatedCompositeFieldContainer[CallQuality]
    warnings: _containers.RepeatedCompositeFieldContainer[AdapterWarning]
    adapter_version: str
    adapter_uptime_s: float
    available_codecs: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, sequence: _Optional[int] = ..., registrations: _Optional[_Iterable[_Union[Registration, _Mapping]]] = ..., calls: _Optional[_Iterable[_Union[Call, _Mapping]]] = ..., devices: _Optional[_Iterable[_Union[AudioDevice, _Mapping]]] = ..., active_devices: _Optional[_Union[ActiveDevices, _Mapping]] = ..., quality: _Optional[_Iterable[_Union[CallQuality, _Mapping]]] = ..., warnings: _Optional[_Iterable[_Union[AdapterWarning, _Mapping]]] = ..., adapter_version: _Optional[str] = ..., adapter_uptime_s: _Optional[float] = ..., available_codecs: _Optional[_Iterable[str]] = ...) -> None: ...
