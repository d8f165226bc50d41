"""Fixtures for the bot tests: a real knowledge base, synced once, copied per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot import core
from bot.settings import Secret, Settings
from tests.paths import BUNDLED
from tests.telegram.harness import ADMIN, TOKEN


@pytest.fixture(scope="session")
def synced_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled corpus ingested and indexed once; tests copy it, never change it."""
    root = tmp_path_factory.mktemp("telegram_base")
    shutil.copytree(BUNDLED, root / "corpus")
    core.sync(Settings(knowledge_dir=root / "corpus", data_dir=root / "var"))
    return root


@pytest.fixture()
def bot_settings(synced_corpus: Path, tmp_path: Path) -> Settings:
    """A private copy of the synced knowledge base and bot settings (admin 42)."""
    shutil.copytree(synced_corpus / "corpus", tmp_path / "corpus")
    shutil.copytree(synced_corpus / "var", tmp_path / "var")
    return Settings(
        knowledge_dir=tmp_path / "corpus", data_dir=tmp_path / "var",
        telegram_token=Secret(TOKEN), admin_ids=(ADMIN,),
    )  # fmt: skip
