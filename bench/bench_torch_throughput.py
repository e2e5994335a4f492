"""Training throughput of the generated PyTorch model against a hand-written one.

Both train the seed's basic example CNN (Conv2D 32 3x3 relu → MaxPooling2D 2x2 →
Flatten → Dense 128 relu → Dropout 0.3 → Dense 10 softmax; Adam 1e-3) on the same
mnist5k tensors, with the same threads and batch size, in one process.
Repetitions alternate between the two (one epoch each, order swapped every
round); the median samples per second of each is compared. Target: ratio ≥ 0.97.

The hand-written model is what a PyTorch user would write: log_softmax + NLL,
a loop indexing pre-built tensors, tracking loss and accuracy per batch as the
generated loop does. It runs in two variants: fed the data converted to
channels-first once up front (the textbook way), and fed the same channels-last
tensors with a permute at the top of forward (what the generated model does).
The ratio is taken against the faster of the two, so it never flatters the
generated code.

    .venv/bin/python bench/bench_torch_throughput.py [--threads 1] [--repeats 7] [--batch-size 32]
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from neural.datasets.prepare import prepare_data
from neural.program import compile_source
from neural_backend_torch.backend import TorchBackend, load_generated_module

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


class HandWrittenCNN(nn.Module):
    """The basic example's CNN, written by hand; ``channels_last_input`` permutes its input first."""

    def __init__(self, channels_last_input: bool = False) -> None:
        super().__init__()
        self.channels_last_input = channels_last_input
        self.conv = nn.Conv2d(1, 32, 3)
        self.pool = nn.MaxPool2d(2)
        self.hidden = nn.Linear(32 * 13 * 13, 128)
        self.dropout = nn.Dropout(0.3)
        self.out = nn.Linear(128, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.channels_last_input:
            x = x.permute(0, 3, 1, 2)
        x = self.pool(F.relu(self.conv(x)))
        x = self.dropout(F.relu(self.hidden(x.flatten(1))))
        return F.log_softmax(self.out(x), dim=-1)


def hand_written_epoch(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    x: torch.Tensor,
    y: torch.Tensor,
    batch_size: int,
    generator: torch.Generator,
) -> None:
    """One training epoch of the hand-written model."""
    model.train()
    order = torch.randperm(len(x), generator=generator)
    total_loss, correct = 0.0, 0
    for start in range(0, len(order), batch_size):
        rows = order[start : start + batch_size]
        inputs, target = x[rows], y[rows]
        optimizer.zero_grad(set_to_none=True)
        output = model(inputs)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        total_loss += loss.item() * len(rows)
        correct += int((output.detach().argmax(dim=-1) == target).sum())


def main() -> None:
    """Run the benchmark and print the medians and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--data", default="mnist5k")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    model = compile_source(BASIC_AT_A_POINT, "basic_at_a_point.neural").concrete_model()
    data = prepare_data(args.data, model.input_shape, validation_split=0.2, seed=0, num_classes=10)
    module = load_generated_module(TorchBackend().generate(model), model.name)
    empty_x, empty_y = data.x_train[:0], data.y_train[:0]  # no validation pass: training throughput only

    torch.manual_seed(0)
    generated = module.build_model()
    torch.manual_seed(0)
    generated = module.build_model()
    x_channels_last = torch.as_tensor(data.x_train)
    x_channels_first = x_channels_last.permute(0, 3, 1, 2).contiguous()
    y = torch.as_tensor(data.y_train)
    samples = len(data.x_train)

    def run_generated() -> float:
        started = time.perf_counter()
        module.train(
            generated,
            data.x_train,
            data.y_train,
            empty_x,
            empty_y,
            epochs=1,
            batch_size=args.batch_size,
            seed=0,
        )
        return samples / (time.perf_counter() - started)

    def hand_written_runner(channels_last_input: bool) -> Any:
        torch.manual_seed(0)
        hand = HandWrittenCNN(channels_last_input)
        optimizer = torch.optim.Adam(hand.parameters(), lr=0.001, eps=1e-7)
        x = x_channels_last if channels_last_input else x_channels_first
        generator = torch.Generator().manual_seed(0)

        def run() -> float:
            started = time.perf_counter()
            hand_written_epoch(hand, optimizer, x, y, args.batch_size, generator)
            return samples / (time.perf_counter() - started)

        return run

    runners: list[tuple[str, Any]] = [
        ("generated", run_generated),
        ("hand-written, channels-first data", hand_written_runner(False)),
        ("hand-written, channels-last data", hand_written_runner(True)),
    ]
    for _, run in runners:
        run()  # warm-up
    rates: dict[str, list[float]] = {name: [] for name, _ in runners}
    for repeat in range(args.repeats):
        order = runners[repeat % len(runners) :] + runners[: repeat % len(runners)]
        for name, run in order:
            rates[name].append(run())
    medians = {name: statistics.median(values) for name, values in rates.items()}
    print(
        f"data {data.name}: {samples} training samples, batch size {args.batch_size}, "
        f"{args.threads} thread(s), {args.repeats} interleaved epochs each"
    )
    for name, rate in medians.items():
        print(f"{name:36s} {rate:8.0f} samples/s (median)")
    best_hand = max(rate for name, rate in medians.items() if name != "generated")
    print(f"ratio generated / best hand-written: {medians['generated'] / best_hand:.3f} (target >= 0.97)")


if __name__ == "__main__":
    main()
