"""neural.devices: the GPU ids a process sees, --device / device: values, what auto picks, GPUs for workers."""

from __future__ import annotations

from pathlib import Path

import pytest

from neural.devices import (
    DeviceSpecError,
    choose_device,
    machine_gpus,
    normalize_device,
    parse_visible_devices,
    visible_gpus,
    worker_gpus,
)
from neural.errors import DiagnosticsError, NeuralError
from neural.program import compile_source


@pytest.mark.parametrize(
    ("value", "ids"),
    [
        (None, []),
        ("", []),
        ("-1", []),
        ("0", ["0"]),
        ("1,0", ["1", "0"]),
        (" 2 , 3 ", ["2", "3"]),
        ("0,-1,1", ["0"]),
        ("GPU-8a1b", ["GPU-8a1b"]),
    ],
)
def test_visible_devices_are_parsed_as_cuda_does(value: str | None, ids: list[str]) -> None:
    assert parse_visible_devices(value) == ids


def test_visible_gpus_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "3,1")
    assert visible_gpus() == ["3", "1"]
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES")
    assert visible_gpus() == []
    assert visible_gpus({"CUDA_VISIBLE_DEVICES": "5"}) == ["5"]


# ----------------------------------------------------------------------------- --device / device:



@pytest.mark.parametrize(
    ("text", "name"),
    [("auto", "auto"), ("cpu", "cpu"), ("CPU", "cpu"), ("cuda", "cuda"), ("cuda:0", "cuda:0"), ("cuda:01", "cuda:1")],
)
def test_device_names_are_normalized(text: str, name: str) -> None:
    assert normalize_device(text) == name


@pytest.mark.parametrize("text", ["gpu", "cuda:", "cuda:x", "cuda:-1", "cuda:99999", "mps", "", "cuda:1,2"])
def test_bad_device_names_are_refused_with_a_hint(text: str) -> None:
    with pytest.raises(DeviceSpecError) as caught:
        normalize_device(text)
    assert caught.value.hint


def _gpu_driver(tmp_path: Path, count: int) -> Path:
    """A folder laid out like /proc/driver/nvidia/gpus on a machine with ``count`` GPUs."""
    driver = tmp_path / "gpus"
    driver.mkdir()
    for index in range(count):
        (driver / f"0000:0{index}:00.0").mkdir()
    return driver


def test_machine_gpus_reads_the_driver_narrowed_by_cuda_visible_devices(tmp_path: Path) -> None:
    driver = _gpu_driver(tmp_path, 2)
    assert machine_gpus({}, driver) == ["0", "1"]
    assert machine_gpus({"CUDA_VISIBLE_DEVICES": "1"}, driver) == ["1"]
    assert machine_gpus({"CUDA_VISIBLE_DEVICES": "-1"}, driver) == []
    assert machine_gpus({"CUDA_VISIBLE_DEVICES": "0,1"}, tmp_path / "no-driver") == []


def test_auto_is_the_cpu_on_this_machine() -> None:
    """This machine has no GPU: auto picks the CPU and the header says why."""
    choice = choose_device("auto", framework="PyTorch")
    assert (choice.device, choice.uses_gpu) == ("cpu", False)
    assert choice.header() == "device: cpu (auto: no GPU visible)"


def test_auto_takes_a_gpu_when_one_is_visible() -> None:
    choice = choose_device("auto", framework="PyTorch", gpus=["0", "1"])
    assert choice.device == "cuda" and choice.gpus == ("0", "1")
    assert choice.header() == "device: cuda (auto: 2 GPUs visible)"
    assert choose_device("cpu", framework="PyTorch", gpus=["0"]).device == "cpu"


@pytest.mark.parametrize("requested", ["cuda", "cuda:0", "cuda:2"])
def test_a_gpu_that_is_not_visible_is_one_line(requested: str) -> None:
    with pytest.raises(NeuralError) as caught:
        choose_device(requested, framework="PyTorch")
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"--device {requested}: no GPU is visible to PyTorch")
    assert message.endswith("use --device cpu or auto")


def test_a_gpu_number_beyond_the_visible_ones_is_refused() -> None:
    with pytest.raises(NeuralError, match=r"--device cuda:2: TensorFlow sees 2 GPUs \(cuda:0 to cuda:1\)"):
        choose_device("cuda:2", framework="TensorFlow", gpus=["0", "1"])
    assert choose_device("cuda:1", framework="TensorFlow", gpus=["0", "1"]).device == "cuda:1"


def test_a_backend_that_does_not_place_models_is_refused_a_gpu() -> None:
    with pytest.raises(NeuralError, match="does not place models on a GPU"):
        choose_device("cuda", framework="toy", gpus=["0"], places_devices=False)
    assert choose_device("auto", framework="toy", gpus=["0"], places_devices=False).device == "cpu"


