"""The OpenAPI 3.1 description served at ``/v1/openapi.json``.

Written by hand so that it says what clients may rely on; a test compares it with
``ROUTES`` and validates real responses against the schemas below.
"""

from __future__ import annotations

from typing import Any

from protocol import SOFTWARE_VERSION


def _obj(required: list[str], **props: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": props}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


_S = {"type": "string"}
_B = {"type": "boolean"}
_I = {"type": "integer"}
_N = {"type": "number"}

SCHEMAS: dict[str, Any] = {
    "Error": _obj(["error"], error=_obj(["code", "message"], code=_S, message=_S)),
    "Ok": _obj(["ok"], ok=_B),
    "Link": _obj(
        ["state", "transport", "media_offloaded", "adapter_version", "detail", "transport_choice"],
        state={
            "type": "string",
            "enum": [
                "connecting",
                "connected",
                "reconnecting",
                "incompatible",
                "unreachable",
                "closed",
            ],
        },
        transport=_S,
        transport_choice=_S,
        media_offloaded=_B,
        adapter_version=_S,
        detail=_S,
    ),
    "Registration": _obj(
        ["account_id", "state", "server", "status_code", "reason", "expires_s"],
        account_id=_S,
        state=_S,
        server=_S,
        status_code=_I,
        reason=_S,
        expires_s=_I,
    ),
    "Line": _obj(
        ["id", "user", "server", "transport", "auth_user", "realm", "has_password", "register"],
        id=_S,
        user=_S,
        server=_S,
        transport=_S,
        auth_user=_S,
        realm=_S,
        has_password=_B,
        register=_B,
    ),
    "Call": _obj(
        ["id", "direction", "remote_uri", "state", "on_hold", "muted", "duration_s", "actions"],
        id=_S,
        account_id=_S,
        direction={"type": "string", "enum": ["unspecified", "inbound", "outbound"]},
        remote_uri=_S,
        remote_display_name=_S,
        state={
            "type": "string",
            "enum": ["dialing", "ringback", "ringing", "connecting", "connected", "held", "ended"],
        },
        on_hold=_B,
        remote_hold=_B,
        muted=_B,
        codec=_S,
        duration_s=_I,
        conference_id=_S,
        end_reason=_S,
        end_sip_code=_I,
        mos={"type": ["number", "null"]},
        actions={"type": "array", "items": _S},
    ),
    "Devices": _obj(
        ["available", "microphone", "speaker", "ringer", "headset_in_use"],
        available={
            "type": "array",
            "items": _obj(["id", "name"], id=_S, name=_S, inputs=_I, outputs=_I),
        },
        microphone=_S,
        speaker=_S,
        ringer=_S,
        headset_in_use=_B,
        microphone_volume=_I,
        speaker_volume=_I,
        microphone_muted=_B,
        reason=_S,
    ),
    "Session": _obj(
        ["link", "registrations", "lines", "calls", "devices", "quality", "warnings", "language"],
        link=_ref("Link"),
        registrations={"type": "array", "items": _ref("Registration")},
        lines={"type": "array", "items": _ref("Line")},
        calls={"type": "array", "items": _ref("Call")},
        devices=_ref("Devices"),
        quality={"type": "array", "items": {"type": "object"}},
        warnings={
            "type": "array",
            "items": _obj(["code", "severity", "message"], code=_S, severity=_S, message=_S),
        },
        language=_S,
        can_dial=_B,
        last_dialled=_S,
    ),
    "RegisterBody": _obj(
        ["user", "server"],
        user=_S,
        server={"type": "string", "description": "host:port"},
        transport={"type": "string", "enum": ["udp", "tcp", "tls"]},
        auth_user=_S,
        password={"type": "string", "writeOnly": True},
        realm=_S,
    ),
    "Dial": _obj(["to"], to=_S, account_id=_S),
    "Dialled": _obj(["call_id"], call_id=_S),
    "Dtmf": _obj(["digits"], digits={"type": "string", "pattern": "^[0-9*#A-Da-d]{1,32}$"}),
    "Transfer": _obj(
        [],
        mode={"type": "string", "enum": ["blind", "attended"], "default": "blind"},
        to={"type": "string", "description": "blind: where to"},
        consult_call_id={"type": "string", "description": "attended: the consult call"},
    ),
    "Conference": _obj(["with"], **{"with": _S}),
    "Audio": _obj(
        [],
        microphone=_S,
        speaker=_S,
        ringer=_S,
        reset_to_rules=_B,
        microphone_volume={"type": "integer", "minimum": 0, "maximum": 100},
        speaker_volume={"type": "integer", "minimum": 0, "maximum": 100},
        ringer_volume={"type": "integer", "minimum": 0, "maximum": 100},
        microphone_muted=_B,
    ),
    "Language": _obj(
        ["language"], language={"type": "string", "enum": ["en", "fr", "de", "es", "ja", "ar"]}
    ),
    "LanguageSet": _obj(["ok", "language"], ok=_B, language=_S),
    "GenesysDevice": _obj(["name", "volume", "muted"], name=_S, volume=_I, muted=_B),
    "GenesysSession": _obj(
        ["devices", "phone", "connectivities", "status"],
        devices=_obj(
            ["speaker", "microphone", "headset_used"],
            speaker=_ref("GenesysDevice"),
            microphone=_ref("GenesysDevice"),
            headset_used=_B,
        ),
        phone=_obj(
            ["local_mos", "local_inter_mos", "rtt_ms", "vq_alarm_on", "calls"],
            local_mos=_N,
            local_inter_mos=_N,
            rtt_ms=_I,
            vq_alarm_on=_B,
            calls={"type": "array", "items": _obj(["state", "uuid"], state=_S, uuid=_S)},
        ),
        connectivities=_obj(
            ["protocol", "connections"],
            protocol=_S,
            connections={
                "type": "array",
                "items": _obj(["server", "user", "state"], server=_S, user=_S, state=_S),
            },
        ),
        status=_S,
    ),
    "GenesysAudio": _obj(
        [],
        speaker=_obj([], volume=_I, muted=_B),
        microphone=_obj([], volume=_I, muted=_B),
    ),
}

_ERRORS = {
    "400": "malformed JSON or an invalid field",
    "401": "missing or wrong bearer token",
    "404": "no such call",
    "409": "the action is not valid in the call's state",
    "503": "the adapter is not reachable",
    "504": "the adapter did not answer in time",
}


def _op(summary: str, ok: str = "Ok", body: str | None = None, status: str = "200") -> Any:
    responses: dict[str, Any] = {
        status: {"description": "done", "content": {"application/json": {"schema": _ref(ok)}}}
    }
    for code, text in _ERRORS.items():
        responses[code] = {
            "description": text,
            "content": {"application/json": {"schema": _ref("Error")}},
        }
    op: dict[str, Any] = {"summary": summary, "responses": responses}
    if body:
        content = {"application/json": {"schema": _ref(body)}}
        op["requestBody"] = {"required": body != "RegisterBody", "content": content}
    return op


_ID = [{"name": "id", "in": "path", "required": True, "schema": _S}]


def _call_op(summary: str, body: str | None = None) -> Any:
    return {"post": {**_op(summary, body=body), "parameters": _ID}}


PATHS: dict[str, Any] = {
    "/v1/session": {"get": _op("Everything the window shows", ok="Session")},
    "/v1/register": {
        "post": _op("Register the lines (a body replaces the first line)", body="RegisterBody"),
        "delete": _op("Unregister every line"),
    },
    "/v1/calls": {"post": _op("Place a call", ok="Dialled", body="Dial", status="201")},
    "/v1/calls/{id}/answer": _call_op("Answer a ringing call"),
    "/v1/calls/{id}/reject": _call_op("Reject a ringing call"),
    "/v1/calls/{id}/hangup": _call_op("Hang up"),
    "/v1/calls/{id}/hold": _call_op("Put on hold"),
    "/v1/calls/{id}/retrieve": _call_op("Take off hold"),
    "/v1/calls/{id}/mute": _call_op("Mute the microphone for this call"),
    "/v1/calls/{id}/unmute": _call_op("Unmute"),
    "/v1/calls/{id}/dtmf": _call_op("Send DTMF digits", body="Dtmf"),
    "/v1/calls/{id}/transfer": _call_op("Blind or attended transfer", body="Transfer"),
    "/v1/calls/{id}/conference": _call_op("Merge with another call", body="Conference"),
    "/v1/audio": {"put": _op("Choose devices, volumes, microphone mute", body="Audio")},
    "/v1/language": {"put": _op("Set the window's language", ok="LanguageSet", body="Language")},
    "/v1/events": {
        "get": {
            "summary": "Server-sent events: a session event, then link and adapter events",
            "responses": {"200": {"description": "stream", "content": {"text/event-stream": {}}}},
        }
    },
    "/v1/openapi.json": {
        "get": {
            "summary": "This document",
            "responses": {
                "200": {"description": "OpenAPI 3.1", "content": {"application/json": {}}}
            },
        }
    },
    "/session": {
        "get": _op("Genesys v2: session information", ok="GenesysSession"),
        "post": _op("Genesys v2: set the language", ok="LanguageSet", body="Language"),
        "delete": _op("Genesys v2: close the session (hang up all, unregister)"),
    },
    "/audio": {"post": _op("Genesys v2: volumes and microphone mute", body="GenesysAudio")},
    "/register": {
        "post": _op("Genesys v2: start the SIP session", body="RegisterBody"),
        "delete": _op("Genesys v2: stop the SIP session"),
    },
    "/calls": {"delete": _op("Genesys v2: release every call")},
}


def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Softphone connector", "version": SOFTWARE_VERSION},
        "servers": [{"url": "http://127.0.0.1:8765"}],
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
        "paths": PATHS,
    }
