"""Read report files (txt, md, html, docx, pdf) into paragraphs, or say in Chinese why not."""

from __future__ import annotations

import codecs
import functools
import html
import logging
import re
import unicodedata
import zipfile
from collections.abc import Callable
from pathlib import Path

import charset_normalizer
import docx
from bs4 import BeautifulSoup, NavigableString, Tag
from docx.table import Table
from docx.text.paragraph import Paragraph as DocxParagraph
from pypdf import PageObject, PdfReader

from knowledge.models import Paragraph

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".html", ".htm", ".docx", ".pdf"})

CORRUPT = "文件已损坏或格式不正确，无法读取。"
EMPTY = "文件是空的。"
NO_TEXT = "文件里没有找到文字，请检查内容后重新上传。"
UNKNOWN_ENCODING = "无法识别文件编码，请另存为 UTF-8 文本后重新上传。"
PDF_NO_TEXT = "PDF 没有文字层（可能是扫描件），请提供可复制文字的 PDF 或 .docx。"
PDF_ENCRYPTED = "PDF 已加密，请去除密码后重新上传。"
ZIP_BOMB = "文件解压后过大，疑似压缩炸弹，已拒绝。"
MAX_PDF_PAGES = 2000
MAX_UNZIPPED_BYTES = 200_000_000
MAX_ZIP_RATIO = 200

_UNSUPPORTED = (
    ({".doc"}, "不支持 .doc 格式（旧版 Word），请另存为 .docx 后重新上传。"),
    ({".wps"}, "不支持 .wps 格式（WPS 文字），请另存为 .docx 后重新上传。"),
    ({".rtf", ".odt"}, "不支持 {} 格式，请另存为 .docx 后重新上传。"),
    ({".xls", ".xlsx", ".et", ".csv"}, "不支持表格文件 {}，请把内容粘贴到 .docx 后重新上传。"),
    ({".ppt", ".pptx", ".dps"}, "不支持演示文稿 {}，请另存为 PDF 后重新上传。"),
    ({".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff", ".webp"},
     "不支持图片 {}，请提供可复制文字的 PDF 或 .docx。"),
    ({".zip", ".rar", ".7z", ".gz"}, "不支持压缩包 {}，请解压后逐个上传。"),
)  # fmt: skip


class UnreadableFile(Exception):
    """A file that cannot be read; `str(error)` is a Chinese sentence telling the user why."""


def read_paragraphs(path: Path, max_bytes: int = 50_000_000) -> list[Paragraph]:
    """Read a report file into its non-empty paragraphs, raising UnreadableFile if impossible."""
    suffix = path.suffix.lower()
    reader = _READERS.get(suffix)
    if reader is None:
        raise UnreadableFile(_unsupported_reason(suffix))
    try:
        size = path.stat().st_size
    except OSError as error:
        raise UnreadableFile("无法打开文件，请重新上传。") from error
    if size == 0:
        raise UnreadableFile(EMPTY)
    if size > max_bytes:
        raise UnreadableFile(f"文件超过 {max_bytes // 1_000_000} MB，请拆分后重新上传。")
    try:
        paragraphs = reader(path)
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
    return f"{kind}，支持：txt、md、html、docx、pdf。"


def _lines(text: str, level: int | None = None) -> list[Paragraph]:
    stripped = (line.strip() for line in text.splitlines())
    return [Paragraph(line, level) for line in stripped if line]


# --- plain text -------------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# gb18030 first: on a tie the mainland encoding is the likelier one.
_LEGACY_CODECS = ("gb18030", "big5", "cp950", "big5hkscs")
# Scripts a wrong GBK/Big5 guess produces but Chinese reports hardly ever use:
# Cyrillic, box drawing, kana, bopomofo.
_UNLIKELY_BLOCKS = ((0x0400, 0x04FF), (0x2500, 0x257F), (0x3040, 0x30FF), (0x3100, 0x312F))
_COMMON_PUNCTUATION = "\u3000、。〈〉《》「」『』【】〔〕"


