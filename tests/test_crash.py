"""kill -9 at chosen points of a real ingest: the knowledge base is the old or the new one."""

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from embeddings.index import VectorIndex, VectorIndexError
from knowledge.store import Store
from tests.paths import BUNDLED

# Each entry patches one function so that the process kills itself with SIGKILL there.
CRASH_POINTS = {
    "while reading files": ("knowledge.ingest", "", "build_documents", 2),
    "while writing the store": ("knowledge.store", "Store", "insert_documents", 2),
    "just before the index swap": ("os", "", "replace", 1),
    "between index file and manifest": ("embeddings.index", "", "_write_atomic", 2),
}

RUNNER = textwrap.dedent(
    """
    import importlib, os, signal, sys
    module, owner_name, name, nth = sys.argv[1:5]
    owner = importlib.import_module(module)
    if owner_name:
        owner = getattr(owner, owner_name)
    original = getattr(owner, name)
    calls = []
    def dying(*args, **kwargs):
        calls.append(1)
        if len(calls) == int(nth):
            os.kill(os.getpid(), signal.SIGKILL)
        return original(*args, **kwargs)
    setattr(owner, name, dying)
    from bot.cli import main
    sys.exit(main(sys.argv[5:]))
    """
)


def run(args: list[str], crash: tuple[str, str, str, int] | None = None) -> int:
    if crash is None:
        command = [sys.executable, "-m", "bot", *args]
    else:
        command = [sys.executable, "-c", RUNNER, *map(str, crash), *args]
    return subprocess.run(command, capture_output=True, timeout=300).returncode


@pytest.mark.slow
@pytest.mark.parametrize("point", list(CRASH_POINTS))
def test_kill_9_leaves_old_or_new_state_and_the_next_ingest_completes(
    tmp_path: Path, point: str
) -> None:
    kb, data = tmp_path / "kb", tmp_path / "var"
    shutil.copytree(BUNDLED, kb)
    args = ["--knowledge-dir", str(kb), "--data-dir", str(data)]
    assert run([*args, "ingest"]) == 0
    old = Store(data / "kepubot.db").counts()
    (kb / "新增.txt").write_text(
        "一、读书活动\n街道开展读书活动，参加居民八百人次。\n", encoding="utf-8"
    )
    (kb / "2024科普工作总结5篇.txt").unlink()
    changed = kb / "縣科協科普工作總結7篇.txt"
    changed.write_text(
        changed.read_text(encoding="utf-8") + "\n補記：全年舉辦講座十場。\n", "utf-8"
    )

    code = run([*args, "ingest"], CRASH_POINTS[point])
    assert code == -9, f"the crash point was not reached ({point})"
    store = Store(data / "kepubot.db")
    assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert store.counts()["documents"] in (old["documents"], 8)
    assert all(row["status"] in ("ok", "failed") for row in store.files().values())
    try:
        index, manifest = VectorIndex.load(data / "index")
        assert len(index) == manifest.count  # a loaded index is always whole
    except VectorIndexError:
        pass  # detected as stale, never served half-written
    store.close()

    assert run([*args, "ingest"]) == 0
    store = Store(data / "kepubot.db")
    assert store.counts()["documents"] == 8
    assert set(store.files()) == {"縣科協科普工作總結7篇.txt", "新增.txt"}
    index, manifest = VectorIndex.load(data / "index")
    assert manifest.count == store.counts()["chunks"] == len(index)
