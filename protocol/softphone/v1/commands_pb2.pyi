from protocol.softphone.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ErrorCode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ERROR_CODE_UNSPECIFIED: _ClassVar[ErrorCode]
    ERROR_CODE_INVALID_ARGUMENT: _ClassVar[ErrorCode]
    ERROR_CODE_NOT_FOUND: _ClassVar[ErrorCode]
    ERROR_CODE_INVALID_STATE: _ClassVar[ErrorCode]
    ERROR_CODE_NOT_SUPPORTED: _ClassVar[ErrorCode]
    ERROR_CODE_UNAVAILABLE: _ClassVar[ErrorCode]
    ERROR_CODE_TIMEOUT: _ClassVar[ErrorCode]
    ERROR_CODE_REFUSED: _ClassVar[ErrorCode]
    ERROR_CODE_CHANNEL_LOST: _ClassVar[ErrorCode]
    ERROR_CODE_UNKNOWN_COMMAND: _ClassVar[ErrorCode]
    ERROR_CODE_INTERNAL: _ClassVar[ErrorCode]
ERROR_CODE_UNSPECIFIED: ErrorCode
ERROR_CODE_INVALID_ARGUMENT: ErrorCode
ERROR_CODE_NOT_FOUND: ErrorCode
ERROR_CODE_INVALID_STATE: ErrorCode
ERROR_CODE_NOT_SUPPORTED: ErrorCode
ERROR_CODE_UNAVAILABLE: ErrorCode
ERROR_CODE_TIMEOUT: ErrorCode
ERROR_CODE_REFUSED: ErrorCode
ERROR_CODE_CHANNEL_LOST: ErrorCode
ERROR_CODE_UNKNOWN_COMMAND: ErrorCode
ERROR_CODE_INTERNAL: ErrorCode

class Configure(_message.Message):
    __slots__ = ("configuration",)
    CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    configuration: _common_pb2.Configuration
    def __init__(self, configuration: _Optional[_Union[_common_pb2.Configuration, _Mapping]] = ...) -> None: ...

class Register(_message.Message):
    __slots__ = ("account_id",)
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    def __init__(self, account_id: _Optional[str] = ...) -> None: ...

class Unregister(_message.Message):
    __slots__ = ("account_id",)
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    def __init__(self, account_id: _Optional[str] = ...) -> None: ...

class Dial(_message.Message):
    __slots__ = ("to", "account_id")
    TO_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    to: str
    account_id: str
    def __init__(self, to: _Optional[str] = ..., account_id: _Optional[str] = ...) -> None: ...

class Answer(_message.Message):
    __slots__ = ("call_id",)
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    call_id: str
    def __init__(self, call_id: _Optional[str] = ...) -> None: ...

class Reject(_message.Message):
    __slots__ = ("call_id", "sip_code")
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    SIP_CODE_FIELD_NUMBER: _ClassVar[int]
    call_id: str
    sip_code: int
    def __init__(self, call_id: _Optional[str] = ..., sip_code: _Optional[int] = ...) -> None: ...

class Hangup(_message.Message):
    __slots__ = ("call_id",)
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    call_id: str
    def __init__(self, call_id: _Optional[str] = ...) -> None: ...

class Hold(_message.Message):
    __slots__ = ("call_id",)
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    call_id: str
    def __init__(self, call_id: _Optional[str] = ...) -> None: ...

class Retrieve(_message.Message):
    __slots__ = ("call_id",)
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    call_id: str
    def __init__(self, call_id: _Optional[str] = ...) -> None: ...

class Mute(_message.Message):
    __slots__ = ("call_id", "muted")
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    MUTED_FIELD_NUMBER: _ClassVar[int]
    call_id: str
    muted: bool
    def __init__(self, call_id: _Optional[str] = ..., muted: _Optional[bool] = ...) -> None: ...

class SendDtmf(_message.Message):
    __slots__ = ("call_id", "digits", "method")
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    DIGITS_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    call_id: str
    digits: str
    method: _common_pb2.DtmfMethod
    def __init__(self, call_id: _Optional[str] = ..., digits: _Optional[str] = ..., method: _Optional[_Union[_common_pb2.DtmfMethod, str]] = ...) -> None: ...

class BlindTransfer(_message.Message):
    __slots__ = ("call_id", "to")
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    TO_FIELD_NUMBER: _ClassVar[int]
    call_id: str
    to: str
    def __init__(self, call_id: _Optional[str] = ..., to: _Optional[str] = ...) -> None: ...

class AttendedTransfer(_message.Message):
    __slots__ = ("call_id", "consult_call_id")
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    CONSULT_CALL_ID_FIELD_NUMBER: _ClassVar[int]
    call_id: str
    consult_call_id: str
    def __init__(self, call_id: _Optional[str] = ..., consult_call_id: _Optional[str] = ...) -> None: ...

