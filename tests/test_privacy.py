"""Personal data never reaches an external engine, and comes back in the translation (or goes to review).

The corpus is the project's own: product descriptions with seller notes carrying unique canary values
(e-mails, obfuscated e-mails, Korean and international phones, resident registration numbers, cards,
IBANs). A local stand-in of an OpenAI-compatible API records every request.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

import phonenumbers
import pytest

from tolk.store.models import Translation
from tolk.store.repo import Store
from tolk.testing.standin import Answer, StandIn, echo_translator
from tolk.text.pii import PiiMasker, iban_ok, luhn

from .conftest import run_tolk

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
CARDISH = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")


def card(rng: random.Random) -> str:
    digits = [4] + [rng.randrange(10) for _ in range(14)]
    for check in range(10):
        if luhn("".join(map(str, [*digits, check]))):
            raw = "".join(map(str, [*digits, check]))
            return " ".join(raw[i : i + 4] for i in range(0, 16, 4))
    raise AssertionError("no Luhn digit")


def iban(rng: random.Random) -> str:
    bban = "".join(str(rng.randrange(10)) for _ in range(18))
    for check in range(2, 99):
        candidate = f"DE{check:02d}{bban}"
        if iban_ok(candidate):
            return " ".join(candidate[i : i + 4] for i in range(0, len(candidate), 4))
    raise AssertionError("no IBAN check digits")


def corpus(n: int) -> tuple[list[dict[str, str]], dict[str, list[str]]]:
    """Products with planted personal data; the canaries each description carries."""
    rng = random.Random(7)
    rows, canaries = [], {}
    for i in range(n):
        values = {
            "email": f"seller{i}.canary{rng.randrange(10**6)}@shop-example.com",
            "obfuscated": f"owner{i} (at) canary{i} (dot) org",
            "phone": f"010-{rng.randrange(2000, 9999)}-{rng.randrange(1000, 9999)}",
            "intl": f"+44 20 7946 {rng.randrange(1000, 1999):04d}",
            "rrn": f"{rng.randrange(70, 99)}0{rng.randrange(1, 9)}1{rng.randrange(0, 9)}-{rng.choice('1234')}"
            f"{rng.randrange(100000, 999999)}",
            "card": card(rng),
            "iban": iban(rng),
        }
        kinds = rng.sample(sorted(values), 3)
        note = "; ".join(f"{k}: {values[k]}" for k in kinds)
        drop = "Fragile" if i % 10 == 0 else "Sturdy"  # the stand-in drops a value from every tenth
        rows.append(
            {
                "id": f"p{i}",
                "name": f"{drop} ceramic mug {i}",
                "description": f"Hand-made mug. Seller note: {note}. Ships in 2 days.",
            }
        )
        canaries[f"p{i}"] = [values[k] for k in kinds]
    return rows, canaries


def dropping_reply(body: dict[str, Any]) -> Answer:
    """Translates like the echo translator, but loses the first placeholder of 'Fragile' products."""
    answer = echo_translator(body)
    asked = json.loads(body["messages"][-1]["content"]).get("segments", [])
    fragile = {s["id"] for s in asked if "Fragile" in json.dumps(s)}  # the name travels as context
    data = json.loads(answer.content)
    for seg in data.get("translations", []):
        if seg["id"] in fragile and "[[" in seg["text"]:
            seg["text"] = re.sub(r"\[\[[A-Z]+_\d+\]\]", "", seg["text"], count=1)
    return Answer(content=json.dumps(data, ensure_ascii=False))


def test_no_personal_data_reaches_the_engine_and_all_of_it_comes_back(tmp_path: Path) -> None:
    rows, canaries = corpus(60)
    (tmp_path / "catalog.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    with StandIn(reply=dropping_reply) as server:
        (tmp_path / "tolk.toml").write_text(
            f'default_engine = "llm"\n[engines.llm]\nkind = "openai"\nmodel = "m"\n'
            f'base_url = "{server.base_url}"\nexternal = true\nbatch_size = 10\n[quality]\nrounds = 0\n'
        )
        done = run_tolk(
            "translate", "catalog.jsonl", "--to", "es", "--db", f"sqlite:///{tmp_path / 't.db'}", cwd=tmp_path
        )
        sent = "\n".join(json.dumps(r.body, ensure_ascii=False) for r in server.requests)
    assert done.returncode in (0, 1), done.stderr
    assert server.requests
    every = [v for values in canaries.values() for v in values]
    assert [v for v in every if v in sent] == []  # 0 canaries
    assert EMAIL.findall(sent) == []
    assert [c for c in CARDISH.findall(sent) if luhn(re.sub(r"\D", "", c))] == []
    assert [m.raw_string for m in phonenumbers.PhoneNumberMatcher(sent, "KR")] == []
    assert "[[EMAIL_1]]" in sent or "[[PHONE_1]]" in sent or "[[CARD_1]]" in sent
    assert "personal data masked" in done.stdout and "card" in done.stdout

    store = Store(f"sqlite:///{tmp_path / 't.db'}")
    with store.sessions() as session:
        found = {t.item_id: t for t in session.query(Translation).filter_by(field="description", lang="es")}
    store.close()
    restored = [i for i, t in found.items() if all(v in t.text for v in canaries[i])]
    in_review = [i for i, t in found.items() if t.status == "NEEDS_REVIEW" and "pii" in json.dumps(t.checks)]
    assert sorted(set(restored) | set(in_review)) == sorted(canaries)  # 100 %: back, or with a person
    assert sorted(in_review) == [f"p{i}" for i in range(0, 60, 10)]  # exactly the ones the engine damaged
    assert not set(restored) & set(in_review)


@pytest.mark.parametrize(
    ("text", "kinds"),
    [("write to kim.lee@example.co.kr today", {"EMAIL": 1}),
     ("kim (at) shop (dot) com or kim [at] shop [dot] co [dot] kr", {"EMAIL": 2}),
     ("call 010-1234-5678 or 02-312-3456 or +1 415 555 2671", {"PHONE": 3}),
     ("RRN 900101-1234567", {"RRN": 1}),
     ("card 4111 1111 1111 1111 but not 4111 1111 1111 1112", {"CARD": 1}),
     ("IBAN GB82 WEST 1234 5698 7654 32, not GB00 WEST 1234 5698 7654 32", {"IBAN": 1}),
     ("order 12345678, 59,900 KRW, size 270 mm, model RX-100", {})],
)  # fmt: skip
def test_detectors(text: str, kinds: dict[str, int]) -> None:
    masked = PiiMasker.build(["email", "phone", "rrn", "card", "iban"]).mask(text)
    assert dict(masked.kinds) == kinds
    assert masked.restore(masked.text) == (text, [])


def test_a_lost_repeated_or_invented_placeholder_is_named_not_shown() -> None:
    masked = PiiMasker.build(["email"]).mask("mail a@b.com or c@d.org")
    assert masked.text == "mail [[EMAIL_1]] or [[EMAIL_2]]"
    text, problems = masked.restore("correo [[EMAIL_1]] [[EMAIL_1]] [[EMAIL_3]]")
    assert problems == ["pii: [[EMAIL_1]] repeated", "pii: [[EMAIL_2]] lost", "pii: [[EMAIL_3]] invented"]
    assert "a@b.com" in text and not any("@" in p for p in problems)


def test_custom_patterns_and_local_engines(tmp_path: Path) -> None:
    masked = PiiMasker.build([], patterns={"order": r"ORD-\d{6}"}).mask("see ORD-123456")
    assert masked.text == "see [[ORDER_1]]"
    (tmp_path / "tolk.toml").write_text('[privacy]\npatterns = {order = "ORD-("}\n')
    bad = run_tolk("engines", "--config", "tolk.toml", cwd=tmp_path)
    assert (
        bad.returncode != 0
        and "privacy.patterns" in bad.stderr
        and "order: not a regular expression" in bad.stderr
    )
