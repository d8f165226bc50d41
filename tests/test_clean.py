import pytest

from knowledge.clean import clean_line, clean_paragraphs, is_boilerplate
from knowledge.models import Paragraph


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("宣传媒介单??", "宣传媒介单"),
        ("二、存在的.问题", "二、存在的问题"),
        ("工作是忙碌的`、辛苦的", "工作是忙碌的、辛苦的"),
        ("邀请科协的'老师作讲座", "邀请科协的老师作讲座"),
        ("(一)領導重視,目標明確。", "（一）領導重視，目標明確。"),
        ("全市共有21所(占全省总量的1/4)", "全市共有21所（占全省总量的1/4）"),
        ("平均增加1.9万元/人.年", "平均增加1.9万元/人.年"),
        ("资助9.4万人次;发放1,000份", "资助9.4万人次；发放1,000份"),
        ("ＡＢＣ１２３ 科协  工作", "ABC123科协工作"),
        ("科 普 日\u200b活动", "科普日活动"),
        ("会教干事ppt、ps和 视频制作", "会教干事ppt、ps和视频制作"),
        ("use the PPT tools", "use the PPT tools"),
    ],
)
def test_clean_line_fixes_artifacts_and_punctuation(raw: str, expected: str) -> None:
    assert clean_line(raw) == expected


@pytest.mark.parametrize(
    "line",
    [
        "58汇报网 >工作汇报",
        "可可簡歷網",
        "某某范文网",
        "位置:首頁 > 職場 > 工作總結",
        "当前位置：首页 > 范文 > 总结",
        "首页 › 工作总结 › 科协",
        "以下是58汇报网小编精心为您推荐的2024科普工作总结5篇，供大家参考。",
        "下面是本站小編為您分享的縣科協科普工作總結7篇，感謝您的參閱。",
        "32",
        "c",
    ],
)
def test_site_lines_are_boilerplate(line: str) -> None:
    assert is_boilerplate(clean_line(line))


@pytest.mark.parametrize(
    "line",
    [
        "一、加强了组织领导",
        "2024科普工作总结篇1",
        "全市近100万义务教育阶段中小学生全部免除了学杂费。",
        "我们在社区网站上开设了科普专栏，方便居民查阅。",
        "我们要向腾讯qq学习，可以一直在模仿。",
        "2011 | 95%",
    ],
)
def test_report_lines_are_not_boilerplate(line: str) -> None:
    assert not is_boilerplate(clean_line(line))


def test_trailing_links_and_contact_block_is_cut_but_report_end_kept() -> None:
    lines = [
        "三、下一步打算",
        "1、加大对基层骨干队伍的调训力度",
        "3、积极引入社会力量开展应急知识宣传普及",
        "会计实习心得体会最新模板相关文章:",
        "社区2024年工作总结5篇",
        "相关推荐",
        "点击加载更多",
        "50645",
        "联系客服",
        "微信号:fanwen9944",
        "客服在线时间:",
        "星期一至星期五 8:30~12:30 14:00~18:00",
        "如有疑问,扫码添加客服微信,",
        "问题+截图进行提问,客服会第一时间答复。",
    ]
    cleaned = [p.text for p in clean_paragraphs([Paragraph(line) for line in lines])]
    assert cleaned == [
        "三、下一步打算",
        "1、加大对基层骨干队伍的调训力度",
        "3、积极引入社会力量开展应急知识宣传普及",
    ]


def test_a_marker_word_inside_a_long_body_paragraph_cuts_nothing() -> None:
    body = (
        "我们开通了客服热线和微信号，群众反映的问题当天答复，"
        "全年共受理咨询三百余次，满意率达到百分之九十八以上。"
    )
    lines = ["一、做法", body, "二、打算", "继续做好服务。"]
    cleaned = [p.text for p in clean_paragraphs([Paragraph(line) for line in lines])]
    assert cleaned == [clean_line(line) for line in lines]
