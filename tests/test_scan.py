"""The knowledge folder is a boundary, and one bad entry never stops a sync."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError, validate
from knowledge import ingest, scan
from knowledge.ingest import sync_folder
from knowledge.normalize import Normalizer
from knowledge.store import Store

REPORT = "{title}\n一、主要做法\n{body}\n"
SECRET = 'telegram_token = "123456:SECRET-TOKEN"\n'


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "好.txt").write_text(
        REPORT.format(title="好总结", body="街道开展科普读书活动，居民八百人次参加。"), "utf-8"
    )
    return kb


def sync(folder: Path, tmp_path: Path, normalizer: Normalizer) -> tuple[ingest.IngestSummary, str]:
    store = Store(tmp_path / "kb.db")
    try:
        summary = sync_folder(folder, store, normalizer)
        text = "\n".join(c.text for c in store.chunks())
    finally:
        store.close()
    return summary, text


def failures(summary: ingest.IngestSummary) -> dict[str, str]:
    return {f.path: f.reason for f in summary.failed}


def test_links_out_of_the_folder_are_skipped_and_never_read(
    folder: Path, tmp_path: Path, normalizer: Normalizer
) -> None:
    outside = tmp_path / "secrets"
    outside.mkdir()
    (outside / "kepubot.toml").write_text(SECRET, "utf-8")
    (outside / "旧报告.txt").write_text(REPORT.format(title="旧", body="外面的报告。"), "utf-8")
    (folder / "通知.md").symlink_to(outside / "kepubot.toml")
    (folder / "passwd.txt").symlink_to("/etc/passwd")
    (folder / "共享盘").symlink_to(outside, target_is_directory=True)
    (folder / "坏链接.txt").symlink_to(tmp_path / "nowhere.txt")
    (folder / "本目录链接.txt").symlink_to(folder / "好.txt")  # stays inside: allowed
    summary, text = sync(folder, tmp_path, normalizer)
    reasons = failures(summary)
    assert reasons == {
        "通知.md": scan.OUTSIDE_LINK,
        "passwd.txt": scan.OUTSIDE_LINK,
        "共享盘": scan.OUTSIDE_LINK,
        "坏链接.txt": scan.BROKEN_LINK,
    }
    assert "SECRET-TOKEN" not in text and "root:" not in text and "外面的报告" not in text
    assert sorted(summary.added) == ["好.txt", "本目录链接.txt"]


def test_a_link_that_was_ingested_before_is_dropped_once_it_leads_outside(
    folder: Path, tmp_path: Path, normalizer: Normalizer
) -> None:
    inside = folder / "本地.txt"
    inside.write_text(REPORT.format(title="本地", body="本地的报告内容。"), "utf-8")
    (folder / "链接.txt").symlink_to(inside)
    first, text = sync(folder, tmp_path, normalizer)
    assert "链接.txt" in first.added
    outside = tmp_path / "secret.txt"
    outside.write_text(SECRET, "utf-8")
    (folder / "链接.txt").unlink()
    (folder / "链接.txt").symlink_to(outside)
    again, text = sync(folder, tmp_path, normalizer)
    assert failures(again)["链接.txt"] == scan.OUTSIDE_LINK and "SECRET-TOKEN" not in text


def test_a_hard_link_is_skipped_since_its_other_name_may_be_outside(
    folder: Path, tmp_path: Path, normalizer: Normalizer
) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text(SECRET, "utf-8")
    os.link(outside, folder / "看起来正常.txt")
    summary, text = sync(folder, tmp_path, normalizer)
    assert failures(summary) == {"看起来正常.txt": scan.HARD_LINK}
    assert "SECRET-TOKEN" not in text


def test_a_gbk_byte_file_name_is_shown_and_stored_decoded(
    folder: Path, tmp_path: Path, normalizer: Normalizer
) -> None:
    # What unzip makes of a zip from Chinese Windows: the name's bytes are GBK.
    name = "科普工作总结.txt".encode("gbk")
    with open(os.path.join(os.fsencode(folder), name), "wb") as handle:
        handle.write(REPORT.format(title="科普工作总结", body="举办讲座三场。").encode("gbk"))
    summary, text = sync(folder, tmp_path, normalizer)
    assert summary.failed == [] and "科普工作总结.txt" in summary.added
    assert "举办讲座三场" in text
    # Unchanged on the next sync: the decoded name is a stable identity.
    again, _ = sync(folder, tmp_path, normalizer)
    assert (again.added, again.changed, again.unchanged) == ([], [], 2)


def test_an_unreadable_file_fails_alone(
    folder: Path, tmp_path: Path, normalizer: Normalizer, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = folder / "锁定.txt"
    locked.write_text(REPORT.format(title="锁定", body="读不到的内容。"), "utf-8")
    if os.geteuid() == 0:
        # Root reads any file whatever its mode, so the refusal the kernel would give a
        # service account is raised where the file is opened.
        real_open = Path.open

        def refusing(self: Path, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
            if self.name == locked.name:
                raise PermissionError(13, "Permission denied", str(self))
            return real_open(self, *args, **kwargs)  # type: ignore[call-overload]

        monkeypatch.setattr(Path, "open", refusing)
    else:
        locked.chmod(0)
    summary, text = sync(folder, tmp_path, normalizer)
    assert failures(summary)["锁定.txt"].startswith("无法读取文件（Permission denied）")
    assert summary.added == ["好.txt"] and "八百人次" in text


def test_a_file_that_vanishes_during_the_scan_is_reported_and_the_sync_goes_on(
    folder: Path, tmp_path: Path, normalizer: Normalizer, monkeypatch: pytest.MonkeyPatch
) -> None:
    autosave = folder / "草稿.docx"
    autosave.write_bytes(b"PK\x03\x04")
    real_scan = ingest.scan_folder

    def scan_then_delete(path: Path):  # type: ignore[no-untyped-def]
        listed = real_scan(path)
        autosave.unlink()  # Word removes its autosave between listing and reading
        return listed

    monkeypatch.setattr(ingest, "scan_folder", scan_then_delete)
    summary, _ = sync(folder, tmp_path, normalizer)
    assert failures(summary) == {"草稿.docx": scan.VANISHED}
    assert summary.added == ["好.txt"]
    monkeypatch.setattr(ingest, "scan_folder", real_scan)
    again, _ = sync(folder, tmp_path, normalizer)
    assert again.failed == [] and again.removed == ["草稿.docx"]


def test_huge_files_are_refused_by_size_and_type_without_being_read(
    folder: Path, tmp_path: Path, normalizer: Normalizer
) -> None:
    # Sparse: 30 GB and 3 GB on paper, nothing on disk. Reading either would take minutes
    # and, hashed whole, more memory than the machine has.
    with (folder / "导出.txt").open("wb") as handle:
        handle.truncate(30 * 2**30)
    with (folder / "活动录像.mp4").open("wb") as handle:
        handle.truncate(3 * 2**30)
    started = time.perf_counter()
    summary, _ = sync(folder, tmp_path, normalizer)
    assert time.perf_counter() - started < 10
    reasons = failures(summary)
    assert reasons["导出.txt"] == "文件超过 50 MB，请拆分后再导入。"
    assert reasons["活动录像.mp4"].startswith("不支持的文件类型 .mp4")
    assert summary.added == ["好.txt"]


def test_devices_and_pipes_in_the_folder_are_skipped(
    folder: Path, tmp_path: Path, normalizer: Normalizer
) -> None:
    os.mkfifo(folder / "管道.txt")  # opening it would block the sync forever
    summary, _ = sync(folder, tmp_path, normalizer)
    assert failures(summary) == {"管道.txt": scan.NOT_A_FILE}


@pytest.mark.parametrize("inside", ["data_dir", "config"])
def test_the_data_directory_and_config_may_not_live_in_the_knowledge_folder(
    folder: Path, inside: str
) -> None:
    settings = Settings(knowledge_dir=folder, data_dir=folder / "var" if inside == "data_dir"
                        else folder.parent / "var")  # fmt: skip
    config = folder / "kepubot.toml" if inside == "config" else None
    with pytest.raises(SettingsError, match="不能放在报告目录"):
        validate(settings, config)


def test_a_mostly_gbk_file_with_a_few_bad_bytes_is_read_and_the_repair_reported(
    folder: Path, tmp_path: Path, normalizer: Normalizer
) -> None:
    body = "街道今年开展科普讲座十二场，参加群众八百人次，发放宣传资料三千份。"
    data = REPORT.format(title="南山街道科协工作总结", body=body * 3).encode("gbk")
    (folder / "南山.txt").write_bytes(data[:40] + b"\xff\xff" + data[40:])  # a torn copy
    summary, text = sync(folder, tmp_path, normalizer)
    assert summary.failed == [] and "南山.txt" in summary.added
    assert [(n.path, n.reason) for n in summary.notes] == [
        ("南山.txt", "有 2 处无法识别的字节，已替换为“\ufffd”，其余内容已导入。")
    ]
    assert "参加群众八百人次" in text
