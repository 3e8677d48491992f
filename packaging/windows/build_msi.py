"""Build the Windows MSIs with wixl: ``softphone-adapter`` (endpoints) and ``softphone`` (VDAs).

Theory of operation: the Windows Python runtime cannot be fetched from the registries we
build from, so each MSI *requires* an installed CPython 3.12 x64 (python.org installer,
for all users; found by AppSearch in the registry, or given as ``PYTHONDIR=``; a
LaunchCondition says what to install) and bundles everything else: our packages
(sources; the sound-device C module has no Windows build yet, see docs/deploy.md),
the dependencies' ``win_amd64`` wheels from PyPI unpacked into ``lib\\`` (a wheel is
a zip: unpacked, it is installed for a fixed interpreter), two small C programs built
here with mingw-w64 (the launcher, so the process is ``softphone.exe``; and
``softphone-vclist.exe``, the deferred custom action that appends our entry to Citrix's
shared ``VirtualDriverEx`` list and removes only it), the Citrix driver DLLs, licence
texts and ``BUNDLED.txt``. The .wxs is generated with stable ids and component GUIDs
(uuid5 of the path), so upgrades replace files cleanly (MajorUpgrade).

    python packaging/windows/build_msi.py [--adapter] [--app] [--out dist]
"""

from __future__ import annotations

import argparse
import email.parser
import hashlib
import shutil
import subprocess
import sys
import tomllib
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import quoteattr

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
BUILD = ROOT / "build" / "windows"
NAMESPACE = uuid.UUID("5b0f6c52-2a57-4d0e-9a8e-0f7f2c3e9d11")
PYTHON_KEY = r"SOFTWARE\Python\PythonCore\3.12\InstallPath"
MODULES = r"SOFTWARE\Citrix\ICA Client\Engine\Configuration\Advanced\Modules"
MODULES_32 = r"SOFTWARE\WOW6432Node\Citrix\ICA Client\Engine\Configuration\Advanced\Modules"


class BuildError(Exception):
    """A missing input or a failed step, in one line."""


@dataclass(frozen=True)
class Msi:
    name: str
    title: str
    folder: str
    upgrade_code: str
    entry: str
    exe: str
    extra: str
    packages: tuple[str, ...]


ADAPTER = Msi(
    name="softphone-adapter", title="Softphone Adapter", folder="Softphone Adapter",
    upgrade_code="6f1d3a52-8c41-4f4e-b0a7-3f2d9b1c5e01", entry="vdi_adapter.cli",
    exe="softphone-adapter.exe", extra="adapter", packages=("protocol", "vdi_adapter"),
)  # fmt: skip
APP = Msi(
    name="softphone", title="Softphone", folder="Softphone",
    upgrade_code="0c7a9e24-5b3f-4d61-9e8a-7a4b2c1d6f02", entry="app_layer.cli",
    exe="softphone.exe", extra="app", packages=("protocol", "app_layer"),
)  # fmt: skip


def project() -> dict[str, object]:
    data: dict[str, object] = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return data


def requirements(extra: str) -> list[str]:
    meta = project()
    base = list(meta["dependencies"])  # type: ignore[call-overload]
    extras = meta["optional-dependencies"]  # type: ignore[index]
    return base + list(extras[extra])  # type: ignore[index]


def run(*command: str | Path, cwd: Path | None = None) -> str:
    done = subprocess.run(
        [str(c) for c in command], capture_output=True, text=True, cwd=cwd, check=False
    )
    if done.returncode:
        output = (done.stderr.strip() or done.stdout.strip())[-800:]
        raise BuildError(f"{Path(str(command[0])).name} failed: {output}")
    return done.stdout


def check_inputs() -> None:
    for tool, package in (
        ("wixl", "wixl"),
        ("x86_64-w64-mingw32-gcc", "gcc-mingw-w64-x86-64-win32"),
    ):
        if not shutil.which(tool):
            raise BuildError(f"{tool} is missing (Debian: {package})")
    for dll in ("win32", "win64"):
        if not (ROOT / f"build/citrix/{dll}/vdsoftph.dll").exists():
            raise BuildError(f"build/citrix/{dll}/vdsoftph.dll is missing: run make citrix-driver")


def windows_wheels(msi: Msi) -> list[Path]:
    """The dependencies' win_amd64 wheels for CPython 3.12 (cached in build/windows)."""
    folder = BUILD / "wheels" / msi.extra
    folder.mkdir(parents=True, exist_ok=True)
    run(sys.executable, "-m", "pip", "download", "-q", "--only-binary=:all:",
        "--platform", "win_amd64", "--python-version", "3.12", "--implementation", "cp",
        "-d", folder, *requirements(msi.extra))  # fmt: skip
    return sorted(folder.glob("*.whl"))


