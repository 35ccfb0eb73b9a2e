"""A Haystack pipeline without loops, run in one topological order worked out once.

Haystack's ``Pipeline.run`` schedules components for any graph, loops included: before each
component it recomputes every waiting component's priority, and it deep-copies every input
value (a ``typing.Protocol`` check per value on Python 3.11). For a search at 100k passages
on 2 cores that was 2.8 of 11.1 ms (the same components called in order by hand: 8.3 ms,
the same results; README *Issue 11, sixteenth stop*).

The query pipelines are small acyclic graphs whose components never mutate what they receive
(``search_api.handoff``), so :class:`OrderedPipeline` keeps everything Haystack's pipeline
is (components added and connected, the connections type-checked, ``to_dict`` /
``from_dict``, drawing) and runs it in an order fixed when first run after a change:

* a component runs when every mandatory input socket has a value, from the caller or from a
  sender that ran before it (a component skipped for a missing input skips its receivers:
  Haystack's rule for a component never unblocked);
* its outputs go to its receivers as they are, not copied;
* the results are, as Haystack's, each component's outputs that no receiver takes, and every
  output of the components in ``include_outputs_from``;
* each component's run is traced as Haystack traces it (``haystack.component.run`` with the
  component's name), so the API's per-component timing (``search_api.timing``) is unchanged.

A graph with a loop, a variadic socket or a connection that converts types, inputs in
Haystack's flat form (or naming a component the pipeline lacks: Haystack says so), or a
breakpoint or snapshot argument is run by Haystack's own ``run``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx
from haystack import Pipeline, tracing
from haystack.core.errors import PipelineRuntimeError


@dataclass(frozen=True, slots=True)
class _Step:
    """One component's place in the order: where each connected input comes from, what it
    must receive to run, and which of its outputs a receiver takes."""

    name: str
    instance: Any
    sockets: frozenset[str]  # every input socket's name
    mandatory: frozenset[str]
    senders: tuple[tuple[str, str, str], ...]  # (input socket, sender, sender's output socket)
    connected: frozenset[str]  # input sockets a sender feeds
    from_caller: frozenset[str]  # mandatory input sockets no sender feeds: the caller gives them
    sent: frozenset[str]  # outputs connected to a receiver


class OrderedPipeline(Pipeline):
    """A ``haystack.Pipeline`` run in topological order (see the module's docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._steps: tuple[_Step, ...] | None = None
        self._named: dict[str, _Step] = {}

    # ---- any change to the graph plans the order again ----------------------------------------

    def add_component(self, name: str, instance: Any) -> None:
        self._steps = None
        super().add_component(name, instance)

    def remove_component(self, name: str) -> Any:
        self._steps = None
        return super().remove_component(name)

    def connect(self, sender: str, receiver: str) -> Any:
        self._steps = None
        return super().connect(sender, receiver)

    # ---- running ----------------------------------------------------------------------------

    def run(self, data: dict[str, Any], include_outputs_from: set[str] | None = None, **haystack_only: Any) -> dict[str, Any]:
        steps = None if any(v is not None for v in haystack_only.values()) else self._planned()
        if steps is None or not all(name in self._named and isinstance(v, Mapping) for name, v in data.items()):
            return super().run(data, include_outputs_from, **haystack_only)  # also says what is wrong with the input
        self._check(data)
        wanted = include_outputs_from or set()
        produced: dict[str, Mapping[str, Any]] = {}
        results: dict[str, Any] = {}
        with tracing.tracer.trace("haystack.pipeline.run", tags={"haystack.pipeline.execution_mode": "ordered"}) as span:
            for step in steps:
                inputs = _inputs(step, data.get(step.name, {}), produced)
                if inputs is None:
                    continue  # a mandatory input never came: not run, as Haystack leaves it
                produced[step.name] = outputs = _run(step, inputs, span)
                kept = dict(outputs) if step.name in wanted else {k: v for k, v in outputs.items() if k not in step.sent}
                if kept or step.name in wanted:
                    results[step.name] = kept
        return results

    def _planned(self) -> tuple[_Step, ...] | None:
        """The order and the wiring, worked out after each change of the graph; None where
        Haystack's own run is needed (a loop, a variadic socket, a connection converting types)."""
        if self._steps is None:
            graph = self.graph
            if (
                not nx.is_directed_acyclic_graph(graph)
                or any(d.get("conversion_strategy") for *_, d in graph.edges(data=True))
                or any(s.is_variadic for n in graph.nodes for s in graph.nodes[n]["instance"].__haystack_input__._sockets_dict.values())
            ):
                return None
            self.warm_up()  # Haystack warms every component on each run; they are warm from here on
            steps = tuple(_step(graph, name) for name in nx.lexicographical_topological_sort(graph))
            self._named = {step.name: step for step in steps}
            self._steps = steps
        return self._steps

    def _check(self, data: Mapping[str, Mapping[str, Any]]) -> None:
        """Haystack's input checks on the components ``data`` names (every one is in the
        pipeline): each socket named exists and no sender feeds it too, and every mandatory
        input no sender feeds is given."""
        for name, values in data.items():
            step = self._named[name]
            for socket in values:
                if socket not in step.sockets:
                    raise ValueError(f"Input '{socket}' not found in component '{name}'.")
                if socket in step.connected:
                    raise ValueError(f"Input '{socket}' of component '{name}' is connected to another component's output.")
        for step in self._named.values():
            for socket in step.from_caller:
                if socket not in data.get(step.name, {}):
                    raise ValueError(f"Missing mandatory input '{socket}' for component '{step.name}'.")


def _step(graph: nx.MultiDiGraph, name: str) -> _Step:
    instance = graph.nodes[name]["instance"]
    sockets = instance.__haystack_input__._sockets_dict
    senders = tuple(sorted((edge["to_socket"].name, sender, edge["from_socket"].name) for sender, _, edge in graph.in_edges(name, data=True)))
    sent = frozenset(edge["from_socket"].name for *_, edge in graph.out_edges(name, data=True))
    mandatory = frozenset(s for s, socket in sockets.items() if socket.is_mandatory)
    connected = frozenset(socket for socket, _, _ in senders)
    return _Step(name, instance, frozenset(sockets), mandatory, senders, connected, mandatory - connected, sent)


def _inputs(step: _Step, given: Mapping[str, Any], produced: Mapping[str, Mapping[str, Any]]) -> dict[str, Any] | None:
    """The component's keyword arguments: the caller's, then what its senders produced; None
    where a mandatory socket has no value."""
    inputs = dict(given)
    for socket, sender, output in step.senders:
        sent = produced.get(sender, {})
        if output in sent:
            inputs[socket] = sent[output]
    return inputs if step.mandatory.issubset(inputs) else None


def _run(step: _Step, inputs: dict[str, Any], parent: Any) -> Mapping[str, Any]:
    tags = {"haystack.component.name": step.name, "haystack.component.type": type(step.instance).__name__}
    with tracing.tracer.trace("haystack.component.run", tags=tags, parent_span=parent):
        try:
            outputs = step.instance.run(**inputs)
        except PipelineRuntimeError:
            raise
        except Exception as error:
            raise PipelineRuntimeError.from_exception(step.name, step.instance.__class__, error) from error
    if not isinstance(outputs, Mapping):
        raise PipelineRuntimeError.from_invalid_output(step.name, step.instance.__class__, outputs)
    return outputs
