// SPDX-License-Identifier: GPL-2.0
/*
 * Sign a signed BPF loader's payload, binding its layout or not.
 *
 * Usage: sign-layout [-d DIGEST] [-n] DATA KEY CERT LAYOUT [KEY CERT LAYOUT]...
 *
 * Writes to DATA.sig a detached PKCS#7 (CMS) signature of DATA without
 * certificates, with one signer for each KEY CERT LAYOUT triple: KEY is
 * PEM, CERT PEM or DER, and both may name one PEM file. LAYOUT is
 * "INSNS:SIZE,SIZE,..." (bytes of instructions, then the value size of
 * each map; "INSNS:" for no map) for a signer whose signed attributes
 * bind that layout (struct bpf_sig_layout under BPF_SIG_LAYOUT_OID), or
 * "-" for one with signed attributes but no layout. -n signs without
 * signed attributes, the unbound form of 7.3's bpftool; every LAYOUT must
 * then be "-". DIGEST defaults to sha256.
 */
#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>

/* The most maps a layout can name: MAX_USED_MAPS of the kernel. */
#define MAX_MAPS 64

static void die(const char *what, const char *arg)
{
	fprintf(stderr, "sign-layout: %s%s%s\n", what, arg ? ": " : "",
		arg ? arg : "");
	ERR_print_errors_fp(stderr);
	exit(1);
}

/* Parse "INSNS:SIZE,SIZE,..." into a struct bpf_sig_layout; its length. */
static size_t parse_layout(const char *spec, __le32 *rec)
{
	unsigned long v;
	const char *p;
	char *end;
	__u32 n = 0;

	errno = 0;
	v = strtoul(spec, &end, 0);
	if (errno || end == spec || *end != ':' || v > UINT32_MAX)
		die("bad layout", spec);
	rec[0] = htole32(BPF_SIG_LAYOUT_V1);
	rec[1] = htole32(v);
	for (p = end + 1; *p; p = *end ? end + 1 : end) {
		errno = 0;
		v = strtoul(p, &end, 0);
		if (errno || end == p || (*end && *end != ',') ||
		    v > UINT32_MAX || n == MAX_MAPS + 1)
			die("bad layout", spec);
		rec[3 + n++] = htole32(v);
	}
	rec[2] = htole32(n);
	return (3 + n) * sizeof(__le32);
}

/* The (unencrypted PKCS#8) private key in the PEM file @path. */
static EVP_PKEY *read_key(const char *path)
{
	PKCS8_PRIV_KEY_INFO *p8;
	EVP_PKEY *key = NULL;
	BIO *b;

	b = BIO_new_file(path, "r");
	p8 = b ? PEM_read_bio_PKCS8_PRIV_KEY_INFO(b, NULL, NULL, NULL) : NULL;
	if (p8)
		key = EVP_PKCS82PKEY(p8);
	PKCS8_PRIV_KEY_INFO_free(p8);
	BIO_free(b);
	if (!key)
		die("cannot read the key", path);
	return key;
}

static void add_signer(CMS_ContentInfo *cms, const EVP_MD *md, bool noattr,
		       const char *keyf, const char *certf, const char *layout)
{
	__le32 rec[3 + MAX_MAPS + 1];
	CMS_SignerInfo *si;
	ASN1_OBJECT *oid;
	EVP_PKEY *key;
	X509 *cert;
	size_t len;
	BIO *b;

	key = read_key(keyf);
	/* The certificate is PEM or DER. */
	b = BIO_new_file(certf, "rb");
	cert = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	if (b && !cert && BIO_reset(b) == 0)
		cert = d2i_X509_bio(b, NULL);
	BIO_free(b);
	if (!cert)
		die("cannot read the certificate", certf);

	si = CMS_add1_signer(cms, cert, key, md,
			     CMS_NOCERTS | CMS_BINARY | CMS_NOSMIMECAP |
			     CMS_USE_KEYID | (noattr ? CMS_NOATTR : 0));
	if (!si)
		die("CMS_add1_signer", keyf);
	if (strcmp(layout, "-")) {
		if (noattr)
			die("-n signs no attribute, so no layout", layout);
		len = parse_layout(layout, rec);
		oid = OBJ_txt2obj(BPF_SIG_LAYOUT_OID, 1);
		if (!oid || !CMS_signed_add1_attr_by_OBJ(si, oid,
							 V_ASN1_OCTET_STRING,
							 rec, len))
			die("cannot add the layout", layout);
		ASN1_OBJECT_free(oid);
	}
	X509_free(cert);
	EVP_PKEY_free(key);
}

int main(int argc, char **argv)
{
	const char *digest = "sha256";
	CMS_ContentInfo *cms;
	bool noattr = false;
	char path[4096];
	const EVP_MD *md;
	BIO *in, *out;
	int opt, i;

	while ((opt = getopt(argc, argv, "d:n")) != -1) {
		if (opt == 'd')
			digest = optarg;
		else if (opt == 'n')
			noattr = true;
		else
			die("usage: sign-layout [-d DIGEST] [-n] DATA KEY CERT LAYOUT...", NULL);
	}
	argv += optind;
	argc -= optind;
	if (argc < 4 || (argc - 1) % 3)
		die("usage: sign-layout [-d DIGEST] [-n] DATA KEY CERT LAYOUT...", NULL);
	md = EVP_get_digestbyname(digest);
	if (!md)
		die("unknown digest", digest);

	cms = CMS_sign(NULL, NULL, NULL, NULL,
		       CMS_NOCERTS | CMS_PARTIAL | CMS_BINARY | CMS_DETACHED);
	if (!cms)
		die("CMS_sign", NULL);
	for (i = 1; i < argc; i += 3)
		add_signer(cms, md, noattr, argv[i], argv[i + 1], argv[i + 2]);

	in = BIO_new_file(argv[0], "rb");
	if (!in || CMS_final(cms, in, NULL, CMS_NOCERTS | CMS_BINARY) != 1)
		die("cannot sign", argv[0]);
	if (snprintf(path, sizeof(path), "%s.sig", argv[0]) >= (int)sizeof(path))
		die("name too long", argv[0]);
	out = BIO_new_file(path, "wb");
	if (!out || i2d_CMS_bio(out, cms) != 1)
		die("cannot write", path);
	BIO_free(out);
	BIO_free(in);
	CMS_ContentInfo_free(cms);
	return 0;
}
