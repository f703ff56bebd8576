#!/usr/bin/env python3
"""WebKitGTK's WebDriver for `wasm-pack test --safari` (scripts/browser-test.sh passes this as --safaridriver).

The test runner opens Safari sessions with empty capabilities (it reads webdriver.json only for Chrome and
Firefox), and an empty session makes WebKitWebDriver start MiniBrowser with `--automation` alone: no autoplay
(AudioContext.resume() never settles) and no capture device (getUserMedia fails). This script is started by
the runner as `webkit-driver.py --port=N`; it runs the real WebKitWebDriver on another local port and relays
every request to it, adding the `webkitgtk:browserOptions` of webdriver.json to the new-session request.

Environment: WASM_BINDGEN_TEST_WEBDRIVER_JSON (default: the repository's webdriver.json),
WEBKIT_WEBDRIVER (default: WebKitWebDriver on PATH). Standard library only.
"""
import ctypes
import glob
import http.client
import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def browser_options():
    """The webkitgtk:browserOptions of webdriver.json, with MiniBrowser's path found on this machine."""
    path = os.environ.get("WASM_BINDGEN_TEST_WEBDRIVER_JSON") or os.path.join(ROOT, "webdriver.json")
    with open(path) as f:
        options = json.load(f)["webkitgtk:browserOptions"]
    if not os.path.exists(options.get("binary", "")):
        found = sorted(glob.glob("/usr/lib/*/webkit2gtk-4.*/MiniBrowser"))
        if not found:
            sys.exit("webkit-driver: MiniBrowser not found (apt-get install webkit2gtk-driver)")
        options["binary"] = found[-1]
    return options


def unused_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, child):
    for _ in range(200):
        if child.poll() is not None:
            sys.exit(f"webkit-driver: WebKitWebDriver exited with {child.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    sys.exit("webkit-driver: WebKitWebDriver did not start listening")


listen_port = 4444
for arg in sys.argv[1:]:
    if arg.startswith("--port="):
        listen_port = int(arg.split("=", 1)[1])
OPTIONS = browser_options()
DRIVER = os.environ.get("WEBKIT_WEBDRIVER") or shutil.which("WebKitWebDriver") or "/usr/bin/WebKitWebDriver"
DRIVER_PORT = unused_port()


def end_with_this_relay():
    # PR_SET_PDEATHSIG (1): the driver gets SIGTERM when this relay dies, even by SIGKILL (the runner's way).
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)


driver = subprocess.Popen([DRIVER, f"--port={DRIVER_PORT}"], preexec_fn=end_with_this_relay)


def stop_driver(*_):
    driver.terminate()
    try:
        driver.wait(timeout=5)
    except subprocess.TimeoutExpired:
        driver.kill()
    sys.exit(0)


signal.signal(signal.SIGTERM, stop_driver)
signal.signal(signal.SIGINT, stop_driver)
wait_listening(DRIVER_PORT, driver)


class Relay(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def relay(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        if self.command == "POST" and self.path.rstrip("/") == "/session":
            request = json.loads(body or b"{}")
            request.pop("desiredCapabilities", None)
            caps = request.setdefault("capabilities", {}).setdefault("alwaysMatch", {})
            caps["webkitgtk:browserOptions"] = OPTIONS
            body = json.dumps(request).encode()
        upstream = http.client.HTTPConnection("127.0.0.1", DRIVER_PORT, timeout=900)
        upstream.request(self.command, self.path, body=body,
                         headers={"Content-Type": "application/json"} if body is not None else {})
        reply = upstream.getresponse()
        data = reply.read()
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.getheader("Content-Type", "application/json"))
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_DELETE = relay

    def log_message(self, *_):
        pass


try:
    http.server.ThreadingHTTPServer(("127.0.0.1", listen_port), Relay).serve_forever()
finally:
    stop_driver()
