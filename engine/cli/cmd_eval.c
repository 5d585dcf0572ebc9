/*
** cmd_eval.c — `whatmatters eval`: classifies a gold corpus (CSV) and
** scores the areas found against the gold ones: precision, recall, F1 per
** area, micro and macro averages, exact match (the arithmetic is
** metrics.c's, the CSV reader csv_reader.c's).
*/
#define _POSIX_C_SOURCE 200809L /* strdup(), getpid() under -std=c11 */

#include "cli.h"

#include "csv_reader.h"
#include "json_writer.h"
#include "metrics.h"
#include "train.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char cli_help_eval[] =
    "Usage: " CLI_NAME " eval --lang LANG [--plugin NAME|PATH "
    "[--options STR]]...\n"
    "                        [--taxonomy FILE] [--data DIR]\n"
    "                        [--combine max|mean] [--spell on|off|suggest]\n"
    "                        [--dict-dir DIR] [--json] [--errors] "
    "GOLD.csv\n"
    "       " CLI_NAME " eval --lang LANG --model MODEL [...] GOLD.csv\n"
    "       " CLI_NAME " eval --lang LANG --cv K [--seed N] "
    "[--start-tokens N] [...]\n"
    "                        LABELLED.csv\n"
    "\n"
    "Classifies every answer of a gold corpus and compares the areas found\n"
    "with the gold ones. GOLD.csv ('-' for standard input) is CSV as in\n"
    "RFC 4180 with the header id,text,areas (corpora/README.md): fields\n"
    "with a comma, quote or line break in double quotes, a quote inside\n"
    "written twice; LF or CRLF line ends; a UTF-8 byte-order mark allowed;\n"
    "areas are ';'-separated area ids of the taxonomy, empty for none.\n"
    "\n"
    "Prints a row per area of the taxonomy, a row over all areas (micro),\n"
    "and a summary line:\n"
    "\n"
    "  area            precision  recall      f1  support\n"
    "  access              1.000   0.500   0.667        2\n"
    "  ...\n"
    "  micro               0.750   0.600   0.667        5\n"
    "  macro-F1 0.412  micro-F1 0.667  exact 0.500  answers 6\n"
    "\n"
    "With tp, fp and fn an area's true positives (predicted and gold),\n"
    "false positives (predicted, not gold) and false negatives (gold, not\n"
    "predicted):\n"
    "  precision  tp / (tp + fp)\n"
    "  recall     tp / (tp + fn)\n"
    "  f1         2 tp / (2 tp + fp + fn), the harmonic mean of the two\n"
    "  support    tp + fn, the answers with the area in the gold\n"
    "each 0 when its denominator is 0 (an area never predicted has\n"
    "precision 0, one without support recall 0). micro: the same over the\n"
    "counts summed over all areas. macro-F1: the mean F1 of all the\n"
    "taxonomy's areas, those without support included. exact: the share of\n"
    "answers whose predicted areas are exactly the gold ones (none for\n"
    "none): the accuracy. When every gold answer has exactly one area (a\n"
    "single-label data set), a further line scores the top area (the\n"
    "highest combined score) of each answer as its one label, as\n"
    "single-label classifiers are scored:\n"
    "  top-1 accuracy 0.680  top-1 macro-F1 0.598  single-label answers 1733\n"
    "\n"
    "A malformed CSV (a quote inside an unquoted field, text after a\n"
    "closing quote, a quoted field that never ends, a row with another\n"
    "number of fields than the header) or an area id that is not in the\n"
    "taxonomy stops the run before any output with one line\n"
    "'FILE:LINE: byte OFFSET: what' (OFFSET from 0 at the start of the\n"
    "file) and exit status 1.\n"
    "\n"
    "Options:\n"
    "  --lang LANG         language of the answers; required\n"
    "  --plugin NAME|PATH  a plugin to run (repeatable; default: every\n"
    "                      built-in one: lexicon, pattern, and supervised\n"
    "                      where it has a built-in model, English)\n"
    "  --options STR       options for the plugin named just before\n"
    "  --taxonomy FILE     the areas from FILE instead of the built-in ones\n"
    "  --data DIR          data files from DIR, laid out as lexicons/\n"
    "  --combine RULE      max (the default) or mean\n"
    CLI_HELP_MODEL
    "  --cv K              K-fold cross-validation of training on the file:\n"
    "                      each fold is coded by a model trained (as\n"
    "                      train does) on the other folds, and the table\n"
    "                      scores all folds together; the plugins are the\n"
    "                      supervised one alone, or those named and it\n"
    "  --seed N            the seed of --cv's folds and training (default 1)\n"
    "  --start-tokens N    --cv trains with train's --start-tokens N\n"
    "  --spell MODE        on, off or suggest: the spelling stage (default\n"
    "                      off): split and\n"
    "                      correct words no plugin knows (docs/spelling.md)\n"
    "  --dict-dir DIR      the Hunspell dictionaries' folder (default\n"
    "                      /usr/share/hunspell)\n"
    "                      (these as in '" CLI_NAME " help classify')\n"
    "  --json              print one JSON object instead of the table:\n"
    "                      {\"answers\":N,\"macro_f1\":F,\"micro_f1\":F,\n"
    "                      \"exact_match\":F,\"per_area\":{\"ID\":{"
    "\"precision\":F,\n"
    "                      \"recall\":F,\"f1\":F,\"support\":N,\"tp\":N,"
    "\"fp\":N,\n"
    "                      \"fn\":N},...},\"micro\":{the same keys},\n"
    "                      \"plugin_failures\":N, and for a single-label\n"
    "                      set \"top1\":{\"answers\":N,\"accuracy\":F,\n"
    "                      \"macro_f1\":F}}, F rounded to four decimals\n"
    "  --errors            also list the misclassified answers after the\n"
    "                      table: id, gold and predicted areas, the text, and\n"
    "                      the rules that fired with the text they matched;\n"
    "                      with --json an \"errors\" array of {\"id\",\"line\",\n"
    "                      \"text\",\"gold\",\"predicted\",\"evidence\"} "
    "(evidence\n"
    "                      as in classify, \"spelling\":true included)\n"
    "  -h, --help          show this help and exit\n"
    "\n"
    "Examples:\n"
    "  $ " CLI_NAME " eval --lang sv --errors corpora/gold/sv/dev.csv\n"
    "  $ " CLI_NAME " eval --lang sv --spell on corpora/gold/sv/test.csv\n"
    "  $ " CLI_NAME " eval --lang sv --cv 5 corpora/gold/sv/dev.csv\n";

