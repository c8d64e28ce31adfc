// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the config file reader of "taptool up": each input
 * is the text of NAME.conf, written to a directory of the harness's own
 * and read by "taptool -C DIR up t0" through tt_main(), with
 * tests/fake_nl.c for a kernel (requests succeed, replies are empty). A
 * crash, a sanitizer report or a leak is a finding.
 *
 * A config file is the operator's, but -C takes any directory: the reader
 * must hold for any bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../taptool.h"

static char dir[] = "/tmp/tt-fuzz-config-XXXXXX";
static char path[sizeof(dir) + 16];

static void remove_dir(void)
{
	unlink(path);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/t0.conf", dir);
	atexit(remove_dir);
	/* libFuzzer's -close_fd_mask=3 (tests/all.sh) quiets stderr. */
	if (!freopen("/dev/null", "r", stdin) ||
	    !freopen("/dev/null", "w", stdout))
		abort();
	unsetenv("TT_FAKE_LOG");
	unsetenv("TT_FAKE_STATE");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[] = { "taptool", "-C", dir, "up", "t0", NULL };
	FILE *f;

	f = fopen(path, "w");
	if (!f)
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	if (fclose(f))
		abort();
	tt_main(5, argv);
	clearerr(stdout);
	return 0;
}
