"""Why a submission could not be graded: a closed set of codes and their texts in Korean and English.

The code is decided where the problem is found (reading the file, finding the notebook, a grading process
that died) and stored as the code; the text is rendered from it only when a file or a page is written, so
nothing ever reads a message back to learn what happened (isolate's verdict codes work the same way).
"""

from __future__ import annotations

EMPTY = "empty-file"
TRUNCATED = "truncated"
NOT_UTF8 = "not-utf8"
NOT_JSON = "not-json"
NOT_NOTEBOOK = "not-a-notebook"
TOO_LARGE = "too-large"
TOO_SLOW = "too-slow"
NO_NOTEBOOK = "no-notebook"
SEVERAL_NOTEBOOKS = "several-notebooks"
NOT_FETCHED = "not-fetched"
PROCESS_DIED = "process-died"
GRADER_FAILED = "grader-failed"
UNKNOWN = "unknown"  # a result written by an older kit, which recorded no code

# code -> (Korean, English): what happened and what to do next. Only these codes are ever stored.
TEXTS: dict[str, tuple[str, str]] = {
    EMPTY: (
        "제출한 파일이 비어 있습니다(0바이트). Jupyter에서 저장한 노트북을 다시 제출하세요.",
        "The submitted file is empty (0 bytes). Save the notebook in Jupyter and submit it again.",
    ),
    TRUNCATED: (
        "파일이 중간에 잘렸습니다(업로드나 저장이 끝나지 않음). Jupyter에서 열리는지 확인하고 다시 제출하세요.",
        "The file is cut off (an upload or a save did not finish). Check that it opens in Jupyter and submit it again.",
    ),
    NOT_UTF8: (
        "UTF-8 텍스트가 아니어서 .ipynb 노트북이 아닙니다(다른 형식의 파일?). .ipynb 파일을 제출하세요.",
        "The file is not UTF-8 text, so not a .ipynb notebook (another kind of file?). Submit the .ipynb file.",
    ),
    NOT_JSON: (
        "올바른 JSON이 아니어서 노트북으로 읽을 수 없습니다. Jupyter에서 열어 다시 저장한 뒤 제출하세요.",
        "The file is not valid JSON, so it cannot be read as a notebook. Open it in Jupyter, save it and submit again.",
    ),
    NOT_NOTEBOOK: (
        "JSON 파일이지만 Jupyter 노트북이 아닙니다. 과제 노트북(.ipynb)을 제출하세요.",
        "The file is JSON but not a Jupyter notebook. Submit the assignment's notebook (.ipynb).",
    ),
    TOO_LARGE: (
        "파일이나 코드가 채점기가 읽는 한도보다 큽니다. 출력을 지우고 과제와 상관없는 코드를 지운 뒤 제출하세요.",
        "The file or its code is over what the grader reads. Clear the outputs, remove code that is not part of "
        "the assignment and submit again.",
    ),
    TOO_SLOW: (
        "노트북을 읽는 데 너무 오래 걸렸습니다(아주 긴 줄, 수많은 ! 또는 % 줄). 과제와 상관없는 코드를 지우고 제출하세요.",
        "Reading the notebook took too long (very long lines, very many ! or % lines). Remove the code that is not "
        "part of the assignment and submit again.",
    ),
    NO_NOTEBOOK: (
        "제출물에 .ipynb 노트북이 없습니다. 과제 노트북을 제출하세요.",
        "The submission holds no .ipynb notebook. Submit the assignment's notebook.",
    ),
    SEVERAL_NOTEBOOKS: (
        "제출물에 노트북이 여러 개라 어느 것을 채점할지 알 수 없습니다. 과제 노트북 하나만 남기세요.",
        "The submission holds several notebooks, so which one to grade is unclear. Keep only the assignment's one.",
    ),
    NOT_FETCHED: (
        "저장소를 가져올 수 없었습니다. 저장소 주소와 권한을 확인하세요(교수자).",
        "The repository could not be fetched. Check its address and access (course staff).",
    ),
    PROCESS_DIED: (
        "채점 프로세스가 이 노트북에서 두 번 멈췄습니다(메모리 또는 채점기 오류). 교수자가 따로 채점해야 합니다.",
        "The grading process died on this notebook twice (memory, or a crash in the grader). Course staff must "
        "grade it by hand.",
    ),
    GRADER_FAILED: (
        "채점기가 이 노트북에서 실패했습니다(학생 잘못이 아님). 교수자가 확인해야 합니다.",
        "The grader failed on this notebook (not the student's fault). Course staff must look into it.",
    ),
    UNKNOWN: (
        "채점할 수 없었습니다(이전 버전의 채점기가 이유 코드를 남기지 않음).",
        "Could not be graded (an older grader recorded no reason code).",
    ),
}
CODES = tuple(TEXTS)


def known(code: object) -> str:
    """``code`` when it is one of the closed set, else UNKNOWN (a damaged or older result file)."""
    return code if isinstance(code, str) and code in TEXTS else UNKNOWN


def render(code: object, lang: str = "both") -> str:
    """The reason's text in one language (``ko``, ``en``) or both (``ko / en``)."""
    korean, english = TEXTS[known(code)]
    if lang == "ko":
        return korean
    if lang == "en":
        return english
    return f"{korean} / {english}"
