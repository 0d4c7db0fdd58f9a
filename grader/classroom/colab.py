"""Google Colab: the running notebook is no file there, so ``check()`` asks Colab for it, as otter-grader does.

Colab keeps the notebook in the browser and Drive; its kernel can ask the frontend for the notebook's
current JSON (``google.colab._message.blocking_request("get_ipynb")``), which is what the student
sees, saved or not. ``check()`` writes that to a file under ``/content`` (Colab's working folder) and
grades the file, with the same extraction, workers and tests as everywhere else.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from grader.errors import GraderError

REQUEST_SECONDS = 30  # the browser answers in well under a second; a closed tab never does
FOLDER = Path("/content")  # Colab's working folder (the kernel's cwd)


class ColabError(GraderError):
    """Colab did not give the notebook; the message says what to do instead."""


def running_in_colab() -> bool:
    """True in a Colab kernel (its ``google.colab`` module is loaded by the runtime)."""
    return "google.colab" in sys.modules


def current_notebook(folder: Path | None = None) -> Path:
    """The running notebook as Colab's frontend has it, written to ``<folder>/<name>.ipynb``; its path."""
    from google.colab import _message  # type: ignore[import-not-found]  # only in Colab

    try:
        reply = _message.blocking_request("get_ipynb", request="", timeout_sec=REQUEST_SECONDS)
    except Exception as error:  # noqa: BLE001  Colab's own errors have no common base
        en, ko = _cannot(f"{type(error).__name__}: {error}")
        raise ColabError(en, ko=ko) from None
    notebook = reply.get("ipynb") if isinstance(reply, dict) else None
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        en, ko = _cannot("no notebook in Colab's answer")
        raise ColabError(en, ko=ko)
    name = notebook.get("metadata", {}).get("grader", {}).get("assignment") or "colab_notebook"
    path = (folder or (FOLDER if FOLDER.is_dir() else Path.cwd())) / f"{Path(str(name)).name}.ipynb"
    path.write_text(json.dumps(notebook, ensure_ascii=False), encoding="utf-8")
    return path


def _cannot(why: str) -> tuple[str, str]:
    """(English, Korean): Colab did not give the notebook, and what to do instead."""
    return (
        f"Colab did not give the notebook ({why}). Download it (File > Download .ipynb), upload it to the Files "
        "pane and run check(notebook='file.ipynb').",
        f"Colab이 노트북을 주지 않았습니다 ({why}). 파일 > 다운로드로 .ipynb를 받아 check(notebook='파일.ipynb')로 점검하세요.",
    )
