"""Scanned pages made inside the tests: Chinese text drawn with a CJK font, tilted, speckled."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

FONT = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
needs_font = pytest.mark.skipif(
    not FONT.exists(), reason=f"no CJK font at {FONT}: install fonts-wqy-zenhei (make system-deps)"
)

# An A4 page at 150 DPI, body text of 16 pt (三号, as 公文 are set) at that resolution.
PAGE = (1240, 1754)
SIZE = 33
MARGIN = 110


def draw_page(
    paragraphs: list[str],
    size: tuple[int, int] = PAGE,
    columns: int = 1,
    tilt: float = 1.5,
    noise: int = 4000,
    seed: int = 1,
) -> Image.Image:
    """One page of `paragraphs` (which must fit on it); see `draw_pages`."""
    pages = draw_pages(paragraphs, size, columns, tilt, noise, seed)
    assert len(pages) == 1, "the text runs over one page"
    return pages[0]


def draw_pages(
    paragraphs: list[str],
    size: tuple[int, int] = PAGE,
    columns: int = 1,
    tilt: float = 1.5,
    noise: int = 4000,
    seed: int = 1,
) -> list[Image.Image]:
    """Pages with each paragraph wrapped to the column, indented two characters unless it
    is a heading, each turned by `tilt` degrees and sprinkled with `noise` grey dots."""
    font = ImageFont.truetype(str(FONT), SIZE)
    gutter = 2 * SIZE
    width = (size[0] - 2 * MARGIN - (columns - 1) * gutter) // columns
    pages = [Image.new("L", size, 255)]
    column, y = 0, MARGIN
    for paragraph in paragraphs:
        heading = font.getlength(paragraph) < width and not paragraph.endswith("。")
        for line in _wrapped(("" if heading else "　　") + paragraph, font, width):
            if y + SIZE > size[1] - MARGIN:
                column, y = column + 1, MARGIN
                if column == columns:
                    pages.append(Image.new("L", size, 255))
                    column = 0
            x = MARGIN + column * (width + gutter)
            ImageDraw.Draw(pages[-1]).text((x, y), line, font=font, fill=0)
            y += int(SIZE * 1.6)
    return [_scanned(page, tilt, noise, seed + n) for n, page in enumerate(pages)]


def _wrapped(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    # Filled by width, as typesetting does: digits and Latin letters are narrower.
    lines = [""]
    for char in text:
        if font.getlength(lines[-1] + char) > width:
            lines.append("")
        lines[-1] += char
    return lines


def _scanned(page: Image.Image, tilt: float, noise: int, seed: int) -> Image.Image:
    page = page.rotate(tilt, resample=Image.Resampling.BICUBIC, fillcolor=255)
    speckle = random.Random(seed)
    dots = page.load()
    assert dots is not None
    for _ in range(noise):
        dots[speckle.randrange(page.width), speckle.randrange(page.height)] = speckle.randrange(256)
    return page
