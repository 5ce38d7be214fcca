// SPDX-License-Identifier: GPL-2.0
/*
 * Signed loaders and their metadata maps: two maps, signed in the order
 * fd_array binds them, and map updates racing against signed loads.
 */
#include <test_progs.h>
#include <pthread.h>
#include <time.h>
#include <linux/compiler.h>
#include <linux/keyctl.h>

#include "signed_loader_helpers.h"

/* An exclusive, frozen array map of the loader holding @value. */
static int make_meta_map(const struct gen_loader_fixture *f, const char *name,
			 const void *value)
{
	LIBBPF_OPTS(bpf_map_create_opts, mopts,
		    .excl_prog_hash = f->excl,
		    .excl_prog_hash_size = sizeof(f->excl));
	__u32 key = 0;
	int fd, err;

	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, name, 4, f->data_sz, 1, &mopts);
	if (fd < 0)
		return -errno;
	if (bpf_map_update_elem(fd, &key, value, 0) || bpf_map_freeze(fd)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/*
 * The signature covers insns || map_0 || map_1 in fd_array's order: the
 * loader loads with its two maps bound as signed, and is refused with the
 * same maps bound the other way round.
 */
static void two_maps(void)
{
	static char log[65536];
	struct signed_setup s;
	unsigned char *second = NULL, *buf = NULL;
	int fds[2] = { -1, -1 }, swapped[2], fd;
	__u32 len, sig_sz;
	static __u8 sig[8192];

	if (signed_setup_init(&s))
		goto out;
	/* The second map holds the first's value with its last byte changed. */
	second = malloc(s.f.data_sz);
	if (!ASSERT_OK_PTR(second, "second value"))
		goto out;
	memcpy(second, s.f.blob, s.f.data_sz);
	second[s.f.data_sz - 1] ^= 0xff;
	fds[0] = make_meta_map(&s.f, "first", s.f.blob);
	fds[1] = make_meta_map(&s.f, "second", second);
	if (!ASSERT_OK_FD(fds[0], "first map") ||
	    !ASSERT_OK_FD(fds[1], "second map"))
		goto out;

	len = s.f.gopts.insns_sz + 2 * s.f.data_sz;
	buf = malloc(len);
	if (!ASSERT_OK_PTR(buf, "payload"))
		goto out;
	memcpy(buf, s.f.gopts.insns, s.f.gopts.insns_sz);
	memcpy(buf + s.f.gopts.insns_sz, s.f.blob, s.f.data_sz);
	memcpy(buf + s.f.gopts.insns_sz + s.f.data_sz, second, s.f.data_sz);
	sig_sz = sizeof(sig);
	if (!ASSERT_OK(sign_buf(s.dir, buf, len, sig, &sig_sz),
		       "sign insns||first||second"))
		goto out;

	fd = load_loader_fds(s.f.gopts.insns, s.f.gopts.insns_sz, fds, 2, sig,
			     sig_sz, KEY_SPEC_SESSION_KEYRING, 0, log,
			     sizeof(log));
	if (ASSERT_OK_FD(fd, "maps in the signed order"))
		close(fd);

	swapped[0] = fds[1];
	swapped[1] = fds[0];
	fd = load_loader_fds(s.f.gopts.insns, s.f.gopts.insns_sz, swapped, 2,
			     sig, sig_sz, KEY_SPEC_SESSION_KEYRING, 0, log,
			     sizeof(log));
	if (fd >= 0)
		close(fd);
	ASSERT_EQ(fd < 0 ? fd : 0, -EKEYREJECTED, "maps swapped");
	ASSERT_HAS_SUBSTR(log, "signature verification failed: -129",
			  "maps swapped");
out:
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	free(buf);
	free(second);
	signed_setup_fini(&s);
}

/* How long signed loads race against map updates before giving up. */
#define RACE_SECONDS 10

struct race {
	int map_fd;
	const void *value;
	bool stop;
	unsigned long updates;
	unsigned long not_eperm;
};

/* Updates of a frozen map: each fails, but holds the map's writers count. */
static void *update_frozen(void *arg)
{
	struct race *r = arg;
	__u32 key = 0;

	while (!READ_ONCE(r->stop)) {
		if (bpf_map_update_elem(r->map_fd, &key, r->value, 0) != -EPERM)
			r->not_eperm++;
		r->updates++;
	}
	return NULL;
}

/*
 * A signed load that meets a map update in flight is refused with -EBUSY
 * and its log line; one that does not loads. Loads run against a thread
 * of failing updates until one meets an update or RACE_SECONDS pass; if
 * none met one, the race was not hit and the subtest skips.
 */
static void racing_writers(void)
{
	static char log[65536];
	struct race r = { .map_fd = -1 };
	unsigned long loads = 0, busy = 0, other = 0;
	struct signed_setup s;
	struct timespec start, now;
	bool started = false;
	pthread_t thread;
	int fd;

	if (signed_setup_init(&s))
		goto out;
	r.map_fd = setup_meta_map(&s.f);
	r.value = s.f.blob;
	if (!ASSERT_OK_FD(r.map_fd, "meta_map"))
		goto out;
	if (!ASSERT_OK(pthread_create(&thread, NULL, update_frozen, &r),
		       "updater thread"))
		goto out;
	started = true;
	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		fd = load_loader_log(s.f.gopts.insns, s.f.gopts.insns_sz,
				     r.map_fd, s.sig, s.sig_sz,
				     KEY_SPEC_SESSION_KEYRING, 1, log,
				     sizeof(log));
		loads++;
		if (fd >= 0) {
			close(fd);
		} else if (fd == -EBUSY) {
			busy++;
			ASSERT_HAS_SUBSTR(log,
					  "signed program metadata map '__loader.map' has active writers",
					  "log of -EBUSY");
		} else {
			other++;
			ASSERT_EQ(fd, 0, "load raced against updates");
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (!busy && !other && now.tv_sec - start.tv_sec < RACE_SECONDS);
out:
	if (started) {
		WRITE_ONCE(r.stop, true);
		pthread_join(thread, NULL);
		ASSERT_GT(r.updates, 0, "updates ran");
		ASSERT_EQ(r.not_eperm, 0, "every update of the frozen map failed with -EPERM");
	}
	printf("%s: %lu loads, %lu refused with -EBUSY, against %lu updates\n",
	       __func__, loads, busy, r.updates);
	if (started && !busy && !other)
		test__skip();
	if (r.map_fd >= 0)
		close(r.map_fd);
	signed_setup_fini(&s);
}

void test_signed_loader_maps(void)
{
	if (test__start_subtest("two_maps"))
		two_maps();
	if (test__start_subtest("racing_writers"))
		racing_writers();
}
