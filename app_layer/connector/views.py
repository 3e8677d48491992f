"""JSON views of the phone for the connector: ``/v1/session``, events, the Genesys v2 face.

Everything here is a pure function of ``PhoneState`` and ``Settings``. Passwords are
never copied out: a line shows only whether it has one.
"""

from __future__ import annotations

from typing import Any

from google.protobuf.json_format import MessageToDict

from app_layer.settings import Settings
from app_layer.state import CallPhase, PhoneState, call_phase
from protocol import pb


def _enum_name(enum: Any, value: int, prefix: str) -> str:
    return str(enum.Name(value)).removeprefix(prefix).lower()


def call_json(phone: PhoneState, call: pb.Call, now_ms: int) -> dict[str, Any]:
    quality = phone.quality.get(call.call_id)
    return {
        "id": call.call_id,
        "account_id": call.account_id,
        "direction": _enum_name(pb.CallDirection, call.direction, "CALL_DIRECTION_"),
        "remote_uri": call.remote_uri,
        "remote_display_name": call.remote_display_name,
        "state": call_phase(call).value,
        "on_hold": call.on_hold,
        "remote_hold": call.remote_hold,
        "muted": call.muted,
        "codec": call.codec,
        "duration_s": phone.call_duration_s(call.call_id, now_ms),
        "conference_id": call.conference_id,
        "end_reason": _enum_name(pb.CallEndReason, call.end_reason, "CALL_END_REASON_"),
        "end_sip_code": call.end_sip_code,
        "mos": round(quality.mos, 2) if quality else None,
        "actions": sorted(a.value for a in phone.allowed_actions(call.call_id)),
    }


def registration_json(reg: pb.Registration) -> dict[str, Any]:
    return {
        "account_id": reg.account_id,
        "state": _enum_name(pb.RegistrationState, reg.state, "REGISTRATION_STATE_"),
        "server": reg.server,
        "status_code": reg.status_code,
        "reason": reg.reason,
        "expires_s": reg.expires_s,
    }


def line_json(settings: Settings) -> list[dict[str, Any]]:
    return [
        {
            "id": line.id,
            "user": line.user,
            "server": line.server,
            "transport": line.transport,
            "auth_user": line.auth_user,
            "realm": line.realm,
            "has_password": bool(line.password),
            "register": line.register,
        }
        for line in settings.lines
    ]


def devices_json(phone: PhoneState) -> dict[str, Any]:
    active = phone.active_devices
    return {
        "available": [
            {
                "id": d.device_id,
                "name": d.name,
                "inputs": d.max_input_channels,
                "outputs": d.max_output_channels,
            }
            for d in phone.devices
        ],
        "microphone": active.microphone,
        "speaker": active.speaker,
        "ringer": active.ringer,
        "headset_in_use": active.headset_in_use,
        "microphone_volume": active.microphone_volume,
        "speaker_volume": active.speaker_volume,
        "microphone_muted": active.microphone_muted,
        "reason": active.reason,
    }


def session_json(phone: PhoneState, settings: Settings, now_ms: int) -> dict[str, Any]:
    """Everything the window shows, as ``GET /v1/session`` returns it."""
    link = phone.link
    return {
        "link": {
            "state": link.state,
            "transport": link.transport,
            "media_offloaded": link.media_offloaded,
            "adapter_version": phone.adapter_version,
            "detail": link.detail,
            "transport_choice": link.transport_choice,
        },
        "registrations": [registration_json(r) for r in phone.registrations.values()],
        "lines": line_json(settings),
        "calls": [call_json(phone, c, now_ms) for c in phone.calls.values()],
        "devices": devices_json(phone),
        "quality": [
            MessageToDict(q, preserving_proto_field_name=True) for q in phone.quality.values()
        ],
        "warnings": [
            {
                "code": w.code,
                "severity": _enum_name(pb.Severity, w.severity, "SEVERITY_"),
                "message": w.message,
            }
            for w in phone.warnings
        ],
        "language": settings.language,
        "can_dial": phone.can_dial(),
        "last_dialled": phone.last_dialled,
    }


def event_json(phone: PhoneState, event: pb.Event, now_ms: int) -> dict[str, Any]:
    """An adapter event for the SSE stream, calls and registrations shaped as in the session."""
    kind = event.WhichOneof("kind") or ""
    body: dict[str, Any] = {"sequence": event.sequence, "unix_ms": event.unix_ms}
    if kind == "call":
        body["call"] = call_json(phone, event.call.call, now_ms)
    elif kind == "registration":
        body["registration"] = registration_json(event.registration.registration)
    elif kind:
        inner = MessageToDict(getattr(event, kind), preserving_proto_field_name=True)
        body[kind] = inner
    return body


# -- Genesys Softphone connector v2 face -------------------------------------------------

_GENESYS_CALL_STATE = {
    CallPhase.DIALING: "DIALING",
    CallPhase.RINGBACK: "DIALING",
    CallPhase.RINGING: "RINGING",
    CallPhase.CONNECTING: "ESTABLISHED",
    CallPhase.CONNECTED: "ESTABLISHED",
    CallPhase.HELD: "HELD",
    CallPhase.ENDED: "RELEASED",
}

#: A MOS under this raises the voice-quality alarm (ITU-T G.107: "many users dissatisfied").
VQ_ALARM_MOS = 3.1


def genesys_session_json(phone: PhoneState, settings: Settings) -> dict[str, Any]:
    """``GET /session`` in the shape of the Genesys Softphone connector v2."""
    live_quality = [q for cid, q in phone.quality.items() if cid in phone.calls and not q.final]
    worst = min(live_quality, key=lambda q: q.mos) if live_quality else None
    return {
        "devices": _genesys_devices(phone),
        "phone": {
            "local_mos": round(worst.mos, 2) if worst else 0.0,
            "local_inter_mos": round(worst.mos, 2) if worst else 0.0,
            "rtt_ms": round(worst.rtt_ms) if worst else 0,
            "vq_alarm_on": bool(worst and 0 < worst.mos < VQ_ALARM_MOS),
            "calls": [
                {"state": _GENESYS_CALL_STATE[call_phase(c)], "uuid": c.call_id}
                for c in phone.live_calls()
            ],
        },
        "connectivities": {
            "protocol": settings.lines[0].transport if settings.lines else "udp",
            "connections": _genesys_connections(phone, settings),
        },
        "status": "OK" if phone.link.connected else phone.link.state.upper(),
    }


def _genesys_devices(phone: PhoneState) -> dict[str, Any]:
    active = phone.active_devices
    return {
        "speaker": {"name": active.speaker, "volume": active.speaker_volume, "muted": False},
        "microphone": {
            "name": active.microphone,
            "volume": active.microphone_volume,
            "muted": active.microphone_muted,
        },
        "headset_used": active.headset_in_use,
    }


def _genesys_connections(phone: PhoneState, settings: Settings) -> list[dict[str, str]]:
    out = []
    for line in settings.lines:
        reg = phone.registrations.get(line.id)
        state = "NONE"
        if reg is not None:
            state = _enum_name(pb.RegistrationState, reg.state, "REGISTRATION_STATE_").upper()
        out.append({"server": line.server, "user": line.user, "state": state})
    return out
