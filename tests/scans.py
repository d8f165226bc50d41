"""Scanned pages made inside the tests: Chinese text drawn with a CJK font, tilted, speckled."""

from __future__ import annotations

import random
import textwrap
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
    """A page with each paragraph wrapped to the column, indented two characters unless it
    is a heading, turned by `tilt` degrees and sprinkled with `noise` grey dots."""
    font = ImageFont.truetype(str(FONT), SIZE)
    page = Image.new("L", size, 255)
    pen = ImageDraw.Draw(page)
    gutter = 2 * SIZE
    width = (size[0] - 2 * MARGIN - (columns - 1) * gutter) // columns
    per_line = width // SIZE
    column, y = 0, MARGIN
    for paragraph in paragraphs:
        heading = len(paragraph) < per_line and not paragraph.endswith("。")
        lines = textwrap.wrap(("" if heading else "　　") + paragraph, per_line)
        for line in lines:
            if y + SIZE > size[1] - MARGIN:
                column, y = column + 1, MARGIN
            x = MARGIN + column * (width + gutter)
            pen.text((x, y), line, font=font, fill=0)
            y += int(SIZE * 1.6)
    page = page.rotate(tilt, resample=Image.Resampling.BICUBIC, fillcolor=255)
    speckle = random.Random(seed)
    dots = page.load()
    assert dots is not None
    for _ in range(noise):
        dots[speckle.randrange(size[0]), speckle.randrange(size[1])] = speckle.randrange(256)
    return page
