"""The store's schema as registered migrations, applied in order when a store opens.

Stores made before migrations were registered carry their version in `PRAGMA user_version`
(1: tables, 2: word counts); opening one records those steps as applied, then runs the rest.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlite_utils

from knowledge import keywords
from knowledge.facts import fact_rows
from knowledge.metadata import passage_level, title_tokens
from knowledge.normalize import Normalizer, load_variants
from knowledge.records import decode_place

MIGRATIONS = sqlite_utils.Migrations("kepubot")


@MIGRATIONS()
def m001_tables(db: sqlite_utils.Database) -> None:
    db.table("files").create(
        {"path": str, "sha256": str, "size": int, "mtime": float, "status": str,
         "error": str, "documents": int, "updated_at": str},
        pk="path",
    )  # fmt: skip
    db.table("documents").create(
        {"id": str, "source": str, "position": int, "title": str, "number": int,
         "script": str, "place": str, "level": str, "year": int, "duplicate_of": str,
         "text": str, "signature": str, "chunk_count": int},
        pk="id",
    )  # fmt: skip
    db.table("chunks").create(
        {"id": str, "document_id": str, "idx": int, "text": str, "normalized": str,
         "tokens": str, "heading_path": str, "start": int, "end": int,
         "text_hash": str, "searchable": int},
        pk="id",
    )  # fmt: skip
    db.table("documents").create_index(["source"])
    db.table("chunks").create_index(["document_id"])
    db.table("meta").create({"key": str, "value": str}, pk="key")
    db.table("chunks").enable_fts(["tokens"], create_triggers=True)
    # FTS5's vocabulary, from which `terms` is recounted after every write.
    db.execute("CREATE VIRTUAL TABLE chunks_fts_vocab USING fts5vocab(chunks_fts, 'row')")


@MIGRATIONS()
def m002_terms(db: sqlite_utils.Database) -> None:
    """Per-word chunk counts, read by every search instead of walking posting lists."""
    keywords.create_terms(db)
    keywords.refresh_terms(db)


@MIGRATIONS()
def m003_passage_level(db: sqlite_utils.Database) -> None:
    """The level each passage is about (a city report's township section is 乡镇)."""
    if "level" not in db.table("chunks").columns_dict:
        db.table("chunks").add_column("level", str)
    normalizer = Normalizer(load_variants())
    rows = db.execute(
        "SELECT c.id, c.normalized, c.heading_path, d.level FROM chunks c"
        " JOIN documents d ON d.id = c.document_id"
    ).fetchall()
    for chunk_id, normalized, heading_path, report_level in rows:
        text = normalizer.normalize(" ".join(json.loads(heading_path))) + " " + normalized
        db.execute(
            "UPDATE chunks SET level = ? WHERE id = ?",
            [passage_level(text, report_level), chunk_id],
        )


@MIGRATIONS()
def m004_title_words(db: sqlite_utils.Database) -> None:
    """A report's title, file name, place, level and year as words of their own, searched
    beside its chunks so that a question naming only the title still finds them."""
    if "tokens" not in db.table("documents").columns_dict:
        db.table("documents").add_column("tokens", str)
    normalizer = Normalizer(load_variants())
    rows = db.execute("SELECT id, title, source, place, level, year FROM documents").fetchall()
    for document_id, title, source, place, level, year in rows:
        tokens = title_tokens(normalizer, title, source, decode_place(place), level, year)
        db.execute("UPDATE documents SET tokens = ? WHERE id = ?", [tokens, document_id])
    # replace: a store of the first releases may have an older index on documents.
    db.table("documents").enable_fts(["tokens"], create_triggers=True, replace=True)


@MIGRATIONS()
def m005_facts(db: sqlite_utils.Database) -> None:
    """One row per figure or date a passage states, for counting and listing questions."""
    create_facts(db)
    fill_facts(db)


def fill_facts(db: sqlite_utils.Database) -> None:
    """Extract the facts of every passage afresh (the table is emptied first)."""
    db.execute("DELETE FROM facts")
    rows = db.execute("SELECT id, document_id, text, heading_path FROM chunks").fetchall()
    for chunk_id, document_id, text, heading_path in rows:
        headings = json.loads(heading_path)
        db.table("facts").insert_all(
            fact_rows(chunk_id, document_id, text, headings[-1] if headings else "")
        )


def create_facts(db: sqlite_utils.Database) -> None:
    db.table("facts").create(
        {"id": int, "chunk_id": str, "document_id": str, "sentence_start": int,
         "sentence_end": int, "kind": str, "written": str, "figure_start": int, "value": float,
         "value_high": float, "qualifier": str, "unit": str, "counted": str, "event": str},
        pk="id", if_not_exists=True,
    )  # fmt: skip
    db.table("facts").create_index(["document_id"], if_not_exists=True)
    db.table("facts").create_index(["chunk_id"], if_not_exists=True)


@MIGRATIONS()
def m006_scan_page(db: sqlite_utils.Database) -> None:
    """The scanned page a passage was recognised on (OCR), cited as 扫描件第 N 页."""
    if "scan_page" not in db.table("chunks").columns_dict:
        db.table("chunks").add_column("scan_page", int)


@MIGRATIONS()
def m007_figure_start(db: sqlite_utils.Database) -> None:
    """Where a figure starts in its sentence, so that a figure written twice in one sentence
    (10所…10所) is told apart; the rows are filled at the next sync (facts VERSION)."""
    if "figure_start" not in db.table("facts").columns_dict:
        db.table("facts").add_column("figure_start", int)


@MIGRATIONS()
def m008_chunk_writes(db: sqlite_utils.Database) -> None:
    """Which chunks each committed write inserted, so that the vector index, made from an
    earlier chunks version, reads only those (`Store.chunks_written_since`)."""
    if not db.table("chunk_writes").exists():
        db.table("chunk_writes").create(
            {"seq": int, "version": str, "previous": str, "inserted": str}, pk="seq"
        )


# Migrations that a store of each legacy `user_version` already has.
_LEGACY = {1: ["m001_tables"], 2: ["m001_tables", "m002_terms"]}


def migrate(db: sqlite_utils.Database) -> None:
    """Bring the schema up to date; raises ValueError for a store from a newer version."""
    # Every registered name: what an empty database would still have to apply.
    known = {m.name for m in MIGRATIONS.pending(sqlite_utils.Database(memory=True))}
    if not MIGRATIONS.applied(db):
        legacy = db.execute("PRAGMA user_version").fetchone()[0]
        if legacy and legacy not in _LEGACY:
            raise ValueError(f"unknown schema version {legacy}")
        if legacy:
            _adopt(db, _LEGACY[legacy])
    unknown = {m.name for m in MIGRATIONS.applied(db)} - known
    if unknown:
        raise ValueError(f"store has migrations this version does not know: {sorted(unknown)}")
    MIGRATIONS.apply(db)


def _adopt(db: sqlite_utils.Database, names: list[str]) -> None:
    with db.atomic():
        MIGRATIONS.ensure_migrations_table(db)
        now = str(datetime.now(UTC))
        db.table(MIGRATIONS.migrations_table).insert_all(
            {"migration_set": MIGRATIONS.name, "name": name, "applied_at": now} for name in names
        )
