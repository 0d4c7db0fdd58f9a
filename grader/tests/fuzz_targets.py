"""Fuzz targets: every parser of untrusted bytes in the trusted process, each with what it may answer.

A target takes one input and returns when the parser gave a result (checked) or raised its
module's own error class; any other exception is a crash, a bug to fix. The strategies build
inputs with Hypothesis: notebooks of every shape nbformat can meet (v3, v4, odd metadata,
missing keys, wrong types, huge and deeply nested values, bytes that are not UTF-8), Python
source (hypothesmith's grammar, IPython syntax, the hostile fixtures' cells), and bytes for
the worker protocol. ``seed_*`` give the kit's own files and hostile fixtures as seeds for
mutation. Used by ``test_fuzz.py`` (a few hundred examples each) and ``bench/fuzz.py``
(``make fuzz``, over 100,000 inputs).
"""

from __future__ import annotations

import ast
import json
import tempfile
import warnings
from functools import cache
from pathlib import Path

from hypothesis import strategies as st

from grader.assignment import AssignmentError, known_assignments
from grader.classroom import class_report, class_summary, gradebook, merge
from grader.classroom.ci import CIError, read_untrusted_report, render_comment
from grader.classroom.gradebook import GradebookError
from grader.classroom.regrade import RegradeError, read_roster
from grader.pipeline import reasons
from grader.pipeline.checks import Text
from grader.pipeline.extract import Extraction, extract_definitions
from grader.pipeline.grade import guess_assignment
from grader.pipeline.ipython_syntax import to_python
from grader.pipeline.notebook import NotebookError, notebook_metadata, parse_notebook
from grader.tests.hostile import FIXTURE_DIR, all_fixtures
from grader.untrusted.bounds import Bounds
from grader.untrusted.protocol import MessageOverBound, ProtocolError, decode, encode

KIT = Path(__file__).resolve().parents[2]
UNITS = ["cross_entropy_error", "numerical_diff", "TwoLayerNet"]
SNIPPET_KINDS = {"import", "def", "class", "constant"}


# -- targets -------------------------------------------------------------------------------------


def notebook_bytes(data: bytes) -> None:
    """A notebook file: NotebookError, or a notebook whose extraction and metadata can be read."""
    try:
        notebook = parse_notebook(data, "fuzz.ipynb")
    except NotebookError as error:
        assert str(error), "a NotebookError must say why"
        assert error.reason in reasons.CODES, f"{error.reason!r} is not a reason code"
        return
    check_extraction(extract_definitions(notebook))
    for key in ("lang", "assignment"):
        notebook_metadata(notebook, key)
    try:  # whatever the metadata holds, the guess is an id or a one-line misuse error, never a crash
        assert guess_assignment(Path("fuzz.ipynb"), notebook) in known_assignments()
    except AssignmentError as error:
        assert "\n" not in str(error) and "--assignment ID" in str(error)


def python_source(source: str) -> None:
    """One code cell: the extraction never raises, and every kept statement is Python that parses."""
    check_extraction(extract_definitions({"cells": [{"cell_type": "code", "source": source}]}))


def ipython_syntax(source: str) -> None:
    """The one-pass rewrite gives IPython's own result (short cells: IPython gives up after 500 rewrites).

    IPython tokenises the whole cell on every round, so an indentation error anywhere fails the
    cell there; ours reads lazily, and then the Python it returns must not parse either.
    """
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        with warnings.catch_warnings():  # make_tokens_by_line warns about cells without a final line break
            warnings.simplefilter("ignore")
            expected, expected_error = TransformerManager().transform_cell(source), None
    except Exception as error:  # noqa: BLE001  whatever IPython raises, ours must raise it too
        expected, expected_error = None, type(error)
    try:
        got, got_error = to_python(source), None
    except Exception as error:  # noqa: BLE001
        got, got_error = None, type(error)
    if expected_error is RuntimeError:  # "still changing after 500 iterations": ours has no such limit
        return
    if expected_error is not None and issubclass(expected_error, IndentationError):
        assert got_error is not None or not _parses(got), (source, got)
        return
    assert (got, got_error) == (expected, expected_error), (source, expected, expected_error, got, got_error)


