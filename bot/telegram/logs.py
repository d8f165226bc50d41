"""Logging for the bot: useful at INFO, and never the bot token or webhook secret."""

from __future__ import annotations

import logging


class RedactToken(logging.Filter):
    """Replace secrets in a record's message and traceback before any handler writes it.

    PTB logs its API URL (which embeds the token) at DEBUG, and an InvalidToken error quotes
    it; httpx logs every request URL at INFO. A handler filter sees all of them.
    """

    def __init__(self, token: str, *secrets: str) -> None:
        super().__init__()
        self.token = token
        self.secrets = [s for s in (token, *secrets) if s]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(secret in message for secret in self.secrets):
            record.msg, record.args = self._redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._redact(record.exc_text)
        return True

    def _redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "<token>" if secret == self.token else "<secret>")
        return text


def configure_logging(token: str, *secrets: str, verbose: bool = False) -> None:
    """Bot progress at INFO, request logs off, the token and secrets redacted on every
    root handler."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in root.handlers:
        if not any(isinstance(f, RedactToken) for f in handler.filters):
            handler.addFilter(RedactToken(token, *secrets))
    # httpx logs each request URL, token included, at INFO.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    level = logging.DEBUG if verbose else logging.INFO
    logging.getLogger("bot.telegram").setLevel(level)
    logging.getLogger("telegram.ext.Application").setLevel(level)
