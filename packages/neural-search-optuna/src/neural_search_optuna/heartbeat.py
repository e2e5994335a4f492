"""A background thread that keeps the heartbeat of a process's open trials.

A persistent study learns that a process died mid-trial from a heartbeat that
stopped: every open trial gets one beat when it is asked for, then one every
``interval`` seconds until it is told. What a beat writes depends on the
storage (see :mod:`neural_search_optuna.storage`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class HeartbeatThread:
    """Beats every registered trial id every ``interval`` seconds.

    Created once per searcher; :meth:`add` is called after ``ask``, :meth:`remove`
    after ``tell``, :meth:`stop` from ``close``. A beat that fails (the trial was
    finished meanwhile, a database hiccup) is skipped: the next one retries.
    """

    def __init__(self, beat: Callable[[int], None], interval: float) -> None:
        self._beat = beat
        self._interval = interval
        self._trial_ids: set[int] = set()
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, trial_id: int) -> None:
        """Beat ``trial_id`` now and keep beating it until :meth:`remove`."""
        self._beat(trial_id)
        with self._lock:
            self._trial_ids.add(trial_id)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="neural-optuna-heartbeat", daemon=True)
                self._thread.start()

    def remove(self, trial_id: int) -> None:
        """Stop beating ``trial_id`` (it has been told)."""
        with self._lock:
            self._trial_ids.discard(trial_id)

    def stop(self) -> None:
        """End the thread; called once when the search ends."""
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout=self._interval + 5)

    def _run(self) -> None:
        while not self._stopped.wait(self._interval):
            with self._lock:
                trial_ids = sorted(self._trial_ids)
            for trial_id in trial_ids:
                try:
                    self._beat(trial_id)
                except Exception:  # a missed beat (trial finished meanwhile, database hiccup) is retried
                    continue
