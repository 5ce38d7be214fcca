// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers of the signed loader tests: loading a loader with a signature,
 * signing bytes with sign-file, the gen_loader fixture of the
 * test_signed_loader object, and a signed loader ready to load.
 */
#include <assert.h>
#include <test_progs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/keyctl.h>

#include "bpf/libbpf_internal.h" /* for libbpf_sha256() */
#include "bpf/skel_internal.h"	 /* for loader ctx layout (bpf_loader_ctx etc) */

#include "signed_loader_helpers.h"

static_assert(sizeof(((struct gen_loader_fixture *)0)->excl) == SHA256_DIGEST_LENGTH,
	      "excl holds a SHA-256 digest");

int load_loader_fds(const void *insns, __u32 insns_sz, const int *fds,
		    __u32 fd_array_cnt, const void *sig, __u32 sig_sz,
		    __s32 keyring_id, int token_fd, char *log, __u32 log_sz)
{
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	if (log) {
		log[0] = 0;
		attr.log_buf = ptr_to_u64(log);
		attr.log_size = log_sz;
		attr.log_level = 1;
	}
	attr.prog_type = BPF_PROG_TYPE_SYSCALL;
	attr.insns = ptr_to_u64(insns);
	attr.insn_cnt = insns_sz / sizeof(struct bpf_insn);
	attr.license = ptr_to_u64("Dual BSD/GPL");
	attr.prog_flags = BPF_F_SLEEPABLE;
	if (token_fd > 0) {
		attr.prog_flags |= BPF_F_TOKEN_FD;
		attr.prog_token_fd = token_fd;
	}
	attr.fd_array = ptr_to_u64(fds);
	if (sig) {
		attr.signature = ptr_to_u64(sig);
		attr.signature_size = sig_sz;
		attr.keyring_id = keyring_id;
	}
	attr.fd_array_cnt = fd_array_cnt;
	memcpy(attr.prog_name, "__loader.prog", sizeof("__loader.prog"));
	fd = syscall(__NR_bpf, BPF_PROG_LOAD, &attr,
		     offsetofend(union bpf_attr, keyring_id));
	return fd < 0 ? -errno : fd;
}

int load_loader_log(const void *insns, __u32 insns_sz, int map_fd,
		    const void *sig, __u32 sig_sz, __s32 keyring_id,
		    __u32 fd_array_cnt, char *log, __u32 log_sz)
{
	return load_loader_fds(insns, insns_sz, &map_fd, fd_array_cnt, sig,
			       sig_sz, keyring_id, 0, log, log_sz);
}

int load_loader(const void *insns, __u32 insns_sz, int map_fd,
		const void *sig, __u32 sig_sz, __s32 keyring_id,
		__u32 fd_array_cnt)
{
	return load_loader_log(insns, insns_sz, map_fd, sig, sig_sz,
			       keyring_id, fd_array_cnt, NULL, 0);
}

void close_loader_ctx_fds(void *ctx, int nr_maps, int nr_progs)
{
	struct bpf_map_desc *md = (struct bpf_map_desc *)((char *)ctx +
				  sizeof(struct bpf_loader_ctx));
	struct bpf_prog_desc *pd = (struct bpf_prog_desc *)(md + nr_maps);
	int i;

	for (i = 0; i < nr_maps; i++)
		if (md[i].map_fd > 0)
			close(md[i].map_fd);
	for (i = 0; i < nr_progs; i++)
		if (pd[i].prog_fd > 0)
			close(pd[i].prog_fd);
}

int run_setup(const char *cmd, const char *dir)
{
	int pid, status;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execlp("./verify_sig_setup.sh", "./verify_sig_setup.sh",
		       cmd, dir, NULL);
		exit(1);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return (WIFEXITED(status) &&
		WEXITSTATUS(status) == 0) ? 0 : -EINVAL;
}

int sign_buf_with(const char *dir, const char *key, const char *cert,
		  const char *digest, const void *buf, __u32 len, void *sig,
		  __u32 *sig_sz)
{
	char data_tmpl[PATH_MAX];
	char sigpath[PATH_MAX + sizeof(".p7s")];
	int fd, pid, status, ret;
	struct stat st;

	ret = snprintf(data_tmpl, sizeof(data_tmpl), "%s/dataXXXXXX", dir);
	if (ret < 0 || ret >= (int)sizeof(data_tmpl))
		return -ENAMETOOLONG;
	ret = 0;

	fd = mkstemp(data_tmpl);
	if (fd < 0)
		return -errno;
	if (write(fd, buf, len) != (ssize_t)len) {
		close(fd);
		ret = -EIO;
		goto out;
	}
	close(fd);

	pid = fork();
	if (pid < 0) {
		ret = -errno;
		goto out;
	}
	if (pid == 0) {
		execlp("./sign-file", "./sign-file", "-d", digest, key, cert,
		       data_tmpl, NULL);
		exit(1);
	}
	if (waitpid(pid, &status, 0) < 0 ||
	    !WIFEXITED(status) || WEXITSTATUS(status)) {
		ret = -EINVAL;
		goto out;
	}

	snprintf(sigpath, sizeof(sigpath), "%s.p7s", data_tmpl);
	if (stat(sigpath, &st) < 0) {
		ret = -errno;
		goto out;
	}
	if (st.st_size > (off_t)*sig_sz) {
		ret = -E2BIG;
		goto out_sig;
	}
	fd = open(sigpath, O_RDONLY);
	if (fd < 0) {
		ret = -errno;
		goto out_sig;
	}
	if (read(fd, sig, st.st_size) != st.st_size) {
		close(fd);
		ret = -EIO;
		goto out_sig;
	}
	close(fd);
	*sig_sz = st.st_size;
out_sig:
	unlink(sigpath);
out:
	unlink(data_tmpl);
	return ret;
}

