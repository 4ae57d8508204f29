"""Reading record files: every bad input of RELIABILITY.md gives one FormatError with a line and a
reason, and the writer can never be handed such a file (it only takes a parsed Document)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from obm_tui.model.errors import FormatError
from obm_tui.vault.frontmatter import BOM, has_front_matter, read_document, split
from obm_tui.vault.frontmatter_edit import set_fields

OBSIDIAN = Path(__file__).resolve().parents[1] / "corpus" / "obsidian"
BILLION_LAUGHS = (
    b'---\nlol1: &lol1 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    + b"".join(
        b"lol%d: &lol%d [" % (i, i) + b", ".join([b"*lol%d" % (i - 1)] * 9) + b"]\n" for i in range(2, 10)
    )
    + b"---\nbody\n"
)


@pytest.mark.parametrize(
    ("raw", "line", "reason"),
    [
        pytest.param(b"---\ntype: client\nname: Fred\n", 1, "never closed", id="never-closed"),
        pytest.param(b"---\ntype: client\n-- \nbody\n", 1, "never closed", id="never-closed-near-miss"),
        pytest.param(b"", 1, "empty file", id="empty-file"),
        pytest.param(b" \n\r\n\t\n", 1, "empty file", id="blank-file"),
        pytest.param(b"# just a note\n", 1, "no front matter", id="no-front-matter"),
        pytest.param(b"---\ntags:\n\t- a\n---\n", 3, "YAML indents with spaces, not tabs", id="tab-indent"),
        pytest.param(b"---\nname: Fred\n\tstatus: open\n---\n", 3, "spaces, not tabs", id="tab-before-key"),
        pytest.param(b"---\nid: a\nname: A\nid: b\n---\n", 4, "duplicate key 'id'", id="duplicate-key"),
        pytest.param(b"---\na: &x 1\nb: *x\n---\n", 2, "aliases and anchors", id="alias"),
        pytest.param(BILLION_LAUGHS, 2, "aliases and anchors", id="billion-laughs"),
        pytest.param(b"---\na: " + b"[" * 30 + b"]" * 30 + b"\n---\n", 2, "nested deeper", id="deep-nesting"),
        pytest.param(
            b"---\na: " + b"[" * 100_000 + b"]" * 100_000 + b"\n---\n",
            2,
            "nested deeper than 20 levels",
            id="deep-nesting-100k",
        ),
        pytest.param(
            b"---\nx: 1\nrun: !!python/object/apply:os.system [echo hi]\n---\n",
            3,
            "is not allowed",
            id="python-tag",
        ),
        pytest.param(
            b"---\nobj: !!python/object:builtins.dict {}\n---\n", 2, "is not allowed", id="python-object"
        ),
        pytest.param(b"---\n- a\n- b\n---\n", 2, "not a list", id="front-matter-list"),
        pytest.param(b"---\njust text\n---\n", 2, "not a single value", id="front-matter-scalar"),
        pytest.param(b"---\nbase: {}\nx:\n  <<: {a: 1}\n---\n", 4, "merge keys (<<) are not allowed", id="merge-key"),
        pytest.param(
            b"---\ntype: client\n<<<<<<< HEAD\nstatus: open\n=======\nstatus: closed\n>>>>>>> theirs\n---\n",
            3,
            "merge conflict",
            id="conflict-in-front-matter",
        ),
        pytest.param(
            b"---\ntype: client\n---\nintro\n<<<<<<< HEAD\nmine\n=======\ntheirs\n>>>>>>> b\n",
            5,
            "merge conflict",
            id="conflict-in-body",
        ),
        pytest.param(b"---\na: 1\n---\n" + b"x" * (9 * 1024 * 1024), 1, "larger than 8 MB", id="huge-file"),
        pytest.param(
            b"---\nnotes: " + b"x" * (300 * 1024) + b"\n---\n",
            1,
            "larger than 256 KB",
            id="huge-front-matter-line",
        ),
        pytest.param(b"---\na: 1\n---\nPNG\x89\x00\x00\x00IHDR\n", 4, "NUL byte", id="binary-body"),
        pytest.param(b"---\na: x\x00y\n---\n", 2, "NUL byte", id="nul-in-value"),
        pytest.param(b"---\nname: Caf\xe9\n---\n", 2, "not UTF-8", id="latin-1-front-matter"),
        pytest.param(b"---\nname: Cafe\n---\n\nCaf\xe9 au lait\n", 5, "not UTF-8", id="latin-1-body"),
        pytest.param(b"---\nname: \xff\xfe\n---\n", 2, "not UTF-8 text (byte 0xff)", id="invalid-utf8"),
        pytest.param(b"---\na: 1\nb: red\x1b[31m\n---\n", 3, "control character (U+001B)", id="raw-escape"),
        pytest.param(b'---\na: "open\nb: 2\n---\n', 4, "YAML:", id="unclosed-quote"),
        pytest.param(b"---\ntrue: 1\n---\n", 2, "keys must be text", id="bool-key"),
        pytest.param(b"---\r\nid: a\r\nid: b\r\n---\r\n", 3, "duplicate key", id="crlf-duplicate-line"),
        pytest.param(BOM + b"---\nid: a\nid: b\n---\n", 3, "duplicate key", id="bom-duplicate-line"),
    ],
)
def test_bad_input_is_one_clear_error(raw: bytes, line: int, reason: str) -> None:
    with pytest.raises(FormatError) as caught:
        read_document(raw)
    assert reason in caught.value.reason
    assert caught.value.line == line
    assert caught.value.title == "Unreadable file"
    assert "Traceback" not in caught.value.message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(b"---\nanswer: NO\n---\n", {"answer": "NO"}, id="NO"),
        pytest.param(b"---\nzip: 01234\n---\n", {"zip": "01234"}, id="01234"),
        pytest.param(b"---\nat: 12:30\n---\n", {"at": "12:30"}, id="12:30"),
        pytest.param(b"---\nlights: on\n---\n", {"lights": "on"}, id="on"),
        pytest.param(b"---\nqty: 1e3\n---\n", {"qty": "1e3"}, id="1e3"),
        pytest.param(b"---\ndue: 2026-02-30\n---\n", {"due": "2026-02-30"}, id="impossible-date"),
        pytest.param(b"---\ndue: 2026-13-45\n---\n", {"due": "2026-13-45"}, id="odd-date"),
        pytest.param(b"---\ndue: 2026-11-22\n---\n", {"due": "2026-11-22"}, id="date"),
        pytest.param(b"---\nsent: 2026-11-22T10:14\n---\n", {"sent": "2026-11-22T10:14"}, id="datetime"),
        pytest.param(
            b"---\nsent: 2026-11-22 10:14:00\n---\n", {"sent": "2026-11-22 10:14:00"}, id="datetime-space"
        ),
        pytest.param(b"---\npaid: true\nsigned: false\n---\n", {"paid": True, "signed": False}, id="bools"),
        pytest.param(b"---\nowner:\nnext: ~\n---\n", {"owner": None, "next": None}, id="nulls"),
        pytest.param(b'---\nc: "\\x1b[31m"\n---\n', {"c": "\x1b[31m"}, id="escape-in-double-quotes"),
        pytest.param(b'---\nc: "a\\0b\\e"\n---\n', {"c": "a\x00b\x1b"}, id="nul-and-esc-escapes"),
        pytest.param(
            b'---\nc: "[@click=app.quit]x[/]"\n---\n', {"c": "[@click=app.quit]x[/]"}, id="markup-action"
        ),
        pytest.param(
            b"---\nc: price [$5] [b]bold[/b]\n---\n", {"c": "price [$5] [b]bold[/b]"}, id="markup-plain"
        ),
        pytest.param(b"---\nclient: '[[fred-smith]]'\n---\n", {"client": "[[fred-smith]]"}, id="wiki-link"),
        pytest.param(b"---\n---\nbody\n", {}, id="empty-front-matter"),
        pytest.param(b"---\n# nothing yet\n---\n", {}, id="comment-only"),
        pytest.param(b"---\na: 1\n...\nbody\n", {"a": "1"}, id="dot-dot-dot-closes"),
        pytest.param(b"---  \na: 1\n---\t\n", {"a": "1"}, id="spaces-after-delimiters"),
        pytest.param(b"---\na: 1\n---", {"a": "1"}, id="closing-without-newline"),
        pytest.param(b'---\nx:\n  "<<": {a: 1}\n---\n', {"x": {"<<": {"a": "1"}}}, id="quoted-<<-is-text"),
    ],
)
def test_values_are_read_literally(raw: bytes, expected: dict[str, Any]) -> None:
    assert read_document(raw).data == expected


def test_bom_is_read_and_remembered() -> None:
    doc = read_document(BOM + b"---\ntype: client\n---\nbody\n")
    assert doc.bom
    assert doc.data == {"type": "client"}
    assert doc.body == "body\n"
    assert set_fields(doc, {"type": "lead"}) == BOM + b"---\ntype: lead\n---\nbody\n"


@pytest.mark.parametrize(
    ("raw", "newline"),
    [
        pytest.param(b"---\na: 1\n---\nb\n", "\n", id="lf"),
        pytest.param(b"---\r\na: 1\r\n---\r\nb\r\n", "\r\n", id="crlf"),
        pytest.param(b"---\r\na: 1\n---\nb\r\n", "\r\n", id="mixed-first-line-decides"),
    ],
)
def test_line_endings(raw: bytes, newline: str) -> None:
    doc = read_document(raw)
    assert doc.newline == newline
    assert doc.data == {"a": "1"}


def test_a_huge_line_in_the_body_is_fine() -> None:
    doc = read_document(b"---\na: 1\n---\n" + b"y" * (2 * 1024 * 1024) + b"\n")
    assert doc.data == {"a": "1"}
    assert len(doc.body) == 2 * 1024 * 1024 + 1


def test_a_long_line_in_the_front_matter_is_fine() -> None:
    doc = read_document(b"---\nnotes: " + b"z" * (200 * 1024) + b"\nb: 1\n---\n")
    assert len(doc.data["notes"]) == 200 * 1024
    assert set_fields(doc, {"b": 2}).endswith(b"\nb: 2\n---\n")


def test_escape_sequences_render_back_escaped() -> None:
    doc = read_document(b'---\nc: "\\x1b[31m"\nd: 1\n---\n')
    out = set_fields(doc, {"d": "\x1b]52;c;aGk=\x07"})
    assert out == b'---\nc: "\\x1b[31m"\nd: "\\e]52;c;aGk=\\a"\n---\n'
    assert read_document(out).data["d"] == "\x1b]52;c;aGk=\x07"


def test_split_and_body_line() -> None:
    raw = b"---\na: 1\nb: 2\n---\nbody\n"
    fm_start, fm_end, body_start = split(raw)
    assert raw[fm_start:fm_end] == b"a: 1\nb: 2\n"
    assert raw[body_start:] == b"body\n"
    assert read_document(raw).body_line == 5


# --- the real corpus -------------------------------------------------------------------------

CORPUS_FILES = sorted(OBSIDIAN.glob("*.md")) if OBSIDIAN.is_dir() else []


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda path: path.name)
def test_corpus_files_read_or_are_known_foreign(path: Path) -> None:
    raw = path.read_bytes()
    if not has_front_matter(raw):
        with pytest.raises(FormatError, match="no front matter"):
            read_document(raw)
        return
    doc = read_document(raw)
    assert doc.data
    assert doc.raw[: doc.fm_start] + doc.front_matter.encode() + doc.raw[doc.fm_end :] == raw


def test_corpus_has_the_expected_shapes() -> None:
    if not CORPUS_FILES:
        pytest.skip("tests/corpus/obsidian is missing")
    by_name = {path.name: path.read_bytes() for path in CORPUS_FILES}
    assert not has_front_matter(by_name["dataview_The Great Gatsby.md"])
    assert not has_front_matter(by_name["tasks_Dataview Format - Tasks to Parse.md"])
    tags = read_document(by_name["tasks_Tags in Frontmatter.md"])
    assert tags.data == {"TAG": "value1, value2"}  # stops at the first closing ---
    assert tags.body.count("\n---\n") >= 5
    big = read_document(by_name["tasks_Placeholder examples to capture in tests and docs.md"])
    assert big.data["TQ-show-tree"] is True
    assert big.data["TQ-group-by"] == [
        "status.type",
        "happens reverse",
        "function task.tags.sort().join(' ')",
    ]
    assert big.data["TQ-extra-instructions"].startswith("# press shift-return")
    assert not big.data["TQ-extra-instructions"].endswith("\n")  # |- strips the final line break
