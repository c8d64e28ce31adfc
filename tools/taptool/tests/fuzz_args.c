// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for taptool's argument grammar: each input is a
 * command line, words separated by NUL bytes, run through tt_main() with
 * tests/fake_nl.c for a kernel (requests succeed, replies are empty). A
 * crash, a sanitizer report or a leak is a finding.
 *
 * Words with "/" are dropped: -batch and -netns would open them, and a
 * fuzzer must not read /dev/zero or move into another netns. A relative
 * name opens nothing in the empty directory run.sh runs the fuzzer in;
 * stdin is /dev/null, so "-batch -" ends at once. The netns is restored
 * after each run all the same.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../taptool.h"

#define MAX_WORDS	64

static int own_netns = -1;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	own_netns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (!freopen("/dev/null", "r", stdin) ||
	    !freopen("/dev/null", "w", stdout))
		abort();
	/* The fake answers every request; stats -i stops after a few. */
	unsetenv("TT_FAKE_LOG");
	unsetenv("TT_FAKE_STATE");
	setenv("TT_FAKE_WAITS", "2", 1);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy, *argv[MAX_WORDS + 2], *word, *end;
	int argc = 0;

	copy = malloc(size + 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	argv[argc++] = "taptool";
	for (word = copy, end = copy + size;; word += strlen(word) + 1) {
		if (strchr(word, '/')) {
			free(copy);
			return 0;
		}
		argv[argc++] = word;
		if (argc > MAX_WORDS || word + strlen(word) >= end)
			break;
	}
	argv[argc] = NULL;
	tt_main(argc, argv);
	clearerr(stdout);
	if (own_netns >= 0)
		setns(own_netns, CLONE_NEWNET);
	free(copy);
	return 0;
}
