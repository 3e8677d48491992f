"""Configuration: schema, problems reported with file and key, overrides, secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from app_layer.config import (
    Overrides,
    Secret,
    Settings,
    line_from_json,
    load_settings,
    parse_transport,
    read_file,
)
from protocol import pb

GOOD = """
language = "fr"
log_level = "debug"

[[lines]]
id = "sales"
user = "7001"
server = "127.0.0.1:5060"
transport = "tcp"
auth_user = "7001"
password = "s3cret-pw"
realm = "example.org"

[calls]
codec_order = ["G722/16000", "PCMU/8000"]
dtmf_method = "sip_info"
max_calls = 2
[calls.auto_answer]
enabled = true
delay_s = 3

[devices]
headset = ["Jabra.*", "Plantronics"]
ring_on_speaker = true

[transport]
kind = "grpc"
address = "127.0.0.1:50051"
tls = true
token = "adapter-token-123"

[connector]
port = 0

[network]
sip_port = 5070
srtp = "optional"
rtp_port_min = 40000
rtp_port_max = 40100
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_file_converts_to_configuration(tmp_path: Path) -> None:
    settings, problems = load_settings(write(tmp_path, GOOD), env={})
    assert problems == []
    assert settings.language == "fr" and settings.connector.port == 0
    conf = settings.to_configuration()
    account = conf.accounts[0]
    assert account.account_id == "sales" and account.register
    assert account.connectivities[0].server == "127.0.0.1:5060"
    assert account.connectivities[0].transport == pb.SIP_TRANSPORT_TCP
    assert account.connectivities[0].password == "s3cret-pw"
    assert list(conf.codec_order) == ["G722/16000", "PCMU/8000"]
    assert conf.dtmf_method == pb.DTMF_METHOD_SIP_INFO
    assert conf.policy.max_calls == 2 and conf.policy.auto_answer.delay_s == 3
    assert list(conf.device_rules.headset) == ["Jabra.*", "Plantronics"]
    assert settings.transport.describe() == "grpc://127.0.0.1:50051"
    assert conf.network.sip_port == 5070 and conf.network.srtp == pb.SRTP_POLICY_OPTIONAL
    assert (conf.network.rtp_port_min, conf.network.rtp_port_max) == (40000, 40100)


def test_secrets_never_appear_in_repr(tmp_path: Path) -> None:
    settings, _ = load_settings(write(tmp_path, GOOD), env={})
    shown = repr(settings) + str(settings)
    assert "s3cret-pw" not in shown and "adapter-token-123" not in shown
    assert settings.lines[0].password == Secret("s3cret-pw")


