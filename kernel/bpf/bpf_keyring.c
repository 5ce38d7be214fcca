// SPDX-License-Identifier: GPL-2.0-only
/*
 * The .bpf keyring: the keys an operator trusts to sign BPF programs, and
 * nothing else.
 *
 * It is made at late_initcall, owned by root and linked into no process
 * keyring; userspace names it KEY_SPEC_BPF_KEYRING. By default it is sealed:
 * empty, with a restriction that rejects every link. Booted with
 * bpf.keyring_unsealed=1 it stays open, so that an initramfs can add keys
 * and then restrict it; it verifies signatures only once it holds a key
 * and is restricted. That flag also makes it the only keyring of a loader's
 * choosing: the keyrings of the loading process are refused, the system
 * keyrings stay selectable.
 */

#define pr_fmt(fmt) "bpf: " fmt

#include <linux/bpf.h>
#include <linux/cred.h>
#include <linux/init.h>
#include <linux/key.h>
#include <linux/moduleparam.h>
#include <keys/system_keyring.h>

#undef MODULE_PARAM_PREFIX
#define MODULE_PARAM_PREFIX "bpf."

static bool keyring_unsealed __ro_after_init;
module_param(keyring_unsealed, bool, 0444);
MODULE_PARM_DESC(keyring_unsealed,
		 "Leave the .bpf keyring open until restricted; refuse the loader's own keyrings");

static struct key *bpf_keyring __ro_after_init;

/*
 * Root (the owner) may add keys, restrict the keyring and change these
 * permissions until it drops them; a load naming the keyring possesses it
 * and searches it.
 */
#define BPF_KEYRING_PERM (KEY_POS_SEARCH | KEY_USR_VIEW | KEY_USR_READ | \
			  KEY_USR_WRITE | KEY_USR_SEARCH | KEY_USR_SETATTR)

static int __init bpf_keyring_init(void)
{
	struct key *keyring;
	int err;

	keyring = keyring_alloc(".bpf", GLOBAL_ROOT_UID, GLOBAL_ROOT_GID,
				current_cred(), BPF_KEYRING_PERM,
				KEY_ALLOC_NOT_IN_QUOTA, NULL, NULL);
	if (IS_ERR(keyring)) {
		pr_err("cannot allocate the .bpf keyring: %ld\n",
		       PTR_ERR(keyring));
		return PTR_ERR(keyring);
	}

	if (!keyring_unsealed) {
		/* Sealed: no key can ever be linked to it. */
		err = keyring_restrict(make_key_ref(keyring, true), NULL, NULL);
		if (err) {
			pr_err("cannot seal the .bpf keyring: %d\n", err);
			key_put(keyring);
			return err;
		}
	}

	bpf_keyring = keyring;
	return 0;
}
late_initcall(bpf_keyring_init);

/**
 * bpf_keyring_get() - Get the .bpf keyring
 *
 * Return: the .bpf keyring with a new reference, or NULL if it was not
 * made (before late_initcall, or on failure).
 */
struct key *bpf_keyring_get(void)
{
	return bpf_keyring ? key_get(bpf_keyring) : NULL;
}

/**
 * bpf_keyring_check() - Check that the .bpf keyring may verify signatures
 *
 * It may once it holds a key and is restricted, so that no key can join
 * it after the operator closed it. Keys may still leave it; verification
 * then finds none.
 *
 * Return: 0 if it may, -ENOKEY if it was not made, is empty or is not
 * restricted.
 */
int bpf_keyring_check(void)
{
	struct key *keyring = bpf_keyring;

	if (!keyring || !READ_ONCE(keyring->restrict_link) ||
	    !READ_ONCE(keyring->keys.nr_leaves_on_tree))
		return -ENOKEY;
	return 0;
}

/**
 * bpf_keyring_enforced() - Check whether only the .bpf keyring and the
 * system keyrings may verify signed BPF loaders
 *
 * Return: true if the kernel was booted with bpf.keyring_unsealed=1: a
 * signed load that names a keyring of its own is then refused.
 */
bool bpf_keyring_enforced(void)
{
	return keyring_unsealed;
}
