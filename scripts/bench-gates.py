#!/usr/bin/env python3
"""Review-gate benchmark and calibration, release build, one process.

Speed: synthetic 6000×4000 (24 MP) studio JPEGs through `photopiped process`,
several runs; for each file the worker's time for the review measurements
(outline sharpness and stray parts: the `gate-measures` lap; crushed shadows are
counted inside the compose pass and cost nothing apart), the gate evaluation
itself, and the contact-sheet thumbnail, against the whole retouch. Prints
medians over all files and runs.

Calibration: the planted-defect batch (`ppsample --planted`: 100
frames, 1200×800, a blurred one, one too small, clipped highlights, crushed
shadows, cut off at the edge, white on white, a prop on the sweep; the duplicate
needs the daemon's signature index and is tested there) through the same
command; prints which gates each planted frame failed, every clean frame that
failed anything, and each measurement's range on clean frames against the
planted value. Measures; asserts nothing.

  scripts/bench-gates.py [--runs 3] [--files 4] [--no-build]
"""
import argparse, json, os, statistics, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from bench import machine, sh  # noqa: E402


def process(daemon, files, out):
    sh(daemon, "process", *files, "--out", out, "--quiet")
    return json.load(open(f"{out}/summary.json"))


def speed(daemon, work, runs, count):
    sh(sampler, "--out", f"{work}/big", "--count", str(count), "--width", "6000", "--height", "4000", "--views", "1")
    files = sorted(os.path.join(f"{work}/big", f) for f in os.listdir(f"{work}/big"))
    gate, evaluate, thumb, retouch = [], [], [], []
    for run in range(runs):
        for r in process(daemon, files, f"{work}/big-out-{run}"):
            t = r["master"]["retouch"]["timings"]
            gate.append(t.get("gate-measures", 0))
            evaluate.append(r.get("reviewMs", 0))
            thumb.append(t.get("thumbnail", 0))
            retouch.append(sum(v for k, v in t.items() if k not in ("write", "thumbnail")))
    med = statistics.median
    added = [g + e for g, e in zip(gate, evaluate)]
    print(f"24 MP: {count} frames × {runs} runs = {len(gate)} retouches (medians)")
    print(f"  gate measurements in the worker (sharpness, stray parts): {med(gate):7.1f} ms")
    print(f"  gate evaluation (ReviewPolicy.decide)                   : {med(evaluate):7.3f} ms")
    print(f"  added by the gates, per asset                           : {med(added):7.1f} ms  (max {max(added):.1f} ms; target ≤ 100 ms)")
    print(f"  contact-sheet thumbnail (360 px JPEG of the master)     : {med(thumb):7.1f} ms")
    print(f"  the whole retouch, for scale                            : {med(retouch):7.0f} ms  "
          f"(gates {100 * med(added) / med(retouch):.1f}% of it)")


def calibration(daemon, work):
    lines = sh(sampler, "--planted", "--out", f"{work}/planted", "--count", "100", "--width", "1200", "--height", "800",
               ).splitlines()
    planted = {}
    for line in lines:
        parts = line.split("\t")
        name = os.path.splitext(os.path.basename(parts[0]))[0]
        planted[name] = (parts[1], parts[2]) if len(parts) == 3 else None
    files = sorted(os.path.join(f"{work}/planted", f) for f in os.listdir(f"{work}/planted"))
    results = {r["folder"]: r for r in process(daemon, files, f"{work}/planted-out")}

    def failed(r):
        return [g["gate"] for g in (r.get("review") or {}).get("gates", []) if not g["passed"]]

    print("planted-defect batch: 100 frames, 1200×800, in arrival order (the files before each stand in for its batch)")
    caught = 0
    for name, p in sorted(planted.items()):
        if not p or p[0] == "duplicate":
            continue
        f = failed(results[name])
        ok = p[1] in f
        caught += ok
        print(f"  {name:12s} {p[0]:15s} expected {p[1]:11s} failed {','.join(f) or '-':28s} {'caught' if ok else 'MISSED'}")
    clean = [n for n, p in planted.items() if not p]
    alarms = [n for n in clean if failed(results[n])]
    print(f"  caught {caught} of {sum(1 for p in planted.values() if p and p[0] != 'duplicate')}; "
          f"clean frames flagged: {len(alarms)} of {len(clean)} {alarms if alarms else ''}")

    def q(r, key):
        rt = r["master"]["retouch"]
        return rt["quality"][key] if key in rt["quality"] else rt["correction"][key]

    print("  measurement        clean min   clean median  clean max   planted")
    for key, defect in [("sharpness", "blurred"), ("clippedShare", "clipped"), ("crushedShare", "crushed"), ("strayShare", "stray")]:
        values = [q(results[n], key) for n in clean]
        name = next(n for n, p in planted.items() if p and p[0] == defect)
        print(f"  {key:16s} {min(values):11.4g} {statistics.median(values):13.4g} {max(values):11.4g}   "
              f"{q(results[name], key):.4g} ({defect})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--files", type=int, default=4)
    ap.add_argument("--no-build", action="store_true")
    a = ap.parse_args()
    if not a.no_build:
        sh("swift", "build", "-c", "release", "--product", "photopiped", cwd=ROOT)
        sh("swift", "build", "-c", "release", "--product", "ppsample", cwd=ROOT)
    daemon = os.path.join(ROOT, ".build/release/photopiped")
    sampler = os.path.join(ROOT, ".build/release/ppsample")
    work = tempfile.mkdtemp(prefix="bench-gates-")
    print(f"machine: {machine()}")
    speed(daemon, work, a.runs, a.files)
    calibration(daemon, work)


if __name__ == "__main__":
    main()
