"""The IR round-trips through JSON (``to_json_data`` / ``from_json_data``), spans included."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from neural.errors import NO_SPAN, Span
from neural.lang import ir
from neural.lang.parser import parse, parse_file

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = sorted((ROOT / "examples").glob("*.neural"))


def all_spans(node: object) -> list[Span]:
    """Every span of every node under ``node``, in a fixed order."""
    spans: list[Span] = []
    if isinstance(node, Span):
        return [node]
    if isinstance(node, tuple):
        for item in node:
            spans.extend(all_spans(item))
        return spans
    for name in getattr(node, "__dataclass_fields__", {}):
        spans.extend(all_spans(getattr(node, name)))
    return spans


def round_trip(node: object) -> object:
    return ir.from_json_data(json.loads(json.dumps(ir.to_json_data(node))))


@pytest.mark.parametrize("path", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_every_example_round_trips_to_an_equal_ir_with_equal_spans(path: Path) -> None:
    network = parse_file(path)
    back = round_trip(network)
    assert isinstance(back, ir.Network)
    assert back == network
    spans = all_spans(network)
    assert all_spans(back) == spans
    assert len(spans) > 20
    unrepeated = sum(1 for layer in network.layers or () if layer.repeat == 1)
    assert spans.count(NO_SPAN) == unrepeated  # only the repeat_span of a layer without `* N`


def test_round_trip_keeps_python_types_of_literals_and_containers() -> None:
    network = parse(
        "network N {\n"
        "  input: (8,)\n"
        '  train { a: 1, b: 1.0, c: true, d: none, e: "1", f: [1, (2,)], g: {"k": [ ]}, h: HPO(choice(1, 2)) }\n'
        "}\n"
    )
    back = round_trip(network)
    assert isinstance(back, ir.Network) and back.train is not None and network.train is not None
    for original, restored in zip(network.train, back.train, strict=True):
        assert restored == original
        if isinstance(original.value, ir.Literal):
            assert type(restored.value.value) is type(original.value.value)  # type: ignore[union-attr]
    assert isinstance(back.train[5].value, ir.ListValue)
    assert isinstance(back.train[5].value.items[1], ir.TupleValue)


def test_absent_sections_and_built_nodes_round_trip() -> None:
    bare = parse("network Bare {}")
    assert round_trip(bare) == bare
    built = ir.Layer("Dense", (ir.Literal(3),), ())
    restored = round_trip(built)
    assert isinstance(restored, ir.Layer)
    assert restored == built and restored.span == NO_SPAN


def test_the_json_is_plain_data() -> None:
    data = ir.to_json_data(parse_file(ROOT / "examples" / "custom_conv.neural"))
    assert json.loads(json.dumps(data, allow_nan=False)) == data
    assert data["node"] == "Network" and data["span"]["line"] == 2