def decode_text(data: bytes) -> str:
    """Decode a text file's bytes: BOM, else UTF-8, else the likelier of GB18030 and Big5."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as error:
                raise UnreadableFile(UNKNOWN_ENCODING) from error
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.reason == "unexpected end of data":  # a file cut off mid-character
            return data[: error.start].decode("utf-8")
    scored: list[tuple[float, int, str]] = []
    for codec in _LEGACY_CODECS:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        scored.append((_plausibility(text), -len(scored), text))
    best = max(scored, default=None)
    if best is not None and best[0] >= 0.5:
        return best[2]
    guess = charset_normalizer.from_bytes(data).best()
    if guess is not None:
        return str(guess)
    if best is not None and best[0] > 0:
        return best[2]
    raise UnreadableFile(UNKNOWN_ENCODING)


def _plausibility(text: str) -> float:
    sample = text[:20_000]
    return sum(_char_weight(char) for char in sample) / max(len(sample), 1)


@functools.lru_cache(maxsize=65_536)
def _char_weight(char: str) -> float:
    """How typical a character is of Chinese prose: 1 common, 0 odd, negative implausible."""
    point = ord(char)
    if char.isascii() or 0x2000 <= point <= 0x24FF or 0xFF01 <= point <= 0xFF5E:
        return 1.0
    if char in _COMMON_PUNCTUATION:
        return 1.0
    if unicodedata.category(char) in ("Cc", "Co", "Cn", "Cs") or char == "\ufffd":
        return -5.0
    if any(low <= point <= high for low, high in _UNLIKELY_BLOCKS):
        return -1.0
    if not 0x4E00 <= point <= 0x9FFF:
        return 0.0
    # Both standards put frequent hanzi first: GB2312 level 1 and Big5 level 1.
    weight = 0.0
    for codec, frequent, rare in (("gb2312", 0xD7, 0xF7), ("big5", 0xC6, 0xF9)):
        try:
            lead = char.encode(codec)[0]
        except UnicodeEncodeError:
            continue
        if lead <= frequent:
            return 1.0
        if lead <= rare:
            weight = 0.6
    return weight


def _read_text(path: Path) -> list[Paragraph]:
    return _lines(decode_text(path.read_bytes()))


_MARKDOWN_HEADING = re.compile(r"(#{1,6})\s+(.*?)(?:\s+#+)?")


def _read_markdown(path: Path) -> list[Paragraph]:
    paragraphs = []
    for line in _lines(decode_text(path.read_bytes())):
        heading = _MARKDOWN_HEADING.fullmatch(line.text)
        if heading is None:
            paragraphs.append(line)
        elif heading[2].strip():
            paragraphs.append(Paragraph(heading[2].strip(), len(heading[1])))
    return paragraphs


# --- html -------------------------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w-]+)""", re.IGNORECASE)
# fmt: off
_JUNK_TAGS = {"script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe"}
_JUNK_TOKENS = {"nav", "navbar", "menu", "breadcrumb", "breadcrumbs", "footer", "sidebar",
                "header", "comment", "comments", "share", "recommend", "related", "ad", "ads"}
_BLOCK_TAGS = {"address", "article", "aside", "blockquote", "caption", "dd", "details", "div",
               "dl", "dt", "figcaption", "figure", "footer", "header", "hr", "li", "main", "ol",
               "p", "pre", "section", "summary", "table", "ul"}
# fmt: on
_HEADINGS = {f"h{level}": level for level in range(1, 7)}
_FLAT_BREAK = re.compile(r"<(?:br|p|div|li|h[1-6]|tr|section|article)\b[^>]*>", re.IGNORECASE)


def _read_html(path: Path) -> list[Paragraph]:
    markup = _decode_html(path.read_bytes())
    try:
        # None or empty from the class filter: retry trusting the tag names alone.
        return (
            _html_paragraphs(markup, by_class=True)
            or _html_paragraphs(markup, by_class=False)
            or []
        )
    except RecursionError:
        log.debug("%s nests too deeply for the tree walk; reading it flat", path)
        flat = re.sub(r"(?is)<(script|style)\b.*?</\1\s*>", "", markup)
        flat = re.sub(r"<[^>]*>", "", _FLAT_BREAK.sub("\n", flat))
        return _lines(re.sub(r"[ \t\f\v]+", " ", html.unescape(flat)))


