/*
** pipeline.c — classify's batches and threads (pipeline.h).
**
** Two slots, each a batch of records with their results, classified as
** numbered jobs: job j in slot j % 2. The main thread posts job j + 1 as
** soon as it has read it, before job j is done, so a worker that finds
** nothing left in job j goes straight on to job j + 1 instead of waiting
** at a barrier for the slowest worker and for the main thread to wake up
** (with batches of a millisecond, that wait was a tenth of the time of
** two workers). While the workers classify job j + 1, the main thread
** writes job j and then reads job j + 2 into the slot it has just
** written; so reading, classifying and writing overlap, and two batches
** are all that is ever held.
**
** Workers take records from the batch by an atomic counter, a few at a
** time (the cost of an answer varies a lot, so a static split would leave
** threads idle), and store each result at the record's index: what a
** record gets depends on the record alone, never on which thread or in
** what order, so the output is the same bytes for every --threads. A
** result is copied out of the analyzer's borrowed wm_classification into
** the worker's arena for that slot, which is emptied when the slot is
** reused; the worker then formats the record as the writer will write it
** (cli_formatter) into the same arena, so the main thread's share of a
** record is a copy of its bytes, and formatting scales with the workers.
**
** When there are at least as many threads as cores (the default, threads
** = cores), the main thread is one of the threads that classify: it starts
** threads - 1 workers and, instead of sleeping until job j is done, takes
** records of job j itself. Three busy threads on two cores made the
** scheduler preempt a worker for the main thread's reading and writing
** at every batch (some six context switches a batch, and the caches of
** the worker pushed aside); now each core has one thread, and while the
** other workers finish their last chunk of job j the main thread takes
** records of job j + 1 (cli_wait), so it hardly ever sleeps. With fewer
** threads than cores (--threads 1 above all) the main thread keeps to
** reading and writing, which then overlap the workers on a core that
** would be idle.
*/
#define _POSIX_C_SOURCE 200809L /* clock_gettime() under -std=c11 */

#include "pipeline.h"

#include <errno.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Records a worker takes from the counter at once. */
#define CLI_CHUNK 8

/* Languages (and spellings of them, "no" and "nb") a worker keeps an
** analyzer for. Only supported codes get one, so this is never reached
** in practice; beyond it a worker makes and frees one per record. */
#define CLI_MAX_ANALYZERS 16

/* A worker formats a record itself (cli_formatter) when its answer is at
** most this long and it has formatted less than the budget for the slot;
** the main thread formats the rest. The bytes wait in the worker's arena
** until written, so the two bound what formatting ahead adds to a batch:
** some 4 MiB per worker and slot, whatever the answers hold. */
#define CLI_FORMAT_MAX_TEXT ((size_t)64 << 10)
#define CLI_FORMAT_BUDGET ((size_t)4 << 20)

/* The longest language code read from a --lang-column field. */
#define CLI_LANG_CODE_MAX 15

/* ------------------------------------------------------------------------
** Arenas: per worker and slot, emptied when the slot is reused
** --------------------------------------------------------------------- */

/* One block of an arena. */
typedef struct cli_block {
    struct cli_block *next; /* the next block, or NULL */
    size_t size;            /* bytes in data */
    size_t used;            /* bytes handed out */
    alignas(max_align_t) unsigned char data[]; /* the memory */
} cli_block;

/* A bump allocator. */
typedef struct cli_arena {
    cli_block *head; /* the block being filled (the newest) */
} cli_arena;

/* The size of an arena's usual block. */
#define CLI_BLOCK_SIZE ((size_t)64 << 10)

/* n bytes aligned for any type, or NULL when memory runs out. */
static void *cli_arena_alloc(cli_arena *a, size_t n)
{
    size_t align = alignof(max_align_t);
    cli_block *b = a->head;

    n = (n + align - 1) & ~(align - 1);
    if (n == 0)
        n = align;
    if (b == NULL || b->size - b->used < n) {
        size_t size = n > CLI_BLOCK_SIZE ? n : CLI_BLOCK_SIZE;
        b = malloc(sizeof *b + size);
        if (b == NULL)
            return NULL;
        b->next = a->head;
        b->size = size;
        b->used = 0;
        a->head = b;
    }
    b->used += n;
    return b->data + b->used - n;
}

/* A copy of bytes, or NULL. */
static void *cli_arena_copy(cli_arena *a, const void *p, size_t n)
{
    void *q = cli_arena_alloc(a, n);

    if (q != NULL && n > 0)
        memcpy(q, p, n);
    return q;
}

/* Empties the arena, keeping one usual block for the next batch. */
static void cli_arena_reset(cli_arena *a)
{
    cli_block *keep = NULL;

    while (a->head != NULL) {
        cli_block *b = a->head;
        a->head = b->next;
        if (keep == NULL && b->size == CLI_BLOCK_SIZE) {
            keep = b;
            continue;
        }
        free(b);
    }
    if (keep != NULL) {
        keep->next = NULL;
        keep->used = 0;
    }
    a->head = keep;
}

/* Frees the arena. */
static void cli_arena_free(cli_arena *a)
{
    cli_arena_reset(a);
    free(a->head);
    a->head = NULL;
}

/* ------------------------------------------------------------------------
** The state of a run
** --------------------------------------------------------------------- */

