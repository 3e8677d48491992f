"""Reading SIP messages: auto-answer requests, NOTIFY packages, DTMF relay, dial strings."""

from __future__ import annotations

import pytest

from vdi_adapter.engine import sip_text

INVITE = (
    "INVITE sip:7001@127.0.0.1 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 127.0.0.1:5090;branch=z9hG4bK1\r\n"
    "From: <sip:customer@127.0.0.1>;tag=1\r\n"
    "To: <sip:7001@127.0.0.1>\r\n"
    "{extra}"
    "Content-Length: 0\r\n\r\n"
)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("Call-Info: <sip:127.0.0.1>;answer-after=5\r\n", 5),
        ("Call-Info: <sip:127.0.0.1> ;Answer-After = 0\r\n", 0),
        ("Alert-Info: <http://x>;info=alert-autoanswer\r\n", 0),
        ("Alert-Info: Ring Answer\r\n", 0),
        ("Alert-Info: Auto Answer\r\n", 0),
        ("Alert-Info: <sip:x>;info=Intercom\r\n", 0),
        ("Alert-Info: <http://x/ring.wav>\r\n", None),
        ("", None),
    ],
)
def test_auto_answer_requests(header, seconds):
    message = sip_text.parse_message(INVITE.format(extra=header))
    assert sip_text.auto_answer_request(message) == seconds


def test_event_package_compact_form_and_parameters():
    text = "NOTIFY sip:a@b SIP/2.0\r\no: Talk;id=3\r\nContent-Length: 0\r\n\r\n"
    message = sip_text.parse_message(text)
    assert message.method == "NOTIFY"
    assert sip_text.event_package(message) == "talk"


def test_folded_header_lines_are_joined():
    text = "INVITE sip:a@b SIP/2.0\r\nCall-Info: <sip:x>\r\n ;answer-after=2\r\n\r\n"
    assert sip_text.auto_answer_request(sip_text.parse_message(text)) == 2


def test_dtmf_relay_body():
    assert sip_text.dtmf_relay_digits("Signal=5\r\nDuration=160\r\n") == ("5", 160)
    assert sip_text.dtmf_relay_digits("Signal= #\nDuration=x") == ("#", 0)
    assert sip_text.dtmf_relay_digits("garbage") == ("", 0)


@pytest.mark.parametrize(
    ("dial", "uri"),
    [
        ("sip:bob@example.com", "sip:bob@example.com"),
        ("8001", "sip:8001@pbx.example"),
        (" +44 (20) 7946-0018 ", "sip:+442079460018@pbx.example"),
        ("*72#", "sip:*72#@pbx.example"),
    ],
)
def test_dial_targets(dial, uri):
    assert sip_text.dial_target(dial, "pbx.example") == uri


@pytest.mark.parametrize("dial", ["", "bob", "12ab", "sip:"])
def test_bad_dial_strings_have_clear_errors(dial):
    with pytest.raises(ValueError, match=r"\w"):
        sip_text.dial_target(dial, "pbx.example")


def test_digits_need_a_domain():
    with pytest.raises(ValueError, match="domain"):
        sip_text.dial_target("8001", "")


def test_redact_removes_digest_credentials():
    line = 'Authorization: Digest username="7001", response="abc"\r\nCSeq: 2 REGISTER'
    redacted = sip_text.redact(line)
    assert "abc" not in redacted and "7001" not in redacted
    assert redacted.startswith("Authorization: Digest <redacted>")
    assert "CSeq: 2 REGISTER" in redacted
