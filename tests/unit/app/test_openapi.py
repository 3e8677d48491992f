"""The OpenAPI document says what the connector really does: same routes, same shapes."""

from __future__ import annotations

from typing import Any

from app_layer.connector.api import ROUTES
from app_layer.connector.openapi import openapi_document
from protocol import pb

from .conftest import Harness
from .test_connector import connected, ringing, up

DOC = openapi_document()
_TYPES = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "integer": int,
    "number": (int, float),
    "null": type(None),
}


def validate(value: Any, schema: dict[str, Any], where: str = "$") -> None:
    """Check ``value`` against the subset of JSON Schema the document uses."""
    if "$ref" in schema:
        schema = DOC["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    kinds = schema.get("type")
    if kinds:
        allowed = tuple(_TYPES[k] for k in ([kinds] if isinstance(kinds, str) else kinds))
        ok = isinstance(value, allowed) and not (isinstance(value, bool) and bool not in allowed)
        assert ok, f"{where}: {value!r} is not {kinds}"
    if "enum" in schema:
        assert value in schema["enum"], f"{where}: {value!r} not in {schema['enum']}"
    if isinstance(value, dict):
        for key in schema.get("required", []):
            assert key in value, f"{where}: missing {key}"
        props = schema.get("properties", {})
        if props:
            extra = set(value) - set(props)
            assert not extra, f"{where}: undocumented {sorted(extra)}"
        for key, sub in props.items():
            if key in value:
                validate(value[key], sub, f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for n, item in enumerate(value):
            validate(item, schema["items"], f"{where}[{n}]")


def response_schema(method: str, path: str, status: int) -> dict[str, Any]:
    op = DOC["paths"][path][method.lower()]
    content = op["responses"][str(status)]["content"]["application/json"]
    return content["schema"]  # type: ignore[no-any-return]


def test_every_route_is_documented_and_every_documented_path_served() -> None:
    served = {(r.method.lower(), r.path) for r in ROUTES}
    documented = {(m, p) for p, ops in DOC["paths"].items() for m in ops}
    assert served == documented


def test_real_responses_match_their_schemas(harness: Harness) -> None:
    up(harness, ringing("c1"), connected("c2", codec="PCMU/8000"))
    q = pb.CallQuality(call_id="c2", mos=4.2, rtt_ms=12)
    harness.run(lambda: harness.link.event(pb.Event(quality=pb.QualityReport(quality=q))))
    calls = [
        ("GET", "/v1/session", None, 200),
        ("POST", "/v1/calls", {"to": "sip:1@127.0.0.1"}, 201),
        ("POST", "/v1/calls/c1/answer", None, 200),
        ("POST", "/v1/calls/c2/answer", None, 409),
        ("POST", "/v1/calls/zz/hangup", None, 404),
        ("POST", "/v1/calls", {"to": 1}, 400),
        ("PUT", "/v1/language", {"language": "de"}, 200),
        ("GET", "/session", None, 200),
        ("POST", "/session", {"language": "en"}, 200),
        ("DELETE", "/register", None, 200),
    ]
    for method, path, body, status in calls:
        got, answer = harness.request(method, path, body)
        assert got == status, (path, answer)
        template = next(r.path for r in ROUTES if r.method == method and r.pattern.match(path))
        validate(answer, response_schema(method, template, status), f"{method} {path}")
    _, answer = harness.request("GET", "/v1/openapi.json")
    assert answer == DOC
    unauthorised, answer = harness.request("GET", "/v1/session", token="x" * 20)
    validate(answer, response_schema("GET", "/v1/session", unauthorised))
