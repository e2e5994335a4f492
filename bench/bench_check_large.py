"""Time the front end on a 10,000-layer file: ``compile_source`` + shapes at the nominal point.

Run: ``.venv/bin/python bench/bench_check_large.py [LAYERS]``. Prints the time of
each stage and the share of the one-second budget ``neural check`` has; the
target is well under 1 s for the whole check.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable


def large_source(layers: int) -> str:
    """A valid network with ``layers`` layer statements, a few of them with HPO expressions."""
    lines = ["network Large {", "  input: (64,)", "  layers:"]
    for index in range(layers - 1):
        if index % 100 == 0:
            lines.append('    Dense(HPO(choice(32, 64)), activation="relu")')
        elif index % 2:
            lines.append("    Dropout(0.1)")
        else:
            lines.append('    Dense(32, "relu")')
    lines += [
        '    Output(10, "softmax")',
        "  optimizer: Adam(learning_rate=HPO(log_range(1e-4, 1e-2)))",
        '  loss: "sparse_categorical_crossentropy"',
        "}",
    ]
    return "\n".join(lines) + "\n"


def best_of(runs: int, action: Callable[[], object]) -> float:
    """The fastest of ``runs`` timings of ``action`` (the machine is shared; the minimum is the signal)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    from neural.lang.checker import check_network
    from neural.lang.parser import parse
    from neural.program import compile_source

    layers = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    source = large_source(layers)
    compile_source(large_source(3), "warm-up.neural")  # builds the lark parser once, as a real run does
    network = parse(source, "large.neural")
    program = compile_source(source, "large.neural")
    model = program.nominal_model()
    parse_time = best_of(3, lambda: parse(source, "large.neural"))
    check_time = best_of(3, lambda: check_network(network, source, "large.neural"))
    total_time = best_of(3, lambda: compile_source(source, "large.neural").nominal_model())
    print(f"{layers} layers, {len(program.space)} HPO parameters, {model.param_count:,} weights")
    print(f"parse:                                   {parse_time:.3f} s")
    print(
        f"check + shapes at the nominal point:     {check_time:.3f} s ({check_time / parse_time:.2f}x the parse)"
    )
    print(f"compile_source + nominal model, total:   {total_time:.3f} s ({total_time:.0%} of the 1 s budget)")
    from neural.space.feasibility import infeasible_value_warnings

    probe_time = best_of(3, lambda: infeasible_value_warnings(program.space, model))
    print(
        f"infeasible-value probes (neural check):  {probe_time:.3f} s ({probe_time / check_time:.2f}x the check)"
    )


if __name__ == "__main__":
    main()
