"""A real Ray head on loopback for the tests, and a helper that runs ``neural`` against it.

:func:`start_head` runs ``ray start --head --block`` with 2 CPUs and 2 declared
GPUs (Ray hands out ``CUDA_VISIBLE_DEVICES`` for them even on a CPU machine),
its own temp folder, token authentication on with a fresh token, every server
on 127.0.0.1; :meth:`RayHead.stop` ends exactly the processes it started (the
``ray start`` process and its descendants), by pid.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples"
NEURAL = str(Path(sys.executable).with_name("neural"))
RAY = str(Path(sys.executable).with_name("ray"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class RayHead:
    """A running head: its address, the environment a driver needs (the token), and its processes."""

    process: subprocess.Popen[str]
    address: str
    env: dict[str, str]
    temp_dir: Path
    known: set[int] = field(default_factory=set)

    def processes(self) -> list[psutil.Process]:
        """The ``ray start`` process and everything it started (raylet, GCS, workers, actors)."""
        try:
            root = psutil.Process(self.process.pid)
            found = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            found = []
        self.known.update(p.pid for p in found)
        return found

    def trial_actors(self, running: bool = True) -> list[psutil.Process]:
        """The trial actors' processes (``ray::TrialWorker.run`` while a trial trains)."""
        title = "TrialWorker.run" if running else "TrialWorker"
        actors = []
        for process in self.processes():
            try:
                if title in " ".join(process.cmdline()):
                    actors.append(process)
            except psutil.NoSuchProcess:
                continue
        return actors

    def stop(self) -> None:
        """End the head's processes (SIGTERM, then SIGKILL what is left), by pid; remove its folder."""
        processes = self.processes()
        for process in processes:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.send_signal(signal.SIGTERM)
        _, alive = psutil.wait_procs(processes, timeout=10)
        for process in alive:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()
        psutil.wait_procs(alive, timeout=5)
        shutil.rmtree(self.temp_dir, ignore_errors=True)


def start_head(cpus: int = 2, gpus: int = 2) -> RayHead:
    """Start a Ray head on 127.0.0.1 and wait until it takes drivers."""
    temp_dir = Path(tempfile.mkdtemp(prefix="nray", dir="/tmp"))  # short: Ray's socket paths have a limit
    port = free_port()
    env = {
        **os.environ,
        "RAY_AUTH_MODE": "token",
        "RAY_AUTH_TOKEN": secrets.token_hex(32),
        # keep 127.0.0.1 as the node address (Ray would swap in the outward one), so every
        # server listens on loopback only
        "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
        "RAY_USAGE_STATS_ENABLED": "0",
        "OMP_NUM_THREADS": "1",
    }
    command = [
        RAY, "start", "--head", "--block",
        "--node-ip-address", "127.0.0.1", "--port", str(port),
        "--num-cpus", str(cpus), "--num-gpus", str(gpus),
        "--temp-dir", str(temp_dir), "--include-dashboard=false", "--disable-usage-stats",
    ]  # fmt: skip
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    head = RayHead(process=process, address=f"127.0.0.1:{port}", env=env, temp_dir=temp_dir)
    deadline = time.monotonic() + 120
    seen: list[str] = []
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        seen.append(line)
        if "Ray runtime started" in line:
            _drain_in_background(process)
            return head
    head.stop()
    raise RuntimeError("ray start --head did not come up:\n" + "".join(seen[-30:]))


def _drain_in_background(process: subprocess.Popen[str]) -> None:
    """Keep reading the head's output so a full pipe never blocks it."""
    import threading

    def drain() -> None:
        assert process.stdout is not None
        for _ in process.stdout:
            pass

    threading.Thread(target=drain, daemon=True).start()


def neural(
    *args: str, env: dict[str, str], cwd: Path, timeout: float = 600, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run ``neural ARGS`` in ``cwd`` with ``env``; with ``check``, fail showing its output unless it exits 0."""
    done = subprocess.run([NEURAL, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if check:
        assert done.returncode == 0, f"neural {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done


def local_env() -> dict[str, str]:
    """The environment of a local search: one framework thread per worker, no Ray variables."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("RAY_")}
    env["OMP_NUM_THREADS"] = "1"
    return env
