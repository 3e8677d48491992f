"""The Debian packages as IT meets them: built here, lintian-clean, installed into a clean
Debian 12 (debootstrap, nothing of ours inside), a call answered through the installed
adapter, and ``apt-get purge`` leaving no file of ours behind."""

from __future__ import annotations

import concurrent.futures
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from simulator.connector_client import BlockingConnectorClient
from simulator.ica_engine import ensure_built
from simulator.ica_engine.stack import stop_pid
from simulator.processes import wait_until
from simulator.sipp import free_port

# Building both packages and a clean Debian 12 takes minutes, not the default two.
pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]

ROOT = Path(__file__).resolve().parents[3]
MIRROR = "http://deb.debian.org/debian"
#: Not package files: the system's own bookkeeping and what processes write at run time.
VOLATILE = ("proc", "sys", "dev", "run", "tmp", "root", "var/cache", "var/lib/apt",
            "var/lib/dpkg", "var/log", "var/tmp", "etc/ld.so.cache")  # fmt: skip


@dataclass
class Chroot:
    root: Path
    debs: dict[str, Path]

    def run(self, *command: str, check: bool = True, timeout: float = 600) -> str:
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "DEBIAN_FRONTEND": "noninteractive",
               "LANG": "C.UTF-8", "HOME": "/root"}  # fmt: skip
        done = subprocess.run(
            ["chroot", str(self.root), *command],
            capture_output=True, text=True, env=env, timeout=timeout, check=False,
        )  # fmt: skip
        if check and done.returncode:
            raise AssertionError(f"{command}: {done.stdout[-1500:]}{done.stderr[-2500:]}")
        return done.stdout + done.stderr

    def files(self) -> set[str]:
        found = set()
        for folder, dirs, names in os.walk(self.root):
            rel = os.path.relpath(folder, self.root)
            dirs[:] = [d for d in dirs if os.path.normpath(os.path.join(rel, d)) not in VOLATILE]
            found |= {os.path.normpath(os.path.join(rel, n)) for n in names + dirs}
        return found


