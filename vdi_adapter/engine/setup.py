"""Endpoint-wide settings: configuration checks, SIP transports, codec priorities, STUN.

Theory of operation: these settings belong to the process's one Endpoint, not to an
engine, so each start re-applies them from the configuration. SIP transports are
created on first need and then kept, like the Endpoint, for the process; codec
priorities are process-wide, so the defaults seen at first use are remembered and
restored when a configuration lists no codecs.
``validate`` rejects a bad configuration before anything is torn down, with a reason
an administrator can act on (and never the password).
"""

from __future__ import annotations

import contextlib
import os
import re
from collections import OrderedDict
from typing import Any

import pjsua2 as pj

from protocol import pb
from vdi_adapter.engine import codecs
from vdi_adapter.engine.errors import CommandError, invalid_argument

_default_priorities: dict[str, int] = {}
_transports: OrderedDict[tuple[object, ...], int] = OrderedDict()

_PJ_TRANSPORT: dict[int, int] = {
    pb.SIP_TRANSPORT_UDP: pj.PJSIP_TRANSPORT_UDP,
    pb.SIP_TRANSPORT_TCP: pj.PJSIP_TRANSPORT_TCP,
    pb.SIP_TRANSPORT_TLS: pj.PJSIP_TRANSPORT_TLS,
}

_SERVER = re.compile(r"^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.\-]+)(:\d{1,5})?$")


def standalone_account() -> pb.Account:
    """The line used when no account is configured: direct calls only."""
    return pb.Account(account_id="local", register=False)


def validate(configuration: pb.Configuration) -> None:
    """Raise INVALID_ARGUMENT naming the first problem in ``configuration``."""
    seen: set[str] = set()
    for account in configuration.accounts:
        name = account.account_id or "default"
        if name in seen:
            raise invalid_argument(f"account id {name!r} is used twice")
        seen.add(name)
        if account.register and not account.connectivities:
            raise invalid_argument(f"account {name!r} registers but has no server")
        for entry in account.connectivities:
            _validate_entry(name, entry, configuration.network)
    _validate_network(configuration.network)


def _validate_entry(name: str, entry: pb.Connectivity, network: pb.NetworkSettings) -> None:
    if not _SERVER.match(entry.server):
        raise invalid_argument(f"account {name!r}: server {entry.server!r} is not host[:port]")
    port = entry.server.rsplit(":", 1)[-1] if ":" in entry.server.strip("[]") else ""
    if port and not 0 < int(port) < 65536:
        raise invalid_argument(f"account {name!r}: port {port} is out of range")
    tls = entry.transport == pb.SIP_TRANSPORT_TLS
    if tls and network.tls_verify_server and not os.path.isfile(network.tls_ca_file):
        raise invalid_argument(
            f"account {name!r}: TLS server verification needs a readable CA file "
            f"(tls_ca_file {network.tls_ca_file!r} not found)"
        )


def _validate_network(network: pb.NetworkSettings) -> None:
    if network.rtp_port_max and network.rtp_port_max < network.rtp_port_min:
        raise invalid_argument("rtp_port_max is below rtp_port_min")
    if network.rtp_port_max > 65535 or network.sip_port > 65535:
        raise invalid_argument("port numbers must be below 65536")
    if network.srtp not in pb.SrtpPolicy.values():
        raise invalid_argument(f"unknown SRTP policy {network.srtp}")


def _needed_transports(configuration: pb.Configuration) -> set[int]:
    needed: set[int] = {pb.SIP_TRANSPORT_UDP, pb.SIP_TRANSPORT_TCP}
    for account in configuration.accounts:
        needed.update(entry.transport for entry in account.connectivities)
    needed.discard(pb.SIP_TRANSPORT_UNSPECIFIED)
    return needed


def _transport_config(kind: int, network: pb.NetworkSettings) -> Any:
    config = pj.TransportConfig()
    # TLS listens on any free port: its CA settings are part of the transport, so a
    # changed CA file gets a new transport while the old one keeps its socket.
    config.port = 0 if kind == pb.SIP_TRANSPORT_TLS else network.sip_port
    if network.bind_address:
        config.boundAddress = network.bind_address
    if network.public_address:
        config.publicAddress = network.public_address
    if kind == pb.SIP_TRANSPORT_TLS:
        config.tlsConfig.CaListFile = network.tls_ca_file
        config.tlsConfig.verifyServer = network.tls_verify_server
        config.tlsConfig.method = pj.PJSIP_TLSV1_2_METHOD
        # pjsip's protocol mask overrides the method, and its default allows TLS 1.0-1.2:
        # state what we accept (TLS 1.3 where the engine's OpenSSL has it).
        config.tlsConfig.proto = pj.PJ_SSL_SOCK_PROTO_TLS1_2 | pj.PJ_SSL_SOCK_PROTO_TLS1_3
    return config


