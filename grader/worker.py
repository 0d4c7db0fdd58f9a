"""The untrusted side: loads a student's definitions and answers calls, nothing else.

Started by :mod:`grader.sandbox` as ``python -I grader/worker.py ...`` in a fresh
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
from pathlib import Path

if __name__ == "__main__":  # started by path under ``python -I``: make the kit importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402  (imported before any confinement: numpy dlopens at import)

from grader import calls, confine, protocol, testfuncs  # noqa: E402

CELL_FILENAME = "<cell {cell}>"


def load_definitions(snippets: list[dict]) -> tuple[dict, list[dict]]:
    """Execute the extracted snippets in order; a failing one is reported and skipped."""
    namespace: dict = {"__name__": "submission", "__builtins__": builtins}
    problems: list[dict] = []
    for snippet in snippets:
        try:
            tree = ast.parse(snippet["source"])
            ast.increment_lineno(tree, snippet["line"] - 1)
            exec(compile(tree, CELL_FILENAME.format(cell=snippet["cell"]), "exec"), namespace)
        except BaseException as error:  # noqa: BLE001  student code may raise anything
            problems.append(
                {
                    "cell": snippet["cell"],
                    "line": snippet["line"],
                    "kind": snippet["kind"],
                    "names": snippet["names"],
                    "error": describe_exception(error),
                }
            )
    return namespace, problems


def install_substitutes(namespace: dict, source: str, names: list[str]) -> None:
    """Put trusted versions of the other units in place of the student's (one mistake costs once)."""
    if not names:
        return
    substitutes: dict = {"__name__": "substitutes", "__builtins__": builtins}
    exec(compile(source, "<substitutes>", "exec"), substitutes)
    for name in names:
        namespace[name] = substitutes[name]


def describe_exception(error: BaseException) -> dict:
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
    """Answer requests until told to stop or the channel closes."""
    namespace: dict = {}
    while True:
        try:
            request = protocol.read_message(request_fd)
        except protocol.ProtocolError:
            return
        op = request.get("op")
        if op == "exit":
            return
        if op == "load":
            namespace, problems = load_definitions(request["snippets"])
            install_substitutes(namespace, request["substitute_source"], request["substitute_names"])
            reply = {"problems": problems, "names": sorted(k for k in namespace if not k.startswith("__"))}
        elif op == "call":
            reply = answer_call(namespace, request)
        else:
            reply = {"internal": f"unknown request {op!r}"}
        flush_output()
        send(response_fd, reply)


def answer_call(namespace: dict, request: dict) -> dict:
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


def send(response_fd: int, reply: dict) -> None:
    """Send a reply; a result that cannot be encoded is reported as such."""
    try:
        protocol.write_message(response_fd, reply, resolve_function=testfuncs.name_of)
    except BaseException as error:  # noqa: BLE001  e.g. a hostile __len__ during encoding
        fallback = {
            "seq": reply.get("seq"),
            "raised": {"type": "ResultError", "message": str(type(error).__name__), "where": []},
        }
        protocol.write_message(response_fd, fallback)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the worker process."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--request-fd", type=int, required=True)
    parser.add_argument("--response-fd", type=int, required=True)
    parser.add_argument("--seccomp", choices=["on", "off"], default="off")
    parser.add_argument("--audit", choices=["on", "off"], default="on")
    parser.add_argument("--deny", action="append", default=[], help="directories the student may not read")
    options = parser.parse_args(argv)
    np.seterr(all="ignore")
    if options.seccomp == "on":
        confine.apply_seccomp()  # fails closed: raises, and the worker exits before any student code
    if options.audit == "on":
        confine.install_audit_hook(scratch=Path.cwd(), denied=[Path(p) for p in options.deny])
    serve(options.request_fd, options.response_fd)
    os._exit(0)


if __name__ == "__main__":
    main()
