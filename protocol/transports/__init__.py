"""Transports: ways to get a ``MessageChannel`` between the two halves."""
