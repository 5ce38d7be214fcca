// SPDX-License-Identifier: GPL-2.0
/*
 * Loads a signed light skeleton and shows the kernel's verdict, then loads
 * the same loader with one metadata byte changed and shows its rejection.
 * The skeletons were signed at build time with a key made on the spot; its
 * certificate is given as argv[1] and added to the session keyring here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/keyctl.h>
#include "verdict.skel.h"
#include "hello.lskel.h"
#include "hello_tampered.lskel.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* Values of enum bpf_sig_verdict and bpf_sig_reject (include/linux/bpf.h). */
enum {
	BPF_SIG_VERIFIED = 1,
	BPF_SIG_REJECTED = 3,
	BPF_SIG_REJECT_BADSIG = 1,
};

static const char *const keyrings[] = {
	"none", "builtin", "secondary", "platform", "user",
};

static int add_cert(const char *path)
{
	static char cert[8192];
	FILE *f = fopen(path, "rb");
	size_t len;

	if (!f)
		return -errno;
	len = fread(cert, 1, sizeof(cert), f);
	fclose(f);
	return syscall(__NR_add_key, "asymmetric", "signed_demo", cert, len,
		       KEY_SPEC_SESSION_KEYRING);
}

/* What bpf_prog_load_sig_verdict saw of the last load, and how many it saw. */
static void show_verdict(struct verdict_bpf *v)
{
	static const char *const verdicts[] = {
		"BPF_SIG_UNSIGNED", "BPF_SIG_VERIFIED", "BPF_SIG_PENDING",
		"BPF_SIG_REJECTED",
	};
	static const char *const reasons[] = {
		"none", "bad signature", "no key", "metadata map", "fault",
		"invalid size", "out of memory",
	};
	int vd = v->bss->verdict, why = v->bss->reason;

	printf("    bpf_prog_load_sig_verdict (load %d): %s", v->bss->loads,
	       vd >= 0 && vd < (int)ARRAY_SIZE(verdicts) ? verdicts[vd] : "(not called)");
	if (vd == 1)
		printf(", keyring: %s, keyring serial: %d",
		       keyrings[v->bss->keyring_type % 5], v->bss->keyring_serial);
	if (vd == 3)
		printf(", reason: %s",
		       why >= 0 && why < (int)ARRAY_SIZE(reasons) ? reasons[why] : "?");
	printf("\n");
	v->bss->verdict = -1;
	v->bss->reason = -1;
}

/* make fails when the demo does not show what it claims. */
static int fail(const char *what)
{
	fprintf(stderr, "\ndemo: FAILED: %s\n", what);
	return 1;
}

int main(int argc, char **argv)
{
	static char log[4096];
	struct hello_tampered_lskel *bad;
	struct verdict_bpf *verdict;
	struct hello_lskel *good;
	int key, err, seen, why;

	if (argc != 2) {
		fprintf(stderr, "usage: %s CERT.der\n", argv[0]);
		return 2;
	}
	key = add_cert(argv[1]);
	if (key < 0) {
		perror("add_key");
		return 1;
	}
	printf("signing certificate added to the session keyring as key %d\n", key);

	verdict = verdict_bpf__open_and_load();
	if (!verdict || verdict_bpf__attach(verdict)) {
		fprintf(stderr, "cannot attach the verdict LSM program (is the BPF LSM on?)\n");
		return 1;
	}
	verdict->bss->tid = syscall(__NR_gettid);
	verdict->bss->verdict = -1;	/* not called yet */
	verdict->bss->reason = -1;

	good = hello_lskel__open();
	if (!good)
		return 1;
	good->keyring_id = KEY_SPEC_SESSION_KEYRING;
	err = hello_lskel__load(good);
	printf("\n[1] signed light skeleton: load %s (%d)\n", err ? "FAILED" : "ok", err);
	seen = verdict->bss->verdict;
	show_verdict(verdict);
	hello_lskel__destroy(good);
	if (err || seen != BPF_SIG_VERIFIED)
		return fail("the signed loader did not load verified");

	bad = hello_tampered_lskel__open();
	if (!bad)
		return 1;
	bad->keyring_id = KEY_SPEC_SESSION_KEYRING;
	bad->ctx.log_level = 1;
	bad->ctx.log_size = sizeof(log);
	bad->ctx.log_buf = (long)log;
	err = hello_tampered_lskel__load(bad);
	printf("\n[2] same loader, one metadata byte changed: load %s (%d: %s)\n",
	       err ? "refused" : "ACCEPTED", err, strerror(err < 0 ? -err : err));
	seen = verdict->bss->verdict;
	why = verdict->bss->reason;
	show_verdict(verdict);
	printf("    verifier log: %s", log[0] ? log : "(empty)\n");
	hello_tampered_lskel__destroy(bad);
	verdict_bpf__destroy(verdict);
	if (err != -EKEYREJECTED || seen != BPF_SIG_REJECTED || why != BPF_SIG_REJECT_BADSIG ||
	    !strstr(log, "signature verification failed"))
		return fail("the tampered loader was not refused for a bad signature");
	printf("\ndemo: OK\n");
	return 0;
}
