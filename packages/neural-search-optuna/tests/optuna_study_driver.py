"""A small trial loop over the searcher interface, run as a separate process by the tests.

    python optuna_study_driver.py --storage URL --study NAME --trials N [--hang-at K] ...

Builds ``OptunaSearcher`` on the advanced-like space, waits for ``--go-file``
(so competing processes start together), then asks, "trains" (per-epoch
values of a test objective with a short sleep) and tells until the study is
full. Each event is a JSON line on ``--log``: ready, start/done with the trial
number. With ``--hang-at K`` it stops in the middle of trial K and sleeps
``--hang-seconds`` (to be killed, or to outlast the heartbeat grace period).
"""

from __future__ import annotations

import argparse
import json
import os
import time

from optuna_support import load_bench

from neural.search.base import Outcome, SearchSettings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--storage", required=True)
    parser.add_argument("--study", required=True)
    parser.add_argument("--trials", type=int, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--epoch-seconds", type=float, default=0.02)
    parser.add_argument("--hang-at", type=int, default=-1)
    parser.add_argument("--hang-seconds", type=float, default=600.0)
    parser.add_argument("--go-file", default=None)
    parser.add_argument("--log", required=True)
    parser.add_argument("--heartbeat-interval", type=int, default=1)
    parser.add_argument("--grace-period", type=int, default=3)
    args = parser.parse_args()

    from neural_search_optuna.searcher import OptunaSearcher

    bench = load_bench("bench_sample_efficiency")
    settings = SearchSettings(
        method="bayesian",
        seed=args.seed,
        n_trials=args.trials,
        storage=args.storage,
        study_name=args.study,
        max_epochs=args.epochs,
        options={"heartbeat_interval": args.heartbeat_interval, "grace_period": args.grace_period},
    )
    searcher = OptunaSearcher(bench.advanced_like_space(), settings)
    with open(args.log, "a", buffering=1) as log:
        log.write(json.dumps({"event": "ready", "pid": os.getpid()}) + "\n")
        while args.go_file and not os.path.exists(args.go_file):
            time.sleep(0.01)
        while (proposal := searcher.ask()) is not None:
            log.write(json.dumps({"event": "start", "number": proposal.number}) + "\n")
            if proposal.number == args.hang_at:
                time.sleep(args.hang_seconds)
            value = bench.synthetic_validation_loss(proposal.params)
            curve = []
            for epoch in range(args.epochs):
                time.sleep(args.epoch_seconds)
                curve.append(value * (args.epochs - epoch))
                searcher.report(proposal, epoch, curve[-1])
            searcher.tell(proposal, Outcome("complete", value=value, intermediate=curve))
            log.write(json.dumps({"event": "done", "number": proposal.number}) + "\n")
    searcher.close()


if __name__ == "__main__":
    main()
