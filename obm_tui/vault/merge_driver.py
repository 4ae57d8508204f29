"""The git merge driver that merges record files between clones field by field.

git calls it for every `*.md` file both sides changed (`merge=obm` in the clone's
`.git/info/attributes`, the command in its config: `register` writes both each time obm opens a
vault, so every clone obm has opened merges this way — a clone that never ran obm merges text as
git does):

    python -m obm_tui.vault.merge_driver %O %A %B %P

It writes the merge into %A (ours) and exits 0. Fields: model/record_merge.py (one side's change
wins, counters add up, a field both changed differently keeps ours). Bodies: a three-way line
merge (`git merge-file`); tickets' conversations only grow, so when both sides added to them
both additions are kept (`--union`); any other body both changed in the same lines keeps ours.
Products' ledgers merge row by row (model/ledger.py `merge`: each movement once, matched by row
identity, totals recomputed; a side with an unreadable row falls back to `--union`); invoices'
and bills' `## Payments` tables likewise (model/payments.py `merge`), and when both sides added
payments their status and `paid` are worked out again from the merged rows
(model/finance.py `settlement`), never one side's word against the other's. A conflict
is never written as `<<<<<<<` markers: their whole version is kept in `conflicts/` (where `obm
check` lists it; `obm sync` commits it with the merge) and named on stderr. A file both sides
created is one record when its kind's ids are deterministic (a run the same rule started in both
clones: merged from an empty base) or when both wrote the same record; else they are two
records: ours keeps the path, theirs is written beside it with a suffixed id
(`clients/zed-q-2.md`), noted in the git dir for `obm sync` to commit and to point theirs' new
links at. When a side does not parse as a record, the file is merged as text, and a conflict is
left to git (exit 1), as a plain merge would. """

from __future__ import annotations

import itertools
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from obm_tui.model import ledger
from obm_tui.model import payments as payment_rows
from obm_tui.model.errors import FormatError, ObmError
from obm_tui.model.fields import FieldValueError, to_money
from obm_tui.model.finance import settlement
from obm_tui.model.kinds import Kind
from obm_tui.model.merge import FieldConflict
from obm_tui.model.record_merge import merge_fields
from obm_tui.vault import frontmatter_edit as edit
from obm_tui.vault.config import vault_tz
from obm_tui.vault.frontmatter import Document, read_document
from obm_tui.vault.paths import CONFLICT_DIR, case_twin, check_relative, conflict_copy, kind_of_path

DRIVER = "obm"
GROWING_BODIES = ("ticket", "product")  # conversations and ledgers: both sides' additions are kept
ATTRIBUTES_LINE = f"*.md merge={DRIVER}"
RENAMED_NOTE = "obm-merge-renamed"  # in the git dir: `old id<TAB>new id<TAB>new path` a line


def settings() -> dict[str, str]:
    """The config keys that make git call this driver (run by this Python, wherever it is)."""
    command = f"{shlex.quote(sys.executable)} -m obm_tui.vault.merge_driver %O %A %B %P"
    return {f"merge.{DRIVER}.name": "obm: records field by field", f"merge.{DRIVER}.driver": command}


def register_attributes(git_dir: Path) -> bool:
    """Add `*.md merge=obm` to the clone's own attributes (not a tracked file). True if written."""
    path = git_dir / "info" / "attributes"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    if ATTRIBUTES_LINE in text.splitlines():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + ("" if not text or text.endswith("\n") else "\n") + ATTRIBUTES_LINE + "\n", encoding="utf-8")
    return True


def merge_files(base: Path, ours: Path, theirs: Path, rel: str, root: Path) -> int:
    """Merge into `ours`; the exit code for git (0 merged, 1 conflict left to git)."""
    raws = [p.read_bytes() for p in (base, ours, theirs)]
    kind = kind_of_path(rel)
    try:
        base_doc = read_document(raws[0]) if raws[0].strip() else None  # empty: both sides added the file
        ours_doc, theirs_doc = read_document(raws[1]), read_document(raws[2])
        if base_doc is None and kind is not None and not same_record(kind, ours_doc, theirs_doc):
            moved = keep_both(root, rel, theirs_doc, kind)
            print(f"obm: {rel}: two different records were created under one name; theirs is now {moved}",
                  file=sys.stderr)
            return 0  # ours stays as it is
        merged, conflicts = merge_record(base_doc, ours_doc, theirs_doc, kind)
    except (FormatError, ObmError, TypeError, ValueError):
        return _merge_as_text(base, ours, theirs)
    ours.write_bytes(merged)
    if conflicts:
        kept = _keep_theirs(root, rel, raws[2])
        names = ", ".join(c.name for c in conflicts)
        print(f"obm: {rel}: {names} changed on both sides; kept ours, theirs is in {kept}", file=sys.stderr)
    return 0


