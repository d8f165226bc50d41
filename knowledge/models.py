"""Plain data shared along the ingestion pipeline: paragraphs → reports → chunks."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of a file as a reader saw it.

    `level` is a heading level declared by the file format itself (a docx heading style,
    a Markdown `#`), or None when the format says nothing; 公文 numbering is detected later
    from the text. `row` marks a table row read with its header (knowledge/table.py): chunking
    keeps it whole. It is a hint about the text, not part of it, so equality ignores it.
    `scan_page` is the page its text was recognised on (OCR of a scan or
    photo, counted from 1), None for text the file itself holds.
    """

    text: str
    level: int | None = None
    row: bool = field(default=False, compare=False)
    scan_page: int | None = None


@dataclass(frozen=True)
class Report:
    """One report of a collection file, as cleaned paragraphs."""

    title: str
    number: int | None
    paragraphs: tuple[Paragraph, ...]

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paragraphs)


@dataclass(frozen=True)
class Metadata:
    place: tuple[str, ...] = ()
    level: str | None = None
    year: int | None = None


@dataclass(frozen=True)
class Chunk:
    """A retrievable passage: `text` is exactly `document_text[start:end]`."""

    index: int
    text: str
    start: int
    end: int
    heading_path: tuple[str, ...]
    scan_page: int | None = None  # the scanned page it starts on, when its text was recognised


@dataclass
class Document:
    """A report ready for the store, with its chunks."""

    source: str
    position: int
    title: str
    number: int | None
    text: str
    metadata: Metadata
    script: str  # "simplified" or "traditional"
    chunks: list[Chunk] = field(default_factory=list)
    normalized: str | None = None  # the text's search form, when already computed
