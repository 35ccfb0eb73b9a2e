"""OrderedPipeline against Haystack's own Pipeline.run: the same outputs, errors and traces."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from haystack import Pipeline, component, tracing
from haystack.core.errors import PipelineRuntimeError
from haystack.tracing.tracer import Span, Tracer

from laborlex_core.ordered_pipeline import OrderedPipeline


@component
class Add:
    """value + amount; ``extra`` is an output no receiver has to take."""

    def __init__(self, amount: int = 1) -> None:
        self.amount = amount

    @component.output_types(value=int, extra=str)
    def run(self, value: int, label: str = "") -> dict[str, Any]:
        return {"value": value + self.amount, "extra": f"{label}{value}"}


@component
class Sum:
    @component.output_types(total=int)
    def run(self, left: int, right: int = 0) -> dict[str, int]:
        return {"total": left + right}


@component
class Countdown:
    """Counts down through a relay and back: a graph with a cycle."""

    @component.output_types(again=int, done=int)
    def run(self, start: int | None = None, again: int | None = None) -> dict[str, int]:
        value = start if again is None else again
        return {"again": value - 1} if value > 0 else {"done": value}


@component
class Silent:
    """Gives no output for ``value`` when asked to (as a router does)."""

    @component.output_types(value=int)
    def run(self, value: int, quiet: bool = False) -> dict[str, int]:
        return {} if quiet else {"value": value}


@component
class Fails:
    @component.output_types(value=int)
    def run(self, value: int) -> dict[str, int]:
        raise RuntimeError(f"cannot take {value}")


@component
class NotAMapping:
    @component.output_types(value=int)
    def run(self, value: int) -> Any:
        return [value]


def chain(cls: type[Pipeline]) -> Pipeline:
    pipeline = cls()
    pipeline.add_component("first", Add(1))
    pipeline.add_component("second", Add(10))
    pipeline.connect("first.value", "second.value")
    return pipeline


def diamond(cls: type[Pipeline]) -> Pipeline:
    pipeline = cls()
    pipeline.add_component("start", Add(1))
    pipeline.add_component("left", Add(10))
    pipeline.add_component("right", Add(100))
    pipeline.add_component("sum", Sum())
    pipeline.connect("start.value", "left.value")
    pipeline.connect("start.value", "right.value")
    pipeline.connect("left.value", "sum.left")
    pipeline.connect("right.value", "sum.right")
    return pipeline


def gated(cls: type[Pipeline]) -> Pipeline:
    pipeline = cls()
    pipeline.add_component("gate", Silent())
    pipeline.add_component("after", Add(5))
    pipeline.connect("gate.value", "after.value")
    return pipeline


def looped(cls: type[Pipeline]) -> Pipeline:
    pipeline = cls()
    pipeline.add_component("loop", Countdown())
    pipeline.add_component("relay", Silent())
    pipeline.connect("loop.again", "relay.value")
    pipeline.connect("relay.value", "loop.again")
    return pipeline


CASES: list[tuple[str, Callable[[type[Pipeline]], Pipeline], dict[str, Any], set[str] | None]] = [
    ("a chain", chain, {"first": {"value": 1, "label": "x"}}, None),
    ("a chain, the first one's outputs too", chain, {"first": {"value": 1}}, {"first"}),
    ("a diamond", diamond, {"start": {"value": 0}}, None),
    ("a diamond, every output", diamond, {"start": {"value": 0}, "right": {"label": "r"}}, {"start", "left", "right", "sum"}),
    ("an output given", gated, {"gate": {"value": 3}}, None),
    ("an output withheld: its receiver does not run", gated, {"gate": {"value": 3, "quiet": True}}, None),
    ("a loop: Haystack's own run", looped, {"loop": {"start": 3}}, None),
    ("inputs by socket name alone: Haystack's own run", chain, {"value": 1, "label": "x"}, None),
]


@pytest.mark.parametrize(("build", "data", "include"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_outputs_equal_haystacks(build: Callable[[type[Pipeline]], Pipeline], data: dict[str, Any], include: set[str] | None) -> None:
    assert build(OrderedPipeline).run(data, include) == build(Pipeline).run(data, include)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"nowhere": {"value": 1}}, "Component named 'nowhere' not found"),
        ({"first": {"value": 1, "size": 2}}, "Input 'size' not found in component 'first'"),
        ({"first": {"label": "x"}}, "Missing mandatory input 'value' for component 'first'"),
        ({"first": {"value": 1}, "second": {"value": 2}}, "'value' of component 'second' is connected"),
    ],
)
def test_bad_inputs_are_refused_by_name(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        chain(OrderedPipeline).run(data)


@pytest.mark.parametrize(("failing", "message"), [(Fails(), "cannot take 1"), (NotAMapping(), "")])
def test_a_failing_component_is_named_as_haystack_names_it(failing: Any, message: str) -> None:
    pipeline = OrderedPipeline()
    pipeline.add_component("broken", failing)
    with pytest.raises(PipelineRuntimeError, match="broken") as raised:
        pipeline.run({"broken": {"value": 1}})
    assert message in str(raised.value.__cause__ or raised.value)


def test_a_changed_graph_is_ordered_again() -> None:
    pipeline = chain(OrderedPipeline)
    assert pipeline.run({"first": {"value": 1}}) == {"first": {"extra": "1"}, "second": {"value": 12, "extra": "2"}}
    pipeline.remove_component("second")
    pipeline.add_component("second", Add(100))
    pipeline.connect("first.value", "second.value")
    assert pipeline.run({"first": {"value": 1}})["second"]["value"] == 102


def test_a_component_is_warmed_once_the_order_is_planned() -> None:
    @component
    class Warm:
        def __init__(self) -> None:
            self.warmed = 0

        def warm_up(self) -> None:
            self.warmed += 1

        @component.output_types(value=int)
        def run(self, value: int) -> dict[str, int]:
            assert self.warmed, "run before warm_up"
            return {"value": value}

    pipeline, warm = OrderedPipeline(), Warm()
    pipeline.add_component("warm", warm)
    for _ in range(3):
        pipeline.run({"warm": {"value": 1}})
    assert warm.warmed == 1


class _Names(Tracer):
    def __init__(self) -> None:
        self.runs: list[tuple[str, str | None]] = []

    @contextlib.contextmanager
    def trace(self, operation_name: str, tags: dict[str, Any] | None = None, parent_span: Span | None = None) -> Iterator[Span]:
        self.runs.append((operation_name, (tags or {}).get("haystack.component.name")))

        class _Quiet(Span):
            def set_tag(self, key: str, value: Any) -> None:
                return None

        yield _Quiet()

    def current_span(self) -> Span | None:
        return None


def test_each_component_run_is_traced_by_name_as_haystack_traces_it() -> None:
    names = _Names()
    tracing.enable_tracing(names)
    try:
        diamond(OrderedPipeline).run({"start": {"value": 0}})
    finally:
        tracing.disable_tracing()
    components = [name for operation, name in names.runs if operation == "haystack.component.run"]
    assert names.runs[0][0] == "haystack.pipeline.run"
    assert sorted(components) == ["left", "right", "start", "sum"]
    assert components[0] == "start" and components[-1] == "sum"


def test_serialized_and_restored_it_is_still_ordered() -> None:
    restored = OrderedPipeline.from_dict(diamond(OrderedPipeline).to_dict(), allowed_modules=[__name__])
    assert isinstance(restored, OrderedPipeline)
    assert restored.run({"start": {"value": 0}}) == diamond(Pipeline).run({"start": {"value": 0}})
