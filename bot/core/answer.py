"""Extractive answers: the reports' own sentences, each with a numbered citation, composed
by what the question asks (how-to, a fact, examples, a list or total, the reports).

Everything here is plain data; the CLI and Telegram only render it, so both show the
same answer. Quotes are verbatim substrings of the cited chunk's original text; headings
and titles are labels above the quotes, never quotes themselves.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from bot.core import follow_ups, wording
from bot.core.citation import Citation, citation_label
from bot.core.conversation import continued, leans_on, nth_report
from bot.core.counting import of_level, question_facts, quoted, shown, totals
from bot.core.coverage import held, without_overlaps
from bot.core.figures import HAS_FIGURE, figure_in, first_figure, in_asked_unit
from bot.core.levels import speaks_of
from bot.core.names import NAMED_UNITS, counted_kind, distinct, names_of_kind, quoted_names
from bot.core.parts import Part, asked_part, says_only_part
from bot.core.question import Question, asks_sum, script_of
from bot.core.retrieval import Filters, Hit, Retriever, SearchResult, search_form
from bot.core.sentences import (
    carries_on,
    opens_item,
    phrase_bonus,
    quotable_sentences,
    same_paragraph,
    similar,
)
from bot.core.written import Written
from knowledge.metadata import names_place
from knowledge.normalize import in_script, is_dictionary_word
from knowledge.records import FactRecord

_MIN_SENTENCE = 8
# What naming a unit of the asked level is worth against covering the question: about as
# much as the topic words of a heading, so an on-topic sentence of the right level wins.
_LEVEL_BONUS = 0.3
# A sentence holding the kind of figure a fact question asks for outranks one that only
# shares its words: the figure is the answer.
_FIGURE_BONUS = 0.5
# A fact answer leads with the best sentence holding the figure unless it scores under this
# share of the best sentence of all: then its figure is likely of something else.
_FIGURE_REACH = 0.6
# A fact's passage covers the question at least this share of what the best passage does.
_FACT_COVERAGE = 0.5
# How-to answers: a sentence is kept at this share of its report's best sentence's score,
# one holding a figure of the same passage at the lower share.
_FLOOR = 0.6
_FACT_FLOOR = 0.35
_FOLLOWING = 2  # sentences after a report's best one (same paragraph or figures) kept with it
_REPORTS_SHOWN = 3  # how-to answers: the best reports at the asked level
# Figures in one answer from the table of figures (the rest: /facts).
_FACTS_SHOWN = 24


@dataclass(frozen=True)
class Quote:
    text: str  # a sentence of the cited chunk, in the reader's script (`in_script`)
    n: int
    report: str = ""  # label of the report it comes from: title（place · level · year）
    heading: str = ""  # the 公文 heading it sits under, shown above it
    figure: str = ""  # the asked figure inside `text`, emphasised when shown
    original: str = ""  # the sentence as the report writes it, when `text` was converted


@dataclass(frozen=True)
class Answer:
    question: str
    found: bool
    kind: str  # "answer", "fact", "examples", "list", "total", "reports" or "not_found"
    lead: str
    quotes: list[Quote]
    citations: list[Citation]
    suggestions: list[str] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    script: str = "simplified"
    parsed: Question | None = None
    follows: str = ""  # the earlier question this one was read with, for a follow-up
    # Next questions it suggests, each read as a follow-up of it (buttons in Telegram).
    follow_ups: list[str] = field(default_factory=list)
    # The language model's version of it, checked (bot.core.writer); None without a writer.
    written: Written | None = None

    @property
    def shown_written(self) -> Written | None:
        """The written version when it is shown in place of the quotes, else None."""
        return self.written if self.written is not None and self.written.shown else None

    def lines(self) -> Iterator[tuple[str, str | Quote]]:
        """("report", label), ("heading", heading) and ("quote", Quote) in reading order:
        a label where the report or heading changes, so both front ends group alike."""
        report = heading = None
        for quote in self.quotes:
            if quote.report and quote.report != report:
                report, heading = quote.report, None
                yield "report", quote.report
            if quote.heading and quote.heading != heading:
                heading = quote.heading
                yield "heading", quote.heading
            yield "quote", quote

    def about(self, excerpt: str) -> Answer:
        """The answer as far as a highlighted excerpt of it goes: only the sources whose
        quotes (as shown) or passages hold the excerpt; the whole answer when none does
        (a quote of its lead or labels says nothing about which report)."""
        excerpt = excerpt.strip()
        if not excerpt:
            return self
        holding = {q.n for q in self.quotes if excerpt in q.text or q.text in excerpt}
        holding |= {c.n for c in self.citations if excerpt in c.text}
        if (written := self.shown_written) is not None:
            holding |= {
                n for s in written.sentences if excerpt in s.text or s.text in excerpt
                for n in s.markers
            }  # fmt: skip
        if not holding:
            return self
        return replace(self, citations=[c for c in self.citations if c.n in holding])

    @property
    def text(self) -> str:
        """Lead, labels and quotes as one string with [n] markers (`answer` in --json); the
        written sentences in place of labels and quotes when they are shown."""
        lines = [self.lead]
        written = self.shown_written
        if written is not None:
            lines += [*written.paragraphs(), wording.localize(wording.WRITTEN_NOTE, self.script)]
        for kind, item in self.lines() if written is None else ():
            if isinstance(item, Quote):
                lines.append(f"{item.text}[{item.n}]")
            else:
                lines.append(f"【{item}】" if kind == "report" else str(item))
        lines += self.suggestions
        return "\n".join(lines)


@dataclass(frozen=True)
class AnswerOptions:
    script: str  # "auto", "simplified" or "traditional" (default in Settings)
    max_quotes: int = 8
    max_chars: int = 600  # quotes shown at a glance; the rest is behind 更多 / 原文
    examples: int = 5
    quote_script: str = "reader"  # "reader": quotes converted to the answer's script


@dataclass(frozen=True)
class _Scored:
    score: float
    hit: Hit
    sentence: str
    normalized: str  # the sentence's search form, for level and option checks
    heading: str
    position: int  # in the chunk, for reading order


class Answerer:
    """question → Answer, over a Retriever."""

    def __init__(self, retriever: Retriever, options: AnswerOptions) -> None:
        self.retriever = retriever
        self.options = options

    def answer(
        self,
        question: str,
        filters: Filters | None = None,
        previous: Answer | None = None,
        within_previous: bool = False,
    ) -> Answer:
        """An extractive answer composed for what the question asks.

        `previous` is the answer before it in the conversation: a follow-up that leans on
        it ("那街道呢？") is read with its topic. With `within_previous` (a reply to that
        answer) only the reports it cited are searched."""
        answer = self._in_context(question, filters, previous, within_previous)
        if (
            previous is not None
            and self.options.script == "auto"
            and answer.script != previous.script
            and in_script(question, "simplified") == in_script(question, "traditional")
        ):
            # "那街道呢？" is written alike in both scripts: the conversation's script holds.
            script = previous.script
            answer = replace(
                answer, script=script, lead=in_script(answer.lead, script),
                suggestions=[in_script(s, script) for s in answer.suggestions],
            )  # fmt: skip
        return self._with_follow_ups(self._for_reader(answer))

    def _in_context(
        self,
        question: str,
        filters: Filters | None,
        previous: Answer | None,
        within_previous: bool,
    ) -> Answer:
        # A figure the reports do not give still leaves its topic to go on from.
        earlier = previous.parsed if previous is not None and previous.citations else None
        if earlier is None or previous is None:
            return self._answer(question, filters)
        cited = tuple(dict.fromkeys(c.document_id for c in previous.citations))
        if within_previous:
            filters = replace(filters or Filters(), reports=cited)
        parsed = self.retriever.parse(question)
        normalize = self.retriever.normalizer.normalize
        passages = [normalize(c.text) for c in previous.citations]
        if not leans_on(parsed, earlier, passages):
            return self._answer(question, filters)
        nth = nth_report(parsed.normalized)
        if nth is not None and 0 < nth <= len(cited):
            # "第二个报告…": the second report the previous answer cited, and only it.
            filters = replace(filters or Filters(), reports=(cited[nth - 1],))
        read = self.retriever.with_synonyms(continued(parsed, earlier))
        answer = self._answer(question, filters, read)
        # A chain of follow-ups (听众有多少？ then 他们请了谁？) names the question it started from.
        first = previous.follows or previous.question
        lead = wording.localize(wording.continued_lead(first), answer.script)
        return replace(answer, lead=lead + answer.lead, follows=first)

    def examples(
        self,
        topic: str,
        filters: Filters | None = None,
        question: str | None = None,
        limit: int | None = None,
    ) -> Answer:
        """Distinct past cases: the best passage of each report, one report each."""
        return self._with_follow_ups(
            self._for_reader(self._examples(topic, filters, question, limit))
        )

    def _with_follow_ups(self, answer: Answer) -> Answer:
        """The answer with the next questions it suggests, in its script."""
        if not answer.citations:
            return answer
        by_n = {c.n: c for c in answer.citations}
        headings = [
            q.heading or (by_n[q.n].heading_path or ("",))[-1] for q in answer.quotes if q.n in by_n
        ]
        suggested = follow_ups.suggest(answer.parsed, answer.kind, headings, answer.citations)
        return replace(answer, follow_ups=[in_script(q, answer.script) for q in suggested])

    def _for_reader(self, answer: Answer) -> Answer:
        """Quotes, their headings and report labels in the answer's script, converted
        character by character; the verbatim sentence kept as `original`, and each
        source whose quotes were converted marked with the script they were written in."""
        script = answer.script
        answer = replace(answer, citations=[replace(c, script=script) for c in answer.citations])
        if self.options.quote_script == "original" or not answer.quotes:
            return answer
        other = "traditional" if script == "simplified" else "simplified"
        quotes: list[Quote] = []
        converted: set[int] = set()
        for quote in answer.quotes:
            text = in_script(quote.text, script)
            if text != quote.text:
                converted.add(quote.n)
            # The figure as the converted sentence writes it: converted alone, a character
            # may come out otherwise than in its context (周年 → 週年).
            at = quote.text.find(quote.figure) if quote.figure else -1
            same_length = len(text) == len(quote.text)
            figure = (
                text[at : at + len(quote.figure)]
                if at >= 0 and same_length
                else in_script(quote.figure, script)
            )
            quotes.append(
                replace(
                    quote, text=text, original=quote.text if text != quote.text else "",
                    report=in_script(quote.report, script),
                    heading=in_script(quote.heading, script), figure=figure,
                )
            )  # fmt: skip
        # A converted quote's source line reads in the reader's script too; 原文 shows the
        # passage itself as written.
        citations = [
            replace(
                c, converted_from=other, title=in_script(c.title, script),
                heading_path=tuple(in_script(h, script) for h in c.heading_path),
            )
            if c.n in converted
            else c
            for c in answer.citations
        ]  # fmt: skip
        return replace(answer, quotes=quotes, citations=citations)

    def _answer(
        self, question: str, filters: Filters | None, parsed: Question | None = None
    ) -> Answer:
        parsed = parsed or self.retriever.parse(question)
        if parsed.intent == "examples" and parsed.example_topic:
            asked = parsed.level is not None and (filters is None or filters.level is None)
            if asked:
                # A follow-up naming a level (那街道呢？) asks for that level's cases.
                filters = replace(filters or Filters(), level=parsed.level)
            # The answer carries the question as asked, so a follow-up ("那街道呢？") asks
            # for examples too.
            found = self._examples(parsed.example_topic, filters, question=question)
            if asked and not found.found and parsed.level is not None:
                # As for how-to: cases of other levels, said to be so. The level word may
                # also be who took part (请高校或农学院的教授…), not where it was done.
                wider = replace(filters or Filters(), level=None)
                other = self._examples(parsed.example_topic, wider, question=question)
                if other.found:
                    script = self._script(question)
                    lead = wording.other_level_lead(parsed.level, None, script, practice=True)
                    found = replace(other, lead=lead)
            return replace(found, parsed=parsed)
        script = self._script(question)
        wide = parsed.intent in ("list", "total", "reports")
        result = self.retriever.search(
            question, top_k=40 if wide else 8, filters=filters, parsed=parsed
        )
        if parsed.intent == "reports":
            # Answered from the reports themselves, whatever the passages match; only a
            # place or year no report is about is refused.
            refusal = self._refusal(question, replace(result, found=True), script)
            return refusal or self._reports(parsed, result, script)
        summing = asks_sum(parsed)
        rows: list[FactRecord] | None = None  # the table's figures, read at most once
        if summing or (wide and (parsed.intent == "total" or parsed.figure is not None)):
            # Counting and listing figures: every qualifying figure of the reports, not only
            # those of the top passages, so the top passages' coverage does not decide;
            # a place or year no report is about still does. A fact question that asks a
            # sum (一共培训了多少人次) is one only when the table has figures from more than
            # one sentence; one figure is answered as any fact is.
            rows = question_facts(self.retriever, parsed, result.filters)
            sentences = len({(f.chunk_id, f.sentence) for f in rows})
            if sentences > 1 or (rows and not summing):
                refusal = self._refusal(question, replace(result, found=True), script)
                counted = replace(parsed, intent="total") if summing else parsed
                return refusal or self._from_facts(counted, result, rows, script)
        if parsed.figure == "count" and (summing or wide) and parsed.unit in NAMED_UNITS:
            # No figure answers, but the reports may name the things one by one (“食全就美”
            # 是我们的品牌活动之一): the names are the count.
            named = self._named(parsed, result, script)
            if named is not None:
                refusal = self._refusal(question, replace(result, found=True), script)
                return refusal or named
        part = asked_part(parsed.normalized) if parsed.intent == "list" else None
        if part is not None:
            # Which reports wrote their plans or problems: a part of a report found by what
            # it is (its heading, or sentences of its kind), not by sharing the question's
            # words.
            refusal = self._refusal(question, replace(result, found=True), script)
            return refusal or self._parts(parsed, result, script, *part)
        refusal = self._refusal(question, result, script)
        if refusal is not None:
            return refusal
        if wide:
            return self._listing(parsed, result, script)
        if parsed.intent == "fact":
            answer = self._fact(parsed, result, script)
            figured = any(q.figure for q in answer.quotes)
            if parsed.figure not in (None, "date") and (not figured or not answer.found):
                # The table of figures reads what a figure counts where the passages' words
                # do not reach it (科普报告、讲座6场次 for 科普讲座办了多少场), and holds a
                # figure of the level and event asked where the passages' best is another
                # level's.
                if rows is None:
                    rows = question_facts(self.retriever, parsed, result.filters)
                if rows:
                    return self._from_facts(parsed, result, rows, script)
            return answer
        # Levels asked as one are answered level by level unless a level was chosen for it.
        joined = filters is None or filters.level is None
        return self._howto(parsed, result, script, joined=joined)

    def _howto(
        self, parsed: Question, result: SearchResult, script: str, joined: bool = False
    ) -> Answer:
        """The best one to three reports at the asked level; for each, its relevant sentences
        in reading order under the headings they belong to. Levels asked as one (县和街道
        分别是怎么…) are answered level by level, each from its own search."""
        if joined and len(parsed.levels) > 1:
            parts: dict[str, list[_Scored]] = {}  # level → its sentences
            hits: list[Hit] = []
            for level in parsed.levels:
                own = replace(parsed, level=level)
                found = self.retriever.search(parsed.text, len(result.hits), parsed=own)
                practice = self._practice(own, found, share=len(parsed.levels))
                if practice is not None and not practice[1]:
                    parts[level] = practice[0]
                    hits += found.hits
            if parts:
                taken: set[tuple[str, int]] = set()
                chosen = []
                for items in parts.values():
                    chosen += [i for i in items if (i.hit.chunk_id, i.position) not in taken]
                    taken |= {(i.hit.chunk_id, i.position) for i in items}
                answer = self._compose(parsed, "answer", replace(result, hits=hits), chosen, script)
                missing = [level for level in parsed.levels if level not in parts]
                if missing:
                    lead = wording.missing_levels_lead(missing, list(parts), script)
                    answer = replace(answer, lead=lead)
                return answer
        practice = self._practice(parsed, result)
        if practice is None:
            return self._not_found(parsed.text, script, parsed)
        chosen, off_level = practice
        answer = self._compose(parsed, "answer", result, chosen, script)
        if off_level and result.filters.level is not None:
            lead = wording.other_level_lead(result.filters.level, None, script, practice=True)
            answer = replace(answer, lead=lead)
        return answer

    def _practice(
        self, parsed: Question, result: SearchResult, share: int = 1
    ) -> tuple[list[_Scored], bool] | None:
        """The sentences a how-to answer quotes, and whether they come from another level
        than the one asked; None when no sentence is relevant. `share` divides the reports
        and characters shown among the levels asked as one."""
        level = result.filters.level
        if level is not None and not any(level in (h.level, h.passage_level) for h in result.hits):
            # Common words (科协, 组织, 活动) rank other levels' passages first however much the
            # asked level is boosted: that level's passages are searched for on their own.
            own = self.retriever.search(
                parsed.text, len(result.hits), replace(result.filters, level=level), parsed=parsed
            )
            result = replace(result, hits=[*result.hits, *own.hits])
        ranked = self._ranked_sentences(parsed, result.hits, result.filters.level)
        if not ranked:
            return None
        off_level = False
        if level is not None:
            # A question naming a level is answered with material of that level: a report of
            # it whole, another report only by its sentences about a unit of the level. As
            # for examples, a passage of the level must name what is asked about and cover
            # the topic as "found" demands; else its sentences answer something else (a
            # street's work in general for a street's funds): other levels answer, and the
            # lead says so.
            of_level = [i for i in ranked if _of_level(i, level)]
            # What the passage must name is the word "found" weighs most (经费, not 落实;
            # 科普日, not 每年); when no passage writes any topic word, coverage decides.
            key = self.retriever.key_word(parsed)
            about = self._about(parsed, [i.hit for i in ranked], (key,) if key else ())
            of_level = [i for i in of_level if i.hit.chunk_id in about]
            off_level = not of_level
            if off_level:
                of_level = [i for i in ranked if i.hit.chunk_id in about]
            ranked = of_level or ranked
        by_report: dict[str, list[_Scored]] = {}
        for item in ranked:
            by_report.setdefault(item.hit.document_id, []).append(item)
        top = ranked[0].score
        shown = -(-_REPORTS_SHOWN // share)
        budget = self.options.max_chars // share
        reports = [r for r in by_report.values() if r[0].score >= 0.7 * top][:shown]
        chosen: list[_Scored] = []
        length = 0
        for sentences in reports:
            best = sentences[0]
            for n, item in enumerate(sentences):
                # The concrete facts of the best passage (its figures) are kept at a lower
                # floor than other sentences: they are what was actually done.
                fact = item.hit.chunk_id == best.hit.chunk_id and HAS_FIGURE.search(item.sentence)
                if item.score < (_FACT_FLOOR if fact else _FLOOR) * best.score:
                    continue
                if len(chosen) >= self.options.max_quotes:
                    break
                if n and length + len(item.sentence) > budget:
                    continue
                if any(similar(item.sentence, other.sentence) for other in chosen):
                    continue
                chosen.append(item)
                length += len(item.sentence)
            # What follows the best sentence in its paragraph, or gives its figures (目前生机比…)
            # is the same practice carried on: kept with it while the budget allows.
            taken = {(i.hit.chunk_id, i.position) for i in chosen}
            sentences_of = quotable_sentences(best.hit.text, best.hit.title)
            following = sentences_of[best.position + 1 :]
            for offset, (sentence, heading) in enumerate(following[:_FOLLOWING], start=1):
                position = best.position + offset
                if (
                    (best.hit.chunk_id, position) in taken
                    or opens_item(sentence)  # 四是…: the next practice, not this one's rest
                    or not (
                        HAS_FIGURE.search(sentence)
                        or same_paragraph(best.hit.text, best.sentence, sentence)
                    )
                ):
                    break
                if length + len(sentence) > budget:
                    break
                normalized = self.retriever.normalizer.normalize(sentence)
                chosen.append(_Scored(0.0, best.hit, sentence, normalized, heading, position))
                length += len(sentence)
            length += self._fill_gaps(chosen, length, budget)
            length += self._add_subjects(chosen, length)
            if length >= budget:
                break
        return chosen, off_level

    def _fill_gaps(self, chosen: list[_Scored], length: int, budget: int) -> int:
        """Adds the one sentence between two chosen sentences of one paragraph: the
        practice told in order (消除村小。保留的校区…。村小设立为…) reads broken with its
        middle left out; returns the characters added."""
        added = 0
        taken = {(i.hit.chunk_id, i.position): i for i in chosen}
        for (chunk_id, position), item in list(taken.items()):
            after = taken.get((chunk_id, position + 2))
            if after is None or (chunk_id, position + 1) in taken:
                continue
            sentences = quotable_sentences(item.hit.text, item.hit.title)
            sentence, heading = sentences[position + 1]
            if not (
                same_paragraph(item.hit.text, item.sentence, sentence)
                and same_paragraph(item.hit.text, sentence, after.sentence)
            ):
                continue
            if length + added + len(sentence) > budget:
                break
            normalized = self.retriever.normalizer.normalize(sentence)
            chosen.append(_Scored(0.0, item.hit, sentence, normalized, heading, position + 1))
            added += len(sentence)
        return added

    def _add_subjects(self, chosen: list[_Scored], length: int) -> int:
        """Adds, before a chosen sentence that carries on from the one before it (下发了…,
        其中…), that sentence of its paragraph, which says who did it, why, or of what the
        count is a part (from the passage before, when chunking cut the paragraph there);
        returns the characters added."""
        added = 0
        taken = {(i.hit.chunk_id, i.position) for i in chosen}
        for item in list(chosen):
            if not carries_on(item.normalized):
                continue
            previous = self._sentence_before(item)
            if previous is None or (previous.hit.chunk_id, previous.position) in taken:
                continue
            if length + added + len(previous.sentence) > self.options.max_chars:
                break
            chosen.append(previous)
            taken.add((previous.hit.chunk_id, previous.position))
            added += len(previous.sentence)
        return added

    def _sentence_before(self, item: _Scored) -> _Scored | None:
        """The sentence before `item` in its paragraph, scored as `item`, or None."""
        hit, position = item.hit, item.position
        if position == 0:
            before = self.retriever.continued_from(hit)
            if before is None:
                return None
            hit, position = before, len(quotable_sentences(before.text, before.title))
            if position == 0:
                return None
            sentence, heading = quotable_sentences(hit.text, hit.title)[position - 1]
        else:
            sentence, heading = quotable_sentences(hit.text, hit.title)[position - 1]
            if not same_paragraph(hit.text, sentence, item.sentence):
                return None
        normalized = self.retriever.normalizer.normalize(sentence)
        return _Scored(item.score, hit, sentence, normalized, heading, position - 1)

    def _fact(self, parsed: Question, result: SearchResult, script: str) -> Answer:
        """The sentence holding the asked figure first, the figure marked, then the other
        figures of the same passage; one report."""
        ranked = self._ranked_sentences(parsed, result.hits, result.filters.level)
        if not ranked:
            return self._not_found(parsed.text, script, parsed)
        # A figure is taken only from a passage that covers the question nearly as well as
        # the best one does (as "found" weighs the words): a date in a passage that merely
        # shares a common word (自1月13日开始 for 科普日是什么时候开始的) answers something else.
        covers = self.retriever.found_scorer(parsed)
        coverage = {h.chunk_id: covers(self._with_headings(h)) for h in result.hits}
        best_coverage = max(coverage.values(), default=0.0)
        ranked = [
            i for i in ranked if coverage[i.hit.chunk_id] >= _FACT_COVERAGE * best_coverage
        ] or ranked
        # The figure is the answer: the best sentence holding it, unless it ranks far below
        # the best sentence of all (then the figure is likely of something else).
        holding = [i for i in ranked if figure_in(i.sentence, parsed)]
        best = next((i for i in holding if i.score >= _FIGURE_REACH * ranked[0].score), ranked[0])
        same = [i for i in ranked if i is not best and i.hit.chunk_id == best.hit.chunk_id]
        with_figures = [
            i for i in same if figure_in(i.sentence, parsed) and i.score > 0.5 * best.score
        ]
        chosen = [best]
        length = len(best.sentence)
        # With no sentence holding the asked figure, the best one says what the reports do
        # write about it; its passage's other figures are of something else.
        has_figure = parsed.figure is None or figure_in(best.sentence, parsed)
        further = with_figures + [i for i in same if i not in with_figures] if has_figure else []
        for item in further:
            if len(chosen) == 3 or length + len(item.sentence) > self.options.max_chars:
                break
            if item.score < 0.5 * best.score or any(
                similar(item.sentence, o.sentence) for o in chosen
            ):
                continue
            chosen.append(item)
            length += len(item.sentence)
        before = len(chosen)
        self._add_subjects(chosen, length)
        # The sentence the figure's own counts within (其中…) is read just before it.
        ahead = [i for i in chosen[before:] if i.hit is best.hit and i.position < best.position]
        chosen = ahead[-1:] + [i for i in chosen if i not in ahead[-1:]]
        answer = self._compose(
            parsed, "fact", result, chosen, script, figure_first=True, head=len(ahead[-1:]) + 1
        )
        level = result.filters.level
        if level is not None and not _of_level(best, level):
            # The figure of another level answers a different question (a township's
            # funds for a county's): the reader is told before reading it, and the answer
            # is what its lead says, not found at the level asked.
            lead = wording.other_level_lead(level, best.hit.passage_level, script)
            answer = replace(answer, lead=lead, found=False)
        elif not has_figure:
            # What was asked is not found, though the closest passage is shown: a count the
            # reports never give is an answer of "not found" (and no writer may make one up).
            lead = wording.no_figure_lead(parsed.figure, script)
            answer = replace(answer, lead=lead, found=False)
        return answer

    def _listing(self, parsed: Question, result: SearchResult, script: str) -> Answer:
        """Every report with a passage on the topic, one line each; for a total, the sum
        when every line holds one figure of the asked unit."""
        scorer = self.retriever.found_scorer(parsed)
        anchors = self._anchors(parsed)
        normalize = self.retriever.normalizer.normalize
        # A list at a level (or levels asked as one) lists material of it, as how-to does.
        levels = result.filters.levels_of(parsed)
        candidates: list[tuple[bool, _Scored, str]] = []  # of the levels asked, line, its text
        for item in self._ranked_sentences(parsed, result.hits, result.filters.level):
            of_levels = not levels or any(_of_level(item, level) for level in levels)
            # As for examples: a report qualifies when its line names what is asked about
            # (in the sentence, its heading or the passage's headings) and its passage covers
            # the topic as "found" demands, never to fill a longer list.
            path = [item.heading, *reversed(item.hit.heading_path)]
            where = [item.normalized, *(normalize(h) for h in path)]
            named = next(
                (
                    i
                    for i, text in enumerate(where)
                    if any(self._names(parsed, a, text) for a in anchors)
                ),
                None,
            )
            if named is None:
                continue
            if named > 1:  # the sentence sits under a heading that names it: show that one
                item = replace(item, heading=path[named - 1])
            if scorer(self._with_headings(item.hit)) < self.retriever.min_coverage:
                continue
            if parsed.intent == "total" and not figure_in(item.sentence, parsed):
                continue
            candidates.append((of_levels, item, " ".join(where)))
        # Two topic words the question writes as one phrase (科普经费) name one thing, when
        # some line writes it so: 经费有限 or 职教攻坚经费 is no mention of 科普经费.
        phrases = [
            a + b for a, b in itertools.pairwise(parsed.topic)
            if a + b in parsed.normalized and a + b not in parsed.topic
        ]  # fmt: skip
        for phrase in phrases:
            if any(phrase in text for _, _, text in candidates):
                candidates = [c for c in candidates if phrase in c[2]]
        lines: dict[str, _Scored] = {}
        elsewhere: dict[str, _Scored] = {}  # lines of other levels, told as such if alone
        for of_levels, item, _ in candidates:
            (lines if of_levels else elsewhere).setdefault(item.hit.document_id, item)
        chosen = list(lines.values())
        if not chosen and elsewhere:
            # As for a fact: another level's lines answer another question, and say so.
            chosen = list(elsewhere.values())
            answer = self._compose(parsed, parsed.intent, result, chosen, script, lead=False)
            asked = "、".join(levels)
            lead = wording.other_level_lead(asked, None, script, practice=parsed.figure is None)
            return replace(answer, lead=lead, found=False)
        if not chosen:
            return self._not_found(parsed.text, script, parsed)
        answer = self._compose(parsed, parsed.intent, result, chosen, script, lead=False)
        # Sums come only from the table of figures (`counting`), one way of adding.
        lead = wording.listing_lead(len(chosen), script)
        missing = [lv for lv in parsed.levels if not any(_of_level(i, lv) for i in chosen)]
        if missing and len(parsed.levels) > 1:  # 乡镇和街道分别…: a level with none is said
            figures = parsed.figure is not None
            lead = wording.missing_levels_note(missing, script, figures) + lead
        return replace(answer, lead=lead)

    def _parts(
        self,
        parsed: Question,
        result: SearchResult,
        script: str,
        part: Part,
        words: tuple[str, ...],
    ) -> Answer:
        """Every report among the hits whose part of this kind (二、存在的问题, 下一步打算 …) or
        a sentence of that kind covers what else the question asks, one line each."""
        normalize = self.retriever.normalizer.normalize
        # 下一步 and 打算 (and 工作 of 工作打算, 计划 of 明年的计划) say the question is about
        # plans, 报告 what is listed; any other topic word (科普日 in 明年科普日的打算) must
        # still be covered.
        subject = replace(
            parsed,
            topic=tuple(w for w in parsed.topic if not says_only_part(part, words, w)),
            alternatives=(),
        )
        covers = self.retriever.found_scorer(subject) if subject.topic else None
        scorer = self.retriever.topic_scorer(subject) if subject.topic else None
        probe = self.retriever.search(part.probe, top_k=40, filters=result.filters)
        hits = list({h.chunk_id: h for h in [*result.hits, *probe.hits]}.values())
        level = result.filters.level
        lines: dict[str, _Scored] = {}
        for hit in hits:
            if level and level not in (hit.level, hit.passage_level):
                continue
            if (
                covers is not None
                and covers(self._with_headings(hit)) < self.retriever.min_coverage
            ):
                continue
            opened = next((h for h in hit.heading_path if part.opens(normalize(h))), None)
            best: _Scored | None = None
            listing = False  # inside the items a sentence of the part announced (…问题：一是…)
            for position, (sentence, heading) in enumerate(quotable_sentences(hit.text, hit.title)):
                normalized, under = normalize(sentence), normalize(heading)
                stated = part.states(normalized)
                announces = "：" in sentence or ":" in sentence
                listing = (stated and announces) or (listing and opens_item(sentence))
                if len(sentence) < _MIN_SENTENCE:
                    continue
                if part.opens(under):
                    label = heading
                elif opened is not None or stated or listing:
                    label = opened or heading
                else:
                    continue
                score = scorer(normalized) if scorer is not None else 0.0
                if scorer is not None and score == 0 and not scorer(under):
                    continue  # of the part, but not of what else the question asks
                # A sentence announcing the items (…进行改进：) says less than one of them.
                score -= 0.5 if sentence.endswith(("：", ":")) else 0.0
                if best is None or score > best.score:
                    best = _Scored(score, hit, sentence, normalized, label, position)
            # A report's line is its best sentence of the part over all its passages.
            if best is not None and (
                hit.document_id not in lines or best.score > lines[hit.document_id].score
            ):
                lines[hit.document_id] = best
        chosen = list(lines.values())
        if not chosen:
            return self._not_found(parsed.text, script, parsed)
        answer = self._compose(parsed, "list", result, chosen, script, lead=False)
        return replace(answer, lead=wording.listing_lead(len(chosen), script))

    def _from_facts(
        self, parsed: Question, result: SearchResult, found: list[FactRecord], script: str
    ) -> Answer:
        """One quote per figure's sentence, grouped by report, each cited; for a total, a
        sum per unit and event, every addend shown with its citation."""
        left_out = max(0, len(found) - _FACTS_SHOWN)
        found = found[:_FACTS_SHOWN]
        numbers: dict[str, int] = {}
        citations: list[Citation] = []
        quotes: list[Quote] = []
        for fact in found:
            if fact.chunk_id not in numbers:
                hit = self.retriever.passage(fact.chunk_id)
                if hit is None:  # the store changed under the answer: leave the figure out
                    continue
                numbers[fact.chunk_id] = len(numbers) + 1
                citations.append(Citation.of(numbers[fact.chunk_id], hit))
            n = numbers[fact.chunk_id]
            text = quoted(fact)
            if any(q.n == n and q.text == text for q in quotes):
                continue
            label = citation_label(fact.title, (), fact.place, fact.level, fact.year)
            quotes.append(Quote(text, n, label, (fact.heading_path or ("",))[-1], fact.written))
        listed = [f for f in found if f.chunk_id in numbers]
        dates = parsed.figure == "date"  # dates never add up
        sums = totals(listed) if parsed.intent == "total" and not dates else []
        reports = len({f.document_id for f in listed})
        added = any(s.added and len(s.addends) > 1 for s in sums)
        lines = [wording.facts_lead(reports, len(listed), added, script, left_out, dates)]
        missing = [lv for lv in parsed.levels if not any(of_level(f, lv) for f in listed)]
        if missing and len(parsed.levels) > 1:  # 乡镇和街道分别…: a level with none is said
            lines[0] = wording.missing_levels_note(missing, script) + lines[0]
        for summed in sums:
            addends = [
                f"{in_script(shown(f), script)}[{numbers[f.chunk_id]}]" for f in summed.addends
            ]
            lines.append(
                wording.total_line(
                    summed.event, summed.unit, addends, in_script(summed.text, script), script,
                    left_out=summed.left_out, added=summed.added,
                )
            )  # fmt: skip
        return Answer(
            parsed.text, True, parsed.intent, "\n".join(lines), quotes, citations,
            hits=result.hits, script=script, parsed=parsed,
        )  # fmt: skip

    def _named(self, parsed: Question, result: SearchResult, script: str) -> Answer | None:
        """The things of the counted kind the passages on the topic name in quotes, each
        once per report, with the sentences naming them cited; None when there are none."""
        kind = counted_kind(parsed.normalized, parsed.topic)
        if kind is None:
            return None
        covers = self.retriever.found_scorer(parsed)
        normalize = self.retriever.normalizer.normalize
        levels = result.filters.levels_of(parsed)
        found: dict[str, list[tuple[Hit, str, str, list[str]]]] = {}
        for hit in {h.chunk_id: h for h in result.hits}.values():
            if covers(self._with_headings(hit)) < self.retriever.min_coverage or (
                levels and hit.passage_level not in levels
            ):
                continue
            for sentence, heading in quotable_sentences(hit.text, hit.title):
                normalized = normalize(sentence)
                written = quoted_names(sentence)
                if len(written) != len(quoted_names(normalized)):
                    continue  # the names could not be told apart as written
                names = [written[n] for n in names_of_kind(normalized, kind)]
                if names:
                    found.setdefault(hit.document_id, []).append((hit, sentence, heading, names))
        if not found:
            return None
        numbers: dict[str, int] = {}
        quotes: list[Quote] = []
        citations: list[Citation] = []
        lines: list[str] = []
        total = 0
        for sentences in found.values():
            # Told apart in the search form (the same name in either script is one).
            forms = {name: normalize(name) for *_, written in sentences for name in written}
            names = distinct(list(forms.values()))
            shown: dict[str, str] = {}
            for hit, sentence, heading, written in sentences:
                new = [
                    n for n in written
                    if forms[n] in names and forms[n] not in shown
                ]  # fmt: skip
                if not new or len(quotes) == _FACTS_SHOWN:
                    continue
                if hit.chunk_id not in numbers:
                    numbers[hit.chunk_id] = len(numbers) + 1
                    citations.append(Citation.of(numbers[hit.chunk_id], hit))
                n = numbers[hit.chunk_id]
                quotes.append(Quote(sentence, n, _report_label(hit), heading))
                shown.update({forms[name]: f"“{in_script(name, script)}”[{n}]" for name in new})
            total += len(shown)
            if shown:
                lines.append(wording.names_line(kind, list(shown.values()), script))
        if not quotes:
            return None
        lead = wording.names_lead(len(lines), total, kind, script)
        return Answer(
            parsed.text, True, "total", "\n".join([lead, *lines]), quotes, citations,
            hits=result.hits, script=script, parsed=parsed,
        )  # fmt: skip

    def _reports(self, parsed: Question, result: SearchResult, script: str) -> Answer:
        """The reports themselves that match the asked level, place and year: one line
        each, with the report's opening sentence."""
        wanted = result.filters
        documents = [
            d for d in self.retriever.documents()
            if d.duplicate_of is None
            and (wanted.level is None or d.level == wanted.level)
            and (wanted.year is None or d.year == wanted.year)
            and (wanted.place is None or any(wanted.place in p for p in d.place))
        ]  # fmt: skip
        quotes: list[Quote] = []
        citations: list[Citation] = []
        normalize = self.retriever.normalizer.normalize
        for document in documents:
            hit = self.retriever.first_passage(document.id)
            if hit is None:
                continue
            n = len(citations) + 1
            citations.append(Citation.of(n, hit))
            opening = quotable_sentences(hit.text, hit.title)[:1]
            for sentence, heading in opening:
                quotes.append(Quote(sentence, n, _report_label(hit), heading))
            if document.place or any(names_place(normalize(s)) for s, _ in opening):
                continue
            # A report that names no place of its own is told apart from the others by the
            # first sentence that names one (借助通州移动公司的营业点…).
            found = self._sentence_naming_place(document.id)
            if found is not None and found[1] not in {s for s, _ in opening}:
                where, sentence, heading = found
                if where.chunk_id != hit.chunk_id:
                    n = len(citations) + 1
                    citations.append(Citation.of(n, where))
                quotes.append(Quote(sentence, n, _report_label(where), heading))
        listed = len({q.report for q in quotes})
        lead = wording.reports_lead(listed, wanted.level, wanted.place, wanted.year, script)
        return Answer(
            parsed.text, bool(citations), "reports", lead, quotes, citations,
            hits=result.hits, script=script, parsed=parsed,
        )  # fmt: skip

    def _sentence_naming_place(self, document_id: str) -> tuple[Hit, str, str] | None:
        """A report's first quotable sentence naming a place, with its passage and heading."""
        for passage in self.retriever.passages(document_id):
            for sentence, heading in quotable_sentences(passage.text, passage.title):
                if names_place(self.retriever.normalizer.normalize(sentence)):
                    return passage, sentence, heading
        return None

    def _compose(
        self,
        parsed: Question,
        kind: str,
        result: SearchResult,
        chosen: list[_Scored],
        script: str,
        figure_first: bool = False,
        head: int = 1,
        lead: bool = True,
    ) -> Answer:
        reports: dict[str, int] = {}
        for item in chosen:
            reports.setdefault(item.hit.document_id, len(reports))
        if kind in ("list", "total"):
            ordered = chosen
        elif figure_first:  # the figure's sentence (after the one it needs) leads
            ordered = chosen[:head] + sorted(chosen[head:], key=_reading_order)
        else:
            ordered = sorted(chosen, key=lambda i: (reports[i.hit.document_id], *_reading_order(i)))
        # Sources are numbered in the order the reader meets them.
        numbers: dict[str, int] = {}
        for item in ordered:
            numbers.setdefault(item.hit.chunk_id, len(numbers) + 1)
        quotes = [
            Quote(
                i.sentence, numbers[i.hit.chunk_id], _report_label(i.hit), i.heading,
                first_figure(i.sentence, parsed),
            )
            for i in ordered
        ]  # fmt: skip
        by_id = {i.hit.chunk_id: i.hit for i in chosen}
        citations = [Citation.of(n, by_id[chunk_id]) for chunk_id, n in numbers.items()]
        text = wording.found_lead(len(reports), script) if lead else ""
        return Answer(
            parsed.text, True, kind, text, quotes, citations,
            hits=result.hits, script=script, parsed=parsed,
        )  # fmt: skip

    def _examples(
        self,
        topic: str,
        filters: Filters | None = None,
        question: str | None = None,
        limit: int | None = None,
    ) -> Answer:
        script = self._script(question or topic)
        result = self.retriever.search(topic, top_k=40, filters=filters)
        # Each case must pass the found rule itself (below), so a first hit that does not,
        # above a case that does, is no reason to refuse.
        refusal = self._refusal(question or topic, replace(result, found=True), script)
        if refusal is not None:
            return refusal
        parsed = result.parsed or self.retriever.parse(topic)
        anchors = self._anchors(parsed)
        if not anchors:
            return self._not_found(question or topic, script)
        scorer = self.retriever.found_scorer(parsed)
        best: dict[str, Hit] = {}
        for hit in result.hits:
            # A case must name what the examples are examples of (one of the options the
            # topic lists, or its most specific word, or a near synonym of it: 测量 for 检测)
            # and cover the topic as well as "found" demands of the best passage: the slots
            # are never filled with whatever ranks next. A passage that is only headings has
            # nothing to quote: it is no case.
            if (
                scorer(hit.normalized) >= self.retriever.min_coverage
                and quotable_sentences(hit.text, hit.title)
                and any(self._names(parsed, anchor, hit.normalized) for anchor in anchors)
            ):
                best.setdefault(hit.document_id, hit)
        if not best:
            return self._not_found(question or topic, script)
        cases = list(best.values())[: limit or self.options.examples]
        quotes: list[Quote] = []
        citations: list[Citation] = []
        says = self.retriever.topic_scorer(parsed)
        for n, hit in enumerate(cases, start=1):
            ranked = self._ranked_sentences(parsed, [hit])
            # A sentence that only sits under a heading on the topic (21世纪，人类正在迈向…)
            # shows no case while another names it itself.
            ranked = [i for i in ranked if says(i.normalized) > 0] or ranked
            # The case is what names what it is a case of (组织…参加环保知识竞赛); a
            # sentence beside it on the same topic words is padding.
            ranked = (
                [i for i in ranked if any(self._names(parsed, a, i.normalized) for a in anchors)]
                or ranked
            )[:2]
            for item in sorted(ranked, key=_reading_order):
                quotes.append(Quote(item.sentence, n, _report_label(hit), item.heading))
            if not ranked:
                first = quotable_sentences(hit.text, hit.title)[:1]
                quotes += [Quote(text, n, _report_label(hit), heading) for text, heading in first]
            citations.append(Citation.of(n, hit))
        lead = wording.examples_lead(len(cases), topic, script)
        return Answer(
            question or topic, True, "examples", lead, quotes, citations,
            hits=result.hits, script=script, parsed=parsed,
        )  # fmt: skip

    def _about(self, parsed: Question, hits: list[Hit], anchors: tuple[str, ...]) -> set[str]:
        """Chunk ids of the passages (with their headings) that name one of `anchors` (any
        passage will do when there are none) and cover the topic as "found" demands."""
        covers = self.retriever.found_scorer(parsed)
        about = set()
        for hit in {h.chunk_id: h for h in hits}.values():
            passage = self._with_headings(hit)
            named = not anchors or any(self._names(parsed, a, passage) for a in anchors)
            if named and covers(passage) >= self.retriever.min_coverage:
                about.add(hit.chunk_id)
        return about

    def _with_headings(self, hit: Hit) -> str:
        """A passage's search form after its headings' (which say what it is about)."""
        return (
            self.retriever.normalizer.normalize(" ".join(hit.heading_path)) + " " + hit.normalized
        )

    def _names(self, parsed: Question, anchor: str, text: str) -> bool:
        """Whether a normalised text names `anchor`: as written, by a synonym, or by a near
        synonym (体质测量 for 体质检测)."""
        return _holds(parsed, anchor, text) or (
            bool(anchor) and self.retriever.names_nearly(anchor, text)
        )

    def _anchors(self, parsed: Question) -> tuple[str, ...]:
        """What a passage must name to be about the question: one of the options the
        question lists, or else its most specific topic word; none when no passage names
        any of them (no report can be about it)."""
        # A quoted term is what the reader marked to look for, over a plainer word around
        # it that no report writes (某种“科普示范”称号).
        quoted = tuple(t for t in parsed.quoted if self._held_anywhere(parsed, t))
        if quoted:
            return quoted
        groups = [
            group for group in parsed.alternatives
            if any(self._held_anywhere(parsed, option) for option in group)
        ]  # fmt: skip
        if groups:
            # Any of the options the question lists will do. Of several lists (组织群众或者
            # 学生搞知识竞赛、知识答题), the one the reports write least says what a case is
            # of; the others say who or where, and any passage naming them would do.
            frequencies = self.retriever.store.document_frequencies
            return min(
                groups,
                key=lambda group: max(frequencies([search_form(w) for w in group]).values()),
            )
        specific = self._specific_word(parsed)
        if specific is None:
            return ()
        return (specific,) if specific else ("",)

    def _held_anywhere(self, parsed: Question, word: str) -> bool:
        """Whether any passage writes the word or one of its synonyms."""
        words = [search_form(w) for w in [word, *(w for w, _ in parsed.synonyms_of(word))]]
        store = self.retriever.store
        return any(store.document_frequencies(words).values()) or any(
            store.passages_containing(w) for w in words
        )

    def _specific_word(self, parsed: Question) -> str | None:
        """The topic's most specific word (fewest passages hold it), or None when no passage
        holds it at all: then no report can be an example of it, however well the topic's
        common words match ("邀请院士" where no report names an academician).
        """
        words = list(parsed.topic)
        counts = self.retriever.store.document_frequencies(words)
        # A word the reports never write is still named by a passage holding its synonym
        # (计划生育 where they write 计生): it counts as often as its best-held synonym.
        for word in words:
            synonyms = [search_form(other) for other, _ in parsed.synonyms_of(word)]
            if synonyms and not counts[word]:
                counts[word] = max(self.retriever.store.document_frequencies(synonyms).values())
            if not counts[word]:
                # Written only inside a longer word (广播电视 in 广播电视台): still named.
                counts[word] = self.retriever.store.passages_containing(word)
        # Only words jieba knows: a fragment it guessed across two words (户送 of
        # 帮扶户送慰问金) is in no passage either, and says nothing about the reports.
        # A part of a longer question word (生育 of 计划生育) is not chosen on its own.
        whole = without_overlaps(words)
        named = [w for w in whole if len(w) > 1 and is_dictionary_word(w)] or whole
        if not named:
            return ""
        specific = min(named, key=lambda word: (counts[word], -len(word)))
        return specific if counts[specific] else None

    def _ranked_sentences(
        self, parsed: Question, hits: list[Hit], level: str | None = None
    ) -> list[_Scored]:
        """Sentences of the hits, best first.

        A sentence scores by the topic words it covers itself and, with less weight, by
        those its headings cover, so the items of a list under "二、存在的问题" rank for a
        question about problems. Better-ranked hits get a small bonus. When the question
        names a level, sentences about a unit of that level (蒿坪镇科协… for 乡镇) rank above
        the same topic at another level; a fact question's sentences holding the asked kind
        of figure rank first. Headings themselves are labels, never ranked as answers.
        """
        normalizer = self.retriever.normalizer
        scorer = self.retriever.topic_scorer(parsed)
        ranked = []
        for rank, hit in enumerate(hits):
            path = normalizer.normalize(" ".join(hit.heading_path))
            for position, (sentence, heading) in enumerate(quotable_sentences(hit.text, hit.title)):
                normalized = normalizer.normalize(sentence)
                own = scorer(normalized)
                context = scorer(f"{path} {normalizer.normalize(heading)} {normalized}")
                if context == 0 or (len(sentence) < _MIN_SENTENCE and own == context):
                    continue
                score = 0.6 * own + 0.4 * context + 0.15 / (rank + 1)
                score += phrase_bonus(parsed.normalized, normalized)
                # In a report of the asked level every sentence is of it; the bonus is for
                # the township passages of a city's report.
                if (
                    level is not None
                    and hit.passage_level != level
                    and speaks_of(normalized, level)
                ):
                    score += _LEVEL_BONUS
                if parsed.figure is not None and own > 0 and figure_in(sentence, parsed):
                    # 多少人次 asks person-times: 600余人次 answers it better than 1081名.
                    exact = in_asked_unit(sentence, parsed)
                    score += _FIGURE_BONUS if exact else _FIGURE_BONUS / 2
                ranked.append(_Scored(score, hit, sentence, normalized, heading, position))
        ranked.sort(key=lambda item: -item.score)
        return ranked

    def _refusal(self, question: str, result: SearchResult, script: str) -> Answer | None:
        """Not found, when nothing answers the question or it names a place or year no
        report is about (answering from others would read as if they were about it)."""
        place = result.filters.place
        if place is not None and not self.retriever.covers_place(place):
            lead = wording.absent_place_lead(place)
            return self._not_found(question, script, result.parsed, absent=lead)
        year = result.filters.year
        if year is not None and not self.retriever.covers_year(year):
            lead = wording.absent_year_lead(year)
            return self._not_found(question, script, result.parsed, absent=lead)
        if not result.found:
            return self._not_found(question, script, result.parsed, within=result.filters)
        return None

    def _not_found(
        self,
        question: str,
        script: str,
        parsed: Question | None = None,
        absent: str | None = None,
        within: Filters | None = None,
    ) -> Answer:
        """Not found; `absent` is the lead for a place or year no report is about."""
        # What the whole knowledge base holds, never a few near-miss titles that read as if
        # they were all of it.
        reports, places, years = self.retriever.holdings()
        if absent is not None:
            lead = wording.localize(absent, script)
        else:
            scope = within or Filters()
            lead = wording.not_found_lead(question, script, scope.level, scope.place, scope.year)
        suggestion = wording.holdings(reports, places, years)
        return Answer(
            question, False, "not_found", lead, [], [],
            suggestions=[wording.localize(suggestion, script)], hits=[], script=script,
            parsed=parsed or self.retriever.parse(question),
        )  # fmt: skip

    def _script(self, question: str) -> str:
        return script_of(question, self.options.script)


def _holds(parsed: Question, word: str, text: str) -> bool:
    """Whether a text names the word or one of its synonyms."""
    return held(word, text, dict(parsed.synonyms)) > 0


def _reading_order(item: _Scored) -> tuple[int, int]:
    return item.hit.index, item.position


def _of_level(item: _Scored, level: str) -> bool:
    """Whether a sentence is material of `level`: its passage is, or it names a unit of it
    (蒿坪镇科协… in a city's report)."""
    return item.hit.passage_level == level or speaks_of(item.normalized, level)


def _report_label(hit: Hit) -> str:
    """Title（place · level · year）: which report a group of quotes comes from."""
    return citation_label(hit.title, (), hit.place, hit.level, hit.year)
