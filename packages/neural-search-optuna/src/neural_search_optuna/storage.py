"""Where a study lives, and how processes sharing it stay consistent.

``--storage`` takes:

- nothing: an in-memory study (one process; ``--resume`` replays the results file);
- ``PATH.log``, ``PATH.journal`` or ``journal:PATH``: an Optuna journal file, the
  default for a persistent study (works on NFS, no server);
- any other URL Optuna accepts: a database (``sqlite:///study.db``,
  ``postgresql://user:pass@host/db``).

Processes that share a study coordinate in two ways:

- **The budget.** Counting the study's trials and asking for a new one happen
  under :meth:`StudyStorage.budget_lock`, a lock all processes see (``flock`` on
  the journal file or on ``DATABASE.neural-lock`` beside an SQLite file, a
  PostgreSQL advisory lock on the study name), so N processes together never
  start more than the budget.
- **Dead processes.** Each open trial has a heartbeat (:mod:`.heartbeat`). On a
  database the beat is Optuna's own (``RDBStorage(heartbeat_interval=,
  grace_period=)``, server time). Optuna 5's journal storage has no heartbeat, so
  a beat there is a ``neural:heartbeat`` timestamp system attribute. A RUNNING
  trial whose last beat is older than the grace period is marked FAILED by
  :meth:`StudyStorage.fail_stale_trials`, which runs before every count.
"""

from __future__ import annotations

import hashlib
import os
import random
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from neural.errors import NeuralError

if TYPE_CHECKING:
    import optuna
    from optuna.storages import BaseStorage

MEMORY = "memory"
JOURNAL = "journal"
DATABASE = "database"

HEARTBEAT_ATTR = "neural:heartbeat"
ERROR_ATTR = "neural:error"
DEFAULT_HEARTBEAT_INTERVAL = 10
DEFAULT_GRACE_PERIOD = 60
OPEN_ATTEMPTS = 3

STORAGE_HELP = (
    "use a journal file (study.log, study.journal or journal:PATH) "
    "or a database URL (sqlite:///study.db, postgresql://user:password@host/db)"
)


@dataclass(frozen=True)
class HeartbeatSettings:
    """Seconds between beats, and seconds without a beat after which a trial is failed."""

    interval: int = DEFAULT_HEARTBEAT_INTERVAL
    grace_period: int = DEFAULT_GRACE_PERIOD

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> HeartbeatSettings:
        """Read ``heartbeat_interval`` / ``grace_period`` from ``SearchSettings.options``."""
        interval = int(options.get("heartbeat_interval", DEFAULT_HEARTBEAT_INTERVAL))
        grace = int(options.get("grace_period", max(DEFAULT_GRACE_PERIOD, 2 * interval)))
        if interval <= 0 or grace <= interval:
            raise NeuralError(
                f"heartbeat_interval {interval} and grace_period {grace} are not usable; "
                "use a positive interval and a grace period longer than it"
            )
        return cls(interval, grace)


def storage_kind(url: str | None) -> str:
    """``memory``, ``journal`` or ``database`` for a ``--storage`` value."""
    if not url:
        return MEMORY
    if url.startswith("journal:") or url.endswith((".log", ".journal")):
        return JOURNAL
    if "://" in url:
        return DATABASE
    raise NeuralError(f"storage '{url}' is neither a journal file nor a database URL; {STORAGE_HELP}")


def journal_path(url: str) -> str:
    """The file of a journal storage value (``journal:PATH`` or a ``.log``/``.journal`` path)."""
    path = url[len("journal:") :] if url.startswith("journal:") else url
    if path.startswith("//"):
        path = path[2:]
    return os.path.abspath(os.path.expanduser(path))


def redact(url: str | None) -> str | None:
    """The storage value with any database password hidden (it goes into the results file)."""
    if not url or storage_kind(url) != DATABASE:
        return url
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # unparsable: it fails with its own message when opened
        return url.split("@")[-1]


