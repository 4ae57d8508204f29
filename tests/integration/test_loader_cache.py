"""The loader's fast paths (shared values, parallel chunks, linear cross checks) and the cache file."""

from __future__ import annotations

import marshal
import os
import struct
from pathlib import Path

import pytest

from obm_tui.model.errors import Problem
from obm_tui.model.records import Record
from obm_tui.vault import cache, loader
from obm_tui.vault.frontmatter import read_document

TICKET = ("---\ntype: ticket\nid: {id}\nsubject: Mug {n}\nstatus: {status}\ntags: [shipping, damaged]\n---\n"
          "\nHello {n}\n")


def write_tickets(root: Path, count: int, status: str = "open") -> None:
    (root / "tickets").mkdir(parents=True, exist_ok=True)
    for n in range(count):
        record_id = f"T-261120-{n:03d}"
        (root / "tickets" / f"{record_id}-mug.md").write_text(TICKET.format(id=record_id, n=n, status=status))


def test_rows_hold_the_parsed_front_matter_with_shared_values(tmp_path: Path) -> None:
    write_tickets(tmp_path, 3)
    rows = loader.load_rows(tmp_path, sorted(loader.scan(tmp_path)))
    for row in rows:
        raw = (tmp_path / row[0]).read_bytes()
        assert row[3] == read_document(raw).data and row[4] == ()
    first, second = rows[0][3], rows[1][3]
    assert first["status"] is second["status"] and first["tags"][0] is second["tags"][0]
    assert all(a is b for a, b in zip(first, second, strict=True))  # interned keys


def test_parallel_load_equals_serial_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tickets(tmp_path, 40)
    (tmp_path / "tickets" / "broken.md").write_text("---\nsubject: [x\n---\n")
    entries = sorted(loader.scan(tmp_path))
    serial = sorted(loader.load_rows(tmp_path, entries, workers=1))
    monkeypatch.setattr(loader, "PARALLEL_THRESHOLD", 1)
    parallel = sorted(loader.load_rows(tmp_path, entries, workers=2))
    assert parallel == serial and len(serial) == 41


def old_cross_problems(records: list[Record]) -> dict[str, list[Problem]]:
    """The first implementation (sort everything), kept as the reference for the linear one."""
    found: dict[str, list[Problem]] = {}
    seen_ids: dict[tuple[str, str], str] = {}
    seen_names: dict[str, str] = {}
    for record in sorted(records, key=lambda r: r.path):
        key = (record.kind, record.id.casefold())
        if key in seen_ids:
            reason = f"id {record.id!r} is also used by {seen_ids[key]}"
            found.setdefault(record.path, []).append(Problem(record.path, 0, reason))
        else:
            seen_ids[key] = record.path
        folded = record.path.casefold()
        if folded in seen_names and seen_names[folded] != record.path:
            reason = f"differs only by letter case from {seen_names[folded]}"
            found.setdefault(record.path, []).append(Problem(record.path, 0, reason))
        seen_names.setdefault(folded, record.path)
    return found


def rec(kind: str, record_id: str, path: str) -> Record:
    return Record(kind, record_id, path, {})


@pytest.mark.parametrize(
    "records",
    [
        pytest.param([rec("client", "a", "clients/a.md"), rec("client", "b", "clients/b.md")], id="no-clash"),
        pytest.param([rec("client", "x", "clients/b.md"), rec("client", "X", "clients/a.md")],
                     id="duplicate-id-by-case"),
        pytest.param([rec("client", "x", "clients/c.md"), rec("client", "x", "clients/a.md"),
                      rec("client", "x", "clients/b.md")], id="three-share-an-id"),
        pytest.param([rec("client", "x", "clients/x.md"), rec("product", "x", "stock/x.md")], id="same-id-other-kind"),
        pytest.param([rec("product", "MUG-01", "stock/MUG-01.md"), rec("product", "mug-01", "stock/mug-01.md")],
                     id="case-twins-and-duplicate-id"),
        pytest.param([rec("product", "A", "stock/Ab.md"), rec("product", "B", "stock/aB.md"),
                      rec("product", "C", "stock/AB.md")], id="three-case-twins"),
    ],
)
def test_cross_problems_match_the_sorting_implementation(records: list[Record]) -> None:
    expected = old_cross_problems(records)
    got = loader.cross_problems(records)
    assert got == expected and list(got) == sorted(expected)


def test_cache_round_trip(tmp_path: Path) -> None:
    write_tickets(tmp_path, 5)
    rows = loader.load_rows(tmp_path, list(loader.scan(tmp_path)))
    cache.write_cache(tmp_path, rows)
    assert cache.read_cache(tmp_path) == {row[0]: row for row in rows}
    assert [p.name for p in (tmp_path / cache.CACHE_DIR).iterdir()] == ["index.bin"]


def _corrupt_flip(blob: bytes) -> bytes:
    return blob[:-10] + bytes([blob[-10] ^ 0xFF]) + blob[-9:]


def _other_format(blob: bytes) -> bytes:
    (size,) = struct.unpack_from("<I", blob)
    version, app, count, crc = marshal.loads(blob[4 : 4 + size])
    head = marshal.dumps((version + 100, app, count, crc))
    return struct.pack("<I", len(head)) + head + blob[4 + size :]


