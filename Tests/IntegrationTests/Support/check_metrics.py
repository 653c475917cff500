#!/usr/bin/env python3
"""Reads the daemon's /metrics and parses it as Prometheus would (prometheus_client's own
parser), failing loudly on anything it would not take: a parse error, a family without a TYPE,
the wrong content type. Prints the samples as JSON: sample name -> "label=value,..." -> value.

  check_metrics.py URL [USER PASSWORD]   (HTTP Basic, as Prometheus's basic_auth sends it)
"""
import base64, json, sys, urllib.request

from prometheus_client.parser import text_string_to_metric_families


def main():
    url = sys.argv[1]
    req = urllib.request.Request(url)
    if len(sys.argv) == 4:
        token = base64.b64encode(f"{sys.argv[2]}:{sys.argv[3]}".encode()).decode()
        req.add_header("Authorization", f"Basic {token}")
    with urllib.request.urlopen(req, timeout=30) as r:
        ctype = r.headers.get("Content-Type", "")
        text = r.read().decode("utf-8")
    if not ctype.startswith("text/plain") or "version=0.0.4" not in ctype:
        sys.exit(f"wrong Content-Type for the 0.0.4 text format: {ctype!r}")
    out = {}
    try:
        families = list(text_string_to_metric_families(text))
    except Exception as e:  # the parser raises ValueError and friends: all are failures here
        sys.exit(f"/metrics does not parse: {type(e).__name__}: {e}\n---\n{text}")
    if not families:
        sys.exit("/metrics has no metric families")
    for f in families:
        if f.type == "unknown":
            sys.exit(f"family {f.name} has no TYPE line")
        if not f.documentation:
            sys.exit(f"family {f.name} has no HELP text")
        for s in f.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(s.labels.items()))
            if s.value != s.value or s.value in (float("inf"), float("-inf")):
                sys.exit(f"sample {s.name}{{{labels}}} is {s.value}: the daemon should count, not divide by zero")
            key = out.setdefault(s.name, {})
            if labels in key:
                sys.exit(f"sample {s.name}{{{labels}}} appears twice")
            key[labels] = s.value
    print(json.dumps(out, sort_keys=True))


if __name__ == "__main__":
    main()
