#!/usr/bin/env python3
"""Cut-out quality targets: keying alone against keying + network, on real photographs
with hand-made masks and on the synthetic ground-truth set. Prints the figures the
learned-second-opinion work is judged by; asserts nothing (RetouchQualityTests and
RealPhotoMatteTests hold the gates).

Real photographs: Tests/Fixtures/real-photos/ (the 8 of ../shared/photos/studio-real/ and 19 more
from the same DreamBooth dataset, CC BY 4.0 / Unsplash; SOURCES.tsv), masks beside them
(*.mask.png, made as MASKS.md says), per-photo truth in Tests/Fixtures/real-photos/TRUTH.tsv
(clean studio frame or not, shows specular highlights or not).

  scripts/bench-matte.py [--no-build] [--synthetic/--no-synthetic] [--json FILE]
"""
import argparse, csv, json, os, statistics, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from bench import machine, sh  # noqa: E402

FIXTURES = os.path.join(ROOT, "Tests/Fixtures/real-photos")
WRONG = 0.95  # IoU below which a cut-out is wrong


def photos():
    """(name, path, mask, category, clean, reflective) for every photograph that has a mask."""
    truth = {}
    with open(os.path.join(FIXTURES, "TRUTH.tsv")) as f:
        for row in csv.DictReader(f, delimiter="\t"):
            truth[row["file"]] = row
    out = []
    for folder in (FIXTURES,):
        src = os.path.join(folder, "SOURCES.tsv")
        if not os.path.exists(src):
            continue
        with open(src) as f:
            for row in csv.DictReader(f, delimiter="\t"):
                stem = os.path.splitext(row["file"])[0]
                mask = os.path.join(FIXTURES, f"{stem}.mask.png")
                path = os.path.join(folder, row["file"])
                if not (os.path.exists(mask) and os.path.exists(path) and row["file"] in truth):
                    continue
                t = truth[row["file"]]
                out.append(dict(name=stem, path=path, mask=mask, category=row["category"],
                                clean=t["clean"] == "yes", reflective=t["reflective"] == "yes"))
    return out


def full_frame_mask(np, Image, folder, record, size):
    """The stage's product mask placed back into the source frame, at the frame's size."""
    m = Image.open(os.path.join(folder, "mask.png")).convert("L")
    x, y, w, h = record["frame"]["crop"]
    m = m.resize((w, h), Image.BILINEAR)
    frame = np.zeros((size[1], size[0]), dtype=np.uint8)
    frame[y:y + h, x:x + w] = np.asarray(m)
    return frame >= 128


def run_process(daemon, files, out, overrides):
    args = [daemon, "process", "--quiet", "--out", out] + [a for o in overrides for a in ("--set", o)] + files
    subprocess.run(args, capture_output=True, text=True)  # exits 1 when a file fails; the summary says which
    return {r["folder"]: r for r in json.load(open(os.path.join(out, "summary.json")))}


def true_touches(truth):
    """The edges the hand-made mask's product reaches (within 0.5 % of the frame)."""
    h, w = truth.shape
    m = max(1, round(0.005 * max(w, h)))
    return {e for e, band in (("left", truth[:, :m]), ("right", truth[:, -m:]), ("top", truth[:m]), ("bottom", truth[-m:])) if band.any()}


# What makes each retouch flag true of a frame: the flag is a false positive where this is false.
# Real frames: per-photo truth from TRUTH.tsv and SOURCES.tsv, the hand-made mask, and the cut-out's
# own IoU; the backdrop flags are true of any frame that is not a clean studio sweep.
REAL_TRUTH = {
    "reflective": lambda r: r["reflective"],
    "transparent": lambda r: r["category"] == "transparent",
    "low_contrast": lambda r: r["category"] == "white_on_white",
    "segmenters_disagree": lambda r: r["iou"] < WRONG,
    "sparse_outline": lambda r: r["iou"] < WRONG,
    "no_product": lambda r: r["iou"] < WRONG,
    "uneven_backdrop": lambda r: not r["clean"],
    "correction_capped": lambda r: not r["clean"],
    "coloured_backdrop_unreferenced": lambda r: not r["clean"],
    "backdrop_not_found": lambda r: not r["clean"],
}
# Synthetic scenes: by construction.
SYNTHETIC_TRUTH = {
    "reflective": lambda s: s["kind"] == "reflective",
    "transparent": lambda s: s["kind"] == "transparent",
    "low_contrast": lambda s: s["kind"] == "white-on-white",
    "segmenters_disagree": lambda s: s["iou"] < WRONG,
    "sparse_outline": lambda s: s["iou"] < WRONG,
    "no_product": lambda s: s["iou"] < WRONG,
}


