"""Scans and photos: real OCR of pages drawn in the tests, cited by their scanned page."""

from __future__ import annotations

import difflib
import io
import os
import time
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from bot.core.citation import citation_label
from bot.core.knowledge_base import sync
from bot.settings import Settings, SettingsError, load_settings
from knowledge.chunk import chunk_paragraphs
from knowledge.ingest import sync_folder
from knowledge.models import Paragraph
from knowledge.normalize import Normalizer
from knowledge.readers import ReadOptions, UnreadableFile, read_paragraphs
from knowledge.store import Store
from tests.files import assistant_over
from tests.scans import FONT, draw_page, needs_font

SIMPLIFIED = [
    "县科协科普工作总结",
    "一、科普工作开展情况",
    "今年我县科协组织开展全国科普日活动二十场，覆盖全县十二个乡镇和八十个村，"
    "发放科普资料两千份，受益群众一万余人次。",
    "（一）科普讲座",
    "举办科普讲座十场，邀请农业专家讲解果树栽培和病虫害防治技术，听众两千人次。",
    "二、存在的问题",
    "基层科普人员不足，经费投入偏少，活动形式比较单一。",
]
TRADITIONAL = [
    "縣科協科普工作總結",
    "一、科普工作開展情況",
    "今年我縣科協組織開展全國科普日活動二十場，覆蓋全縣十二個鄉鎮和八十個村，"
    "發放科普資料兩千份，受益群眾一萬餘人次。",
    "（一）科普講座",
    "舉辦科普講座十場，邀請農業專家講解果樹栽培和病蟲害防治技術，聽眾兩千人次。",
    "二、存在的問題",
    "基層科普人員不足，經費投入偏少，活動形式比較單一。",
]
NO_TEXT = "图片中没有识别出文字，请提供更清晰的扫描件（建议 200–300 DPI）或可复制文字的文件。"
RECOGNISED = "已用文字识别（OCR）读取扫描页 {} 页，识别可能有误，引用前请核对原件。"
OCR_OFF = "图片须经文字识别才能读取，而文字识别已关闭；请设置 KEPUBOT_OCR=on 后重新同步。"


def agreement(expected: list[str], paragraphs: list[Paragraph]) -> float:
    """Share of characters the recognised text has in common with what was drawn."""
    read = "".join(p.text for p in paragraphs)
    return difflib.SequenceMatcher(None, "".join(expected), read, autojunk=False).ratio()


def image_pdf(pages: list[Image.Image]) -> bytes:
    """A PDF of page images only, as a scanner writes it: no text layer."""
    buffer = io.BytesIO()
    pages[0].save(buffer, "PDF", resolution=150, save_all=True, append_images=pages[1:])
    return buffer.getvalue()


@pytest.fixture(scope="module")
def scanned_page() -> Image.Image:
    if not FONT.exists():
        pytest.skip(f"no CJK font at {FONT}")
    return draw_page(SIMPLIFIED)


@needs_font
def test_a_photographed_page_is_read_into_its_headings_and_paragraphs(
    tmp_path: Path, scanned_page: Image.Image
) -> None:
    scanned_page.save(tmp_path / "scan.png")
    notes: list[str] = []
    paragraphs = read_paragraphs(tmp_path / "scan.png", notes=notes)
    assert agreement(SIMPLIFIED, paragraphs) >= 0.95
    texts = [p.text for p in paragraphs]
    # The headings stand alone, so the chunker finds them again.
    assert {"一、科普工作开展情况", "（一）科普讲座", "二、存在的问题"} <= set(texts)
    assert len(texts) == len(SIMPLIFIED)  # each wrapped paragraph joined into one
    assert {p.scan_page for p in paragraphs} == {1}
    assert notes == [RECOGNISED.format(1)]


@needs_font
def test_a_traditional_page_is_read_nearly_as_well(tmp_path: Path) -> None:
    draw_page(TRADITIONAL).save(tmp_path / "scan.jpg", quality=85)
    # Measured 0.94 (the Simplified page: 0.997); the engine's model is mostly Simplified,
    # and loses some rarer Traditional characters (縣 總 眾 蟲).
    assert agreement(TRADITIONAL, read_paragraphs(tmp_path / "scan.jpg")) >= 0.9


