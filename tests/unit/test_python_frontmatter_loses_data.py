"""Why python-frontmatter cannot be the writer as is (RELIABILITY.md, "Round trip").

Each case loads a file with python-frontmatter (1.3), dumps it unchanged, and shows what was
lost; the same file through our reader and writer comes back byte for byte. If a future
python-frontmatter stops losing data, these tests fail: then look again at using it.
"""

from __future__ import annotations

import frontmatter
import pytest

from obm_tui.vault.frontmatter import read_document
from obm_tui.vault.frontmatter_edit import set_fields


def round_trip(raw: bytes) -> str:
    """Load and dump with python-frontmatter, changing nothing."""
    return frontmatter.dumps(frontmatter.loads(raw.decode("utf-8")))


def test_keys_are_re_sorted() -> None:
    raw = b"---\ntype: client\nname: Fred\nid: fred\n---\nbody\n"
    assert round_trip(raw).startswith("---\nid: fred\nname: Fred\ntype: client\n---")


def test_comments_and_quoting_are_dropped() -> None:
    raw = b'---\n# who\nname: Fred  # owner\nstatus: "open"\n---\nbody\n'
    out = round_trip(raw)
    assert "#" not in out
    assert '"open"' not in out


def test_final_newline_is_stripped_and_a_blank_line_added() -> None:
    raw = b"---\nname: Fred\n---\nbody\n"
    assert round_trip(raw) == "---\nname: Fred\n---\n\nbody"


def test_crlf_becomes_lf() -> None:
    raw = b"---\r\nname: Fred\r\n---\r\nbody\r\n"
    assert "\r" not in round_trip(raw)


def test_front_matter_after_a_bom_is_duplicated() -> None:
    raw = b"\xef\xbb\xbf---\nname: Fred\n---\nbody\n"
    post = frontmatter.loads(raw.decode("utf-8"))
    assert post.metadata == {}
    assert frontmatter.dumps(post) == "---\n{}\n---\n\n\ufeff---\nname: Fred\n---\nbody"


def test_list_front_matter_is_dropped() -> None:
    raw = b"---\n- a\n- b\n---\nbody\n"
    out = round_trip(raw)
    assert out == "---\n{}\n---\n\nbody"
    assert "- a" not in out


def test_unclosed_front_matter_is_duplicated() -> None:
    raw = b"---\nname: Fred\nbody\n"
    assert round_trip(raw) == "---\n{}\n---\n\n---\nname: Fred\nbody"


def test_yaml_11_guesses_change_values() -> None:
    raw = b"---\nanswer: NO\nzip: 01234\nat: 12:30\n---\n"
    post = frontmatter.loads(raw.decode("utf-8"))
    assert post.metadata == {"answer": False, "zip": 668, "at": 750}
    assert frontmatter.dumps(post) == "---\nanswer: false\nat: 750\nzip: 668\n---"


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b"---\ntype: client\nname: Fred\nid: fred\n---\nbody\n", id="order"),
        pytest.param(b'---\n# who\nname: Fred  # owner\nstatus: "open"\n---\nbody\n', id="comments"),
        pytest.param(b"---\r\nname: Fred\r\n---\r\nbody\r\n", id="crlf"),
        pytest.param(b"\xef\xbb\xbf---\nname: Fred\n---\nbody\n", id="bom"),
        pytest.param(b"---\nanswer: NO\nzip: 01234\nat: 12:30\n---\n", id="guesses"),
    ],
)
def test_our_writer_keeps_every_byte(raw: bytes) -> None:
    doc = read_document(raw)
    assert set_fields(doc, doc.data) == raw
    assert round_trip(raw).encode("utf-8") != raw