/* A batch and its results. */
typedef struct cli_slot {
    cli_batch *batch;      /* the reader's records */
    size_t n;              /* records in it */
    cli_record **records;  /* [CLI_BATCH_RECORDS] the records, taken from
                              the batch by the main thread */
    cli_result *results;   /* [CLI_BATCH_RECORDS] one per record */
    int *by;               /* [CLI_BATCH_RECORDS] the worker whose
                              formatter for the slot holds the record as
                              written, or -1: the main thread formats it */
    size_t *bytes_off;     /* [CLI_BATCH_RECORDS] where its bytes start in
                              that formatter's buffer */
    size_t *bytes_len;     /* [CLI_BATCH_RECORDS] their lengths */
    cli_arena *arenas;     /* [threads] each worker's memory for it */
    atomic_size_t next;    /* the next record to take */
    unsigned long job;     /* the job it holds, 0 when none may be
                              entered (guarded by the pipeline's lock) */
    size_t inside;         /* workers in the job (guarded by the lock) */
} cli_slot;

typedef struct cli_pipeline cli_pipeline;

/* An analyzer a worker made, under the language code it was asked for. */
typedef struct cli_lang_analyzer {
    char code[CLI_LANG_CODE_MAX + 1]; /* "sv", "no", ... */
    wm_analyzer *analyzer;            /* the worker's own */
} cli_lang_analyzer;

/* One worker thread. */
typedef struct cli_worker {
    cli_pipeline *p;      /* the run */
    size_t index;         /* 0..threads-1: its arena in each slot */
    pthread_t thread;     /* the thread */
    int started;          /* 1 once the thread runs */
    cli_lang_analyzer analyzers[CLI_MAX_ANALYZERS]; /* made so far */
    size_t n_analyzers;   /* how many */
    const wm_analyzer *lang_of; /* the analyzer whose language lang is */
    const char *lang;     /* its wm_analyzer_lang(), asked once */
    cli_formatter *fmt[2]; /* formats its records of each slot for the
                              writer (cleared as the slot's arena is), or
                              NULL */
    size_t formatted[2];  /* bytes it formatted for each slot's job */
    unsigned long entered[2]; /* the job it entered last in each slot */
} cli_worker;

struct cli_pipeline {
    const cli_pipeline_config *cfg; /* as given */
    const cli_writer *writer; /* whose formatters the workers use */
    size_t n_areas;         /* the taxonomy's areas */
    cli_slot slots[2];      /* the two batches */
    cli_worker *workers;    /* [cfg->threads]: the threads started,
                               then the main thread's when it helps */
    size_t n_workers;       /* threads started */
    cli_worker *helper;     /* the main thread's worker state when it
                               classifies too, else NULL */
    cli_span *spans;        /* [CLI_BATCH_RECORDS] a slot's runs of
                               formatted records, for the writer */

    pthread_mutex_t lock;   /* guards the fields below and the slots'
                               job and inside */
    pthread_cond_t work;    /* a job was posted, or quit */
    pthread_cond_t done;    /* a job's last worker left it */
    unsigned long posted;   /* number of the job posted last (from 1) */
    int quit;               /* workers must end */
};

/* ------------------------------------------------------------------------
** Classifying one record
** --------------------------------------------------------------------- */

/*
** Sets the result's status and message: "NAME: record N (line L, byte B):
** what", the message of the contract, in the worker's arena. Returns 0,
** or -1 when memory runs out (the result is then fatal).
*/
static int cli_result_set(cli_result *res, cli_arena *arena,
                          const cli_pipeline_config *cfg,
                          const cli_record *rec, int status, int fatal,
                          const char *fmt, ...) CLI_PRINTF(7, 8);

static int cli_result_set(cli_result *res, cli_arena *arena,
                          const cli_pipeline_config *cfg,
                          const cli_record *rec, int status, int fatal,
                          const char *fmt, ...)
{
    char what[1024];
    char where[96];
    char *msg;
    int n;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    /* msgpack has no lines: its records say line 0, and only the byte. */
    if (rec->line > 0)
        snprintf(where, sizeof where, "record %llu (line %llu, byte %llu)",
                 (unsigned long long)rec->number,
                 (unsigned long long)rec->line,
                 (unsigned long long)rec->offset);
    else
        snprintf(where, sizeof where, "record %llu (byte %llu)",
                 (unsigned long long)rec->number,
                 (unsigned long long)rec->offset);
    n = snprintf(NULL, 0, "%s: %s: %s", cfg->input_name, where, what);
    res->status = status;
    res->fatal = fatal;
    msg = n >= 0 ? cli_arena_alloc(arena, (size_t)n + 1) : NULL;
    if (msg == NULL) {
        res->fatal = 1;
        res->message = wm_strerror(WM_ENOMEM);
        return -1;
    }
    snprintf(msg, (size_t)n + 1, "%s: %s: %s", cfg->input_name, where, what);
    res->message = msg;
    return 0;
}

/* Copies a language code (at most CLI_LANG_CODE_MAX bytes kept) into the
** CLI_LANG_CODE_MAX + 1 bytes of code, the rest zero (so that two codes
** compare as one block, cli_worker_analyzer): a byte loop, as a code is a
** few bytes, not strlen and memcpy per record. */
static void cli_copy_code(char *code, const char *from)
{
    memset(code, 0, CLI_LANG_CODE_MAX + 1);
    for (size_t n = 0; n < CLI_LANG_CODE_MAX && from[n] != '\0'; n++)
        code[n] = from[n];
}

