// SPDX-License-Identifier: GPL-2.0

#include <linux/bpf.h>
#include <linux/bpfptr.h>
#include <linux/verification.h>

__rust_helper s32 rust_helper_bpf_key_serial(const struct bpf_key *key)
{
	return bpf_key_serial(key);
}

__rust_helper int rust_helper_system_keyring_id_check(u64 id)
{
	return system_keyring_id_check(id);
}

__rust_helper const struct bpf_insn *
rust_helper_bpf_prog_insnsi(const struct bpf_prog *prog)
{
	return prog->insnsi;
}

__rust_helper int rust_helper_bpf_copy_from_ptr(void *dst, u64 addr,
						bool is_kernel, size_t size)
{
	return copy_from_bpfptr(dst, make_bpfptr(addr, is_kernel), size) ?
	       -EFAULT : 0;
}
