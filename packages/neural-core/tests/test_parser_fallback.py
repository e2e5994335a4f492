"""The parser's use of lark's private parse table is bounded: neural-core caps lark below its next
minor version, and without the private attributes the parse falls back to lark's own parser with
the same IR builder, giving the same IR and the same errors."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import lark
import pytest

from neural.errors import DiagnosticsError
from neural.lang import ir, parser

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = sorted((ROOT / "examples").glob("*.neural"))
BROKEN = [
    'network N {\n  layers:\n    Dense(64 "relu")\n}\n',
    "network N {\n  layers:\n    Dense(@64)\n}\n",
    "network N {\n  layers:\n    Dense(64)\n",
    'network N {\n  loss: "mse\n}\n',
]


def test_lark_is_capped_below_its_next_minor_version() -> None:
    meta = tomllib.loads((ROOT / "packages" / "neural-core" / "pyproject.toml").read_text())
    (spec,) = [dep for dep in meta["project"]["dependencies"] if dep.startswith("lark")]
    upper = re.search(r"<\s*(\d+)\.(\d+)", spec)
    assert upper, spec
    major, minor = (int(part) for part in lark.__version__.split(".")[:2])
    assert (int(upper.group(1)), int(upper.group(2))) == (major, minor + 1)


def test_the_fallback_gives_the_same_ir_and_errors_as_the_fast_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    sources = [path.read_text(encoding="utf-8") for path in EXAMPLES]
    parser._grammar.cache_clear()
    assert parser._grammar().lalr is not None
    fast_ir = [ir.to_json_data(parser.parse(source)) for source in sources]
    fast_errors = [error_text(source) for source in BROKEN]

    original = lark.Lark.__init__

    def init(self: lark.Lark, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)  # type: ignore[arg-type]
        del self._callbacks

    monkeypatch.setattr(lark.Lark, "__init__", init)
    parser._grammar.cache_clear()
    parser._lark_fallback.cache_clear()
    try:
        assert parser._grammar().lalr is None  # the fallback is in use
        assert [ir.to_json_data(parser.parse(source)) for source in sources] == fast_ir
        assert [error_text(source) for source in BROKEN] == fast_errors
    finally:
        monkeypatch.undo()
        parser._grammar.cache_clear()
        parser._lark_fallback.cache_clear()


def error_text(source: str) -> str:
    with pytest.raises(DiagnosticsError) as raised:
        parser.parse(source, "broken.neural")
    return str(raised.value)