def build_debs(out: Path) -> dict[str, Path]:
    ensure_built()
    done = subprocess.run(
        ["python3", str(ROOT / "packaging/deb/build_deb.py"), "--out", str(out)],
        capture_output=True, text=True, check=False, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    debs = {Path(line).name.split("_")[0]: Path(line) for line in done.stdout.split()}
    assert set(debs) == {"softphone-adapter", "softphone"}, done.stdout
    return debs


def debootstrap(root: Path) -> None:
    done = subprocess.run(
        ["debootstrap", "--variant=minbase", "bookworm", str(root), MIRROR],
        capture_output=True, text=True, check=False, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


@pytest.fixture(scope="module")
def chroot() -> Iterator[Chroot]:
    folder = Path(tempfile.mkdtemp(prefix="softphone-debs-"))
    root = folder / "bookworm"
    try:
        # The clean system downloads while the packages build.
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            system = pool.submit(debootstrap, root)
            debs = build_debs(folder / "dist")
            system.result()
        shutil.copy("/etc/resolv.conf", root / "etc/resolv.conf")
        # No service of the clean system may start inside the chroot.
        (root / "usr/sbin/policy-rc.d").write_text("#!/bin/sh\nexit 101\n")
        (root / "usr/sbin/policy-rc.d").chmod(0o755)
        for name, deb in debs.items():
            shutil.copy(deb, root / "tmp" / f"{name}.deb")
        yield Chroot(root, debs)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("package", ["softphone-adapter", "softphone"])
def test_lintian_reports_no_errors(chroot: Chroot, package: str) -> None:
    done = subprocess.run(
        ["lintian", "--tag-display-limit", "0", str(chroot.debs[package])],
        capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    errors = [line for line in done.stdout.splitlines() if line.startswith("E:")]
    assert not errors, "\n".join(errors)


def test_the_adapter_installs_checks_answers_a_call_and_purges_clean(
    chroot: Chroot, tmp_path: Path
) -> None:
    chroot.run("apt-get", "update", "-q")
    # The system as it is before us, with the dependencies the package declares.
    chroot.run("apt-get", "install", "-y", "-q", "--no-install-recommends",
               "python3", "libportaudio2")  # fmt: skip
    before = chroot.files()
    chroot.run("apt-get", "install", "-y", "-q", "--no-install-recommends",
               "/tmp/softphone-adapter.deb")  # fmt: skip
    assert "softphone-adapter 0.1.0" in chroot.run("softphone-adapter", "--version")
    assert (chroot.root / "etc/softphone/adapter.toml").exists()
    wants = "etc/systemd/user/default.target.wants/softphone-adapter.service"
    assert (chroot.root / wants).is_symlink(), "the user service is not enabled"
    assert (chroot.root / "usr/lib/softphone-adapter/citrix/VDSOFTPH.DLL").exists()
    check = chroot.run("softphone-adapter", "--check", check=False)
    assert "pjsua2" in check and "Traceback" not in check, check
    answer_a_call(chroot, tmp_path)
    chroot.run("apt-get", "purge", "-y", "-q", "softphone-adapter")
    left = sorted(chroot.files() - before)
    assert not left, f"left behind after purge: {left[:20]}"


def answer_a_call(chroot: Chroot, tmp_path: Path) -> None:
    """The installed adapter (in the chroot) behind this tree's app, called by sipp."""
    sock_dir = chroot.root / "tmp" / "softphone"
    sock_dir.mkdir(mode=0o700)
    adapter = subprocess.Popen(
        ["chroot", str(chroot.root), "/usr/bin/softphone-adapter", "--unix",
         "/tmp/softphone/adapter.sock", "--audio", "null"],
        stdout=subprocess.DEVNULL, stderr=(tmp_path / "adapter.log").open("wb"),
        start_new_session=True,
    )  # fmt: skip
    sip_port = free_port(socket.SOCK_DGRAM)
    config = tmp_path / "config.toml"
    config.write_text(f"[network]\nsip_port = {sip_port}\n")
    port = free_port()
    token = tmp_path / "connector.token"
    app = subprocess.Popen(
        [str(ROOT / ".venv/bin/python"), "-m", "app_layer.cli", "--headless", "--config",
         str(config), "--transport", f"unix:{sock_dir / 'adapter.sock'}",
         "--connector-port", str(port), "--token-file", str(token)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=(tmp_path / "app.log").open("wb"),
        start_new_session=True,
    )  # fmt: skip
    uac: subprocess.Popen[bytes] | None = None

    def why() -> str:
        return (tmp_path / "adapter.log").read_text() + (tmp_path / "app.log").read_text()

    try:
        wait_until(token.exists, 30, why)
        client = BlockingConnectorClient(port, token.read_text().strip())
        wait_until(lambda: client.link_state() == "connected", 60, why)
        wait_until(lambda: client.session()["link"].get("adapter_version"), 10, why)
        uac = subprocess.Popen(
            ["sipp", "-sn", "uac", f"127.0.0.1:{sip_port}", "-s", "agent", "-i", "127.0.0.1",
             "-p", str(free_port(socket.SOCK_DGRAM)), "-m", "1", "-d", "1000", "-nostdin"],
            stdout=(tmp_path / "uac.log").open("wb"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

        def ringing() -> str | None:
            calls = client.session()["calls"]
            return next((c["id"] for c in calls if c["state"] == "ringing"), None)

        call_id = wait_until(ringing, 20, why)
        assert client.request("POST", f"/v1/calls/{call_id}/answer")[0] == 200
        assert uac.wait(30) == 0, (tmp_path / "uac.log").read_text()[-1500:]
    finally:
        if uac is not None:
            stop_pid(uac.pid)
        stop_pid(app.pid)
        stop_pid(adapter.pid)
        app.wait(5)
        adapter.wait(5)


def test_the_app_package_installs_with_its_desktop_entry_and_runs(chroot: Chroot) -> None:
    listing = subprocess.run(
        ["dpkg-deb", "-c", str(chroot.debs["softphone"])], capture_output=True, text=True,
        check=True,
    ).stdout  # fmt: skip
    assert "./usr/share/applications/softphone.desktop" in listing
    assert "pjsua2" not in listing and "PySide6" in listing
    chroot.run("apt-get", "install", "-y", "-q", "--no-install-recommends", "/tmp/softphone.deb")
    assert "softphone 0.1.0" in chroot.run("softphone", "--version")
    out = chroot.run("softphone", "--headless", "--transport", "loopback", check=False)
    assert "adapter half" in out and "Traceback" not in out, out
    chroot.run("apt-get", "purge", "-y", "-q", "softphone")
    assert not (chroot.root / "usr/lib/softphone").exists()
