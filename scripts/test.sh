#!/usr/bin/env bash
# The whole test suite: unit tests and integration tests that start the real
# photopiped binary on temporary roots and feed it with cp, mv and rsync.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --build-tests
swift test --skip-build
