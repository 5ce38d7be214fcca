/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __SIGNED_LOADER_HELPERS_H
#define __SIGNED_LOADER_HELPERS_H

#include <stdbool.h>
#include <linux/types.h>
#include <bpf/libbpf.h>

/* The BPF object whose generated loader the tests sign and load. */
#define SIGNED_LOADER_OBJ "test_signed_loader.bpf.o"

/* enum bpf_sig_verdict, bpf_sig_reject and bpf_sig_keyring of the kernel. */
enum {
	BPF_SIG_UNSIGNED = 0,
	BPF_SIG_VERIFIED,
	BPF_SIG_PENDING,
	BPF_SIG_REJECTED,
};

enum {
	BPF_SIG_REJECT_NONE = 0,
	BPF_SIG_REJECT_BADSIG,
	BPF_SIG_REJECT_NOKEY,
	BPF_SIG_REJECT_MAP,
	BPF_SIG_REJECT_FAULT,
	BPF_SIG_REJECT_INVALID,
	BPF_SIG_REJECT_NOMEM,
};

enum {
	BPF_SIG_KEYRING_NONE = 0,
	BPF_SIG_KEYRING_BUILTIN,
	BPF_SIG_KEYRING_SECONDARY,
	BPF_SIG_KEYRING_PLATFORM,
	BPF_SIG_KEYRING_USER,
};

/* The loader libbpf generates for SIGNED_LOADER_OBJ, and its metadata. */
struct gen_loader_fixture {
	struct bpf_object *obj;
	struct gen_loader_opts gopts;
	unsigned char *blob;
	void *ctx;
	__u32 data_sz;
	__u32 ctx_sz;
	int nr_maps;
	int nr_progs;
	__u8 excl[32];		/* SHA-256 of the loader's instructions */
};

/*
 * A signed loader ready to load: the gen_loader fixture, a signing key in
 * the session keyring, and a signature over insns || metadata.
 */
struct signed_setup {
	struct gen_loader_fixture f;
	char dir_tmpl[sizeof("/tmp/signed_loader_XXXXXX")];
	char *dir;
	bool have_fixture;
	__u32 sig_sz;
	__u8 sig[8192];
};

/*
 * Load a loader (a sleepable syscall program) over the maps of @fds, with
 * @sig if it is not NULL and through the BPF token @token_fd if it is not
 * 0; return its fd or -errno. @log, if not NULL, gets the verifier log at
 * level 1.
 */
int load_loader_fds(const void *insns, __u32 insns_sz, const int *fds,
		    __u32 fd_array_cnt, const void *sig, __u32 sig_sz,
		    __s32 keyring_id, int token_fd, char *log, __u32 log_sz);
int load_loader_log(const void *insns, __u32 insns_sz, int map_fd,
		    const void *sig, __u32 sig_sz, __s32 keyring_id,
		    __u32 fd_array_cnt, char *log, __u32 log_sz);
int load_loader(const void *insns, __u32 insns_sz, int map_fd,
		const void *sig, __u32 sig_sz, __s32 keyring_id,
		__u32 fd_array_cnt);

/* verify_sig_setup.sh @cmd @dir: "setup" makes a key, "cleanup" drops it. */
int run_setup(const char *cmd, const char *dir);
/* Sign @buf with sign-file, @key and @cert, over a @digest; 0 or -errno. */
int sign_buf_with(const char *dir, const char *key, const char *cert,
		  const char *digest, const void *buf, __u32 len, void *sig,
		  __u32 *sig_sz);
/* The same with the key verify_sig_setup.sh made in @dir, over SHA-256. */
int sign_buf(const char *dir, const void *buf, __u32 len, void *sig,
	     __u32 *sig_sz);

int gen_loader_fixture_init(struct gen_loader_fixture *f);
void gen_loader_fixture_fini(struct gen_loader_fixture *f);
void close_loader_ctx_fds(void *ctx, int nr_maps, int nr_progs);
/* The loader's metadata map, exclusive to it and frozen; fd or -errno. */
int setup_meta_map(const struct gen_loader_fixture *f);

int signed_setup_init(struct signed_setup *s);
void signed_setup_fini(struct signed_setup *s);
/* Load the signed loader with @sig over @map_fd; expect @err and @line. */
void expect_signed_load(struct signed_setup *s, int map_fd, const void *sig,
			__u32 sig_sz, __s32 keyring_id, int err,
			const char *line, const char *name);

#endif /* __SIGNED_LOADER_HELPERS_H */
