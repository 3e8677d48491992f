from protocol.softphone.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RegistrationChanged(_message.Message):
    __slots__ = ("registration",)
    REGISTRATION_FIELD_NUMBER: _ClassVar[int]
    registration: _common_pb2.Registration
    def __init__(self, registration: _Optional[_Union[_common_pb2.Registration, _Mapping]] = ...) -> None: ...

class CallChanged(_message.Message):
    __slots__ = ("call",)
    CALL_FIELD_NUMBER: _ClassVar[int]
    call: _common_pb2.Call
    def __init__(self, call: _Optional[_Union[_common_pb2.Call, _Mapping]] = ...) -> None: ...

class DtmfReceived(_message.Message):
    __slots__ = ("call_id", "digit", "method")
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    DIGIT_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    call_id: str
    digit: str
    method: _common_pb2.DtmfMethod
    def __init__(self, call_id: _Optional[str] = ..., digit: _Optional[str] = ..., method: _Optional[_Union[_common_pb2.DtmfMethod, str]] = ...) -> None: ...

class DeviceListChanged(_message.Message):
    __slots__ = ("devices", "change")
    DEVICES_FIELD_NUMBER: _ClassVar[int]
    CHANGE_FIELD_NUMBER: _ClassVar[int]
    devices: _containers.RepeatedCompositeFieldContainer[_common_pb2.AudioDevice]
    change: str
    def __init__(self, devices: _Optional[_Iterable[_Union[_common_pb2.AudioDevice, _Mapping]]] = ..., change: _Optional[str] = ...) -> None: ...

class ActiveDevicesChanged(_message.Message):
    __slots__ = ("active",)
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    active: _common_pb2.ActiveDevices
    def __init__(self, active: _Optional[_Union[_common_pb2.ActiveDevices, _Mapping]] = ...) -> None: ...

class AudioLevel(_message.Message):
    __slots__ = ("call_id", "microphone_dbfs", "speaker_dbfs")
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    MICROPHONE_DBFS_FIELD_NUMBER: _ClassVar[int]
    SPEAKER_DBFS_FIELD_NUMBER: _ClassVar[int]
    call_id: str
    microphone_dbfs: float
    speaker_dbfs: float
    def __init__(self, call_id: _Optional[str] = ..., microphone_dbfs: _Optional[float] = ..., speaker_dbfs: _Optional[float] = ...) -> None: ...

class QualityReport(_message.Message):
    __slots__ = ("quality",)
    QUALITY_FIELD_NUMBER: _ClassVar[int]
    quality: _common_pb2.CallQuality
    def __init__(self, quality: _Optional[_Union[_common_pb2.CallQuality, _Mapping]] = ...) -> None: ...

class WarningRaised(_message.Message):
    __slots__ = ("warning",)
    WARNING_FIELD_NUMBER: _ClassVar[int]
    warning: _common_pb2.AdapterWarning
    def __init__(self, warning: _Optional[_Union[_common_pb2.AdapterWarning, _Mapping]] = ...) -> None: ...

class Event(_message.Message):
    __slots__ = ("sequence", "unix_ms", "registration", "call", "dtmf", "device_list", "active_devices", "audio_level", "quality", "warning")
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    UNIX_MS_FIELD_NUMBER: _ClassVar[int]
    REGISTRATION_FIELD_NUMBER: _ClassVar[int]
    CALL_FIELD_NUMBER: _ClassVar[int]
    DTMF_FIELD_NUMBER: _ClassVar[int]
    DEVICE_LIST_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_DEVICES_FIELD_NUMBER: _ClassVar[int]
    AUDIO_LEVEL_FIELD_NUMBER: _ClassVar[int]
    QUALITY_FIELD_NUMBER: _ClassVar[int]
    WARNING_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    unix_ms: int
    registration: RegistrationChanged
    call: CallChanged
    dtmf: DtmfReceived
    device_list: DeviceListChanged
    active_devices: ActiveDevicesChanged
    audio_level: AudioLevel
    quality: QualityReport
    warning: WarningRaised
    def __init__(self, sequence: _Optional[int] = ..., unix_ms: _Optional[int] = ..., registration: _Optional[_Union[RegistrationChanged, _Mapping]] = ..., call: _Optional[_Union[CallChanged, _Mapping]] = ..., dtmf: _Optional[_Union[DtmfReceived, _Mapping]] = ..., device_list: _Optional[_Union[DeviceListChanged, _Mapping]] = ..., active_devices: _Optional[_Union[ActiveDevicesChanged, _Mapping]] = ..., audio_level: _Optional[_Union[AudioLevel, _Mapping]] = ..., quality: _Optional[_Union[QualityReport, _Mapping]] = ..., warning: _Optional[_Union[WarningRaised, _Mapping]] = ...) -> None: ...
