import io
import json
import re

import pytest

from bot.cli.chat import run_chat
from bot.core.answer import Answer, AnswerOptions, Quote
from bot.core.assistant import Assistant
from bot.core.evaluate import read_questions
from bot.core.question import example_topic
from bot.core.retrieval import Retriever
from bot.core.wording import chinese_number
from knowledge.clean import clean_line
from knowledge.normalize import Normalizer, in_script
from tests.paths import ANSWER_SETS, DEV_QUESTIONS

NUMBER = re.compile(r"\d+(?:\.\d+)?")
# An addend of a sum line as shown, number then the rest (6场次[1], 两期以上[2]).
NAMED = re.compile(r"“([^”]+)”\[(\d+)\]")
ADDEND = re.compile(r"([0-9][0-9.,]*|[一二两三四五六七八九十]+)([^\s\[\]+=：]*)\[(\d+)\]")
SMALL = {c: n for n, c in enumerate("零一二三四五六七八九")} | {"两": 2}
IN_YUAN = {"亿元": 1e8, "億元": 1e8, "万元": 1e4, "萬元": 1e4, "元": 1}  # longest first
QUESTIONS = read_questions(DEV_QUESTIONS)


@pytest.fixture(scope="session")
def answerer(retriever: Retriever) -> Assistant:
    return Assistant(retriever, AnswerOptions(script="auto"))


@pytest.mark.parametrize("quote_script", ["reader", "original"])
@pytest.mark.parametrize(
    "question", [q for q in QUESTIONS if not q.get("negative")], ids=lambda q: q["id"]
)
def test_dev_answers_cite_a_key_passage_and_quote_verbatim(
    retriever: Retriever, normalizer: Normalizer, question, quote_script: str
) -> None:
    assistant = Assistant(retriever, AnswerOptions("auto", quote_script=quote_script))
    answer = assistant.answer(question["q"])
    assert answer.found and answer.quotes and answer.citations
    normalize = normalizer.normalize
    keys = [normalize(clean_line(k)) for k in question["keys"]]
    assert any(any(k in normalize(c.text) for k in keys) for c in answer.citations)
    assert_verbatim_and_sourced(answer, quote_script)


@pytest.mark.parametrize("quote_script", ["reader", "original"])
@pytest.mark.parametrize("question", ANSWER_SETS, ids=lambda q: q["id"])
def test_answer_set_answers_quote_verbatim_and_show_only_sourced_figures(
    retriever: Retriever, question: dict, quote_script: str
) -> None:
    assistant = Assistant(retriever, AnswerOptions("auto", quote_script=quote_script))
    answer = assistant.answer(question["q"])
    assert_verbatim_and_sourced(answer, quote_script)


def assert_verbatim_and_sourced(answer: Answer, quote_script: str) -> None:
    """Every quote is a sentence of its cited passage (after the reader's conversion), every
    figure shown is in a cited passage, and the answer fits one Telegram message."""
    cited = {c.n: c.text for c in answer.citations}
    for quote in answer.quotes:
        # Shown in the reader's script, it is a sentence of its passage after the same
        # character conversion; as written, the passage holds it verbatim.
        written = quote.original or quote.text
        assert written in cited[quote.n]
        shown = in_script(written, answer.script) if quote_script == "reader" else written
        assert quote.text == shown
        if quote_script == "original":
            assert not quote.original
    # Every figure the reader sees in quotes and headings is in a cited passage (report
    # labels carry the title and year, metadata rather than figures).
    body = "\n".join(
        item.text if isinstance(item, Quote) else item
        for kind, item in answer.lines()
        if kind != "report"
    )
    for number in NUMBER.findall(body):
        assert any(number in text for text in cited.values()), number
    assert len(answer.text) < 4096
    assert_sums_add_up(answer)


def sum_lines(answer: Answer) -> list[str]:
    return [line for line in answer.lead.splitlines() if "[" in line]


def assert_sums_add_up(answer: Answer) -> None:
    """Every addend of every sum is in the passage its marker cites, and the sum is theirs."""
    cited = {c.n: in_script(c.text, answer.script) for c in answer.citations}
    for line in sum_lines(answer):
        named = NAMED.findall(line)
        if named:
            # Things counted by their names: each name is in its cited passage, the count
            # is how many are listed.
            for name, n in named:
                assert name in cited[int(n)], (name, n)
            assert line.endswith(f"共{chinese_number(len(named))}个"), line
            continue
        addends = ADDEND.findall(line.split("=")[0])
        assert addends, line
        for number, rest, n in addends:
            assert number + rest in cited[int(n)], (number + rest, n)
        if "=" not in line:
            continue
        total = re.match(r"[约約]?([0-9.]+)([^0-9（(]*)", line.split("= ")[1])
        assert total is not None, line

        def in_yuan(unit: str) -> float:  # money adds across 元 and 万元; counts as they are
            return next((v for u, v in IN_YUAN.items() if unit.endswith(u)), 1)

        def value(number: str) -> float:  # Chinese numerals below a hundred: 两, 十五, 三十
            if number[0].isdigit():
                return float(number.replace(",", ""))
            tens, _, units = number.rpartition("十")
            if "十" not in number:
                return SMALL[number]
            return (SMALL[tens] if tens else 1) * 10 + (SMALL[units] if units else 0)

        expected = sum(value(x) * in_yuan(r) for x, r, _ in addends)
        assert float(total.group(1)) * in_yuan(total.group(2)) == pytest.approx(expected)