/*
** The worker's analyzer for a language code, made the first time. NULL
** with *rc set when it cannot be made (WM_ELANG for a code the library
** does not know; anything else is a failure of the library).
*/
static wm_analyzer *cli_worker_analyzer(cli_worker *w, const char *code,
                                        int *rc)
{
    wm_analyzer *a = NULL;

    /* Both codes fill their CLI_LANG_CODE_MAX + 1 bytes with zeros after
    ** the code (cli_copy_code, cli_record_lang): equal codes, equal blocks. */
    for (size_t i = 0; i < w->n_analyzers; i++) {
        if (memcmp(w->analyzers[i].code, code, CLI_LANG_CODE_MAX + 1) == 0)
            return w->analyzers[i].analyzer;
    }
    *rc = wm_analyzer_new(w->p->cfg->engine, code, &a);
    if (*rc != WM_OK)
        return NULL;
    if (w->n_analyzers == CLI_MAX_ANALYZERS) {
        /* Should never happen: free the oldest to stay bounded (and
        ** forget its language: another may get its address). */
        if (w->lang_of == w->analyzers[0].analyzer)
            w->lang_of = NULL;
        wm_analyzer_free(w->analyzers[0].analyzer);
        memmove(&w->analyzers[0], &w->analyzers[1],
                (CLI_MAX_ANALYZERS - 1) * sizeof w->analyzers[0]);
        w->n_analyzers--;
    }
    cli_copy_code(w->analyzers[w->n_analyzers].code, code);
    w->analyzers[w->n_analyzers].analyzer = a;
    w->n_analyzers++;
    return a;
}

/* 1 when the answer holds nothing but ASCII white space (or nothing). */
static int cli_blank(const char *text, size_t text_len)
{
    for (size_t i = 0; i < text_len; i++) {
        char c = text[i];
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '\f'
            && c != '\v')
            return 0;
    }
    return 1;
}

