#!/usr/bin/env python3
"""`sluice report` pages checked in a real browser (Debian's chromium, headless, via Playwright).

For each committed fixture set (Fixtures/mariadb-10.11*), the HTML report of its binlogs is
opened from disk with the network disabled and every request recorded, and:
  - the page makes no request but its own file, and logs no console error or page error;
  - the totals its cards show (transactions, row changes, files) equal `sluice stats --format json`
    of the same files, and so do the per-table rows of the tables panel;
  - the timeline's bars, summed per minute, equal stats' `per_minute` (when the report is per
    minute, one bar per minute: the same count);
  - a drag across part of the chart (the brush) narrows the cards and the tables panel to the
    selected range, and what they show then equals `sluice query --stats` over that range;
  - a copy button shows the command it copied;
  - a full-page screenshot is saved as an artifact (ARTIFACTS, default .ci-artifacts/report/).

  SLUICE=.build/debug/sluice python3 Tests/report/report_browser.py [FIXTURE_DIR ...]
  python3 Tests/report/report_browser.py --readme-shot docs/report.png   # the README picture

Environment: CHROMIUM (default /usr/bin/chromium), ARTIFACTS.
"""
import json
import os
import re
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
SLUICE = os.environ.get("SLUICE", str(ROOT / ".build/debug/sluice"))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("ARTIFACTS", str(ROOT / ".ci-artifacts/report")))


def log(msg):
    print("report-browser: " + msg, flush=True)


def run(*args):
    p = subprocess.run([SLUICE, *args], capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"sluice {' '.join(args)} failed ({p.returncode}): {p.stderr}")
    return p


def civil(epoch):
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def query_stats(fixture, start, stop):
    """(transactions, rows) of `sluice query --stats` over commits in [start, stop)."""
    p = run("query", "--stats", "--start-datetime", civil(start), "--stop-datetime", civil(stop), str(fixture))
    m = re.search(r"(\d+) matching transactions, (\d+) rows", p.stderr)
    if not m:
        raise SystemExit(f"unexpected query --stats output: {p.stderr}")
    return int(m.group(1)), int(m.group(2))


def card(page, key):
    return int(page.inner_text(f'[data-total="{key}"]').replace(",", ""))


def table_rows(page):
    """{table: rows} of the tables panel (all of them)."""
    if page.query_selector("#all-tables") and "show all" in page.inner_text("#all-tables"):
        page.click("#all-tables")
    return {r.get_attribute("data-table"): int(r.get_attribute("data-rows")) for r in page.query_selector_all("#tables-table tbody tr")}


class Failures(list):
    def check(self, ok, what):
        if not ok:
            self.append(what)
            log("FAIL " + what)


def check_fixture(browser, fixture, fails):
    name = fixture.name
    html = ARTIFACTS / f"{name}.html"
    run("report", str(fixture), "-o", str(html))
    stats = json.loads(run("stats", "--format", "json", str(fixture)).stdout)
    report = json.loads(run("report", "--format", "json", str(fixture)).stdout)

    ctx = browser.new_context(offline=True, viewport={"width": 1400, "height": 1000}, device_scale_factor=1)
    page = ctx.new_page()
    requests, problems = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    url = html.resolve().as_uri()
    page.goto(url)
    page.wait_for_selector('body[data-ready="1"]', timeout=20000)

    fails.check(requests == [url], f"{name}: the page requested more than itself: {requests}")
    # Totals shown equal stats.
    for key in ("transactions", "rows", "files"):
        fails.check(card(page, key) == stats[key], f"{name}: card {key} shows {card(page, key)}, stats says {stats[key]}")
    want_tables = {t["table"]: t["inserts"] + t["updates"] + t["deletes"] for t in stats["tables"]}
    got_tables = table_rows(page)
    fails.check(got_tables == {k: v for k, v in want_tables.items() if v > 0 or k in got_tables},
                f"{name}: tables panel {got_tables} != stats {want_tables}")
    # Bars, per minute, equal stats' per_minute.
    bars = page.query_selector_all("#chart g.bar")
    per_minute = {}
    for b in bars:
        t = int(b.get_attribute("data-t"))
        m = t - t % 60
        tx, rows = per_minute.get(m, (0, 0))
        per_minute[m] = (tx + int(b.get_attribute("data-transactions")), rows + int(b.get_attribute("data-rows")))
    want = {m["minute"]: (m["transactions"], m["rows"]) for m in stats["per_minute"]}
    fails.check(per_minute == want, f"{name}: bars per minute {per_minute} != stats per_minute {want}")
    bucket = report["timeline"]["bucket_seconds"]
    if bucket == 60:
        fails.check(len(bars) == len(stats["per_minute"]), f"{name}: {len(bars)} bars, stats has {len(stats['per_minute'])} minutes")
    else:
        fails.check(len(bars) == len(report["timeline"]["buckets"]), f"{name}: {len(bars)} bars for {len(report['timeline']['buckets'])} seconds")
    log(f"{name}: {len(bars)} bars ({'per minute' if bucket == 60 else 'per second'}), {stats['transactions']} transactions, "
        f"{stats['rows']} rows, {len(got_tables)} tables: equal to sluice stats")

    # The brush: drag over the middle third of the chart.
    page.query_selector("#chart").scroll_into_view_if_needed()
    box = page.query_selector("#brush-surface").bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.30, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.50, y, steps=6)
    page.mouse.move(box["x"] + box["width"] * 0.66, y, steps=6)
    page.mouse.up()
    page.wait_for_selector("#clear-selection:not([hidden])")
    sel = page.evaluate("S.sel")
    fails.check(sel is not None, f"{name}: the drag selected nothing")
    if sel:
        q_tx, q_rows = query_stats(fixture, sel[0], sel[1])
        narrowed = table_rows(page)
        fails.check(card(page, "transactions") == q_tx, f"{name}: selection shows {card(page, 'transactions')} transactions, query says {q_tx}")
        fails.check(card(page, "rows") == q_rows, f"{name}: selection shows {card(page, 'rows')} rows, query says {q_rows}")
        fails.check(sum(narrowed.values()) == q_rows, f"{name}: tables panel sums {sum(narrowed.values())} rows in the selection, query says {q_rows}")
        fails.check(q_tx < stats["transactions"], f"{name}: the selection did not narrow ({q_tx} of {stats['transactions']})")
        log(f"{name}: brush {civil(sel[0])} → {civil(sel[1])}: {q_tx} transactions, {q_rows} rows, {len(narrowed)} tables "
            f"(sluice query --stats agrees)")
    # A copy button shows its command.
    btn = page.query_selector("#tx-table button.copy")
    if btn:
        cmd = btn.get_attribute("data-cmd")
        btn.click()
        page.wait_for_selector("#toast:not([hidden])")
        fails.check(cmd in page.inner_text("#toast"), f"{name}: the toast does not show the copied command")
        fails.check(cmd.startswith("sluice query ") and str(fixture) in cmd, f"{name}: odd command {cmd}")
    page.click("#clear-selection")
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    fails.check(not problems, f"{name}: {problems}")
    fails.check(requests == [url], f"{name}: requests after interaction: {requests}")
    ctx.close()


