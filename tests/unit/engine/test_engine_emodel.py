"""E-model (ITU-T G.107) figures."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vdi_adapter.engine import emodel


def test_default_connection_rates_93_2_and_mos_4_41():
    assert emodel.rating("PCMU", 0, 0) == pytest.approx(93.2)
    assert emodel.r_to_mos(93.2) == pytest.approx(4.41, abs=0.01)


def test_r_to_mos_annex_b_anchor_points():
    assert emodel.r_to_mos(0) == 1.0
    assert emodel.r_to_mos(100) == 4.5
    assert emodel.r_to_mos(50) == pytest.approx(2.58, abs=0.01)
    assert emodel.r_to_mos(80) == pytest.approx(4.02, abs=0.01)


def test_delay_term_bends_at_177_ms():
    assert emodel.delay_impairment(100) == pytest.approx(2.4)
    assert emodel.delay_impairment(300) == pytest.approx(0.024 * 300 + 0.11 * (300 - 177.3))


def test_loss_hurts_g711_with_plc_by_g113_figures():
    # Ie,eff = 95 * 5 / (5 + 25.1) for 5 % random loss on G.711 with PLC.
    assert emodel.effective_equipment_impairment("PCMU/8000", 5) == pytest.approx(15.78, abs=0.01)
    assert emodel.estimate_mos("PCMU", 20, 2, 5) < emodel.estimate_mos("PCMU", 20, 2, 0)


def test_low_bitrate_codecs_rate_below_g711():
    assert emodel.estimate_mos("GSM", 20, 1, 0) < emodel.estimate_mos("PCMA", 20, 1, 0)


def test_nan_figures_are_refused():
    with pytest.raises(ValueError):
        emodel.estimate_mos("PCMU", math.nan, 0, 0)


@given(
    rtt=st.floats(0, 2000),
    jitter=st.floats(0, 500),
    loss=st.floats(0, 100),
    codec=st.sampled_from(["PCMU", "G722/16000", "GSM", "iLBC", "opus"]),
)
def test_mos_stays_in_range_and_falls_with_loss(rtt, jitter, loss, codec):
    mos = emodel.estimate_mos(codec, rtt, jitter, loss)
    assert 1.0 <= mos <= 4.5
    assert emodel.estimate_mos(codec, rtt, jitter, min(100.0, loss + 5)) <= mos
