// SPDX-License-Identifier: GPL-2.0
/*
 * Bad input to a signed load, each with its error code and verifier-log
 * line: signatures that do not verify these bytes, keyrings that cannot
 * verify anything, metadata maps that cannot be signed; and a payload as
 * large as the machine holds.
 */
#include <test_progs.h>
#include <sys/syscall.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/keyctl.h>

#include "signed_loader_helpers.h"

/* Signatures that are not a valid signature of these bytes. */
static void bad_signatures(void)
{
	static const __u8 garbage[64] = { 0x30, 0x82, 0xde, 0xad, };
	struct signed_setup s;
	__u32 other_sz;
	__u8 other[8192];
	int map_fd;

	if (signed_setup_init(&s))
		goto out;
	map_fd = setup_meta_map(&s.f);
	if (!ASSERT_OK_FD(map_fd, "meta_map"))
		goto out;

	expect_signed_load(&s, map_fd, s.sig, 0, KEY_SPEC_SESSION_KEYRING,
			   -EINVAL, "signature size 0 is not in [1, ",
			   "zero-size signature");
	expect_signed_load(&s, map_fd, s.sig, 64 << 20,
			   KEY_SPEC_SESSION_KEYRING, -EINVAL,
			   "signature size 67108864 is not in [1, ",
			   "oversized signature");
	expect_signed_load(&s, map_fd, s.sig, s.sig_sz / 2,
			   KEY_SPEC_SESSION_KEYRING, -EBADMSG,
			   "signature verification failed: -74",
			   "truncated signature");
	expect_signed_load(&s, map_fd, (void *)8, s.sig_sz,
			   KEY_SPEC_SESSION_KEYRING, -EFAULT,
			   "failed to copy signature: -14",
			   "unreadable signature");
	expect_signed_load(&s, map_fd, garbage, sizeof(garbage),
			   KEY_SPEC_SESSION_KEYRING, -EBADMSG,
			   "signature verification failed: -74",
			   "garbage signature");

	/* A genuine signature, with the same key, of other bytes. */
	other_sz = sizeof(other);
	if (ASSERT_OK(sign_buf(s.dir, s.f.gopts.insns, s.f.gopts.insns_sz,
			       other, &other_sz), "sign insns only"))
		expect_signed_load(&s, map_fd, other, other_sz,
				   KEY_SPEC_SESSION_KEYRING, -EKEYREJECTED,
				   "signature verification failed: -129",
				   "signature over other bytes");
	close(map_fd);
out:
	signed_setup_fini(&s);
}

/* Keyrings that cannot verify anything. */
static void bad_keyrings(void)
{
	struct signed_setup s;
	char path[PATH_MAX];
	__s32 ring, key;
	void *cert = NULL;
	int map_fd, fd;
	struct stat st;

	if (signed_setup_init(&s))
		goto out;
	map_fd = setup_meta_map(&s.f);
	if (!ASSERT_OK_FD(map_fd, "meta_map"))
		goto out;

	expect_signed_load(&s, map_fd, s.sig, s.sig_sz, INT_MAX, -EINVAL,
			   "cannot resolve signing keyring with keyring_id 2147483647",
			   "keyring id that resolves to nothing");

	/* A keyring holding the right key, revoked before the load. */
	snprintf(path, sizeof(path), "%s/signing_key.der", s.dir);
	fd = open(path, O_RDONLY);
	if (!ASSERT_OK_FD(fd, "open cert"))
		goto out_map;
	if (!fstat(fd, &st))
		cert = malloc(st.st_size);
	if (!ASSERT_OK_PTR(cert, "cert buf") ||
	    !ASSERT_EQ(read(fd, cert, st.st_size), st.st_size, "read cert")) {
		close(fd);
		goto out_map;
	}
	close(fd);
	ring = syscall(__NR_add_key, "keyring", "signed_loader_revoked", NULL,
		       0, KEY_SPEC_SESSION_KEYRING);
	if (!ASSERT_GT(ring, 0, "add keyring"))
		goto out_map;
	key = syscall(__NR_add_key, "asymmetric", "signed_loader_cert", cert,
		      st.st_size, ring);
	if (ASSERT_GT(key, 0, "add cert")) {
		expect_signed_load(&s, map_fd, s.sig, s.sig_sz, ring, 0, NULL,
				   "keyring verifies before revocation");
		ASSERT_OK(syscall(__NR_keyctl, KEYCTL_REVOKE, ring), "revoke");
		expect_signed_load(&s, map_fd, s.sig, s.sig_sz, ring,
				   -EKEYREVOKED,
				   "signature verification failed: -128",
				   "revoked keyring");
	}
	syscall(__NR_keyctl, KEYCTL_UNLINK, ring, KEY_SPEC_SESSION_KEYRING);
out_map:
	close(map_fd);
out:
	free(cert);
	signed_setup_fini(&s);
}

