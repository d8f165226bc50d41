"""Old Word, WPS, RTF and ODF files read by way of a .docx made by LibreOffice, bounded.

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
from knowledge.office import read_docx
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


def read_converted(
    path: Path, kind: str, soffice: str | None = None, seconds: float = CONVERT_SECONDS
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
    command = shutil.which(soffice or "soffice")
    if command is None:
        raise UnreadableFile(NEEDS_LIBREOFFICE.format(kind))
    with tempfile.TemporaryDirectory(prefix="kepubot-convert-") as work:
        return read_docx(convert_to_docx(Path(command), path, Path(work), seconds))


def convert_to_docx(command: Path, source: Path, work: Path, seconds: float) -> Path:
    """Have LibreOffice write `source` as a .docx under `work`; UnreadableFile if it cannot."""
    profile = work / "profile"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(_NO_MACROS, encoding="utf-8")
    # LibreOffice names its output after the input; a plain copy keeps odd names out of argv.
    inbox = work / "in"
    inbox.mkdir()
    copy = shutil.copyfile(source, inbox / f"report{source.suffix.lower()}")
    outbox = work / "out"
    arguments = [
        # A shell sets the cap and execs: preexec_fn is unsafe in a threaded bot.
        "/bin/sh", "-c", 'ulimit -v "$0" && exec "$@"', str(MEMORY_BYTES // 1024),
        str(command),
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless", "--invisible", "--nologo", "--nodefault", "--norestore", "--nolockcheck",
        "--convert-to", "docx:MS Word 2007 XML",
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
    converted = outbox / "report.docx"
    if not converted.is_file():
        log.debug("soffice made nothing of %s: %s", source, output.decode(errors="replace"))
        raise UnreadableFile(CORRUPT)
    return converted


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    # Also after a normal exit: a child left behind would hold the profile and the CPU.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
