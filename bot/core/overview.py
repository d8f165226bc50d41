"""What the knowledge base holds: reports, places, years, counts and the last update."""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.records import DocumentRecord


@dataclass(frozen=True)
class Overview:
    documents: tuple[DocumentRecord, ...]  # duplicates included, in file order
    files: int
    chunks: int
    last_ingest: str | None  # ISO time of the last sync

    @property
    def reports(self) -> list[DocumentRecord]:
        """The searchable reports: duplicates left out."""
        return [d for d in self.documents if d.duplicate_of is None]

    @property
    def duplicates(self) -> int:
        return len(self.documents) - len(self.reports)

    @property
    def places(self) -> list[str]:
        return sorted({p for d in self.reports for p in d.place})

    @property
    def years(self) -> list[int]:
        return sorted({d.year for d in self.reports if d.year})

    def title_of(self, document_id: str) -> str:
        return next((d.title for d in self.documents if d.id == document_id), "?")
