# make install puts the release binaries, the systemd unit and its snippets, man pages and
# shell completions in place; make deb packs the same for Debian (build/deb/).
PREFIX ?= /usr/local
DESTDIR ?=
UNITDIR ?= /etc/systemd/system
SYSUSERSDIR ?= /usr/lib/sysusers.d
TMPFILESDIR ?= /usr/lib/tmpfiles.d
CONFDIR ?= /etc/photopipe
MANDIR ?= $(PREFIX)/share/man/man1
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
# The Swift runtime linked in: the binaries need no toolchain where they run. scripts/test.sh
# builds its release binaries with the same flags, so neither rebuilds the other's modules.
RELEASE = swift build -c release --static-swift-stdlib
BIN = $$($(RELEASE) --show-bin-path)

.PHONY: build test demo bench man completions deb install uninstall

build:
	$(RELEASE) --product photopiped
	$(RELEASE) --product pipectl

man:
	scripts/make-man.sh build/man

completions: build
	scripts/make-completions.sh "$(BIN)" build/completions

deb: build man completions
	scripts/build-deb.sh "$(BIN)" build/man build/completions build/deb

test:
	scripts/test.sh

demo:
	scripts/demo.sh

bench:
	scripts/bench.py

install: build man completions
	install -D -m 0755 "$(BIN)/photopiped" "$(DESTDIR)$(PREFIX)/bin/photopiped"
	install -D -m 0755 "$(BIN)/pipectl" "$(DESTDIR)$(PREFIX)/bin/pipectl"
	for t in photopiped pipectl; do \
	  install -D -m 0644 build/man/$$t.1 "$(DESTDIR)$(MANDIR)/$$t.1" && \
	  install -D -m 0644 build/completions/bash/$$t "$(DESTDIR)$(BASHCOMPDIR)/$$t" && \
	  install -D -m 0644 build/completions/zsh/_$$t "$(DESTDIR)$(ZSHCOMPDIR)/_$$t" && \
	  install -D -m 0644 build/completions/fish/$$t.fish "$(DESTDIR)$(FISHCOMPDIR)/$$t.fish" || exit 1; \
	done
	install -D -m 0644 systemd/photopiped.service "$(DESTDIR)$(UNITDIR)/photopiped.service"
	install -D -m 0644 systemd/photopipe.sysusers.conf "$(DESTDIR)$(SYSUSERSDIR)/photopipe.conf"
	install -D -m 0644 systemd/photopipe.tmpfiles.conf "$(DESTDIR)$(TMPFILESDIR)/photopipe.conf"
	[ -e "$(DESTDIR)$(CONFDIR)/photopipe.toml" ] || install -D -m 0644 examples/photopipe.toml "$(DESTDIR)$(CONFDIR)/photopipe.toml"
	@echo "next: systemd-sysusers && systemd-tmpfiles --create && systemctl daemon-reload && systemctl enable --now photopiped"

uninstall:
	rm -f "$(DESTDIR)$(PREFIX)/bin/photopiped" "$(DESTDIR)$(PREFIX)/bin/pipectl" "$(DESTDIR)$(UNITDIR)/photopiped.service" \
	      "$(DESTDIR)$(SYSUSERSDIR)/photopipe.conf" "$(DESTDIR)$(TMPFILESDIR)/photopipe.conf"
	for t in photopiped pipectl; do \
	  rm -f "$(DESTDIR)$(MANDIR)/$$t.1" "$(DESTDIR)$(BASHCOMPDIR)/$$t" "$(DESTDIR)$(ZSHCOMPDIR)/_$$t" "$(DESTDIR)$(FISHCOMPDIR)/$$t.fish"; \
	done
