"""Turn a report file into paragraphs: one reader per file type, one reason per failure."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from knowledge.compound import MAGIC
from knowledge.convert import CONVERT_SECONDS, read_converted
from knowledge.encoding import decode_text
from knowledge.models import Paragraph
from knowledge.unreadable import (
    CORRUPT,
    EMPTY,
    IMAGE_OCR_OFF,
    NO_TEXT,
    UnreadableFile,
    split_lines,
)

__all__ = [
    "SUPPORTED_SUFFIXES",
    "ReadOptions",
    "UnreadableFile",
    "check_kind",
    "decode_text",
    "read_paragraphs",
]

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp"})

_UNSUPPORTED = (
    ({".ppt", ".pptx", ".dps"}, "不支持演示文稿 {}，请另存为 PDF 后再导入。"),
    ({".gif"}, "不支持图片 {}，请另存为 PNG 或 JPG 后再导入。"),
    ({".zip", ".rar", ".7z", ".gz"}, "不支持压缩包 {}，请解压后逐个导入。"),
)  # fmt: skip


MAX_BYTES = 50_000_000
# What the refusals name as readable, in the order a person looks for them.
SUPPORTED_KINDS = (
    "txt、md、html、docx、pdf、doc、wps、rtf、odt、xlsx、xls、et、csv、ofd、jpg、png 等图片"
)


@dataclass(frozen=True)
class ReadOptions:
    """How files are read: what a deployment may turn off or bound (from its settings)."""

    ocr: bool = True  # recognise the text of scans and photos
    soffice: str | None = None  # LibreOffice's command or path; None: `soffice` on PATH
    convert_seconds: float = CONVERT_SECONDS  # per old Word, WPS, RTF or ODF file


def check_kind(name: str, size: int, max_bytes: int = MAX_BYTES) -> None:
    """Refuse, before reading a byte, what cannot be a report by its type or size."""
    suffix = Path(name).suffix.lower()
    if suffix not in _READERS:
        raise UnreadableFile(_unsupported_reason(suffix))
    if size == 0:
        raise UnreadableFile(EMPTY)
    if size > max_bytes:
        raise UnreadableFile(f"文件超过 {max_bytes // 1_000_000} MB，请拆分后再导入。")


def read_paragraphs(
    path: Path,
    max_bytes: int = MAX_BYTES,
    notes: list[str] | None = None,
    options: ReadOptions = ReadOptions(),
) -> list[Paragraph]:
    """Read a report file into its non-empty paragraphs, raising UnreadableFile if impossible.

    What was read but only in part (bytes replaced) is said in `notes`.
    """
    try:
        size = path.stat().st_size
    except OSError as error:
        if path.suffix.lower() not in _READERS:
            raise UnreadableFile(_unsupported_reason(path.suffix.lower())) from error
        raise UnreadableFile("无法打开文件，请检查文件是否完整后再导入。") from error
    check_kind(path.name, size, max_bytes)
    reader = _READERS[path.suffix.lower()]
    try:
        paragraphs = reader(path, notes if notes is not None else [], options)
    except UnreadableFile:
        raise
    except Exception as error:  # parsers raise anything on malformed input
        log.debug("cannot read %s", path, exc_info=True)
        raise UnreadableFile(CORRUPT) from error
    if not paragraphs:
        raise UnreadableFile(NO_TEXT)
    return paragraphs


def _unsupported_reason(suffix: str) -> str:
    for suffixes, reason in _UNSUPPORTED:
        if suffix in suffixes:
            return reason.format(suffix)
    kind = f"不支持的文件类型 {suffix}" if suffix else "不支持没有扩展名的文件"
    return f"{kind}，支持：{SUPPORTED_KINDS}。"


def _read_text(path: Path, notes: list[str], options: ReadOptions) -> list[Paragraph]:
    return split_lines(decode_text(path.read_bytes(), notes))


_MARKDOWN_HEADING = re.compile(r"(#{1,6})\s+(.*?)(?:\s+#+)?")


def _read_markdown(path: Path, notes: list[str], options: ReadOptions) -> list[Paragraph]:
    paragraphs = []
    for line in split_lines(decode_text(path.read_bytes(), notes)):
        heading = _MARKDOWN_HEADING.fullmatch(line.text)
        if heading is None:
            paragraphs.append(line)
        elif heading[2].strip():
            paragraphs.append(Paragraph(heading[2].strip(), len(heading[1])))
    return paragraphs


def _read_converted(path: Path, notes: list[str], options: ReadOptions) -> list[Paragraph]:
    kind = path.suffix.lower()
    return read_converted(path, kind, options.soffice, options.convert_seconds, notes)


# The format readers (python-docx, pypdf, pypdfium2, Pillow, openpyxl, lxml, BeautifulSoup)
# are imported inside the functions that read a file of their format, not at the top: a
# serving process imports this module for its suffixes and errors only, and the readers would
# cost it about 30 MB (issue #18).


def _compound_converted(
    kind: str, read: Callable[[Path, list[str]], list[Paragraph]]
) -> Callable[[Path, list[str], ReadOptions], list[Paragraph]]:
    """A reader that hands a compound file named like its format (a .doc renamed .docx, an
    .xls renamed .xlsx, a .docx with a password) to LibreOffice as a `kind` file."""

    def reader(path: Path, notes: list[str], options: ReadOptions) -> list[Paragraph]:
        with path.open("rb") as file:
            compound = file.read(len(MAGIC)) == MAGIC
        if compound:
            return read_converted(path, kind, options.soffice, options.convert_seconds, notes)
        return read(path, notes)

    return reader


def _read_docx(path: Path, notes: list[str]) -> list[Paragraph]:
    from knowledge.office import read_docx

    return read_docx(path)


def _read_xlsx(path: Path, notes: list[str]) -> list[Paragraph]:
    from knowledge.sheet import read_xlsx

    return read_xlsx(path, notes)


def _read_pdf(path: Path, notes: list[str], options: ReadOptions) -> list[Paragraph]:
    from knowledge.ocr import scan_pdf
    from knowledge.office import read_pdf

    def scan(path: Path, pages: list[int]) -> dict[int, list[Paragraph]]:
        return scan_pdf(path, pages, notes)

    return read_pdf(path, scan if options.ocr else None)


def _read_image(path: Path, notes: list[str], options: ReadOptions) -> list[Paragraph]:
    if not options.ocr:
        raise UnreadableFile(IMAGE_OCR_OFF)
    from knowledge.ocr import read_image

    return read_image(path, notes)


def _read_html(path: Path, notes: list[str], options: ReadOptions) -> list[Paragraph]:
    from knowledge.webpage import read_html

    return read_html(path)


def _read_csv(path: Path, notes: list[str], options: ReadOptions) -> list[Paragraph]:
    from knowledge.sheet import read_csv

    return read_csv(path, notes)


def _read_ofd(path: Path, notes: list[str], options: ReadOptions) -> list[Paragraph]:
    from knowledge.ofd import read_ofd

    return read_ofd(path, notes)


# Each reader takes the path, a list to add caveats to, and the deployment's options.
_READERS: dict[str, Callable[[Path, list[str], ReadOptions], list[Paragraph]]] = {
    ".txt": _read_text,
    ".md": _read_markdown,
    ".markdown": _read_markdown,
    ".html": _read_html,
    ".htm": _read_html,
    ".docx": _compound_converted(".doc", _read_docx),
    ".pdf": _read_pdf,
    ".doc": _read_converted,
    ".wps": _read_converted,
    ".rtf": _read_converted,
    ".odt": _read_converted,
    ".xls": _read_converted,
    ".et": _read_converted,
    ".xlsx": _compound_converted(".xls", _read_xlsx),
    ".csv": _read_csv,
    ".ofd": _read_ofd,
}
_READERS.update(dict.fromkeys(IMAGE_SUFFIXES, _read_image))
SUPPORTED_SUFFIXES = frozenset(_READERS)
