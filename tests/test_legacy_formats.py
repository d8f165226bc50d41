"""Old Word, WPS, RTF and ODF reports read through LibreOffice; each failure costs one file."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import docx
import pytest

from bot.core.knowledge_base import sync
from bot.settings import Settings
from knowledge.compound import MAGIC
from knowledge.ingest import sync_folder
from knowledge.models import Paragraph
from knowledge.normalize import Normalizer
from knowledge.readers import ReadOptions, UnreadableFile, read_paragraphs
from knowledge.store import Store
from tests.files import assistant_over

SOFFICE = shutil.which("soffice")
needs_soffice = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice (soffice) is not installed: run `make system-deps`"
)
NO_LIBREOFFICE = ReadOptions(soffice="/nonexistent/soffice")
INSTALL = "需要 LibreOffice，请运行 sudo apt-get install -y libreoffice-writer-nogui 后再同步。"

# One report per format, each on its own topic so that a search cites one file.
REPORTS = {
    "镇科协.doc": ("镇科协科普日工作总结", "九月，镇科协组织开展全国科普日活动，发放资料两千份。"),
    "街道科协.wps": ("街道科协读书活动总结", "街道科协开展科普读书活动，全年参加居民八百人次。"),
    "学校科协.rtf": ("学校科协科技节总结", "学校举办青少年科技节，展出学生作品三百件。"),
    "社区科协.odt": ("社区科协讲座总结", "社区邀请专家举办健康科普讲座十二场。"),
}
# LibreOffice Basic in the test's own profile: storeToURL with a Password encrypts the .doc.
ENCRYPT_MACRO = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1"
 script:language="StarBasic">
Sub Encrypt(source As String, target As String)
  Dim hidden(0) As New com.sun.star.beans.PropertyValue
  hidden(0).Name = &quot;Hidden&quot;
  hidden(0).Value = True
  document = StarDesktop.loadComponentFromURL(ConvertToURL(source), &quot;_blank&quot;, 0, hidden())
  Dim store(1) As New com.sun.star.beans.PropertyValue
  store(0).Name = &quot;FilterName&quot;
  store(0).Value = &quot;MS Word 97&quot;
  store(1).Name = &quot;Password&quot;
  store(1).Value = &quot;kepu2024&quot;
  document.storeToURL(ConvertToURL(target), store())
  document.close(True)
End Sub
</script:module>
"""


