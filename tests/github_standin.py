"""A stand-in for the few GitHub REST API endpoints zsync uses: a pull request's comments.

A werkzeug server on 127.0.0.1 (a test tool, not part of zsync). It keeps comments in
memory, pages listings with a Link header as GitHub does (`page_size` small, so tests cross
pages), checks the bearer token, and answers 403 with GitHub's wording to a read-only token.

    with github_standin(token="t") as github:
        github.url            # GITHUB_API_URL
        github.comments(7)    # the bodies of pull request 7's comments, oldest first
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

READ_ONLY = "Resource not accessible by integration"


@dataclass
class GitHubStandIn:
    token: str
    read_only_tokens: frozenset[str] = frozenset()
    page_size: int = 2
    url: str = ""
    _comments: dict[int, dict[str, Any]] = field(default_factory=dict)  # id -> comment
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1001))
    requests: list[tuple[str, str]] = field(default_factory=list)
    _mutex: threading.Lock = field(default_factory=threading.Lock)

    def comments(self, number: int) -> list[str]:
        with self._mutex:
            return [c["body"] for c in self._comments.values() if c["issue"] == number]

    def add_comment(self, number: int, body: str) -> None:
        """A comment someone else wrote (a reviewer, another bot)."""
        with self._mutex:
            comment_id = next(self._ids)
            self._comments[comment_id] = {"id": comment_id, "issue": number, "body": body}

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        response = self._answer(request)
        return response(environ, start_response)

    def _answer(self, request: Request) -> Response:
        self.requests.append((request.method, request.full_path.rstrip("?")))
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else None
        if token not in {self.token, *self.read_only_tokens}:
            return _json({"message": "Bad credentials"}, 401)
        writes = request.method in ("POST", "PATCH", "DELETE")
        if writes and token in self.read_only_tokens:
            return _json({"message": READ_ONLY}, 403)
        listing = re.fullmatch(r"/repos/[^/]+/[^/]+/issues/(\d+)/comments", request.path)
        one = re.fullmatch(r"/repos/[^/]+/[^/]+/issues/comments/(\d+)", request.path)
        with self._mutex:
            if listing and request.method == "GET":
                return self._page(request, int(listing.group(1)))
            if listing and request.method == "POST":
                comment_id = next(self._ids)
                body = json.loads(request.get_data(as_text=True))["body"]
                self._comments[comment_id] = {"id": comment_id, "issue": int(listing.group(1)), "body": body}
                return _json(self._public(comment_id), 201)
            if one and int(one.group(1)) in self._comments:
                comment_id = int(one.group(1))
                if request.method == "PATCH":
                    self._comments[comment_id]["body"] = json.loads(request.get_data(as_text=True))["body"]
                    return _json(self._public(comment_id), 200)
                if request.method == "DELETE":
                    del self._comments[comment_id]
                    return Response(status=204)
        return _json({"message": "Not Found"}, 404)

    def _page(self, request: Request, number: int) -> Response:
        everything = [self._public(i) for i, c in self._comments.items() if c["issue"] == number]
        size = min(int(request.args.get("per_page", 30)), self.page_size)
        page = int(request.args.get("page", 1))
        response = _json(everything[(page - 1) * size : page * size], 200)
        if page * size < len(everything):
            next_url = f"{self.url}{request.path}?per_page={size}&page={page + 1}"
            response.headers["Link"] = f'<{next_url}>; rel="next"'
        return response

    def _public(self, comment_id: int) -> dict[str, Any]:
        comment = self._comments[comment_id]
        return {
            "id": comment_id,
            "body": comment["body"],
            "html_url": f"https://github.example/pull/{comment['issue']}#issuecomment-{comment_id}",
        }


def _json(value: Any, status: int) -> Response:
    return Response(json.dumps(value), status=status, content_type="application/json")


@contextmanager
def github_standin(token: str, **options: Any) -> Iterator[GitHubStandIn]:
    app = GitHubStandIn(token=token, **options)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app
    finally:
        server.shutdown()
        thread.join(timeout=10)
