"""A sync never empties the knowledge base by accident: an emptied or unmounted folder, or a
mistyped path, holds the removals until a person confirms them."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from knowledge.ingest import RemovalsHeld, removes_in_bulk, sync_folder
from knowledge.normalize import Normalizer
from knowledge.store import Store


def write_reports(folder: Path, names: list[str]) -> None:
    folder.mkdir(exist_ok=True)
    for name in names:
        body = f"{name}街道总结\n一、主要做法\n{name}街道组织科普讲座十二场。\n"
        (folder / f"{name}.txt").write_text(body, encoding="utf-8")


@pytest.mark.parametrize(
    ("removed", "total", "held"),
    [(0, 0, False), (0, 5, False), (1, 1, True), (1, 2, False), (2, 3, True), (3, 6, False),
     (4, 6, True), (6, 6, True)],
)  # fmt: skip
def test_removing_all_or_more_than_half_needs_confirmation(
    removed: int, total: int, held: bool
) -> None:
    assert removes_in_bulk(removed, total) is held


def test_an_emptied_folder_keeps_the_knowledge_base_until_removals_are_allowed(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    folder = tmp_path / "kb"
    write_reports(folder, ["甲", "乙", "丙"])
    store = Store(tmp_path / "kb.db")
    sync_folder(folder, store, normalizer)
    for path in folder.iterdir():
        path.unlink()
    with pytest.raises(RemovalsHeld) as held:
        sync_folder(folder, store, normalizer)
    assert (held.value.removed, held.value.total) == (["丙.txt", "乙.txt", "甲.txt"], 3)
    assert store.counts()["documents"] == 3
    summary = sync_folder(folder, store, normalizer, allow_removals=True)
    assert summary.removed == ["丙.txt", "乙.txt", "甲.txt"]
    assert store.counts()["documents"] == 0


def test_removing_a_minority_of_files_needs_no_confirmation(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    folder = tmp_path / "kb"
    write_reports(folder, ["甲", "乙", "丙"])
    store = Store(tmp_path / "kb.db")
    sync_folder(folder, store, normalizer)
    (folder / "乙.txt").unlink()
    assert sync_folder(folder, store, normalizer).removed == ["乙.txt"]
    assert store.counts()["documents"] == 2


def test_new_files_do_not_hide_the_loss_of_most_old_ones(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    # A mistyped path to another folder of reports: what the old one held would all go.
    folder = tmp_path / "kb"
    write_reports(folder, ["甲", "乙"])
    store = Store(tmp_path / "kb.db")
    sync_folder(folder, store, normalizer)
    for path in folder.iterdir():
        path.unlink()
    write_reports(folder, ["丁", "戊", "己"])
    with pytest.raises(RemovalsHeld):
        sync_folder(folder, store, normalizer)
    assert {d.source for d in store.documents()} == {"甲.txt", "乙.txt"}


def test_kepubot_ingest_on_an_emptied_folder_says_why_and_keeps_everything(
    tmp_path: Path,
) -> None:
    folder, runner = tmp_path / "kb", CliRunner()
    write_reports(folder, ["甲", "乙"])
    dirs = ["--knowledge-dir", str(folder), "--data-dir", str(tmp_path / "var")]
    assert runner.invoke(cli, [*dirs, "ingest"]).exit_code == 0
    for path in folder.iterdir():
        path.unlink()
    result = runner.invoke(cli, [*dirs, "ingest"])
    assert result.exit_code == 1
    assert "找不到知识库中 2 个文件里的 2 个（乙.txt、甲.txt）" in result.output
    assert "kepubot ingest --allow-removals" in result.output
    assert "Traceback" not in result.output
    docs = runner.invoke(cli, [*dirs, "docs", "--json"])
    assert docs.exit_code == 0 and "甲街道总结" in docs.output
    confirmed = runner.invoke(cli, [*dirs, "ingest", "--allow-removals"])
    assert confirmed.exit_code == 0, confirmed.output
    assert "删除 2" in confirmed.output
