"""Admin-only handlers: /reload, document upload, /stats; everyone else is politely refused."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from html import escape
from pathlib import Path

from telegram import Bot, Document, InlineKeyboardMarkup, Message, PhotoSize, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.core import NotReady, Overview, RemovalsHeld, SyncReport
from bot.core.wording import BUSY, EXPIRED, REFUSAL, RELOAD_FAILED, sync_counts
from bot.telegram.callbacks import removal_keyboard
from bot.telegram.records import Stats
from bot.telegram.render import render_lines
from bot.telegram.runtime import Runtime, message_of, query_of, runtime, send_parts, user_of
from bot.telegram.service import Busy
from bot.telegram.uploads import UnreadableFile, UploadRefused, check_upload, safe_name, save_upload

log = logging.getLogger(__name__)
Context = ContextTypes.DEFAULT_TYPE


async def reload(update: Update, context: Context) -> None:
    """Sync the knowledge folder off the event loop and swap in the new index."""
    rt, message = runtime(context), message_of(update)
    if not await _admin(rt, update, message):
        return
    if rt.service.updating:
        await message.reply_text(BUSY)
        return
    status = await message.reply_text("正在更新知识库……")
    try:
        report, _ = await rt.service.reload()
    except RemovalsHeld as held:
        parts, keyboard = held_parts(rt, held)
        await status.edit_text(parts[0], reply_markup=keyboard)
        return
    except (Busy, NotReady) as exc:
        await status.edit_text(BUSY if isinstance(exc, Busy) else _h(str(exc)))
        return
    except Exception:
        # The status must never stay at "正在更新" with the admin left guessing.
        log.exception("reload failed")
        await status.edit_text(RELOAD_FAILED)
        return
    rt.registry.clear()  # buttons made against the old knowledge base now expire politely
    rt.removal_key = None  # a sync went through: an older 确认删除 button is spent
    rt.records.add_admin_action(user_of(update).id, "reload", json.dumps(_brief(report)))
    await _edit_with_parts(rt, status, reload_parts(report))


async def confirm_removals(update: Update, context: Context, key: str) -> None:
    """The 确认删除 button under a held sync: the same sync, removals allowed."""
    rt, query = runtime(context), query_of(update)
    if not rt.is_admin(update.effective_user):
        await query.answer(REFUSAL)
        return
    if key != rt.removal_key or query.message is None:
        await query.answer(EXPIRED)
        return
    if rt.service.updating:
        await query.answer(BUSY)
        return
    await query.answer()
    rt.removal_key = None  # one confirmation, one sync
    chat_id = query.message.chat.id
    status = await context.bot.send_message(chat_id, "已确认，正在删除并更新知识库……")
    try:
        report, _ = await rt.service.reload(allow_removals=True)
    except (Busy, NotReady) as exc:
        await status.edit_text(BUSY if isinstance(exc, Busy) else _h(str(exc)))
        return
    rt.registry.clear()
    rt.records.add_admin_action(user_of(update).id, "reload", json.dumps(_brief(report)))
    await _edit_with_parts(rt, status, reload_parts(report))


def held_parts(rt: Runtime, held: RemovalsHeld) -> tuple[list[str], InlineKeyboardMarkup]:
    """The held sync said to an admin, with the button that confirms it (a new key, so an
    older message's button no longer removes anything)."""
    rt.removal_key = secrets.token_hex(4)
    lines = [str(held), "如果确实要删除，请点下面的按钮。"]
    return render_lines("同步已暂停：将删除大部分报告", lines), removal_keyboard(rt.removal_key)


async def tell_admins(
    bot: Bot, rt: Runtime, parts: list[str], keyboard: InlineKeyboardMarkup | None = None
) -> None:
    """Send every admin the same message; one who never opened a chat with the bot is
    skipped (Telegram refuses a first message from a bot)."""
    for admin_id in rt.settings.admin_ids:
        try:
            await send_parts(bot, admin_id, parts, keyboard)
        except TelegramError as exc:
            log.warning("admin %s not told of a sync: %s", admin_id, exc)


async def upload(update: Update, context: Context) -> None:
    """Save a report sent as a document, or a photo of a printed page (read by OCR), into
    the knowledge folder and ingest it."""
    rt, message = runtime(context), message_of(update)
    if not await _admin(rt, update, message):
        return
    attachment: Document | PhotoSize
    if message.document is not None:
        attachment, name = message.document, safe_name(message.document.file_name)
    else:
        attachment = message.photo[-1]  # the largest size Telegram keeps of a photo
        name = f"照片-{message.date:%Y%m%d-%H%M%S}.jpg"
    try:
        check_upload(name, attachment.file_size)
    except UploadRefused as exc:
        await message.reply_text(str(exc))
        return
    waiting = "，排在正在进行的更新之后" if rt.service.updating else ""
    status = await message.reply_text(f"已收到《{_h(name)}》{waiting}，正在导入……")
    try:
        data = bytes(await (await attachment.get_file()).download_as_bytearray())
        check_upload(name, len(data))
    except TelegramError as exc:
        log.warning("download of %s failed: %s", name, exc)
        await status.edit_text(f"未能下载《{_h(name)}》，请稍后重新发送。")
        return
    except UploadRefused as exc:
        await status.edit_text(_h(str(exc)))
        return
    folder = rt.settings.knowledge_dir
    try:
        report, saved = await rt.service.reload(
            lambda: save_upload(rt.settings, name, data), wait=True
        )
    except (Busy, NotReady, UnreadableFile) as exc:
        reason = BUSY if isinstance(exc, Busy) else str(exc)
        if isinstance(exc, RemovalsHeld):
            reason += "请先用 /reload 处理。"
        await status.edit_text(f"未能导入《{_h(name)}》：{_h(reason)}")
        return
    assert saved is not None
    rt.registry.clear()
    rt.removal_key = None
    rt.records.add_admin_action(user_of(update).id, "upload", saved.name)
    overview = await rt.service.overview()
    await _edit_with_parts(rt, status, upload_parts(report, saved, folder, overview))


async def stats(update: Update, context: Context) -> None:
    """Questions, users, found vs not found, feedback, latency."""
    rt, message = runtime(context), message_of(update)
    if await _admin(rt, update, message):
        stats = await asyncio.to_thread(rt.records.stats)  # SQLite stays off the event loop
        await send_parts(context.bot, message.chat.id, stats_parts(stats))


REVIEW_PAGE = 5


async def review(update: Update, context: Context) -> None:
    """`/review [页码]`: the latest answers voted 👎, with question, answer, sources and asker."""
    rt, message = runtime(context), message_of(update)
    if not await _admin(rt, update, message):
        return
    if message.chat.type != ChatType.PRIVATE:  # askers' questions are not for a group
        await message.reply_text("请在与机器人的私聊中使用 /review。")
        return
    wanted = (context.args or [""])[0]
    page = int(wanted) if wanted.isascii() and wanted.isdigit() and 0 < int(wanted) < 10**6 else 1
    offset = (page - 1) * REVIEW_PAGE
    rows, count = await asyncio.to_thread(rt.records.unhelpful, offset, REVIEW_PAGE)
    await send_parts(context.bot, message.chat.id, review_parts(rows, count, page))


def review_parts(rows: list[dict], count: int, page: int) -> list[str]:
    if count == 0:
        return render_lines("待改进的回答", ["还没有被点 👎 的回答。"])
    pages = -(-count // REVIEW_PAGE)
    if not rows:
        return render_lines(
            "待改进的回答", [f"只有 {pages} 页，请用 /review 1 到 /review {pages}。"]
        )
    lines = []
    for row in rows:
        lines += [
            f"#{row['id']} · {row['at'][:16].replace('T', ' ')} · 用户 {row['user_id']}"
            + (f"（群 {row['chat_id']}）" if row["chat_id"] != row["user_id"] else "")
            + (f" · {row['votes']} 人点了 👎" if row["votes"] > 1 else ""),
            f"问：{row['question']}",
            "答：" + (row["answer"] or "（未记录）"),
            *json.loads(row["sources"] or "[]"),
            "",
        ]
    more = f"；下一页：/review {page + 1}" if page < pages else ""
    lines.append(f"第 {page}/{pages} 页，共 {count} 条{more}")
    return render_lines("待改进的回答（最近被点 👎 的在前）", lines)


def reload_parts(report: SyncReport) -> list[str]:
    summary = report.ingest
    lines = [
        sync_counts(summary, len(summary.failed)),
        *[f"新增：{path}" for path in summary.added],
        *[f"变更：{path}" for path in summary.changed],
        *[f"删除：{path}" for path in summary.removed],
        *[f"失败：{f.path} — {f.reason}" for f in summary.failed],
        *[f"注意：{n.path} — {n.reason}" for n in summary.notes],
        f"现有 {summary.documents} 份报告，{summary.chunks} 个可检索片段。",
        f"用时 {summary.seconds + report.vectors.seconds:.2f} 秒。",
    ]
    return render_lines("知识库已更新", lines)


def upload_parts(report: SyncReport, saved: Path, folder: Path, overview: Overview) -> list[str]:
    source = saved.relative_to(folder).as_posix()
    mine = [d for d in overview.documents if d.source == source]
    lines = [f"保存为：{source}"]
    lines += [
        f"• 《{d.title}》{d.chunk_count} 个片段" + ("（与已有报告重复）" if d.duplicate_of else "")
        for d in mine
    ]
    failure = next((f for f in report.ingest.failed if f.path == source), None)
    if failure is not None:
        return render_lines("导入失败", [*lines, failure.reason])
    lines.append(f"用时 {report.ingest.seconds + report.vectors.seconds:.2f} 秒。现在可以提问了。")
    return render_lines(f"已加入知识库：{len(mine)} 份报告", lines)


def stats_parts(stats: Stats) -> list[str]:
    def ms(value: float | None) -> str:
        return "—" if value is None else f"{value:.0f} 毫秒"

    lines = [
        f"提问：{stats.questions} 次，{stats.users} 位用户",
        f"找到答案：{stats.found} 次；未找到：{stats.not_found} 次",
        f"反馈：👍 {stats.helpful} · 👎 {stats.unhelpful}",
        f"回答耗时：p50 {ms(stats.p50_ms)}，p95 {ms(stats.p95_ms)}",
    ]
    if stats.written:
        # How often the model strays: the share of its sentences the checker kept.
        share = f"{stats.kept / stats.sentences:.0%}" if stats.sentences else "—"
        lines.append(
            f"语言模型撰写：{stats.written} 次，按所写显示 {stats.written_shown} 次；"
            f"所写 {stats.sentences} 句，核对后保留 {stats.kept} 句（{share}）"
        )
    return render_lines("使用统计", lines)


async def _admin(rt: Runtime, update: Update, message: Message) -> bool:
    if rt.is_admin(update.effective_user):
        return True
    await message.reply_text(REFUSAL)
    return False


async def _edit_with_parts(rt: Runtime, status: Message, parts: list[str]) -> None:
    await status.edit_text(parts[0])
    if parts[1:]:
        await send_parts(status.get_bot(), status.chat.id, parts[1:])


def _brief(report: SyncReport) -> dict:
    summary = report.ingest
    return {"added": summary.added, "changed": summary.changed, "removed": summary.removed,
            "failed": [f.path for f in summary.failed], "seconds": summary.seconds}  # fmt: skip


def _h(text: str) -> str:
    return escape(text, quote=False)
