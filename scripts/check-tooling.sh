#!/usr/bin/env bash
# make check-tooling: the two commands as a kernel developer runs them, on
# a cold cache. An ordinary user (not root, and not in the kvm group) runs
# `make check` in a copy of the repository (without out/ and .git, as from
# a tarball) at a path of 600 characters or more, its output sent to a
# file, with a cache of its own: it builds its own toolchain root without
# privileges, fetches the base, builds both kernels and runs every test.
# Run by an ordinary user, it is that user; run by root, TOOLING_USER names
# one, or a throwaway user is made (useradd gives it subordinate ids) and
# removed with its home afterwards. Then the same make check again, warm
# (the user's cache and the copy as they are). Cases: each run passes; the
# cold run's log holds all of its output (its first line, the guests'
# lines, its closing line); the host's packages are the same after both;
# nothing in the user's home belongs to another user. About 1.5 hours on 2
# cores; outside CI's budget.
# Ends with one line "N passed, N failed, N skipped".
set -euo pipefail
. "$(dirname "$0")/lib.sh"

made_user=""
if [ "$(id -u)" = 0 ]; then
	user=${TOOLING_USER:-}
	if [ -z "$user" ]; then
		user=sl-tooling-$$
		msg "making the throwaway user $user (removed at the end)"
		useradd --create-home --shell /bin/bash "$user" ||
			die "cannot make a user for the run" "set TOOLING_USER= to an existing ordinary user"
		made_user=$user
	fi
	[ "$(id -u "$user")" != 0 ] || die "TOOLING_USER=$user is root" "name an ordinary user"
	as_user() {
		setpriv --reuid="$user" --regid="$user" --init-groups --reset-env \
			env HOME="$home" bash -c "$1"
	}
else
	user=$(id -un)
	as_user() { bash -c "$1"; }
fi
home=$(getent passwd "$user" | cut -d: -f6)
cleanup() {
	if [ -n "$made_user" ]; then
		userdel --remove "$made_user" 2>/dev/null || true
	fi
}
trap cleanup EXIT

work=$home/tooling
res=$OUT/results-tooling-check.txt
: >"$res"
packages() { dpkg-query -W -f '${Package} ${Version} ${Status}\n' 2>/dev/null | sort | sha256sum; }
before=$(packages)

as_user "rm -rf '$work' && mkdir -p '$work'"
clone=$work
while [ ${#clone} -lt 600 ]; do
	clone+=/a-long-directory-name-like-a-deep-checkout
done
as_user "mkdir -p '$clone'"
tar -C "$TOP" --exclude=./out --exclude=./.git -cf - . | as_user "tar -C '$clone' -xf -"

verdict() { if [ "$1" = 0 ]; then echo PASS; else echo FAIL; fi; }
# make check as the user in the copy, its output to $work/NAME.log.
check_as_user() {
	local name=$1 log=$work/$1.log rc=0 start secs last ok
	step "make check ($name) as $user (uid $(id -u "$user")), cache $home/.cache, in a copy at a path of ${#clone} characters; output to $log"
	start=$(date +%s)
	as_user "cd '$clone' && make check >'$log' 2>&1" || rc=$?
	secs=$(($(date +%s) - start))
	step "make check ($name) as $user: exit $rc after $secs s"
	cp "$log" "$OUT/logs/tooling-check-$name.log"
	last=$(tail -n 1 "$log")
	ok=1
	[ "$rc" = 0 ] && [[ "$last" =~ ^[0-9]+\ passed,\ 0\ failed ]] || ok=0
	echo "$(verdict $((1 - ok))) tooling-check make-check-as-user-$name ($secs s, exit $rc: $last)" >>"$res"
}
check_as_user cold
check_as_user warm

log=$work/cold.log
{
	ok=1
	head -n 1 "$log" | grep -q '^==> \[0s\] toolchain' || ok=0
	# Both guests' first lines, and test_progs' lines from them.
	[ "$(grep -c '^guest: .*, LSMs: ' "$log")" = 2 ] || ok=0
	grep -q '^#[0-9]*/[0-9]* *signed_loader/loadtime_no_map:OK' "$log" || ok=0
	grep -qE '^[0-9]+ passed, ' "$log" || ok=0
	echo "$(verdict $((1 - ok))) tooling-check log-holds-everything ($(wc -l <"$log") lines)"
	ok=1
	[ "$(packages)" = "$before" ] || ok=0
	echo "$(verdict $((1 - ok))) tooling-check host-packages-unchanged"
	others=$(find "$home" ! -user "$user" -print 2>/dev/null | head -n 3)
	echo "$(verdict "$([ -z "$others" ] && echo 0 || echo 1)") tooling-check files-owned-by-user${others:+ (not: $others)}"
} >>"$res"
cat "$res" >&2
summarize "$res"
