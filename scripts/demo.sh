#!/usr/bin/env bash
# Installs, builds, and runs photopiped on a temporary root: synthetic 24 MP studio
# shots are synced into the inbox and flow to seven sales channels under export/;
# then `pipectl status`.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${COUNT:-12}
scripts/install-deps.sh
swift build
bin=$(swift build --show-bin-path)

demo=$(mktemp -d /tmp/photopipe-demo.XXXXXX)
root="$demo/root"; sock="$demo/control.sock"
echo "== demo root: $root"
echo "== making $count synthetic 6000×4000 studio shots (product on a sweep, SKU-style names)"
"$bin/ppsample" --out "$demo/camera" --count "$count" --width 6000 --height 4000 >/dev/null
ls "$demo/camera" | head -3; echo "   ..."

# A product catalogue: Amazon names files by ASIN, Shopify by handle (with alt text in its CSV).
python3 - "$demo/catalog.csv" "$count" <<'PY'
import sys
path, count = sys.argv[1], int(sys.argv[2])
def gtin13(body):  # 12 digits + check digit
    s = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(body))
    return body + str((10 - s % 10) % 10)
with open(path, "w") as f:
    f.write("sku,asin,gtin,handle,title,alt_text,category\n")
    for n in range(1001, 1001 + (count + 2) // 3):
        category = "kitchen" if n == 1001 else "garden"
        f.write(f"SKU-{n},B0DEMO{n},{gtin13(f'400638{n:06d}')},demo-product-{n},Demo product {n},\"Demo product {n} on white\",{category}\n")
PY
channels='["amazon-main", "amazon-alt", "shopify", "google", "meta-square", "instagram-portrait", "ebay"]'
sed -e "s|^channels = \[\"default\"\]|channels = $channels|" \
    -e "s|^# catalog = .*|catalog = \"$demo/catalog.csv\"|" \
    -e "s|^# base_url = .*|base_url = \"https://cdn.example.com/photopipe\"|" examples/photopipe.toml > "$demo/photopipe.toml"
# The kitchen SKU gets two lifestyle variants on the example plates (examples/plates, CC0 and LGPL-3).
sed -i -e "s|^# plates = .*|plates = \"$PWD/examples/plates\"|" \
       -e 's|^# channels = \["amazon-alt", "shopify"\].*|channels = ["amazon-alt", "shopify", "meta-square"]|' "$demo/photopipe.toml"
printf '\n[generate.rule.kitchen]\ncatalog_field = "category"\ncatalog_values = ["kitchen"]\nvariants = 2\n' >> "$demo/photopipe.toml"
# The review workbench, with one reviewer whose password is made for this demo.
port=${PORT:-8088}
password=$(head -c 12 /dev/urandom | base64 | tr -d '/+=' | head -c 12)
hash=$(printf '%s\n' "$password" | "$bin/photopiped" hash-password)
sed -i "s|^listen = \"127.0.0.1:8088\"|listen = \"127.0.0.1:$port\"|" "$demo/photopipe.toml"
printf '\n[web.user.demo]\npassword = "%s"\nrole = "reviewer"\n' "$hash" >> "$demo/photopipe.toml"
# Deliver every channel's files to a folder (a DAM hot folder stand-in).
printf '\n[delivery.target.dam]\ntype = "folder"\npath = "%s"\n' "$demo/dam" >> "$demo/photopipe.toml"

"$bin/photopiped" run --config "$demo/photopipe.toml" --root "$root" --socket "$sock" 2>"$demo/daemon.log" &
daemon=$!
trap 'kill -TERM $daemon 2>/dev/null || true' EXIT
for _ in $(seq 100); do "$bin/pipectl" status --socket "$sock" >/dev/null 2>&1 && break; sleep 0.1; done

echo "== syncing the shoot into the inbox with rsync"
rsync -a "$demo/camera/" "$root/inbox/demo-shoot/"
start=$(date +%s%N)
exported() { find "$root/export" -mindepth 2 -maxdepth 2 -name manifest.json 2>/dev/null | wc -l; }
held() { find "$root/review" -mindepth 2 -maxdepth 2 -name manifest.json 2>/dev/null | wc -l; }
for _ in $(seq 900); do
  [ $(( $(exported) + $(held) )) -ge "$count" ] && break
  sleep 0.2
done
echo "== $(exported) exported, $(held) held for a person (review.sample_rate: a statistical sample of the batch)"
"$bin/pipectl" review demo-shoot --socket "$sock"
echo "== a person looks, then approves the clean batch with one command: pipectl approve demo-shoot"
"$bin/pipectl" approve demo-shoot --socket "$sock"
for _ in $(seq 300); do
  [ "$(exported)" -ge "$count" ] && break
  sleep 0.2
done
echo "== lifestyle variants made around SKU-1001's packshot wait for a person too:"
for _ in $(seq 300); do
  [ "$(find "$root/review" -mindepth 2 -maxdepth 2 -name scene.jpg 2>/dev/null | wc -l)" -ge 2 ] && break
  sleep 0.2
done
"$bin/pipectl" list review --socket "$sock"
echo "== approving them as well: pipectl approve demo-shoot --variants"
"$bin/pipectl" approve demo-shoot --variants --socket "$sock"
for _ in $(seq 300); do
  [ "$(exported)" -ge $((count + 2)) ] && break
  sleep 0.2
done
echo "== variants exported: $(ls "$root/export/shopify" | grep -c 'demo-product-1001-[45]\.jpg') to Shopify, e.g. $(ls "$root/export/amazon-alt" | grep 'B0DEMO1001' | tail -1) on Amazon"
n=$(exported)
end=$(date +%s%N)
echo "== $n assets exported ($count shots and their variants) in $(( (end - start) / 1000000 )) ms"
sleep 2  # the batch manifests are written at most once a second; deliveries follow the export
for c in amazon-main amazon-alt shopify google meta-square instagram-portrait ebay; do
  printf '   export/%-19s %2d files, e.g. %s\n' "$c/" "$(ls "$root/export/$c" | grep -c '\.jpg$')" "$(ls "$root/export/$c" | grep '\.jpg$' | head -1)"
done
echo "== export/shopify/demo-shoot.shopify.csv (first lines)"
head -3 "$root/export/shopify/demo-shoot.shopify.csv"
echo "== delivered to the folder target: $(find "$demo/dam" -name '*.jpg' 2>/dev/null | wc -l) files in $demo/dam"
echo "== pipectl status"
"$bin/pipectl" status --socket "$sock"
echo "== the review workbench: http://127.0.0.1:$port/  (log in as demo / $password)"
if [ -t 0 ] && [ -z "${CI:-}" ]; then
  read -r -p "   the daemon keeps running for the workbench; press Enter to stop it " _ || true
fi
kill -TERM $daemon; wait $daemon || true
trap - EXIT
echo "== daemon stopped cleanly; its log: $demo/daemon.log"
[ "$n" -ge "$count" ]
