"""Scenario files: a documented TOML schema, validated with errors naming the line.

Theory of operation
-------------------
A scenario is what QA would otherwise do by hand: "a customer calls, the agent
answers through the CTI app, the session lags, the call is held...". The file is
TOML (``tomllib`` ships with Python)::

    name = "answer through the connector"
    profile = "wan"                       # channel impairment, or a table of fields
    [[peer]]
    name = "customer"                     # a simulated caller/callee (own pjsua2 process)
    [[step]]
    action = "incoming_call"
    from = "customer"
    [[step]]
    action = "expect"
    call_state = "ringing"
    within = "5s"

``load_scenario`` parses and validates everything before anything runs: unknown
actions or keys, missing required keys, wrong types, unknown peers, bad durations
or frequencies. Each error names the file and line (``tomllib`` gives no positions,
so the nth ``[[step]]`` header and the key's line within it are found in the text).
The runner (``simulator/runner.py``) only ever sees valid steps.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from protocol.impairment import PROFILES, ImpairmentProfile


class ScenarioError(Exception):
    """A scenario file is not valid; the message names the file and line."""


# action -> (required keys, optional keys)
ACTIONS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "register": (frozenset(), frozenset({"line"})),
    "unregister": (frozenset(), frozenset({"line"})),
    "incoming_call": (frozenset({"from"}), frozenset({"headers", "answer_after"})),
    "dial": (frozenset({"to"}), frozenset({"via"})),
    "answer": (frozenset(), frozenset({"via", "call", "by"})),
    "reject": (frozenset(), frozenset({"code", "call"})),
    "hangup": (frozenset(), frozenset({"by", "call", "via"})),
    "hold": (frozenset(), frozenset({"via", "call", "by"})),
    "retrieve": (frozenset(), frozenset({"via", "call", "by"})),
    "mute": (frozenset(), frozenset({"call", "via"})),
    "unmute": (frozenset(), frozenset({"call", "via"})),
    "dtmf": (frozenset({"digits"}), frozenset({"method", "by", "call", "via"})),
    "transfer": (frozenset({"to"}), frozenset({"mode", "call", "via"})),
    "conference": (frozenset(), frozenset({"call", "with", "via"})),
    "play": (frozenset({"by"}), frozenset({"tone", "file"})),
    "cut_channel": (frozenset({"for"}), frozenset()),
    "restart_adapter": (frozenset(), frozenset()),
    "plug_device": (frozenset({"name"}), frozenset()),
    "unplug_device": (frozenset({"name"}), frozenset()),
    "wait": (frozenset({"for"}), frozenset()),
    "expect": (
        frozenset(),
        frozenset(
            {
                "call_state",
                "registration",
                "link",
                "dtmf",
                "audio",
                "tone",
                "calls",
                "held",
                "muted",
                "call",
                "within",
                "peer",
                "peer_state",
                "end_reason",
                "dtmf_tones",
                "peer_media",
                "mos_at_least",
                "mos_at_most",
                "loss_rx_at_least",
                "active_speaker",
                "active_microphone",
            }
        ),
    ),
}
VIA = frozenset({"connector", "notify", "ui", "adapter"})
#: Which ways of acting each action supports (connector: the CTI app; ui: the agent's
#: window; notify: the server by NOTIFY; adapter: the app's own command).
VIA_BY_ACTION = {
    "answer": frozenset({"connector", "notify", "ui", "adapter"}),
    "hold": frozenset({"connector", "notify", "ui"}),
    "retrieve": frozenset({"connector", "notify", "ui"}),
    "hangup": frozenset({"connector", "ui"}),
    "mute": frozenset({"connector", "ui"}),
    "unmute": frozenset({"connector", "ui"}),
    "dial": frozenset({"connector", "adapter"}),
}
CALL_STATES = frozenset(
    {"dialing", "ringback", "ringing", "connecting", "connected", "ended", "none"}
)
REGISTRATION_STATES = frozenset(
    {"registered", "unregistered", "failed", "registering", "standalone"}
)
LINK_STATES = frozenset({"connected", "reconnecting", "incompatible", "unreachable"})
DTMF_METHODS = frozenset({"rfc2833", "info", "inband"})
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|min)?\s*$")
_FREQUENCY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(hz)?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Step:
    action: str
    args: dict[str, Any]
    line: int

    def describe(self) -> str:
        args = " ".join(f"{k}={v}" for k, v in self.args.items())
        return f"{self.action} {args}".strip()


@dataclass(frozen=True)
class PeerSpec:
    name: str
    user: str
    #: Answer incoming calls by itself at once (a colleague's phone on auto-answer).
    auto_answer: bool = False


@dataclass(frozen=True)
class Scenario:
    name: str
    source: Path
    profile: ImpairmentProfile
    peers: tuple[PeerSpec, ...]
    steps: tuple[Step, ...]
    description: str = ""
    registrar: bool = True
    rtp_loss_pct: float = 0.0
    rtp_jitter_ms: float = 0.0
    tags: tuple[str, ...] = field(default_factory=tuple)
    #: Protocol version the app claims, to rehearse a version mismatch (None: ours).
    app_protocol: tuple[int, int] | None = None
    #: Sound devices plugged at the start (a private PulseAudio); None: no devices.
    sound: tuple[str, ...] | None = None
    #: The agent's configuration, in the schema of the user's config file (docs/config.md).
    config: dict[str, Any] = field(default_factory=dict)


def parse_duration(value: Any) -> float:
    """``"5s"``, ``"250ms"``, ``"1min"`` or a number of seconds, as seconds."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    match = _DURATION.match(str(value))
    if not match:
        raise ValueError(f"{value!r} is not a duration (e.g. 5s, 250ms, 1min)")
    number, unit = float(match.group(1)), match.group(2) or "s"
    return number * {"ms": 0.001, "s": 1.0, "min": 60.0}[unit]