int sign_buf(const char *dir, const void *buf, __u32 len, void *sig,
	     __u32 *sig_sz)
{
	char key[PATH_MAX];

	snprintf(key, sizeof(key), "%s/signing_key.pem", dir);
	return sign_buf_with(dir, key, key, "sha256", buf, len, sig, sig_sz);
}

int gen_loader_fixture_init(struct gen_loader_fixture *f)
{
	LIBBPF_OPTS(gen_loader_opts, gopts, .gen_hash = true);
	int nr_maps = 0, nr_progs = 0;
	struct bpf_program *p;
	struct bpf_map *m;

	memset(f, 0, sizeof(*f));
	f->obj = bpf_object__open_file(SIGNED_LOADER_OBJ, NULL);
	if (!ASSERT_OK_PTR(f->obj, "open " SIGNED_LOADER_OBJ)) {
		f->obj = NULL;
		return -1;
	}
	if (!ASSERT_OK(bpf_object__gen_loader(f->obj, &gopts), "gen_loader"))
		return -1;
	if (!ASSERT_OK(bpf_object__load(f->obj), "gen_load"))
		return -1;
	f->gopts = gopts;

	bpf_object__for_each_program(p, f->obj)
		nr_progs++;
	bpf_object__for_each_map(m, f->obj)
		nr_maps++;
	f->nr_maps = nr_maps;
	f->nr_progs = nr_progs;
	f->ctx_sz = sizeof(struct bpf_loader_ctx) +
		    nr_maps * sizeof(struct bpf_map_desc) +
		    nr_progs * sizeof(struct bpf_prog_desc);
	f->ctx = calloc(1, f->ctx_sz);
	if (!ASSERT_OK_PTR(f->ctx, "ctx_alloc"))
		return -1;
	((struct bpf_loader_ctx *)f->ctx)->sz = f->ctx_sz;

	f->data_sz = gopts.data_sz;
	f->blob = malloc(f->data_sz);
	if (!ASSERT_OK_PTR(f->blob, "blob_alloc"))
		return -1;
	memcpy(f->blob, gopts.data, f->data_sz);

	/* excl_prog_hash = SHA256(loader insns) == the loader's prog->digest. */
	libbpf_sha256(gopts.insns, gopts.insns_sz, f->excl);
	return 0;
}

void gen_loader_fixture_fini(struct gen_loader_fixture *f)
{
	if (f->ctx)
		close_loader_ctx_fds(f->ctx, f->nr_maps, f->nr_progs);
	free(f->blob);
	free(f->ctx);
	bpf_object__close(f->obj);
}

int setup_meta_map(const struct gen_loader_fixture *f)
{
	LIBBPF_OPTS(bpf_map_create_opts, mopts,
		    .excl_prog_hash = f->excl,
		    .excl_prog_hash_size = sizeof(f->excl));
	__u32 key = 0;
	int fd;

	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "__loader.map", 4,
			    f->data_sz, 1, &mopts);
	if (fd < 0)
		return -errno;
	if (bpf_map_update_elem(fd, &key, f->blob, 0) || bpf_map_freeze(fd)) {
		close(fd);
		return -errno;
	}
	return fd;
}

int signed_setup_init(struct signed_setup *s)
{
	unsigned char *buf;
	__u32 len;
	int err;

	memset(s, 0, sizeof(*s));
	s->sig_sz = sizeof(s->sig);
	strcpy(s->dir_tmpl, "/tmp/signed_loader_XXXXXX");
	syscall(__NR_request_key, "keyring", "_uid.0", NULL,
		KEY_SPEC_SESSION_KEYRING);
	s->dir = mkdtemp(s->dir_tmpl);
	if (!ASSERT_OK_PTR(s->dir, "mkdtemp"))
		return -1;
	if (!ASSERT_OK(run_setup("setup", s->dir), "verify_sig_setup")) {
		rmdir(s->dir);
		s->dir = NULL;
		return -1;
	}
	s->have_fixture = true;
	if (gen_loader_fixture_init(&s->f))
		return -1;
	len = s->f.gopts.insns_sz + s->f.data_sz;
	buf = malloc(len);
	if (!ASSERT_OK_PTR(buf, "signbuf"))
		return -1;
	memcpy(buf, s->f.gopts.insns, s->f.gopts.insns_sz);
	memcpy(buf + s->f.gopts.insns_sz, s->f.blob, s->f.data_sz);
	err = sign_buf(s->dir, buf, len, s->sig, &s->sig_sz);
	free(buf);
	return ASSERT_OK(err, "sign insns||metadata") ? 0 : -1;
}

void signed_setup_fini(struct signed_setup *s)
{
	if (s->have_fixture)
		gen_loader_fixture_fini(&s->f);
	if (s->dir)
		run_setup("cleanup", s->dir);
}

/* Load the signed loader with @sig over @map_fd; expect @err and @line. */
void expect_signed_load(struct signed_setup *s, int map_fd, const void *sig,
			__u32 sig_sz, __s32 keyring_id, int err,
			const char *line, const char *name)
{
	static char log[65536];
	int fd;

	fd = load_loader_log(s->f.gopts.insns, s->f.gopts.insns_sz, map_fd,
			     sig, sig_sz, keyring_id, 1, log, sizeof(log));
	if (fd >= 0)
		close(fd);
	ASSERT_EQ(fd < 0 ? fd : 0, err, name);
	if (line)
		ASSERT_HAS_SUBSTR(log, line, name);
}
