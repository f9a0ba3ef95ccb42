# SPDX-License-Identifier: GPL-2.0
#
#   make              build kmod/nf_ratelimit.ko against KDIR, rlctl and rlsyncd
#   make install      install them, the man pages, completion, systemd units
#                     and example configuration (then: modprobe nf_ratelimit)
#   make uninstall    remove what make install put there
#   make dkms-install register, build and install the module through DKMS
#   make deb          the Debian packages nf-ratelimit-dkms, rlctl and rlsyncd,
#                     in .build/deb
#   make check        every test: KUnit and selftests in VMs, and lint
#   make check-quick  the selftests on Debian's kernel and the unit tests only
#   make demo         boot a VM and show limiting at work
#   make lint         sparse, checkpatch --strict and the dependency check only
#   make netlink-policy  selftests/netlink_policy.expected from the spec
#   make bench        nf_ratelimit against xt_hashlimit and nft meters, in a
#                     VM: writes bench/results/
#
# check and demo install the Debian packages they need and build their own
# kernels' modules; they ignore KDIR.

KDIR ?= /lib/modules/$(shell uname -r)/build
# The release the headers are for, as uname -r will say (Debian's headers
# report the upstream version as kernelrelease, not the package's ABI name).
KVER ?= $(shell sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h)
PREFIX ?= /usr
DESTDIR ?=
UNITDIR ?= /lib/systemd/system
VERSION := $(shell cat VERSION)
MODDIR = $(DESTDIR)/lib/modules/$(KVER)/updates
# What DKMS and the Debian package need to build the module, nothing more.
DKMS_SRC = /usr/src/nf-ratelimit-$(VERSION)
MODULE_SOURCES = Kbuild VERSION dkms.conf kmod/Kbuild kmod/uapi \
		 $(wildcard kmod/*.[ch] kmod/tests/*.c)
UNITS = nf-ratelimit.service nf-ratelimit-textfile.service nf-ratelimit-textfile.timer
SYNC_UNITS = nf-ratelimit-sync.service
# The example configuration: each file of dist/ and where it goes.
CONFIGS = modprobe.conf:/etc/modprobe.d/nf_ratelimit.conf \
	  rules.conf:/etc/nf_ratelimit/rules.conf \
	  nf-ratelimit.default:/etc/default/nf-ratelimit

all: modules rlctl rlsyncd

kdir:
	@test -f $(KDIR)/Makefile || { \
		echo "no kernel build tree at $(KDIR): install the running kernel's headers"; \
		echo "(Debian: apt install linux-headers-\$$(uname -r)), or give KDIR=..."; \
		exit 1; }

modules: kdir
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

rlctl:
	$(MAKE) -C tools/rlctl rlctl

rlsyncd:
	$(MAKE) -C tools/rlsyncd rlsyncd

install: install-module install-rlctl install-config install-rlsyncd

# Into updates/, which depmod prefers to the kernel's own tree; depmod runs
# on the target system itself only (a package's postinst does it elsewhere).
install-module: modules
	install -D -m 0644 kmod/nf_ratelimit.ko $(MODDIR)/nf_ratelimit.ko
	$(if $(DESTDIR),,depmod -a $(KVER))

install-rlctl: rlctl
	install -D -m 0755 tools/rlctl/rlctl $(DESTDIR)$(PREFIX)/sbin/rlctl
	install -D -m 0644 tools/rlctl/rlctl.8 $(DESTDIR)$(PREFIX)/share/man/man8/rlctl.8
	install -D -m 0644 tools/rlctl/rlctl.bash-completion \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/rlctl
	install -D -m 0644 -t $(DESTDIR)$(UNITDIR) $(addprefix dist/,$(UNITS))

# sync.conf holds the Redis password: 0600, and never overwritten either.
install-rlsyncd: rlsyncd
	install -D -m 0755 tools/rlsyncd/rlsyncd $(DESTDIR)$(PREFIX)/sbin/rlsyncd
	install -D -m 0644 tools/rlsyncd/rlsyncd.8 $(DESTDIR)$(PREFIX)/share/man/man8/rlsyncd.8
	install -D -m 0644 -t $(DESTDIR)$(UNITDIR) $(addprefix dist/,$(SYNC_UNITS))
	test -e $(DESTDIR)/etc/nf_ratelimit/sync.conf || \
		install -D -m 0600 dist/sync.conf $(DESTDIR)/etc/nf_ratelimit/sync.conf

# The examples never overwrite a configuration already there.
install-config:
	for c in $(CONFIGS); do f=$(DESTDIR)$${c#*:}; \
		test -e $$f || install -D -m 0644 dist/$${c%%:*} $$f || exit 1; done

# Configuration is removed only where it is still the example, unchanged.
uninstall:
	rm -f $(MODDIR)/nf_ratelimit.ko
	$(if $(DESTDIR),,depmod -a $(KVER))
	rm -f $(DESTDIR)$(PREFIX)/sbin/rlctl $(DESTDIR)$(PREFIX)/share/man/man8/rlctl.8 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/rlctl \
		$(addprefix $(DESTDIR)$(UNITDIR)/,$(UNITS) $(SYNC_UNITS)) \
		$(DESTDIR)$(PREFIX)/sbin/rlsyncd $(DESTDIR)$(PREFIX)/share/man/man8/rlsyncd.8
	! cmp -s dist/sync.conf $(DESTDIR)/etc/nf_ratelimit/sync.conf || \
		rm $(DESTDIR)/etc/nf_ratelimit/sync.conf
	for c in $(CONFIGS); do f=$(DESTDIR)$${c#*:}; \
		! cmp -s dist/$${c%%:*} $$f || rm $$f || exit 1; done
	-rmdir $(DESTDIR)/etc/nf_ratelimit 2>/dev/null

# The module's source into /usr/src, then DKMS builds and installs it for
# KVER (the running kernel), and again for every kernel installed later.
# DKMS_FLAGS: more dkms options; the tests give it a throwaway tree
# (--dkmstree, --sourcetree, --installtree, with DKMS_SRC inside).
dkms-install: dkms-source
	dkms add -m nf-ratelimit -v $(VERSION) $(DKMS_FLAGS)
	dkms build -m nf-ratelimit -v $(VERSION) -k $(KVER) $(DKMS_FLAGS)
	dkms install -m nf-ratelimit -v $(VERSION) -k $(KVER) $(DKMS_FLAGS)

# The module's source as DKMS wants it, in DKMS_SRC (also used by the tests
# and debian/rules).
dkms-source:
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)
	cp -r --parents $(MODULE_SOURCES) $(DKMS_SRC)/
	sed -i 's/#MODULE_VERSION#/$(VERSION)/' $(DKMS_SRC)/dkms.conf

dkms-uninstall:
	-dkms remove -m nf-ratelimit -v $(VERSION) --all $(DKMS_FLAGS)
	rm -rf $(DKMS_SRC)

deb:
	tools/install-deps.sh
	tools/build-deb.sh

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

# selftests/netlink_policy.expected, from the spec: after changing its checks:
# (make check fails until the file and the module's policies agree with it).
netlink-policy:
	/usr/bin/python3 tools/check-spec.py --policy \
		Documentation/netlink/specs/nf_ratelimit.yaml >selftests/netlink_policy.expected

bench:
	bench/run.sh

# Documentation/algorithms.png, from the module's algorithms run in userspace.
plot:
	tools/install-deps.sh
	$(MAKE) -C tools/plot

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
	$(MAKE) -C tools/rlctl clean
	$(MAKE) -C tools/rlsyncd clean
	$(MAKE) -C tools/plot clean
	rm -rf .build

.PHONY: all kdir modules rlctl rlsyncd install install-module install-rlctl install-rlsyncd install-config \
	uninstall dkms-source dkms-install dkms-uninstall deb check check-quick demo lint deps netlink-policy bench plot clean
