"""The channel between the app layer and the VDI adapter.

Wire contract (``softphone.v1`` protobuf envelopes), framing over byte pipes,
transports (loopback simulator, byte streams, gRPC) and the sans-I/O session core
that both halves run.
"""

#: Protocol version spoken by this build: majors must match, minors interoperate.
PROTOCOL_MAJOR = 1
PROTOCOL_MINOR = 0

#: Software version of this build, shown in the UI and diagnostics.
SOFTWARE_VERSION = "0.1.0"
