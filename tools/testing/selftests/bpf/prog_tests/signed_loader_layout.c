// SPDX-License-Identifier: GPL-2.0
/*
 * The layout a signed loader's signature binds: where its instructions end
 * and each metadata map's value begins (struct bpf_sig_layout, in a PKCS#7
 * signed attribute). A signature that binds it verifies only a load with
 * exactly those sizes; one that does not, as 7.3's bpftool made them,
 * verifies any split of the same bytes (the legacy behaviour).
 */
#include <test_progs.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/keyctl.h>

#include "bpf/libbpf_internal.h" /* for libbpf_sha256() */
#include "signed_loader_helpers.h"
#include "test_signed_loader_lsm.skel.h"

#define UNSET -1
#define PASSED "signature verification passed"

/*
 * The signed loader, and a payload of two metadata values after its
 * instructions: insns || value || value', value' being the loader's
 * metadata with its last byte changed; signed with the session's key in
 * both forms, the bound one binding the split into the loader's
 * instructions and two maps of a value each.
 */
struct layout_setup {
	struct signed_setup s;
	unsigned char *payload;
	__u32 insns_sz;
	__u32 value_sz;
	__u32 len;
	__u32 sizes[2];		/* the maps as signed */
	char key[PATH_MAX];	/* the session's key and certificate (PEM) */
	__u8 bound[8192];
	__u8 unbound[8192];
	__u32 bound_sz;
	__u32 unbound_sz;
};

static int sign_payload(struct layout_setup *l, const char *key,
			const char *cert, const char *digest, __u32 insns_sz,
			const __u32 *sizes, int nr_maps, void *sig,
			__u32 *sig_sz);

static int layout_setup_init(struct layout_setup *l)
{
	l->payload = NULL;
	if (signed_setup_init(&l->s))
		return -1;
	l->insns_sz = l->s.f.gopts.insns_sz;
	l->value_sz = l->s.f.data_sz;
	l->len = l->insns_sz + 2 * l->value_sz;
	l->payload = malloc(l->len);
	if (!ASSERT_OK_PTR(l->payload, "payload"))
		return -1;
	memcpy(l->payload, l->s.f.gopts.insns, l->insns_sz);
	memcpy(l->payload + l->insns_sz, l->s.f.blob, l->value_sz);
	memcpy(l->payload + l->insns_sz + l->value_sz, l->s.f.blob, l->value_sz);
	l->payload[l->len - 1] ^= 0xff;
	snprintf(l->key, sizeof(l->key), "%s/signing_key.pem", l->s.dir);
	l->sizes[0] = l->value_sz;
	l->sizes[1] = l->value_sz;
	l->bound_sz = sizeof(l->bound);
	l->unbound_sz = sizeof(l->unbound);
	if (!ASSERT_OK(sign_payload(l, l->key, l->key, "sha256", l->insns_sz,
				    l->sizes, 2, l->bound, &l->bound_sz),
		       "sign bound") ||
	    !ASSERT_OK(sign_payload(l, l->key, l->key, "sha256", 0, NULL, -1,
				    l->unbound, &l->unbound_sz),
		       "sign unbound"))
		return -1;
	return 0;
}

static void layout_setup_fini(struct layout_setup *l)
{
	free(l->payload);
	signed_setup_fini(&l->s);
}

/* "INSNS:SIZE,SIZE": the layout sign-layout binds. */
static const char *layout_str(char *buf, size_t n, __u32 insns_sz,
			      const __u32 *sizes, int nr_maps)
{
	int i, off;

	off = snprintf(buf, n, "%u:", insns_sz);
	for (i = 0; i < nr_maps; i++)
		off += snprintf(buf + off, n - off, "%s%u", i ? "," : "",
				sizes[i]);
	return buf;
}

/*
 * Sign the payload with @key and @cert over @digest: binding the layout of
 * @insns_sz bytes of instructions and maps of @sizes, or, for @nr_maps < 0,
 * without signed attributes, as 7.3's bpftool did.
 */
static int sign_payload(struct layout_setup *l, const char *key,
			const char *cert, const char *digest, __u32 insns_sz,
			const __u32 *sizes, int nr_maps, void *sig,
			__u32 *sig_sz)
{
	static char layout[1024];
	const char *spec = nr_maps < 0 ? "-" :
		layout_str(layout, sizeof(layout), insns_sz, sizes, nr_maps);
	const char *const signer[] = { key, cert, spec };

	return sign_layout(l->s.dir, digest, nr_maps < 0, l->payload, l->len,
			   signer, 1, sig, sig_sz);
}

