"""tools/install-debs.sh, the first command of a fresh machine, succeeds on its first run.

Debian's tools are replaced by fakes on PATH (nothing is installed): ``dpkg-query``
says every package is missing, ``apt-get`` records its arguments, and the
service-start policy file lives in a temporary folder.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "tools" / "install-debs.sh"


def fake_tools(bin_dir: Path, log: Path) -> None:
    bin_dir.mkdir()
    (bin_dir / "dpkg-query").write_text("#!/bin/sh\nexit 1\n")
    (bin_dir / "apt-get").write_text(f'#!/bin/sh\necho "$@" >> {log}\nexit 0\n')
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)


@pytest.mark.parametrize("policy_exists", [True, False])
def test_installs_and_exits_0_with_or_without_a_policy_file(
    tmp_path: Path, policy_exists: bool
) -> None:
    log = tmp_path / "apt.log"
    fake_tools(tmp_path / "bin", log)
    policy = tmp_path / "policy-rc.d"
    if policy_exists:
        policy.write_text("#!/bin/sh\nexit 0\n")
    env = {**os.environ, "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}"}
    env["POLICY_RC_D"] = str(policy)
    done = subprocess.run(
        ["sh", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "install" in log.read_text() and "kamailio" in log.read_text()
    # Ours is removed again; one the machine had is left as it was.
    assert policy.exists() == policy_exists
    if policy_exists:
        assert policy.read_text() == "#!/bin/sh\nexit 0\n"
