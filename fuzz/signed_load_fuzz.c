// SPDX-License-Identifier: GPL-2.0
/*
 * Differential fuzzer of signed BPF loader loads, with its race and leak runs.
 *
 *   signed_load_fuzz gen DIR                sign the genuine sets (host, once)
 *   signed_load_fuzz run DIR SEED COUNT     mutate and load them (guest)
 *   signed_load_fuzz refuse DIR COUNT       COUNT loads that must all fail
 *   signed_load_fuzz race DIR ITERATIONS    writers against loads (race_run())
 *   signed_load_fuzz census                 live BPF programs, maps, root's keys
 *
 * A genuine set is what a signer vouched for: the loader's instructions,
 * the values of the metadata maps it binds (in fd_array order), a PKCS#7
 * signature over insns || map_0 || map_1 ... (bound to that layout or not,
 * by one or two signers, with one digest or another), and the keyring that
 * holds the key. "gen" signs every set of the table below with the keys in
 * DIR (made by fuzz-corpus.sh) and writes DIR/<set>.sig; the instructions
 * and map values are made again from the table, the same on every run.
 *
 * "run" adds the trusted certificates to a new session keyring and makes
 * COUNT loads, case i drawn from SEED and i alone: a set, then one mutation
 * of its signature (raw bytes, or the DER tree: lengths, indefinite
 * lengths, tags, OIDs, signers), its instructions, its map values, sizes
 * and layout (re-splits), its maps' rules (frozen, exclusive, type,
 * mmap), its keyring id, or a kernel-made load (a syscall program's
 * bpf_sys_bpf()) whose signature pointer is chosen. It prints one line per
 * case,
 *
 *   case I SET MUTATION errno=E log=LAST-LOG-LINE
 *
 * which two kernels must print alike (the host compares them), and checks
 * each accepted load: its instructions, the bytes of its maps and its
 * keyring must be those of the set, and its layout too where the set binds
 * it. An accepted load whose signature bytes differ from the genuine ones
 * is a finding (the line starts "accepted-variant"), reported, not a
 * failure; anything else accepted is a violation ("VIOLATION") and fails
 * the run (exit 1), as does a genuine set of a trusted key that does not
 * load ("GENUINE-REFUSED"). The last line is a summary: "fuzz: N loads, N
 * accepted (N variants), N refused (N genuine), N violations".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <endian.h>
#include <linux/bpf.h>
#include <linux/keyctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#define MAX_MAPS 3
#define MAX_INSNS 64
#define LOG_SIZE 65536
/* What the loader of "writes-its-map" writes into its map's first byte. */
#define MARK 0x5a

/* The genuine sets. key2 signs too, with an unknown key, where it is set. */
static const struct set {
	const char *name;
	const char *key;	/* key and certificate file stem in DIR */
	const char *key2;
	const char *md;
	bool attrs;		/* signed attributes (the unbound 7.3 form: none) */
	bool bound;		/* the layout as a signed attribute */
	int ninsns;
	int nmaps;
	unsigned int sizes[MAX_MAPS];
	bool writes;		/* the loader writes its first map (race runs) */
} sets[] = {
	{ "rsa-noattr", "rsa2048", NULL, "sha256", false, false, 2, 1, { 64 } },
	{ "rsa-attrs", "rsa2048", NULL, "sha256", true, false, 3, 2, { 24, 40 } },
	{ "rsa-bound", "rsa2048", NULL, "sha256", true, true, 4, 2, { 40, 24 } },
	{ "rsa-bound-nomap", "rsa2048", NULL, "sha256", true, true, 3, 0, { 0 } },
	{ "rsa-bound-3maps", "rsa2048", NULL, "sha256", true, true, 2, 3, { 8, 16, 8 } },
	{ "rsa-sha384", "rsa2048", NULL, "sha384", true, true, 2, 1, { 33 } },
	{ "rsa-sha512-noattr", "rsa2048", NULL, "sha512", false, false, 2, 1, { 17 } },
	{ "ecdsa-bound", "ecdsa-p256", NULL, "sha256", true, true, 2, 1, { 48 } },
	{ "mldsa-bound", "mldsa65", NULL, "sha512", true, true, 2, 1, { 48 } },
	{ "two-signers", "rsa2048", "unknown", "sha256", true, true, 2, 1, { 32 } },
	{ "unknown-signer", "unknown", NULL, "sha256", true, true, 2, 1, { 32 } },
	{ "writes-its-map", "rsa2048", NULL, "sha256", true, true, 5, 1, { 64 }, .writes = true },
};

#define NSETS (sizeof(sets) / sizeof(sets[0]))

static const char *const trusted[] = { "rsa2048", "ecdsa-p256", "mldsa65" };

static void die(const char *what, const char *arg)
{
	fprintf(stderr, "signed_load_fuzz: %s%s%s\n", what, arg ? ": " : "", arg ? arg : "");
	ERR_print_errors_fp(stderr);
	exit(2);
}

/* splitmix64: the stream of one case, from the seed and the case number. */
static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned int below(unsigned int n)
{
	return n ? rnd() % n : 0;
}

/* A load: what is given to BPF_PROG_LOAD, and what the check compares. */
struct load {
	struct bpf_insn insns[MAX_INSNS + 2];
	unsigned int insns_len;	/* bytes */
	unsigned char *val[MAX_MAPS + 1];
	unsigned int size[MAX_MAPS + 1];
	int nmaps;
	unsigned char *sig;
	unsigned int sig_len;
	int keyring;
};

static void load_free(struct load *l)
{
	for (int i = 0; i < l->nmaps; i++)
		free(l->val[i]);
	free(l->sig);
	memset(l, 0, sizeof(*l));
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		die("out of memory", NULL);
	return p;
}

static void *xmemdup(const void *src, size_t n)
{
	void *p = xmalloc(n);

	memcpy(p, src, n);
	return p;
}

