"""A seeded mutator over ``.neural`` files, and the judge of one mutated input.

Used by core's fuzz test (a few thousand inputs), by ``bench/fuzz.py`` (100,000
or more, on demand) and by the CLI fuzz pass. :func:`mutants` turns seed files
(``examples/``, the regression fixtures) into a reproducible stream of hostile
variants: huge and tiny literals, Python keywords and builtins as names, lone
surrogates, deleted/duplicated/swapped tokens, spliced lines, huge ``* N``
repeats and grids, deep nesting. :func:`judge` runs one input through what
``neural check`` and ``neural compile`` do in-process and says how it ended:
fine, a project error (:class:`~neural.errors.NeuralError`), a foreign
exception, too slow for its size, or too much memory.

The promise pinned (issue 11): every input gets a located error or works,
within time and memory proportional to its size; no input runs code.
"""

from __future__ import annotations

import random
import re
import signal
import time
import tracemalloc
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Outcome kinds of :func:`judge`.
OK = "ok"
USER_ERROR = "user_error"
FOREIGN = "foreign"
SLOW = "slow"
MEMORY = "memory"

#: CPU seconds a check may take: a fixed allowance plus a cost per input character.
BASE_SECONDS = 2.0
SECONDS_PER_CHAR = 2e-4
#: Bytes (Python allocations, traced) a check may hold at its peak.
BASE_BYTES = 96 * 2**20
BYTES_PER_CHAR = 4096

_TOKEN = re.compile(
    r"""(?P<ws>\s+)|(?P<comment>(\#|//)[^\n]*)|(?P<string>"(\\.|[^"\\\n])*"|'(\\.|[^'\\\n])*')"""
    r"""|(?P<number>[0-9]+(\.[0-9]*)?([eE][+-]?[0-9]+)?|\.[0-9]+([eE][+-]?[0-9]+)?)"""
    r"""|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<punct>.)""",
    re.DOTALL,
)

NUMBERS = (
    "0",
    "1",
    "2",
    "3",
    "-1",
    "0.0",
    "0.5",
    "1.0",
    "-0.5",
    "1e-4",
    "1e9",
    "1000000000",
    "500000000",
    "100000",
    "2147483648",
    "4294967296",
    "99999999999999999999999",
    "1" + "0" * 30,
    "1" + "0" * 400,
    "9" * 4301,
    "1e400",
    "1e308",
    "-1e308",
    "5e-324",
    "1e-400",
    "0.1",
    "0.05",
    "0.45",
    "65535",
    "7",
    "1e-320",
    "123456789012345678901234567890",
)
#: Numbers most files accept, so that many mutants check fine and reach the grid, the sampler and codegen.
BENIGN = ("1", "2", "3", "4", "8", "16", "32", "64", "0.1", "0.2", "0.25", "0.5", "0.001", "1e-3", "10")
NAMES = (
    "None",
    "True",
    "False",
    "import",
    "class",
    "def",
    "lambda",
    "__builtins__",
    "__import__",
    "print",
    "exec",
    "eval",
    "open",
    "self",
    "torch",
    "nn",
    "F",
    "Model",
    "int",
    "list",
    "object",
    "Dense",
    "Conv2D",
    "Conv1D",
    "MaxPooling2D",
    "Flatten",
    "Dropout",
    "Output",
    "LSTM",
    "GRU",
    "BatchNormalization",
    "Activation",
    "Embedding",
    "GlobalAveragePooling2D",
    "HPO",
    "choice",
    "range",
    "log_range",
    "custom",
    "network",
    "input",
    "layers",
    "optimizer",
    "loss",
    "train",
    "metrics",
    "Adam",
    "SGD",
    "ExponentialDecay",
    "units",
    "filters",
    "kernel_size",
    "rate",
    "activation",
    "padding",
    "strides",
    "epochs",
    "batch_size",
    "n_trials",
    "grid_points",
    "seed",
    "search_method",
    "validation_split",
    "learning_rate",
    "step",
    "low",
    "high",
    "min",
    "max",
    "true",
    "false",
    "none",
    "relu",
    "x" * 300,
    "é",
    "ünïcode",
)
STRINGS = (
    '""',
    '"\\ud800"',
    '"\\udfff"',
    '"\\x00"',
    '"\\U0010ffff"',
    '"\\U00110000"',
    '"relu"',
    '"softmax"',
    '"same"',
    '"grid"',
    '"random"',
    '"bayesian"',
    "\"__import__('os')\"",
    '"\'); import os #"',
    '"' + "a" * 5000 + '"',
    '"\\n"',
    "'\\\\'",
    '"..\\\\..\\\\x"',
    '"synthetic"',
    '"mnist5k"',
    '"val_accuracy"',
    '"median"',
    '"\u2028"',
)
PUNCT = ("(", ")", "[", "]", "{", "}", ",", ":", "=", "*", "-", ".", '"', "'", "\\", "\x00", "\ud800")


