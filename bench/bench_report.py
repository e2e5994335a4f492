"""How fast ``neural visualize hpo_results.json --format html`` is, and how big its page, at scale.

Run: ``.venv/bin/python bench/bench_report.py [--no-browser]``.

Builds two results documents like a long search leaves (mixed parameter
kinds — choice of numbers and tuples, stepped and continuous ranges,
log_range, custom —; ten epochs per trial; a tenth pruned, a twentieth
failed; four workers): 1,000 trials × 10 parameters and 10,000 trials × 20
parameters. For each it times the whole report (reading the file, every
figure's data, the page) with the html visualizer, prints the file size, and
the ratio of each to its goal (1,000 × 10: < 5 s and < 8 MB; 10,000 × 20:
< 20 s and < 15 MB). For the larger one it also opens the page in headless
Chromium (Debian's ``chromium``) with the network blocked and times it until
the figures on its first screen are drawn (goal < 5 s), and
until every figure is (the rest are drawn one after another, in the background). For scale on a loaded machine it times
``json.loads`` of the same results file in the same run and prints the
report's time as a multiple of it, and the 10,000-trial page's first screen as
a multiple of the 1,000-trial page's, loaded in the same run.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

GOALS = {(1000, 10): (5.0, 8.0, None), (10000, 20): (20.0, 15.0, 5.0)}


def make_space(count: int) -> list[dict[str, Any]]:
    """``count`` parameters cycling through every HPO form."""
    forms: list[dict[str, Any]] = [
        {"kind": "choice", "choices": [32, 64, 128, 256], "labels": ["32", "64", "128", "256"]},
        {"kind": "log_range", "low": 1e-5, "high": 1e-1, "step": None, "log": True, "integer": False},
        {"kind": "range", "low": 0.1, "high": 0.7, "step": 0.1, "log": False, "integer": False},
        {"kind": "choice", "choices": [[3, 3], [5, 5]], "labels": ["(3, 3)", "(5, 5)"]},
        {"kind": "range", "low": 0.0, "high": 1.0, "step": None, "log": False, "integer": False},
        {"kind": "custom", "choices": [{"units": 8}, {"units": 64}], "labels": ["small", "big"]},
    ]
    return [
        {"name": f"layer_{i}.p{i}", **forms[i % len(forms)], "line": i + 3, "column": 5} for i in range(count)
    ]


def make_results(trials: int, params: int, seed: int = 0) -> dict[str, Any]:
    """A results document of ``trials`` trials over ``params`` parameters (see the module docstring)."""
    from neural.search.results_schema import SCHEMA_ID

    rng = random.Random(seed)
    space = make_space(params)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    worker_free = [start] * 4
    rows = []
    for number in range(trials):
        point: dict[str, Any] = {}
        for spec in space:
            if spec["kind"] in ("choice",):
                point[spec["name"]] = rng.choice(spec["choices"])
            elif spec["kind"] == "custom":
                point[spec["name"]] = rng.choice(spec["labels"])
            elif spec["kind"] == "log_range":
                point[spec["name"]] = 10 ** rng.uniform(-5, -1)
            elif spec["step"]:
                point[spec["name"]] = round(0.1 + 0.1 * rng.randrange(7), 1)
            else:
                point[spec["name"]] = rng.random()
        final = 0.2 + abs(point[space[1]["name"]] - 1e-3) * 10 + rng.random() * 0.1
        curve = [final + 1.5 * 0.6**epoch for epoch in range(10)]
        roll = rng.random()
        state = "failed" if roll < 0.05 else "pruned" if roll < 0.15 else "complete"
        if state == "pruned":
            curve = curve[: rng.randrange(1, 6)]
        elif state == "failed":
            curve = curve[: rng.randrange(0, 3)]
        worker = min(range(4), key=lambda w: worker_free[w])
        began = worker_free[worker] + timedelta(seconds=rng.random())
        seconds = 5 + rng.random() * 20
        worker_free[worker] = began + timedelta(seconds=seconds)
        rows.append(
            {
                "number": number,
                "state": state,
                "params": point,
                "value": curve[-1] if state == "complete" else None,
                "intermediate_values": curve,
                "metrics": [],
                "seed": number,
                "duration": round(seconds, 4),
                "error": "loss is NaN at epoch 2" if state == "failed" else None,
                "traceback": None,
                "started": began.replace(microsecond=0).isoformat(),
                "finished": worker_free[worker].replace(microsecond=0).isoformat(),
            }
        )
    return {
        "schema": SCHEMA_ID,
        "source": {"file": "bench.neural", "sha256": "0" * 64, "network": "Bench"},
        "backend": {"name": "pytorch"},
        "searcher": {"name": "optuna", "method": "bayesian", "settings": {"sampler": {"name": "TPESampler"}}},
        "seed": 0,
        "objective": {"metric": "val_loss", "direction": "minimize"},
        "budget": {"n_trials": trials, "timeout": None, "parallel": 4, "epochs": 10},
        "space": space,
        "trials": rows,
        "best_trial": None,
        "versions": {"python": "3.11"},
        "status": "finished",
        "started": start.isoformat(),
        "updated": max(worker_free).isoformat(),
    }


def browser_load_seconds(page: Path) -> tuple[float, float]:
    """Seconds from navigation until the first screen's figures are drawn, and until every figure is,
    in headless Chromium with the network blocked."""
    from playwright.sync_api import sync_playwright

    args = [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--no-first-run",
        "--enable-unsafe-swiftshader",
    ]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        context = browser.new_context(viewport={"width": 1300, "height": 900})
        context.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
        tab = context.new_page()
        errors: list[str] = []
        tab.on("pageerror", lambda error: errors.append(str(error)))
        started = time.perf_counter()
        tab.goto(page.resolve().as_uri(), timeout=120_000, wait_until="commit")
        tab.wait_for_selector("body[data-report-ready]", timeout=300_000)
        # the page stamps both moments itself (ms since navigation began): polling from outside lags
        first = float(tab.get_attribute("body", "data-first-screen-ms") or "nan") / 1000
        seconds = float(tab.get_attribute("body", "data-report-ms") or "nan") / 1000
        outside = time.perf_counter() - started
        state = tab.get_attribute("body", "data-report-ready")
        browser.close()
    if state != "yes" or errors:
        raise SystemExit(f"the page did not draw cleanly: {state} {errors}")
    print(f"{'':>27}(seen from outside the page after {outside:.2f} s)")
    return first, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium load time")
    options = parser.parse_args()
    from neural_viz.visualizers import HtmlVisualizer

    HtmlVisualizer  # noqa: B018 - imported before timing; plotly.js is read inside the first render
    with tempfile.TemporaryDirectory() as folder:
        for (trials, params), (time_goal, size_goal, load_goal) in GOALS.items():
            results = Path(folder) / f"hpo_results_{trials}x{params}.json"
            results.write_text(json.dumps(make_results(trials, params)))
            started = time.perf_counter()
            json.loads(results.read_text())
            parse_seconds = time.perf_counter() - started
            page = Path(folder) / f"report_{trials}x{params}.html"
            started = time.perf_counter()
            HtmlVisualizer().render(results, page)
            seconds = time.perf_counter() - started
            megabytes = page.stat().st_size / 1e6
            print(
                f"{trials:>6,} trials x {params:>2} params: report {seconds:6.2f} s (goal {time_goal:g} s: "
                f"{seconds / time_goal:.2f} of it; {seconds / parse_seconds:,.0f}x json.loads of the results), "
                f"{megabytes:5.2f} MB (goal {size_goal:g} MB: {megabytes / size_goal:.2f} of it)"
            )
            if load_goal is not None and not options.no_browser:
                baseline = Path(folder) / "baseline.html"
                HtmlVisualizer().render(Path(folder) / "hpo_results_1000x10.json", baseline)
                base_first, _ = browser_load_seconds(baseline)
                print(
                    f"{'':>27}for scale: the 1,000-trial page's first screen is drawn in {base_first:.2f} s"
                )
                first, every = browser_load_seconds(page)
                print(
                    f"{'':>27}Chromium (software WebGL): first screen drawn in {first:.2f} s (goal {load_goal:g} s: "
                    f"{first / load_goal:.2f} of it; {first / base_first:.1f}x the 1,000-trial page), "
                    f"every figure in {every:.2f} s ({every / load_goal:.2f} of it)"
                )


if __name__ == "__main__":
    main()