def same_record(kind: Kind, ours: Document, theirs: Document) -> bool:
    """Whether two files both sides created under one path are one record: yes for kinds whose
    ids are deterministic (runs: the same rule started the same run in two clones), else only
    when they say the same thing (fields and body)."""
    return kind.id_style == "run" or (ours.data == theirs.data and ours.body == theirs.body)


def keep_both(root: Path, rel: str, theirs: Document, kind: Kind) -> str:
    """Write theirs beside ours under a suffixed id (`zed-q` -> `zed-q-2`: the id and any field
    that held it, such as a product's SKU) and note the move in the git dir; the new path."""
    old_id = str(theirs.data.get("id") or Path(rel).stem)
    new_id, new_rel = _free_name(root, rel, old_id)
    changes = {name: new_id for name, value in theirs.data.items() if name == "id" or value == old_id}
    raw = edit.set_fields(theirs, changes)
    read_document(raw)
    (root / new_rel).write_bytes(raw)
    _note_renamed(root, f"{old_id}\t{new_id}\t{new_rel}\n")
    return new_rel


def _free_name(root: Path, rel: str, old_id: str) -> tuple[str, str]:
    folder, _, name = rel.rpartition("/")
    stem = name[:-3]
    for n in itertools.count(2):
        new_id = f"{old_id}-{n}"
        new_stem = new_id + stem[len(old_id):] if stem.startswith(old_id) else f"{stem}-{n}"
        new_rel = check_relative(f"{folder}/{new_stem}.md")
        if not (root / new_rel).exists() and case_twin(root / folder, f"{new_stem}.md") is None:
            return new_id, new_rel
    raise AssertionError("unreachable")


def _note_renamed(root: Path, line: str) -> None:
    done = subprocess.run(["git", "rev-parse", "--absolute-git-dir"], cwd=root, capture_output=True, check=True)
    with open(Path(done.stdout.decode().strip()) / RENAMED_NOTE, "a", encoding="utf-8") as note:
        note.write(line)


def merge_record(base: Document | None, ours: Document, theirs: Document, kind: Kind | None
                 ) -> tuple[bytes, list[FieldConflict]]:
    """The merged file (ours' formatting and order) and the conflicts (ours kept for them).
    No base: both sides created the file (a run started by the same rule in two clones)."""
    base_data, base_body = (base.data, base.body) if base is not None else ({}, "")
    fields, conflicts = merge_fields(base_data, ours.data, theirs.data, kind)
    is_product = kind is not None and kind.name == "product"
    merged_ledger = ledger.merge(base_body, ours.body, theirs.body, merge_bodies) if is_product else None
    with_payments = kind is not None and kind.name in payment_rows.KINDS_WITH_PAYMENTS
    merged_payments = payment_rows.merge(base_body, ours.body, theirs.body, merge_bodies) if with_payments else None
    if merged_ledger is not None:
        body, clean = merged_ledger.body, merged_ledger.clean
        fields = _on_hand_from_ledger(fields, merged_ledger, ours, theirs)
    elif merged_payments is not None and kind is not None:
        body, clean = merged_payments
        fields, conflicts = _settled(kind.name, fields, conflicts, base_body, ours.body, theirs.body, body)
    else:
        growing = kind is not None and kind.name in GROWING_BODIES
        body, clean = merge_bodies(base_body, ours.body, theirs.body, union=growing)
        if is_product and body not in (ours.body, theirs.body):
            body = ledger.rerun(body)  # rows unreadable on a side: lines kept, totals run through them
    raw = edit.set_fields(ours, _changes(ours.data, fields))
    if not clean:
        conflicts.append(FieldConflict("the notes", base_body, ours.body, theirs.body))
    if body != ours.body:
        raw = edit.set_body(read_document(raw), body)
    read_document(raw)  # never hand git a file that does not read
    return raw, conflicts