@dataclass(frozen=True)
class Verdict:
    """How one input ended: ``kind`` (OK, USER_ERROR, FOREIGN, SLOW, MEMORY) and a detail."""

    kind: str
    detail: str = ""
    seconds: float = 0.0
    peak_bytes: int = 0


class _OutOfTime(BaseException):
    """Raised by the profiling timer inside a check that overran its CPU budget."""


def tokens(source: str) -> list[str]:
    """``source`` split into tokens, whitespace and comments included (they join back to it)."""
    return [match.group() for match in _TOKEN.finditer(source)]


def seed_sources(paths: Sequence[Path]) -> list[str]:
    """The text of every ``.neural`` file under ``paths`` (files or folders), sorted by path."""
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.rglob("*.neural")) if path.is_dir() else [path])
    return [file.read_text(encoding="utf-8") for file in files]


def weighted_corpus(examples: Sequence[Path], fixtures: Sequence[Path], weight: int = 4) -> list[str]:
    """Seed files for the mutator: each valid example ``weight`` times, each regression fixture once.

    Most fixtures are inputs that must fail, so an unweighted mix would mutate
    mostly broken files and rarely reach the grid, the sampler and codegen.
    """
    return seed_sources(examples) * weight + seed_sources(fixtures)


def _significant(parts: list[str]) -> list[int]:
    return [i for i, part in enumerate(parts) if not part.isspace() and not part.startswith(("#", "//"))]


def mutate(source: str, rng: random.Random, corpus: Sequence[str]) -> str:
    """One mutated variant of ``source``: one to three random edits from the hostile vocabulary."""
    parts = tokens(source)
    # A third of the mutants only change values (numbers, HPO expressions, train settings): they
    # mostly stay valid files, so the grid, the sampler, codegen and the write-back see them.
    values_only = rng.random() < 0.35
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        parts = _edit(parts, rng, corpus, rng.choice(_VALUE_ACTIONS) if values_only else rng.randrange(14))
    return "".join(parts)


_VALUE_ACTIONS = (0, 1, 2, 10, 11, 11, 12)


