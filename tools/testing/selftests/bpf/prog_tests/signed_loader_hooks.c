// SPDX-License-Identifier: GPL-2.0
/*
 * The LSM hooks of signed loads: the order in which bpf_prog_load and
 * bpf_prog_load_sig_verdict run, what they see of each outcome, "only
 * signed" policies in the BPF LSM and in IPE, and loads made from the
 * kernel by a syscall program.
 */
#include <test_progs.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/keyctl.h>

#include "bpf/skel_internal.h"	 /* for loader ctx layout (bpf_loader_ctx etc) */

#include "signed_loader_helpers.h"
#include "test_signed_loader_lsm.skel.h"

/* What the hooks record is set to before each load: no hook wrote it yet. */
#define UNSET (-1)

static void hooks_reset(struct test_signed_loader_lsm *hooks)
{
	struct test_signed_loader_lsm__bss *b = hooks->bss;

	b->load_seen = 0;
	b->check_seen = 0;
	b->seen = 0;
	b->sleepable_seen = 0;
	b->load_seq = 0;
	b->check_seq = 0;
	b->post_seq = 0;
	b->load_verdict = UNSET;
	b->sig_verdict = UNSET;
	b->sig_aux_verdict = UNSET;
	b->sig_reason = UNSET;
	b->sig_keyring_type = UNSET;
	b->sig_keyring_serial = UNSET;
	b->sig_kernel = UNSET;
	b->kload_seen = 0;
	b->ksig_seen = 0;
	b->ksig_denied = 0;
	b->kfd_seen = 0;
	b->kload_loader_id = UNSET;
	b->ksig_verdict = UNSET;
	b->ksig_loader_id = UNSET;
	b->ksig_loader_keyring_type = UNSET;
	b->kfd_loader_id = UNSET;
}

static struct test_signed_loader_lsm *hooks_attach(void)
{
	struct test_signed_loader_lsm *hooks;

	hooks = test_signed_loader_lsm__open_and_load();
	if (!ASSERT_OK_PTR(hooks, "hooks_load"))
		return NULL;
	hooks_reset(hooks);
	hooks->bss->monitored_tid = sys_gettid();
	if (!ASSERT_OK(test_signed_loader_lsm__attach(hooks), "hooks_attach")) {
		test_signed_loader_lsm__destroy(hooks);
		return NULL;
	}
	return hooks;
}

/* A signed loader and the BPF programs watching its loads. */
static struct test_signed_loader_lsm *signed_hooks_init(struct signed_setup *s)
{
	if (signed_setup_init(s))
		return NULL;
	return hooks_attach();
}

/*
 * The order of one load, as the running kernel saw it: bpf_prog_load ran
 * first, then bpf_check() was entered, then bpf_prog_load_sig_verdict ran,
 * each exactly once.
 */
static void expect_hook_order(struct test_signed_loader_lsm *hooks)
{
	struct test_signed_loader_lsm__bss *b = hooks->bss;

	ASSERT_EQ(b->load_seen, 1, "bpf_prog_load ran once");
	ASSERT_EQ(b->check_seen, 1, "bpf_check entered once");
	ASSERT_EQ(b->seen, 1, "sig_verdict ran once");
	ASSERT_EQ(b->sleepable_seen, 1, "sleepable sig_verdict ran once");
	ASSERT_GT(b->load_seq, 0, "bpf_prog_load sequence recorded");
	ASSERT_LT(b->load_seq, b->check_seq,
		  "bpf_prog_load runs before bpf_check is entered");
	ASSERT_LT(b->check_seq, b->post_seq,
		  "sig_verdict runs inside bpf_check");
}

/*
 * A signed load: bpf_prog_load sees it pending, before bpf_check() is
 * entered; bpf_prog_load_sig_verdict sees it verified, with the keyring
 * that verified it.
 */
