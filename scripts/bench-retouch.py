#!/usr/bin/env python3
"""Retouch benchmark: 24 MP JPEG → master, one process, release build.

For each of N synthetic 6000×4000 studio JPEGs: the bare decode of the file
(`vips avg`, the floor), then `photopiped process` on it alone (ingest probe +
retouch + writing master and mask): the stage's own wall time from its summary,
the per-step times, the process's peak RSS, and the master's size on disk.
Prints medians. Measures; asserts nothing.

  scripts/bench-retouch.py [--count 7] [--no-build]
"""
import argparse, json, os, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from bench import machine, sh  # noqa: E402


def run_measured(args):
    t0 = time.perf_counter()
    p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(p.pid, 0)
    if status != 0:
        sys.exit(f"{args[0]} failed: {p.stderr.read().decode()}")
    return time.perf_counter() - t0, usage.ru_maxrss / 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=7)
    ap.add_argument("--no-build", action="store_true")
    a = ap.parse_args()
    if not a.no_build:
        sh("swift", "build", "-c", "release", "--product", "photopiped", cwd=ROOT)
        sh("swift", "build", "-c", "release", "--product", "ppsample", cwd=ROOT)
    daemon = os.path.join(ROOT, ".build/release/photopiped")
    sampler = os.path.join(ROOT, ".build/release/ppsample")
    work = tempfile.mkdtemp(prefix="bench-retouch-")
    sh(sampler, "--out", f"{work}/in", "--count", str(a.count), "--width", "6000", "--height", "4000", "--views", "1")
    files = sorted(os.path.join(f"{work}/in", f) for f in os.listdir(f"{work}/in"))
    decode, stage, rss, size, steps = [], [], [], [], {}
    for f in files:
        decode.append(run_measured(["vips", "avg", f])[0] * 1000)
        out = f"{work}/out-{os.path.basename(f)}"
        _, peak = run_measured([daemon, "process", f, "--out", out, "--quiet"])
        r = json.load(open(f"{out}/summary.json"))[0]
        stage.append(r["totalMs"])
        rss.append(peak)
        folder = f"{out}/{r['folder']}"
        size.append(os.path.getsize(f"{folder}/master.tif") / 1e6)
        for k, v in r["master"]["retouch"]["timings"].items():
            steps.setdefault(k, []).append(v)
        m = r["master"]
    # As a worker does it: one process for every file, the network loaded once (the first file pays).
    warm_out = f"{work}/out-warm"
    run_measured([daemon, "process", *files, "--out", warm_out, "--quiet"])
    warm = json.load(open(f"{warm_out}/summary.json"))
    warm_stage = [r["totalMs"] for r in warm[1:]] or [warm[0]["totalMs"]]
    warm_retouch = [sum(v for k, v in r["master"]["retouch"]["timings"].items() if k not in ("write", "thumbnail"))
                    for r in (warm[1:] or warm)]
    network_ms = [r["master"]["retouch"]["matte"].get("networkMs") for r in (warm[1:] or warm)]
    winners = [r["master"]["retouch"]["matte"].get("winner") or "keying-only" for r in warm]
    # The same warm process with the network off: what the second opinion costs.
    off_out = f"{work}/out-off"
    run_measured([daemon, "process", *files, "--out", off_out, "--quiet", "--set", "retouch.matte_network=off"])
    off = json.load(open(f"{off_out}/summary.json"))
    off_retouch = [sum(v for k, v in r["master"]["retouch"]["timings"].items() if k not in ("write", "thumbnail"))
                   for r in (off[1:] or off)]
    # A real camera RAW frame (Sony ILCE-7RM3 ARW, 18 MP; scripts/fetch-raw-samples.sh), three times in one process.
    raw = os.path.join(ROOT, ".cache/raw-samples/full/_DSC2164.ARW")
    raw_ms = []
    if os.path.exists(raw):
        raw_out = f"{work}/out-raw"
        _, raw_peak = run_measured([daemon, "process", raw, raw, raw, "--out", raw_out, "--quiet"])
        raw_ms = [r["totalMs"] for r in json.load(open(f"{raw_out}/summary.json"))]
    med = statistics.median
    print(f"machine: {machine()}")
    print(f"input: {len(files)} synthetic 6000×4000 JPEGs (q92), one process each, libvips threads = 1")
    print(f"bare decode (vips avg, incl. process start): median {med(decode):.0f} ms")
    print(f"ingest + retouch + write, stage wall:        median {med(stage):.0f} ms  (min {min(stage):.0f}, max {max(stage):.0f})")
    print(f"ratio stage / decode: {med(stage) / med(decode):.2f}")
    for k in sorted(steps):
        print(f"  {k:28s} median {med(steps[k]):6.1f} ms")
    print(f"peak RSS of the process: median {med(rss):.0f} MB, max {max(rss):.0f} MB")
    print(f"one process for all files, as a worker (network loaded once, first file left out):")
    print(f"  ingest + retouch + write: median {med(warm_stage):.0f} ms; retouch alone (decode to master in memory): median {med(warm_retouch):.0f} ms")
    if all(v is not None for v in network_ms):
        print(f"  network run (beside keying, not added to the above): median {med(network_ms):.0f} ms; mattes used: "
              + ", ".join(f"{w} {winners.count(w)}" for w in sorted(set(winners))))
    else:
        print("  network: not installed or off (scripts/fetch-matte-model.sh)")
    print(f"  the same with retouch.matte_network=off: retouch alone median {med(off_retouch):.0f} ms "
          f"(network on / off: {med(warm_retouch) / med(off_retouch):.2f})")
    if raw_ms:
        print(f"RAW: 5184×3464 (18.0 MP) Sony ARW → master, ingest + develop + retouch + write: median {med(raw_ms):.0f} ms "
              f"of 3 in one process ({med(raw_ms) / 18.0 * 24:.0f} ms scaled to 24 MP), peak RSS {raw_peak:.0f} MB")
    print(f"master on disk: median {med(size):.1f} MB ({m['width']}×{m['height']} RGBA, zstd TIFF) + mask PNG")


if __name__ == "__main__":
    main()
