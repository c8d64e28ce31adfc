# SPDX-License-Identifier: GPL-2.0
#
# tapbridge: a software network TAP for Linux.
#
#   make                  tapbridge.ko for the running kernel, and taptool
#   make install          install both (module under extra/, taptool in
#                         /usr/local/sbin)
#   make check            lint, host tests, then the selftests in one VM boot
#   make lint             W=1 build, sparse and checkpatch on kmod/
#   make stress           the selftests and the stress tests (devices come
#                         and go under traffic, fault injection) in one VM
#                         boot of the debug kernel (KASAN, kmemleak)
#   make demo             a TAP between two network namespaces, in the VM
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
SBINDIR		?= /usr/local/sbin
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

taptool:
	$(call logged,TAPTOOL tools/taptool/taptool,taptool,\
		$(MAKE) -C $(TOP)/tools/taptool)

install: all
	$(call logged,INSTALL kmod/tapbridge.ko,install,\
		$(MAKE) -C $(KDIR) M=$(TOP) INSTALL_MOD_DIR=extra modules_install && \
		depmod -a $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) \
			$$(cat $(KDIR)/include/config/kernel.release))
	@$(MAKE) -C $(TOP)/tools/taptool install SBINDIR=$(SBINDIR) >/dev/null
	@echo "  INSTALL $(DESTDIR)$(SBINDIR)/taptool"

# Build what a VM run needs: test kernel, module against it, taptool.
vm-prepare:
	@$(VM)/check.sh --build

check:
	@$(VM)/check.sh

lint:
	@$(VM)/check.sh --lint

stress:
	@$(VM)/check.sh --stress

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

.PHONY: all module taptool install vm-prepare check lint stress demo vm-run regen \
	clean
