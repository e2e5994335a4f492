"""How fast ``neural.lang.parser.parse`` reads a 10,000-layer file.

Run: ``.venv/bin/python bench/bench_parse.py [--layers N] [--repeat R]``.

Generates a model with N layer statements of mixed shapes (calls with
positional and keyword arguments, tuples, HPO expressions, comments, ``* N``),
builds the parser once (timed separately: it is paid once per process), then
times ``parse`` R times and prints the best figures (wall and CPU) with their
ratio to the budget (0.5 s for 10,000 layers: the whole ``neural check`` must
stay under a second). For scale on a loaded machine it also times lark's own
LALR parser with its contextual lexer building a plain parse tree of the same
text, and prints the ratio of the two, measured in the same run.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

BUDGET_SECONDS = 0.5

_LAYER_LINES = (
    '    Conv2D(32, (3, 3), padding="same", activation="relu")',
    "    MaxPooling2D((2, 2))  # halve the resolution",
    '    Dense(HPO(choice(64, 128)), "relu") * 2',
    "    Dropout(HPO(range(0.3, 0.7, step=0.1)))",
    "    BatchNormalization()",
)


def generate_source(layers: int) -> str:
    """A syntactically valid ``.neural`` text with ``layers`` layer statements."""
    body = [_LAYER_LINES[index % len(_LAYER_LINES)] for index in range(layers)]
    return "\n".join(
        [
            "network Huge {",
            "  input: (28, 28, 1)",
            "  layers:",
            *body,
            '    Output(10, "softmax")',
            "  optimizer: Adam(learning_rate=HPO(log_range(1e-4, 1e-2)))",
            '  loss: "sparse_categorical_crossentropy"',
            "  train { epochs: 1 batch_size: HPO(choice(32, 64)) }",
            "}",
            "",
        ]
    )


def _best_of(repeat: int, run: Callable[[], object]) -> tuple[float, float]:
    """The best wall-clock and CPU seconds of ``repeat`` runs."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        run()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--layers", type=int, default=10_000)
    options.add_argument("--repeat", type=int, default=5)
    arguments = options.parse_args()

    started = time.perf_counter()
    from neural.lang import parser

    parser._grammar()
    build_seconds = time.perf_counter() - started

    source = generate_source(arguments.layers)
    network = parser.parse(source, "huge.neural")
    assert network.layers is not None and len(network.layers) == arguments.layers + 1
    wall, cpu = _best_of(arguments.repeat, lambda: parser.parse(source, "huge.neural"))

    import lark

    reference = lark.Lark(parser.GRAMMAR_PATH.read_text(encoding="utf-8"), parser="lalr", lexer="contextual")
    _, lark_cpu = _best_of(max(arguments.repeat // 2, 1), lambda: reference.parse(source))

    budget = BUDGET_SECONDS * arguments.layers / 10_000
    tokens = sum(1 for _ in parser._lex(source))
    print(f"source: {arguments.layers:,} layers, {tokens:,} tokens, {len(source):,} characters")
    print(f"import lark + build parser (once per process): {build_seconds * 1000:.0f} ms")
    print(
        f"parse to IR: best {wall * 1000:.0f} ms wall, {cpu * 1000:.0f} ms CPU over {arguments.repeat} runs"
    )
    print(
        f"budget {budget * 1000:.0f} ms: wall/budget = {wall / budget:.2f}, CPU/budget = {cpu / budget:.2f}"
    )
    print(
        f"lark's own LALR + contextual lexer, parse tree only: {lark_cpu * 1000:.0f} ms CPU; "
        f"ours/lark = {cpu / lark_cpu:.2f}"
    )


if __name__ == "__main__":
    main()
