"""Fuzzing the HTTP API from its own OpenAPI schema (schemathesis, bounded): no input gives a 5xx.

The app runs under uvicorn on a local port with a seeded store; every operation is called with an
admin token so the generated inputs reach the handlers, not just the authorization check. Each
operation is its own test (schemathesis strategies driven by hypothesis directly: its pytest plugin
does not load under this pytest).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tolk.api import auth
from tolk.api.app import create_app
from tolk.config import Settings
from tolk.store.repo import Store

from .conftest import serving
from .test_browser import seed

ENGINES = {"dummy": {"kind": "dummy", "external": False}}
SCHEMA = schemathesis.openapi.from_dict(
    create_app(Settings(default_engine="dummy", engines=ENGINES)).openapi()
)
OPERATIONS = {op.label: op for op in (found.ok() for found in SCHEMA.get_all_operations())}  # type: ignore[union-attr]
EXAMPLES = 40


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    folder: Path = tmp_path_factory.mktemp("fuzz")
    db = f"sqlite:///{folder / 'tolk.db'}"
    store = Store(db)
    seed(store)
    admin = {"Authorization": "Bearer " + auth.create(store, "fuzz", auth.Role.admin, [])}
    store.close()
    app = create_app(Settings(default_engine="dummy", engines=ENGINES, store=db))
    with serving(app) as base:
        yield base, admin


def test_every_operation_is_fuzzed() -> None:
    assert len(OPERATIONS) >= 18  # the schema lost routes? then this test lost its reach


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_no_input_gives_a_server_error(served: tuple[str, dict[str, str]], label: str) -> None:
    base, admin = served

    operation = OPERATIONS[label]
    examples = operation.get_strategies_from_examples()  # the schema's own examples reach the handlers

    @given(case=st.one_of(operation.as_strategy(), *examples))
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def call(case: Any) -> None:
        response = case.call(base_url=base, headers=admin, timeout=30)
        assert response.status_code < 500, f"{label}: {response.status_code} {response.text[:300]}"

    call()


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(
    texts=st.lists(st.text(min_size=1, max_size=300).filter(str.strip), min_size=1, max_size=5),
    target=st.sampled_from(["es", "ko", "ja", "zh-CN", "th"]),
    glossary=st.dictionaries(
        st.text(min_size=1, max_size=20).filter(str.strip), st.text(max_size=20), max_size=3
    ),
)
def test_any_text_translates_without_a_server_error(
    served: tuple[str, dict[str, str]], texts: list[str], target: str, glossary: dict[str, str]
) -> None:
    """Past validation: arbitrary Unicode (controls, markup, any script) through engine and gate."""
    import httpx

    base, admin = served
    body = {"text": texts, "target": target, "glossary": glossary}
    response = httpx.post(f"{base}/v1/translate", json=body, headers=admin, timeout=30)
    assert response.status_code in (200, 422), response.text[:300]
    if response.status_code == 200:
        assert len(response.json()["translations"]) == len(texts)
