"""Ingest by stage: milliseconds per chunk for each step a report file goes through.

Runs the steps one after another in this process on the first files of a folder (by
default the 10k-chunk synthetic corpus that `make bench` generates), so each figure is the
step's own cost on one core; `sync_folder` spreads whole files over worker processes. The
figures are CPU time (the machine is shared: wall time moves with the other jobs), with
wall time beside the total. The script imports the checkout it sits in (PYTHONPATH does not
change that): to measure another version's steps, copy it into that checkout.

    .venv/bin/python scripts/bench_ingest.py [--folder var/bench/kb-10000/reports] [--files 60]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from knowledge.chunk import chunk_paragraphs  # noqa: E402
from knowledge.clean import clean_paragraphs  # noqa: E402
from knowledge.dedupe import signature  # noqa: E402
from knowledge.facts import fact_rows  # noqa: E402
from knowledge.ingest import ChunkBudget  # noqa: E402
from knowledge.metadata import extract_metadata, passage_level, tokens_for  # noqa: E402
from knowledge.normalize import Normalizer, detect_script, load_variants, prepare_jieba  # noqa: E402
from knowledge.readers import read_paragraphs  # noqa: E402
from knowledge.split import split_reports  # noqa: E402

try:
    from knowledge.normalize import forget_routes
except ImportError:  # a version without shared jieba routes

    def forget_routes() -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--folder", type=Path, default=ROOT / "var/bench/kb-10000/reports")
    parser.add_argument("--files", type=int, default=60, help="files to read")
    args = parser.parse_args()
    prepare_jieba()
    normalizer = Normalizer(load_variants())
    budget = ChunkBudget()
    seconds: dict[str, float] = defaultdict(float)

    def timed(stage: str, function: Callable[..., Any], *arguments: Any) -> Any:
        started = time.process_time()
        try:
            return function(*arguments)
        finally:
            seconds[stage] += time.process_time() - started

    extract_metadata("成都市科协", "x.txt")  # part-of-speech tables load once, untimed
    fact_rows("c", "d", "开展讲座6场。", "")
    chunks = characters = 0
    wall = time.perf_counter()
    for path in sorted(args.folder.rglob("*.txt"))[: args.files]:
        forget_routes()  # as ingest does for each file
        paragraphs = timed("read", read_paragraphs, path)
        cleaned = timed("clean + split", clean_paragraphs, paragraphs)
        reports = timed("clean + split", split_reports, cleaned, path.stem)
        for report in reports:
            pieces = timed("chunk", chunk_paragraphs, list(report.paragraphs),
                           budget.min_chars, budget.max_chars)  # fmt: skip
            text = timed("normalize", normalizer.normalize, report.text)
            metadata = timed("places, level, year", extract_metadata, text, path.name)
            timed("script", detect_script, report.text)
            timed("duplicate signature", signature, text)
            for piece in pieces:
                chunks += 1
                characters += len(piece.text)
                heading = " ".join(piece.heading_path)
                normalized = timed("normalize", normalizer.normalize, piece.text)
                heading = timed("normalize", normalizer.normalize, heading)
                timed("words (jieba)", tokens_for, heading + " " + normalized)
                timed("passage level", passage_level, normalized, metadata.level)
                last = piece.heading_path[-1] if piece.heading_path else ""
                timed("facts", fact_rows, "c", "d", piece.text, last)
    wall = time.perf_counter() - wall
    total = sum(seconds.values())
    print(f"{chunks:,} chunks ({characters / max(1, chunks):.0f} characters each) from "
          f"{args.files} files: {chunks / total:,.0f} chunks/s of one core's CPU time "
          f"({chunks / wall:,.0f} by the clock), stores' writes not included")  # fmt: skip
    print("| stage | CPU ms per chunk | share |\n|---|---|---|")
    for stage, spent in sorted(seconds.items(), key=lambda item: -item[1]):
        print(f"| {stage} | {1000 * spent / chunks:.3f} | {spent / total:.0%} |")


if __name__ == "__main__":
    main()
