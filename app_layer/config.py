"""Per-user configuration: one TOML file, overridden by environment variables and flags.

Theory of operation
-------------------
``load_settings`` reads the file (schema in docs/config.md), walks it key by key and
builds frozen ``Settings``. A bad value never stops the app: it is reported as a
``ConfigProblem`` naming the file, the key and what is allowed, and the key's safe
default is used instead. A file that is not TOML at all is reported once, and the
defaults apply. Environment variables (``SOFTPHONE_*``) then flags win over the file.

The settings themselves live in ``app_layer.settings`` and are re-exported here.
"""

from __future__ import annotations

import os
import re
import sys
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from app_layer.settings import (
    DEFAULT_CONNECTOR_PORT,
    DTMF_METHODS,
    LANGUAGES,
    LOG_LEVELS,
    SIP_TRANSPORTS,
    SRTP_POLICIES,
    TRANSPORT_KINDS,
    AutoAnswer,
    CallPolicySettings,
    ConfigProblem,
    ConnectorSettings,
    DeviceRuleSettings,
    Line,
    NetworkSettings,
    Secret,
    Settings,
    TransportSettings,
)


def default_config_dir(env: Mapping[str, str] | None = None) -> Path:
    """$XDG_CONFIG_HOME/softphone, or ~/.config/softphone."""
    env = os.environ if env is None else env
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "softphone"


def default_config_path(env: Mapping[str, str] | None = None) -> Path:
    return default_config_dir(env) / "config.toml"


# -- reading the file -------------------------------------------------------------------


class _Reader:
    """Reads typed values out of one TOML table, recording problems instead of raising."""

    def __init__(self, source: str, table: Mapping[str, Any], prefix: str) -> None:
        self.source = source
        self.table = table
        self.prefix = prefix
        self.problems: list[ConfigProblem] = []
        self._seen: set[str] = set()

    def problem(self, key: str, message: str) -> None:
        self.problems.append(ConfigProblem(self.source, self.prefix + key, message))

    def get(self, key: str, default: Any, check: Callable[[Any], str | None]) -> Any:
        self._seen.add(key)
        if key not in self.table:
            return default
        value = self.table[key]
        error = check(value)
        if error:
            self.problem(key, f"{error}; got {_shown(key, value)}, using {_shown(key, default)}")
            return default
        return value

    def text(self, key: str, default: str = "") -> str:
        return str(self.get(key, default, _is_str))

    def choice(self, key: str, default: str, allowed: tuple[str, ...] | Mapping[str, Any]) -> str:
        options = tuple(allowed)
        return str(self.get(key, default, lambda v: _is_choice(v, options)))

    def flag(self, key: str, default: bool) -> bool:
        return bool(self.get(key, default, _is_bool))

    def number(self, key: str, default: int, low: int, high: int) -> int:
        return int(self.get(key, default, lambda v: _is_int(v, low, high)))

    def names(self, key: str) -> tuple[str, ...]:
        return tuple(self.get(key, (), _is_patterns))

    def subtable(self, key: str) -> _Reader:
        self._seen.add(key)
        value = self.table.get(key, {})
        if not isinstance(value, dict):
            self.problem(key, f"must be a table ([{self.prefix}{key}]), got {type(value).__name__}")
            value = {}
        child = _Reader(self.source, value, f"{self.prefix}{key}.")
        child.problems = self.problems
        return child

    def finish(self) -> None:
        """Report keys nobody asked for: usually typos."""
        for key in sorted(set(self.table) - self._seen):
            self.problem(key, "unknown key (see docs/config.md)")


def _shown(key: str, value: Any) -> str:
    if key in ("password", "token") or isinstance(value, Secret):
        return "(hidden)"
    return repr(value)


def _is_str(value: Any) -> str | None:
    return None if isinstance(value, str) else "must be a string"


