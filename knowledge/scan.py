"""Which files of the knowledge folder are reports: the folder is a boundary.

Listing never follows a link out of the folder, never reads a byte, and never raises for one
entry: whatever cannot be a report (a link leaving the folder, a file with other hard links,
a device, an unreadable folder) comes back as a skipped entry with a reason, and the rest of
the folder is still listed.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

# Reasons, in Chinese for the admin who reads the sync report.
OUTSIDE_LINK = "链接指向报告目录之外，出于安全考虑已跳过；请把文件本身复制到报告目录。"
BROKEN_LINK = "链接指向的文件不存在，已跳过。"
HARD_LINK = "该文件有多个硬链接，可能与报告目录之外的文件相同，出于安全考虑已跳过；请复制一份。"
NOT_A_FILE = "不是普通文件（设备、管道或套接字），已跳过。"
NO_ACCESS = "无权读取，已跳过；请检查文件权限。"
UNREADABLE_FOLDER = "无法打开该文件夹，其中的文件已跳过；请检查权限。"
VANISHED = "文件在同步过程中被移走或删除，请等复制完成后再同步。"


@dataclass(frozen=True)
class Entry:
    """A regular file inside the folder: what a sync may read."""

    source: str  # path relative to the folder, as a person reads it (see `display_name`)
    path: Path  # the path to open, which may hold bytes no codec names
    size: int
    mtime: float


@dataclass(frozen=True)
class Skipped:
    source: str
    reason: str


def scan_folder(folder: Path) -> tuple[list[Entry], list[Skipped]]:
    """Every report candidate below `folder`, and every entry skipped with its reason."""
    root = folder.resolve()
    entries: list[Entry] = []
    skipped: list[Skipped] = []

    def unreadable(error: OSError) -> None:
        where = Path(error.filename or folder)
        skipped.append(Skipped(_relative(where, folder), UNREADABLE_FOLDER))

    for directory, subfolders, names in os.walk(folder, onerror=unreadable):
        here = Path(directory)
        # Hidden folders never hold reports; linked folders are not walked into (followlinks
        # is off) but are reported when they lead outside.
        subfolders[:] = sorted(name for name in subfolders if not _hidden(name))
        for name in subfolders:
            if (here / name).is_symlink():
                reason = _link_problem(here / name, root)
                if reason:
                    skipped.append(Skipped(_relative(here / name, folder), reason))
        for name in sorted(names):
            if _hidden(name):
                continue
            path = here / name
            source = _relative(path, folder)
            try:
                entry_or_reason = _entry(path, source, root)
            except FileNotFoundError:
                entry_or_reason = VANISHED
            except PermissionError:
                entry_or_reason = NO_ACCESS
            except OSError as error:
                entry_or_reason = f"无法读取文件信息（{error.strerror or error}），已跳过。"
            if isinstance(entry_or_reason, Entry):
                entries.append(entry_or_reason)
            else:
                skipped.append(Skipped(source, entry_or_reason))
    return entries, skipped


def _entry(path: Path, source: str, root: Path) -> Entry | str:
    if path.is_symlink():
        reason = _link_problem(path, root)
        if reason:
            return reason
    info = path.stat()  # follows a link that stays inside the folder
    if not stat.S_ISREG(info.st_mode):
        return NOT_A_FILE
    if info.st_nlink > 1:
        return HARD_LINK
    return Entry(source, path, info.st_size, info.st_mtime)


def _link_problem(path: Path, root: Path) -> str | None:
    try:
        target = path.resolve(strict=True)
    except FileNotFoundError:
        return BROKEN_LINK
    except (OSError, RuntimeError):  # a loop of links
        return BROKEN_LINK
    return None if target.is_relative_to(root) else OUTSIDE_LINK


def _hidden(name: str) -> bool:
    # Hidden files and Office lock and autosave files (~$报告.docx, ~WRL0001.tmp).
    return name.startswith((".", "~"))


def _relative(path: Path, folder: Path) -> str:
    try:
        relative = path.relative_to(folder)
    except ValueError:
        relative = path
    return "/".join(display_name(part) for part in relative.parts)


def display_name(name: str) -> str:
    """A file name as a person reads it, whatever bytes the file system holds.

    Names unzipped from archives made on Chinese Windows are GBK (or Big5) bytes, which
    Python keeps as lone surrogates that cannot be printed or stored. Such a name is decoded
    as GB18030, then Big5, else its undecodable bytes become U+FFFD.
    """
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        raw = os.fsencode(name)
    for codec in ("gb18030", "big5"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="replace")
