"""The record kinds of a vault: their folders, fields, and how their ids are made.

This table is the schema of docs/vault-format.md; a test checks that the doc lists every field.
"""

from __future__ import annotations

from dataclasses import dataclass

from obm_tui.model.fields import Field

COMMON = (
    Field("type", "str", required=True, doc="The record kind; must match the folder."),
    Field("id", "str", required=True, doc="Stable id; equals the file name without `.md`."),
    Field("tags", "list", doc="Free tags, a YAML list or a comma-separated string."),
    Field("created", "datetime", doc="When the record was made (date or date and time)."),
    Field("archived", "bool", default=False, doc="Archived records are hidden from lists."),
    Field("run", "link", link_kind="run", doc="The run whose step created this record."),
)


@dataclass(frozen=True)
class Kind:
    """A record kind: where its files live, what their front matter holds, how ids are made."""

    name: str
    folder: str
    title_field: str
    fields: tuple[Field, ...]
    id_style: str  # "slug" (from the title), "event" (date + title + random), "serial" (prefix + date + random), "sku"
    id_prefix: str = ""
    doc: str = ""

    def field(self, name: str) -> Field | None:
        return self.field_map.get(name)

    @property
    def field_map(self) -> dict[str, Field]:
        return _FIELD_MAPS.setdefault(self.name, {f.name: f for f in (*COMMON, *self.fields)})

    @property
    def all_fields(self) -> tuple[Field, ...]:
        return (*COMMON, *self.fields)


_FIELD_MAPS: dict[str, dict[str, Field]] = {}
NOT_NEGATIVE = {"min": 0}

CLIENT_STATUSES = ("lead", "onboarding", "current", "paused", "past")
RUN_STATUSES = ("active", "waiting", "done", "cancelled")
TICKET_STATUSES = ("new", "open", "pending", "resolved", "closed")
PRIORITIES = ("low", "normal", "high", "urgent")
PO_STATUSES = ("draft", "ordered", "partial", "received", "cancelled")
DECLINE_STATUSES = ("new", "contacted", "retrying", "recovered", "lost")
INVOICE_STATUSES = ("draft", "sent", "partly-paid", "paid", "void", "written-off")
BILL_STATUSES = ("unpaid", "partly-paid", "paid", "void")
PAYMENT_TYPES = ("charge", "refund", "payout", "credit")
PAYMENT_STATUSES = ("unmatched", "linked", "ignored")

KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "client", "clients", "name", id_style="slug",
            doc="A client of the business (or a lead).",
            fields=(
                Field("name", "str", required=True, doc="The client's name."),
                Field("status", "enum", default="lead", choices=CLIENT_STATUSES,
                      doc="Where the client is in its life."),
                Field("email", "email", doc="Main contact address."),
                Field("company", "str", doc="Company or brand."),
                Field("phone", "str", doc="Phone number (kept as text)."),
                Field("since", "date", doc="Client since."),
                Field("rate", "money", doc="Monthly retainer or rate."),
                Field("follow_up", "date", doc="Next follow-up date; shown on Today when due."),
                Field("owner", "str", doc="Who looks after the client."),
                Field("contract", "str", doc="Where the contract stands, e.g. sent or signed."),
                Field("billing", "str",
                      doc="RRULE of the retainer's invoices (e.g. `FREQ=MONTHLY;BYMONTHDAY=1`); each is `rate`."),
                Field("billing_start", "date", doc="First day billed by `billing` (default: `since`)."),
                Field("billing_end", "date", doc="Last day billed by `billing`; none after it."),
                Field("payment_terms", "int", doc="Days from an invoice's issue to its due day (else the vault's).",
                      extra=NOT_NEGATIVE),
                Field("currency", "str", doc="The client's currency; its invoices default to it."),
            ),
        ),
        Kind(
            "process", "processes", "title", id_style="slug",
            doc="A written process: the template of a checklist run.",
            fields=(
                Field("title", "str", required=True, doc="The process's name."),
                Field("subject", "enum", default="none",
                      choices=("none", "client", "ticket", "product", "decline", "invoice", "purchase-order"),
                      doc="The kind of record a run is about."),
                Field("recurrence", "str",
                      doc="An RFC 5545 RRULE (e.g. `FREQ=WEEKLY;BYDAY=MO`) for runs that start by themselves."),
                Field("owner", "str", doc="Who runs it by default."),
                Field("description", "text", doc="One line on what it is for."),
                Field("stop_when", "any",
                      doc="A condition about the subject, or a list of them: a run ends once any holds."),
                Field("stop_as", "enum", default="done", choices=("done", "cancelled"),
                      doc="The status a run stopped by `stop_when` ends with."),
            ),
        ),
        Kind(
            "run", "runs", "title", id_style="run",
            doc="One execution of a process; its body is the checklist.",
            fields=(
                Field("title", "str", doc="Shown in lists; defaults to process and subject."),
                Field("process", "link", required=True, link_kind="process", doc="The process this run follows."),
                Field("subject", "link", doc="The record the run is about."),
                Field("status", "enum", default="active", choices=RUN_STATUSES,
                      doc="active, waiting, done or cancelled."),
                Field("started", "date", required=True,
                      doc="The day the run started; relative due dates count from it."),
                Field("finished", "date", doc="The day the last step was ticked."),
                Field("assignee", "str", doc="Who works the run."),
                Field("trigger", "str", doc="What started it: the rule's name or a shortage key."),
                Field("stopped", "str", doc="The process's stop_when condition that ended the run."),
            ),
        ),
        Kind(
            "ticket", "tickets", "subject", id_style="serial", id_prefix="T",
            doc="A customer-care ticket; its body is the conversation, newest last.",
            fields=(
                Field("subject", "str", required=True, doc="What the ticket is about."),
                Field("status", "enum", default="new", choices=TICKET_STATUSES,
                      doc="new → open → pending → resolved → closed."),
                Field("priority", "enum", default="normal", choices=PRIORITIES, doc="Sets the response targets."),
                Field("customer", "str", doc="The customer's name (or a link to a client)."),
                Field("client", "link", link_kind="client", doc="The client, when the customer is one."),
                Field("email", "email", doc="The customer's address."),
                Field("from", "str", doc="The sender as the mail gave it, when that is no address (mail import)."),
                Field("channel", "enum", default="email", choices=("email", "chat", "phone", "social", "web"),
                      doc="Where it came in."),
                Field("assignee", "str", doc="Who handles it."),
                Field("first_response", "datetime", doc="When the first reply was sent."),
                Field("resolved", "datetime", doc="When it was resolved."),
                Field("message_id", "str", doc="Message-ID of the mail that opened it (imports)."),
            ),
        ),
        Kind(
            "product", "stock", "name", id_style="sku",
            doc="A physical product in stock; its body holds the movement ledger.",
            fields=(
                Field("sku", "str", required=True, doc="Stock keeping unit; also the file name."),
                Field("name", "str", required=True, doc="Product name."),
                Field("on_hand", "int", default="0", doc="Units in stock now.",
                      extra={"merge": "counter", "min": 0}),
                Field("reorder_point", "int", default="0", doc="Reorder when on hand falls to this.",
                      extra=NOT_NEGATIVE),
                Field("reorder_qty", "int", default="0", doc="Units to order each time.", extra=NOT_NEGATIVE),
                Field("lead_time_days", "int", default="0", doc="Days from order to delivery.", extra=NOT_NEGATIVE),
                Field("supplier", "str", doc="Who supplies it."),
                Field("unit_cost", "money", doc="Cost of one unit."),
                Field("price", "money", doc="Selling price."),
                Field("location", "str", doc="Where it is kept."),
            ),
        ),
        Kind(
            "purchase-order", "purchase-orders", "title", id_style="serial", id_prefix="PO",
            doc="An order to a supplier to restock products.",
            fields=(
                Field("title", "str", doc="Short description."),
                Field("supplier", "str", required=True, doc="Who the order goes to."),
                Field("status", "enum", default="draft", choices=PO_STATUSES,
                      doc="draft → ordered → partial → received."),
                Field("ordered", "date", doc="Day it was sent."),
                Field("expected", "date", doc="Day it should arrive."),
                Field("received", "date", doc="Day it fully arrived."),
                Field("lines", "any", doc="A list of `{sku, qty, received, unit_cost}` mappings."),
            ),
        ),
        Kind(
            "decline", "declines", "customer", id_style="event",
            doc="A declined or failed payment to follow up.",
            fields=(
                Field("customer", "str", required=True, doc="Who paid (or tried to)."),
                Field("email", "email", doc="Their address."),
                Field("client", "link", link_kind="client", doc="The client, when the customer is one."),
                Field("amount", "money", required=True, doc="The amount that failed."),
                Field("currency", "str", doc="Defaults to the vault's currency."),
                Field("product", "str", doc="What it was for."),
                Field("declined", "date", required=True, doc="Day the payment failed."),
                Field("reason", "str", doc="The processor's reason (e.g. insufficient_funds)."),
                Field("status", "enum", default="new", choices=DECLINE_STATUSES,
                      doc="new → contacted → retrying → recovered or lost."),
                Field("attempts", "int", default="0", doc="Follow-ups made so far.",
                      extra={"merge": "counter", "min": 0}),
                Field("next_follow_up", "date", doc="Day of the next follow-up."),
                Field("charge_id", "str", doc="The processor's charge or payment id."),
                Field("code", "str", doc="The processor's decline code (e.g. `insufficient_funds`): soft or hard."),
                Field("invoice", "link", link_kind="invoice", doc="The invoice the failed payment was for."),
                Field("resolved", "date", doc="Day it was recovered or given up."),
            ),
        ),
        Kind(
            "invoice", "invoices", "title", id_style="serial", id_prefix="INV",
            doc="An invoice sent to a client.",
            fields=(
                Field("title", "str", doc="What the invoice is for."),
                Field("client", "link", required=True, link_kind="client", doc="Who it is billed to."),
                Field("amount", "money", required=True, doc="Total amount."),
                Field("currency", "str", doc="Defaults to the vault's currency."),
                Field("status", "enum", default="draft", choices=INVOICE_STATUSES,
                      doc="draft → sent → partly-paid → paid, or void, or written-off."),
                Field("issued", "date", doc="Day it was sent."),
                Field("due", "date", doc="Day payment is due; overdue after it."),
                Field("paid", "date", doc="Day the last payment settled it (set by the payment)."),
                Field("recurrence", "str", doc="RRULE for a recurring invoice (e.g. `FREQ=MONTHLY`)."),
                Field("period", "str", doc="The billing period a recurring invoice is for (`2026-12`)."),
                Field("template", "link", link_kind="invoice", doc="The recurring invoice this one was made from."),
                Field("reminded", "date", doc="Day the last payment reminder was drafted."),
                Field("closed", "date", doc="Day it was voided or written off."),
            ),
        ),
        Kind(
            "bill", "bills", "title", id_style="serial", id_prefix="BILL",
            doc="A supplier's bill to pay (money out); its body holds the payments made.",
            fields=(
                Field("title", "str", doc="What the bill is for."),
                Field("supplier", "str", required=True, doc="Who is to be paid."),
                Field("amount", "money", required=True, doc="Total amount."),
                Field("currency", "str", doc="Defaults to the vault's currency."),
                Field("status", "enum", default="unpaid", choices=BILL_STATUSES,
                      doc="unpaid → partly-paid → paid, or void."),
                Field("issued", "date", required=True, doc="The bill's date."),
                Field("due", "date", doc="Day it must be paid."),
                Field("paid", "date", doc="Day the last payment settled it."),
                Field("purchase_order", "link", link_kind="purchase-order", doc="The purchase order it bills."),
                Field("category", "str", doc="Expense category; `[finance.categories]` maps it to an account."),
            ),
        ),
        Kind(
            "expense", "expenses", "payee", id_style="event",
            doc="Money spent and already paid (software, ads, fees).",
            fields=(
                Field("payee", "str", required=True, doc="Who was paid."),
                Field("date", "date", required=True, doc="Day it was paid."),
                Field("amount", "money", required=True, doc="Amount paid."),
                Field("currency", "str", doc="Defaults to the vault's currency."),
                Field("category", "str", doc="Expense category; `[finance.categories]` maps it to an account."),
                Field("receipt", "str", doc="Where the receipt is: a path in the vault or a URL."),
                Field("paid_with", "str", doc="Card or account it was paid from."),
            ),
        ),
        Kind(
            "payment", "payments", "payer", id_style="serial", id_prefix="PAY",
            doc="Money in or out not (yet) on an invoice: an unmatched charge, a refund, a payout, a credit.",
            fields=(
                Field("payer", "str", doc="Who paid (or was paid)."),
                Field("date", "date", required=True, doc="Day of the payment."),
                Field("amount", "money", required=True, doc="Amount; a refund or payout is positive too."),
                Field("currency", "str", doc="Defaults to the vault's currency."),
                Field("payment_type", "enum", default="charge", choices=PAYMENT_TYPES,
                      doc="charge (money in), refund (back to a customer), payout (to the bank), credit."),
                Field("status", "enum", default="unmatched", choices=PAYMENT_STATUSES,
                      doc="unmatched → linked (put on an invoice), or ignored."),
                Field("email", "email", doc="The payer's address."),
                Field("client", "link", link_kind="client", doc="The client, when known."),
                Field("invoice", "link", link_kind="invoice", doc="The invoice it was put on."),
                Field("reference", "str",
                      doc="The processor's id (charge, refund or payout); imports skip known ones."),
                Field("description", "str", doc="The processor's description."),
                Field("fee", "money", doc="The processor's fee."),
                Field("source", "str", doc="Where it came from: `stripe`, or a person."),
            ),
        ),
        Kind(
            "close", "closes", "month", id_style="slug",
            doc="A closed month: its checks passed and its figures written down.",
            fields=(
                Field("month", "str", required=True, doc="The month closed, `2026-11`; also the id."),
                Field("closed", "date", required=True, doc="Day it was closed."),
                Field("closed_by", "str", doc="Who closed it."),
            ),
        ),
        Kind(
            "review", "reviews", "title", id_style="event",
            doc="A generated review of a period (\"what I did this summer\").",
            fields=(
                Field("title", "str", required=True, doc="The review's title."),
                Field("period_start", "date", doc="First day covered."),
                Field("period_end", "date", doc="Last day covered."),
            ),
        ),
    )
}

