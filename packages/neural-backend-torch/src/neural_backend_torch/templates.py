"""The fixed parts of every generated module: helpers, the training loop, ``main``.

These are our own source text, identical for every model; the parts that
depend on the model are written by :mod:`codegen`, :mod:`layers_code` and
:mod:`optim_code` from validated values. The code here reads the module-level
constants the generator writes (``EPOCHS``, ``PATIENCE``...) and the functions
it defines (``build_optimizer``, ``loss_fn``, ``count_correct``...).
"""

from __future__ import annotations

IMPORTS = """\
from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn
"""

#: Helper definitions, emitted only when a layer of the model needs them.
HELPERS: dict[str, str] = {
    "single_bias_lstm": '''\
def single_bias_lstm(input_size: int, units: int) -> nn.LSTM:
    """A batch-first nn.LSTM with Keras' parameters: one bias vector per gate.

    nn.LSTM adds two bias vectors (b_ih + b_hh) where Keras has one, so its
    parameter count would differ. The recurrent bias is swapped for a fixed
    zero buffer: b_ih alone plays Keras' bias, and the fused kernel is kept.
    """
    lstm = nn.LSTM(input_size, units, batch_first=True)
    del lstm.bias_hh_l0
    lstm.register_buffer("bias_hh_l0", torch.zeros(4 * units), persistent=False)
    # Assigning through nn.LSTM.__setattr__ also refreshes its list of fused weights.
    lstm.bias_hh_l0 = torch.zeros(4 * units)
    return lstm
''',
    "average_pooling_same": '''\
class AveragePoolingSame(nn.Module):
    """2-D average pooling with TensorFlow's asymmetric "same" padding.

    As in TensorFlow, padded cells are left out of each average: the pooled
    sums are divided by the fixed fraction of real cells under each window.
    """

    def __init__(self, kernel_size: tuple[int, int], stride: tuple[int, int],
                 padding: tuple[int, int, int, int], input_size: tuple[int, int]) -> None:
        super().__init__()
        self.padding = padding
        self.pool = nn.AvgPool2d(kernel_size, stride)
        real_fraction = self.pool(F.pad(torch.ones(1, 1, *input_size), padding))
        self.register_buffer("real_fraction", real_fraction, persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.pool(F.pad(x, self.padding)) / self.real_fraction
''',
}

#: Keras' default initialisation, applied by every generated ``build_model``.
KERAS_INIT = '''\
def init_like_keras(model: nn.Module) -> nn.Module:
    """Initialise `model` as Keras does, so one file trains alike on both backends; return it.

    Glorot-uniform kernels and zero biases (Dense, Conv), glorot-uniform input
    and orthogonal recurrent kernels (LSTM, GRU; the LSTM forget-gate bias is
    1, Keras' unit_forget_bias), embeddings uniform in [-0.05, 0.05].
    """
    for module in model.modules():
        if isinstance(module, (nn.Linear, nn.Conv1d, nn.Conv2d)):
            nn.init.xavier_uniform_(module.weight)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, (nn.LSTM, nn.GRU)):
            nn.init.xavier_uniform_(module.weight_ih_l0)
            nn.init.orthogonal_(module.weight_hh_l0)
            nn.init.zeros_(module.bias_ih_l0)
            if isinstance(module, nn.LSTM):
                units = module.hidden_size
                nn.init.ones_(module.bias_ih_l0[units:2 * units])
            else:
                nn.init.zeros_(module.bias_hh_l0)
        elif isinstance(module, nn.Embedding):
            nn.init.uniform_(module.weight, -0.05, 0.05)
    return model
'''