@pytest.mark.parametrize(
    "question", [q for q in QUESTIONS if q.get("negative")], ids=lambda q: q["id"]
)
def test_dev_negatives_are_not_found_and_cite_nothing(answerer: Assistant, question) -> None:
    answer = answerer.answer(question["q"])
    assert not answer.found and answer.citations == [] and answer.quotes == []
    assert "没有找到" in answer.lead and answer.suggestions


def test_traditional_question_gets_traditional_lead(answerer: Assistant) -> None:
    answer = answerer.answer("科普書籍讀書活動有多少人次參加？")
    assert answer.script == "traditional" and "報告" in answer.lead
    simplified = answerer.answer("科普书籍读书活动有多少人次参加？")
    assert "报告" in simplified.lead


def test_examples_give_one_passage_per_report(answerer: Assistant) -> None:
    answer = answerer.examples("科普日")
    titles = [c.title for c in answer.citations]
    assert len(titles) >= 3 and len(set(titles)) == len(titles)
    assert {q.n for q in answer.quotes} == {c.n for c in answer.citations}


def test_example_questions_are_routed_to_examples(answerer: Assistant) -> None:
    answer = answerer.answer("有没有组织企业参观高交会的例子？")
    assert answer.kind == "examples"
    assert "高交" in answer.citations[0].text


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("有没有组织企业参观高交会的例子？", "组织企业参观高交会"),
        ("有哪些科普日活动的案例", "科普日活动"),
        ("科技培训的经验", "科技培训"),
        ("有沒有組織企業參觀高交會的例子？", "組織企業參觀高交會"),  # in the asker's script
        ("請問有沒有關於讀書活動的經驗嗎", "讀書活動"),
        ("乡镇是怎么开展科普日活动的？", None),
        # Who is asked about, before the asking, is read as the level, not the topic.
        ("乡镇有没有建科普示范基地的做法？", "建科普示范基地"),
        ("县科协过去有没有在科普日请专家讲座的经验？", "在科普日请专家讲座"),
        # What comes first is kept when it names no one (科普日期间 is when, not who).
        ("科普日期间有没有组织义诊的经验？", "科普日期间有没有组织义诊"),
    ],
)
def test_example_topic_is_read_from_the_question(question: str, topic: str | None) -> None:
    assert example_topic(question) == topic


def test_chat_answers_then_shows_a_source_then_quits(answerer: Assistant) -> None:
    out = io.StringIO()
    lines = [
        "科普书籍读书活动有多少人次参加？",
        "/source 1",
        "/source 9",
        "/bogus",
        "/quit",
        "never",
    ]
    run_chat(answerer, lines, out, 500)
    text = out.getvalue()
    assert "[1]" in text and "来源" in text
    assert "位置：" in text and "300人次" in text
    assert "之间的来源编号" in text and "不认识的命令" in text
    assert "never" not in text


def test_chat_source_before_any_question_explains(answerer: Assistant) -> None:
    out = io.StringIO()
    run_chat(answerer, ["/source 1", "/examples"], out, 500)
    assert "请先提一个问题" in out.getvalue() and "/examples 科普日" in out.getvalue()


def test_answer_json_shape(answerer: Assistant) -> None:
    from bot.cli.render import answer_json

    data = json.loads(json.dumps(answer_json(answerer.answer("省级科普示范村有哪几个？"))))
    assert set(data) >= {"found", "answer", "citations"}
    keys = {"n", "chunk_id", "title", "heading_path", "place", "year", "text"}
    assert data["citations"] and all(keys <= set(c) for c in data["citations"])


def test_a_count_of_person_times_is_answered_in_person_times_not_in_people(
    answerer: Assistant,
) -> None:
    # The city's 1081名校长 shares more of the question's words (一年, 参加, 培训).
    answer = answerer.answer("农民一年参加培训多少人次？")
    assert answer.quotes[0].figure == "1201人次"
    assert answer.citations[0].title == "2024科普工作总结 篇3"


def test_a_sum_over_the_body_pointed_at_reads_the_figures_of_the_report_naming_it(
    answerer: Assistant,
) -> None:
    # 篇4 names 贵阳生产力促进中心 in its opening, not in the section of its training figures.
    answer = answerer.answer("贵阳那个中心一共培训了多少人次？")
    (line,) = sum_lines(answer)
    assert line.endswith(" = 848人次"), answer.text
    assert_sums_add_up(answer)


def test_a_sum_whose_passages_give_another_levels_figure_reads_the_tables_of_the_level(
    answerer: Assistant,
) -> None:
    # 篇6's best passage sentence in 人 is a township's (130多人参加了…报告会); the table
    # holds the city's own 科普日 figure.
    answer = answerer.answer("湖北那个市科普日期间一共有多少人参加？")
    assert answer.found and "2000多名" in answer.text and "130多人" not in answer.text
