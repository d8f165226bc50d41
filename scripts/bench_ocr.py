"""Benchmark OCR: seconds per scanned A4 page and characters recognised, on this machine.

Pages are drawn from a bundled report (Simplified and Traditional) with the tests' page
maker (CJK font, 16 pt at 150 DPI, tilted 1.5°, speckled), then read by `knowledge.ocr`
one page at a time. Prints the median seconds per page and the difflib agreement of the
recognised text with the drawn text, per script.

    .venv/bin/python scripts/bench_ocr.py [--pages 3]
"""

from __future__ import annotations

import argparse
import difflib
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from knowledge.normalize import in_script
from knowledge.ocr import recognise
from tests.paths import BUNDLED
from tests.scans import FONT, draw_pages


def report_paragraphs(limit: int) -> list[str]:
    """The first report of the Simplified collection, as paragraphs (enough for the pages)."""
    lines = (BUNDLED / "2024科普工作总结5篇.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip()][:limit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=3)
    args = parser.parse_args()
    if not FONT.exists():
        sys.exit(f"no CJK font at {FONT}: run `sudo make system-deps`")
    simplified = report_paragraphs(60)
    recognise(draw_pages(["一、预热"])[0])  # loads the models once, outside the timing
    for script, paragraphs in (
        ("simplified", simplified),
        ("traditional", [in_script(p, "traditional") for p in simplified]),
    ):
        pages = draw_pages(paragraphs)[: args.pages]
        seconds: list[float] = []
        read: list[str] = []
        for page in pages:
            started = time.perf_counter()
            paragraphs_read = recognise(page)
            seconds.append(time.perf_counter() - started)
            read.append("".join(paragraphs_read))
        drawn_text = "".join(paragraphs)
        recognised = "".join(read)
        # Agreement over what was drawn on the pages read (the text runs over more pages).
        matcher = difflib.SequenceMatcher(None, drawn_text[: len(recognised)], recognised, False)
        print(
            f"{script}: {len(pages)} pages, median {statistics.median(seconds):.1f} s per page "
            f"(min {min(seconds):.1f}, max {max(seconds):.1f}), "
            f"characters agreeing {matcher.ratio():.3f}"
        )


if __name__ == "__main__":
    main()
