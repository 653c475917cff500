#!/usr/bin/env bash
# Builds photopipe_VERSION_ARCH.deb with dpkg-deb from built binaries, man pages and
# completions (make deb passes them). Paths are Debian's: /usr/bin, /lib/systemd/system,
# /usr/lib/sysusers.d and tmpfiles.d, /etc/photopipe (conffile), /usr/share/{man,doc,...}.
# Depends comes from dpkg-shlibdeps on the binaries. Prints the .deb's path.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:?usage: build-deb.sh BIN_DIR MAN_DIR COMPLETIONS_DIR OUT_DIR}
man=${2:?}; completions=${3:?}; out=${4:?}
pkg=packaging/deb

# The version and the maintainer come from the Debian changelog; its upstream part must
# be the one the binaries print.
version=$(sed -n '1s/^photopipe (\(.*\)).*/\1/p' $pkg/changelog)
maintainer=$(sed -n 's/^ -- \(.*>\)  .*/\1/p' $pkg/changelog | head -1)
upstream=$(sed -n 's/.*photopipeVersion = "\(.*\)".*/\1/p' Sources/ControlProtocol/Version.swift)
[ "${version%-*}" = "$upstream" ] || { echo "build-deb: changelog says $version, Version.swift $upstream" >&2; exit 1; }
arch=$(dpkg --print-architecture)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
umask 022
mkdir -m 0755 "$root"

for tool in photopiped pipectl; do
  needs=$(ldd "$bin/$tool")
  if grep -q 'libswift\|libFoundation\|libdispatch' <<<"$needs"; then
    echo "build-deb: $bin/$tool needs the Swift runtime's shared libraries; build with --static-swift-stdlib" >&2
    exit 1
  fi
  install -D -m 0755 "$bin/$tool" "$root/usr/bin/$tool"
  # As dh_strip does for programs.
  strip --remove-section=.comment --remove-section=.note "$root/usr/bin/$tool"
  gzip -9n <"$man/$tool.1" >"$work/$tool.1.gz"
  install -D -m 0644 "$work/$tool.1.gz" "$root/usr/share/man/man1/$tool.1.gz"
  install -D -m 0644 "$completions/bash/$tool" "$root/usr/share/bash-completion/completions/$tool"
  install -D -m 0644 "$completions/zsh/_$tool" "$root/usr/share/zsh/vendor-completions/_$tool"
  install -D -m 0644 "$completions/fish/$tool.fish" "$root/usr/share/fish/vendor_completions.d/$tool.fish"
done

# The repository's unit runs /usr/local/bin (make install); the package's runs /usr/bin.
mkdir -p "$root/lib/systemd/system"
sed 's|/usr/local/bin/|/usr/bin/|g' systemd/photopiped.service >"$root/lib/systemd/system/photopiped.service"
chmod 0644 "$root/lib/systemd/system/photopiped.service"
install -D -m 0644 systemd/photopipe.sysusers.conf "$root/usr/lib/sysusers.d/photopipe.conf"
install -D -m 0644 systemd/photopipe.tmpfiles.conf "$root/usr/lib/tmpfiles.d/photopipe.conf"
install -D -m 0644 examples/photopipe.toml "$root/etc/photopipe/photopipe.toml"

doc=$root/usr/share/doc/photopipe
install -D -m 0644 $pkg/copyright "$doc/copyright"
gzip -9n <$pkg/changelog >"$doc/changelog.Debian.gz"
chmod 0644 "$doc/changelog.Debian.gz"

# dpkg-shlibdeps wants a debian/control to read; a minimal one in the scratch folder.
mkdir -p "$work/debian"
printf 'Source: photopipe\n\nPackage: photopipe\nArchitecture: any\n' >"$work/debian/control"
depends=$(cd "$work" && dpkg-shlibdeps -O "$root/usr/bin/photopiped" "$root/usr/bin/pipectl" 2>"$work/shlibdeps.err" |
          sed -n 's/^shlibs:Depends=//p') || { cat "$work/shlibdeps.err" >&2; exit 1; }
rm -rf "$work/debian"

mkdir -p "$root/DEBIAN"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s|@VERSION@|$version|" -e "s|@ARCH@|$arch|" -e "s|@MAINTAINER@|$maintainer|" \
    -e "s|@SIZE@|$size|" -e "s|@DEPENDS@|$depends|" $pkg/control.in >"$root/DEBIAN/control"
echo /etc/photopipe/photopipe.toml >"$root/DEBIAN/conffiles"
install -m 0755 $pkg/postinst $pkg/prerm $pkg/postrm "$root/DEBIAN/"
(cd "$root" && find . -path ./DEBIAN -prune -o -path ./etc -prune -o -type f -printf '%P\0' |
   sort -z | xargs -0 md5sum) >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/conffiles" "$root/DEBIAN/md5sums"

mkdir -p "$out"
deb="$out/photopipe_${version}_$arch.deb"
dpkg-deb --root-owner-group --build "$root" "$deb" >&2
echo "$deb"
