"""Text of scans and photos by optical character recognition (RapidOCR), within bounds.

One engine is loaded on first use and reused. Every page is scaled down to MAX_SIDE before
recognition, which bounds its time; a file's pages stop at MAX_SCAN_PAGES or when the file
has taken SCAN_SECONDS, keeping what was read and saying so in the notes.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pypdfium2
from PIL import Image, ImageSequence

from knowledge.layout import Box, Point, arrange
from knowledge.models import Paragraph
from knowledge.office import continues
from knowledge.unreadable import IMAGE_TOO_LARGE, SCAN_NO_TEXT, UnreadableFile

if TYPE_CHECKING:
    from rapidocr_onnxruntime import RapidOCR

log = logging.getLogger(__name__)

MAX_PIXELS = 50_000_000  # an image's size from its header, refused before decoding
MAX_SIDE = 2000  # a page's longer side, in pixels, when it is recognised
SCAN_DPI = 200  # a PDF page is drawn at this resolution (then scaled to MAX_SIDE)
MAX_SCAN_PAGES = 100
_HEADING_MAX = 40  # characters: a longer paragraph is body text
SCAN_SECONDS = 600.0
TOO_LARGE = IMAGE_TOO_LARGE.format(limit=MAX_PIXELS // 10_000)
RECOGNISED = "已用文字识别（OCR）读取扫描页 {pages} 页，识别可能有误，引用前请核对原件。"
TOO_MANY_PAGES = "扫描件超过 {limit} 页，只识别了前 {read} 页，请拆分后再导入其余部分。"
TOO_SLOW = "扫描件识别超过 {seconds:.0f} 秒，只识别了前 {read} 页，请拆分后再导入其余部分。"


@functools.cache
def _engine() -> RapidOCR:
    # Imported here: loading onnxruntime costs time a sync without scans should not pay.
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR()


def recognise(image: Image.Image) -> list[str]:
    """The paragraphs of one page image, in reading order."""
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    if _blank(image):
        return []
    result, _ = _engine()(np.asarray(image.convert("RGB")))
    boxes = [Box(text, _corners(points)) for points, text, _ in result or []]
    return arrange(boxes)


def _runs_on(paragraph: str, next_page: str) -> bool:
    # A paragraph of body text (longer than a heading, or holding a sentence's punctuation)
    # that stops mid-sentence at the foot of a page goes on at the head of the next, unless
    # that opens a numbered item. A heading at a page's foot stays a heading.
    body = len(paragraph) > _HEADING_MAX or any(mark in paragraph for mark in "，。；")
    return body and continues(paragraph, next_page, full=True)


def _blank(image: Image.Image) -> bool:
    # An empty page costs a detection pass; a glance at its darkest pixels does not.
    histogram = image.convert("L").histogram()
    return sum(histogram[:128]) < 0.0002 * image.width * image.height


def _corners(points: list[list[float]]) -> tuple[Point, Point, Point, Point]:
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = points
    return (x0, y0), (x1, y1), (x2, y2), (x3, y3)


def read_pages(
    pages: Iterator[tuple[int, Callable[[], Image.Image]]],
    notes: list[str],
    seconds: float = SCAN_SECONDS,
) -> dict[int, list[Paragraph]]:
    """Recognise pages (number, how to draw it) in order: page number → paragraphs.

    Stops at MAX_SCAN_PAGES or after `seconds`, keeping what was read; `notes` says how
    many pages were recognised and what was left out.
    """
    deadline = time.monotonic() + seconds
    read: dict[int, list[Paragraph]] = {}
    for number, draw in pages:
        if len(read) == MAX_SCAN_PAGES:
            notes.append(TOO_MANY_PAGES.format(limit=MAX_SCAN_PAGES, read=len(read)))
            break
        if time.monotonic() > deadline:
            notes.append(TOO_SLOW.format(seconds=seconds, read=len(read)))
            break
        started = time.perf_counter()
        paragraphs = recognise(draw())
        log.info("recognised page %d in %.1f s", number, time.perf_counter() - started)
        last = next(reversed(read.values()), [])
        if last and paragraphs and _runs_on(last[-1].text, paragraphs[0]):
            # Cited by the page it starts on, as a chunk spanning pages is.
            last[-1] = replace(last[-1], text=last[-1].text + paragraphs.pop(0))
        read[number] = [Paragraph(text, scan_page=number) for text in paragraphs]
    if read:
        notes.insert(0, RECOGNISED.format(pages=len(read)))
    return read


def read_image(path: Path, notes: list[str]) -> list[Paragraph]:
    """A photo or scan (each frame of a multi-page TIFF a page); refused when too large."""
    try:
        image = Image.open(path)  # reads the header only
    except Image.DecompressionBombError as error:  # Pillow's own, far larger limit
        raise UnreadableFile(TOO_LARGE) from error
    with image:
        for frame in ImageSequence.Iterator(image):
            if frame.width * frame.height > MAX_PIXELS:
                raise UnreadableFile(TOO_LARGE)
        image.seek(0)
        # JPEG decodes at a fraction of its size directly: large photos cost little.
        image.draft("RGB", (MAX_SIDE, MAX_SIDE))
        frames = ((n, _frame(image, n)) for n in range(1, getattr(image, "n_frames", 1) + 1))
        read = read_pages(frames, notes)
    paragraphs = [paragraph for page in read.values() for paragraph in page]
    if not paragraphs:
        raise UnreadableFile(SCAN_NO_TEXT)
    return paragraphs


def _frame(image: Image.Image, number: int) -> Callable[[], Image.Image]:
    def draw() -> Image.Image:
        image.seek(number - 1)
        return image.copy()

    return draw


def scan_pdf(path: Path, indexes: list[int], notes: list[str]) -> dict[int, list[Paragraph]]:
    """Recognise the PDF pages at `indexes` (from 0): page index → paragraphs."""
    document = pypdfium2.PdfDocument(path)
    try:
        pages = ((index + 1, _pdf_page(document, index)) for index in indexes)
        read = read_pages(pages, notes)
    finally:
        document.close()
    return {number - 1: paragraphs for number, paragraphs in read.items()}


def _pdf_page(document: pypdfium2.PdfDocument, index: int) -> Callable[[], Image.Image]:
    def draw() -> Image.Image:
        page = document[index]
        try:
            width, height = page.get_size()  # points: 1/72 inch
            # The page's own size may be anything: the scale keeps the drawing within MAX_SIDE.
            scale = min(SCAN_DPI / 72, MAX_SIDE / max(width, height, 1.0))
            return page.render(scale=scale, grayscale=True).to_pil()
        finally:
            page.close()

    return draw