def parse_frequency(value: Any) -> float:
    match = _FREQUENCY.match(str(value))
    if not match:
        raise ValueError(f"{value!r} is not a frequency (e.g. 440Hz)")
    return float(match.group(1))


def load_scenario(path: Path) -> Scenario:
    text = path.read_text()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(f"{path}: not valid TOML: {error}") from None
    return _Validator(path, text).scenario(data)


class _Validator:
    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()
        self.step_lines = [i + 1 for i, line in enumerate(self.lines) if line.strip() == "[[step]]"]

    def fail(self, line: int, message: str) -> ScenarioError:
        return ScenarioError(f"{self.path}:{line}: {message}")

    def key_line(self, step_index: int, key: str) -> int:
        start = self.step_lines[step_index] if step_index < len(self.step_lines) else 1
        for number in range(start, len(self.lines) + 1):
            stripped = self.lines[number - 1].strip()
            if number > start and stripped.startswith("["):
                break
            if re.match(rf'^"?{re.escape(key)}"?\s*=', stripped):
                return number
        return start

    def top_line(self, key: str) -> int:
        for number, line in enumerate(self.lines, 1):
            if re.match(rf"^{re.escape(key)}\s*=", line.strip()):
                return number
        return 1

    def scenario(self, data: dict[str, Any]) -> Scenario:
        known = {
            "name",
            "description",
            "profile",
            "peer",
            "step",
            "registrar",
            "rtp_loss_pct",
            "rtp_jitter_ms",
            "tags",
            "app_protocol",
            "config",
            "sound",
        }
        for key in data:
            if key not in known:
                raise self.fail(
                    self.top_line(key), f"unknown top-level key {key!r}; known: {sorted(known)}"
                )
        name = data.get("name")
        if not isinstance(name, str) or not name:
            raise self.fail(1, 'a scenario needs a name = "..."')
        peers = self.peers(data.get("peer", []))
        steps = data.get("step")
        if not isinstance(steps, list) or not steps:
            raise self.fail(len(self.lines) or 1, "a scenario needs at least one [[step]]")
        parsed = tuple(self.step(i, s, {p.name for p in peers}) for i, s in enumerate(steps))
        return Scenario(
            name=name,
            source=self.path,
            profile=self.profile(data.get("profile", "lan")),
            peers=peers,
            steps=parsed,
            description=str(data.get("description", "")),
            registrar=bool(data.get("registrar", True)),
            rtp_loss_pct=self.percent(data.get("rtp_loss_pct", 0.0), "rtp_loss_pct"),
            rtp_jitter_ms=self.percent(data.get("rtp_jitter_ms", 0.0), "rtp_jitter_ms", 1000.0),
            tags=tuple(data.get("tags", ())),
            app_protocol=self.app_protocol(data.get("app_protocol")),
            config=self.config(data.get("config", {})),
            sound=self.sound(data.get("sound")),
        )

    def sound(self, value: Any) -> tuple[str, ...] | None:
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(
                self.top_line("sound"), 'sound lists device names, e.g. ["Jabra EVOLVE 40"]'
            )
        return tuple(value)

    def config(self, value: Any) -> dict[str, Any]:
        from app_layer.config import parse_settings

        if not isinstance(value, dict):
            raise self.fail(self.top_line("config"), "config must be a table ([config.calls] ...)")
        _settings, problems = parse_settings(value, f"{self.path} [config]")
        if problems:
            line = next(
                (n for n, t in enumerate(self.lines, 1) if t.strip().startswith("[config")), 1
            )
            raise self.fail(line, "; ".join(str(p) for p in problems))
        return value

    def percent(self, value: Any, key: str, high: float = 100.0) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= high:
            raise self.fail(self.top_line(key), f"{key} must be a number from 0 to {high:g}")
        return float(value)

    def app_protocol(self, value: Any) -> tuple[int, int] | None:
        if value is None:
            return None
        match = re.fullmatch(r"(\d+)\.(\d+)", str(value))
        if not match:
            raise self.fail(
                self.top_line("app_protocol"), f"app_protocol {value!r} is not MAJOR.MINOR"
            )
        return int(match.group(1)), int(match.group(2))

    def profile(self, value: Any) -> ImpairmentProfile:
        line = self.top_line("profile")
        if isinstance(value, str):
            if value not in PROFILES:
                raise self.fail(line, f"unknown profile {value!r}; known: {sorted(PROFILES)}")
            return PROFILES[value]
        if isinstance(value, dict):
            base = PROFILES.get(str(value.get("base", "lan")))
            if base is None:
                raise self.fail(line, f"unknown base profile {value.get('base')!r}")
            changes = {k: v for k, v in value.items() if k != "base"}
            try:
                return base.with_changes(**changes)
            except TypeError as error:
                raise self.fail(line, f"bad profile field: {error}") from None
        raise self.fail(line, "profile must be a name or a table of fields")

    def peers(self, raw: Any) -> tuple[PeerSpec, ...]:
        if not isinstance(raw, list):
            raise self.fail(self.top_line("peer"), "peers are [[peer]] tables")
        peers = []
        for index, item in enumerate(raw):
            name = item.get("name") if isinstance(item, dict) else None
            if not isinstance(name, str) or not name:
                raise self.fail(1, f"peer #{index + 1} needs a name")
            user = str(item.get("user", ""))
            if not user.isdigit():
                raise self.fail(
                    1, f'peer {name!r} needs a numeric user (its extension), e.g. user = "5001"'
                )
            peers.append(PeerSpec(name, user, bool(item.get("auto_answer", False))))
        return tuple(peers)

    def step(self, index: int, raw: Any, peers: set[str]) -> Step:
        line = self.step_lines[index] if index < len(self.step_lines) else 1
        if not isinstance(raw, dict) or "action" not in raw:
            raise self.fail(line, "each [[step]] needs an action")
        action = raw["action"]
        if action not in ACTIONS:
            raise self.fail(
                self.key_line(index, "action"),
                f"unknown action {action!r}; known: {', '.join(sorted(ACTIONS))}",
            )
        required, optional = ACTIONS[action]
        args = {k: v for k, v in raw.items() if k != "action"}
        for key in args:
            if key not in required | optional:
                allowed = ", ".join(sorted(required | optional)) or "none"
                raise self.fail(
                    self.key_line(index, key), f"{action}: unknown key {key!r} (allowed: {allowed})"
                )
        for key in required - args.keys():
            raise self.fail(line, f"{action}: missing required key {key!r}")
        for key, value in args.items():
            self.check_value(index, action, key, value, peers)
        if action == "expect" and not (set(args) - {"within", "call", "peer"}):
            raise self.fail(
                line, "expect: say what to expect (call_state, registration, link, dtmf, tone...)"
            )
        return Step(action, args, line)

    def check_value(self, index: int, action: str, key: str, value: Any, peers: set[str]) -> None:
        line = self.key_line(index, key)
        try:
            _check(action, key, value, peers)
        except ValueError as error:
            raise self.fail(line, f"{action}: {key}: {error}") from None