def protocol_bytes(data: bytes) -> None:
    """A message body from a worker: ProtocolError or a value."""
    try:
        decode(data)
    except ProtocolError as error:
        assert str(error)


FUZZ_BOUNDS = Bounds(
    structural_bytes=60, nodes=40, depth=6, items=8, characters=120, arrays=4, array_elements=12, seconds=60
)
"""Bounds small enough that generated messages land on both sides of each (no deadline: machines are slow)."""


def protocol_within_bounds(data: bytes) -> None:
    """A message body decoded under FUZZ_BOUNDS: a value within every bound, or a refusal the message justifies.

    Both are measured here, independently of the decoder: the value's own shape when it decodes,
    the raw JSON and framing (counted with the standard json module) when it is refused as over a bound.
    """
    try:
        value = decode(data, bounds=FUZZ_BOUNDS)
    except MessageOverBound as error:
        assert _raw_excess(data), f"refused without exceeding any bound: {error}"
        return
    except ProtocolError as error:
        assert str(error)
        return
    shape = _value_shape(value)
    assert shape["nodes"] <= FUZZ_BOUNDS.nodes and shape["depth"] <= FUZZ_BOUNDS.depth, shape
    assert shape["items"] <= FUZZ_BOUNDS.items and shape["characters"] <= FUZZ_BOUNDS.characters, shape
    assert shape["arrays"] <= FUZZ_BOUNDS.arrays and shape["elements"] <= FUZZ_BOUNDS.array_elements, shape


def _value_shape(value: object, depth: int = 1) -> dict[str, int]:
    """Nodes, depth, widest container, characters, arrays and their elements of a decoded value."""
    import numpy as np

    shape = {"nodes": 1, "depth": depth, "items": 0, "characters": 0, "arrays": 0, "elements": 0}
    children: list = []
    if type(value) is str:
        shape["characters"] = len(value)
    elif isinstance(value, (np.ndarray, np.generic)):
        shape["arrays"], shape["elements"] = 1, int(np.asarray(value).size)
    elif type(value) in (list, tuple):
        shape["items"], children = len(value), list(value)
    elif type(value) is dict:
        shape["items"], children = len(value), list(value.values())
        shape["characters"] = sum(map(len, value))
    for child in children:
        inner = _value_shape(child, depth + 1)
        for key in ("nodes", "characters", "arrays", "elements"):
            shape[key] += inner[key]
        shape["depth"] = max(shape["depth"], inner["depth"])
        shape["items"] = max(shape["items"], inner["items"])
    return shape


def _raw_excess(data: bytes) -> bool:
    """Whether the raw message exceeds a FUZZ_BOUNDS bound, counted without the decoder's code."""
    import struct

    (size,) = struct.unpack("!Q", data[:8])
    header = data[8 : 8 + size]
    if sum(header.count(token) for token in (b"[", b"{", b",", b":")) > FUZZ_BOUNDS.structural_bytes:
        return True
    (frames,) = struct.unpack("!Q", data[8 + size : 16 + size])
    if frames > FUZZ_BOUNDS.arrays:
        return True
    counts = {"nodes": 0, "depth": 0, "items": 0, "characters": 0, "arrays": 0}
    pending = [(json.loads(header), 1)]
    while pending:
        node, depth = pending.pop()
        counts["nodes"] += 1
        counts["depth"] = max(counts["depth"], depth)
        if type(node) is str:
            counts["characters"] += len(node)
        elif type(node) is list:
            counts["items"] = max(counts["items"], len(node))
            pending += [(item, depth + 1) for item in node]
        elif type(node) is dict:
            counts["items"] = max(counts["items"], len(node))
            counts["characters"] += sum(map(len, node))
            counts["arrays"] += sum(key in ("__ndarray__", "__npscalar__") for key in node)
            pending += [(item, depth + 1) for item in node.values()]
    limits = {"nodes": FUZZ_BOUNDS.nodes, "depth": FUZZ_BOUNDS.depth, "items": FUZZ_BOUNDS.items}
    limits |= {"characters": FUZZ_BOUNDS.characters, "arrays": FUZZ_BOUNDS.arrays}
    return any(counts[key] > limit for key, limit in limits.items()) or _elements(data, size, frames)


