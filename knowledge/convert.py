"""Old Word, WPS, RTF and ODF files read by way of a .docx made by LibreOffice, and old
Excel and WPS spreadsheets by way of an .xlsx, bounded.

Each conversion runs `soffice --headless` in a new process group with its own throwaway
profile (two conversions at once must not share one, and a profile is where macro security
lives), a cap on its address space and a time bound after which the whole group is killed.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from knowledge.compound import MAGIC, is_encrypted
from knowledge.models import Paragraph
from knowledge.unreadable import (
    CONVERT_TIMEOUT,
    CORRUPT,
    NEEDS_LIBREOFFICE,
    PASSWORD,
    UnreadableFile,
)

log = logging.getLogger(__name__)

CONVERT_SECONDS = 60.0
MEMORY_BYTES = 2 << 30  # LibreOffice converts a small report within 512 MB of address space
_SNIFF_BYTES = 512
# What people save under these names: Word and WPS binaries (compound files), RTF, and .docx,
# .odt or web pages renamed; anything else would be imported as a page of garbage text.
_CONVERTIBLE_STARTS = (MAGIC, b"{\\rtf", b"PK\x03\x04", b"<", b"MIME-Version")
# Macros off whatever a document asks: the highest security level, and execution disabled.
_NO_MACROS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">\
<prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">\
<prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
</oor:items>
"""


# Spreadsheets become .xlsx, everything else .docx; WPS 表格 (.et) saves Excel binaries.
SHEETS = frozenset({".xls", ".et"})
_TARGETS = {"docx": "docx:MS Word 2007 XML", "xlsx": "xlsx:Calc MS Excel 2007 XML"}
# An Excel binary is opened as one: left to guess, LibreOffice reads a damaged one as a page
# of text. (An .xls that is a web page or a renamed .xlsx, as some systems export, guesses.)
_EXCEL_BINARY = "MS Excel 97"


def read_converted(
    path: Path,
    kind: str,
    soffice: str | None = None,
    seconds: float = CONVERT_SECONDS,
    notes: list[str] | None = None,
) -> list[Paragraph]:
    """Read `path` through LibreOffice; `kind` names the format in the reason when it is absent.

    `soffice` is the command or its path (None: `soffice` on PATH).
    """
    with path.open("rb") as file:
        head = file.read(_SNIFF_BYTES)
    if not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(_CONVERTIBLE_STARTS):
        raise UnreadableFile(CORRUPT)
    # Headless, LibreOffice 7.4 only says it cannot load such a file, which reads as damage.
    if head.startswith(MAGIC) and is_encrypted(path.read_bytes()):
        raise UnreadableFile(PASSWORD)
    command = soffice_command(soffice)
    if command is None:
        package = "libreoffice-calc-nogui" if kind in SHEETS else "libreoffice-writer-nogui"
        raise UnreadableFile(NEEDS_LIBREOFFICE.format(kind, package))
    # The format readers are imported here, not at the top: knowledge_base imports this
    # module for `soffice_command`, and a serving process should not hold python-docx,
    # openpyxl and lxml (issue #18).
    from knowledge.office import read_docx
    from knowledge.sheet import read_xlsx

    sheet = kind in SHEETS
    with tempfile.TemporaryDirectory(prefix="kepubot-convert-") as work:
        if sheet:
            binary = _EXCEL_BINARY if head.startswith(MAGIC) else None
            converted = convert(Path(command), path, Path(work), seconds, "xlsx", ".xls", binary)
            return read_xlsx(converted, notes if notes is not None else [], shown=path)
        return read_docx(convert(Path(command), path, Path(work), seconds))


def soffice_command(soffice: str | None) -> str | None:
    """The LibreOffice command to run: `soffice` as given (a name on PATH or a path), or
    `soffice` on PATH; None when there is none."""
    return shutil.which(soffice or "soffice")


def convert(
    command: Path, source: Path, work: Path, seconds: float, target: str = "docx",
    suffix: str | None = None, infilter: str | None = None,
) -> Path:  # fmt: skip
    """Have LibreOffice write `source` as a `target` (docx or xlsx) file under `work`, read as
    a `suffix` file (default its own) with import filter `infilter` (default: guessed);
    UnreadableFile if it cannot."""
    profile = work / "profile"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(_NO_MACROS, encoding="utf-8")
    # LibreOffice names its output after the input; a plain copy keeps odd names out of argv.
    inbox = work / "in"
    inbox.mkdir()
    copy = shutil.copyfile(source, inbox / f"report{suffix or source.suffix.lower()}")
    outbox = work / "out"
    arguments = [
        # A shell sets the cap and execs: preexec_fn is unsafe in a threaded bot.
        "/bin/sh", "-c", 'ulimit -v "$0" && exec "$@"', str(MEMORY_BYTES // 1024),
        str(command),
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless", "--invisible", "--nologo", "--nodefault", "--norestore", "--nolockcheck",
        *([f"--infilter={infilter}"] if infilter else []),
        "--convert-to", _TARGETS[target],
        "--outdir", str(outbox),
        str(copy),
    ]  # fmt: skip
    process = subprocess.Popen(
        arguments,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: soffice starts soffice.bin
        cwd=work,
    )
    try:
        output, _ = process.communicate(timeout=seconds)
    except subprocess.TimeoutExpired as error:
        raise UnreadableFile(CONVERT_TIMEOUT.format(f"{seconds:g}")) from error
    finally:
        _kill_group(process)
    converted = outbox / f"report.{target}"
    if not converted.is_file():
        log.debug("soffice made nothing of %s: %s", source, output.decode(errors="replace"))
        raise UnreadableFile(CORRUPT)
    return converted


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    # Also after a normal exit: a child left behind would hold the profile and the CPU.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
