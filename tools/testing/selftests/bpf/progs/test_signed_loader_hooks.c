// SPDX-License-Identifier: GPL-2.0
/*
 * Watches the two LSM hooks of a BPF program load: bpf_prog_load, which
 * runs before the verifier, and bpf_prog_load_post_integrity, which runs
 * once the signature verdict is final. Either can deny the load.
 */

#include "vmlinux.h"
#include <errno.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

#define SIG_VERIFIED 1	/* BPF_SIG_VERIFIED */

__u32 monitored_tid;
bool deny_load;		/* deny every load at bpf_prog_load */
bool require_signed;	/* deny unsigned loads at bpf_prog_load_post_integrity */

__u64 seq;
__u64 load_seq;
__u64 post_seq;
int load_seen;
int post_seen;
int load_verdict;
int post_verdict;
int post_keyring_type;
int post_keyring_serial;

static bool monitored(void)
{
	__u32 tid = bpf_get_current_pid_tgid() & 0xffffffff;

	return monitored_tid && tid == monitored_tid;
}

SEC("lsm/bpf_prog_load")
int BPF_PROG(on_prog_load, struct bpf_prog *prog, union bpf_attr *attr,
	     struct bpf_token *token, bool kernel)
{
	if (!monitored())
		return 0;
	load_seen++;
	load_seq = ++seq;
	load_verdict = prog->aux->sig.verdict;
	return deny_load ? -EPERM : 0;
}

SEC("lsm/bpf_prog_load_post_integrity")
int BPF_PROG(on_post_integrity, struct bpf_prog *prog, bool kernel)
{
	if (!monitored())
		return 0;
	post_seen++;
	post_seq = ++seq;
	post_verdict = prog->aux->sig.verdict;
	post_keyring_type = prog->aux->sig.keyring_type;
	post_keyring_serial = prog->aux->sig.keyring_serial;
	if (require_signed && !kernel && post_verdict != SIG_VERIFIED)
		return -EPERM;
	return 0;
}
