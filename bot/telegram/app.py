"""Build the Telegram Application and run it by long polling or webhook."""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import Callable
from contextlib import suppress
from typing import Any
from urllib.parse import urlparse

from telegram import Bot, BotCommand, BotCommandScopeChat, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    MessageHandler,
    MessageReactionHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from bot import core
from bot.core.wording import TOKEN_MISSING
from bot.settings import Settings, SettingsError
from bot.telegram import access, admin, handlers
from bot.telegram.callbacks import CallbackRegistry
from bot.telegram.conversations import Conversations
from bot.telegram.limits import FloodLimiter, UserRateLimit
from bot.telegram.logs import configure_logging
from bot.telegram.records import Records
from bot.telegram.render import render_lines
from bot.telegram.runtime import RUNTIME, Runtime
from bot.telegram.service import KnowledgeService
from bot.telegram.startup import api_urls, probe_bot, reach_api
from bot.telegram.watcher import FolderWatcher
from bot.telegram.webhook import serve_webhook

log = logging.getLogger(__name__)
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MESSAGE_REACTION]
PUBLIC_COMMANDS = [
    BotCommand("start", "开始：介绍与示例问题"),
    BotCommand("help", "使用帮助"),
    BotCommand("ask", "提问（群聊中使用）"),
    BotCommand("examples", "查看往年做法，如 /examples 科普日"),
    BotCommand("facts", "报告中的数字，发成 Excel 表格，如 /facts 科普日"),
    BotCommand("docs", "知识库收录了哪些报告"),
    BotCommand("new", "开始新话题（不再沿用上一个问题）"),
    BotCommand("sources", "上一个回答的全部来源"),
    BotCommand("id", "查看我的 Telegram 用户 ID"),
]
ADMIN_COMMANDS = [
    BotCommand("reload", "重新同步报告目录（管理员）"),
    BotCommand("stats", "使用统计（管理员）"),
    BotCommand("review", "最近被点 👎 的回答（管理员）"),
]