/* Writes the areas of a mask as a JSON array of ids, in taxonomy order. */
static void cli_json_areas(const wm_engine *engine, uint64_t mask)
{
    size_t n_areas = wm_engine_area_count(engine);
    int first = 1;

    putchar('[');
    for (size_t i = 0; i < n_areas && i < WM_MAX_AREAS; i++) {
        if (mask & ((uint64_t)1 << i)) {
            if (!first)
                putchar(',');
            cli_json_cstring(stdout, wm_engine_area_id(engine, i));
            first = 0;
        }
    }
    putchar(']');
}

/*
** Writes evidence as a JSON array of objects: the area id, the byte span
** in the answer, the bytes there, the rule and the plugin's name. A span
** that does not fit the text (which a plugin should never report) is
** printed as given, with the text cut to what exists.
*/
static void cli_json_evidence(const wm_engine *engine, const char *text,
                              size_t text_len, const wm_evidence *evidence,
                              size_t n_evidence)
{
    putchar('[');
    for (size_t i = 0; i < n_evidence; i++) {
        const wm_evidence *ev = &evidence[i];
        size_t start = ev->start < text_len ? ev->start : text_len;
        size_t end = ev->end < text_len ? ev->end : text_len;

        if (end < start)
            end = start;
        if (i > 0)
            putchar(',');
        fputs("{\"area\":", stdout);
        cli_json_cstring(stdout, wm_engine_area_id(engine, ev->area));
        printf(",\"start\":%zu,\"end\":%zu,\"text\":", ev->start, ev->end);
        cli_json_string(stdout, text + start, end - start);
        fputs(",\"rule\":", stdout);
        cli_json_cstring(stdout, ev->rule);
        fputs(",\"plugin\":", stdout);
        cli_json_cstring(stdout, wm_engine_plugin_name(engine, ev->plugin));
        if (ev->flags & WM_EVIDENCE_NEGATED)
            fputs(",\"negated\":true", stdout);
        if (ev->flags & WM_EVIDENCE_SPELLING)
            fputs(",\"spelling\":true", stdout);
        putchar('}');
    }
    putchar(']');
}

/* One answer of the gold corpus. */
typedef struct cli_gold {
    const char *id;   /* its id, in the file's buffer */
    size_t id_len;    /* bytes in id */
    const char *text; /* the answer, unquoted, in the file's buffer */
    size_t text_len;  /* bytes in text */
    size_t line;      /* line where its record starts */
    uint64_t areas;   /* the gold areas: bit i for area i */
} cli_gold;

/* A misclassified answer, kept for --errors until the table is out. */
typedef struct cli_miss {
    size_t answer;          /* index of the answer in the corpus */
    uint64_t predicted;     /* the areas predicted */
    wm_evidence *evidence;  /* a copy of its evidence (the rules stay
                               borrowed from the engine, valid for its
                               life) */
    size_t n_evidence;      /* how many */
    char *plugin_error;     /* a copy of the plugin's failure, or NULL */
} cli_miss;

