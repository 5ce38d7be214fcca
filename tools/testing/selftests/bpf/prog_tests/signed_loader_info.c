// SPDX-License-Identifier: GPL-2.0
/*
 * Where the verdict on a program's signature shows: struct bpf_prog_info,
 * bpftool prog show, and the BPF LOAD audit record (the test becomes the
 * audit daemon; the VM boots with audit=1).
 */
#include <test_progs.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/audit.h>
#include <linux/keyctl.h>
#include <linux/netlink.h>
#include <limits.h>
#include <poll.h>

#include "signed_loader_helpers.h"
#include "fentry_test.lskel.h"

/* Permissions of KEYCTL_SETPERM: everything for the possessor only. */
#define KEY_POS_ALL	0x3f000000

#define INFO_SIG_END offsetofend(struct bpf_prog_info, sig_loader_keyring_type)

/* bpf_prog_info of @fd, with the signature fields the kernel must fill. */
static int prog_info(int fd, struct bpf_prog_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	if (!ASSERT_OK(bpf_prog_get_info_by_fd(fd, info, &len), "prog info"))
		return -1;
	return ASSERT_GE(len, INFO_SIG_END, "info_len covers sig fields") ? 0 : -1;
}

/*
 * The base's fentry_test light skeleton, signed by bpftool, loaded: its
 * loader is verified against the session keyring, where test_progs put
 * the certificate, and loads its programs from the kernel. NULL on failure.
 */
static struct fentry_test_lskel *signed_lskel(void)
{
	struct fentry_test_lskel *skel;

	skel = fentry_test_lskel__open();
	if (!ASSERT_OK_PTR(skel, "fentry_test_lskel__open"))
		return NULL;
	skel->keyring_id = KEY_SPEC_SESSION_KEYRING;
	if (!ASSERT_OK(fentry_test_lskel__load(skel), "signed lskel load")) {
		fentry_test_lskel__destroy(skel);
		return NULL;
	}
	return skel;
}

/* A program with no signature: a socket filter returning 0. */
static int load_unsigned(void)
{
	const struct bpf_insn insns[] = {
		BPF_MOV64_IMM(BPF_REG_0, 0),
		BPF_EXIT_INSN(),
	};

	return bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "unsigned", "GPL",
			     insns, ARRAY_SIZE(insns), NULL);
}

/*
 * The signed loader over its metadata, verified against a keyring of its
 * own that only a possessor may view, signed without binding the layout
 * (s->sig) or binding it (@bound); @k and the fds of both loads.
 */
struct info_setup {
	struct signed_setup s;
	struct cert_keyring k;
	int map_fd;
	int unbound_fd;
	int bound_fd;
	__u8 bound[8192];
	__u32 bound_sz;
};

static int info_setup_init(struct info_setup *t)
{
	char key[PATH_MAX], layout[64];
	const char *const signer[] = { key, key, layout };
	unsigned char *buf = NULL;
	__u32 len;
	int err;

	t->map_fd = -1;
	t->unbound_fd = -1;
	t->bound_fd = -1;
	t->k.ring = 0;
	if (signed_setup_init(&t->s))
		return -1;
	t->map_fd = setup_meta_map(&t->s.f);
	if (!ASSERT_OK_FD(t->map_fd, "meta_map"))
		return -1;
	snprintf(key, sizeof(key), "%s/signing_key.der", t->s.dir);
	if (cert_keyring_init(&t->k, "signed_loader_info", key))
		return -1;
	if (!ASSERT_OK(syscall(__NR_keyctl, KEYCTL_SETPERM, t->k.ring,
			       KEY_POS_ALL), "keyring for its possessor only"))
		return -1;

	snprintf(key, sizeof(key), "%s/signing_key.pem", t->s.dir);
	snprintf(layout, sizeof(layout), "%u:%u", t->s.f.gopts.insns_sz,
		 t->s.f.data_sz);
	len = t->s.f.gopts.insns_sz + t->s.f.data_sz;
	buf = malloc(len);
	if (!ASSERT_OK_PTR(buf, "payload"))
		return -1;
	memcpy(buf, t->s.f.gopts.insns, t->s.f.gopts.insns_sz);
	memcpy(buf + t->s.f.gopts.insns_sz, t->s.f.blob, t->s.f.data_sz);
	t->bound_sz = sizeof(t->bound);
	err = sign_layout(t->s.dir, "sha256", false, buf, len, signer, 1,
			  t->bound, &t->bound_sz);
	free(buf);
	if (!ASSERT_OK(err, "sign binding the layout"))
		return -1;

	t->unbound_fd = load_loader(t->s.f.gopts.insns, t->s.f.gopts.insns_sz,
				    t->map_fd, t->s.sig, t->s.sig_sz,
				    t->k.ring, 1);
	if (!ASSERT_OK_FD(t->unbound_fd, "signed load, layout unbound"))
		return -1;
	t->bound_fd = load_loader(t->s.f.gopts.insns, t->s.f.gopts.insns_sz,
				  t->map_fd, t->bound, t->bound_sz, t->k.ring,
				  1);
	return ASSERT_OK_FD(t->bound_fd, "signed load, layout bound") ? 0 : -1;
}

