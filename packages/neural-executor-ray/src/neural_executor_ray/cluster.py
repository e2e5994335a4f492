"""Connecting to Ray: a private instance on this machine, or the cluster ``--address`` names.

Called by :class:`~neural_executor_ray.ray_executors.RayExecutors` once per
search, before the data loads. Without ``--address`` a Ray instance is
started for this search only: bound to 127.0.0.1, no dashboard, sized to this
machine's cores, with Ray's token authentication on (a fresh token in this
process's environment when none is configured, so nothing is written to
``~/.ray``); it stops when the search ends. With ``--address`` (``auto``,
``ray://HOST:10001`` or ``HOST:PORT``) this process joins that cluster as a
driver, with the token the cluster's users have (``RAY_AUTH_TOKEN`` or
``~/.ray/auth_token``), and leaves it running.
"""

from __future__ import annotations

import logging
import math
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from neural.errors import NeuralError

#: Ray's own variables for its token authentication (Ray 2.60).
AUTH_MODE = "RAY_AUTH_MODE"
AUTH_TOKEN = "RAY_AUTH_TOKEN"
AUTH_TOKEN_PATH = "RAY_AUTH_TOKEN_PATH"
#: Ray turns a loopback node address into the machine's outward address (so other nodes could
#: join) unless told it is a one-machine cluster: this variable, false, keeps 127.0.0.1, and
#: then every Ray server listens on loopback only.
ONE_MACHINE = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")
#: The namespace the search's actors live in (so ``ray list actors`` shows whose they are).
NAMESPACE = "neural"


@dataclass(frozen=True)
class Cluster:
    """What this search runs on: where, each live node's CPUs and GPUs, and whether we started it."""

    where: str
    nodes: tuple[tuple[float, float], ...]
    started_here: bool
    token_auth: bool

    @property
    def cpus(self) -> float:
        return sum(cpus for cpus, _ in self.nodes)

    @property
    def gpus(self) -> float:
        return sum(gpus for _, gpus in self.nodes)

    def trials_that_fit(self, cpus: float, gpus: float) -> int:
        """How many trials of ``cpus`` CPUs and ``gpus`` GPUs the live nodes hold at once."""
        total = 0
        for node_cpus, node_gpus in self.nodes:
            fit = math.floor(node_cpus / cpus + 1e-9) if cpus > 0 else 10**6
            if gpus > 0:
                fit = min(fit, math.floor(node_gpus / gpus + 1e-9))
            total += fit
        return total


def _token_configured() -> bool:
    if os.environ.get(AUTH_TOKEN) or os.environ.get(AUTH_TOKEN_PATH):
        return True
    return (Path.home() / ".ray" / "auth_token").is_file()


def connect(address: str | None, cores: int) -> Cluster:
    """Start a private Ray instance (``address`` None) or join the cluster at ``address``.

    Raises NeuralError with the fix when Ray cannot be reached or refuses the token.
    """
    started_here = address is None
    # Token authentication stays on: an explicit mode (so a changed Ray default cannot turn it
    # off), and a fresh token for this instance when the user has none configured.
    if started_here and os.environ.get(AUTH_MODE, "").lower() != "disabled":
        os.environ[AUTH_MODE] = "token"
        if not _token_configured():
            os.environ[AUTH_TOKEN] = secrets.token_hex(32)
    if started_here or _host(address) in LOOPBACK:
        os.environ[ONE_MACHINE] = "0"
    if address is not None:
        _check_reachable(address)
    import ray

    options: dict[str, Any] = {
        "namespace": NAMESPACE,
        "include_dashboard": False,
        "log_to_driver": False,
        "logging_level": logging.ERROR,
        "ignore_reinit_error": True,
    }
    try:
        if started_here:
            ray.init(num_cpus=cores, _node_ip_address="127.0.0.1", **options)
        else:
            ray.init(address=address, **options)
    except ConnectionError as error:
        raise NeuralError(
            f"cannot connect to the Ray cluster at {address}: {_first_line(error)}; start it with "
            "ray start --head (see the README), or leave out --address to run on this machine"
        ) from error
    except Exception as error:  # AuthenticationError, RuntimeError, ValueError (a malformed address)
        hint = (
            f"; set {AUTH_TOKEN} to the cluster's token (ray get-auth-token on its head node)"
            if "auth" in type(error).__name__.lower() or "token" in str(error).lower()
            else ""
        )
        where = f"the Ray cluster at {address}" if address else "a Ray instance on this machine"
        raise NeuralError(f"cannot start or join {where}: {_first_line(error)}{hint}") from error
    nodes = tuple(
        (float(node["Resources"].get("CPU", 0.0)), float(node["Resources"].get("GPU", 0.0)))
        for node in ray.nodes()
        if node.get("Alive")
    )
    from ray._private.authentication.authentication_utils import is_token_auth_enabled

    where = "a private Ray instance on 127.0.0.1" if started_here else f"the Ray cluster at {address}"
    return Cluster(where=where, nodes=nodes, started_here=started_here, token_auth=is_token_auth_enabled())


def disconnect(cluster: Cluster | None) -> None:
    """Leave Ray: a private instance stops, a cluster keeps running. Called once the search ended."""
    import sys

    ray = sys.modules.get("ray")
    if ray is not None and ray.is_initialized():
        ray.shutdown()


def _check_reachable(address: str, timeout: float = 5.0) -> None:
    """Fail at once when nothing answers at ``HOST:PORT`` (Ray itself would retry for minutes)."""
    import socket

    rest = address.split("://", 1)[-1]
    host, _, port = rest.rpartition(":")
    if not host or not port.isdigit():
        return  # ``auto``, or a form Ray parses itself
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
            pass
    except OSError as error:
        raise NeuralError(
            f"nothing answers at --address {address} ({error.strerror or error}): start the head there with "
            "ray start --head (see the README), or leave out --address to run on this machine"
        ) from error


def _host(address: str | None) -> str:
    """The host part of ``HOST:PORT`` or ``ray://HOST:PORT`` (empty for ``auto``)."""
    if not address or address == "auto":
        return ""
    rest = address.split("://", 1)[-1]
    return rest.rsplit(":", 1)[0] if ":" in rest else rest


def _first_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__