/* The instructions and map values of set @s: r0 = constants; exit. */
static void set_payload(int s, struct load *l)
{
	const struct set *set = &sets[s];
	uint64_t saved = rng_state;

	memset(l, 0, sizeof(*l));
	for (int i = 0; i < set->ninsns - 1; i++) {
		l->insns[i].code = BPF_ALU64 | BPF_MOV | BPF_K;
		l->insns[i].dst_reg = BPF_REG_0;
		l->insns[i].imm = (s << 8) | i;
	}
	l->insns[set->ninsns - 1].code = BPF_JMP | BPF_EXIT;
	if (set->writes) {
		/* r1 = &map_0[0]; *(u8 *)r1 = MARK; r0 = 0; exit */
		l->insns[0] = (struct bpf_insn){ .code = BPF_LD | BPF_DW | BPF_IMM,
						 .dst_reg = BPF_REG_1,
						 .src_reg = BPF_PSEUDO_MAP_IDX_VALUE };
		l->insns[1] = (struct bpf_insn){ 0 };
		l->insns[2] = (struct bpf_insn){ .code = BPF_ST | BPF_B | BPF_MEM,
						 .dst_reg = BPF_REG_1, .imm = MARK };
		l->insns[3] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_K };
	}
	l->insns_len = set->ninsns * sizeof(struct bpf_insn);
	l->nmaps = set->nmaps;
	rng_state = 0x5eed0000ULL + s;
	for (int m = 0; m < set->nmaps; m++) {
		l->size[m] = set->sizes[m];
		l->val[m] = xmalloc(l->size[m]);
		for (unsigned int b = 0; b < l->size[m]; b++)
			l->val[m][b] = rnd();
	}
	l->keyring = KEY_SPEC_SESSION_KEYRING;
	rng_state = saved;
}

/* insns || map_0 || ...: the signed payload of a load. */
static unsigned char *payload(const struct load *l, size_t *len)
{
	unsigned char *p;
	size_t off;

	*len = l->insns_len;
	for (int m = 0; m < l->nmaps; m++)
		*len += l->size[m];
	p = xmalloc(*len);
	memcpy(p, l->insns, l->insns_len);
	off = l->insns_len;
	for (int m = 0; m < l->nmaps; m++) {
		memcpy(p + off, l->val[m], l->size[m]);
		off += l->size[m];
	}
	return p;
}

static unsigned char *read_file(const char *path, size_t *len)
{
	unsigned char *buf;
	FILE *f = fopen(path, "rb");
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		die("cannot read", path);
	buf = xmalloc(n);
	if (fread(buf, 1, n, f) != (size_t)n)
		die("cannot read", path);
	fclose(f);
	*len = n;
	return buf;
}

/* ---- gen: sign the genuine sets ---- */

static void add_signer(CMS_ContentInfo *cms, const char *dir, const char *stem,
		       const struct set *set, const struct load *l)
{
	int flags = CMS_NOCERTS | CMS_BINARY | CMS_NOSMIMECAP | CMS_USE_KEYID;
	char path[4096];
	__le32 rec[3 + MAX_MAPS];
	CMS_SignerInfo *si;
	ASN1_OBJECT *oid;
	EVP_PKEY *key;
	X509 *cert;
	BIO *b;

	snprintf(path, sizeof(path), "%s/%s.pem", dir, stem);
	b = BIO_new_file(path, "r");
	key = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	snprintf(path, sizeof(path), "%s/%s.der", dir, stem);
	b = BIO_new_file(path, "rb");
	cert = b ? d2i_X509_bio(b, NULL) : NULL;
	BIO_free(b);
	if (!key || !cert)
		die("cannot read the key or certificate of", stem);
	si = CMS_add1_signer(cms, cert, key, EVP_get_digestbyname(set->md),
			     flags | (set->attrs ? 0 : CMS_NOATTR));
	if (!si)
		die("cannot add the signer", stem);
	if (set->bound) {
		rec[0] = htole32(BPF_SIG_LAYOUT_V1);
		rec[1] = htole32(l->insns_len);
		rec[2] = htole32(l->nmaps);
		for (int m = 0; m < l->nmaps; m++)
			rec[3 + m] = htole32(l->size[m]);
		oid = OBJ_txt2obj(BPF_SIG_LAYOUT_OID, 1);
		if (!oid || !CMS_signed_add1_attr_by_OBJ(si, oid, V_ASN1_OCTET_STRING, rec,
							 (3 + l->nmaps) * sizeof(__le32)))
			die("cannot add the layout of", set->name);
		ASN1_OBJECT_free(oid);
	}
	X509_free(cert);
	EVP_PKEY_free(key);
}

static int gen(const char *dir)
{
	for (unsigned int s = 0; s < NSETS; s++) {
		const struct set *set = &sets[s];
		CMS_ContentInfo *cms;
		unsigned char *data;
		char path[4096];
		struct load l;
		size_t len;
		BIO *in, *out;

		set_payload(s, &l);
		data = payload(&l, &len);
		cms = CMS_sign(NULL, NULL, NULL, NULL,
			       CMS_NOCERTS | CMS_PARTIAL | CMS_BINARY | CMS_DETACHED);
		if (!cms)
			die("CMS_sign", NULL);
		add_signer(cms, dir, set->key, set, &l);
		if (set->key2)
			add_signer(cms, dir, set->key2, set, &l);
		in = BIO_new_mem_buf(data, len);
		if (!in || CMS_final(cms, in, NULL, CMS_NOCERTS | CMS_BINARY) != 1)
			die("cannot sign", set->name);
		snprintf(path, sizeof(path), "%s/%s.sig", dir, set->name);
		out = BIO_new_file(path, "wb");
		if (!out || i2d_CMS_bio(out, cms) != 1)
			die("cannot write", path);
		BIO_free(out);
		BIO_free(in);
		CMS_ContentInfo_free(cms);
		free(data);
		load_free(&l);
	}
	return 0;
}

/* ---- DER: a tree of the signature, mutated and encoded again ---- */

/* The genuine signatures, read by run modes. */
static unsigned char *genuine_sig[NSETS];
static size_t genuine_len[NSETS];

enum len_form { LEN_MINIMAL, LEN_LONG, LEN_INDEFINITE, LEN_PLUS1, LEN_MINUS1 };

struct der {
	unsigned char tag;
	enum len_form form;
	const unsigned char *content;	/* primitive */
	size_t len;
	struct der *child[16];
	int nchild;
	bool constructed;
	char path[40];		/* child indices from the root, "r.1.0.4" */
};

static struct der pool[512];
static int npool;