static void hook_order_signed(void)
{
	struct test_signed_loader_lsm *hooks = NULL;
	struct signed_setup s;
	__s32 ses_serial;
	int map_fd, fd;

	hooks = signed_hooks_init(&s);
	if (!hooks)
		goto out;
	map_fd = setup_meta_map(&s.f);
	if (!ASSERT_OK_FD(map_fd, "meta_map"))
		goto out;
	fd = load_loader(s.f.gopts.insns, s.f.gopts.insns_sz, map_fd, s.sig,
			 s.sig_sz, KEY_SPEC_SESSION_KEYRING, 1);
	close(map_fd);
	if (!ASSERT_OK_FD(fd, "signed load"))
		goto out;
	close(fd);

	ses_serial = syscall(__NR_keyctl, KEYCTL_GET_KEYRING_ID,
			     KEY_SPEC_SESSION_KEYRING, 0);
	expect_hook_order(hooks);
	ASSERT_EQ(hooks->bss->load_verdict, BPF_SIG_PENDING,
		  "bpf_prog_load sees a pending signature");
	ASSERT_EQ(hooks->bss->sig_verdict, BPF_SIG_VERIFIED,
		  "sig_verdict sees the final verdict");
	ASSERT_EQ(hooks->bss->sig_aux_verdict, BPF_SIG_VERIFIED,
		  "prog->aux->sig holds the same verdict");
	ASSERT_EQ(hooks->bss->sig_reason, BPF_SIG_REJECT_NONE, "no reason");
	ASSERT_EQ(hooks->bss->sig_kernel, 0, "a load from user space");
	ASSERT_EQ(hooks->bss->sig_keyring_type, BPF_SIG_KEYRING_USER,
		  "sig_verdict sees the keyring type");
	ASSERT_EQ(hooks->bss->sig_keyring_serial, ses_serial,
		  "sig_verdict sees the keyring serial");
out:
	test_signed_loader_lsm__destroy(hooks);
	signed_setup_fini(&s);
}

/* An unsigned load takes the same path, and reads unsigned at both hooks. */
static void hook_order_unsigned(void)
{
	struct test_signed_loader_lsm *hooks = NULL;
	struct gen_loader_fixture f;
	int map_fd, fd;

	if (gen_loader_fixture_init(&f))
		goto out;
	hooks = hooks_attach();
	if (!hooks)
		goto out;
	map_fd = setup_meta_map(&f);
	if (!ASSERT_OK_FD(map_fd, "meta_map"))
		goto out;
	fd = load_loader(f.gopts.insns, f.gopts.insns_sz, map_fd, NULL, 0, 0,
			 0);
	close(map_fd);
	if (!ASSERT_OK_FD(fd, "unsigned load"))
		goto out;
	close(fd);

	expect_hook_order(hooks);
	ASSERT_EQ(hooks->bss->load_verdict, BPF_SIG_UNSIGNED,
		  "bpf_prog_load sees an unsigned load");
	ASSERT_EQ(hooks->bss->sig_verdict, BPF_SIG_UNSIGNED,
		  "sig_verdict sees an unsigned load");
	ASSERT_EQ(hooks->bss->sig_aux_verdict, BPF_SIG_UNSIGNED,
		  "prog->aux->sig holds the same verdict");
	ASSERT_EQ(hooks->bss->sig_reason, BPF_SIG_REJECT_NONE, "no reason");
	ASSERT_EQ(hooks->bss->sig_keyring_type, BPF_SIG_KEYRING_NONE,
		  "no keyring");
out:
	test_signed_loader_lsm__destroy(hooks);
	gen_loader_fixture_fini(&f);
}

/*
 * Every rejected signature reaches bpf_prog_load_sig_verdict once, with
 * its reason; the hook's own denial is ignored, and the load fails with
 * the rejection's errno and log line.
 */