TRAINING = '''\
class EarlyStopping:
    """Keras' EarlyStopping with restore_best_weights=True.

    `should_stop` is called after every epoch; it keeps a copy of the best
    weights seen so far, which `train` loads back at the end.
    """

    def __init__(self, monitor: str, patience: int, min_delta: float) -> None:
        self.monitor = monitor
        self.patience = patience
        self.min_delta = abs(min_delta)
        self.maximize = "acc" in monitor
        self.best_value: float | None = None
        self.best_epoch = 0
        self.best_weights: dict[str, torch.Tensor] | None = None
        self.epochs_without_improvement = 0

    def improved(self, value: float) -> bool:
        """True when `value` beats the best so far by more than `min_delta`."""
        if self.best_value is None:
            return True
        if self.maximize:
            return value > self.best_value + self.min_delta
        return value < self.best_value - self.min_delta

    def should_stop(self, epoch: int, metrics: dict[str, float], model: nn.Module) -> bool:
        """Record epoch `epoch`; True once `patience` epochs in a row brought no improvement."""
        value = metrics.get(self.monitor)
        if value is None:
            return False
        if self.improved(value):
            self.best_value, self.best_epoch = value, epoch
            self.best_weights = {key: tensor.detach().clone() for key, tensor in model.state_dict().items()}
            self.epochs_without_improvement = 0
            return False
        self.epochs_without_improvement += 1
        return self.epochs_without_improvement >= self.patience


def pick_device(name: str = DEVICE) -> torch.device:
    """The device to train on: `name` ("cpu", "cuda", "cuda:N"), or for "auto" the GPU when
    torch sees one, else the CPU. A GPU torch does not see is a RuntimeError saying so."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(name)
    if device.type == "cuda":
        visible = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if visible == 0:
            raise RuntimeError(f"--device {name}: no GPU is visible to PyTorch "
                               "(torch.cuda.is_available() is False); use --device cpu or auto")
        if (device.index or 0) >= visible:
            raise RuntimeError(f"--device {name}: PyTorch sees {visible} GPU(s) "
                               f"(cuda:0 to cuda:{visible - 1}); use one of those, or --device cuda")
    return device


def as_tensors(x: object, y: object) -> tuple[torch.Tensor, torch.Tensor]:
    """Arrays as tensors, converted once before training: float32 inputs, targets as given."""
    features = torch.as_tensor(x, dtype=torch.float32)
    targets = torch.as_tensor(y)
    if targets.is_floating_point():
        targets = targets.float()
    return features, targets


@torch.no_grad()
def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int,
             device: torch.device) -> tuple[float, float]:
    """Mean loss and accuracy of `model` on (`x`, `y`), in evaluation mode (batches moved to `device`)."""
    model.eval()
    total_loss = 0.0
    correct = 0.0
    for start in range(0, len(x), batch_size):
        output = model(x[start:start + batch_size].to(device, non_blocking=True))
        target = y[start:start + batch_size].to(device, non_blocking=True)
        total_loss += float(loss_fn(output, target)) * len(target)
        if HAS_ACCURACY:
            correct += count_correct(output, target)
    return total_loss / len(x), correct / len(x)


def train(
    model: nn.Module,
    x_train: object,
    y_train: object,
    x_val: object,
    y_val: object,
    *,
    epochs: int = EPOCHS,
    batch_size: int = BATCH_SIZE,
    callback: Callable[[int, dict[str, float]], bool] | None = None,
    on_batch: Callable[[int, int], None] | None = None,
    seed: int = SEED,
    device: str = DEVICE,
) -> dict[str, Any]:
    """Train `model` as the train block says, on `device` (see `pick_device`); return the history.

    The model moves to the device once; the data stays in host memory and each
    batch moves when it is used. Inputs are channels-last arrays. After every epoch `callback(epoch, metrics)`
    gets loss, accuracy, val_loss, val_accuracy, lr and time; when it returns
    True training stops at once. `on_batch(done, total)` follows the batches.
    With early stopping the best epoch's weights are restored at the end.
    Returns {"epochs": [metrics per epoch], "best_epoch": index of the epoch
    whose weights the model holds, "stopped_early": bool, "stopped_by_callback": bool}.
    """
    torch.manual_seed(seed)
    shuffler = torch.Generator().manual_seed(seed)
    target_device = pick_device(device)
    model.to(target_device)
    x_train, y_train = as_tensors(x_train, y_train)
    x_val, y_val = as_tensors(x_val, y_val)
    optimizer = build_optimizer(model)
    scheduler = build_scheduler(optimizer)
    stopper = EarlyStopping(MONITOR, PATIENCE, MIN_DELTA) if EARLY_STOPPING else None
    batches = math.ceil(len(x_train) / batch_size)
    history: list[dict[str, float]] = []
    stopped_early = stopped_by_callback = False
    for epoch in range(epochs):
        started = time.perf_counter()
        model.train()
        order = torch.randperm(len(x_train), generator=shuffler)
        total_loss = 0.0
        correct = 0.0
        for batch, start in enumerate(range(0, len(order), batch_size)):
            rows = order[start:start + batch_size]
            inputs = x_train[rows].to(target_device, non_blocking=True)
            target = y_train[rows].to(target_device, non_blocking=True)
            optimizer.zero_grad(set_to_none=True)
            output = model(inputs)
            loss = loss_fn(output, target)
            loss.backward()
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
            total_loss += loss.item() * len(rows)
            if not math.isfinite(total_loss):  # stop at the first bad batch, not after the epoch
                raise FloatingPointError(
                    f"training diverged: the loss became {loss.item()} in epoch {epoch + 1}; lower the learning rate"
                )
            if HAS_ACCURACY:
                correct += count_correct(output.detach(), target)
            if on_batch is not None:
                on_batch(batch + 1, batches)
        metrics = {"loss": total_loss / len(x_train)}
        if HAS_ACCURACY:
            metrics["accuracy"] = correct / len(x_train)
        if len(x_val):
            val_loss, val_accuracy = evaluate(model, x_val, y_val, max(batch_size, 256), target_device)
            metrics["val_loss"] = val_loss
            if HAS_ACCURACY:
                metrics["val_accuracy"] = val_accuracy
        metrics["lr"] = optimizer.param_groups[0]["lr"]
        metrics["time"] = time.perf_counter() - started
        history.append(metrics)
        if not math.isfinite(metrics["loss"]):
            raise FloatingPointError(
                f"training diverged: the loss is {metrics['loss']} after epoch {epoch + 1}; "
                "lower the learning rate"
            )
        if callback is not None and callback(epoch, metrics):
            stopped_by_callback = True
            break
        if stopper is not None and stopper.should_stop(epoch, metrics, model):
            stopped_early = True
            break
    best_epoch = len(history) - 1
    if stopper is not None and stopper.best_weights is not None and not stopped_by_callback:
        model.load_state_dict(stopper.best_weights)
        best_epoch = stopper.best_epoch
    return {
        "epochs": history,
        "best_epoch": best_epoch,
        "stopped_early": stopped_early,
        "stopped_by_callback": stopped_by_callback,
    }


def format_metrics(epoch: int, epochs: int, metrics: dict[str, float]) -> str:
    """One line for epoch `epoch` (0-based): every metric, then the time."""
    shown = "  ".join(f"{name} {value:.4f}" for name, value in metrics.items() if name not in ("lr", "time"))
    return f"epoch {epoch + 1}/{epochs}  {shown}  lr {metrics['lr']:.3g}  {metrics['time']:.1f}s"


def main(argv: list[str] | None = None) -> None:
    """`python THIS_FILE.py`: load the data, train, print each epoch, save the state_dict."""
    parser = argparse.ArgumentParser(description=f"Train {NETWORK_NAME} as its train block says.")
    parser.add_argument("--data", default=DATASET,
                        help="a data spec, as for `neural run --data` (default: %(default)s)")
    parser.add_argument("--epochs", type=int, default=EPOCHS, help="default: %(default)s")
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="default: %(default)s")
    parser.add_argument("--seed", type=int, default=SEED, help="default: %(default)s")
    parser.add_argument("--device", default=DEVICE,
                        help="auto (a GPU when torch sees one), cpu, cuda or cuda:N (default: %(default)s)")
    parser.add_argument("--out", default=WEIGHTS_FILE,
                        help="file for the trained state_dict (default: %(default)s)")
    args = parser.parse_args(argv)

    # neural-core knows the data specs (mnist5k, digits, npz:PATH, ...) and fits the data to INPUT_SHAPE.
    from neural.datasets.prepare import prepare_data

    data = prepare_data(args.data, INPUT_SHAPE, validation_split=VALIDATION_SPLIT, seed=args.seed, loss=LOSS,
                        num_classes=NUM_CLASSES, int_inputs_below=TOKEN_IDS_BELOW)
    for note in data.notes:
        print(note)
    torch.manual_seed(args.seed)
    model = build_model()

    def show(epoch: int, metrics: dict[str, float]) -> bool:
        print(format_metrics(epoch, args.epochs, metrics), flush=True)
        return False

    history = train(model, data.x_train, data.y_train, data.x_val, data.y_val,
                    epochs=args.epochs, batch_size=args.batch_size, callback=show, seed=args.seed,
                    device=args.device)
    torch.save(model.state_dict(), args.out)
    print(f"kept the weights of epoch {history['best_epoch'] + 1}; saved them to {args.out}")


if __name__ == "__main__":
    main()
'''
