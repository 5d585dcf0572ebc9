/*
** cmd_report.c — `whatmatters report`: what a set of coded files says.
**
** Reads coded files (report_read.c) or the summaries of earlier runs
** (--merge), gathers the counts (report_stats.c), and shows them: aligned
** tables on stdout, and on request CSV files (--csv DIR), one HTML page
** (--html FILE, report_html.c) and a summary to merge later
** (--save-summary FILE).
**
** Every output is made from the counts alone and in an order that depends
** only on them, so `report --merge` of the shards' summaries prints the
** same bytes as one `report` over all the shards (in the same order). For
** the same reason nothing shown names a file or a record's position in
** its file: only counts, terms, values, and the records' own ids.
**
** Evidence terms are counted in their normal form (the engine's: NFC,
** case-folded), made here with an analyzer of the report's language, so
** that "Väntetid" and "väntetid" are one term.
*/
#define _POSIX_C_SOURCE 200809L /* mkdir() under -std=c11 */

#include "cli.h"

#include "report_html.h"
#include "report_read.h"
#include "report_stats.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

/* The language of area names when --lang is not given. */
#define RPT_DEFAULT_LANG "en"

static const char rpt_help[] =
    "Usage: " CLI_NAME " report [OPTIONS] CODED...\n"
    "       " CLI_NAME " report --merge [OPTIONS] SUMMARY.msgpack...\n"
    "\n"
    "Reads coded files (the output of '" CLI_NAME " classify': CSV, JSON\n"
    "Lines or msgpack, found by the file name or its content; '-' is\n"
    "standard input) and prints, for the records whose status is ok:\n"
    "\n"
    "  - per area: answers with the area, their share of the ok answers\n"
    "    and its 95% Wilson score interval;\n"
    "  - co-occurrence: answers that have both of two areas;\n"
    "  - the 10 most frequent evidence terms per area (in their normal\n"
    "    form: NFC, case-folded), each counted once per answer;\n"
    "  - the first N answers with each area, in input order (the text cut\n"
    "    to 300 bytes);\n"
    "  - with --by COLUMN: per value of that column, its ok answers and\n"
    "    the share of each area (the 200 values with the most answers; the\n"
    "    rest as one \"(other)\" row).\n"
    "Records of other statuses (bad_row, invalid_utf8, ...) are counted and\n"
    "listed, not included in the shares. All coded files must have the\n"
    "same areas.\n"
    "\n"
    "--save-summary writes the counts all this is made of; '--merge' reads\n"
    "such summaries instead of coded files and adds them up, so that the\n"
    "summaries of shards give exactly the report of one run over all the\n"
    "shards in the same order (examples: the first N by shard, then by\n"
    "record). Up to 10000 distinct terms per area and 10000 distinct --by\n"
    "values are counted; past that the report says so, and merged counts\n"
    "are no longer exact for them.\n"
    "\n"
    "Options:\n"
    "  --html FILE          also write the report as one HTML page (charts\n"
    "                       inline, opens offline)\n"
    "  --csv DIR            also write the tables as CSV files in DIR\n"
    "                       (made if missing): areas.csv, cooccurrence.csv,\n"
    "                       terms.csv, examples.csv, statuses.csv and, with\n"
    "                       --by, by_COLUMN.csv\n"
    "  --by COLUMN          cross-tabulate by a kept field (a CSV column, a\n"
    "                       \"keep\" field, or a field such as lang)\n"
    "  --examples N         examples per area, 0 to 1000 (default 3)\n"
    "  --save-summary FILE  write the counts as a msgpack summary\n"
    "  --merge              the arguments are summaries to add up; --by and\n"
    "                       --examples then come from them (--by must match,\n"
    "                       --examples may only lower N)\n"
    "  --lang LANG          language of the area names: sv, nb, nn, da or en\n"
    "                       (default en)\n"
    "  --taxonomy FILE      take the area names from this taxonomy (for\n"
    "                       files coded with one)\n"
    "  -h, --help           show this help and exit\n"
    "\n"
    "Examples:\n"
    "  $ " CLI_NAME " report --html report.html coded.csv\n"
    "  $ " CLI_NAME " report --by region --save-summary a.msgpack a.jsonl\n"
    "  $ " CLI_NAME " report --merge a.msgpack b.msgpack\n";

/* Option ids. */
enum {
    RPT_OPT_HTML = 1,
    RPT_OPT_CSV,
    RPT_OPT_BY,
    RPT_OPT_EXAMPLES,
    RPT_OPT_SAVE,
    RPT_OPT_MERGE,
    RPT_OPT_LANG,
    RPT_OPT_TAXONOMY
};

/* Codes the reading callbacks stop with (their message is in the run). */
enum {
    RPT_STOP_USAGE = 1001, /* the inputs do not go together */
    RPT_STOP_NOMEM = 1002  /* out of memory */
};

/* One report run. */
typedef struct rpt_run {
    const char *cmd;            /* "report", for messages */
    const char *html;           /* --html FILE, or NULL */
    const char *csv_dir;        /* --csv DIR, or NULL */
    const char *by;             /* --by COLUMN, or NULL */
    long examples;              /* --examples N, or -1 */
    const char *save;           /* --save-summary FILE, or NULL */
    int merge;                  /* --merge */
    const char *lang;           /* --lang */
    const char *taxonomy;       /* --taxonomy FILE, or NULL */
    const char **inputs;        /* [n_inputs] the positional arguments */
    size_t n_inputs;            /* how many */

    wm_engine *engine;          /* for area names */
    wm_analyzer *analyzer;      /* for the terms' normal form */
    cli_report_stats *stats;    /* the counts, once the areas are known */
    const char *first_areas_file; /* the file that set the areas */
    const char *current;        /* the file being read */
    char (*fingerprints)[17];   /* [n_inputs] each file's, in order */
    size_t n_files;             /* files begun */
    char msg[1024];             /* a callback's message */
    char *norm;                 /* the current record's normal forms */
    size_t norm_cap;            /* room in norm */
    cli_report_span *spans;     /* the current record's terms */
    size_t spans_cap;           /* room in spans */
    const char **names;         /* [n_areas] area names for display */
} rpt_run;

/* ------------------------------------------------------------------------
** Reading coded files into the counts
** --------------------------------------------------------------------- */