def _elements(data: bytes, size: int, frames: int) -> bool:
    """Whether the arrays the header refers to hold more elements than FUZZ_BOUNDS allows (each reference counts)."""
    import io
    import re
    import struct

    import numpy as np

    blobs, position = [], 16 + size
    for _ in range(frames):
        (length,) = struct.unpack("!Q", data[position : position + 8])
        blobs.append(data[position + 8 : position + 8 + length])
        position += 8 + length
    header = data[8 : 8 + size].decode()
    total = 0
    for index in map(int, re.findall(r'"__(?:ndarray|npscalar)__": ?(\d+)', header)):
        try:
            total += np.load(io.BytesIO(blobs[index]), allow_pickle=False).size
        except Exception:  # noqa: BLE001  a malformed or missing blob adds nothing
            continue
    return total > FUZZ_BOUNDS.array_elements


def ci_report(data: bytes) -> None:
    """An uploaded report.json for ``ci comment``: CIError, or units the comment renders."""
    path = _scratch() / "report.json"
    path.write_bytes(data)
    try:
        units = read_untrusted_report(path)
    except CIError as error:
        assert str(error)
        units = None
    body = render_comment(units, "no report", "https://example.invalid/run", "0123456789abcdef")
    assert isinstance(body, str) and body.startswith("<!--")


def roster(data: bytes) -> None:
    """A roster CSV for ``ci regrade``: RegradeError, or entries whose ids were checked."""
    path = _scratch() / "roster.csv"
    path.write_bytes(data)
    try:
        entries = read_roster(path)
    except RegradeError as error:
        assert str(error)
        return
    assert all(entry.student and "/" in entry.repository for entry in entries)


def results_folder(result: bytes, batch: bytes) -> None:
    """One shard's results folder (a result file and batch.json): the gradebook is written or merging says why."""
    shard, out = _scratch() / "shard", _scratch() / "merged"
    for folder in (shard, out):
        for path in folder.rglob("*"):
            if path.is_file():
                path.unlink()
    (shard / "results").mkdir(parents=True, exist_ok=True)
    (shard / "results" / "s1.json").write_bytes(result)
    (shard / gradebook.BATCH_FILE).write_bytes(batch)
    read = gradebook.read_result(shard / "results" / "s1.json")
    assert read is None or isinstance(read, dict)
    assert gradebook.read_batch(shard) is None or isinstance(gradebook.read_batch(shard), dict)
    text = gradebook.write_gradebook(shard, UNITS).read_text(encoding="utf-8")
    assert text.startswith(gradebook.BOM + "student,total,")
    try:  # the class report's reading and its Markdown (the HTML's charts are too slow to draw per example)
        assert class_report.render_markdown(class_summary.summarise(shard)).startswith("# Class report")
    except class_summary.ClassReportError as error:
        assert str(error)
    try:
        merge.merge_shards([shard], out)
    except GradebookError as error:
        assert str(error)


def check_extraction(extraction: Extraction) -> None:
    """What the worker is sent: statements of a known kind that parse, binding plain names."""
    assert isinstance(extraction, Extraction)
    assert all(isinstance(error, Text) and error.ko and error.en for error in extraction.errors)
    for snippet in extraction.snippets:
        assert snippet.kind in SNIPPET_KINDS, snippet
        assert all(isinstance(name, str) and name for name in snippet.names), snippet
        assert _parses(snippet.source), snippet


def _parses(source: str | None) -> bool:
    try:
        ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError, TypeError):
        return False
    return True


@cache
def _scratch() -> Path:
    return Path(tempfile.mkdtemp(prefix="grader-fuzz-"))


# -- seeds ---------------------------------------------------------------------------------------


