"""Random hostile values for every field, and random hostile mail: each is refused with a reason, or
kept as a value that obeys its field's rules and reads back from the file unchanged.

`make soak` runs 20,000 trials of each; `make test` runs 300 (a few seconds).
"""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from obm_tui.importers.mail import MailMessage, odd_field, parse_message
from obm_tui.model.fields import LINE_BREAKS, MAX_AMOUNT, MAX_LINE, MAX_WHOLE, Field, FieldValueError
from obm_tui.model.inputs import parse_input
from obm_tui.model.kinds import KINDS
from obm_tui.model.records import validate
from obm_tui.vault.frontmatter import read_document
from obm_tui.vault.frontmatter_edit import new_document

PIECES = [*"abcXYZ0123456789", "٣", "３", "๓", "-", "+", ".", ",", "@", "<", ">", ":", '"', "'", " ", "\t", "e",
          "[[", "]]", "$", "Bcc: eve@example.com", "maya@example.com", "1000000000", "99999999999", "0.001",
          *LINE_BREAKS, "\r\n", "x" * 600]
FIELDS = [(kind, spec) for kind in KINDS.values() for spec in kind.all_fields
          if spec.name not in ("type", "id") and spec.type != "any"]


def hostile(rng: random.Random) -> str:
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 8)))


def field_trial(rng: random.Random) -> str:
    """One value for one field: 'refused' or 'kept' (and then every rule held)."""
    kind, spec = rng.choice(FIELDS)
    text = hostile(rng)
    try:
        raw = parse_input(spec, text)
    except FieldValueError as exc:
        assert str(exc) and "\n" not in str(exc)
        return "refused"
    if raw is not None:
        obeys_its_rules(spec, raw)
        reads_back(kind.name, spec, raw)
    return "kept"


def obeys_its_rules(spec: Field, raw: object) -> None:
    items = raw if isinstance(raw, list) else [raw]
    if spec.type != "text":
        assert not any(isinstance(i, str) and (set(i) & set(LINE_BREAKS) or len(i) > MAX_LINE) for i in items), raw
    if spec.type == "int":
        assert str(raw).lstrip("+-").isascii() and abs(int(str(raw))) <= MAX_WHOLE, raw
    if spec.type == "money":
        amount = Decimal(str(raw))
        assert str(raw).isascii() and abs(amount) <= MAX_AMOUNT and -amount.as_tuple().exponent <= 2, raw


def reads_back(kind: str, spec: Field, raw: object) -> None:
    data = {"type": kind, "id": "x", spec.name: raw}
    back = read_document(new_document(data, "\n")).data
    assert back[spec.name] == raw
    assert not [reason for name, reason in validate(KINDS[kind], back, "x") if name == spec.name]


HEADERS = ["Subject", "From", "Message-ID", "References", "In-Reply-To", "Date", "X-Odd"]


def mail_trial(rng: random.Random) -> str:
    """One hostile message: never an exception; refused with a reason, or fields fit for a ticket."""
    lines = [f"{rng.choice(HEADERS)}: {hostile(rng) * rng.choice((1, 1, 50, 3000))}" for _ in range(rng.randint(1, 5))]
    body = hostile(rng) * rng.choice((1, 10))
    found = parse_message(("\n".join(lines) + "\n\n" + body).encode("utf-8", "surrogatepass"), "m.eml")
    if not isinstance(found, MailMessage):
        assert found.reason and "\n" not in found.reason
        return "refused"
    assert odd_field(found) == ""
    assert not set(found.subject + found.from_name + found.from_addr) & set(LINE_BREAKS)
    return "kept"


def run(trial, count: int, seed: int) -> dict[str, int]:  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    tally = {"refused": 0, "kept": 0}
    for _ in range(count):
        tally[trial(rng)] += 1
    print(f"{trial.__name__}: {count} trials, {tally['refused']} refused, {tally['kept']} kept")
    return tally


@pytest.mark.parametrize("trial", [field_trial, mail_trial])
def test_hostile_values_short(trial) -> None:  # type: ignore[no-untyped-def]
    tally = run(trial, 300, seed=1)
    assert tally["refused"] and tally["kept"]


@pytest.mark.soak
@pytest.mark.parametrize("trial", [field_trial, mail_trial])
def test_hostile_values_soak(trial) -> None:  # type: ignore[no-untyped-def]
    tally = run(trial, 20_000, seed=20261202)
    assert tally["refused"] and tally["kept"]