def test_every_bad_value_is_reported_with_file_key_and_allowed(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
language = "klingon"
log_level = 3
colour = "blue"
[[lines]]
server = "bad server name:"
password = 12345
transport = "sctp"
[calls]
codec_order = "PCMU"
max_calls = 99
[devices]
headset = ["("]
[connector]
port = 70000
https = true
[network]
srtp = "always"
rtp_port_min = 5000
rtp_port_max = 4000
""",
    )
    settings, problems = read_file(path)
    text = "\n".join(map(str, problems))
    for key, allowed in [
        ("language", '"en", "fr"'),
        ("log_level", '"debug"'),
        ("colour", "unknown key"),
        ("lines[0].server", "host:port"),
        ("lines[0].password", "must be a string"),
        ("lines[0].transport", '"udp", "tcp", "tls"'),
        ("calls.codec_order", "PCMU/8000"),
        ("calls.max_calls", "from 1 to 16"),
        ("devices.headset", "regular expression"),
        ("connector.port", "from 0 to 65535"),
        ("connector.https", "certificate"),
        ("network.srtp", '"off", "optional", "mandatory"'),
        ("network.rtp_port_max", "rtp_port_min"),
    ]:
        assert f"{path}: {key}: " in text and allowed in text, (key, text)
    assert "12345" not in text, "a bad password value must not be echoed"
    # Safe state: defaults where values were bad.
    assert settings.language == "en" and settings.connector.port == 8765
    assert settings.max_calls == 4 and not settings.connector.https
    assert settings.lines[0].transport == "udp"


def test_not_toml_gives_defaults_and_one_problem(tmp_path: Path) -> None:
    settings, problems = read_file(write(tmp_path, "language = [unclosed"))
    assert settings == Settings(path=str(tmp_path / "config.toml"))
    assert len(problems) == 1 and "not valid TOML" in problems[0].message


def test_missing_file_is_fine(tmp_path: Path) -> None:
    settings, problems = read_file(tmp_path / "absent.toml")
    assert problems == [] and settings.lines == ()


def test_environment_then_flags_override_file(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    env = {
        "SOFTPHONE_LANGUAGE": "de",
        "SOFTPHONE_CONNECTOR_PORT": "9001",
        "SOFTPHONE_TRANSPORT": "loopback",
        "SOFTPHONE_SIP_PASSWORD": "from-env",
    }
    settings, problems = load_settings(path, env=env)
    assert problems == []
    assert settings.language == "de" and settings.connector.port == 9001
    assert settings.transport.kind == "loopback"
    assert settings.lines[0].password.value == "from-env"
    flags = Overrides(language="ja", connector_port=0, transport="unix:/tmp/a.sock")
    settings, problems = load_settings(path, flags=flags, env=env)
    assert settings.language == "ja" and settings.connector.port == 0
    assert settings.transport.kind == "unix" and settings.transport.path == "/tmp/a.sock"


def test_bad_overrides_are_reported_and_ignored(tmp_path: Path) -> None:
    env = {"SOFTPHONE_CONNECTOR_PORT": "eighty", "SOFTPHONE_LANGUAGE": "xx"}
    settings, problems = load_settings(tmp_path / "none.toml", env=env)
    keys = {(p.source, p.key) for p in problems}
    assert ("environment", "SOFTPHONE_CONNECTOR_PORT") in keys
    assert ("environment", "language") in keys
    assert settings.language == "en" and settings.connector.port == 8765


@pytest.mark.parametrize(
    ("spec", "kind"),
    [("auto", "auto"), ("rdp", "rdp"), ("citrix", "citrix"), ("loopback", "loopback")],
)
def test_transport_specs(spec: str, kind: str) -> None:
    assert parse_transport(spec, Settings().transport).kind == kind


@pytest.mark.parametrize(
    "spec",
    ["grpc://nohost", "unix:", "tcp://x:1", "grpc://:1", "grpc://127.0.0.1:99999", "grpc://h:0"],
)
def test_bad_transport_specs(spec: str) -> None:
    with pytest.raises(ValueError, match="expected"):
        parse_transport(spec, Settings().transport)


def test_line_from_connector_body() -> None:
    line = line_from_json(
        {"user": "7002", "server": "127.0.0.1:5070", "password": "pw", "transport": "udp"}, "l1"
    )
    assert line.server == "127.0.0.1:5070" and line.password.value == "pw"
    with pytest.raises(ValueError, match="server"):
        line_from_json({"user": "7002", "server": "a b"}, "l1")
    with pytest.raises(ValueError, match="unknown key"):
        line_from_json({"user": "7002", "server": "h", "colour": 1}, "l1")


@pytest.mark.parametrize("server", ["pbx.example.com:99999", "pbx.example.com:0"])
def test_a_port_outside_1_65535_is_reported_with_file_and_key(tmp_path: Path, server: str) -> None:
    path = write(tmp_path, f'[[lines]]\nserver = "{server}"\n[transport]\naddress = "{server}"\n')
    settings, problems = load_settings(path, env={})
    messages = {(p.key, p.message) for p in problems}
    port = server.rsplit(":", 1)[1]
    assert any(k.endswith("server") and f"port {port} is outside 1-65535" in m for k, m in messages)
    assert any(k.endswith("address") and "outside 1-65535" in m for k, m in messages)
    assert all(line.server != server for line in settings.lines)
    assert settings.transport.address != server


def test_the_installers_transport_is_the_default_and_the_users_file_wins(tmp_path: Path) -> None:
    machine = {"Transport": "citrix"}
    settings, problems = load_settings(tmp_path / "none.toml", env={}, machine=machine)
    assert settings.transport.kind == "citrix" and not problems
    path = write(tmp_path, '[transport]\nkind = "rdp"\n')
    settings, _ = load_settings(path, env={}, machine=machine)
    assert settings.transport.kind == "rdp"
    settings, problems = load_settings(tmp_path / "none.toml", env={}, machine={"Transport": "x"})
    assert settings.transport.kind == "auto" and "installer" in str(problems[0])