def _decode_html(data: bytes) -> str:
    declared = _META_CHARSET.search(data[:4096])
    if declared and not any(data.startswith(bom) for bom, _ in _BOMS):
        name = declared[1].decode("ascii").lower()
        # Pages labelled gb2312 routinely contain GBK-only characters.
        name = "gb18030" if name in ("gb2312", "gbk", "x-gbk") else name
        try:
            return data.decode(name)
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_text(data)


def _html_paragraphs(markup: str, by_class: bool) -> list[Paragraph] | None:
    soup = BeautifulSoup(markup, "lxml")
    root: Tag = soup.body or soup
    for name in ("article", "main"):
        # The longest, since teaser lists in sidebars are <article>s too.
        if found := soup.find_all(name, limit=20):
            root = max(found, key=lambda element: len(element.get_text()))
            break
    # Inside an article the header holds the article's own title, not site chrome.
    spared = {"header"} if root.name in ("article", "main") else set()
    for element in root.find_all(True):
        if element.name in _JUNK_TAGS - spared:  # decomposed elements have name ""
            element.decompose()
    if by_class:
        size = len(root.get_text())
        for element in root.find_all(True):
            if element.name and _class_tokens(element) & (_JUNK_TOKENS - spared):
                element.decompose()
        if len(root.get_text()) * 10 < size:
            return None  # a junk-looking class on a wrapper of the whole page
    return _walk_blocks(root)


def _class_tokens(element: Tag) -> set[str]:
    names = " ".join([*element.get_attribute_list("class"), str(element.get("id", ""))])
    return set(re.split(r"[-_\s]+", names.lower()))


