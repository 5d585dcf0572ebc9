/*
** report_stats.h — the numbers of `whatmatters report`: counts gathered
** while coded records stream past, and what is computed from them.
**
** Everything a report shows is made from one cli_report_stats, and a
** cli_report_stats holds only counts and bounded lists, never the records:
**   - records and ok answers, and the records of every other status;
**   - per area the ok answers with the area (share and 95% Wilson interval
**     are computed when shown), and the co-occurrence of every two areas;
**   - per area the evidence terms with the number of answers that hold
**     each (at most CLI_REPORT_MAX_TERMS distinct terms per area; later
**     new terms are not counted and the area is marked full);
**   - per area the first N example answers in input order;
**   - with a --by column: per value, the ok answers and the answers per
**     area (at most CLI_REPORT_MAX_GROUPS values; later new values go to
**     one "beyond the bound" row and the column is marked full);
**   - the fingerprints of the coding set-ups the files were made with.
** Memory is therefore bounded whatever the number of records.
**
** A summary (cli_report_save) is those counts in msgpack; summaries of
** shards merge (cli_report_merge) into exactly the counts one run over all
** the shards in the same order would give, as long as no bound was hit:
** counts add, term and group lists unite, and examples are the first N by
** (shard order, record order). Shares and intervals are computed after the
** merge, and every list is shown in an order that depends only on the
** counts (count descending, then bytes), so a merged report prints the
** same bytes as the single run. When a bound was hit the report says so.
*/
#ifndef WM_CLI_REPORT_STATS_H
#define WM_CLI_REPORT_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The summary format's version, written into every summary; a summary of
** another version is refused. */
#define CLI_REPORT_SUMMARY_VERSION 1

/* The most areas a report handles (the library's WM_MAX_AREAS): an
** answer's areas are a 64-bit mask. */
#define CLI_REPORT_MAX_AREAS 64

/* The longest area id (the taxonomy's ids are short: "whole_person"). */
#define CLI_REPORT_AREA_ID_BYTES 64

/* Bounds that keep memory bounded (see the top of this file). */
#define CLI_REPORT_MAX_TERMS 10000   /* distinct terms counted per area */
#define CLI_REPORT_TERM_BYTES 200    /* a longer term is cut (UTF-8 safe) */
#define CLI_REPORT_MAX_GROUPS 10000  /* distinct --by values counted */
#define CLI_REPORT_GROUP_BYTES 200   /* a longer value is cut */
#define CLI_REPORT_MAX_STATUSES 64   /* distinct statuses; more: "(other)" */
#define CLI_REPORT_STATUS_BYTES 64   /* a longer status is cut */
#define CLI_REPORT_MAX_EXAMPLES 1000 /* the largest --examples */
#define CLI_REPORT_EXAMPLE_BYTES 300 /* example text kept (UTF-8 safe) */
#define CLI_REPORT_ID_BYTES 200      /* example id kept */
#define CLI_REPORT_MAX_FINGERPRINTS 64 /* distinct set-ups listed */
#define CLI_REPORT_SUMMARY_ELEMENTS (1 << 24) /* msgpack elements in a
                                        summary (the bounds above need
                                        under 4 million) */

/* What a report shows (not bounds of what is counted). */
#define CLI_REPORT_TOP_TERMS 10      /* terms shown per area */
#define CLI_REPORT_SHOW_GROUPS 200   /* --by values shown; the rest as
                                        one "(other)" row */
#define CLI_REPORT_DEFAULT_EXAMPLES 3

/* The fingerprint of a file without metadata. */
#define CLI_REPORT_NO_FINGERPRINT "none"

/* An insertion-ordered set of byte strings with a hash index: element i
** is the i-th distinct string added. */
typedef struct cli_report_strings {
    char **keys;      /* [count] copies, NUL-terminated after len bytes */
    size_t *lens;     /* [count] their lengths */
    size_t count;     /* how many */
    size_t cap;       /* room in keys and lens */
    uint32_t *slots;  /* [n_slots] open addressing: index + 1, 0 empty */
    size_t n_slots;   /* a power of two, at least twice count; 0 at first */
} cli_report_strings;

/* The evidence terms of one area. */
typedef struct cli_report_terms {
    cli_report_strings terms; /* the distinct terms, in first-seen order */
    uint64_t *counts;         /* [terms.cap] answers that hold the term */
    uint64_t *last;           /* [terms.cap] serial of the last answer that
                                 counted it (once per answer); not saved */
    int full;                 /* 1: CLI_REPORT_MAX_TERMS was reached */
    uint64_t dropped;         /* evidence items of new terms not counted
                                 since then (an answer may count twice) */
} cli_report_terms;

