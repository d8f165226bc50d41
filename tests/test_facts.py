"""Figures of report sentences: value, qualifier, unit, what is counted, event, dates."""

import pytest

from knowledge.facts import extract_dates, extract_figures

REPORT_LINE = "共开展科普报告、讲座6场次，听众达4000多人次；举办培训班13期；落实科普经费7500元。"


def test_a_typical_report_line_gives_each_figure_with_what_it_counts() -> None:
    found = [
        (f.written, f.value, f.qualifier, f.unit, f.counted) for f in extract_figures(REPORT_LINE)
    ]
    assert found == [
        ("6场次", 6, "", "场次", "科普报告、讲座"),
        ("4000多人次", 4000, "多", "人次", "听众"),
        ("13期", 13, "", "期", "培训班"),
        ("7500元", 7500, "", "元", "科普经费"),
    ]


@pytest.mark.parametrize(
    ("sentence", "written", "value", "high", "qualifier", "unit", "counted"),
    [
        ("组织200余名科技人员深入农村。", "200余名", 200, None, "余", "名", "科技人员"),
        ("全年完成300名农村党员培训。", "300名", 300, None, "", "名", "农村党员"),
        ("在两个社区建立协会。", "两个", 2, None, "", "个", "社区"),
        ("项目投资20.35亿元。", "20.35亿元", 20.35, None, "", "亿元", "项目投资"),
        ("發放宣傳資料2萬份。", "2萬份", 20000, None, "", "份", "宣傳資料"),
        ("争取项目资金1.5万元。", "1.5万元", 1.5, None, "", "万元", "项目资金"),
        # Who the people are, as the labels name them (參與群眾達6000多人次 → 參與群眾).
        ("参加群众约3000人。", "3000人", 3000, None, "约", "人", "参加群众"),
        ("十二个乡镇参与其中。", "十二个", 12, None, "", "个", "乡镇"),
        ("每期培训3-5天。", "3-5天", 3, 5, "", "天", "培训"),
        ("参加培训的农民达1,200人次以上。", "1,200人次以上", 1200, None, "以上", "人次", "农民"),
        ("合格率达到98.5%。", "98.5%", 98.5, None, "", "%", "合格率"),
        # A bare number in myriads before a noun is a figure with no unit; percentage
        # points and courses have their own measure words.
        ("全县近3万中小学生观看。", "3万", 30000, None, "近", "", "中小学生"),
        ("普及率较上年提高2.5个百分点。", "2.5个百分点", 2.5, None, "", "个百分点", "普及率"),
        ("开设科普课程12门。", "12门", 12, None, "", "门", "科普课程"),
    ],
)
def test_figures_are_read_as_written_in_either_script(
    sentence: str, written: str, value: float, high: float | None, qualifier: str, unit: str,
    counted: str,
) -> None:  # fmt: skip
    [figure] = extract_figures(sentence)
    assert (figure.written, figure.value, figure.value_high, figure.qualifier, figure.unit,
            figure.counted) == (written, value, high, qualifier, unit, counted)  # fmt: skip
    assert sentence[figure.start : figure.end] == figure.written


@pytest.mark.parametrize(
    "sentence",
    [
        "20xx年，我镇开展第一次科普日活动。",
        "把科协工作推上一个更新的台阶。",
        "深入开展科技三下乡，积极服务五城联创。",
        "认真贯彻党的十八大精神，一是加强领导。",
        "编号2023的档案已归档。",
        "跟着科普部的每一个干事一起奋斗。",
        "能在科协这样一个大家庭里工作很幸福。",
        "这是一个成功的活动。",
    ],
)
def test_years_ordinals_names_and_idioms_are_no_figures(sentence: str) -> None:
    assert extract_figures(sentence) == []


def test_one_of_a_kind_counts_where_nothing_makes_it_every_or_a() -> None:
    [figure] = extract_figures("镇科协在原有一个科普惠农活动中心的基础上又建了新馆。")
    assert (figure.written, figure.value) == ("一个", 1.0)


