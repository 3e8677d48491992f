"""Telling Citrix Workspace app about our virtual-channel driver, and forgetting it again.

Theory of operation: Workspace app loads only the virtual drivers its configuration
lists. The list is shared with other vendors' channels (Teams, Zoom, printers), so
registering means *adding our one entry* and unregistering *removing only ours*;
everything else in the file or value, comments and order included, stays as it was.

* Linux: ``$ICAROOT/config/module.ini`` (INI text). Under ``[ICA 3.0]``, the
  comma-separated ``VirtualDriver`` list names each driver and a line
  ``<name> = On`` switches it on; a ``[<name>]`` section gives its ``DriverName``,
  the file in ``$ICAROOT`` (the Linux client keeps the Windows ``*.DLL`` names).
* Windows: the same list is the registry value ``VirtualDriverEx`` of
  ``...\\ICA Client\\Engine\\Configuration\\Advanced\\Modules\\ICA 3.0``;
  ``add_to_list``/``remove_from_list`` compute the new value, the installer writes it.

The edits are pure functions on text, so they are tested without a Citrix client;
``main`` is the thin command the Debian package's maintainer scripts run.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
from pathlib import Path

CHANNEL = "SOFTPH"
DRIVER_FILE = "VDSOFTPH.DLL"
ICA_SECTION = "ICA 3.0"
DEFAULT_ICAROOT = "/opt/Citrix/ICAClient"

_SECTION = re.compile(r"^\s*\[(?P<name>[^\]]+)\]\s*$")
_KEY = re.compile(r"^\s*(?P<key>[^=;#\s][^=]*?)\s*=\s*(?P<value>.*?)\s*$")


class RegistrationError(Exception):
    """The client's configuration cannot be edited; the message says why."""


def add_to_list(value: str, name: str = CHANNEL) -> str:
    """A comma-separated driver list with ``name`` appended once (case-insensitive)."""
    items = _split(value)
    if any(item.lower() == name.lower() for item in items):
        return value
    return ", ".join([*items, name]) if items else name


def remove_from_list(value: str, name: str = CHANNEL) -> str:
    """The list without ``name``; other entries keep their order."""
    return ", ".join(item for item in _split(value) if item.lower() != name.lower())


def _split(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def register(text: str, name: str = CHANNEL, driver: str = DRIVER_FILE) -> str:
    """``module.ini`` text with our driver listed, switched on and described."""
    lines = text.splitlines()
    start, end = _section_span(lines, ICA_SECTION)
    if start is None:
        raise RegistrationError(f"module.ini has no [{ICA_SECTION}] section")
    found_list = False
    found_switch = False
    for index in range(start + 1, end):
        key = _key_of(lines[index])
        if key is None:
            continue
        if key[0].lower() == "virtualdriver":
            lines[index] = f"{key[0]} = {add_to_list(key[1], name)}"
            found_list = True
        elif key[0].lower() == name.lower():
            lines[index] = f"{name} = On"
            found_switch = True
    if not found_list:
        raise RegistrationError(f"module.ini has no VirtualDriver list in [{ICA_SECTION}]")
    if not found_switch:
        lines.insert(_last_key_line(lines, start, end) + 1, f"{name} = On")
    lines = _without_section(lines, name)
    lines += ["", f"[{name}]", f"DriverName = {driver}"]
    return "\n".join(lines) + "\n"


def unregister(text: str, name: str = CHANNEL) -> str:
    """``module.ini`` text with every trace of our driver gone and the rest untouched."""
    lines = text.splitlines()
    start, end = _section_span(lines, ICA_SECTION)
    if start is not None:
        kept = lines[: start + 1]
        for line in lines[start + 1 : end]:
            key = _key_of(line)
            if key and key[0].lower() == "virtualdriver":
                kept.append(f"{key[0]} = {remove_from_list(key[1], name)}")
            elif not (key and key[0].lower() == name.lower()):
                kept.append(line)
        lines = kept + lines[end:]
    lines = _without_section(lines, name)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines) + "\n"


def _key_of(line: str) -> tuple[str, str] | None:
    match = _KEY.match(line)
    return (match["key"], match["value"]) if match else None


def _section_span(lines: list[str], name: str) -> tuple[int | None, int]:
    """Index of ``[name]``'s header and of the line after its last line."""
    start = None
    for index, line in enumerate(lines):
        match = _SECTION.match(line)
        if match and start is not None:
            return start, index
        if match and match["name"].strip().lower() == name.lower():
            start = index
    return start, len(lines)


def _last_key_line(lines: list[str], start: int, end: int) -> int:
    keyed = [index for index in range(start + 1, end) if _key_of(lines[index])]
    return keyed[-1] if keyed else start


def _without_section(lines: list[str], name: str) -> list[str]:
    start, end = _section_span(lines, name)
    if start is None:
        return lines
    before = lines[:start]
    while before and not before[-1].strip():
        before.pop()
    return before + lines[end:]


def edit_module_ini(icaroot: Path, install: bool) -> str:
    """Register or unregister in ``icaroot``'s module.ini, written atomically; what was done."""
    path = icaroot / "config" / "module.ini"
    try:
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
    except OSError as error:
        raise RegistrationError(f"cannot read {path}: {error.strerror}") from None
    new = register(text) if install else unregister(text)
    if new == text:
        return f"{path}: already {'registered' if install else 'unregistered'}"
    temporary = path.with_name(path.name + ".softphone-new")
    try:
        temporary.write_text(new, encoding="utf-8", errors="surrogateescape")
        os.chmod(temporary, path.stat().st_mode & 0o7777)
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise RegistrationError(f"cannot write {path}: {error.strerror}") from None
    return f"{path}: {CHANNEL} {'registered' if install else 'unregistered'}"


def place_driver(icaroot: Path, driver: Path | None, install: bool) -> str:
    """Copy our driver into ``icaroot`` (install) or delete it from there (remove)."""
    target = icaroot / DRIVER_FILE
    try:
        if install:
            if driver is None:
                return ""
            shutil.copyfile(driver, target)
            os.chmod(target, 0o644)
            return f"{target}: installed"
        if target.exists():
            target.unlink()
            return f"{target}: removed"
    except OSError as error:
        raise RegistrationError(f"cannot {'copy' if install else 'remove'} {target}: "
                                f"{error.strerror}") from None  # fmt: skip
    return ""


def main(argv: list[str] | None = None) -> int:
    """``softphone-citrix-register install|remove [--icaroot DIR] [--driver FILE]``."""
    parser = argparse.ArgumentParser(
        prog="softphone-citrix-register",
        description="Register the SOFTPH virtual-channel driver with Citrix Workspace app.",
    )
    parser.add_argument("action", choices=["install", "remove"])
    parser.add_argument(
        "--icaroot",
        type=Path,
        default=Path(os.environ.get("ICAROOT", DEFAULT_ICAROOT)),
        help=f"Workspace app's folder (default $ICAROOT or {DEFAULT_ICAROOT})",
    )
    parser.add_argument(
        "--driver", type=Path, help=f"our {DRIVER_FILE} to copy into that folder on install"
    )
    args = parser.parse_args(argv)
    install = args.action == "install"
    try:
        if install and args.driver is not None and not args.driver.is_file():
            raise RegistrationError(f"no driver at {args.driver}")
        placed = place_driver(args.icaroot, args.driver, install) if install else ""
        print(edit_module_ini(args.icaroot, install))
        placed = placed or place_driver(args.icaroot, None, install)
        if placed:
            print(placed)
    except RegistrationError as error:
        print(f"softphone-citrix-register: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
