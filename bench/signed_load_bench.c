// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_PROG_LOAD latency and memory of signed loaders, against unsigned ones
 * and against the physical floor (one SHA-256 pass, one verification).
 *
 * A loader here is what a light skeleton loads: a BPF_PROG_TYPE_SYSCALL
 * program bound through fd_array to one exclusive, frozen array map that
 * holds its metadata. It is signed like bpftool signs (PKCS#7 over
 * insns || metadata) with the key given, and the certificate goes into the
 * session keyring.
 *
 *   signed_load_bench VARIANT ALG KEY.pem CERT.der REPS SIZE...
 *
 * The unsigned baseline is the same loader loaded the way an unsigned light
 * skeleton is: the same fd_array, without fd_array_cnt (an exclusive map
 * cannot be bound up front by an unsigned program, whose digest is only
 * computed later).
 *
 * prints CSV rows: variant,alg,size,mode,reps,median_ns,p10_ns,p90_ns,err,mem_bytes
 * for mode unsigned, signed and sha256 (the kernel's SHA-256 over SIZE
 * bytes through AF_ALG). A load that fails gives its errno in "err".
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

/* r0 = 0; exit */
static const struct bpf_insn insns[] = {
	{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
	{ .code = BPF_JMP | BPF_EXIT },
};

static unsigned char excl_hash[32];
static EVP_PKEY *pkey;
static X509 *cert;
static const EVP_MD *md;
static int with_attrs;

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

/* PKCS#7 over insns || value, detached, as bpftool's signer makes it. */
static unsigned char *sign(const unsigned char *value, unsigned int size, int *sig_sz)
{
	int flags = CMS_NOCERTS | CMS_BINARY | CMS_NOSMIMECAP | CMS_USE_KEYID;
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
	if (!in || !cms ||
	    !CMS_add1_signer(cms, cert, pkey, md, flags | (with_attrs ? 0 : CMS_NOATTR)) ||
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

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *variant, const char *alg, unsigned int size,
		   const char *mode, long long *t, int n, int err, long long mem)
{
	if (n)
		qsort(t, n, sizeof(*t), cmp_ll);
	printf("%s,%s,%u,%s,%d,%lld,%lld,%lld,%d,%lld\n", variant, alg, size, mode, n,
	       n ? t[n / 2] : 0, n ? t[n / 10] : 0, n ? t[n - 1 - n / 10] : 0, err, mem);
	fflush(stdout);
}

/* The memory cgroup the loads are charged to, with a resettable peak. */
static int peak_fd = -1;
static long long cg_current(const char *file)
{
	char buf[64] = "";
	long long v;
	int fd = open(file, O_RDONLY);

	if (fd < 0)
		return -1;
	if (read(fd, buf, sizeof(buf) - 1) <= 0)
		buf[0] = 0;
	close(fd);
	v = atoll(buf);
	return v;
}

static void cg_setup(void)
{
	char path[128], pid[32];
	int fd;

	mkdir("/sys/fs/cgroup", 0755);
	fd = open("/sys/fs/cgroup/cgroup.subtree_control", O_WRONLY);
	if (fd >= 0) {
		if (write(fd, "+memory", 7) < 0)
			perror("memory controller");
		close(fd);
	}
	snprintf(path, sizeof(path), "/sys/fs/cgroup/signed_load_bench");
	mkdir(path, 0755);
	fd = open("/sys/fs/cgroup/signed_load_bench/cgroup.procs", O_WRONLY);
	if (fd < 0)
		return;
	snprintf(pid, sizeof(pid), "%d", getpid());
	if (write(fd, pid, strlen(pid)) < 0)
		perror("cgroup.procs");
	close(fd);
	peak_fd = open("/sys/fs/cgroup/signed_load_bench/memory.peak", O_RDWR);
}

/* Extra kernel memory one load takes: the cgroup's peak over its start. */
static long long load_mem(int map_fd, const void *sig, unsigned int sig_sz)
{
	long long before, peak;
	char buf[64] = "";
	int fd;

	if (peak_fd < 0)
		return -1;
	before = cg_current("/sys/fs/cgroup/signed_load_bench/memory.current");
	if (write(peak_fd, "reset", 5) < 0)
		return -1;
	fd = load(map_fd, sig, sig_sz);
	if (fd >= 0)
		close(fd);
	if (pread(peak_fd, buf, sizeof(buf) - 1, 0) <= 0)
		return -1;
	peak = atoll(buf);
	return peak - before;
}

static long long sha256_ns(const unsigned char *buf, unsigned int size)
{
	struct sockaddr_alg sa = { .salg_family = AF_ALG, .salg_type = "hash",
				   .salg_name = "sha256" };
	unsigned char digest[32];
	long long t = -1, start;
	int tfm, op;

	tfm = socket(AF_ALG, SOCK_SEQPACKET, 0);
	if (tfm < 0 || bind(tfm, (struct sockaddr *)&sa, sizeof(sa)))
		goto out;
	op = accept(tfm, NULL, NULL);
	if (op < 0)
		goto out;
	start = now_ns();
	for (unsigned int off = 0; off < size;) {
		unsigned int n = size - off > 65536 ? 65536 : size - off;

		if (send(op, buf + off, n, off + n < size ? MSG_MORE : 0) != (ssize_t)n)
			goto out_op;
		off += n;
	}
	if (read(op, digest, sizeof(digest)) == sizeof(digest))
		t = now_ns() - start;
out_op:
	close(op);
out:
	if (tfm >= 0)
		close(tfm);
	return t;
}

static int bench_size(const char *variant, const char *alg, int reps, unsigned int size)
{
	long long *t = calloc(reps, sizeof(*t)), mem;
	unsigned char *value = malloc(size ? size : 1), *sig;
	int i, n, map, fd, sig_sz = 0, err;
	int signed_mode;

	if (!t || !value)
		return -ENOMEM;
	for (unsigned int k = 0; k < size; k++)
		value[k] = (unsigned char)(k * 131 + 7);
	sig = sign(value, size, &sig_sz);
	if (!sig) {
		fprintf(stderr, "signing %u bytes with %s failed\n", size, alg);
		return -EINVAL;
	}

	for (signed_mode = 0; signed_mode <= 1; signed_mode++) {
		const char *mode = signed_mode ? "signed" : "unsigned";

		err = 0;
		for (i = -WARMUP, n = 0; i < reps; i++) {
			long long start;

			map = make_map(value, size);
			if (map < 0) {
				err = map;
				break;
			}
			start = now_ns();
			fd = load(map, signed_mode ? sig : NULL, sig_sz);
			if (i >= 0)
				t[n++] = now_ns() - start;
			close(map);
			if (fd < 0) {
				err = fd;
				break;
			}
			close(fd);
		}
		mem = -1;
		if (!err) {
			map = make_map(value, size);
			if (map >= 0) {
				mem = load_mem(map, signed_mode ? sig : NULL, sig_sz);
				close(map);
			}
		}
		report(variant, alg, size, mode, t, err ? 0 : n, err, mem);
	}
	for (i = 0; i < reps; i++)
		t[i] = sha256_ns(value, size);
	report(variant, alg, size, "sha256", t, reps, t[0] < 0 ? -EINVAL : 0, -1);
	free(sig);
	free(value);
	free(t);
	return 0;
}

int main(int argc, char **argv)
{
	const char *variant, *alg;
	unsigned char der[8192];
	unsigned int len;
	int reps, i;
	FILE *f;
	BIO *b;

	if (argc < 7) {
		fprintf(stderr, "usage: %s VARIANT ALG KEY.pem CERT.der REPS SIZE...\n", argv[0]);
		return 2;
	}
	variant = argv[1];
	alg = argv[2];
	reps = atoi(argv[5]);
	/* ML-DSA is signed with attributes and SHA-512, as OpenSSL 3.5 requires. */
	with_attrs = !strcmp(alg, "mldsa65");
	md = with_attrs ? EVP_sha512() : EVP_sha256();

	b = BIO_new_file(argv[3], "r");
	pkey = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	f = fopen(argv[4], "rb");
	len = f ? fread(der, 1, sizeof(der), f) : 0;
	if (f)
		fclose(f);
	{
		const unsigned char *p = der;

		cert = d2i_X509(NULL, &p, len);
	}
	if (!pkey || !cert) {
		fprintf(stderr, "cannot read %s or %s\n", argv[3], argv[4]);
		return 1;
	}
	if (syscall(__NR_add_key, "asymmetric", alg, der, len, KEY_SPEC_SESSION_KEYRING) < 0) {
		perror("add_key");
		return 1;
	}
	EVP_Digest(insns, sizeof(insns), excl_hash, NULL, EVP_sha256(), NULL);
	cg_setup();

	for (i = 6; i < argc; i++)
		if (bench_size(variant, alg, reps, strtoul(argv[i], NULL, 0)))
			return 1;
	return 0;
}
