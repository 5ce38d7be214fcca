// SPDX-License-Identifier: GPL-2.0
/* Records what the kernel decided about each BPF program load of one task. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

__u32 tid;
int loads;
int verdict;
int reason;
int keyring_type;
int keyring_serial;

SEC("lsm/bpf_prog_load_sig_verdict")
int BPF_PROG(record_verdict, struct bpf_prog *prog,
	     enum bpf_sig_verdict sig_verdict, enum bpf_sig_reject sig_reason,
	     bool kernel)
{
	/* The loader's own load; not the loads it makes from the kernel. */
	if ((__u32)bpf_get_current_pid_tgid() != tid || kernel)
		return 0;
	loads++;
	verdict = sig_verdict;
	reason = sig_reason;
	keyring_type = prog->aux->sig.keyring_type;
	keyring_serial = prog->aux->sig.keyring_serial;
	return 0;
}
