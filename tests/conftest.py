"""Shared fixtures: offline guard, the bundled corpus ingested once per session."""

from __future__ import annotations

import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.core.knowledge_base import retriever_over
from bot.core.retrieval import Retriever
from bot.settings import Settings
from embeddings.sync import sync_vectors
from knowledge.ingest import IngestSummary, sync_folder
from knowledge.normalize import Normalizer, load_variants
from knowledge.store import Store
from tests.paths import BUNDLED


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse outbound connections except loopback, so tests prove they run offline."""
    original = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (
            host.startswith("127.") or host in ("localhost", "::1") or host.startswith("/")
        ):
            raise OSError(f"tests must stay offline, refused connection to {host}")
        return original(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(scope="session")
def normalizer() -> Normalizer:
    return Normalizer(load_variants())


@pytest.fixture(scope="session")
def bundled_store(
    tmp_path_factory: pytest.TempPathFactory, normalizer: Normalizer
) -> tuple[Store, IngestSummary]:
    """The bundled corpus ingested once; tests must not modify it."""
    folder = tmp_path_factory.mktemp("bundled")
    corpus = folder / "corpus"
    shutil.copytree(BUNDLED, corpus)
    store = Store(folder / "var" / "kepubot.db")
    summary = sync_folder(corpus, store, normalizer)
    return store, summary


@pytest.fixture(scope="session")
def retriever(bundled_store, normalizer: Normalizer, tmp_path_factory) -> Retriever:
    """Hybrid retrieval over the bundled corpus with the corpus-fitted model, default settings."""
    store, _ = bundled_store
    data = tmp_path_factory.mktemp("vectors")
    sync_vectors(store, normalizer, data)
    return retriever_over(store, normalizer, data, Settings())


@pytest.fixture()
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 24 MB tmpfs of our own, where the machine lets the tests mount one."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small filesystem here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)
