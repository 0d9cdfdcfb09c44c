#!/usr/bin/env python3
"""A throwaway HTTP server for SpoolHandlers tests.

Listens on 127.0.0.1 only. Prints the chosen port on stdout (one line) once it is listening.
Appends one JSON line per request to --log: method, path, headers, body (base64), client port, arrival
time (Unix seconds, float), and
for requests carrying Standard Webhooks headers whether the signature verifies under each --secret
(computed here with hmac/hashlib, independently of the Swift code).

Routes:
  /status/NNN                      answer NNN
  /retry-after/NNN/VALUE           answer NNN with "Retry-After: VALUE" (VALUE as given, e.g. seconds)
  /retry-after-date/NNN/SECONDS    answer NNN with Retry-After as an IMF-fixdate SECONDS from now
  /slow/MS                         wait MS milliseconds, then answer 200
  /big/BYTES                       answer 200 with a BYTES-long body
  /redirect                        answer 302 to /status/200
  /redirect-to?url=URL             answer 302 to URL
  /echo                            answer 200 with the request body
"""

import argparse
import base64
import email.utils
import hashlib
import hmac
import json
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def key_from_secret(secret):
    if secret.startswith("whsec_"):
        secret = secret[len("whsec_"):]
    return base64.b64decode(secret)


def verify(keys, headers, body):
    """Standard Webhooks: base64(HMAC-SHA256(key, f"{id}.{timestamp}.".encode() + body)) after "v1,"."""
    msg_id = headers.get("webhook-id")
    timestamp = headers.get("webhook-timestamp")
    signature = headers.get("webhook-signature")
    if msg_id is None or timestamp is None or signature is None:
        return None
    offered = [part.split(",", 1)[1] for part in signature.split(" ") if part.startswith("v1,")]
    content = f"{msg_id}.{timestamp}.".encode() + body
    results = []
    for key in keys:
        expected = base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()
        results.append(any(hmac.compare_digest(expected, sig) for sig in offered))
    return results


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "SpoolTestServer"

    def log_message(self, format, *args):  # keep stderr quiet
        pass

    def record(self, body):
        entry = {
            "method": self.command,
            "path": self.path,
            "headers": [[k, v] for k, v in self.headers.items()],
            "body": base64.b64encode(body).decode(),
            "client_port": self.client_address[1],
            "signature_valid": verify(self.server.keys, self.headers, body),
            "time": time.time(),
        }
        with self.server.log_lock:
            with open(self.server.log_path, "a") as log:
                log.write(json.dumps(entry) + "\n")

    def answer(self, status, body=b"", headers=()):
        if status < 200 or status in (204, 304):
            body = b""  # these statuses never carry a body (RFC 9110)
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if status >= 200 and status not in (204, 304):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.record(body)
        url = urllib.parse.urlsplit(self.path)
        parts = [p for p in url.path.split("/") if p]
        try:
            if parts[:1] == ["status"] and len(parts) == 2:
                status = int(parts[1])
                self.answer(status, f"status {status}".encode(), [("Content-Type", "text/plain")])
            elif parts[:1] == ["retry-after"] and len(parts) == 3:
                self.answer(int(parts[1]), b"later", [("Retry-After", urllib.parse.unquote(parts[2]))])
            elif parts[:1] == ["retry-after-date"] and len(parts) == 3:
                when = email.utils.formatdate(time.time() + int(parts[2]), usegmt=True)
                self.answer(int(parts[1]), b"later", [("Retry-After", when)])
            elif parts[:1] == ["slow"] and len(parts) == 2:
                time.sleep(int(parts[1]) / 1000)
                self.answer(200, b"slow done")
            elif parts[:1] == ["big"] and len(parts) == 2:
                self.send_big(int(parts[1]))
            elif parts == ["redirect"]:
                self.answer(302, b"", [("Location", "/status/200")])
            elif parts == ["redirect-to"]:
                target = urllib.parse.parse_qs(url.query).get("url", ["/status/200"])[0]
                self.answer(302, b"", [("Location", target)])
            elif parts == ["echo"]:
                content_type = self.headers.get("Content-Type") or "application/octet-stream"
                self.answer(200, body, [("Content-Type", content_type), ("X-Echo-Method", self.command)])
            else:
                self.answer(404, b"no such route")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def send_big(self, size):
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        chunk = bytes(range(256)) * 64  # 16 KiB
        sent = 0
        while sent < size:
            piece = chunk[: min(len(chunk), size - sent)]
            self.wfile.write(piece)
            sent += len(piece)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = handle_any


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):  # clients that hang up early are expected
        pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--log", required=True)
    parser.add_argument("--secret", action="append", default=[])
    args = parser.parse_args()

    server = QuietServer(("127.0.0.1", args.port), Handler)
    server.log_path = args.log
    server.log_lock = threading.Lock()
    server.keys = [key_from_secret(s) for s in args.secret]
    open(args.log, "a").close()
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
