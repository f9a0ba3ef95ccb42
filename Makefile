# SPDX-License-Identifier: GPL-2.0
#
#   make              build kmod/nf_ratelimit.ko against KDIR, and rlctl
#   make install      install both (then: modprobe nf_ratelimit)
#   make check        every test: KUnit and selftests in VMs, and lint
#   make check-quick  the selftests on Debian's kernel and the unit tests only
#   make demo         boot a VM and show limiting at work
#   make lint         sparse and checkpatch --strict only
#   make bench        nf_ratelimit against xt_hashlimit and nft meters, in a
#                     VM: writes bench/results/
#
# check and demo install the Debian packages they need and build their own
# kernels' modules; they ignore KDIR.

KDIR ?= /lib/modules/$(shell uname -r)/build
# The release the headers are for, as uname -r will say (Debian's headers
# report the upstream version as kernelrelease, not the package's ABI name).
KVER = $(shell sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h)
PREFIX ?= /usr

all: modules rlctl

kdir:
	@test -f $(KDIR)/Makefile || { \
		echo "no kernel build tree at $(KDIR): install the running kernel's headers"; \
		echo "(Debian: apt install linux-headers-\$$(uname -r)), or give KDIR=..."; \
		exit 1; }

modules: kdir
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

rlctl:
	$(MAKE) -C tools/rlctl rlctl

install: install-module install-rlctl

install-module: modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=extra KERNELRELEASE=$(KVER) modules_install
	depmod -a $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) $(KVER)

install-rlctl: rlctl
	install -D -m 0755 tools/rlctl/rlctl $(DESTDIR)$(PREFIX)/sbin/rlctl
	install -D -m 0644 tools/rlctl/rlctl.8 $(DESTDIR)$(PREFIX)/share/man/man8/rlctl.8
	install -D -m 0644 tools/rlctl/rlctl.bash-completion \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/rlctl

check:
	tools/check.sh

# The edit loop: Debian's kernel only (no debug kernel build), a short fuzz.
check-quick:
	NF_RL_KERNELS=stock NF_RL_FUZZ_SECONDS=5 tools/check.sh

demo:
	tools/demo.sh

lint:
	tools/install-deps.sh
	tools/lint.sh $$(tools/build-debug-kernel.sh)

deps:
	tools/install-deps.sh

bench:
	bench/run.sh

# Documentation/algorithms.png, from the module's algorithms run in userspace.
plot:
	tools/install-deps.sh
	$(MAKE) -C tools/plot

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
	$(MAKE) -C tools/rlctl clean
	$(MAKE) -C tools/plot clean
	rm -rf .build

.PHONY: all kdir modules rlctl install install-module install-rlctl check check-quick demo lint deps bench plot clean
