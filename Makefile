# SPDX-License-Identifier: GPL-2.0
#
# tapbridge: a software network TAP for Linux.
#
#   make                  tapbridge.ko for the running kernel, and taptool
#   make install          install both (module under extra/, taptool in
#                         /usr/local/sbin), with man pages, completion and
#                         the systemd unit tapbridge@.service
#   make install-dkms     the module's source under /usr/src, built and
#                         installed by DKMS for every kernel from now on
#   make deb              Debian packages tapbridge-dkms and taptool, in
#                         build/deb/
#   make check-pkg        the packaging tests on the host: man pages and
#                         completion, the unit, make deb and lintian, DKMS
#   make check            lint, host tests, then the selftests in one VM boot
#   make lint             W=1 build, sparse and checkpatch on kmod/
#   make check-kernels    build and run the selftests on Debian's stock
#                         kernels, 6.1 to the newest (selftests/vm/kernels.sh)
#   make stress           the selftests and the stress tests (devices come
#                         and go under traffic, fault injection) in one VM
#                         boot of the debug kernel (KASAN, kmemleak)
#   make demo             a TAP between two network namespaces, in the VM
#   make bench            tapbridge against tc mirred and the bridge, in one
#                         boot of a kernel without the checkers, one vCPU
#                         under QEMU -icount (selftests/bench/run.sh);
#                         BENCH_MODE=wall: wall clock, two vCPUs, noisy
#   make vm-run CMD='..'  run a command in the test VM, module loaded
#   make regen            regenerate the netlink code from uapi/tapbridge.yaml
#   make clean
#
# Only short progress lines go to the terminal; full output is kept in
# build/log/. The test VM runs a kernel built once from Debian's
# linux-source-6.12 and cached in ~/.cache/tapbridge.

# make splits paths at spaces: say so, rather than fail in odd ways later.
ifneq ($(words $(CURDIR)),1)
$(error the checkout path '$(CURDIR)' holds a space, which make cannot handle; clone the repository into a path without one)
endif

KDIR		?= /lib/modules/$(shell uname -r)/build
TOP		:= $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
LOGDIR		:= $(TOP)/build/log
VERSION		:= $(shell $(TOP)/scripts/version.sh)
PREFIX		?= /usr/local
SBINDIR		?= $(PREFIX)/sbin
MANDIR		?= $(PREFIX)/share/man
BASHCOMPDIR	?= $(PREFIX)/share/bash-completion/completions
# systemd reads units from /usr/local/lib/systemd/system too; the package
# puts its own in /lib/systemd/system (debian/rules).
UNITDIR		?= $(PREFIX)/lib/systemd/system
VM		:= $(TOP)/selftests/vm

MAKEFLAGS	+= --no-print-directory

# $(call logged,what,logname,command): run command with its output in
# build/log/logname.log; on failure show the end of that log.
define logged
	@mkdir -p $(LOGDIR)
	@echo "  $(1)"
	@($(3)) >$(LOGDIR)/$(2).log 2>&1 || { \
		tail -n 40 $(LOGDIR)/$(2).log; \
		echo "failed: $(1) (full log: build/log/$(2).log)"; exit 1; }
endef

all: module taptool

module:
	@test -f $(KDIR)/Makefile || { \
		echo "no kernel build tree at $(KDIR): install linux-headers-$$(uname -r)" \
		     "or run 'make KDIR=/path/to/kernel/build'"; exit 1; }
	$(call logged,MODULE kmod/tapbridge.ko for $(KDIR),module,\
		$(MAKE) -C $(KDIR) M=$(TOP) modules)

# taptool's Makefile takes its version from debian/changelog too.
TAPTOOL_MAKE	:= $(MAKE) -C $(TOP)/tools/taptool

taptool:
	$(call logged,TAPTOOL tools/taptool/taptool,taptool,$(TAPTOOL_MAKE))

# Under DESTDIR too: kbuild's INSTALL_MOD_PATH defaults to it.
INSTALL_MOD_PATH ?= $(DESTDIR)

install: all
	$(call logged,INSTALL kmod/tapbridge.ko,install,\
		$(MAKE) -C $(KDIR) M=$(TOP) INSTALL_MOD_DIR=extra \
			INSTALL_MOD_PATH=$(INSTALL_MOD_PATH) modules_install && \
		depmod -a $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) \
			$$(cat $(KDIR)/include/config/kernel.release))
	@$(MAKE) install-tools install-module-doc

