"""A recorded fake of the GitHub REST endpoints the kit calls, served on 127.0.0.1 for the CI tests."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

TOKEN = "fake-token-123"


class FakeGitHub:
    """Issues, issue comments and pull requests of any repository; every request is recorded."""

    def __init__(self, bot_login: str = "github-actions[bot]") -> None:
        self.bot_login = bot_login
        self.requests: list[tuple[str, str, dict | None]] = []
        self.comments: dict[str, list[dict]] = {}  # "owner/repo#n" -> comments
        self.issues: dict[str, list[dict]] = {}  # "owner/repo" -> issues
        self.pulls: dict[str, dict] = {}  # "owner/repo#n" -> pull request
        self.activities: dict[str, list[dict]] = {}  # "owner/repo" -> pushes, newest first as GitHub lists them
        self._next_id = 1000
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeGitHub:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _answer(self, status: int, body: object) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _route(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                url = urlparse(self.path)
                fake.requests.append((method, url.path, body))
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    return self._answer(401, {"message": "Bad credentials"})
                status, answer = fake.dispatch(method, url.path, parse_qs(url.query), body)
                self._answer(status, answer)

            def do_GET(self) -> None:
                self._route("GET")

            def do_POST(self) -> None:
                self._route("POST")

            def do_PATCH(self) -> None:
                self._route("PATCH")

        return Handler

    def dispatch(self, method: str, path: str, query: dict, body: dict | None) -> tuple[int, object]:
        page, per_page = int(query.get("page", ["1"])[0]), int(query.get("per_page", ["30"])[0])
        if match := re.fullmatch(r"/repos/([^/]+/[^/]+)/issues/(\d+)/comments", path):
            key = f"{match[1]}#{match[2]}"
            if method == "GET":
                items = self.comments.get(key, [])
                return 200, items[(page - 1) * per_page : page * per_page]
            comment = {"id": self.new_id(), "body": body["body"], "user": {"login": self.bot_login, "type": "Bot"}}
            self.comments.setdefault(key, []).append(comment)
            return 201, comment
        if (match := re.fullmatch(r"/repos/([^/]+/[^/]+)/issues/comments/(\d+)", path)) and method == "PATCH":
            for comments in self.comments.values():
                for comment in comments:
                    if comment["id"] == int(match[2]):
                        comment["body"] = body["body"]
                        return 200, comment
            return 404, {"message": "Not Found"}
        if match := re.fullmatch(r"/repos/([^/]+/[^/]+)/pulls/(\d+)", path):
            pull = self.pulls.get(f"{match[1]}#{match[2]}")
            return (200, pull) if pull else (404, {"message": "Not Found"})
        if match := re.fullmatch(r"/repos/([^/]+/[^/]+)/issues", path):
            issues = self.issues.setdefault(match[1], [])
            if method == "GET":
                return 200, issues[(page - 1) * per_page : page * per_page]
            issue = {"number": len(issues) + 1, "title": body["title"], "body": body["body"], "state": "open"}
            issues.append(issue)
            return 201, issue
        if (match := re.fullmatch(r"/repos/([^/]+/[^/]+)/activity", path)) and method == "GET":
            if match[1] not in self.activities:
                return 404, {"message": "Not Found"}
            ref = query.get("ref", [""])[0]
            items = [a for a in self.activities[match[1]] if not ref or a["ref"] == ref]
            return 200, items[(page - 1) * per_page : page * per_page]
        if (match := re.fullmatch(r"/repos/([^/]+/[^/]+)/issues/(\d+)", path)) and method == "PATCH":
            for issue in self.issues.get(match[1], []):
                if issue["number"] == int(match[2]):
                    issue.update(body)
                    return 200, issue
        return 404, {"message": "Not Found"}
