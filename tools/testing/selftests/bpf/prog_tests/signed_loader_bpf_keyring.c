// SPDX-License-Identifier: GPL-2.0
/*
 * The .bpf keyring (KEY_SPEC_BPF_KEYRING), in the two boots it behaves
 * differently in. In a normal boot it is sealed: empty, closed to keys,
 * and naming it fails. With bpf.keyring_unsealed=1 the test provisions it
 * as an initramfs would (a certificate, then the restriction, then fewer
 * permissions), and only it and the system keyrings may verify a signed
 * loader. /sys/module/bpf/parameters/keyring_unsealed says which boot this
 * is; the subtests of the other boot do not start. The unsealed subtests
 * run in order and leave the keyring provisioned for the rest of the boot.
 */
#include <test_progs.h>
#include <linux/keyctl.h>
#include <sys/syscall.h>

#include "signed_loader_helpers.h"
#include "test_signed_loader_lsm.skel.h"

#ifndef KEY_SPEC_BPF_KEYRING
#define KEY_SPEC_BPF_KEYRING -9
#endif
#ifndef KEYCTL_RESTRICT_KEYRING
#define KEYCTL_RESTRICT_KEYRING 29
#endif

#define PARAM "/sys/module/bpf/parameters/keyring_unsealed"
#define NOT_READY "the .bpf keyring is empty or not restricted"
#define REFUSED "keyring_id -3 is refused: bpf.keyring_unsealed=1 admits only the .bpf and system keyrings"
#define NO_KEY "signature verification failed: -126"
/* What the hooks record is set to before each load: no hook wrote it yet. */
#define UNSET (-1)

/* 1 in a boot with bpf.keyring_unsealed=1, 0 in a normal one, -1 unknown. */
static int keyring_unsealed(void)
{
	char c = 0;
	int fd;

	fd = open(PARAM, O_RDONLY);
	if (fd < 0)
		return -1;
	if (read(fd, &c, 1) != 1)
		c = 0;
	close(fd);
	return c == 'Y' ? 1 : c == 'N' ? 0 : -1;
}

static long keyctl(int cmd, unsigned long a2, unsigned long a3,
		   unsigned long a4, unsigned long a5)
{
	return syscall(__NR_keyctl, cmd, a2, a3, a4, a5);
}

/* Add the DER certificate @path to the .bpf keyring: its serial, or -errno. */
static int bpf_keyring_add(const char *path)
{
	char der[8192];
	ssize_t len;
	long serial;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	len = read(fd, der, sizeof(der));
	close(fd);
	if (len <= 0)
		return -EIO;
	serial = syscall(__NR_add_key, "asymmetric", "", der, len,
			 KEY_SPEC_BPF_KEYRING);
	return serial < 0 ? -errno : serial;
}

struct keyring_test {
	struct signed_setup s;
	int map_fd;
};

static int keyring_test_init(struct keyring_test *t)
{
	t->map_fd = -1;
	if (signed_setup_init(&t->s))
		return -1;
	t->map_fd = setup_meta_map(&t->s.f);
	return ASSERT_OK_FD(t->map_fd, "metadata map") ? 0 : -1;
}

static void keyring_test_fini(struct keyring_test *t)
{
	if (t->map_fd >= 0)
		close(t->map_fd);
	signed_setup_fini(&t->s);
}

/* The boot flag is read-only: writing it fails, and it keeps its value. */
static void param_read_only(int was)
{
	int fd;

	fd = open(PARAM, O_WRONLY);
	if (fd >= 0) {
		ASSERT_LT(write(fd, was ? "0" : "1", 1), 0, "write the flag");
		close(fd);
	} else {
		ASSERT_EQ(errno, EACCES, "open the flag for writing");
	}
	ASSERT_EQ(keyring_unsealed(), was, "the flag kept its value");
}

/* The certificate of the key @t signs with. */
static void setup_cert(const struct keyring_test *t, char *cert, size_t size)
{
	snprintf(cert, size, "%s/signing_key.der", t->s.dir);
}