# taptool and what comes with it; no kernel needed. DESTDIR-aware.
install-tools: taptool
	@$(TAPTOOL_MAKE) install SBINDIR=$(SBINDIR) >/dev/null
	@echo "  INSTALL $(DESTDIR)$(SBINDIR)/taptool"
	@install -D -m 0644 $(TOP)/man/taptool.8 $(DESTDIR)$(MANDIR)/man8/taptool.8
	@echo "  INSTALL $(DESTDIR)$(MANDIR)/man8/taptool.8"
	@install -D -m 0644 $(TOP)/man/taptool.bash-completion \
		$(DESTDIR)$(BASHCOMPDIR)/taptool
	@echo "  INSTALL $(DESTDIR)$(BASHCOMPDIR)/taptool"
	@install -D -m 0644 $(TOP)/systemd/tapbridge@.service \
		$(DESTDIR)$(UNITDIR)/tapbridge@.service
	@echo "  INSTALL $(DESTDIR)$(UNITDIR)/tapbridge@.service (enabled for no instance)"

# The module's manual page goes with the module: make install, and the
# tapbridge-dkms package (debian/tapbridge-dkms.manpages).
install-module-doc:
	@install -D -m 0644 $(TOP)/man/tapbridge.4 $(DESTDIR)$(MANDIR)/man4/tapbridge.4
	@echo "  INSTALL $(DESTDIR)$(MANDIR)/man4/tapbridge.4"

# The module's source for DKMS, in $(DESTDIR)/usr/src/tapbridge-VERSION.
DKMS_SRC	:= /usr/src/tapbridge-$(VERSION)

install-dkms-src:
	@rm -rf $(DESTDIR)$(DKMS_SRC)
	@$(TOP)/scripts/dkms-src.sh $(DESTDIR)$(DKMS_SRC)
	@echo "  INSTALL $(DESTDIR)$(DKMS_SRC)"

# As the tapbridge-dkms package does: add, then build and install for the
# running kernel; DKMS does the same for every kernel installed later.
install-dkms: install-dkms-src
	@dkms status -m tapbridge -v $(VERSION) | grep -q . || \
		dkms add -m tapbridge -v $(VERSION)
	dkms install -m tapbridge -v $(VERSION)

# The packages are built from a copy of the tree in build/deb/, where
# dpkg-buildpackage may write its products next to it.
DEBDIR		:= $(TOP)/build/deb

deb:
	@rm -rf $(DEBDIR)
	@mkdir -p $(DEBDIR)/tapbridge-$(VERSION)
	@rsync -a --exclude /build --exclude /.git --exclude '*.o' --exclude '*.ko' \
		--exclude '*.mod' --exclude '*.mod.c' --exclude '.*.cmd' \
		$(TOP)/ $(DEBDIR)/tapbridge-$(VERSION)/
	$(call logged,DEB build/deb/*.deb,deb,\
		cd $(DEBDIR)/tapbridge-$(VERSION) && dpkg-buildpackage -b -us -uc)
	@cd $(DEBDIR) && ls -1 *.deb | sed 's/^/  /'

# Build what a VM run needs: test kernel, module against it, taptool.
vm-prepare:
	@$(VM)/check.sh --build

check:
	@$(VM)/check.sh

# Root: dkms, chroot and mounts (selftests/pkg/run_all.sh).
check-pkg:
	@$(TOP)/selftests/pkg/run_all.sh

lint:
	@$(VM)/check.sh --lint

check-kernels:
	@$(VM)/kernels.sh

stress:
	@$(VM)/check.sh --stress

# Not part of make check: it builds a kernel of its own and takes minutes.
BENCH_MODE	?= icount

bench:
	@case "$(BENCH_MODE)" in \
	icount) $(TOP)/selftests/bench/run.sh ;; \
	wall) $(TOP)/selftests/bench/run.sh --wall ;; \
	*) echo "BENCH_MODE is icount or wall, not '$(BENCH_MODE)'"; exit 2 ;; \
	esac

demo: vm-prepare
	@TBR_VM_LOG=$(LOGDIR)/demo.log $(VM)/run.sh $(VM)/demo.sh

# CMD reaches the shell through the environment, unexpanded, so quotes
# and $ in it mean what they mean on a command line.
vm-run: export TBR_CMD = $(value CMD)
vm-run:
	@test -n "$$TBR_CMD" || { echo "usage: make vm-run CMD='command'"; exit 2; }
	@$(VM)/check.sh --build
	@$(VM)/run.sh "$$TBR_CMD"

regen:
	@$(TOP)/scripts/ynl-regen.sh

# What kbuild's M= clean removes, without needing a configured kernel.
clean:
	@rm -f $(addprefix $(TOP)/,Module.symvers modules.order .module-common.o \
		.*.cmd) \
		$(addprefix $(TOP)/kmod/,*.o *.ko *.mod *.mod.c .*.cmd modules.order)
	@$(MAKE) -C $(TOP)/tools/taptool clean >/dev/null
	@rm -rf $(TOP)/build

.PHONY: all module taptool install install-tools install-module-doc \
	install-dkms-src install-dkms \
	deb vm-prepare check check-pkg check-kernels lint stress bench demo vm-run regen \
	clean
