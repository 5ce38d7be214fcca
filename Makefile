# One entry point. "make" sets everything up and shows the product working;
# "make check" is the test command. Long steps show progress and keep their
# full logs in out/logs/. See README.md.
.PHONY: all toolchain base series-tree series check-series check-bisect check-configs kernel \
	kernel-on kernel-off selftests demo check check-debug check-full check-tooling bench profile vm \
	clean help

all: demo

# One make command is one run: its scripts keep their notices together and
# repeat them at its end (scripts/lib.sh, notice).
ifndef RUN_ID
export RUN_ID := $(shell date +%s%N)
endif

help:
	@sed -n 's/^## //p' $(MAKEFILE_LIST)

## toolchain      build or reuse the hermetic trixie toolchain root (HOST_TOOLS=1: your own)
toolchain:
	@scripts/toolchain.sh

## base           fetch and check the pinned linux-source-7.3 base
base: toolchain
	@scripts/base.sh >/dev/null

## series-tree    assemble the series onto the base as commits in out/linux
series-tree: base
	@scripts/series.sh

## series         write out/series/: cover letter + git format-patch files
series: series-tree
	@scripts/format-series.sh

## check-series   git am the series onto the pristine base; checkpatch --strict; rustfmt
check-series: series
	@scripts/check-series.sh

## check-bisect   build what each patch touches, patch by patch, option on and off (about 20 min)
check-bisect: kernel
	@scripts/check-bisect.sh

## check-configs  build the kernel crate without CONFIG_KEYS, without CONFIG_BPF_SYSCALL (about 4 min)
check-configs: series-tree
	@scripts/check-configs.sh

## kernel         build the kernel with CONFIG_BPF_SIGNED_LOADER on and off
kernel: kernel-on kernel-off
kernel-on kernel-off: series-tree
	@scripts/build.sh $(@:kernel-%=%)

## selftests      build the BPF selftests that make check runs
selftests: kernel-on
	@scripts/selftests.sh

## demo           boot the patched kernel and show a signed loader load and a tampered one fail
demo: selftests
	@scripts/demo.sh

## check          the test command: static checks, both kernels, VM tests
check:
	@scripts/check.sh

## check-debug    the VM tests and 10,000 fuzzed loads per path on KASAN/kmemleak/lockdep/UBSAN kernels (clang)
check-debug:
	@scripts/check-debug.sh

## check-full     the base's whole test_progs and test_verifier: unpatched kernel vs both paths (hours)
check-full:
	@scripts/check-full.sh

## check-tooling  make check as an ordinary user, cold then warm, at a long path, output to a file (1.5 h)
check-tooling:
	@scripts/check-tooling.sh

## bench          signed-load latency and memory, Rust vs C, against the floor (out/bench/)
bench: kernel
	@scripts/bench.sh

## profile        function_graph of small signed loads on both kernels, per function (out/profile/)
profile: kernel
	@scripts/profile.sh

## vm             boot the kernel; CMD='...' runs one command (VARIANT=on|off)
vm:
	@scripts/vm.sh $(or $(VARIANT),on) $(CMD)

## clean          remove out/ (the caches stay)
clean:
	rm -rf out
