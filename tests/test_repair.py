"""Damaged files in the data directory are detected with one sentence and rebuilt by ingest."""

import hashlib
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from tests.paths import BUNDLED


def folder_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture()
def ingested(tmp_path: Path) -> tuple[list[str], Path, Path]:
    kb = tmp_path / "kb"
    shutil.copytree(BUNDLED, kb)
    data = tmp_path / "var"
    args = ["--knowledge-dir", str(kb), "--data-dir", str(data)]
    result = CliRunner().invoke(cli, [*args, "ingest"])
    assert result.exit_code == 0, result.output
    return args, kb, data


def damage_store_by_truncation(data: Path) -> None:
    db = data / "kepubot.db"
    raw = db.read_bytes()
    db.write_bytes(raw[: len(raw) // 3])


def damage_store_by_overwrite(data: Path) -> None:
    (data / "kepubot.db").write_bytes(b"\x00garbage" * 4096)


def damage_model(data: Path) -> None:
    (data / "model" / "model.safetensors").write_bytes(b"not tensors")


def damage_manifest(data: Path) -> None:
    (data / "index" / "vectors.json").write_text('{"manifest": {', encoding="utf-8")


@pytest.mark.parametrize(
    "damage", [damage_store_by_truncation, damage_store_by_overwrite, damage_model, damage_manifest]
)
def test_damage_is_one_sentence_then_ingest_rebuilds_without_touching_reports(
    ingested, damage
) -> None:
    args, kb, data = ingested
    runner = CliRunner()
    before = folder_digest(kb)
    damage(data)
    broken = runner.invoke(cli, [*args, "search", "科普日"])
    assert broken.exit_code == 1
    assert "kepubot ingest" in broken.output and "Traceback" not in broken.output
    assert len(broken.output.strip().splitlines()) == 1
    repaired = runner.invoke(cli, [*args, "ingest", "--json"])
    assert repaired.exit_code == 0, repaired.output
    assert '"documents": 12' in repaired.output
    result = runner.invoke(cli, [*args, "search", "--json", "科普书籍读书活动有多少人次参加？"])
    assert result.exit_code == 0 and '"found": true' in result.output
    assert folder_digest(kb) == before


def test_damaged_store_is_kept_aside_for_inspection(ingested) -> None:
    args, _, data = ingested
    damage_store_by_overwrite(data)
    CliRunner().invoke(cli, [*args, "ingest"])
    assert list(data.glob("kepubot.db.damaged-*"))


def test_a_second_sync_while_one_runs_is_one_sentence_not_a_lock_traceback(
    tmp_path: Path,
) -> None:
    import fcntl

    from bot.core import NotReady, sync
    from bot.core.knowledge_base import SYNC_LOCK
    from bot.settings import Settings

    corpus = tmp_path / "corpus"
    shutil.copytree(BUNDLED, corpus)
    settings = Settings(knowledge_dir=corpus, data_dir=tmp_path / "var")
    settings.data_dir.mkdir()
    with (settings.data_dir / SYNC_LOCK).open("a") as held:  # what a running ingest holds
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(NotReady, match="正被另一个 kepubot 进程更新"):
            sync(settings)
    assert sync(settings).ingest.documents == 12  # free again once the other one is done
