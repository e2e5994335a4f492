"""Devices: which accelerators a process may use, and which one a run asks for.

Read cheaply, with no framework imported (``neural check`` and ``--help`` stay
light): :func:`visible_gpus` parses ``CUDA_VISIBLE_DEVICES`` as CUDA does (each
trial's record keeps it); :func:`machine_gpus` adds the NVIDIA driver's list;
:func:`normalize_device` validates ``--device``/``device:`` (``auto``, ``cpu``,
``cuda``, ``cuda:N``); :func:`choose_device` decides, once before a run or a
search, what ``auto`` means here and refuses a GPU that is not visible. The
generated module resolves the same name again with its framework
(``pick_device``), so it also runs on its own.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from neural.backends.base import Backend

#: The variable CUDA (and so PyTorch and TensorFlow) reads to choose the GPUs a process sees.
CUDA_VISIBLE_DEVICES = "CUDA_VISIBLE_DEVICES"


def parse_visible_devices(value: str | None) -> list[str]:
    """The GPU ids in a ``CUDA_VISIBLE_DEVICES`` value, in order.

    ``None`` or an empty value: ``[]``. As CUDA does, the list ends at the
    first negative entry, so ``"-1"`` hides every GPU and ``"0,-1,1"`` is
    ``["0"]``. Ids are kept as text (CUDA accepts ``GPU-<uuid>`` too).
    """
    if not value:
        return []
    ids: list[str] = []
    for item in value.split(","):
        item = item.strip()
        if not item or item.startswith("-"):
            break
        ids.append(item)
    return ids


def visible_gpus(environ: Mapping[str, str] | None = None) -> list[str]:
    """The GPU ids ``CUDA_VISIBLE_DEVICES`` gives this process now (``[]`` when unset, empty or ``-1``).

    Unset means "every GPU" to CUDA, but it assigns nothing: a trial's record
    says ``[]`` then, and the device the framework used says the rest.
    """
    env = os.environ if environ is None else environ
    return parse_visible_devices(env.get(CUDA_VISIBLE_DEVICES))


# ----------------------------------------------------------------------------- the device a run asks for

#: What ``--device`` and the train block's ``device:`` take (``cuda:N`` for GPU number N).
DEVICE_FORMS = ("auto", "cpu", "cuda", "cuda:N")
AUTO = "auto"
CPU = "cpu"
#: The highest GPU number ``cuda:N`` accepts (a bound for the generated constant, not a machine's count).
MAX_GPU_INDEX = 1023
#: Where the NVIDIA driver lists the GPUs of the machine, one folder each.
NVIDIA_GPUS = Path("/proc/driver/nvidia/gpus")


class DeviceSpecError(ValueError):
    """A device text that is not one of :data:`DEVICE_FORMS`; ``hint`` says what to write."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def normalize_device(value: object) -> str:
    """``value`` as a device name: ``"auto"``, ``"cpu"``, ``"cuda"`` or ``"cuda:N"`` (N without leading zeros).

    Called by the checker for ``device:`` and by the CLI for ``--device``; raises
    :class:`DeviceSpecError` (with a hint) for anything else. Only what this
    returns reaches generated code.
    """
    must = 'must be "auto", "cpu", "cuda" or "cuda:N"'
    if not isinstance(value, str):
        raise DeviceSpecError(f"{must}, got {value!r}", _FORMS_HINT)
    text = value.strip().lower()
    if text in (AUTO, CPU, "cuda"):
        return text
    kind, colon, index = text.partition(":")
    if kind == "cuda" and colon:
        if index.isascii() and index.isdigit() and int(index) <= MAX_GPU_INDEX:
            return f"cuda:{int(index)}"
        raise DeviceSpecError(
            f"{value!r}: N in cuda:N must be a GPU number (0 to {MAX_GPU_INDEX})",
            "cuda:0 is the first GPU the process sees; cuda alone means the same",
        )
    gpu_like = kind in ("gpu", "nvidia", "rocm", "hip") or kind.startswith("cuda")
    hint = 'write "cuda" (or "cuda:N") for an NVIDIA GPU' if gpu_like else _FORMS_HINT
    raise DeviceSpecError(f"{must}, got {value!r}", hint)


_FORMS_HINT = 'use "auto" (a GPU when one is visible, else the CPU), "cpu", "cuda" or "cuda:N"'


def gpu_index(device: str) -> int | None:
    """The GPU number a normalized device names (``cuda`` → 0, ``cuda:2`` → 2); None for cpu/auto."""
    if device == "cuda":
        return 0
    if device.startswith("cuda:"):
        return int(device[5:])
    return None


def machine_gpus(environ: Mapping[str, str] | None = None, driver: Path = NVIDIA_GPUS) -> list[str]:
    """The GPU ids this process may use, found cheaply (no framework imported).

    The NVIDIA driver's GPU list (``/proc/driver/nvidia/gpus``), narrowed by
    ``CUDA_VISIBLE_DEVICES`` when that is set: ``["0", "1"]`` on a two-GPU
    machine, ``[]`` on one without a driver. Called for the run and search
    headers and to hand each search worker its own GPU.
    """
    try:
        installed = sum(1 for _ in driver.iterdir())
    except OSError:
        installed = 0
    if installed == 0:
        return []
    env = os.environ if environ is None else environ
    if CUDA_VISIBLE_DEVICES in env:
        return visible_gpus(env)
    return [str(index) for index in range(installed)]


