/*
** wm_test.c — see wm_test.h.
*/
#include "wm_test.h"

#include <stdlib.h>
#include <string.h>

int wm_test_failures;
int wm_test_passes;

/* Counts a check and reports a failure where it happened. */
int wm_test_check(int ok, const char *file, int line, const char *what)
{
    if (ok) {
        wm_test_passes++;
        return 1;
    }
    wm_test_failures++;
    fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what);
    return 0;
}

/* Compares bytes and shows both sides on a mismatch. */
int wm_test_check_bytes(const char *got, size_t got_len, const char *want,
                        size_t want_len, const char *file, int line,
                        const char *what)
{
    int ok = got_len == want_len && (want_len == 0 || memcmp(got, want, want_len) == 0);
    if (!ok)
        fprintf(stderr, "%s:%d: %s: got \"%.*s\", want \"%.*s\"\n", file, line,
                what, (int)got_len, got ? got : "", (int)want_len, want);
    return wm_test_check(ok, file, line, what);
}

/* The closing line that ctest logs and CI reads. */
int wm_test_finish(void)
{
    printf("%d passed, %d failed\n", wm_test_passes, wm_test_failures);
    return wm_test_failures ? 1 : 0;
}

/* Slurps a file for tests that read reference data. */
char *wm_test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        return NULL;
    }
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fprintf(stderr, "cannot size %s\n", path);
        fclose(f);
        return NULL;
    }
    buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "cannot read %s\n", path);
        free(buf);
        fclose(f);
        return NULL;
    }
    buf[n] = '\0';
    *len = (size_t)n;
    fclose(f);
    return buf;
}

void *wm_test_host_realloc(void *ctx, void *ptr, size_t size)
{
    void *q = realloc(ptr, size ? size : 1);

    if (q && !ptr)
        ++*(long *)ctx;
    return q;
}

void wm_test_host_free(void *ctx, void *ptr)
{
    if (ptr)
        --*(long *)ctx;
    free(ptr);
}