static void hook_sees_rejections(void)
{
	LIBBPF_OPTS(bpf_map_create_opts, mopts);
	static const __u8 garbage[64] = { 0x30, 0x82, 0xde, 0xad, };
	const __s64 GENUINE = -1;
	struct test_signed_loader_lsm *hooks = NULL;
	struct signed_setup s;
	int map_fd = -1, unfrozen_fd = -1;
	const struct {
		const char *name;
		const void *sig;	/* NULL: the genuine one */
		__s64 sig_sz;		/* GENUINE: the genuine one's */
		__s32 keyring_id;
		bool unfrozen;
		int err;
		int reason;
		const char *line;
	} rej[] = {
		{ "forged signature", garbage, sizeof(garbage),
		  KEY_SPEC_SESSION_KEYRING, false, -EBADMSG,
		  BPF_SIG_REJECT_BADSIG, "signature verification failed: -74" },
		{ "unknown keyring", NULL, GENUINE, INT_MAX, false, -EINVAL,
		  BPF_SIG_REJECT_NOKEY,
		  "cannot resolve signing keyring with keyring_id 2147483647" },
		{ "unfrozen map", NULL, GENUINE, KEY_SPEC_SESSION_KEYRING, true,
		  -EPERM, BPF_SIG_REJECT_MAP,
		  "signed program metadata map 'unfrozen' must be frozen" },
		{ "faulting signature", (void *)8, GENUINE,
		  KEY_SPEC_SESSION_KEYRING,
		  false, -EFAULT, BPF_SIG_REJECT_FAULT,
		  "failed to copy signature: -14" },
		{ "zero-size signature", NULL, 0, KEY_SPEC_SESSION_KEYRING,
		  false, -EINVAL, BPF_SIG_REJECT_INVALID,
		  "signature size 0 is not in [1, " },
	};
	__u32 key = 0;
	int i;

	hooks = signed_hooks_init(&s);
	if (!hooks)
		goto out;
	map_fd = setup_meta_map(&s.f);
	if (!ASSERT_OK_FD(map_fd, "meta_map"))
		goto out;
	mopts.excl_prog_hash = s.f.excl;
	mopts.excl_prog_hash_size = sizeof(s.f.excl);
	unfrozen_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "unfrozen", 4,
				     s.f.data_sz, 1, &mopts);
	if (!ASSERT_OK_FD(unfrozen_fd, "unfrozen map") ||
	    !ASSERT_OK(bpf_map_update_elem(unfrozen_fd, &key, s.f.blob, 0),
		       "fill unfrozen map"))
		goto out;

	hooks->bss->deny_sig = true;
	for (i = 0; i < ARRAY_SIZE(rej); i++) {
		const void *sig = rej[i].sig ?: s.sig;
		__u32 sig_sz = rej[i].sig_sz == GENUINE ? s.sig_sz :
							   rej[i].sig_sz;

		hooks_reset(hooks);
		expect_signed_load(&s, rej[i].unfrozen ? unfrozen_fd : map_fd,
				   sig, sig_sz, rej[i].keyring_id,
				   rej[i].err, rej[i].line, rej[i].name);
		ASSERT_EQ(hooks->bss->load_verdict, BPF_SIG_PENDING,
			  rej[i].name);
		ASSERT_EQ(hooks->bss->seen, 1, rej[i].name);
		ASSERT_EQ(hooks->bss->sig_verdict, BPF_SIG_REJECTED,
			  rej[i].name);
		ASSERT_EQ(hooks->bss->sig_aux_verdict, BPF_SIG_REJECTED,
			  rej[i].name);
		ASSERT_EQ(hooks->bss->sig_reason, rej[i].reason,
			  rej[i].name);
	}

	/* The same hook denies a load whose signature verified. */
	hooks_reset(hooks);
	expect_signed_load(&s, map_fd, s.sig, s.sig_sz,
			   KEY_SPEC_SESSION_KEYRING, -EPERM,
			   "signature verification passed", "verified, denied");
	ASSERT_EQ(hooks->bss->seen, 1, "verified load seen once");
	ASSERT_EQ(hooks->bss->sig_verdict, BPF_SIG_VERIFIED,
		  "verified load's verdict");
out:
	if (unfrozen_fd >= 0)
		close(unfrozen_fd);
	if (map_fd >= 0)
		close(map_fd);
	test_signed_loader_lsm__destroy(hooks);
	signed_setup_fini(&s);
}

/*
 * bpf_prog_load_sig_verdict runs before the instructions are verified: a
 * signed program that the verifier refuses is seen once, verified.
 */
