"""A full disk is not damage: nothing is moved aside, the old knowledge base keeps serving."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot import core
from bot.core import Assistant, NotReady
from bot.settings import Settings
from tests.files import fill
from tests.paths import BUNDLED


def test_a_sync_on_a_full_disk_says_so_and_keeps_the_old_knowledge_base(
    tmp_path: Path, small_disk: Path
) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(BUNDLED, corpus)
    settings = Settings(knowledge_dir=corpus, data_dir=small_disk / "var")
    core.sync(settings)
    (corpus / "新增.txt").write_text(
        "青山镇总结\n一、机器人竞赛\n青山镇举办青少年机器人竞赛，四十二支队伍参加。\n" * 200,
        encoding="utf-8",
    )
    filler = fill(small_disk)
    with pytest.raises(NotReady) as caught:
        core.sync(settings)
    assert "磁盘已满" in str(caught.value) and "损坏" not in str(caught.value)
    assert not [p.name for p in settings.data_dir.iterdir() if "damaged" in p.name]
    assistant = Assistant.open(settings)  # the old knowledge base, whole and searchable
    try:
        assert assistant.answer("科普书籍读书活动有多少人次参加？").found
        hits = assistant.search("青山镇机器人竞赛有多少支队伍", top_k=5).hits
        assert not any("机器人竞赛" in hit.text for hit in hits)
    finally:
        assistant.close()
    filler.unlink()
    report = core.sync(settings)
    assert report.ingest.added == ["新增.txt"] and report.ingest.documents == 13
