"""Join the results folders of batch shards into one, with the gradebook a single run would have written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from grader.classroom import gradebook
from grader.classroom.gradebook import GradebookError


def merge_shards(shard_dirs: list[Path], out: Path) -> Path:
    """Copy every shard's results into ``out`` and write its gradebook; returns the gradebook's path."""
    read = {str(d): gradebook.read_batch(d) for d in shard_dirs}
    missing = [d for d, batch in read.items() if batch is None]
    if missing:
        folders = ", ".join(missing)
        raise GradebookError(
            f"not a batch results folder (no {gradebook.BATCH_FILE}): {folders}",
            ko=f"배치 결과 폴더가 아닙니다({gradebook.BATCH_FILE} 없음): {folders}",
        )
    batches = {d: batch for d, batch in read.items() if batch is not None}
    settings = {json.dumps(batch, sort_keys=True) for batch in batches.values()}
    if len(settings) != 1:
        raise GradebookError(
            "the shards were graded with different settings (assignment, units, suites or seed): "
            + "; ".join(f"{d}: {b}" for d, b in batches.items()),
            ko="샤드들이 서로 다른 설정(과제, 단원, 스위트, 시드)으로 채점되었습니다: 같은 설정으로 다시 채점하세요",
        )
    batch = next(iter(batches.values()))
    units = batch.get("units")
    if not isinstance(units, list) or not all(isinstance(unit, str) for unit in units):  # found by fuzzing
        folders = ", ".join(batches)
        raise GradebookError(
            f"{gradebook.BATCH_FILE} of {folders} has no list of unit names",
            ko=f"{folders}의 {gradebook.BATCH_FILE}에 단원 이름 목록이 없습니다",
        )
    merged: dict[str, tuple[Path, dict[str, Any]]] = {}
    for shard in shard_dirs:
        for student, result in gradebook.read_results(shard).items():
            if student in merged and merged[student][1] != result:
                raise GradebookError(
                    f"{student} was graded in both {merged[student][0]} and {shard} with "
                    "different results; rerun one shard",
                    ko=f"{student}이(가) {merged[student][0]}와 {shard}에서 서로 다른 결과로 채점되었습니다: 샤드 하나를 다시 "
                    "채점하세요",
                )
            merged[student] = (shard, result)
    gradebook.write_batch(out, batch)
    for student, (shard, result) in merged.items():
        gradebook.write_atomic(
            gradebook.result_path(out, student), json.dumps(result, ensure_ascii=False, indent=2) + "\n"
        )
        feedback = gradebook.feedback_path(shard, student)
        if feedback.is_file():
            gradebook.write_atomic(gradebook.feedback_path(out, student), feedback.read_text(encoding="utf-8"))
    return gradebook.write_gradebook(out, units, set(merged))