/* Parse one DER element of @buf; NULL where it is not DER this parses. */
static struct der *der_parse(const unsigned char *buf, size_t len, size_t *used,
			     const char *parent)
{
	size_t hdr = 2, n, off;
	struct der *d;

	if (len < 2 || (buf[0] & 0x1f) == 0x1f || npool == (int)(sizeof(pool) / sizeof(pool[0])))
		return NULL;
	n = buf[1];
	if (n & 0x80) {
		int k = n & 0x7f;

		if (k < 1 || k > 4 || len < 2 + (size_t)k)
			return NULL;
		n = 0;
		for (int i = 0; i < k; i++)
			n = (n << 8) | buf[2 + i];
		hdr += k;
	}
	if (n > len - hdr)
		return NULL;
	d = &pool[npool++];
	memset(d, 0, sizeof(*d));
	d->tag = buf[0];
	d->constructed = buf[0] & 0x20;
	d->content = buf + hdr;
	d->len = n;
	snprintf(d->path, sizeof(d->path), "%s", parent);
	if (d->constructed) {
		for (off = 0; off < n; off += *used) {
			char path[sizeof(d->path)];

			if (d->nchild == 16)
				return NULL;
			snprintf(path, sizeof(path), "%s.%d", d->path, d->nchild);
			d->child[d->nchild] = der_parse(buf + hdr + off, n - off, used, path);
			if (!d->child[d->nchild++])
				return NULL;
		}
	}
	*used = hdr + n;
	return d;
}

struct buf {
	unsigned char *p;
	size_t len, cap;
};

static void put(struct buf *b, const void *src, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			die("out of memory", NULL);
	}
	memcpy(b->p + b->len, src, n);
	b->len += n;
}

static void der_encode(const struct der *d, struct buf *out)
{
	struct buf c = { 0 };
	unsigned char hdr[6];
	size_t n, h = 0;

	if (d->constructed)
		for (int i = 0; i < d->nchild; i++)
			der_encode(d->child[i], &c);
	else
		put(&c, d->content, d->len);
	n = c.len;
	hdr[h++] = d->tag;
	switch (d->form) {
	case LEN_INDEFINITE:
		hdr[h++] = 0x80;
		break;
	case LEN_LONG:
		hdr[h++] = 0x84;
		for (int i = 3; i >= 0; i--)
			hdr[h++] = n >> (8 * i);
		break;
	default:
		if (d->form == LEN_PLUS1)
			n++;
		else if (d->form == LEN_MINUS1 && n)
			n--;
		if (n < 0x80) {
			hdr[h++] = n;
		} else if (n < 0x100) {
			hdr[h++] = 0x81;
			hdr[h++] = n;
		} else if (n < 0x10000) {
			hdr[h++] = 0x82;
			hdr[h++] = n >> 8;
			hdr[h++] = n;
		} else {
			hdr[h++] = 0x83;
			hdr[h++] = n >> 16;
			hdr[h++] = n >> 8;
			hdr[h++] = n;
		}
	}
	put(out, hdr, h);
	put(out, c.p, c.len);
	if (d->form == LEN_INDEFINITE)
		put(out, "\0\0", 2);
	free(c.p);
}

/* Other OIDs to put in place of one (their content octets). */
static const struct {
	const char *name;
	unsigned char der[11];
	int len;
} oids[] = {
	{ "sha1", { 0x2b, 0x0e, 0x03, 0x02, 0x1a }, 5 },
	{ "sha256", { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01 }, 9 },
	{ "sha512", { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03 }, 9 },
	{ "rsaEncryption", { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01 }, 9 },
	{ "data", { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01 }, 9 },
	{ "signedData", { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02 }, 9 },
	{ "messageDigest", { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x04 }, 9 },
	{ "bogus", { 0x2a, 0x03 }, 2 },
};

/* Where a signature's SignerInfos lie: ContentInfo, [0], SignedData, last SET. */
static struct der *signer_infos(struct der *root)
{
	struct der *sd;

	if (root->nchild < 2 || root->child[1]->nchild < 1)
		return NULL;
	sd = root->child[1]->child[0];
	if (sd->nchild < 1 || sd->child[sd->nchild - 1]->tag != 0x31)
		return NULL;
	return sd->child[sd->nchild - 1];
}

/*
 * One mutation of the DER tree of @l's signature; its name in @what.
 * @o is a set whose first signer may be added.
 */
static void mutate_der(struct load *l, int o, char *what, size_t what_len)
{
	struct der *root, *node, *si, *oroot, *osi;
	unsigned char *changed = NULL;
	struct buf out = { 0 };
	size_t used;
	int k, i;

	npool = 0;
	root = der_parse(l->sig, l->sig_len, &used, "r");
	if (!root)
		die("a genuine signature is not DER", NULL);
	k = below(8);
	node = &pool[below(npool)];
	switch (k) {
	case 0:
	case 1:
		node->form = k == 0 ? LEN_LONG : (node->constructed ? LEN_INDEFINITE : LEN_LONG);
		snprintf(what, what_len, "der-%s@%s",
			 node->form == LEN_LONG ? "long-length" : "indefinite", node->path);
		break;
	case 2:
		node->form = below(2) ? LEN_PLUS1 : LEN_MINUS1;
		snprintf(what, what_len, "der-length%s@%s", node->form == LEN_PLUS1 ? "+1" : "-1",
			 node->path);
		break;
	case 3:
		node->tag ^= 1 << below(8);
		snprintf(what, what_len, "der-tag@%s", node->path);
		break;
	case 4:
		/* An OID replaced by another. */
		for (i = 0; i < npool && pool[(node - pool + i) % npool].tag != 0x06; i++)
			;
		node = &pool[(node - pool + i) % npool];
		k = below(sizeof(oids) / sizeof(oids[0]));
		node->content = oids[k].der;
		node->len = oids[k].len;
		snprintf(what, what_len, "der-oid-%s@%s", oids[k].name, node->path);
		break;
	case 5:
		/* A constructed element loses a child, or has one twice. */
		for (i = 0; i < npool && !pool[(node - pool + i) % npool].nchild; i++)
			;
		node = &pool[(node - pool + i) % npool];
		k = below(node->nchild);
		if (below(2) || node->nchild == 16) {
			memmove(&node->child[k], &node->child[k + 1],
				(node->nchild - k - 1) * sizeof(node->child[0]));
			node->nchild--;
			snprintf(what, what_len, "der-drop-child@%s.%d", node->path, k);
		} else {
			memmove(&node->child[k + 1], &node->child[k],
				(node->nchild - k) * sizeof(node->child[0]));
			node->nchild++;
			snprintf(what, what_len, "der-dup-child@%s.%d", node->path, k);
		}
		break;
	case 6:
		/* The signer twice, or a signer borrowed from another set. */
		si = signer_infos(root);
		if (!si || si->nchild >= 15)
			die("a genuine signature has no SignerInfos", NULL);
		oroot = der_parse(genuine_sig[o], genuine_len[o], &used, "o");
		osi = oroot ? signer_infos(oroot) : NULL;
		if (below(2) && osi && osi->nchild) {
			si->child[si->nchild++] = osi->child[0];
			snprintf(what, what_len, "der-signer-of-%s-added", sets[o].name);
		} else {
			si->child[si->nchild] = si->child[0];
			si->nchild++;
			snprintf(what, what_len, "der-signer-twice");
		}
		break;
	default:
		/* A primitive's content changed in one bit (integers, digests). */
		for (i = 0; i < npool && (pool[(node - pool + i) % npool].constructed ||
					  !pool[(node - pool + i) % npool].len); i++)
			;
		node = &pool[(node - pool + i) % npool];
		changed = xmemdup(node->content, node->len);
		changed[below(node->len)] ^= 1 << below(8);
		node->content = changed;
		snprintf(what, what_len, "der-content-bit@%s", node->path);
		break;
	}
	der_encode(root, &out);
	free(changed);
	free(l->sig);
	l->sig = out.p;
	l->sig_len = out.len;
}

