import io
import os
import zipfile
from pathlib import Path

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from pypdf import PdfReader, PdfWriter
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from knowledge import readers, webpage
from knowledge.models import Paragraph
from knowledge.readers import ReadOptions, UnreadableFile, decode_text, read_paragraphs

SIMPLIFIED = "一、工作概况\r\n\r\n　　今年我县科协组织开展科普活动二十场。\r\n二、存在问题\n"
TRADITIONAL = "一、工作概況\r\n\r\n　　今年本縣科協組織開展科普活動二十場。\r\n二、存在問題\n"


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def texts(paragraphs: list[Paragraph]) -> list[str]:
    return [paragraph.text for paragraph in paragraphs]


@pytest.mark.parametrize(
    ("text", "codec", "expected"),
    [
        (
            SIMPLIFIED,
            "gbk",
            ["一、工作概况", "今年我县科协组织开展科普活动二十场。", "二、存在问题"],
        ),
        (
            TRADITIONAL,
            "big5",
            ["一、工作概況", "今年本縣科協組織開展科普活動二十場。", "二、存在問題"],
        ),
        (
            SIMPLIFIED,
            "gb18030",
            ["一、工作概况", "今年我县科协组织开展科普活动二十场。", "二、存在问题"],
        ),
        (
            SIMPLIFIED,
            "utf-8-sig",
            ["一、工作概况", "今年我县科协组织开展科普活动二十场。", "二、存在问题"],
        ),
        (
            TRADITIONAL,
            "utf-16",
            ["一、工作概況", "今年本縣科協組織開展科普活動二十場。", "二、存在問題"],
        ),
        (
            TRADITIONAL,
            "utf-8",
            ["一、工作概況", "今年本縣科協組織開展科普活動二十場。", "二、存在問題"],
        ),
    ],
)
def test_text_file_decodes_to_its_paragraphs(
    tmp_path: Path, text: str, codec: str, expected: list[str]
) -> None:
    paragraphs = read_paragraphs(write(tmp_path / "report.txt", text.encode(codec)))
    assert paragraphs == [Paragraph(line) for line in expected]


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        ("科普工作总结今年开展", "gbk"),
        ("组织开展科普讲座活动", "gbk"),
        ("青少年科技创新大赛", "gbk"),
        ("全民科学素质行动", "gbk"),
        ("科普", "gbk"),
        ("縣科協科普工作總結篇", "big5"),
        ("組織開展科普講座活動", "big5"),
        ("青少年科技創新大賽", "big5"),
        ("黨政領導高度重視", "big5"),
        ("工作總結", "big5"),
    ],
)
def test_short_chinese_text_decodes_in_either_legacy_encoding(text: str, codec: str) -> None:
    assert decode_text(text.encode(codec)) == text


def test_utf8_bom_is_stripped() -> None:
    assert decode_text("科普".encode("utf-8-sig")) == "科普"


def test_utf8_cut_off_mid_character_keeps_the_complete_text() -> None:
    assert decode_text("科普".encode()[:-1]) == "科"


def test_binary_noise_is_not_taken_for_text() -> None:
    with pytest.raises(UnreadableFile, match="无法识别文件编码"):
        decode_text(bytes(range(256)) * 8)


def test_markdown_hashes_become_heading_levels(tmp_path: Path) -> None:
    source = "# 科普工作总结\n\n## 一、工作概况 ##\n今年开展活动。\n#话题标签\n####### 七级\n#\n"
    paragraphs = read_paragraphs(write(tmp_path / "report.md", source.encode()))
    assert paragraphs == [
        Paragraph("科普工作总结", 1),
        Paragraph("一、工作概况", 2),
        Paragraph("今年开展活动。"),
        Paragraph("#话题标签"),
        Paragraph("####### 七级"),
        Paragraph("#"),
    ]


PAGE = """<html><head><meta charset="gbk"><title>网站</title>
<style>p { color: red }</style><script>var tracker = "统计";</script></head>
<body>
<header><div class="logo">科协网站</div></header>
<nav><a>首页</a><a>工作动态</a></nav>
<div class="breadcrumb">首页 &gt; 工作总结</div>
<div class="side_menu">热门文章</div>
<article>
  <h2>科普工作总结</h2>
  <p>今年我县开展科普活动
     <b>二十场</b>。</p>
  <div class="share-bar">分享到微信</div>
  <ul><li>科普讲座十场</li><li>科普展览五场</li></ul>
  <table><tr><th>项目</th><td>数量</td></tr></table>
  <p>第一行<br>第二行<!-- 注释 --></p>
  <div id="comments">评论区</div>
</article>
<aside>推荐阅读</aside>
<footer>版权所有</footer>
</body></html>"""


