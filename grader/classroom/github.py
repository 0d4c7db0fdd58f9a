"""A small GitHub REST client (standard library only); untrusted text in Markdown goes through grader.pipeline.inert.

The API's address comes from ``GITHUB_API_URL`` (as on Actions runners), so the
kit's tests point it at a local fake. Nothing here imports NumPy or the grader:
the comment workflow runs it without installing anything.
"""

from __future__ import annotations

import json
from typing import Any

from grader.errors import GraderError

DEFAULT_API_URL = "https://api.github.com"
TIMEOUT_SECONDS = 30
MAX_RESPONSE_BYTES = 8 * 1024 * 1024
MAX_PAGES = 20


class GitHubError(GraderError):
    """A GitHub API request failed; the message names the request and the status."""


class GitHubAPI:
    """Just what the kit needs: JSON requests with a token, and paginated lists."""

    def __init__(self, token: str, api_url: str | None = None) -> None:
        self.token = token
        self.api_url = (api_url or DEFAULT_API_URL).rstrip("/")

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> object:
        """One request; the parsed JSON answer (None for an empty one)."""
        import urllib.error  # here, not at the top: http.client, ssl and email cost every `grade` 25 ms to import
        import urllib.request

        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.api_url + path,
            data=data,
            method=method,
            headers={
                "Accept": "application/vnd.github+json",
                "Authorization": f"Bearer {self.token}",
                "X-GitHub-Api-Version": "2022-11-28",
                "User-Agent": "ch04-grader",
                **({"Content-Type": "application/json"} if data is not None else {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                text = response.read(MAX_RESPONSE_BYTES + 1)
        except urllib.error.HTTPError as error:
            raise GitHubError(
                f"{method} {path}: HTTP {error.code} {error.reason}",
                ko=f"GitHub가 요청을 거절했습니다 (HTTP {error.code})",
            ) from None
        except (urllib.error.URLError, OSError) as error:
            raise GitHubError(f"{method} {path}: {error}", ko="GitHub에 연결할 수 없습니다") from None
        if len(text) > MAX_RESPONSE_BYTES:
            raise GitHubError(f"{method} {path}: the answer is too large", ko="GitHub의 응답이 너무 큽니다")
        return json.loads(text) if text.strip() else None

    def list(self, path: str) -> list[dict[str, Any]]:
        """Every item of a paginated list (at most MAX_PAGES pages of 100)."""
        items: list[dict[str, Any]] = []
        separator = "&" if "?" in path else "?"
        for page in range(1, MAX_PAGES + 1):
            answer = self.request("GET", f"{path}{separator}per_page=100&page={page}")
            if not isinstance(answer, list):
                raise GitHubError(f"GET {path}: expected a list", ko="GitHub의 응답이 목록이 아닙니다")
            items += [item for item in answer if isinstance(item, dict)]
            if len(answer) < 100:
                break
        return items


def workflow_command_value(text: str) -> str:
    """Escape a value for a workflow command (``::notice::...``) as the runner expects."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