/* ---- run ---- */

static char log_buf[LOG_SIZE];

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	int ret = syscall(__NR_bpf, cmd, attr, sizeof(*attr));

	return ret < 0 ? -errno : ret;
}

/* Map rules a mutation may break. */
enum map_rule { RULE_OK, RULE_UNFROZEN, RULE_NONEXCL, RULE_HASH, RULE_TWO_ENTRIES,
		RULE_MMAP_WRITABLE, RULE_OTHER_EXCL, RULE_MMAPABLE_UNFROZEN };

static const char *const rule_names[] = { "ok", "unfrozen", "not-exclusive", "hash-map",
					  "two-entries", "writable-mmap", "other-program" };

struct maps {
	int fd[MAX_MAPS + 1];
	void *mmap[MAX_MAPS + 1];
	unsigned int mmap_len[MAX_MAPS + 1];
	int n;
};

static int make_map(const unsigned char *value, unsigned int size, const unsigned char *hash,
		    enum map_rule rule, struct maps *ms)
{
	unsigned char other[32];
	union bpf_attr attr;
	int fd, key = 0, err, i = ms->n;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = rule == RULE_HASH ? BPF_MAP_TYPE_HASH : BPF_MAP_TYPE_ARRAY;
	attr.key_size = 4;
	attr.value_size = size;
	attr.max_entries = rule == RULE_TWO_ENTRIES ? 2 : 1;
	if (rule == RULE_MMAP_WRITABLE || rule == RULE_MMAPABLE_UNFROZEN)
		attr.map_flags = BPF_F_MMAPABLE;
	if (rule == RULE_OTHER_EXCL) {
		memcpy(other, hash, 32);
		other[0] ^= 1;
		hash = other;
	}
	if (rule != RULE_NONEXCL) {
		attr.excl_prog_hash = (unsigned long)hash;
		attr.excl_prog_hash_size = 32;
	}
	fd = sys_bpf(BPF_MAP_CREATE, &attr);
	if (fd < 0)
		return fd;
	ms->fd[i] = fd;
	ms->n++;
	memset(&attr, 0, sizeof(attr));
	attr.map_fd = fd;
	attr.key = (unsigned long)&key;
	attr.value = (unsigned long)value;
	err = sys_bpf(BPF_MAP_UPDATE_ELEM, &attr);
	if (err)
		return err;
	if (rule == RULE_MMAP_WRITABLE) {
		ms->mmap_len[i] = (size + 4095) & ~4095U;
		ms->mmap[i] = mmap(NULL, ms->mmap_len[i], PROT_READ | PROT_WRITE, MAP_SHARED,
				   fd, 0);
		return ms->mmap[i] == MAP_FAILED ? (ms->mmap[i] = NULL, -errno) : 0;
	}
	if (rule == RULE_UNFROZEN || rule == RULE_MMAPABLE_UNFROZEN)
		return 0;
	memset(&attr, 0, sizeof(attr));
	attr.map_fd = fd;
	return sys_bpf(BPF_MAP_FREEZE, &attr);
}

static void maps_close(struct maps *ms)
{
	for (int i = 0; i < ms->n; i++) {
		if (ms->mmap[i])
			munmap(ms->mmap[i], ms->mmap_len[i]);
		close(ms->fd[i]);
	}
	ms->n = 0;
}

static void fill_load_attr(union bpf_attr *attr, const struct load *l, const int *fds, int nfds)
{
	memset(attr, 0, sizeof(*attr));
	attr->prog_type = BPF_PROG_TYPE_SYSCALL;
	attr->prog_flags = BPF_F_SLEEPABLE;
	attr->insns = (unsigned long)l->insns;
	attr->insn_cnt = l->insns_len / sizeof(struct bpf_insn);
	attr->license = (unsigned long)"GPL";
	attr->fd_array = (unsigned long)fds;
	attr->fd_array_cnt = nfds;
	attr->signature = (unsigned long)l->sig;
	attr->signature_size = l->sig_len;
	attr->keyring_id = l->keyring;
}

static struct bpf_insn insn(__u8 code, __u8 dst, __u8 src, __s16 off, __s32 imm)
{
	return (struct bpf_insn){ .code = code, .dst_reg = dst, .src_reg = src, .off = off,
				  .imm = imm };
}

/*
 * A kernel-made load: a syscall program calls bpf_sys_bpf(BPF_PROG_LOAD)
 * on a bpf_attr in its context, whose insns, license and fd_array point
 * into that context; the signature points there too (@sig_ptr 0), or is
 * the address @sig_ptr. Returns what bpf_sys_bpf() returned, or the errno
 * of running the program.
 */
