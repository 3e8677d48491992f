"""QA's simulator: both halves of the phone over the loopback channel, with SIP peers."""