/* The state of one eval run. */
typedef struct cli_eval_run {
    const char *cmd;        /* the subcommand's name, for messages */
    const char *file;       /* the gold file's name, for messages */
    const wm_engine *engine; /* the engine, for area and plugin names */
    cli_gold *answers;      /* the corpus */
    size_t n_answers;       /* how many */
    cli_miss *misses;       /* misclassified answers (with --errors) */
    size_t n_misses;        /* how many */
    cli_metrics metrics;    /* the counts */
    cli_metrics top1;       /* the top area of single-label answers */
    size_t plugin_failures; /* answers on which a plugin failed */
} cli_eval_run;

/* Prints "whatmatters: eval: FILE:LINE: byte OFFSET: message"; returns
** CLI_EXIT_RUNTIME (a malformed gold file is no usage error: the file was
** found and read). */
static int cli_gold_error(const cli_eval_run *run, size_t line,
                          size_t offset, const char *msg)
{
    cli_error(run->cmd, "%s:%zu: byte %zu: %s", run->file, line, offset, msg);
    return CLI_EXIT_RUNTIME;
}

/* The index of a header column by its name, or -1. */
static long cli_csv_column(const cli_csv_reader *csv, const char *name)
{
    size_t name_len = strlen(name);

    for (size_t i = 0; i < csv->n_fields; i++) {
        if (csv->fields[i].len == name_len
            && memcmp(csv->fields[i].text, name, name_len) == 0)
            return (long)i;
    }
    return -1;
}

/*
** Parses an areas field ("access;respect", empty for none) into a mask of
** the engine's areas. Spaces and tabs around an id are ignored, and so are
** empty items ("access;"). An id that is not in the taxonomy is an error
** naming it, its line and its byte offset, with the ids that would do.
*/
static int cli_gold_areas(const cli_eval_run *run, const cli_csv_field *field,
                          uint64_t *mask)
{
    size_t n_areas = wm_engine_area_count(run->engine);
    size_t i = 0;

    *mask = 0;
    while (i <= field->len) {
        size_t start, end, area;

        while (i < field->len && (field->text[i] == ' '
                                  || field->text[i] == '\t'))
            i++;
        start = i;
        while (i < field->len && field->text[i] != ';')
            i++;
        end = i;
        while (end > start && (field->text[end - 1] == ' '
                               || field->text[end - 1] == '\t'))
            end--;
        i++; /* past the ';' (or the end) */
        if (end == start)
            continue;
        for (area = 0; area < n_areas; area++) {
            const char *id = wm_engine_area_id(run->engine, area);
            if (id != NULL && strlen(id) == end - start
                && memcmp(id, field->text + start, end - start) == 0)
                break;
        }
        if (area == n_areas) {
            char ids[768] = "";
            char msg[1024];
            size_t used = 0;

            for (size_t k = 0; k < n_areas; k++) {
                int n = snprintf(ids + used, sizeof ids - used, "%s%s",
                                 k > 0 ? ", " : "",
                                 wm_engine_area_id(run->engine, k));
                if (n < 0 || (size_t)n >= sizeof ids - used)
                    break;
                used += (size_t)n;
            }
            snprintf(msg, sizeof msg, "unknown area '%.*s' (expected %s)",
                     (int)(end - start > 64 ? 64 : end - start),
                     field->text + start, ids);
            return cli_gold_error(run, field->line, field->offset
                                  + (size_t)field->quoted + start, msg);
        }
        *mask |= (uint64_t)1 << area;
    }
    return CLI_EXIT_OK;
}

