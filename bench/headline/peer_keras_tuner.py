"""The Keras Tuner peer: ``BayesianOptimization`` on Keras 3 (TensorFlow), the same model.

Runs in the benchmark's own environment (``bench/headline/.venv``, made by
``run.py`` with tensorflow-cpu and keras-tuner), never the project's. The
guide's advanced example as a Keras model, trained on the harness's split
(``.npz``), 20 epochs a trial, objective ``val_accuracy`` (the best epoch's;
Keras Tuner keeps that epoch's checkpoint for ``get_best_models``). Trials are
started until ``--budget`` seconds have passed (Keras Tuner has no time limit:
once the deadline is past the oracle's ``max_trials`` is set to the trials it
holds, which ends the search as its own budget would).

Writes one JSON line per finished epoch and per finished trial to ``--events``.

    bench/headline/.venv/bin/python peer_keras_tuner.py --data split.npz --budget 300 --seed 0 \
        --events events.jsonl --workdir DIR
"""

from __future__ import annotations

import argparse
import json
import math
import time
from typing import Any

EPOCHS = 20


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--budget", type=float, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--events", required=True)
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--workdir", required=True)
    args = parser.parse_args()
    started = time.monotonic()

    import keras
    import keras_tuner
    import numpy as np

    split = np.load(args.data)
    x_train, y_train = split["x_train"], split["y_train"]
    x_val, y_val = split["x_val"], split["y_val"]
    events = open(args.events, "a", encoding="utf-8")  # noqa: SIM115 - open for the whole run

    def emit(**event: Any) -> None:
        events.write(json.dumps({"t": time.time(), **event}) + "\n")
        events.flush()

    class HyperModel(keras_tuner.HyperModel):
        def build(self, hp: keras_tuner.HyperParameters) -> keras.Model:
            model = keras.Sequential(
                [
                    keras.Input((28, 28, 1)),
                    keras.layers.Conv2D(
                        hp.Choice("filters_1", [32, 64]),
                        hp.Choice("kernel_1", [3, 5]),
                        padding=hp.Choice("padding_1", ["same", "valid"]),
                        activation="relu",
                    ),
                    keras.layers.MaxPooling2D(2),
                    keras.layers.Conv2D(
                        hp.Choice("filters_2", [64, 128]),
                        hp.Choice("kernel_2", [3, 5]),
                        padding="same",
                        activation="relu",
                    ),
                    keras.layers.MaxPooling2D(2),
                    keras.layers.Flatten(),
                    keras.layers.Dense(hp.Choice("units", [128, 256, 512]), activation="relu"),
                    keras.layers.Dropout(hp.Float("dropout", 0.3, 0.7, step=0.1)),
                    keras.layers.Dense(10, activation="softmax"),
                ]
            )
            schedule = keras.optimizers.schedules.ExponentialDecay(
                hp.Float("lr", 1e-3, 1e-1, sampling="log"),
                hp.Choice("decay_steps", [500, 1000, 2000]),
                hp.Float("decay_rate", 0.9, 0.99, step=0.01),
            )
            model.compile(
                optimizer=keras.optimizers.Adam(schedule),
                loss="sparse_categorical_crossentropy",
                metrics=["accuracy"],
            )
            return model

        def fit(self, hp: keras_tuner.HyperParameters, model: keras.Model, *a: Any, **kw: Any) -> Any:
            return model.fit(*a, batch_size=hp.Choice("batch_size", [32, 64, 128]), **kw)

    class EpochEvents(keras.callbacks.Callback):
        def __init__(self, number: int) -> None:
            super().__init__()
            self.number = number

        def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
            logs = logs or {}
            loss = float(logs.get("loss", float("nan")))
            emit(
                kind="epoch",
                trial=self.number,
                epoch=epoch,
                val_accuracy=float(logs["val_accuracy"]),
                loss=loss if math.isfinite(loss) else None,
            )

    class TimedTuner(keras_tuner.BayesianOptimization):
        """Stops starting trials once the budget is used (as ``study.optimize(timeout=)`` does)."""

        def run_trial(self, trial: Any, *fit_args: Any, **fit_kwargs: Any) -> Any:
            number = len(self.oracle.trials) - 1
            fit_kwargs["callbacks"] = [*fit_kwargs.get("callbacks", []), EpochEvents(number)]
            result = super().run_trial(trial, *fit_args, **fit_kwargs)
            return result

        def on_trial_end(self, trial: Any) -> None:
            super().on_trial_end(trial)
            emit(
                kind="trial_end",
                trial=len(self.oracle.trials) - 1,
                state=str(trial.status).lower(),
                value=trial.score,
            )
            if time.monotonic() - started >= args.budget:
                self.oracle.max_trials = len(self.oracle.trials)

    keras.utils.set_random_seed(args.seed)
    tuner = TimedTuner(
        HyperModel(),
        objective="val_accuracy",
        max_trials=10_000,
        seed=args.seed,
        directory=args.workdir,
        project_name="headline",
        overwrite=True,
    )
    tuner.search(x_train, y_train, validation_data=(x_val, y_val), epochs=args.epochs, verbose=0)
    best = tuner.oracle.get_best_trials(1)
    emit(kind="done", best_value=best[0].score if best else None)
    events.close()


if __name__ == "__main__":
    main()
