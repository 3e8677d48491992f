"""Virtual-channel byte pipes: the RDP static channel (WTS API) and Citrix ICA (WFAPI)."""

from protocol.vchannel.pipe import RDP_CHUNK, VirtualChannelPipe, VirtualChannelUnavailable

__all__ = ["RDP_CHUNK", "VirtualChannelPipe", "VirtualChannelUnavailable"]
