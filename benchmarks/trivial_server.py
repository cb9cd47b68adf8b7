"""A trivial werkzeug server: answers each path it was given with the bytes it was given.

    python benchmarks/trivial_server.py ANSWERS.json

ANSWERS.json maps a request path with its query string to [content type, body]. The server is
the emulator's own (threaded werkzeug, the same request handler) without the emulator: the
reference the emulator's searches are measured against. It prints its base URL, then serves
until terminated.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from zenodo_sync.emulator.server import QuietHandler


def main() -> None:
    answers = {
        path: (content_type, body.encode("utf-8"))
        for path, (content_type, body) in json.loads(Path(sys.argv[1]).read_text()).items()
    }

    @Request.application
    def app(request: Request) -> Response:
        path = request.full_path.rstrip("?")
        content_type, body = answers.get(path, ("text/plain", b"unknown path"))
        return Response(body, content_type=content_type, status=200 if path in answers else 404)

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    server.daemon_threads = True
    host, port = server.server_address[:2]
    print(f"http://{host}:{port}/api", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
