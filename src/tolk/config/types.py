"""Field types the settings share: language lists and tags, secrets."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    BeforeValidator,
    SecretStr,
)
from pydantic_settings import (
    NoDecode,
)

from tolk import languages
from tolk.core import TolkError
from tolk.formality import Formality


def _language_list(value: Any) -> Any:
    """`es,ko` (the environment) or a list, each normalised: `zh_cn` -> `zh-CN`."""
    try:
        if isinstance(value, str):
            return languages.parse_list(value)
        return [languages.normalize(v) for v in value] if isinstance(value, list) else value
    except TolkError as exc:
        raise ValueError(str(exc)) from None


LanguageList = Annotated[list[str], NoDecode, BeforeValidator(_language_list)]


def _language(value: Any) -> Any:
    try:
        return languages.normalize(str(value))
    except TolkError as exc:
        raise ValueError(str(exc)) from None


LanguageTag = Annotated[str, BeforeValidator(_language)]


def _secret_list(value: Any) -> Any:
    """One secret or several; empty ones (an unset ${VAR}) dropped."""
    if isinstance(value, str):
        value = [value]
    return [v for v in value if v] if isinstance(value, list) else value


SecretList = Annotated[list[SecretStr], BeforeValidator(_secret_list)]


def _formality(value: Any) -> Any:
    """One value for every language, or a table by language: checked, stored as a table."""
    if value is None or isinstance(value, str | dict):
        try:
            return dict(Formality.parse(value).by_lang)
        except TolkError as exc:
            raise ValueError(str(exc)) from None
    return value


FormalityTable = Annotated[dict[str, str], BeforeValidator(_formality)]