/*
** The language of a record, in this order: its --lang-column field when
** not empty (lower-cased, spaces trimmed; a value the library does not
** support is lang_unknown, not a reason to guess), else --lang L, else
** with --lang auto the detected language, else --lang-fallback. Writes the
** code into code (CLI_LANG_CODE_MAX + 1 bytes, zeros after it) and
** returns 1; or returns 0 with why[] saying what was missing.
*/
static int cli_record_lang(const cli_pipeline_config *cfg,
                           const cli_record *rec, char *code, char *why,
                           size_t why_size)
{
    const char *detected = NULL;

    memset(code, 0, CLI_LANG_CODE_MAX + 1);
    if (cfg->lang_column != NULL && rec->lang != NULL) {
        const char *v = rec->lang;
        size_t len = rec->lang_len;

        while (len > 0 && (*v == ' ' || *v == '\t')) {
            v++;
            len--;
        }
        while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t'))
            len--;
        if (len > 0) {
            size_t i;
            for (i = 0; i < len && i < CLI_LANG_CODE_MAX; i++) {
                char c = v[i];
                code[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
                if (c == '\0')
                    break;
            }
            code[i] = '\0';
            if (i == len && wm_lang_check(code) == WM_OK)
                return 1;
            snprintf(why, why_size, "unsupported language '%.*s' in column "
                     "'%s'", (int)(len > 32 ? 32 : len), v, cfg->lang_column);
            return 0;
        }
    }
    if (cfg->lang != NULL) {
        cli_copy_code(code, cfg->lang);
        return 1;
    }
    if (cfg->lang_auto
        && wm_engine_detect_lang(cfg->engine, rec->text, rec->text_len, &detected, NULL)
               == WM_OK
        && detected != NULL) {
        cli_copy_code(code, detected);
        return 1;
    }
    if (cfg->lang_fallback != NULL) {
        cli_copy_code(code, cfg->lang_fallback);
        return 1;
    }
    if (cfg->lang_auto)
        snprintf(why, why_size, "no language detected (too short or no "
                 "clue; --lang-fallback gives one)");
    else
        snprintf(why, why_size, "no language in column '%s'",
                 cfg->lang_column != NULL ? cfg->lang_column : "?");
    return 0;
}

/*
** The analyzer for record i's language, made the first time: NULL when
** there is none, with the result settled (lang_unknown, an empty answer,
** invalid UTF-8, or a fatal failure of the library).
*/
static wm_analyzer *cli_record_analyzer(cli_worker *w, cli_arena *arena,
                                        const cli_record *rec, cli_result *res)
{
    const cli_pipeline_config *cfg = w->p->cfg;
    wm_analyzer *analyzer;
    char code[CLI_LANG_CODE_MAX + 1];
    char why[256];
    size_t bad = 0;
    int valid;
    int rc = WM_OK;

    /* With --lang L and no language column every record asks for L: once
    ** the worker has made its analyzer (its only one), that is the one,
    ** without copying and comparing the code per record. */
    if (cfg->lang != NULL && cfg->lang_column == NULL && w->n_analyzers == 1)
        return w->analyzers[0].analyzer;
    if (!cli_record_lang(cfg, rec, code, why, sizeof why)) {
        valid = cli_utf8_valid(rec->text, rec->text_len, &bad);
        res->text_valid = valid ? CLI_TEXT_VALID : 0;
        if (!valid)
            cli_result_set(res, arena, cfg, rec, CLI_ST_INVALID_UTF8, 0,
                           "invalid UTF-8 at byte %zu of the answer", bad);
        else if (cli_blank(rec->text, rec->text_len))
            res->coded = 1; /* an empty answer is ok, with no area */
        else
            cli_result_set(res, arena, cfg, rec, CLI_ST_LANG_UNKNOWN, 0,
                           "%s", why);
        return NULL;
    }
    analyzer = cli_worker_analyzer(w, code, &rc);
    if (analyzer == NULL) {
        if (rc == WM_ELANG)
            cli_result_set(res, arena, cfg, rec, CLI_ST_LANG_UNKNOWN, 0,
                           "unsupported language '%s'", code);
        else
            cli_result_set(res, arena, cfg, rec, CLI_ST_OK, 1,
                           "cannot make an analyzer for '%s': %s", code,
                           wm_strerror(rc));
        return NULL;
    }
    return analyzer;
}

/*
** Classifies record i of the slot into its result. The statuses, first
** that applies: bad_row and too_large from the reader; invalid_utf8
** (classified all the same, so the areas are there to look at);
** lang_unknown (not classified); too_large from the library (over the
** engine's own limit); plugin_failed; ok. A failure of the library itself
** (memory, the stemmer) makes the result fatal: the run stops there.
*/
static void cli_classify_record(cli_worker *w, cli_slot *slot, size_t i)
{
    const cli_pipeline_config *cfg = w->p->cfg;
    cli_arena *arena = &slot->arenas[w->index];
    const cli_record *rec = slot->records[i];
    cli_result *res = &slot->results[i];
    const wm_classification *c = NULL;
    wm_analyzer *analyzer;
    size_t bad = 0;
    int valid;
    int rc = WM_OK;

    memset(res, 0, sizeof *res);
    res->status = CLI_ST_OK;
    res->lang = "";
    res->message = "";
    if (rec->status == CLI_REC_BAD_ROW || rec->status == CLI_REC_TOO_LARGE) {
        cli_result_set(res, arena, cfg, rec, rec->status == CLI_REC_BAD_ROW
                       ? CLI_ST_BAD_ROW : CLI_ST_TOO_LARGE, 0, "%s",
                       rec->message != NULL && rec->message[0] != '\0'
                           ? rec->message
                           : rec->status == CLI_REC_BAD_ROW
                               ? "broken record" : "answer over the size limit");
        return;
    }
    analyzer = cli_record_analyzer(w, arena, rec, res);
    if (analyzer == NULL)
        return;
    if (analyzer != w->lang_of) {
        w->lang = wm_analyzer_lang(analyzer);
        w->lang_of = analyzer;
    }
    res->lang = w->lang;
    rc = wm_classify(analyzer, rec->text, rec->text_len, 0, &c);
    if (rc == WM_ETOOBIG) {
        cli_result_set(res, arena, cfg, rec, CLI_ST_TOO_LARGE, 0,
                       "answer of %zu bytes over the engine's limit",
                       rec->text_len);
        return;
    }
    if (rc != WM_OK) {
        const char *msg = wm_analyzer_errmsg(analyzer);
        cli_result_set(res, arena, cfg, rec, CLI_ST_OK, 1, "%s",
                       msg != NULL && msg[0] != '\0' ? msg : wm_strerror(rc));
        return;
    }

    /* The analysis checked the text's UTF-8 on the way (each invalid
    ** sequence is a segment of its own, counted, the first one's offset
    ** kept), so the answer is not checked apart: what cli_utf8_valid
    ** would say, for a pass less over every answer. */
    valid = c->analysis->n_invalid == 0;
    bad = c->analysis->first_invalid;
    res->text_valid = valid ? CLI_TEXT_VALID : 0;

    /* Scores and evidence are the analyzer's until its next answer:
    ** cli_format_ahead formats them now, or copies them to the arena for
    ** the main thread (cli_keep_result). */
    res->coded = 1;
    res->labels = cli_label_mask(c);
    res->scores = c->scores;
    res->n_evidence = c->n_evidence;
    res->evidence = c->evidence;
    if (!valid) {
        cli_result_set(res, arena, cfg, rec, CLI_ST_INVALID_UTF8, 0,
                       "invalid UTF-8 at byte %zu of the answer", bad);
    } else if (c->status & WM_STATUS_PLUGIN_FAILED) {
        char msg[1024];
        cli_result_set(res, arena, cfg, rec, CLI_ST_PLUGIN_FAILED, 0, "%s",
                       cli_plugin_error(cfg->engine, c, msg, sizeof msg));
    }
}

/*
** Formats record i of the slot (slot s of the two) as the writer will
** write it, into the worker's formatter for the slot: the formatting then
** runs on the workers, in parallel, and the main thread only hands bytes
** on (a worker's records of a batch lie one after the other there, so
** mostly in one write). A fatal result, a long answer, a worker over its budget for
** the slot, or memory running out leave the record to the main thread
** (by -1), which writes the same bytes.
*/
static void cli_format_ahead(cli_worker *w, cli_slot *slot, size_t s,
                             size_t i)
{
    cli_formatter *f = w->fmt[s];
    const cli_record *rec = slot->records[i];
    const cli_result *res = &slot->results[i];

    slot->by[i] = -1;
    if (f == NULL || res->fatal || rec->text_len > CLI_FORMAT_MAX_TEXT
        || w->formatted[s] >= CLI_FORMAT_BUDGET)
        return;
    if (cli_formatter_append(f, rec, res, &slot->bytes_off[i],
                             &slot->bytes_len[i]) != 0)
        return;
    slot->by[i] = (int)w->index;
    w->formatted[s] += slot->bytes_len[i];
}

/*
** A record left to the main thread (not formatted ahead) keeps its scores
** and evidence: copied from the analyzer, which the worker's next answer
** reuses, to the worker's arena. A formatted record needs neither (the
** main thread writes its bytes, and reads only its status and message),
** so most records skip the two copies.
*/
static void cli_keep_result(cli_worker *w, cli_slot *slot, size_t i)
{
    cli_arena *arena = &slot->arenas[w->index];
    cli_result *res = &slot->results[i];

    if (slot->by[i] >= 0 || !res->coded || res->fatal)
        return;
    if (res->scores != NULL) {
        res->scores = cli_arena_copy(arena, res->scores,
                                     w->p->n_areas * sizeof *res->scores);
        if (res->scores == NULL)
            goto nomem;
    }
    if (res->evidence != NULL) {
        res->evidence = cli_arena_copy(arena, res->evidence,
                                       res->n_evidence * sizeof *res->evidence);
        if (res->evidence == NULL)
            goto nomem;
    }
    return;
nomem:
    res->fatal = 1;
    res->message = wm_strerror(WM_ENOMEM);
}

/* ------------------------------------------------------------------------
** Workers
** --------------------------------------------------------------------- */

/* Enters the slot's job (a no-op when the worker is in it already): its
** arena and formatter there are emptied. The worker is inside the job, so
** the slot is not reused meanwhile; what they held is job - 2's, which the
** main thread has written already, since the worker entered no job of
** this slot since then. */
static void cli_worker_enter(cli_worker *w, cli_slot *slot, unsigned long job)
{
    size_t s = slot == &w->p->slots[1];

    if (w->entered[s] == job)
        return;
    w->entered[s] = job;
    cli_arena_reset(&slot->arenas[w->index]);
    if (w->fmt[s] != NULL)
        cli_formatter_clear(w->fmt[s]);
    w->formatted[s] = 0;
}

/* Classifies (and formats) the next few records of the slot's job, which
** the worker has entered. Returns 0 when none was left. */
static int cli_worker_take(cli_worker *w, cli_slot *slot)
{
    size_t i = atomic_fetch_add(&slot->next, CLI_CHUNK);
    size_t s = slot == &w->p->slots[1];
    size_t end = i + CLI_CHUNK < slot->n ? i + CLI_CHUNK : slot->n;

    if (i >= slot->n)
        return 0;
    for (size_t k = i; k < end; k++) {
        cli_classify_record(w, slot, k);
        cli_format_ahead(w, slot, s, k);
        cli_keep_result(w, slot, k);
    }
    return 1;
}

/* Classifies (and formats) records of the slot's job until none is left. */
static void cli_worker_run_job(cli_worker *w, cli_slot *slot, unsigned long job)
{
    cli_worker_enter(w, slot, job);
    while (cli_worker_take(w, slot))
        ;
}

/*
** A worker thread: takes the jobs in order, each when it is posted, and
** does its part of each. A job whose slot has moved on (it was finished
** and written while this worker was on the one before) is passed over.
** Entering and leaving a job take the lock, twice a batch: the records
** themselves are taken with the slot's atomic counter.
*/
static void *cli_worker_main(void *arg)
{
    cli_worker *w = arg;
    cli_pipeline *p = w->p;
    unsigned long want = 1; /* the next job to do */

    for (;;) {
        cli_slot *slot;

        pthread_mutex_lock(&p->lock);
        while (!p->quit && p->posted < want)
            pthread_cond_wait(&p->work, &p->lock);
        if (p->quit) {
            pthread_mutex_unlock(&p->lock);
            break;
        }
        slot = &p->slots[want & 1];
        if (slot->job != want) { /* done and gone */
            pthread_mutex_unlock(&p->lock);
            want++;
            continue;
        }
        slot->inside++;
        pthread_mutex_unlock(&p->lock);

        cli_worker_run_job(w, slot, want);

        pthread_mutex_lock(&p->lock);
        if (--slot->inside == 0)
            pthread_cond_signal(&p->done);
        pthread_mutex_unlock(&p->lock);
        want++;
    }
    return NULL;
}

/* Posts the next job, in slot (job number) & 1, which the main thread
** has just read. */
static void cli_post(cli_pipeline *p, cli_slot *slot)
{
    pthread_mutex_lock(&p->lock);
    atomic_store(&slot->next, 0);
    p->posted++;
    slot->job = p->posted;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->lock);
}

