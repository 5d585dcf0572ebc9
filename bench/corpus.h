/*
** corpus.h — the benchmark corpus in memory, shared by bench_analyze and
** peer_icu so that both time exactly the same answers.
*/
#ifndef WM_BENCH_CORPUS_H
#define WM_BENCH_CORPUS_H

#include <stddef.h>

/* The corpus in memory and where each answer lies in it. */
typedef struct corpus {
    char *data;       /* the file's bytes */
    size_t len;       /* bytes in data */
    size_t *starts;   /* start of answer i */
    size_t *lens;     /* bytes of answer i, without the newline */
    size_t n_lines;   /* answers */
} corpus;

/* Reads a whole file and indexes its lines (outside any timing; a last
** line without '\n' counts). Returns 0, or -1 after saying why on stderr,
** prefixed with prog; corpus_free() is safe either way. */
int corpus_read(corpus *c, const char *path, const char *prog);

/* Frees what corpus_read() allocated. */
void corpus_free(corpus *c);

/* Monotonic wall time in seconds. */
double now_seconds(void);

#endif /* WM_BENCH_CORPUS_H */
