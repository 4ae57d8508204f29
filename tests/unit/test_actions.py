"""Actions (`do::`): the vocabulary, its error messages, and the effects with their descriptions."""

from __future__ import annotations

from datetime import date

import pytest

from obm_tui.model.actions import (
    Action,
    ActionError,
    AddTag,
    CreateRecord,
    RemoveTag,
    SetField,
    StartRun,
    cannot_undo,
    parse_action,
    split_actions,
    to_effect,
)
from obm_tui.model.conditions import Ref

FRI = date(2026, 11, 20)
MAYA = Ref("client", "maya-patel")


@pytest.mark.parametrize(
    ("text", "action"),
    [
        ("tag add current-client", Action("tag add", "current-client")),
        ("tag add #current-client", Action("tag add", "current-client")),
        ("Tag Remove lead", Action("tag remove", "lead")),
        ("set status = current", Action("set", "status", "current")),
        ("set status=current", Action("set", "status", "current")),
        ('set note = "a; b"', Action("set", "note", "a; b", quoted=True)),
        ("set follow_up = +3d", Action("set", "follow_up", "+3d")),
        ("set follow_up = today", Action("set", "follow_up", "today")),
        ('set follow_up = ""', Action("set", "follow_up", "", quoted=True)),
        ("set title = Welcome pack sent", Action("set", "title", "Welcome pack sent")),
        ("create invoice from monthly-retainer", Action("create", "invoice", "monthly-retainer")),
        ("create invoices from monthly-retainer", Action("create", "invoice", "monthly-retainer")),
        ("create po from restock/acme", Action("create", "purchase-order", "restock/acme")),
        ("start welcome-pack", Action("start", "welcome-pack")),
    ],
    ids=[
        "tag-add", "tag-hash", "tag-remove-case", "set", "set-no-spaces", "set-quoted", "set-duration",
        "set-today", "set-empty", "set-words", "create", "create-plural", "create-alias-subfolder", "start",
    ],
)
def test_parse(text: str, action: Action) -> None:
    assert parse_action(text, "client") == action


@pytest.mark.parametrize(
    ("text", "subject", "reason"),
    [
        ("tagg add vip", "client", r'unknown action "tagg" \(use tag, set, create, start or send\)'),
        ("email welcome", "client", 'unknown action "email"'),
        ("tag vip", "client", "write tag add <tag> or tag remove <tag>"),
        ("tag add current client", "client", "a tag is one word"),
        ("set status", "client", "write set <field> = <value>"),
        ("set id = x", "client", "the id of a record cannot be set"),
        ("set type = x", "client", "the type of a record cannot be set"),
        ("set status = gold", "client", "a client status is one of lead, onboarding, current, paused, past"),
        ("set follow_up = +3 fortnights", "client", 'unknown unit "fortnights"'),
        ("create invoice", "client", "write create <kind> from <template>"),
        ("create widget from x", "client", 'unknown record kind "widget"'),
        ("create run from x", "client", "use start <process>"),
        ("create invoice from ../secrets", "client", "is not a template name"),
        ("start", "client", "write start <process-id>"),
        ("start Welcome Pack", "client", "write start <process-id>"),
        ("tag add vip", "none", "this process has no subject"),
        ("set status = current", "none", "this process has no subject"),
    ],
    ids=[
        "unknown-verb", "email-is-an-attribute", "tag-no-verb", "tag-two-words", "set-no-value", "set-id",
        "set-type", "set-enum-choice", "set-bad-duration", "create-no-template", "create-unknown-kind",
        "create-run", "create-path-escape", "start-nothing", "start-spaces", "tag-no-subject", "set-no-subject",
    ],
)
def test_bad_actions(text: str, subject: str, reason: str) -> None:
    with pytest.raises(ActionError, match=reason):
        parse_action(text, subject)


def test_create_and_start_need_no_subject() -> None:
    assert parse_action("create purchase-order from restock", "none").verb == "create"
    assert parse_action("start restock", "none").verb == "start"


def test_split_on_semicolons_outside_quotes() -> None:
    assert split_actions('tag add a; set note = "x; y" ;; start b ') == ["tag add a", 'set note = "x; y"', "start b"]


@pytest.mark.parametrize(
    ("text", "effect", "words"),
    [
        ("tag add current-client", AddTag("k", "s", MAYA, "current-client"),
         "tag current-client added to client maya-patel"),
        ("tag remove lead", RemoveTag("k", "s", MAYA, "lead"), "tag lead removed from client maya-patel"),
        ("set status = current", SetField("k", "s", MAYA, "status", "current"),
         "client maya-patel: status set to current"),
        ("set follow_up = +3d", SetField("k", "s", MAYA, "follow_up", "2026-11-23"),
         "client maya-patel: follow_up set to 2026-11-23"),
        ("set follow_up = +1 workday", SetField("k", "s", MAYA, "follow_up", "2026-11-23"),
         "client maya-patel: follow_up set to 2026-11-23"),
        ("set since = today", SetField("k", "s", MAYA, "since", "2026-11-20"),
         "client maya-patel: since set to 2026-11-20"),
        ('set since = "today"', SetField("k", "s", MAYA, "since", "today"), "client maya-patel: since set to today"),
        ('set follow_up = ""', SetField("k", "s", MAYA, "follow_up", ""),
         "client maya-patel: follow_up set to (empty)"),
        ("create invoice from monthly-retainer", CreateRecord("k", "s", "invoice", "monthly-retainer", MAYA),
         "invoice created from template monthly-retainer for client maya-patel"),
        ("start welcome-pack", StartRun("k", "s", "welcome-pack", MAYA),
         "run of process welcome-pack started for client maya-patel"),
    ],
    ids=["tag-add", "tag-remove", "set", "set-days", "set-workdays", "set-today", "set-quoted-today", "set-empty",
         "create", "start"],
)
def test_effects(text: str, effect: object, words: str) -> None:
    made = to_effect(parse_action(text, "client"), key="k", step="s", subject=MAYA, today=FRI)
    assert made == effect
    assert made.describe() == words


def test_subject_actions_need_a_subject_at_tick_time() -> None:
    with pytest.raises(ActionError, match="no subject"):
        to_effect(parse_action("tag add x"), key="k", step="s", subject=None, today=FRI)


def test_create_without_subject_describes_plainly() -> None:
    made = to_effect(parse_action("create purchase-order from restock"), key="k", step="s", subject=None, today=FRI)
    assert made.describe() == "purchase-order created from template restock"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("tag add current-client", "tag current-client stays on client maya-patel"),
        ("tag remove lead", "tag lead stays removed from client maya-patel"),
        ("set status = current", "client maya-patel keeps the status it was given"),
        ("create invoice from monthly-retainer", "the invoice created from monthly-retainer stays"),
        ("start welcome-pack", "the run of welcome-pack that was started stays"),
    ],
    ids=["tag-add", "tag-remove", "set", "create", "start"],
)
def test_cannot_undo(text: str, words: str) -> None:
    assert cannot_undo(parse_action(text), MAYA) == words


@pytest.mark.parametrize(
    "text",
    ["tag add current-client", "tag remove lead", "set status = current", 'set note = "a; b"', "create invoice from x",
     "start y"],
)
def test_action_text_round_trips(text: str) -> None:
    assert parse_action(str(parse_action(text))) == parse_action(text)