class Merge(_message.Message):
    __slots__ = ("call_ids",)
    CALL_IDS_FIELD_NUMBER: _ClassVar[int]
    call_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, call_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class Split(_message.Message):
    __slots__ = ("call_id",)
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    call_id: str
    def __init__(self, call_id: _Optional[str] = ...) -> None: ...

class SelectAudioDevices(_message.Message):
    __slots__ = ("microphone", "speaker", "ringer", "reset_to_rules")
    MICROPHONE_FIELD_NUMBER: _ClassVar[int]
    SPEAKER_FIELD_NUMBER: _ClassVar[int]
    RINGER_FIELD_NUMBER: _ClassVar[int]
    RESET_TO_RULES_FIELD_NUMBER: _ClassVar[int]
    microphone: str
    speaker: str
    ringer: str
    reset_to_rules: bool
    def __init__(self, microphone: _Optional[str] = ..., speaker: _Optional[str] = ..., ringer: _Optional[str] = ..., reset_to_rules: _Optional[bool] = ...) -> None: ...

class SetVolumes(_message.Message):
    __slots__ = ("microphone_volume", "speaker_volume", "ringer_volume", "microphone_muted")
    MICROPHONE_VOLUME_FIELD_NUMBER: _ClassVar[int]
    SPEAKER_VOLUME_FIELD_NUMBER: _ClassVar[int]
    RINGER_VOLUME_FIELD_NUMBER: _ClassVar[int]
    MICROPHONE_MUTED_FIELD_NUMBER: _ClassVar[int]
    microphone_volume: int
    speaker_volume: int
    ringer_volume: int
    microphone_muted: bool
    def __init__(self, microphone_volume: _Optional[int] = ..., speaker_volume: _Optional[int] = ..., ringer_volume: _Optional[int] = ..., microphone_muted: _Optional[bool] = ...) -> None: ...