/* One example answer. */
typedef struct cli_report_example {
    char *id;        /* its id (NUL-terminated), cut to ID_BYTES */
    size_t id_len;   /* bytes in id */
    char *text;      /* its text, cut at a UTF-8 boundary to EXAMPLE_BYTES;
                        NULL when the coded file holds no text */
    size_t text_len; /* bytes in text */
    int truncated;   /* 1 when text was cut */
} cli_report_example;

/* The cross-tabulation by a --by column. */
typedef struct cli_report_groups {
    char *column;              /* the column's name */
    cli_report_strings values; /* distinct values, in first-seen order */
    uint64_t *ok;              /* [values.cap] ok answers per value */
    uint64_t *n;               /* [values.cap * n_areas] answers with the
                                  area, row per value */
    int full;                  /* 1: CLI_REPORT_MAX_GROUPS was reached */
    uint64_t beyond_ok;        /* ok answers of values past the bound */
    uint64_t *beyond_n;        /* [n_areas] their answers per area */
} cli_report_groups;

/* Everything a report is made of. */
typedef struct cli_report_stats {
    size_t n_areas;            /* 1..CLI_REPORT_MAX_AREAS */
    char **area_ids;           /* [n_areas] the coded files' area ids */
    uint64_t files;            /* coded files counted */
    uint64_t records;          /* records read, of every status */
    uint64_t ok;               /* of which with status ok */
    uint64_t no_area;          /* ok answers without any area */
    cli_report_strings statuses; /* every status seen (ok included) */
    uint64_t *status_counts;   /* [statuses.cap] records per status */
    uint64_t status_other;     /* records of statuses past the bound */
    uint64_t *area_n;          /* [n_areas] ok answers with the area */
    uint64_t *co;              /* [n_areas * n_areas] ok answers with both
                                  areas; the diagonal is area_n */
    cli_report_terms *terms;   /* [n_areas] */
    size_t examples_max;       /* N: examples kept per area */
    size_t *n_examples;        /* [n_areas] examples kept so far */
    cli_report_example *examples; /* [n_areas * examples_max] */
    cli_report_groups *by;     /* the --by cross-tab, or NULL */
    cli_report_strings fingerprints; /* set-ups (metadata fingerprints) */
    int fingerprints_full;     /* 1: more than MAX_FINGERPRINTS were seen */
    uint64_t serial;           /* answers added (for term de-duplication) */
} cli_report_stats;

/* One evidence item of an answer: the area and the term (its normal
** form; the caller normalises). */
typedef struct cli_report_span {
    uint32_t area;     /* index into the area list */
    const char *text;  /* the term's bytes */
    size_t text_len;   /* how many */
} cli_report_span;

/* One coded record as the stats take it. Strings are pointer and length
** and need not be NUL-terminated; all are the caller's. */
typedef struct cli_report_answer {
    const char *id;       /* its id (never NULL) */
    size_t id_len;
    const char *text;     /* the answer, or NULL when the file has none */
    size_t text_len;
    const char *status;   /* "ok", "bad_row", ... (never NULL) */
    size_t status_len;
    uint64_t areas;       /* bit i: the answer has area i */
    const cli_report_span *evidence; /* [n_evidence] */
    size_t n_evidence;
    const char *group;    /* the --by column's value ("" when missing);
                             ignored without --by */
    size_t group_len;
} cli_report_answer;

/* Results of the functions below: 0, or one of these. */
enum {
    CLI_REPORT_ENOMEM = -1,  /* out of memory */
    CLI_REPORT_EINPUT = -2,  /* a summary that cannot be used: err says */
    CLI_REPORT_EIO = -3      /* reading or writing failed (errno) */
};

/* Creates empty stats over n_areas areas (ids copied), keeping
** examples_max examples per area (0..CLI_REPORT_MAX_EXAMPLES) and, when
** by_column is not NULL, the cross-tab by that column. Returns 0 or
** CLI_REPORT_ENOMEM (or CLI_REPORT_EINPUT for n_areas out of range); *out
** is NULL on failure. */
int cli_report_stats_new(const char *const *area_ids, size_t n_areas,
                         size_t examples_max, const char *by_column,
                         cli_report_stats **out);

/* Frees stats; NULL is a no-op. */
void cli_report_stats_free(cli_report_stats *stats);

/* Counts one coded file made with the set-up of this metadata fingerprint
** (CLI_REPORT_NO_FINGERPRINT when it has no metadata). Returns 0 or
** CLI_REPORT_ENOMEM. */
int cli_report_add_file(cli_report_stats *stats, const char *fingerprint);