/*
** Waits until the slot's job is done: every record taken and every worker
** that entered it gone. Then closes the job, so that no worker enters it
** any more and the main thread may write the slot and read into it.
**
** The main thread as a worker does its part of the job first (it is open:
** posted, not closed). Then, while the other workers finish their last
** records of it, it takes records of the job after it (in the other slot,
** when posted) instead of sleeping: a sleep here was one per batch, and
** being woken costs a core tens of microseconds on a virtual machine, on
** a batch of half a millisecond. Its arena and formatter in the other slot
** hold that job's records only (the slot's job before was written before
** it was read into), and when the main thread comes to wait for that job
** it goes on where it stopped.
*/
static void cli_wait(cli_pipeline *p, cli_slot *slot)
{
    cli_slot *other = slot == &p->slots[0] ? &p->slots[1] : &p->slots[0];

    if (p->helper != NULL)
        cli_worker_run_job(p->helper, slot, slot->job);
    pthread_mutex_lock(&p->lock);
    while (slot->inside > 0 || atomic_load(&slot->next) < slot->n) {
        unsigned long job = other->job;

        if (p->helper != NULL && job == slot->job + 1
            && atomic_load(&other->next) < other->n) {
            pthread_mutex_unlock(&p->lock);
            cli_worker_enter(p->helper, other, job);
            cli_worker_take(p->helper, other);
            pthread_mutex_lock(&p->lock);
            continue;
        }
        pthread_cond_wait(&p->done, &p->lock);
    }
    slot->job = 0;
    pthread_mutex_unlock(&p->lock);
}