KIND_BY_FOLDER: dict[str, Kind] = {k.folder: k for k in KINDS.values()}
KIND_ALIASES = {"po": "purchase-order", "order": "purchase-order", "stock": "product", "declined": "decline",
                "month-close": "close"}


def kind_named(name: str) -> Kind | None:
    """A kind by name, plural or alias (`clients`, `po`, `stock`)."""
    key = name.strip().lower()
    key = KIND_ALIASES.get(key, key)
    if key in KINDS:
        return KINDS[key]
    if key in KIND_BY_FOLDER:
        return KIND_BY_FOLDER[key]
    if key.endswith("s") and key[:-1] in KINDS:
        return KINDS[key[:-1]]
    return None

# The columns lists show for each kind (CLI tables and TUI screens), after the id.
LIST_COLUMNS: dict[str, tuple[str, ...]] = {
    "client": ("name", "status", "company", "email", "follow_up"),
    "process": ("title", "subject", "recurrence", "owner"),
    "run": ("process", "subject", "status", "started", "assignee"),
    "ticket": ("status", "priority", "subject", "customer", "assignee", "created"),
    "product": ("name", "on_hand", "reorder_point", "reorder_qty", "supplier", "location"),
    "purchase-order": ("supplier", "status", "ordered", "expected"),
    "decline": ("customer", "amount", "status", "attempts", "next_follow_up"),
    "invoice": ("client", "amount", "status", "issued", "due"),
    "bill": ("supplier", "amount", "status", "issued", "due"),
    "expense": ("date", "payee", "amount", "category"),
    "payment": ("date", "payer", "amount", "payment_type", "status"),
    "close": ("month", "closed", "closed_by"),
    "review": ("title", "period_start", "period_end"),
}
