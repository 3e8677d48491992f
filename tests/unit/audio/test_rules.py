"""Device selection rules: preference order, regexes, headset policy, explicit choice."""

from __future__ import annotations

import pytest

from protocol import pb
from vdi_adapter.audio.rules import (
    DeviceEntry,
    DeviceRulesError,
    ExplicitChoice,
    compile_rules,
    describe_change,
    headset_missing,
    select,
)


def device(name: str, inputs: int = 1, outputs: int = 1, **flags: bool) -> DeviceEntry:
    return DeviceEntry(name, "ALSA", inputs, outputs, 48000.0, **flags)


JABRA = device("Jabra EVOLVE 40")
PLANTRONICS = device("Plantronics Blackwire 3220")
SPEAKERPHONE = device("Poly Sync 20 Speakerphone")
LAPTOP_MIC = device("HDA Intel PCH: ALC257 Analog", outputs=0, is_default_input=True)
LAPTOP_SPEAKER = device("HDA Intel PCH: Speaker", inputs=0, is_default_output=True)
PLAYBACK_ONLY_HEADSET = device("Jabra Link 380 (playback)", inputs=0)

RULES = compile_rules(
    pb.DeviceRules(
        headset=["^Plantronics", "jabra.*40"],
        microphone=["Speakerphone"],
        speaker=["Speakerphone", "HDA.*Speaker"],
        ringer=["HDA.*Speaker"],
        use_headset=True,
    )
)


def test_headset_list_is_tried_in_order() -> None:
    both = select([JABRA, PLANTRONICS, LAPTOP_SPEAKER], RULES)
    assert both.microphone == both.speaker == PLANTRONICS and both.headset_in_use
    assert "headset Plantronics Blackwire 3220 (rule '^Plantronics')" in both.reason
    only_jabra = select([LAPTOP_SPEAKER, JABRA], RULES)
    assert only_jabra.speaker == JABRA


def test_names_match_whole_and_ignore_case_and_regexes_search() -> None:
    rules = compile_rules(pb.DeviceRules(speaker=["hda intel pch: speaker"]))
    assert select([SPEAKERPHONE, LAPTOP_SPEAKER], rules).speaker == LAPTOP_SPEAKER
    rules = compile_rules(pb.DeviceRules(speaker=["sync 2\\d"]))
    assert select([LAPTOP_SPEAKER, SPEAKERPHONE], rules).speaker == SPEAKERPHONE


def test_a_headset_must_both_play_and_record() -> None:
    rules = compile_rules(pb.DeviceRules(headset=["jabra"], use_headset=True))
    selection = select([PLAYBACK_ONLY_HEADSET, LAPTOP_MIC, LAPTOP_SPEAKER], rules)
    assert not selection.headset_in_use and "no headset present" in selection.reason


def test_without_headset_the_role_lists_then_defaults_apply() -> None:
    selection = select([LAPTOP_MIC, LAPTOP_SPEAKER, SPEAKERPHONE], RULES)
    assert selection.microphone == SPEAKERPHONE and selection.speaker == SPEAKERPHONE
    assert headset_missing(selection, RULES)
    fallback = select([LAPTOP_MIC, LAPTOP_SPEAKER], RULES)
    assert fallback.microphone == LAPTOP_MIC and "(system default)" in fallback.reason
    assert fallback.speaker == LAPTOP_SPEAKER and "(rule 'HDA.*Speaker')" in fallback.reason


def test_nothing_present() -> None:
    selection = select([], RULES)
    assert selection.microphone is None and selection.speaker is None and not selection.ringers
    assert "no microphone present" in selection.reason


def test_ringer_and_ring_on_speaker() -> None:
    selection = select([JABRA, LAPTOP_SPEAKER], RULES)
    assert selection.ringers == (LAPTOP_SPEAKER,)
    no_ringer_rule = compile_rules(
        pb.DeviceRules(headset=["jabra"], use_headset=True, ring_on_speaker=True)
    )
    selection = select([JABRA, LAPTOP_SPEAKER], no_ringer_rule)
    assert selection.ringers == (JABRA, LAPTOP_SPEAKER)
    assert "also ringing on HDA Intel PCH: Speaker" in selection.reason


def test_explicit_choice_wins_while_present() -> None:
    choice = ExplicitChoice(speaker="ALSA:Poly Sync 20 Speakerphone")
    selection = select([JABRA, SPEAKERPHONE], RULES, choice)
    assert selection.speaker == SPEAKERPHONE and selection.microphone == JABRA
    assert selection.explicit and not selection.headset_in_use
    assert not headset_missing(selection, RULES)
    gone = select([JABRA], RULES, choice)
    assert gone.speaker == JABRA and "is not present" in gone.reason


@pytest.mark.parametrize("bad", ["(unclosed", "", "   "])
def test_bad_rules_are_refused_with_the_entry_named(bad: str) -> None:
    with pytest.raises(DeviceRulesError, match="headset rule"):
        compile_rules(pb.DeviceRules(headset=["jabra", bad]))


def test_change_descriptions() -> None:
    assert describe_change([JABRA], [JABRA, PLANTRONICS]) == "added: Plantronics Blackwire 3220"
    assert describe_change([JABRA, PLANTRONICS], [PLANTRONICS]) == "removed: Jabra EVOLVE 40"
    proto = JABRA.to_proto()
    assert proto.device_id == "ALSA:Jabra EVOLVE 40" and proto.max_input_channels == 1