static void info_setup_fini(struct info_setup *t)
{
	if (t->bound_fd >= 0)
		close(t->bound_fd);
	if (t->unbound_fd >= 0)
		close(t->unbound_fd);
	if (t->map_fd >= 0)
		close(t->map_fd);
	cert_keyring_fini(&t->k);
	signed_setup_fini(&t->s);
}

/*
 * bpf_prog_info of @fd as a task sees it that left the session keyring,
 * and so no longer possesses the keyring that verified it: 0 if it sees
 * the program verified but not the keyring's serial.
 */
static int serial_hidden(int fd)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);

		if (syscall(__NR_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0)
			_exit(2);
		if (bpf_prog_get_info_by_fd(fd, &info, &len) || len < INFO_SIG_END)
			_exit(3);
		_exit(info.sig_verdict == BPF_SIG_VERIFIED &&
		      info.sig_keyring_type == BPF_SIG_KEYRING_USER &&
		      info.sig_keyring_serial == 0 ? 0 : 1);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*
 * A binary built before the signature fields passes the old size: it gets
 * that much back, and nothing is written past it.
 */
static void old_size_info(int fd)
{
	const __u32 old = offsetof(struct bpf_prog_info, sig_verdict);
	struct bpf_prog_info info;
	__u32 len = old, i;
	__u8 *tail = (__u8 *)&info + old;

	memset(&info, 0, old);
	memset(tail, 0xa5, sizeof(info) - old);
	if (!ASSERT_OK(bpf_prog_get_info_by_fd(fd, &info, &len), "old-size info"))
		return;
	ASSERT_EQ(len, old, "old-size info_len");
	ASSERT_GT(info.id, 0, "old-size info has the id");
	for (i = 0; i < sizeof(info) - old && tail[i] == 0xa5; i++)
		;
	ASSERT_EQ(i, sizeof(info) - old, "nothing written past the old size");
}

/* The verdict of signed, unsigned and signed-loader-loaded programs. */
static void info_fields(void)
{
	struct fentry_test_lskel *skel = NULL;
	struct bpf_prog_info info;
	struct info_setup t;
	int fd = -1;

	if (info_setup_init(&t))
		goto out;

	if (!prog_info(t.unbound_fd, &info)) {
		ASSERT_EQ(info.sig_verdict, BPF_SIG_VERIFIED, "verdict");
		ASSERT_EQ(info.sig_keyring_type, BPF_SIG_KEYRING_USER, "keyring type");
		ASSERT_EQ(info.sig_keyring_serial, t.k.ring, "keyring serial");
		ASSERT_EQ(info.sig_flags, 0, "layout not bound");
		ASSERT_EQ(info.sig_loader_id, 0, "no loader");
		ASSERT_EQ(info.sig_loader_keyring_type, BPF_SIG_KEYRING_NONE,
			  "no loader keyring");
	}
	if (!prog_info(t.bound_fd, &info)) {
		ASSERT_EQ(info.sig_verdict, BPF_SIG_VERIFIED, "bound: verdict");
		ASSERT_EQ(info.sig_flags, BPF_SIG_F_LAYOUT_BOUND, "layout bound");
	}
	ASSERT_EQ(serial_hidden(t.unbound_fd), 0,
		  "serial hidden from who cannot view the keyring");
	old_size_info(t.unbound_fd);

	fd = load_unsigned();
	if (ASSERT_OK_FD(fd, "unsigned load") && !prog_info(fd, &info)) {
		ASSERT_EQ(info.sig_verdict, BPF_SIG_UNSIGNED, "unsigned: verdict");
		ASSERT_EQ(info.sig_keyring_type, BPF_SIG_KEYRING_NONE,
			  "unsigned: keyring type");
		ASSERT_EQ(info.sig_keyring_serial, 0, "unsigned: serial");
		ASSERT_EQ(info.sig_flags, 0, "unsigned: flags");
		ASSERT_EQ(info.sig_loader_id, 0, "unsigned: loader");
	}

	/* A program of a signed light skeleton: its loader vouches for it. */
	skel = signed_lskel();
	if (!skel)
		goto out;
	if (!prog_info(skel->progs.test1.prog_fd, &info)) {
		ASSERT_EQ(info.sig_verdict, BPF_SIG_UNSIGNED, "lskel prog: verdict");
		ASSERT_GT(info.sig_loader_id, 0, "lskel prog: loader id");
		ASSERT_EQ(info.sig_loader_keyring_type, BPF_SIG_KEYRING_USER,
			  "lskel prog: loader keyring");
	}
out:
	fentry_test_lskel__destroy(skel);
	if (fd >= 0)
		close(fd);
	info_setup_fini(&t);
}

/* run_bpftool(), its output shown with the test's (test_progs -v). */
static int show_bpftool(bool own_session, char *out, size_t size,
			const char *const *args)
{
	const char *const *a;
	int err;

	err = run_bpftool(own_session, out, size, args);
	printf("$ bpftool");
	for (a = args; *a; a++)
		printf(" %s", *a);
	printf("%s\n%s\n", own_session ? " (own session keyring)" : "", out);
	return err;
}

/* Whether the programs "bpftool prog list signature @state" lists hold @id. */
static bool listed(const char *state, __u32 id)
{
	const char *const args[] = { "prog", "list", "signature", state, NULL };
	static char out[1 << 16];
	char line[32];

	if (!ASSERT_OK(show_bpftool(false, out, sizeof(out), args), state))
		return false;
	/* Each program's first line starts with its id. */
	snprintf(line, sizeof(line), "%u: ", id);
	if (!strncmp(out, line, strlen(line)))
		return true;
	snprintf(line, sizeof(line), "\n%u: ", id);
	return strstr(out, line);
}

/* bpftool prog show and list, plain and JSON. */
static void bpftool_show(void)
{
	struct fentry_test_lskel *skel = NULL;
	struct bpf_prog_info info;
	char id[16], want[128];
	static char out[8192];
	__u32 vid = 0, uid = 0, cid = 0, lid = 0;
	struct info_setup t;
	int fd = -1;

	if (info_setup_init(&t))
		goto out;
	if (!prog_info(t.unbound_fd, &info))
		vid = info.id;
	fd = load_unsigned();
	if (ASSERT_OK_FD(fd, "unsigned load") && !prog_info(fd, &info))
		uid = info.id;
	skel = signed_lskel();
	if (!skel)
		goto out;
	if (!prog_info(skel->progs.test1.prog_fd, &info)) {
		cid = info.id;
		lid = info.sig_loader_id;
	}
	if (!ASSERT_GT(vid, 0, "verified id") || !ASSERT_GT(uid, 0, "unsigned id") ||
	    !ASSERT_GT(cid, 0, "lskel prog id"))
		goto out;

	/* The verified loader: its keyring's serial shows to its possessor. */
	snprintf(id, sizeof(id), "%u", vid);
	{
		const char *const args[] = { "prog", "show", "id", id, NULL };

		if (ASSERT_OK(show_bpftool(false, out, sizeof(out), args), "show verified")) {
			snprintf(want, sizeof(want),
				 "\tsigned verified  keyring user %d  layout unbound\n",
				 t.k.ring);
			ASSERT_HAS_SUBSTR(out, want, "plain: verified");
		}
	}
	{
		const char *const args[] = { "prog", "show", "id", id, NULL };

		if (ASSERT_OK(show_bpftool(true, out, sizeof(out), args),
			      "show verified, other session"))
			ASSERT_HAS_SUBSTR(out, "\tsigned verified  keyring user  layout unbound\n",
					  "plain: serial hidden from a non-possessor");
	}
	{
		const char *const args[] = { "-j", "prog", "show", "id", id, NULL };

		if (ASSERT_OK(show_bpftool(false, out, sizeof(out), args), "json verified")) {
			snprintf(want, sizeof(want),
				 "\"signature\":{\"verdict\":\"verified\",\"keyring\":\"user\",\"keyring_serial\":%d,\"layout_bound\":false}",
				 t.k.ring);
			ASSERT_HAS_SUBSTR(out, want, "json: verified");
		}
	}

	/* A program of the signed light skeleton. */
	snprintf(id, sizeof(id), "%u", cid);
	{
		const char *const args[] = { "prog", "show", "id", id, NULL };

		if (ASSERT_OK(show_bpftool(false, out, sizeof(out), args), "show lskel prog")) {
			snprintf(want, sizeof(want),
				 "\tunsigned  loaded by signed loader %u  loader_keyring user\n",
				 lid);
			ASSERT_HAS_SUBSTR(out, want, "plain: lskel prog");
		}
	}
	{
		const char *const args[] = { "-j", "prog", "show", "id", id, NULL };

		if (ASSERT_OK(show_bpftool(false, out, sizeof(out), args), "json lskel prog")) {
			ASSERT_HAS_SUBSTR(out, "\"signature\":{\"verdict\":\"unsigned\"}",
					  "json: lskel prog verdict");
			snprintf(want, sizeof(want),
				 "\"signed_loader\":{\"id\":%u,\"keyring\":\"user\"}", lid);
			ASSERT_HAS_SUBSTR(out, want, "json: lskel prog loader");
		}
	}

	/* The unsigned program. */
	snprintf(id, sizeof(id), "%u", uid);
	{
		const char *const args[] = { "prog", "show", "id", id, NULL };

		if (ASSERT_OK(show_bpftool(false, out, sizeof(out), args), "show unsigned"))
			ASSERT_HAS_SUBSTR(out, "\tunsigned\n", "plain: unsigned");
	}

	/* Each filter lists its programs, and only those. */
	ASSERT_TRUE(listed("verified", vid), "verified lists the loader");
	ASSERT_FALSE(listed("verified", uid), "verified skips unsigned");
	ASSERT_FALSE(listed("verified", cid), "verified skips lskel prog");
	ASSERT_TRUE(listed("unsigned", uid), "unsigned lists unsigned");
	ASSERT_FALSE(listed("unsigned", vid), "unsigned skips the loader");
	ASSERT_FALSE(listed("unsigned", cid), "unsigned skips lskel prog");
	ASSERT_TRUE(listed("signed-loader", cid), "signed-loader lists lskel prog");
	ASSERT_FALSE(listed("signed-loader", vid), "signed-loader skips the loader");
	ASSERT_FALSE(listed("signed-loader", uid), "signed-loader skips unsigned");
	{
		const char *const args[] = { "prog", "list", "signature", "bogus", NULL };

		ASSERT_NEQ(show_bpftool(false, out, sizeof(out), args), 0, "bogus state fails");
		ASSERT_HAS_SUBSTR(out, "expected 'verified', 'unsigned' or 'signed-loader'",
				  "bogus state says what it expects");
	}
out:
	fentry_test_lskel__destroy(skel);
	if (fd >= 0)
		close(fd);
	info_setup_fini(&t);
}

/* The audit netlink socket, this process registered as the audit daemon. */
static int audit_request(int fd, __u16 type, __u16 flags, const void *data,
			 size_t len)
{
	struct {
		struct nlmsghdr nh;
		char data[sizeof(struct audit_status)];
	} req = {};
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

	if (len > sizeof(req.data))
		return -EINVAL;
	req.nh.nlmsg_len = NLMSG_LENGTH(len);
	req.nh.nlmsg_type = type;
	req.nh.nlmsg_flags = NLM_F_REQUEST | flags;
	if (len)
		memcpy(req.data, data, len);
	if (sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) < 0)
		return -errno;
	return 0;
}