/* Starts a file: creates the counts with the first file's areas, checks
** that later files have the same. */
static int rpt_begin(void *ud, const char *const *ids, size_t n_areas,
                     const char *fingerprint)
{
    rpt_run *run = ud;

    snprintf(run->fingerprints[run->n_files], sizeof run->fingerprints[0],
             "%s", fingerprint);
    run->n_files++;
    if (n_areas == 0)
        return 0; /* an empty file: counted, no areas to check */
    if (run->stats == NULL) {
        size_t n = run->examples >= 0 ? (size_t)run->examples
                                      : CLI_REPORT_DEFAULT_EXAMPLES;
        int rc = cli_report_stats_new(ids, n_areas, n, run->by, &run->stats);
        if (rc == CLI_REPORT_EINPUT) {
            snprintf(run->msg, sizeof run->msg, "%s: %zu areas (at most %d, "
                     "with ids of at most %d bytes)", run->current, n_areas,
                     CLI_REPORT_MAX_AREAS, CLI_REPORT_AREA_ID_BYTES);
            return RPT_STOP_USAGE;
        }
        if (rc != 0)
            return RPT_STOP_NOMEM;
        run->first_areas_file = run->current;
        return 0;
    }
    for (size_t a = 0; a < n_areas || a < run->stats->n_areas; a++) {
        if (a >= n_areas || a >= run->stats->n_areas
            || strcmp(ids[a], run->stats->area_ids[a]) != 0) {
            snprintf(run->msg, sizeof run->msg, "%s: its areas differ from "
                     "those of %s (area %zu is '%s', not '%s')",
                     run->current, run->first_areas_file, a + 1,
                     a < n_areas ? ids[a] : "(none)",
                     a < run->stats->n_areas ? run->stats->area_ids[a]
                                             : "(none)");
            return RPT_STOP_USAGE;
        }
    }
    return 0;
}

/* Appends bytes to the record's normal-form buffer. Returns 0 or -1. */
static int rpt_norm_put(rpt_run *run, size_t *used, const char *s,
                        size_t len)
{
    if (len == 0)
        return 0;
    if (*used + len > run->norm_cap) {
        size_t cap = run->norm_cap ? run->norm_cap : 256;
        char *bigger;
        while (cap < *used + len)
            cap *= 2;
        bigger = realloc(run->norm, cap);
        if (bigger == NULL)
            return -1;
        run->norm = bigger;
        run->norm_cap = cap;
    }
    memcpy(run->norm + *used, s, len);
    *used += len;
    return 0;
}

/*
** The normal form of an evidence text, appended to run->norm: the normal
** forms of its words, numbers and symbols joined by one space. When the
** analysis fails, or finds no word, the text is kept as it is (with ASCII
** lower-cased), so that no evidence is lost.
*/
static int rpt_normalize(rpt_run *run, size_t *used, const char *text,
                         size_t text_len)
{
    const wm_analysis *an = NULL;
    size_t start = *used;

    if (wm_analyze(run->analyzer, text, text_len, 0, &an) == WM_OK) {
        for (size_t i = 0; i < an->n_tokens; i++) {
            const wm_token *t = &an->tokens[i];
            if (t->norm_len == 0)
                continue;
            if (*used > start && rpt_norm_put(run, used, " ", 1) != 0)
                return -1;
            if (rpt_norm_put(run, used, t->norm, t->norm_len) != 0)
                return -1;
        }
    }
    if (*used == start) {
        if (rpt_norm_put(run, used, text, text_len) != 0)
            return -1;
        for (size_t i = start; i < *used; i++) {
            if (run->norm[i] >= 'A' && run->norm[i] <= 'Z')
                run->norm[i] = (char)(run->norm[i] - 'A' + 'a');
        }
    }
    return 0;
}

/* Counts one record, its evidence in normal form. */
static int rpt_record(void *ud, const cli_report_answer *answer)
{
    rpt_run *run = ud;
    cli_report_answer copy = *answer;
    size_t used = 0;

    if (answer->n_evidence > run->spans_cap) {
        size_t cap = answer->n_evidence * 2;
        cli_report_span *bigger = realloc(run->spans, cap * sizeof *bigger);
        if (bigger == NULL)
            return RPT_STOP_NOMEM;
        run->spans = bigger;
        run->spans_cap = cap;
    }
    /* Normalise into one buffer; it may move as it grows, so the spans
    ** keep their lengths first and become pointers afterwards. Only the
    ** evidence of an ok answer's own areas is counted, so only that is
    ** normalised. */
    for (size_t k = 0; k < answer->n_evidence; k++) {
        const cli_report_span *sp = &answer->evidence[k];
        size_t begin = used;
        run->spans[k].area = sp->area;
        if (answer->status_len == 2 && memcmp(answer->status, "ok", 2) == 0
            && sp->area < 64 && ((answer->areas >> sp->area) & 1u)) {
            if (rpt_normalize(run, &used, sp->text, sp->text_len) != 0)
                return RPT_STOP_NOMEM;
        }
        run->spans[k].text = NULL;
        run->spans[k].text_len = used - begin;
    }
    {
        size_t off = 0;
        for (size_t k = 0; k < answer->n_evidence; k++) {
            run->spans[k].text = run->norm != NULL ? run->norm + off : "";
            off += run->spans[k].text_len;
        }
    }
    copy.evidence = run->spans;
    if (cli_report_add(run->stats, &copy) != 0)
        return RPT_STOP_NOMEM;
    return 0;
}