/*
** Reads the gold corpus from buf (which the reader rewrites in place: the
** answers point into it). The header must name the columns id, text and
** areas (in any order; other columns are ignored); every row must have as
** many fields as the header. Returns CLI_EXIT_OK or, after one line on
** stderr, CLI_EXIT_RUNTIME.
*/
static int cli_gold_load(cli_eval_run *run, char *buf, size_t len)
{
    static const char *const columns[] = {"id", "text", "areas"};
    long col[3];
    size_t n_header;
    size_t cap = 0;
    cli_csv_reader csv;
    int status = CLI_EXIT_OK;
    int rc;

    cli_csv_init(&csv, buf, len);
    rc = cli_csv_next(&csv);
    if (rc == CLI_CSV_END) {
        cli_error(run->cmd, "%s: empty file (expected the header "
                  "id,text,areas)", run->file);
        cli_csv_free(&csv);
        return CLI_EXIT_RUNTIME;
    }
    if (rc == CLI_CSV_RECORD) {
        for (size_t k = 0; k < 3 && status == CLI_EXIT_OK; k++) {
            char msg[128];
            col[k] = cli_csv_column(&csv, columns[k]);
            if (col[k] >= 0)
                continue;
            snprintf(msg, sizeof msg, "the header has no column '%s' "
                     "(expected id,text,areas)", columns[k]);
            status = cli_gold_error(run, csv.record_line,
                                    csv.fields[0].offset, msg);
        }
    }
    n_header = csv.n_fields;
    while (status == CLI_EXIT_OK && rc == CLI_CSV_RECORD
           && (rc = cli_csv_next(&csv)) == CLI_CSV_RECORD) {
        cli_gold *g;

        if (csv.n_fields != n_header) {
            char msg[128];
            snprintf(msg, sizeof msg, "%zu field%s where the header has %zu",
                     csv.n_fields, csv.n_fields == 1 ? "" : "s", n_header);
            status = cli_gold_error(run, csv.record_line,
                                    csv.fields[0].offset, msg);
            break;
        }
        if (run->n_answers == cap) {
            size_t new_cap = cap ? cap * 2 : 256;
            cli_gold *bigger = realloc(run->answers,
                                       new_cap * sizeof *bigger);
            if (bigger == NULL) {
                rc = CLI_CSV_NOMEM;
                break;
            }
            run->answers = bigger;
            cap = new_cap;
        }
        g = &run->answers[run->n_answers];
        g->id = csv.fields[col[0]].text;
        g->id_len = csv.fields[col[0]].len;
        g->text = csv.fields[col[1]].text;
        g->text_len = csv.fields[col[1]].len;
        g->line = csv.record_line;
        status = cli_gold_areas(run, &csv.fields[col[2]], &g->areas);
        if (status == CLI_EXIT_OK)
            run->n_answers++;
    }
    if (status == CLI_EXIT_OK && rc == CLI_CSV_ERROR)
        status = cli_gold_error(run, csv.err_line, csv.err_offset, csv.err);
    if (status == CLI_EXIT_OK && rc == CLI_CSV_NOMEM) {
        cli_error(run->cmd, "%s", wm_strerror(WM_ENOMEM));
        status = CLI_EXIT_RUNTIME;
    }
    cli_csv_free(&csv);
    return status;
}

/*
** Remembers a misclassified answer for --errors: the evidence is copied,
** as the classification is only lent until the next answer. Returns 0, or
** -1 when memory runs out.
*/
static int cli_eval_keep_miss(cli_eval_run *run, size_t *cap, size_t answer,
                              const wm_classification *c,
                              const char *plugin_error)
{
    cli_miss *m;

    if (run->n_misses == *cap) {
        size_t new_cap = *cap ? *cap * 2 : 64;
        cli_miss *bigger = realloc(run->misses, new_cap * sizeof *bigger);
        if (bigger == NULL)
            return -1;
        run->misses = bigger;
        *cap = new_cap;
    }
    m = &run->misses[run->n_misses];
    memset(m, 0, sizeof *m);
    m->answer = answer;
    m->predicted = cli_label_mask(c);
    if (c->n_evidence > 0) {
        m->evidence = malloc(c->n_evidence * sizeof *m->evidence);
        if (m->evidence == NULL)
            return -1;
        memcpy(m->evidence, c->evidence, c->n_evidence * sizeof *m->evidence);
        m->n_evidence = c->n_evidence;
    }
    if (plugin_error != NULL) {
        m->plugin_error = strdup(plugin_error);
        if (m->plugin_error == NULL) {
            free(m->evidence);
            return -1;
        }
    }
    run->n_misses++;
    return 0;
}

/* The area of the highest combined score as a mask (the first of equal
** ones), or 0 when every score is 0. */
static uint64_t cli_top_area(const wm_classification *c)
{
    size_t best = 0;

    for (size_t i = 1; i < c->n_areas && i < CLI_METRICS_MAX_AREAS; i++)
        if (c->scores[i] > c->scores[best])
            best = i;
    return c->n_areas > 0 && c->scores[best] > 0.0 ? (uint64_t)1 << best : 0;
}

/*
** Classifies every answer and counts. A plugin's failure on an answer
** does not stop the run (the other plugins' areas stand, as in classify);
** one warning line at the end says how often it happened and the first
** message. A failure of the analysis itself stops it, naming the line.
*/
static int cli_eval_classify(cli_eval_run *run, wm_analyzer *analyzer,
                             int keep_errors, const uint32_t *fold,
                             uint32_t which)
{
    char first_failure[1024] = "";
    size_t first_failure_line = 0;
    size_t miss_cap = 0;

    for (size_t i = 0; i < run->n_answers; i++) {
        const cli_gold *g = &run->answers[i];
        const wm_classification *c = NULL;
        char plugin_error[1024];
        const char *failure = NULL;
        uint64_t predicted;
        int rc;

        if (fold != NULL && fold[i] != which)
            continue;
        rc = wm_classify(analyzer, g->text, g->text_len, 0, &c);

        if (rc != WM_OK) {
            char where[4200];
            snprintf(where, sizeof where, "%s:%zu", run->file, g->line);
            return cli_analyzer_error(run->cmd, analyzer, rc, where);
        }
        if (c->status & WM_STATUS_PLUGIN_FAILED) {
            failure = cli_plugin_error(run->engine, c, plugin_error,
                                       sizeof plugin_error);
            if (run->plugin_failures++ == 0) {
                snprintf(first_failure, sizeof first_failure, "%s", failure);
                first_failure_line = g->line;
            }
        }
        predicted = cli_label_mask(c);
        cli_metrics_add(&run->metrics, g->areas, predicted);
        if (g->areas != 0 && (g->areas & (g->areas - 1)) == 0)
            cli_metrics_add(&run->top1, g->areas, cli_top_area(c));
        if (keep_errors && predicted != g->areas
            && cli_eval_keep_miss(run, &miss_cap, i, c, failure) != 0) {
            cli_error(run->cmd, "%s", wm_strerror(WM_ENOMEM));
            return CLI_EXIT_RUNTIME;
        }
    }
    if (run->plugin_failures > 0)
        cli_error(run->cmd, "warning: a plugin failed on %zu answer%s "
                  "(first %s:%zu: %s)", run->plugin_failures,
                  run->plugin_failures == 1 ? "" : "s", run->file,
                  first_failure_line, first_failure);
    return CLI_EXIT_OK;
}

