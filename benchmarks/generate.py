"""Synthetic vaults for the benchmarks: N valid records across every kind, as a git repository.

    .venv/bin/python -m benchmarks.generate 100000      # prints the vault's path

Deterministic (seeded): the same size always gives the same files and the same commit. Each
record has realistic front matter for its kind and a 1-2 KB body in the kind's own format
(ticket conversations, stock ledgers, run checklists...). The files never touch Python's file
layer: they are streamed as blobs into `git fast-import` (one commit), and `git read-tree -u`
writes the work tree, so 100k files take seconds. Vaults are kept under benchmarks/.vaults/
(git-ignored), one per size, and reused while the generator's version is unchanged.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

from obm_tui.vault.config import CONFIG_PATH, DEFAULT_CONFIG, business_section

VERSION = 5
SEED = 20261122
VAULTS = Path(__file__).parent / ".vaults"
# Share of each kind in a vault, in percent.
SHARES = (
    ("ticket", 40), ("invoice", 15), ("run", 12), ("client", 10), ("decline", 10),
    ("product", 5), ("purchase-order", 4), ("process", 2), ("review", 2),
)
# The finance profile (`--profile finance`, make bench-finance): a business that bills a lot —
# at 100k records ~30k invoices, the paid and partly-paid ones with `## Payments` rows — with
# supplier bills and expenses. The default profile's vaults are unchanged by it.
FINANCE_SHARES = (
    ("ticket", 20), ("invoice", 30), ("run", 10), ("client", 10), ("decline", 10),
    ("product", 5), ("purchase-order", 4), ("process", 2), ("review", 2), ("bill", 3), ("expense", 4),
)
PROFILES = {"default": SHARES, "finance": FINANCE_SHARES}
CATEGORIES = ("software", "ads", "stock", "postage", "fees", "travel")
PAYEES = ("Canva", "Google Ads", "Royal Mail", "Zoom", "Notion", "Meta Ads", "Dropbox", "Trainline")
PAYMENTS_HEADER = ("## Payments", "", "| Date | Amount | Method | Reference | Note | Id |",
                   "|------------|--------:|--------|-----------|------|--------|")
GIT = ["git", "-c", "core.hooksPath=/dev/null", "-c", "user.name=obm bench", "-c", "user.email=bench@example.com"]
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
FIRST_DAY = date(2024, 1, 1)
DAYS = 1065  # up to 2026-11-30
TODAY = date(2026, 11, 23)  # the benchmarks' "now"
STUCK = 0.01  # share of old items still open: forgotten, stalled

FIRST = (
    "Aisha", "Ben", "Carlos", "Daniel", "Emma", "Fred", "Grace", "Hannah", "Ivan", "Julia", "Kevin", "Lucia",
    "Maya", "Marco", "Nina", "Olivia", "Priya", "Ryan", "Sam", "Sophie", "Tom", "Uma", "Victor", "Wen",
    "Yusuf", "Zoe", "Chloe", "Diego", "Elena", "Farah", "Hugo", "Ines", "Jonas", "Kira", "Leo",
)
LAST = (
    "Khan", "Carter", "Mendes", "Okafor", "Doyle", "Smith", "Nakamura", "Lee", "Petrov", "Brooks", "Walsh",
    "Fernandez", "Patel", "Bianchi", "Jensen", "Grant", "Raman", "OConnor", "Oduya", "Martin", "Becker",
    "Rao", "Silva", "Zhang", "Aydin", "Moreau", "Dubois", "Rossi", "Novak", "Costa",
)
BRANDS = ("Studio", "Coaching", "Design Co.", "& Partners", "Labs", "Consulting", "Yoga", "Bakery", "Fitness")
AGENTS = ("Sam", "Mia Torres", "Fred Smith", "Alex Kim")
SUPPLIERS = ("Clay & Kiln Mugs", "Northwind Print Co.", "StickerJoy", "Potter & Co", "Bright Threads", "Paper Lane")
GOODS = (
    ("MUG", "Logo mug, 350 ml", "14.00"), ("TRVL", "Travel mug", "24.00"), ("JRNL", "Gratitude journal", "18.00"),
    ("NB", "Notebook set of 3", "16.00"), ("STK", "Sticker pack", "6.00"), ("TOTE", "Canvas tote bag", "19.00"),
    ("PRNT", "Art print A4", "22.00"), ("CAP", "Embroidered cap", "25.00"), ("PEN", "Brass pen", "32.00"),
)
OFFERS = ("Launch Lab (self-paced course)", "Momentum Mastermind", "1:1 Coaching, monthly", "Shop order",
          "Brand Sprint workshop", "Annual membership")
REASONS = ("insufficient_funds", "card_declined", "expired_card", "do_not_honor", "processing_error")
DECLINE_STATES = ("new", "contacted", "retrying", "recovered", "lost")
SUBJECTS = (
    "Mug arrived cracked", "Where is my order?", "Refund for the course", "Cannot log in to the portal",
    "Change my billing address", "Invoice copy needed for my accountant", "Coupon code not working",
    "Wrong size shipped", "Question about the mastermind schedule", "Cancel my membership",
    "Recording of last week's call", "Payment taken twice", "Shipping to Canada?", "Journal pages misprinted",
    "Update card details", "Bulk order for a team retreat", "Missing item in parcel", "Course video will not play",
)
SENTENCES = (
    "Thanks for getting back to me so quickly.", "I have attached a photo of the box as it arrived.",
    "Could you check the order number again, please?", "We shipped a replacement this morning by tracked post.",
    "The tracking link should work within a day.", "Happy to help with anything else you need.",
    "I tried again on another browser and it still fails.", "Our accountant needs the invoice with the VAT number.",
    "Let me know if the new card works on your side.", "We refunded the difference to the original card.",
    "The next cohort starts on the first Monday of the month.", "I am travelling next week, so reply by email.",
    "That is the third one from this batch: worth telling the supplier.", "Noted in the client's file for later.",
    "The call recordings go up within 48 hours.", "Counted twice, the shelf matches the ledger now.",
    "Sent the welcome pack with the login details.", "Asked for a quote on a larger run before the holidays.",
    "Paid by bank transfer; the reference is on the statement.", "Follow up after the launch if we hear nothing.",
)
PLAIN_SENTENCES = tuple(s for s in SENTENCES if ":" not in s)
STEPS = (
    "Send the invoice and the contract", "Send the welcome email", "Book the kickoff call",
    "Add the client to the mailing list", "Set up the recurring invoice", "Count the shelves",
    "Order what is below its reorder point", "Email the customer about the failed payment",
    "Check the bank statement", "Post the weekly summary", "Archive finished tickets", "Follow up with the client",
)
PROCESS_TITLES = ("Client onboarding", "Weekly stock count", "Monthly invoicing", "Refund a customer",
                  "Follow up a declined payment", "Restock a product", "Offboard a client", "Quarterly review")
_SLUG_RE = re.compile(r"[^a-z0-9]+")


def slug(text: str, limit: int = 60) -> str:
    """A cheap ASCII slug (the generator's inputs are plain ASCII)."""
    return _SLUG_RE.sub("-", text.lower()).strip("-")[:limit].rstrip("-")


def counts(size: int, shares: tuple[tuple[str, int], ...] = SHARES) -> dict[str, int]:
    """Records of each kind in a vault of `size` records (the shares add up to exactly `size`)."""
    made = {kind: max(1, size * share // 100) for kind, share in shares}
    made["ticket"] += size - sum(made.values())
    return made


class Maker:
    """Makes the records of one vault, deterministically, as (relative path, bytes)."""

    def __init__(self, size: int, seed: int = SEED, profile: str = "default") -> None:
        self.rng = random.Random(seed)
        self.size = size
        self.profile = profile
        self.taken: set[str] = set()
        self.clients: list[str] = []
        self.processes: list[str] = []
        self.skus: list[tuple[str, str]] = []
        self.bases: dict[str, int] = {}

    # ----- small values ------------------------------------------------------------------
    def day(self) -> date:
        return FIRST_DAY + timedelta(days=self.rng.randrange(DAYS))

    def aged(self, day: date, fresh: tuple[str, ...], settled: tuple[str, ...], days: int) -> str:
        """A status as a business's files age: items of the last `days` days are in any state
        (`fresh`); older ones are settled (`settled`) but for a few left open and forgotten. So the
        open items of a big vault are its recent ones, as in a real business, not a fixed share."""
        if (TODAY - day).days <= days or self.rng.random() < STUCK:
            return self.rng.choice(fresh)
        return self.rng.choice(settled)

    def person(self) -> str:
        return f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}"

    def email(self, name: str) -> str:
        return f"{slug(name).replace('-', '.')}{self.rng.randrange(100)}@example.com"

    def money(self, low: int, high: int) -> str:
        return f'"{self.rng.randrange(low, high)}.{self.rng.choice(("00", "50", "99", "25"))}"'

    def suffix(self) -> str:
        return "".join(self.rng.choice(CROCKFORD) for _ in range(3))

    def unique(self, make: Callable[[], str]) -> str:
        while True:
            candidate = make()
            if candidate.casefold() not in self.taken:
                self.taken.add(candidate.casefold())
                return candidate

    def tags(self, pool: tuple[str, ...]) -> str:
        return "[" + ", ".join(self.rng.sample(pool, self.rng.randrange(1, 3))) + "]"

    def filler(self, parts: list[str], low: int = 1024, high: int = 2048) -> str:
        """Join `parts`, then add sentences until the body is 1-2 KB."""
        body = "\n".join(parts)
        target = self.rng.randrange(low, high)
        extra: list[str] = []
        while len(body) + sum(len(s) + 1 for s in extra) < target:
            extra.append(self.rng.choice(SENTENCES))
        return body + ("\n\n" + " ".join(extra) + "\n" if extra else "")

    # ----- kinds ---------------------------------------------------------------------------
    def process(self, n: int) -> tuple[str, str]:
        base = PROCESS_TITLES[n % len(PROCESS_TITLES)]
        title = base if n < len(PROCESS_TITLES) else f"{base} {n // len(PROCESS_TITLES) + 1}"
        pid = self.unique(lambda: slug(title))
        self.processes.append(pid)
        fm = ["type: process", f"id: {pid}", f"title: {title}", "subject: client", f"owner: {self.rng.choice(AGENTS)}",
              f"description: {self.rng.choice(PLAIN_SENTENCES)}"]
        steps = [f"- [ ] {step} [id:: s{i}] [due:: +{i + 1}d]" for i, step in enumerate(self.rng.sample(STEPS, 6))]
        return f"processes/{pid}.md", _doc(fm, self.filler([f"# {title}", "", *steps]))

    def client(self, n: int) -> tuple[str, str]:
        name = self.person()
        base = slug(name)
        seen = self.bases[base] = self.bases.get(base, 0) + 1
        cid = self.unique(lambda: base if seen == 1 else f"{base}-{seen}")
        self.clients.append(cid)
        since = self.day()
        fm = ["type: client", f"id: {cid}", f"name: {name}",
              f"status: {self.rng.choice(('lead', 'onboarding', 'current', 'current', 'paused', 'past'))}",
              f"company: {name.split()[1]} {self.rng.choice(BRANDS)}", f"email: {self.email(name)}",
              f'phone: "+44 20 7946 {self.rng.randrange(10000):04d}"', f"since: {since}",
              f"rate: {self.money(300, 3000)}", f"follow_up: {since + timedelta(days=self.rng.randrange(400))}",
              f"owner: {self.rng.choice(AGENTS)}", f"tags: {self.tags(('mastermind', 'course', 'vip', 'retainer'))}",
              f"created: {since}T09:{self.rng.randrange(60):02d}"]
        notes = [f"- {since + timedelta(days=7 * i)} — {self.rng.choice(SENTENCES)}" for i in range(4)]
        return f"clients/{cid}.md", _doc(fm, self.filler([f"# {name}", "", *notes]))

    def product(self, n: int) -> tuple[str, str]:
        code, name, price = GOODS[n % len(GOODS)]
        sku = f"{code}-{n // len(GOODS) + 1:04d}"
        self.skus.append((sku, price))
        rows, on_hand = self.ledger()
        fm = ["type: product", f"id: {sku}", f"sku: {sku}", f"name: {name}", f"on_hand: {on_hand}",
              f"reorder_point: {self.rng.randrange(5, 30)}", f"reorder_qty: {self.rng.choice((24, 48, 96))}",
              f"lead_time_days: {self.rng.randrange(3, 30)}", f"supplier: {self.rng.choice(SUPPLIERS)}",
              f'unit_cost: "{int(float(price) * 0.3)}.20"', f'price: "{price}"',
              f"location: Shelf {self.rng.choice('ABCD')}{self.rng.randrange(1, 9)}"]
        table = ["## Ledger", "", "| Date | Movement | Qty | On hand | Ref | Note |",
                 "|------------|----------|----:|--------:|-----|------|", *rows]
        return f"stock/{sku}.md", _doc(fm, self.filler([self.rng.choice(SENTENCES), "", *table], 900, 1800))

    def ledger(self) -> tuple[list[str], int]:
        on_hand, day, rows = 48, self.day(), []
        rows.append(f"| {day} | count | 0 | {on_hand} | count | opening stock |")
        for _ in range(self.rng.randrange(6, 14)):
            day += timedelta(days=self.rng.randrange(1, 9))
            qty = self.rng.choice((48, 24)) if on_hand < 12 else -self.rng.randrange(1, 6)
            on_hand += qty
            move, ref = ("receive", "PO restock") if qty > 0 else ("ship", f"order {self.rng.randrange(1000, 9999)}")
            rows.append(f"| {day} | {move} | {qty:+d} | {on_hand} | {ref} | |")
        return rows, on_hand

    def ticket(self, n: int) -> tuple[str, str]:
        subject = self.rng.choice(SUBJECTS)
        if self.rng.random() < 0.7:  # most real subjects are one of a kind
            subject += f" (order {self.rng.randrange(1000, 99999)})"
        created = self.day()
        tid = self.unique(lambda: f"T-{created:%y%m%d}-{self.suffix()}")
        customer = self.person()
        status = self.aged(created, ("new", "open", "open", "pending", "resolved", "closed", "closed"),
                           ("resolved", "closed", "closed"), 21)
        minute = self.rng.randrange(60)
        fm = ["type: ticket", f"id: {tid}", f"subject: {subject}", f"status: {status}",
              f"priority: {self.rng.choice(('low', 'normal', 'normal', 'high', 'urgent'))}", f"customer: {customer}",
              f"email: {self.email(customer)}", f"channel: {self.rng.choice(('email', 'email', 'chat', 'web'))}",
              f"assignee: {self.rng.choice(AGENTS)}",
              f"tags: {self.tags(('shipping', 'refund', 'billing', 'course', 'damaged'))}",
              f"created: {created}T10:{minute:02d}", f"first_response: {created}T11:{minute:02d}",
              f"message_id: <{self.suffix()}{n}@mail.example.com>"]
        if self.clients and self.rng.random() < 0.2:
            fm.append(f'client: "[[{self.rng.choice(self.clients)}]]"')
        path = f"tickets/{tid}-{slug(subject, 40)}.md"
        return path, _doc(fm, self.filler(self.conversation(created, customer, status, n)))

    def conversation(self, day: date, customer: str, status: str, n: int) -> list[str]:
        agent = self.rng.choice(AGENTS)
        lines = [f"### {day} 10:14 — {customer} (customer)", f"<!-- message-id: <m{n}@mail.example.com> -->",
                 " ".join(self.rng.sample(SENTENCES, 3)), ""]
        for hour in range(11, 11 + self.rng.randrange(2, 5)):
            who, move = (f"{agent} (agent)", " → pending") if hour % 2 else (f"{customer} (customer)", " → open")
            lines += [f"### {day} {hour}:02 — {who}{move}", " ".join(self.rng.sample(SENTENCES, 2)), ""]
        if status in ("resolved", "closed"):
            lines += [f"### {day} 17:30 — {agent} (agent) → {status}", ""]
        return lines

    def invoice(self, n: int) -> tuple[str, str]:
        if self.profile == "finance":
            return self.paid_invoice(n)
        issued = self.day()
        iid = self.unique(lambda: f"INV-{issued:%y%m%d}-{self.suffix()}")
        status = self.aged(issued, ("draft", "sent", "paid", "paid", "paid", "void"), ("paid", "paid", "paid", "void"),
                           60)
        amount = self.money(90, 4000)
        fm = ["type: invoice", f"id: {iid}", f"title: {self.rng.choice(OFFERS)} — {issued:%B %Y}",
              f'client: "[[{self.rng.choice(self.clients)}]]"', f"amount: {amount}", "currency: USD",
              f"status: {status}", f"issued: {issued}", f"due: {issued + timedelta(days=14)}"]
        if status == "paid":
            fm.append(f"paid: {issued + timedelta(days=self.rng.randrange(1, 20))}")
        lines = ["| Item | Qty | Price |", "|------|----:|------:|",
                 *(f"| {self.rng.choice(OFFERS)} | 1 | {amount.strip(chr(34))} |"
                   for _ in range(self.rng.randrange(1, 4)))]
        return f"invoices/{iid}.md", _doc(fm, self.filler(lines))

    def payment_rows(self, cents: int, day: date, parts: int, method: str = "card") -> list[str]:
        """`parts` dated rows that sum to `cents`, from `day` on."""
        cuts = sorted(self.rng.sample(range(1, cents), parts - 1)) if parts > 1 and cents > parts else []
        amounts = [b - a for a, b in zip([0, *cuts], [*cuts, cents], strict=True)]
        rows = []
        for amount in amounts:
            day += timedelta(days=self.rng.randrange(1, 12))
            ref = f"ch_{self.suffix()}{self.rng.randrange(10 ** 8):08d}{self.suffix()}"
            rid = "".join(self.rng.choice(CROCKFORD) for _ in range(6))
            rows.append(f"| {day} | {amount // 100}.{amount % 100:02d} | {method} | {ref} | | {rid} |")
        return rows

    def paid_invoice(self, n: int) -> tuple[str, str]:
        """An invoice of the finance profile: mostly paid, with its `## Payments` rows."""
        issued = self.day()
        iid = self.unique(lambda: f"INV-{issued:%y%m%d}-{self.suffix()}")
        status = self.aged(issued, ("draft", "sent", "partly-paid", "paid", "paid", "paid"),
                           ("paid",) * 12 + ("void", "written-off"), 60)
        cents = self.rng.randrange(90, 4000) * 100 + self.rng.choice((0, 50, 99, 25))
        amount = f"{cents // 100}.{cents % 100:02d}"
        client = self.rng.choice(self.clients)
        fm = ["type: invoice", f"id: {iid}", f"title: {self.rng.choice(OFFERS)} — {issued:%B %Y}",
              f'client: "[[{client}]]"', f'amount: "{amount}"', "currency: USD",
              f"status: {status}", f"issued: {issued}", f"due: {issued + timedelta(days=14)}"]
        if self.rng.random() < 0.4:
            fm.append(f'period: "{issued:%Y-%m}"')
        rows: list[str] = []
        if status == "paid":
            rows = self.payment_rows(cents, issued, self.rng.choice((1, 1, 1, 2, 3)))
            fm.append(f"paid: {rows[-1][2:12]}")
        elif status == "partly-paid":
            rows = self.payment_rows(cents // 2, issued, 1)
        elif status == "written-off":
            fm.append(f"closed: {issued + timedelta(days=120)}")
        lines = ["| Item | Qty | Price |", "|------|----:|------:|", f"| {self.rng.choice(OFFERS)} | 1 | {amount} |"]
        if rows:
            lines += ["", *PAYMENTS_HEADER, *rows]
        return f"invoices/{iid}.md", _doc(fm, self.filler(lines, 700, 1400))

    def bill(self, n: int) -> tuple[str, str]:
        issued = self.day()
        bid = self.unique(lambda: f"BILL-{issued:%y%m%d}-{self.suffix()}")
        status = self.aged(issued, ("unpaid", "partly-paid", "paid"), ("paid",), 45)
        cents = self.rng.randrange(40, 3000) * 100 + self.rng.choice((0, 40, 80))
        fm = ["type: bill", f"id: {bid}", f"title: Restock {issued:%B}", f"supplier: {self.rng.choice(SUPPLIERS)}",
              f'amount: "{cents // 100}.{cents % 100:02d}"', f"status: {status}", f"issued: {issued}",
              f"due: {issued + timedelta(days=30)}", "category: stock"]
        rows = (self.payment_rows(cents, issued, 1, "bank") if status == "paid"
                else self.payment_rows(cents // 2, issued, 1, "bank") if status == "partly-paid" else [])
        if rows and status == "paid":
            fm.append(f"paid: {rows[-1][2:12]}")
        body = [self.rng.choice(SENTENCES), *([""] + list(PAYMENTS_HEADER) + rows if rows else [])]
        return f"bills/{bid}.md", _doc(fm, "\n".join(body) + "\n")

    def expense(self, n: int) -> tuple[str, str]:
        day, payee = self.day(), self.rng.choice(PAYEES)
        eid = self.unique(lambda: f"{day}-{slug(payee)}-{self.suffix().lower()}")
        fm = ["type: expense", f"id: {eid}", f"payee: {payee}", f"date: {day}", f"amount: {self.money(5, 400)}",
              f"category: {self.rng.choice(CATEGORIES)}", "paid_with: company card"]
        return f"expenses/{eid}.md", _doc(fm, self.rng.choice(SENTENCES) + "\n")

    def decline(self, n: int) -> tuple[str, str]:
        customer, day = self.person(), self.day()
        did = self.unique(lambda: f"{day}-{slug(customer, 40)}-{self.suffix().lower()}")
        fm = ["type: decline", f"id: {did}", f"customer: {customer}", f"email: {self.email(customer)}",
              f"amount: {self.money(20, 2000)}", f"product: {self.rng.choice(OFFERS)}", f"declined: {day}",
              f"reason: {self.rng.choice(REASONS)}",
              f"status: {self.aged(day, DECLINE_STATES, ('recovered', 'lost'), 30)}",
              f"attempts: {self.rng.randrange(4)}", f"next_follow_up: {day + timedelta(days=3)}",
              f"charge_id: ch_{self.suffix()}{n:08d}{self.suffix()}"]
        notes = ["## Follow-ups", "",
                 *(f"- {day + timedelta(days=d)} — {self.rng.choice(SENTENCES)}" for d in (0, 3, 7))]
        return f"declines/{did}.md", _doc(fm, self.filler(notes))

    def purchase_order(self, n: int) -> tuple[str, str]:
        ordered = self.day()
        pid = self.unique(lambda: f"PO-{ordered:%y%m%d}-{self.suffix()}")
        status = self.aged(ordered, ("draft", "ordered", "partial", "received", "received"), ("received",), 45)
        fm = ["type: purchase-order", f"id: {pid}", f"title: Restock {ordered:%B}",
              f"supplier: {self.rng.choice(SUPPLIERS)}",
              f"status: {status}", f"ordered: {ordered}", f"expected: {ordered + timedelta(days=14)}", "lines:"]
        for sku, _price in self.rng.sample(self.skus, min(len(self.skus), self.rng.randrange(1, 4))):
            qty = self.rng.choice((24, 48, 96))
            fm += [f"  - sku: {sku}", f"    qty: {qty}", f"    received: {qty if status == 'received' else 0}",
                   f'    unit_cost: "{self.rng.randrange(2, 12)}.40"']
        return f"purchase-orders/{pid}.md", _doc(fm, self.filler([self.rng.choice(SENTENCES)]))

    def run(self, n: int) -> tuple[str, str]:
        process, client = self.rng.choice(self.processes), self.rng.choice(self.clients)
        rid = self.unique(lambda: f"{self.day()}-{process}-{client}")
        day = date.fromisoformat(rid[:10])
        status = self.aged(day, ("active", "waiting", "done", "done", "cancelled"), ("done", "done", "cancelled"), 60)
        fm = ["type: run", f"id: {rid}", f"title: {process.replace('-', ' ').capitalize()} — {client}",
              f'process: "[[{process}]]"', f'subject: "[[{client}]]"', f"status: {status}", f"started: {rid[:10]}",
              f"assignee: {self.rng.choice(AGENTS)}"]
        if status == "done":
            fm.append(f"finished: {day + timedelta(days=9)}")
        box = "x" if status == "done" else " "
        steps = [f"- [{box}] {step} [id:: s{i}] [due:: {day + timedelta(days=i)}]"
                 for i, step in enumerate(self.rng.sample(STEPS, 7))]
        return f"runs/{rid}.md", _doc(fm, self.filler([f"# {process}", "", *steps]))

    def review(self, n: int) -> tuple[str, str]:
        start = self.day()
        title = f"Review {start:%B %Y}"
        rid = self.unique(lambda: f"{start}-{slug(title, 40)}-{self.suffix().lower()}")
        fm = ["type: review", f"id: {rid}", f"title: {title}", f"period_start: {start}",
              f"period_end: {start + timedelta(days=30)}"]
        parts = [f"# {title}", "", "## What happened", "", *(f"- {self.rng.choice(SENTENCES)}" for _ in range(5))]
        return f"reviews/{rid}.md", _doc(fm, self.filler(parts))

    def records(self) -> Iterator[tuple[str, str]]:
        """Every record: processes, clients and products first (the others link to them)."""
        plan = counts(self.size, PROFILES[self.profile])
        order = ("process", "client", "product", "ticket", "invoice", "decline", "purchase-order", "run", "review",
                 "bill", "expense")
        for kind in (k for k in order if k in plan):
            make = getattr(self, kind.replace("-", "_"))
            for n in range(plan[kind]):
                yield make(n)


def _doc(front_matter: list[str], body: str) -> str:
    return "---\n" + "\n".join(front_matter) + "\n---\n\n" + body


def skeleton() -> list[tuple[str, str]]:
    """The non-record files of a vault made by `obm init`: config, .obm/.gitignore, kind folders."""
    from obm_tui.model.kinds import KINDS

    config = DEFAULT_CONFIG.format(business=business_section("Benchmark Shop", "Europe/London", {}))
    files = [(CONFIG_PATH, config), (".obm/.gitignore", "/cache/\n/conflicts/\n")]
    return files + [(f"{kind.folder}/.gitkeep", "") for kind in KINDS.values()]


def _stream(files: Iterator[tuple[str, str]]) -> Iterator[bytes]:
    """A `git fast-import` stream: one blob per file, then one commit naming them all."""
    paths: list[str] = []
    for mark, (rel, text) in enumerate(files, start=1):
        data = text.encode()
        paths.append(rel)
        yield b"blob\nmark :%d\ndata %d\n%s\n" % (mark, len(data), data)
    yield (b"commit refs/heads/main\ncommitter obm bench <bench@example.com> 1764000000 +0000\n"
           b"data 22\nbenchmark vault seeded\n")
    yield "".join(f"M 100644 :{mark} {rel}\n" for mark, rel in enumerate(paths, start=1)).encode() + b"\n"


def build(root: Path, size: int, seed: int = SEED, profile: str = "default") -> None:
    """Create the vault at `root` (replacing whatever is there)."""
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    subprocess.run([*GIT, "init", "-q", "-b", "main", str(root)], check=True)
    for key, value in (("user.name", "obm bench"), ("user.email", "bench@example.com")):
        subprocess.run(["git", "config", key, value], cwd=root, check=True)
    proc = subprocess.Popen([*GIT, "fast-import", "--quiet"], cwd=root, stdin=subprocess.PIPE)
    assert proc.stdin is not None
    files = iter([*skeleton(), *Maker(size, seed, profile).records()])
    for chunk in _stream(files):
        proc.stdin.write(chunk)
    proc.stdin.close()
    if proc.wait() != 0:
        raise RuntimeError("git fast-import failed")
    subprocess.run([*GIT, "read-tree", "-u", "--reset", "HEAD"], cwd=root, check=True)
    time.sleep(1.1)  # past git's racy-timestamp window, then refresh the index's stat data once
    subprocess.run([*GIT, "update-index", "-q", "--refresh"], cwd=root, check=False)


def vault(size: int, where: Path = VAULTS, seed: int = SEED, profile: str = "default") -> Path:
    """The path of the vault of `size` records, generating it unless a current one is kept."""
    name = f"vault-{size}" if profile == "default" else f"vault-{profile}-{size}"
    root = where / name
    stamp = where / f"{name}.json"
    want: dict[str, object] = {"version": VERSION, "seed": seed, "size": size}
    if profile != "default":
        want["profile"] = profile
    try:
        if json.loads(stamp.read_text()) == want and (root / ".git").is_dir():
            return root
    except (OSError, ValueError):
        pass
    stamp.unlink(missing_ok=True)
    build(root, size, seed, profile)
    stamp.write_text(json.dumps(want))
    return root


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate (or reuse) a synthetic benchmark vault.")
    parser.add_argument("size", type=int)
    parser.add_argument("--fresh", action="store_true", help="rebuild even if a current vault is kept")
    parser.add_argument("--profile", choices=sorted(PROFILES), default="default",
                        help="finance: ~30%% invoices with their payments, bills and expenses")
    args = parser.parse_args(argv)
    if args.fresh:
        name = f"vault-{args.size}" if args.profile == "default" else f"vault-{args.profile}-{args.size}"
        (VAULTS / f"{name}.json").unlink(missing_ok=True)
    started = time.perf_counter()
    root = vault(args.size, profile=args.profile)
    print(root)
    print(f"ready in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