def check_short_window(browser, fixture, fails):
    """A window of 14 minutes is drawn per second: one bar per second with commits, and the bars
    hold what `sluice query --stats` decodes over the window."""
    start, stop = "2024-03-01 00:00:00", "2024-03-01 00:14:00"
    html = ARTIFACTS / f"{fixture.name}-window.html"
    run("report", "--start-datetime", start, "--stop-datetime", stop, str(fixture), "-o", str(html))
    report = json.loads(run("report", "--format", "json", "--start-datetime", start, "--stop-datetime", stop, str(fixture)).stdout)
    p = run("query", "--stats", "--start-datetime", start, "--stop-datetime", stop, str(fixture))
    m = re.search(r"(\d+) matching transactions, (\d+) rows", p.stderr)
    q_tx, q_rows = int(m.group(1)), int(m.group(2))
    ctx = browser.new_context(offline=True, viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    problems = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(html.resolve().as_uri())
    page.wait_for_selector('body[data-ready="1"]', timeout=20000)
    bars = page.query_selector_all("#chart g.bar")
    seconds = {int(b.get_attribute("data-t")) for b in bars}
    fails.check(report["timeline"]["bucket_seconds"] == 1, f"{fixture.name} window: not per second")
    fails.check(all(int(b.get_attribute("data-buckets")) == 1 for b in bars), f"{fixture.name} window: bars merged")
    fails.check(len(bars) == len(report["timeline"]["buckets"]) == len(seconds), f"{fixture.name} window: {len(bars)} bars")
    fails.check(sum(int(b.get_attribute("data-transactions")) for b in bars) == q_tx == card(page, "transactions"),
                f"{fixture.name} window: bars hold {sum(int(b.get_attribute('data-transactions')) for b in bars)} transactions, query {q_tx}")
    fails.check(sum(int(b.get_attribute("data-rows")) for b in bars) == q_rows == card(page, "rows"),
                f"{fixture.name} window: bars hold {sum(int(b.get_attribute('data-rows')) for b in bars)} rows, query {q_rows}")
    fails.check(not problems, f"{fixture.name} window: {problems}")
    page.screenshot(path=str(ARTIFACTS / f"{fixture.name}-window.png"), full_page=True)
    log(f"{fixture.name} {start} → {stop}: {len(bars)} one-second bars, {q_tx} transactions, {q_rows} rows (sluice query --stats agrees)")
    ctx.close()


def readme_shot(browser, out):
    """The README's picture: the first fixture's report, top of the page, a range selected."""
    fixture = ROOT / "Fixtures/mariadb-10.11"
    html = ARTIFACTS / "readme.html"
    run("report", str(fixture), "-o", str(html))
    ctx = browser.new_context(offline=True, viewport={"width": 1280, "height": 1180}, device_scale_factor=1)
    page = ctx.new_page()
    page.goto(html.resolve().as_uri())
    page.wait_for_selector('body[data-ready="1"]')
    box = page.query_selector("#brush-surface").bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.08, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.45, y, steps=8)
    page.mouse.up()
    page.mouse.move(5, 5)
    page.screenshot(path=str(out), clip={"x": 0, "y": 0, "width": 1280, "height": 1180})
    ctx.close()
    log(f"wrote {out}")


def main():
    from playwright.sync_api import sync_playwright

    args = sys.argv[1:]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    with sync_playwright() as p:
        launch = ["--no-sandbox"] if os.geteuid() == 0 else []
        browser = p.chromium.launch(executable_path=CHROMIUM, args=launch)
        if args[:1] == ["--readme-shot"]:
            readme_shot(browser, Path(args[1]))
            browser.close()
            return 0
        fixtures = [Path(a) for a in args] or sorted((ROOT / "Fixtures").glob("mariadb-10.11*"))
        fails = Failures()
        for f in fixtures:
            check_fixture(browser, f, fails)
        check_short_window(browser, fixtures[0], fails)
        browser.close()
    log(f"{len(fixtures)} fixture reports in {time.time() - t0:.1f} s; screenshots in {ARTIFACTS}")
    if fails:
        log(f"{len(fails)} failures")
        return 1
    log("all passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
