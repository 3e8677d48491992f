"""The VDI adapter: SIP signalling, media and audio devices on the workstation."""
