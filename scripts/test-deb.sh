#!/usr/bin/env bash
# The .deb as a machine would get it: built from the release binaries (Swift runtime linked
# in, as scripts/test.sh and make build them), installed with dpkg --root into an empty root,
# its programs run from there, its conffile checked, purged twice (data kept, then removed
# when asked), and lintian on it with no errors.
#
# An empty root has no /bin/sh for dpkg to chroot into, so the maintainer scripts run
# chrootless (--force-script-chrootless): dpkg sets DPKG_ROOT and the scripts hand it to
# systemd-sysusers and systemd-tmpfiles as --root. The libraries the package depends on
# are the host's (--force-depends), which is where the installed programs find them.
set -euo pipefail
cd "$(dirname "$0")/.."
fail() { echo "test-deb: FAIL: $*" >&2; exit 1; }

bin=$(swift build -c release --static-swift-stdlib --show-bin-path)
for tool in photopiped pipectl; do
  [ -x "$bin/$tool" ] || fail "$bin/$tool is not built (swift build -c release --static-swift-stdlib)"
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

scripts/make-man.sh "$work/man" >/dev/null
scripts/make-completions.sh "$bin" "$work/completions"
# gzip -1: the test checks the contents, not the size; xz takes a minute on 60 MB.
deb=$(DPKG_DEB_COMPRESSOR_TYPE=gzip DPKG_DEB_COMPRESSOR_LEVEL=1 \
      scripts/build-deb.sh "$bin" "$work/man" "$work/completions" "$work/out")

root=$work/root
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/var/log"
touch "$root/var/lib/dpkg/status"
install_deb() {
  dpkg --root="$root" --force-script-chrootless --force-depends -i "$deb" >"$work/dpkg.log" 2>&1 ||
    { cat "$work/dpkg.log" >&2; fail "dpkg -i"; }
}
install_deb

# The installed programs run from the root.
out=$("$root/usr/bin/photopiped" check-config "$root/etc/photopipe/photopipe.toml" 2>/dev/null) ||
  fail "the installed photopiped refuses the installed config"
[ "$out" = "$root/etc/photopipe/photopipe.toml: ok" ] || fail "check-config said: $out"
version=$(sed -n 's/.*photopipeVersion = "\(.*\)".*/\1/p' Sources/ControlProtocol/Version.swift)
[ "$("$root/usr/bin/pipectl" --version)" = "$version" ] || fail "pipectl --version is not $version"
ldd "$root/usr/bin/photopiped" "$root/usr/bin/pipectl" >"$work/ldd"
! grep -q 'libswift\|not found' "$work/ldd" || fail "a library is missing: $(grep 'libswift\|not found' "$work/ldd")"

# The conffile is one to dpkg.
conffiles=$(dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${Conffiles}' photopipe)
grep -q '^ /etc/photopipe/photopipe.toml [0-9a-f]\{32\}$' <<<"$conffiles" || fail "no conffile: '$conffiles'"

# What postinst made: the user and groups, the state folders with their modes.
grep -q '^photopipe:x:[0-9]*:[0-9]*:.*:/var/lib/photopipe:/usr/sbin/nologin$' "$root/etc/passwd" || fail "no photopipe user"
grep -q '^photopipe-review:' "$root/etc/group" || fail "no photopipe-review group"
[ "$(stat -c %a "$root/var/lib/photopipe")" = 750 ] || fail "/var/lib/photopipe is not 0750"
[ "$(stat -c %a "$root/var/lib/photopipe/inbox")" = 2770 ] || fail "inbox is not 2770"
grep -q '^ExecStart=/usr/bin/photopiped run ' "$root/lib/systemd/system/photopiped.service" || fail "the unit's ExecStart"
grep -q '^ExecReload=/usr/bin/pipectl ' "$root/lib/systemd/system/photopiped.service" || fail "the unit's ExecReload"
for f in usr/share/man/man1/photopiped.1.gz usr/share/man/man1/pipectl.1.gz usr/share/doc/photopipe/copyright \
         usr/share/doc/photopipe/changelog.Debian.gz usr/share/bash-completion/completions/pipectl \
         usr/share/zsh/vendor-completions/_pipectl usr/share/fish/vendor_completions.d/pipectl.fish; do
  [ -s "$root/$f" ] || fail "no /$f"
done
zcat "$root/usr/share/man/man1/pipectl.1.gz" | grep -q 'Exit status' || fail "pipectl.1 lists no exit codes"

# Purge keeps the studio's photos unless asked.
dpkg --root="$root" --force-script-chrootless --purge photopipe >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log" >&2; fail "purge"; }
[ -d "$root/var/lib/photopipe/inbox" ] || fail "purge removed /var/lib/photopipe without PHOTOPIPE_PURGE_DATA=yes"
[ ! -e "$root/etc/photopipe/photopipe.toml" ] || fail "purge left the conffile"
install_deb
PHOTOPIPE_PURGE_DATA=yes dpkg --root="$root" --force-script-chrootless --purge photopipe >"$work/dpkg.log" 2>&1 ||
  { cat "$work/dpkg.log" >&2; fail "purge"; }
[ ! -e "$root/var/lib/photopipe" ] || fail "PHOTOPIPE_PURGE_DATA=yes did not remove /var/lib/photopipe"

if command -v lintian >/dev/null; then
  # Run as root here (CI), which lintian only frowns upon.
  lintian "$deb" 2>&1 | grep -v '^running with root privileges' | tee "$work/lintian"
  ! grep -q '^E: ' "$work/lintian" || fail "lintian found errors"
else
  echo "test-deb: lintian is not installed; skipped it" >&2
fi
echo "test-deb: ok ($(basename "$deb"))"
