"""`credcat serve`: the preview server injects live reload, waits for builds, and rebuilds on a change."""
from __future__ import annotations

import http.server
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request

from conftest import PROVIDER, TAXONOMY
from generator.serve import TAG, Builds, make_handler
from site_support import AS_OF, PROGRAM, config_copy, write_files


def _get(url: str, timeout: float = 10) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


def test_handler_injects_reload_script_and_waits_for_the_next_build(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a/index.html").write_text("<html><body><p>hi</p></body></html>")
    (tmp_path / "404.html").write_text("<html><body>not here</body></html>")
    builds = Builds()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make_handler(tmp_path, builds))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        status, body = _get(base + "a/")
        assert status == 200 and TAG.decode() + "</body>" in body
        status, script = _get(base + "__credcat/livereload.js")
        assert status == 200 and "location.reload()" in script
        assert _get(base + "__credcat/wait?build=-1")[1] == '{"build": 0}'
        threading.Timer(0.3, builds.bump).start()
        started = time.monotonic()
        assert _get(base + "__credcat/wait?build=0")[1] == '{"build": 1}'
        assert 0.2 < time.monotonic() - started < 5
        status, body = _get(base + "missing/")
        assert status == 404 and "not here" in body and TAG.decode() in body
    finally:
        server.shutdown()
        server.server_close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(check, timeout: float = 90.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return True
        except OSError:
            pass
        time.sleep(0.3)
    return False


def _as_in_a_terminal() -> None:
    """Ctrl+C reaches the child as it would in a terminal, even when this suite runs in the background
    (a shell starts background jobs with SIGINT ignored, and the child would inherit that)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_serve_rebuilds_when_a_record_changes(tmp_path):
    catalog = tmp_path / "catalog"
    write_files(catalog, {"taxonomy/skills.yml": TAXONOMY, "acme/provider.yml": PROVIDER,
                          "acme/credentials/data-program.yml": PROGRAM})
    config = config_copy(tmp_path / "conf", as_of=AS_OF)
    port = _free_port()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "generator.cli", "serve", "--config", str(config), "--catalog", str(catalog),
         "--as-of", AS_OF, "--dev-addr", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=tmp_path,
        preexec_fn=_as_in_a_terminal)
    page = f"http://127.0.0.1:{port}/credentials/acme/data-program/"
    try:
        assert _wait_for(lambda: "Data Program" in _get(page)[1]), "the preview never came up"
        build_before = _get(f"http://127.0.0.1:{port}/__credcat/wait?build=-1")[1]
        record = catalog / "acme/credentials/data-program.yml"
        record.write_text(record.read_text().replace("Data Program", "Renamed Program"))
        assert _wait_for(lambda: "Renamed Program" in _get(page)[1]), "no rebuild after the change"
        # The build number moves once the build has finished (its files can be visible a moment before).
        assert _wait_for(lambda: _get(f"http://127.0.0.1:{port}/__credcat/wait?build=-1")[1] != build_before)
        # A broken record keeps the last good site and says why.
        record.write_text(record.read_text().replace("type: learning-program", "type: nonsense"))
        time.sleep(3)
        assert "Renamed Program" in _get(page)[1]
    finally:
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, output
    assert "Serving on http://127.0.0.1:" in output and "Stopped." in output
    assert "type: expected one of" in output and "Traceback" not in output
