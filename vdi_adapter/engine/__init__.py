"""The SIP engine of the VDI adapter (pjsua2): ``Engine`` takes commands, publishes events."""

from vdi_adapter.engine.engine import Engine

__all__ = ["Engine"]