static void hook_before_insn_verification(void)
{
	/* r0 is never set: the verifier refuses the exit */
	static const struct bpf_insn insns[] = {
		BPF_EXIT_INSN(),
	};
	struct test_signed_loader_lsm *hooks = NULL;
	struct signed_setup s;
	__u8 sig[8192];
	__u32 sig_sz = sizeof(sig);
	char log[4096];
	int fd;

	hooks = signed_hooks_init(&s);
	if (!hooks)
		goto out;
	if (!ASSERT_OK(sign_buf(s.dir, insns, sizeof(insns), sig, &sig_sz),
		       "sign insns"))
		goto out;
	fd = load_loader_log(insns, sizeof(insns), -1, sig, sig_sz,
			     KEY_SPEC_SESSION_KEYRING, 0, log, sizeof(log));
	if (fd >= 0)
		close(fd);
	ASSERT_EQ(fd, -EACCES, "the verifier refuses the program");
	ASSERT_HAS_SUBSTR(log, "signature verification passed", "signature");
	ASSERT_HAS_SUBSTR(log, "R0 !read_ok", "verifier");
	expect_hook_order(hooks);
	ASSERT_EQ(hooks->bss->sig_verdict, BPF_SIG_VERIFIED,
		  "sig_verdict saw it verified");
out:
	test_signed_loader_lsm__destroy(hooks);
	signed_setup_fini(&s);
}

/*
 * A load denied by bpf_prog_load never enters bpf_check(): no log line is
 * written, not even the signature verdict. The same load, admitted, does
 * enter it, so the fentry program was watching.
 */
static void hook_denies_before_verifier(void)
{
	struct test_signed_loader_lsm *hooks = NULL;
	struct signed_setup s;
	int map_fd, fd;
	char log[4096];

	hooks = signed_hooks_init(&s);
	if (!hooks)
		goto out;
	hooks->bss->deny_load = true;
	map_fd = setup_meta_map(&s.f);
	if (!ASSERT_OK_FD(map_fd, "meta_map"))
		goto out;
	memset(log, 'x', sizeof(log));
	fd = load_loader_log(s.f.gopts.insns, s.f.gopts.insns_sz, map_fd,
			     s.sig, s.sig_sz, KEY_SPEC_SESSION_KEYRING, 1,
			     log, sizeof(log));
	if (fd >= 0)
		close(fd);
	ASSERT_EQ(fd, -EPERM, "bpf_prog_load denied the load");
	ASSERT_EQ(hooks->bss->load_seen, 1, "bpf_prog_load saw the load");
	ASSERT_EQ(hooks->bss->check_seen, 0, "bpf_check not entered");
	ASSERT_EQ(hooks->bss->seen, 0, "sig_verdict not reached");
	ASSERT_STREQ(log, "", "the verifier did not run");

	hooks_reset(hooks);
	hooks->bss->deny_load = false;
	fd = load_loader(s.f.gopts.insns, s.f.gopts.insns_sz, map_fd, s.sig,
			 s.sig_sz, KEY_SPEC_SESSION_KEYRING, 1);
	close(map_fd);
	if (ASSERT_OK_FD(fd, "admitted load"))
		close(fd);
	expect_hook_order(hooks);
out:
	test_signed_loader_lsm__destroy(hooks);
	signed_setup_fini(&s);
}

