import jieba.posseg
import pytest

from knowledge.clean import clean_paragraphs
from knowledge.metadata import _places, extract_metadata
from knowledge.normalize import Normalizer, load_variants
from knowledge.readers import read_paragraphs
from knowledge.split import split_reports
from tests.paths import BUNDLED


@pytest.mark.parametrize(
    ("text", "file_name", "year"),
    [
        ("2011年，在市委、市政府的领导下，全市开展科普。", "2024科普工作总结5篇.txt", 2011),
        ("20xx年，街道科协积极开展工作。", "2024科普工作总结5篇.txt", 2024),
        ("20xx年，街道科协积极开展工作。", "縣科協科普工作總結7篇.txt", None),
        ("举办了xx市2013全国科普日活动启动仪式。", "x.txt", 2013),
        ("决定从xx年至2016年组织实施培训工程，今年培训3000人。", "x.txt", None),
    ],
)
def test_year_comes_from_text_then_file_name_and_placeholders_mean_unknown(
    text: str, file_name: str, year: int | None
) -> None:
    assert extract_metadata(text, file_name).year == year


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("我镇科协在市科协的领导下，镇党委政府加强了对科普工作的领导。", "乡镇"),
        ("全乡粮食总产量达到1717万公斤，乡党委高度重视。", "乡镇"),
        ("来源街道科协在区委领导下开展工作，街道科协组织讲座。", "街道"),
        ("作为科普部的一员，本学期我们与各学院干事深入交流。", "高校"),
        ("省科协科普部全体同志在全省范围内开展工作。", "省"),
        ("今天天气很好。", None),
    ],
)
def test_level_comes_from_how_the_report_names_its_unit(text: str, level: str | None) -> None:
    assert extract_metadata(text, "x.txt").level == level


@pytest.mark.parametrize(
    ("title", "place", "level"),
    [
        ("2023年白石镇科普日活动总结", "白石镇", "乡镇"),
        ("白石镇2023年科普工作总结", "白石镇", "乡镇"),
        ("南桥街道20xx年科普工作总结", "南桥街道", "街道"),
        ("2023年度红星乡科技活动周总结", "红星乡", "乡镇"),
        ("青山市科协2023年科普工作总结", "青山市", "市"),
        ("农村科普工作总结", None, None),  # no unit named
    ],
)
def test_a_title_names_the_reports_unit_and_so_its_level(
    title: str, place: str | None, level: str | None
) -> None:
    found = extract_metadata(f"{title}\n一、主要做法\n开展科普宣传活动。", "x.txt")
    assert (found.place[0] if found.place else None, found.level) == (place, level)


def test_how_a_report_speaks_of_its_unit_outweighs_its_titles_suffix() -> None:
    text = "青山市2023年科普工作总结\n我镇科协组织讲座，镇党委高度重视。"
    assert extract_metadata(text, "x.txt").level == "乡镇"


def test_places_prefer_named_administrative_units() -> None:
    text = "xx乡位于原平市东北方向，是典型的农业乡镇。全市开展科普进社区活动，湖北省科协统一部署。"
    assert set(extract_metadata(text, "x.txt").place) == {"原平市", "湖北"}


def test_places_tag_only_the_runs_that_can_name_a_place_with_the_same_result() -> None:
    normalizer = Normalizer(load_variants())
    texts = [
        "成都市郫都区科协联合成都各街道开展活动，成都的居民踊跃参加。",
        "湖北省科协部署后，我县在通州开展科普，通州移动公司、蒿坪村参与。",
        "全市各区县：广州、深圳市、龙岗区、南山街道都开展了科普日活动，海南省也来了。",
    ]
    texts += [
        normalizer.normalize(report.text)
        for path in sorted(BUNDLED.glob("*.txt"))
        for report in split_reports(clean_paragraphs(read_paragraphs(path)), path.stem)
    ]
    for text in texts:
        # The place rule as first written: part-of-speech tags for every word of the text.
        assert _places(text) == _places(text, jieba.posseg.cut(text, HMM=False))
