// SPDX-License-Identifier: GPL-2.0
/*
 * Signed loaders against the keys and keyrings that verify them: a keyring
 * without the signer's key, the system keyrings, keys revoked, expired or
 * not searchable, a keyring not searchable, and signatures made with RSA,
 * ECDSA and ML-DSA keys.
 */
#include <test_progs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/keyctl.h>

#include "signed_loader_helpers.h"

/* Permissions of KEYCTL_SETPERM, for the possessor and the owner (key.h). */
#define KEY_POS_ALL	0x3f000000
#define KEY_POS_SEARCH	0x08000000
#define KEY_USR_ALL	0x003f0000
#define KEY_USR_SEARCH	0x00080000

/* A keyring of its own, in the session keyring, holding one certificate. */
struct cert_keyring {
	__s32 ring;
	__s32 key;
};

static int read_file(const char *path, void **buf, size_t *len)
{
	struct stat st;
	int fd, err = 0;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		err = -errno;
		goto out;
	}
	*buf = malloc(st.st_size);
	if (!*buf) {
		err = -ENOMEM;
		goto out;
	}
	if (read(fd, *buf, st.st_size) != st.st_size) {
		free(*buf);
		*buf = NULL;
		err = -EIO;
		goto out;
	}
	*len = st.st_size;
out:
	close(fd);
	return err;
}

/* A new keyring named @name; with @cert (a DER file), that certificate in it. */
static int cert_keyring_init(struct cert_keyring *k, const char *name,
			     const char *cert)
{
	void *der = NULL;
	size_t len = 0;

	k->key = 0;
	k->ring = syscall(__NR_add_key, "keyring", name, NULL, 0,
			  KEY_SPEC_SESSION_KEYRING);
	if (!ASSERT_GT(k->ring, 0, "add keyring"))
		return -1;
	if (!cert)
		return 0;
	if (!ASSERT_OK(read_file(cert, &der, &len), "read certificate"))
		return -1;
	k->key = syscall(__NR_add_key, "asymmetric", "signed_loader_cert", der,
			 len, k->ring);
	free(der);
	return ASSERT_GT(k->key, 0, "add certificate") ? 0 : -1;
}

static void cert_keyring_fini(struct cert_keyring *k)
{
	if (k->ring > 0)
		syscall(__NR_keyctl, KEYCTL_UNLINK, k->ring,
			KEY_SPEC_SESSION_KEYRING);
}

/* The certificate verify_sig_setup.sh made for @s, in a keyring of its own. */
static int signer_keyring_init(struct cert_keyring *k, struct signed_setup *s,
			       const char *name)
{
	char cert[PATH_MAX];

	snprintf(cert, sizeof(cert), "%s/signing_key.der", s->dir);
	return cert_keyring_init(k, name, cert);
}

/* The signed loader, its metadata map and the session's signing key. */
static int keys_setup_init(struct signed_setup *s, int *map_fd)
{
	*map_fd = -1;
	if (signed_setup_init(s))
		return -1;
	*map_fd = setup_meta_map(&s->f);
	return ASSERT_OK_FD(*map_fd, "meta_map") ? 0 : -1;
}

static void keys_setup_fini(struct signed_setup *s, int map_fd)
{
	if (map_fd >= 0)
		close(map_fd);
	signed_setup_fini(s);
}

/* A keyring that does not hold the signer's key. */
static void keyring_without_key(void)
{
	struct cert_keyring k = {};
	struct signed_setup s;
	int map_fd;

	if (keys_setup_init(&s, &map_fd) ||
	    cert_keyring_init(&k, "signed_loader_empty", NULL))
		goto out;
	expect_signed_load(&s, map_fd, s.sig, s.sig_sz, k.ring, -ENOKEY,
			   "signature verification failed: -126",
			   "keyring without the signer's key");
out:
	cert_keyring_fini(&k);
	keys_setup_fini(&s, map_fd);
}

/*
 * The system keyrings, by their ids: 0 the builtin keyring (which holds
 * only the test kernel's own key), 1 the secondary and 2 the platform
 * keyring. None holds the key of a user's signature.
 */
static void system_keyrings(void)
{
	static const char *const names[] = { "builtin", "secondary", "platform" };
	struct signed_setup s;
	char what[64];
	int map_fd, id;

	if (keys_setup_init(&s, &map_fd))
		goto out;
	for (id = 0; id < (int)ARRAY_SIZE(names); id++) {
		snprintf(what, sizeof(what), "keyring %d (%s)", id, names[id]);
		expect_signed_load(&s, map_fd, s.sig, s.sig_sz, id, -ENOKEY,
				   "signature verification failed: -126",
				   what);
	}
out:
	keys_setup_fini(&s, map_fd);
}

/*
 * A way for the signer's key, or the keyring holding it, to become
 * unusable, and how loads then fail.
 */
struct key_loss {
	const char *what;
	int cmd;		/* the keyctl command that does it */
	bool on_ring;		/* to the keyring, not the key */
	unsigned long arg;	/* its argument after the key or keyring */
	unsigned int wait;	/* seconds until it takes effect */
	int err;
	const char *line;
};

static const struct key_loss revoked = {
	"revoked key", KEYCTL_REVOKE, false, 0, 0,
	-EKEYREVOKED, "signature verification failed: -128",
};

static const struct key_loss expired = {
	"expired key", KEYCTL_SET_TIMEOUT, false, 1, 2,
	-EKEYEXPIRED, "signature verification failed: -127",
};

/* Every permission of possessor and owner but Search: no key is found. */
#define KEY_NO_SEARCH ((KEY_POS_ALL | KEY_USR_ALL) & ~(KEY_POS_SEARCH | KEY_USR_SEARCH))

