/*
** wm_test.h — the few helpers every test program shares.
**
** A test is a plain program: it runs its checks, prints each failure with
** file and line, prints "N passed, N failed" and exits non-zero when any
** check failed. No framework to install, and ctest reads the exit code.
*/
#ifndef WM_TEST_H
#define WM_TEST_H

#include <stddef.h>
#include <stdio.h>

extern int wm_test_failures; /* checks failed so far */
extern int wm_test_passes;   /* checks passed so far */

/* Records a check; prints the failure with its location and message. */
int wm_test_check(int ok, const char *file, int line, const char *what);

/* Compares two byte strings; prints both on a mismatch. */
int wm_test_check_bytes(const char *got, size_t got_len, const char *want,
                        size_t want_len, const char *file, int line,
                        const char *what);

/* Prints the closing line and returns the exit status for main(). */
int wm_test_finish(void);

/* Reads a whole file into a malloc'd buffer (NUL-terminated); NULL and a
** message on stderr when it cannot. */
char *wm_test_read_file(const char *path, size_t *len);

/* A plugin host's realloc and free, for a test that drives a plugin
** directly (its wm_host's ctx points to a long): they count the blocks the
** plugin holds in that long, so the test can check it is 0 once the
** instance and its workers are gone. */
void *wm_test_host_realloc(void *ctx, void *ptr, size_t size);
void wm_test_host_free(void *ctx, void *ptr);

#define CHECK(cond) wm_test_check(!!(cond), __FILE__, __LINE__, #cond)
#define CHECK_MSG(cond, msg) wm_test_check(!!(cond), __FILE__, __LINE__, (msg))
#define CHECK_RC(expr, want)                                                 \
    wm_test_check((expr) == (want), __FILE__, __LINE__, #expr " == " #want)
#define CHECK_STR(got, got_len, want)                                        \
    wm_test_check_bytes((got), (got_len), (want), strlen(want), __FILE__,    \
                        __LINE__, #got)

#endif /* WM_TEST_H */
