/*
** wm_wbtest.h — runs Unicode's WordBreakTest.txt against a segmenter.
**
** Both the segmenter's unit test and the public API's golden test feed the
** same file through this runner, each with its own way of segmenting.
*/
#ifndef WM_WBTEST_H
#define WM_WBTEST_H

#include <stddef.h>

/* Segments text[0..len) and writes the end offset of each segment, in
** order, to ends[] (room for max); returns how many, or -1 on an error. */
typedef int (*wm_wbtest_segmenter)(void *ctx, const unsigned char *text,
                                   size_t len, size_t *ends, int max);

/* Runs every case of the file at path through seg, recording one check per
** case (a failing case is printed with its line). Returns the number of
** cases run, 0 when the file cannot be read. */
int wm_wbtest_run(const char *path, wm_wbtest_segmenter seg, void *ctx);

#endif /* WM_WBTEST_H */
