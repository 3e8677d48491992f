"""Reading the few SIP headers and bodies the engine acts on, as pure functions.

Theory of operation: pjsua2 hands the engine whole SIP messages as text
(``SipRxData.wholeMsg``). The engine needs only a handful of facts from them: the
auto-answer request of an INVITE (``Call-Info: <...>;answer-after=N``, RFC 5373's
predecessors as BroadSoft/Polycom use them, and the common ``Alert-Info`` values), the
package of a NOTIFY (``Event: talk`` / ``hold``, the BroadSoft remote-control events)
and the digits of an ``application/dtmf-relay`` body. Parsing stays here, apart from
the pjsua2 driver, so it is unit-tested on recorded messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Compact header forms (RFC 3261 section 7.3.3) for the headers read here.
_COMPACT = {"o": "event", "c": "content-type", "l": "content-length"}

#: Alert-Info values that ask the callee to answer at once.
_AUTO_ANSWER_ALERTS = ("auto answer", "ring answer", "alert-autoanswer", "intercom")

DTMF_DIGITS = frozenset("0123456789*#ABCD")


@dataclass(frozen=True)
class SipMessage:
    """The start line, headers (lower-case names, in order) and body of one message."""

    start_line: str
    headers: tuple[tuple[str, str], ...]
    body: str

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive), or None."""
        values = self.header_values(name)
        return values[0] if values else None

    def header_values(self, name: str) -> list[str]:
        wanted = name.lower()
        return [value for key, value in self.headers if key == wanted]

    @property
    def method(self) -> str:
        """Request method, or '' for a response."""
        first = self.start_line.split(" ", 1)[0]
        return "" if first.startswith("SIP/") else first


def parse_message(text: str) -> SipMessage:
    """Split a SIP message; folded header lines are joined (RFC 3261 section 7.3.1)."""
    head, _, body = text.replace("\r\n", "\n").partition("\n\n")
    lines = head.split("\n")
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and headers:
            key, value = headers[-1]
            headers[-1] = (key, f"{value} {line.strip()}")
            continue
        key, sep, value = line.partition(":")
        if sep:
            name = key.strip().lower()
            headers.append((_COMPACT.get(name, name), value.strip()))
    return SipMessage(start_line=lines[0].strip(), headers=tuple(headers), body=body)


def auto_answer_request(message: SipMessage) -> int | None:
    """Seconds after which the caller asks us to answer, or None if it does not ask."""
    for value in message.header_values("call-info"):
        found = re.search(r"answer-after\s*=\s*(\d+)", value, re.IGNORECASE)
        if found:
            return int(found.group(1))
    for value in message.header_values("alert-info"):
        lowered = value.lower()
        if any(alert in lowered for alert in _AUTO_ANSWER_ALERTS):
            return 0
    return None


def event_package(message: SipMessage) -> str:
    """The package of an Event header without its parameters, lower-case ('' if none)."""
    value = message.header("event") or ""
    return value.split(";", 1)[0].strip().lower()


def dtmf_relay_digits(body: str) -> tuple[str, int]:
    """Digits and duration (ms, 0 if absent) of an application/dtmf-relay body."""
    digits = ""
    duration = 0
    for line in body.replace("\r\n", "\n").split("\n"):
        key, sep, value = line.partition("=")
        if not sep:
            continue
        key, value = key.strip().lower(), value.strip()
        if key == "signal":
            digits += "".join(c for c in value.upper() if c in DTMF_DIGITS)
        elif key == "duration" and value.isdigit():
            duration = int(value)
    return digits, duration


def content_type(message: SipMessage) -> str:
    return (message.header("content-type") or "").split(";", 1)[0].strip().lower()


def dial_target(to: str, domain: str) -> str:
    """A SIP URI for a dial string: URIs are kept, plain digits go to ``domain``.

    Raises ValueError with a reason safe to show the agent.
    """
    text = to.strip()
    if not text:
        raise ValueError("nothing to dial")
    if text.lower().startswith(("sip:", "sips:")):
        if "@" not in text and not re.match(r"sips?:[\w.\-\[\]:]+$", text, re.IGNORECASE):
            raise ValueError(f"not a SIP URI: {text}")
        return text
    digits = re.sub(r"[\s\-().]", "", text)
    if not re.fullmatch(r"\+?[0-9*#]+", digits):
        raise ValueError(f"not a number or SIP URI: {text}")
    if not domain:
        raise ValueError("cannot dial a number without a SIP domain (standalone account)")
    return f"sip:{digits}@{domain}"


_SECRET_HEADER = re.compile(
    r"^((?:Proxy-)?Authorization:\s*\w+)\s.*$", re.IGNORECASE | re.MULTILINE
)


def redact(text: str) -> str:
    """Remove digest credentials from a SIP trace line or message."""
    return _SECRET_HEADER.sub(r"\1 <redacted>", text)