def flag_table(rows, truth_of):
    """Per flag: frames it fired on, and its false-positive rate (fired where false / frames where false)."""
    flags = sorted({f for r in rows for f in r["flags"]} | set(truth_of))
    print(f"  {'flag':31} {'fired':>5} {'true':>5}  false positives")
    out = {}
    for f in flags:
        truth = truth_of.get(f)
        if truth is None and f.startswith("touches_"):
            edge = f[len("touches_"):]
            truth = lambda r, e=edge: e in r.get("touches", ())
        if truth is None:
            continue
        fired = [r for r in rows if f in r["flags"]]
        negatives = [r for r in rows if not truth(r)]
        fp = [r["name"] for r in negatives if f in r["flags"]]
        out[f] = [len(fp), len(negatives)]
        rate = f"{len(fp)} of {len(negatives)} ({100 * len(fp) / len(negatives):.0f} %)" if negatives else "- (no frame where it is false)"
        print(f"  {f:31} {len(fired):5} {sum(truth(r) for r in fired):5}  {rate} {' '.join(fp[:6])}{' …' if len(fp) > 6 else ''}")
    return out


def review(r):
    gates = (r.get("review") or {}).get("gates", [])
    failed = [g for g in gates if not g["passed"]]
    return ("pass" if not failed else "held"), failed


def real(daemon, np, Image, work, label, overrides):
    items = photos()
    results = run_process(daemon, [p["path"] for p in items], os.path.join(work, label), overrides)
    rows = []
    for p in items:
        r = results.get(p["name"])
        if not r or not r["ok"]:
            rows.append(dict(p, iou=0.0, decision="failed", reasons=[r["error"] if r else "missing"], winner="-", agreement=None, flags=[]))
            continue
        rec = r["master"]["retouch"]
        truth = np.asarray(Image.open(p["mask"]).convert("L")) >= 128
        p = dict(p, touches=true_touches(truth))
        mask = full_frame_mask(np, Image, os.path.join(work, label, r["folder"]), rec, (truth.shape[1], truth.shape[0]))
        union = (truth | mask).sum()
        iou = float((truth & mask).sum() / union) if union else 1.0
        decision, failed = review(r)
        rows.append(dict(p, iou=iou, decision=decision, reasons=[f"{g['gate']}: {g.get('reason') or ''}" for g in failed],
                         winner=rec["matte"].get("winner") or "keying-only", agreement=rec["matte"].get("agreement"),
                         flags=rec["flags"], ev=rec["correction"]["exposureEV"], productDeltaE=rec["correction"].get("productDeltaE"),
                         ms=r["totalMs"]))
    return rows


def summarise_real(label, rows):
    print(f"\n== real photographs, {label}: {len(rows)} frames ==")
    print(f"{'file':8} {'category':15} {'clean':5} {'IoU':>7} {'matte':8} {'agree':>6} {'review':6} flags")
    for r in rows:
        agree = f"{r['agreement']:.3f}" if r.get("agreement") is not None else "-"
        print(f"{r['name']:8} {r['category']:15} {'yes' if r['clean'] else 'no':5} {r['iou']:7.4f} {r['winner']:8} {agree:>6} "
              f"{r['decision']:6} {','.join(r['flags']) or '-'}")
    opaque = [r["iou"] for r in rows if r["category"] != "transparent"]
    wrong_passed = [r["name"] for r in rows if r["iou"] < WRONG and r["decision"] == "pass"]
    clean_right = [r for r in rows if r["clean"] and r["iou"] >= WRONG]
    clean_passed = [r for r in clean_right if r["decision"] == "pass"]
    passed = [r for r in rows if r["decision"] == "pass"]
    not_reflective = [r for r in rows if not r["reflective"]]
    fp = [r for r in not_reflective if "reflective" in r["flags"]]
    print(f"opaque IoU: mean {statistics.mean(opaque):.4f}, min {min(opaque):.4f} over {len(opaque)} frames (target mean ≥ 0.995, min ≥ 0.98)")
    print(f"wrong cut-outs (IoU < {WRONG}): {sum(r['iou'] < WRONG for r in rows)}; of them passed review: {len(wrong_passed)} {wrong_passed or ''} (target 0)")
    print(f"auto-pass: {len(passed)} of {len(rows)} real frames ({100 * len(passed) / len(rows):.0f} %); "
          f"clean studio frames with a right cut-out: {len(clean_passed)} of {len(clean_right)} passed (target all)")
    for r in rows:
        if r["decision"] != "pass":
            print(f"  held {r['name']} ({r['category']}, IoU {r['iou']:.3f}): " + " | ".join(x[:150] for x in r["reasons"]))
    print(f"reflective false positives: {len(fp)} of {len(not_reflective)} frames without specular highlights "
          f"({100 * len(fp) / max(1, len(not_reflective)):.0f} %) {[r['name'] for r in fp] or ''} (target < 10 %); "
          f"flagged on {sum('reflective' in r['flags'] for r in rows if r['reflective'])} of {len(rows) - len(not_reflective)} glossy frames")
    print("each flag's false-positive rate on the real frames (truth: TRUTH.tsv, SOURCES.tsv category, the mask, IoU < 0.95 for cut-out flags, not a clean sweep for backdrop flags):")
    table = flag_table(rows, REAL_TRUTH)
    return dict(opaqueMean=statistics.mean(opaque), opaqueMin=min(opaque), wrongPassed=wrong_passed,
                autoPass=len(passed) / len(rows), cleanRightPassed=[len(clean_passed), len(clean_right)],
                reflectiveFalsePositives=[len(fp), len(not_reflective)], flagFalsePositives=table)