/* ------------------------------------------------------------------------
** Setting up and tearing down
** --------------------------------------------------------------------- */

/* Frees everything of the run; the workers must have ended. */
static void cli_pipeline_free(cli_pipeline *p)
{
    for (size_t s = 0; s < 2; s++) {
        cli_slot *slot = &p->slots[s];
        if (slot->arenas != NULL) {
            for (size_t t = 0; t < p->cfg->threads; t++)
                cli_arena_free(&slot->arenas[t]);
        }
        free(slot->arenas);
        free(slot->records);
        free(slot->results);
        free(slot->by);
        free(slot->bytes_off);
        free(slot->bytes_len);
        cli_batch_free(slot->batch);
    }
    if (p->workers != NULL) {
        for (size_t t = 0; t < p->cfg->threads; t++) {
            for (size_t k = 0; k < p->workers[t].n_analyzers; k++)
                wm_analyzer_free(p->workers[t].analyzers[k].analyzer);
            cli_formatter_free(p->workers[t].fmt[0]);
            cli_formatter_free(p->workers[t].fmt[1]);
        }
    }
    free(p->workers);
    free(p->spans);
}

/* Ends the worker threads. */
static void cli_pipeline_stop(cli_pipeline *p)
{
    pthread_mutex_lock(&p->lock);
    p->quit = 1;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->lock);
    for (size_t t = 0; t < p->cfg->threads; t++) {
        if (p->workers[t].started)
            pthread_join(p->workers[t].thread, NULL);
    }
}

/* A worker's two formatters, one per slot; none (the main thread formats
** its records) unless both could be made. */
static void cli_worker_formatters(cli_worker *w)
{
    w->fmt[0] = cli_formatter_new(w->p->writer);
    w->fmt[1] = cli_formatter_new(w->p->writer);
    if (w->fmt[0] == NULL || w->fmt[1] == NULL) {
        cli_formatter_free(w->fmt[0]);
        cli_formatter_free(w->fmt[1]);
        w->fmt[0] = w->fmt[1] = NULL;
    }
}

/* Allocates the slots and starts the workers. Returns 0 or -1 (memory;
** or no thread could be started). Fewer threads than asked for change
** nothing but the speed. */
static int cli_pipeline_start(cli_pipeline *p)
{
    size_t threads = p->cfg->threads;
    size_t spawn = threads;

    for (size_t s = 0; s < 2; s++) {
        cli_slot *slot = &p->slots[s];
        slot->batch = cli_batch_new();
        slot->records = calloc(CLI_BATCH_RECORDS, sizeof *slot->records);
        slot->results = calloc(CLI_BATCH_RECORDS, sizeof *slot->results);
        slot->by = calloc(CLI_BATCH_RECORDS, sizeof *slot->by);
        slot->bytes_off = calloc(CLI_BATCH_RECORDS, sizeof *slot->bytes_off);
        slot->bytes_len = calloc(CLI_BATCH_RECORDS, sizeof *slot->bytes_len);
        slot->arenas = calloc(threads, sizeof *slot->arenas);
        if (slot->batch == NULL || slot->records == NULL
            || slot->results == NULL || slot->by == NULL
            || slot->bytes_off == NULL || slot->bytes_len == NULL
            || slot->arenas == NULL)
            return -1;
    }
    p->workers = calloc(threads, sizeof *p->workers);
    p->spans = calloc(CLI_BATCH_RECORDS, sizeof *p->spans);
    if (p->workers == NULL || p->spans == NULL)
        return -1;
    if (threads >= 2 && p->cfg->cores > 0 && threads >= p->cfg->cores) {
        /* The last worker state is the main thread's (see the top). */
        cli_worker *w = &p->workers[threads - 1];
        w->p = p;
        w->index = threads - 1;
        cli_worker_formatters(w);
        p->helper = w;
        spawn = threads - 1;
    }
    for (size_t t = 0; t < spawn; t++) {
        cli_worker *w = &p->workers[t];
        w->p = p;
        w->index = t;
        cli_worker_formatters(w); /* NULL: the main thread formats its
                                     records */
        if (pthread_create(&w->thread, NULL, cli_worker_main, w) != 0)
            break;
        w->started = 1;
        p->n_workers++;
    }
    return p->n_workers > 0 || p->helper != NULL ? 0 : -1;
}