def compile_programs(msi: Msi, into: Path) -> None:
    gcc = ["x86_64-w64-mingw32-gcc", "-std=c11", "-O2", "-Wall", "-Wextra", "-Werror", "-s"]
    run(*gcc, "-Wno-cast-function-type", "-municode", f'-DENTRY_MODULE=L"{msi.entry}"',
        "-o", into / msi.exe, HERE / "launcher.c", "-lshell32", "-ladvapi32")  # fmt: skip
    if msi is ADAPTER:
        run(*gcc, "-o", into / "softphone-vclist.exe", HERE / "vclist.c", "-ladvapi32")


def stage(msi: Msi) -> Path:
    """Everything the MSI installs, laid out as it lands in its folder."""
    staging = BUILD / msi.name
    shutil.rmtree(staging, ignore_errors=True)
    lib = staging / "lib"
    lib.mkdir(parents=True)
    compile_programs(msi, staging)
    skip = shutil.ignore_patterns("__pycache__", "*.so", "*.c", "*.pyi")
    for package in msi.packages:
        shutil.copytree(ROOT / package, lib / package, ignore=skip)
    rows = []
    for wheel in windows_wheels(msi):
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(lib)
            meta = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
            info = email.parser.Parser().parsestr(archive.read(meta).decode(errors="replace"))
        licence = info.get("License-Expression") or info.get("License") or ""
        if not licence or len(licence) > 60:
            found = [c for c in info.get_all("Classifier") or [] if "License ::" in c]
            licence = found[0].rsplit("::", 1)[1].strip() if found else "see its dist-info"
        rows.append(f"{info['Name']:<28} {info['Version']:<14} {licence.splitlines()[0]}")
    (staging / "BUNDLED.txt").write_text(
        f"{'name':<28} {'version':<14} licence\n" + "\n".join(rows) + "\n"
    )
    licences = staging / "LICENSES"
    licences.mkdir()
    shutil.copy(ROOT / "LICENSE", licences / "softphone-GPL-3.0-or-later.txt")
    shutil.copy("/usr/share/common-licenses/GPL-2", licences / "pjproject-GPL-2.0-or-later.txt")
    if msi is ADAPTER:
        for arch in ("x64", "x86"):
            folder = staging / "citrix" / arch
            folder.mkdir(parents=True)
            build = "win64" if arch == "x64" else "win32"
            shutil.copy(ROOT / f"build/citrix/{build}/vdsoftph.dll", folder / "vdsoftph.dll")
    return staging


def ident(prefix: str, text: str) -> str:
    return prefix + hashlib.sha1(text.encode()).hexdigest()[:24]


def guid(text: str) -> str:
    return str(uuid.uuid5(NAMESPACE, text)).upper()


def tree(folder: Path, staging: Path, msi: Msi, indent: str, skip: set[Path]) -> list[str]:
    """Directory, Component and File elements for ``folder`` (one component per folder)."""
    lines: list[str] = []
    rel = folder.relative_to(staging).as_posix()
    files = sorted(p for p in folder.iterdir() if p.is_file())
    if files:
        cid = ident("c", f"{msi.name}/{rel}")
        lines.append(
            f'{indent}<Component Id="{cid}" Guid="{guid(msi.name + "/" + rel)}" Win64="yes">'
        )
        for index, path in enumerate(files):
            key = ' KeyPath="yes"' if index == 0 else ""
            fid = "exe" if path.name == msi.exe else ident("f", f"{msi.name}/{rel}/{path.name}")
            if path.name == "softphone-vclist.exe":
                fid = "vclist"
            source = quoteattr(path.relative_to(staging).as_posix())
            name = quoteattr(path.name)
            lines.append(f"{indent}  <File Id={quoteattr(fid)} Name={name} Source={source}{key}/>")
        lines.append(f"{indent}</Component>")
    for sub in sorted(p for p in folder.iterdir() if p.is_dir() and p not in skip):
        did = ident("d", f"{msi.name}/{sub.relative_to(staging).as_posix()}")
        lines.append(f"{indent}<Directory Id={quoteattr(did)} Name={quoteattr(sub.name)}>")
        lines += tree(sub, staging, msi, indent + "  ", skip)
        lines.append(f"{indent}</Directory>")
    return lines


def component_ids(lines: list[str]) -> list[str]:
    return [line.split('Id="', 1)[1].split('"', 1)[0] for line in lines if "<Component " in line]


def registry(key: str, values: dict[str, str], cid: str, root: str = "HKLM") -> list[str]:
    rows = [
        f'      <Component Id="{cid}" Guid="{guid(cid)}" Win64="yes">',
        f'        <RegistryKey Root="{root}" Key={quoteattr(key)} Action="create">',
    ]
    first = True
    for name, value in values.items():
        keypath = ' KeyPath="yes"' if first else ""
        rows.append(f"          <RegistryValue Name={quoteattr(name)} Type=\"string\" "
                    f"Value={quoteattr(value)}{keypath}/>")  # fmt: skip
        first = False
    return [*rows, "        </RegistryKey>", "      </Component>"]