def test_each_worker_gets_its_own_gpu() -> None:
    two = choose_device("auto", framework="PyTorch", gpus=["0", "1"])
    assigned, line = worker_gpus(two, 2)
    assert assigned == ["0", "1"]
    assert line == "gpus: one per worker through CUDA_VISIBLE_DEVICES: worker 1 → GPU 0, worker 2 → GPU 1"
    assert worker_gpus(two, 1) == (None, None)  # one worker: it sees every GPU and uses cuda
    assert worker_gpus(choose_device("cpu", framework="PyTorch", gpus=["0", "1"]), 4) == (None, None)


def test_more_workers_than_gpus_is_refused_unless_shared() -> None:
    two = choose_device("cuda", framework="PyTorch", gpus=["4", "7"])
    with pytest.raises(NeuralError) as caught:
        worker_gpus(two, 3)
    assert str(caught.value) == (
        "--parallel 3 with 2 GPUs: each worker needs a GPU of its own; use --parallel 2, "
        "or --share-gpus to put several workers on one GPU"
    )
    assigned, line = worker_gpus(two, 3, share=True)
    assert assigned == ["4", "7", "4"] and line is not None and line.endswith("(--share-gpus)")


def test_one_numbered_gpu_for_several_workers_needs_sharing() -> None:
    one = choose_device("cuda:1", framework="PyTorch", gpus=["0", "1"])
    with pytest.raises(NeuralError, match="puts them all on one GPU"):
        worker_gpus(one, 2)
    assert worker_gpus(one, 2, share=True)[0] is None  # every worker sees both GPUs and uses cuda:1


DEVICE_MODEL = """\
network D {
  input: (4,)
  layers:
    Output(2, "softmax")
  loss: "sparse_categorical_crossentropy"
  train {
    epochs: 1
    device: DEVICE
  }
}
"""


def test_the_train_block_device_defaults_to_auto_and_is_normalized() -> None:
    plain = compile_source(DEVICE_MODEL.replace("    device: DEVICE\n", ""), "d.neural")
    assert plain.concrete_model().train.device == "auto"
    assert compile_source(DEVICE_MODEL.replace("DEVICE", '"CUDA:01"'), "d.neural").concrete_model().train.device == (
        "cuda:1"
    )


@pytest.mark.parametrize(
    ("value", "message", "hint"),
    [
        ('"gpu"', "device must be \"auto\", \"cpu\", \"cuda\" or \"cuda:N\", got 'gpu'", 'write "cuda"'),
        ('"cuda:x"', "device 'cuda:x': N in cuda:N must be a GPU number", "cuda:0 is the first GPU"),
        ("3", 'device must be "auto"', 'use "auto"'),
    ],
)
def test_a_bad_train_block_device_is_a_located_error_with_a_hint(value: str, message: str, hint: str) -> None:
    source = DEVICE_MODEL.replace("DEVICE", value)
    with pytest.raises(DiagnosticsError) as caught:
        compile_source(source, "d.neural")
    diagnostic = caught.value.diagnostics[0]
    assert diagnostic.message.startswith(message)
    assert diagnostic.hint is not None and diagnostic.hint.startswith(hint)
    rendered = diagnostic.render(source, "d.neural")
    assert rendered.startswith("d.neural:8:13: error: device")


def test_a_command_line_device_overrides_the_train_block() -> None:
    program = compile_source(DEVICE_MODEL.replace("DEVICE", '"cpu"'), "d.neural")
    assert program.with_train_setting("device", "cuda:0").concrete_model().train.device == "cuda:0"
    assert program.concrete_model().train.device == "cpu"


def test_the_local_executor_hands_each_worker_a_gpu_and_says_so() -> None:
    """Core's local executor with two GPUs visible: --parallel 2 gives one each, auto one per GPU,
    --parallel 3 is refused unless --share-gpus (no workers are started here: open() decides)."""
    import io

    from rich.console import Console

    from neural.search.executor import ExecutorSettings
    from neural.search.local_executor import LocalExecutors

    console = Console(file=io.StringIO())
    two = choose_device("auto", framework="PyTorch", gpus=["0", "1"])
    executor = LocalExecutors(ExecutorSettings(parallel=2, device=two), console)
    assert executor.open(8) == 2 and executor.gpus == ["0", "1"]
    assert executor.header_lines()[0].startswith("gpus: one per worker through CUDA_VISIBLE_DEVICES")
    auto = LocalExecutors(ExecutorSettings(parallel="auto", device=two), console)
    assert auto.open(8) == 2
    with pytest.raises(NeuralError, match="--parallel 3 with 2 GPUs"):
        LocalExecutors(ExecutorSettings(parallel=3, device=two), console).open(8)
    shared = LocalExecutors(ExecutorSettings(parallel=3, device=two, share_gpus=True), console)
    assert shared.open(8) == 3 and shared.gpus == ["0", "1", "0"]
    cpu = LocalExecutors(ExecutorSettings(parallel=2, device=choose_device("cpu", framework="PyTorch")), console)
    assert cpu.open(8) == 2 and cpu.gpus is None
