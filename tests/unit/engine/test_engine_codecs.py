"""Codec order plans from configuration names."""

from __future__ import annotations

from vdi_adapter.engine import codecs

WHEEL = [
    "speex/16000/1",
    "speex/8000/1",
    "iLBC/8000/1",
    "GSM/8000/1",
    "PCMU/8000/1",
    "PCMA/8000/1",
    "G722/16000/1",
    "L16/44100/1",
    "L16/44100/2",
]


def test_listed_codecs_get_falling_priorities_and_others_are_disabled():
    plan = codecs.plan(["PCMA/8000", "pcmu/8000", "G722/16000"], WHEEL)
    assert plan.priorities["PCMA/8000/1"] > plan.priorities["PCMU/8000/1"]
    assert plan.priorities["PCMU/8000/1"] > plan.priorities["G722/16000/1"] > 0
    assert plan.priorities["speex/8000/1"] == 0
    assert plan.missing == ()


def test_missing_codecs_are_named_with_what_is_available():
    plan = codecs.plan(["opus/48000", "PCMU/8000", "G729/8000"], WHEEL)
    assert plan.missing == ("opus/48000", "G729/8000")
    message = codecs.missing_warning(plan)
    assert "opus/48000" in message and "G729/8000" in message
    assert "PCMU/8000" in message and message.count("L16/44100") == 1


def test_empty_order_keeps_defaults():
    plan = codecs.plan([], WHEEL)
    assert plan.priorities == {}
    assert "G722/16000" in plan.available


def test_name_without_rate_matches_every_rate():
    plan = codecs.plan(["speex"], WHEEL)
    assert plan.priorities["speex/16000/1"] == plan.priorities["speex/8000/1"] == 255
