#!/usr/bin/env python3
"""Does generation slow the packshots? A real photopiped (release build) takes the same drop
twice: once with no [generate] rule, once with a rule giving every SKU's packshot two scene
variants on the example plates. It prints the seconds until the last packshot is exported in
each run and their ratio, and when the last variant was waiting in review.

  scripts/bench-generate-stage.py [--count 24] [--width 2000] [--height 1500] [--no-build]
"""
import argparse, os, shutil, subprocess, tempfile, time

import importlib.util
spec = importlib.util.spec_from_file_location("bench", os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench.py"))
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


def run(bin_dir, base, shots, extra):
    d = bench.Daemon(bin_dir, base, settle=0.3, extra=extra)
    names = sorted(os.listdir(shots))
    os.makedirs(f"{d.root}/inbox/drop")
    staged = f"{d.base}/camera"
    shutil.copytree(shots, staged)
    t0 = time.time()
    for n in names:
        os.rename(f"{staged}/{n}", f"{d.root}/inbox/drop/{n}")   # same filesystem: one rename each
    done = bench.wait_exported(d, names, {n: t0 for n in names}, poll=0.05)
    packshots = max(done.values()) if len(done) == len(names) else float("nan")
    variants = None
    if extra:
        want = 2 * sum(1 for n in names if "_01." in n)   # only each SKU's first view gets variants
        deadline = time.time() + 600
        while time.time() < deadline:
            held = [e for e in os.listdir(f"{d.root}/review") if os.path.exists(f"{d.root}/review/{e}/scene.jpg")]
            if len(held) >= want:
                variants = time.time() - t0
                break
            time.sleep(0.1)
    d.stop()
    return packshots, variants


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=24)
    ap.add_argument("--width", type=int, default=2000)
    ap.add_argument("--height", type=int, default=1500)
    ap.add_argument("--no-build", action="store_true")
    a = ap.parse_args()
    if not a.no_build:
        subprocess.run(["swift", "build", "-c", "release"], cwd=bench.ROOT, check=True, capture_output=True)
    bin_dir = bench.sh("swift", "build", "-c", "release", "--show-bin-path", cwd=bench.ROOT).strip()
    base = tempfile.mkdtemp(prefix="photopipe-bench-gen-")
    print(f"machine: {bench.machine()}")
    print(f"build: release; workers = 2; {a.count} synthetic {a.width}x{a.height} shots; channel: default (2000x2000)")
    shots = f"{base}/shots"
    bench.sh(f"{bin_dir}/ppsample", "--out", shots, "--count", str(a.count), "--width", str(a.width), "--height", str(a.height))
    plates = os.path.join(bench.ROOT, "examples", "plates")
    rule = (f'[generate]\nplates = "{plates}"\n[generate.rule.every]\nsku_pattern = "*"\nvariants = 2\n')
    plain, _ = run(bin_dir, f"{base}/plain", shots, "")
    gen, variants = run(bin_dir, f"{base}/gen", shots, rule)
    print(f"last packshot exported, no generation:        {plain:7.1f} s")
    print(f"last packshot exported, 2 variants per SKU:   {gen:7.1f} s   (ratio {gen / plain:.3f})")
    print(f"last of the variants waiting for a person:    " + (f"{variants:7.1f} s" if variants else "not all made within 600 s"))
    shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