/* ------------------------------------------------------------------------
** Progress
** --------------------------------------------------------------------- */

/* Seconds on a clock that only goes forward. */
static double cli_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The progress line: records, records a second, and the share of the
** input read when its size is known. Drawn over itself with \r. */
static void cli_progress(const cli_pipeline_config *cfg, const cli_reader *r,
                         uint64_t records, double started)
{
    double secs = cli_now() - started;
    double rate = secs > 0 ? (double)records / secs : 0.0;

    fprintf(stderr, "\r" CLI_NAME ": %s: %llu records, %.0f/s", cfg->cmd,
            (unsigned long long)records, rate);
    if (cfg->input_size > 0) {
        double done = (double)cli_reader_bytes(r) * 100.0
                      / (double)cfg->input_size;
        fprintf(stderr, ", %.0f%%", done > 100.0 ? 100.0 : done);
    }
    fputs("   ", stderr);
    fflush(stderr);
}

/* ------------------------------------------------------------------------
** The run
** --------------------------------------------------------------------- */

/* Records formatted ahead, not written yet (cli_write_slot): runs of
** records that lie one after the other in a formatter's buffer, in input
** order, handed to the writer together. */
typedef struct cli_run {
    cli_span *spans; /* [CLI_BATCH_RECORDS] the runs (the pipeline's) */
    size_t n_spans;  /* how many */
    size_t len;      /* their bytes */
    uint64_t n;      /* how many records */
} cli_run;

/* Adds a record's bytes to the runs: to the last one when they follow
** it in memory, else as a new one. */
static void cli_run_add(cli_run *run, const char *bytes, size_t len)
{
    cli_span *last = run->n_spans > 0 ? &run->spans[run->n_spans - 1] : NULL;

    if (last != NULL && last->bytes + last->len == bytes)
        last->len += len;
    else
        run->spans[run->n_spans++] = (cli_span){bytes, len};
    run->len += len;
    run->n++;
}

/* Writes the runs and empties them. Returns 0, or -1 when writing failed
** (their records then not counted as written). */
static int cli_run_write(cli_run *run, cli_writer *w, cli_pipeline_stats *stats)
{
    int rc = 0;

    if (run->n_spans > 0
        && cli_writer_runs(w, run->spans, run->n_spans, run->len) != 0) {
        stats->written -= run->n;
        rc = -1;
    }
    run->n_spans = 0;
    run->len = 0;
    run->n = 0;
    return rc;
}

/*
** Writes a classified slot in input order. Stops at a fatal result, or
** with --strict at the first record that is not ok (printing its
** message), and at a write error. Returns CLI_EXIT_OK or the exit status
** to stop with. Records a worker formatted that follow each other in its
** formatter go to the writer as one run (with one worker, a whole batch).
*/
static int cli_write_slot(cli_pipeline *p, cli_slot *slot, cli_writer *w,
                          cli_pipeline_stats *stats)
{
    const cli_pipeline_config *cfg = p->cfg;
    size_t s = slot == &p->slots[1];
    cli_run run = {p->spans, 0, 0, 0};
    int by = -1;               /* the worker whose bytes base holds */
    const char *base = NULL;   /* its formatter's bytes for the slot */

    for (size_t i = 0; i < slot->n; i++) {
        const cli_result *res = &slot->results[i];

        stats->read++;
        if (res->fatal) {
            if (cli_run_write(&run, w, stats) != 0)
                return -1;
            cli_error(cfg->cmd, "%s", res->message);
            return CLI_EXIT_RUNTIME;
        }
        stats->by_status[res->status]++;
        if (res->status != CLI_ST_OK) {
            stats->flagged++;
            if (cfg->strict || (cfg->plugin_error_stop
                                && res->status == CLI_ST_PLUGIN_FAILED)) {
                if (cli_run_write(&run, w, stats) != 0)
                    return -1;
            }
            if (cfg->strict) {
                cli_error(cfg->cmd, "%s (%s; stopped by --strict)",
                          res->message, cli_status_name(res->status));
                return CLI_EXIT_RUNTIME;
            }
            if (cfg->plugin_error_stop
                && res->status == CLI_ST_PLUGIN_FAILED) {
                cli_error(cfg->cmd, "%s (%s; stopped by --on-plugin-error "
                          "stop)", res->message,
                          cli_status_name(res->status));
                return CLI_EXIT_RUNTIME;
            }
        }
        if (slot->by[i] >= 0) {
            /* Mostly the same worker's as the record before. */
            if (slot->by[i] != by) {
                by = slot->by[i];
                base = cli_formatter_bytes(p->workers[by].fmt[s]);
            }
            cli_run_add(&run, base + slot->bytes_off[i], slot->bytes_len[i]);
        } else {
            if (cli_run_write(&run, w, stats) != 0
                || cli_writer_record(w, slot->records[i], res) != 0)
                return -1;
        }
        stats->written++;
    }
    return cli_run_write(&run, w, stats) != 0 ? -1 : CLI_EXIT_OK;
}

