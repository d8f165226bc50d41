"""The layering contract is a test: front ends that reach past the core's front door fail it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.paths import ROOT

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=folder, capture_output=True, text=True, timeout=120
    )


@pytest.fixture()
def scratch(tmp_path: Path) -> Path:
    """A copy of the packages and their contracts, to break without touching the tree."""
    for package in ("bot", "knowledge", "embeddings"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("corpus"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def test_the_tree_keeps_its_layers(scratch: Path) -> None:
    result = lint_imports(scratch)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(
    ("module", "line"),
    [
        ("bot/telegram/render.py", "from knowledge.store import Store"),
        ("bot/telegram/replies.py", "from bot.core.retrieval import Retriever"),
        ("bot/cli/render.py", "from embeddings.index import VectorIndex"),
        ("bot/cli/search.py", "import knowledge.keywords"),
        ("knowledge/store.py", "import bot.core"),
        ("bot/core/answer.py", "from bot.telegram import render"),
    ],
)
def test_an_import_past_the_front_door_or_against_the_flow_breaks_the_contract(
    scratch: Path, module: str, line: str
) -> None:
    path = scratch / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}  # noqa\n", encoding="utf-8")
    result = lint_imports(scratch)
    assert result.returncode != 0 and "BROKEN" in result.stdout, result.stdout
