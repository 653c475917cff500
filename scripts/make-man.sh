#!/usr/bin/env bash
# Man pages from the argument parser: swift-argument-parser's generate-manual plugin
# writes one page per executable (its subcommands inside); photopiped.1 and pipectl.1
# are copied to OUT (build/man). The plugin builds every product first, in the debug
# configuration by default: what `swift build` and the test suite already built, and
# what it reads (the help text) is the same in any configuration. MAN_CONFIGURATION=release
# would rebuild the release products without --static-swift-stdlib, so `make deb` keeps debug.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-build/man}
# The page's date is the last commit's, so the same tree gives the same pages.
date=$(git log -1 --format=%cs 2>/dev/null || date +%F)
swift package plugin generate-manual --configuration "${MAN_CONFIGURATION:-debug}" --date "$date" >&2
mkdir -p "$out"
for tool in photopiped pipectl; do
  cp .build/plugins/GenerateManual/outputs/$tool/$tool.1 "$out/$tool.1"
done
ls "$out"/*.1
