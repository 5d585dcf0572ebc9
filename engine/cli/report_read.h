/*
** report_read.h — reading the coded files of `whatmatters classify` back,
** record by record, for `whatmatters report`.
**
** The formats are those of docs/batch.md, "Writing": CSV (a header row;
** the areas are the columns X that have a column X_score beside them, in
** header order; `evidence` is "area=text" items joined by "; "; the
** metadata in FILE.meta.json beside it), JSON Lines and msgpack (a first
** {"whatmatters_meta": {...}} record whose "areas" list names the areas;
** without one, the keys of the first record's "scores" do). The format is
** taken from the file name (.csv, .jsonl/.ndjson, .msgpack/.mpk) or else
** from the first byte ('{' JSON Lines, a msgpack map, anything else CSV).
**
** The reader streams: it holds one read buffer (grown only for a record
** that does not fit it, up to CLI_CODED_MAX_RECORD) and hands each record
** to a callback, its strings borrowed until the callback returns. So a
** file of millions of records is read in bounded memory.
**
** Each file also has a fingerprint of its metadata: 64-bit FNV-1a over a
** canonical form of the metadata's values (the same for the JSON and the
** msgpack form of the same metadata), as 16 hex digits, or "none".
*/
#ifndef WM_CLI_REPORT_READ_H
#define WM_CLI_REPORT_READ_H

#include "report_stats.h"

#include <stddef.h>

/* The largest record (or metadata file) the reader accepts. */
#define CLI_CODED_MAX_RECORD ((size_t)256 << 20)

/* What cli_coded_read() returns besides 0 (or a callback's non-zero). */
enum {
    CLI_CODED_ENOMEM = -1, /* out of memory */
    CLI_CODED_EUSAGE = -2, /* the file cannot be opened or is not a coded
                              file, or has no --by column: the user named
                              the wrong thing */
    CLI_CODED_EDATA = -3   /* the file is coded but broken at a record */
};

/* Where the records go. */
typedef struct cli_coded_sink {
    /* Called once per file before its first record with the file's areas
    ** (n_areas is 0 for a file without metadata and without records) and
    ** its metadata fingerprint. A non-zero return stops the reading and is
    ** returned. */
    int (*begin)(void *ud, const char *const *ids, size_t n_areas,
                 const char *fingerprint);
    /* Called once per record, in file order. Evidence spans hold the raw
    ** text of the evidence items (of any area). A non-zero return stops
    ** the reading and is returned. */
    int (*record)(void *ud, const cli_report_answer *answer);
    void *ud; /* passed back */
} cli_coded_sink;

/* Reads the coded file at path ("-" is standard input; its format is then
** found from its content) and feeds the sink. by_column, when not NULL,
** names the field whose value goes into answer->group: a CSV column, or a
** JSON Lines / msgpack "keep" field (or else a top-level field such as
** "lang"). Returns 0, a CLI_CODED_* code or the sink's non-zero return,
** with a one-line message naming the file (and the record, line or byte)
** in err for the CLI_CODED_* codes. */
int cli_coded_read(const char *path, const char *by_column,
                   const cli_coded_sink *sink, char *err, size_t err_size);

#endif /* WM_CLI_REPORT_READ_H */