def synthetic(ppquality, work, label, overrides):
    out = os.path.join(work, f"ppq-{label}")
    report = os.path.join(work, f"ppq-{label}.json")
    sh(ppquality, "--out", out, "--json", report, *[a for o in overrides for a in ("--set", o)])
    scenes = json.load(open(report))["scenes"]
    opaque = [s["iou"] for s in scenes if s["kind"] == "opaque"]
    non_reflective = [s for s in scenes if s["kind"] != "reflective"]
    fp = [s["name"] for s in non_reflective if "reflective" in s["flags"]]
    chrome = [s for s in scenes if s["kind"] == "reflective"]
    caught = [s["name"] for s in chrome if "reflective" in s["flags"]]
    disagree = [s["name"] for s in scenes if "segmenters_disagree" in s["flags"]]
    print(f"\n== synthetic set, {label}: {len(scenes)} scenes ==")
    print(f"opaque IoU: mean {statistics.mean(opaque):.4f}, min {min(opaque):.4f} over {len(opaque)} scenes")
    print(f"reflective: flagged on {len(fp)} of {len(non_reflective)} non-chrome scenes ({100 * len(fp) / len(non_reflective):.0f} %) {fp or ''}; "
          f"on {len(caught)} of {len(chrome)} chrome scenes")
    print(f"segmenters_disagree on {len(disagree)} scenes {disagree or ''}")
    by_kind = {}
    for s in scenes:
        by_kind.setdefault(s["kind"], []).append(s["iou"])
    for k, v in sorted(by_kind.items()):
        print(f"  {k:15} IoU mean {statistics.mean(v):.4f}, min {min(v):.4f} ({len(v)})")
    print("each flag's false-positive rate on the synthetic scenes (truth by construction; IoU < 0.95 for cut-out flags):")
    table = flag_table(scenes, SYNTHETIC_TRUTH)
    return dict(opaqueMean=statistics.mean(opaque), opaqueMin=min(opaque), reflectiveFalsePositives=[len(fp), len(non_reflective)],
                flagFalsePositives=table)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--no-synthetic", action="store_true")
    ap.add_argument("--json")
    a = ap.parse_args()
    import numpy as np
    from PIL import Image
    if not a.no_build:
        sh("swift", "build", "-c", "release", "--product", "photopiped", cwd=ROOT)
        sh("swift", "build", "-c", "release", "--product", "ppquality", cwd=ROOT)
    daemon = os.path.join(ROOT, ".build/release/photopiped")
    ppquality = os.path.join(ROOT, ".build/release/ppquality")
    work = tempfile.mkdtemp(prefix="bench-matte-")
    print(f"machine: {machine()}")
    report = {}
    for label, overrides in (("keying alone", ["retouch.matte_network=off"]), ("keying + network", ["retouch.matte_network=on"])):
        report[label] = {"real": summarise_real(label, real(daemon, np, Image, work, label.replace(" ", "-"), overrides))}
        if not a.no_synthetic:
            report[label]["synthetic"] = synthetic(ppquality, work, label.replace(" ", "-"), overrides)
    if a.json:
        json.dump(report, open(a.json, "w"), indent=1)
    print(f"\n(work files in {work})")


if __name__ == "__main__":
    main()