def _edit(parts: list[str], rng: random.Random, corpus: Sequence[str], action: int) -> list[str]:
    places = _significant(parts) or [0]
    where = rng.choice(places) if parts else 0
    if not parts:
        return [rng.choice(NAMES)]
    if action <= 2:  # replace a number (most files' interesting surface)
        numbers = [i for i in places if parts[i][:1].isdigit() or parts[i][:1] == "."]
        if numbers:
            parts[rng.choice(numbers)] = rng.choice(NUMBERS if rng.random() < 0.5 else BENIGN)
    elif action == 3:
        names = [i for i in places if parts[i][:1].isalpha() or parts[i][:1] == "_"]
        if names:
            parts[rng.choice(names)] = rng.choice(NAMES)
    elif action == 4:
        strings = [i for i in places if parts[i][:1] in "\"'"]
        if strings:
            parts[rng.choice(strings)] = rng.choice(STRINGS)
    elif action == 5:
        del parts[where : where + rng.choice((1, 1, 2, 5))]
    elif action == 6:
        length = rng.choice((1, 3, 8, 20))
        parts[where:where] = parts[where : where + length] * rng.choice((1, 2, 5))
    elif action == 7:
        other = rng.choice(places)
        parts[where], parts[other] = parts[other], parts[where]
    elif action == 8:
        parts.insert(where, rng.choice((*PUNCT, *NAMES[:20], *NUMBERS[:8], " ")))
    elif action == 9:  # splice lines of another file in
        lines = rng.choice(corpus).split("\n")
        start = rng.randrange(len(lines))
        parts.insert(where, "\n" + "\n".join(lines[start : start + rng.choice((1, 2, 4))]) + "\n")
    elif action == 10:  # a repeat after some closing parenthesis
        closes = [i for i in places if parts[i] == ")"]
        if closes:
            parts.insert(rng.choice(closes) + 1, f" * {rng.choice(NUMBERS)}")
    elif action == 11:  # an HPO expression where a value stands
        values = [i for i in places if parts[i][:1].isdigit()]
        if values:
            parts[rng.choice(values)] = _hpo_expression(rng)
    elif action == 12:  # a train setting
        train = [i for i in places if parts[i] == "train"]
        brace = next((i for i in places if train and i > train[0] and parts[i] == "{"), None)
        if brace is not None:
            key = rng.choice(("grid_points", "seed", "n_trials", "epochs", "batch_size", "search_method"))
            value = rng.choice((*NUMBERS, '"grid"', '"random"'))
            parts.insert(brace + 1, f"\n    {key}: {value}\n")
    else:  # deep nesting
        depth = rng.choice((10, 100, 1000, 5000))
        opener, closer = rng.choice((("(", ",)"), ("[", "]"), ("(", ")")))
        parts[where:where] = [opener * depth, rng.choice(NUMBERS[:6]), closer * depth]
    return parts


def _hpo_expression(rng: random.Random) -> str:
    pool = NUMBERS if rng.random() < 0.5 else BENIGN
    low, high = sorted((rng.choice(pool), rng.choice(pool)), key=lambda text: float(text))
    forms = (
        lambda: f"HPO(range({low}, {high}))",
        lambda: f"HPO(range({low}, {high}, step={rng.choice(NUMBERS)}))",
        lambda: f"HPO(log_range({low}, {high}))",
        lambda: f"HPO(choice({', '.join(str(i) for i in range(rng.choice((1, 2, 50, 2000))))}))",
        lambda: "HPO(choice(" + ", ".join(rng.choice(NUMBERS[:12]) for _ in range(rng.randint(1, 20))) + "))",
        lambda: f'HPO(custom({{"a": {low}, "b": {high}}}))',
    )
    return rng.choice(forms)()


def mutant(corpus: Sequence[str], seed: int, index: int) -> str:
    """Input number ``index`` of the stream ``seed``: a function of both only, so workers can share a run."""
    rng = random.Random(f"neural-fuzz:{seed}:{index}")
    return mutate(rng.choice(corpus), rng, corpus)


def mutants(corpus: Sequence[str], count: int, seed: int = 0) -> Iterator[str]:
    """``count`` mutated inputs from ``corpus``, the same ones for the same ``seed``."""
    for index in range(count):
        yield mutant(corpus, seed, index)


# ------------------------------------------------------------------ judging


