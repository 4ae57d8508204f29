"""Telling beforehand whether the writer can edit a record (for `obm check` and the app's problems).

`frontmatter_edit.set_fields` refuses, in words, any edit it cannot make losslessly; this module
tries the edits the app makes on a copy in memory, so such a record is listed before anyone tries.
"""

from __future__ import annotations

import re
from typing import Any

from obm_tui.vault.frontmatter import Document
from obm_tui.vault.frontmatter_edit import DELETE, WriteError, set_fields

# Front matter the writer handles in every case has none of these; only the rest is probed.
_ODD_YAML_RE = re.compile(
    rb"^[ \t]*[?:](?:[ \t]|\r?$)"  # an explicit key `? key` / `: value`
    rb"|[|>][ \t]*[-+1-9]"  # a block scalar's chomping or indentation indicator
    rb"|^[ \t]+(?:#|\r?$)"  # an indented comment line, a line of only spaces
    rb"|\t|:[ \t]+[!&{]|^\{",  # tabs, tags, anchors, flow mappings
    re.M,
)


def edit_refusal(doc: Document) -> str | None:
    """Why `set_fields` would refuse to edit this record, or None when it can (for `obm check`).

    Front matter in the usual shapes is never refused; any other is tried, on a copy in memory,
    as the app uses it: add a field, and change or remove each one.
    """
    if not _ODD_YAML_RE.search(doc.raw, doc.fm_start, doc.fm_end):
        return None
    probes: list[tuple[str, dict[str, Any]]] = [("adding a field", {_PROBE_KEY: "x"})]
    for key, value in doc.data.items():
        probes += [(f"changing {key!r}", {key: _other_value(value)}), (f"removing {key!r}", {key: DELETE})]
    for action, probe in probes:
        try:
            set_fields(doc, probe)
        except WriteError as exc:
            return f"{action}: {exc.message}"
        except (TypeError, ValueError):  # a key nobody can write (too long): nothing to try
            continue
    return None


_PROBE_KEY = "obm-probe"


def _other_value(value: Any) -> Any:
    if isinstance(value, list):
        return [*value, "x"]
    if isinstance(value, dict):
        return {**value, _PROBE_KEY: "x"}
    if isinstance(value, str) and "\n" in value:
        return value + "x\n"
    return "x" if value != "x" else "y"
