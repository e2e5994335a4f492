"""The fuzzer is the judge (issue 11): mutated files end in a project error or work, in budget.

A few thousand inputs mutated from ``examples/`` and the regression fixtures
(``fuzz_cases/``) go through what ``neural check`` and ``neural compile`` do
(:func:`neural.testing.fuzz.judge`): any exception that is not a
:class:`~neural.errors.NeuralError`, any check over its CPU budget (a fixed
allowance plus a cost per character) and any traced memory peak over its
budget fails the test, naming the input's stream index so
``neural.testing.fuzz.mutant(corpus, SEED, index)`` reproduces it.
``bench/fuzz.py --n 100000`` runs the same judge at scale.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from neural.testing.fuzz import FOREIGN, MEMORY, OK, SLOW, USER_ERROR, judge, mutant, weighted_corpus

ROOT = Path(__file__).resolve().parents[3]
CASES = Path(__file__).parent / "fuzz_cases"
SEED = 11
CHUNKS = 8
PER_CHUNK = 500


@pytest.fixture(scope="module")
def corpus() -> list[str]:
    return weighted_corpus([ROOT / "examples"], [CASES])


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_mutated_files_end_in_a_project_error_or_work_within_time_and_memory(
    corpus: list[str], chunk: int
) -> None:
    bad = []
    kinds: dict[str, int] = {}
    for index in range(chunk * PER_CHUNK, (chunk + 1) * PER_CHUNK):
        verdict = judge(mutant(corpus, SEED, index), trace_memory=index % 10 == 0)
        kinds[verdict.kind] = kinds.get(verdict.kind, 0) + 1
        if verdict.kind in (FOREIGN, SLOW, MEMORY):
            bad.append(f"input {index}: {verdict.kind}: {verdict.detail}")
    assert not bad, "\n".join(bad[:10])
    assert kinds.get(OK, 0) > 0 and kinds.get(USER_ERROR, 0) > 0  # the stream holds both kinds


def _expectation(path: Path) -> str | None:
    first = path.read_text(encoding="utf-8").split("\n", 1)[0]
    return first.removeprefix("# expect: ") if first.startswith("# expect: ") else None


@pytest.mark.parametrize("case", sorted(CASES.glob("*.neural")), ids=lambda path: path.stem)
def test_every_found_input_is_a_regression_fixture_that_stays_fixed(case: Path) -> None:
    verdict = judge(case.read_text(encoding="utf-8"))
    assert verdict.kind in (OK, USER_ERROR), verdict.detail
    expected = _expectation(case)
    if expected == "ok":
        assert verdict.kind == OK, verdict.detail
    elif expected is not None:
        assert verdict.kind == USER_ERROR and expected in verdict.detail, verdict.detail


def test_the_judge_catches_a_foreign_exception_and_a_slow_check(monkeypatch: pytest.MonkeyPatch) -> None:
    import neural.testing.fuzz as fuzz

    def boom(source: str, filename: str = "") -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(fuzz, "exercise", boom)
    assert judge("x").kind == FOREIGN
    monkeypatch.setattr(fuzz, "BASE_SECONDS", 0.05)

    def spin(source: str, filename: str = "") -> None:
        while True:
            pass

    monkeypatch.setattr(fuzz, "exercise", spin)
    assert judge("x").kind == SLOW
