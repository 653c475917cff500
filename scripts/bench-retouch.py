#!/usr/bin/env python3
"""Retouch benchmark: 24 MP JPEG → master, one process, release build.

For each of N synthetic 6000×4000 studio JPEGs: the bare decode of the file
(`vips avg`, the floor), then `photopiped process` on it alone (ingest probe +
retouch + writing master and mask): the stage's own wall time from its summary,
the per-step times, the process's peak RSS, and the master's size on disk.
Prints medians. Measures; asserts nothing.

RAW: a real 18 MP Sony ARW (scripts/fetch-raw-samples.sh), and a 24 MP DNG made here by
construction from the first studio frame (no real 24 MP camera RAW is at hand): an uncompressed
14-bit RGGB mosaic of the frame taken back to linear light and divided by the white-balance
multipliers, so that LibRaw with the camera's white balance develops the studio frame again.
Its master is compared with the JPEG's master of the same frame. Needs numpy and Pillow.

  scripts/bench-retouch.py [--count 7] [--no-build]
"""
import argparse, json, os, statistics, struct, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from bench import machine, sh  # noqa: E402


# ---- A 24 MP camera RAW by construction -------------------------------------------------------
import numpy as np  # noqa: E402


# LibRaw's (dcraw's) output curve with its defaults gamm = {0.45, 4.5}: BT.709's shape.
def _libraw_gamma():
    g0, g1 = 0.45, 4.5
    bnd = [0.0, 1.0]
    g2 = 0.0
    for _ in range(48):
        g2 = (bnd[0] + bnd[1]) / 2
        bnd[int(((g2 / g1) ** -g0 - 1) / g0 - 1 / g2 > -1)] = g2
    g3 = g2 / g1
    g4 = g2 * (1 / g0 - 1)
    return g0, g1, g2, g3, g4


def libraw_linear(v):
    """Inverse of LibRaw's output curve: 0-1 encoded → 0-1 linear."""
    g0, g1, g2, g3, g4 = _libraw_gamma()
    return np.where(v < g2, v / g1, ((v + g4) / (1 + g4)) ** (1 / g0))


# LibRaw's XYZ←sRGB (D65); its inverse as ColorMatrix1 makes camera space = linear sRGB.
XYZ_RGB = np.array([[0.412453, 0.357580, 0.180423], [0.212671, 0.715160, 0.072169], [0.019334, 0.119193, 0.950227]])


def write_dng(rgb, path, wb=(2.1, 1.0, 1.55), black=512, white=16383, make="Photopipe", model="Synthetic 24MP"):
    """An uncompressed RGGB Bayer DNG (14 bits in 16-bit samples, one strip) that LibRaw, with the camera's
    white balance `wb` (R, G, B multipliers) and the embedded matrix, develops back to `rgb` (H×W×3 uint8,
    taken as LibRaw's output encoding; its automatic brightening then scales the whole frame evenly)."""
    h, w, _ = rgb.shape
    lin = libraw_linear(rgb.astype(np.float32) / 255).astype(np.float32)
    cfa = np.empty((h, w), np.float32)
    cfa[0::2, 0::2] = lin[0::2, 0::2, 0] / wb[0]
    cfa[0::2, 1::2] = lin[0::2, 1::2, 1] / wb[1]
    cfa[1::2, 0::2] = lin[1::2, 0::2, 1] / wb[1]
    cfa[1::2, 1::2] = lin[1::2, 1::2, 2] / wb[2]
    data = (black + np.clip(cfa, 0, 1) * (white - black) + 0.5).astype("<u2").tobytes()
    entries = []

    def tag(t, typ, values):   # typ: 1 BYTE, 2 ASCII, 3 SHORT, 4 LONG, 5 RATIONAL, 10 SRATIONAL
        if typ == 2:
            values = list(values.encode() + b"\0")
        flat = [x for v in values for x in (v if isinstance(v, tuple) else (v,))]
        code = {1: "B", 2: "B", 3: "H", 4: "I", 5: "I", 10: "i"}[typ]
        entries.append((t, typ, len(values), struct.pack(f"<{len(flat)}{code}", *flat)))

    tag(254, 4, [0])                        # NewSubFileType: the main image
    tag(256, 4, [w]); tag(257, 4, [h])
    tag(258, 3, [16]); tag(259, 3, [1])     # 16-bit samples, uncompressed
    tag(262, 3, [32803])                    # PhotometricInterpretation: CFA
    tag(271, 2, make); tag(272, 2, model)
    tag(273, 4, [0])                        # StripOffsets, set below
    tag(274, 3, [1])                        # Orientation: as shot
    tag(277, 3, [1]); tag(278, 4, [h]); tag(279, 4, [len(data)])
    tag(284, 3, [1])
    tag(305, 2, "photopipe bench-retouch")
    tag(306, 2, "2024:05:01 10:00:00")
    tag(33421, 3, [2, 2])                   # CFARepeatPatternDim
    tag(33422, 1, [0, 1, 1, 2])             # CFAPattern: R G / G B
    tag(50706, 1, [1, 4, 0, 0])             # DNGVersion
    tag(50707, 1, [1, 1, 0, 0])             # DNGBackwardVersion
    tag(50708, 2, f"{make} {model}")        # UniqueCameraModel
    tag(50714, 4, [black]); tag(50717, 4, [white])
    # ColorMatrix1 (XYZ → camera) = LibRaw's sRGB → XYZ inverted: the camera's space is linear sRGB.
    tag(50721, 10, [(round(v * 10000), 10000) for v in np.linalg.inv(XYZ_RGB).flatten()])
    tag(50728, 5, [(round(10000 / m), 10000) for m in wb])   # AsShotNeutral
    tag(50778, 3, [21])                     # CalibrationIlluminant1: D65
    entries.sort()
    extra_at = 8 + 2 + 12 * len(entries) + 4
    ifd, blobs = bytearray(struct.pack("<H", len(entries))), bytearray()
    for t, typ, count, payload in entries:
        if len(payload) <= 4:
            ifd += struct.pack("<HHI", t, typ, count) + payload.ljust(4, b"\0")
        else:
            ifd += struct.pack("<HHII", t, typ, count, extra_at + len(blobs))
            blobs += payload + b"\0" * (len(payload) % 2)
    ifd += struct.pack("<I", 0)
    strip_at = (extra_at + len(blobs) + 15) // 16 * 16
    at = 2 + 12 * [e[0] for e in entries].index(273) + 8
    ifd[at:at + 4] = struct.pack("<I", strip_at)
    with open(path, "wb") as f:
        f.write(b"II*\0" + struct.pack("<I", 8) + ifd + blobs)
        f.write(b"\0" * (strip_at - f.tell()))
        f.write(data)


