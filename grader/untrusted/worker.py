"""The untrusted side: loads a student's definitions and answers calls, nothing else.

Started by :mod:`grader.sandbox` as ``python -I grader/untrusted/worker.py ...`` in a fresh
scratch directory. It never sees the tests, the expected values or the score:
it receives calls as plain data and sends raw results back on a dedicated pipe.
Nothing it prints is read as a result, and its exit status means nothing.
"""

from __future__ import annotations

import argparse
import ast
import builtins
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __name__ == "__main__":  # started by path under ``python -I``: make the kit importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import numpy as np

from grader.untrusted import calls, confine, landlock, library, protocol

CELL_FILENAME = "<cell {cell}>"
CONFINEMENT_FAILED = 70  # exit status when a layer could not be applied (no student code ran)
_observed: dict[str, object] = {}

Namespace = dict[str, Any]  # a module namespace: the student's definitions, whatever they are
Request = dict[str, Any]  # a request the grader sent (plain data: grader.untrusted.protocol)
Snippet = dict[str, Any]  # one extracted definition (grader.pipeline.extract.Snippet.to_data)


def new_namespace() -> Namespace:
    """The module namespace a submission's definitions run in."""
    return {"__name__": "submission", "__builtins__": builtins}


def define(namespace: Namespace, snippet: Snippet) -> dict[str, object] | None:
    """Execute one extracted snippet; the problem it caused, or None."""
    try:
        tree = ast.parse(snippet["source"])
        ast.increment_lineno(tree, snippet["line"] - 1)
        exec(compile(tree, CELL_FILENAME.format(cell=snippet["cell"]), "exec"), namespace)
    except BaseException as error:  # noqa: BLE001  student code may raise anything
        return {
            "cell": snippet["cell"],
            "line": snippet["line"],
            "kind": snippet["kind"],
            "names": snippet["names"],
            "error": describe_exception(error),
        }
    return None


def load_definitions(snippets: list[Snippet]) -> tuple[Namespace, list[dict[str, object]]]:
    """Execute the extracted snippets in order; a failing one is reported and skipped."""
    namespace = new_namespace()
    problems = [problem for snippet in snippets if (problem := define(namespace, snippet)) is not None]
    return namespace, problems


def skipped_definition(name: str, reason: str) -> Callable[..., None]:
    """Stands for a definition the grader skipped because running it ended or hung the worker."""

    def skipped(*args: object, **kwargs: object) -> None:
        raise NameError(f"{name} is not available: {reason}")

    skipped.__name__ = skipped.__qualname__ = name
    return skipped


def install_substitutes(namespace: Namespace, source: str, names: list[str]) -> None:
    """Put trusted versions of the other units in place of the student's (one mistake costs once)."""
    if not names:
        return
    substitutes: Namespace = {"__name__": "substitutes", "__builtins__": builtins}
    for statement in ast.parse(source).body:
        code = compile(ast.Module(body=[statement], type_ignores=[]), "<substitutes>", "exec")
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            try:  # the notebook's imports: one that fails was already reported as the student's load problem
                exec(code, substitutes)
            except Exception:  # noqa: BLE001
                continue
        else:
            exec(code, substitutes)
    for name in names:
        namespace[name] = substitutes[name]


def self_check_while_grading(*args: object, **kwargs: object) -> None:
    """Stands for ``grader.check`` inside a worker: the self-check runs in Jupyter, not while grading."""


def describe_exception(error: BaseException) -> dict[str, object]:
    """Type, message and the student's own frames of an exception, as plain data."""
    frames = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if frame.filename.startswith("<cell") or frame.filename == "<substitutes>"
    ]
    where = [f"{frame.filename.strip('<>')}, line {frame.lineno}, in {frame.name}" for frame in frames[-4:]]
    try:
        message = str(error)
    except BaseException:  # noqa: BLE001  a hostile __str__
        message = "<unprintable message>"
    return {"type": type(error).__name__, "message": message[:2000], "where": where}


def serve(request_fd: int, response_fd: int) -> None:
    """Answer requests until told to stop or the channel closes.

    ``define`` runs the student's snippets in order and announces each before it runs
    it, so the grader knows which one was running if the process ends or hangs;
    ``finish`` then stubs the skipped names and puts the substitutes in place.
    ``load`` does both in one request, without announcements.
    """
    namespace = new_namespace()
    while True:
        try:
            request = protocol.read_message(request_fd)
        except protocol.ProtocolError:
            return
        if type(request) is not dict:  # the grader sends only dicts: anything else ends the conversation
            return
        reply: dict[str, object]
        op = request.get("op")
        if op == "exit":
            return
        if op == "course":  # sent by the grader before any student code: the course's test functions
            try:
                library.load_sources(request["files"])
                reply = {"course": "loaded"}
            except Exception as error:  # noqa: BLE001  a kit bug, reported as such
                reply = {"internal": f"the course library did not load: {type(error).__name__}: {error}"}
        elif op == "define":
            problems: list[object] = []
            for index, snippet in enumerate(request["snippets"]):
                send(response_fd, {"progress": index})
                problem = define(namespace, snippet)
                if problem is not None:
                    problems.append([index, problem])
            reply = {"problems": problems}
        elif op == "finish":
            for name, reason in request.get("skipped", []):
                namespace[name] = skipped_definition(name, reason)
            install_substitutes(namespace, request["substitute_source"], request["substitute_names"])
            reply = {"names": sorted(k for k in namespace if not k.startswith("__"))}
        elif op == "load":
            namespace, loaded = load_definitions(request["snippets"])
            install_substitutes(namespace, request["substitute_source"], request["substitute_names"])
            reply = {"problems": loaded, "names": sorted(k for k in namespace if not k.startswith("__"))}
        elif op == "call":
            reply = answer_call(namespace, request)
        else:
            reply = {"internal": f"unknown request {op!r}"}
        flush_output()
        send(response_fd, reply)