/* Sealed: empty, and closed to keys and to a restriction of its own. */
static void sealed_keyring(struct keyring_test *t)
{
	char desc[256] = "", cert[PATH_MAX];

	ASSERT_GT(keyctl(KEYCTL_DESCRIBE, KEY_SPEC_BPF_KEYRING,
			 (unsigned long)desc, sizeof(desc), 0), 0, "describe");
	ASSERT_STREQ(strrchr(desc, ';') ?: desc, ";.bpf", "the .bpf keyring");
	expect_signed_load(&t->s, t->map_fd, t->s.sig, t->s.sig_sz,
			   KEY_SPEC_BPF_KEYRING, -ENOKEY, NOT_READY,
			   "sealed .bpf keyring");
	setup_cert(t, cert, sizeof(cert));
	ASSERT_EQ(bpf_keyring_add(cert), -EPERM, "add a key");
	ASSERT_EQ(keyctl(KEYCTL_RESTRICT_KEYRING, KEY_SPEC_BPF_KEYRING, 0, 0, 0),
		  -1, "restrict again");
	ASSERT_EQ(errno, EEXIST, "restrict again: EEXIST");
	expect_signed_load(&t->s, t->map_fd, t->s.sig, t->s.sig_sz,
			   KEY_SPEC_SESSION_KEYRING, 0, NULL,
			   "the caller's keyring");
}

/*
 * bpf.keyring_unsealed=1: the caller's keyrings are refused before any
 * lookup; a system keyring is still consulted (it lacks the key).
 */
static void caller_keyring_refused(struct keyring_test *t)
{
	expect_signed_load(&t->s, t->map_fd, t->s.sig, t->s.sig_sz,
			   KEY_SPEC_SESSION_KEYRING, -EPERM, REFUSED,
			   "the caller's keyring");
	expect_signed_load(&t->s, t->map_fd, t->s.sig, t->s.sig_sz, 0, -ENOKEY,
			   NO_KEY, "the builtin keyring");
}

/* Open, it is not consulted: empty, then holding the key but unrestricted. */
static void unrestricted_refused(struct keyring_test *t)
{
	char cert[PATH_MAX];

	expect_signed_load(&t->s, t->map_fd, t->s.sig, t->s.sig_sz,
			   KEY_SPEC_BPF_KEYRING, -ENOKEY, NOT_READY,
			   "empty .bpf keyring");
	setup_cert(t, cert, sizeof(cert));
	ASSERT_GT(bpf_keyring_add(cert), 0, "enroll the key");
	expect_signed_load(&t->s, t->map_fd, t->s.sig, t->s.sig_sz,
			   KEY_SPEC_BPF_KEYRING, -ENOKEY, NOT_READY,
			   "unrestricted .bpf keyring");
}

/* Load the loader signed by the enrolled key against the .bpf keyring. */
static void enrolled_loads(struct keyring_test *t, const char *what)
{
	struct test_signed_loader_lsm *hooks;
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int fd;

	hooks = test_signed_loader_lsm__open_and_load();
	if (!ASSERT_OK_PTR(hooks, "hooks"))
		return;
	hooks->bss->sig_keyring_type = UNSET;
	hooks->bss->sig_keyring_serial = UNSET;
	hooks->bss->monitored_tid = sys_gettid();
	if (!ASSERT_OK(test_signed_loader_lsm__attach(hooks), "hooks attach"))
		goto out;
	fd = load_loader(t->s.f.gopts.insns, t->s.f.gopts.insns_sz, t->map_fd,
			 t->s.sig, t->s.sig_sz, KEY_SPEC_BPF_KEYRING, 1);
	if (!ASSERT_OK_FD(fd, what))
		goto out;
	if (ASSERT_OK(bpf_prog_get_info_by_fd(fd, &info, &len), "prog info")) {
		ASSERT_EQ(info.sig_verdict, BPF_SIG_VERIFIED, "info: verified");
		ASSERT_EQ(info.sig_keyring_type, BPF_SIG_KEYRING_BPF,
			  "info: .bpf keyring");
		ASSERT_EQ(info.sig_keyring_serial, 0, "info: no serial");
	}
	close(fd);
	ASSERT_EQ(hooks->bss->sig_keyring_type, BPF_SIG_KEYRING_BPF,
		  "hook: .bpf keyring");
	ASSERT_EQ(hooks->bss->sig_keyring_serial, 0, "hook: no serial");
out:
	test_signed_loader_lsm__destroy(hooks);
}

