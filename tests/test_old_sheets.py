"""Old Excel (.xls) and WPS 表格 (.et) spreadsheets read through LibreOffice, like .xlsx."""

import shutil
import subprocess
from pathlib import Path

import pytest

from knowledge.models import Paragraph
from knowledge.readers import ReadOptions, UnreadableFile, read_paragraphs
from tests.test_legacy_formats import SOFFICE, needs_soffice
from tests.test_sheets import XLSX_PARAGRAPHS, write_xlsx

NO_LIBREOFFICE = ReadOptions(soffice="/nonexistent/soffice")


@pytest.fixture(scope="module")
def xls(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tests' statistics sheet saved by LibreOffice as Excel 97 (.xls), once."""
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed: run `make system-deps`")
    work = tmp_path_factory.mktemp("xls")
    source = write_xlsx(work / "统计.xlsx")
    profile = (work / "profile").as_uri()
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--norestore",
         "--convert-to", "xls:MS Excel 97", "--outdir", str(work / "out"), str(source)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    return work / "out" / "统计.xls"


@needs_soffice
@pytest.mark.parametrize("name", ["统计.xls", "统计.et", "统计.xlsx"])
def test_an_old_spreadsheet_reads_as_rows_with_their_header(
    xls: Path, tmp_path: Path, name: str
) -> None:
    # .et is what WPS 表格 saves (Excel binaries); an .xls renamed .xlsx goes the same way.
    copy = shutil.copyfile(xls, tmp_path / name)
    notes: list[str] = []
    # LibreOffice computes the formula openpyxl left without a saved value (=C3+C4 → 9).
    computed = Paragraph("类别：线上；项目：网络直播；场次：9；人次：12000")
    assert read_paragraphs(copy, notes=notes) == [*XLSX_PARAGRAPHS[:4], computed]
    assert notes == ["跳过了隐藏的工作表“选项”；如需导入，请取消隐藏后重新保存。"]


def test_without_libreoffice_an_xls_names_the_spreadsheet_package(tmp_path: Path) -> None:
    path = tmp_path / "统计.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))
    with pytest.raises(UnreadableFile) as error:
        read_paragraphs(path, options=NO_LIBREOFFICE)
    assert str(error.value) == (
        "读取 .xls 需要 LibreOffice，"
        "请运行 sudo apt-get install -y libreoffice-calc-nogui 后再同步。"
    )


@needs_soffice
def test_a_broken_xls_fails_with_its_reason(tmp_path: Path) -> None:
    path = tmp_path / "统计.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))
    with pytest.raises(UnreadableFile, match="文件已损坏或格式不正确"):
        read_paragraphs(path)


@needs_soffice
def test_an_xls_that_is_a_web_page_reads_under_the_files_name(tmp_path: Path) -> None:
    # Some systems export their statistics as an HTML table named .xls.
    path = tmp_path / "活动统计.xls"
    path.write_text(
        "<html><body><table><tr><th>项目</th><th>场次</th></tr>"
        "<tr><td>科普讲座</td><td>6</td></tr></table></body></html>",
        encoding="utf-8",
    )
    assert read_paragraphs(path) == [Paragraph("活动统计", 1), Paragraph("项目：科普讲座；场次：6")]
