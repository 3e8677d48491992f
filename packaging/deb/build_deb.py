"""Build the Debian packages: ``softphone-adapter`` (thin clients) and ``softphone`` (xrdp hosts).

Theory of operation: each package carries a private runtime, a venv under
``/usr/lib/<package>`` made at build time with Debian's own ``python3`` (so the
interpreter is the system's, which the package depends on) and filled from our
pinned wheels: ``pip install <tree>[adapter]`` or ``[app]``. The venv is built in a
staging folder; nothing in it names that folder except pip's console scripts, which
we drop: ``/usr/bin`` gets small launchers that run ``python -m`` the entry modules.
Bytecode is compiled at build time (users cannot write under /usr/lib). The rest is
the usual Debian layout: control, maintainer scripts, conffile, copyright (DEP-5,
with the licences of everything bundled), changelog, lintian overrides for the
private runtime. ``dpkg-deb --root-owner-group`` builds without fakeroot.

    python packaging/deb/build_deb.py [--adapter] [--app] [--out dist]
"""

from __future__ import annotations

import argparse
import email.parser
import gzip
import os
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
BUILD = ROOT / "build" / "deb"
SYSTEM_PYTHON = Path("/usr/bin/python3")
MAINTAINER = "Softphone team <softphone@example.com>"


class BuildError(Exception):
    """A missing build input or a failed step, in one line."""


@dataclass(frozen=True)
class Package:
    name: str
    extra: str
    summary: str
    description: str
    depends: tuple[str, ...]
    #: /usr/bin name -> module run with ``python -m``
    commands: dict[str, str]


ADAPTER = Package(
    name="softphone-adapter",
    extra="adapter",
    summary="split VDI softphone: SIP, media and headset on the agent's workstation",
    description=(
        "The workstation half of the split VDI softphone. It runs as a user service,\n"
        "holds the calls (SIP via pjsua2, audio through PortAudio) and talks to the\n"
        "softphone in the virtual desktop over the RDP or Citrix virtual channel.\n"
        "Includes the FreeRDP relay and the Citrix Workspace app channel driver."
    ),
    depends=("python3 (>= 3.11)", "python3 (<< 3.13)", "libportaudio2", "libc6"),
    commands={
        "softphone-adapter": "vdi_adapter.cli",
        "softphone-rdp-relay": "vdi_adapter.rdp_relay",
        "softphone-citrix-register": "vdi_adapter.citrix_registration",
    },
)
APP = Package(
    name="softphone",
    extra="app",
    summary="split VDI softphone: the agent's phone in the virtual desktop",
    description=(
        "The virtual-desktop half of the split VDI softphone: the window, the local\n"
        "REST API for agent-desktop applications and the configuration. Calls and\n"
        "audio run in softphone-adapter on the agent's workstation."
    ),
    # Qt's own libraries come in the wheel; these are the system ones it loads.
    depends=(
        "python3 (>= 3.11)",
        "python3 (<< 3.13)",
        "libc6",
        "libgl1",
        "libegl1",
        "libxkbcommon0",
        "libfontconfig1",
        "libdbus-1-3",
    ),
    commands={"softphone": "app_layer.cli"},
)


