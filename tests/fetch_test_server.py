#!/usr/bin/python3
"""The HTTP server the fetch tests download from: stdlib only, 127.0.0.1 only.

Prints its port on the first line of stdout, then serves until killed.
With --tls PEM it serves https with that key and certificate. With --root DIR a
path naming a file below DIR, once percent-decoded and its dot segments resolved
(as a web server does), is that file (text/html for *.html, else text/plain),
before any route below.

  /body/N/NAME           N bytes: "NAME:" repeated, cut to N
  /status/CODE           that status, a short body
  /redirect/K            302 to /redirect/K-1; /redirect/0 answers "arrived"
  /to-file               302 to file:///etc/passwd
  /loop                  302 to itself
  /slow/MS               answers after MS milliseconds; counts requests in flight
  /in-flight             how many /slow requests are in flight now
  /max-in-flight         the most /slow requests in flight at once since last asked
  /huge/N/NAME           streams N bytes; /sent/NAME tells how many went out
  /stall/N/NAME          announces N bytes, sends half of them, then stalls for a minute
  /retry-after/KEY/S/CODE  first request: CODE with Retry-After: S; then 200
  /gzip/N                N bytes of text, gzip-encoded when the client accepts it
  /peer                  the client's port: equal across requests on one connection
  /auth                  the request's Authorization header ("none" without one)
  /headers               the request's headers, one "Name: value" a line
  /redirect-to/PATH      302 to /PATH (query kept)
  /page/ANY?body=B&type=T  B (percent-decoded to bytes) as type T, text/html by default
  /drop                  closes the connection without answering
  anything else          200, the path as the body
"""
import argparse
import gzip
import http.server
import os
import ssl
import sys
import threading
import time
import urllib.parse

lock = threading.Lock()
in_flight = 0
max_in_flight = 0
sent = {}  # /huge name -> [bytes sent, finished]
retried = set()
root = None  # --root DIR


def root_file(path):
    """The file below --root that `path` names, or None."""
    if root is None:
        return None
    name = os.path.realpath(os.path.join(root, urllib.parse.unquote(path).lstrip("/")))
    return name if name.startswith(root + os.sep) and os.path.isfile(name) else None


def pattern_body(n, name):
    unit = (name + ":").encode()
    return (unit * (n // len(unit) + 1))[:n]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once, not 40 ms apart

    def log_message(self, *args):
        pass

    def handle(self):
        try:
            super().handle()
        except ConnectionError:
            pass  # the client hung up mid-body: a fetch with truncate read what it wanted

    def reply(self, code, body=b"", headers=()):
        self.send_response(code)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        if not any(name == "Content-Type" for name, _ in headers):
            self.send_header("Content-Type", "application/octet-stream")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        global in_flight, max_in_flight
        parts = self.path.split("?")[0].split("/")[1:]
        head = parts[0] if parts else ""
        name = root_file(self.path.split("?")[0])
        if name:
            with open(name, "rb") as f:
                body = f.read()
            kind = "text/html" if name.endswith(".html") else "text/plain"
            self.reply(200, body, [("Content-Type", kind)])
        elif head == "body":
            self.reply(200, pattern_body(int(parts[1]), parts[2]))
        elif head == "status":
            self.reply(int(parts[1]), b"status body\n")
        elif head == "redirect":
            k = int(parts[1])
            if k == 0:
                self.reply(200, b"arrived", [("Content-Type", "text/plain")])
            else:
                self.reply(302, b"moved", [("Location", "/redirect/%d" % (k - 1))])
        elif head == "to-file":
            self.reply(302, b"", [("Location", "file:///etc/passwd")])
        elif head == "loop":
            self.reply(302, b"", [("Location", "/loop")])
        elif head == "slow":
            with lock:
                in_flight += 1
                max_in_flight = max(max_in_flight, in_flight)
            time.sleep(int(parts[1]) / 1000)
            with lock:
                in_flight -= 1
            self.reply(200, b"slow")
        elif head == "headers":
            lines = "".join("%s: %s\n" % (k, v) for k, v in self.headers.items())
            self.reply(200, lines.encode(), [("Content-Type", "text/plain")])
        elif head == "redirect-to":
            self.reply(302, b"", [("Location", self.path[len("/redirect-to"):])])
        elif head == "page":
            query = urllib.parse.parse_qs(self.path.partition("?")[2])
            body = urllib.parse.unquote_to_bytes(self.path.partition("body=")[2].split("&")[0])
            kind = query.get("type", ["text/html"])[0]
            self.reply(200, body, [("Content-Type", kind)])
        elif head == "drop":
            self.close_connection = True
        elif head == "auth":
            self.reply(200, self.headers.get("Authorization", "none").encode())
        elif head == "peer":
            self.reply(200, str(self.client_address[1]).encode())
        elif head == "in-flight":
            with lock:
                self.reply(200, str(in_flight).encode())
        elif head == "max-in-flight":
            with lock:
                seen, max_in_flight = max_in_flight, 0
            self.reply(200, str(seen).encode())
        elif head == "huge":
            self.stream(int(parts[1]), parts[2])
        elif head == "stall":
            n, name = int(parts[1]), parts[2]
            self.send_response(200)
            self.send_header("Content-Length", str(n))
            self.end_headers()
            self.wfile.write(pattern_body(n // 2, name))
            self.wfile.flush()
            with lock:
                sent[name] = [n // 2, False]
            time.sleep(60)
            self.close_connection = True
        elif head == "sent":
            with lock:
                count, finished = sent.get(parts[1], [0, False])
            self.reply(200, ("%d %s" % (count, "done" if finished else "running")).encode())
        elif head == "retry-after":
            key, seconds, code = parts[1], parts[2], int(parts[3])
            with lock:
                first = key not in retried
                retried.add(key)
            if first:
                self.reply(code, b"busy", [("Retry-After", seconds)])
            else:
                self.reply(200, b"served after waiting", [("Content-Type", "text/plain")])
        elif head == "gzip":
            text = pattern_body(int(parts[1]), "gz")
            if "gzip" in self.headers.get("Accept-Encoding", ""):
                self.reply(200, gzip.compress(text), [("Content-Encoding", "gzip")])
            else:
                self.reply(200, text)
        else:
            self.reply(200, self.path.encode(), [("Content-Type", "text/plain; charset=utf-8")])

    def stream(self, n, name):
        with lock:
            sent[name] = [0, False]
        self.send_response(200)
        self.send_header("Content-Length", str(n))
        self.end_headers()
        chunk = b"x" * 65536
        try:
            while sent[name][0] < n:
                piece = chunk[: n - sent[name][0]]
                self.wfile.write(piece)
                with lock:
                    sent[name][0] += len(piece)
        except OSError:
            self.close_connection = True
        finally:
            with lock:
                sent[name][1] = True


def main():
    global root
    parser = argparse.ArgumentParser()
    parser.add_argument("--tls", metavar="PEM")
    parser.add_argument("--root", metavar="DIR")
    args = parser.parse_args()
    root = os.path.realpath(args.root) if args.root else None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if args.tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