def exercise(source: str, filename: str = "fuzz.neural") -> None:
    """Do in-process what ``neural check`` and ``neural compile`` do with ``source``.

    Parses and checks it, binds the nominal point, sizes the space and its
    grid, estimates the memory, takes the first, middle and last grid points
    and a few random points, and for each bindable point generates the code
    of every installed backend (compiled, never run) and the ``.best.neural``
    text (which must check again). Raises whatever the project raises.
    """
    from neural.cli.check import describe_values, layer_table, space_summary, space_table
    from neural.errors import NeuralError
    from neural.model_memory import require_memory
    from neural.program import compile_source
    from neural.search.base import SearchSettings
    from neural.search.grid_axes import GridAxes
    from neural.search.grid_search import GridSearcher
    from neural.search.random_search import RandomSearcher
    from neural.space.writeback import write_back

    program = compile_source(source, filename)
    space = program.space
    model = space.bind(space.nominal_point())
    layer_table(model, set())
    require_memory(program, model)
    grid_points = model.train.grid_points
    if len(space):
        space_table(space, grid_points)
        space_summary(space, model, program)
        for param in space.params:
            describe_values(param)
    settings = SearchSettings(method="grid", seed=model.train.seed or 0, n_trials=3, grid_points=grid_points)
    grid = GridSearcher(space, settings)
    size = grid.size
    axes = GridAxes(space.params, grid_points)
    points = []
    for number in sorted({0, size // 2, size - 1}):
        points.append(grid.point_for(number))
        if axes.index_of(points[-1]) != number:
            raise AssertionError(f"grid point {number} is not found at its own index")
    randoms = RandomSearcher(space, settings)
    points += [randoms.point_for(number) for number in range(2)]
    for point in points:
        try:
            concrete = space.bind(point)
        except NeuralError:
            continue  # an infeasible point: a failed trial, with its reason
        for backend in _backends():
            try:
                code = backend.generate(concrete)
            except NeuralError:
                continue
            compile(code, "<generated>", "exec")
        best = write_back(source, space, point)
        compile_source(best, filename + ".best.neural")


_BACKENDS: list[Any] | None = None


def _backends() -> list[Any]:
    global _BACKENDS
    if _BACKENDS is None:
        from neural.plugins import manager

        _BACKENDS = [manager.get_backend(name) for name in manager.backend_names()]
    return _BACKENDS


def _where(error: BaseException) -> str:
    """`` at file.py:LINE`` of the innermost frame of ``error``'s traceback."""
    import traceback

    frames = traceback.extract_tb(error.__traceback__)
    return f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""


def judge(source: str, *, trace_memory: bool = True) -> Verdict:
    """Run :func:`exercise` on ``source`` under a CPU-time and a memory budget and classify the end.

    The CPU budget (``BASE_SECONDS + SECONDS_PER_CHAR * len(source)``) is enforced
    with a profiling timer, so a busy machine does not make a check "slow";
    the memory peak is traced with :mod:`tracemalloc` when ``trace_memory``.
    Call it from the main thread (it installs a ``SIGPROF`` handler).
    """
    from neural.errors import NeuralError

    budget = BASE_SECONDS + SECONDS_PER_CHAR * len(source)
    memory_budget = BASE_BYTES + BYTES_PER_CHAR * len(source)

    def out_of_time(signum: int, frame: Any) -> None:
        raise _OutOfTime

    previous = signal.signal(signal.SIGPROF, out_of_time)
    if trace_memory:
        tracemalloc.start()
    started = time.process_time()
    kind, detail = OK, ""
    try:
        signal.setitimer(signal.ITIMER_PROF, budget)
        try:
            exercise(source)
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)
    except NeuralError as error:
        kind, detail = USER_ERROR, str(error).split("\n", 1)[0]
    except _OutOfTime:
        kind, detail = SLOW, f"over {budget:.1f} s of CPU"
    except MemoryError:
        kind, detail = MEMORY, "MemoryError"
    except Exception as error:  # the fuzzer exists to catch every foreign exception
        kind, detail = FOREIGN, f"{type(error).__name__}: {error}"[:240] + _where(error)
    finally:
        seconds = time.process_time() - started
        peak = 0
        if trace_memory:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        signal.signal(signal.SIGPROF, previous)
    if kind in (OK, USER_ERROR) and peak > memory_budget:
        kind, detail = MEMORY, f"peak {peak / 2**20:.0f} MiB, budget {memory_budget / 2**20:.0f} MiB"
    return Verdict(kind, detail, seconds, peak)


__all__ = [
    "FOREIGN",
    "MEMORY",
    "OK",
    "SLOW",
    "USER_ERROR",
    "Verdict",
    "exercise",
    "judge",
    "mutant",
    "mutants",
    "mutate",
    "seed_sources",
    "tokens",
    "weighted_corpus",
]
