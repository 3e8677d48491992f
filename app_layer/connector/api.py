"""The connector API: what agent-desktop applications can ask of the phone over HTTP.

Theory of operation
-------------------
``ConnectorApi.handle`` takes one parsed request and returns a response. It checks
the bearer token first (401 for anything else), finds the route in ``ROUTES`` (404,
405), validates the JSON body (400 naming the field), checks the action against the
phone's action table (409, the same table that greys out the window's buttons) and
only then sends a command through the ``Phone``. The adapter's typed errors map to
HTTP statuses in ``_STATUS_OF_ERROR``.

``ROUTES`` is the one list of resources; ``openapi.py`` documents each, and a test
keeps the two and the real responses in agreement.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from app_layer.config import line_from_json
from app_layer.connector import views
from app_layer.connector.http import HttpError, Request, Response, StreamResponse
from app_layer.connector.openapi import openapi_document
from app_layer.connector.token import authorised
from app_layer.phone import Phone, Report
from app_layer.settings import LANGUAGES
from app_layer.state import CallAction, InvalidAction
from protocol import pb

#: Seconds between SSE comments that keep proxies and dead-peer detection happy.
SSE_KEEPALIVE_S = 15.0
#: Events queued for a slow SSE client before it is dropped (it reconnects and resyncs).
SSE_QUEUE_LIMIT = 1000

_STATUS_OF_ERROR = {
    pb.ERROR_CODE_INVALID_ARGUMENT: 400,
    pb.ERROR_CODE_NOT_FOUND: 404,
    pb.ERROR_CODE_INVALID_STATE: 409,
    pb.ERROR_CODE_NOT_SUPPORTED: 501,
    pb.ERROR_CODE_UNAVAILABLE: 503,
    pb.ERROR_CODE_TIMEOUT: 504,
    pb.ERROR_CODE_REFUSED: 403,
    pb.ERROR_CODE_CHANNEL_LOST: 503,
    pb.ERROR_CODE_UNKNOWN_COMMAND: 501,
    pb.ERROR_CODE_INTERNAL: 500,
}

_SIMPLE_ACTIONS = {
    "answer": CallAction.ANSWER,
    "reject": CallAction.REJECT,
    "hangup": CallAction.HANGUP,
    "hold": CallAction.HOLD,
    "retrieve": CallAction.RETRIEVE,
    "mute": CallAction.MUTE,
    "unmute": CallAction.UNMUTE,
}


@dataclass(frozen=True)
class Route:
    method: str
    #: OpenAPI-style template, e.g. "/v1/calls/{id}/dtmf".
    path: str
    handler: str

    @property
    def pattern(self) -> re.Pattern[str]:
        return re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", self.path) + "$")


ROUTES: tuple[Route, ...] = (
    Route("GET", "/v1/session", "get_session"),
    Route("POST", "/v1/register", "post_register"),
    Route("DELETE", "/v1/register", "delete_register"),
    Route("POST", "/v1/calls", "post_calls"),
    *(Route("POST", f"/v1/calls/{{id}}/{name}", "post_call_action") for name in _SIMPLE_ACTIONS),
    Route("POST", "/v1/calls/{id}/dtmf", "post_dtmf"),
    Route("POST", "/v1/calls/{id}/transfer", "post_transfer"),
    Route("POST", "/v1/calls/{id}/conference", "post_conference"),
    Route("PUT", "/v1/audio", "put_audio"),
    Route("PUT", "/v1/language", "put_language"),
    Route("GET", "/v1/events", "get_events"),
    Route("GET", "/v1/openapi.json", "get_openapi"),
    # The Genesys Softphone connector (v2) face.
    Route("GET", "/session", "genesys_get_session"),
    Route("POST", "/session", "genesys_post_session"),
    Route("DELETE", "/session", "genesys_delete_session"),
    Route("POST", "/audio", "genesys_post_audio"),
    Route("POST", "/register", "post_register"),
    Route("DELETE", "/register", "delete_register"),
    Route("DELETE", "/calls", "genesys_delete_calls"),
)

_DIGITS = re.compile(r"^[0-9*#A-Da-d]{1,32}$")


def _field(body: Any, name: str, kind: type | tuple[type, ...], required: bool = True) -> Any:
    """``body[name]`` checked for type; 400 naming the field otherwise."""
    if not isinstance(body, dict):
        raise HttpError(400, "invalid_body", "the body must be a JSON object")
    if name not in body:
        if required:
            raise HttpError(400, "invalid_body", f'"{name}" is required')
        return None
    value = body[name]
    if (isinstance(value, bool) and kind is not bool) or not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
        raise HttpError(400, "invalid_body", f'"{name}" must be a {_JSON_TYPE.get(names, names)}')
    return value


_JSON_TYPE = {"str": "string", "int": "integer", "bool": "boolean", "dict": "object"}


def _volume(body: dict[str, Any], name: str) -> int | None:
    value = _field(body, name, int, required=False)
    if value is not None and not 0 <= value <= 100:
        raise HttpError(400, "invalid_body", f'"{name}" must be from 0 to 100')
    return value


def result_response(result: pb.Result, ok: Response | None = None) -> Response:
    """The HTTP answer for an adapter result."""
    if result.WhichOneof("outcome") == "error":
        status = _STATUS_OF_ERROR.get(result.error.code, 500)
        code = pb.ErrorCode.Name(result.error.code).removeprefix("ERROR_CODE_").lower()
        raise HttpError(status, code, result.error.reason or code.replace("_", " "))
    return ok or Response(200, {"ok": True})


class ConnectorApi:
    """Routes authorised requests to the phone."""

    def __init__(self, phone: Phone, token: str, clock: Callable[[], float] = time.time) -> None:
        self.phone = phone
        self._token = token
        self._clock = clock
        self._routes = [(r, r.pattern) for r in ROUTES]
        self._on_language: list[Callable[[str], None]] = []

    def on_language(self, callback: Callable[[str], None]) -> None:
        """Call ``callback`` when a desktop application changes the language."""
        self._on_language.append(callback)

    async def handle(self, request: Request) -> Response | StreamResponse:
        if not authorised(request.headers.get("authorization", ""), self._token):
            raise HttpError(401, "unauthorized", "a valid bearer token is required")
        route, params = self._match(request)
        handler: Callable[..., Awaitable[Response | StreamResponse]] = getattr(self, route.handler)
        return await handler(request, **params)

    def _match(self, request: Request) -> tuple[Route, dict[str, str]]:
        allowed = []
        for route, pattern in self._routes:
            found = pattern.match(request.path)
            if found is None:
                continue
            if route.method == request.method:
                return route, found.groupdict()
            allowed.append(route.method)
        if allowed:
            raise HttpError(405, "method_not_allowed", f"use {', '.join(sorted(allowed))}")
        raise HttpError(404, "not_found", f"no resource at {request.path}")

    @property
    def _now_ms(self) -> int:
        return int(self._clock() * 1000)

    # -- /v1 ----------------------------------------------------------------------------

    async def get_session(self, request: Request) -> Response:
        state, settings = self.phone.state, self.phone.settings
        return Response(200, views.session_json(state, settings, self._now_ms))

    async def post_register(self, request: Request) -> Response:
        body = request.json()
        line = None
        if body:
            if not isinstance(body, dict):
                raise HttpError(400, "invalid_body", "the body must be a JSON object")
            try:
                line = line_from_json(body, "")
            except ValueError as exc:
                raise HttpError(400, "invalid_body", str(exc)) from None
        return result_response(await self.phone.register(line))

    async def delete_register(self, request: Request) -> Response:
        return result_response(await self.phone.unregister())

    async def post_calls(self, request: Request) -> Response:
        body = request.json()
        to = _field(body, "to", str).strip()
        account = _field(body, "account_id", str, required=False) or ""
        if not to:
            raise HttpError(400, "invalid_body", '"to" must not be empty')
        result = await self.phone.dial(to, account)
        call_id = result.ok.dial.call_id if result.WhichOneof("outcome") == "ok" else ""
        return result_response(result, Response(201, {"call_id": call_id}))

    async def post_call_action(self, request: Request, id: str) -> Response:
        action = _SIMPLE_ACTIONS[request.path.rsplit("/", 1)[1]]
        return await self._act(id, action)

    async def post_dtmf(self, request: Request, id: str) -> Response:
        digits = _field(request.json(), "digits", str)
        if not _DIGITS.match(digits):
            raise HttpError(400, "invalid_body", '"digits" must be 1-32 of 0-9 * # A-D')
        return await self._act(id, CallAction.DTMF, digits=digits)

    async def post_transfer(self, request: Request, id: str) -> Response:
        body = request.json()
        mode = _field(body, "mode", str, required=False) or "blind"
        if mode == "blind":
            return await self._act(id, CallAction.TRANSFER_BLIND, to=_field(body, "to", str))
        if mode == "attended":
            other = _field(body, "consult_call_id", str)
            self._check_partner(id, other)
            return await self._act(id, CallAction.TRANSFER_ATTENDED, consult_call_id=other)
        raise HttpError(400, "invalid_body", '"mode" must be "blind" or "attended"')

    async def post_conference(self, request: Request, id: str) -> Response:
        other = _field(request.json(), "with", str)
        self._check_partner(id, other)
        return await self._act(id, CallAction.CONFERENCE, with_call_id=other)

    async def put_audio(self, request: Request) -> Response:
        body = request.json()
        if not isinstance(body, dict) or not body:
            raise HttpError(400, "invalid_body", "send at least one device, volume or mute field")
        select = pb.SelectAudioDevices(
            microphone=_field(body, "microphone", str, required=False) or "",
            speaker=_field(body, "speaker", str, required=False) or "",
            ringer=_field(body, "ringer", str, required=False) or "",
            reset_to_rules=bool(_field(body, "reset_to_rules", bool, required=False)),
        )
        volumes = pb.SetVolumes()
        for key in ("microphone_volume", "speaker_volume", "ringer_volume"):
            value = _volume(body, key)
            if value is not None:
                setattr(volumes, key, value)
        muted = _field(body, "microphone_muted", bool, required=False)
        if muted is not None:
            volumes.microphone_muted = muted
        self._reject_unknown(body, _AUDIO_KEYS)
        return await self._send_audio(select, volumes)

    async def put_language(self, request: Request) -> Response:
        language = _field(request.json(), "language", str)
        self._set_language(language)
        return Response(200, {"ok": True, "language": language})

    async def get_events(self, request: Request) -> StreamResponse:
        return StreamResponse(self._event_stream())

    async def get_openapi(self, request: Request) -> Response:
        return Response(200, openapi_document())

    # -- Genesys v2 face ----------------------------------------------------------------

    async def genesys_get_session(self, request: Request) -> Response:
        return Response(200, views.genesys_session_json(self.phone.state, self.phone.settings))

    async def genesys_post_session(self, request: Request) -> Response:
        language = _field(request.json(), "language", str)
        self._set_language(language)
        return Response(200, {"ok": True, "language": language})

    async def genesys_delete_session(self, request: Request) -> Response:
        await self.phone.hangup_all()
        return result_response(await self.phone.unregister())

    async def genesys_post_audio(self, request: Request) -> Response:
        body = request.json()
        devices = body.get("devices", body) if isinstance(body, dict) else body
        if not isinstance(devices, dict) or not devices:
            raise HttpError(400, "invalid_body", "send speaker and/or microphone settings")
        volumes = pb.SetVolumes()
        for role in ("speaker", "microphone"):
            part = _field(devices, role, dict, required=False) or {}
            volume = _volume(part, "volume")
            if volume is not None:
                setattr(volumes, f"{role}_volume", volume)
        mic = devices.get("microphone") or {}
        if _field(mic, "muted", bool, required=False) is not None:
            volumes.microphone_muted = mic["muted"]
        return await self._send_audio(pb.SelectAudioDevices(), volumes)

    async def genesys_delete_calls(self, request: Request) -> Response:
        for result in await self.phone.hangup_all():
            result_response(result)
        return Response(200, {"ok": True})

    # -- helpers ------------------------------------------------------------------------

    async def _act(self, call_id: str, action: CallAction, **args: object) -> Response:
        try:
            result = await self.phone.act(call_id, action, **args)
        except InvalidAction as exc:
            status = 404 if exc.phase is None else 409
            code = "not_found" if exc.phase is None else "invalid_state"
            if status == 409 and not self.phone.state.link.connected:
                raise HttpError(503, "unavailable", self._link_reason()) from None
            raise HttpError(status, code, str(exc)) from None
        return result_response(result)

    def _check_partner(self, call_id: str, other: str) -> None:
        if other == call_id or self.phone.state.call(other) is None:
            raise HttpError(404, "not_found", f"no other call {other} to act with")
        if other not in self.phone.state.partners(call_id):
            raise HttpError(409, "invalid_state", f"call {other} is not answered")

    async def _send_audio(self, select: pb.SelectAudioDevices, volumes: pb.SetVolumes) -> Response:
        if select.ByteSize():
            result_response(await self.phone.send(pb.Command(select_audio_devices=select)))
        if volumes.ByteSize():
            result_response(await self.phone.send(pb.Command(set_volumes=volumes)))
        return Response(200, {"ok": True})

    def _reject_unknown(self, body: dict[str, Any], known: frozenset[str]) -> None:
        unknown = sorted(set(body) - known)
        if unknown:
            raise HttpError(400, "invalid_body", f"unknown field(s): {', '.join(unknown)}")

    def _set_language(self, language: str) -> None:
        if language not in LANGUAGES:
            raise HttpError(
                400, "invalid_body", f'"language" must be one of {", ".join(LANGUAGES)}'
            )
        self.phone.set_language(language)
        for callback in self._on_language:
            callback(language)

    def _link_reason(self) -> str:
        link = self.phone.state.link
        return link.detail or f"the adapter link is {link.state}"

    async def _event_stream(self) -> AsyncIterator[bytes]:
        queue: asyncio.Queue[bytes | None] = asyncio.Queue(SSE_QUEUE_LIMIT)

        def deliver(report: Report) -> None:
            # Rendered now, so the stream shows the state as of this report.
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(self._sse_of(report))
                return
            queue.get_nowait()
            queue.put_nowait(None)  # overflow: end the stream, the client resyncs

        self.phone.subscribe(deliver)
        try:
            yield _sse("session", self._session_body())
            while True:
                try:
                    report = await asyncio.wait_for(queue.get(), SSE_KEEPALIVE_S)
                except TimeoutError:
                    yield b": keep-alive\n\n"
                    continue
                if report is None:
                    return
                yield report
        finally:
            self.phone.unsubscribe(deliver)

    def _session_body(self) -> dict[str, Any]:
        return views.session_json(self.phone.state, self.phone.settings, self._now_ms)

    def _sse_of(self, report: Report) -> bytes:
        if report.kind == "event" and report.event is not None:
            kind = report.event.WhichOneof("kind") or "event"
            body = views.event_json(self.phone.state, report.event, self._now_ms)
            return _sse(kind, body, report.event.sequence)
        if report.kind == "link":
            return _sse("link", self._session_body()["link"])
        if report.kind == "language":
            return _sse("language", {"language": self.phone.settings.language})
        return _sse("session", self._session_body())


_AUDIO_KEYS = frozenset(
    {
        "microphone",
        "speaker",
        "ringer",
        "reset_to_rules",
        "microphone_volume",
        "speaker_volume",
        "ringer_volume",
        "microphone_muted",
    }
)


def _sse(event: str, data: Any, event_id: int | None = None) -> bytes:
    lines = [f"event: {event}"]
    if event_id is not None:
        lines.append(f"id: {event_id}")
    lines.append("data: " + json.dumps(data, separators=(",", ":")))
    return ("\n".join(lines) + "\n\n").encode()