def _is_bool(value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def _is_int(value: Any, low: int, high: int) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return f"must be a whole number from {low} to {high}"
    return None


def _is_choice(value: Any, options: tuple[str, ...]) -> str | None:
    if value in options:
        return None
    return "must be one of " + ", ".join(f'"{o}"' for o in options)


def _is_patterns(value: Any) -> str | None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return "must be a list of strings"
    for pattern in value:
        try:
            re.compile(pattern)
        except re.error as exc:
            return f"{pattern!r} is not a valid regular expression ({exc})"
    return None


def _is_server(value: Any) -> str | None:
    match = re.fullmatch(r"[^\s:]+(?::(\d{1,5}))?", value) if isinstance(value, str) else None
    if not match:
        return 'must be "host" or "host:port"'
    if match.group(1) is not None and not 0 < int(match.group(1)) < 65536:
        return f"port {int(match.group(1))} is outside 1-65535"
    return None


def _is_codec(value: Any) -> str | None:
    if not isinstance(value, list) or not all(
        isinstance(v, str) and re.fullmatch(r"[\w.-]+/\d+", v) for v in value
    ):
        return 'must be a list like ["PCMU/8000", "G722/16000"]'
    return None


def _read_line(reader: _Reader, index: int, default_id: str) -> Line:
    line = Line(
        id=reader.text("id", default_id) or default_id,
        display_name=reader.text("display_name"),
        user=reader.text("user"),
        server=str(reader.get("server", "", _is_server)),
        transport=reader.choice("transport", "udp", SIP_TRANSPORTS),
        auth_user=reader.text("auth_user"),
        password=Secret(reader.text("password")),
        realm=reader.text("realm"),
        register=reader.flag("register", True),
        expiry_s=reader.number("expiry_s", 0, 0, 86_400),
        domain=reader.text("domain"),
        dtmf_method=reader.choice("dtmf_method", "", ("", *DTMF_METHODS)),
    )
    if line.server and not line.user:
        reader.problem("user", "a line with a server needs a user; the line is not registered")
        line = replace(line, register=False)
    reader.finish()
    return line


def _read_lines(root: _Reader) -> tuple[Line, ...]:
    root._seen.add("lines")
    raw = root.table.get("lines", [])
    if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
        root.problem("lines", "must be an array of tables ([[lines]])")
        return ()
    lines = []
    for n, table in enumerate(raw):
        reader = _Reader(root.source, table, f"lines[{n}].")
        reader.problems = root.problems
        lines.append(_read_line(reader, n, f"line{n + 1}"))
    ids = [line.id for line in lines]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        root.problem("lines", f'line id "{dup}" is used twice; ids must be unique')
    return tuple(lines)


def _read_transport(reader: _Reader) -> TransportSettings:
    settings = TransportSettings(
        kind=reader.choice("kind", "auto", TRANSPORT_KINDS),
        address=str(reader.get("address", "", _is_server)),
        path=reader.text("path"),
        tls=reader.flag("tls", True),
        ca_file=reader.text("ca_file"),
        token=Secret(reader.text("token")),
        allow_inproc=reader.flag("allow_inproc", False),
    )
    reader.finish()
    if settings.kind == "grpc" and not settings.address:
        reader.problem("address", 'kind "grpc" needs an address "host:port"; using "auto"')
        settings = replace(settings, kind="auto")
    if settings.kind == "unix" and not settings.path:
        reader.problem("path", 'kind "unix" needs a socket path; using "auto"')
        settings = replace(settings, kind="auto")
    return settings


def _read_connector(reader: _Reader) -> ConnectorSettings:
    settings = ConnectorSettings(
        port=reader.number("port", DEFAULT_CONNECTOR_PORT, 0, 65_535),
        token_file=reader.text("token_file"),
        https=reader.flag("https", False),
        certificate=reader.text("certificate"),
        private_key=reader.text("private_key"),
    )
    reader.finish()
    if settings.https and not (settings.certificate and settings.private_key):
        reader.problem("https", "HTTPS needs certificate and private_key; serving plain HTTP")
        settings = replace(settings, https=False)
    return settings


def _read_calls(reader: _Reader) -> dict[str, Any]:
    codecs = reader.get("codec_order", Settings.codec_order, _is_codec)
    dtmf = reader.choice("dtmf_method", "rfc2833", DTMF_METHODS)
    max_calls = reader.number("max_calls", 4, 1, 16)
    aa = reader.subtable("auto_answer")
    auto = AutoAnswer(
        enabled=aa.flag("enabled", False),
        delay_s=aa.number("delay_s", 0, 0, 60),
        honour_caller_request=aa.flag("honour_caller_request", False),
        when_busy=aa.flag("when_busy", False),
    )
    aa.finish()
    policy = _read_policy(reader.subtable("policy"))
    reader.finish()
    return {"codec_order": tuple(codecs), "dtmf_method": dtmf, "max_calls": max_calls} | {
        "auto_answer": auto,
        "policy": policy,
    }


def _read_policy(reader: _Reader) -> CallPolicySettings:
    default = CallPolicySettings()
    policy = CallPolicySettings(
        remote_control=reader.flag("remote_control", default.remote_control),
        remote_control_refusal_code=reader.get(
            "remote_control_refusal_code", 489, lambda v: _is_code(v, (489, 403))
        ),
        follow_refer=reader.flag("follow_refer", default.follow_refer),
        session_grace_period_s=reader.number("session_grace_period_s", 300, 5, 86_400),
        hangup_after_grace=reader.flag("hangup_after_grace", default.hangup_after_grace),
        missing_headset_reject_code=reader.get(
            "missing_headset_reject_code", 0, lambda v: _is_code(v, (0, 480, 486, 603))
        ),
        default_reject_code=reader.get(
            "default_reject_code", 486, lambda v: _is_code(v, (486, 603))
        ),
    )
    reader.finish()
    return policy


def _is_code(value: Any, allowed: tuple[int, ...]) -> str | None:
    if isinstance(value, bool) or value not in allowed:
        return "one of " + ", ".join(str(a) for a in allowed)
    return None


def _read_network(reader: _Reader) -> NetworkSettings:
    stun = reader.get("stun_server", "", _is_server)
    settings = NetworkSettings(
        sip_port=reader.number("sip_port", 0, 0, 65_535),
        srtp=reader.choice("srtp", "off", SRTP_POLICIES),
        stun_server=str(stun),
        public_address=reader.text("public_address"),
        media_public_address=reader.text("media_public_address"),
        bind_address=reader.text("bind_address"),
        rtp_port_min=reader.number("rtp_port_min", 0, 0, 65_535),
        rtp_port_max=reader.number("rtp_port_max", 0, 0, 65_535),
        tls_ca_file=reader.text("tls_ca_file"),
        tls_verify_server=reader.flag("tls_verify_server", True),
    )
    reader.finish()
    if settings.rtp_port_max < settings.rtp_port_min:
        reader.problem("rtp_port_max", "must not be below rtp_port_min; using any port")
        settings = replace(settings, rtp_port_min=0, rtp_port_max=0)
    return settings


def _read_devices(reader: _Reader) -> DeviceRuleSettings:
    rules = DeviceRuleSettings(
        headset=reader.names("headset"),
        microphone=reader.names("microphone"),
        speaker=reader.names("speaker"),
        ringer=reader.names("ringer"),
        use_headset=reader.flag("use_headset", True),
        ring_on_speaker=reader.flag("ring_on_speaker", False),
    )
    reader.finish()
    return rules


def parse_settings(data: Mapping[str, Any], source: str) -> tuple[Settings, list[ConfigProblem]]:
    """Settings from an already-parsed TOML document, with every problem found."""
    root = _Reader(source, data, "")
    settings = Settings(
        lines=_read_lines(root),
        **_read_calls(root.subtable("calls")),
        devices=_read_devices(root.subtable("devices")),
        network=_read_network(root.subtable("network")),
        transport=_read_transport(root.subtable("transport")),
        connector=_read_connector(root.subtable("connector")),
        language=root.choice("language", "en", LANGUAGES),
        log_level=root.choice("log_level", "info", LOG_LEVELS),
        path=source,
    )
    root.finish()
    return settings, root.problems


def read_file(path: Path) -> tuple[Settings, list[ConfigProblem]]:
    """Settings from a file; a missing file gives the defaults without complaint."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings(path=source), []
    except (OSError, UnicodeDecodeError) as exc:
        return Settings(path=source), [ConfigProblem(source, "(file)", f"cannot read: {exc}")]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problem = ConfigProblem(source, "(file)", f"not valid TOML ({exc}); using defaults")
        return Settings(path=source), [problem]
    return parse_settings(data, source)


# -- overrides ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Overrides:
    """Values from the command line; None leaves the file's value."""

    transport: str | None = None
    connector_port: int | None = None
    token_file: str | None = None
    language: str | None = None
    log_level: str | None = None


def parse_transport(spec: str, base: TransportSettings) -> TransportSettings:
    """Parse a ``--transport`` value: auto, rdp, citrix, grpc://HOST:PORT, unix:PATH, loopback,
    inproc."""
    if spec.startswith("grpc://"):
        address = spec.removeprefix("grpc://")
        if _is_server(address) or ":" not in address:
            raise ValueError(f"{spec!r}: expected grpc://HOST:PORT")
        return replace(base, kind="grpc", address=address)
    if spec.startswith("unix:"):
        if not spec.removeprefix("unix:"):
            raise ValueError(f"{spec!r}: expected unix:PATH")
        return replace(base, kind="unix", path=spec.removeprefix("unix:"))
    if spec in ("auto", "rdp", "citrix", "loopback", "inproc"):
        return replace(base, kind=spec)
    raise ValueError(
        f"{spec!r}: expected auto, rdp, citrix, grpc://HOST:PORT, unix:PATH, loopback or inproc"
    )


_ENV = {
    "SOFTPHONE_TRANSPORT": "transport",
    "SOFTPHONE_CONNECTOR_PORT": "connector_port",
    "SOFTPHONE_TOKEN_FILE": "token_file",
    "SOFTPHONE_LANGUAGE": "language",
    "SOFTPHONE_LOG_LEVEL": "log_level",
}


def env_overrides(env: Mapping[str, str]) -> tuple[Overrides, list[ConfigProblem]]:
    """Overrides from ``SOFTPHONE_*`` variables."""
    values: dict[str, Any] = {}
    problems = []
    for name, key in _ENV.items():
        if name not in env:
            continue
        if key == "connector_port":
            if not env[name].isdigit() or int(env[name]) > 65_535:
                msg = f"must be a port number 0-65535; got {env[name]!r}"
                problems.append(ConfigProblem("environment", name, msg))
                continue
            values[key] = int(env[name])
        else:
            values[key] = env[name]
    return Overrides(**values), problems


def apply_overrides(
    settings: Settings, over: Overrides, source: str
) -> tuple[Settings, list[ConfigProblem]]:
    """Settings with ``over`` applied; a bad override is reported and left out."""
    problems: list[ConfigProblem] = []
    if over.transport is not None:
        try:
            settings = replace(
                settings, transport=parse_transport(over.transport, settings.transport)
            )
        except ValueError as exc:
            problems.append(ConfigProblem(source, "transport", str(exc)))
    connector = settings.connector
    if over.connector_port is not None:
        connector = replace(connector, port=over.connector_port)
    if over.token_file is not None:
        connector = replace(connector, token_file=over.token_file)
    settings = replace(settings, connector=connector)
    for key, allowed in (("language", LANGUAGES), ("log_level", LOG_LEVELS)):
        value = getattr(over, key)
        if value is None:
            continue
        if value in allowed:
            settings = replace(settings, **{key: value})
        else:
            problems.append(ConfigProblem(source, key, _is_choice(value, allowed) or ""))
    return settings, problems


#: Where the Windows installer (MSI property TRANSPORT=) leaves the machine's default.
MACHINE_KEY = r"SOFTWARE\Softphone\App"


def machine_defaults() -> dict[str, str]:
    """What IT set for every user of this machine at install time (Windows registry)."""
    if sys.platform != "win32":
        return {}
    import winreg

    try:
        with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, MACHINE_KEY) as key:
            return {"Transport": str(winreg.QueryValueEx(key, "Transport")[0])}
    except OSError:
        return {}