/* Counts one record: its status; and when it is ok its areas, their
** co-occurrence, each evidence term of an area the answer has (once per
** answer and area), the example when the area has fewer than N, and the
** --by group. Areas at or above n_areas are ignored. Returns 0 or
** CLI_REPORT_ENOMEM. */
int cli_report_add(cli_report_stats *stats, const cli_report_answer *answer);

/* Adds the counts of `from` to `into`, as if from's records had been read
** after into's. The area lists must be the same and both must have the
** same --by column or none; examples are cut to the smaller of the two N.
** Returns 0, CLI_REPORT_ENOMEM, or CLI_REPORT_EINPUT with a message in
** err. */
int cli_report_merge(cli_report_stats *into, const cli_report_stats *from,
                     char *err, size_t err_size);

/* Keeps at most n examples per area (n below the current N). */
void cli_report_limit_examples(cli_report_stats *stats, size_t n);

/* Writes the stats as a summary (one msgpack map, format version
** CLI_REPORT_SUMMARY_VERSION; the layout is in report_stats.c). Returns 0
** or CLI_REPORT_EIO. */
int cli_report_save(const cli_report_stats *stats, FILE *out);

/* Reads a summary written by cli_report_save from buf[0..len). Returns 0
** with new stats in *out, CLI_REPORT_ENOMEM, or CLI_REPORT_EINPUT with a
** message in err (not a summary, another version, inconsistent). */
int cli_report_load(const char *buf, size_t len, cli_report_stats **out,
                    char *err, size_t err_size);

/* ------------------------------------------------------------------------
** What is computed for display
** --------------------------------------------------------------------- */

/* A proportion with its 95% Wilson score interval. */
typedef struct cli_report_share {
    double share; /* n / total (0 when total is 0) */
    double low;   /* lower bound (0 when total is 0) */
    double high;  /* upper bound (0 when total is 0) */
} cli_report_share;

/* The share n / total and its 95% Wilson score interval (z = 1.959964):
**   centre = (p + z^2/2N) / (1 + z^2/N)
**   half   = z / (1 + z^2/N) * sqrt(p(1-p)/N + z^2/4N^2)
** clamped to [0, 1]. */
cli_report_share cli_report_wilson(uint64_t n, uint64_t total);

/* The indices of an area's terms in display order (answers descending,
** then bytes ascending), at most max of them, into idx. Returns how many. */
size_t cli_report_top_terms(const cli_report_stats *stats, size_t area,
                            size_t *idx, size_t max);

/* The statuses in display order ("ok" first, then by name), as indices
** into stats->statuses, into idx (room for statuses.count). Returns how
** many. */
size_t cli_report_status_order(const cli_report_stats *stats, size_t *idx);

/* One row of the --by table. */
typedef struct cli_report_group_row {
    const char *value;   /* the value, or NULL for the "(other)" row */
    size_t value_len;    /* its bytes */
    uint64_t ok;         /* ok answers */
    const uint64_t *n;   /* [n_areas] answers per area */
} cli_report_group_row;

/* The rows of the --by table: the CLI_REPORT_SHOW_GROUPS values with the
** most ok answers (ties by bytes), then one "(other)" row for the rest
** (and for values past the bound) when there are any. */
typedef struct cli_report_group_view {
    cli_report_group_row *rows; /* [n_rows] */
    size_t n_rows;              /* how many */
    uint64_t *other_n;          /* [n_areas] the (other) row's counts */
    uint64_t other_values;      /* distinct values in "(other)" (those past
                                   the bound not included) */
} cli_report_group_view;

/* Makes the view (stats->by must be set). Returns 0 or CLI_REPORT_ENOMEM. */
int cli_report_group_view_make(const cli_report_stats *stats,
                               cli_report_group_view *view);

/* Frees a view's arrays. */
void cli_report_group_view_free(cli_report_group_view *view);

/* The fingerprints in byte order, as indices into stats->fingerprints,
** into idx (room for fingerprints.count). Returns how many. */
size_t cli_report_fingerprint_order(const cli_report_stats *stats,
                                    size_t *idx);

/* Measures the msgpack object at the start of buf[0..len) without
** allocating, so that msgpack-c (which allocates every array and map as
** large as its header says) is only given an object whose containers hold
** at most max_elements elements in all and whose bytes are all there.
** Returns 1 with its length in *object_len; 0 when buf holds only part of
** it (read more); -1 when it is not msgpack (a byte 0xc1) or has over
** max_elements elements. */
int cli_report_msgpack_measure(const char *buf, size_t len,
                               uint64_t max_elements, size_t *object_len);

/* The length of the longest prefix of text[0..len) of at most max bytes
** that does not end inside a UTF-8 sequence. */
size_t cli_report_utf8_cut(const char *text, size_t len, size_t max);

#endif /* WM_CLI_REPORT_STATS_H */
