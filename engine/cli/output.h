/*
** output.h — writing coded records: CSV, JSON Lines and msgpack, and the
** metadata record that makes a coded file reproducible (docs/batch.md,
** "Writing" and "Reproducibility").
**
** One record in, one record out, with the fields of the contract in its
** order: id, the --keep fields, text (unless --no-text), lang, status,
** message, one 0/1 field per area, one score field per area, evidence.
** JSON Lines and msgpack are written by one function through one small
** emitter with two back ends, so that their keys and values cannot drift
** apart. Every string written is valid UTF-8: a byte sequence that is not
** (in an answer, an id, a kept field) comes out as U+FFFD, once per
** maximal invalid subsequence, while evidence offsets still count the
** original bytes.
*/
#ifndef WM_CLI_OUTPUT_H
#define WM_CLI_OUTPUT_H

#include "cli.h"
#include "input.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Output formats. */
enum cli_output_format {
    CLI_OUT_CSV,     /* header row, RFC 4180 quoting */
    CLI_OUT_JSONL,   /* one JSON object a line, metadata first */
    CLI_OUT_MSGPACK  /* a stream of maps, metadata first */
};

/* The status of a coded record, in the order of the contract's table. */
enum cli_status {
    CLI_ST_OK,            /* classified (an empty answer too) */
    CLI_ST_BAD_ROW,       /* the record itself is broken */
    CLI_ST_INVALID_UTF8,  /* the answer is not valid UTF-8 */
    CLI_ST_TOO_LARGE,     /* the answer is over the field size limit */
    CLI_ST_PLUGIN_FAILED, /* a plugin failed; the others' areas stand */
    CLI_ST_LANG_UNKNOWN,  /* no supported language for the record */
    CLI_ST_COUNT          /* how many statuses there are */
};

/* A status's name as written ("ok", "bad_row", ...). Static string. */
const char *cli_status_name(int status);

/* What is known of a record's text (cli_result.text_valid). */
enum { CLI_TEXT_VALID = 1 };

/* What the pipeline found for one record. The pointers are the pipeline's
** (a batch arena) or static; rules and languages are the engine's. Scores
** and evidence are the worker's analyzer's until its next answer: a record
** formatted ahead is written from its bytes and never reads them again;
** for any other the pipeline copies them to the arena first. */
typedef struct cli_result {
    int status;                  /* enum cli_status */
    int coded;                   /* 1: classified, areas and scores hold;
                                    0: not (bad_row, too_large,
                                    lang_unknown): empty cells */
    int fatal;                   /* 1: the run must stop here (a library
                                    failure); message says why */
    const char *lang;            /* language used ("sv"), "" for none */
    const char *message;         /* "" when ok; else with the position */
    uint64_t labels;             /* assigned areas: bit i for area i */
    const double *scores;        /* [n_areas] combined scores, or NULL for
                                    all zero (an empty answer) */
    const wm_evidence *evidence; /* rules BORROWED from the engine */
    size_t n_evidence;           /* how many */
    int text_valid;              /* CLI_TEXT_VALID: the record's text is
                                    known to be valid UTF-8 (checked, or
                                    analysed without an invalid sequence;
                                    the JSON writer then looks only for
                                    what it must escape); 0: not known */
} cli_result;

/* What a writer needs to know. */
typedef struct cli_writer_config {
    FILE *out;                 /* the stream written to */
    int format;                /* enum cli_output_format */
    const wm_engine *engine;   /* area ids, plugin names */
    const char *const *keep;   /* the --keep field names, in order */
    size_t n_keep;             /* how many */
    int with_text;             /* 0 with --no-text */
} cli_writer_config;

typedef struct cli_writer cli_writer;