def version() -> str:
    return str(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"])


def run(*command: str | Path, cwd: Path | None = None) -> str:
    done = subprocess.run(
        [str(c) for c in command], capture_output=True, text=True, cwd=cwd, check=False
    )
    if done.returncode:
        output = (done.stderr.strip() or done.stdout.strip())[-800:]
        raise BuildError(f"{Path(str(command[0])).name} {command[1]} failed: {output}")
    return done.stdout


def check_inputs(packages: list[Package]) -> None:
    for tool in ("dpkg-deb", "gzip"):
        if not shutil.which(tool):
            raise BuildError(f"{tool} is missing (Debian: dpkg, gzip)")
    if not SYSTEM_PYTHON.exists():
        raise BuildError(f"{SYSTEM_PYTHON} is missing (Debian: python3, python3-venv)")
    if ADAPTER in packages and not (ROOT / "build/citrix/linux-x64/VDSOFTPH.DLL").exists():
        raise BuildError("build/citrix/linux-x64/VDSOFTPH.DLL is missing: run make citrix-driver")


def source_copy(into: Path) -> Path:
    """Our tree without build products, so pip builds from clean sources."""
    names = ".venv .git build dist __pycache__ *.egg-info .mypy_cache .ruff_cache .pytest_cache"
    skip = shutil.ignore_patterns(*names.split(), "tests")
    shutil.copytree(ROOT, into, ignore=skip)
    return into


def make_runtime(package: Package, staging: Path, source: Path) -> Path:
    """The venv at /usr/lib/<name> inside ``staging``, with our code and pinned wheels."""
    lib = f"usr/lib/{package.name}"
    venv = staging / lib
    run(SYSTEM_PYTHON, "-m", "venv", venv)
    pip = [venv / "bin" / "python", "-m", "pip", "install", "-q", "--no-compile"]
    run(*pip, f"{source}[{package.extra}]")
    run(venv / "bin" / "python", "-m", "pip", "uninstall", "-q", "-y", "pip", "setuptools")
    for item in (venv / "bin").iterdir():  # console scripts name the staging folder
        if not item.name.startswith("python"):
            item.unlink()
    for item in venv.rglob("__pycache__"):
        shutil.rmtree(item)
    for item in venv.rglob("*"):  # libraries and modules are read, never run
        if item.is_file() and not item.is_symlink():
            item.chmod(0o644)
    # Templates that only look like Python (PySide6 deployment recipes) stay uncompiled.
    skip = r"\.tmpl\.py$"
    compile_all = [SYSTEM_PYTHON, "-m", "compileall", "-q", "-j", "0", "-x", skip]
    run(*compile_all, "-s", staging, "-p", "/", venv)
    return venv


def write(path: Path, text: str, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)


def bundled(venv: Path) -> list[tuple[str, str, str]]:
    """(name, version, licence) of every distribution in the runtime."""
    found = []
    for meta in sorted(venv.glob("lib/python3*/site-packages/*.dist-info/METADATA")):
        info = email.parser.Parser().parsestr(meta.read_text(errors="replace"), headersonly=True)
        licence = info.get("License-Expression") or info.get("License") or ""
        if not licence or len(licence) > 60:
            classifiers = [c for c in info.get_all("Classifier") or [] if "License ::" in c]
            licence = classifiers[0].rsplit("::", 1)[1].strip() if classifiers else "see its files"
        found.append((info["Name"], info["Version"], licence.splitlines()[0]))
    return found


def write_docs(package: Package, staging: Path, venv: Path, ver: str) -> None:
    doc = staging / "usr/share/doc" / package.name
    rows = "\n".join(f"{n:<32} {v:<16} {lic}" for n, v, lic in bundled(venv))
    write(doc / "BUNDLED.txt", f"{'name':<32} {'version':<16} licence\n{rows}\n")
    gpl2 = Path("/usr/share/common-licenses/GPL-2").read_text()
    write(
        doc / "copyright",
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
        f"Upstream-Name: {package.name}\n\n"
        "Files: *\nCopyright: the softphone team\nLicense: GPL-3+\n"
        " On Debian systems the full text is in /usr/share/common-licenses/GPL-3.\n\n"
        f"Files: usr/lib/{package.name}/lib/*\n"
        "Copyright: the authors of each bundled distribution (BUNDLED.txt)\n"
        "License: various\n"
        " Each bundled distribution's licence is in its .dist-info folder;\n"
        " the list with names, versions and licences is in BUNDLED.txt.\n"
        + (
            " pjproject (in pjsua2-python) is licensed GPL-2.0-or-later:\n"
            + "".join(f" {line}\n" if line.strip() else " .\n" for line in gpl2.splitlines()[:12])
            if package is ADAPTER
            else ""
        ),
    )
    changelog = (
        f"{package.name} ({ver}) unstable; urgency=medium\n\n  * Release {ver}.\n\n"
        f" -- {MAINTAINER}  Sat, 05 Dec 2026 12:00:00 +0000\n"
    )
    (doc / "changelog.gz").write_bytes(gzip.compress(changelog.encode(), mtime=0))
    (doc / "changelog.gz").chmod(0o644)


def write_launchers(package: Package, staging: Path) -> None:
    for command, module in package.commands.items():
        write(
            staging / "usr/bin" / command,
            f'#!/bin/sh\nexec /usr/lib/{package.name}/bin/python -m {module} "$@"\n',
            0o755,
        )


def adapter_extras(staging: Path) -> None:
    """The user service, the Citrix driver, the settings conffile, maintainer scripts."""
    write(
        staging / "usr/lib/systemd/user/softphone-adapter.service",
        "[Unit]\nDescription=Softphone adapter (SIP and media for the virtual desktop)\n"
        "After=pipewire-pulse.service pulseaudio.service\n\n"
        "[Service]\nExecStart=/usr/bin/softphone-adapter\nRestart=on-failure\nRestartSec=2\n\n"
        "[Install]\nWantedBy=default.target\n",
    )
    driver = staging / "usr/lib/softphone-adapter/citrix/VDSOFTPH.DLL"
    driver.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ROOT / "build/citrix/linux-x64/VDSOFTPH.DLL", driver)
    driver.chmod(0o644)
    write(staging / "etc/softphone/adapter.toml", (HERE / "adapter.toml").read_text())
    write(staging / "DEBIAN/conffiles", "/etc/softphone/adapter.toml\n")
    write(staging / "DEBIAN/postinst", (HERE / "adapter.postinst").read_text(), 0o755)
    write(staging / "DEBIAN/prerm", (HERE / "adapter.prerm").read_text(), 0o755)
    write(staging / "DEBIAN/postrm", (HERE / "adapter.postrm").read_text(), 0o755)


