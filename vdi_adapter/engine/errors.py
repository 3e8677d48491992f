"""The error a command handler raises; the engine turns it into ``pb.Error``."""

from __future__ import annotations

from typing import Any

from protocol import pb


class CommandError(Exception):
    """A command cannot be carried out; ``reason`` is safe to show to the agent."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason

    def to_pb(self) -> pb.Error:
        return pb.Error(code=self.code, reason=self.reason)  # type: ignore[arg-type]


def not_found(what: str, ident: str) -> CommandError:
    return CommandError(pb.ERROR_CODE_NOT_FOUND, f"no {what} with id {ident!r}")


def invalid_argument(reason: str) -> CommandError:
    return CommandError(pb.ERROR_CODE_INVALID_ARGUMENT, reason)


def invalid_state(reason: str) -> CommandError:
    return CommandError(pb.ERROR_CODE_INVALID_STATE, reason)


def sip_failure(action: str, error: Any) -> CommandError:
    """A pjsua2 ``Error`` (or any exception) from ``action``, with pjsip's reason."""
    reason = getattr(error, "reason", "") or str(error)
    return CommandError(pb.ERROR_CODE_UNAVAILABLE, f"{action} failed: {reason}")