static int kernel_load(const struct load *l, const int *fds, int nfds, uint64_t sig_ptr)
{
	const size_t i_off = 256, lic = i_off + sizeof(l->insns), f_off = lic + 8;
	const size_t s_off = f_off + sizeof(int) * (MAX_MAPS + 1);
	static unsigned char ctx[16384];
	struct bpf_insn p[32];
	union bpf_attr attr, *in = (union bpf_attr *)ctx;
	int n = 0, fd, ret;

	if (s_off + l->sig_len > sizeof(ctx))
		return -E2BIG;
	memset(ctx, 0, sizeof(ctx));
	fill_load_attr(in, l, fds, nfds);
	memcpy(ctx + i_off, l->insns, l->insns_len);
	memcpy(ctx + lic, "GPL", 4);
	memcpy(ctx + f_off, fds, sizeof(int) * nfds);
	memcpy(ctx + s_off, l->sig, l->sig_len);
	in->signature = sig_ptr;
	p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_6, BPF_REG_1, 0, 0);
	/* *(u64 *)(ctx + field) = ctx + target, for each pointer into the context */
	{
		const struct { size_t field, target; bool on; } ptrs[] = {
			{ offsetof(union bpf_attr, insns), i_off, true },
			{ offsetof(union bpf_attr, license), lic, true },
			{ offsetof(union bpf_attr, fd_array), f_off, nfds > 0 },
			{ offsetof(union bpf_attr, signature), s_off, sig_ptr == 0 },
		};

		for (size_t k = 0; k < sizeof(ptrs) / sizeof(ptrs[0]); k++) {
			if (!ptrs[k].on)
				continue;
			p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, BPF_REG_6, 0, 0);
			p[n++] = insn(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, ptrs[k].target);
			p[n++] = insn(BPF_STX | BPF_DW | BPF_MEM, BPF_REG_6, BPF_REG_2,
				      ptrs[k].field, 0);
		}
	}
	p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_1, 0, 0, BPF_PROG_LOAD);
	p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, BPF_REG_6, 0, 0);
	p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_3, 0, 0, sizeof(union bpf_attr));
	p[n++] = insn(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_sys_bpf);
	p[n++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SYSCALL;
	attr.prog_flags = BPF_F_SLEEPABLE;
	attr.insns = (unsigned long)p;
	attr.insn_cnt = n;
	attr.license = (unsigned long)"GPL";
	fd = sys_bpf(BPF_PROG_LOAD, &attr);
	if (fd < 0)
		die("the syscall program does not load", strerror(-fd));
	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = fd;
	attr.test.ctx_in = (unsigned long)ctx;
	attr.test.ctx_size_in = sizeof(ctx);
	ret = sys_bpf(BPF_PROG_TEST_RUN, &attr);
	close(fd);
	if (ret < 0)
		return ret;
	return (int)attr.test.retval;
}

/* An errno's name (E...), or its number where libc has no name for it. */
static const char *errname(int err)
{
	static char num[16];
	const char *name = strerrorname_np(err);

	if (name)
		return name;
	snprintf(num, sizeof(num), "%d", err);
	return num;
}

/* The last line of the verifier log, or "-". */
static const char *last_line(void)
{
	static char line[512];
	char *end = log_buf + strnlen(log_buf, sizeof(log_buf));
	char *start;

	while (end > log_buf && end[-1] == '\n')
		end--;
	for (start = end; start > log_buf && start[-1] != '\n'; start--)
		;
	if (start == end)
		return "-";
	snprintf(line, sizeof(line), "%.*s", (int)(end - start), start);
	return line;
}

static bool same_bytes(const struct load *a, const struct load *b)
{
	size_t la, lb;
	unsigned char *pa = payload(a, &la), *pb = payload(b, &lb);
	bool same = la == lb && !memcmp(pa, pb, la);

	free(pa);
	free(pb);
	return same;
}

static bool same_layout(const struct load *a, const struct load *b)
{
	if (a->insns_len != b->insns_len || a->nmaps != b->nmaps)
		return false;
	for (int m = 0; m < a->nmaps; m++)
		if (a->size[m] != b->size[m])
			return false;
	return true;
}

static const char *const kinds[] = {
	"genuine", "sig-bitflip", "sig-truncate", "sig-append", "sig-der", "sig-der",
	"sig-der", "insns-bit", "map-bit", "map-size", "resplit", "map-rule", "map-order",
	"keyring", "kernel-load",
};

#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

static long n_loads, n_accepted, n_variants, n_refused, n_violations, n_genuine_refused;

/*
 * Case @c of the run seeded @seed: a set and a mutation drawn from them,
 * or the mutation @force (an index of kinds[]) where it is not -1. Returns
 * whether the load was accepted.
 */
