"""A real git server on the loopback for tests: git's smart HTTP (`git http-backend`, run as CGI)
behind a tiny threaded http.server, on 127.0.0.1 and a free port."""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def _handler(root: Path) -> type[BaseHTTPRequestHandler]:
    class GitCgi(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._run_backend()

        def do_POST(self) -> None:
            self._run_backend()

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
            pass

        def _body(self) -> bytes:
            if self.headers.get("Transfer-Encoding", "").lower() != "chunked":
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))
            chunks = []
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            self.rfile.readline()
            return b"".join(chunks)

        def _run_backend(self) -> None:
            path, _, query = self.path.partition("?")
            body = self._body()
            env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/"), "GIT_CONFIG_NOSYSTEM": "1",
                   "GIT_PROJECT_ROOT": str(root), "GIT_HTTP_EXPORT_ALL": "1", "REMOTE_USER": "tester",
                   "REMOTE_ADDR": "127.0.0.1", "REQUEST_METHOD": self.command, "PATH_INFO": path,
                   "QUERY_STRING": query, "CONTENT_TYPE": self.headers.get("Content-Type", ""),
                   "CONTENT_LENGTH": str(len(body))}
            for name in ("Content-Encoding", "Git-Protocol"):
                if name in self.headers:
                    env["HTTP_" + name.upper().replace("-", "_")] = self.headers[name]
            done = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True, check=False)
            self._reply(done.stdout)

        def _reply(self, output: bytes) -> None:
            ends = [(at, len(sep)) for sep in (b"\r\n\r\n", b"\n\n") if (at := output.find(sep)) >= 0]
            at, width = min(ends) if ends else (len(output), 0)
            head, payload = output[:at], output[at + width:]
            headers = [line.split(b":", 1) for line in head.replace(b"\r", b"").split(b"\n") if b":" in line]
            status = next((int(v.split()[0]) for k, v in headers if k.lower() == b"status"), 200)
            self.send_response(status)
            for key, value in headers:
                if key.lower() != b"status":
                    self.send_header(key.decode(), value.strip().decode())
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return GitCgi


@contextmanager
def git_http_server(root: Path) -> Iterator[str]:
    """Serve the bare repositories under `root`; yields the base URL (`http://127.0.0.1:PORT`)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(root))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
