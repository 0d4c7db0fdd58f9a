"""Hostile submissions for the kit's own tests: read the fixtures, build their notebooks, and look for traces.

A fixture (``grader/tests/fixtures/hostile/*.py``, format in the README there) is one
attack appended to the instructor notebook. This module turns it into a notebook
and the files beside it, and provides the checks every attack must pass: nothing
arrived on a listener, no file changed outside the scratch folder, no worker
process is left.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import socket
import stat
import sys
import sysconfig
import time
from dataclasses import dataclass, field
from pathlib import Path

import mistune
import nbformat

from grader import sandbox
from grader.tests.helpers import solution_notebook
from grader.untrusted import forkserver

FIXTURE_DIR = Path(__file__).resolve().parent / "fixtures" / "hostile"
CORE_UNITS = ("cross_entropy_error", "numerical_diff", "numerical_gradient", "gradient_descent", "TwoLayerNet")
EXPECTATIONS = ("attacked-unit-loses", "no-effect", "notebook-rejected")
SECRET_VARIABLE = "GRADER_HOSTILE_SECRET"
PROTECTED = ("tests_public", "tests_hidden", "solutions", "rubrics", "grader", "courses")
HIDDEN = ("tests_hidden", "solutions", "rubrics", "courses/ch04_learning/mutants")


@dataclass
class Fixture:
    """One hostile submission and what grading it must show."""

    name: str
    about: str
    unit: str
    threat: str
    expect: str
    mode: str = "inprocess"
    limits: dict[str, float] = field(default_factory=dict)
    seconds: float = 25.0
    message: str | None = None
    hidden_absent: list[str] = field(default_factory=list)
    public_shows: list[str] = field(default_factory=list)
    public_absent: list[str] = field(default_factory=list)
    needs: list[str] = field(default_factory=list)
    subset: list[str] = field(default_factory=list)
    stored_output: str | None = None
    pad_bytes: int = 0
    markdown_inert: list[str] = field(default_factory=list)
    pad_source: tuple[str, int] | None = None
    trusted_seconds: float | None = None
    trusted_mib: int | None = None  # cli mode: the grading process's own peak RSS (MiB) stays under this
    cells: list[str] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)


def read_fixture(path: Path) -> Fixture:
    """Parse a fixture file: the ``# key: value`` header, then cells and files."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header: dict[str, str] = {}
    while lines and lines[0].startswith("# ") and ": " in lines[0] and not lines[0].startswith("# ipython>"):
        key, _, value = lines.pop(0)[2:].partition(": ")
        header[key.strip()] = value.strip()
    missing = {"about", "unit", "threat", "expect"} - set(header)
    if missing:
        raise ValueError(f"{path.name}: the header lacks {', '.join(sorted(missing))}")
    if header["expect"] not in EXPECTATIONS:
        raise ValueError(f"{path.name}: expect must be one of {EXPECTATIONS}, not {header['expect']!r}")
    cells, files = _split_body(lines)
    limits = {}
    for item in filter(None, (part.strip() for part in header.get("limits", "").split(","))):
        key, _, value = item.partition("=")
        limits[key.strip()] = int(value) if value.strip().isdigit() else float(value)
    return Fixture(
        name=path.stem,
        about=header["about"],
        unit=header["unit"],
        threat=header["threat"],
        expect=header["expect"],
        mode=header.get("mode", "inprocess"),
        limits=limits,
        seconds=float(header.get("seconds", 25)),
        message=header.get("message"),
        hidden_absent=_words(header.get("hidden-absent")),
        public_shows=_words(header.get("public-shows")),
        needs=_words(header.get("needs")),
        public_absent=_words(header.get("public-absent")),
        subset=_words(header.get("subset")),
        stored_output=header.get("stored-output"),
        pad_bytes=int(header.get("pad-bytes", 0)),
        markdown_inert=_words(header.get("markdown-inert")),
        pad_source=_pad_source(header.get("pad-source")),
        trusted_seconds=float(header["trusted-seconds"]) if "trusted-seconds" in header else None,
        trusted_mib=int(header["trusted-mib"]) if "trusted-mib" in header else None,
        cells=cells,
        files=files,
    )