/* 1 when every answer of the corpus has exactly one gold area: a
** single-label data set, also scored by its top area. */
static int cli_single_label(const cli_eval_run *run)
{
    return run->top1.answers > 0 && run->top1.answers == run->metrics.answers;
}

/* Writes the areas of a mask as "id;id", or "-" for none. */
static void cli_put_areas(const wm_engine *engine, uint64_t mask)
{
    size_t n_areas = wm_engine_area_count(engine);
    int first = 1;

    for (size_t i = 0; i < n_areas && i < CLI_METRICS_MAX_AREAS; i++) {
        if (mask & ((uint64_t)1 << i)) {
            const char *id = wm_engine_area_id(engine, i);
            printf("%s%s", first ? "" : ";", id != NULL ? id : "?");
            first = 0;
        }
    }
    if (first)
        putchar('-');
}

/* Prints one row of the table. */
static void cli_put_row(const char *name, const cli_scores *s)
{
    printf("%-16s%9.3f%8.3f%8.3f%9zu\n", name, s->precision, s->recall,
           s->f1, s->support);
}

/*
** Prints the table, the summary line and, with --errors, the misclassified
** answers, each as
**   ID  gold: AREAS  predicted: AREAS
**     text: TEXT
**     rules: AREA:RULE "MATCHED", ...        ('-' when none fired)
**     plugin failed: MESSAGE                  (only when one did)
** with the escapes of tokenize (\t, \n, \\, \xHH) so that each is a line.
*/
static void cli_eval_print_text(const cli_eval_run *run, int with_errors)
{
    const wm_engine *engine = run->engine;
    const cli_metrics *m = &run->metrics;
    cli_scores s;

    printf("%-16s%9s%8s%8s%9s\n", "area", "precision", "recall", "f1",
           "support");
    for (size_t i = 0; i < m->n_areas; i++) {
        const char *id = wm_engine_area_id(engine, i);
        s = cli_metrics_area(m, i);
        cli_put_row(id != NULL ? id : "?", &s);
    }
    s = cli_metrics_micro(m);
    cli_put_row("micro", &s);
    printf("macro-F1 %.3f  micro-F1 %.3f  exact %.3f  answers %zu\n",
           cli_metrics_macro_f1(m), s.f1, cli_metrics_exact(m), m->answers);
    if (cli_single_label(run))
        printf("top-1 accuracy %.3f  top-1 macro-F1 %.3f  single-label "
               "answers %zu\n", cli_metrics_exact(&run->top1),
               cli_metrics_macro_f1(&run->top1), run->top1.answers);
    if (!with_errors)
        return;

    printf("\nmisclassified: %zu of %zu answers\n", run->n_misses,
           m->answers);
    for (size_t k = 0; k < run->n_misses; k++) {
        const cli_miss *miss = &run->misses[k];
        const cli_gold *g = &run->answers[miss->answer];

        cli_put_escaped(g->id, g->id_len);
        fputs("  gold: ", stdout);
        cli_put_areas(engine, g->areas);
        fputs("  predicted: ", stdout);
        cli_put_areas(engine, miss->predicted);
        fputs("\n  text: ", stdout);
        cli_put_escaped(g->text, g->text_len);
        fputs("\n  rules: ", stdout);
        if (miss->n_evidence == 0)
            putchar('-');
        for (size_t e = 0; e < miss->n_evidence; e++) {
            const wm_evidence *ev = &miss->evidence[e];
            const char *id = wm_engine_area_id(engine, ev->area);
            size_t start = ev->start < g->text_len ? ev->start : g->text_len;
            size_t end = ev->end < g->text_len ? ev->end : g->text_len;

            if (end < start)
                end = start;
            printf("%s%s:", e > 0 ? ", " : "", id != NULL ? id : "?");
            if (ev->rule != NULL)
                cli_put_escaped(ev->rule, strlen(ev->rule));
            fputs(" \"", stdout);
            cli_put_escaped(g->text + start, end - start);
            putchar('"');
        }
        putchar('\n');
        if (miss->plugin_error != NULL) {
            fputs("  plugin failed: ", stdout);
            cli_put_escaped(miss->plugin_error, strlen(miss->plugin_error));
            putchar('\n');
        }
    }
}