def _lab(rgb):
    c = rgb / 255.0
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    xyz = lin @ np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]).T
    xyz /= np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], -1)


def compare_masters(a_path, a_crop, b_path, b_crop):
    """Two RGBA masters of one frame at scale 1, aligned by their crops (x, y in the source): mean |ΔRGB| on white
    over the overlap, and mean / p95 ΔE76 where both are opaque product."""
    from PIL import Image
    a = np.asarray(Image.open(a_path)).astype(np.float64)
    b = np.asarray(Image.open(b_path)).astype(np.float64)
    x0, y0 = max(a_crop[0], b_crop[0]), max(a_crop[1], b_crop[1])
    x1, y1 = min(a_crop[0] + a_crop[2], b_crop[0] + b_crop[2]), min(a_crop[1] + a_crop[3], b_crop[1] + b_crop[3])
    a = a[y0 - a_crop[1]:y1 - a_crop[1], x0 - a_crop[0]:x1 - a_crop[0]]
    b = b[y0 - b_crop[1]:y1 - b_crop[1], x0 - b_crop[0]:x1 - b_crop[0]]
    def on_white(m): return m[..., :3] * m[..., 3:] / 255 + 255 * (1 - m[..., 3:] / 255)
    mad = np.abs(on_white(a) - on_white(b)).mean()
    solid = (a[..., 3] == 255) & (b[..., 3] == 255)
    de = np.linalg.norm(_lab(a[..., :3][solid]) - _lab(b[..., :3][solid]), axis=-1)
    return mad, de.mean(), np.percentile(de, 95)


def run_measured(args):
    t0 = time.perf_counter()
    p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(p.pid, 0)
    if status != 0:
        sys.exit(f"{args[0]} failed: {p.stderr.read().decode()}")
    return time.perf_counter() - t0, usage.ru_maxrss / 1024


def main():
    med = statistics.median
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=7)
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--write-dng", nargs=2, metavar=("JPEG", "DNG"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.write_dng:
        from PIL import Image
        write_dng(np.asarray(Image.open(a.write_dng[0]).convert("RGB")), a.write_dng[1])
        return
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
    # A 24 MP RAW by construction from the first studio frame, five times in one process; its master beside
    # the JPEG's master of the same frame (processed above).
    dng = f"{work}/{os.path.splitext(os.path.basename(files[0]))[0]}.dng"
    # In a process of its own: a child forked from this one after numpy built the mosaic would count the
    # parent's gigabyte in its peak RSS (1269 MB measured so, 718 MB under /usr/bin/time).
    sh(sys.executable, os.path.abspath(__file__), "--write-dng", files[0], dng)
    dng_out = f"{work}/out-dng"
    _, dng_peak = run_measured([daemon, "process", *[dng] * 5, "--out", dng_out, "--quiet"])
    dng_runs = json.load(open(f"{dng_out}/summary.json"))
    dng_ms = [r["totalMs"] for r in dng_runs]
    dng_steps = {k: med([r["master"]["retouch"]["timings"][k] for r in dng_runs])
                 for k in dng_runs[0]["master"]["retouch"]["timings"]}
    dng_winners = [r["master"]["retouch"]["matte"].get("winner") or "keying-only" for r in dng_runs]
    jpeg_run = json.load(open(f"{work}/out-{os.path.basename(files[0])}/summary.json"))[0]
    colour = compare_masters(f"{dng_out}/{dng_runs[0]['folder']}/master.tif", dng_runs[0]["master"]["retouch"]["frame"]["crop"],
                             f"{work}/out-{os.path.basename(files[0])}/{jpeg_run['folder']}/master.tif",
                             jpeg_run["master"]["retouch"]["frame"]["crop"])
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
    print(f"RAW: 6000×4000 (24.0 MP) DNG by construction → master: median {med(dng_ms):.0f} ms of {len(dng_ms)} "
          f"in one process (min {min(dng_ms):.0f}, max {max(dng_ms):.0f}), peak RSS {dng_peak:.0f} MB")
    print("  steps (median): " + ", ".join(f"{k} {v:.0f}" for k, v in sorted(dng_steps.items()))
          + f"; ingest, review and the extra files: {med(dng_ms) - sum(dng_steps.values()):.0f} ms")
    print(f"  mattes used: " + ", ".join(f"{w} {dng_winners.count(w)}" for w in sorted(set(dng_winners)))
          + f"; master against the JPEG's master of the same frame: mean |ΔRGB| on white {colour[0]:.2f} of 255, "
          f"product ΔE76 mean {colour[1]:.2f}, p95 {colour[2]:.2f}")
    print(f"master on disk: median {med(size):.1f} MB ({m['width']}×{m['height']} RGBA, zstd TIFF) + mask PNG")


if __name__ == "__main__":
    main()
