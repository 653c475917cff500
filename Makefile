# make install puts the release binaries, the systemd unit and its snippets in place.
PREFIX ?= /usr/local
DESTDIR ?=
UNITDIR ?= /etc/systemd/system
SYSUSERSDIR ?= /usr/lib/sysusers.d
TMPFILESDIR ?= /usr/lib/tmpfiles.d
CONFDIR ?= /etc/photopipe

.PHONY: build test demo bench install uninstall

build:
	swift build -c release

test:
	scripts/test.sh

demo:
	scripts/demo.sh

bench:
	scripts/bench.py

install: build
	install -D -m 0755 "$$(swift build -c release --show-bin-path)/photopiped" "$(DESTDIR)$(PREFIX)/bin/photopiped"
	install -D -m 0755 "$$(swift build -c release --show-bin-path)/pipectl" "$(DESTDIR)$(PREFIX)/bin/pipectl"
	install -D -m 0644 systemd/photopiped.service "$(DESTDIR)$(UNITDIR)/photopiped.service"
	install -D -m 0644 systemd/photopipe.sysusers.conf "$(DESTDIR)$(SYSUSERSDIR)/photopipe.conf"
	install -D -m 0644 systemd/photopipe.tmpfiles.conf "$(DESTDIR)$(TMPFILESDIR)/photopipe.conf"
	[ -e "$(DESTDIR)$(CONFDIR)/photopipe.toml" ] || install -D -m 0644 examples/photopipe.toml "$(DESTDIR)$(CONFDIR)/photopipe.toml"
	@echo "next: systemd-sysusers && systemd-tmpfiles --create && systemctl daemon-reload && systemctl enable --now photopiped"

uninstall:
	rm -f "$(DESTDIR)$(PREFIX)/bin/photopiped" "$(DESTDIR)$(PREFIX)/bin/pipectl" "$(DESTDIR)$(UNITDIR)/photopiped.service" \
	      "$(DESTDIR)$(SYSUSERSDIR)/photopipe.conf" "$(DESTDIR)$(TMPFILESDIR)/photopipe.conf"