PAD_LINES = {
    "comments": lambda i: f"# padding line {i}\n",
    "constants": lambda i: f"c_{i} = {i} * 2 + 1\n",
    "magics": lambda i: "!true\n" if i % 2 else f"%time x_{i} = {i}\n",
}


def _pad_source(text: str | None) -> tuple[str, int] | None:
    """``KIND BYTES`` -> (KIND, BYTES); KIND is one of PAD_LINES."""
    if not text:
        return None
    kind, _, size = text.partition(" ")
    if kind not in PAD_LINES or not size.strip().isdigit():
        raise ValueError(f"pad-source: expected one of {sorted(PAD_LINES)} and a byte count, not {text!r}")
    return kind, int(size)


def padding_source(kind: str, size: int) -> str:
    """At least ``size`` bytes of generated lines of one kind."""
    lines, total = [], 0
    while total < size:
        lines.append(PAD_LINES[kind](len(lines)))
        total += len(lines[-1])
    return "".join(lines)


def _words(text: str | None) -> list[str]:
    return [word.strip() for word in (text or "").split(",") if word.strip()]


def _split_body(lines: list[str]) -> tuple[list[str], dict[str, str]]:
    cells: list[str] = []
    files: dict[str, str] = {}
    target: tuple[str, str | None] = ("cell", None)
    current: list[str] = []

    def flush() -> None:
        text = "\n".join(current).strip("\n") + "\n"
        if target[0] == "file":
            files[target[1]] = text
        elif text.strip():
            cells.append(text)

    for line in lines:
        if line.startswith("# %%"):
            flush()
            current = []
            rest = line[4:].strip()
            target = ("file", rest.removeprefix("file").strip()) if rest.startswith("file ") else ("cell", None)
            continue
        current.append(line[len("# ipython> ") :] if line.startswith("# ipython> ") else line)
    flush()
    return cells, files


def all_fixtures() -> list[Fixture]:
    """Every fixture, by name."""
    return [read_fixture(path) for path in sorted(FIXTURE_DIR.glob("*.py"))]


@dataclass(frozen=True)
class Places:
    """What the placeholders of a fixture stand for in one run."""

    kit: Path
    code: Path
    marker: str
    tcp_port: int
    udp_port: int

    def fill(self, text: str) -> str:
        """The text with every placeholder replaced."""
        values = {
            "__TCP_PORT__": str(self.tcp_port),
            "__UDP_PORT__": str(self.udp_port),
            "__MARKER__": self.marker,
            "__KIT__": str(self.kit),
            "__CODE__": str(self.code),
            "__LIVE__": str(sandbox.KIT_ROOT),
            "__HOME__": str(home()),
            "__SITE__": site_packages(),
        }
        for placeholder, value in values.items():
            text = text.replace(placeholder, value)
        return text


def home() -> Path:
    """The grader's real home folder (workers get their scratch folder as HOME)."""
    return Path(os.path.expanduser("~"))


def site_packages() -> str:
    """The site-packages of the Python running the grader."""
    return sysconfig.get_paths()["purelib"]


def build_submission(fixture: Fixture, places: Places, folder: Path) -> Path:
    """Write the fixture's notebook (the instructor's plus its cells) and the files beside it; returns the notebook."""
    folder.mkdir(parents=True, exist_ok=True)
    notebook = solution_notebook()
    for source in fixture.cells:
        cell = nbformat.v4.new_code_cell(places.fill(source))
        if fixture.stored_output:
            cell.execution_count = 1
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=fixture.stored_output + "\n")]
        notebook.cells.append(cell)
    if fixture.pad_source:
        notebook.cells[-1].source = padding_source(*fixture.pad_source) + notebook.cells[-1].source
    if fixture.pad_bytes:
        padding = nbformat.v4.new_output("stream", name="stdout", text="x" * fixture.pad_bytes)
        notebook.cells[-1].outputs = [*notebook.cells[-1].get("outputs", []), padding]
    path = folder / "ch04_learning.ipynb"
    nbformat.write(notebook, str(path))
    for name, text in fixture.files.items():
        (folder / name).write_text(places.fill(text), encoding="utf-8")
    return path


