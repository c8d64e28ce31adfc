// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: which requests tapbridge_request_validate() accepts, and the exact
 * message of each refusal.
 */

#include <kunit/test.h>
#include <linux/netlink.h>

#include "tapbridge.h"

static const struct tapbridge_request tapbridge_test_aggregate = {
	.port = { 2, 3 },
	.mode = TAPBRIDGE_MODE_AGGREGATE,
	.mirror = 4,
};

static const struct tapbridge_request tapbridge_test_split = {
	.port = { 2, 3 },
	.mode = TAPBRIDGE_MODE_SPLIT,
	.mirror_dir = { 4, 5 },
};

/* Expect a refusal with exactly @msg. */
static void tapbridge_expect_refused(struct kunit *test,
				     const struct tapbridge_request *req,
				     const char *msg)
{
	struct netlink_ext_ack extack = {};

	KUNIT_EXPECT_EQ(test, tapbridge_request_validate(req, &extack), -EINVAL);
	KUNIT_ASSERT_NOT_NULL(test, extack._msg);
	KUNIT_EXPECT_STREQ(test, extack._msg, msg);
}

static void tapbridge_config_accepts_aggregate(struct kunit *test)
{
	struct netlink_ext_ack extack = {};

	KUNIT_EXPECT_EQ(test,
			tapbridge_request_validate(&tapbridge_test_aggregate,
						   &extack), 0);
	KUNIT_EXPECT_NULL(test, extack._msg);
}

static void tapbridge_config_accepts_split(struct kunit *test)
{
	struct netlink_ext_ack extack = {};

	KUNIT_EXPECT_EQ(test,
			tapbridge_request_validate(&tapbridge_test_split,
						   &extack), 0);
	KUNIT_EXPECT_NULL(test, extack._msg);
}

/* A set request carries no ports; the mirror checks still apply. */
static void tapbridge_config_accepts_set_without_ports(struct kunit *test)
{
	struct tapbridge_request req = tapbridge_test_split;
	struct netlink_ext_ack extack = {};

	req.port[TAPBRIDGE_PORT_A] = 0;
	req.port[TAPBRIDGE_PORT_B] = 0;
	KUNIT_EXPECT_EQ(test, tapbridge_request_validate(&req, &extack), 0);
}

static void tapbridge_config_refuses_no_mode(struct kunit *test)
{
	struct tapbridge_request req = tapbridge_test_aggregate;

	req.mode = 0;
	tapbridge_expect_refused(test, &req, "missing or unknown mode");
	req.mode = TAPBRIDGE_MODE_CUSTOM + 1;
	tapbridge_expect_refused(test, &req, "missing or unknown mode");
}

static void tapbridge_config_refuses_aggregate_without_mirror(struct kunit *test)
{
	struct tapbridge_request req = tapbridge_test_aggregate;

	req.mirror = 0;
	tapbridge_expect_refused(test, &req,
				 "aggregate mode needs a mirror, or capture on");
}

/* The capture device is the sensor's port: no mirror, and no preset one. */
static void tapbridge_config_accepts_capture_without_mirror(struct kunit *test)
{
	struct tapbridge_request req = tapbridge_test_aggregate;
	struct tapbridge_mirror_conf confs[TAPBRIDGE_DIR_COUNT];
	struct netlink_ext_ack extack = {};

	req.mirror = 0;
	req.capture = true;
	KUNIT_EXPECT_EQ(test, tapbridge_request_validate(&req, &extack), 0);
	KUNIT_EXPECT_NULL(test, extack._msg);
	KUNIT_EXPECT_EQ(test, tapbridge_request_confs(&req, confs), 0);
}

static void tapbridge_config_refuses_aggregate_with_split_mirrors(struct kunit *test)
{
	struct tapbridge_request req = tapbridge_test_aggregate;

	req.mirror_dir[TAPBRIDGE_DIR_BA] = 5;
	tapbridge_expect_refused(test, &req,
				 "aggregate mode takes one mirror, not mirror-ab or mirror-ba");
}

static void tapbridge_config_refuses_split_without_both(struct kunit *test)
{
	struct tapbridge_request req = tapbridge_test_split;

	req.mirror_dir[TAPBRIDGE_DIR_BA] = 0;
	tapbridge_expect_refused(test, &req,
				 "split mode needs both mirror-ab and mirror-ba");
	req = tapbridge_test_split;
	req.mirror_dir[TAPBRIDGE_DIR_AB] = 0;
	tapbridge_expect_refused(test, &req,
				 "split mode needs both mirror-ab and mirror-ba");
}

static void tapbridge_config_refuses_split_with_mirror(struct kunit *test)
{
	struct tapbridge_request req = tapbridge_test_split;

	req.mirror = 6;
	tapbridge_expect_refused(test, &req,
				 "split mode takes mirror-ab and mirror-ba, not mirror");
}

static void tapbridge_config_refuses_same_ports(struct kunit *test)
{
	struct tapbridge_request req = tapbridge_test_aggregate;

	req.port[TAPBRIDGE_PORT_B] = req.port[TAPBRIDGE_PORT_A];
	tapbridge_expect_refused(test, &req,
				 "port-a and port-b must be two different devices");
}

