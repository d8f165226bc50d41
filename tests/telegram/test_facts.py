"""`/facts 主题`: the reports' figures on a topic, sent as an .xlsx through the Bot API."""

import io

import openpyxl

from bot.core import Assistant
from bot.settings import Settings
from testkit.telegram_fake import FakeTelegram
from tests.telegram.harness import USER, Harness, drive


def test_facts_sends_a_spreadsheet_of_the_figures_with_a_summary(bot_settings: Settings) -> None:
    assistant = Assistant.open(bot_settings)
    expected = [fact.written for fact in assistant.facts("科普日")]
    assistant.close()
    telegram = FakeTelegram()

    async def scenario(bot: Harness) -> None:
        await bot.say("/facts 科普日")
        [call] = telegram.sent("sendDocument")
        assert int(call.params["chat_id"]) == USER
        name, content = call.params["document"]
        assert name == "科普日-数字.xlsx"
        rows = list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
        assert rows[0][5] == "数字（原文）" and [row[5] for row in rows[1:]] == expected
        # Every figure is quoted from its sentence, and every row says where it is from.
        assert all(row[5] in row[12] and row[13] and row[14] for row in rows[1:])
        assert call.params["caption"].startswith(f"与「科普日」相关的数字共 {len(expected)} 个")

        await bot.say("/facts 無人機航拍")
        assert bot.last()["text"] == "報告中沒有找到與「無人機航拍」相關的數字。"
        assert len(telegram.sent("sendDocument")) == 1

    assert len(expected) > 10
    drive(bot_settings, scenario, telegram)
