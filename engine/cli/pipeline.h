/*
** pipeline.h — classify's batches: read, classify on N threads, write in
** input order (docs/batch.md, "Threads and memory").
**
** The main thread reads a batch (at most CLI_BATCH_RECORDS records or
** CLI_BATCH_BYTES of text), N workers classify its records (each worker
** with its own analyzer per language, made when it first meets the
** language) and format them for the writer, and the main thread writes
** the batch in input order while the workers go on with the next one
** (posted as soon as it is read, so that no worker waits for the slowest
** one at the end of a batch). Two batches are alive at most, so
** memory is bounded whatever the input's size, and the output is the same
** bytes for every N: a record's result depends on the record alone.
*/
#ifndef WM_CLI_PIPELINE_H
#define WM_CLI_PIPELINE_H

#include "input.h"
#include "output.h"

#include <stddef.h>
#include <stdint.h>

/* The size of a batch. */
#define CLI_BATCH_RECORDS 1024
#define CLI_BATCH_BYTES ((size_t)16 << 20)

/* How to run. */
typedef struct cli_pipeline_config {
    const char *cmd;           /* subcommand name, for messages */
    wm_engine *engine;         /* set up; analyzers are made from it */
    const char *input_name;    /* for messages: the path, or "stdin" */
    const char *lang;          /* the language of every record, or NULL */
    int lang_auto;             /* 1: detect each answer's language */
    const char *lang_column;   /* the --lang-column name, or NULL */
    const char *lang_fallback; /* when nothing else gives one, or NULL */
    size_t threads;            /* threads that classify, >= 1 */
    size_t cores;              /* the machine's cores, 0 when unknown: with
                                  threads >= 2 and threads >= cores the main
                                  thread is one of them (pipeline.c) */
    int strict;                /* stop at the first record not ok */
    int plugin_error_stop;     /* stop at the first plugin_failed record
                                  (--on-plugin-error stop) */
    int progress;              /* draw a progress bar on stderr */
    int64_t input_size;        /* the input's bytes when known, else -1 */
} cli_pipeline_config;

/* What happened. A run stopped by --strict or a failure counts the record
** it stopped at as read and flagged, not written. */
typedef struct cli_pipeline_stats {
    uint64_t read;                     /* records taken in, in order */
    uint64_t written;                  /* records written */
    uint64_t flagged;                  /* records whose status is not ok */
    uint64_t by_status[CLI_ST_COUNT];  /* records per status */
} cli_pipeline_stats;

/* Reads every record of r, classifies it and writes it with w (whose
** begin has been called). Prints one error line for a failure (and the
** stopping record with --strict). Returns the exit status: CLI_EXIT_OK,
** or CLI_EXIT_RUNTIME (--strict stopped, the library, reading or writing
** failed). Does not print the summary line (see cli_pipeline_summary()). */
int cli_pipeline_run(const cli_pipeline_config *cfg, cli_reader *r,
                     cli_writer *w, cli_pipeline_stats *stats);

/* Prints "whatmatters: CMD: N read, N written, N flagged (N invalid_utf8,
** N bad_row)" on stderr: the flagged statuses most frequent first. */
void cli_pipeline_summary(const char *cmd, const cli_pipeline_stats *stats);

#endif /* WM_CLI_PIPELINE_H */