def app_extras(staging: Path) -> None:
    write(
        staging / "usr/share/applications/softphone.desktop",
        "[Desktop Entry]\nType=Application\nName=Softphone\n"
        "Comment=The agent's phone (calls run on the workstation)\n"
        "Exec=softphone\nIcon=call-start\nCategories=Network;Telephony;\nTerminal=false\n",
    )


def control(package: Package, staging: Path, ver: str) -> None:
    size_kb = sum(f.stat().st_size for f in staging.rglob("*") if f.is_file()) // 1024
    write(
        staging / "DEBIAN/control",
        f"Package: {package.name}\nVersion: {ver}\nArchitecture: amd64\n"
        f"Maintainer: {MAINTAINER}\nInstalled-Size: {size_kb}\n"
        f"Depends: {', '.join(package.depends)}\nSection: comm\nPriority: optional\n"
        "Homepage: https://example.com/softphone\n"
        f"Description: {package.summary}\n"
        + "".join(f" {line}\n" for line in package.description.splitlines()),
    )
    write(
        staging / f"usr/share/lintian/overrides/{package.name}",
        (HERE / "lintian-overrides").read_text().replace("@PACKAGE@", package.name),
    )


def build(package: Package, out: Path) -> Path:
    ver = version()
    staging = BUILD / package.name
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    source = source_copy(BUILD / f"{package.name}-source")
    try:
        venv = make_runtime(package, staging, source)
    finally:
        shutil.rmtree(source, ignore_errors=True)
    write_launchers(package, staging)
    write_docs(package, staging, venv, ver)
    if package is ADAPTER:
        adapter_extras(staging)
    else:
        app_extras(staging)
    control(package, staging, ver)
    for folder in staging.rglob("*"):
        if folder.is_dir():
            folder.chmod(0o755)
    out.mkdir(parents=True, exist_ok=True)
    deb = out / f"{package.name}_{ver}_amd64.deb"
    # xz at level 3: a tenth larger than the default level, three times faster to build.
    run("dpkg-deb", "--root-owner-group", "-Zxz", "-z3", "--build", staging, deb)
    return deb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--adapter", action="store_true", help="softphone-adapter only")
    parser.add_argument("--app", action="store_true", help="softphone (app layer) only")
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    args = parser.parse_args(argv)
    chosen = [p for p, on in ((ADAPTER, args.adapter), (APP, args.app)) if on] or [ADAPTER, APP]
    try:
        check_inputs(chosen)
        for package in chosen:
            print(build(package, args.out))
    except BuildError as error:
        print(f"build_deb: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    os.umask(0o022)
    sys.exit(main())
