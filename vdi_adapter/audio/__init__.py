"""Sound devices and the per-call media bridge of the VDI adapter."""
