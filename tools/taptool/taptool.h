/* SPDX-License-Identifier: GPL-2.0 */
/*
 * taptool's entry point, separate from main() so that a harness (the
 * argument grammar's fuzzer) can run command lines in one process.
 */
#ifndef _TT_TAPTOOL_H
#define _TT_TAPTOOL_H

int tt_main(int argc, char **argv);

#endif /* _TT_TAPTOOL_H */
