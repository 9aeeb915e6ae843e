# Build, install and uninstall spark-space, its man page and shell completions.
#
#   make                      swift build -c release --static-swift-stdlib (and lld, see below)
#   sudo make install         binary, man page, completions under PREFIX
#   sudo make uninstall       removes exactly what install put there
#   make generate             regenerates completions/ and man/ from the command table
#   make test                 the whole test suite, in parallel processes (Tests/run-parallel.sh)
#
# PREFIX (default /usr/local) and DESTDIR (for packaging) work as usual; BIN
# names the binary to install (default: the release build). The Swift runtime
# and FoundationEssentials are linked statically: start-up is ~9 ms faster and ~5 MB
# smaller than with the shared ones (issue #7); libcurl stays a shared library,
# opened on first use. It is linked with lld and packed relative relocations
# (DT_RELR, glibc >= 2.36): the 2.2 MB relocation table shrinks to 18 KB, and a
# walk's peak RSS by ~2.5 MB. RELEASE_FLAGS overrides (bench/run.sh uses the same).

PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man
BASHDIR  ?= $(PREFIX)/share/bash-completion/completions
ZSHDIR   ?= $(PREFIX)/share/zsh/site-functions
FISHDIR  ?= $(PREFIX)/share/fish/vendor_completions.d
BIN      ?= .build/release/spark-space
INSTALL  ?= install
RELEASE_FLAGS ?= -c release --static-swift-stdlib \
                 -Xswiftc -use-ld=lld -Xlinker -z -Xlinker pack-relative-relocs

# install -s strips the binary: its symbol table is most of an unstripped release build.

# Every file install puts down.
INSTALLED = $(DESTDIR)$(BINDIR)/spark-space \
            $(DESTDIR)$(MANDIR)/man1/spark-space.1 \
            $(DESTDIR)$(BASHDIR)/spark-space \
            $(DESTDIR)$(ZSHDIR)/_spark-space \
            $(DESTDIR)$(FISHDIR)/spark-space.fish

.PHONY: all build release-flags install uninstall generate test

all: build

# The commit and its date go into BuildInfo.swift for this build only (`spark-space version`);
# the file is put back afterwards, whatever the build's outcome, Ctrl-C included (and a .keep
# that a killed build left is the original: put back first).
BUILDINFO = Sources/SparkSpaceCLI/BuildInfo.swift

build:
	@if [ -f $(BUILDINFO).keep ]; then mv -f $(BUILDINFO).keep $(BUILDINFO); fi && \
	cp $(BUILDINFO) $(BUILDINFO).keep && \
	trap 'mv -f $(BUILDINFO).keep $(BUILDINFO); exit 130' INT TERM HUP && \
	commit="$$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)" && \
	stamp="$$(git log -1 --format=%cI 2>/dev/null || echo unknown)" && \
	sed -e "s/commit = \"unknown\"/commit = \"$$commit\"/" -e "s/date = \"unknown\"/date = \"$$stamp\"/" \
	    $(BUILDINFO).keep > $(BUILDINFO) && \
	{ swift build $(RELEASE_FLAGS); status=$$?; mv $(BUILDINFO).keep $(BUILDINFO); exit $$status; }

release-flags:
	@echo $(RELEASE_FLAGS)

install:
	@test -x "$(BIN)" || { echo "make: no $(BIN): run 'make' (swift build -c release --static-swift-stdlib) first" >&2; exit 1; }
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHDIR) $(DESTDIR)$(ZSHDIR) $(DESTDIR)$(FISHDIR)
	$(INSTALL) -s -m 755 "$(BIN)" $(DESTDIR)$(BINDIR)/spark-space
	$(INSTALL) -m 644 man/spark-space.1 $(DESTDIR)$(MANDIR)/man1/spark-space.1
	$(INSTALL) -m 644 completions/spark-space.bash $(DESTDIR)$(BASHDIR)/spark-space
	$(INSTALL) -m 644 completions/_spark-space $(DESTDIR)$(ZSHDIR)/_spark-space
	$(INSTALL) -m 644 completions/spark-space.fish $(DESTDIR)$(FISHDIR)/spark-space.fish

# Removes our files only: directories such as share/man/man1 are shared with others.
uninstall:
	rm -f $(INSTALLED)

# The checked-in scripts and man page, from the command table of a fresh debug build.
generate:
	swift build --product spark-space
	bin="$$(swift build --show-bin-path)/spark-space" && \
	mkdir -p completions man && \
	"$$bin" completions bash > completions/spark-space.bash && \
	"$$bin" completions zsh > completions/_spark-space && \
	"$$bin" completions fish > completions/spark-space.fish && \
	"$$bin" help --man > man/spark-space.1

# The whole suite as `swift test --disable-swift-testing` runs it, spread over parallel processes
# of the test bundle (most tests wait on servers, shells and child processes). JOBS=N, a FILTER
# (extended regex over Module.Suite/test) and KEEP=1 (keep the logs) as in the script.
test:
	Tests/run-parallel.sh '$(FILTER)'
