/*
** corpus.c — see corpus.h.
*/
#define _POSIX_C_SOURCE 200809L

#include "corpus.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Monotonic wall time in seconds. */
double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Reads a whole file and indexes its lines; see corpus.h. */
int corpus_read(corpus *c, const char *path, const char *prog)
{
    memset(c, 0, sizeof *c);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "%s: cannot open %s: %s\n", prog, path,
                strerror(errno));
        return -1;
    }
    size_t cap = 1 << 24;
    c->data = malloc(cap);
    for (;;) {
        if (!c->data) {
            fprintf(stderr, "%s: out of memory reading %s\n", prog, path);
            fclose(f);
            return -1;
        }
        c->len += fread(c->data + c->len, 1, cap - c->len, f);
        if (c->len < cap)
            break;
        cap *= 2;
        char *grown = realloc(c->data, cap);
        if (!grown)
            free(c->data);
        c->data = grown;
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        fprintf(stderr, "%s: read error on %s\n", prog, path);
        return -1;
    }

    /* Index the lines once, outside the timing (the Python peer splits its
    ** lines outside the timing too). A last line without '\n' counts. */
    size_t n = 0;
    for (size_t i = 0; i < c->len; i++)
        n += c->data[i] == '\n';
    n += c->len > 0 && c->data[c->len - 1] != '\n';
    c->starts = malloc((n ? n : 1) * sizeof *c->starts);
    c->lens = malloc((n ? n : 1) * sizeof *c->lens);
    if (!c->starts || !c->lens) {
        fprintf(stderr, "%s: out of memory\n", prog);
        return -1;
    }
    size_t pos = 0;
    while (pos < c->len) {
        const char *nl = memchr(c->data + pos, '\n', c->len - pos);
        size_t end = nl ? (size_t)(nl - c->data) : c->len;
        c->starts[c->n_lines] = pos;
        c->lens[c->n_lines] = end - pos;
        c->n_lines++;
        pos = end + 1;
    }
    return 0;
}

/* Frees what corpus_read() allocated. */
void corpus_free(corpus *c)
{
    free(c->data);
    free(c->starts);
    free(c->lens);
}
