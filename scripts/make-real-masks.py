#!/usr/bin/env python3
"""Regenerates the ground-truth product masks of Tests/Fixtures/real-photos from hand-placed hints.

Every mask is made from hints in Tests/Fixtures/real-photos/mask-hints.json (MASKS.md says more):
  1. GrabCut (OpenCV) started either from a rectangle chosen by looking at the photo (outside:
     definite background, inside: probable foreground), or, where colour cannot separate
     product from backdrop (white on white, see-through lenses over their own shadows), from a
     hand-traced outline ("outline"): definite foreground inside it, definite background outside
     it, GrabCut free only in a band of a few px along it. An outline is built from polygons,
     strokes and "hull" shapes (the convex hull of hand-placed points and of ellipses fitted to
     hand-placed rim points: a bowl is the hull of its rim ellipse and its base arc);
  2. hand-placed hints painted onto the GrabCut mask before it runs: strokes (polylines with a
     width), filled polygons and circles, as definite foreground ("fg"), definite background
     ("bg"), probable foreground ("pfg") or probable background ("pbg");
  3. after GrabCut: only the connected parts that touch a definite-foreground hint are kept
     (or the largest, when a photo has no fg hint), enclosed holes are filled unless a
     background hint lies in them (see-through holes are marked that way);
  4. where a photo needs it, a colour rule inside a hand-drawn region ("rules": leather fringe
     over asphalt), then hand-drawn hard overrides ("final_fg", "final_bg") painted last.
The hints are pixel coordinates of the photo as stored (the fixture JPEG, or the shared one).

usage:
  make-real-masks.py                  regenerate every <name>.mask.png
  make-real-masks.py DB-09 DB-12      only these
  make-real-masks.py --check          regenerate into memory and compare with the stored masks
  make-real-masks.py --overlay DIR    also write DIR/<name>.overlay.png (product tinted, outline
                                      drawn, hints shown; downscaled to 1200 px) for looking at

DB-01..DB-08 are read from shared/photos/studio-real beside the repository (--shared DIR or
PHOTOPIPE_SHARED_PHOTOS to point elsewhere). Needs numpy, Pillow and OpenCV's Python module.
GrabCut's colour models start from k-means, so the RNG is seeded; the stored masks were made with
opencv-python-headless 5.0.0.93 and regenerate byte-identically with it; 4.10.0.84 gives IoU
>= 0.99 on every photo (a few edge pixels move), which --check reports (exit 1 below 0.99).
"""
import argparse
import json
import os
import sys

import cv2
import numpy as np
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests", "Fixtures", "real-photos")
HINTS = os.path.join(FIXTURES, "mask-hints.json")
DEFAULT_SHARED = os.path.join(os.path.dirname(ROOT), "shared", "photos", "studio-real")

LABELS = {"pbg": cv2.GC_PR_BGD, "pfg": cv2.GC_PR_FGD, "bg": cv2.GC_BGD, "fg": cv2.GC_FGD}


def paint(canvas, shapes, value):
    """Paints hint shapes onto a uint8 canvas: {"line": [[x,y],...], "w": px},
    {"poly": [[x,y],...]} (filled) or {"circle": [x, y, r]}."""
    for s in shapes:
        if "line" in s:
            pts = np.array(s["line"], np.int32).reshape(-1, 1, 2)
            cv2.polylines(canvas, [pts], False, value, int(s.get("w", 5)), lineType=cv2.LINE_8)
        elif "poly" in s:
            pts = np.array(s["poly"], np.int32).reshape(-1, 1, 2)
            cv2.fillPoly(canvas, [pts], value, lineType=cv2.LINE_8)
        elif "hull" in s:
            cv2.fillPoly(canvas, [hull_points(s["hull"])], value, lineType=cv2.LINE_8)
        elif "circle" in s:
            x, y, r = s["circle"]
            cv2.circle(canvas, (int(x), int(y)), int(r), value, -1, lineType=cv2.LINE_8)
        else:
            raise ValueError(f"unknown hint shape {s}")


def hull_points(spec):
    """Convex hull of hand-placed points and of ellipses fitted (least squares) to hand-placed
    points: {"pts": [[x,y],...], "ellipses": [[[x,y],...], ...]}. A bowl or a cup seen from
    above is the hull of its rim ellipse and its base arc."""
    pts = [np.array(spec.get("pts", []), np.float32).reshape(-1, 2)]
    for e in spec.get("ellipses", []):
        (cx, cy), (a, b), ang = cv2.fitEllipse(np.array(e, np.float32))
        t = np.linspace(0, 2 * np.pi, 720, endpoint=False)
        ca, sa = np.cos(np.radians(ang)), np.sin(np.radians(ang))
        ex, ey = a / 2 * np.cos(t), b / 2 * np.sin(t)
        pts.append(np.stack([cx + ex * ca - ey * sa, cy + ex * sa + ey * ca], 1).astype(np.float32))
    allp = np.concatenate(pts)
    return np.round(cv2.convexHull(allp)).astype(np.int32)


