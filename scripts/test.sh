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
# One plain closing line: "N passed, N failed".
total=$(grep -E "^Test Suite 'All tests' (passed|failed)" -A1 "$log" | grep -oE "Executed [0-9]+ tests?" | grep -oE "[0-9]+" | tail -1)
failed=$(grep -cE "^Test Case .* failed \(" "$log" || true)
rm -f "$log"
echo "$(( ${total:-0} - failed )) passed, $failed failed"
exit "$status"