/* Writes one set of scores as a JSON object. */
static void cli_json_scores(const cli_scores *s)
{
    fputs("{\"precision\":", stdout);
    cli_json_number(stdout, s->precision);
    fputs(",\"recall\":", stdout);
    cli_json_number(stdout, s->recall);
    fputs(",\"f1\":", stdout);
    cli_json_number(stdout, s->f1);
    printf(",\"support\":%zu,\"tp\":%zu,\"fp\":%zu,\"fn\":%zu}", s->support,
           s->counts.tp, s->counts.fp, s->counts.fn);
}

/* Prints the result as one JSON object on one line (see the help). */
static void cli_eval_print_json(const cli_eval_run *run, int with_errors)
{
    const wm_engine *engine = run->engine;
    const cli_metrics *m = &run->metrics;
    cli_scores micro = cli_metrics_micro(m);

    printf("{\"answers\":%zu,\"macro_f1\":", m->answers);
    cli_json_number(stdout, cli_metrics_macro_f1(m));
    fputs(",\"micro_f1\":", stdout);
    cli_json_number(stdout, micro.f1);
    fputs(",\"exact_match\":", stdout);
    cli_json_number(stdout, cli_metrics_exact(m));
    fputs(",\"per_area\":{", stdout);
    for (size_t i = 0; i < m->n_areas; i++) {
        cli_scores s = cli_metrics_area(m, i);
        if (i > 0)
            putchar(',');
        cli_json_cstring(stdout, wm_engine_area_id(engine, i));
        putchar(':');
        cli_json_scores(&s);
    }
    fputs("},\"micro\":", stdout);
    cli_json_scores(&micro);
    printf(",\"plugin_failures\":%zu", run->plugin_failures);
    if (cli_single_label(run)) {
        printf(",\"top1\":{\"answers\":%zu,\"accuracy\":",
               run->top1.answers);
        cli_json_number(stdout, cli_metrics_exact(&run->top1));
        fputs(",\"macro_f1\":", stdout);
        cli_json_number(stdout, cli_metrics_macro_f1(&run->top1));
        putchar('}');
    }
    if (with_errors) {
        fputs(",\"errors\":[", stdout);
        for (size_t k = 0; k < run->n_misses; k++) {
            const cli_miss *miss = &run->misses[k];
            const cli_gold *g = &run->answers[miss->answer];

            if (k > 0)
                putchar(',');
            fputs("{\"id\":", stdout);
            cli_json_string(stdout, g->id, g->id_len);
            printf(",\"line\":%zu,\"text\":", g->line);
            cli_json_string(stdout, g->text, g->text_len);
            fputs(",\"gold\":", stdout);
            cli_json_areas(engine, g->areas);
            fputs(",\"predicted\":", stdout);
            cli_json_areas(engine, miss->predicted);
            fputs(",\"evidence\":", stdout);
            cli_json_evidence(engine, g->text, g->text_len, miss->evidence,
                              miss->n_evidence);
            if (miss->plugin_error != NULL) {
                fputs(",\"status\":\"plugin_failed\",\"plugin_error\":",
                      stdout);
                cli_json_cstring(stdout, miss->plugin_error);
            }
            putchar('}');
        }
        putchar(']');
    }
    fputs("}\n", stdout);
}

/* eval's own options, after the shared ones. */
enum {
    CLI_OPT_JSON = CLI_OPT_CLASSIFY_OWN, /* --json */
    CLI_OPT_ERRORS,                      /* --errors */
    CLI_OPT_CV,                          /* --cv */
    CLI_OPT_SEED,                        /* --seed */
    CLI_OPT_START                        /* --start-tokens */
};

