"""Training throughput of the generated Keras model against a hand-written Keras model.

Both train the seed's basic example CNN (Conv2D 32 3x3 relu → MaxPooling2D 2x2 →
Flatten → Dense 128 relu → Dropout 0.3 → Dense 10 softmax; Adam 1e-3) on the same
mnist5k arrays, with the same threads and batch size, in one process, with
Keras' ``fit``. The generated side goes through the backend's path (the
generated module's ``build_model`` and ``train``, with its per-epoch reporting
callback); the hand-written side is what a Keras user writes. Rounds alternate
between the two (a fresh model each round, order swapped every round); the
first epoch of each round (graph tracing) is left out and the median epoch
time of the rest is compared. Target: ratio ≥ 0.97.

    .venv/bin/python bench/bench_tf_throughput.py [--threads 1] [--rounds 4] [--epochs 3] [--batch-size 32]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from neural.datasets.prepare import prepare_data
from neural.program import compile_source
from neural_backend_tf.backend import TensorFlowBackend, import_keras, load_generated_module

BASIC_AT_A_POINT = """
network SimpleHPOExample {
  input: (28, 28, 1)
  layers:
    Conv2D(filters=32, kernel_size=(3,3), activation="relu")
    MaxPooling2D(pool_size=(2,2))
    Flatten()
    Dense(128, activation="relu")
    Dropout(0.3)
    Output(10, activation="softmax")
  optimizer: Adam(learning_rate=0.001)
  loss: "sparse_categorical_crossentropy"
  train { epochs: 1  batch_size: 32  validation_split: 0.2 }
}
"""


def main() -> None:
    """Run the benchmark and print the medians and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--epochs", type=int, default=3, help="epochs per round (the first is not timed)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--data", default="mnist5k")
    args = parser.parse_args()
    keras = import_keras(args.threads)

    model = compile_source(BASIC_AT_A_POINT, "basic_at_a_point.neural").concrete_model()
    data = prepare_data(args.data, model.input_shape, validation_split=0.2, seed=0, num_classes=10)
    module = load_generated_module(TensorFlowBackend().generate(model), model.name)
    empty_x, empty_y = data.x_train[:0], data.y_train[:0]  # no validation pass: training throughput only
    samples = len(data.x_train)

    callback_base: Any = keras.callbacks.Callback

    class EpochTimes(callback_base):
        def __init__(self) -> None:
            super().__init__()
            self.times: list[float] = []
            self.started = 0.0

        def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
            self.started = time.perf_counter()

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            self.times.append(time.perf_counter() - self.started)

    def run_generated() -> list[float]:
        keras.backend.clear_session()
        keras.utils.set_random_seed(0)
        history = module.train(
            module.build_model(), data.x_train, data.y_train, empty_x, empty_y,
            epochs=args.epochs, batch_size=args.batch_size, callback=lambda epoch, metrics: False, seed=0,
        )
        return [epoch["time"] for epoch in history["epochs"]]

    def run_hand_written() -> list[float]:
        keras.backend.clear_session()
        keras.utils.set_random_seed(0)
        hand = keras.Sequential([
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(32, (3, 3), activation="relu"),
            keras.layers.MaxPooling2D((2, 2)),
            keras.layers.Flatten(),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dropout(0.3),
            keras.layers.Dense(10, activation="softmax"),
        ])
        hand.compile(optimizer=keras.optimizers.Adam(0.001), loss="sparse_categorical_crossentropy",
                     metrics=["accuracy"])
        timer = EpochTimes()
        hand.fit(data.x_train, data.y_train, batch_size=args.batch_size, epochs=args.epochs, callbacks=[timer],
                 verbose=0)
        return timer.times

    runners: list[tuple[str, Callable[[], list[float]]]] = [
        ("generated", run_generated),
        ("hand-written", run_hand_written),
    ]
    epoch_times: dict[str, list[float]] = {name: [] for name, _ in runners}
    for round_number in range(args.rounds):
        order = runners if round_number % 2 == 0 else runners[::-1]
        for name, run in order:
            epoch_times[name].extend(run()[1:])  # the first epoch traces the graph
    rates = {name: samples / statistics.median(times) for name, times in epoch_times.items()}
    print(
        f"data {data.name}: {samples} training samples, batch size {args.batch_size}, {args.threads} thread(s), "
        f"{args.rounds} alternating rounds of {args.epochs} epochs (first of each untimed); "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    for name, rate in rates.items():
        print(f"{name:14s} {rate:8.0f} samples/s (median epoch)")
    print(f"ratio generated / hand-written: {rates['generated'] / rates['hand-written']:.3f} (target >= 0.97)")


if __name__ == "__main__":
    main()
