"""Test set-up of neural-executor-ray: one real Ray head on loopback for the whole session."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from ray_support import RayHead, start_head


@pytest.fixture(scope="session")
def ray_head() -> Iterator[RayHead]:
    """A Ray head with 2 CPUs and 2 declared GPUs on 127.0.0.1, token authentication on; stopped at the end."""
    head = start_head(cpus=2, gpus=2)
    try:
        yield head
    finally:
        head.stop()