def test_the_event_is_the_sentences_or_else_the_headings() -> None:
    [in_sentence] = extract_figures("全国科普日期间共举办讲座5场。", "三、科技活动周")
    [from_heading] = extract_figures("共举办讲座5场。", "三、科技活动周")
    assert (in_sentence.event, from_heading.event) == ("全国科普日", "科技活动周")
    assert extract_figures("共举办讲座5场。")[0].event == ""


def test_dates_are_found_as_written() -> None:
    sentence = "9月15日至17日举办展览，5月下旬开展宣传，科技活动周期间送书上门。"
    assert extract_dates(sentence) == ["9月15日至17日", "5月下旬", "科技活动周期间"]


@pytest.mark.parametrize("sentence", ["按照规范3.1.2条执行。", "版本1.2.3.4份文件"])
def test_clause_numbers_are_no_figures_and_never_fail(sentence: str) -> None:
    assert extract_figures(sentence) == []


@pytest.mark.parametrize(
    ("sentence", "heading", "event"),
    [
        ("受培人数达到1201人次。", "三、加强了科技培训", "科技培训"),
        ("共下拨经费20万元。", "3、组织实施公民科学素质调查工作。", "公民科学素质调查"),
        ("如在暑期举行了绿色网上活动，有650人次参加了学习培训。", "（三）加强宣传", "绿色网上活动"),
        # Words before an activity noun that no verb opens say what was done, not where.
        ("去年落实经费7500元，专款用于技术推广等活动。", "一、领导重视", ""),
        ("共举办讲座5场。", "一、加强组织领导", ""),
    ],
)
def test_the_event_falls_back_on_an_activity_the_heading_or_a_verb_names(
    sentence: str, heading: str, event: str
) -> None:
    assert extract_figures(sentence, heading)[0].event == event


@pytest.mark.parametrize(
    ("sentence", "value", "high", "unit"),
    [
        ("投入经费1-2万元。", 1, 2, "万元"),  # 万 once, on the upper end, holds for both
        ("受益群众3-5万人次。", 30_000, 50_000, "人次"),
    ],
)
def test_a_range_with_its_myriad_written_once_is_read_whole(
    sentence: str, value: float, high: float, unit: str
) -> None:
    (figure,) = extract_figures(sentence)
    assert (figure.value, figure.value_high, figure.unit) == (value, high, unit)


def test_a_campaign_in_the_figures_own_clause_is_its_event() -> None:
    figures = extract_figures("组织10家企业参加重庆高交会，20家企业参加博览会。", "五、科技活动周")
    # The name a verb opens in front of the campaign's kind is the campaign's (重庆高交会).
    assert [f.event for f in figures] == ["重庆高交会", "博览会"]