static bool one_case(unsigned long long seed, long c, int force)
{
	int s, kind, fds[MAX_MAPS + 1], nfds, ret;
	enum map_rule rules[MAX_MAPS + 1] = { RULE_OK };
	unsigned char hash[32];
	struct maps ms = { 0 };
	struct load g, l;
	char what[96];
	union bpf_attr attr;
	uint64_t kptr = 0;
	bool kernel = false, accepted = false;

	rng_state = seed * 0x100000001b3ULL + c;
	s = below(NSETS);
	kind = below(NKINDS);
	if (force >= 0) {
		kind = force;
		/* (a forced mutation of the maps needs a set that has maps) */
		while (!sets[s].nmaps)
			s = (s + 1) % NSETS;
	}
	set_payload(s, &g);
	g.sig = xmemdup(genuine_sig[s], genuine_len[s]);
	g.sig_len = genuine_len[s];
	set_payload(s, &l);
	l.sig = xmemdup(genuine_sig[s], genuine_len[s]);
	l.sig_len = genuine_len[s];
	snprintf(what, sizeof(what), "%s", kinds[kind]);

	switch (kind) {
	case 1: {
		int n = 1 + below(3);

		for (int i = 0; i < n; i++)
			l.sig[below(l.sig_len)] ^= 1 << below(8);
		snprintf(what, sizeof(what), "sig-bitflip-x%d", n);
		break;
	}
	case 2:
		l.sig_len = below(l.sig_len);
		snprintf(what, sizeof(what), "sig-truncate-to-%u", l.sig_len);
		break;
	case 3: {
		int n = 1 + below(16);

		l.sig = realloc(l.sig, l.sig_len + n);
		if (!l.sig)
			die("out of memory", NULL);
		for (int i = 0; i < n; i++)
			l.sig[l.sig_len + i] = below(3) ? 0 : rnd();
		l.sig_len += n;
		snprintf(what, sizeof(what), "sig-append-%d", n);
		break;
	}
	case 4:
	case 5:
	case 6: {
		mutate_der(&l, below(NSETS), what, sizeof(what));
		break;
	}
	case 7: {
		unsigned int b = below(l.insns_len);

		((unsigned char *)l.insns)[b] ^= 1 << below(8);
		snprintf(what, sizeof(what), "insns-bit@%u", b);
		break;
	}
	case 8:
		if (!l.nmaps)
			break;
		{
			int m = below(l.nmaps);
			unsigned int b = below(l.size[m]);

			l.val[m][b] ^= 1 << below(8);
			snprintf(what, sizeof(what), "map%d-bit@%u", m, b);
		}
		break;
	case 9:
		if (!l.nmaps)
			break;
		{
			int m = below(l.nmaps), d = below(2) ? 8 : -1;

			l.val[m] = realloc(l.val[m], l.size[m] + 8);
			if (!l.val[m])
				die("out of memory", NULL);
			memset(l.val[m] + l.size[m], 0, 8);
			l.size[m] += d;
			snprintf(what, sizeof(what), "map%d-size%+d", m, d);
		}
		break;
	case 10: {
		/*
		 * The same bytes, split elsewhere: between two maps, or
		 * between the instructions and the first map.
		 */
		unsigned int k;

		if (l.nmaps >= 2) {
			k = 1 + below(l.size[0] - 1);
			unsigned char *v0 = xmalloc(l.size[0] - k);
			unsigned char *v1 = xmalloc(l.size[1] + k);

			memcpy(v0, l.val[0], l.size[0] - k);
			memcpy(v1, l.val[0] + l.size[0] - k, k);
			memcpy(v1 + k, l.val[1], l.size[1]);
			free(l.val[0]);
			free(l.val[1]);
			l.val[0] = v0;
			l.val[1] = v1;
			l.size[0] -= k;
			l.size[1] += k;
			snprintf(what, sizeof(what), "resplit-map0-to-map1-%u", k);
		} else if (l.nmaps == 1 && l.size[0] >= 8) {
			memcpy((unsigned char *)l.insns + l.insns_len, l.val[0], 8);
			memmove(l.val[0], l.val[0] + 8, l.size[0] - 8);
			l.insns_len += 8;
			l.size[0] -= 8;
			snprintf(what, sizeof(what), "resplit-map0-to-insns-8");
		}
		break;
	}
	case 11:
		if (!l.nmaps)
			break;
		{
			int m = below(l.nmaps);

			rules[m] = 1 + below(sizeof(rule_names) / sizeof(rule_names[0]) - 1);
			snprintf(what, sizeof(what), "map%d-%s", m, rule_names[rules[m]]);
		}
		break;
	case 12:
		/* The maps in another order, one left out, or one too many. */
		if (l.nmaps >= 2 && below(2)) {
			unsigned char *v = l.val[0];
			unsigned int sz = l.size[0];

			l.val[0] = l.val[1];
			l.size[0] = l.size[1];
			l.val[1] = v;
			l.size[1] = sz;
			snprintf(what, sizeof(what), "maps-swapped");
		} else if (l.nmaps && below(2)) {
			free(l.val[--l.nmaps]);
			snprintf(what, sizeof(what), "map-left-out");
		} else {
			l.val[l.nmaps] = xmalloc(8);
			memset(l.val[l.nmaps], 0, 8);
			l.size[l.nmaps++] = 8;
			snprintf(what, sizeof(what), "map-extra");
		}
		break;
	case 13: {
		static const int ids[] = { 0, 1, 2, 3, KEY_SPEC_THREAD_KEYRING,
					   KEY_SPEC_PROCESS_KEYRING, KEY_SPEC_USER_KEYRING,
					   KEY_SPEC_USER_SESSION_KEYRING, -9, -100, 0x7fffffff };

		l.keyring = ids[below(sizeof(ids) / sizeof(ids[0]))];
		snprintf(what, sizeof(what), "keyring%+d", l.keyring);
		break;
	}
	case 14: {
		static const uint64_t ptrs[] = { 0, 0, 0, 1, 0x1000, 0x7fff00000000ULL,
						 0x8000000000000000ULL, 0xffffffffffffff00ULL,
						 0xffff888000000000ULL };

		kernel = true;
		kptr = ptrs[below(sizeof(ptrs) / sizeof(ptrs[0]))];
		/* (A forced kernel load always has a pointer of its own.) */
		if (force >= 0 && !kptr)
			kptr = ptrs[3 + below(sizeof(ptrs) / sizeof(ptrs[0]) - 3)];
		snprintf(what, sizeof(what), "kernel-load-sig@%#llx", (unsigned long long)kptr);
		break;
	}
	}

	/* The maps, exclusive to the program loaded. */
	EVP_Digest(l.insns, l.insns_len, hash, NULL, EVP_sha256(), NULL);
	for (nfds = 0; nfds < l.nmaps; nfds++) {
		ret = make_map(l.val[nfds], l.size[nfds], hash, rules[nfds], &ms);
		if (ret < 0)
			break;
		fds[nfds] = ms.fd[nfds];
	}
	n_loads++;
	log_buf[0] = 0;
	if (nfds < l.nmaps) {
		if (kind == 0)
			n_genuine_refused++;
		printf("%scase %ld %s %s errno=map-setup-%s log=-\n", kind ? "" : "GENUINE-REFUSED ",
		       c, sets[s].name, what, errname(-ret));
		goto out;
	}
	if (kernel) {
		ret = kernel_load(&l, fds, nfds, kptr);
	} else {
		fill_load_attr(&attr, &l, fds, nfds);
		attr.log_level = 1;
		attr.log_buf = (unsigned long)log_buf;
		attr.log_size = sizeof(log_buf);
		ret = sys_bpf(BPF_PROG_LOAD, &attr);
	}
	accepted = ret >= 0;
	if (ret >= 0) {
		bool variant = l.sig_len != g.sig_len || memcmp(l.sig, g.sig, g.sig_len);

		close(ret);
		n_accepted++;
		if (!same_bytes(&l, &g) || (sets[s].bound && !same_layout(&l, &g)) ||
		    l.keyring != KEY_SPEC_SESSION_KEYRING || !strcmp(sets[s].key, "unknown") ||
		    (kernel && kptr)) {
			n_violations++;
			printf("VIOLATION ");
		} else if (variant) {
			n_variants++;
			printf("accepted-variant ");
		}
		printf("case %ld %s %s errno=0 log=%s\n", c, sets[s].name, what, last_line());
	} else {
		n_refused++;
		/* A genuine set signed by a trusted key must load: else the run proves nothing. */
		if (kind == 0 && strcmp(sets[s].key, "unknown")) {
			n_genuine_refused++;
			printf("GENUINE-REFUSED ");
		}
		printf("case %ld %s %s errno=%s log=%s\n", c, sets[s].name, what, errname(-ret),
		       last_line());
	}
out:
	maps_close(&ms);
	load_free(&l);
	load_free(&g);
	return accepted;
}

