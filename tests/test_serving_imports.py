"""A process that only answers questions holds no file readers (issue #18: about 30 MB)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bot.core import sync
from bot.settings import Settings
from tests.paths import ROOT

# The top-level packages behind the readers and the fact export, none of which answering needs.
READER_PACKAGES = ("pypdf", "pypdfium2", "docx", "openpyxl", "lxml", "cryptography", "PIL", "bs4")


def test_answering_imports_no_file_reader(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "甲.txt").write_text(
        "一、科普日\n街道组织志愿者开展科普宣传，发放资料三千份。", encoding="utf-8"
    )
    data = tmp_path / "var"
    sync(Settings(knowledge_dir=folder, data_dir=data))
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from bot.core import Assistant\n"
        "from bot.settings import Settings\n"
        f"settings = Settings(knowledge_dir=Path({str(folder)!r}), data_dir=Path({str(data)!r}))\n"
        "answer = Assistant.open(settings).answer('志愿者发放了多少科普资料？')\n"
        "print(answer.found)\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {READER_PACKAGES!r}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.split("\n")[:2] == ["True", "[]"], result.stdout
