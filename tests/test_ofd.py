"""OFD files written from their XML (GB/T 33190) read in reading order, tables as rows."""

import zipfile
from pathlib import Path

import pytest

from knowledge.ingest import sync_folder
from knowledge.models import Paragraph
from knowledge.normalize import Normalizer, query_terms
from knowledge.readers import UnreadableFile, read_paragraphs
from knowledge.store import Store

NS = "http://www.ofdspec.org/2016"
HEAD = '<?xml version="1.0" encoding="UTF-8"?>'

# (x, y, size, text) in millimetres; y grows downwards, as in OFD.
Text = tuple[float, float, float, str]


def text_object(number: int, x: float, y: float, size: float, text: str) -> str:
    # The boundary box sits at (x, y); the baseline is one character height into it, and each
    # glyph advances by the font size ("g N size": N times the same advance).
    return (
        f'<ofd:TextObject ID="{number}" Boundary="{x} {y} {size * len(text)} {size * 1.4}"'
        f' Font="2" Size="{size}"><ofd:TextCode X="0" Y="{size}"'
        f' DeltaX="g {len(text) - 1} {size}">{text}</ofd:TextCode></ofd:TextObject>'
    )


def page_xml(texts: list[Text]) -> str:
    objects = "".join(text_object(10 + n, *text) for n, text in enumerate(texts))
    return (
        f'{HEAD}<ofd:Page xmlns:ofd="{NS}"><ofd:Content><ofd:Layer ID="3">{objects}'
        "</ofd:Layer></ofd:Content></ofd:Page>"
    )


def write_ofd(path: Path, pages: list[list[Text]], leave_out: tuple[str, ...] = ()) -> Path:
    """An OFD package: OFD.xml → Doc_0/Document.xml → Doc_0/Pages/Page_N/Content.xml."""
    refs = "".join(
        f'<ofd:Page ID="{n + 1}" BaseLoc="Pages/Page_{n}/Content.xml"/>' for n in range(len(pages))
    )
    parts = {
        "OFD.xml": f'{HEAD}<ofd:OFD xmlns:ofd="{NS}" Version="1.0" DocType="OFD"><ofd:DocBody>'
        "<ofd:DocInfo><ofd:DocID>6c1f</ofd:DocID><ofd:Title>科普工作总结</ofd:Title>"
        "</ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
        "Doc_0/Document.xml": f'{HEAD}<ofd:Document xmlns:ofd="{NS}"><ofd:CommonData>'
        "<ofd:MaxUnitID>100</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>0 0 210 297"
        "</ofd:PhysicalBox></ofd:PageArea><ofd:PublicRes>PublicRes.xml</ofd:PublicRes>"
        f"</ofd:CommonData><ofd:Pages>{refs}</ofd:Pages></ofd:Document>",
        "Doc_0/PublicRes.xml": f'{HEAD}<ofd:Res xmlns:ofd="{NS}" BaseLoc="Res"><ofd:Fonts>'
        '<ofd:Font ID="2" FontName="宋体" FamilyName="宋体"/></ofd:Fonts></ofd:Res>',
    }
    for n, texts in enumerate(pages):
        parts[f"Doc_0/Pages/Page_{n}/Content.xml"] = page_xml(texts)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, xml in parts.items():
            if name not in leave_out:
                archive.writestr(name, xml)
    return path


# Written in shuffled order: the reader must place text by its coordinates.
REPORT = [
    [
        (25, 60, 4, "今年我县科协组织开展科普活动，覆盖全县十二个乡镇和八"),
        (70, 30, 6, "天文科普工作总结"),
        (25, 66, 4, "十个村，共计二十场。"),
        (25, 50, 4, "一、工作概况"),
    ],
    [
        (25, 30, 4, "二、活动统计"),
        (80, 40, 4, "场次"),
        (25, 40, 4, "项目"),
        (130, 40, 4, "人次"),
        (25, 47, 4, "星空观测"),
        (80, 47, 4, "6"),
        (130, 47, 4, "4000"),
        (25, 54, 4, "科普展览"),
        (80, 54, 4, "3"),
        (130, 54, 4, "1200"),
        (25, 64, 4, "三、下一步打算"),
    ],
]


def test_ofd_reads_in_reading_order_with_wrapped_lines_joined_and_table_rows(
    tmp_path: Path,
) -> None:
    paragraphs = read_paragraphs(write_ofd(tmp_path / "总结.ofd", REPORT))
    assert paragraphs == [
        Paragraph("天文科普工作总结"),
        Paragraph("一、工作概况"),
        Paragraph("今年我县科协组织开展科普活动，覆盖全县十二个乡镇和八十个村，共计二十场。"),
        Paragraph("二、活动统计"),
        Paragraph("项目：星空观测；场次：6；人次：4000"),
        Paragraph("项目：科普展览；场次：3；人次：1200"),
        Paragraph("三、下一步打算"),
    ]
    assert [paragraph.row for paragraph in paragraphs].count(True) == 2