/*
** K-fold cross-validation of training (--cv): the answers are split into
** folds by a seeded shuffle; for each fold a model is trained on the
** others (analysed by the first engine's analyzer), written to a
** temporary file, and an engine made with it (the named plugins, or the
** supervised one alone) codes the fold. The counts of all folds add up in
** run, so the table is the usual one.
*/
static int cli_eval_cv(cli_eval_run *run, cli_setup *setup,
                       wm_analyzer *analyzer, uint32_t k,
                       const cli_train_options *topt, int keep_errors)
{
    size_t n = run->n_answers, n_labels = wm_engine_area_count(run->engine);
    cli_example *ex = malloc((n ? n : 1) * sizeof *ex);
    cli_example *sub = malloc((n ? n : 1) * sizeof *sub);
    uint32_t *fold = malloc((n ? n : 1) * sizeof *fold);
    const char *labels[SV_MAX_LABELS];
    char path[4096], err[1024] = "";
    const char *tmpdir = getenv("TMPDIR");
    int status = CLI_EXIT_OK;

    if (!ex || !sub || !fold) {
        free(ex);
        free(sub);
        free(fold);
        cli_error(run->cmd, "%s", wm_strerror(WM_ENOMEM));
        return CLI_EXIT_RUNTIME;
    }
    if (n < k) {
        cli_error(run->cmd, "%s: %zu answers for %u folds", run->file, n, k);
        status = CLI_EXIT_USAGE;
    }
    for (size_t l = 0; l < n_labels && l < SV_MAX_LABELS; l++)
        labels[l] = wm_engine_area_id(run->engine, l);
    for (size_t i = 0; i < n; i++) {
        ex[i].text = run->answers[i].text;
        ex[i].text_len = run->answers[i].text_len;
        ex[i].line = run->answers[i].line;
        ex[i].labels = run->answers[i].areas;
    }
    cli_train_folds(n, k, topt->seed, fold);
    snprintf(path, sizeof path, "%s/whatmatters-cv-%ld.model",
             tmpdir && tmpdir[0] ? tmpdir : "/tmp", (long)getpid());
    if (setup->n_plugins == 0) {
        setup->plugins[0].plugin = CLI_MODEL_PLUGIN;
        setup->plugins[0].options = NULL;
        setup->n_plugins = 1;
    }
    setup->model = path;
    for (uint32_t f = 0; status == CLI_EXIT_OK && f < k; f++) {
        sv_model model;
        wm_engine *engine = NULL;
        wm_analyzer *fold_analyzer = NULL;
        size_t m = 0;
        int rc;

        for (size_t i = 0; i < n; i++)
            if (fold[i] != f)
                sub[m++] = ex[i];
        rc = cli_train(analyzer, sub, m, labels, n_labels, topt, &model,
                       err, sizeof err);
        if (rc == WM_OK)
            rc = cli_model_save(&model, path, err, sizeof err);
        cli_model_free(&model);
        if (rc != WM_OK) {
            cli_error(run->cmd, "fold %u: %s", f + 1,
                      err[0] ? err : wm_strerror(rc));
            status = CLI_EXIT_RUNTIME;
            break;
        }
        status = cli_open_classifier(run->cmd, setup, &engine,
                                     &fold_analyzer);
        if (status == CLI_EXIT_OK)
            status = cli_eval_classify(run, fold_analyzer, keep_errors, fold,
                                       f);
        wm_analyzer_free(fold_analyzer);
        wm_engine_free(engine);
    }
    remove(path);
    setup->model = NULL;
    free(ex);
    free(sub);
    free(fold);
    return status;
}

