import pytest

from knowledge.normalize import Normalizer, detect_script, load_variants, query_terms


@pytest.mark.parametrize(
    ("original", "normalized"),
    [
        ("各社群工作站", "各社区工作站"),
        ("市實驗國小舉辦", "市实验小学举办"),
        ("貴陽科技資訊港", "贵阳科技信息港"),
        ("科協管理網路體系", "科协管理网络体系"),
        ("县科协科普工作总结", "县科协科普工作总结"),
        ("PPT、PS", "ppt、ps"),
    ],
)
def test_normalize_maps_traditional_and_taiwan_phrasing_to_simplified(
    normalizer: Normalizer, original: str, normalized: str
) -> None:
    assert normalizer.normalize(original) == normalized


def test_variant_file_is_user_editable(tmp_path) -> None:
    variants = tmp_path / "variants.txt"
    variants.write_text("# comment\n楼栋 楼宇  # trailing comment\n", encoding="utf-8")
    assert Normalizer(load_variants(variants)).normalize("科普进楼栋") == "科普进楼宇"


def test_query_terms_drop_question_words() -> None:
    assert query_terms("乡镇是怎么开展科普日活动的？") == ["乡镇", "开展", "科普", "科普日", "活动"]


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("縣科協科普工作總結", "traditional"),
        ("县科协科普工作总结", "simplified"),
        ("科普", "simplified"),
    ],
)
def test_detect_script(text: str, script: str) -> None:
    assert detect_script(text) == script


def test_remembered_hmm_paths_give_jiebas_own_words_and_tags() -> None:
    import jieba
    import jieba.finalseg
    import jieba.posseg

    from knowledge.normalize import prepare_jieba, tagged_words
    from tests.paths import BUNDLED

    prepare_jieba()
    tagged_words("测试")  # remembers posseg's paths too
    lines = [
        line
        for path in sorted(BUNDLED.glob("*.txt"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    remembered = (jieba.finalseg.viterbi, jieba.posseg.viterbi)
    assert all(getattr(v, "__wrapped__", None) for v in remembered)
    twice = [(tagged_words(t), list(jieba.cut_for_search(t))) for t in lines * 2]
    jieba.finalseg.viterbi = remembered[0].__wrapped__
    jieba.posseg.viterbi = remembered[1].__wrapped__
    try:
        plain = [
            ([(p.word, p.flag) for p in jieba.posseg.cut(t)], list(jieba.cut_for_search(t)))
            for t in lines
        ]
    finally:
        jieba.finalseg.viterbi, jieba.posseg.viterbi = remembered
    assert twice == plain * 2


def test_shared_routes_give_jiebas_own_words_and_tags() -> None:
    import jieba
    import jieba.posseg

    from knowledge.normalize import Normalizer, forget_routes, load_variants, prepare_jieba
    from tests.paths import BUNDLED

    prepare_jieba()
    normalizer = Normalizer(load_variants())
    lines = [
        line
        for path in sorted(BUNDLED.glob("*.txt"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    lines += [normalizer.normalize(line) for line in lines]

    def cuts() -> list[tuple[list[str], list[tuple[str, str]], list[str]]]:
        return [
            (
                list(jieba.cut_for_search(text)),
                [(p.word, p.flag) for p in jieba.posseg.cut(text, HMM=False)],
                list(jieba.cut(text, cut_all=True)),
            )
            for text in lines
        ]

    forget_routes()
    shared = cuts() + cuts()  # the second time from remembered routes
    own = jieba.dt.__dict__
    assert "get_DAG" in own and "calc" in own
    replaced = own.pop("get_DAG"), own.pop("calc")
    try:
        plain = cuts()
    finally:
        own["get_DAG"], own["calc"] = replaced
    assert shared == plain * 2


def test_shared_routes_follow_added_words() -> None:
    import jieba

    from knowledge.normalize import add_known_words, prepare_jieba

    prepare_jieba()
    text = "黄华麒瑛又来了"
    assert "黄华麒瑛" not in list(jieba.cut(text, HMM=False))  # its route is remembered
    add_known_words(["黄华麒瑛"])
    assert "黄华麒瑛" in list(jieba.cut(text, HMM=False))
