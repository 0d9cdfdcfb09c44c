#!/usr/bin/env python3
"""A throwaway HTTP server for SpoolHandlers tests.

Listens on 127.0.0.1 only, in plain HTTP or, with --tls-cert and --tls-key, in HTTPS. Prints the chosen
port on stdout (one line) once it is listening.
Appends one JSON line per request to --log: method, path, headers, body (base64), client port, arrival
time (Unix seconds, float), and
for requests carrying Standard Webhooks headers whether the signature verifies under each --secret
(computed here with hmac/hashlib, independently of the Swift code).
With --connection-log, appends one line per accepted TCP connection (before any TLS handshake), so a test
can tell that a client never connected at all.

Routes:
  /status/NNN                      answer NNN
  /retry-after/NNN/VALUE           answer NNN with "Retry-After: VALUE" (VALUE as given, e.g. seconds)
  /retry-after-date/NNN/SECONDS    answer NNN with Retry-After as an IMF-fixdate SECONDS from now
  /slow/MS                         wait MS milliseconds, then answer 200
  /big/BYTES                       answer 200 with a BYTES-long body
  /redirect                        answer 302 to /status/200
  /redirect-to?url=URL             answer 302 to URL
  /echo                            answer 200 with the request body
  /files/NAME?ct=TYPE              answer 200 with the bytes of --files-dir/NAME, Content-Type TYPE
  /flaky/NAME                      like /files/NAME, but the first request for NAME announces the full
                                   Content-Length, sends half the bytes and cuts the connection
  /chunked/BYTES                   answer 200 with the /big body, chunked (no Content-Length)
  /stall/MS                        announce 1 MiB, send 1 KiB, wait MS milliseconds, then cut
"""

import argparse
import base64
import email.utils
import hashlib
import hmac
import json
import os
import socket
import ssl
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

    def setup(self):
        if isinstance(self.request, ssl.SSLSocket):
            self.request.do_handshake()  # in this connection's thread, not in the accept loop
        super().setup()

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
            elif parts[:1] == ["files"] and len(parts) == 2:
                self.send_file(parts[1], urllib.parse.parse_qs(url.query).get("ct", ["application/octet-stream"])[0])
            elif parts[:1] == ["flaky"] and len(parts) == 2:
                with self.server.state_lock:
                    first = parts[1] not in self.server.cut_once
                    self.server.cut_once.add(parts[1])
                self.send_file(parts[1], "text/csv", cut=first)
            elif parts[:1] == ["chunked"] and len(parts) == 2:
                self.send_chunked(int(parts[1]))
            elif parts[:1] == ["stall"] and len(parts) == 2:
                self.send_response(200)
                self.send_header("Content-Length", str(1 << 20))
                self.end_headers()
                self.wfile.write(b"x" * 1024)
                self.wfile.flush()
                time.sleep(int(parts[1]) / 1000)
                self.cut()
            elif parts == ["echo"]:
                content_type = self.headers.get("Content-Type") or "application/octet-stream"
                self.answer(200, body, [("Content-Type", content_type), ("X-Echo-Method", self.command)])
            else:
                self.answer(404, b"no such route")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def send_file(self, name, content_type, cut=False):
        path = os.path.join(self.server.files_dir or "", os.path.basename(urllib.parse.unquote(name)))
        if not self.server.files_dir or not os.path.isfile(path):
            self.answer(404, b"no such file")
            return
        with open(path, "rb") as f:
            data = f.read()
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if cut:
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.cut()
        else:
            self.wfile.write(data)

    def cut(self):
        """Drops the connection without finishing the response (no TLS close_notify either)."""
        self.close_connection = True
        try:
            socket.socket.shutdown(self.connection, socket.SHUT_RDWR)
        except OSError:
            pass

    def send_chunked(self, size):
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = bytes(range(256)) * 64  # 16 KiB
        sent = 0
        while sent < size:
            piece = chunk[: min(len(chunk), size - sent)]
            self.wfile.write(b"%x\r\n" % len(piece) + piece + b"\r\n")
            sent += len(piece)
        self.wfile.write(b"0\r\n\r\n")

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
    tls = None
    connection_log = None

    def get_request(self):
        sock, address = self.socket.accept()
        if self.connection_log:
            with self.log_lock:
                with open(self.connection_log, "a") as log:
                    log.write(json.dumps({"client_port": address[1], "time": time.time()}) + "\n")
        if self.tls:
            sock = self.tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, address

    def handle_error(self, request, client_address):  # clients that hang up early are expected
        pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--log", required=True)
    parser.add_argument("--secret", action="append", default=[])
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--files-dir")
    parser.add_argument("--connection-log")
    args = parser.parse_args()

    server = QuietServer(("127.0.0.1", args.port), Handler)
    server.log_path = args.log
    server.log_lock = threading.Lock()
    server.keys = [key_from_secret(s) for s in args.secret]
    server.files_dir = args.files_dir
    server.state_lock = threading.Lock()
    server.cut_once = set()
    if args.tls_cert:
        server.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server.tls.load_cert_chain(args.tls_cert, args.tls_key)
    if args.connection_log:
        server.connection_log = args.connection_log
        open(args.connection_log, "a").close()
    open(args.log, "a").close()
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
