"""cnsyn's lexicon as a derived file of flat arrays: the pickle's synonyms, rebuilt when the
file is missing, damaged or of other data; and jieba's tag table with the dictionary's own
strings."""

from __future__ import annotations

from pathlib import Path

import jieba
import numpy as np
import pytest

from bot.core import sync
from bot.settings import Settings
from knowledge import thesaurus
from knowledge.lexicon import map_arrays, write_arrays
from knowledge.normalize import prepare_posseg
from knowledge.thesaurus import (
    CNSYN_VERSION,
    Lexicon,
    cnsyn_folder,
    lexicon_file,
    mapped_lexicon,
    read_lexicon,
)

# Words with group synonyms, abbreviations both ways, siblings, one character, and none.
WORDS = [
    "老师", "计生", "计划生育", "省级", "义工", "宿舍",
    "检测", "晚上", "好", "科普日活动", "无此词语",
]  # fmt: skip


def _synonyms(lexicon: Lexicon) -> list[list[tuple[str, float]]]:
    return [sorted((e.word, e.weight) for e in lexicon.expand(word)) for word in WORDS]


def test_the_derived_file_gives_the_pickles_synonyms_and_is_rebuilt_when_damaged(
    tmp_path: Path,
) -> None:
    folder = cnsyn_folder()
    assert folder is not None, "cnsyn is installed by make install"
    in_memory = read_lexicon(folder)
    mapped = mapped_lexicon(folder, tmp_path)  # missing: built in its own process
    path = lexicon_file(tmp_path)
    assert path.name == f"cnsyn-{CNSYN_VERSION}.lexicon"
    assert _synonyms(mapped) == _synonyms(in_memory)
    # As the dict-of-lists lexicon of session 12 gave them (group members, abbreviations).
    assert sorted((e.word, e.weight) for e in mapped.expand("老师")) == sorted(
        [("教师", 0.591), ("先生", 0.543), ("教育者", 0.529), ("教育工作者", 0.472),
         ("园丁", 0.434), ("教员", 0.418), ("讲师", 0.413)]
    )  # fmt: skip
    assert ("计划生育", 0.854) in {(e.word, e.weight) for e in mapped.expand("计生")}
    assert mapped.cosine("老师", "教师") == in_memory.cosine("老师", "教师")
    assert mapped.closest("老师", ["学生", "教师"]) == in_memory.closest("老师", ["学生", "教师"])
    built = path.read_bytes()

    damaged = bytearray(built)
    damaged[len(damaged) // 2] ^= 0xFF  # one flipped bit in the vectors
    path.write_bytes(bytes(damaged))
    assert _synonyms(mapped_lexicon(folder, tmp_path)) == _synonyms(in_memory)
    assert path.read_bytes() == built


def test_a_file_of_other_data_or_cut_short_is_not_used(tmp_path: Path) -> None:
    path = tmp_path / "arrays"
    arrays = {"a": np.arange(10, dtype=np.int32), "b": np.ones((3, 4), dtype=np.float32)}
    write_arrays(path, arrays, {"cnsyn": "1.2.0"})
    found = map_arrays(path, {"cnsyn": "1.2.0"})
    assert found is not None
    assert all(np.array_equal(found[name], arrays[name]) for name in arrays)
    assert map_arrays(path, {"cnsyn": "1.3.0"}) is None
    path.write_bytes(path.read_bytes()[:-4])
    assert map_arrays(path, {"cnsyn": "1.2.0"}) is None
    assert map_arrays(tmp_path / "missing", {"cnsyn": "1.2.0"}) is None


def test_the_tag_table_is_jiebas_own_keyed_by_the_dictionarys_strings() -> None:
    posseg = prepare_posseg()
    table = posseg.dt.word_tag_tab
    jiebas_own = posseg.POSTokenizer(jieba.dt).word_tag_tab  # read from the file as jieba does
    assert list(table.items()) == list(jiebas_own.items())
    stored = {word: word for word in jieba.dt.FREQ}
    for word in ("科普", "通州", "移动", "了"):
        assert next(key for key in table if key == word) is stored[word]


def test_a_data_folder_that_cannot_be_written_keeps_the_synonyms_in_memory(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = cnsyn_folder()
    assert folder is not None
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("", encoding="utf-8")
    lexicon = mapped_lexicon(folder, not_a_folder / "data")
    assert "计划生育" in {e.word for e in lexicon.expand("计生")}
    assert "stays in memory" in caplog.text


def _synced(tmp_path: Path, data: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir(exist_ok=True)
    (folder / "甲.txt").write_text("一、科普日\n街道组织志愿者开展科普宣传。", encoding="utf-8")
    report = sync(Settings(knowledge_dir=folder, data_dir=data))
    assert len(report.ingest.added) == 1


def test_a_sync_builds_the_derived_file_before_the_first_question(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(thesaurus, "_whole_files", {})  # built, not copied from another test's
    _synced(tmp_path, tmp_path / "built")
    _synced(tmp_path, tmp_path / "copied")  # from the file the first sync built
    for data in ("built", "copied"):
        arrays = map_arrays(lexicon_file(tmp_path / data), {"cnsyn": CNSYN_VERSION,
                            "sha256": thesaurus.CNSYN_SHA256})  # fmt: skip
        assert arrays is not None


def test_a_lexicon_file_that_cannot_be_built_never_fails_the_sync(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = tmp_path / "var"
    lexicon_file(data).mkdir(parents=True)  # a folder where the file would go
    _synced(tmp_path, data)
    assert f"cannot build {lexicon_file(data)}" in caplog.text
