// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_PROG_LOAD latency and memory of signed loaders, against unsigned ones,
 * and the two costs that bound a signed load from below, each measured by
 * itself: the kernel's digest over the metadata and one signature
 * verification with the same key.
 *
 * A loader here is what a light skeleton loads: a BPF_PROG_TYPE_SYSCALL
 * program bound through fd_array to one exclusive, frozen array map that
 * holds its metadata. It is signed like bpftool signs (PKCS#7 over
 * insns || metadata, with signed attributes) with the key given, and the
 * certificate goes into the session keyring.
 *
 *   signed_load_bench VARIANT BOOT ALG KEY.pem CERT.der SIZE:REPS...
 *
 * The unsigned baseline is the same loader loaded the way an unsigned light
 * skeleton is: the same fd_array, without fd_array_cnt (an exclusive map
 * cannot be bound up front by an unsigned program, whose digest is only
 * computed later). Unsigned and signed loads alternate, so that a drift of
 * the machine touches both alike.
 *
 * Prints CSV rows (the contract report.py and "make check"'s smoke run read):
 *   variant,boot,alg,size,mode,reps,median_ns,p10_ns,p90_ns,err,mem_bytes
 * mode is one of
 *   unsigned  BPF_PROG_LOAD of the unsigned loader with SIZE bytes of metadata
 *   signed    BPF_PROG_LOAD of the signed loader
 *   digest    the kernel's digest (SHA-256, SHA-512 for ML-DSA: the digest
 *             the signature names) over SIZE bytes, through AF_ALG
 *   verify    one KEYCTL_PKEY_VERIFY with the same key, over a digest (RSA,
 *             ECDSA) or a message the size of bpftool's signed attributes
 *             (ML-DSA); SIZE is 0
 *   query     one KEYCTL_PKEY_QUERY with the same parameters: the key set-up
 *             that KEYCTL_PKEY_VERIFY does on top of the verification; SIZE 0
 * A failed measurement gives its errno in err and no timings. mem_bytes is
 * the most memory one load took at its height (see load_mem_once()), the
 * largest of MEM_REPS loads; -1 where not measured.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/if_alg.h>
#include <linux/keyctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#define WARMUP 2
#define MEM_REPS 3
#define CG "/sys/fs/cgroup/signed_load_bench"

