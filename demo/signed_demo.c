// SPDX-License-Identifier: GPL-2.0
/*
 * In a kernel booted with bpf.keyring_unsealed=1: enrolls a certificate in
 * the .bpf keyring and restricts it, as an initramfs would; loads a signed
 * light skeleton against that keyring and shows the kernel's verdict; loads
 * the same loader with one metadata byte changed and shows its rejection;
 * and shows the genuine loader refused when it names the session keyring
 * instead. The skeletons were signed at build time with a key made on the
 * spot; its certificate is given as argv[1].
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

#ifndef KEY_SPEC_BPF_KEYRING
#define KEY_SPEC_BPF_KEYRING -9
#endif
#ifndef KEYCTL_RESTRICT_KEYRING
#define KEYCTL_RESTRICT_KEYRING 29
#endif

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/*
 * Values of enum bpf_sig_reject (include/linux/bpf.h, not UAPI); those of
 * enum bpf_sig_verdict and bpf_sig_keyring come from <linux/bpf.h>.
 */
enum {
	BPF_SIG_REJECT_BADSIG = 1,
	BPF_SIG_REJECT_KEYRING = 9,
};

static const char *const keyrings[] = {
	"none", "builtin", "secondary", "platform", "user", "bpf",
};

/* Add the certificate at @path to @keyring: its key serial, or -1. */
static int add_cert(const char *path, int keyring)
{
	static char cert[8192];
	FILE *f = fopen(path, "rb");
	size_t len;

	if (!f)
		return -errno;
	len = fread(cert, 1, sizeof(cert), f);
	fclose(f);
	return syscall(__NR_add_key, "asymmetric", "signed_demo", cert, len,
		       keyring);
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
		"invalid size", "out of memory", "layout", "unbound",
		"keyring not allowed",
	};
	int vd = v->bss->verdict, why = v->bss->reason;

	printf("    bpf_prog_load_sig_verdict (load %d): %s", v->bss->loads,
	       vd >= 0 && vd < (int)ARRAY_SIZE(verdicts) ? verdicts[vd] : "(not called)");
	if (vd == 1)
		printf(", keyring: %s, keyring serial: %d",
		       keyrings[v->bss->keyring_type % ARRAY_SIZE(keyrings)],
		       v->bss->keyring_serial);
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
	int key, err, seen, why, kr;

	if (argc != 2) {
		fprintf(stderr, "usage: %s CERT.der\n", argv[0]);
		return 2;
	}
	key = add_cert(argv[1], KEY_SPEC_BPF_KEYRING);
	if (key < 0) {
		perror("add_key to the .bpf keyring (is bpf.keyring_unsealed=1 set?)");
		return 1;
	}
	if (syscall(__NR_keyctl, KEYCTL_RESTRICT_KEYRING, KEY_SPEC_BPF_KEYRING,
		    NULL, NULL)) {
		perror("keyctl restrict_keyring");
		return 1;
	}
	printf("signing certificate enrolled in the .bpf keyring as key %d; keyring restricted\n",
	       key);

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
	good->keyring_id = KEY_SPEC_BPF_KEYRING;
	err = hello_lskel__load(good);
	printf("\n[1] signed light skeleton, against the .bpf keyring: load %s (%d)\n",
	       err ? "FAILED" : "ok", err);
	seen = verdict->bss->verdict;
	kr = verdict->bss->keyring_type;
	show_verdict(verdict);
	hello_lskel__destroy(good);
	if (err || seen != BPF_SIG_VERIFIED || kr != BPF_SIG_KEYRING_BPF)
		return fail("the signed loader did not load verified against the .bpf keyring");

	bad = hello_tampered_lskel__open();
	if (!bad)
		return 1;
	bad->keyring_id = KEY_SPEC_BPF_KEYRING;
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
	if (err != -EKEYREJECTED || seen != BPF_SIG_REJECTED || why != BPF_SIG_REJECT_BADSIG ||
	    !strstr(log, "signature verification failed"))
		return fail("the tampered loader was not refused for a bad signature");

	/* bpf.keyring_unsealed=1 admits no keyring of the loader's choosing. */
	key = add_cert(argv[1], KEY_SPEC_SESSION_KEYRING);
	good = hello_lskel__open();
	if (key < 0 || !good)
		return fail("cannot set up the session keyring load");
	good->keyring_id = KEY_SPEC_SESSION_KEYRING;
	good->ctx.log_level = 1;
	good->ctx.log_size = sizeof(log);
	good->ctx.log_buf = (long)log;
	log[0] = 0;
	err = hello_lskel__load(good);
	printf("\n[3] the signed loader, against the session keyring (the certificate added there as key %d): load %s (%d: %s)\n",
	       key, err ? "refused" : "ACCEPTED", err, strerror(err < 0 ? -err : err));
	seen = verdict->bss->verdict;
	why = verdict->bss->reason;
	show_verdict(verdict);
	printf("    verifier log: %s", log[0] ? log : "(empty)\n");
	hello_lskel__destroy(good);
	verdict_bpf__destroy(verdict);
	if (err != -EPERM || seen != BPF_SIG_REJECTED || why != BPF_SIG_REJECT_KEYRING ||
	    !strstr(log, "is refused"))
		return fail("the loader's own keyring was not refused");
	printf("\ndemo: OK\n");
	return 0;
}
