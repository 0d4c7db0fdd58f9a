"""The course's test functions and procedures, known by name on both sides of the boundary.

A test cannot send a function or a training loop to the worker, so it names one. Which
names exist is the course's business: each course package has an ``untrusted/``
subpackage exposing ``FUNCTIONS`` and ``PROCEDURES`` (name -> callable). The trusted side
installs it by importing the course package; the grader sends the worker that folder's
source texts over the pipe (``{"op": "course"}``), so a worker reads no course file at all.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
from collections.abc import Callable, Sequence
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType
from typing import Any

from grader.untrusted import steps

_functions: dict[str, Callable[..., Any]] = {}  # a course's, by name: they return whatever the course's code does
_procedures: dict[str, Callable[..., Any]] = {}
COURSE_MODULE = "course_untrusted"  # the name a worker gives the course's untrusted package


def install(module: ModuleType) -> None:
    """Make ``module``'s FUNCTIONS and PROCEDURES the ones calls resolve (replacing any earlier course's)."""
    _functions.clear()
    _functions.update(getattr(module, "FUNCTIONS", {}))
    _procedures.clear()
    _procedures.update(getattr(module, "PROCEDURES", {}))


class _SourceLoader(importlib.abc.SourceLoader):
    """Serves a package's modules from source texts held in memory (the worker reads no course file)."""

    def __init__(self, files: dict[str, str]) -> None:
        self.files = files

    def get_filename(self, fullname: str) -> str:
        relative = fullname.split(".")[1:]
        name = "/".join(relative) + ".py" if relative else "__init__.py"
        if name not in self.files:
            raise ImportError(f"the course library has no {name}")
        return f"<course>/{name}"

    def get_data(self, path: str) -> bytes:
        return self.files[path.removeprefix("<course>/")].encode("utf-8")


class _SourceFinder(importlib.abc.MetaPathFinder):
    def __init__(self, loader: _SourceLoader) -> None:
        self.loader = loader

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname.startswith(COURSE_MODULE + ".") and fullname.count(".") == 1:
            name = fullname.split(".", 1)[1] + ".py"
            if name in self.loader.files:
                return importlib.util.spec_from_loader(fullname, self.loader, origin=f"<course>/{name}")
        return None


def load_sources(files: dict[str, str]) -> ModuleType:
    """Import a course's untrusted package from its source texts (sent by the grader), and install it."""
    loader = _SourceLoader({str(name): str(text) for name, text in files.items()})
    sys.meta_path.insert(0, _SourceFinder(loader))
    spec = importlib.util.spec_from_loader(COURSE_MODULE, loader, origin="<course>/__init__.py", is_package=True)
    if spec is None:  # spec_from_loader returns None only for a loader it cannot describe; ours it can
        raise ImportError("the course library could not be described to the import system")
    module = importlib.util.module_from_spec(spec)
    module.__path__ = []
    sys.modules[COURSE_MODULE] = module
    loader.exec_module(module)
    install(module)
    return module


def read_sources(folder: Path) -> dict[str, str]:
    """A course's untrusted package as {file name: source} (trusted side: what a worker is sent)."""
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.py"))}


def function(name: str) -> Callable[..., Any]:
    """The test function called ``name``."""
    try:
        return _functions[name]
    except KeyError:
        raise KeyError(f"no test function named {name!r}") from None


def procedure(name: str) -> Callable[..., Any]:
    """The procedure called ``name``: the course's, else the engine's own (:mod:`grader.untrusted.steps`)."""
    try:
        return _procedures[name] if name in _procedures else steps.PROCEDURES[name]
    except KeyError:
        raise KeyError(f"no procedure named {name!r}") from None


def name_of(value: object) -> str | None:
    """The library name of a test function, or None if it is not one of the course's."""
    for name, known in _functions.items():
        if value is known:
            return name
    return None