def run_libreoffice(profile: Path, *arguments: str) -> None:
    subprocess.run(
        [str(SOFFICE), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         "--nologo", "--nodefault", "--nolockcheck", *arguments],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip


@pytest.fixture(scope="session")
def legacy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The four reports in their formats and 加密.doc with a password, made once by LibreOffice."""
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed: run `make system-deps`")
    work = tmp_path_factory.mktemp("legacy")
    sources = work / "docx"
    sources.mkdir()
    for name, (heading, paragraph) in REPORTS.items():
        document = docx.Document()
        document.add_heading(heading, level=1)
        document.add_paragraph(paragraph)
        document.save(str(sources / f"{Path(name).stem}.docx"))
    made, profile = work / "made", work / "profile"
    stems = {name[-3:]: str(sources / f"{Path(name).stem}.docx") for name in REPORTS}
    run_libreoffice(profile, "--convert-to", "doc:MS Word 97", "--outdir", str(made),
                    stems["doc"], stems["wps"])  # fmt: skip
    run_libreoffice(profile, "--convert-to", "rtf", "--outdir", str(made), stems["rtf"])
    run_libreoffice(profile, "--convert-to", "odt", "--outdir", str(made), stems["odt"])
    (made / "街道科协.doc").rename(made / "街道科协.wps")  # WPS 文字 saves Word 97 binaries
    module = profile / "user" / "basic" / "Standard" / "Module1.xba"
    module.write_text(ENCRYPT_MACRO, encoding="utf-8")
    run_libreoffice(profile, f'macro:///Standard.Module1.Encrypt("{made}/镇科协.doc",'
                             f'"{made}/加密.doc")')  # fmt: skip
    return made


def expected(name: str) -> list[Paragraph]:
    heading, paragraph = REPORTS[name]
    return [Paragraph(heading, 1), Paragraph(paragraph)]


@needs_soffice
@pytest.mark.parametrize("name", list(REPORTS))
def test_old_format_reads_as_its_heading_and_paragraph(legacy: Path, name: str) -> None:
    assert read_paragraphs(legacy / name) == expected(name)


@needs_soffice
def test_a_doc_renamed_docx_is_converted_like_a_doc(legacy: Path, tmp_path: Path) -> None:
    renamed = shutil.copyfile(legacy / "镇科协.doc", tmp_path / "镇科协.docx")
    assert read_paragraphs(renamed) == expected("镇科协.doc")


@needs_soffice
@pytest.mark.slow
def test_old_formats_sync_into_the_store_and_answers_cite_each_file(
    legacy: Path, tmp_path: Path, normalizer: Normalizer
) -> None:
    folder = tmp_path / "kb"
    folder.mkdir()
    for name in REPORTS:
        shutil.copyfile(legacy / name, folder / name)
    store = Store(tmp_path / "kb.db")
    summary = sync_folder(folder, store, normalizer)
    assert (sorted(summary.added), summary.failed) == (sorted(REPORTS), [])
    texts = {d.source: store.document_text(d.id) for d in store.documents()}
    assert texts == {name: "\n".join(REPORTS[name]) for name in REPORTS}
    assistant = assistant_over(store, normalizer)
    for question, source in [
        ("科普日发放资料多少份？", "镇科协.doc"),
        ("读书活动有多少人次参加？", "街道科协.wps"),
        ("科技节展出多少件学生作品？", "学校科协.rtf"),
        ("健康科普讲座举办了几场？", "社区科协.odt"),
    ]:
        answer = assistant.answer(question)
        assert answer.found and answer.citations[0].source == source, question


def test_without_libreoffice_the_doc_fails_alone_saying_how_to_install_it(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "旧报告.doc").write_bytes(MAGIC + bytes(1024))
    (folder / "改名.docx").write_bytes(MAGIC + bytes(1024))
    (folder / "说明.rtf").write_bytes(b"{\\rtf1\\ansi hello}")
    (folder / "好.txt").write_text("一、做法\n组织科普讲座十场，听众五百人。\n", encoding="utf-8")
    summary = sync_folder(folder, Store(tmp_path / "kb.db"), normalizer, options=NO_LIBREOFFICE)
    assert summary.added == ["好.txt"]
    assert sorted((f.path, f.reason) for f in summary.failed) == [
        ("改名.docx", f"读取 .doc {INSTALL}"),
        ("旧报告.doc", f"读取 .doc {INSTALL}"),
        ("说明.rtf", f"读取 .rtf {INSTALL}"),
    ]


def test_soffice_missing_from_path_gives_the_install_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    (tmp_path / "报告.wps").write_bytes(MAGIC + bytes(1024))
    with pytest.raises(UnreadableFile) as caught:
        read_paragraphs(tmp_path / "报告.wps")
    assert str(caught.value) == f"读取 .wps {INSTALL}"


def truncated(legacy: Path) -> bytes:
    return (legacy / "镇科协.doc").read_bytes()[:9000]


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda legacy: os.urandom(4096), id="random bytes"),
        pytest.param(truncated, id="cut short", marks=needs_soffice),
    ],
)
def test_corrupt_doc_fails_with_its_reason(request, tmp_path: Path, make) -> None:
    legacy = request.getfixturevalue("legacy") if SOFFICE else None
    path = tmp_path / "坏.doc"
    path.write_bytes(make(legacy))
    with pytest.raises(UnreadableFile) as caught:
        read_paragraphs(path)
    assert str(caught.value) == "文件已损坏或格式不正确，无法读取。"


@needs_soffice
def test_doc_with_a_password_is_refused_before_libreoffice_waits_for_it(legacy: Path) -> None:
    started = time.perf_counter()
    with pytest.raises(UnreadableFile) as caught:
        read_paragraphs(legacy / "加密.doc", options=ReadOptions(convert_seconds=30))
    assert str(caught.value) == "文件设有密码，请去除密码后再导入。"
    assert time.perf_counter() - started < 5


def compound_file(stream: str) -> bytes:
    """The smallest OLE2 compound file: one FAT sector, one directory sector, one empty stream."""
    end, free = 0xFFFFFFFE, 0xFFFFFFFF
    header = MAGIC + bytes(16) + struct.pack("<HHHHH6xIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6,
                                             0, 1, 1, 0, 4096, end, 0, end, 0)  # fmt: skip
    header += struct.pack("<109I", 0, *[free] * 108)
    fat = struct.pack("<128I", 0xFFFFFFFD, end, *[free] * 126)

    def entry(name: str, kind: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        return (encoded.ljust(64, b"\0") + struct.pack("<HBB", len(encoded), kind, 1)
                + struct.pack("<III", free, free, free if kind == 2 else 1) + bytes(36)
                + struct.pack("<III", end, 0, 0))  # fmt: skip

    directory = entry("Root Entry", 5) + entry(stream, 2) + bytes(256)
    return header + fat + directory


def test_docx_with_a_password_is_refused_by_its_encryption_stream(tmp_path: Path) -> None:
    # Office 2007+ encrypts a .docx into a compound file holding EncryptionInfo.
    (tmp_path / "加密.docx").write_bytes(compound_file("EncryptionInfo"))
    with pytest.raises(UnreadableFile) as caught:
        read_paragraphs(tmp_path / "加密.docx", options=NO_LIBREOFFICE)
    assert str(caught.value) == "文件设有密码，请去除密码后再导入。"


def processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and text in (entry / "cmdline").read_bytes().decode(
                errors="replace"
            ):
                found.append(int(entry.name))
        except OSError:  # gone meanwhile
            continue
    return found


@needs_soffice
def test_conversion_over_its_time_bound_is_killed_whole_and_cleaned_up(
    legacy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    started = time.perf_counter()
    with pytest.raises(UnreadableFile) as caught:
        read_paragraphs(legacy / "镇科协.doc", options=ReadOptions(convert_seconds=0.5))
    assert str(caught.value) == "转换超时（超过 0.5 秒），请另存为 .docx 后再导入。"
    assert time.perf_counter() - started < 5
    assert (processes_mentioning(str(scratch)), list(scratch.iterdir())) == ([], [])


@needs_soffice
@pytest.mark.slow
def test_two_conversions_at_once_each_read_their_own_file(legacy: Path) -> None:
    results: dict[str, list[Paragraph]] = {}

    def read(name: str) -> None:
        results[name] = read_paragraphs(legacy / name)

    names = ("镇科协.doc", "社区科协.odt")
    threads = [threading.Thread(target=read, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {name: expected(name) for name in names}


@needs_soffice
@pytest.mark.slow
def test_sync_bounds_each_conversion_by_the_settings(legacy: Path, tmp_path: Path) -> None:
    folder = tmp_path / "kb"
    folder.mkdir()
    shutil.copyfile(legacy / "镇科协.doc", folder / "镇科协.doc")
    (folder / "好.txt").write_text("一、做法\n组织科普讲座十场，听众五百人。\n", encoding="utf-8")
    report = sync(Settings(knowledge_dir=folder, data_dir=tmp_path / "var", convert_seconds=0.5))
    assert (report.ingest.added, [(f.path, f.reason) for f in report.ingest.failed]) == (
        ["好.txt"],
        [("镇科协.doc", "转换超时（超过 0.5 秒），请另存为 .docx 后再导入。")],
    )


def test_a_compound_file_naming_one_sector_over_and_over_is_read_in_bounded_memory() -> None:
    import struct
    import tracemalloc

    from knowledge.compound import MAGIC, is_encrypted

    header = bytearray(512)
    header[:8] = MAGIC
    struct.pack_into("<HH", header, 0x1E, 9, 6)  # 512-byte sectors, 64-byte mini sectors
    end = 0xFFFFFFFE
    struct.pack_into("<7I", header, 0x30, 0, 0, 4096, end, 0, end, 0)
    struct.pack_into("<109I", header, 0x4C, *([0] * 109))  # the FAT is sector 0, 109 times
    sector = struct.pack("<128I", *([0] * 128))  # and every chain loops on sector 0
    data = bytes(header) + sector * 64  # 33 KB
    tracemalloc.start()
    assert is_encrypted(data) is False
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 2_000_000  # before the bound: over a gigabyte
