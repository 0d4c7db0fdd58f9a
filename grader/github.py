"""A small GitHub REST client (standard library only) and Markdown escaping for untrusted text.

The API's address comes from ``GITHUB_API_URL`` (as on Actions runners), so the
kit's tests point it at a local fake. Nothing here imports NumPy or the grader:
the comment workflow runs it without installing anything.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request

DEFAULT_API_URL = "https://api.github.com"
TIMEOUT_SECONDS = 30
MAX_RESPONSE_BYTES = 8 * 1024 * 1024
MAX_PAGES = 20
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+!|~<>&:-])")


class GitHubError(Exception):
    """A GitHub API request failed; the message names the request and the status."""


class GitHubAPI:
    """Just what the kit needs: JSON requests with a token, and paginated lists."""

    def __init__(self, token: str, api_url: str | None = None) -> None:
        self.token = token
        self.api_url = (api_url or DEFAULT_API_URL).rstrip("/")

    def request(self, method: str, path: str, body: dict | None = None) -> object:
        """One request; the parsed JSON answer (None for an empty one)."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.api_url + path, data=data, method=method, headers={
            "Accept": "application/vnd.github+json", "Authorization": f"Bearer {self.token}",
            "X-GitHub-Api-Version": "2022-11-28", "User-Agent": "ch04-grader",
            **({"Content-Type": "application/json"} if data is not None else {}),
        })  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310  https or the fake
                text = response.read(MAX_RESPONSE_BYTES + 1)
        except urllib.error.HTTPError as error:
            raise GitHubError(f"{method} {path}: HTTP {error.code} {error.reason}") from None
        except (urllib.error.URLError, OSError) as error:
            raise GitHubError(f"{method} {path}: {error}") from None
        if len(text) > MAX_RESPONSE_BYTES:
            raise GitHubError(f"{method} {path}: the answer is too large")
        return json.loads(text) if text.strip() else None

    def list(self, path: str) -> list[dict]:
        """Every item of a paginated list (at most MAX_PAGES pages of 100)."""
        items: list[dict] = []
        separator = "&" if "?" in path else "?"
        for page in range(1, MAX_PAGES + 1):
            answer = self.request("GET", f"{path}{separator}per_page=100&page={page}")
            if not isinstance(answer, list):
                raise GitHubError(f"GET {path}: expected a list")
            items += [item for item in answer if isinstance(item, dict)]
            if len(answer) < 100:
                break
        return items


def markdown_text(value: object, limit: int = 200) -> str:
    """Untrusted text as inert Markdown: one line, no HTML, no mentions or links, at most ``limit`` characters."""
    text = _CONTROL.sub("", str(value))
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    text = _MARKDOWN.sub(r"\\\1", text)
    return text.replace("@", "@\u2060")  # a word joiner: @name no longer mentions anyone


def workflow_command_value(text: str) -> str:
    """Escape a value for a workflow command (``::notice::...``) as the runner expects."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
