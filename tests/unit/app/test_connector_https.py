"""The connector over HTTPS with a certificate from the configuration."""

from __future__ import annotations

import asyncio
import datetime
import http.client
import ipaddress
import json
import ssl
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from app_layer.connector import Connector
from app_layer.phone import Phone
from app_layer.settings import ConnectorSettings, Settings

from .fakes import FakeLink


def self_signed(tmp: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp / "cert.pem", tmp / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def test_https_serves_with_the_configured_certificate(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    settings = ConnectorSettings(port=0, https=True, certificate=str(cert), private_key=str(key))

    async def scenario() -> tuple[int, dict[str, object], bool]:
        phone = Phone(FakeLink(), Settings())
        connector = Connector(phone, settings, tmp_path / "token")
        port = await connector.start()
        try:
            client = ssl.create_default_context(cafile=str(cert))
            status, body = await asyncio.to_thread(_get, port, connector.token, client)
            plain_refused = await asyncio.to_thread(_plain_fails, port)
        finally:
            await connector.close()
        return status, body, plain_refused

    status, body, plain_refused = asyncio.run(scenario())
    assert status == 200 and body["link"]["state"] == "connecting"  # type: ignore[index]
    assert plain_refused


def _get(port: int, token: str, context: ssl.SSLContext) -> tuple[int, dict[str, object]]:
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=5)
    try:
        conn.request("GET", "/v1/session", headers={"Authorization": f"Bearer {token}"})
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()


def _plain_fails(port: int) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", "/v1/session")
        conn.getresponse()
    except (ConnectionError, http.client.HTTPException, OSError):
        return True
    finally:
        conn.close()
    return False