def load_settings(
    path: Path | None = None,
    flags: Overrides | None = None,
    env: Mapping[str, str] | None = None,
    machine: Mapping[str, str] | None = None,
) -> tuple[Settings, list[ConfigProblem]]:
    """Installer defaults, file, environment, flags; every problem found along the way."""
    env = os.environ if env is None else env
    path = path or Path(env.get("SOFTPHONE_CONFIG") or default_config_path(env))
    settings, problems = read_file(path)
    machine = machine_defaults() if machine is None else machine
    if machine.get("Transport") and settings.transport.kind == "auto":
        # The user's own file wins; the machine's choice replaces only the default.
        source = f"installer (HKLM\\{MACHINE_KEY})"
        settings, more = apply_overrides(
            settings, Overrides(transport=machine["Transport"]), source
        )
        problems += more
    from_env, env_problems = env_overrides(env)
    settings, more = apply_overrides(settings, from_env, "environment")
    problems += env_problems + more
    settings, more = apply_overrides(settings, flags or Overrides(), "command line")
    settings = _env_secrets(settings, env)
    return settings, problems + more


def _env_secrets(settings: Settings, env: Mapping[str, str]) -> Settings:
    """SOFTPHONE_SIP_PASSWORD / SOFTPHONE_ADAPTER_TOKEN keep secrets out of the file."""
    if env.get("SOFTPHONE_SIP_PASSWORD") and settings.lines:
        first = replace(settings.lines[0], password=Secret(env["SOFTPHONE_SIP_PASSWORD"]))
        settings = replace(settings, lines=(first, *settings.lines[1:]))
    if env.get("SOFTPHONE_ADAPTER_TOKEN"):
        transport = replace(settings.transport, token=Secret(env["SOFTPHONE_ADAPTER_TOKEN"]))
        settings = replace(settings, transport=transport)
    return settings


def line_from_json(body: Mapping[str, Any], line_id: str) -> Line:
    """A line from the connector's register body; raises ValueError naming the bad key."""
    reader = _Reader("request body", body, "")
    line = Line(
        id=line_id,
        user=reader.text("user"),
        server=str(reader.get("server", "", _is_server)),
        transport=reader.choice("transport", "udp", SIP_TRANSPORTS),
        auth_user=reader.text("auth_user"),
        password=Secret(reader.text("password")),
        realm=reader.text("realm"),
    )
    reader.finish()
    if not line.user or not line.server:
        reader.problem("user/server", "both are required")
    if reader.problems:
        raise ValueError("; ".join(f"{p.key}: {p.message}" for p in reader.problems))
    return line
