"""neural.devices: the GPU ids CUDA_VISIBLE_DEVICES gives a process, parsed as CUDA does."""

from __future__ import annotations

import pytest

from neural.devices import parse_visible_devices, visible_gpus


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
