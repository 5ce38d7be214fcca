#!/usr/bin/env bash
# Build only the BPF selftests that make check runs (tests/selftests.list):
# test_progs with those tests and their BPF objects, libbpf, bpftool and
# the signing helpers, against the "on" kernel's BTF. The output directory
# sits next to the kernel build (incremental); $OUT/selftests points to it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

src=$(readlink -f "$OUT/linux")
vmlinux=$OUT/kernel-on/vmlinux
[ -f "$vmlinux" ] || die "no kernel at $vmlinux" "run: make kernel-on"
sel=$(dirname "$src")/selftests
log=$OUT/logs/selftests.log
mkdir -p "$sel" "$OUT/logs"

tests=() bpf_srcs=()
while read -r name globs; do
	case "$name" in '#'* | '' | skip) continue ;; esac
	# A "last" test is built with the file of an earlier line.
	if [ "$name" = last ]; then
		grep -qs "^void test_${globs%% *}(void)" "$src"/tools/testing/selftests/bpf/prog_tests/*.c ||
			die "tests/selftests.list: no test_${globs%% *}() in prog_tests/"
		continue
	fi
	# A "last" test is built with the file of an earlier line.
	if [ "$name" = last ]; then
		grep -qs "^void test_${globs%% *}(void)" "$src"/tools/testing/selftests/bpf/prog_tests/*.c ||
			die "tests/selftests.list: no test_${globs%% *}() in prog_tests/"
		continue
	fi
	[ -f "$src/tools/testing/selftests/bpf/prog_tests/$name.c" ] ||
		die "tests/selftests.list names $name, but prog_tests/$name.c is not in the tree"
	tests+=("$sel/$name.test.o")
	for g in $globs; do
		for f in "$src"/tools/testing/selftests/bpf/progs/$g; do
			[ -f "$f" ] || die "tests/selftests.list: no progs/$g for $name"
			bpf_srcs+=("$(basename "$f")")
		done
	done
done <"$TOP/tests/selftests.list"

# The base's signed light skeletons (LSKELS_SIGNED) among those sources:
# bpftool signs them with the selftests' own key, as the base does.
signed=()
for f in $(sed -n 's/^LSKELS_SIGNED[[:space:]]*:=//p' "$src/tools/testing/selftests/bpf/Makefile"); do
	[[ " ${bpf_srcs[*]} " != *" $f "* ]] || signed+=("$f")
done

# test_progs' own sources, less libarena (no test here uses it).
extra_srcs="test_progs.c cgroup_helpers.c trace_helpers.c network_helpers.c
	testing_helpers.c btf_helpers.c cap_helpers.c unpriv_helpers.c sysctl_helpers.c
	netlink_helpers.c jit_disasm_helpers.c io_helpers.c test_loader.c xsk.c disasm.c
	disasm_helpers.c json_writer.c verification_cert.h flow_dissector_load.h
	ip_check_defrag_frags.h bpftool_helpers.c usdt_1.c usdt_2.c"
# The signed loader tests' shared helpers (a file the series adds).
[ ! -f "$src/tools/testing/selftests/bpf/signed_loader_helpers.c" ] ||
	extra_srcs+=" signed_loader_helpers.c"

# The overrides on the command line apply to every test runner the Makefile
# defines; TRUNNER_TESTS_DIR=prog_tests keeps test_maps (which shares the
# output directory) from claiming the same test objects with map_tests/.
# Build (or, after a change, rebuild) test_progs with the tests above.
make_selftests() {
	in_root make -C "$src/tools/testing/selftests/bpf" -j"$JOBS" \
		OUTPUT="$sel" VMLINUX_BTF="$vmlinux" \
		TRUNNER_TESTS_DIR=prog_tests TRUNNER_TEST_OBJS="${tests[*]}" TRUNNER_BPF_SRCS="${bpf_srcs[*]}" \
		TRUNNER_EXTRA_SOURCES="$(echo $extra_srcs)" \
		TRUNNER_EXTRA_FILES="$sel/sign-file $sel/sign-layout verify_sig_setup.sh" \
		LSKELS= LSKELS_SIGNED="${signed[*]}" LSKELS_EXTRA= LINKED_SKELS= TEST_KMODS= TEST_GEN_FILES= \
		"$sel/test_progs"
}

msg "building ${#tests[@]} selftest(s) and ${#bpf_srcs[@]} BPF objects, ${#signed[@]} signed light skeletons (log: $log)"
make_selftests >"$log" 2>&1 ||
	{ tail -n 30 "$log" >&2; die "building the selftests failed, see $log"; }

# A light skeleton signed by the base tree's unmodified bpftool (the unbound
# form, no signed attributes) must keep loading: atomics.lskel.h is made
# again with it, from the same object, key and name, and test_progs
# relinked, so that the atomics test runs on it. The layout's OID must be in
# the signature the series' bpftool made (fentry_test) and not in that one.
if [[ " ${signed[*]} " == *" atomics.c "* ]]; then
	base_bpftool=$("$TOP/scripts/base-bpftool.sh")
	keys=$sel/tools/build
	in_root "$base_bpftool" gen object "$sel/atomics.llinked1.o" "$sel/atomics.bpf.o"
	in_root "$base_bpftool" gen object "$sel/atomics.llinked2.o" "$sel/atomics.llinked1.o"
	in_root "$base_bpftool" gen object "$sel/atomics.llinked3.o" "$sel/atomics.llinked2.o"
	in_root "$base_bpftool" gen skeleton -L -S -k "$keys/signing_key.pem" -i "$keys/signing_key.der" \
		"$sel/atomics.llinked3.o" name atomics_lskel >"$sel/atomics.base.lskel.h"
	rm -f "$sel"/atomics.llinked[123].o
	cmp -s "$sel/atomics.base.lskel.h" "$sel/atomics.lskel.h" ||
		mv "$sel/atomics.base.lskel.h" "$sel/atomics.lskel.h"
	rm -f "$sel/atomics.base.lskel.h"
	binds=0
	python3 "$TOP/scripts/lskel-binds-layout.py" "$sel/atomics.lskel.h" || binds=$?
	[ "$binds" = 1 ] || die "atomics.lskel.h's signature binds a layout or cannot be read" \
		"check that $base_bpftool is the base tree's bpftool"
	if [[ " ${signed[*]} " == *" fentry_test.c "* ]]; then
		python3 "$TOP/scripts/lskel-binds-layout.py" "$sel/fentry_test.lskel.h" ||
			die "fentry_test.lskel.h's signature binds no layout" \
				"the series' bpftool (patch 18) signs the bound form by default"
	fi
	make_selftests >>"$log" 2>&1 ||
		{ tail -n 30 "$log" >&2; die "relinking the selftests failed, see $log"; }
	msg "selftests: atomics.lskel.h signed by the base tree's bpftool, fentry_test's by the series'"
fi
ln -sfn "$sel" "$OUT/selftests"
msg "selftests: $sel/test_progs"