@needs_font
def test_a_two_column_page_is_read_left_column_first(tmp_path: Path) -> None:
    draw_page(SIMPLIFIED * 2, columns=2).save(tmp_path / "columns.png")
    texts = [p.text for p in read_paragraphs(tmp_path / "columns.png")]
    starts = [n for n, text in enumerate(texts) if text == "一、科普工作开展情况"]
    assert starts == [1, 8] and texts[7] == "县科协科普工作总结"


@needs_font
def test_a_pdf_of_page_images_is_read_page_by_page(
    tmp_path: Path, scanned_page: Image.Image
) -> None:
    second = draw_page(["三、下一步打算", "继续开展科普进村入户活动。"], noise=0, tilt=-1.0)
    path = tmp_path / "scan.pdf"
    path.write_bytes(image_pdf([scanned_page, second]))
    paragraphs = read_paragraphs(path)
    assert agreement(SIMPLIFIED, [p for p in paragraphs if p.scan_page == 1]) >= 0.95
    assert [(p.text, p.scan_page) for p in paragraphs if p.scan_page == 2] == [
        ("三、下一步打算", 2),
        ("继续开展科普进村入户活动。", 2),
    ]


@needs_font
def test_a_pdf_with_a_text_page_and_a_scanned_page_reads_each_its_own_way(
    tmp_path: Path,
) -> None:
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.setFont("STSong-Light", 12)
    page.drawString(72, 760, "一、工作概况")
    page.drawString(72, 742, "今年开展科普活动二十场。")
    page.showPage()
    scan = draw_page(["三、下一步打算", "继续开展科普进村入户活动。"])
    page.drawImage(ImageReader(scan), 0, 0, 595, 842)  # an image, no text: a scanned page
    page.showPage()
    page.save()
    path = tmp_path / "mixed.pdf"
    path.write_bytes(buffer.getvalue())
    notes: list[str] = []
    paragraphs = read_paragraphs(path, notes=notes)
    assert [(p.text, p.scan_page) for p in paragraphs] == [
        ("一、工作概况", None),
        ("今年开展科普活动二十场。", None),
        ("三、下一步打算", 2),
        ("继续开展科普进村入户活动。", 2),
    ]
    assert notes == [RECOGNISED.format(1)]


@needs_font
def test_scans_are_found_by_keyword_and_cited_by_file_and_page(
    tmp_path: Path, normalizer: Normalizer, scanned_page: Image.Image
) -> None:
    folder = tmp_path / "kb"
    folder.mkdir()
    scanned_page.save(folder / "县科协总结照片.png")
    other = draw_page(["乡科协工作总结", "一、青少年科技教育", "组织中小学生参观天文馆三次。"])
    (folder / "乡科协扫描件.pdf").write_bytes(image_pdf([other, scanned_page]))
    for n in range(6):  # words in more than half the passages are not searched
        (folder / f"其他{n}.txt").write_text(f"第{n}街道科协工作总结\n一、读书\n开展读书活动。\n")
    store = Store(tmp_path / "kb.db")
    summary = sync_folder(folder, store, normalizer)
    assert summary.failed == []
    assert sorted((n.path, n.reason) for n in summary.notes) == [
        (
            "乡科协扫描件.pdf",
            "已用文字识别（OCR）读取扫描页 2 页，识别可能有误，引用前请核对原件。",
        ),
        (
            "县科协总结照片.png",
            "已用文字识别（OCR）读取扫描页 1 页，识别可能有误，引用前请核对原件。",
        ),
    ]
    assistant = assistant_over(store, normalizer)
    labels = [c.label for c in assistant.answer("果树栽培技术讲座有多少人听？").citations]
    assert "县科协科普工作总结 › 一、科普工作开展情况（县）（扫描件第 1 页）" in labels
    cited = [(c.source, c.scan_page) for c in assistant.answer("参观天文馆几次？").citations]
    assert ("乡科协扫描件.pdf", 1) in cited
    assert all(c.scan_page is None for c in assistant.answer("读书活动").citations)


