"""Seeds derived from the study seed: one per trial, stable across runs and machines.

Called by the trial runner (the seed a trial trains with) and by the built-in
random searcher (the random stream a trial's point is drawn from). Python's
``hash`` is salted per process, so a SHA-256 digest is used instead: a resumed
study, a worker process and an uninterrupted run all derive the same numbers.
"""

from __future__ import annotations

import hashlib

_SEED_BITS = 31


def derive_seed(study_seed: int, trial_number: int, purpose: str = "train") -> int:
    """Return a non-negative 31-bit seed for ``purpose`` of trial ``trial_number``.

    ``purpose`` separates independent streams of one trial (``"train"`` for the
    backend, ``"sample"`` for the random searcher), so they are not correlated.
    """
    text = f"neural:{purpose}:{int(study_seed)}:{int(trial_number)}".encode()
    digest = hashlib.sha256(text).digest()
    return int.from_bytes(digest[:8], "big") % (1 << _SEED_BITS)


def trial_seed(study_seed: int, trial_number: int) -> int:
    """The seed the backend trains trial ``trial_number`` with."""
    return derive_seed(study_seed, trial_number, "train")
