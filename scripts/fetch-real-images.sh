#!/usr/bin/env bash
# Real camera files written by others, for the metadata and orientation tests:
# piexif's tests/images (JPEGs from eight makers, with MakerNotes) and Pillow's
# Tests/images (orientation sets, EXIF/XMP/IPTC/ICC files, broken metadata),
# taken from their PyPI source distributions. Not committed; fetched once into .cache/.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=.cache/real-images
[ -f "$dest/.complete" ] && exit 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --no-deps --no-binary piexif,pillow "piexif==1.1.3" "Pillow==13.0.0" -d "$tmp"
rm -rf "$dest" && mkdir -p "$dest/piexif" "$dest/pillow"
python3 - "$tmp" "$dest" <<'PY'
import os, sys, tarfile, zipfile
tmp, dest = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(os.path.join(tmp, "piexif-1.1.3.zip")) as z:
    for n in z.namelist():
        if "/tests/images/" in n and not n.endswith("/"):
            open(os.path.join(dest, "piexif", os.path.basename(n)), "wb").write(z.read(n))
with tarfile.open(os.path.join(tmp, "pillow-13.0.0.tar.gz")) as t:
    for m in t.getmembers():
        parts = m.name.split("/")
        if m.isfile() and len(parts) == 4 and parts[1:3] == ["Tests", "images"]:
            name = parts[3]
            if name.endswith((".jpg", ".jpeg", ".tif", ".tiff", ".png", ".webp")):
                open(os.path.join(dest, "pillow", name), "wb").write(t.extractfile(m).read())
PY
touch "$dest/.complete"
echo "real images: $(ls "$dest/piexif" | wc -l) from piexif, $(ls "$dest/pillow" | wc -l) from Pillow in $dest"
