#!/usr/bin/env bash
# The demonstration "make" ends with: in the VM, booted with
# bpf.keyring_unsealed=1, the certificate of a key made on the spot is
# enrolled in the .bpf keyring, which is then restricted; a light skeleton
# signed with that key loads against it and the kernel's verdict is shown;
# the same loader with one metadata byte changed is refused, with its
# verifier-log line; and the genuine one naming the session keyring is
# refused, as the flag requires. Built against the tree's libbpf and bpftool (from the
# selftests build), into $OUT/demo.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

sel=$OUT/selftests
[ -x "$sel/test_progs" ] || die "the selftests are not built" "run: make selftests"
bpftool=$(find "$sel/tools/sbin" "$sel/tools/build/bpftool" -maxdepth 2 -name bpftool -type f 2>/dev/null | head -n1)
libbpf=$sel/tools/build/libbpf/libbpf.a
inc=$sel/tools/include
[ -n "$bpftool" ] && [ -f "$libbpf" ] && [ -f "$inc/vmlinux.h" ] ||
	die "bpftool, libbpf or vmlinux.h missing from $sel" "run: make selftests"
src=$(readlink -f "$OUT/linux")
demo=$OUT/demo
rm -rf "$demo"
mkdir -p "$demo"
cp "$TOP"/demo/*.c "$demo/"

msg "demo: a new RSA-2048 signing key and certificate"
in_root openssl req -new -x509 -newkey rsa:2048 -nodes -days 1 -batch \
	-subj "/CN=signed loader demo $(date +%s)" -sha256 \
	-keyout "$demo/key.pem" -outform DER -out "$demo/cert.der" >/dev/null 2>&1 ||
	die "openssl could not make the demo key"

msg "demo: building the signed light skeleton and the verdict LSM program"
(
	cd "$demo"
	bpf_cc() { in_root clang -g -O2 --target=bpf -D__TARGET_ARCH_x86 -I"$inc" -c "$1" -o "$2"; }
	bpf_cc hello.bpf.c hello.bpf.o
	bpf_cc verdict.bpf.c verdict.bpf.o
	sign=(-L -S -k key.pem -i cert.der hello.bpf.o)
	in_root "$bpftool" gen skeleton "${sign[@]}" name hello_lskel >hello.lskel.h
	in_root "$bpftool" gen skeleton "${sign[@]}" name hello_tampered_lskel >hello_tampered.lskel.h
	in_root "$bpftool" gen skeleton verdict.bpf.o name verdict_bpf >verdict.skel.h
	# Change one byte of the tampered copy's metadata (its opts_data blob).
	python3 - hello_tampered.lskel.h <<'PY'
import re, sys
path = sys.argv[1]
text = open(path).read()
start = text.index("opts_data[]")
m = re.compile(r"\\x([0-9a-f]{2})").search(text, start)
byte = int(m.group(1), 16) ^ 0x01
text = text[:m.start()] + "\\x%02x" % byte + text[m.end():]
open(path, "w").write(text)
PY
	in_root cc -O2 -Wall -I. -I"$inc" -I"$src/tools/include/uapi" signed_demo.c "$libbpf" -lelf -lz -lzstd -o signed_demo
) >"$OUT/logs/demo-build.log" 2>&1 || die "building the demo failed, see $OUT/logs/demo-build.log"

msg "demo: booting the patched kernel (CONFIG_BPF_SIGNED_LOADER=y, bpf.keyring_unsealed=1)"
rc=0
VM_APPEND=bpf.keyring_unsealed=1 "$TOP/scripts/vm.sh" on "$demo/signed_demo $demo/cert.der" || rc=$?
notices_show
exit "$rc"