static void tapbridge_config_refuses_mirror_on_port(struct kunit *test)
{
	struct tapbridge_request req = tapbridge_test_aggregate;

	req.mirror = req.port[TAPBRIDGE_PORT_B];
	tapbridge_expect_refused(test, &req,
				 "mirror cannot be port B of the same instance");

	req = tapbridge_test_split;
	req.mirror_dir[TAPBRIDGE_DIR_BA] = req.port[TAPBRIDGE_PORT_A];
	tapbridge_expect_refused(test, &req,
				 "mirror-ba cannot be port A of the same instance");
}

static void tapbridge_config_refuses_custom(struct kunit *test)
{
	struct tapbridge_request req = tapbridge_test_aggregate;

	req.mode = TAPBRIDGE_MODE_CUSTOM;
	tapbridge_expect_refused(test, &req,
				 "mode custom is not set directly: it is what mirror add and mirror del make");
}

static void tapbridge_config_preset_aggregate_is_one_mirror(struct kunit *test)
{
	struct tapbridge_mirror_conf confs[TAPBRIDGE_DIR_COUNT];

	KUNIT_ASSERT_EQ(test, tapbridge_request_confs(&tapbridge_test_aggregate,
						      confs), 1);
	KUNIT_EXPECT_EQ(test, confs[0].ifindex, 4);
	KUNIT_EXPECT_EQ(test, confs[0].dirs,
			BIT(TAPBRIDGE_DIR_AB) | BIT(TAPBRIDGE_DIR_BA));
	KUNIT_EXPECT_EQ(test, confs[0].snaplen, 0);
	KUNIT_EXPECT_EQ(test, confs[0].tag_vid[TAPBRIDGE_DIR_AB], 0);
	KUNIT_EXPECT_EQ(test, confs[0].tag_vid[TAPBRIDGE_DIR_BA], 0);
	KUNIT_EXPECT_FALSE(test, confs[0].rx_pass);
}

static void tapbridge_config_preset_split_is_one_per_direction(struct kunit *test)
{
	struct tapbridge_mirror_conf confs[TAPBRIDGE_DIR_COUNT];

	KUNIT_ASSERT_EQ(test, tapbridge_request_confs(&tapbridge_test_split,
						      confs), 2);
	KUNIT_EXPECT_EQ(test, confs[0].ifindex, 4);
	KUNIT_EXPECT_EQ(test, confs[0].dirs, BIT(TAPBRIDGE_DIR_AB));
	KUNIT_EXPECT_EQ(test, confs[1].ifindex, 5);
	KUNIT_EXPECT_EQ(test, confs[1].dirs, BIT(TAPBRIDGE_DIR_BA));
}

/* One device as mirror-ab and mirror-ba is one mirror of both. */
static void tapbridge_config_preset_split_same_device(struct kunit *test)
{
	struct tapbridge_request req = tapbridge_test_split;
	struct tapbridge_mirror_conf confs[TAPBRIDGE_DIR_COUNT];

	req.mirror_dir[TAPBRIDGE_DIR_BA] = req.mirror_dir[TAPBRIDGE_DIR_AB];
	KUNIT_ASSERT_EQ(test, tapbridge_request_confs(&req, confs), 1);
	KUNIT_EXPECT_EQ(test, confs[0].ifindex, 4);
	KUNIT_EXPECT_EQ(test, confs[0].dirs,
			BIT(TAPBRIDGE_DIR_AB) | BIT(TAPBRIDGE_DIR_BA));
}

static struct kunit_case tapbridge_config_cases[] = {
	KUNIT_CASE(tapbridge_config_accepts_aggregate),
	KUNIT_CASE(tapbridge_config_accepts_split),
	KUNIT_CASE(tapbridge_config_accepts_set_without_ports),
	KUNIT_CASE(tapbridge_config_refuses_no_mode),
	KUNIT_CASE(tapbridge_config_refuses_aggregate_without_mirror),
	KUNIT_CASE(tapbridge_config_accepts_capture_without_mirror),
	KUNIT_CASE(tapbridge_config_refuses_aggregate_with_split_mirrors),
	KUNIT_CASE(tapbridge_config_refuses_split_without_both),
	KUNIT_CASE(tapbridge_config_refuses_split_with_mirror),
	KUNIT_CASE(tapbridge_config_refuses_same_ports),
	KUNIT_CASE(tapbridge_config_refuses_mirror_on_port),
	KUNIT_CASE(tapbridge_config_refuses_custom),
	KUNIT_CASE(tapbridge_config_preset_aggregate_is_one_mirror),
	KUNIT_CASE(tapbridge_config_preset_split_is_one_per_direction),
	KUNIT_CASE(tapbridge_config_preset_split_same_device),
	{}
};

static struct kunit_suite tapbridge_config_suite = {
	.name = "tapbridge_config",
	.test_cases = tapbridge_config_cases,
};

kunit_test_suite(tapbridge_config_suite);
