"""The hand-written peer: Optuna TPE + a PyTorch loop, as a competent user writes it.

One process, all threads, the guide's advanced example written out by hand in
PyTorch, trained on the split the harness prepared (an ``.npz`` with
``x_train``/``y_train``/``x_val``/``y_val``), 20 epochs a trial, maximising the
best epoch's validation accuracy (keeping that epoch's weights), with
``study.optimize(timeout=BUDGET)``. No ``trial.report`` and no pruning, no
divergence check: what a user writes before reaching for a tool.

Called by ``bench/headline/run.py``; writes one JSON line per finished epoch
and per finished trial to ``--events`` (wall-clock ``t`` from ``time.time()``).

    python peer_optuna.py --data split.npz --budget 300 --seed 0 --events events.jsonl
"""

from __future__ import annotations

import argparse
import json
import math
import time
from typing import Any

import numpy as np
import optuna
import torch
import torch.nn.functional as F
from torch import nn

EPOCHS = 20


class Net(nn.Module):
    """Conv → pool → conv → pool → dense → dropout → 10 logits (the advanced example)."""

    def __init__(self, p: dict[str, Any]) -> None:
        super().__init__()
        k1, k2 = p["kernel_1"], p["kernel_2"]
        self.conv1 = nn.Conv2d(1, p["filters_1"], k1, padding=p["padding_1"])
        self.conv2 = nn.Conv2d(p["filters_1"], p["filters_2"], k2, padding="same")
        with torch.no_grad():
            flat = self.features(torch.zeros(1, 1, 28, 28)).shape[1]
        self.dense = nn.Linear(flat, p["units"])
        self.dropout = nn.Dropout(p["dropout"])
        self.out = nn.Linear(p["units"], 10)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return torch.flatten(x, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(self.dropout(F.relu(self.dense(self.features(x)))))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--budget", type=float, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--events", required=True)
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    args = parser.parse_args()

    split = np.load(args.data)
    # channels-last arrays as the harness wrote them → NCHW tensors
    x_train = torch.as_tensor(split["x_train"], dtype=torch.float32).permute(0, 3, 1, 2).contiguous()
    y_train = torch.as_tensor(split["y_train"], dtype=torch.long)
    x_val = torch.as_tensor(split["x_val"], dtype=torch.float32).permute(0, 3, 1, 2).contiguous()
    y_val = torch.as_tensor(split["y_val"], dtype=torch.long)
    events = open(args.events, "a", encoding="utf-8")  # noqa: SIM115 - open for the whole run

    def emit(**event: Any) -> None:
        events.write(json.dumps({"t": time.time(), **event}) + "\n")
        events.flush()

    def objective(trial: optuna.Trial) -> float:
        p: dict[str, Any] = {
            "filters_1": trial.suggest_categorical("filters_1", [32, 64]),
            "kernel_1": trial.suggest_categorical("kernel_1", [3, 5]),
            "padding_1": trial.suggest_categorical("padding_1", ["same", "valid"]),
            "filters_2": trial.suggest_categorical("filters_2", [64, 128]),
            "kernel_2": trial.suggest_categorical("kernel_2", [3, 5]),
            "units": trial.suggest_categorical("units", [128, 256, 512]),
            "dropout": trial.suggest_float("dropout", 0.3, 0.7, step=0.1),
            "lr": trial.suggest_float("lr", 1e-3, 1e-1, log=True),
            "decay_steps": trial.suggest_categorical("decay_steps", [500, 1000, 2000]),
            "decay_rate": trial.suggest_float("decay_rate", 0.9, 0.99, step=0.01),
            "batch_size": trial.suggest_categorical("batch_size", [32, 64, 128]),
        }
        torch.manual_seed(args.seed * 1000 + trial.number)
        model = Net(p)
        optimizer = torch.optim.Adam(model.parameters(), lr=p["lr"])
        # Keras' ExponentialDecay: lr0 * rate ** (step / decay_steps), stepped every batch
        schedule = torch.optim.lr_scheduler.LambdaLR(
            optimizer, lambda step: p["decay_rate"] ** (step / p["decay_steps"])
        )
        best_acc, best_state = 0.0, None
        for epoch in range(args.epochs):
            model.train()
            order = torch.randperm(len(x_train))
            total = 0.0
            for start in range(0, len(order), p["batch_size"]):
                rows = order[start : start + p["batch_size"]]
                optimizer.zero_grad()
                loss = F.cross_entropy(model(x_train[rows]), y_train[rows])
                loss.backward()
                optimizer.step()
                schedule.step()
                total += loss.item() * len(rows)
            model.eval()
            with torch.no_grad():
                logits = torch.cat([model(x_val[i : i + 512]) for i in range(0, len(x_val), 512)])
                acc = float((logits.argmax(1) == y_val).float().mean())
            train_loss = total / len(x_train)
            emit(
                kind="epoch",
                trial=trial.number,
                epoch=epoch,
                val_accuracy=acc,
                loss=train_loss if math.isfinite(train_loss) else None,
            )
            if acc > best_acc:
                best_acc, best_state = acc, {k: v.clone() for k, v in model.state_dict().items()}
        trial.set_user_attr("has_weights", best_state is not None)
        emit(kind="trial_end", trial=trial.number, state="complete", value=best_acc)
        return best_acc

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=args.seed))
    study.optimize(objective, timeout=args.budget)
    emit(kind="done", best_value=study.best_value, best_trial=study.best_trial.number)
    events.close()


if __name__ == "__main__":
    main()