/* Reads every coded file into the counts. Returns the exit status. */
static int rpt_read_coded(rpt_run *run)
{
    cli_coded_sink sink = {rpt_begin, rpt_record, run};
    char err[1024];

    for (size_t i = 0; i < run->n_inputs; i++) {
        int rc;
        run->current = strcmp(run->inputs[i], "-") == 0 ? "standard input"
                                                         : run->inputs[i];
        rc = cli_coded_read(run->inputs[i], run->by, &sink, err, sizeof err);
        switch (rc) {
        case 0:
            break;
        case RPT_STOP_USAGE:
            cli_error(run->cmd, "%s", run->msg);
            return CLI_EXIT_USAGE;
        case RPT_STOP_NOMEM:
        case CLI_CODED_ENOMEM:
            cli_error(run->cmd, "%s: out of memory", run->current);
            return CLI_EXIT_RUNTIME;
        case CLI_CODED_EUSAGE:
            cli_error(run->cmd, "%s", err);
            return CLI_EXIT_USAGE;
        default:
            cli_error(run->cmd, "%s", err);
            return CLI_EXIT_RUNTIME;
        }
    }
    if (run->stats == NULL) {
        cli_error(run->cmd, "no coded records in the input (no file has an "
                  "area list)");
        return CLI_EXIT_USAGE;
    }
    for (size_t i = 0; i < run->n_files; i++) {
        if (cli_report_add_file(run->stats, run->fingerprints[i]) != 0) {
            cli_error(run->cmd, "out of memory");
            return CLI_EXIT_RUNTIME;
        }
    }
    return CLI_EXIT_OK;
}

/* ------------------------------------------------------------------------
** Merging summaries
** --------------------------------------------------------------------- */

