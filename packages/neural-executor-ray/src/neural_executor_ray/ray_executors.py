"""``--executor ray``: what ``neural_register_executors`` provides (see :mod:`neural.search.executor`).

Light to import: Ray is imported by :meth:`RayExecutors.open`, when a search
with ``--executor ray`` starts. Each trial reserves ``--cpus-per-trial`` CPUs
(default 1; also its framework threads) and ``--gpus-per-trial`` GPUs
(default 0); ``--parallel N`` caps the trials at once, ``auto`` (the default)
runs as many as the cluster's live nodes hold.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from neural.errors import NeuralError
from neural.search.defaults import AUTO
from neural.search.executor import Executor, ExecutorPlugin, ExecutorSettings

if TYPE_CHECKING:
    from rich.console import Console

    from neural.backends.base import Backend, TrainData
    from neural.model import ConcreteModel
    from neural_executor_ray.cluster import Cluster


class RayExecutors(ExecutorPlugin):
    """Trials as Ray actors, on a private instance on this machine or on the cluster at ``--address``."""

    name: ClassVar[str] = "ray"
    summary: ClassVar[str] = "trials on a Ray cluster (--address, --cpus-per-trial, --gpus-per-trial)"

    def __init__(self, settings: ExecutorSettings, console: Console) -> None:
        super().__init__(settings, console)
        self.cpus = settings.cpus_per_trial or 1
        self.gpus = settings.gpus_per_trial or 0.0
        self.cluster: Cluster | None = None
        self.slots = 1
        self.fit = 1

    def open(self, n_trials: int) -> int:
        from neural.search.workers import available_cores
        from neural_executor_ray.cluster import connect

        self.cluster = cluster = connect(self.settings.address, available_cores())
        fit = cluster.trials_that_fit(self.cpus, self.gpus)
        if fit < 1:
            nodes = "; ".join(f"{cpus:g} CPU(s), {gpus:g} GPU(s)" for cpus, gpus in cluster.nodes) or "none alive"
            raise NeuralError(
                f"no node of {cluster.where} has {self.cpus:g} CPU(s) and {self.gpus:g} GPU(s) for one trial "
                f"(its nodes: {nodes}); lower --cpus-per-trial or --gpus-per-trial, or add a node"
            )
        wanted = fit if self.settings.parallel == AUTO else int(self.settings.parallel)
        self.fit = fit
        # More actors than the cluster holds would only wait for resources: capped, and said so.
        self.slots = max(1, min(wanted, fit, n_trials))
        return self.slots

    def header_lines(self) -> list[str]:
        cluster = self.cluster
        assert cluster is not None
        auth = "token authentication on" if cluster.token_auth else "token authentication OFF (RAY_AUTH_MODE)"
        lines = [
            f"ray: {cluster.where} ({len(cluster.nodes)} node(s), {cluster.cpus:g} CPU(s), {cluster.gpus:g} GPU(s); "
            f"{auth}); {self.slots} trial(s) at once, each {self.cpus:g} CPU(s) and {self.gpus:g} GPU(s)"
            + ("" if self.settings.parallel != AUTO else " (--parallel N caps it)")
        ]
        if self.settings.parallel != AUTO and int(self.settings.parallel) > self.fit:
            lines.append(
                f"note: --parallel {self.settings.parallel} is more trials than the cluster holds at once "
                f"({self.fit}); running {self.slots}"
            )
        if self.settings.retries:
            lines.append(f"ray: a trial whose worker or node dies runs again, up to {self.settings.retries} time(s)")
        return lines

    def start(self, backend: Backend, data: TrainData, model: ConcreteModel) -> Executor:
        from neural_executor_ray.executor import RayExecutor

        return RayExecutor(
            backend,
            data,
            slots=self.slots,
            cpus=self.cpus,
            gpus=self.gpus,
            threads=self.trial_threads(),
            retries=self.settings.retries,
        )

    def trial_threads(self) -> int | None:
        return int(self.cpus)

    def close(self) -> None:
        from neural_executor_ray.cluster import disconnect

        disconnect(self.cluster)
