#!/usr/bin/env python3
"""A small webhook receiver for the delivery tests: checks the HMAC-SHA256 signature of
each POST and writes what it got to OUT_DIR/NNN.json ({"valid": bool, "headers": ..., "body": ...}).
The first FAIL_FIRST posts are answered 503 (to exercise retries), the rest 200.

  webhook_receiver.py PORT SECRET OUT_DIR [FAIL_FIRST]
"""
import hashlib, hmac, json, os, sys
from http.server import BaseHTTPRequestHandler, HTTPServer

port, secret, out = int(sys.argv[1]), sys.argv[2].encode(), sys.argv[3]
fail_first = int(sys.argv[4]) if len(sys.argv) > 4 else 0
os.makedirs(out, exist_ok=True)
seen = [0]


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        want = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
        got = self.headers.get("X-Photopipe-Signature", "")
        seen[0] += 1
        status = 503 if seen[0] <= fail_first else (200 if hmac.compare_digest(want, got) else 401)
        record = {"n": seen[0], "status": status, "valid": hmac.compare_digest(want, got),
                  "headers": dict(self.headers), "body": body.decode("utf-8", "replace")}
        with open(os.path.join(out, f".{seen[0]:03d}.tmp"), "w") as f:
            json.dump(record, f)
        os.rename(os.path.join(out, f".{seen[0]:03d}.tmp"), os.path.join(out, f"{seen[0]:03d}.json"))
        self.send_response(status)
        self.end_headers()

    def log_message(self, *args):
        pass


HTTPServer(("127.0.0.1", port), Handler).serve_forever()