@cache
def seed_notebooks() -> tuple[bytes, ...]:
    """The kit's notebooks, and each hostile fixture's cells as a notebook (v4 and v3)."""
    seeds = [path.read_bytes() for path in (KIT / "solutions").glob("*.ipynb")]
    seeds += [path.read_bytes() for path in (KIT / "assignments").glob("*.ipynb")]
    for cells in seed_cells_by_fixture():
        seeds.append(json.dumps(_v4(cells)).encode())
        seeds.append(json.dumps(_v3(cells)).encode())
    return tuple(seeds)


@cache
def seed_cells_by_fixture() -> tuple[tuple[str, ...], ...]:
    """The cells of every hostile fixture (placeholders left as they are)."""
    return tuple(tuple(fixture.cells) for fixture in all_fixtures())


def seed_sources() -> list[str]:
    """Every hostile fixture cell and every code cell of the kit's notebooks."""
    sources = [cell for cells in seed_cells_by_fixture() for cell in cells]
    for data in seed_notebooks()[:2]:
        sources += ["".join(c["source"]) for c in json.loads(data)["cells"] if c["cell_type"] == "code"]
    return sources


def seed_reports() -> list[bytes]:
    """Reports as ``grader feedback`` writes them, built by hand, plus a few broken ones."""
    test = {"name": "case", "outcome": "failed", "suite": "public", "message": "x"}
    unit = {"name": "numerical_diff", "score": 5, "max_score": 10, "tests": [test, dict(test, outcome="passed")]}
    good = {"assignment": "ch04_learning", "score": 5, "max_score": 10, "functions": [unit], "errors": []}
    return [json.dumps(good).encode(), json.dumps(dict(good, functions=[unit] * 3)).encode(), b"{}", b"[]"]


def seed_messages() -> list[bytes]:
    """Worker replies as the protocol encodes them."""
    import numpy as np

    values = [
        None,
        1,
        2.5,
        "text",
        [1, (2, 3)],
        {"a": np.arange(6).reshape(2, 3)},
        np.float64(1.5),
        {"ok": True, "value": (np.zeros(3, dtype=np.int8), [float("nan")])},
    ]
    return [encode(value) for value in values]


def seed_rosters() -> list[bytes]:
    """Rosters as an instructor writes them."""
    return [
        b"student,repository\nkim,course/ch04-kim\nlee,course/ch04-lee\n",
        b"\xef\xbb\xbfstudent,repository,url,ref\nkim,course/ch04-kim,https://example.invalid/x.git,main\n",
        b"student,repository\n",
    ]


def seed_results() -> list[bytes]:
    """Result files as a batch writes them."""
    function = {"name": "numerical_diff", "score": 10.0, "max_score": 10.0, "tests": []}
    result = {
        "assignment": "ch04_learning",
        "score": 10.0,
        "max_score": 110.0,
        "functions": [function],
        "errors": [],
        "internal_errors": [],
        "student": "s1",
        "status": "graded",
        "source_sha256": "ab",
        "batch": {"assignment": "ch04_learning", "units": UNITS, "suites": ["public"], "seed": 1},
    }
    return [json.dumps(result).encode(), json.dumps(dict(result, status="ungradable", functions=[])).encode()]


def seed_batches() -> list[bytes]:
    """batch.json files."""
    return [
        json.dumps(
            {"assignment": "ch04_learning", "units": UNITS, "suites": ["public"], "seed": 1, "lang": "both"}
        ).encode()
    ]


def _v4(cells: tuple[str, ...]) -> dict:
    return {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {},
        "cells": [
            {
                "cell_type": "code",
                "id": f"c{i}",
                "metadata": {},
                "source": source,
                "outputs": [],
                "execution_count": None,
            }
            for i, source in enumerate(cells)
        ],
    }


def _v3(cells: tuple[str, ...]) -> dict:
    return {
        "nbformat": 3,
        "nbformat_minor": 0,
        "metadata": {"name": ""},
        "worksheets": [
            {
                "metadata": {},
                "cells": [
                    {"cell_type": "code", "input": source, "language": "python", "metadata": {}, "outputs": []}
                    for source in cells
                ],
            }
        ],
    }