/*
 * A payload past the 16 MiB a dynptr can describe, which bounded signed
 * loads before the payload was digested where it lies, and as large as the
 * machine can hold: a quarter of its free memory (the test holds the
 * payload in a buffer, in the map and in the file it signs), as a power of
 * two from 64 MiB to 1 GiB. The loader with a metadata map that size
 * loads, and a signature over the same bytes but the last one is refused.
 */
static __u32 large_payload_size(void)
{
	unsigned long long avail;
	__u32 size = 64u << 20;

	avail = (unsigned long long)sysconf(_SC_AVPHYS_PAGES) *
		sysconf(_SC_PAGESIZE) / 4;
	while (size < (1u << 30) && 2ull * size <= avail)
		size *= 2;
	return size;
}

static void large_payload(void)
{
	LIBBPF_OPTS(bpf_map_create_opts, mopts);
	__u32 key = 0, insns_sz, sig_sz, i, size = large_payload_size();
	static __u8 sig[8192];
	struct signed_setup s;
	unsigned char *buf = NULL, *value;
	int fd = -1;

	printf("%s: a payload of %u MiB\n", __func__, size >> 20);
	if (signed_setup_init(&s))
		goto out;
	insns_sz = s.f.gopts.insns_sz;
	buf = malloc((size_t)insns_sz + size);
	if (!ASSERT_OK_PTR(buf, "payload buffer"))
		goto out;
	memcpy(buf, s.f.gopts.insns, insns_sz);
	value = buf + insns_sz;
	memcpy(value, s.f.blob, s.f.data_sz);
	/* No run of equal bytes: a piece read at the wrong offset shows. */
	for (i = s.f.data_sz; i < size; i++)
		value[i] = (i * 2654435761u) >> 24;

	mopts.excl_prog_hash = s.f.excl;
	mopts.excl_prog_hash_size = sizeof(s.f.excl);
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "large", 4, size, 1,
			    &mopts);
	if (!ASSERT_OK_FD(fd, "large map") ||
	    !ASSERT_OK(bpf_map_update_elem(fd, &key, value, 0), "fill") ||
	    !ASSERT_OK(bpf_map_freeze(fd), "freeze"))
		goto out;

	sig_sz = sizeof(sig);
	if (!ASSERT_OK(sign_buf(s.dir, buf, insns_sz + size, sig,
				&sig_sz), "sign"))
		goto out;
	expect_signed_load(&s, fd, sig, sig_sz, KEY_SPEC_SESSION_KEYRING, 0,
			   NULL, "large payload");

	value[size - 1] ^= 0xff;
	sig_sz = sizeof(sig);
	if (!ASSERT_OK(sign_buf(s.dir, buf, insns_sz + size, sig,
				&sig_sz), "sign changed"))
		goto out;
	expect_signed_load(&s, fd, sig, sig_sz, KEY_SPEC_SESSION_KEYRING,
			   -EKEYREJECTED, "signature verification failed: -129",
			   "last byte signed differently");
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	signed_setup_fini(&s);
}