def _one_of(value: Any, allowed: frozenset[str]) -> None:
    if value not in allowed:
        raise ValueError(f"{value!r} is not one of {', '.join(sorted(allowed))}")


def _check(action: str, key: str, value: Any, peers: set[str]) -> None:
    if key in ("for", "within", "answer_after"):
        parse_duration(value)
    elif key in ("tone",):
        parse_frequency(value)
    elif key == "via":
        _one_of(value, VIA_BY_ACTION.get(action, frozenset({"connector"})))
    elif key in ("call_state", "peer_state"):
        _one_of(value, CALL_STATES)
    elif key == "registration":
        _one_of(value, REGISTRATION_STATES)
    elif key == "link":
        _one_of(value, LINK_STATES)
    elif key == "method":
        _one_of(value, DTMF_METHODS)
    elif key == "mode":
        _one_of(value, frozenset({"blind", "attended"}))
    elif key == "code" and value not in (486, 603):
        raise ValueError(f"{value!r}: reject with 486 or 603")
    elif key == "digits" and not re.fullmatch(r"[0-9*#A-Da-d]+", str(value)):
        raise ValueError(f"{value!r}: digits are 0-9, *, #, A-D")
    elif key in ("from", "peer", "with") or (key in ("to", "by") and value not in ("agent",)):
        if key == "to" and isinstance(value, str) and (value.startswith("sip:") or value.isdigit()):
            return
        if value not in peers:
            raise ValueError(
                f"no peer named {value!r} (peers: {', '.join(sorted(peers)) or 'none'})"
            )
    elif key == "dtmf_tones" and not re.fullmatch(r"[0-9*#A-D]+", str(value)):
        raise ValueError(f"{value!r}: digits are 0-9, *, #, A-D")
    elif key == "peer_media":
        _one_of(value, frozenset({"active", "remote_hold", "local_hold", "none"}))
    elif key in ("mos_at_least", "mos_at_most", "loss_rx_at_least") and (
        isinstance(value, bool) or not isinstance(value, int | float)
    ):
        raise ValueError(f"{value!r} is not a number")
    elif key in ("calls",) and not isinstance(value, int):
        raise ValueError(f"{value!r} is not a number of calls")
    elif key in ("held", "muted") and not isinstance(value, bool):
        raise ValueError(f"{value!r} is not true or false")
