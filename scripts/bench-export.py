#!/usr/bin/env python3
"""Export benchmark: the nine built-in channel presets from one 24 MP-sourced master.

Makes synthetic 6000×4000 studio JPEGs, turns each into a master with
`photopiped process`, then runs `photopiped export --all-channels --runs N` on the
master whose product is largest (so no channel refuses it as too small): one
process, one worker's work, release build. amazon-alt normally takes views 2–9
and amazon-main view 1; here amazon-alt is opened to view 1 so one master feeds
all nine. Prints the machine, per-preset median time and bytes, and the median
of the whole export (master decode + nine renders, encodes, writes and
verifications). Measures; asserts nothing.

  scripts/bench-export.py [--runs 9] [--no-build]
"""
import argparse, json, os, statistics, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from bench import machine, sh  # noqa: E402

CATALOG = "sku,asin,gtin,handle,alt_text\n" + "".join(
    f"SKU-{1001 + i},B0BENCH{i:03d},4006381333931,bench-{i},Bench product {i}\n" for i in range(3))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--threads", type=int, default=2, help="export.threads: channels rendered at once")
    a = ap.parse_args()
    if not a.no_build:
        sh("swift", "build", "-c", "release", "--product", "photopiped", cwd=ROOT)
        sh("swift", "build", "-c", "release", "--product", "ppsample", cwd=ROOT)
    daemon = os.path.join(ROOT, ".build/release/photopiped")
    sampler = os.path.join(ROOT, ".build/release/ppsample")
    work = tempfile.mkdtemp(prefix="bench-export-")
    sh(sampler, "--out", f"{work}/in", "--count", "3", "--width", "6000", "--height", "4000", "--views", "1")
    files = sorted(os.path.join(f"{work}/in", f) for f in os.listdir(f"{work}/in"))
    sh(daemon, "process", *files, "--out", f"{work}/masters", "--quiet")
    results = json.load(open(f"{work}/masters/summary.json"))
    best = max(results, key=lambda r: max(r["master"]["retouch"]["frame"]["productBox"][2:]))
    folder = f"{work}/masters/{best['folder']}"
    with open(f"{work}/catalog.csv", "w") as f:
        f.write(CATALOG)
    out = subprocess.run([daemon, "export", folder, "--all-channels", "--runs", str(a.runs), "--json",
                          "--set", f"ingest.catalog={work}/catalog.csv", "--set", "export.preset.amazon-alt.first_view=1",
                          "--set", f"export.threads={a.threads}"],
                         capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"export failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
    report = json.loads(out.stdout)
    m = best["master"]
    box = m["retouch"]["frame"]["productBox"]
    print(f"machine: {machine()}")
    print(f"master: {m['width']}×{m['height']} RGBA (product {box[2]}×{box[3]}), from a 6000×4000 JPEG; "
          f"{os.path.getsize(folder + '/master.tif') / 1e6:.1f} MB zstd TIFF")
    print(f"threads: master decode with {a.threads} libvips threads, then {a.threads} channel(s) at once, one libvips thread each "
          f"(export.threads = {a.threads})")
    print(f"{'preset':20s} {'file':26s} {'ms':>6s} {'bytes':>9s} {'q':>3s} {'fill':>6s}")
    for r in report["rows"]:
        if r.get("issue"):
            print(f"{r['channel']:20s} ISSUE {r['issue']}")
            continue
        print(f"{r['channel']:20s} {r['file']:26s} {r['medianMs']:6.0f} {r['bytes']:9d} {r['quality']:3d} {r['fill']:6.3f}")
    total = list(report["totalMedianMs"].values())[0]
    per = sum(r.get("medianMs") or 0 for r in report["rows"])
    print(f"whole export, median of {a.runs}: {total:.0f} ms (target ≤ 500 ms)")
    print(f"sum of per-preset medians: {per:.0f} ms" + ("" if a.threads > 1 else f"; master decode and set-up {total - per:.0f} ms"))


if __name__ == "__main__":
    main()
