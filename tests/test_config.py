from pathlib import Path

import pytest

from tolk import config
from tolk.core import ConfigError


def test_works_without_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TOLK_CONFIG", raising=False)
    monkeypatch.delenv("TOLK_DB", raising=False)
    s = config.load()
    assert "apertium" in s.engines
    assert s.engines["apertium"].kind == "apertium"
    assert s.store == "sqlite:///tolk.db"


def test_file_env_expansion_and_overrides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_KEY", "sk-test-secret-value")
    monkeypatch.setenv("TOLK_DEFAULT_ENGINE", "qwen")
    conf = tmp_path / "tolk.toml"
    conf.write_text(
        'default_engine = "apertium"\ntargets = ["es", "ko_KR"]\n'
        '[engines.qwen]\nkind = "qwen-mt"\nmodel = "qwen-mt-turbo"\nbase_url = "http://x/v1"\n'
        'api_keys = ["${MY_KEY}", "${UNSET_KEY}"]\nrpm = 60\n'
    )
    s = config.load(conf, db="sqlite:///other.db")
    assert s.default_engine == "qwen"  # environment beats the file
    assert s.targets == ["es", "ko"]
    assert s.store == "sqlite:///other.db"
    keys = s.engines["qwen"].api_keys
    assert [k.get_secret_value() for k in keys] == ["sk-test-secret-value"]  # unset var dropped
    assert "sk-test-secret-value" not in repr(s)
    assert "sk-test-secret-value" not in str(s.model_dump())


def test_tolk_config_and_tolk_db_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    conf = tmp_path / "x.toml"
    conf.write_text('targets = ["ja"]\n')
    monkeypatch.setenv("TOLK_CONFIG", str(conf))
    monkeypatch.setenv("TOLK_DB", "sqlite:///env.db")
    s = config.load()
    assert s.targets == ["ja"]
    assert s.store == "sqlite:///env.db"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("targets = [", "x.toml"),
        ('[engines.a]\nkind = "nope"\n', "engines.a.kind"),
        ('[engines.a]\nkind = "openai"\nrpmm = 3\n', "engines.a.rpmm"),
        ('targets = ["klingon"]\n', "targets"),
    ],
)
def test_bad_config_names_file_and_field(tmp_path: Path, content: str, message: str) -> None:
    conf = tmp_path / "x.toml"
    conf.write_text(content)
    with pytest.raises(ConfigError, match=message):
        config.load(conf)


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        config.load(tmp_path / "nope.toml")


def test_unknown_engine_name() -> None:
    s = config.load(None)
    with pytest.raises(ConfigError, match="no engine named 'x'"):
        s.pick_engine("x")


def test_fingerprint_ignores_keys_and_limits() -> None:
    a = config.EngineSettings(kind="openai", model="m", api_keys=["k1"], rpm=10)
    b = config.EngineSettings(kind="openai", model="m", api_keys=["k2"], rpm=99)
    c = config.EngineSettings(kind="openai", model="m2")
    assert a.fingerprint() == b.fingerprint() != c.fingerprint()


def test_nested_env_overrides_merge_into_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    conf = tmp_path / "x.toml"
    conf.write_text('[engines.qwen]\nkind = "qwen-mt"\nmodel = "m"\nrpm = 60\n')
    monkeypatch.setenv("TOLK_ENGINES__QWEN__RPM", "30")
    monkeypatch.setenv("TOLK_TARGETS", "es, ko_KR")
    s = config.load(conf)
    assert (s.engines["qwen"].rpm, s.engines["qwen"].model) == (30, "m")
    assert s.targets == ["es", "ko"]


def test_unparsable_env_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOLK_ENGINES", "{not json")
    with pytest.raises(ConfigError, match="environment"):
        config.load(None)


def test_a_config_saved_with_a_byte_order_mark_loads(tmp_path: Path) -> None:
    path = tmp_path / "tolk.toml"
    path.write_bytes('\ufefftargets = ["es", "ko"]\n'.encode())  # Notepad's "UTF-8 with BOM"
    assert config.load(path).targets == ["es", "ko"]