/* The genuine signatures, and a session keyring of this run's own with the trusted keys. */
static void setup(const char *dir)
{
	char path[4096];
	size_t len;

	for (unsigned int s = 0; s < NSETS; s++) {
		snprintf(path, sizeof(path), "%s/%s.sig", dir, sets[s].name);
		genuine_sig[s] = read_file(path, &genuine_len[s]);
	}
	/* A session keyring of this run's own, with the trusted certificates. */
	if (syscall(__NR_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0)
		die("cannot join a new session keyring", strerror(errno));
	for (unsigned int k = 0; k < sizeof(trusted) / sizeof(trusted[0]); k++) {
		unsigned char *der;

		snprintf(path, sizeof(path), "%s/%s.der", dir, trusted[k]);
		der = read_file(path, &len);
		if (syscall(__NR_add_key, "asymmetric", trusted[k], der, len,
			    KEY_SPEC_SESSION_KEYRING) < 0)
			die("add_key", trusted[k]);
		free(der);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
}

static int run(const char *dir, unsigned long long seed, long count)
{
	setup(dir);
	for (long c = 0; c < count; c++)
		one_case(seed, c, -1);
	printf("fuzz: %ld loads, %ld accepted (%ld variants), %ld refused (%ld genuine), %ld violations\n",
	       n_loads, n_accepted, n_variants, n_refused, n_genuine_refused, n_violations);
	return n_violations || n_genuine_refused ? 1 : 0;
}

/*
 * @count loads in a row that must all be refused, by mutations that never
 * leave a load acceptable: changed instructions or map bytes, a truncated
 * signature, a broken map rule, another keyring, a kernel-made load with a
 * bad signature pointer. Exits 1 if one is accepted.
 */
static int refuse(const char *dir, long count)
{
	static const int refusing[] = { 2, 7, 8, 11, 13, 14 };
	long accepted = 0;

	setup(dir);
	for (long c = 0; c < count; c++)
		accepted += one_case(7, c, refusing[c % (sizeof(refusing) / sizeof(refusing[0]))]);
	printf("refuse: %ld loads, %ld accepted\n", count, accepted);
	return accepted ? 1 : 0;
}

/* ---- race: writers against loads of the loader that binds their map ---- */

#define RACE_LOADERS 2
#define RACE_LOADS 4
/* freeze, update, mmap, close and run, update */
#define RACE_WRITERS 5
#define RACE_UPDATES 4000

static struct race {
	pthread_barrier_t go, done;
	int set;
	struct load genuine;	/* the set's payload and signature */
	unsigned char *bad;	/* the map value with every byte changed */
	int fd;			/* the iteration's map */
	int load_fd;		/* a dup of it, which the closer closes */
	int accepted_fd;	/* a program accepted in this iteration, or -1 */
	int loading;		/* loader threads still loading */
	bool stop;
	long iter;
	pthread_mutex_t lock;
	/* counts, under lock */
	long loads, accepted, by_errno[4096], freezes, freeze_busy, updates_ok,
	     updates_failed, mmaps_ok, mmaps_failed, runs, violations;
	long long max_load_ns;
} race;

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* A few hundred cycles to a few microseconds of nothing, so that threads meet anywhere. */
static void jitter(unsigned int *seed)
{
	for (int n = rand_r(seed) % 64; n > 0; n--)
		sched_yield();
}

static void count(long *c)
{
	pthread_mutex_lock(&race.lock);
	(*c)++;
	pthread_mutex_unlock(&race.lock);
}

static void *race_loader(void *arg)
{
	unsigned int seed = (uintptr_t)arg;
	union bpf_attr attr;
	struct load l;

	for (;;) {
		pthread_barrier_wait(&race.go);
		if (race.stop)
			return NULL;
		l = race.genuine;
		for (int i = 0; i < RACE_LOADS; i++) {
			int fds[1] = { race.load_fd };
			long long t;
			int ret;

			jitter(&seed);
			fill_load_attr(&attr, &l, fds, 1);
			t = now_ns();
			ret = sys_bpf(BPF_PROG_LOAD, &attr);
			t = now_ns() - t;
			pthread_mutex_lock(&race.lock);
			race.loads++;
			if (t > race.max_load_ns)
				race.max_load_ns = t;
			if (ret >= 0) {
				race.accepted++;
				if (race.accepted_fd < 0) {
					race.accepted_fd = ret;
					ret = -1;
				}
			} else if (-ret < 4096) {
				race.by_errno[-ret]++;
			}
			pthread_mutex_unlock(&race.lock);
			if (ret >= 0)
				close(ret);
		}
		__atomic_sub_fetch(&race.loading, 1, __ATOMIC_SEQ_CST);
		pthread_barrier_wait(&race.done);
	}
}

static void *race_writer(void *arg)
{
	unsigned int seed = (uintptr_t)arg;
	int role = seed % RACE_WRITERS, key = 0;
	union bpf_attr attr;
	void *m;

	for (;;) {
		pthread_barrier_wait(&race.go);
		if (race.stop)
			return NULL;
		unsigned int size = race.genuine.size[0];

		switch (role) {
		case 0:	/* freeze */
			jitter(&seed);
			memset(&attr, 0, sizeof(attr));
			attr.map_fd = race.fd;
			count(sys_bpf(BPF_MAP_FREEZE, &attr) ? &race.freeze_busy : &race.freezes);
			break;
		case 1:
		case 4:
			/*
			 * Update, other bytes and the genuine ones in turn, for
			 * as long as loads go on: failing once the map is frozen,
			 * each still holds the map's writer count up for a moment.
			 */
			for (int i = 0; i < RACE_UPDATES &&
					__atomic_load_n(&race.loading, __ATOMIC_SEQ_CST); i++) {
				if (i < 8)
					jitter(&seed);
				memset(&attr, 0, sizeof(attr));
				attr.map_fd = race.fd;
				attr.key = (unsigned long)&key;
				attr.value = (unsigned long)(i % 2 ? race.genuine.val[0] : race.bad);
				count(sys_bpf(BPF_MAP_UPDATE_ELEM, &attr) ? &race.updates_failed :
									    &race.updates_ok);
			}
			break;
		case 2:	/* a writable mmap, written through (fails once frozen) */
			jitter(&seed);
			m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, race.fd, 0);
			if (m == MAP_FAILED) {
				count(&race.mmaps_failed);
				break;
			}
			count(&race.mmaps_ok);
			memcpy(m, rand_r(&seed) % 2 ? race.bad : race.genuine.val[0], size);
			jitter(&seed);
			memcpy(m, race.genuine.val[0], size);
			munmap(m, 4096);
			break;
		default: /* close the loads' fd; run a loader accepted meanwhile */
			jitter(&seed);
			if (rand_r(&seed) % 4 == 0)
				close(race.load_fd);
			for (int i = 0; i < RACE_LOADS; i++) {
				int fd;

				jitter(&seed);
				pthread_mutex_lock(&race.lock);
				fd = race.accepted_fd >= 0 ? dup(race.accepted_fd) : -1;
				pthread_mutex_unlock(&race.lock);
				if (fd < 0)
					continue;
				memset(&attr, 0, sizeof(attr));
				attr.test.prog_fd = fd;
				if (!sys_bpf(BPF_PROG_TEST_RUN, &attr))
					count(&race.runs);
				close(fd);
			}
			break;
		}
		pthread_barrier_wait(&race.done);
	}
}

/*
 * @iters iterations of: a fresh exclusive, mmapable metadata map holding
 * the genuine value of "writes-its-map", which threads then freeze, update
 * (other bytes and the genuine ones; failing once frozen), mmap and write,
 * and close (the fd the loads name), while two threads load the signed
 * loader bound to it and a last one runs a loader accepted meanwhile (the
 * loader writes MARK into its own map: the writer the design allows).
 * Whatever interleaving the threads found, a load that was accepted must
 * have bound the genuine bytes: the map, frozen before any acceptance and
 * writable after it by the accepted loader alone, must hold them still
 * (with MARK where the loader ran). Prints the counts; exits 1 on a
 * violation, or if no load met a writer (-EBUSY) or none was accepted.
 */
static int race_run(const char *dir, long iters)
{
	pthread_t loaders[RACE_LOADERS], writers[RACE_WRITERS];
	unsigned char hash[32], *now;
	union bpf_attr attr;
	int key = 0;

	setup(dir);
	for (race.set = 0; !sets[race.set].writes; race.set++)
		;
	set_payload(race.set, &race.genuine);
	race.genuine.sig = genuine_sig[race.set];
	race.genuine.sig_len = genuine_len[race.set];
	race.bad = xmalloc(race.genuine.size[0]);
	now = xmalloc(race.genuine.size[0]);
	for (unsigned int i = 0; i < race.genuine.size[0]; i++)
		race.bad[i] = ~race.genuine.val[0][i];
	EVP_Digest(race.genuine.insns, race.genuine.insns_len, hash, NULL, EVP_sha256(), NULL);
	pthread_mutex_init(&race.lock, NULL);
	pthread_barrier_init(&race.go, NULL, RACE_LOADERS + RACE_WRITERS + 1);
	pthread_barrier_init(&race.done, NULL, RACE_LOADERS + RACE_WRITERS + 1);
	for (uintptr_t t = 0; t < RACE_LOADERS; t++)
		pthread_create(&loaders[t], NULL, race_loader, (void *)(t + 100));
	for (uintptr_t t = 0; t < RACE_WRITERS; t++)
		pthread_create(&writers[t], NULL, race_writer, (void *)t);

	for (race.iter = 0; race.iter < iters; race.iter++) {
		struct maps ms = { 0 };

		int err = make_map(race.genuine.val[0], race.genuine.size[0], hash,
				   RULE_MMAPABLE_UNFROZEN, &ms);

		if (err < 0)
			die("cannot make the race's map", strerror(-err));
		race.fd = ms.fd[0];
		race.load_fd = dup(race.fd);
		race.accepted_fd = -1;
		race.loading = RACE_LOADERS;
		pthread_barrier_wait(&race.go);
		pthread_barrier_wait(&race.done);
		if (race.accepted_fd >= 0) {
			memset(&attr, 0, sizeof(attr));
			attr.map_fd = race.fd;
			attr.key = (unsigned long)&key;
			attr.value = (unsigned long)now;
			if (sys_bpf(BPF_MAP_LOOKUP_ELEM, &attr))
				die("cannot read the race's map", NULL);
			if (now[0] == MARK)
				now[0] = race.genuine.val[0][0];
			if (memcmp(now, race.genuine.val[0], race.genuine.size[0])) {
				race.violations++;
				printf("VIOLATION race iteration %ld: a load was accepted, and the map holds other bytes\n",
				       race.iter);
			}
			close(race.accepted_fd);
		}
		close(race.load_fd);	/* (or EBADF: the closer was first) */
		maps_close(&ms);
	}
	race.stop = true;
	pthread_barrier_wait(&race.go);
	for (int t = 0; t < RACE_LOADERS; t++)
		pthread_join(loaders[t], NULL);
	for (int t = 0; t < RACE_WRITERS; t++)
		pthread_join(writers[t], NULL);

	printf("race: %ld iterations, %ld loads: %ld accepted, refused", iters, race.loads,
	       race.accepted);
	for (int e = 1; e < 4096; e++)
		if (race.by_errno[e])
			printf(" %s %ld", errname(e), race.by_errno[e]);
	printf("; freezes %ld (%ld refused), updates %ld (%ld failed), writable mmaps %ld (%ld refused), loader runs %ld; slowest load %lld ms; %ld violations\n",
	       race.freezes, race.freeze_busy, race.updates_ok, race.updates_failed, race.mmaps_ok,
	       race.mmaps_failed, race.runs, race.max_load_ns / 1000000, race.violations);
	free(race.bad);
	free(now);
	load_free(&race.genuine);
	return race.violations || !race.by_errno[EBUSY] || !race.accepted ? 1 : 0;
}

/* How many BPF programs and maps live, and the keys of uid 0 (/proc/key-users). */
static int census(void)
{
	union bpf_attr attr;
	long progs = 0, maps = 0;
	int keys = -1, usage = -1, uid;
	char line[256];
	FILE *f;

	memset(&attr, 0, sizeof(attr));
	while (!sys_bpf(BPF_PROG_GET_NEXT_ID, &attr))
		progs++;
	memset(&attr, 0, sizeof(attr));
	while (!sys_bpf(BPF_MAP_GET_NEXT_ID, &attr))
		maps++;
	f = fopen("/proc/key-users", "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, " %d: %d %d/", &uid, &usage, &keys) == 3 && uid == 0)
			break;
	if (f)
		fclose(f);
	printf("progs %ld maps %ld key_usage %d keys %d\n", progs, maps, usage, keys);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "gen"))
		return gen(argv[2]);
	if (argc == 5 && !strcmp(argv[1], "run"))
		return run(argv[2], strtoull(argv[3], NULL, 0), strtol(argv[4], NULL, 0));
	if (argc == 4 && !strcmp(argv[1], "refuse"))
		return refuse(argv[2], strtol(argv[3], NULL, 0));
	if (argc == 2 && !strcmp(argv[1], "census"))
		return census();
	if (argc == 4 && !strcmp(argv[1], "race"))
		return race_run(argv[2], strtol(argv[3], NULL, 0));
	fprintf(stderr, "usage: signed_load_fuzz gen DIR | run DIR SEED COUNT | refuse DIR COUNT | race DIR ITERATIONS | census\n");
	return 2;
}