/* r0 = 0; exit */
static const struct bpf_insn insns[] = {
	{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
	{ .code = BPF_JMP | BPF_EXIT },
};

static unsigned char excl_hash[32];
static EVP_PKEY *pkey;
static X509 *cert;
static int key_id;
static const char *variant, *boot, *alg;

/* What each algorithm signs with, as bpftool and OpenSSL 3.5 sign. */
static const struct alg_desc {
	const char *name;
	const char *digest;	/* AF_ALG name of the payload digest */
	const char *pkey_info;	/* KEYCTL_PKEY_* parameters */
	int pure;		/* signs a message, not a digest (ML-DSA) */
} algs[] = {
	{ "rsa2048", "sha256", "enc=pkcs1 hash=sha256", 0 },
	{ "ecdsa-p256", "sha256", "enc=x962 hash=sha256", 0 },
	{ "mldsa65", "sha512", "enc=raw hash=none", 1 },
};

static const struct alg_desc *desc;

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	int ret = syscall(__NR_bpf, cmd, attr, sizeof(*attr));

	return ret < 0 ? -errno : ret;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* A frozen, exclusive array map holding @size bytes of metadata. */
static int make_map(const unsigned char *value, unsigned int size)
{
	union bpf_attr attr;
	int fd, key = 0, err;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_ARRAY;
	attr.key_size = 4;
	attr.value_size = size;
	attr.max_entries = 1;
	attr.excl_prog_hash = (unsigned long)excl_hash;
	attr.excl_prog_hash_size = sizeof(excl_hash);
	fd = sys_bpf(BPF_MAP_CREATE, &attr);
	if (fd < 0)
		return fd;
	memset(&attr, 0, sizeof(attr));
	attr.map_fd = fd;
	attr.key = (unsigned long)&key;
	attr.value = (unsigned long)value;
	err = sys_bpf(BPF_MAP_UPDATE_ELEM, &attr);
	if (!err) {
		memset(&attr, 0, sizeof(attr));
		attr.map_fd = fd;
		err = sys_bpf(BPF_MAP_FREEZE, &attr);
	}
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

static int load(int map_fd, const void *sig, unsigned int sig_sz)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SYSCALL;
	attr.prog_flags = BPF_F_SLEEPABLE;
	attr.insns = (unsigned long)insns;
	attr.insn_cnt = sizeof(insns) / sizeof(insns[0]);
	attr.license = (unsigned long)"GPL";
	attr.fd_array = (unsigned long)&map_fd;
	if (sig) {
		/* Signed: the map is bound up front and folded into the payload. */
		attr.fd_array_cnt = 1;
		attr.signature = (unsigned long)sig;
		attr.signature_size = sig_sz;
		attr.keyring_id = KEY_SPEC_SESSION_KEYRING;
	}
	return sys_bpf(BPF_PROG_LOAD, &attr);
}

/* PKCS#7 over insns || value, detached, with signed attributes, as bpftool signs. */
static unsigned char *sign_load(const unsigned char *value, unsigned int size, int *sig_sz)
{
	int flags = CMS_NOCERTS | CMS_BINARY | CMS_NOSMIMECAP | CMS_USE_KEYID;
	const EVP_MD *md = !strcmp(desc->digest, "sha512") ? EVP_sha512() : EVP_sha256();
	size_t len = sizeof(insns) + size;
	unsigned char *data = malloc(len), *out = NULL, *p;
	CMS_ContentInfo *cms = NULL;
	BIO *in = NULL;

	if (!data)
		return NULL;
	memcpy(data, insns, sizeof(insns));
	memcpy(data + sizeof(insns), value, size);
	in = BIO_new_mem_buf(data, len);
	cms = CMS_sign(NULL, NULL, NULL, NULL, CMS_NOCERTS | CMS_PARTIAL | CMS_BINARY |
		       CMS_DETACHED | CMS_STREAM);
	if (!in || !cms || !CMS_add1_signer(cms, cert, pkey, md, flags) ||
	    CMS_final(cms, in, NULL, CMS_NOCERTS | CMS_BINARY) != 1)
		goto out;
	*sig_sz = i2d_CMS_ContentInfo(cms, NULL);
	out = malloc(*sig_sz);
	p = out;
	if (out)
		i2d_CMS_ContentInfo(cms, &p);
out:
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	free(data);
	return out;
}

/*
 * A bare signature for KEYCTL_PKEY_VERIFY: over a SHA-256 digest (RSA,
 * ECDSA), or over a message of the size of bpftool's signed attributes
 * (ML-DSA, which the kernel hands the attributes themselves).
 */
static unsigned char msg[105];

static unsigned char *sign_bare(size_t *msg_len, size_t *sig_len)
{
	EVP_MD_CTX *mctx = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	unsigned char *sig = NULL;
	int ok = 0;

	memset(msg, 0x5a, sizeof(msg));
	*msg_len = desc->pure ? sizeof(msg) : 32;
	if (desc->pure) {
		mctx = EVP_MD_CTX_new();
		ok = mctx && EVP_DigestSignInit_ex(mctx, NULL, NULL, NULL, NULL, pkey, NULL) == 1 &&
		     EVP_DigestSign(mctx, NULL, sig_len, msg, *msg_len) == 1 &&
		     (sig = malloc(*sig_len)) &&
		     EVP_DigestSign(mctx, sig, sig_len, msg, *msg_len) == 1;
	} else {
		ctx = EVP_PKEY_CTX_new(pkey, NULL);
		ok = ctx && EVP_PKEY_sign_init(ctx) == 1 &&
		     EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) == 1 &&
		     EVP_PKEY_sign(ctx, NULL, sig_len, msg, *msg_len) == 1 &&
		     (sig = malloc(*sig_len)) &&
		     EVP_PKEY_sign(ctx, sig, sig_len, msg, *msg_len) == 1;
	}
	EVP_MD_CTX_free(mctx);
	EVP_PKEY_CTX_free(ctx);
	if (!ok) {
		free(sig);
		return NULL;
	}
	return sig;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static void report(unsigned int size, const char *mode, long long *t, int n, int err,
		   long long mem)
{
	if (err)
		n = 0;
	if (n)
		qsort(t, n, sizeof(*t), cmp_ll);
	printf("%s,%s,%s,%u,%s,%d,%lld,%lld,%lld,%d,%lld\n", variant, boot, alg, size, mode, n,
	       n ? t[n / 2] : 0, n ? t[n / 10] : 0, n ? t[n - 1 - n / 10] : 0, err, mem);
	fflush(stdout);
}

/*
 * Memory: each measured load runs alone in a memory cgroup made for it. Its
 * charges are then the only ones the cgroup ever sees: no earlier load's
 * deferred frees, and no per-CPU stock of pages charged ahead for another
 * load, can hide them. The cgroup's peak over its level before the load
 * (zero: nothing is charged to it yet) is what the load took at its height,
 * rounded up to the kernel's charge batch (64 pages): a cell never reads
 * below what the path allocates.
 */
static int cg_ok;

static int cg_write(const char *file, const char *s)
{
	int fd = open(file, O_WRONLY), ok;

	if (fd < 0)
		return 0;
	ok = write(fd, s, strlen(s)) == (ssize_t)strlen(s);
	close(fd);
	return ok;
}

static long long cg_read(int fd)
{
	char buf[64];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return -1;
	buf[n] = 0;
	return atoll(buf);
}

static void cg_setup(void)
{
	char pid[32];

	/* The loads are timed in CG/base, as a service in a cgroup of its own. */
	cg_write("/sys/fs/cgroup/cgroup.subtree_control", "+memory");
	mkdir(CG, 0755);
	mkdir(CG "/base", 0755);
	snprintf(pid, sizeof(pid), "%d", getpid());
	cg_ok = cg_write(CG "/cgroup.subtree_control", "+memory") &&
		cg_write(CG "/base/cgroup.procs", pid);
}

/* The memory one load takes at its height, in a cgroup of its own. */
static long long load_mem_once(int map, const void *sig, unsigned int sig_sz)
{
	static int seq;
	char dir[64], file[96], pid[32];
	long long base, peak = -1;
	int peak_fd, cur_fd, fd;

	snprintf(dir, sizeof(dir), CG "/load%d", seq++);
	snprintf(pid, sizeof(pid), "%d", getpid());
	if (mkdir(dir, 0755))
		return -1;
	/*
	 * Both files are opened and read once from outside: the read buffers
	 * they keep are charged there, not to the load.
	 */
	snprintf(file, sizeof(file), "%s/memory.peak", dir);
	peak_fd = open(file, O_RDONLY);
	snprintf(file, sizeof(file), "%s/memory.current", dir);
	cur_fd = open(file, O_RDONLY);
	base = cg_read(cur_fd);
	snprintf(file, sizeof(file), "%s/cgroup.procs", dir);
	if (peak_fd >= 0 && cur_fd >= 0 && base >= 0 && cg_read(peak_fd) >= 0 &&
	    cg_write(file, pid)) {
		fd = load(map, sig, sig_sz);
		peak = cg_read(peak_fd);
		if (!cg_write(CG "/base/cgroup.procs", pid))
			peak = -1;
		if (fd >= 0)
			close(fd);
	}
	if (peak_fd >= 0)
		close(peak_fd);
	if (cur_fd >= 0)
		close(cur_fd);
	rmdir(dir);
	return peak < 0 ? -1 : peak - base;
}

/* The most memory one load took at its height, over MEM_REPS loads. */
static long long load_mem(const unsigned char *value, unsigned int size, const void *sig,
			  unsigned int sig_sz)
{
	long long most = -1, mem;

	for (int i = 0; cg_ok && i < MEM_REPS; i++) {
		int map = make_map(value, size);

		if (map < 0)
			return -1;
		mem = load_mem_once(map, sig, sig_sz);
		close(map);
		if (mem < 0)
			return -1;
		if (mem > most)
			most = mem;
	}
	return most;
}

/* The kernel's digest of @size bytes, through AF_ALG, in one sendmsg. */
static long long digest_ns(int tfm, const unsigned char *buf, unsigned int size)
{
	unsigned char out[64];
	long long t = -1, start;
	int op = accept(tfm, NULL, NULL);

	if (op < 0)
		return -1;
	start = now_ns();
	if (send(op, buf, size, 0) == (ssize_t)size && read(op, out, sizeof(out)) > 0)
		t = now_ns() - start;
	close(op);
	return t;
}

static void bench_digest(const unsigned char *value, unsigned int size, int reps, long long *t)
{
	struct sockaddr_alg sa = { .salg_family = AF_ALG, .salg_type = "hash" };
	int tfm, i, err = 0;

	strncpy((char *)sa.salg_name, desc->digest, sizeof(sa.salg_name) - 1);
	tfm = socket(AF_ALG, SOCK_SEQPACKET, 0);
	if (tfm < 0 || bind(tfm, (struct sockaddr *)&sa, sizeof(sa)))
		err = -errno;
	for (i = -WARMUP; !err && i < reps; i++) {
		long long ns = digest_ns(tfm, value, size);

		if (ns < 0)
			err = errno ? -errno : -EIO;
		else if (i >= 0)
			t[i] = ns;
	}
	if (tfm >= 0)
		close(tfm);
	report(size, "digest", t, reps, err, -1);
}

/* One verification with the key by itself, and the key set-up it includes. */
static int bench_verify(int reps)
{
	struct keyctl_pkey_params params = { .key_id = key_id };
	struct keyctl_pkey_query info;
	long long *t = calloc(reps, sizeof(*t));
	size_t msg_len, sig_len;
	unsigned char *sig = sign_bare(&msg_len, &sig_len);
	int i, err, query;

	if (!t || !sig) {
		fprintf(stderr, "signing a bare message with %s failed\n", alg);
		return -EINVAL;
	}
	params.in_len = msg_len;
	params.in2_len = sig_len;
	for (query = 0; query <= 1; query++) {
		err = 0;
		for (i = -WARMUP; !err && i < reps; i++) {
			long long start = now_ns();

			if (query)
				err = syscall(__NR_keyctl, KEYCTL_PKEY_QUERY, key_id, 0,
					      desc->pkey_info, &info) ? -errno : 0;
			else
				err = syscall(__NR_keyctl, KEYCTL_PKEY_VERIFY, &params,
					      desc->pkey_info, msg, sig) ? -errno : 0;
			if (i >= 0)
				t[i] = now_ns() - start;
		}
		report(0, query ? "query" : "verify", t, reps, err, -1);
	}
	free(sig);
	free(t);
	return 0;
}

static int bench_size(unsigned int size, int reps)
{
	long long *tu = calloc(reps, sizeof(*tu)), *ts = calloc(reps, sizeof(*ts));
	unsigned char *value = malloc(size ? size : 1), *sig = NULL;
	int i, map, fd, sig_sz = 0, err = 0, signed_mode;

	if (!tu || !ts || !value)
		return -ENOMEM;
	for (unsigned int k = 0; k < size; k++)
		value[k] = (unsigned char)(k * 131 + 7);
	sig = sign_load(value, size, &sig_sz);
	if (!sig) {
		fprintf(stderr, "signing %u bytes with %s failed\n", size, alg);
		return -EINVAL;
	}

	/* Unsigned and signed loads alternate; each gets a fresh map. */
	for (i = -WARMUP; !err && i < reps; i++) {
		for (signed_mode = 0; !err && signed_mode <= 1; signed_mode++) {
			long long start;

			map = make_map(value, size);
			if (map < 0) {
				err = map;
				break;
			}
			start = now_ns();
			fd = load(map, signed_mode ? sig : NULL, sig_sz);
			if (i >= 0)
				(signed_mode ? ts : tu)[i] = now_ns() - start;
			close(map);
			if (fd < 0)
				err = fd;
			else
				close(fd);
		}
	}
	report(size, "unsigned", tu, reps, err, err ? -1 : load_mem(value, size, NULL, 0));
	report(size, "signed", ts, reps, err, err ? -1 : load_mem(value, size, sig, sig_sz));
	bench_digest(value, size, reps, tu);
	free(sig);
	free(value);
	free(tu);
	free(ts);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned char der[8192];
	const unsigned char *p = der;
	unsigned int len;
	int i, most = 0;
	FILE *f;
	BIO *b;

	if (argc < 7) {
		fprintf(stderr, "usage: %s VARIANT BOOT ALG KEY.pem CERT.der SIZE:REPS...\n",
			argv[0]);
		return 2;
	}
	variant = argv[1];
	boot = argv[2];
	alg = argv[3];
	for (i = 0; i < (int)(sizeof(algs) / sizeof(algs[0])); i++)
		if (!strcmp(algs[i].name, alg))
			desc = &algs[i];
	if (!desc) {
		fprintf(stderr, "unknown algorithm %s\n", alg);
		return 2;
	}

	b = BIO_new_file(argv[4], "r");
	pkey = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	f = fopen(argv[5], "rb");
	len = f ? fread(der, 1, sizeof(der), f) : 0;
	if (f)
		fclose(f);
	cert = d2i_X509(NULL, &p, len);
	if (!pkey || !cert) {
		fprintf(stderr, "cannot read %s or %s\n", argv[4], argv[5]);
		return 1;
	}
	key_id = syscall(__NR_add_key, "asymmetric", alg, der, len, KEY_SPEC_SESSION_KEYRING);
	if (key_id < 0) {
		perror("add_key");
		return 1;
	}
	EVP_Digest(insns, sizeof(insns), excl_hash, NULL, EVP_sha256(), NULL);
	cg_setup();

	for (i = 6; i < argc; i++) {
		unsigned int size;
		int reps;

		if (sscanf(argv[i], "%u:%d", &size, &reps) != 2 || reps < 1) {
			fprintf(stderr, "bad SIZE:REPS %s\n", argv[i]);
			return 2;
		}
		if (reps > most)
			most = reps;
		if (bench_size(size, reps))
			return 1;
	}
	return bench_verify(most) ? 1 : 0;
}
