# SPDX-License-Identifier: GPL-2.0
#
#   make              build kmod/nf_ratelimit.ko against KDIR
#   make install      install it for the running kernel (then: modprobe nf_ratelimit)
#   make check        every test: KUnit and selftests, in VMs (installs what it needs)
#   make demo         boot a VM and show limiting at work (installs what it needs)

KDIR ?= /lib/modules/$(shell uname -r)/build

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

install: modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=extra modules_install
	depmod -a $(notdir $(patsubst %/build,%,$(KDIR)))

# Static analysis: sparse over the whole module, and checkpatch --strict.
lint:
	tools/lint.sh

check:
	tools/check.sh

demo:
	tools/demo.sh

deps:
	tools/install-deps.sh

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	rm -rf .build

.PHONY: all modules install lint check demo deps clean