def test_ofd_text_split_into_one_object_per_character_reads_as_one_line(tmp_path: Path) -> None:
    line = "组织青少年参观科技馆。"
    page = [(25 + 4 * n, 40, 4, char) for n, char in enumerate(line)]
    assert read_paragraphs(write_ofd(tmp_path / "字.ofd", [page])) == [Paragraph(line)]


def test_ofd_is_found_by_keyword_search_citing_its_file(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    folder = tmp_path / "kb"
    folder.mkdir()
    write_ofd(folder / "总结.ofd", REPORT)
    for n in range(3):
        (folder / f"其他{n}.txt").write_text(
            f"第{n}街道科协工作总结\n一、读书\n街道科协开展读书活动。\n", "utf-8"
        )
    store = Store(tmp_path / "kb.db")
    summary = sync_folder(folder, store, normalizer)
    assert summary.failed == [] and "总结.ofd" in summary.added
    for question in ("星空观测", "乡镇和八十个村"):
        hits = store.keyword_search(query_terms(normalizer.normalize(question)), limit=3)
        top = store.chunks_by_id([hits[0].chunk_id])[hits[0].chunk_id]
        assert top.source == "总结.ofd" and question in top.text


def test_ofd_with_a_missing_page_reads_the_rest_and_says_so(tmp_path: Path) -> None:
    path = write_ofd(tmp_path / "缺页.ofd", REPORT, leave_out=("Doc_0/Pages/Page_0/Content.xml",))
    notes: list[str] = []
    paragraphs = read_paragraphs(path, notes=notes)
    assert paragraphs[0] == Paragraph("二、活动统计")
    assert notes == ["有 1 页的内容缺失，已跳过，其余内容已导入。"]


def test_ofd_zip_bomb_is_refused(tmp_path: Path) -> None:
    path = write_ofd(tmp_path / "炸弹.ofd", REPORT)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Doc_0/Res/image.bmp", bytes(30_000_000))
    with pytest.raises(UnreadableFile, match="压缩炸弹"):
        read_paragraphs(path)


@pytest.mark.parametrize(
    ("leave_out", "pages", "reason"),
    [
        (("OFD.xml",), REPORT, "文件已损坏或格式不正确，无法读取。"),
        (("Doc_0/Document.xml",), REPORT, "文件已损坏或格式不正确，无法读取。"),
        ((), [[], []], "OFD 里没有文字（可能是扫描件），请提供可复制文字的 PDF 或 .docx。"),
    ],
)
def test_ofd_without_its_parts_or_text_gets_a_chinese_reason(
    tmp_path: Path, leave_out: tuple[str, ...], pages: list[list[Text]], reason: str
) -> None:
    path = write_ofd(tmp_path / "坏.ofd", pages, leave_out=leave_out)
    with pytest.raises(UnreadableFile) as caught:
        read_paragraphs(path)
    assert str(caught.value) == reason


def test_ofd_that_is_not_a_zip_is_corrupt(tmp_path: Path) -> None:
    (tmp_path / "坏.ofd").write_bytes(b"<ofd:OFD>not a package</ofd:OFD>")
    with pytest.raises(UnreadableFile) as caught:
        read_paragraphs(tmp_path / "坏.ofd")
    assert str(caught.value) == "文件已损坏或格式不正确，无法读取。"


def test_ofd_entities_are_not_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("机密内容", encoding="utf-8")
    path = write_ofd(tmp_path / "实体.ofd", [[(25, 40, 4, "科普讲座&xxe;")]])
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    name = "Doc_0/Pages/Page_0/Content.xml"
    doctype = f'<!DOCTYPE ofd:Page [<!ENTITY xxe SYSTEM "file://{secret}">]>'.encode()
    parts[name] = parts[name].replace(b"?>", b"?>" + doctype, 1)
    with zipfile.ZipFile(path, "w") as archive:
        for part, data in parts.items():
            archive.writestr(part, data)
    try:
        text = "".join(p.text for p in read_paragraphs(path))
    except UnreadableFile:
        text = ""
    assert "机密内容" not in text


def test_a_page_listed_again_and_again_is_read_once(tmp_path: Path) -> None:
    path = write_ofd(tmp_path / "重复.ofd", [[(20, 30, 5, "白石镇科协工作总结")]])
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    page = '<ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/>'
    parts["Doc_0/Document.xml"] = parts["Doc_0/Document.xml"].replace(
        page.encode(), (page * 1500).encode()
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    assert [p.text for p in read_paragraphs(path)] == ["白石镇科协工作总结"]
