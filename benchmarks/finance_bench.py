"""The finance reports' speed on a vault that bills a lot, against bare references in the same run.

    .venv/bin/python -m benchmarks.finance_bench --records 100000      # make bench-finance

The vault is the generator's finance profile (benchmarks/generate.py: ~30% invoices, most with
`## Payments` rows, plus bills and expenses). Medians of `--repeat` runs:
- the report: `services.finance_report.finance_report` for twelve months (every figure: revenue,
  MRR, aging, cash, margin, declines), the vault already open, against a bare pass over the same
  index that sums every invoice's, bill's and expense's front-matter amount and every payment row
  kept in `Record.extra` into Decimals per currency: the least any report must do. Target ≤ 2×.
  The first report of a session also reads the products' ledgers (kept per file version after),
  shown apart.
- the Finance screen: from pressing `0` in the running app until the charts are painted, against
  a bare Textual app's first frame (construction until Pilot can drive it). Target ≤ bare + 0.3 s.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from benchmarks import generate

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 9, 0)
SIZE = (120, 40)


def bare_sum(records: list) -> dict[tuple[str, str], Decimal]:  # type: ignore[type-arg]
    """Every money amount of the index summed per (kind, currency): no events, no figures."""
    sums: dict[tuple[str, str], Decimal] = {}
    for record in records:
        if record.kind not in ("invoice", "bill", "expense", "payment"):
            continue
        currency = str(record.data.get("currency") or "USD")
        key = (record.kind, currency)
        sums[key] = sums.get(key, Decimal(0)) + Decimal(str(record.data.get("amount")))
        rows = record.extra.get("payments") if record.extra else None
        if rows:
            paid = (record.kind + " paid", currency)
            sums[paid] = sums.get(paid, Decimal(0)) + sum((Decimal(row[1]) for row in rows), Decimal(0))
    return sums


def _timed(action: object) -> float:
    started = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - started


def measure_report(root: Path, repeat: int) -> dict[str, float]:
    from obm_tui.services.finance_report import finance_report, months_range
    from obm_tui.vault.store import Vault

    vault = Vault.open(root, commit_external=False)
    try:
        first, last = months_range(TODAY)
        cold = _timed(lambda: finance_report(vault, first, last, TODAY))
        reports, bares = [], []
        for _ in range(repeat):  # interleaved: a busy machine slows both alike
            reports.append(_timed(lambda: finance_report(vault, first, last, TODAY)))
            bares.append(_timed(lambda: bare_sum(vault.records())))
        invoices = vault.records("invoice")
        with_rows = sum(1 for r in invoices if r.extra and r.extra.get("payments"))
        return {"records": len(vault.index), "invoices": len(invoices), "invoices with payments": with_rows,
                "first report (reads the ledgers)": cold, "report": statistics.median(reports),
                "bare sum": statistics.median(bares),
                "after an invoice changed": _after_a_change(vault, invoices[len(invoices) // 2],
                                                            lambda: finance_report(vault, first, last, TODAY)),
                "after a purchase order changed": _after_a_change(vault, vault.records("purchase-order")[0],
                                                                  lambda: finance_report(vault, first, last, TODAY))}
    finally:
        vault.close()


def _after_a_change(vault, record, report) -> float:  # type: ignore[no-untyped-def]
    """The report once one record is changed in the index, as the watcher puts an edited file
    (a new digest: what was kept of it is worked out again); the record is put back after."""
    from dataclasses import replace

    vault.index.put(replace(record, digest=b"changed " + record.digest))
    try:
        return _timed(report)
    finally:
        vault.index.put(record)
        report()


async def bare_first_frame() -> float:
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    class BareApp(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("hello")

    started = time.perf_counter()
    async with BareApp().run_test(size=SIZE) as pilot:
        await pilot.pause()
        return time.perf_counter() - started


async def finance_first_frame(root: Path, repeat: int) -> list[tuple[float, float]]:
    """From pressing `0` (the app idle on Today) until the Finance screen is painted (its title,
    and "Working out the figures…"), and until its charts are painted with the figures."""
    from obm_tui.tui.app import ObmApp
    from obm_tui.tui.clock import fixed_clock
    from obm_tui.tui.screens.finance import FinanceScreen
    from obm_tui.tui.settings import Settings
    from obm_tui.vault.store import Vault

    painted: list[float] = []
    mounted: list[float] = []
    original, original_mount = FinanceScreen._show, FinanceScreen.on_mount

    def show(screen: FinanceScreen, report: object) -> None:
        original(screen, report)  # type: ignore[arg-type]
        screen.app.call_after_refresh(lambda: painted.append(time.perf_counter()))

    def mount(screen: FinanceScreen) -> None:
        original_mount(screen)
        screen.app.call_after_refresh(lambda: mounted.append(time.perf_counter()))

    FinanceScreen._show = show  # type: ignore[method-assign]
    FinanceScreen.on_mount = mount  # type: ignore[method-assign]
    waits = []
    for _ in range(repeat):
        vault = Vault.open(root, commit_external=False, trust_cache=True)
        app = ObmApp(vault, clock=fixed_clock(NOW), settings=Settings(), watch=False, automate=False)
        try:
            async with app.run_test(size=SIZE) as pilot:
                await _idle(pilot)
                painted.clear()
                mounted.clear()
                started = time.perf_counter()
                await pilot.press("0")
                for _ in range(20000):
                    await asyncio.sleep(0.002)
                    if painted:
                        break
                waits.append((mounted[0] - started, painted[0] - started))
        finally:
            vault.close()
    FinanceScreen._show = original  # type: ignore[method-assign]
    FinanceScreen.on_mount = original_mount  # type: ignore[method-assign]
    return waits


async def _idle(pilot) -> None:  # type: ignore[no-untyped-def]
    for _ in range(20000):
        await pilot.pause()
        if not [w for w in pilot.app.workers if w.group != "watch" and not w.is_finished]:
            return
    raise RuntimeError("the app never settled")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The finance report and screen against bare references.")
    parser.add_argument("--records", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-tui", action="store_true", help="only the report")
    args = parser.parse_args(argv)
    root = generate.vault(args.records, where=generate.VAULTS / "finance", profile="finance")
    figures = measure_report(root, args.repeat)
    print(f"finance benchmark, {figures['records']} records: {figures['invoices']} invoices, "
          f"{figures['invoices with payments']} with payment rows ({root})")
    ratio = figures["report"] / figures["bare sum"]
    print(f"  report, every figure (12 months)      {figures['report']:8.3f} s   bare sum over the index "
          f"{figures['bare sum']:8.3f} s   ratio {ratio:5.2f}   target ≤ 2     {'PASS' if ratio <= 2 else 'MISS'}")
    print(f"  first report of a session (ledgers)   {figures['first report (reads the ledgers)']:8.3f} s")
    for name in ("after an invoice changed", "after a purchase order changed"):
        print(f"  report {name:<30} {figures[name]:8.3f} s")
    if not args.no_tui:
        bare = statistics.median(asyncio.run(bare_first_frame()) for _ in range(args.repeat))
        frames = asyncio.run(finance_first_frame(root, max(1, args.repeat // 2)))
        drawn, charts = (statistics.median(f[i] for f in frames) for i in (0, 1))
        for name, value in (("Finance screen first frame (key 0)", drawn), ("  … with its figures", charts)):
            print(f"  {name:<37} {value:8.3f} s   bare Textual first frame {bare:8.3f} s   "
                  f"beyond {value - bare:+6.3f} s   target ≤ +0.3 s {'PASS' if value - bare <= 0.3 else 'MISS'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