@pytest.mark.parametrize(
    ("sentence", "written", "counted"),
    [
        # Brackets inside a noun phrase, and an aside in brackets right after the figure.
        ("建成8个乡(镇)科普站。", "8个", "乡(镇)科普站"),
        ("设立科普画廊(橱窗)、宣传栏9处。", "9处", "科普画廊(橱窗)、宣传栏"),
        ("建成科普活动室(站)12个。", "12个", "科普活动室(站)"),
        ("新建12所(占全县的三成)农村小学。", "12所", "农村小学"),
        # A quoted name, or a noun phrase after 的, right after the figure.
        ("举办三期“果树修剪技术培训班”。", "三期", "果树修剪技术培训班"),
        ("捐赠价值5万元的图书。", "5万元", "图书"),
        ("组建30人的志愿服务队。", "30人", "志愿服务队"),
        # The last figure of a list of figures: 的 speaks of the whole list.
        ("获金奖2个、银奖5个的好成绩。", "5个", "银奖"),
        # A lone verb of one character before a noun is a verb, not part of a word.
        ("获金奖2个、银奖5个的好成绩。", "2个", "金奖"),
        # Modifiers open a phrase; a head count ends at a person, 所 at a school.
        ("表彰28名优秀辅导员。", "28名", "优秀辅导员"),
        ("组织1200名退休职工体检。", "1200名", "退休职工"),
        ("组织1200名在职教师参加轮训。", "1200名", "在职教师"),
        ("25所乡村学校教师全部轮训。", "25所", "乡村学校"),
        # An event count counts an action, its verb included, but not a verb with 了.
        ("更换宣传橱窗6次。", "6次", "更换宣传橱窗"),
        ("共举办展览8场次。", "8场次", "展览"),
        ("专家两次深入基层指导。", "两次", "深入基层指导"),
        ("工作人员四次走访贫困户。", "四次", "走访贫困户"),
        ("已发行了20期。", "20期", ""),
        # Lists: middle items whatever jieba tags them, the kind after 等, joined nouns, titles.
        ("发放挂历、春联等年货2000份。", "2000份", "年货"),
        ("发放宣传单、手册、挂图等资料2000份。", "2000份", "资料"),
        ("聘请农学、植保等方面专家12名。", "12名", "专家"),
        ("发放宣传单、手册3000份。", "3000份", "宣传单、手册"),
        # The verb that handles the counted thing is no part of it; one naming a kind of
        # person or thing stays (兼职, 培训教材).
        ("招募讲解员45名。", "45名", "讲解员"),
        ("新建科普长廊3处。", "3处", "科普长廊"),
        ("培训农村妇女800人次。", "800人次", "农村妇女"),
        ("编印培训教材5000册。", "5000册", "培训教材"),
        ("现有兼职科普辅导员26名。", "26名", "兼职科普辅导员"),
        ("累计受益居民3000余人次。", "3000余人次", "受益居民"),
        ("争取建设资金50万元。", "50万元", "建设资金"),
        # A modifier saying which kind opens the phrase; one saying how much does not.
        ("推广高效栽培、病虫防控等新技术9项。", "9项", "新技术"),
        ("获省级一等奖2项。", "2项", "省级一等奖"),
        ("发放大量宣传资料3000份。", "3000份", "宣传资料"),
        ("落实科普经费8万元。", "8万元", "科普经费"),
        ("本年度完成轮训学员320名。", "320名", "轮训学员"),
        ("本年度在读研究生45人。", "45人", "在读研究生"),
        ("通过远程教育平台培训党员干部400余人。", "400余人", "党员干部"),
        ("邀请专家作科普报告6场。", "6场", "科普报告"),
        # A bare figure in myriads before a noun; a locative after it is no part of it.
        ("全县1.2万中学生中，有8000人参加竞赛。", "1.2万", "中学生"),
        ("全县达标率为88%，高于全省平均水平3个百分点。", "3个百分点", "达标率"),
        # A change or a comparison counts what changed; a share with no base its subject.
        ("全年投入经费12万元，比上年增加3万元。", "3万元", "经费"),
        ("会员总数达到420人，较上年增加60人。", "60人", "会员总数"),
        ("覆盖率为35%，比上年提高4.5个百分点。", "4.5个百分点", "覆盖率"),
        ("其中女性会员90名，占21%。", "21%", "女性会员"),
        ("示范户亩产比周边农户高出10%。", "10%", "示范户亩产"),
        ("组织300名教师和家长参加培训。", "300名", "教师和家长"),
        ("3个小组和大家一起讨论。", "3个", "小组"),
        ("印发《安全用药手册》5000册。", "5000册", "安全用药手册"),
        ("编印宣传册《防灾知识》3000本。", "3000本", "宣传册"),
        # A share counts its base after 占, else what it is of; a growth rate its subject.
        ("学生人数占全县总数的15%。", "15%", "全县总数"),
        ("获奖作品占全市40%。", "40%", "获奖作品"),
        ("粮食总产量达到500万公斤，比上年增长12%。", "12%", "粮食总产量"),
        ("网络建设完成比例达到60%。", "60%", "网络建设完成比例"),
        # People counted by who they are or what they joined.
        ("约200人次参加了讲座。", "200人次", "参加了讲座"),
        ("参与群众达3000人次。", "3000人次", "参与群众"),
        # Single characters jieba splits off an unknown compound; a one-word clause.
        ("受训人数达到300人次。", "300人次", "受训人数"),
        ("其中小学12个，初中5个。", "5个", "初中"),
        # A verb before 量 names a measure (播放量); money spent is a noun jieba tags a verb;
        # a kind's suffix or a noun's last character cut off as a measure word (类, 袋).
        ("宣传片播放量达3万次。", "3万次", "宣传片播放量"),
        ("其中培训类支出5万元。", "5万元", "培训类支出"),
        ("赠送图书300册、环保袋200个。", "200个", "环保袋"),
        # Links and currencies between the counted and its sum; a conjunction opens nothing.
        ("但人均科普经费仅2元。", "2元", "人均科普经费"),
        ("活动经费共计港币5万元。", "5万元", "活动经费"),
        # Taking part names who is counted; a verb written as a kind; a bound of a rank;
        # those of a phrase before 的.
        ("参展企业45家。", "45家", "参展企业"),
        ("建成农业示范基地8个。", "8个", "农业示范基地"),
        ("其中高级以上职称12名。", "12名", "高级以上职称"),
        ("其中持有上岗证的30人。", "30人", "上岗证"),
    ],
)
def test_what_is_counted_follows_how_reports_phrase_it(
    sentence: str, written: str, counted: str
) -> None:
    (figure,) = [f for f in extract_figures(sentence) if f.written == written]
    assert figure.counted == counted


