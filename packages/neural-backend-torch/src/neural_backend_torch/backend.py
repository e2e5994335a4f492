"""``TorchBackend``: ``--backend pytorch`` (alias ``torch``).

Registered by :mod:`neural_backend_torch.plugin`. ``generate`` writes the
module; ``train`` executes that same source and trains with its ``train``
function, so what ``neural compile`` writes is exactly what ``neural run``
and every HPO trial train.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import TYPE_CHECKING, Any

from neural.backends.base import Backend, Reporter, TrainData, TrainResult
from neural.backends.generated import load_generated_module, train_generated
from neural.errors import NeuralError
from neural.search.atomic_write import atomic_file
from neural_backend_torch.codegen import BACKEND_NAME, WEIGHTS_SUFFIX, generate_module

if TYPE_CHECKING:
    from neural.model import ConcreteModel


def trained_device(network: Any) -> str | None:
    """Where ``network`` lives after training (``"cpu"``, ``"cuda:0"``): its first parameter's
    or buffer's device; None for a network with neither. Called once per ``train``."""
    for tensor in itertools.chain(network.parameters(), network.buffers()):
        return str(tensor.device)
    return None


class TorchBackend(Backend):
    """PyTorch code generation and training, on the device the train block names (``auto``: a GPU when torch sees one)."""

    name = BACKEND_NAME
    aliases = ("torch",)
    model_suffix = WEIGHTS_SUFFIX
    framework = "PyTorch"
    places_devices = True

    def generate(self, model: ConcreteModel) -> str:
        """The standalone module's source for ``model``; same model, same bytes."""
        return generate_module(model)

    def train(
        self,
        model: ConcreteModel,
        data: TrainData,
        *,
        reporter: Reporter | None = None,
        seed: int = 0,
        threads: int | None = None,
    ) -> TrainResult:
        """Train ``model`` with the generated module's ``train`` and return the result.

        ``reporter.on_epoch_end`` gets every epoch's metrics; True stops the run
        (``pruned=True``). When the reporter also has ``on_batch_end(done, total)``
        it follows the batches (for a progress bar). ``threads`` sets
        ``torch.set_num_threads`` for this process. The module's ``DEVICE`` (the
        train block's ``device``) says where it trains; a GPU torch does not
        see, or a diverged run (NaN loss), raises NeuralError.
        """
        import torch

        if threads:
            torch.set_num_threads(threads)
        module = load_generated_module(self.generate(model), model.name)
        try:
            module.pick_device()  # a GPU torch does not see: one line, before anything is built
        except RuntimeError as error:
            raise NeuralError(str(error)) from None
        torch.manual_seed(seed)
        network = module.build_model()
        result = train_generated(module, network, model, data, reporter=reporter, seed=seed)
        result.device = trained_device(network)
        return result

    def save(self, result: TrainResult, path: Path) -> Path:
        """Write the trained ``state_dict`` to ``path`` (loadable with ``torch.load(path, weights_only=True)``)."""
        import torch

        if result.artifact is None:
            raise NeuralError("there is no trained model to save: the training returned no network")
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_file(path) as temp:  # a full disk leaves the earlier file whole, and says which file
            torch.save(result.artifact.state_dict(), temp)
        return path