class StudyStorage:
    """The storage of one study plus its cross-process budget lock and heartbeat.

    Made by :func:`open_storage` when the searcher starts; ``storage`` is what
    ``optuna.create_study`` takes (None: in memory).
    """

    def __init__(self, url: str | None, heartbeat: HeartbeatSettings) -> None:
        self.url = url
        self.kind = storage_kind(url)
        self.heartbeat = heartbeat
        self._thread_lock = threading.Lock()
        self._lock_file: int | None = None
        self._pg_lock: Any = None
        self.storage: BaseStorage | None = None
        if self.kind == JOURNAL:
            assert url is not None
            self.storage = self._open_journal(journal_path(url))
        elif self.kind == DATABASE:
            assert url is not None
            self.storage = self._open_database(url)

    @property
    def persistent(self) -> bool:
        return self.kind != MEMORY

    # ------------------------------------------------------------------ opening

    def _open_journal(self, path: str) -> BaseStorage:
        from optuna.storages import JournalStorage
        from optuna.storages.journal import JournalFileBackend

        folder = os.path.dirname(path)
        if not os.path.isdir(folder):
            raise NeuralError(
                f"the folder of journal file {path} does not exist; create it or use another path"
            )
        storage = JournalStorage(JournalFileBackend(path))
        # Opened for writing: over NFS, flock becomes a POSIX lock, which needs a writable descriptor.
        self._lock_file = os.open(path, os.O_RDWR)
        return storage

    def _open_database(self, url: str) -> BaseStorage:
        from optuna.storages import RDBStorage

        url = with_installed_driver(url)
        for attempt in range(OPEN_ATTEMPTS):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # heartbeat_interval is "experimental" in Optuna 5
                    storage = RDBStorage(
                        url,
                        heartbeat_interval=self.heartbeat.interval,
                        grace_period=self.heartbeat.grace_period,
                    )
                break
            except ImportError as error:
                raise NeuralError(
                    f"storage {redact(url)} needs a database driver that is not installed; "
                    f"pip install {_driver_package(url)}"
                ) from error
            except Exception as error:  # SQLAlchemy raises many kinds; all mean "cannot open"
                # Processes opening a new database together race to create its tables; the loser retries.
                if attempt + 1 < OPEN_ATTEMPTS:
                    time.sleep(0.2 * (attempt + 1) + random.random() * 0.2)
                    continue
                raise NeuralError(
                    f"cannot open storage {redact(url)}: {_first_line(error)}; check the URL and that the "
                    f"database server is running ({STORAGE_HELP})"
                ) from error
        if url.startswith(("sqlite:///", "sqlite+pysqlite:///")):
            database = url.split(":///", 1)[1].split("?", 1)[0]
            if database and database != ":memory:":
                # A sibling file: closing a descriptor of the database itself would drop SQLite's own
                # POSIX locks held by this process.
                self._lock_file = os.open(
                    os.path.abspath(database) + ".neural-lock", os.O_RDWR | os.O_CREAT, 0o644
                )
        elif url.startswith("postgres"):
            self._pg_lock = storage.engine.connect()
        return storage

    # ------------------------------------------------------------------ budget lock

    @contextmanager
    def budget_lock(self, study_name: str) -> Iterator[None]:
        """Hold the lock under which a process counts the study's trials and asks for one.

        Threads of this process exclude each other with a ``threading.Lock``;
        processes with ``flock`` (journal, SQLite) or ``pg_advisory_lock``
        (PostgreSQL). Other databases get only the thread lock; the searcher's
        check of the trial number after ``ask`` still keeps the budget there.
        """
        with self._thread_lock:
            if self._lock_file is not None:
                import fcntl

                fcntl.flock(self._lock_file, fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(self._lock_file, fcntl.LOCK_UN)
            elif self._pg_lock is not None:
                from sqlalchemy import text

                key = _advisory_key(study_name)
                self._pg_lock.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
                try:
                    yield
                finally:
                    self._pg_lock.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                    self._pg_lock.commit()
            else:
                yield

    # ------------------------------------------------------------------ heartbeat

    def beat(self, study: optuna.Study, trial_id: int) -> None:
        """Record that the trial ``trial_id`` is alive (no-op in memory)."""
        if self.kind == DATABASE:
            assert self.storage is not None
            self.storage.record_heartbeat(trial_id)  # type: ignore[attr-defined]
        elif self.kind == JOURNAL:
            study._storage.set_trial_system_attr(trial_id, HEARTBEAT_ATTR, time.time())

    def fail_stale_trials(self, study: optuna.Study) -> None:
        """Mark FAILED every RUNNING trial whose heartbeat is older than the grace period.

        Called before each budget count and when a searcher opens a persistent
        study, so a trial of a killed process is failed and ``--resume`` sees it.
        The failed trial's ``neural:error`` user attribute says why.
        """
        from optuna.exceptions import UpdateFinishedTrialError
        from optuna.trial import TrialState

        for trial_id, silence in self._stale_trials(study):
            try:
                study._storage.set_trial_user_attr(trial_id, ERROR_ATTR, stale_message(silence))
                study._storage.set_trial_state_values(trial_id, state=TrialState.FAIL)
            except UpdateFinishedTrialError:
                continue  # another process finished or failed it first

    def _stale_trials(self, study: optuna.Study) -> list[tuple[int, float]]:
        """``(trial_id, seconds since the last beat)`` of each stale RUNNING trial."""
        if self.kind == DATABASE:
            assert self.storage is not None
            # The database compares with its own clock, so machines' clocks need not agree.
            stale_ids = self.storage._get_stale_trial_ids(study._study_id)  # type: ignore[attr-defined]
            return [(trial_id, float(self.heartbeat.grace_period)) for trial_id in stale_ids]
        if self.kind != JOURNAL:
            return []
        from optuna.trial import TrialState

        now = time.time()
        stale: list[tuple[int, float]] = []
        for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
            last_beat = trial.system_attrs.get(HEARTBEAT_ATTR)
            if last_beat is None and trial.datetime_start is not None:
                last_beat = trial.datetime_start.timestamp()
            if last_beat is not None and now - float(last_beat) > self.heartbeat.grace_period:
                stale.append((trial._trial_id, now - float(last_beat)))
        return stale

    def close(self) -> None:
        """Release the lock handles; called from the searcher's ``close``."""
        if self._lock_file is not None:
            os.close(self._lock_file)
            self._lock_file = None
        if self._pg_lock is not None:
            self._pg_lock.close()
            self._pg_lock = None
        if self.kind == DATABASE and self.storage is not None:
            self.storage.remove_session()


def open_storage(url: str | None, heartbeat: HeartbeatSettings) -> StudyStorage:
    """Open the storage named by ``--storage`` (None: in memory). Raises :class:`NeuralError`."""
    return StudyStorage(url, heartbeat)


def stale_message(seconds: float) -> str:
    """The error text of a trial failed for a lost heartbeat."""
    return f"no heartbeat for over {seconds:.0f}s: the process running this trial stopped (killed or crashed)"


def _advisory_key(study_name: str) -> int:
    digest = hashlib.sha256(f"neural-search-optuna:{study_name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def with_installed_driver(url: str) -> str:
    """``url`` with an explicit PostgreSQL driver when the default one is missing.

    SQLAlchemy 2.1 reads a bare ``postgresql://`` as psycopg 3; many set-ups
    (this project's included) have psycopg2 instead, so use it when it is the one installed.
    """
    import importlib.util

    scheme, _, rest = url.partition("://")
    if (
        scheme in ("postgresql", "postgres")
        and importlib.util.find_spec("psycopg") is None
        and importlib.util.find_spec("psycopg2") is not None
    ):
        return f"postgresql+psycopg2://{rest}"
    return url


def _driver_package(url: str) -> str:
    scheme = url.partition("://")[0]
    if scheme.startswith("postgres"):
        return "psycopg2-binary"
    if scheme.startswith("mysql"):
        return "pymysql (and use mysql+pymysql://)"
    return "the SQLAlchemy driver for " + scheme


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
