"""The sample vault (the demo, the docs' examples) is valid, consistent and fully documented.

Every record file parses with the strict reader, carries the type of its folder and the id of its
file name, has its required fields, and every field value converts with its schema Field.
Every wiki link in front matter points at a record that exists. Every field of every kind is
documented in docs/vault-format.md. The starter processes shipped in templates/ are the ones
in the sample vault.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from obm_tui.model.fields import LINK_RE, Field, FieldValueError
from obm_tui.model.kinds import COMMON, KIND_BY_FOLDER, KINDS, Kind
from obm_tui.vault.frontmatter import BOM, has_front_matter, read_document

REPO = Path(__file__).resolve().parents[2]
VAULT = REPO / "vault"
TEMPLATES = REPO / "templates"
FORMAT_DOC = REPO / "docs" / "vault-format.md"
CROCKFORD = "0-9A-HJKMNP-TV-Z"
SERIAL_RE = re.compile(rf"^(?P<prefix>[A-Z]+)-(?P<day>\d{{6}})-[{CROCKFORD}]{{3}}$")
EVENT_RE = re.compile(r"^\d{4}-\d{2}-\d{2}-[a-z0-9-]+-[0-9a-hjkmnp-tv-z]{3}$")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
RUN_RE = re.compile(r"^(?P<day>\d{4}-\d{2}-\d{2})-(?P<rest>[a-z0-9-]+)$")
SKU_RE = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,39}$")


def record_files() -> list[Path]:
    """Every `.md` file directly inside a kind's folder of the sample vault."""
    return sorted(p for folder in KIND_BY_FOLDER for p in (VAULT / folder).glob("*.md"))


def rel(path: Path) -> str:
    return path.relative_to(VAULT).as_posix()


def load(path: Path) -> dict[str, Any]:
    return read_document(path.read_bytes()).data


RECORDS = record_files()
ALL_DATA = {rel(p): load(p) for p in RECORDS}
IDS = {(KIND_BY_FOLDER[p.parent.name].name, ALL_DATA[rel(p)]["id"]) for p in RECORDS}
ALL_IDS = {record_id for _, record_id in IDS}


def id_matches_file(kind: Kind, record_id: str, stem: str) -> bool:
    """The file name is the id; serial kinds may add `-<slug>` (`T-261123-K7Q-refund`)."""
    return stem == record_id or (kind.id_style == "serial" and stem.startswith(record_id + "-"))


@pytest.mark.parametrize("path", RECORDS, ids=rel)
def test_record_is_valid(path: Path) -> None:
    kind = KIND_BY_FOLDER[path.parent.name]
    data = ALL_DATA[rel(path)]
    assert data.get("type") == kind.name
    assert isinstance(data.get("id"), str) and id_matches_file(kind, data["id"], path.stem)
    for spec in kind.all_fields:
        raw = data.get(spec.name)
        if raw is None:
            assert not spec.required, f"{spec.name} is required"
            continue
        try:
            spec.convert(raw)
        except FieldValueError as exc:
            pytest.fail(f"{rel(path)}: {spec.name}: {exc}")


@pytest.mark.parametrize("path", RECORDS, ids=rel)
def test_id_has_the_shape_of_its_kind(path: Path) -> None:
    kind = KIND_BY_FOLDER[path.parent.name]
    record_id = ALL_DATA[rel(path)]["id"]
    shape = {
        "slug": SLUG_RE,
        "serial": SERIAL_RE,
        "event": EVENT_RE,
        "run": RUN_RE,
        "sku": SKU_RE,
    }[kind.id_style]
    assert shape.match(record_id), f"{record_id!r} is not a {kind.id_style} id"
    if kind.id_style == "serial":
        assert record_id.startswith(kind.id_prefix + "-")
    if kind.name == "product":
        assert record_id == ALL_DATA[rel(path)]["sku"]


def links_in(value: Any) -> list[str]:
    """Targets of every `[[link]]` in a front-matter value (strings, lists, mappings)."""
    if isinstance(value, str):
        match = LINK_RE.match(value.strip())
        return [match.group(1).strip()] if match else []
    if isinstance(value, list):
        return [target for item in value for target in links_in(item)]
    if isinstance(value, dict):
        return [target for item in value.values() for target in links_in(item)]
    return []


@pytest.mark.parametrize("path", RECORDS, ids=rel)
def test_front_matter_links_point_at_records(path: Path) -> None:
    kind = KIND_BY_FOLDER[path.parent.name]
    for name, value in ALL_DATA[rel(path)].items():
        spec = kind.field(name)
        for target in links_in(value):
            assert target in ALL_IDS, f"{name}: [[{target}]] is not a record"
            if spec is not None and spec.link_kind:
                assert (spec.link_kind, target) in IDS, f"{name}: [[{target}]] is not a {spec.link_kind}"


WIKI_IN_BODY = re.compile(r"\[\[([^\[\]|#]+)(?:#[^\[\]|]*)?(?:\|[^\[\]]*)?\]\]")


@pytest.mark.parametrize("path", RECORDS, ids=rel)
def test_body_links_point_at_records(path: Path) -> None:
    body = read_document(path.read_bytes()).body
    missing = [t for t in WIKI_IN_BODY.findall(body) if t.strip() not in ALL_IDS and not (VAULT / f"{t}.md").exists()]
    assert not missing


def test_every_kind_has_records() -> None:
    kinds = {kind for kind, _ in IDS}
    assert kinds == set(KINDS)


