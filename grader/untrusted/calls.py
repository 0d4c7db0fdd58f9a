"""One call into a graded unit, described as plain data and run the same way on both sides.

The trusted side runs a Call against the reference namespace; the worker runs the
same Call against the student's namespace. Because :func:`execute` is shared,
the two results differ only by the code under test.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np

from grader.untrusted import library

OBSERVE_ARGS = "args_after"
OBSERVE_PARAMS = "params"


@dataclass(frozen=True)
class Call:
    """A function call, or a method call on a freshly built object.

    ``target`` is ``"name"`` for a function, ``"Class.method"`` for a method, or
    ``"Class"`` to build an object and look at it. Objects are built after
    ``np.random.seed(seed)``; ``params`` are written into ``obj.params`` in
    place (``obj.params[key][...] = value``) before the method runs.

    ``procedure`` names a procedure of the course's library (:mod:`grader.untrusted.library`, e.g. a
    training loop) to run with the class ``target`` names, after seeding; its
    arguments are ``args`` and ``kwargs``. ``seconds`` asks the sandbox for a
    longer (or shorter) wall-clock limit than ``Limits.call_seconds``; it stays on
    the trusted side (not in :meth:`to_data`: a limit does not change the answer).
    """

    target: str
    args: tuple[Any, ...] = ()  # plain data (grader.untrusted.protocol), any of its types
    kwargs: dict[str, Any] = field(default_factory=dict)
    init_args: tuple[Any, ...] = ()
    init_kwargs: dict[str, Any] = field(default_factory=dict)
    seed: int | None = None
    params: dict[str, Any] | None = None
    observe: tuple[str, ...] = ()
    procedure: str | None = None
    seconds: float | None = field(default=None, compare=False)

    @property
    def unit(self) -> str:
        """The name the call resolves first: the function or class."""
        return self.target.split(".", 1)[0]

    def to_data(self) -> dict[str, Any]:
        """The call as plain data for the protocol."""
        data: dict[str, Any] = {
            "target": self.target,
            "args": tuple(self.args),
            "kwargs": dict(self.kwargs),
            "init_args": tuple(self.init_args),
            "init_kwargs": dict(self.init_kwargs),
            "seed": self.seed,
            "params": self.params,
            "observe": list(self.observe),
        }
        if self.procedure is not None:  # only when set, so other calls' data and recorded keys stay as they were
            data["procedure"] = self.procedure
        return data

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Call:
        """Rebuild a call from :meth:`to_data` output."""
        return cls(
            target=data["target"],
            args=tuple(data["args"]),
            kwargs=dict(data["kwargs"]),
            init_args=tuple(data["init_args"]),
            init_kwargs=dict(data["init_kwargs"]),
            seed=data["seed"],
            params=data["params"],
            observe=tuple(data["observe"]),
            procedure=data.get("procedure"),
        )

    def describe(self) -> str:
        """A short rendering of the call for feedback, e.g. ``numerical_diff(sin_100, 0.3)``."""
        arguments = [describe_value(value) for value in self.args]
        arguments += [f"{key}={describe_value(value)}" for key, value in self.kwargs.items()]
        if self.procedure:
            return f"{self.procedure}({', '.join([self.target, *arguments])})"
        if "." in self.target:
            cls, method = self.target.split(".", 1)
            init = ", ".join(describe_value(value) for value in self.init_args)
            return f"{cls}({init}).{method}({', '.join(arguments)})"
        if self.target == self.unit and self.init_args:
            return f"{self.target}({', '.join(describe_value(v) for v in self.init_args)})"
        return f"{self.target}({', '.join(arguments)})"


def describe_value(value: object) -> str:
    """Short text for a value as a learner writes it: small arrays in full (``np.array([6, 6, 8])``), larger ones as
    numpy prints them cut, with their shape; NumPy scalars as plain numbers."""
    if type(value) is np.ndarray:
        if value.size <= 12:
            text = np.array2string(value, precision=4, separator=", ", threshold=12, max_line_width=10**6)
            return f"np.array({_unpadded(' '.join(text.split()), value)})"
        with np.printoptions(precision=4, threshold=12, edgeitems=1, linewidth=10**6):
            text = _unpadded(" ".join(np.array_repr(value).split()), value)
        return text if "shape=" in text else f"{text[:-1]}, shape={value.shape})"  # numpy < 2.2 omits it
    if isinstance(value, np.generic):
        return repr(float(value)) if isinstance(value, np.floating) else str(value)
    if callable(value) or type(value).__name__ == "FunctionRef":
        return getattr(value, "__name__", None) or repr(value)
    if type(value) is dict:  # e.g. a network of weight arrays: each value as short as an argument
        return "{" + ", ".join(f"{key!r}: {describe_value(item)}" for key, item in value.items()) + "}"
    return repr(value)


def _unpadded(text: str, value: np.ndarray) -> str:
    """Numbers without numpy's column padding (``[ 0.1, -0.2]`` reads ``[0.1, -0.2]``)."""
    if value.dtype.kind in "biufc":
        text = text.replace("[ ", "[").replace(" ,", ",").replace(" ]", "]")
    return text