class GetSnapshot(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CollectDiagnostics(_message.Message):
    __slots__ = ("include_sip_trace",)
    INCLUDE_SIP_TRACE_FIELD_NUMBER: _ClassVar[int]
    include_sip_trace: bool
    def __init__(self, include_sip_trace: _Optional[bool] = ...) -> None: ...

class TestAudioDevices(_message.Message):
    __slots__ = ("duration_ms",)
    DURATION_MS_FIELD_NUMBER: _ClassVar[int]
    duration_ms: int
    def __init__(self, duration_ms: _Optional[int] = ...) -> None: ...

class Command(_message.Message):
    __slots__ = ("request_id", "configure", "register", "unregister", "dial", "answer", "reject", "hangup", "hold", "retrieve", "mute", "send_dtmf", "blind_transfer", "attended_transfer", "merge", "split", "select_audio_devices", "set_volumes", "get_snapshot", "collect_diagnostics", "test_audio_devices")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CONFIGURE_FIELD_NUMBER: _ClassVar[int]
    REGISTER_FIELD_NUMBER: _ClassVar[int]
    UNREGISTER_FIELD_NUMBER: _ClassVar[int]
    DIAL_FIELD_NUMBER: _ClassVar[int]
    ANSWER_FIELD_NUMBER: _ClassVar[int]
    REJECT_FIELD_NUMBER: _ClassVar[int]
    HANGUP_FIELD_NUMBER: _ClassVar[int]
    HOLD_FIELD_NUMBER: _ClassVar[int]
    RETRIEVE_FIELD_NUMBER: _ClassVar[int]
    MUTE_FIELD_NUMBER: _ClassVar[int]
    SEND_DTMF_FIELD_NUMBER: _ClassVar[int]
    BLIND_TRANSFER_FIELD_NUMBER: _ClassVar[int]
    ATTENDED_TRANSFER_FIELD_NUMBER: _ClassVar[int]
    MERGE_FIELD_NUMBER: _ClassVar[int]
    SPLIT_FIELD_NUMBER: _ClassVar[int]
    SELECT_AUDIO_DEVICES_FIELD_NUMBER: _ClassVar[int]
    SET_VOLUMES_FIELD_NUMBER: _ClassVar[int]
    GET_SNAPSHOT_FIELD_NUMBER: _ClassVar[int]
    COLLECT_DIAGNOSTICS_FIELD_NUMBER: _ClassVar[int]
    TEST_AUDIO_DEVICES_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    configure: Configure
    register: Register
    unregister: Unregister
    dial: Dial
    answer: Answer
    reject: Reject
    hangup: Hangup
    hold: Hold
    retrieve: Retrieve
    mute: Mute
    send_dtmf: SendDtmf
    blind_transfer: BlindTransfer
    attended_transfer: AttendedTransfer
    merge: Merge
    split: Split
    select_audio_devices: SelectAudioDevices
    set_volumes: SetVolumes
    get_snapshot: GetSnapshot
    collect_diagnostics: CollectDiagnostics
    test_audio_devices: TestAudioDevices
    def __init__(self, request_id: _Optional[str] = ..., configure: _Optional[_Union[Configure, _Mapping]] = ..., register: _Optional[_Union[Register, _Mapping]] = ..., unregister: _Optional[_Union[Unregister, _Mapping]] = ..., dial: _Optional[_Union[Dial, _Mapping]] = ..., answer: _Optional[_Union[Answer, _Mapping]] = ..., reject: _Optional[_Union[Reject, _Mapping]] = ..., hangup: _Optional[_Union[Hangup, _Mapping]] = ..., hold: _Optional[_Union[Hold, _Mapping]] = ..., retrieve: _Optional[_Union[Retrieve, _Mapping]] = ..., mute: _Optional[_Union[Mute, _Mapping]] = ..., send_dtmf: _Optional[_Union[SendDtmf, _Mapping]] = ..., blind_transfer: _Optional[_Union[BlindTransfer, _Mapping]] = ..., attended_transfer: _Optional[_Union[AttendedTransfer, _Mapping]] = ..., merge: _Optional[_Union[Merge, _Mapping]] = ..., split: _Optional[_Union[Split, _Mapping]] = ..., select_audio_devices: _Optional[_Union[SelectAudioDevices, _Mapping]] = ..., set_volumes: _Optional[_Union[SetVolumes, _Mapping]] = ..., get_snapshot: _Optional[_Union[GetSnapshot, _Mapping]] = ..., collect_diagnostics: _Optional[_Union[CollectDiagnostics, _Mapping]] = ..., test_audio_devices: _Optional[_Union[TestAudioDevices, _Mapping]] = ...) -> None: ...

class Error(_message.Message):
    __slots__ = ("code", "reason")
    CODE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    code: ErrorCode
    reason: str
    def __init__(self, code: _Optional[_Union[ErrorCode, str]] = ..., reason: _Optional[str] = ...) -> None: ...

class DialOk(_message.Message):
    __slots__ = ("call_id",)
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    call_id: str
    def __init__(self, call_id: _Optional[str] = ...) -> None: ...

class Diagnostics(_message.Message):
    __slots__ = ("adapter_version", "engine_version", "log_lines", "sip_trace", "snapshot")
    ADAPTER_VERSION_FIELD_NUMBER: _ClassVar[int]
    ENGINE_VERSION_FIELD_NUMBER: _ClassVar[int]
    LOG_LINES_FIELD_NUMBER: _ClassVar[int]
    SIP_TRACE_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_FIELD_NUMBER: _ClassVar[int]
    adapter_version: str
    engine_version: str
    log_lines: _containers.RepeatedScalarFieldContainer[str]
    sip_trace: _containers.RepeatedScalarFieldContainer[str]
    snapshot: _common_pb2.Snapshot
    def __init__(self, adapter_version: _Optional[str] = ..., engine_version: _Optional[str] = ..., log_lines: _Optional[_Iterable[str]] = ..., sip_trace: _Optional[_Iterable[str]] = ..., snapshot: _Optional[_Union[_common_pb2.Snapshot, _Mapping]] = ...) -> None: ...

class AudioTestResult(_message.Message):
    __slots__ = ("microphone_level_dbfs", "speaker_level_dbfs", "microphone", "speaker")
    MICROPHONE_LEVEL_DBFS_FIELD_NUMBER: _ClassVar[int]
    SPEAKER_LEVEL_DBFS_FIELD_NUMBER: _ClassVar[int]
    MICROPHONE_FIELD_NUMBER: _ClassVar[int]
    SPEAKER_FIELD_NUMBER: _ClassVar[int]
    microphone_level_dbfs: float
    speaker_level_dbfs: float
    microphone: str
    speaker: str
    def __init__(self, microphone_level_dbfs: _Optional[float] = ..., speaker_level_dbfs: _Optional[float] = ..., microphone: _Optional[str] = ..., speaker: _Optional[str] = ...) -> None: ...

class Ok(_message.Message):
    __slots__ = ("dial", "snapshot", "diagnostics", "audio_test")
    DIAL_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_FIELD_NUMBER: _ClassVar[int]
    DIAGNOSTICS_FIELD_NUMBER: _ClassVar[int]
    AUDIO_TEST_FIELD_NUMBER: _ClassVar[int]
    dial: DialOk
    snapshot: _common_pb2.Snapshot
    diagnostics: Diagnostics
    audio_test: AudioTestResult
    def __init__(self, dial: _Optional[_Union[DialOk, _Mapping]] = ..., snapshot: _Optional[_Union[_common_pb2.Snapshot, _Mapping]] = ..., diagnostics: _Optional[_Union[Diagnostics, _Mapping]] = ..., audio_test: _Optional[_Union[AudioTestResult, _Mapping]] = ...) -> None: ...

class Result(_message.Message):
    __slots__ = ("request_id", "ok", "error")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    OK_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    ok: Ok
    error: Error
    def __init__(self, request_id: _Optional[str] = ..., ok: _Optional[_Union[Ok, _Mapping]] = ..., error: _Optional[_Union[Error, _Mapping]] = ...) -> None: ...
