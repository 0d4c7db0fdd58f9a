"""Loading a notebook's definitions into a worker, one at a time, skipping any that ends or hangs it.

A definition can end its worker (``os._exit`` at the top of a cell) or hang it (an endless loop outside
any function); the worker announces each one before it runs it, so the grader knows which did, skips
it in every later worker of the run (its names raise NameError when called) and loads the rest again.
This module decides what to send and reads the worker's load report; talking to the worker and
restarting it are the life cycle's (:class:`grader.sandbox.process.Worker`, seen here as a
:class:`Conversation`).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping
from typing import Any, Protocol

from grader.sandbox.failures import (
    LOADING_DEFINITIONS,
    BudgetExhausted,
    IsolationFailure,
    What,
    Wording,
    WorkerDied,
    WorkerFailure,
    WorkerTimeout,
    defining,
)

MAX_SKIPPED_DEFINITIONS = 4  # definitions that end or hang the worker, skipped before giving up

Snippet = Mapping[str, Any]  # one extracted definition as plain data (grader.pipeline.extract.Snippet.to_data)
Reply = dict[str, object]  # a decoded reply: the worker chose every value in it, so each is checked


class Conversation(Protocol):
    """What loading needs of a worker: requests with a time limit, the next reply, and the run's skip list."""

    @property
    def skipped(self) -> dict[str, str]: ...  # snippet key -> why it was skipped, shared by the run's workers

    def exchange(self, request: dict[str, object], seconds: float, what: What) -> Reply: ...

    def next_reply(self, deadline: float, what: What) -> Reply: ...


def snippet_key(snippet: Snippet) -> str:
    """A stable key for one extracted definition."""
    text = f"{snippet.get('cell')}:{snippet.get('line')}:{snippet.get('source')}"
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()


class _SkipDefinition(Exception):
    def __init__(self, key: str, reason: str) -> None:
        super().__init__(reason)
        self.key = key
        self.reason = reason


def load(
    worker: Conversation,
    load_seconds: float,
    snippets: list[Snippet],
    substitute_source: str,
    substitute_names: list[str],
) -> dict[str, list[Any]]:
    """Send the student's definitions one at a time, then the trusted substitutes; returns the load report.

    A definition that ends or hangs the worker is skipped by every later worker of this run (the worker
    restarts at the next request), and its names raise NameError when called.
    """
    for _ in range(MAX_SKIPPED_DEFINITIONS + 1):
        try:
            return _load_once(worker, load_seconds, snippets, substitute_source, substitute_names)
        except _SkipDefinition as skip:
            worker.skipped[skip.key] = skip.reason
    raise WorkerFailure(Wording.KEPT_ENDING)


def _load_once(
    worker: Conversation,
    load_seconds: float,
    snippets: list[Snippet],
    substitute_source: str,
    substitute_names: list[str],
) -> dict[str, list[Any]]:
    deadline = time.monotonic() + load_seconds
    problems: dict[int, dict[str, object]] = {}
    skipped: dict[str, str] = {}
    sent: list[int] = []  # positions in ``snippets`` of what the worker runs, in order
    for position, snippet in enumerate(snippets):
        names = [str(name) for name in snippet.get("names", [])]
        key = snippet_key(snippet)
        if key in worker.skipped:
            problems[position] = _problem(snippet, "skipped", worker.skipped[key])
            reason = (
                f"defining it in cell {snippet.get('cell')} ended or hung the worker process, so it "
                "was skipped (see the notebook problems)"
            )
            skipped.update(dict.fromkeys(names, reason))
        else:
            for name in names:
                skipped.pop(name, None)  # a later definition wins
            sent.append(position)
    if sent:
        reply = _define(worker, load_seconds, [snippets[p] for p in sent], deadline)
        reported = reply.get("problems")
        for item in reported if type(reported) is list else []:
            if type(item) is list and len(item) == 2 and type(item[0]) is int and 0 <= item[0] < len(sent):
                error = item[1].get("error") if type(item[1]) is dict else None
                error = error if type(error) is dict else {}
                problems[sent[item[0]]] = _problem(
                    snippets[sent[item[0]]],
                    str(error.get("type", "Exception"))[:100],
                    str(error.get("message", ""))[:500],
                )
    request: dict[str, object] = {
        "op": "finish",
        "skipped": sorted(skipped.items()),
        "substitute_source": substitute_source,
        "substitute_names": substitute_names,
    }
    reply = worker.exchange(request, max(deadline - time.monotonic(), 1.0), LOADING_DEFINITIONS)
    defined = reply.get("names")
    return {
        "problems": [problems[p] for p in sorted(problems)],
        "names": [str(n) for n in defined] if type(defined) is list else [],
    }


def _define(worker: Conversation, load_seconds: float, snippets: list[Snippet], deadline: float) -> Reply:
    """Run the snippets; the worker announces each one, so one that ends or hangs it is known and skipped."""
    running: int | None = None
    what: What = LOADING_DEFINITIONS
    try:
        reply = worker.exchange({"op": "define", "snippets": snippets}, deadline - time.monotonic(), what)
        while set(reply) == {"progress"}:
            progress = reply["progress"]
            running = progress if type(progress) is int else None
            if running is not None and 0 <= running < len(snippets):
                what = defining([str(n) for n in snippets[running].get("names", [])])
            reply = worker.next_reply(deadline, what)
        return reply
    except (IsolationFailure, BudgetExhausted):
        raise
    except (WorkerDied, WorkerTimeout) as failure:
        if running is None or not 0 <= running < len(snippets):
            raise
        if isinstance(failure, WorkerTimeout) and failure.wording is Wording.RAN_OUT:  # the limit was the load's
            failure = WorkerTimeout(Wording.RAN_PAST, what=what, seconds=load_seconds)
        raise _SkipDefinition(
            snippet_key(snippets[running]), f"{failure}; the grader skipped this definition"
        ) from None


def _problem(snippet: Snippet, kind: str, message: str) -> dict[str, object]:
    """A load problem built from the trusted snippet; only the error text comes from the worker."""
    return {
        "cell": snippet.get("cell"),
        "line": snippet.get("line"),
        "kind": snippet.get("kind"),
        "names": [str(name) for name in snippet.get("names", [])],
        "error": {"type": kind, "message": message, "where": []},
    }