def build_application(
    settings: Settings,
    request: BaseRequest | None = None,
    sync: Callable[[Settings, threading.Event, bool], core.SyncReport] = core.sync,
    flood_limit: bool = True,
) -> Application:
    """The bot with all handlers.

    `request` replaces the HTTP side (tests, benchmark); `flood_limit=False` drops the
    30-messages-per-second throttle so a benchmark can measure the bot's own capacity.
    """
    if settings.telegram_token is None:
        raise SettingsError(TOKEN_MISSING)
    # Typed loosely: adding a rate limiter changes the builder's generic bot type.
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder()
        .token(settings.telegram_token.reveal())
        .defaults(Defaults(parse_mode=ParseMode.HTML,
                           link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .concurrent_updates(64)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )  # fmt: skip
    if flood_limit:
        builder = builder.rate_limiter(FloodLimiter(max_retries=3))
    if settings.telegram_api_url:
        base_url, file_url = api_urls(settings.telegram_api_url)
        builder = builder.base_url(base_url).base_file_url(file_url)
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    elif settings.proxy_url is not None:
        # Every Bot API call, long polling and file downloads alike.
        proxy = settings.proxy_url.reveal()
        builder = builder.proxy(proxy).get_updates_proxy(proxy)
    application = builder.build()
    application.bot_data[RUNTIME] = Runtime(
        settings,
        KnowledgeService(settings, sync),
        Records(settings.data_dir / "bot.db"),
        CallbackRegistry(),
        UserRateLimit(settings.rate_limit_per_minute),
        UserRateLimit(settings.actions_per_minute),
        UserRateLimit(settings.group_actions_per_minute),
        conversations=Conversations(settings.context_minutes * 60),
    )
    rt = application.bot_data[RUNTIME]
    rt.watcher = watcher_of(application.bot, rt)
    add_handlers(application)
    return application


def watcher_of(bot: Bot, rt: Runtime) -> FolderWatcher:
    """The folder watcher, telling admins what each sync changed (not started here)."""

    async def synced(report: core.SyncReport, news: bool) -> None:
        rt.removal_key = None  # the folder is whole again: an old 确认删除 button is spent
        if news:
            rt.registry.clear()  # as after /reload: buttons of the old knowledge base expire
            await admin.tell_admins(bot, rt, admin.reload_parts(report))

    async def held(removals: core.RemovalsHeld) -> None:
        parts, keyboard = admin.held_parts(rt, removals)
        await admin.tell_admins(bot, rt, parts, keyboard)

    async def failed(reason: str) -> None:
        await admin.tell_admins(bot, rt, render_lines("自动同步未完成", [reason]))

    return FolderWatcher(rt.service, rt.settings.watch_seconds, synced, held, failed)


def add_handlers(application: Application) -> None:
    new = filters.UpdateType.MESSAGE  # edits of old messages are not new questions
    private, groups = filters.ChatType.PRIVATE, filters.ChatType.GROUPS
    commands = {
        "start": handlers.start, "help": handlers.help_command, "ask": handlers.ask,
        "examples": handlers.examples, "facts": handlers.facts, "docs": handlers.docs,
        "id": handlers.user_id, "new": handlers.new_topic, "sources": handlers.sources,
        "reload": admin.reload, "stats": admin.stats, "review": admin.review,
    }  # fmt: skip
    application.add_handler(TypeHandler(Update, access.gate), group=-1)  # before all others
    for name, callback in commands.items():
        application.add_handler(CommandHandler(name, callback, filters=new))
    text = new & filters.TEXT & ~filters.COMMAND
    application.add_handler(MessageHandler(text & private, handlers.private_text))
    application.add_handler(MessageHandler(text & groups, handlers.group_text))
    # An admin's photo is a phone picture of a printed page, to be read by OCR; anyone
    # else's is chatter, and gets the hint to ask in words.
    admins = filters.User(user_id=list(application.bot_data[RUNTIME].settings.admin_ids))
    files = filters.Document.ALL | (filters.PHOTO & admins)
    application.add_handler(MessageHandler(new & private & files, admin.upload))
    application.add_handler(
        MessageHandler(new & private & filters.COMMAND, handlers.unknown_command)
    )
    application.add_handler(MessageHandler(new & private & ~filters.TEXT, handlers.not_text))
    application.add_handler(CallbackQueryHandler(handlers.button))
    application.add_handler(MessageReactionHandler(handlers.reaction))
    application.add_error_handler(handlers.on_error)


async def post_init(application: Application) -> None:
    """Stop promptly on SIGINT/SIGTERM; register the command menu (admin ones for admins)."""
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with suppress(NotImplementedError, RuntimeError):  # not the main thread
            loop.add_signal_handler(signum, _stop, application)
    await application.bot.set_my_commands(PUBLIC_COMMANDS)
    rt = application.bot_data[RUNTIME]
    if rt.watcher is not None:
        rt.watcher.start()
    for admin_id in rt.settings.admin_ids:
        try:
            scope = BotCommandScopeChat(admin_id)
            await application.bot.set_my_commands(PUBLIC_COMMANDS + ADMIN_COMMANDS, scope=scope)
        except TelegramError as exc:  # the admin has not opened a chat with the bot yet
            log.warning("admin menu for %s not set: %s", admin_id, exc)


def _stop(application: Application) -> None:
    # A reload may be minutes into a large sync: it stops at its next file, keeping the old
    # knowledge base, so shutdown takes seconds, not the rest of the sync.
    application.bot_data[RUNTIME].service.stop_syncs()
    application.stop_running()


async def post_shutdown(application: Application) -> None:
    rt = application.bot_data[RUNTIME]
    if rt.watcher is not None:
        await rt.watcher.stop()
    rt.close()


def run_bot(settings: Settings, verbose: bool = False) -> None:
    """Serve until SIGINT/SIGTERM: a webhook when KEPUBOT_WEBHOOK_URL is set, else polling."""
    if settings.telegram_token is None:
        raise SettingsError(TOKEN_MISSING)
    # Secrets other than the token are cut from log lines too: the webhook's, the proxies'
    # (they may hold a password) and the language model's key.
    secrets = [
        secret.reveal()
        for secret in (settings.webhook_secret, settings.proxy_url, settings.llm_api_key,
                       settings.llm_proxy_url)
        if secret is not None
    ]  # fmt: skip
    configure_logging(settings.telegram_token.reveal(), *secrets, verbose=verbose)
    # Without network (a proxy not up yet, a link down) wait for the API instead of exiting.
    asyncio.run(reach_api(probe_bot(settings)))
    application = build_application(settings)
    if settings.webhook_url:
        secret = settings.webhook_secret.reveal() if settings.webhook_secret else None
        asyncio.run(
            serve_webhook(
                application, settings.webhook_url, urlparse(settings.webhook_url).path,
                settings.webhook_listen, settings.webhook_port, secret, ALLOWED_UPDATES,
                on_stop=application.bot_data[RUNTIME].service.stop_syncs,
            )
        )  # fmt: skip
    else:
        log.info("kepubot polling for updates")
        # Network errors while polling are retried by PTB, and so is the rest of startup
        # (the API answered just now). post_init installs the signal handlers (they also
        # stop a running reload).
        application.run_polling(
            allowed_updates=ALLOWED_UPDATES, bootstrap_retries=-1, stop_signals=None
        )
