import pytest

from tolk import languages
from tolk.core import InputError


@pytest.mark.parametrize(
    ("raw", "tag"),
    [
        ("zh-CN", "zh-CN"),
        ("zh_Hans", "zh-CN"),
        ("zh-Hans-CN", "zh-CN"),
        ("zh", "zh-CN"),
        ("zh-Hant", "zh-TW"),
        ("zh_TW", "zh-TW"),
        ("pt-BR", "pt-BR"),
        ("pt_br", "pt-BR"),
        ("ko_KR", "ko"),
        ("KO", "ko"),
        ("ja-JP", "ja"),
        ("es-MX", "es-MX"),
        ("es_mx", "es-MX"),
        ("de-AT", "de-AT"),
        ("de-DE", "de"),  # Germany is where German is written anyway: one language, not two
        ("sr-Latn", "sr-Latn"),
        ("sr-Cyrl", "sr"),
        ("en-Latn", "en"),
        ("es-419", "es-419"),
        ("Spanish", "es"),
        ("spa", "es"),
        ("eng", "en"),
        ("iw", "he"),
        ("ms-MY", "ms"),
        (" th ", "th"),
    ],
)
def test_normalises_common_spellings(raw: str, tag: str) -> None:
    assert languages.normalize(raw) == tag


@pytest.mark.parametrize("raw", ["klingon", "xx", "en--", "", "auto", "es-XX", "xx-MX"])
def test_unknown_language_is_a_clear_error(raw: str) -> None:
    with pytest.raises(InputError, match="unknown language"):
        languages.normalize(raw)


def test_auto_only_where_allowed() -> None:
    assert languages.normalize("AUTO", allow_auto=True) == "auto"


def test_covers_the_92_languages_of_qwen_mt() -> None:
    assert len(languages.QWEN_MT_TAGS) == 92
    assert len(set(languages.QWEN_MT_TAGS)) == 92
    for tag in languages.QWEN_MT_TAGS:
        assert languages.normalize(tag) == tag
        assert languages.get(tag).name


def test_a_variant_the_table_lacks_is_its_languages() -> None:
    assert languages.get("es-MX").name == "Spanish (Mexico)" and languages.get("es-MX").iso3 == "spa"
    assert languages.known("es-MX") and languages.known("pt-BR") and not languages.known("xx-MX")
    assert languages.base("es-MX") == "es" and languages.base("zh-TW") == "zh-TW"


def test_engine_names() -> None:
    assert languages.get("zh-TW").name == "Traditional Chinese"
    assert languages.get("es").iso3 == "spa"
    assert languages.get("en").iso3 == "eng"


def test_parse_list_dedupes_and_keeps_order() -> None:
    assert languages.parse_list("es, ko,zh_Hans,es") == ["es", "ko", "zh-CN"]
    with pytest.raises(InputError):
        languages.parse_list(" , ")