@dataclass(frozen=True)
class DeviceChoice:
    """The device a run trains on and why, decided before it starts.

    ``requested`` is the normalized ``--device``/``device:`` value, ``device``
    what training will use (``auto`` resolved), ``reason`` the words for the
    header, ``gpus`` the GPU ids seen.
    """

    requested: str
    device: str
    reason: str
    gpus: tuple[str, ...] = ()

    @property
    def uses_gpu(self) -> bool:
        return self.device != CPU

    def header(self) -> str:
        """``device: cpu (auto: no GPU visible)`` — the run and search headers' line."""
        return f"device: {self.device} ({self.reason})"


def choose_device(
    requested: str,
    *,
    framework: str,
    gpus: list[str] | None = None,
    source: str = "--device",
    places_devices: bool = True,
) -> DeviceChoice:
    """Decide where a run trains, from ``requested`` and the GPUs visible (:func:`machine_gpus` by default).

    Called once before ``neural run`` trains and before a search starts, so a
    GPU that is not there is one error, not a failed trial each. ``framework``
    names the backend's framework in messages (``PyTorch``); ``source`` how the
    user asked (``--device`` or the train block's ``device:``); a backend that
    does not place its model on a device (``places_devices`` False) trains
    where its framework puts it, and may not be asked for a GPU. Raises
    :class:`~neural.errors.NeuralError` when ``requested`` names a GPU that is
    not visible.
    """
    from neural.errors import NeuralError

    seen = machine_gpus() if gpus is None else list(gpus)
    count = len(seen)
    if not places_devices:
        if gpu_index(requested) is not None:
            raise NeuralError(
                f"{source} {requested}: the {framework} backend does not place models on a GPU; "
                "use --device cpu or auto"
            )
        return DeviceChoice(requested, CPU, f"{source} {requested}; the backend does not place models", ())
    if requested == CPU:
        return DeviceChoice(requested, CPU, f"{source} cpu", tuple(seen))
    if requested == AUTO:
        if count:
            return DeviceChoice(requested, "cuda", f"auto: {_gpus_phrase(count)} visible", tuple(seen))
        return DeviceChoice(requested, CPU, "auto: no GPU visible", ())
    index = gpu_index(requested)
    assert index is not None, requested
    if count == 0:
        raise NeuralError(
            f"{source} {requested}: no GPU is visible to {framework} on this machine "
            f"({_why_none()}); use --device cpu or auto"
        )
    if index >= count:
        raise NeuralError(
            f"{source} {requested}: {framework} sees {_gpus_phrase(count)} (cuda:0 to cuda:{count - 1}); "
            "use one of those, or --device cuda"
        )
    return DeviceChoice(requested, requested, f"{source} {requested}; {_gpus_phrase(count)} visible", tuple(seen))


def unchecked_device(requested: str, *, source: str = "--device") -> DeviceChoice:
    """The device as asked, unchecked: for trials that run on other machines (a cluster
    executor), where each trial's framework resolves ``auto`` and refuses a GPU it lacks."""
    if requested == AUTO:
        return DeviceChoice(requested, AUTO, "resolved where each trial runs")
    return DeviceChoice(requested, requested, f"{source} {requested}; checked where each trial runs")


def device_for_backend(requested: str, backend: Backend, *, source: str = "--device") -> DeviceChoice:
    """:func:`choose_device` for ``backend`` (its framework's name, whether it places models)."""
    return choose_device(
        requested, framework=backend.framework or backend.name, source=source, places_devices=backend.places_devices
    )


def _gpus_phrase(count: int) -> str:
    return "1 GPU" if count == 1 else f"{count} GPUs"


def _why_none() -> str:
    """Why no GPU is visible, in a few words (the variable when it hides them, else the driver)."""
    value = os.environ.get(CUDA_VISIBLE_DEVICES)
    if value is not None and not parse_visible_devices(value):
        return f"{CUDA_VISIBLE_DEVICES}={value!r}"
    return f"no NVIDIA driver lists one in {NVIDIA_GPUS}"


# ----------------------------------------------------------------------------- GPUs for search workers


def worker_gpus(choice: DeviceChoice, workers: int, *, share: bool = False) -> tuple[list[str] | None, str | None]:
    """The ``CUDA_VISIBLE_DEVICES`` id for each of ``workers`` search workers, and the header line saying so.

    Called once before a search starts its workers. With more than one worker
    training on GPUs, each gets its own GPU (worker ``i`` the ``i``-th visible
    one, which it sees as ``cuda:0``); more workers than GPUs, or one fixed
    ``cuda:N`` for several workers, is refused unless ``share`` (``--share-gpus``):
    then workers take the GPUs in turn (``cuda:N``: all of them GPU N). Returns
    ``(None, None)`` when the environment is left as it is (one worker, CPU).
    """
    from neural.errors import NeuralError

    gpus = list(choice.gpus)
    if workers <= 1 or not choice.uses_gpu or not gpus:
        return None, None
    if choice.device != "cuda":  # one GPU named by number: every worker trains on it
        if not share:
            raise NeuralError(
                f"--device {choice.device} with {workers} workers puts them all on one GPU; use --device cuda "
                "to give each worker its own, --parallel 1, or --share-gpus to share it"
            )
        return None, f"gpus: the {workers} workers share {choice.device} (--share-gpus)"
    if workers > len(gpus) and not share:
        raise NeuralError(
            f"--parallel {workers} with {_gpus_phrase(len(gpus))}: each worker needs a GPU of its own; "
            f"use --parallel {len(gpus)}, or --share-gpus to put several workers on one GPU"
        )
    assigned = [gpus[index % len(gpus)] for index in range(workers)]
    pairs = ", ".join(f"worker {index + 1} → GPU {gpu}" for index, gpu in enumerate(assigned))
    shared = " (--share-gpus)" if workers > len(gpus) else ""
    return assigned, f"gpus: one per worker through {CUDA_VISIBLE_DEVICES}: {pairs}{shared}"