def _walk_blocks(root: Tag) -> list[Paragraph]:
    # An explicit stack instead of recursion: pages can nest tens of thousands of tags deep.
    paragraphs: list[Paragraph] = []
    pending: list[str] = []
    heading: int | None = None

    def flush() -> None:
        text = re.sub(r"\s+", " ", "".join(pending)).strip()
        if text:
            paragraphs.append(Paragraph(text, heading))
        pending.clear()

    stack: list[tuple[object, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        if type(node) is NavigableString:  # subclasses are comments, doctypes, CDATA
            pending.append(str(node))
        if not isinstance(node, Tag):
            continue
        if leaving or node.name in ("br", "tr"):
            flush()
            heading = None if leaving and node.name in _HEADINGS else heading
        if node.name == "tr":
            cells = (
                _collapse(cell.get_text()) for cell in node.find_all(["td", "th"], recursive=False)
            )
            if row := " | ".join(cell for cell in cells if cell):
                paragraphs.append(Paragraph(row))
        elif not leaving and node.name in _BLOCK_TAGS | _HEADINGS.keys():
            flush()
            heading = _HEADINGS.get(node.name, heading)
            stack.append((node, True))
        if not leaving and node.name not in ("br", "tr"):
            stack.extend((child, False) for child in reversed(node.contents))
    flush()
    return paragraphs


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# --- docx -------------------------------------------------------------------------------------

_HEADING_STYLE = re.compile(r"(?:heading|标题)\s*([1-9])", re.IGNORECASE)
_BODY_BLOCKS = "./w:p | ./w:tbl | ./w:sdt/w:sdtContent/w:p | ./w:sdt/w:sdtContent/w:tbl"


def _read_docx(path: Path) -> list[Paragraph]:
    _refuse_zip_bomb(path)
    document = docx.Document(str(path))
    body = document.element.body
    paragraphs: list[Paragraph] = []
    # xpath rather than iter_inner_content(): that skips content controls (w:sdt),
    # which some templates wrap the whole body in.
    for element in body.xpath(_BODY_BLOCKS):
        if element.tag.endswith("}tbl"):
            paragraphs.extend(_table_rows(Table(element, document._body)))
            continue
        paragraph = DocxParagraph(element, document._body)
        paragraphs.extend(_lines(paragraph.text, _docx_level(paragraph)))
    return paragraphs


def _refuse_zip_bomb(path: Path) -> None:
    if not zipfile.is_zipfile(path):
        with path.open("rb") as file:
            if file.read(8) == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":  # OLE2: a renamed .doc
                raise UnreadableFile(_unsupported_reason(".doc"))
        raise UnreadableFile(CORRUPT)
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
    if sum(member.file_size for member in members) > MAX_UNZIPPED_BYTES or any(
        # Tiny repetitive XML parts compress well and are harmless; big ones are not.
        member.file_size > 1_000_000
        and member.file_size > MAX_ZIP_RATIO * max(member.compress_size, 1)
        for member in members
    ):
        raise UnreadableFile(ZIP_BOMB)


def _docx_level(paragraph: DocxParagraph) -> int | None:
    name = (paragraph.style.name if paragraph.style is not None else None) or ""
    if name.lower() == "title":
        return 1
    match = _HEADING_STYLE.fullmatch(name.strip())
    return int(match[1]) if match else None


def _table_rows(table: Table) -> list[Paragraph]:
    rows = []
    for row in table.rows:
        cells, previous = [], None
        for cell in row.cells:
            # python-docx repeats a merged cell once per grid column it spans.
            if cell._tc is not previous and (text := _collapse(cell.text)):
                cells.append(text)
            previous = cell._tc
        if cells:
            rows.append(Paragraph(" | ".join(cells)))
    return rows


# --- pdf --------------------------------------------------------------------------------------

_PAGE_NUMBER = re.compile(r"[-–—\s]*\d{1,4}[-–—\s]*|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?")
_SENTENCE_END = tuple("。！？；：!?;:")
_CLOSING = "”’」』）)\"'"
_NUMBERED = re.compile(
    r"[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d+[、.．](?!\d)|[（(]\d+[）)]|[①-⑳]"
    r"|第[一二三四五六七八九十百\d]+[章节部分条]"
)


def _read_pdf(path: Path) -> list[Paragraph]:
    reader = PdfReader(path)
    if reader.is_encrypted:
        try:
            opened = bool(reader.decrypt(""))
        except Exception:  # AES needs the optional cryptography package
            log.debug("cannot decrypt %s", path, exc_info=True)
            opened = False
        if not opened:
            raise UnreadableFile(PDF_ENCRYPTED)
    if len(reader.pages) > MAX_PDF_PAGES:
        raise UnreadableFile(f"PDF 超过 {MAX_PDF_PAGES} 页，请拆分后重新上传。")
    text = "\n".join(_page_text(page, path) for page in reader.pages)
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line and not _PAGE_NUMBER.fullmatch(line)]
    if not any(char.isalpha() for line in lines for char in line):
        raise UnreadableFile(PDF_NO_TEXT)
    return [Paragraph(text) for text in _join_wrapped(lines)]


def _page_text(page: PageObject, path: Path) -> str:
    try:
        return page.extract_text() or ""
    except Exception:  # one page with a broken font should not lose the whole report
        log.debug("cannot extract a page of %s", path, exc_info=True)
        return ""


def _join_wrapped(lines: list[str]) -> list[str]:
    """Undo the text layer's line wrapping: a full line without a sentence end continues."""
    widths = sorted(_width(line) for line in lines)
    full_width = widths[min(len(widths) - 1, int(len(widths) * 0.95))]
    joined: list[str] = []
    wrapped = False
    for line in lines:
        if wrapped and not _NUMBERED.match(line):
            space = " " if joined[-1][-1].isascii() and line[0].isascii() else ""
            joined[-1] += space + line
        else:
            joined.append(line)
        ends = line.rstrip(_CLOSING).endswith(_SENTENCE_END)
        wrapped = not ends and _width(line) >= 0.8 * full_width
    return joined


def _width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in line)


_READERS: dict[str, Callable[[Path], list[Paragraph]]] = {
    ".txt": _read_text,
    ".md": _read_markdown,
    ".markdown": _read_markdown,
    ".html": _read_html,
    ".htm": _read_html,
    ".docx": _read_docx,
    ".pdf": _read_pdf,
}