/* Reads one summary file. Returns the exit status. */
static int rpt_load_summary(rpt_run *run, const char *path,
                            cli_report_stats **out)
{
    FILE *in = cli_open_input(run->cmd, path);
    char *buf = NULL;
    size_t len = 0;
    char err[512];
    int rc;

    *out = NULL;
    if (in == NULL)
        return CLI_EXIT_USAGE;
    rc = cli_read_all(in, &buf, &len);
    cli_close_input(in);
    if (rc != 0) {
        errno = rc;
        return cli_read_error(run->cmd, path);
    }
    rc = cli_report_load(buf, len, out, err, sizeof err);
    free(buf);
    if (rc == CLI_REPORT_ENOMEM) {
        cli_error(run->cmd, "%s: out of memory", path);
        return CLI_EXIT_RUNTIME;
    }
    if (rc != 0) {
        cli_error(run->cmd, "%s: %s", path, err);
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

/* Adds up the summaries. Returns the exit status. */
static int rpt_merge(rpt_run *run)
{
    size_t smallest_n = (size_t)-1;

    for (size_t i = 0; i < run->n_inputs; i++) {
        cli_report_stats *s = NULL;
        char err[512];
        int status = rpt_load_summary(run, run->inputs[i], &s);

        if (status != CLI_EXIT_OK)
            return status;
        if (run->by != NULL
            && (s->by == NULL || strcmp(s->by->column, run->by) != 0)) {
            cli_error(run->cmd, "%s: made %s%s, not with --by %s",
                      run->inputs[i], s->by != NULL ? "with --by " :
                      "without --by", s->by != NULL ? s->by->column : "",
                      run->by);
            cli_report_stats_free(s);
            return CLI_EXIT_USAGE;
        }
        if (s->examples_max < smallest_n)
            smallest_n = s->examples_max;
        if (run->stats == NULL) {
            run->stats = s;
            continue;
        }
        status = cli_report_merge(run->stats, s, err, sizeof err);
        cli_report_stats_free(s);
        if (status == CLI_REPORT_ENOMEM) {
            cli_error(run->cmd, "out of memory");
            return CLI_EXIT_RUNTIME;
        }
        if (status != 0) {
            cli_error(run->cmd, "%s: cannot be merged with %s: %s",
                      run->inputs[i], run->inputs[0], err);
            return CLI_EXIT_USAGE;
        }
    }
    if (run->examples >= 0) {
        if ((size_t)run->examples > smallest_n)
            cli_error(run->cmd, "note: the summaries hold %zu examples per "
                      "area; showing %zu, not %ld", smallest_n, smallest_n,
                      run->examples);
        cli_report_limit_examples(run->stats, (size_t)run->examples);
    }
    return CLI_EXIT_OK;
}

/* ------------------------------------------------------------------------
** Text tables
** --------------------------------------------------------------------- */

/* A table of text cells, printed with aligned columns. */
typedef struct rpt_table {
    char **cells;     /* [rows * cols], NULL for an empty cell */
    size_t rows;      /* rows added */
    size_t cap_rows;  /* room */
    size_t cols;      /* columns */
    const char *align; /* [cols] 'l' or 'r' */
    int failed;       /* 1 after running out of memory */
} rpt_table;

/* Starts a table. */
static void rpt_table_init(rpt_table *t, size_t cols, const char *align)
{
    memset(t, 0, sizeof *t);
    t->cols = cols;
    t->align = align;
}

/* A cell's bytes made printable on one line: control characters become
** spaces, bytes that are not valid UTF-8 '?'. Returns a new string. */
static char *rpt_clean(const char *s, size_t len)
{
    char *out = malloc(len + 1);

    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < len;) {
        unsigned char b = (unsigned char)s[i];
        if (b < 0x80) {
            out[i] = b < 0x20 || b == 0x7F ? ' ' : (char)b;
            i++;
            continue;
        }
        {
            size_t n = 1, need;
            int ok = 1;
            need = b >= 0xF0 && b <= 0xF4 ? 4 : b >= 0xE0 ? 3
                 : b >= 0xC2 && b <= 0xDF ? 2 : 0;
            if (need == 0 || b > 0xF4)
                ok = 0;
            for (n = 1; ok && n < need; n++) {
                if (i + n >= len || ((unsigned char)s[i + n] & 0xC0) != 0x80)
                    ok = 0;
            }
            if (ok) {
                memcpy(out + i, s + i, need);
                i += need;
            } else {
                out[i++] = '?';
            }
        }
    }
    out[len] = '\0';
    return out;
}

/* Sets cell (row, col) of the last row from bytes. */
static void rpt_cell(rpt_table *t, size_t col, const char *s, size_t len)
{
    char **cell;

    if (t->failed || t->rows == 0)
        return;
    cell = &t->cells[(t->rows - 1) * t->cols + col];
    free(*cell);
    *cell = rpt_clean(s, len);
    if (*cell == NULL)
        t->failed = 1;
}

/* Sets a cell from a NUL-terminated string. */
static void rpt_str(rpt_table *t, size_t col, const char *s)
{
    rpt_cell(t, col, s, strlen(s));
}

/* Appends a NUL-terminated string to cell (row, col) of the last row. */
static void rpt_cell_append(rpt_table *t, size_t col, const char *tail)
{
    char **cell;
    size_t len, tail_len = strlen(tail);
    char *bigger;

    if (t->failed || t->rows == 0)
        return;
    cell = &t->cells[(t->rows - 1) * t->cols + col];
    len = *cell != NULL ? strlen(*cell) : 0;
    bigger = realloc(*cell, len + tail_len + 1);
    if (bigger == NULL) {
        t->failed = 1;
        return;
    }
    memcpy(bigger + len, tail, tail_len + 1);
    *cell = bigger;
}

/* Sets a cell from a format (short texts: numbers, ids, labels). */
static void rpt_cellf(rpt_table *t, size_t col, const char *fmt, ...)
    CLI_PRINTF(3, 4);
static void rpt_cellf(rpt_table *t, size_t col, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    rpt_cell(t, col, buf, (size_t)n < sizeof buf ? (size_t)n
                                                 : sizeof buf - 1);
}

/* Adds an empty row. */
static void rpt_row(rpt_table *t)
{
    if (t->failed)
        return;
    if (t->rows == t->cap_rows) {
        size_t cap = t->cap_rows ? t->cap_rows * 2 : 16;
        char **bigger = realloc(t->cells, cap * t->cols * sizeof *bigger);
        if (bigger == NULL) {
            t->failed = 1;
            return;
        }
        t->cells = bigger;
        t->cap_rows = cap;
    }
    memset(&t->cells[t->rows * t->cols], 0, t->cols * sizeof *t->cells);
    t->rows++;
}

/* Characters (code points) in a clean cell: its display width, near
** enough for the scripts of the supported languages. */
static size_t rpt_width(const char *s)
{
    size_t n = 0;

    for (; s != NULL && *s != '\0'; s++) {
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    }
    return n;
}

/* Prints the table indented by two spaces, columns two spaces apart, and
** frees it. Returns 0, or -1 when memory ran out while it was made. */
static int rpt_table_print(rpt_table *t)
{
    size_t width[CLI_REPORT_MAX_AREAS + 8] = {0};
    int rc = t->failed ? -1 : 0;

    for (size_t r = 0; r < t->rows && rc == 0; r++) {
        for (size_t c = 0; c < t->cols; c++) {
            size_t w = rpt_width(t->cells[r * t->cols + c]);
            if (w > width[c])
                width[c] = w;
        }
    }
    for (size_t r = 0; r < t->rows && rc == 0; r++) {
        size_t pending = 0; /* spaces owed before the next text */
        fputs("  ", stdout);
        for (size_t c = 0; c < t->cols; c++) {
            const char *s = t->cells[r * t->cols + c];
            size_t w = rpt_width(s);
            size_t pad = width[c] - w;
            if (c > 0)
                pending += 2;
            if (t->align[c] == 'r')
                pending += pad;
            if (s != NULL && *s != '\0') {
                printf("%*s%s", (int)pending, "", s);
                pending = 0;
            }
            if (t->align[c] != 'r')
                pending += pad;
        }
        putchar('\n');
    }
    for (size_t i = 0; i < t->rows * t->cols; i++)
        free(t->cells[i]);
    free(t->cells);
    memset(t, 0, sizeof *t);
    return rc;
}

/* ------------------------------------------------------------------------
** The text report
** --------------------------------------------------------------------- */

/* The heading and the counts of records and statuses. */
static int rpt_text_summary(const rpt_run *run)
{
    const cli_report_stats *s = run->stats;
    size_t idx[CLI_REPORT_MAX_FINGERPRINTS > CLI_REPORT_MAX_STATUSES
               ? CLI_REPORT_MAX_FINGERPRINTS : CLI_REPORT_MAX_STATUSES];
    size_t n;
    rpt_table t;

    puts("whatmatters report");
    rpt_table_init(&t, 2, "ll");
    rpt_row(&t);
    rpt_cellf(&t, 0, "files");
    rpt_cellf(&t, 1, "%llu", (unsigned long long)s->files);
    rpt_row(&t);
    rpt_cellf(&t, 0, "records");
    rpt_cellf(&t, 1, "%llu", (unsigned long long)s->records);
    rpt_row(&t);
    rpt_cellf(&t, 0, "ok answers");
    rpt_cellf(&t, 1, "%llu (the base of every share)",
              (unsigned long long)s->ok);
    n = cli_report_status_order(s, idx);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(s->statuses.keys[idx[i]], "ok") == 0)
            continue;
        rpt_row(&t);
        rpt_cell(&t, 0, s->statuses.keys[idx[i]], s->statuses.lens[idx[i]]);
        rpt_cellf(&t, 1, "%llu (not counted)",
                  (unsigned long long)s->status_counts[idx[i]]);
    }
    if (s->status_other > 0) {
        rpt_row(&t);
        rpt_cellf(&t, 0, "other statuses");
        rpt_cellf(&t, 1, "%llu (not counted)",
                  (unsigned long long)s->status_other);
    }
    rpt_row(&t);
    rpt_cellf(&t, 0, "no area");
    rpt_cellf(&t, 1, "%llu of the ok answers (%.4f)",
              (unsigned long long)s->no_area,
              cli_report_wilson(s->no_area, s->ok).share);
    n = cli_report_fingerprint_order(s, idx);
    for (size_t i = 0; i < n; i++) {
        rpt_row(&t);
        if (i == 0)
            rpt_cellf(&t, 0, "coded with");
        rpt_cellf(&t, 1, "metadata %s", s->fingerprints.keys[idx[i]]);
    }
    if (s->fingerprints_full) {
        rpt_row(&t);
        rpt_cellf(&t, 1, "and more set-ups (over %d)",
                  CLI_REPORT_MAX_FINGERPRINTS);
    }
    if (rpt_table_print(&t) != 0)
        return -1;
    if (n > 1)
        puts("  note: the files were coded with different set-ups");
    return 0;
}

