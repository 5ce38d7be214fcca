// SPDX-License-Identifier: GPL-2.0
/* The program a signed light skeleton carries: its global data is the metadata. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char _license[] SEC("license") = "GPL";

const volatile __u64 greeting = 0x5349474e4544; /* "SIGNED" */
__u64 calls;

SEC("tp/syscalls/sys_enter_getpid")
int hello(void *ctx)
{
	calls += greeting != 0;
	return 0;
}