static const struct key_loss unsearchable_key = {
	"key without Search permission", KEYCTL_SETPERM, false,
	KEY_NO_SEARCH, 0,
	-ENOKEY, "signature verification failed: -126",
};

static const struct key_loss unsearchable_keyring = {
	"keyring without Search permission", KEYCTL_SETPERM, true,
	KEY_NO_SEARCH, 0,
	-ENOKEY, "signature verification failed: -126",
};

/*
 * The signer's key verifies the loader in a keyring of its own; then the
 * key is revoked or expires, or the key or the keyring loses its Search
 * permission, with the keyring still live.
 */
static void key_lost(const struct key_loss *l)
{
	struct cert_keyring k = {};
	struct signed_setup s;
	int map_fd;

	if (keys_setup_init(&s, &map_fd) ||
	    signer_keyring_init(&k, &s, "signed_loader_key_lost"))
		goto out;
	expect_signed_load(&s, map_fd, s.sig, s.sig_sz, k.ring, 0, NULL,
			   "the key verifies first");
	if (!ASSERT_OK(syscall(__NR_keyctl, l->cmd, l->on_ring ? k.ring : k.key,
			       l->arg), l->what))
		goto out;
	sleep(l->wait);
	expect_signed_load(&s, map_fd, s.sig, s.sig_sz, k.ring, l->err, l->line,
			   l->what);
out:
	cert_keyring_fini(&k);
	keys_setup_fini(&s, map_fd);
}

/* A key of algorithm @alg made with openssl in @dir: @key (PEM), @cert (DER). */
static int make_key(const char *dir, const char *alg, char *key, char *cert)
{
	char *const rsa[] = { "rsa:2048", NULL };
	char *const ecdsa[] = { "ec", "-pkeyopt", "ec_paramgen_curve:P-256", NULL };
	char *const mldsa[] = { "ML-DSA-65", NULL };
	char *argv[32] = {
		"openssl", "req", "-new", "-x509", "-nodes", "-days", "1",
		"-batch", "-subj", "/CN=signed loader test key",
		"-addext", "keyUsage=digitalSignature",
		"-addext", "basicConstraints=critical,CA:FALSE",
		"-keyout", key, "-outform", "DER", "-out", cert, "-newkey",
	};
	char *const *spec;
	int n = 21, pid, status, null;

	spec = !strcmp(alg, "rsa2048") ? rsa : !strcmp(alg, "ecdsa-p256") ? ecdsa : mldsa;
	snprintf(key, PATH_MAX, "%s/%s.pem", dir, alg);
	snprintf(cert, PATH_MAX, "%s/%s.der", dir, alg);
	while (*spec)
		argv[n++] = *spec++;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		null = open("/dev/null", O_WRONLY);
		if (null >= 0) {
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		execvp("openssl", argv);
		exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -EINVAL;
}

/*
 * A loader signed with an @alg key over @digest (signed attributes, as
 * sign-file and bpftool sign) is refused while no keyring of the session
 * holds the key (the session keyring's own key is another one), and loads
 * against a keyring that holds it.
 */
static void signed_with(const char *alg, const char *digest)
{
	char key[PATH_MAX], cert[PATH_MAX], what[64];
	struct cert_keyring k = {};
	struct signed_setup s;
	__u32 len, sig_sz;
	unsigned char *buf = NULL;
	static __u8 sig[8192];
	int map_fd;

	if (keys_setup_init(&s, &map_fd))
		goto out;
	snprintf(what, sizeof(what), "%s key", alg);
	if (!ASSERT_OK(make_key(s.dir, alg, key, cert), what))
		goto out;
	len = s.f.gopts.insns_sz + s.f.data_sz;
	buf = malloc(len);
	if (!ASSERT_OK_PTR(buf, "payload"))
		goto out;
	memcpy(buf, s.f.gopts.insns, s.f.gopts.insns_sz);
	memcpy(buf + s.f.gopts.insns_sz, s.f.blob, s.f.data_sz);
	sig_sz = sizeof(sig);
	snprintf(what, sizeof(what), "sign with %s over %s", alg, digest);
	if (!ASSERT_OK(sign_buf_with(s.dir, key, cert, digest, buf, len, sig,
				     &sig_sz), what))
		goto out;
	snprintf(what, sizeof(what), "%s signature, session keyring", alg);
	expect_signed_load(&s, map_fd, sig, sig_sz, KEY_SPEC_SESSION_KEYRING,
			   -ENOKEY, "signature verification failed: -126", what);
	if (cert_keyring_init(&k, "signed_loader_alg", cert))
		goto out;
	snprintf(what, sizeof(what), "%s signature", alg);
	expect_signed_load(&s, map_fd, sig, sig_sz, k.ring, 0, NULL, what);
out:
	free(buf);
	cert_keyring_fini(&k);
	keys_setup_fini(&s, map_fd);
}

void test_signed_loader_keys(void)
{
	if (test__start_subtest("keyring_without_key"))
		keyring_without_key();
	if (test__start_subtest("system_keyrings"))
		system_keyrings();
	if (test__start_subtest("revoked_key"))
		key_lost(&revoked);
	if (test__start_subtest("expired_key"))
		key_lost(&expired);
	if (test__start_subtest("key_without_search"))
		key_lost(&unsearchable_key);
	if (test__start_subtest("keyring_without_search"))
		key_lost(&unsearchable_keyring);
	if (test__start_subtest("rsa2048"))
		signed_with("rsa2048", "sha256");
	if (test__start_subtest("ecdsa_p256"))
		signed_with("ecdsa-p256", "sha256");
	if (test__start_subtest("mldsa65"))
		signed_with("mldsa65", "sha512");
}