def _other_reader(blob: bytes) -> bytes:
    """The same version, other rules (a field check changed): its rows' problems may be wrong."""
    (size,) = struct.unpack_from("<I", blob)
    version, reader, count, crc = marshal.loads(blob[4 : 4 + size])
    assert reader == cache.READER
    head = marshal.dumps((version, reader.split("+")[0] + "+0123456789abcdef", count, crc))
    return struct.pack("<I", len(head)) + head + blob[4 + size :]


def _wrong_rows(blob: bytes) -> bytes:
    body = marshal.dumps([("tickets/a.md", "ticket")])
    head = marshal.dumps((cache.FORMAT, cache.READER, 1, __import__("zlib").crc32(body)))
    return struct.pack("<I", len(head)) + head + body


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda blob: blob[: len(blob) // 2], id="truncated"),
        pytest.param(lambda blob: b"", id="empty"),
        pytest.param(lambda blob: b"garbage", id="garbage"),
        pytest.param(_corrupt_flip, id="flipped-byte"),
        pytest.param(_other_format, id="other-format"),
        pytest.param(_other_reader, id="other-reader-rules"),
        pytest.param(_wrong_rows, id="rows-of-the-wrong-shape"),
    ],
)
def test_damaged_cache_is_ignored(tmp_path: Path, damage) -> None:  # type: ignore[no-untyped-def]
    write_tickets(tmp_path, 5)
    cache.write_cache(tmp_path, loader.load_rows(tmp_path, list(loader.scan(tmp_path))))
    target = tmp_path / cache.CACHE_FILE
    target.write_bytes(damage(target.read_bytes()))
    assert cache.read_cache(tmp_path) == {}


def test_scan_with_cache_keeps_current_rows_and_lists_the_rest(tmp_path: Path) -> None:
    write_tickets(tmp_path, 4)
    cached = {row[0]: row for row in loader.load_rows(tmp_path, list(loader.scan(tmp_path)))}
    changed = tmp_path / "tickets" / "T-261120-001-mug.md"
    changed.write_text(changed.read_text().replace("Mug 1", "Mug one"))
    os.utime(changed, ns=(1, 1))
    (tmp_path / "tickets" / "T-261120-000-mug.md").unlink()
    (tmp_path / "tickets" / "T-261120-009-new.md").write_text(TICKET.format(id="T-261120-009", n=9, status="new"))
    (tmp_path / "tickets" / ".~obm-T-261120-002-mug.md.ab12cd").write_text("half")
    (tmp_path / "tickets" / "notes.txt").write_text("not a record")
    found = loader.scan_with_cache(tmp_path, cached)
    by_scan = {e.path: e for e in loader.scan(tmp_path)}
    assert sorted(r[0] for r in found.rows) == ["tickets/T-261120-002-mug.md", "tickets/T-261120-003-mug.md"]
    assert sorted(found.fresh) == sorted([by_scan["tickets/T-261120-001-mug.md"],
                                          by_scan["tickets/T-261120-009-new.md"]])
    assert found.strays == ["tickets/.~obm-T-261120-002-mug.md.ab12cd"]


def test_fifo_or_folder_named_like_a_record_is_a_problem_not_a_hang(tmp_path: Path) -> None:
    write_tickets(tmp_path, 1)
    os.mkfifo(tmp_path / "tickets" / "T-261120-100-pipe.md")
    (tmp_path / "tickets" / "T-261120-101-folder.md").mkdir()
    for entries in (list(loader.scan(tmp_path)), loader.scan_with_cache(tmp_path, {}).fresh):
        rows = {row[0]: row for row in loader.load_rows(tmp_path, entries)}
        assert rows["tickets/T-261120-000-mug.md"][4] == ()
        for name in ("T-261120-100-pipe.md", "T-261120-101-folder.md"):
            ((_, reason),) = rows[f"tickets/{name}"][4]
            assert reason.startswith("unreadable: ") and ("regular file" in reason or "directory" in reason.lower())


def test_cold_scan_stats_nothing_and_rows_carry_the_opened_files_stat(tmp_path: Path) -> None:
    write_tickets(tmp_path, 2)
    listed = loader.scan_with_cache(tmp_path, {}).fresh
    assert {e.stat for e in listed} == {loader.NO_STAT}
    rows = loader.load_rows(tmp_path, listed)
    statted = {e.path: e.stat for e in loader.scan(tmp_path)}
    assert {row[0]: row[6] for row in rows} == statted
    again = loader.scan_with_cache(tmp_path, {row[0]: row for row in rows})
    assert again.fresh == [] and len(again.rows) == 2


@pytest.mark.parametrize("value", ["!!bool maybe", "!!map x", "!!seq x"], ids=["bool-tag", "map-tag", "seq-tag"])
def test_a_tag_that_does_not_fit_its_value_is_a_problem_not_a_crash(tmp_path: Path, value: str) -> None:
    write_tickets(tmp_path, 1)
    odd = tmp_path / "tickets" / "T-261120-200-odd.md"
    odd.write_text(f"---\ntype: ticket\nid: T-261120-200\nvip: {value}\n---\n")
    rows = {row[0]: row for row in loader.load_rows(tmp_path, list(loader.scan(tmp_path)))}
    ((_, reason),) = rows["tickets/T-261120-200-odd.md"][4]
    assert reason.startswith("unreadable: ") and rows["tickets/T-261120-000-mug.md"][4] == ()