def test_html_page_yields_only_its_article(tmp_path: Path) -> None:
    paragraphs = read_paragraphs(write(tmp_path / "page.html", PAGE.encode("gbk")))
    assert paragraphs == [
        Paragraph("科普工作总结", 2),
        Paragraph("今年我县开展科普活动 二十场。"),
        Paragraph("科普讲座十场"),
        Paragraph("科普展览五场"),
        Paragraph("项目 | 数量"),
        Paragraph("第一行"),
        Paragraph("第二行"),
    ]


def test_html_page_without_article_drops_site_chrome(tmp_path: Path) -> None:
    page = PAGE.replace("<article>", "<div>").replace("</article>", "</div>")
    paragraphs = read_paragraphs(write(tmp_path / "page.htm", page.encode("utf-8")))
    assert texts(paragraphs)[:2] == ["科普工作总结", "今年我县开展科普活动 二十场。"]
    assert not {"科协网站", "首页", "热门文章", "推荐阅读", "版权所有", "评论区"} & set(
        texts(paragraphs)
    )


def test_html_class_filter_never_empties_the_page(tmp_path: Path) -> None:
    body = "".join(f"<p>第{number}段正文，介绍科普活动的开展情况。</p>" for number in range(1, 4))
    page = f'<html><body><div class="page with-sidebar">{body}</div><p>备案</p></body></html>'
    paragraphs = read_paragraphs(write(tmp_path / "page.html", page.encode()))
    assert texts(paragraphs) == [
        "第1段正文，介绍科普活动的开展情况。",
        "第2段正文，介绍科普活动的开展情况。",
        "第3段正文，介绍科普活动的开展情况。",
        "备案",
    ]


DEEP = "<html><body><p>开头</p>" + "<div>" * 50_000 + "深处" + "</div>" * 50_000 + "<p>结尾</p>"


def test_deeply_nested_html_is_read_without_crashing(tmp_path: Path) -> None:
    paragraphs = read_paragraphs(write(tmp_path / "deep.html", DEEP.encode()))
    assert texts(paragraphs) == ["开头", "深处", "结尾"]


