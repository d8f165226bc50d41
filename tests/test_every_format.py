"""Issue #16's acceptance in one run of the real commands: a folder holding every kind of
file an office has is ingested by `kepubot ingest`, and `kepubot search` finds each file's
content citing that file (and a scan's page)."""

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from tests.scans import draw_page, needs_font
from tests.test_legacy_formats import REPORTS, legacy, needs_soffice  # noqa: F401 (fixture)
from tests.test_ofd import write_ofd
from tests.test_sheets import write_xlsx

# Each file's question, and where its answer is: (file, scanned page or None).
QUESTIONS = {
    **{paragraph: (name, None) for name, (_, paragraph) in REPORTS.items()},
    "网络直播有多少人次": ("活动统计.xlsx", None),
    "白石镇电子公文科普大篷车巡展": ("公文.ofd", None),
    "青山镇机器人竞赛多少支队伍": ("照片.png", 1),
    "桃源村果树嫁接培训": ("扫描件.pdf", 2),
}


@pytest.mark.slow
@needs_soffice
@needs_font
def test_every_kind_of_office_file_is_ingested_and_found_citing_its_file(
    legacy: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    folder = tmp_path / "kb"
    folder.mkdir()
    for name in REPORTS:
        shutil.copy(legacy / name, folder / name)
    write_xlsx(folder / "活动统计.xlsx")
    ofd_lines = [(20.0, 30.0, 5.0, "白石镇科协工作总结"),
                 (20.0, 45.0, 4.0, "白石镇电子公文科普大篷车巡展走进八个村。")]  # fmt: skip
    write_ofd(folder / "公文.ofd", [ofd_lines])
    draw_page(["青山镇科协工作总结", "全镇共有四十二支队伍参加机器人竞赛。"]).save(
        folder / "照片.png"
    )
    pages = [draw_page(["桃源村科普工作总结", "一、概况", "全年开展科普活动。"]),
             draw_page(["二、培训", "桃源村举办果树嫁接培训三期，培训果农二百人次。"])]  # fmt: skip
    pages[0].save(folder / "扫描件.pdf", save_all=True, append_images=pages[1:])
    dirs = ["--knowledge-dir", str(folder), "--data-dir", str(tmp_path / "var")]
    ingest = CliRunner().invoke(cli, [*dirs, "ingest", "--json"])
    assert ingest.exit_code == 0, ingest.output
    summary = json.loads(ingest.output)
    assert summary["failed"] == [] and summary["files"] == 8
    for question, (name, page) in QUESTIONS.items():
        result = CliRunner().invoke(cli, [*dirs, "search", "--json", question])
        assert result.exit_code == 0, result.output
        top = json.loads(result.output)["hits"][0]
        assert (top["source"], top["scan_page"]) == (name, page), question