/* The next message of @type (others are dropped), within @ms; its length. */
static int audit_recv(int fd, __u16 type, char *buf, size_t size, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	struct nlmsghdr *nh = (void *)buf;
	ssize_t n;

	while (poll(&p, 1, ms) == 1) {
		n = recv(fd, buf, size - 1, 0);
		if (n < (ssize_t)NLMSG_HDRLEN)
			return -EIO;
		if (nh->nlmsg_type != type)
			continue;
		buf[n] = 0;
		return n;
	}
	return -ETIMEDOUT;
}

static int audit_daemon_start(void)
{
	struct audit_status st = {};
	char buf[8192];
	int fd, n;

	fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT);
	if (!ASSERT_OK_FD(fd, "audit socket (CONFIG_AUDIT)"))
		return -1;
	if (!ASSERT_OK(audit_request(fd, AUDIT_GET, 0, NULL, 0), "AUDIT_GET"))
		goto err;
	n = audit_recv(fd, AUDIT_GET, buf, sizeof(buf), 2000);
	if (!ASSERT_GE(n, (int)NLMSG_LENGTH(sizeof(st)), "audit status"))
		goto err;
	memcpy(&st, NLMSG_DATA((struct nlmsghdr *)buf), sizeof(st));
	if (!ASSERT_EQ(st.enabled, 1, "audit enabled (boot with audit=1)"))
		goto err;
	memset(&st, 0, sizeof(st));
	st.mask = AUDIT_STATUS_PID;
	st.pid = getpid();
	if (!ASSERT_OK(audit_request(fd, AUDIT_SET, NLM_F_ACK, &st, sizeof(st)),
		       "become the audit daemon"))
		goto err;
	n = audit_recv(fd, NLMSG_ERROR, buf, sizeof(buf), 2000);
	if (!ASSERT_GE(n, (int)NLMSG_LENGTH(sizeof(struct nlmsgerr)), "AUDIT_SET ack") ||
	    !ASSERT_OK(((struct nlmsgerr *)NLMSG_DATA((struct nlmsghdr *)buf))->error,
		       "AUDIT_SET"))
		goto err;
	return fd;
