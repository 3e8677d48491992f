from protocol.softphone.v1 import commands_pb2 as _commands_pb2
from protocol.softphone.v1 import common_pb2 as _common_pb2
from protocol.softphone.v1 import events_pb2 as _events_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Role(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ROLE_UNSPECIFIED: _ClassVar[Role]
    ROLE_APP: _ClassVar[Role]
    ROLE_ADAPTER: _ClassVar[Role]

class GoodbyeReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    GOODBYE_REASON_UNSPECIFIED: _ClassVar[GoodbyeReason]
    GOODBYE_REASON_SHUTDOWN: _ClassVar[GoodbyeReason]
    GOODBYE_REASON_INCOMPATIBLE_VERSION: _ClassVar[GoodbyeReason]
    GOODBYE_REASON_PROTOCOL_ERROR: _ClassVar[GoodbyeReason]
    GOODBYE_REASON_UNAUTHORIZED: _ClassVar[GoodbyeReason]
    GOODBYE_REASON_REPLACED: _ClassVar[GoodbyeReason]
ROLE_UNSPECIFIED: Role
ROLE_APP: Role
ROLE_ADAPTER: Role
GOODBYE_REASON_UNSPECIFIED: GoodbyeReason
GOODBYE_REASON_SHUTDOWN: GoodbyeReason
GOODBYE_REASON_INCOMPATIBLE_VERSION: GoodbyeReason
GOODBYE_REASON_PROTOCOL_ERROR: GoodbyeReason
GOODBYE_REASON_UNAUTHORIZED: GoodbyeReason
GOODBYE_REASON_REPLACED: GoodbyeReason

class ProtocolVersion(_message.Message):
    __slots__ = ("major", "minor")
    MAJOR_FIELD_NUMBER: _ClassVar[int]
    MINOR_FIELD_NUMBER: _ClassVar[int]
    major: int
    minor: int
    def __init__(self, major: _Optional[int] = ..., minor: _Optional[int] = ...) -> None: ...

class Capabilities(_message.Message):
    __slots__ = ("codecs", "dtmf_methods", "sip_transports", "features")
    CODECS_FIELD_NUMBER: _ClassVar[int]
    DTMF_METHODS_FIELD_NUMBER: _ClassVar[int]
    SIP_TRANSPORTS_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    codecs: _containers.RepeatedScalarFieldContainer[str]
    dtmf_methods: _containers.RepeatedScalarFieldContainer[_common_pb2.DtmfMethod]
    sip_transports: _containers.RepeatedScalarFieldContainer[str]
    features: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, codecs: _Optional[_Iterable[str]] = ..., dtmf_methods: _Optional[_Iterable[_Union[_common_pb2.DtmfMethod, str]]] = ..., sip_transports: _Optional[_Iterable[str]] = ..., features: _Optional[_Iterable[str]] = ...) -> None: ...

class Hello(_message.Message):
    __slots__ = ("role", "protocol", "software_version", "capabilities", "instance_id", "last_sequence")
    ROLE_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_FIELD_NUMBER: _ClassVar[int]
    SOFTWARE_VERSION_FIELD_NUMBER: _ClassVar[int]
    CAPABILITIES_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    LAST_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    role: Role
    protocol: ProtocolVersion
    software_version: str
    capabilities: Capabilities
    instance_id: str
    last_sequence: int
    def __init__(self, role: _Optional[_Union[Role, str]] = ..., protocol: _Optional[_Union[ProtocolVersion, _Mapping]] = ..., software_version: _Optional[str] = ..., capabilities: _Optional[_Union[Capabilities, _Mapping]] = ..., instance_id: _Optional[str] = ..., last_sequence: _Optional[int] = ...) -> None: ...

class Heartbeat(_message.Message):
    __slots__ = ("unix_ms",)
    UNIX_MS_FIELD_NUMBER: _ClassVar[int]
    unix_ms: int
    def __init__(self, unix_ms: _Optional[int] = ...) -> None: ...

class Goodbye(_message.Message):
    __slots__ = ("reason", "message")
    REASON_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    reason: GoodbyeReason
    message: str
    def __init__(self, reason: _Optional[_Union[GoodbyeReason, str]] = ..., message: _Optional[str] = ...) -> None: ...

class Envelope(_message.Message):
    __slots__ = ("hello", "command", "result", "event", "heartbeat", "goodbye")
    HELLO_FIELD_NUMBER: _ClassVar[int]
    COMMAND_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    EVENT_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_FIELD_NUMBER: _ClassVar[int]
    GOODBYE_FIELD_NUMBER: _ClassVar[int]
    hello: Hello
    command: _commands_pb2.Command
    result: _commands_pb2.Result
    event: _events_pb2.Event
    heartbeat: Heartbeat
    goodbye: Goodbye
    def __init__(self, hello: _Optional[_Union[Hello, _Mapping]] = ..., command: _Optional[_Union[_commands_pb2.Command, _Mapping]] = ..., result: _Optional[_Union[_commands_pb2.Result, _Mapping]] = ..., event: _Optional[_Union[_events_pb2.Event, _Mapping]] = ..., heartbeat: _Optional[_Union[Heartbeat, _Mapping]] = ..., goodbye: _Optional[_Union[Goodbye, _Mapping]] = ...) -> None: ...