def make_kit_snapshot(target: Path) -> Path:
    """A copy of the checkout's grading material, so hashes before and after are not disturbed by others' edits.

    Only the core units' test files are copied; hidden folders are closed to other users (0700).
    """
    root = sandbox.KIT_ROOT
    target.mkdir(parents=True)
    shutil.copytree(root / "grader", target / "grader", ignore=shutil.ignore_patterns("__pycache__", "tests"))
    for folder in ("solutions", "rubrics", "assignments", "courses"):
        shutil.copytree(root / folder, target / folder, ignore=shutil.ignore_patterns("__pycache__"))
    for suite in ("tests_public", "tests_hidden"):
        (target / suite / "ch04_learning").mkdir(parents=True)
        for unit in CORE_UNITS:
            shutil.copy2(root / suite / "ch04_learning" / f"test_{unit}.py", target / suite / "ch04_learning")
    os.chmod(target, 0o755)
    for folder in HIDDEN:
        os.chmod(target / folder, 0o700)
    return target


def tree_digest(root: Path, folders: tuple[str, ...] = PROTECTED) -> dict[str, str]:
    """Path -> sha256 (or link target) of every file under the given folders, caches excluded."""
    digest = {}
    for folder in folders:
        for path in sorted((root / folder).rglob("*")):
            if "__pycache__" in path.parts:
                continue
            relative = str(path.relative_to(root))
            if path.is_symlink():
                digest[relative] = "-> " + os.readlink(path)
            elif path.is_file():
                digest[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                digest[relative] = f"dir {stat.S_IMODE(path.stat().st_mode):o}"
    return digest


def traces(marker: str, kit: Path | None = None) -> list[str]:
    """Files named after the marker where an escaped attack would leave them, or live code holding it."""
    found = [str(p) for p in kit.iterdir() if marker in p.name] if kit is not None else []
    for folder in (
        Path("/tmp"),
        Path("/var/tmp"),
        Path("/dev/shm"),
        Path("/run/lock"),
        Path("/var/lock"),
        Path("/dev/mqueue"),
        home(),
        home() / ".cache",
        Path(site_packages()),
    ):
        try:
            found += [str(p) for p in folder.iterdir() if marker in p.name]
        except OSError:
            pass
    code = sandbox.KIT_ROOT
    for path in [*(code / "grader").rglob("*"), *(code / "tests_public").rglob("*")]:
        if marker in path.name:
            found.append(str(path))
    return found


def worker_uids(grader_pid: int) -> range:
    """The uids a grading process with this pid hands its workers (see sandbox.uids.UidPool)."""
    size = sandbox.uids.UIDS_PER_PROCESS
    base = sandbox.uids.UID_BASE + (grader_pid % 100_000) * size
    return range(base, base + size)


def seconds_since_boot() -> float:
    """The clock /proc/<pid>/stat start times are counted on."""
    return time.clock_gettime(time.CLOCK_BOOTTIME)


def is_worker(pid: int | str, command: bytes | str) -> bool:
    """True for a worker process: exec'd (its command line names the worker) or forked by the warm server."""
    text = command.decode(errors="replace") if isinstance(command, bytes) else command
    if "grader/untrusted/worker.py" in text:
        return True
    try:
        return Path(f"/proc/{pid}/comm").read_bytes().strip() == forkserver.WORKER_NAME
    except OSError:
        return False


def worker_processes(grader_pids: list[int], since: float = 0.0, kit: Path | None = None) -> list[str]:
    """Live processes started after ``since`` (seconds since boot) by those graders' worker uids or, without
    root, this user's workers for ``kit`` (their command line names its hidden folders).

    Other people's gradings on the machine use other uid ranges (root) or another kit and are not counted.
    """
    uids = {uid for pid in grader_pids for uid in worker_uids(pid)}
    ticks = os.sysconf("SC_CLK_TCK")
    left = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            uid = entry.stat().st_uid
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        state, started = fields[0], int(fields[19]) / ticks
        same_user_worker = (
            uid == os.getuid()
            and not running_as_root()
            and is_worker(entry.name, command)
            and (kit is None or str(kit) in command)
        )
        if state != "Z" and started >= since and (uid in uids or same_user_worker):
            left.append(f"{entry.name} uid={uid} {command[:120]}")
    return left


class Listeners:
    """A TCP, a UDP and a UNIX listener on this machine: an escaped attack would reach one of them."""

    def __init__(self, unix_path: Path) -> None:
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.bind(("127.0.0.1", 0))
        self.tcp.listen(16)
        self.tcp.setblocking(False)
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.udp.setblocking(False)
        self.unix_path = unix_path
        self.unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.unix.bind(str(unix_path))
        os.chmod(unix_path, 0o777)
        self.unix.listen(16)
        self.unix.setblocking(False)

    @property
    def tcp_port(self) -> int:
        """The TCP listener's port."""
        return self.tcp.getsockname()[1]

    @property
    def udp_port(self) -> int:
        """The UDP listener's port."""
        return self.udp.getsockname()[1]

    def arrivals(self) -> list[str]:
        """What reached any listener since the last look."""
        seen = []
        for server in (self.tcp, self.unix):
            while True:
                try:
                    connection, _ = server.accept()
                except (BlockingIOError, OSError):
                    break
                connection.settimeout(1)
                try:
                    seen.append(f"connection: {connection.recv(200)!r}")
                except OSError:
                    seen.append("connection")
                connection.close()
        while True:
            try:
                data, _ = self.udp.recvfrom(2000)
            except (BlockingIOError, OSError):
                break
            seen.append(f"datagram: {data[:200]!r}")
        return seen

    def close(self) -> None:
        """Close all three and remove the UNIX socket's file."""
        for server in (self.tcp, self.udp, self.unix):
            server.close()
        self.unix_path.unlink(missing_ok=True)


def running_as_root() -> bool:
    """True when this process may drop workers to other uids."""
    return os.geteuid() == 0


def python_for_subprocess() -> str:
    """The interpreter the kit runs under."""
    return sys.executable


# -- what a reader of the outputs sees -----------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_MENTION = re.compile(r"(?<![\w`])@[A-Za-z0-9]")
_AUTOLINK = re.compile(r"(?i)(?:https?://|www\.)|[\w.+-]+@[\w-]+\.\w")
_CODE = ("codespan", "block_code")
_parse_markdown = mistune.create_markdown(renderer=None, plugins=["table", "url", "strikethrough"])


def control_characters(text: str) -> list[str]:
    """Terminal escapes, carriage returns and bidi overrides in an output (a newline or a tab is fine)."""
    return sorted({repr(match) for match in _CONTROL.findall(text)})


def _walk(tokens: list[dict]):
    for token in tokens:
        yield token
        yield from _walk(token.get("children", []))


def markdown_outside_code(markdown: str) -> str:
    """The text a Markdown renderer would treat as prose: everything but code spans, code blocks and HTML."""
    parts = []
    for token in _walk(_parse_markdown(markdown)):
        if token["type"] in ("text", "block_text") and "raw" in token:
            parts.append(token["raw"])
        elif token["type"] in ("softbreak", "linebreak", "paragraph", "heading", "table_cell"):
            parts.append("\n")
    return "".join(parts)


def markdown_problems(markdown: str, headings: set[str], html: set[str], links: set[str] = frozenset()) -> list[str]:
    """What in a Markdown text is active beyond the kit's own structure: headings other than ``headings``,
    images, links other than ``links``, HTML other than ``html``, @mentions and autolinks in prose."""
    problems = []
    for token in _walk(_parse_markdown(markdown)):
        kind = token["type"]
        if kind == "heading":
            text = "".join(child.get("raw", "") for child in _walk(token["children"]))
            if text not in headings:
                problems.append(f"heading {text[:80]!r}")
        elif kind == "image":
            problems.append(f"image {token['attrs']['url'][:80]!r}")
        elif kind == "link" and token["attrs"]["url"] not in links:
            problems.append(f"link {token['attrs']['url'][:80]!r}")
        elif kind in ("block_html", "inline_html") and token["raw"].strip() not in html:
            problems.append(f"HTML {token['raw'][:80]!r}")
    prose = markdown_outside_code(markdown)
    problems += [f"mention {m!r}" for m in _MENTION.findall(prose)]
    problems += [f"autolink {m!r}" for m in _AUTOLINK.findall(prose)]
    return problems