def hint_layer(shape, shapes):
    layer = np.zeros(shape, np.uint8)
    paint(layer, shapes, 1)
    return layer.astype(bool)


def fill_holes(fg, bg_hint):
    """Fills enclosed background holes, except those holding a background hint (a hand-marked
    see-through hole such as a handle loop)."""
    inv = (~fg).astype(np.uint8)
    n, lab = cv2.connectedComponents(inv, connectivity=4)
    border = np.unique(np.concatenate([lab[0], lab[-1], lab[:, 0], lab[:, -1]]))
    marked = np.unique(lab[bg_hint & ~fg])
    holes = np.setdiff1d(np.arange(1, n), np.union1d(border, marked))
    return fg | np.isin(lab, holes)


def apply_rule(bgr, fg, rule):
    """A colour rule decides the mask inside a hand-drawn region, for thin parts over a
    contrasting ground (fringes): a pixel is product when its CIELAB lightness averaged over a
    vertical run of `L_vmean[0]` px exceeds `L_vmean[1]`, or its b* (yellowness, 3x3 mean)
    exceeds `b_min`; specks smaller than `min_area` px are dropped."""
    lab = cv2.cvtColor(bgr, cv2.COLOR_BGR2LAB)
    m = np.zeros(fg.shape, bool)
    if "L_vmean" in rule:
        run, t = rule["L_vmean"]
        m |= cv2.blur(lab[..., 0].astype(np.float32), (1, int(run))) > t
    if "b_min" in rule:
        m |= cv2.blur(lab[..., 2].astype(np.float32), (3, 3)) > rule["b_min"]
    m = cv2.medianBlur(m.astype(np.uint8) * 255, 3) > 0
    n, lab_, st, _ = cv2.connectedComponentsWithStats(m.astype(np.uint8), connectivity=8)
    keep = np.zeros(n, bool)
    keep[1:] = st[1:, cv2.CC_STAT_AREA] >= int(rule.get("min_area", 0))
    m = keep[lab_]
    region = hint_layer(fg.shape, [{"poly": rule["poly"]}])
    return np.where(region, m, fg)


def make_mask(bgr, h):
    H, W = bgr.shape[:2]
    if "outline" in h:
        # A hand-traced outline: definite foreground inside it, definite background outside,
        # and a band of `band` px along it where GrabCut places the edge.
        o = h["outline"]
        inside = np.zeros((H, W), np.uint8)
        paint(inside, o["shapes"], 1)
        paint(inside, o.get("minus", []), 0)
        b = int(o.get("band", 8))
        k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * b + 1, 2 * b + 1))
        gc = np.full((H, W), cv2.GC_BGD, np.uint8)
        gc[cv2.dilate(inside, k) > 0] = cv2.GC_PR_BGD
        gc[inside > 0] = cv2.GC_PR_FGD
        gc[cv2.erode(inside, k, borderType=cv2.BORDER_REPLICATE) > 0] = cv2.GC_FGD
        ys, xs = np.nonzero(gc != cv2.GC_BGD)
        x0, y0, x1, y1 = xs.min(), ys.min(), xs.max() + 1, ys.max() + 1
    else:
        x0, y0, x1, y1 = h["rect"]
        x0, y0, x1, y1 = max(0, x0), max(0, y0), min(W, x1), min(H, y1)
        gc = np.full((H, W), cv2.GC_BGD, np.uint8)
        gc[y0:y1, x0:x1] = cv2.GC_PR_FGD
    for key in ("pbg", "pfg", "bg", "fg"):
        paint(gc, h.get(key, []), int(LABELS[key]))
    # GrabCut only on the rectangle plus a margin of background (same result, less work).
    m = 24
    cx0, cy0, cx1, cy1 = max(0, x0 - m), max(0, y0 - m), min(W, x1 + m), min(H, y1 + m)
    sub = np.ascontiguousarray(gc[cy0:cy1, cx0:cx1])
    probable = (sub == cv2.GC_PR_FGD) | (sub == cv2.GC_PR_BGD)
    if probable.any() and ((sub == cv2.GC_BGD) | (sub == cv2.GC_PR_BGD)).any():
        cv2.setRNGSeed(int(h.get("seed", 0)))
        bgd = np.zeros((1, 65), np.float64)
        fgd = np.zeros((1, 65), np.float64)
        cv2.grabCut(np.ascontiguousarray(bgr[cy0:cy1, cx0:cx1]), sub, None, bgd, fgd,
                    int(h.get("iters", 6)), cv2.GC_INIT_WITH_MASK)
    fg = np.zeros((H, W), bool)
    fg[cy0:cy1, cx0:cx1] = (sub == cv2.GC_FGD) | (sub == cv2.GC_PR_FGD)

    post = h.get("post", {})
    fg_hint = hint_layer((H, W), h.get("fg", []))
    bg_hint = hint_layer((H, W), h.get("bg", []))
    keep = post.get("keep", "touching_fg")
    if keep != "all":
        n, lab = cv2.connectedComponents(fg.astype(np.uint8), connectivity=8)
        if n > 1:
            if keep == "touching_fg" and fg_hint.any():
                ids = np.unique(lab[fg_hint & fg])
                ids = ids[ids != 0]
            else:
                sizes = np.bincount(lab.ravel())
                sizes[0] = 0
                ids = [int(np.argmax(sizes))]
            fg = np.isin(lab, ids)
    if post.get("fill_holes", True):
        fg = fill_holes(fg, bg_hint)
    r = int(post.get("open", 0))
    if r:
        k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
        fg = cv2.morphologyEx(fg.astype(np.uint8), cv2.MORPH_OPEN, k).astype(bool)
    for rule in h.get("rules", []):
        fg = apply_rule(bgr, fg, rule)
    if h.get("rules") and keep == "touching_fg" and fg_hint.any():
        n, lab = cv2.connectedComponents(fg.astype(np.uint8), connectivity=8)
        ids = np.unique(lab[fg_hint & fg])
        fg = np.isin(lab, ids[ids != 0])
    if h.get("rules") and post.get("fill_holes", True):
        fg = fill_holes(fg, bg_hint)
    out = fg.astype(np.uint8) * 255
    paint(out, h.get("final_fg", []), 255)
    paint(out, h.get("final_bg", []), 0)
    return out


