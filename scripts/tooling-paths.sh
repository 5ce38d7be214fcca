#!/usr/bin/env bash
# Part of make check: the tooling from a clone at a long path, its output
# sent to a file and to a pipe. A copy of the repository (without out/ and
# .git: it need not be a git clone) at a path of 600 characters or more
# builds the "on" kernel (warm: the work tree and its build directories
# are shared through the cache) and boots it with a guest command that
# names two paths under the copy: more than the kernel command line held
# when guest commands travelled on it.
# Prints one "PASS|FAIL tooling <case>" line per case on stdout.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

base=$OUT/tooling
rm -rf "$base"
clone=$base
while [ ${#clone} -lt 600 ]; do
	clone+=/a-long-directory-name-like-a-deep-checkout
done
mkdir -p "$clone/out"
tar -C "$TOP" --exclude=./out --exclude=./.git -cf - . | tar -C "$clone" -xf -
trap 'rm -rf "$base"' EXIT

# The guest writes a file of the copy and says how long its kernel
# command line was.
cat >"$clone/out/guest.sh" <<'GUEST'
echo "tooling guest: ran, kernel command line $(wc -c </proc/cmdline) bytes"
echo ran >"$1"
GUEST
guest_cmd="sh $clone/out/guest.sh $clone/out/guest-wrote"
what="clone path ${#clone} characters, guest command ${#guest_cmd}"

# One case: make TARGETS in the copy, its output to a file (file) or
# through a pipe (pipe); it must pass, and its output must hold what make
# said before the VM and what the guest said, in that order.
one() {
	local name=$1 how=$2
	shift 2
	local log=$base/$name.log rc=0 verdict=PASS why=""
	rm -f "$clone/out/guest-wrote"
	if [ "$how" = file ]; then
		(cd "$clone" && make -s "$@" CMD="$guest_cmd" >"$log" 2>&1) || rc=$?
	else
		(cd "$clone" && make -s "$@" CMD="$guest_cmd" 2>&1 | cat >"$log") || rc=$?
	fi
	if [ "$rc" != 0 ]; then
		verdict=FAIL why="make exited $rc"
	elif [ "$(cat "$clone/out/guest-wrote" 2>/dev/null)" != ran ]; then
		verdict=FAIL why="the guest did not run"
	elif ! grep -n -m1 '^==> ' "$log" | grep -q '^1:'; then
		verdict=FAIL why="the output's first line is lost"
	elif ! awk '/^==> VM: /{vm = NR} /^tooling guest: ran/{if (vm) ok = 1} END {exit !ok}' "$log"; then
		verdict=FAIL why="the guest's line is missing or came before the VM line"
	fi
	# What the guest said of its command line, in the case's line.
	why=${why:-$(sed -n 's/^tooling guest: ran, //p' "$log" | head -n1)}
	echo "$verdict tooling $name ($what; $why)"
	[ "$verdict" = PASS ] || tail -n 20 "$log" >&2
}
one output-to-file file kernel-on vm
one output-to-pipe pipe vm
