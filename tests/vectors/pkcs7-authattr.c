// SPDX-License-Identifier: GPL-2.0
/*
 * Makes the PKCS#7 vectors of the kernel's pkcs7_authattr KUnit tests:
 * detached CMS signatures of one message, with signed attributes and
 * without the certificate, whose signers carry the BPF loader layout
 * attribute (OID 2.25.<UUID>) alike, differently, or not at all.
 *
 * Usage: pkcs7-authattr KEY.pem CERT.pem DATA OUTDIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>

#define LAYOUT_OID "2.25.184592142795372623511771864977863964719"

/* Two layout records (version 1, 64 bytes of insns, one map of 32 or 33 bytes). */
static const unsigned char layout_a[] = {
	1, 0, 0, 0, 64, 0, 0, 0, 1, 0, 0, 0, 32, 0, 0, 0,
};
static const unsigned char layout_b[] = {
	1, 0, 0, 0, 64, 0, 0, 0, 1, 0, 0, 0, 33, 0, 0, 0,
};

static void fail(const char *what)
{
	fprintf(stderr, "pkcs7-authattr: %s\n", what);
	ERR_print_errors_fp(stderr);
	exit(1);
}

/* Signs DATA with one signer per entry of LAYOUTS (NULL: no layout attribute). */
static void sign(const char *out, EVP_PKEY *key, X509 *cert, const char *data,
		 const unsigned char *const *layouts, int n)
{
	ASN1_OBJECT *oid = OBJ_txt2obj(LAYOUT_OID, 1);
	CMS_ContentInfo *cms;
	BIO *in, *bo;
	int i;

	if (!oid)
		fail("OBJ_txt2obj");
	cms = CMS_sign(NULL, NULL, NULL, NULL,
		       CMS_NOCERTS | CMS_PARTIAL | CMS_BINARY | CMS_DETACHED);
	if (!cms)
		fail("CMS_sign");
	for (i = 0; i < n; i++) {
		CMS_SignerInfo *si;

		si = CMS_add1_signer(cms, cert, key, EVP_sha256(),
				     CMS_NOCERTS | CMS_BINARY | CMS_NOSMIMECAP);
		if (!si)
			fail("CMS_add1_signer");
		if (layouts[i] &&
		    !CMS_signed_add1_attr_by_OBJ(si, oid, V_ASN1_OCTET_STRING,
						 layouts[i], sizeof(layout_a)))
			fail("CMS_signed_add1_attr_by_OBJ");
	}
	in = BIO_new_file(data, "rb");
	if (!in || CMS_final(cms, in, NULL, CMS_BINARY) != 1)
		fail("CMS_final");
	bo = BIO_new_file(out, "wb");
	if (!bo || i2d_CMS_bio(bo, cms) != 1)
		fail("i2d_CMS_bio");
	BIO_free(bo);
	BIO_free(in);
	CMS_ContentInfo_free(cms);
	ASN1_OBJECT_free(oid);
}

int main(int argc, char **argv)
{
	static const unsigned char *const none[] = { NULL };
	static const unsigned char *const one[] = { layout_a };
	static const unsigned char *const same[] = { layout_a, layout_a };
	static const unsigned char *const missing[] = { layout_a, NULL };
	static const unsigned char *const differ[] = { layout_a, layout_b };
	char path[4096];
	EVP_PKEY *key;
	X509 *cert;
	BIO *b;

	if (argc != 5)
		fail("usage: pkcs7-authattr KEY.pem CERT.pem DATA OUTDIR");
	b = BIO_new_file(argv[1], "r");
	key = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
	if (!key)
		fail("cannot read the key");
	BIO_free(b);
	b = BIO_new_file(argv[2], "r");
	cert = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	if (!cert)
		fail("cannot read the certificate");
	BIO_free(b);

	snprintf(path, sizeof(path), "%s/none.der", argv[4]);
	sign(path, key, cert, argv[3], none, 1);
	snprintf(path, sizeof(path), "%s/one.der", argv[4]);
	sign(path, key, cert, argv[3], one, 1);
	snprintf(path, sizeof(path), "%s/same.der", argv[4]);
	sign(path, key, cert, argv[3], same, 2);
	snprintf(path, sizeof(path), "%s/missing.der", argv[4]);
	sign(path, key, cert, argv[3], missing, 2);
	snprintf(path, sizeof(path), "%s/differ.der", argv[4]);
	sign(path, key, cert, argv[3], differ, 2);
	return 0;
}
