"""The committed softphone.v1 modules match the .proto files."""

from __future__ import annotations

from pathlib import Path

from protocol.generate import PROTO_DIR, generate


def test_generated_code_is_not_stale(tmp_path: Path) -> None:
    fresh = generate(tmp_path)
    assert fresh, "no .proto files found"
    stale = [p.name for p in fresh if (PROTO_DIR / p.name).read_bytes() != p.read_bytes()]
    assert not stale, f"regenerate with `make proto`: {stale} differ from the .proto files"


def test_every_proto_enum_starts_with_unspecified() -> None:
    from protocol import pb

    for module in (pb,):
        for name in dir(module):
            wrapper = getattr(module, name)
            descriptor = getattr(wrapper, "DESCRIPTOR", None)
            if descriptor is not None and hasattr(descriptor, "values_by_number"):
                zero = descriptor.values_by_number[0].name
                assert zero.endswith("_UNSPECIFIED"), f"{name}: value 0 is {zero}"