/* The options that change results, for the metadata record. Strings may
** be NULL (written as null). */
typedef struct cli_meta {
    const cli_setup *setup;    /* plugins and their options, combine,
                                  taxonomy, data folder */
    const char *lang;          /* --lang as given ("sv", "auto") */
    const char *lang_column;   /* --lang-column */
    const char *lang_fallback; /* --lang-fallback */
    const char *input_format;  /* "csv", "jsonl", "text", "msgpack" */
    const char *delimiter;     /* CSV's delimiter as text, else NULL */
    const char *text_column;   /* NULL for text input */
    const char *id_column;     /* --id-column */
    const char *const *keep;   /* --keep names */
    size_t n_keep;             /* how many */
    int with_text;             /* 0 with --no-text */
    uint64_t max_field_bytes;  /* --max-field-bytes */
} cli_meta;

/* Makes a writer; NULL when memory runs out. Writes nothing yet. */
cli_writer *cli_writer_new(const cli_writer_config *cfg);

/* Starts the output: the metadata record first (JSON Lines, msgpack) or
** the header row (CSV; its metadata goes to a side file, see
** cli_meta_write_json()). Returns 0, or -1 when writing failed. */
int cli_writer_begin(cli_writer *w, const cli_meta *meta);

/* Writes one record. rec's strings are the reader's (BORROWED from its
** batch), res is the pipeline's. Returns 0, or -1 when writing failed. */
int cli_writer_record(cli_writer *w, const cli_record *rec,
                      const cli_result *res);

/* A worker's formatter: writes records into its own buffer as
** cli_writer_record() would write them, so that the formatting runs on the
** workers (in parallel) and the main thread only hands bytes on. The
** buffer holds the records formatted since it was last cleared, one after
** the other, so a run of them is written in one step. A formatter reads
** its writer's configuration and nothing the writer changes while it
** writes: any number of formatters, each used by one thread, may run
** beside the writer's own calls. */
typedef struct cli_formatter cli_formatter;

/* Makes a formatter for w (which must outlive it); NULL when memory runs
** out. */
cli_formatter *cli_formatter_new(const cli_writer *w);

/* Empties the formatter's buffer (what it held must be written already). */
void cli_formatter_clear(cli_formatter *f);

/* Formats one record at the end of the buffer: its bytes are at *off, *len
** bytes (see cli_formatter_bytes). Returns 0, or -1 when memory ran out
** (then nothing is added, and every later call fails too). */
int cli_formatter_append(cli_formatter *f, const cli_record *rec,
                         const cli_result *res, size_t *off, size_t *len);

/* The buffer's bytes: BORROWED until the formatter's next append. */
const char *cli_formatter_bytes(const cli_formatter *f);

/* Frees a formatter. NULL is a no-op. */
void cli_formatter_free(cli_formatter *f);

/* Writes records a formatter made (their bytes as they are, one record or
** a run of them). Returns 0, or -1 when writing failed. */
int cli_writer_formatted(cli_writer *w, const char *bytes, size_t len);

/* Bytes that lie one after the other in memory. */
typedef struct cli_span {
    const char *bytes;
    size_t len;
} cli_span;

/* Writes runs of formatted records, in this order (cli_writer_formatted
** for each, in effect); total is the sum of their lengths. Returns 0, or
** -1 when writing failed (errno). */
int cli_writer_runs(cli_writer *w, const cli_span *runs, size_t n,
                    size_t total);

/* Flushes the stream. Returns 0, or -1 when a write failed (errno). */
int cli_writer_end(cli_writer *w);

/* Frees the writer (not its stream). NULL is a no-op. */
void cli_writer_free(cli_writer *w);

/* Writes the metadata as one JSON line {"whatmatters_meta":{...}} to out:
** the CSV side file, and the first line of JSON Lines. Nothing in it
** depends on time, threads or machine. Returns 0, or -1 when writing
** failed. */
int cli_meta_write_json(FILE *out, const wm_engine *engine,
                        const cli_meta *meta);

/* Checks that text is valid UTF-8. Returns 1 when it is; else 0 with the
** offset of the first byte of the first invalid sequence in *bad_offset. */
int cli_utf8_valid(const char *text, size_t text_len, size_t *bad_offset);

#endif /* WM_CLI_OUTPUT_H */