@pytest.mark.parametrize(
    ("sentence", "heading", "events"),
    [
        # An activity of the figure's own clause; what the other figures count is none.
        ("选派20名教师参加骨干教师培训，另有50名学生获奖。", "三、教师队伍", ["骨干教师培训", ""]),
        ("举办科普展览宣传5次，发放资料800份。", "一、宣传", ["", ""]),
        # A document's title or a place named after an activity is no event.
        ("下发《关于开展科普月活动的通知》，编印资料2000份。", "一、宣传", [""]),
        ("在科普活动中心发放资料500份。", "一、宣传", [""]),
        ("开展科普活动中心建设，配备图书2000册。", "一、设施", [""]),
        # A figure counting activities is no count at the heading's other activity.
        ("举办培训班6期。", "二、加强农民培训", [""]),
        ("举办科普讲座6场。", "一、科普讲座", ["科普讲座"]),
        # 在…工作中 names the activity; a campaign by its kind alone takes the name the
        # sentence gives it in full, and a verb opens a campaign's full name.
        ("镇科协在科普示范村创建工作中新建画廊3处。", "一、设施", ["科普示范村创建"]),
        ("围绕“2023年科普活动周”主题，活动周期间发放资料300份。", "一、宣传", ["科普活动周"]),
        ("参加全省青少年科技创新大赛，获奖3项。", "二、组织", ["全省青少年科技创新大赛"]),
        # An activity named after the figure in another clause is a purpose, no event.
        ("发放资料300份，为开展科普宣传活动打下基础。", "二、组织", [""]),
        # A two-character verb opens the heading's activity whole; a contest is named by
        # what it is of, without its edition; a kind of item or spending is no campaign.
        ("发放资料500份。", "二、抓实农村实用技术培训", ["农村实用技术培训"]),
        ("发放资料800份。", "三、大力开展防灾知识普及行动", ["防灾知识普及行动"]),
        # A heading that only names a line of work names where its figures were counted.
        ("建成示范园5个。", "二、林果技术示范", ["林果技术示范"]),
        ("受益学生900人次。", "（三）科普进课堂", ["科普进课堂"]),
        ("发放资料200份。", "一、健全组织网络，夯实科普基础", [""]),
        ("在2023年全市中学生物理竞赛中获奖6项。", "三、竞赛", ["全市中学生物理竞赛"]),
        ("在今年全国青少年科技创新大赛中获奖2项。", "三、竞赛", ["全国青少年科技创新大赛"]),
        ("组织学生参加第十二届市科技创新大赛，获奖4项。", "三、竞赛", ["市科技创新大赛"]),
        ("学校第五届科技节设比赛项目8个。", "二、科技节活动", ["科技节"]),
        ("其中竞赛类支出3万元。", "四、经费", [""]),
        # Who took part in a campaign were counted at it, though what is counted names it.
        ("参加市中学生物理竞赛的达300人。", "三、青少年科技教育", ["市中学生物理竞赛"]),
    ],
)
def test_the_event_is_the_figures_own_clause_sentence_or_heading(
    sentence: str, heading: str, events: list[str]
) -> None:
    assert [f.event for f in extract_figures(sentence, heading)] == events
