"""Reports sent to the bot as documents: a safe file name, a readability check, no overwrite."""

from __future__ import annotations

import re
import secrets
import unicodedata
from pathlib import Path

from bot.core import SUPPORTED_SUFFIXES, UnreadableFile, check_readable
from bot.settings import Settings

# Telegram's Bot API refuses to hand bots files larger than this.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_NAME_BYTES = 120  # well under common 255-byte file-name limits, leaving room for "-2"
_UNSAFE = re.compile(r'[\\/:*?"<>|]')


class UploadRefused(Exception):
    """The upload cannot be taken; the message says why, in Chinese."""


def safe_name(original: str | None) -> str:
    """A plain file name from whatever the sender's client claims the file is called.

    Path separators, control characters and characters Windows forbids become "_",
    leading dots and dashes go (no hidden files, no option-like names), and the stem is
    cut to a byte budget while keeping the suffix.
    """
    name = unicodedata.normalize("NFC", original or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join("_" if unicodedata.category(ch)[0] in "CZ" and ch != " " else ch for ch in name)
    name = _UNSAFE.sub("_", name).strip(" ._-~$")
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    suffix = suffix.lower()[:10]
    stem = stem.strip(" ._-") or "上传的报告"
    while len(stem.encode("utf-8")) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return f"{stem}.{suffix}" if suffix else stem


def check_upload(name: str, size: int | None) -> None:
    """Refuse what cannot be a report before downloading it."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        kinds = "、".join(sorted({s.lstrip(".") for s in SUPPORTED_SUFFIXES}))
        raise UploadRefused(f"不支持的文件类型{suffix or '（无扩展名）'}，支持：{kinds}。")
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise UploadRefused("文件超过 20 MB（Telegram 允许机器人下载的上限），请拆分后再发送。")


def save_upload(settings: Settings, name: str, data: bytes) -> Path:
    """Check the file reads as a report, then write it under a name no other file has.

    The bytes go to a hidden temporary file first (ingest skips hidden files), so an
    unreadable upload never enters the knowledge folder. Raises UnreadableFile with the
    reader's reason.
    """
    folder = settings.knowledge_dir
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f".upload-{secrets.token_hex(4)}{Path(name).suffix}"
    temporary.write_bytes(data)
    try:
        check_readable(temporary, settings)
    finally:
        temporary.unlink(missing_ok=True)
    return _write_unique(folder / name, data)


def _write_unique(wanted: Path, data: bytes) -> Path:
    # Mode "x" fails when the name exists, so no upload can clobber another file.
    for n in range(1, 1000):
        target = wanted if n == 1 else wanted.with_name(f"{wanted.stem}-{n}{wanted.suffix}")
        try:
            with target.open("xb") as handle:
                handle.write(data)
            return target
        except FileExistsError:
            continue
    raise UnreadableFile("同名文件过多，请改名后再发送。")


__all__ = ["MAX_UPLOAD_BYTES", "UnreadableFile", "UploadRefused", "check_upload", "safe_name",
           "save_upload"]  # fmt: skip
