#!/usr/bin/env bash
# Reads an XCTest log (swift test's output) and prints the skipped tests with their reasons,
# then one plain closing line: "N passed, N failed, N skipped". A skipped test is not a passed one.
set -euo pipefail
log=$1
total=$(grep -E "^Test Suite 'All tests' (passed|failed)" -A1 "$log" | grep -oE "Executed [0-9]+ tests?" | grep -oE "[0-9]+" | tail -1 || true)
failed=$(grep -cE "^Test Case .* failed \(" "$log" || true)
skipped=$(grep -cE "^Test Case .* skipped \(" "$log" || true)
if [ "$skipped" -gt 0 ]; then
  echo "skipped:"
  grep -E ": Test skipped - " "$log" | sed -E 's/^.*: ([A-Za-z0-9_]+\.[A-Za-z0-9_]+) : Test skipped - /  \1: /'
fi
echo "$(( ${total:-0} - failed - skipped )) passed, $failed failed, $skipped skipped"