def test_html_falls_back_to_flat_text_when_the_tree_is_too_deep(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def too_deep(*args: object) -> None:
        raise RecursionError

    monkeypatch.setattr(webpage, "BeautifulSoup", too_deep)
    page = "<script>x = 1</script>" + DEEP.replace("开头", "开头&amp;")
    paragraphs = read_paragraphs(write(tmp_path / "deep.html", page.encode()))
    assert texts(paragraphs) == ["开头&", "深处", "结尾"]


def test_docx_keeps_headings_tables_and_order(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_heading("科普工作总结", level=0)
    document.add_heading("一、工作概况", level=1)
    document.add_paragraph("  今年开展活动二十场。\n成效显著。")
    table = document.add_table(rows=3, cols=2)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "活动统计"
    for row, cells in enumerate([("项目", "数量"), ("讲座", "")], start=1):
        for column, text in enumerate(cells):
            table.cell(row, column).text = text
    document.add_paragraph("")
    document.styles.add_style("标题 2", WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph("（一）讲座", style="标题 2")
    document.add_heading("二、存在问题", level=2)
    document.save(str(tmp_path / "report.docx"))

    assert read_paragraphs(tmp_path / "report.docx") == [
        Paragraph("科普工作总结", 1),
        Paragraph("一、工作概况", 1),
        Paragraph("今年开展活动二十场。"),
        Paragraph("成效显著。"),
        Paragraph("活动统计"),
        Paragraph("项目：讲座"),
        Paragraph("（一）讲座", 2),
        Paragraph("二、存在问题", 2),
    ]


def test_zip_bomb_dressed_as_docx_is_refused(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "bomb.docx", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", bytes(30_000_000))
    with pytest.raises(UnreadableFile, match="压缩炸弹"):
        read_paragraphs(tmp_path / "bomb.docx")


def chinese_pdf(lines: list[str]) -> bytes:
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.setFont("STSong-Light", 12)
    for number, line in enumerate(lines):
        page.drawString(72, 760 - 18 * number, line)
    page.showPage()
    page.setFont("STSong-Light", 12)
    page.drawString(72, 760, "本页是第二页，接着写。")
    page.drawString(280, 60, "第2页")
    page.save()
    return buffer.getvalue()


def test_pdf_text_layer_in_chinese_is_extracted_and_rewrapped(tmp_path: Path) -> None:
    pdf = chinese_pdf(
        [
            "科普工作总结",
            "一、工作概况",
            "今年我县科协组织开展科普活动，覆盖全县十二个乡镇和",
            "八十个村，共计二十场。",
            "（一）科普讲座",
            "举办讲座十场，听众两千人次：",
            "1. 青少年科技教育",
            "- 1 -",
        ]
    )
    assert texts(read_paragraphs(write(tmp_path / "report.pdf", pdf))) == [
        "科普工作总结",
        "一、工作概况",
        "今年我县科协组织开展科普活动，覆盖全县十二个乡镇和八十个村，共计二十场。",
        "（一）科普讲座",
        "举办讲座十场，听众两千人次：",
        "1. 青少年科技教育",
        "本页是第二页，接着写。",
    ]


def test_pdf_without_text_layer_is_reported_as_scan_when_ocr_is_off(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.rect(72, 72, 300, 500, fill=1)
    page.drawString(280, 60, "- 1 -")
    page.save()
    with pytest.raises(UnreadableFile) as caught:
        read_paragraphs(write(tmp_path / "scan.pdf", buffer.getvalue()), options=ReadOptions(False))
    assert str(caught.value) == (
        "PDF 没有文字层（可能是扫描件），而文字识别已关闭；"
        "请设置 KEPUBOT_OCR=on 后重新同步，或提供可复制文字的 PDF 或 .docx。"
    )


def encrypted_pdf(user_password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(chinese_pdf(["科普工作总结"]))))
    writer.encrypt(user_password=user_password, owner_password="owner")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_pdf_locked_with_a_user_password_is_reported_as_encrypted(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile) as caught:
        read_paragraphs(write(tmp_path / "locked.pdf", encrypted_pdf("secret")))
    assert str(caught.value) == "PDF 已加密，请去除密码后再导入。"


def test_pdf_with_only_an_owner_password_is_read(tmp_path: Path) -> None:
    paragraphs = read_paragraphs(write(tmp_path / "restricted.pdf", encrypted_pdf("")))
    assert texts(paragraphs)[0] == "科普工作总结"


def zip_without_document() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("report.pdf", os.urandom(4096), "文件已损坏或格式不正确，无法读取。"),
        ("report.docx", os.urandom(4096), "文件已损坏或格式不正确，无法读取。"),
        ("report.docx", zip_without_document(), "文件已损坏或格式不正确，无法读取。"),
        (
            "report.xyz",
            b"data",
            "不支持的文件类型 .xyz，"
            "支持：txt、md、html、docx、pdf、doc、wps、rtf、odt、xlsx、xls、et、csv、ofd、"
            "jpg、png 等图片。",
        ),
        (
            "README",
            b"data",
            "不支持没有扩展名的文件，"
            "支持：txt、md、html、docx、pdf、doc、wps、rtf、odt、xlsx、xls、et、csv、ofd、"
            "jpg、png 等图片。",
        ),
        ("report.DOC", b"data", "文件已损坏或格式不正确，无法读取。"),
        ("report.xls", b"data", "文件已损坏或格式不正确，无法读取。"),
        ("report.txt", b"", "文件是空的。"),
        ("report.txt", b" \r\n\t\r\n", "文件里没有找到文字，请检查内容后再导入。"),
    ],
)
def test_unreadable_file_gets_a_chinese_reason(
    tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    with pytest.raises(UnreadableFile) as caught:
        read_paragraphs(write(tmp_path / name, data))
    assert str(caught.value) == reason


def test_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "big.txt", "科普。\n".encode() * 200_000)
    with pytest.raises(UnreadableFile, match="文件超过 1 MB"):
        read_paragraphs(path, max_bytes=1_000_000)


def test_supported_suffixes_all_have_a_reader() -> None:
    assert set(readers._READERS) == readers.SUPPORTED_SUFFIXES