/* Metadata maps that cannot be folded into the signature. */
static void bad_metadata_maps(void)
{
	LIBBPF_OPTS(bpf_map_create_opts, mopts);
	struct signed_setup s;
	__u32 key = 0;
	int fd;
	void *w;

	if (signed_setup_init(&s))
		goto out;
	mopts.excl_prog_hash = s.f.excl;
	mopts.excl_prog_hash_size = sizeof(s.f.excl);

	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "unfrozen", 4, s.f.data_sz, 1,
			    &mopts);
	if (ASSERT_OK_FD(fd, "unfrozen map")) {
		bpf_map_update_elem(fd, &key, s.f.blob, 0);
		expect_signed_load(&s, fd, s.sig, s.sig_sz,
				   KEY_SPEC_SESSION_KEYRING, -EPERM,
				   "signed program metadata map 'unfrozen' must be frozen",
				   "unfrozen map");
		close(fd);
	}

	/* A live writable mapping keeps the map from being frozen. */
	mopts.map_flags = BPF_F_MMAPABLE;
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "mmapped", 4, s.f.data_sz, 1,
			    &mopts);
	mopts.map_flags = 0;
	if (ASSERT_OK_FD(fd, "mmapable map")) {
		w = mmap(NULL, s.f.data_sz, PROT_READ | PROT_WRITE, MAP_SHARED,
			 fd, 0);
		if (ASSERT_NEQ(w, MAP_FAILED, "writable mmap")) {
			memcpy(w, s.f.blob, s.f.data_sz);
			ASSERT_EQ(bpf_map_freeze(fd), -EBUSY, "freeze refused");
			expect_signed_load(&s, fd, s.sig, s.sig_sz,
					   KEY_SPEC_SESSION_KEYRING, -EPERM,
					   "signed program metadata map 'mmapped' must be frozen",
					   "map writable through mmap");
			munmap(w, s.f.data_sz);
		}
		close(fd);
	}

	fd = bpf_map_create(BPF_MAP_TYPE_HASH, "hashmap", 4, s.f.data_sz, 1,
			    &mopts);
	if (ASSERT_OK_FD(fd, "hash map")) {
		bpf_map_update_elem(fd, &key, s.f.blob, 0);
		bpf_map_freeze(fd);
		expect_signed_load(&s, fd, s.sig, s.sig_sz,
				   KEY_SPEC_SESSION_KEYRING, -EINVAL,
				   "signed program metadata map 'hashmap' must be an array",
				   "non-array map");
		close(fd);
	}

	/*
	 * An array of two values has no single value to fold:
	 * map_direct_value_addr() fails with the kernel-internal ENOTSUPP (524).
	 */
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "two_values", 4, s.f.data_sz,
			    2, &mopts);
	if (ASSERT_OK_FD(fd, "two-value map")) {
		bpf_map_update_elem(fd, &key, s.f.blob, 0);
		bpf_map_freeze(fd);
		expect_signed_load(&s, fd, s.sig, s.sig_sz,
				   KEY_SPEC_SESSION_KEYRING, -524,
				   "failed to read signed metadata map 'two_values': -524",
				   "map with two values");
		close(fd);
	}

	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "shared", 4, s.f.data_sz, 1,
			    NULL);
	if (ASSERT_OK_FD(fd, "non-exclusive map")) {
		bpf_map_update_elem(fd, &key, s.f.blob, 0);
		bpf_map_freeze(fd);
		expect_signed_load(&s, fd, s.sig, s.sig_sz,
				   KEY_SPEC_SESSION_KEYRING, -EPERM,
				   "signed program metadata map 'shared' must be exclusive",
				   "non-exclusive map");
		close(fd);
	}

	/* An exclusive, frozen map, but not the one that was signed. */
	s.f.blob[s.f.data_sz - 1] ^= 0xff;
	fd = setup_meta_map(&s.f);
	s.f.blob[s.f.data_sz - 1] ^= 0xff;
	if (ASSERT_OK_FD(fd, "swapped map")) {
		expect_signed_load(&s, fd, s.sig, s.sig_sz,
				   KEY_SPEC_SESSION_KEYRING, -EKEYREJECTED,
				   "signature verification failed: -129",
				   "map swapped in after signing");
		close(fd);
	}

	/* The signed map itself loads: the rejections above are the maps'. */
	fd = setup_meta_map(&s.f);
	if (ASSERT_OK_FD(fd, "signed map")) {
		expect_signed_load(&s, fd, s.sig, s.sig_sz,
				   KEY_SPEC_SESSION_KEYRING, 0, NULL,
				   "the signed map");
		close(fd);
	}
out:
	signed_setup_fini(&s);
}

void test_signed_loader_input(void)
{
	if (test__start_subtest("bad_signatures"))
		bad_signatures();
	if (test__start_subtest("bad_keyrings"))
		bad_keyrings();
	if (test__start_subtest("bad_metadata_maps"))
		bad_metadata_maps();
	if (test__start_subtest("large_payload"))
		large_payload();
}
