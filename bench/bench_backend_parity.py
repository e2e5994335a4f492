"""One file, one model: the basic example's validation accuracy on PyTorch and on TensorFlow.

Trains the guide's basic example (examples/basic_hpo.neural at its nominal
point) on mnist5k for 5 epochs with 3 seeds on each backend, each backend in a
process of its own (torch and tensorflow never share one), through the same
``backend.train`` that ``neural run`` uses. Prints every run's final
validation accuracy, each backend's mean and the difference of the means.
Target: difference ≤ 0.01.

    .venv/bin/python bench/bench_backend_parity.py [--seeds 0 1 2] [--epochs 5] [--threads 1]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "basic_hpo.neural"
BACKENDS = ("pytorch", "tensorflow")


def train_runs(backend_name: str, seeds: list[int], epochs: int, threads: int) -> list[float]:
    """In this process: train the example once per seed; return the final val accuracies."""
    import dataclasses

    from neural.plugins.manager import get_backend
    from neural.program import load_program
    from neural.training import prepare_model_data

    model = load_program(EXAMPLE).nominal_model()
    model = dataclasses.replace(model, train=dataclasses.replace(model.train, epochs=epochs))
    backend = get_backend(backend_name)
    accuracies = []
    for seed in seeds:
        data = prepare_model_data(model, "mnist5k", seed=seed)
        result = backend.train(model, data, seed=seed, threads=threads)
        accuracies.append(float(result.history[-1]["val_accuracy"]))
    return accuracies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--worker", choices=BACKENDS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(train_runs(args.worker, args.seeds, args.epochs, args.threads)))
        return
    env = {**os.environ, "OMP_NUM_THREADS": str(args.threads), "TF_CPP_MIN_LOG_LEVEL": "2"}
    seeds = [str(seed) for seed in args.seeds]
    results: dict[str, list[float]] = {}
    for backend in BACKENDS:
        done = subprocess.run(
            [sys.executable, __file__, "--worker", backend, "--epochs", str(args.epochs),
             "--threads", str(args.threads), "--seeds", *seeds],
            env=env, capture_output=True, text=True, check=False,
        )
        if done.returncode != 0:
            sys.exit(f"{backend} failed:\n{done.stderr[-3000:]}")
        results[backend] = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"{EXAMPLE.name} at its nominal point on mnist5k, {args.epochs} epochs, seeds {' '.join(seeds)}, "
          f"{args.threads} thread(s)")
    means = {}
    for backend, accuracies in results.items():
        means[backend] = statistics.mean(accuracies)
        shown = "  ".join(f"{value:.4f}" for value in accuracies)
        print(f"{backend:11s} val_accuracy {shown}   mean {means[backend]:.4f}")
    difference = abs(means["pytorch"] - means["tensorflow"])
    print(f"difference of the means: {difference:.4f} (target <= 0.01)")


if __name__ == "__main__":
    main()