/* An "only signed programs" policy on bpf_prog_load_sig_verdict. */
static void policy_signed_only(void)
{
	struct test_signed_loader_lsm *hooks = NULL;
	struct signed_setup s;
	int map_fd, fd;

	hooks = signed_hooks_init(&s);
	if (!hooks)
		goto out;
	hooks->bss->require_signed = true;

	map_fd = setup_meta_map(&s.f);
	if (!ASSERT_OK_FD(map_fd, "meta_map_unsigned"))
		goto out;
	fd = load_loader(s.f.gopts.insns, s.f.gopts.insns_sz, map_fd, NULL, 0,
			 0, 0);
	close(map_fd);
	if (fd >= 0)
		close(fd);
	ASSERT_EQ(fd, -EPERM, "unsigned load denied");
	ASSERT_EQ(hooks->bss->seen, 1, "policy saw the unsigned load");
	ASSERT_EQ(hooks->bss->sig_verdict, BPF_SIG_UNSIGNED,
		  "policy saw an unsigned load");

	hooks_reset(hooks);
	map_fd = setup_meta_map(&s.f);
	if (!ASSERT_OK_FD(map_fd, "meta_map_signed"))
		goto out;
	fd = load_loader(s.f.gopts.insns, s.f.gopts.insns_sz, map_fd, s.sig,
			 s.sig_sz, KEY_SPEC_SESSION_KEYRING, 1);
	close(map_fd);
	if (ASSERT_OK_FD(fd, "signed load admitted"))
		close(fd);
	ASSERT_EQ(hooks->bss->seen, 1, "policy saw the signed load");
	ASSERT_EQ(hooks->bss->sig_verdict, BPF_SIG_VERIFIED,
		  "policy saw a signed load");
out:
	test_signed_loader_lsm__destroy(hooks);
	signed_setup_fini(&s);
}

/* Run a loaded light-skeleton loader on a fresh ctx; return its retval. */
static int run_loader(int prog_fd, struct gen_loader_fixture *f)
{
	LIBBPF_OPTS(bpf_test_run_opts, topts,
		    .ctx_in = f->ctx,
		    .ctx_size_in = f->ctx_sz);

	close_loader_ctx_fds(f->ctx, f->nr_maps, f->nr_progs);
	memset(f->ctx, 0, f->ctx_sz);
	((struct bpf_loader_ctx *)f->ctx)->sz = f->ctx_sz;
	if (bpf_prog_test_run_opts(prog_fd, &topts))
		return -errno;
	return (int)topts.retval;
}

/*
 * An "only signed" policy admits a whole signed light skeleton: the loader,
 * verified, and the program it loads from the kernel, which carries the
 * loader's id and keyring type at both load hooks and once loaded. The
 * same loader unsigned may load only while the policy is off, and its own
 * loads from the kernel are then denied.
 */
static void policy_signed_skeleton(void)
{
	struct test_signed_loader_lsm *hooks = NULL;
	struct bpf_prog_info info;
	__u32 info_len = sizeof(info);
	struct signed_setup s;
	int map_fd, fd, ret;

	hooks = signed_hooks_init(&s);
	if (!hooks)
		goto out;
	hooks->bss->require_signed = true;

	map_fd = setup_meta_map(&s.f);
	if (!ASSERT_OK_FD(map_fd, "meta_map_signed"))
		goto out;
	fd = load_loader(s.f.gopts.insns, s.f.gopts.insns_sz, map_fd, s.sig,
			 s.sig_sz, KEY_SPEC_SESSION_KEYRING, 1);
	close(map_fd);
	if (!ASSERT_OK_FD(fd, "signed loader admitted"))
		goto out;
	memset(&info, 0, sizeof(info));
	if (!ASSERT_OK(bpf_prog_get_info_by_fd(fd, &info, &info_len),
		       "loader info")) {
		close(fd);
		goto out;
	}
	hooks_reset(hooks);
	ret = run_loader(fd, &s.f);
	close(fd);
	ASSERT_EQ(ret, 0, "signed loader's kernel load admitted");
	ASSERT_EQ(hooks->bss->kload_seen, 1, "bpf_prog_load saw the kernel load");
	ASSERT_EQ(hooks->bss->kload_loader_id, info.id,
		  "bpf_prog_load sees the loader's id");
	ASSERT_EQ(hooks->bss->ksig_seen, 1, "sig_verdict saw the kernel load");
	ASSERT_EQ(hooks->bss->ksig_verdict, BPF_SIG_UNSIGNED,
		  "the loaded program is not signed itself");
	ASSERT_EQ(hooks->bss->ksig_loader_id, info.id,
		  "sig_verdict sees the loader's id");
	ASSERT_EQ(hooks->bss->ksig_loader_keyring_type, BPF_SIG_KEYRING_USER,
		  "sig_verdict sees the loader's keyring type");
	ASSERT_EQ(hooks->bss->ksig_denied, 0, "nothing denied");
	ASSERT_EQ(hooks->bss->kfd_seen, 1, "the program loaded");
	ASSERT_EQ(hooks->bss->kfd_loader_id, info.id,
		  "the loaded program keeps the loader's id");

	/* The same loader, unsigned: loads only with the policy off. */
	map_fd = setup_meta_map(&s.f);
	if (!ASSERT_OK_FD(map_fd, "meta_map_unsigned"))
		goto out;
	fd = load_loader(s.f.gopts.insns, s.f.gopts.insns_sz, map_fd, NULL, 0,
			 0, 0);
	if (fd >= 0)
		close(fd);
	ASSERT_EQ(fd, -EPERM, "unsigned loader denied");
	hooks->bss->require_signed = false;
	fd = load_loader(s.f.gopts.insns, s.f.gopts.insns_sz, map_fd, NULL, 0,
			 0, 0);
	hooks->bss->require_signed = true;
	close(map_fd);
	if (!ASSERT_OK_FD(fd, "unsigned loader, policy off"))
		goto out;
	hooks_reset(hooks);
	ret = run_loader(fd, &s.f);
	close(fd);
	ASSERT_LT(ret, 0, "unsigned loader's kernel load denied");
	ASSERT_EQ(hooks->bss->ksig_seen, 1, "sig_verdict saw the kernel load");
	ASSERT_EQ(hooks->bss->ksig_loader_id, 0, "no verified loader");
	ASSERT_EQ(hooks->bss->ksig_denied, 1, "the policy denied it");
	ASSERT_EQ(hooks->bss->kfd_seen, 0, "nothing loaded");
out:
	test_signed_loader_lsm__destroy(hooks);
	signed_setup_fini(&s);
}

