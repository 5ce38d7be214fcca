// SPDX-License-Identifier: GPL-2.0

#include <linux/bpf.h>
#include <linux/verification.h>

__rust_helper s32 rust_helper_bpf_key_serial(const struct bpf_key *key)
{
	return bpf_key_serial(key);
}

__rust_helper int rust_helper_system_keyring_id_check(u64 id)
{
	return system_keyring_id_check(id);
}
