"""The terminal chat: questions in, answers out, with a few slash commands."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

import click

from bot.cli.render import answer_text, more_text, source_text, sources_text
from bot.core import Answer, Assistant, question_problem
from bot.core.wording import CHAT_HELP, EMPTY_TOPIC, NEW_TOPIC, NO_MORE, NO_SOURCES, localize


def run_chat(assistant: Assistant, lines: Iterable[str], out: TextIO, max_chars: int) -> None:
    """Answer each line until /quit or end of input; never raises on user input."""
    last: Answer | None = None
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if line in ("/quit", "/exit", "/q"):
            break
        reply, last = respond(assistant, line, last, max_chars)
        # click.echo drops the figure's bold when `out` is not a terminal.
        click.echo(reply, file=out)
        click.echo(file=out)


def respond(
    assistant: Assistant, line: str, last: Answer | None, max_chars: int
) -> tuple[str, Answer | None]:
    """One chat turn: the text to show and the answer that /source refers to next."""
    command, _, argument = line.partition(" ")
    argument = argument.strip()
    if command == "/help":
        return CHAT_HELP, last
    if command == "/new":
        return localize(NEW_TOPIC, last.script if last else "simplified"), None
    if command == "/examples":
        if not argument:
            return EMPTY_TOPIC.format(example="/examples 科普日"), last
        problem = question_problem(argument, max_chars)
        if problem is not None:
            return problem, last
        answer = assistant.write(assistant.examples(argument))
        return answer_text(answer, follow_ups=True), answer
    if command == "/sources":
        if last is None or not last.citations:
            return NO_SOURCES, last
        return sources_text(last), last
    if command == "/source":
        return _source(argument, last), last
    if command == "/more":
        return _more(assistant, last), last
    if command.startswith("/"):
        return f"不认识的命令 {command}，输入 /help 查看可用命令。", last
    if last is not None and line.isdigit() and 1 <= int(line) <= len(last.follow_ups):
        # A suggested next question, by its number: asked of the last answer's reports.
        suggested = last.follow_ups[int(line) - 1]
        answer = assistant.answer(suggested, previous=last, within_previous=True)
        answer = assistant.write(answer)
        return answer_text(answer, follow_ups=True), answer
    problem = question_problem(line, max_chars)
    if problem is not None:
        return problem, last
    answer = assistant.write(assistant.answer(line, previous=last))
    return answer_text(answer, follow_ups=True), answer


def _more(assistant: Assistant, last: Answer | None) -> str:
    """Further passages for the last question, numbered on from its sources."""
    if last is None or not last.citations:
        return "还没有可以继续的回答，请先提一个问题。"
    shown = {c.chunk_id for c in last.citations}
    further = assistant.more(last.question, shown, len(last.citations) + 1, 3)
    if not further:
        return localize(NO_MORE, last.script)
    last.citations.extend(further)
    return more_text(further, last.script)


def _source(argument: str, last: Answer | None) -> str:
    if last is None or not last.citations:
        return NO_SOURCES
    if not argument.isdigit() or not 1 <= int(argument) <= len(last.citations):
        return f"请输入 1 到 {len(last.citations)} 之间的来源编号，例如：/source 1"
    return source_text(last.citations[int(argument) - 1], last.script)
