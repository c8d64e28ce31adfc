// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: which mirror gets the copy of a frame, for each mode and
 * direction.
 */

#include <kunit/test.h>

#include "tapbridge.h"

static void tapbridge_mirror_aggregate_both_directions(struct kunit *test)
{
	const struct tapbridge_request req = {
		.mode = TAPBRIDGE_MODE_AGGREGATE,
		.mirror = 7,
	};

	KUNIT_EXPECT_EQ(test, tapbridge_request_mirror(&req, TAPBRIDGE_DIR_AB), 7);
	KUNIT_EXPECT_EQ(test, tapbridge_request_mirror(&req, TAPBRIDGE_DIR_BA), 7);
}

static void tapbridge_mirror_split_by_direction(struct kunit *test)
{
	const struct tapbridge_request req = {
		.mode = TAPBRIDGE_MODE_SPLIT,
		.mirror_dir = { [TAPBRIDGE_DIR_AB] = 8, [TAPBRIDGE_DIR_BA] = 9 },
	};

	KUNIT_EXPECT_EQ(test, tapbridge_request_mirror(&req, TAPBRIDGE_DIR_AB), 8);
	KUNIT_EXPECT_EQ(test, tapbridge_request_mirror(&req, TAPBRIDGE_DIR_BA), 9);
}

/* Split mode ignores a stray aggregate mirror, and the reverse. */
static void tapbridge_mirror_mode_decides(struct kunit *test)
{
	struct tapbridge_request req = {
		.mode = TAPBRIDGE_MODE_SPLIT,
		.mirror = 7,
		.mirror_dir = { 8, 9 },
	};

	KUNIT_EXPECT_EQ(test, tapbridge_request_mirror(&req, TAPBRIDGE_DIR_AB), 8);
	req.mode = TAPBRIDGE_MODE_AGGREGATE;
	KUNIT_EXPECT_EQ(test, tapbridge_request_mirror(&req, TAPBRIDGE_DIR_BA), 7);
}

static void tapbridge_mirror_no_mode_no_mirror(struct kunit *test)
{
	const struct tapbridge_request req = { .mirror = 7, .mirror_dir = { 8, 9 } };

	KUNIT_EXPECT_EQ(test, tapbridge_request_mirror(&req, TAPBRIDGE_DIR_AB), 0);
	KUNIT_EXPECT_EQ(test, tapbridge_request_mirror(&req, TAPBRIDGE_DIR_BA), 0);
}

/* A port receives one direction; the other port is its egress. */
static void tapbridge_mirror_egress_is_other_port(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, tapbridge_dir_reverse(TAPBRIDGE_DIR_AB),
			TAPBRIDGE_DIR_BA);
	KUNIT_EXPECT_EQ(test, tapbridge_dir_reverse(TAPBRIDGE_DIR_BA),
			TAPBRIDGE_DIR_AB);
	KUNIT_EXPECT_EQ(test, TAPBRIDGE_PORT_A, TAPBRIDGE_DIR_AB);
	KUNIT_EXPECT_EQ(test, TAPBRIDGE_PORT_B, TAPBRIDGE_DIR_BA);
}

static struct kunit_case tapbridge_mirror_cases[] = {
	KUNIT_CASE(tapbridge_mirror_aggregate_both_directions),
	KUNIT_CASE(tapbridge_mirror_split_by_direction),
	KUNIT_CASE(tapbridge_mirror_mode_decides),
	KUNIT_CASE(tapbridge_mirror_no_mode_no_mirror),
	KUNIT_CASE(tapbridge_mirror_egress_is_other_port),
	{}
};

static struct kunit_suite tapbridge_mirror_suite = {
	.name = "tapbridge_mirror",
	.test_cases = tapbridge_mirror_cases,
};

kunit_test_suite(tapbridge_mirror_suite);