def _resolve(value: object) -> object:
    """Replace function references by the library functions they name."""
    name = getattr(value, "name", None)
    if type(value).__name__ == "FunctionRef" and isinstance(name, str):
        return library.function(name)
    if type(value) is tuple:
        return tuple(_resolve(item) for item in value)
    if type(value) is list:
        return [_resolve(item) for item in value]
    if type(value) is dict:
        return {key: _resolve(item) for key, item in value.items()}
    return value


def _fresh(value: object) -> object:
    """A private copy of an argument, so a callee cannot change the caller's data."""
    return copy.deepcopy(_resolve(value))


def execute(namespace: Mapping[str, Any], call: Call) -> dict[str, object]:
    """Run ``call`` against the definitions in ``namespace``; return what it asked to observe.

    Raises whatever the code under test raises; :class:`LookupError` subclasses
    :class:`MissingDefinition` when the target is not defined.
    """
    head, _, method = call.target.partition(".")
    if head not in namespace:
        raise MissingDefinition(head)
    args = [_fresh(value) for value in call.args]
    kwargs = {key: _fresh(value) for key, value in call.kwargs.items()}
    outcome: dict[str, object] = {}
    if call.seed is not None:
        np.random.seed(call.seed)
    if call.procedure:
        outcome["result"] = library.procedure(call.procedure)(namespace[head], *args, **kwargs)
    elif not method and not call.init_args and not call.init_kwargs and call.params is None:
        outcome["result"] = namespace[head](*args, **kwargs)
    else:
        init_args = cast(tuple[Any, ...], _fresh(call.init_args))  # a tuple stays a tuple, a dict a dict
        init_kwargs = cast(dict[str, Any], _fresh(call.init_kwargs))
        obj = namespace[head](*init_args, **init_kwargs)
        if call.params is not None:
            write_params(obj, call.params)
        if method:
            outcome["result"] = getattr(obj, method)(*args, **kwargs)
        if OBSERVE_PARAMS in call.observe:
            outcome["params"] = {key: np.array(value, copy=True) for key, value in dict(obj.params).items()}
    if OBSERVE_ARGS in call.observe:
        outcome["args_after"] = tuple(args)
    return outcome


def write_params(obj: object, params: Mapping[str, Any]) -> None:
    """Write parameter values into ``obj.params`` in place, keeping the student's arrays."""
    current = getattr(obj, "params", None)
    if not isinstance(current, dict):
        raise AttributeError("the object has no params dict (self.params)")
    for key, value in params.items():
        if key not in current:
            raise KeyError(f"params has no key {key!r}")
        target = current[key]
        if np.shape(target) != np.shape(value):
            raise ValueError(f"params[{key!r}] has shape {np.shape(target)}, expected {np.shape(value)}")
        target[...] = value


class MissingDefinition(LookupError):
    """The submission does not define the name a call needs."""
