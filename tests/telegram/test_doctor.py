"""`kepubot doctor`: one line per check, the fix in the line, exit 1 when one fails."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from bot.cli import cli
from bot.settings import Settings
from testkit.http_proxy import HIDDEN_HOST, ForwardProxy
from testkit.telegram_fake import FakeTelegram, Scripted
from testkit.telegram_server import FakeBotServer
from tests.telegram.harness import TOKEN

GOOD_TOKEN = "123456789:AAEabcdefghijklmnopqrstuvwxyz0123456"


def _doctor(settings: Settings, **env: str) -> tuple[int, list[str]]:
    dirs = ["--knowledge-dir", str(settings.knowledge_dir), "--data-dir", str(settings.data_dir)]
    result = CliRunner().invoke(cli, [*dirs, "doctor"], env=env)
    return result.exit_code, result.output.splitlines()


def test_behind_a_proxy_the_api_is_reached_through_it_and_each_check_has_its_line(
    bot_settings: Settings,
) -> None:
    telegram = FakeTelegram()
    with FakeBotServer(telegram, TOKEN) as server, ForwardProxy(server.port) as proxy:
        code, lines = _doctor(
            bot_settings, KEPUBOT_TELEGRAM_TOKEN=TOKEN,
            KEPUBOT_TELEGRAM_API_URL=f"http://{HIDDEN_HOST}/bot",
            KEPUBOT_PROXY_URL=proxy.url.replace("://", "://kepu:s3cret@"),
        )  # fmt: skip
    assert code == 1  # the test token is short: only that line fails
    assert lines[0].startswith("✗ KEPUBOT_TELEGRAM_TOKEN 格式不对")
    assert lines[1].startswith("✓ Bot API 可以访问（经代理 http://127.0.0.1:")
    assert lines[2].startswith("✓ 数据目录") and lines[3].startswith("✓ 知识库可用：")
    assert len(lines) == 5 and proxy.relayed == [f"POST /bot{TOKEN}/getMe"]
    assert "s3cret" not in "\n".join(lines)  # the proxy's password is never shown


def test_a_refused_token_an_unreachable_api_and_an_unwritable_data_dir_are_one_line_each(
    bot_settings: Settings, tmp_path: Path
) -> None:
    telegram = FakeTelegram()
    telegram.script("getMe", Scripted(401, "Unauthorized"))
    with FakeBotServer(telegram, TOKEN) as server:
        code, lines = _doctor(
            bot_settings, KEPUBOT_TELEGRAM_TOKEN=GOOD_TOKEN,
            KEPUBOT_TELEGRAM_API_URL=f"http://127.0.0.1:{server.port}/bot",
        )  # fmt: skip
    assert code == 1 and lines[1].startswith("✗ Telegram 拒绝了 KEPUBOT_TELEGRAM_TOKEN")
    unreachable = {"KEPUBOT_TELEGRAM_TOKEN": GOOD_TOKEN,
                   "KEPUBOT_TELEGRAM_API_URL": f"http://{HIDDEN_HOST}/bot"}  # fmt: skip
    code, lines = _doctor(bot_settings, **unreachable)
    assert lines[1].startswith("✗ 无法访问 Bot API（直连：") and "KEPUBOT_PROXY_URL" in lines[1]
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("x", encoding="utf-8")
    settings = Settings(knowledge_dir=bot_settings.knowledge_dir, data_dir=blocked)
    code, lines = _doctor(settings, **unreachable)
    assert code == 1 and len(lines) == 5
    assert (
        lines[2]
        == f"✗ 数据目录 {blocked} 不可写：chown 给运行机器人的用户，或改 KEPUBOT_DATA_DIR。"
    )
    assert lines[3].startswith("✗ 知识库：")


def test_libreoffice_is_reported_and_its_absence_only_warns(bot_settings: Settings) -> None:
    unreachable = {"KEPUBOT_TELEGRAM_TOKEN": GOOD_TOKEN,
                   "KEPUBOT_TELEGRAM_API_URL": f"http://{HIDDEN_HOST}/bot"}  # fmt: skip
    _, lines = _doctor(bot_settings, KEPUBOT_SOFFICE="/nonexistent/soffice", **unreachable)
    assert lines[4].startswith("! 未找到 LibreOffice：doc、wps、rtf、odt、xls、et 文件将无法导入")
    _, lines = _doctor(bot_settings, KEPUBOT_SOFFICE="/bin/true", **unreachable)
    assert lines[4] == "✓ LibreOffice：/bin/true（可导入 doc、wps、rtf、odt、xls、et）。"
