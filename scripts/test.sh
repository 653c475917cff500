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
# The retouch quality harness runs as a release binary (RetouchQualityTests calls it).
swift build -c release --product ppquality
log=$(mktemp)
set +e
swift test --skip-build --disable-swift-testing 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
scripts/summarize-tests.sh "$log"
rm -f "$log"
exit "$status"
