"""Generate the softphone.v1 Python modules from protocol/softphone/v1/*.proto.

Run ``python -m protocol.generate`` after editing a .proto file. The output is
reproducible (same grpcio-tools, same bytes); ``tests/unit/test_generated.py``
fails when the committed modules are stale.

protoc writes imports as ``from softphone.v1 import x_pb2`` because the proto
package root is ``protocol/``; we rewrite them to ``protocol.softphone.v1`` so the
generated code lives inside our ``protocol`` package instead of claiming a
top-level ``softphone`` name.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

PROTO_ROOT = Path(__file__).resolve().parent
PROTO_DIR = PROTO_ROOT / "softphone" / "v1"
_IMPORT = re.compile(r"^from softphone\.v1 import ", re.MULTILINE)


def generate(out_dir: Path) -> list[Path]:
    """Compile every .proto into ``out_dir``; return the written files."""
    from grpc_tools import protoc  # build-time only

    protos = sorted(p.relative_to(PROTO_ROOT).as_posix() for p in PROTO_DIR.glob("*.proto"))
    with tempfile.TemporaryDirectory() as tmp:
        args = ["protoc", f"-I{PROTO_ROOT}", f"--python_out={tmp}", f"--pyi_out={tmp}", *protos]
        if protoc.main(args) != 0:
            raise SystemExit("protoc failed")
        written = []
        for src in sorted((Path(tmp) / "softphone" / "v1").iterdir()):
            text = _IMPORT.sub("from protocol.softphone.v1 import ", src.read_text())
            dst = out_dir / src.name
            dst.write_text(text)
            written.append(dst)
    return written


def main() -> None:
    for path in generate(PROTO_DIR):
        print(path.relative_to(PROTO_ROOT.parent))


if __name__ == "__main__":
    main()
