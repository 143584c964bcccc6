"""`credcat serve`: a local preview that rebuilds on change and reloads open pages.

The preview is a normal build (same stages, same atomic swap) into a temporary folder. HTML
responses get one extra script tag, a file served by this server, because the site's
Content-Security-Policy forbids inline script: it long-polls /__credcat/wait and reloads when the
build number changes. A failed rebuild prints its problems and keeps the last good site.
"""
from __future__ import annotations

import http.server
import json
import shutil
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import click

RELOAD_JS = (b"(function(){var n=null;function poll(){fetch('/__credcat/wait?build='+(n===null?-1:n))"
             b".then(function(r){return r.json()}).then(function(d){if(n!==null&&d.build!==n){location.reload();return}"
             b"n=d.build;poll()}).catch(function(){setTimeout(poll,1000)})}poll()})();\n")
TAG = b'<script src="/__credcat/livereload.js" defer></script>'
DEBOUNCE = 0.3


class Builds:
    """The number of the last finished build, and a way to wait for the next."""

    def __init__(self) -> None:
        self.number = 0
        self.changed = threading.Condition()

    def bump(self) -> None:
        """A build finished: wake every waiting page."""
        with self.changed:
            self.number += 1
            self.changed.notify_all()

    def wait(self, seen: int, timeout: float = 25.0) -> int:
        """The build number once it differs from `seen` (or after `timeout`); at once when `seen` is -1."""
        with self.changed:
            if seen >= 0:
                self.changed.wait_for(lambda: self.number != seen, timeout=timeout)
            return self.number


def make_handler(folder: Path, builds: Builds) -> type[http.server.SimpleHTTPRequestHandler]:
    """A request handler serving `folder`, with the live-reload script and wait endpoint."""

    class Handler(http.server.SimpleHTTPRequestHandler):
        """Static files, plus the reload script, the wait endpoint and the 404 page."""

        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, directory=str(folder), **kwargs)

        def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
            """Quiet: one line per request would drown the build output."""
            pass

        def do_GET(self) -> None:  # noqa: N802 - stdlib name
            """Serve a file, injecting the reload script into HTML."""
            url = urlsplit(self.path)
            if url.path == "/__credcat/livereload.js":
                return self._send(200, "text/javascript", RELOAD_JS)
            if url.path == "/__credcat/wait":
                seen = int((parse_qs(url.query).get("build") or ["-1"])[0] or -1)
                return self._send(200, "application/json", json.dumps({"build": builds.wait(seen)}).encode())
            target = Path(self.translate_path(self.path))
            if target.is_dir() and url.path.endswith("/"):
                target = target / "index.html"
            if target.suffix == ".html" and target.is_file():
                body = target.read_bytes().replace(b"</body>", TAG + b"</body>", 1)
                return self._send(200, "text/html; charset=utf-8", body)
            if not target.exists() and (folder / "404.html").is_file():
                body = (folder / "404.html").read_bytes().replace(b"</body>", TAG + b"</body>", 1)
                return self._send(404, "text/html; charset=utf-8", body)
            return super().do_GET()

        def _send(self, status: int, kind: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

    return Handler


def watched_paths(config_file: Path, catalog: Path | None) -> list[tuple[Path, bool]]:
    """(path, recursive) of what a change should rebuild: config file, catalog, docs, theme."""
    from .build import read_config
    from .render import THEME_DIR

    mk, config = read_config(config_file, catalog=catalog)
    return [(config_file.resolve().parent, False), (config.catalog.resolve(), True),
            (Path(mk["docs_dir"]).resolve(), True), (THEME_DIR.resolve(), True)]


def serve_site(config_file: Path, *, catalog: Path | None, as_of: str | None, host: str, port: int,
               out: Path | None) -> int:
    """Build, serve and watch until interrupted; return the exit status."""
    from watchdog.events import FileSystemEvent, FileSystemEventHandler
    from watchdog.observers import Observer

    from .build_cli import progress_for, run_build
    from .errors import UsageError

    scratch = None if out else Path(tempfile.mkdtemp(prefix="credcat-serve-"))
    folder = (out or scratch / "site").resolve()  # type: ignore[operator]
    builds = Builds()

    def rebuild() -> int:
        """Build into the preview folder and tell the pages."""
        # One process: this one has server and watcher threads, which forking would copy half-way.
        status = run_build(config_file, catalog=catalog, out=folder, as_of=as_of, strict=False, quiet=False,
                           progress=progress_for(False), jobs=1)
        builds.bump()
        return status

    if rebuild() == 2:
        return 2
    try:
        watched = watched_paths(config_file, catalog)
    except UsageError as exc:
        click.echo(str(exc), err=True)
        return 2
    pending = threading.Event()

    class OnChange(FileSystemEventHandler):
        """Marks a rebuild as due when a watched file changes."""

        def on_any_event(self, event: FileSystemEvent) -> None:
            """Ignore the preview's own output, editor droppings and other files beside the config."""
            path = Path(str(event.src_path)).resolve()
            if folder in path.parents or path == folder or path.name.startswith((".", "~")) or "__pycache__" in path.parts:
                return
            if path.parent == config_file.resolve().parent and path != config_file.resolve():
                return  # only the config file itself, in its folder
            pending.set()

    observer = Observer()
    for path, recursive in watched:
        if path.exists():
            observer.schedule(OnChange(), str(path), recursive=recursive)
    observer.start()
    server = http.server.ThreadingHTTPServer((host, port), make_handler(folder, builds))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    click.echo(f"Serving on http://{host}:{server.server_address[1]}/ (Ctrl+C to stop); rebuilding on changes.")
    try:
        while True:
            if pending.wait(timeout=0.5):
                time.sleep(DEBOUNCE)
                pending.clear()
                rebuild()
    except KeyboardInterrupt:
        click.echo("Stopped.")
    finally:
        observer.stop()
        server.shutdown()
        server.server_close()
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    return 0