# -- strategies ----------------------------------------------------------------------------------

IPYTHON_LINES = [
    "!ls -la",
    "files = !ls",
    "x = %time 1",
    "%matplotlib inline",
    "%%time",
    "%%bash",
    "%%capture out",
    "x?",
    "obj.attr??",
    "print(x)?",
    "/f 1 2",
    ",f a b",
    ";f a",
    "!!ls",
    "!echo (",
    "!a \\",
    ")",
    "def f(x):",
    "    return x",
    "    !echo hi",
    "    %time 1",
    "if x:",
    "  y = 1",
    "\tz = 1",
    "x = \\",
    "   %time 2",
    "class C:",
    "    def g(self):",
    "        !pwd",
    "s = '''",
    "'''",
    "# comment \\",
    "h = 1e-4",
    "import numpy as np",
    "N, K = 3, -2",
    "@decorator",
    "async def g():",
    "lambda: 0",
    "x = [1,",
    " 2]",
    "\x0c",
    "x = 1\x0cy = 2",
    "a = 'b\u2028c'",
    "f'{x!r}'",
    "%%time\u2028x = 1",
    "get_ipython().run_cell_magic('time', '', 'def f():\\n    pass\\n')",
    "x: int = 3",
    "del x",
]

json_scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
odd_json = st.sampled_from(
    [
        '"x" * 3',
        "1" * 5000,
        "[" * 5000 + "]" * 5000,
        '{"a":' * 3000 + "1" + "}" * 3000,
        "1e999",
        "-0",
        "NaN",
        "Infinity",
        '"\\ud800"',
        '"\\u0000"',
        "[]",
        "{}",
        '""',
        "null",
    ]
)


def ipython_cells() -> st.SearchStrategy[str]:
    """Cells of IPython lines, Python lines and odd line breaks."""
    line = st.sampled_from(IPYTHON_LINES) | st.text(max_size=20)
    ending = st.sampled_from(["\n", "\n", "\n", "\r\n", "\r", ""])
    return st.lists(st.tuples(line, ending).map("".join), max_size=14).map("".join)


@cache
def python_sources() -> st.SearchStrategy[str]:
    """hypothesmith's grammar-generated Python, IPython-flavoured cells, fixture cells and arbitrary text."""
    import hypothesmith

    odd_text = st.text(st.characters(categories=["Cs", "Cc", "Zl", "Zp", "Zs"]) | st.sampled_from("!%?,;/()'\"#\\"))
    return st.one_of(hypothesmith.from_grammar(), ipython_cells(), st.sampled_from(seed_sources()), st.text(), odd_text)