def answer_call(namespace: Namespace, request: Request) -> dict[str, object]:
    """Run one call; report its observations or the exception it raised."""
    call = calls.Call.from_data(request["call"])
    try:
        return {"seq": request["seq"], "outcome": calls.execute(namespace, call)}
    except calls.MissingDefinition as missing:
        return {"seq": request["seq"], "missing": str(missing)}
    except BaseException as error:  # noqa: BLE001  SystemExit, KeyboardInterrupt, anything
        return {"seq": request["seq"], "raised": describe_exception(error)}


def flush_output() -> None:
    """Flush what the student printed so the grader can show it next to this call."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:  # noqa: BLE001  a replaced or closed stream
            pass


def send(response_fd: int, reply: dict[str, object]) -> None:
    """Send a reply; a result that cannot be encoded, or is too large, is reported as such."""
    try:
        data = protocol.frame(reply, resolve_function=library.name_of)
        if len(data) > protocol.MAX_MESSAGE_BYTES:
            raise ResultTooLarge(f"the result is larger than {protocol.MAX_MESSAGE_BYTES // 2**20} MiB")
    except BaseException as error:  # noqa: BLE001  e.g. a hostile __len__ during encoding
        message = str(error) if isinstance(error, (ResultTooLarge, protocol.ProtocolError)) else type(error).__name__
        data = protocol.frame(
            {"seq": reply.get("seq"), "raised": {"type": "ResultError", "message": message, "where": []}}
        )
    view = memoryview(data)
    while view:
        view = view[os.write(response_fd, view) :]


class ResultTooLarge(Exception):
    """A result over the channel's size limit (the grader would refuse it anyway)."""


def main(argv: list[str] | None = None) -> None:
    """Entry point of the worker process."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--request-fd", type=int, required=True)
    parser.add_argument("--response-fd", type=int, required=True)
    parser.add_argument("--seccomp", choices=["on", "off"], default="off")
    parser.add_argument("--audit", choices=["on", "off"], default="on")
    parser.add_argument("--deny", action="append", default=[], help="directories the student may not read")
    parser.add_argument("--landlock", choices=["on", "off"], default="off")
    parser.add_argument("--read", action="append", default=[], help="what Landlock lets the student read")
    parser.add_argument("--probe-denied", help="a path Landlock must refuse to open: the proof it holds")
    options = parser.parse_args(argv)
    np.seterr(all="ignore")
    vars(sys.modules["grader"])["check"] = self_check_while_grading  # the notebook's `from grader import check`
    try:
        readable = [Path(p) for p in options.read] if options.landlock == "on" else None
        confine_self(
            options.seccomp == "on",
            options.audit == "on",
            [Path(p) for p in options.deny],
            readable,
            Path(options.probe_denied or "/"),
        )
        announce(options.response_fd, options.audit == "on")
    except BaseException:  # noqa: BLE001  fail closed: say why and exit before any student code
        traceback.print_exc()
        flush_output()
        os._exit(CONFINEMENT_FAILED)
    serve(options.request_fd, options.response_fd)
    os._exit(0)


def restrict_files(readable: list[Path], probe_denied: Path) -> None:
    """Landlock: read only ``readable``, write only the scratch folder; then prove it holds."""
    scratch = Path.cwd()
    package = Path(__file__).resolve().parent.parent  # grader/: its names, so imports inside it resolve
    abi = landlock.restrict(
        [*readable, *confine.python_view()], [scratch, Path("/dev/null")], [*confine.python_folders(), package]
    )
    probes = [probe_denied, Path("/proc/self/status"), scratch.parent]
    probe_write = scratch.parent / f".landlock-probe-{os.getpid()}"
    _landlock.update(abi=abi, enforced=all(landlock.enforced(path, probe_write) for path in probes))


_landlock: dict[str, object] = {"abi": 0, "enforced": False}


def confine_self(
    seccomp: bool, audit: bool, denied: list[Path], readable: list[Path] | None = None, probe_denied: Path = Path("/")
) -> None:
    """Load seccomp, then Landlock (when ``readable`` is given), then the audit hook; raises if a layer cannot."""
    if seccomp:
        confine.apply_seccomp()
    global _observed
    _observed = confine.observe()  # read before Landlock and the audit hook, which would refuse /proc
    if readable is not None:
        restrict_files(readable, probe_denied)
    _observed["landlock"] = dict(_landlock)
    if audit:
        confine.install_audit_hook(scratch=Path.cwd(), denied=denied)


def announce(response_fd: int, audit: bool) -> None:
    """Tell the grader what is in force before any student code runs; it checks and may refuse."""
    protocol.write_message(response_fd, {"ready": dict(_observed, audit_hook=audit)})


if __name__ == "__main__":
    main()