/* The areas table. */
static int rpt_text_areas(const rpt_run *run)
{
    const cli_report_stats *s = run->stats;
    rpt_table t;

    printf("\nAreas (share of %llu ok answers, 95%% Wilson interval)\n",
           (unsigned long long)s->ok);
    rpt_table_init(&t, 7, "rllrrrr");
    rpt_row(&t);
    rpt_cellf(&t, 0, "#");
    rpt_cellf(&t, 1, "area");
    rpt_cellf(&t, 2, "name");
    rpt_cellf(&t, 3, "answers");
    rpt_cellf(&t, 4, "share");
    rpt_cellf(&t, 5, "low");
    rpt_cellf(&t, 6, "high");
    for (size_t a = 0; a < s->n_areas; a++) {
        cli_report_share sh = cli_report_wilson(s->area_n[a], s->ok);
        rpt_row(&t);
        rpt_cellf(&t, 0, "%zu", a + 1);
        rpt_str(&t, 1, s->area_ids[a]);
        rpt_str(&t, 2, run->names[a]);
        rpt_cellf(&t, 3, "%llu", (unsigned long long)s->area_n[a]);
        rpt_cellf(&t, 4, "%.4f", sh.share);
        rpt_cellf(&t, 5, "%.4f", sh.low);
        rpt_cellf(&t, 6, "%.4f", sh.high);
    }
    return rpt_table_print(&t);
}

/* The co-occurrence matrix, columns numbered as the areas table. */
static int rpt_text_cooccurrence(const rpt_run *run)
{
    const cli_report_stats *s = run->stats;
    char align[CLI_REPORT_MAX_AREAS + 3];
    rpt_table t;

    puts("\nCo-occurrence (ok answers with both areas; the diagonal: with "
         "the area)");
    memset(align, 'r', sizeof align);
    align[1] = 'l';
    rpt_table_init(&t, s->n_areas + 2, align);
    rpt_row(&t);
    for (size_t b = 0; b < s->n_areas; b++)
        rpt_cellf(&t, b + 2, "%zu", b + 1);
    for (size_t a = 0; a < s->n_areas; a++) {
        rpt_row(&t);
        rpt_cellf(&t, 0, "%zu", a + 1);
        rpt_str(&t, 1, s->area_ids[a]);
        for (size_t b = 0; b < s->n_areas; b++)
            rpt_cellf(&t, b + 2, "%llu",
                      (unsigned long long)s->co[a * s->n_areas + b]);
    }
    return rpt_table_print(&t);
}

/* The top terms per area. */
static int rpt_text_terms(const rpt_run *run)
{
    const cli_report_stats *s = run->stats;
    size_t idx[CLI_REPORT_TOP_TERMS];
    rpt_table t;

    printf("\nEvidence terms (the %d most frequent per area; answers that "
           "hold the term)\n", CLI_REPORT_TOP_TERMS);
    rpt_table_init(&t, 4, "lrlr");
    rpt_row(&t);
    rpt_cellf(&t, 0, "area");
    rpt_cellf(&t, 1, "rank");
    rpt_cellf(&t, 2, "term");
    rpt_cellf(&t, 3, "answers");
    for (size_t a = 0; a < s->n_areas; a++) {
        const cli_report_terms *tm = &s->terms[a];
        size_t n = cli_report_top_terms(s, a, idx, CLI_REPORT_TOP_TERMS);
        if (n == 0) {
            rpt_row(&t);
            rpt_str(&t, 0, s->area_ids[a]);
            rpt_cellf(&t, 2, "(none)");
        }
        for (size_t i = 0; i < n; i++) {
            rpt_row(&t);
            if (i == 0)
                rpt_str(&t, 0, s->area_ids[a]);
            rpt_cellf(&t, 1, "%zu", i + 1);
            rpt_cell(&t, 2, tm->terms.keys[idx[i]], tm->terms.lens[idx[i]]);
            rpt_cellf(&t, 3, "%llu", (unsigned long long)tm->counts[idx[i]]);
        }
    }
    if (rpt_table_print(&t) != 0)
        return -1;
    for (size_t a = 0; a < s->n_areas; a++) {
        if (s->terms[a].full)
            printf("  note: %s: only the first %d distinct terms were "
                   "counted (%llu evidence items of later terms were not)\n",
                   s->area_ids[a], CLI_REPORT_MAX_TERMS,
                   (unsigned long long)s->terms[a].dropped);
    }
    return 0;
}

/* The examples per area: id and text on one line. */
static int rpt_text_examples(const rpt_run *run)
{
    const cli_report_stats *s = run->stats;

    printf("\nExamples (the first %zu ok answers with each area, in input "
           "order)\n", s->examples_max);
    for (size_t a = 0; a < s->n_areas; a++) {
        rpt_table t;
        printf("  %s\n", s->area_ids[a]);
        if (s->n_examples[a] == 0) {
            puts("    (none)");
            continue;
        }
        rpt_table_init(&t, 2, "ll");
        for (size_t k = 0; k < s->n_examples[a]; k++) {
            const cli_report_example *ex =
                &s->examples[a * s->examples_max + k];
            rpt_row(&t);
            rpt_cell(&t, 0, "  [", 3);
            {
                char *id = rpt_clean(ex->id, ex->id_len);
                if (id == NULL)
                    t.failed = 1;
                else
                    rpt_cell_append(&t, 0, id);
                free(id);
            }
            rpt_cell_append(&t, 0, "]");
            if (ex->text == NULL)
                rpt_cellf(&t, 1, "(no text in the coded file)");
            else
                rpt_cell(&t, 1, ex->text, ex->text_len);
            if (ex->text != NULL && ex->truncated)
                rpt_cell_append(&t, 1, "\xE2\x80\xA6"); /* ellipsis */
        }
        if (rpt_table_print(&t) != 0)
            return -1;
    }
    return 0;
}