def test_a_chunk_is_cited_by_the_scanned_page_it_starts_on() -> None:
    paragraphs = [
        Paragraph("一、工作概况", scan_page=1),
        Paragraph("今年开展科普活动二十场。" * 5, scan_page=1),
        Paragraph("发放资料两千份。" * 5, scan_page=2),
        Paragraph("二、存在问题", scan_page=2),
        Paragraph("经费不足。", scan_page=3),
    ]
    chunks = chunk_paragraphs(paragraphs, min_chars=10, max_chars=200)
    assert [(c.heading_path, c.scan_page) for c in chunks] == [
        (("一、工作概况",), 1),
        (("二、存在问题",), 2),
    ]


def test_the_citation_label_names_the_scanned_page() -> None:
    label = citation_label("县科协总结", ("一、概况",), ("成都市",), "县", 2024, scan_page=3)
    assert label == "县科协总结 › 一、概况（成都市 · 县 · 2024年）（扫描件第 3 页）"
    assert citation_label("县科协总结", (), (), None, None) == "县科协总结"


def test_with_ocr_off_a_scan_fails_saying_how_to_turn_it_on(tmp_path: Path) -> None:
    folder = tmp_path / "kb"
    folder.mkdir()
    Image.new("L", (200, 100), 255).save(folder / "photo.jpg")
    (folder / "report.txt").write_text("县科协工作总结\n开展科普活动。\n", encoding="utf-8")
    settings = Settings(knowledge_dir=folder, data_dir=tmp_path / "var", ocr=False)
    report = sync(settings)
    assert [(f.path, f.reason) for f in report.ingest.failed] == [("photo.jpg", OCR_OFF)]
    assert report.ingest.files == 1


@pytest.mark.parametrize(
    ("value", "ocr"), [("off", False), ("OFF", False), ("0", False), ("on", True), ("true", True)]
)
def test_kepubot_ocr_is_a_switch(value: str, ocr: bool) -> None:
    assert load_settings({"KEPUBOT_OCR": value}).ocr is ocr


def test_a_bad_kepubot_ocr_names_the_key() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({"KEPUBOT_OCR": "maybe"})
    assert str(caught.value) == "设置 KEPUBOT_OCR 的值 'maybe' 无效，应为on 或 off。"


def test_an_image_without_text_fails_with_its_own_reason(tmp_path: Path) -> None:
    picture = Image.new("RGB", (800, 600), "white")
    pen = ImageDraw.Draw(picture)
    pen.ellipse((100, 100, 400, 400), fill="steelblue")
    pen.rectangle((500, 200, 700, 500), fill="darkorange")
    picture.save(tmp_path / "picture.png")
    with pytest.raises(UnreadableFile) as caught:
        read_paragraphs(tmp_path / "picture.png")
    assert str(caught.value) == NO_TEXT


def test_an_oversized_image_is_refused_before_it_is_decoded(tmp_path: Path) -> None:
    # 60 million pixels that compress to a few kilobytes: decoding them would cost 180 MB.
    Image.new("1", (10_000, 6_000), 1).save(tmp_path / "huge.png")
    assert (tmp_path / "huge.png").stat().st_size < 100_000
    started = time.perf_counter()
    with pytest.raises(UnreadableFile) as caught:
        read_paragraphs(tmp_path / "huge.png")
    assert str(caught.value) == "图片过大（超过 5000 万像素），请缩小后再导入。"
    assert time.perf_counter() - started < 1


@pytest.mark.parametrize(
    "data", [os.urandom(2048), b"\x89PNG\r\n\x1a\n" + os.urandom(64)], ids=["noise", "bad png"]
)
def test_a_corrupt_image_fails_alone(tmp_path: Path, normalizer: Normalizer, data: bytes) -> None:
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "broken.png").write_bytes(data)
    (folder / "report.txt").write_text("县科协工作总结\n开展科普活动。\n", encoding="utf-8")
    summary = sync_folder(folder, Store(tmp_path / "kb.db"), normalizer, options=ReadOptions())
    assert [(f.path, f.reason) for f in summary.failed] == [
        ("broken.png", "文件已损坏或格式不正确，无法读取。")
    ]
    assert summary.files == 1