@st.composite
def notebook_documents(draw) -> bytes:
    """A notebook file: v4 or v3 built with odd parts, an arbitrary JSON value, or a mutated seed."""
    kind = draw(st.sampled_from(["v4", "v3", "json", "seed", "odd"]))
    if kind == "json":
        return json.dumps(draw(json_values)).encode()
    if kind == "odd":
        return draw(odd_json).encode() if draw(st.booleans()) else draw(st.binary(max_size=200))
    if kind == "seed":
        return mutate(draw(st.sampled_from(seed_notebooks())), draw(st.randoms(use_true_random=False)))
    sources = st.lists(python_sources() | st.lists(st.text(max_size=20), max_size=4), max_size=4)
    document = _v4(tuple(draw(sources))) if kind == "v4" else _v3(tuple(draw(sources)))
    return json.dumps(_spoil(document, draw), ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")


def _spoil(document: dict, draw) -> dict:
    """Drop keys, change types, add odd metadata: what nbformat meets in files others wrote."""
    odd = st.one_of(json_values, st.just({"grader": {"lang": 1, "assignment": ["x"]}}), st.just({"grader": "x"}))
    for node in _nodes(document):
        for key in list(node):
            choice = draw(st.integers(0, 15))
            if choice == 0:
                del node[key]
            elif choice == 1:
                node[key] = draw(odd)
    if draw(st.booleans()):
        document["metadata"] = draw(odd)
    return document


def _nodes(value: object) -> list[dict]:
    found, stack = [], [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            found.append(node)
            stack += list(node.values())
        elif isinstance(node, list):
            stack += node
    return found


def mutate(data: bytes, random) -> bytes:
    """A few byte-level changes: flips, cuts, copies and insertions of tokens parsers trip over."""
    tokens = [
        b'"',
        b"{",
        b"}",
        b"[",
        b"]",
        b",",
        b":",
        b"\\",
        b"\\u0000",
        b"\xff",
        b"\xed\xa0\x80",
        b"1e999",
        b"9" * 5000,
        b"null",
        b'"cell_type": "code"',
        b'"source": 7',
        b"\n",
        b"!",
        b"%",
        b"\\n!ls\\n",
    ]
    data = bytearray(data)
    for _ in range(random.randint(1, 4)):
        if not data:
            data += random.choice(tokens)
            continue
        where = random.randrange(len(data))
        action = random.randrange(5)
        if action == 0:
            data[where] ^= 1 << random.randrange(8)
        elif action == 1:
            del data[where : where + random.randint(1, 64)]
        elif action == 2:
            data[where:where] = random.choice(tokens)
        elif action == 3:
            start = random.randrange(len(data))
            data[where:where] = data[start : start + random.randint(1, 256)]
        else:
            del data[where:]
    return bytes(data)


@st.composite
def protocol_messages(draw) -> bytes:
    """Bodies: random bytes, mutated encodings, and well-framed headers with odd JSON."""
    kind = draw(st.integers(0, 2))
    if kind == 0:
        return draw(st.binary(max_size=300))
    if kind == 1:
        return mutate(draw(st.sampled_from(seed_messages())), draw(st.randoms(use_true_random=False)))
    header = draw(
        st.one_of(
            json_values.map(json.dumps),
            odd_json,
            st.sampled_from(
                [
                    '{"__ndarray__": 0}',
                    '{"__npscalar__": 5}',
                    '{"__float__": [1]}',
                    '{"__tuple__": 3}',
                    '{"__dict__": [1]}',
                    '{"__func__": {"a": 1}}',
                    '{"__unsupported__": 1e999}',
                    '{"__x__": 1}',
                    '{"a": 1, "b": 2}',
                ]
            ),
        )
    )
    blobs = draw(st.lists(st.binary(max_size=200) | st.sampled_from(_npy_blobs()), max_size=3))
    return _frame(header.encode("utf-8", "surrogatepass"), blobs)


def _frame(header: bytes, blobs: list[bytes]) -> bytes:
    import struct

    parts = [struct.pack("!Q", len(header)), header, struct.pack("!Q", len(blobs))]
    for blob in blobs:
        parts += [struct.pack("!Q", len(blob)), blob]
    return b"".join(parts)


@st.composite
def bounded_messages(draw) -> bytes:
    """Well-formed messages of every shape near FUZZ_BOUNDS: nested lists, tuples, dicts, strings, arrays."""
    count = draw(st.integers(0, 6))
    leaf = st.one_of(
        st.none(),
        st.integers(-5, 5),
        st.text(max_size=40),
        st.just({"__float__": "1.5"}),
        st.builds(lambda i: {"__ndarray__": i}, st.integers(0, max(count - 1, 0))),
        st.builds(lambda i: {"__npscalar__": i}, st.integers(0, max(count - 1, 0))),
    )
    tree = st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.lists(inner, max_size=10),
            st.lists(inner, max_size=10).map(lambda items: {"__tuple__": items}),
            st.dictionaries(st.text(max_size=12), inner, max_size=10).map(lambda items: {"__dict__": items}),
        ),
        max_leaves=60,
    )
    import io

    import numpy as np

    blobs = []
    for size in draw(st.lists(st.integers(0, 8), min_size=count, max_size=count)):
        buffer = io.BytesIO()
        np.save(buffer, np.arange(size), allow_pickle=False)
        blobs.append(buffer.getvalue())
    return _frame(json.dumps(draw(tree)).encode(), blobs)