/* The --by table: ok answers and the share of each area per value. */
static int rpt_text_groups(const rpt_run *run)
{
    const cli_report_stats *s = run->stats;
    cli_report_group_view view;
    char align[CLI_REPORT_MAX_AREAS + 3];
    rpt_table t;

    if (cli_report_group_view_make(s, &view) != 0)
        return -1;
    printf("\nBy %s (share of the value's ok answers with each area)\n",
           s->by->column);
    memset(align, 'r', sizeof align);
    align[0] = 'l';
    rpt_table_init(&t, s->n_areas + 2, align);
    rpt_row(&t);
    rpt_str(&t, 0, s->by->column);
    rpt_cellf(&t, 1, "ok");
    for (size_t a = 0; a < s->n_areas; a++)
        rpt_str(&t, a + 2, s->area_ids[a]);
    for (size_t r = 0; r < view.n_rows; r++) {
        const cli_report_group_row *row = &view.rows[r];
        rpt_row(&t);
        if (row->value == NULL)
            rpt_cellf(&t, 0, "(other)");
        else if (row->value_len == 0)
            rpt_cellf(&t, 0, "(empty)");
        else
            rpt_cell(&t, 0, row->value, row->value_len);
        rpt_cellf(&t, 1, "%llu", (unsigned long long)row->ok);
        for (size_t a = 0; a < s->n_areas; a++)
            rpt_cellf(&t, a + 2, "%.4f",
                      cli_report_wilson(row->n[a], row->ok).share);
    }
    if (rpt_table_print(&t) != 0) {
        cli_report_group_view_free(&view);
        return -1;
    }
    if (view.n_rows > 0 && view.rows[view.n_rows - 1].value == NULL)
        printf("  (other): %llu further values%s\n",
               (unsigned long long)view.other_values,
               s->by->full ? ", and values past the bound of 10000 that "
               "were not told apart" : "");
    cli_report_group_view_free(&view);
    return 0;
}

/* Prints the whole text report. Returns 0 or -1 (out of memory). */
static int rpt_text(const rpt_run *run)
{
    if (rpt_text_summary(run) != 0 || rpt_text_areas(run) != 0
        || rpt_text_cooccurrence(run) != 0 || rpt_text_terms(run) != 0
        || rpt_text_examples(run) != 0)
        return -1;
    if (run->stats->by != NULL && rpt_text_groups(run) != 0)
        return -1;
    return 0;
}

/* ------------------------------------------------------------------------
** CSV files
** --------------------------------------------------------------------- */

/* Writes one CSV field: quoted when it holds a comma, a quote, CR or LF
** (RFC 4180), the bytes otherwise as they are. */
static void rpt_csv_field(FILE *out, const char *s, size_t len)
{
    int quote = 0;

    for (size_t i = 0; i < len && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
    if (!quote) {
        fwrite(s, 1, len, out);
        return;
    }
    putc('"', out);
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"')
            putc('"', out);
        putc(s[i], out);
    }
    putc('"', out);
}

/* A NUL-terminated field. */
static void rpt_csv_cfield(FILE *out, const char *s)
{
    rpt_csv_field(out, s, strlen(s));
}

/* Opens DIR/NAME for writing; prints the error and returns NULL. */
static FILE *rpt_csv_open(const rpt_run *run, const char *name, char *path,
                          size_t path_size)
{
    FILE *f;
    int n = snprintf(path, path_size, "%s/%s", run->csv_dir, name);

    if (n < 0 || (size_t)n >= path_size) {
        cli_error(run->cmd, "--csv: path too long: %s/%s", run->csv_dir,
                  name);
        return NULL;
    }
    f = fopen(path, "wb");
    if (f == NULL)
        cli_error(run->cmd, "cannot write '%s': %s", path, strerror(errno));
    return f;
}

