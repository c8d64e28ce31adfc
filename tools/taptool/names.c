// SPDX-License-Identifier: GPL-2.0
/*
 * Words of the family's enums. The spec (uapi/tapbridge.yaml) names the
 * entries; where taptool's word differs (802.1q for the spec's 8021q) the
 * operator's spelling wins. tests/check_spec.py checks that every entry of
 * each enum has a word here.
 */
#include <string.h>

#include <linux/tapbridge.h>

#include "names.h"

const struct tt_word tt_mode_words[] = {
	{ "aggregate",	TAPBRIDGE_MODE_AGGREGATE },
	{ "split",	TAPBRIDGE_MODE_SPLIT },
	{ "custom",	TAPBRIDGE_MODE_CUSTOM },
	{ }
};

const struct tt_word tt_direction_words[] = {
	{ "a-b",	TAPBRIDGE_DIRECTION_A_B },
	{ "b-a",	TAPBRIDGE_DIRECTION_B_A },
	{ "both",	TAPBRIDGE_DIRECTION_BOTH },
	{ }
};

const struct tt_word tt_tpid_words[] = {
	{ "802.1q",	TAPBRIDGE_TPID_8021Q },
	{ "802.1ad",	TAPBRIDGE_TPID_8021AD },
	{ }
};

const struct tt_word tt_on_off_words[] = {
	{ "on",		1 },
	{ "off",	0 },
	{ }
};

const struct tt_word tt_event_words[] = {
	{ "created",		TAPBRIDGE_EVENT_TYPE_CREATED },
	{ "changed",		TAPBRIDGE_EVENT_TYPE_CHANGED },
	{ "deleted",		TAPBRIDGE_EVENT_TYPE_DELETED },
	{ "carrier-up",		TAPBRIDGE_EVENT_TYPE_CARRIER_UP },
	{ "carrier-down",	TAPBRIDGE_EVENT_TYPE_CARRIER_DOWN },
	{ "propagation-down",	TAPBRIDGE_EVENT_TYPE_PROPAGATION_DOWN },
	{ "propagation-up",	TAPBRIDGE_EVENT_TYPE_PROPAGATION_UP },
	{ "port-lost",		TAPBRIDGE_EVENT_TYPE_PORT_LOST },
	{ "mirror-lost",	TAPBRIDGE_EVENT_TYPE_MIRROR_LOST },
	{ "port-returned",	TAPBRIDGE_EVENT_TYPE_PORT_RETURNED },
	{ "port-refused",	TAPBRIDGE_EVENT_TYPE_PORT_REFUSED },
	{ "stats-reset",	TAPBRIDGE_EVENT_TYPE_STATS_RESET },
	{ }
};

const struct tt_word tt_port_loss_words[] = {
	{ "delete",	TAPBRIDGE_PORT_LOSS_DELETE },
	{ "wait",	TAPBRIDGE_PORT_LOSS_WAIT },
	{ }
};

const struct tt_word tt_port_state_words[] = {
	{ "attached",	TAPBRIDGE_PORT_STATE_ATTACHED },
	{ "waiting",	TAPBRIDGE_PORT_STATE_WAITING },
	{ }
};

/**
 * tt_word_of - the word of a value
 * @table: one of the tables above
 * @value: the enum's value
 *
 * Return: the word, NULL for a value the table does not have (one from a
 * newer kernel).
 */
const char *tt_word_of(const struct tt_word *table, uint32_t value)
{
	for (; table->word; table++)
		if (table->value == value)
			return table->word;
	return NULL;
}

/**
 * tt_value_of - the value of a word, which must be typed in full
 * @table: one of the tables above
 * @word: as typed
 * @value: set when the word is found
 *
 * Return: whether @word is in @table.
 */
bool tt_value_of(const struct tt_word *table, const char *word,
		 uint32_t *value)
{
	for (; table->word; table++) {
		if (!strcmp(table->word, word)) {
			*value = table->value;
			return true;
		}
	}
	return false;
}