@cache
def _npy_blobs() -> tuple[bytes, ...]:
    import io

    import numpy as np

    blobs = []
    for array in (np.arange(4), np.zeros((2, 2)), np.array(["a"]), np.array([1 + 2j]), np.array(True)):
        buffer = io.BytesIO()
        np.save(buffer, array, allow_pickle=False)
        blobs.append(buffer.getvalue())
    good = blobs[0]
    blobs += [good.replace(b"(4,)", b"(99999999999,)"), good.replace(b"<i8", b"|O8"), good[:20], good + b"\0"]
    return tuple(blobs)


@st.composite
def report_documents(draw) -> bytes:
    """report.json artifacts: odd JSON, mutated seeds, and reports with every field of every type."""
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return draw(odd_json).encode()
    if kind == 1:
        return mutate(draw(st.sampled_from(seed_reports())), draw(st.randoms(use_true_random=False)))
    value = st.one_of(json_values, st.integers(min_value=-(10**400), max_value=10**400), st.just(1e308))
    test = st.fixed_dictionaries({}, optional={"name": value, "outcome": st.sampled_from(["passed", "failed"]) | value})
    unit = st.fixed_dictionaries(
        {"tests": st.lists(test, max_size=4)}, optional={"name": value, "score": value, "max_score": value}
    )
    report = st.fixed_dictionaries({"functions": st.lists(unit, max_size=4)}, optional={"score": value})
    return json.dumps(draw(report) if kind == 2 else draw(json_values)).encode()


@st.composite
def roster_documents(draw) -> bytes:
    """Roster CSV files: rows of odd fields, mutated seeds, bytes that are not UTF-8, huge fields."""
    kind = draw(st.integers(0, 2))
    if kind == 0:
        return mutate(draw(st.sampled_from(seed_rosters())), draw(st.randoms(use_true_random=False)))
    if kind == 1:
        return draw(st.binary(max_size=300)) + (b"x" * 200_000 if draw(st.booleans()) else b"")
    field = st.text(max_size=20) | st.sampled_from(["kim", "course/ch04", "a/b/c", "", '"', "\0", "\r\n"])
    rows = st.lists(st.lists(field, max_size=5), max_size=5)
    header = st.sampled_from(["student,repository", "student,repository,url,ref", "repository", ""])
    lines = [draw(header)] + [",".join(row) for row in draw(rows)]
    return "\n".join(lines).encode("utf-8", "surrogatepass")


@st.composite
def results_documents(draw) -> tuple[bytes, bytes]:
    """(result file, batch.json): mutated seeds and results with fields of every type."""

    def one(seeds: list[bytes]) -> bytes:
        kind = draw(st.integers(0, 3))
        if kind == 0:
            return mutate(draw(st.sampled_from(seeds)), draw(st.randoms(use_true_random=False)))
        if kind == 1:
            return draw(odd_json).encode()
        if kind == 2:
            return json.dumps(draw(json_values)).encode()
        document = json.loads(draw(st.sampled_from(seeds)))
        return json.dumps(_spoil(document, draw)).encode()

    return one(seed_results()), one(seed_batches())


STRATEGIES = {
    "notebook": (notebook_bytes, notebook_documents()),
    "python-source": (python_source, st.deferred(lambda: python_sources())),
    "ipython-syntax": (ipython_syntax, ipython_cells()),
    "protocol": (protocol_bytes, protocol_messages()),
    "protocol-bounds": (protocol_within_bounds, bounded_messages()),
    "ci-report": (ci_report, report_documents()),
    "roster": (roster, roster_documents()),
    "results": (lambda pair: results_folder(*pair), results_documents()),
}
"""Target name -> (the target, taking one drawn value; the Hypothesis strategy of its inputs)."""

SEEDS = {
    "notebook": seed_notebooks,
    "protocol": seed_messages,
    "protocol-bounds": seed_messages,
    "ci-report": seed_reports,
    "roster": seed_rosters,
}
"""Byte-level targets -> their seeds, for the mutation loop of ``bench/fuzz.py``."""

HOSTILE_FIXTURES = FIXTURE_DIR
