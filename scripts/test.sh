#!/usr/bin/env bash
# The whole test suite: unit tests and integration tests that start the real
# photopiped binary on temporary roots and feed it with cp, mv and rsync.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --tests
scripts/fetch-real-images.sh
scripts/fetch-s3-server.sh
scripts/fetch-raw-samples.sh
swift build --build-tests
# Release binaries, all in one build with the flags `make build` and `make deb` use: the retouch
# quality harness runs as one (RetouchQualityTests calls ppquality), and the .deb test packs
# photopiped and pipectl. Other flags would recompile every module.
swift build -c release --static-swift-stdlib
log=$(mktemp)
set +e
swift test --skip-build --disable-swift-testing 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
scripts/summarize-tests.sh "$log"
rm -f "$log"
# The Debian package: built, installed into an empty root, run from there, linted.
if command -v dpkg-deb >/dev/null; then
  scripts/test-deb.sh || status=1
else
  echo "skipped: the .deb test (no dpkg-deb on this machine)"
fi
exit "$status"
