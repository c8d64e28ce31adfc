// SPDX-License-Identifier: GPL-2.0
/* taptool's main(): everything is in tt_main(), see taptool.c. */
#include "taptool.h"

int main(int argc, char **argv)
{
	return tt_main(argc, argv);
}