def wxs(msi: Msi, staging: Path, version: str) -> str:
    files = tree(staging, staging, msi, "        ", skip=set())
    regs: list[str] = []
    if msi is ADAPTER:
        driver = {"DriverName": "vdsoftph.dll", "DriverNameWin16": "vdsoftph.dll",
                  "DriverNameWin32": "vdsoftph.dll"}  # fmt: skip
        regs += registry(MODULES + r"\SOFTPH", driver, "RegSoftph64")
        regs += registry(MODULES_32 + r"\SOFTPH", driver, "RegSoftph32")
        settings = {"Server": "[SERVER]", "Transport": "[TRANSPORT]"}
        regs += registry(r"SOFTWARE\Softphone\Adapter", settings, "RegSettings")
        autostart = {"SoftphoneAdapter": f'"[INSTALLDIR]{msi.exe}"'}
        regs += registry(r"SOFTWARE\Microsoft\Windows\CurrentVersion\Run", autostart, "RegRun")
    else:
        regs += registry(r"SOFTWARE\Softphone\App", {"Transport": "[TRANSPORT]"}, "RegSettings")
    regs += registry(r"SOFTWARE\Softphone", {"PythonDir": "[PYTHONDIR]"}, "RegPython")
    components = component_ids(files) + component_ids(regs)
    refs = "\n".join(f'      <ComponentRef Id="{c}"/>' for c in components)
    actions = ""
    if msi is ADAPTER:
        actions = """
    <CustomAction Id="AddChannel" FileKey="vclist" ExeCommand="add SOFTPH" Execute="deferred"
                  Impersonate="no" Return="check"/>
    <CustomAction Id="RemoveChannel" FileKey="vclist" ExeCommand="remove SOFTPH"
                  Execute="deferred" Impersonate="no" Return="ignore"/>
    <InstallExecuteSequence>
      <Custom Action="AddChannel" After="InstallFiles">NOT REMOVE</Custom>
      <Custom Action="RemoveChannel" Before="RemoveFiles">REMOVE="ALL"</Custom>
    </InstallExecuteSequence>"""
    needs_python = (
        f"{msi.title} needs CPython 3.12 (64-bit) installed for all users: install it from"
        " python.org, or give its folder as PYTHONDIR=."
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Wix xmlns="http://schemas.microsoft.com/wix/2006/wi">
  <Product Id="*" Name="{msi.title}" Language="1033" Version="{version}"
           Manufacturer="Softphone team" UpgradeCode="{msi.upgrade_code.upper()}">
    <Package InstallerVersion="500" Compressed="yes" InstallScope="perMachine"
             Description="{msi.title} {version}" Comments="GPL-3.0-or-later"/>
    <MajorUpgrade DowngradeErrorMessage="A newer {msi.title} is already installed."/>
    <Media Id="1" Cabinet="payload.cab" EmbedCab="yes"/>
    <Property Id="TRANSPORT" Value="auto" Secure="yes"/>
    <Property Id="SERVER" Value="-" Secure="yes"/>
    <Property Id="PYTHONEXE" Secure="yes">
      <RegistrySearch Id="FindPython" Root="HKLM" Key="{PYTHON_KEY}" Name="ExecutablePath"
                      Type="raw" Win64="yes"/>
    </Property>
    <Condition Message="{needs_python}">Installed OR PYTHONEXE OR PYTHONDIR</Condition>
    <Directory Id="TARGETDIR" Name="SourceDir">
      <Directory Id="ProgramFiles64Folder">
        <Directory Id="INSTALLDIR" Name="{msi.folder}">
{chr(10).join(files)}
        </Directory>
      </Directory>
{chr(10).join(regs)}
    </Directory>
    <Feature Id="Main" Level="1">
{refs}
    </Feature>{actions}
  </Product>
</Wix>
"""


def build(msi: Msi, out: Path, version: str | None = None) -> Path:
    version = version or str(project()["version"])
    staging = stage(msi)
    source = BUILD / f"{msi.name}.wxs"
    source.write_text(wxs(msi, staging, version))
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{msi.name}-{version}-x64.msi"
    run("wixl", "-a", "x64", "-o", target.resolve(), source, cwd=staging)  # Sources are relative
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--adapter", action="store_true", help="softphone-adapter only")
    parser.add_argument("--app", action="store_true", help="softphone (app) only")
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    parser.add_argument("--version", help="product version (default: pyproject's)")
    args = parser.parse_args(argv)
    chosen = [m for m, on in ((ADAPTER, args.adapter), (APP, args.app)) if on] or [ADAPTER, APP]
    try:
        check_inputs()
        for msi in chosen:
            print(build(msi, args.out, args.version))
    except BuildError as error:
        print(f"build_msi: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