/* Reads the next batch into a slot: its record count, 0 at the end, -1
** on a read error (printed). */
static long cli_read_slot(cli_pipeline *p, cli_reader *r, cli_slot *slot)
{
    char err[1024] = "";
    long n = cli_reader_next_batch(r, slot->batch, CLI_BATCH_RECORDS,
                                   CLI_BATCH_BYTES, err, sizeof err);

    slot->n = 0;
    if (n < 0) {
        cli_error(p->cfg->cmd, "%s", err[0] != '\0' ? err : "read error");
        return -1;
    }
    if ((size_t)n > CLI_BATCH_RECORDS) /* the reader's promise, checked */
        n = CLI_BATCH_RECORDS;
    if (n > 0) { /* one after the other (input.h) */
        cli_record *first = cli_batch_record(slot->batch, 0);

        for (long i = 0; i < n; i++)
            slot->records[i] = first + i;
    }
    slot->n = (size_t)n;
    return n;
}

int cli_pipeline_run(const cli_pipeline_config *cfg, cli_reader *r,
                     cli_writer *w, cli_pipeline_stats *stats)
{
    cli_pipeline p;
    int status = CLI_EXIT_OK;
    int read_failed = 0;
    double started = cli_now();
    double drawn = 0.0;
    size_t cur = 1; /* job 1 is in slots[1], job 2 in slots[0], ... */
    long n;

    memset(stats, 0, sizeof *stats);
    memset(&p, 0, sizeof p);
    p.cfg = cfg;
    p.writer = w;
    p.n_areas = wm_engine_area_count(cfg->engine);
    atomic_init(&p.slots[0].next, 0);
    atomic_init(&p.slots[1].next, 0);
    pthread_mutex_init(&p.lock, NULL);
    pthread_cond_init(&p.work, NULL);
    pthread_cond_init(&p.done, NULL);
    if (cli_pipeline_start(&p) != 0) {
        cli_error(cfg->cmd, "cannot start the workers: %s",
                  wm_strerror(WM_ENOMEM));
        status = CLI_EXIT_RUNTIME;
        goto out;
    }

    n = cli_read_slot(&p, r, &p.slots[cur]);
    if (n < 0)
        read_failed = 1;
    if (n > 0)
        cli_post(&p, &p.slots[cur]);
    while (n > 0) {
        cli_slot *slot = &p.slots[cur];
        cli_slot *next = &p.slots[1 - cur];
        long n_next = 0;

        /* Read ahead while the workers classify this slot, and post it
        ** at once: a worker done with this slot goes on with it. */
        if (!read_failed) {
            n_next = cli_read_slot(&p, r, next);
            if (n_next < 0) {
                read_failed = 1;
                n_next = 0;
            }
            if (n_next > 0)
                cli_post(&p, next);
        }
        cli_wait(&p, slot);
        status = cli_write_slot(&p, slot, w, stats);
        if (status != CLI_EXIT_OK) {
            if (n_next > 0)
                cli_wait(&p, next);
            break;
        }
        if (cfg->progress && cli_now() - drawn >= 0.1) {
            cli_progress(cfg, r, stats->written, started);
            drawn = cli_now();
        }
        cur = 1 - cur;
        n = n_next;
    }
    if (status == -1) {
        cli_error(cfg->cmd, "cannot write the output: %s", strerror(errno));
        status = CLI_EXIT_RUNTIME;
    }
    if (status == CLI_EXIT_OK && read_failed)
        status = CLI_EXIT_RUNTIME;
    cli_pipeline_stop(&p);

out:
    if (cfg->progress && drawn > 0.0)
        fputs("\r\033[K", stderr); /* clear the progress line */
    cli_pipeline_free(&p);
    pthread_cond_destroy(&p.done);
    pthread_cond_destroy(&p.work);
    pthread_mutex_destroy(&p.lock);
    return status;
}

void cli_pipeline_summary(const char *cmd, const cli_pipeline_stats *stats)
{
    char detail[512] = "";
    size_t used = 0;
    int done[CLI_ST_COUNT] = {0};

    /* The flagged statuses, most frequent first (ties in table order). */
    for (;;) {
        int best = -1;
        for (int s = 1; s < CLI_ST_COUNT; s++) {
            if (!done[s] && stats->by_status[s] > 0
                && (best < 0 || stats->by_status[s] > stats->by_status[best]))
                best = s;
        }
        if (best < 0)
            break;
        done[best] = 1;
        int k = snprintf(detail + used, sizeof detail - used, "%s%llu %s",
                         used == 0 ? " (" : ", ",
                         (unsigned long long)stats->by_status[best],
                         cli_status_name(best));
        if (k > 0 && (size_t)k < sizeof detail - used)
            used += (size_t)k;
    }
    if (used > 0 && used + 1 < sizeof detail) {
        detail[used++] = ')';
        detail[used] = '\0';
    }
    fprintf(stderr, CLI_NAME ": %s: %llu read, %llu written, %llu flagged%s\n",
            cmd, (unsigned long long)stats->read,
            (unsigned long long)stats->written,
            (unsigned long long)stats->flagged, detail);
}