@pytest.mark.parametrize(
    ("kind", "field", "values"),
    [
        ("client", "status", {"lead", "onboarding", "current", "paused", "past"}),
        ("run", "status", {"active", "waiting", "done", "cancelled"}),
        ("ticket", "status", {"new", "open", "pending", "resolved", "closed"}),
        ("ticket", "priority", {"low", "normal", "high", "urgent"}),
        ("decline", "status", {"new", "contacted", "retrying", "recovered", "lost"}),
        ("invoice", "status", {"draft", "sent", "partly-paid", "paid", "void", "written-off"}),
        ("purchase-order", "status", {"draft", "ordered", "partial", "received", "cancelled"}),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_the_story_shows_every_state(kind: str, field: str, values: set[str]) -> None:
    seen = {data.get(field) for path, data in ALL_DATA.items() if path.startswith(KINDS[kind].folder + "/")}
    assert values <= seen


def test_human_mess_is_present_and_valid() -> None:
    raws = [p.read_bytes() for p in RECORDS]
    assert any(raw.startswith(BOM) for raw in raws), "a file with a BOM"
    assert any(b"\r\n" in raw for raw in raws), "a CRLF file"
    assert any(b"#" in read_document(raw).front_matter.encode() for raw in raws), "a comment in front matter"


def test_config_is_complete() -> None:
    config = tomllib.loads((VAULT / ".obm" / "config.toml").read_text(encoding="utf-8"))
    business = config["business"]
    assert (business["currency"], business["timezone"]) == ("USD", "America/New_York")
    assert {"care", "stock", "dunning", "rules"} <= set(config)
    processes = {data["id"] for path, data in ALL_DATA.items() if path.startswith("processes/")}
    assert {rule["start"] for rule in config["rules"]} <= processes
    assert config["dunning"]["process"] in processes


def test_foreign_notes_are_not_records() -> None:
    notes = [p for p in (VAULT / "notes").rglob("*.md")]
    assert notes
    assert any(not has_front_matter(p.read_bytes()) for p in notes)


def test_starter_processes_are_the_sample_vault_ones() -> None:
    starters = sorted(p.name for p in (TEMPLATES / "processes").glob("*.md"))
    assert len(starters) == 6
    for name in starters:
        assert (TEMPLATES / "processes" / name).read_bytes() == (VAULT / "processes" / name).read_bytes()


def template_files() -> list[Path]:
    return sorted(p for p in TEMPLATES.rglob("*.md") if p.parent.name != "processes")


@pytest.mark.parametrize("path", template_files(), ids=lambda p: p.relative_to(TEMPLATES).as_posix())
def test_templates_parse(path: Path) -> None:
    raw = path.read_bytes()
    if has_front_matter(raw):
        assert isinstance(read_document(raw).data, dict)
    else:
        raw.decode("utf-8")


def test_gitignore_keeps_derived_files_out() -> None:
    lines = (VAULT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert {".obm/cache/", ".~obm-*", ".obsidian/workspace*"} <= set(lines)


def kind_section(doc: str, heading: str) -> str:
    """The text of the doc's `### <heading>` section, up to the next heading of that level or higher."""
    match = re.search(rf"^### `?{re.escape(heading)}`?(?:\s|$).*$", doc, re.M)
    assert match, f"docs/vault-format.md has no ### {heading} section"
    end = re.search(r"^#{1,3} ", doc[match.end() :], re.M)
    return doc[match.end() : match.end() + end.start()] if end else doc[match.end() :]


DOCUMENTED = [("Common fields", spec) for spec in COMMON] + [
    (kind.name, spec) for kind in KINDS.values() for spec in kind.fields
]


@pytest.mark.parametrize(("section", "spec"), DOCUMENTED, ids=lambda v: v if isinstance(v, str) else v.name)
def test_every_field_is_documented(section: str, spec: Field) -> None:
    """Each field has a row `| `name` | type | required | default | allowed values | meaning |`."""
    text = kind_section(FORMAT_DOC.read_text(encoding="utf-8"), section)
    row = re.search(rf"^\| `{re.escape(spec.name)}` \|(.*)$", text, re.M)
    assert row, f"{section}: {spec.name} has no row in its table"
    cells = [cell.strip() for cell in row.group(1).split("|")]
    assert cells[0].split()[0] == spec.type, f"{spec.name}: documented type {cells[0]!r}, schema says {spec.type}"
    assert cells[1] == ("yes" if spec.required else "no"), f"{spec.name}: required is {spec.required}"
    assert all(f"`{choice}`" in cells[3] for choice in spec.choices), f"{spec.name}: allowed values differ"


def test_kind_sections_list_only_schema_fields() -> None:
    doc = FORMAT_DOC.read_text(encoding="utf-8")
    for kind in KINDS.values():
        rows = set(re.findall(r"^\| `([a-z_]+)` \|", kind_section(doc, kind.name), re.M))
        assert rows <= {spec.name for spec in kind.fields}, f"{kind.name}: {rows - {s.name for s in kind.fields}}"


def files_of(kind: str) -> list[Path]:
    return [p for p in RECORDS if p.parent.name == KINDS[kind].folder]


@pytest.mark.parametrize("path", files_of("product"), ids=rel)
def test_stock_ledger_adds_up(path: Path) -> None:
    from obm_tui.model import ledger

    doc = read_document(path.read_bytes())
    parsed = ledger.parse(doc.body)
    assert parsed.movements and not parsed.problems
    assert not ledger.check(parsed, int(doc.data["on_hand"]))


@pytest.mark.parametrize("path", files_of("ticket"), ids=rel)
def test_ticket_conversation_parses_and_matches_status(path: Path) -> None:
    from zoneinfo import ZoneInfo

    from obm_tui.model import conversation

    doc = read_document(path.read_bytes())
    parsed = conversation.parse(doc.body, ZoneInfo("America/New_York"))
    assert parsed.messages and not parsed.problems
    markers = [m.status for m in parsed.messages if m.status]
    assert (markers[-1] if markers else "new") == doc.data["status"]