/* Closes a CSV file, reporting a failed write. Returns 0 or -1. */
static int rpt_csv_close(const rpt_run *run, FILE *f, const char *path)
{
    int failed = ferror(f);

    if (fclose(f) != 0 || failed) {
        cli_error(run->cmd, "cannot write '%s': %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* The file name for the --by table: by_COLUMN.csv, with every byte that
** is not a letter, digit, '-', '_' or '.' as '_'. */
static void rpt_by_file(const char *column, char *name, size_t name_size)
{
    size_t n = (size_t)snprintf(name, name_size, "by_%s", column);

    if (n >= name_size - 4)
        n = name_size - 5;
    for (size_t i = 3; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
            name[i] = '_';
    }
    strcpy(name + n, ".csv");
}

/* Writes the tables as CSV files into --csv DIR. Returns the exit
** status. */
static int rpt_csv(const rpt_run *run)
{
    const cli_report_stats *s = run->stats;
    char path[4096];
    FILE *f;
    struct stat st;

    if (mkdir(run->csv_dir, 0777) != 0 && errno != EEXIST) {
        cli_error(run->cmd, "cannot make folder '%s': %s", run->csv_dir,
                  strerror(errno));
        return CLI_EXIT_USAGE;
    }
    if (stat(run->csv_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        cli_error(run->cmd, "--csv: '%s' is not a folder", run->csv_dir);
        return CLI_EXIT_USAGE;
    }

    if ((f = rpt_csv_open(run, "areas.csv", path, sizeof path)) == NULL)
        return CLI_EXIT_RUNTIME;
    fputs("area,name,answers,ok_answers,share,ci_low,ci_high\n", f);
    for (size_t a = 0; a < s->n_areas; a++) {
        cli_report_share sh = cli_report_wilson(s->area_n[a], s->ok);
        rpt_csv_cfield(f, s->area_ids[a]);
        putc(',', f);
        rpt_csv_cfield(f, run->names[a]);
        fprintf(f, ",%llu,%llu,%.4f,%.4f,%.4f\n",
                (unsigned long long)s->area_n[a], (unsigned long long)s->ok,
                sh.share, sh.low, sh.high);
    }
    if (rpt_csv_close(run, f, path) != 0)
        return CLI_EXIT_RUNTIME;

    if ((f = rpt_csv_open(run, "cooccurrence.csv", path, sizeof path))
        == NULL)
        return CLI_EXIT_RUNTIME;
    fputs("area", f);
    for (size_t b = 0; b < s->n_areas; b++) {
        putc(',', f);
        rpt_csv_cfield(f, s->area_ids[b]);
    }
    putc('\n', f);
    for (size_t a = 0; a < s->n_areas; a++) {
        rpt_csv_cfield(f, s->area_ids[a]);
        for (size_t b = 0; b < s->n_areas; b++)
            fprintf(f, ",%llu", (unsigned long long)s->co[a * s->n_areas + b]);
        putc('\n', f);
    }
    if (rpt_csv_close(run, f, path) != 0)
        return CLI_EXIT_RUNTIME;

    if ((f = rpt_csv_open(run, "terms.csv", path, sizeof path)) == NULL)
        return CLI_EXIT_RUNTIME;
    fputs("area,rank,term,answers\n", f);
    for (size_t a = 0; a < s->n_areas; a++) {
        size_t idx[CLI_REPORT_TOP_TERMS];
        size_t n = cli_report_top_terms(s, a, idx, CLI_REPORT_TOP_TERMS);
        for (size_t i = 0; i < n; i++) {
            rpt_csv_cfield(f, s->area_ids[a]);
            fprintf(f, ",%zu,", i + 1);
            rpt_csv_field(f, s->terms[a].terms.keys[idx[i]],
                          s->terms[a].terms.lens[idx[i]]);
            fprintf(f, ",%llu\n",
                    (unsigned long long)s->terms[a].counts[idx[i]]);
        }
    }
    if (rpt_csv_close(run, f, path) != 0)
        return CLI_EXIT_RUNTIME;

    if ((f = rpt_csv_open(run, "examples.csv", path, sizeof path)) == NULL)
        return CLI_EXIT_RUNTIME;
    fputs("area,rank,id,text,truncated\n", f);
    for (size_t a = 0; a < s->n_areas; a++) {
        for (size_t k = 0; k < s->n_examples[a]; k++) {
            const cli_report_example *ex =
                &s->examples[a * s->examples_max + k];
            rpt_csv_cfield(f, s->area_ids[a]);
            fprintf(f, ",%zu,", k + 1);
            rpt_csv_field(f, ex->id, ex->id_len);
            putc(',', f);
            if (ex->text != NULL)
                rpt_csv_field(f, ex->text, ex->text_len);
            fprintf(f, ",%d\n", ex->truncated);
        }
    }
    if (rpt_csv_close(run, f, path) != 0)
        return CLI_EXIT_RUNTIME;

    if ((f = rpt_csv_open(run, "statuses.csv", path, sizeof path)) == NULL)
        return CLI_EXIT_RUNTIME;
    fputs("status,records\n", f);
    {
        size_t idx[CLI_REPORT_MAX_STATUSES];
        size_t n = cli_report_status_order(s, idx);
        for (size_t i = 0; i < n; i++) {
            rpt_csv_field(f, s->statuses.keys[idx[i]],
                          s->statuses.lens[idx[i]]);
            fprintf(f, ",%llu\n",
                    (unsigned long long)s->status_counts[idx[i]]);
        }
        if (s->status_other > 0)
            fprintf(f, "(other),%llu\n", (unsigned long long)s->status_other);
    }
    if (rpt_csv_close(run, f, path) != 0)
        return CLI_EXIT_RUNTIME;

    if (s->by != NULL) {
        cli_report_group_view view;
        char name[256];

        rpt_by_file(s->by->column, name, sizeof name);
        if (cli_report_group_view_make(s, &view) != 0) {
            cli_error(run->cmd, "out of memory");
            return CLI_EXIT_RUNTIME;
        }
        if ((f = rpt_csv_open(run, name, path, sizeof path)) == NULL) {
            cli_report_group_view_free(&view);
            return CLI_EXIT_RUNTIME;
        }
        rpt_csv_cfield(f, s->by->column);
        fputs(",ok_answers,area,answers,share,ci_low,ci_high\n", f);
        for (size_t r = 0; r < view.n_rows; r++) {
            const cli_report_group_row *row = &view.rows[r];
            for (size_t a = 0; a < s->n_areas; a++) {
                cli_report_share sh = cli_report_wilson(row->n[a], row->ok);
                if (row->value != NULL)
                    rpt_csv_field(f, row->value, row->value_len);
                else
                    fputs("(other)", f);
                fprintf(f, ",%llu,", (unsigned long long)row->ok);
                rpt_csv_cfield(f, s->area_ids[a]);
                fprintf(f, ",%llu,%.4f,%.4f,%.4f\n",
                        (unsigned long long)row->n[a], sh.share, sh.low,
                        sh.high);
            }
        }
        cli_report_group_view_free(&view);
        if (rpt_csv_close(run, f, path) != 0)
            return CLI_EXIT_RUNTIME;
    }
    return CLI_EXIT_OK;
}

/* ------------------------------------------------------------------------
** The other outputs
** --------------------------------------------------------------------- */

/* Writes --save-summary. Returns the exit status. */
static int rpt_save(const rpt_run *run)
{
    FILE *f = fopen(run->save, "wb");

    if (f == NULL) {
        cli_error(run->cmd, "cannot write '%s': %s", run->save,
                  strerror(errno));
        return CLI_EXIT_USAGE;
    }
    if (cli_report_save(run->stats, f) != 0 || fclose(f) != 0) {
        cli_error(run->cmd, "cannot write '%s': %s", run->save,
                  strerror(errno));
        return CLI_EXIT_RUNTIME;
    }
    return CLI_EXIT_OK;
}

/* Writes --html. Returns the exit status. */
static int rpt_html(const rpt_run *run)
{
    FILE *f = fopen(run->html, "wb");
    int rc;

    if (f == NULL) {
        cli_error(run->cmd, "cannot write '%s': %s", run->html,
                  strerror(errno));
        return CLI_EXIT_USAGE;
    }
    rc = cli_report_html(f, run->stats, run->names, run->lang);
    if (fclose(f) != 0 || rc != 0) {
        cli_error(run->cmd, "cannot write '%s': %s", run->html,
                  strerror(errno));
        return CLI_EXIT_RUNTIME;
    }
    return CLI_EXIT_OK;
}

/* The engine (for names, and the analyzer for normal forms). Returns the
** exit status. */
static int rpt_open_engine(rpt_run *run)
{
    int rc = wm_engine_new(NULL, &run->engine);

    if (rc != WM_OK) {
        cli_error(run->cmd, "%s", wm_strerror(rc));
        return CLI_EXIT_RUNTIME;
    }
    if (run->taxonomy != NULL) {
        rc = wm_engine_load_taxonomy(run->engine, run->taxonomy);
        if (rc != WM_OK) {
            const char *msg = wm_engine_errmsg(run->engine);
            cli_error(run->cmd, "%s", msg != NULL && msg[0] != '\0'
                                          ? msg : wm_strerror(rc));
            return rc == WM_ENOMEM ? CLI_EXIT_RUNTIME : CLI_EXIT_USAGE;
        }
    }
    if (!run->merge) {
        rc = wm_analyzer_new(run->engine, run->lang, &run->analyzer);
        if (rc != WM_OK) {
            cli_error(run->cmd, "%s", wm_strerror(rc));
            return CLI_EXIT_RUNTIME;
        }
    }
    return CLI_EXIT_OK;
}

/* The areas' names in the report's language: by id from the engine's
** taxonomy, else the id itself. Returns 0 or -1. */
static int rpt_names(rpt_run *run)
{
    const cli_report_stats *s = run->stats;
    size_t n = wm_engine_area_count(run->engine);

    run->names = calloc(s->n_areas, sizeof *run->names);
    if (run->names == NULL)
        return -1;
    for (size_t a = 0; a < s->n_areas; a++) {
        run->names[a] = s->area_ids[a];
        for (size_t k = 0; k < n; k++) {
            const char *id = wm_engine_area_id(run->engine, k);
            if (id != NULL && strcmp(id, s->area_ids[a]) == 0) {
                const char *name = wm_engine_area_name(run->engine, k,
                                                       run->lang);
                if (name != NULL)
                    run->names[a] = name;
                break;
            }
        }
    }
    return 0;
}

/* ------------------------------------------------------------------------
** The command
** --------------------------------------------------------------------- */

/* Reads the command line into run. Returns the exit status, or -1 for
** --help (printed). */
static int rpt_parse(rpt_run *run, int argc, char **argv)
{
    static const cli_option options[] = {
        {"--html", 1, RPT_OPT_HTML},
        {"--csv", 1, RPT_OPT_CSV},
        {"--by", 1, RPT_OPT_BY},
        {"--examples", 1, RPT_OPT_EXAMPLES},
        {"--save-summary", 1, RPT_OPT_SAVE},
        {"--merge", 0, RPT_OPT_MERGE},
        {"--lang", 1, RPT_OPT_LANG},
        {"--taxonomy", 1, RPT_OPT_TAXONOMY},
        {NULL, 0, 0}
    };
    cli_args args = {run->cmd, argc, argv, 0, 0};
    const char *value;
    int kind;

    while ((kind = cli_next_arg(&args, options, &value)) != CLI_ARG_END) {
        char *end;
        switch (kind) {
        case CLI_ARG_HELP:
            fputs(rpt_help, stdout);
            return cli_finish_output(run->cmd) == CLI_EXIT_OK
                ? -1 : CLI_EXIT_RUNTIME;
        case CLI_ARG_ERROR:
            return CLI_EXIT_USAGE;
        case CLI_ARG_POSITIONAL:
            run->inputs[run->n_inputs++] = value;
            break;
        case RPT_OPT_HTML:
            run->html = value;
            break;
        case RPT_OPT_CSV:
            run->csv_dir = value;
            break;
        case RPT_OPT_BY:
            run->by = value;
            break;
        case RPT_OPT_EXAMPLES:
            errno = 0;
            run->examples = strtol(value, &end, 10);
            if (errno != 0 || *end != '\0' || end == value
                || run->examples < 0
                || run->examples > CLI_REPORT_MAX_EXAMPLES) {
                cli_error(run->cmd, "--examples: '%s' is not a number from "
                          "0 to %d", value, CLI_REPORT_MAX_EXAMPLES);
                return CLI_EXIT_USAGE;
            }
            break;
        case RPT_OPT_SAVE:
            run->save = value;
            break;
        case RPT_OPT_MERGE:
            run->merge = 1;
            break;
        case RPT_OPT_LANG:
            run->lang = value;
            break;
        case RPT_OPT_TAXONOMY:
            run->taxonomy = value;
            break;
        default:
            return CLI_EXIT_USAGE;
        }
    }
    if (run->n_inputs == 0) {
        cli_error(run->cmd, "missing %s (try '" CLI_NAME " help report')",
                  run->merge ? "summary files to merge" : "coded files");
        return CLI_EXIT_USAGE;
    }
    if (run->by != NULL && strlen(run->by) > CLI_REPORT_GROUP_BYTES) {
        cli_error(run->cmd, "--by: a column name of over %d bytes",
                  CLI_REPORT_GROUP_BYTES);
        return CLI_EXIT_USAGE;
    }
    return cli_check_lang(run->cmd, run->lang);
}

/* `whatmatters report`. */
int cli_report(const cli_command *self, int argc, char **argv)
{
    rpt_run run;
    int status;

    memset(&run, 0, sizeof run);
    run.cmd = self->name;
    run.examples = -1;
    run.lang = RPT_DEFAULT_LANG;
    run.inputs = calloc((size_t)argc + 1, sizeof *run.inputs);
    run.fingerprints = calloc((size_t)argc + 1, sizeof *run.fingerprints);
    if (run.inputs == NULL || run.fingerprints == NULL) {
        free(run.inputs);
        free(run.fingerprints);
        cli_error(run.cmd, "out of memory");
        return CLI_EXIT_RUNTIME;
    }

    status = rpt_parse(&run, argc, argv);
    if (status == -1)
        status = CLI_EXIT_OK; /* --help */
    else if (status == CLI_EXIT_OK) {
        status = rpt_open_engine(&run);
        if (status == CLI_EXIT_OK)
            status = run.merge ? rpt_merge(&run) : rpt_read_coded(&run);
        if (status == CLI_EXIT_OK && rpt_names(&run) != 0) {
            cli_error(run.cmd, "out of memory");
            status = CLI_EXIT_RUNTIME;
        }
        if (status == CLI_EXIT_OK && run.save != NULL)
            status = rpt_save(&run);
        if (status == CLI_EXIT_OK && run.csv_dir != NULL)
            status = rpt_csv(&run);
        if (status == CLI_EXIT_OK && run.html != NULL)
            status = rpt_html(&run);
        if (status == CLI_EXIT_OK) {
            if (rpt_text(&run) != 0) {
                cli_error(run.cmd, "out of memory");
                status = CLI_EXIT_RUNTIME;
            } else {
                status = cli_finish_output(run.cmd);
            }
        }
    }

    free(run.names);
    free(run.norm);
    free(run.spans);
    cli_report_stats_free(run.stats);
    wm_analyzer_free(run.analyzer);
    wm_engine_free(run.engine);
    free(run.inputs);
    free(run.fingerprints);
    return status;
}