/* The context of kernel_load in progs/test_signed_loader_lsm.c. */
struct kload_ctx {
	__u64 sig;
	__u64 log_buf;
	__u32 log_size;
	__u32 sig_size;
	__s32 keyring_id;
	__s32 ret;
	struct bpf_insn insns[2];
	char license[4];
	__u8 sig_buf[8192];
};

/*
 * Signed loads made from the kernel (bpf_sys_bpf() from a syscall program,
 * as light-skeleton loaders make them), whose signature address the
 * program chooses: a valid signature loads; a garbage one, and addresses
 * that fault (low, non-canonical, an unmapped kernel page), fail with
 * their errno and log line, never an oops.
 */
static void kernel_made_loads(void)
{
	LIBBPF_OPTS(bpf_test_run_opts, topts);
	static const struct bpf_insn insns[] = {
		BPF_MOV64_IMM(BPF_REG_0, 0),
		BPF_EXIT_INSN(),
	};
	const struct {
		const char *name;
		__u64 sig;
		bool garbage;
		int err;
		const char *line;
	} loads[] = {
		/* a load that succeeds keeps only the verifier's statistics */
		{ "valid signature", 0, false, 0, "processed 2 insns" },
		{ "low address", 0x1000, false, -EFAULT,
		  "failed to copy signature: -14" },
		{ "non-canonical address", 0x8000000000000000ULL, false, -EFAULT,
		  "failed to copy signature: -14" },
		{ "unmapped kernel address", 0xfffffffffffff000ULL, false, -EFAULT,
		  "failed to copy signature: -14" },
		/* last: it overwrites the signature */
		{ "garbage signature", 0, true, -EBADMSG,
		  "signature verification failed: -74" },
	};
	static const __u8 garbage[64] = { 0x30, 0x82, 0xde, 0xad, };
	struct test_signed_loader_lsm *skel = NULL;
	static struct kload_ctx ctx;
	static char log[65536];
	struct signed_setup s;
	__u32 sig_sz;
	int i, prog_fd;

	if (signed_setup_init(&s))
		goto out;
	memset(&ctx, 0, sizeof(ctx));
	memcpy(ctx.insns, insns, sizeof(insns));
	memcpy(ctx.license, "GPL", 4);
	sig_sz = sizeof(ctx.sig_buf);
	if (!ASSERT_OK(sign_buf(s.dir, insns, sizeof(insns), ctx.sig_buf,
				&sig_sz), "sign insns"))
		goto out;
	skel = test_signed_loader_lsm__open_and_load();
	if (!ASSERT_OK_PTR(skel, "kload skel"))
		goto out;
	prog_fd = bpf_program__fd(skel->progs.kernel_load);
	topts.ctx_in = &ctx;
	topts.ctx_size_in = sizeof(ctx);

	for (i = 0; i < ARRAY_SIZE(loads); i++) {
		ctx.sig = loads[i].sig;
		ctx.sig_size = sig_sz;
		ctx.keyring_id = KEY_SPEC_SESSION_KEYRING;
		ctx.log_buf = ptr_to_u64(log);
		ctx.log_size = sizeof(log);
		ctx.ret = INT_MIN;
		log[0] = 0;
		if (loads[i].garbage) {
			memcpy(ctx.sig_buf, garbage, sizeof(garbage));
			ctx.sig_size = sizeof(garbage);
		}
		if (ASSERT_OK(bpf_prog_test_run_opts(prog_fd, &topts),
			      loads[i].name)) {
			if (loads[i].err)
				ASSERT_EQ(ctx.ret, loads[i].err, loads[i].name);
			else
				ASSERT_GE(ctx.ret, 0, loads[i].name);
			ASSERT_HAS_SUBSTR(log, loads[i].line, loads[i].name);
		}
	}
out:
	test_signed_loader_lsm__destroy(skel);
	signed_setup_fini(&s);
}