enum passed { ANY = -1, ABSENT, PRESENT };

/*
 * Load the payload split into @insns_sz bytes of instructions and maps of
 * @sizes ("first", "second") holding the rest in turn, each exclusive to
 * those instructions, as whoever makes the load can, with @sig against
 * @keyring_id. Expect @err, @line in the log unless it is NULL, and "signature
 * verification passed" in the log as @passed says (a load that succeeds
 * leaves no log to look at).
 */
static void expect_split(struct layout_setup *l, __u32 insns_sz,
			 const __u32 *sizes, int nr_maps, const void *sig,
			 __u32 sig_sz, __s32 keyring_id, int err,
			 const char *line, enum passed passed, const char *name)
{
	static const char *const names[] = { "first", "second" };
	__u8 hash[SHA256_DIGEST_LENGTH];
	static char log[65536];
	int fds[2] = { -1, -1 };
	__u32 off = insns_sz;
	int i, fd;

	if (!ASSERT_LE(nr_maps, 2, name))
		return;
	libbpf_sha256(l->payload, insns_sz, hash);
	for (i = 0; i < nr_maps; i++) {
		if (!ASSERT_LE(off + sizes[i], l->len, name))
			goto out;
		fds[i] = excl_value_map(hash, names[i], l->payload + off,
					sizes[i]);
		if (!ASSERT_OK_FD(fds[i], name))
			goto out;
		off += sizes[i];
	}
	if (!ASSERT_EQ(off, l->len, name))
		goto out;
	strcpy(log, "(unwritten)");
	fd = load_loader_fds(l->payload, insns_sz, fds, nr_maps, sig, sig_sz,
			     keyring_id, 0, log, sizeof(log));
	if (fd >= 0)
		close(fd);
	ASSERT_EQ(fd < 0 ? fd : 0, err, name);
	if (line)
		ASSERT_HAS_SUBSTR(log, line, name);
	if (passed == PRESENT)
		ASSERT_HAS_SUBSTR(log, PASSED, name);
	else if (passed == ABSENT)
		ASSERT_NULL(strstr(log, PASSED), name);
out:
	for (i = 0; i < 2; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

static struct test_signed_loader_lsm *hooks_attach(void)
{
	struct test_signed_loader_lsm *hooks;

	hooks = test_signed_loader_lsm__open_and_load();
	if (!ASSERT_OK_PTR(hooks, "hooks_load"))
		return NULL;
	hooks->bss->monitored_tid = sys_gettid();
	if (!ASSERT_OK(test_signed_loader_lsm__attach(hooks), "hooks_attach")) {
		test_signed_loader_lsm__destroy(hooks);
		return NULL;
	}
	return hooks;
}

/*
 * The split signed loads, in either form; the verdict hook sees whether the
 * layout was bound, and an LSM can require that it was.
 */
static void bound_form(void)
{
	struct test_signed_loader_lsm *hooks = NULL;
	struct layout_setup l;

	if (layout_setup_init(&l))
		goto out;
	hooks = hooks_attach();
	if (!hooks)
		goto out;

	hooks->bss->sig_layout_bound = UNSET;
	hooks->bss->sig_reason = UNSET;
	expect_split(&l, l.insns_sz, l.sizes, 2, l.bound, l.bound_sz,
		     KEY_SPEC_SESSION_KEYRING, 0, NULL, ANY, "bound");
	ASSERT_EQ(hooks->bss->sig_layout_bound, 1, "bound: layout_bound");
	ASSERT_EQ(hooks->bss->sig_reason, BPF_SIG_REJECT_NONE, "bound: reason");

	hooks->bss->sig_layout_bound = UNSET;
	expect_split(&l, l.insns_sz, l.sizes, 2, l.unbound, l.unbound_sz,
		     KEY_SPEC_SESSION_KEYRING, 0, NULL, ANY, "unbound");
	ASSERT_EQ(hooks->bss->sig_layout_bound, 0, "unbound: layout_bound");

	/* An LSM that requires the layout bound refuses the unbound form. */
	hooks->bss->require_bound = true;
	expect_split(&l, l.insns_sz, l.sizes, 2, l.unbound, l.unbound_sz,
		     KEY_SPEC_SESSION_KEYRING, -EPERM, NULL, ANY,
		     "unbound, LSM requires bound");
	expect_split(&l, l.insns_sz, l.sizes, 2, l.bound, l.bound_sz,
		     KEY_SPEC_SESSION_KEYRING, 0, NULL, ANY,
		     "bound, LSM requires bound");
out:
	test_signed_loader_lsm__destroy(hooks);
	layout_setup_fini(&l);
}

/*
 * Bytes moved between the two maps: the same concatenation, another
 * layout. Refused in the bound form; loads in the unbound one, since the
 * loader's accesses to the first map still fit.
 */
static void resplit_maps(void)
{
	struct test_signed_loader_lsm *hooks = NULL;
	char line[128], name[64];
	struct layout_setup l;
	__u32 moved[2];
	int k;

	if (layout_setup_init(&l))
		goto out;
	hooks = hooks_attach();
	if (!hooks)
		goto out;

	for (k = -8; k <= 8; k += 16) {
		moved[0] = l.value_sz + k;
		moved[1] = l.value_sz - k;
		snprintf(name, sizeof(name), "bound, %+d bytes to the first map", k);
		snprintf(line, sizeof(line),
			 "signed layout has %u bytes for map 0 'first', not %u",
			 l.value_sz, moved[0]);
		hooks->bss->sig_reason = UNSET;
		expect_split(&l, l.insns_sz, moved, 2, l.bound, l.bound_sz,
			     KEY_SPEC_SESSION_KEYRING, -EMSGSIZE, line, ABSENT,
			     name);
		ASSERT_EQ(hooks->bss->sig_reason, BPF_SIG_REJECT_LAYOUT, name);
	}
	/* The legacy behaviour: the first map 8 bytes longer loads. */
	moved[0] = l.value_sz + 8;
	moved[1] = l.value_sz - 8;
	expect_split(&l, l.insns_sz, moved, 2, l.unbound, l.unbound_sz,
		     KEY_SPEC_SESSION_KEYRING, 0, NULL, ANY,
		     "unbound, 8 bytes to the first map");
out:
	test_signed_loader_lsm__destroy(hooks);
	layout_setup_fini(&l);
}

/*
 * An instruction moved into the first map, or map bytes into the
 * instructions. Refused in the bound form for the layout; in the unbound
 * form the signature verifies and only the verifier's rules stop them.
 */
static void resplit_insns(void)
{
	char line[128], name[64];
	struct layout_setup l;
	__u32 moved[2];
	int k;

	if (layout_setup_init(&l))
		goto out;

	for (k = -8; k <= 8; k += 16) {
		moved[0] = l.value_sz - k;
		moved[1] = l.value_sz;
		snprintf(name, sizeof(name), "bound, %+d instruction bytes", k);
		snprintf(line, sizeof(line),
			 "signed layout has %u bytes of instructions, not %u",
			 l.insns_sz, l.insns_sz + k);
		expect_split(&l, l.insns_sz + k, moved, 2, l.bound, l.bound_sz,
			     KEY_SPEC_SESSION_KEYRING, -EMSGSIZE, line, ABSENT,
			     name);
	}
	/* The legacy behaviour: the last instruction moved into the map. */
	moved[0] = l.value_sz + 8;
	moved[1] = l.value_sz;
	expect_split(&l, l.insns_sz - 8, moved, 2, l.unbound, l.unbound_sz,
		     KEY_SPEC_SESSION_KEYRING, -EINVAL,
		     "last insn is not an exit or jmp", PRESENT,
		     "unbound, last instruction in the first map");
out:
	layout_setup_fini(&l);
}

/* The two values loaded as one map, or a layout of one map loaded as two. */
static void map_count(void)
{
	static __u8 sig[8192];
	__u32 sig_sz = sizeof(sig);
	struct layout_setup l;
	__u32 one;

	if (layout_setup_init(&l))
		goto out;
	one = 2 * l.value_sz;
	expect_split(&l, l.insns_sz, &one, 1, l.bound, l.bound_sz,
		     KEY_SPEC_SESSION_KEYRING, -EMSGSIZE,
		     "signed layout has 2 maps, not 1", ABSENT, "one map");

	if (!ASSERT_OK(sign_payload(&l, l.key, l.key, "sha256", l.insns_sz,
				    &one, 1, sig, &sig_sz), "sign one map"))
		goto out;
	expect_split(&l, l.insns_sz, l.sizes, 2, sig, sig_sz,
		     KEY_SPEC_SESSION_KEYRING, -EMSGSIZE,
		     "signed layout has 1 maps, not 2", ABSENT, "two maps");
	expect_split(&l, l.insns_sz, &one, 1, sig, sig_sz,
		     KEY_SPEC_SESSION_KEYRING, 0, NULL, ANY, "one map as signed");
out:
	layout_setup_fini(&l);
}

/*
 * Every signer must carry the same layout: a second signer with another
 * layout, or with none, makes the whole message refused.
 */
static void signers_agree(void)
{
	static __u8 sig[8192];
	char as_signed[64], other[64];
	struct layout_setup l;
	__u32 moved[2], sig_sz;
	struct {
		const char *name;
		const char *second;
		int err;
		const char *line;
		enum passed passed;
	} cases[] = {
		{ "two alike", as_signed, 0, NULL, ANY },
		{ "second with another layout", other, -EBADMSG,
		  "signature verification failed: -74", ABSENT },
		{ "second with no layout", "-", -EBADMSG,
		  "signature verification failed: -74", ABSENT },
	};
	unsigned int i;

	if (layout_setup_init(&l))
		goto out;
	moved[0] = l.value_sz + 8;
	moved[1] = l.value_sz - 8;
	layout_str(as_signed, sizeof(as_signed), l.insns_sz, l.sizes, 2);
	layout_str(other, sizeof(other), l.insns_sz, moved, 2);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *const signer[] = { l.key, l.key, as_signed,
					       l.key, l.key, cases[i].second };

		sig_sz = sizeof(sig);
		if (!ASSERT_OK(sign_layout(l.s.dir, "sha256", false, l.payload,
					   l.len, signer, 2, sig, &sig_sz),
			       cases[i].name))
			continue;
		/* Loaded as the first signer signed it. */
		expect_split(&l, l.insns_sz, l.sizes, 2, sig, sig_sz,
			     KEY_SPEC_SESSION_KEYRING, cases[i].err,
			     cases[i].line, cases[i].passed, cases[i].name);
	}
out:
	layout_setup_fini(&l);
}

/* A layout the kernel cannot parse: more maps than a program can use. */
static void malformed_layout(void)
{
	static __u8 sig[8192];
	__u32 sig_sz = sizeof(sig), sizes[65];
	char line[64];
	struct layout_setup l;
	int i;

	if (layout_setup_init(&l))
		goto out;
	for (i = 0; i < 65; i++)
		sizes[i] = 8;
	if (!ASSERT_OK(sign_payload(&l, l.key, l.key, "sha256", l.insns_sz,
				    sizes, 65, sig, &sig_sz), "sign 65 maps"))
		goto out;
	/* 12 bytes of header and 4 for each map. */
	snprintf(line, sizeof(line), "signed layout of %u bytes is %s",
		 12 + 4 * 65, "malformed");
	expect_split(&l, l.insns_sz, l.sizes, 2, sig, sig_sz,
		     KEY_SPEC_SESSION_KEYRING, -EBADMSG, line, ABSENT,
		     "65 maps");
out:
	layout_setup_fini(&l);
}

/*
 * The bound form with each algorithm bpftool and OpenSSL sign with: it
 * loads as signed against a keyring of the signer's certificate, and a
 * re-split is refused.
 */
static void algorithm(const char *alg, const char *digest)
{
	char key[PATH_MAX], cert[PATH_MAX], name[64], line[128];
	struct cert_keyring k = {};
	static __u8 sig[8192];
	__u32 sig_sz = sizeof(sig), moved[2];
	struct layout_setup l;

	if (layout_setup_init(&l))
		goto out;
	if (!ASSERT_OK(make_key(l.s.dir, alg, key, cert), alg))
		goto out;
	if (cert_keyring_init(&k, "signed_loader_layout", cert))
		goto out;
	moved[0] = l.value_sz - 8;
	moved[1] = l.value_sz + 8;
	snprintf(name, sizeof(name), "sign with %s over %s", alg, digest);
	if (!ASSERT_OK(sign_payload(&l, key, cert, digest, l.insns_sz, l.sizes,
				    2, sig, &sig_sz), name))
		goto out;
	snprintf(name, sizeof(name), "%s, as signed", alg);
	expect_split(&l, l.insns_sz, l.sizes, 2, sig, sig_sz, k.ring, 0, NULL,
		     ANY, name);
	snprintf(name, sizeof(name), "%s, re-split", alg);
	snprintf(line, sizeof(line),
		 "signed layout has %u bytes for map 0 'first', not %u",
		 l.value_sz, moved[0]);
	expect_split(&l, l.insns_sz, moved, 2, sig, sig_sz, k.ring, -EMSGSIZE,
		     line, ABSENT, name);
out:
	cert_keyring_fini(&k);
	layout_setup_fini(&l);
}

#define POLICY "/proc/sys/kernel/bpf_sig_layout_required"

/* Write @val to the sysctl; 0 or -errno. */
static int policy_write(const char *val)
{
	int fd, err = 0;

	fd = open(POLICY, O_WRONLY);
	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		err = -errno;
	close(fd);
	return err;
}

/* The sysctl's value, or -errno. */
static int policy_read(void)
{
	char buf[16] = {};
	int fd, n;

	fd = open(POLICY, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? atoi(buf) : -EIO;
}

/*
 * kernel.bpf_sig_layout_required: only 1 can be written, and from then on
 * a signature that does not bind the layout is refused, split as signed or
 * not, while the bound form still loads as signed only. It cannot be
 * cleared until reboot, so this test runs last, by itself.
 */
void test_signed_loader_layout_policy(void)
{
	struct test_signed_loader_lsm *hooks = NULL;
	const char *refused = "unbound layout refused by kernel.bpf_sig_layout_required";
	struct layout_setup l;
	__u32 moved[2];

	if (!ASSERT_EQ(policy_read(), 0, "not set before this test"))
		return;
	if (layout_setup_init(&l))
		goto out;
	moved[0] = l.value_sz + 8;
	moved[1] = l.value_sz - 8;
	hooks = hooks_attach();
	if (!hooks)
		goto out;

	expect_split(&l, l.insns_sz, l.sizes, 2, l.unbound, l.unbound_sz,
		     KEY_SPEC_SESSION_KEYRING, 0, NULL, ANY, "unbound, not set");
	ASSERT_EQ(policy_write("0"), -EINVAL, "0 cannot be written");
	if (!ASSERT_OK(policy_write("1"), "set"))
		goto out;
	ASSERT_EQ(policy_read(), 1, "set");
	ASSERT_EQ(policy_write("0"), -EINVAL, "cannot be cleared");
	ASSERT_EQ(policy_read(), 1, "still set");

	hooks->bss->sig_reason = UNSET;
	expect_split(&l, l.insns_sz, l.sizes, 2, l.unbound, l.unbound_sz,
		     KEY_SPEC_SESSION_KEYRING, -EPERM, refused, ABSENT,
		     "unbound, as signed");
	ASSERT_EQ(hooks->bss->sig_reason, BPF_SIG_REJECT_UNBOUND,
		  "unbound: reason");
	expect_split(&l, l.insns_sz, moved, 2, l.unbound, l.unbound_sz,
		     KEY_SPEC_SESSION_KEYRING, -EPERM, refused, ABSENT,
		     "unbound, re-split");
	hooks->bss->sig_layout_bound = UNSET;
	expect_split(&l, l.insns_sz, l.sizes, 2, l.bound, l.bound_sz,
		     KEY_SPEC_SESSION_KEYRING, 0, NULL, ANY, "bound, as signed");
	ASSERT_EQ(hooks->bss->sig_layout_bound, 1, "bound: layout_bound");
	expect_split(&l, l.insns_sz, moved, 2, l.bound, l.bound_sz,
		     KEY_SPEC_SESSION_KEYRING, -EMSGSIZE, NULL, ABSENT,
		     "bound, re-split");
out:
	test_signed_loader_lsm__destroy(hooks);
	layout_setup_fini(&l);
}

void test_signed_loader_layout(void)
{
	if (test__start_subtest("bound_form"))
		bound_form();
	if (test__start_subtest("resplit_maps"))
		resplit_maps();
	if (test__start_subtest("resplit_insns"))
		resplit_insns();
	if (test__start_subtest("map_count"))
		map_count();
	if (test__start_subtest("signers"))
		signers_agree();
	if (test__start_subtest("malformed"))
		malformed_layout();
	if (test__start_subtest("rsa2048"))
		algorithm("rsa2048", "sha256");
	if (test__start_subtest("ecdsa_p256"))
		algorithm("ecdsa-p256", "sha256");
	if (test__start_subtest("mldsa65"))
		algorithm("mldsa65", "sha512");
}