def overlay(rgb, mask, h, path, max_side=1200, show_hints=True):
    img = rgb.astype(np.float32)
    fg = mask > 127
    tint = np.array([255, 0, 200], np.float32)
    img[fg] = img[fg] * 0.65 + tint * 0.35
    img = img.astype(np.uint8)
    H, W = mask.shape
    th = max(2, round(max(H, W) / 600))
    cs, _ = cv2.findContours((mask > 127).astype(np.uint8), cv2.RETR_CCOMP, cv2.CHAIN_APPROX_NONE)
    cv2.drawContours(img, cs, -1, (0, 255, 255), th)
    if show_hints:
        if "rect" in h:
            x0, y0, x1, y1 = h["rect"]
            cv2.rectangle(img, (x0, y0), (x1, y1), (255, 255, 0), th)
        if "outline" in h:
            layer = np.zeros((H, W), np.uint8)
            paint(layer, h["outline"]["shapes"], 1)
            paint(layer, h["outline"].get("minus", []), 0)
            cs, _ = cv2.findContours(layer, cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
            cv2.drawContours(img, cs, -1, (255, 255, 0), max(1, th // 2))
        for key, col in (("fg", (0, 255, 0)), ("bg", (255, 0, 0)), ("pfg", (120, 255, 120)),
                         ("pbg", (255, 140, 0)), ("final_fg", (0, 120, 0)), ("final_bg", (120, 0, 0))):
            layer = np.zeros((H, W), np.uint8)
            paint(layer, h.get(key, []), 1)
            cs, _ = cv2.findContours(layer, cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
            cv2.drawContours(img, cs, -1, col, max(1, th // 2))
    im = Image.fromarray(img)
    im.thumbnail((max_side, max_side), Image.LANCZOS)
    im.save(path)


def photo_path(name, h, shared):
    if h.get("shared"):
        return os.path.join(shared, h.get("file", name + ".jpg"))
    return os.path.join(FIXTURES, h.get("file", name + ".jpg"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("names", nargs="*")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--overlay")
    ap.add_argument("--hints", default=HINTS)
    ap.add_argument("--shared", default=os.environ.get("PHOTOPIPE_SHARED_PHOTOS", DEFAULT_SHARED))
    a = ap.parse_args()
    hints = json.load(open(a.hints))["photos"]
    names = a.names or sorted(hints)
    worst = 1.0
    for name in names:
        h = hints[name]
        rgb = np.array(Image.open(photo_path(name, h, a.shared)).convert("RGB"))
        mask = make_mask(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), h)
        out = os.path.join(FIXTURES, name + ".mask.png")
        frac = (mask > 127).mean()
        if a.check:
            old = np.array(Image.open(out)) > 127
            new = mask > 127
            iou = (old & new).sum() / max(1, (old | new).sum())
            worst = min(worst, iou)
            print(f"{name}: IoU with stored mask {iou:.5f} ({int((old ^ new).sum())} pixels differ)")
        else:
            Image.fromarray(mask, "L").save(out, optimize=True)
            print(f"{name}: {mask.shape[1]}x{mask.shape[0]} product {frac:.3f} -> {os.path.relpath(out, ROOT)}")
        if a.overlay:
            os.makedirs(a.overlay, exist_ok=True)
            overlay(rgb, mask, h, os.path.join(a.overlay, name + ".overlay.png"))
    if a.check and worst < 0.99:
        sys.exit(1)


if __name__ == "__main__":
    main()