#define IPE_DIR "/sys/kernel/security/ipe"

/* An IPE policy that admits only BPF programs vouched for by a user key. */
static const char ipe_signed_only[] =
	"policy_name=signed_loader_only policy_version=0.0.1\n"
	"DEFAULT action=ALLOW\n"
	"DEFAULT op=BPF_PROG_LOAD action=DENY\n"
	"op=BPF_PROG_LOAD bpf_signature=VERIFIED bpf_keyring=USER action=ALLOW\n"
	"op=BPF_PROG_LOAD bpf_signature=LOADER bpf_keyring=USER action=ALLOW\n";

/* The policy that replaces it when the test is done. */
static const char ipe_allow_all[] =
	"policy_name=signed_loader_allow_all policy_version=0.0.1\n"
	"DEFAULT action=ALLOW\n";

static int write_file(const char *path, const void *buf, size_t len)
{
	int fd, n;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -errno;
	n = write(fd, buf, len);
	if (n < 0)
		n = -errno;
	close(fd);
	return n == len ? 0 : (n < 0 ? n : -EIO);
}

/*
 * Load @text, named @name, as an IPE policy signed with the test key of
 * the builtin keyring (which a policy needs), unless it is loaded already.
 */
static int ipe_load_policy(const char *dir, const char *name,
			   const char *text)
{
	const char *key = getenv("IPE_POLICY_KEY");
	const char *cert = getenv("IPE_POLICY_CERT");
	char path[PATH_MAX], cmd[4 * PATH_MAX];
	void *p7s = NULL;
	struct stat st;
	int fd, err;

	snprintf(path, sizeof(path), IPE_DIR "/policies/%s", name);
	if (!access(path, F_OK))
		return 0;
	snprintf(path, sizeof(path), "%s/%s.txt", dir, name);
	err = write_file(path, text, strlen(text));
	if (err)
		return err;
	snprintf(cmd, sizeof(cmd),
		 "openssl smime -sign -nodetach -noattr -binary -outform DER -in %s -out %s.p7s -signer %s -inkey %s",
		 path, path, cert, key);
	if (system(cmd))
		return -EINVAL;
	strcat(path, ".p7s");
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	err = -EIO;
	if (!fstat(fd, &st))
		p7s = malloc(st.st_size);
	if (p7s && read(fd, p7s, st.st_size) == st.st_size)
		err = write_file(IPE_DIR "/new_policy", p7s, st.st_size);
	free(p7s);
	close(fd);
	return err;
}

static int ipe_activate(const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), IPE_DIR "/policies/%s/active", name);
	return write_file(path, "1", 1);
}