/*
 * Restricted, it admits the loader signed by the enrolled key and refuses
 * one signed by a key it does not hold; no key joins it any more.
 */
static void restricted(struct keyring_test *t)
{
	char key[PATH_MAX], cert[PATH_MAX];
	unsigned char *buf = NULL;
	static __u8 sig[8192];
	__u32 len, sig_sz = sizeof(sig);

	ASSERT_OK(keyctl(KEYCTL_RESTRICT_KEYRING, KEY_SPEC_BPF_KEYRING, 0, 0, 0),
		  "restrict");
	enrolled_loads(t, "the enrolled key");
	if (!ASSERT_OK(make_key(t->s.dir, "rsa2048", key, cert), "another key"))
		return;
	ASSERT_EQ(bpf_keyring_add(cert), -EPERM, "add a key after the restriction");
	len = t->s.f.gopts.insns_sz + t->s.f.data_sz;
	buf = malloc(len);
	if (!ASSERT_OK_PTR(buf, "payload"))
		return;
	memcpy(buf, t->s.f.gopts.insns, t->s.f.gopts.insns_sz);
	memcpy(buf + t->s.f.gopts.insns_sz, t->s.f.blob, t->s.f.data_sz);
	if (ASSERT_OK(sign_buf_with(t->s.dir, key, cert, "sha256", buf, len,
				    sig, &sig_sz), "sign with another key"))
		expect_signed_load(&t->s, t->map_fd, sig, sig_sz,
				   KEY_SPEC_BPF_KEYRING, -ENOKEY, NO_KEY,
				   "a key not enrolled");
	free(buf);
}

/*
 * The operator drops the permissions provisioning needed: root may only
 * view and read the keyring, loads still search it.
 */
static void permissions_dropped(struct keyring_test *t)
{
	char cert[PATH_MAX];

	ASSERT_OK(keyctl(KEYCTL_SETPERM, KEY_SPEC_BPF_KEYRING, 0x08030000, 0, 0),
		  "setperm");
	setup_cert(t, cert, sizeof(cert));
	ASSERT_EQ(bpf_keyring_add(cert), -EACCES, "add without write");
	ASSERT_EQ(keyctl(KEYCTL_SETPERM, KEY_SPEC_BPF_KEYRING, 0x3f3f0000, 0, 0),
		  -1, "setperm without setattr");
	ASSERT_EQ(errno, EACCES, "setperm: EACCES");
	enrolled_loads(t, "the enrolled key, permissions dropped");
}

void serial_test_signed_loader_bpf_keyring(void)
{
	int unsealed = keyring_unsealed();
	struct keyring_test t;

	if (!ASSERT_GE(unsealed, 0, PARAM))
		return;
	if (keyring_test_init(&t))
		goto out;
	if (!unsealed) {
		if (test__start_subtest("sealed"))
			sealed_keyring(&t);
		if (test__start_subtest("sealed_param_read_only"))
			param_read_only(0);
		goto out;
	}
	if (test__start_subtest("caller_keyring_refused"))
		caller_keyring_refused(&t);
	if (test__start_subtest("unrestricted_refused"))
		unrestricted_refused(&t);
	if (test__start_subtest("restricted"))
		restricted(&t);
	if (test__start_subtest("permissions_dropped"))
		permissions_dropped(&t);
	if (test__start_subtest("unsealed_param_read_only"))
		param_read_only(1);
out:
	keyring_test_fini(&t);
}