def _on_hand_from_ledger(fields: dict[str, Any], merged: ledger.Merged, ours: Document, theirs: Document
                         ) -> dict[str, Any]:
    """`on_hand` = the merged ledger's end, when each side's `on_hand` was its own ledger's end
    (else the counter's merge by delta stands, and obm check shows the difference)."""
    if merged.balance is None or not all(_ends_at_on_hand(doc) for doc in (ours, theirs)):
        return fields
    return {**fields, "on_hand": merged.balance} if str(fields.get("on_hand")) != str(merged.balance) else fields


def _settled(kind: str, fields: dict[str, Any], conflicts: list[FieldConflict], base: str, ours: str, theirs: str,
             merged: str) -> tuple[dict[str, Any], list[FieldConflict]]:
    """When both sides added payments: the status and `paid` the merged rows make (a conflict over
    them is then settled, not kept); else the fields as merged."""
    rows = [payment_rows.parse(text).payments for text in (base, ours, theirs)]
    if rows[1] == rows[0] or rows[2] == rows[0]:
        return fields, conflicts
    try:
        amount = to_money(fields.get("amount"))
    except FieldValueError:
        return fields, conflicts
    status = str(fields.get("status") or ("draft" if kind == "invoice" else "unpaid"))
    settled = settlement(kind, status, amount, payment_rows.parse(merged).payments)
    out = {**fields, "status": settled.status}
    if settled.paid is not None:
        out["paid"] = settled.paid.isoformat()
    elif settled.status != "paid":
        out.pop("paid", None)
    return out, [c for c in conflicts if c.name not in ("status", "paid")]


def _ends_at_on_hand(doc: Document) -> bool:
    balance = ledger.parse(doc.body).balance
    return balance is None or str(doc.data.get("on_hand")) == str(balance)


def merge_bodies(base: str, ours: str, theirs: str, *, union: bool = False) -> tuple[str, bool]:
    """(the merged body, whether it merged cleanly); on a conflict without `union`, ours."""
    if ours == theirs or theirs == base:
        return ours, True
    if ours == base:
        return theirs, True
    text, conflicts = _merge_file(base, ours, theirs, union)
    if conflicts and not union:
        return ours, False
    return text, True


def _changes(ours: Mapping[str, Any], merged: Mapping[str, Any]) -> dict[str, Any]:
    changes: dict[str, Any] = {k: v for k, v in merged.items() if ours.get(k, edit.DELETE) != v}
    changes.update({k: edit.DELETE for k in ours if k not in merged})
    return changes


def _merge_file(base: str, ours: str, theirs: str, union: bool) -> tuple[str, int]:
    """`git merge-file -p` over three texts: (result, number of conflicts)."""
    with tempfile.TemporaryDirectory(prefix="obm-merge-") as folder:
        names = []
        for label, text in (("ours", ours), ("base", base), ("theirs", theirs)):
            path = Path(folder) / label
            path.write_text(text, encoding="utf-8", newline="")
            names.append(str(path))
        flags = ["--union"] if union else []
        done = subprocess.run(["git", "merge-file", "-p", "-q", *flags, *names], capture_output=True, check=False)
    if done.returncode < 0 or done.returncode > 127:
        raise ValueError(f"git merge-file failed: {done.stderr.decode('utf-8', 'replace').strip()}")
    return done.stdout.decode("utf-8"), done.returncode


def _merge_as_text(base: Path, ours: Path, theirs: Path) -> int:
    labels = ["-L", "ours", "-L", "base", "-L", "theirs"]
    done = subprocess.run(["git", "merge-file", *labels, str(ours), str(base), str(theirs)], check=False)
    return 0 if done.returncode == 0 else 1


def _keep_theirs(root: Path, rel: str, raw: bytes) -> str:
    kept = conflict_copy(rel, "theirs", vault_tz(root))
    (root / CONFLICT_DIR).mkdir(parents=True, exist_ok=True)
    (root / kept).write_bytes(raw)
    return kept


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 4:
        print("usage: python -m obm_tui.vault.merge_driver BASE OURS THEIRS PATH (called by git)", file=sys.stderr)
        return 2
    base, ours, theirs, rel = args
    try:
        return merge_files(Path(base), Path(ours), Path(theirs), rel, Path.cwd())
    except OSError as exc:
        print(f"obm: {rel}: could not merge ({exc}); left to git", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
