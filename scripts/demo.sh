#!/usr/bin/env bash
# Installs, builds, and runs photopiped on a temporary root: synthetic studio
# shots are synced into the inbox and flow to export/; then `pipectl status`.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${COUNT:-12}
scripts/install-deps.sh
swift build
bin=$(swift build --show-bin-path)

demo=$(mktemp -d /tmp/photopipe-demo.XXXXXX)
root="$demo/root"; sock="$demo/control.sock"
echo "== demo root: $root"
echo "== making $count synthetic studio shots (product on a sweep, SKU-style names)"
"$bin/photopiped" sample --out "$demo/camera" --count "$count" >/dev/null
ls "$demo/camera" | head -3; echo "   ..."

"$bin/photopiped" run --config examples/photopipe.toml --root "$root" --socket "$sock" 2>"$demo/daemon.log" &
daemon=$!
trap 'kill -TERM $daemon 2>/dev/null || true' EXIT
for _ in $(seq 100); do "$bin/pipectl" status --socket "$sock" >/dev/null 2>&1 && break; sleep 0.1; done

echo "== syncing the shoot into the inbox with rsync"
rsync -a "$demo/camera/" "$root/inbox/demo-shoot/"
start=$(date +%s%N)
for _ in $(seq 600); do
  n=$( (ls "$root/export/default" 2>/dev/null || true) | grep -c '\.jpg$' || true)
  [ "$n" -ge "$count" ] && break
  sleep 0.2
done
end=$(date +%s%N)
echo "== $n of $count shots reached export/default in $(( (end - start) / 1000000 )) ms"
ls "$root/export/default" | head -5; echo "   ..."
echo "== pipectl status"
"$bin/pipectl" status --socket "$sock"
kill -TERM $daemon; wait $daemon || true
trap - EXIT
echo "== daemon stopped cleanly; its log: $demo/daemon.log"
[ "$n" -ge "$count" ]