/*
** Evaluates the classifier on a gold corpus. The file is read whole and
** checked whole (syntax and area ids) before the first answer is
** classified, so a malformed corpus never gives half a table.
*/
int cli_eval(const cli_command *self, int argc, char **argv)
{
    static const cli_option options[] = {
        {"--lang", 1, CLI_OPT_LANG},
        {"--data", 1, CLI_OPT_DATA},
        {"--plugin", 1, CLI_OPT_PLUGIN},
        {"--options", 1, CLI_OPT_OPTIONS},
        {"--taxonomy", 1, CLI_OPT_TAXONOMY},
        {"--combine", 1, CLI_OPT_COMBINE},
        {"--model", 1, CLI_OPT_MODEL},
        {"--model-assign", 1, CLI_OPT_MODEL_ASSIGN},
        {"--model-veto", 1, CLI_OPT_MODEL_VETO},
        {"--spell", 1, CLI_OPT_SPELL},
        {"--dict-dir", 1, CLI_OPT_DICT_DIR},
        {"--json", 0, CLI_OPT_JSON},
        {"--errors", 0, CLI_OPT_ERRORS},
        {"--cv", 1, CLI_OPT_CV},
        {"--seed", 1, CLI_OPT_SEED},
        {"--start-tokens", 1, CLI_OPT_START},
        {NULL, 0, 0}
    };
    cli_args args = {self->name, argc, argv, 0, 0};
    cli_setup setup;
    cli_eval_run run;
    wm_engine *engine = NULL;
    wm_analyzer *analyzer = NULL;
    char *buf = NULL;
    size_t buf_len = 0;
    int as_json = 0;
    int with_errors = 0;
    const char *cv = NULL;
    const char *seed_arg = NULL;
    const char *start_arg = NULL;
    cli_train_options topt;
    unsigned long folds = 0;
    const char *value;
    int kind;
    int status;

    memset(&run, 0, sizeof run);
    cli_train_defaults(&topt);
    status = cli_setup_init(self->name, &setup, argc);
    if (status != CLI_EXIT_OK)
        return status;
    while ((kind = cli_next_arg(&args, options, &value)) != CLI_ARG_END) {
        int rc;
        if (kind == CLI_ARG_HELP) {
            cli_setup_free(&setup);
            return cli_print_help(self);
        }
        if (kind == CLI_ARG_ERROR)
            rc = -1;
        else
            rc = cli_setup_arg(self->name, &setup, kind, value);
        if (rc == 0 && kind == CLI_OPT_JSON)
            as_json = 1;
        else if (rc == 0 && kind == CLI_OPT_ERRORS)
            with_errors = 1;
        else if (rc == 0 && kind == CLI_OPT_CV)
            cv = value;
        else if (rc == 0 && kind == CLI_OPT_SEED)
            seed_arg = value;
        else if (rc == 0 && kind == CLI_OPT_START)
            start_arg = value;
        else if (rc != 1) {
            cli_setup_free(&setup);
            return CLI_EXIT_USAGE;
        }
    }
    status = cli_setup_check(self->name, &setup);
    if (status == CLI_EXIT_OK && cv != NULL) {
        char *end;
        errno = 0;
        folds = strtoul(cv, &end, 10);
        if (errno || end == cv || *end || cv[0] == '-' || folds < 2
            || folds > 100) {
            cli_error(self->name, "bad --cv value '%s' (expected 2 to 100 "
                      "folds)", cv);
            status = CLI_EXIT_USAGE;
        } else if (setup.model != NULL) {
            cli_error(self->name, "--cv trains its own models: no --model "
                      "with it");
            status = CLI_EXIT_USAGE;
        }
    }
    if (status == CLI_EXIT_OK && seed_arg != NULL
        && cli_number(self->name, "--seed", seed_arg, UINT64_MAX, &topt.seed))
        status = CLI_EXIT_USAGE;
    if (status == CLI_EXIT_OK && start_arg != NULL) {
        uint64_t v;

        if (cli_number(self->name, "--start-tokens", start_arg, SV_START_MAX,
                       &v))
            status = CLI_EXIT_USAGE;
        else if (cv == NULL) {
            cli_error(self->name, "--start-tokens is for training: use it "
                      "with --cv");
            status = CLI_EXIT_USAGE;
        } else
            topt.params.start_tokens = (uint32_t)v;
    }
    if (status == CLI_EXIT_OK && setup.common.input_path == NULL) {
        cli_error(self->name, "missing GOLD.csv (the gold corpus to "
                  "evaluate on)");
        status = CLI_EXIT_USAGE;
    }
    if (status == CLI_EXIT_OK) {
        FILE *in = cli_open_input(self->name, setup.common.input_path);
        int err;

        if (in == NULL) {
            status = CLI_EXIT_USAGE;
        } else {
            err = cli_read_all(in, &buf, &buf_len);
            cli_close_input(in);
            if (err == ENOMEM) {
                cli_error(self->name, "%s", wm_strerror(WM_ENOMEM));
                status = CLI_EXIT_RUNTIME;
            } else if (err != 0) {
                errno = err;
                status = cli_read_error(self->name, setup.common.input_path);
            }
        }
    }
    if (status == CLI_EXIT_OK)
        status = cli_open_classifier(self->name, &setup, &engine, &analyzer);
    if (status == CLI_EXIT_OK) {
        run.cmd = self->name;
        run.file = strcmp(setup.common.input_path, "-") == 0
                       ? "standard input" : setup.common.input_path;
        run.engine = engine;
        if (cli_metrics_init(&run.metrics, wm_engine_area_count(engine))
            != 0
            || cli_metrics_init(&run.top1, wm_engine_area_count(engine))
            != 0) {
            cli_error(self->name, "the taxonomy has no areas");
            status = CLI_EXIT_RUNTIME;
        }
    }
    if (status == CLI_EXIT_OK)
        status = cli_gold_load(&run, buf, buf_len);
    if (status == CLI_EXIT_OK && folds > 0)
        status = cli_eval_cv(&run, &setup, analyzer, (uint32_t)folds, &topt,
                             with_errors);
    else if (status == CLI_EXIT_OK)
        status = cli_eval_classify(&run, analyzer, with_errors, NULL, 0);
    if (status == CLI_EXIT_OK) {
        if (as_json)
            cli_eval_print_json(&run, with_errors);
        else
            cli_eval_print_text(&run, with_errors);
        status = cli_finish_output(self->name);
    }

    for (size_t k = 0; k < run.n_misses; k++) {
        free(run.misses[k].evidence);
        free(run.misses[k].plugin_error);
    }
    free(run.misses);
    free(run.answers);
    free(buf);
    wm_analyzer_free(analyzer);
    wm_engine_free(engine);
    cli_setup_free(&setup);
    return status;
}