/*
 * The in-tree user of bpf_prog_load_sig_verdict: an IPE policy that admits
 * only BPF programs vouched for by a signature verified against a user
 * keyring admits a whole signed light skeleton, the loader and the program
 * it loads, and denies an unsigned program and the load an unsigned loader
 * makes from the kernel, which the same loader makes once the policy is
 * replaced by one that admits everything.
 */
static void ipe_policy_signed_only(void)
{
	struct signed_setup s;
	int map_fd, fd, ufd = -1, ret;
	bool active = false;

	if (access(IPE_DIR "/new_policy", W_OK) ||
	    !getenv("IPE_POLICY_KEY") || !getenv("IPE_POLICY_CERT")) {
		printf("%s:SKIP: no IPE, or no IPE_POLICY_KEY and IPE_POLICY_CERT\n",
		       __func__);
		test__skip();
		return;
	}
	if (signed_setup_init(&s))
		goto out;
	if (!ASSERT_OK(ipe_load_policy(s.dir, "signed_loader_only",
				       ipe_signed_only), "load signed-only policy") ||
	    !ASSERT_OK(ipe_load_policy(s.dir, "signed_loader_allow_all",
				       ipe_allow_all), "load allow-all policy"))
		goto out;

	/* An unsigned loader, loaded before the policy is active. */
	map_fd = setup_meta_map(&s.f);
	if (!ASSERT_OK_FD(map_fd, "meta_map_unsigned"))
		goto out;
	ufd = load_loader(s.f.gopts.insns, s.f.gopts.insns_sz, map_fd, NULL, 0,
			  0, 0);
	close(map_fd);
	if (!ASSERT_OK_FD(ufd, "unsigned loader, no policy"))
		goto out;

	if (!ASSERT_OK(ipe_activate("signed_loader_only"), "activate signed-only"))
		goto out;
	active = true;

	map_fd = setup_meta_map(&s.f);
	if (!ASSERT_OK_FD(map_fd, "meta_map_signed"))
		goto out;
	fd = load_loader(s.f.gopts.insns, s.f.gopts.insns_sz, map_fd, s.sig,
			 s.sig_sz, KEY_SPEC_SESSION_KEYRING, 1);
	if (ASSERT_OK_FD(fd, "signed loader admitted")) {
		ret = run_loader(fd, &s.f);
		ASSERT_EQ(ret, 0, "its kernel load admitted (LOADER)");
		close(fd);
	}
	fd = load_loader(s.f.gopts.insns, s.f.gopts.insns_sz, map_fd, NULL, 0,
			 0, 0);
	close(map_fd);
	if (fd >= 0)
		close(fd);
	ASSERT_EQ(fd, -EACCES, "unsigned program denied");
	ret = run_loader(ufd, &s.f);
	ASSERT_LT(ret, 0, "unsigned loader's kernel load denied");

	if (ASSERT_OK(ipe_activate("signed_loader_allow_all"), "activate allow-all")) {
		active = false;
		ret = run_loader(ufd, &s.f);
		ASSERT_EQ(ret, 0, "the same kernel load, policy replaced");
	}
out:
	if (active)
		ipe_activate("signed_loader_allow_all");
	if (ufd >= 0)
		close(ufd);
	signed_setup_fini(&s);
}

void test_signed_loader_hooks(void)
{
	if (test__start_subtest("hook_order_signed"))
		hook_order_signed();
	if (test__start_subtest("hook_order_unsigned"))
		hook_order_unsigned();
	if (test__start_subtest("hook_sees_rejections"))
		hook_sees_rejections();
	if (test__start_subtest("hook_before_insn_verification"))
		hook_before_insn_verification();
	if (test__start_subtest("hook_denies_before_verifier"))
		hook_denies_before_verifier();
	if (test__start_subtest("policy_signed_only"))
		policy_signed_only();
	if (test__start_subtest("policy_signed_skeleton"))
		policy_signed_skeleton();
	if (test__start_subtest("ipe_policy_signed_only"))
		ipe_policy_signed_only();
	if (test__start_subtest("kernel_made_loads"))
		kernel_made_loads();
}
