/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The words taptool reads and prints for the family's enums: one table
 * per enum, shared by the grammar (taptool.c) and the printer (output.c),
 * so that what show prints is what add takes.
 */
#ifndef _TT_NAMES_H
#define _TT_NAMES_H

#include <stdbool.h>
#include <stdint.h>

/**
 * struct tt_word - one word of an enum, and its value
 * @word: as typed and printed
 * @value: the enum's value; tables end with an entry whose @word is NULL
 */
struct tt_word {
	const char *word;
	uint32_t value;
};

extern const struct tt_word tt_mode_words[];
extern const struct tt_word tt_direction_words[];
extern const struct tt_word tt_tpid_words[];
extern const struct tt_word tt_on_off_words[];
extern const struct tt_word tt_event_words[];
extern const struct tt_word tt_port_loss_words[];
extern const struct tt_word tt_port_state_words[];

const char *tt_word_of(const struct tt_word *table, uint32_t value);
bool tt_value_of(const struct tt_word *table, const char *word,
		 uint32_t *value);

#endif /* _TT_NAMES_H */
