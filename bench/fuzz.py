"""Fuzz the front end on demand: ``python bench/fuzz.py --n 100000``.

Mutates ``examples/`` and the regression fixtures
(``packages/neural-core/tests/fuzz_cases/``) with :mod:`neural.testing.fuzz`
and runs every input through what ``neural check`` and ``neural compile`` do,
in worker processes that each hold an address-space limit (``--memory``). A
worker whose input overruns the wall-clock ``--timeout`` is killed and
counted as a hang, then replaced; a ``MemoryError`` under the limit, or a
traced peak over the judge's budget, is a memory blow-up. Prints the counts
of each outcome (foreign exceptions, hangs, memory blow-ups must be 0) and
writes every bad input to ``--findings`` for a regression fixture.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import select
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = [ROOT / "examples"]
FIXTURES = [ROOT / "packages" / "neural-core" / "tests" / "fuzz_cases"]
HANG = "hang"
BAD = ("foreign", "slow", "memory", HANG)


def worker(seed: int, start: int, stop: int, memory_mb: int, trace_every: int) -> None:
    """Judge inputs ``start`` to ``stop`` of stream ``seed``; one JSON line per input on stdout."""
    from neural.testing import fuzz

    limit = memory_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    corpus = fuzz.weighted_corpus(EXAMPLES, FIXTURES)
    out = sys.stdout
    for index in range(start, stop):
        out.write(json.dumps({"start": index}) + "\n")
        out.flush()
        source = fuzz.mutant(corpus, seed, index)
        verdict = fuzz.judge(source, trace_memory=trace_every > 0 and index % trace_every == 0)
        out.write(json.dumps({"index": index, "kind": verdict.kind, "detail": verdict.detail}) + "\n")
        out.flush()


class Run:
    """One worker subprocess over a slice of the stream, restarted past an input that hangs it."""

    def __init__(self, args: argparse.Namespace, start: int, stop: int) -> None:
        self.args, self.next, self.stop = args, start, stop
        self.current: int | None = None
        self.started = 0.0
        self.process: subprocess.Popen[str] | None = None
        self.buffer = ""
        self.spawn()

    def spawn(self) -> None:
        if self.next >= self.stop:
            self.process = None
            return
        command = [sys.executable, __file__, "--worker", "--seed", str(self.args.seed),
                   "--start", str(self.next), "--stop", str(self.stop), "--memory", str(self.args.memory),
                   "--trace-every", str(self.args.trace_every)]  # fmt: skip
        env = {**os.environ, "OMP_NUM_THREADS": "1"}
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        )
        self.current, self.started = None, time.monotonic()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=100_000, help="inputs to run (default 100,000)")
    parser.add_argument("--seed", type=int, default=0, help="the mutation stream (default 0)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument(
        "--timeout", type=float, default=20.0, help="wall seconds per input before it is a hang"
    )
    parser.add_argument("--memory", type=int, default=2048, help="address-space limit per worker, MiB")
    parser.add_argument(
        "--trace-every", type=int, default=10, help="trace memory on every Nth input (0: never)"
    )
    parser.add_argument("--findings", type=Path, default=Path("fuzz-findings"), help="folder for bad inputs")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--start", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--stop", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.seed, args.start, args.stop, args.memory, args.trace_every)
        return 0
    return supervise(args)


def supervise(args: argparse.Namespace) -> int:
    """Split the stream over ``--jobs`` workers, watch them, count the outcomes, save bad inputs."""
    from neural.testing import fuzz

    corpus = fuzz.weighted_corpus(EXAMPLES, FIXTURES)
    jobs = max(1, args.jobs)
    bounds = [args.n * k // jobs for k in range(jobs + 1)]
    runs = [Run(args, bounds[k], bounds[k + 1]) for k in range(jobs)]
    counts: Counter[str] = Counter()
    details: dict[str, int] = Counter()
    began = time.monotonic()
    done = 0

    def record(index: int, kind: str, detail: str) -> None:
        nonlocal done
        counts[kind] += 1
        done += 1
        if kind in BAD:
            details[f"{kind}: {detail[:160]}"] += 1
            args.findings.mkdir(parents=True, exist_ok=True)
            (args.findings / f"{kind}-{index}.neural").write_text(
                fuzz.mutant(corpus, args.seed, index), "utf-8"
            )
        if done % 5000 == 0:
            rate = done / (time.monotonic() - began)
            print(f"{done:,}/{args.n:,} inputs, {rate:.0f}/s: {dict(counts)}", flush=True)

    while any(run.process is not None for run in runs):
        live = [run for run in runs if run.process is not None]
        ready, _, _ = select.select([run.process.stdout for run in live if run.process], [], [], 1.0)
        for run in live:
            assert run.process is not None and run.process.stdout is not None
            if run.process.stdout in ready:
                line = run.process.stdout.readline()
                if not line:  # the worker ended: finished, or killed by the memory limit
                    run.process.wait()
                    if run.current is not None:
                        crash = run.process.stderr.read()[-300:] if run.process.stderr else ""
                        record(run.current, "memory" if "MemoryError" in crash else "foreign", crash.strip())
                        run.next = run.current + 1
                    run.spawn()
                    continue
                message = json.loads(line)
                if "start" in message:
                    run.current, run.started = message["start"], time.monotonic()
                else:
                    record(message["index"], message["kind"], message["detail"])
                    run.current, run.next = None, message["index"] + 1
            elif run.current is not None and time.monotonic() - run.started > args.timeout:
                run.process.kill()
                run.process.wait()
                record(run.current, HANG, f"over {args.timeout:.0f} s wall")
                run.next = run.current + 1
                run.spawn()
    elapsed = time.monotonic() - began
    foreign, hangs, memory = counts["foreign"], counts[HANG] + counts["slow"], counts["memory"]
    print(f"\n{done:,} inputs in {elapsed:.0f} s ({done / elapsed:.0f}/s), seed {args.seed}, {jobs} workers")
    print(f"  worked:               {counts['ok']:,}")
    print(f"  project errors:       {counts['user_error']:,}")
    print(f"  foreign exceptions:   {foreign:,}")
    print(f"  hangs (slow + killed): {hangs:,}")
    print(f"  memory blow-ups:      {memory:,}")
    for detail, count in sorted(details.items(), key=lambda item: -item[1])[:20]:
        print(f"    {count:6,}  {detail}")
    if foreign or hangs or memory:
        print(f"bad inputs written to {args.findings}/")
    return 1 if foreign or hangs or memory else 0


if __name__ == "__main__":
    sys.exit(main())
