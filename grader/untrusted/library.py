"""The course's test functions and procedures, known by name on both sides of the boundary.

A test cannot send a function or a training loop to the worker, so it names one. Which
names exist is the course's business: each course package has an ``untrusted/``
subpackage exposing ``FUNCTIONS`` and ``PROCEDURES`` (name -> callable). The trusted side
installs it by importing the course package; the worker loads the same folder by path
(``--course-code``), never the rest of the course, which it cannot read.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

_functions: dict[str, object] = {}
_procedures: dict[str, object] = {}
COURSE_MODULE = "course_untrusted"  # the name a worker gives the course's untrusted package


def install(module: ModuleType) -> None:
    """Make ``module``'s FUNCTIONS and PROCEDURES the ones calls resolve (replacing any earlier course's)."""
    _functions.clear()
    _functions.update(getattr(module, "FUNCTIONS", {}))
    _procedures.clear()
    _procedures.update(getattr(module, "PROCEDURES", {}))


def load_folder(folder: Path) -> ModuleType:
    """Import a course's untrusted package from its folder (in the worker), and install it."""
    spec = importlib.util.spec_from_file_location(COURSE_MODULE, folder / "__init__.py",
                                                  submodule_search_locations=[str(folder)])  # fmt: skip
    if spec is None or spec.loader is None:
        raise ImportError(f"no course package in {folder}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[COURSE_MODULE] = module
    spec.loader.exec_module(module)
    install(module)
    return module


def function(name: str):
    """The test function called ``name``."""
    try:
        return _functions[name]
    except KeyError:
        raise KeyError(f"no test function named {name!r}") from None


def procedure(name: str):
    """The procedure called ``name``."""
    try:
        return _procedures[name]
    except KeyError:
        raise KeyError(f"no procedure named {name!r}") from None


def name_of(value: object) -> str | None:
    """The library name of a test function, or None if it is not one of the course's."""
    for name, known in _functions.items():
        if value is known:
            return name
    return None