err:
	close(fd);
	return -1;
}

static void audit_daemon_stop(int fd)
{
	struct audit_status st = { .mask = AUDIT_STATUS_PID, .pid = 0 };

	if (fd < 0)
		return;
	audit_request(fd, AUDIT_SET, 0, &st, sizeof(st));
	close(fd);
}

/*
 * Whether a BPF audit record holding @text arrives within a few seconds
 * (records of other loads are skipped).
 */
static bool audit_seen(int fd, const char *text)
{
	static char buf[8192];
	int n;

	char *record;

	while ((n = audit_recv(fd, AUDIT_BPF, buf, sizeof(buf), 5000)) > 0) {
		record = NLMSG_DATA((struct nlmsghdr *)buf);
		if (strstr(record, text)) {
			printf("audit record: %s\n", record);
			return true;
		}
	}
	return false;
}

/* The LOAD records of a verified, a rejected and an unsigned load. */
static void audit_records(void)
{
	static const __u8 garbage[64] = { 0x30, 0x82, 0xde, 0xad, };
	struct fentry_test_lskel *skel = NULL;
	struct bpf_prog_info info;
	struct info_setup t;
	int afd = -1, fd = -1;
	char want[256];

	if (info_setup_init(&t))
		goto out;
	/* The two signed loads above were before this process listened. */
	close(t.unbound_fd);
	t.unbound_fd = -1;
	afd = audit_daemon_start();
	if (afd < 0)
		goto out;

	t.unbound_fd = load_loader(t.s.f.gopts.insns, t.s.f.gopts.insns_sz,
				   t.map_fd, t.s.sig, t.s.sig_sz, t.k.ring, 1);
	if (ASSERT_OK_FD(t.unbound_fd, "signed load") &&
	    !prog_info(t.unbound_fd, &info)) {
		snprintf(want, sizeof(want),
			 "prog-id=%u op=LOAD sig=verified sig-keyring=user loader-id=0 loader-keyring=none",
			 info.id);
		ASSERT_TRUE(audit_seen(afd, want), "audit: verified load");
	}

	fd = load_loader(t.s.f.gopts.insns, t.s.f.gopts.insns_sz, t.map_fd,
			 garbage, sizeof(garbage), t.k.ring, 1);
	ASSERT_EQ(fd, -EBADMSG, "garbage signature refused");
	if (fd >= 0)
		close(fd);
	snprintf(want, sizeof(want),
		 "prog-id=0 op=LOAD sig=rejected sig-keyring=user loader-id=0 loader-keyring=none sig-reason=%s",
		 "badsig");
	ASSERT_TRUE(audit_seen(afd, want), "audit: rejected load");

	fd = load_unsigned();
	if (ASSERT_OK_FD(fd, "unsigned load") && !prog_info(fd, &info)) {
		snprintf(want, sizeof(want),
			 "prog-id=%u op=LOAD sig=unsigned sig-keyring=none loader-id=0 loader-keyring=none",
			 info.id);
		ASSERT_TRUE(audit_seen(afd, want), "audit: unsigned load");
	}

	skel = signed_lskel();
	if (skel && !prog_info(skel->progs.test1.prog_fd, &info)) {
		snprintf(want, sizeof(want),
			 "prog-id=%u op=LOAD sig=unsigned sig-keyring=none loader-id=%u loader-keyring=user",
			 info.id, info.sig_loader_id);
		ASSERT_TRUE(audit_seen(afd, want), "audit: lskel prog load");
	}
out:
	audit_daemon_stop(afd);
	fentry_test_lskel__destroy(skel);
	if (fd >= 0)
		close(fd);
	info_setup_fini(&t);
}

void test_signed_loader_info(void)
{
	if (test__start_subtest("prog_info"))
		info_fields();
	if (test__start_subtest("bpftool_show"))
		bpftool_show();
	if (test__start_subtest("audit"))
		audit_records();
}
