"""A citation: which passage a quote comes from, and the one way its label is written."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.retrieval import Hit
from bot.core.wording import converted_note, localize


@dataclass(frozen=True)
class Citation:
    n: int
    chunk_id: str
    title: str
    heading_path: tuple[str, ...]
    place: tuple[str, ...]
    level: str | None
    year: int | None
    source: str
    text: str  # the whole cited chunk
    # The script its quotes were written in, when they are shown converted to the reader's.
    converted_from: str = ""
    document_id: str = ""  # the cited report, which a follow-up question may lean on
    scan_page: int | None = None  # the scanned page its text was recognised on (OCR)
    # The reader's script: place and level are the bot's words about the passage, shown in
    # it whatever script the passage is written in.
    script: str = "simplified"

    @classmethod
    def of(cls, n: int, hit: Hit) -> Citation:
        """Hit `hit` shown as source number `n`."""
        return cls(n, hit.chunk_id, hit.title, hit.heading_path, hit.place, hit.level,
                   hit.year, hit.source, hit.text, document_id=hit.document_id,
                   scan_page=hit.scan_page)  # fmt: skip

    @property
    def label(self) -> str:
        """Title › heading path（place · level · year）, as both front ends show it."""
        return citation_label(
            self.title, self.heading_path, self.place, self.level, self.year, self.scan_page,
            self.script,
        )  # fmt: skip

    def source_line(self, script: str) -> str:
        """`[n] label`, marked when its quotes were converted: one line under 来源 and in
        /sources alike."""
        return f"[{self.n}] {self.label}{converted_note(self.converted_from, script)}"


def citation_label(
    title: str,
    heading_path: tuple[str, ...],
    place: tuple[str, ...],
    level: str | None,
    year: int | None,
    scan_page: int | None = None,
    script: str = "simplified",
) -> str:
    """Title › heading path（place · level · year）for a passage, cited or not; a passage
    recognised from a scan says its page（扫描件第 N 页）, to check against the original.
    Title and headings are as written; the rest is in `script`."""
    where = " · ".join(part for part in ("、".join(place), level or "", year_text(year)) if part)
    where = localize(where, script)
    path = " › ".join(heading_path)
    page = localize(f"（扫描件第 {scan_page} 页）", script) if scan_page is not None else ""
    return f"{title}{' › ' + path if path else ''}{f'（{where}）' if where else ''}{page}"


def year_text(year: int | None) -> str:
    return f"{year}年" if year else ""