def create_transports(configuration: pb.Configuration) -> dict[int, int]:
    """SIP transports the configuration needs; SipTransport -> transport id.

    A transport is kept for the process once created and reused by later engines with
    the same settings: pjsip releases a closed socket only when its last transaction
    ends (up to 32 s for UDP), so closing at stop would block the next start's port.
    """
    _apply_stun(configuration.network)
    created: dict[int, int] = {}
    for kind in sorted(_needed_transports(configuration)):
        created[kind] = _transport(kind, configuration.network, keep=set(created.values()))
    created[pb.SIP_TRANSPORT_UNSPECIFIED] = created[pb.SIP_TRANSPORT_UDP]
    return created


def _transport(kind: int, network: pb.NetworkSettings, keep: set[int]) -> int:
    key: tuple[object, ...] = (kind, network.sip_port, network.public_address, network.bind_address)
    if kind == pb.SIP_TRANSPORT_TLS:
        key += (network.tls_ca_file, network.tls_verify_server)
    if key in _transports:
        _transports.move_to_end(key)  # most recently used last: evicted last
        return _transports[key]
    config = _transport_config(kind, network)
    try:
        transport_id = _create(kind, config)
    except Exception as error:
        if "ETOOMANY" not in str(getattr(error, "reason", "") or error):
            raise _cannot_open(network, error) from None
        # pjsua holds a handful of transports: after many reconfigurations, close the
        # least recently used one nobody uses now, and try again.
        transport_id = _create_evicting(kind, config, keep, network)
    _transports[key] = transport_id
    return transport_id


def _create(kind: int, config: Any) -> int:
    return int(pj.Endpoint.instance().transportCreate(_PJ_TRANSPORT[kind], config))


def _cannot_open(network: pb.NetworkSettings, error: Exception) -> CommandError:
    reason = getattr(error, "reason", "") or str(error)
    return invalid_argument(f"cannot open SIP port {network.sip_port}: {reason}")


def _create_evicting(kind: int, config: Any, keep: set[int], network: pb.NetworkSettings) -> int:
    for key, transport_id in list(_transports.items()):
        if transport_id in keep:
            continue
        with contextlib.suppress(Exception):
            pj.Endpoint.instance().transportClose(transport_id)
        del _transports[key]
        try:
            return _create(kind, config)
        except Exception as error:
            if "ETOOMANY" not in str(getattr(error, "reason", "") or error):
                raise _cannot_open(network, error) from None
    raise _cannot_open(network, RuntimeError("no SIP transport slot is free"))


def udp_port(transports: dict[int, int]) -> int:
    """Local port of the UDP transport (0 if unknown)."""
    transport_id = transports.get(pb.SIP_TRANSPORT_UDP)
    if transport_id is None:
        return 0
    local_name = str(pj.Endpoint.instance().transportGetInfo(transport_id).localName)
    port = local_name.rsplit(":", 1)[-1]
    return int(port) if port.isdigit() else 0


def release_transports(transports: dict[int, int]) -> None:
    """The engine stops using its transports; they stay open for the next start."""
    transports.clear()


def _apply_stun(network: pb.NetworkSettings) -> None:
    if not network.stun_server:
        return
    servers = pj.StringVector()
    servers.append(network.stun_server)
    with contextlib.suppress(Exception):
        pj.Endpoint.instance().natUpdateStunServers(servers, False)


def apply_codec_order(order: list[str]) -> codecs.CodecPlan:
    """Set codec priorities from ``order`` (defaults when empty); return the plan."""
    endpoint = pj.Endpoint.instance()
    infos = endpoint.codecEnum2()
    if not _default_priorities:
        _default_priorities.update({info.codecId: info.priority for info in infos})
    plan = codecs.plan(order, [info.codecId for info in infos])
    priorities = plan.priorities or _default_priorities
    for codec_id, priority in priorities.items():
        endpoint.codecSetPriority(codec_id, priority)
    return plan
