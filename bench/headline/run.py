"""The headline benchmark: the best model per CPU-minute, ours against two peers, side by side.

    .venv/bin/python bench/headline/run.py --budget 300 --seeds 3

For every seed, one after another on this machine, each contestant searches the
guide's advanced example (``examples/advanced_hpo.neural``: its space, 20
epochs a trial) on the embedded ``mnist5k`` digits with the same validation
split (the split ``neural`` makes for that seed, written to an ``.npz`` the
peers read):

- ``neural``: ``neural run examples/advanced_hpo.neural --backend pytorch --hpo
  --timeout S`` exactly as a user types it, plus only ``--seed K`` (the seed of
  the round), ``--out DIR`` and ``--force`` (where to write); no tuning flags.
- ``optuna-loop``: a hand-written Optuna TPE + PyTorch loop (``peer_optuna.py``).
- ``keras-tuner``: Keras Tuner ``BayesianOptimization`` on Keras 3
  (``peer_keras_tuner.py``), in its own environment: ``--peer-python`` or
  ``bench/headline/.venv``, which this script creates on first use with
  tensorflow-cpu and keras-tuner (pinned below; not part of the test set-up).

Every contestant gets the machine's threads (the thread-limiting variables are
removed from its environment). The clock starts when its process is launched.
For ours, an epoch's wall time is when it first appeared in ``hpo_results.json``
(``neural`` rewrites it after every epoch; the harness reads it every
``POLL_SECONDS``): a bound from above, so never in our favour. The table gives the medians over seeds; the raw
curves go to ``--out``/``headline.json``. Ratios are ours / the best peer's
(the peer with the highest median best accuracy at 100 % of the budget).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
EXAMPLE = ROOT / "examples" / "advanced_hpo.neural"
PEER_VENV = HERE / ".venv"
PEER_REQUIREMENTS = (
    "tensorflow-cpu==2.21.0",
    "keras-tuner==1.4.8",
    "scipy==1.17.1",
    "scikit-learn==1.9.1",
    "tensorboard==2.21.0",
)
TARGET_ACCURACY = 0.97
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "TF_NUM_INTRAOP_THREADS")
CONTESTANTS = ("neural", "optuna-loop", "keras-tuner")
#: Chance accuracy on 10 classes, with a margin: a trial never above it diverged.
CHANCE_CEILING = 0.2
#: How often the harness looks at ours' results file while it runs.
POLL_SECONDS = 0.1
#: ``--smoke-epochs``: fewer epochs a trial, to try the harness itself (not a benchmark).
EPOCHS_OVERRIDE: int | None = None


# ----------------------------------------------------------------------------- set-up


def write_split(seed: int, path: Path) -> None:
    """The train/validation split ``neural run --seed SEED`` makes, as an ``.npz`` for the peers."""
    import numpy as np

    from neural.program import load_program
    from neural.training import prepare_model_data

    program = load_program(EXAMPLE)
    data = prepare_model_data(program.nominal_model(), None, seed=seed)
    np.savez(path, x_train=data.x_train, y_train=data.y_train, x_val=data.x_val, y_val=data.y_val)


def peer_python(given: str | None) -> str:
    """The Python that runs Keras Tuner: ``--peer-python``, or ``bench/headline/.venv`` (made on first use)."""
    if given:
        return given
    python = PEER_VENV / "bin" / "python"
    if not python.exists():
        print(f"creating {PEER_VENV} (once) ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
    probe = [str(python), "-c", "import keras_tuner, scipy, sklearn, tensorboard, tensorflow"]
    if subprocess.run(probe, capture_output=True, env=contestant_env()).returncode != 0:
        print(f"installing {', '.join(PEER_REQUIREMENTS)} into {PEER_VENV} ...", flush=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *PEER_REQUIREMENTS], check=True)
    return str(python)


def contestant_env() -> dict[str, str]:
    """The environment every contestant runs in: all threads, no Python buffering."""
    env = {k: v for k, v in os.environ.items() if k not in THREAD_VARIABLES}
    env["PYTHONUNBUFFERED"] = "1"
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    return env


def neural_command() -> list[str]:
    """``neural`` from the interpreter's own environment (the project's ``.venv``)."""
    beside = Path(sys.executable).with_name("neural")
    return [str(beside)] if beside.exists() else [sys.executable, "-m", "neural"]


# ----------------------------------------------------------------------------- one run each


def run_limited(
    command: list[str], log_path: Path, limit: float, watch: Callable[[], None] | None = None
) -> tuple[int, bool]:
    """Run ``command`` (output to ``log_path``); kill its whole process group after ``limit`` seconds.

    Every contestant finishes the trials running at its deadline; on a busy machine
    one such trial can take far longer than the budget, and the figures count only
    epochs within the budget, so the run is cut at the limit. ``watch`` is called
    every :data:`POLL_SECONDS` while it runs. Returns (exit code, killed).
    """
    deadline = time.monotonic() + limit
    with open(log_path, "w", encoding="utf-8") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env=contestant_env(), start_new_session=True
        )
        while time.monotonic() < deadline:
            try:
                code = process.wait(timeout=POLL_SECONDS)
            except subprocess.TimeoutExpired:
                if watch is not None:
                    watch()
                continue
            if watch is not None:
                watch()
            return code, False
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        log.write(f"\n[bench] killed after the limit of {limit:.0f} s\n")
        return process.returncode, True


class EpochWatcher:
    """Notes when each epoch of ours first appears in ``hpo_results.json`` (rewritten after every
    epoch): a time from above, so never in our favour."""

    def __init__(self, path: Path, launched: float) -> None:
        self.path = path
        self.launched = launched
        self.seen: dict[tuple[int, int], float] = {}

    def __call__(self) -> None:
        try:
            results = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return  # not written yet
        now = time.time() - self.launched
        for trial in results.get("trials", []):
            for index in range(len(trial.get("metrics") or [])):
                self.seen.setdefault((trial["number"], index), now)


def run_neural(budget: float, seed: int, folder: Path, limit: float) -> dict[str, Any]:
    out = folder / "neural-out"
    command = [
        *neural_command(),
        "run",
        str(EXAMPLE),
        "--backend",
        "pytorch",
        "--hpo",
        "--timeout",
        f"{budget:g}",
        "--seed",
        str(seed),
        "--out",
        str(out),
        "--force",
    ]
    if EPOCHS_OVERRIDE:
        command += ["--epochs", str(EPOCHS_OVERRIDE)]
    launched = time.time()
    watcher = EpochWatcher(out / "hpo_results.json", launched)
    code, killed = run_limited(command, folder / "neural.log", limit, watch=watcher)
    wall = time.time() - launched
    if code != 0 and not killed:
        raise SystemExit(f"neural exited {code}; see {folder / 'neural.log'}")
    results = json.loads((out / "hpo_results.json").read_text(encoding="utf-8"))
    epochs: list[tuple[float, int, int, float]] = []
    trials = {"started": 0, "finished": 0, "pruned": 0, "diverged": 0}
    for trial in results["trials"]:
        trials["started"] += 1
        state, error = trial.get("state"), (trial.get("error") or "")
        trials["finished"] += state == "complete"
        trials["pruned"] += state == "pruned" and "diverg" not in error
        diverged = "diverg" in error or "chance" in error or _never_above_chance(trial.get("metrics") or [])
        trials["diverged"] += bool(diverged)
        metrics = trial.get("metrics") or []
        end = (
            datetime.fromisoformat(trial["finished"]).timestamp() - launched
            if trial.get("finished")
            else None
        )
        later = 0.0
        for index in range(len(metrics) - 1, -1, -1):
            accuracy = metrics[index].get("val_accuracy")
            # when the watcher saw the epoch; else the trial's end less its later epochs
            seen = watcher.seen.get((trial["number"], index))
            when = seen if seen is not None else (end - later if end is not None else None)
            if accuracy is not None and when is not None:
                epochs.append((when, trial["number"], index, float(accuracy)))
            later += float(metrics[index].get("time", 0.0))
    metrics_files = list(out.glob("*.metrics.json"))
    final = json.loads(metrics_files[0].read_text(encoding="utf-8")) if metrics_files else {}
    handed_back = (final.get("final") or {}).get("val_accuracy")
    # dict.fromkeys: the final training prints its own "device:" line, the same as the search's
    header_lines = list(
        dict.fromkeys(
            line.rstrip()
            for line in (folder / "neural.log").read_text(encoding="utf-8").splitlines()
            if line.startswith(
                ("search:", "device:", "budget:", "pruning:", "divergence", "first trial:", "sampler:", "workers:")
            )
        )
    )
    return {
        "objective": f"{results['objective']['metric']} ({results['objective']['direction']})",
        "epochs": sorted(epochs),
        "trials": trials,
        "handed_back": handed_back,
        "wall": wall,
        "killed": killed,
        "header": header_lines,
        "spent": where_the_time_went(results["trials"], watcher.seen, budget),
    }


def where_the_time_went(
    trials: list[dict[str, Any]], seen: dict[tuple[int, int], float], budget: float
) -> dict[str, float]:
    """Ours' profile: when the first epoch ended, and the worker-seconds spent on epochs of
    complete, pruned and diverged trials and on each trial's own start-up (model building,
    hand-over: its duration less its epochs), from ``hpo_results.json`` and the watcher."""
    spent = {"first_epoch_at": min(seen.values(), default=float("nan")), "complete": 0.0, "pruned": 0.0}
    spent.update({"diverged": 0.0, "failed": 0.0, "trial_start": 0.0})
    for trial in trials:
        metrics = trial.get("metrics") or []
        epochs = sum(float(m.get("time", 0.0)) for m in metrics)
        error = trial.get("error") or ""
        kind = "diverged" if "diverg" in error else str(trial.get("state"))
        if kind in spent:
            spent[kind] += epochs
        if trial.get("duration") is not None:
            spent["trial_start"] += max(0.0, float(trial["duration"]) - epochs)
    spent["budget_worker_seconds"] = budget * (os.cpu_count() or 1)
    return spent


def _never_above_chance(metrics: list[dict[str, Any]]) -> bool:
    values = [float(m["val_accuracy"]) for m in metrics if m.get("val_accuracy") is not None]
    return bool(values) and max(values) <= CHANCE_CEILING


def run_peer(
    name: str, python: str, budget: float, seed: int, split: Path, folder: Path, limit: float
) -> dict[str, Any]:
    events_path = folder / f"{name}.events.jsonl"
    events_path.unlink(missing_ok=True)
    script = {"optuna-loop": "peer_optuna.py", "keras-tuner": "peer_keras_tuner.py"}[name]
    command = [
        python,
        str(HERE / script),
        "--data",
        str(split),
        "--budget",
        f"{budget:g}",
        "--seed",
        str(seed),
        "--events",
        str(events_path),
    ]
    if name == "keras-tuner":
        command += ["--workdir", str(folder / "keras-tuner")]
    if EPOCHS_OVERRIDE:
        command += ["--epochs", str(EPOCHS_OVERRIDE)]
    launched = time.time()
    code, killed = run_limited(command, folder / f"{name}.log", limit)
    wall = time.time() - launched
    if code != 0 and not killed:
        raise SystemExit(f"{name} exited {code}; see {folder / (name + '.log')}")
    events = [
        json.loads(line) for line in events_path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    epochs = [
        (e["t"] - launched, e["trial"], e["epoch"], float(e["val_accuracy"]))
        for e in events
        if e["kind"] == "epoch"
    ]
    per_trial: dict[int, list[dict[str, Any]]] = {}
    for event in events:
        if event["kind"] == "epoch":
            per_trial.setdefault(event["trial"], []).append(event)
    ended = [e for e in events if e["kind"] == "trial_end"]
    diverged = sum(
        1
        for rows in per_trial.values()
        if any(r["loss"] is None for r in rows) or max(r["val_accuracy"] for r in rows) <= CHANCE_CEILING
    )
    return {
        "objective": "val_accuracy (maximize)",
        "epochs": sorted(epochs),
        "trials": {"started": len(per_trial), "finished": len(ended), "pruned": 0, "diverged": diverged},
        # the best finished trial's model (both peers keep its best epoch's weights)
        "handed_back": max((e["value"] for e in ended if e.get("value") is not None), default=None),
        "wall": wall,
        "killed": killed,
        "header": [],
    }


# ----------------------------------------------------------------------------- figures


def best_at(epochs: list[tuple[float, int, int, float]], when: float) -> float | None:
    """Best validation accuracy of any epoch finished by ``when`` seconds."""
    values = [acc for t, _, _, acc in epochs if t <= when]
    return max(values) if values else None


def time_to(epochs: list[tuple[float, int, int, float]], target: float, budget: float) -> float | None:
    """Seconds until an epoch first reached ``target`` within the budget (None: never)."""
    return next((t for t, _, _, acc in epochs if acc >= target and t <= budget), None)


def figures(run: dict[str, Any], budget: float) -> dict[str, Any]:
    epochs = [tuple(e) for e in run["epochs"]]
    return {
        "acc_25": best_at(epochs, 0.25 * budget),
        "acc_50": best_at(epochs, 0.5 * budget),
        "acc_100": best_at(epochs, budget),
        "handed_back": run["handed_back"],
        "t_target": time_to(epochs, TARGET_ACCURACY, budget),
        **run["trials"],
        "wall": run["wall"],
    }


def median(values: list[Any], missing: float) -> float | None:
    """Median over seeds; a seed without the figure counts as ``missing`` (no model yet: accuracy 0;
    never reached the target: infinitely slow). None when no seed has it."""
    if all(v is None for v in values):
        return None
    return statistics.median(missing if v is None else v for v in values)


def show(value: float | None, pattern: str) -> str:
    if value is None:
        return "-"
    if value == float("inf"):
        return "never"
    return format(value, pattern)


def print_table(runs: dict[str, list[dict[str, Any]]], budget: float, seeds: list[int]) -> None:
    medians: dict[str, dict[str, float | None]] = {}
    for name, per_seed in runs.items():
        rows = [figures(run, budget) for run in per_seed]
        medians[name] = {
            key: median([row[key] for row in rows], float("inf") if key == "t_target" else 0.0)
            for key in rows[0]
        }
    print(
        f"\nheadline benchmark: budget {budget:g} s, seeds {seeds}, target {TARGET_ACCURACY} val accuracy; "
        f"medians over seeds; load at the end: {os.getloadavg()[0]:.2f} (1 min)"
    )
    head = (
        f"{'contestant':12} {'objective':24} {'@25%':>6} {'@50%':>6} {'@100%':>6} {'model':>6} "
        f"{'t0.97':>7} {'start':>5} {'fin':>4} {'prun':>4} {'div':>4} {'wall':>6}"
    )
    print(head)
    print("-" * len(head))
    for name, m in medians.items():
        objective = runs[name][0]["objective"]
        print(
            f"{name:12} {objective:24} {show(m['acc_25'], '.4f'):>6} {show(m['acc_50'], '.4f'):>6} "
            f"{show(m['acc_100'], '.4f'):>6} {show(m['handed_back'], '.4f'):>6} {show(m['t_target'], '.1f'):>7} "
            f"{show(m['started'], 'g'):>5} {show(m['finished'], 'g'):>4} {show(m['pruned'], 'g'):>4} "
            f"{show(m['diverged'], 'g'):>4} {show(m['wall'], '.0f'):>6}"
        )
    print_profile(runs["neural"])
    peers = [name for name in medians if name != "neural"]
    if not peers:
        return
    best_peer = max(peers, key=lambda n: (medians[n]["acc_100"] or 0.0, -(medians[n]["t_target"] or 1e9)))
    ours, peer = medians["neural"], medians[best_peer]
    print(f"\nbest peer: {best_peer}")
    for key, label in (("acc_100", "best val accuracy at 100 %"), ("handed_back", "handed-back model")):
        mine, theirs = ours[key], peer[key]
        if mine and theirs:
            print(f"  {label}: ours / peer = {mine / theirs:.4f}  ({mine:.4f} vs {theirs:.4f})")
    t_ours, t_peer = ours["t_target"], peer["t_target"]
    if t_ours is not None and t_peer not in (None, 0, float("inf")) and t_ours != float("inf"):
        print(
            f"  time to {TARGET_ACCURACY}: ours / peer = {t_ours / t_peer:.2f}x  ({t_ours:.1f} s vs {t_peer:.1f} s)"
        )
    else:
        print(f"  time to {TARGET_ACCURACY}: ours {show(t_ours, '.1f')} s, peer {show(t_peer, '.1f')} s")
    for line in runs["neural"][0]["header"]:
        print(f"  ours: {line}")


def print_profile(runs: list[dict[str, Any]]) -> None:
    """Where ours' budget went in each seed (see :func:`where_the_time_went`)."""
    print("\nwhere ours' time went (worker-seconds of epochs by how the trial ended; trial start-up)")
    for run in runs:
        spent = run.get("spent") or {}
        if spent:
            print(
                f"  seed {run['seed']}: first epoch done at {spent['first_epoch_at']:.1f} s; "
                f"complete {spent['complete']:.0f}, pruned {spent['pruned']:.0f}, diverged {spent['diverged']:.0f}, "
                f"failed {spent['failed']:.0f}, trial start-up {spent['trial_start']:.1f} "
                f"of {spent['budget_worker_seconds']:.0f} worker-s"
            )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--budget", type=float, default=300, help="seconds per contestant and seed")
    parser.add_argument("--seeds", type=int, default=3, help="seeds 0..K-1, each a round of all contestants")
    parser.add_argument("--only", default=",".join(CONTESTANTS), help="comma-separated contestants to run")
    parser.add_argument("--peer-python", help="a Python with tensorflow and keras-tuner (default: made)")
    parser.add_argument(
        "--limit",
        type=float,
        default=1.5,
        help="kill a peer after LIMIT x budget seconds (default %(default)s)",
    )
    parser.add_argument(
        "--our-limit",
        type=float,
        default=2.0,
        help="kill ours after OUR_LIMIT x budget seconds: it trains its best point after the search "
        "(default %(default)s)",
    )
    parser.add_argument("--out", type=Path, default=Path("bench-headline-out"), help="working folder")
    parser.add_argument(
        "--smoke-epochs", type=int, help="epochs a trial, to try the harness (not a benchmark)"
    )
    args = parser.parse_args()
    global EPOCHS_OVERRIDE
    EPOCHS_OVERRIDE = args.smoke_epochs
    chosen = [name for name in args.only.split(",") if name]
    unknown = sorted(set(chosen) - set(CONTESTANTS))
    if unknown:
        raise SystemExit(f"unknown contestant(s) {unknown}; choose from {', '.join(CONTESTANTS)}")
    if "neural" not in chosen:
        raise SystemExit("the table compares against ours: keep 'neural' in --only")
    keras_python = peer_python(args.peer_python) if "keras-tuner" in chosen else ""
    if args.out.exists():
        shutil.rmtree(args.out)
    args.out.mkdir(parents=True)
    seeds = list(range(args.seeds))
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in chosen}
    print(f"cores: {os.cpu_count()}; load at the start: {os.getloadavg()[0]:.2f} (1 min)", flush=True)
    limit = args.limit * args.budget
    for seed in seeds:
        folder = args.out / f"seed-{seed}"
        folder.mkdir()
        split = folder / "split.npz"
        write_split(seed, split)
        for name in chosen:
            print(f"seed {seed}: {name} ...", end=" ", flush=True)
            if name == "neural":
                run = run_neural(args.budget, seed, folder, args.our_limit * args.budget)
            else:
                python = sys.executable if name == "optuna-loop" else keras_python
                run = run_peer(name, python, args.budget, seed, split, folder, limit)
            run["seed"] = seed
            runs[name].append(run)
            row = figures(run, args.budget)
            print(
                f"best {show(row['acc_100'], '.4f')}, t0.97 {show(row['t_target'], '.1f')} s, "
                f"{row['started']} trial(s), {run['wall']:.0f} s{' (killed at the limit)' if run['killed'] else ''}",
                flush=True,
            )
    curves = {
        "budget": args.budget,
        "seeds": seeds,
        "target": TARGET_ACCURACY,
        "columns": ["seconds", "trial", "epoch", "val_accuracy"],
        "runs": runs,
    }
    (args.out / "headline.json").write_text(json.dumps(curves, indent=1), encoding="utf-8")
    print_table(runs, args.budget, seeds)
    print(f"\nraw curves: {args.out / 'headline.json'}")


if __name__ == "__main__":
    main()
