/*
** cmd_train.c — `whatmatters train`: learns a supervised model from a
** labelled CSV file (id,text,areas, as the gold corpora) and writes it for
** the supervised plugin (the trainer is train.c; the model format
** plugins/supervised/sv_model.h).
*/
#define _POSIX_C_SOURCE 200809L /* clock_gettime() */

#include "cli.h"
#include "csv_reader.h"
#include "train.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char cli_help_train[] =
    "Usage: " CLI_NAME " train --lang LANG -o MODEL [--taxonomy FILE]\n"
    "                         [--seed N] [--epochs N] [--folds N] "
    "[--start-tokens N]\n"
    "                         [--data DIR] LABELLED.csv\n"
    "\n"
    "Learns a model of the supervised plugin from answers coded by hand:\n"
    "one-vs-rest logistic regression over hashed features of the engine's\n"
    "analysis (stems, stem bigrams, character n-grams, negated stems,\n"
    "compound parts, the stems that open the answer). Each label's threshold is chosen on held-out answers\n"
    "(out-of-fold probabilities); the model is then trained on all of them.\n"
    "LABELLED.csv has the columns id,text,areas (areas separated by ';',\n"
    "empty for none), as corpora/gold/. The label set is the file's own\n"
    "labels, or the areas of --taxonomy FILE; a model whose labels are not\n"
    "the built-in areas is applied with that taxonomy (--taxonomy FILE).\n"
    "Training is deterministic: a seed gives the same model bytes.\n"
    "\n"
    "Options:\n"
    "  --lang LANG      language of the answers; required\n"
    "  -o MODEL         the model file to write (msgpack); required\n"
    "  --taxonomy FILE  the labels are this taxonomy's areas (in its order)\n"
    "  --seed N         the seed of the shuffles and folds (default 1)\n"
    "  --epochs N       passes over the answers (default 10)\n"
    "  --folds N        folds for choosing thresholds (default 3; 0: every\n"
    "                   threshold 0.5)\n"
    "  --start-tokens N the stems of the answer's first N words are also\n"
    "                   features, with their place (0 to 8; default 0,\n"
    "                   none): how a short comment coded by its topic opens\n"
    "                   says much of what it is about (3 is best on NHS\n"
    "                   comments, plugins/supervised/README.md)\n"
    "  --data DIR       word lists from DIR, laid out as lexicons/\n"
    "  -h, --help       show this help and exit\n"
    "\n"
    "Example:\n"
    "  $ " CLI_NAME " train --lang sv -o sv.model corpora/gold/sv/dev.csv\n"
    "  $ " CLI_NAME " eval --lang sv --model sv.model "
    "corpora/gold/sv/test.csv\n";

/* train's own options. */
enum {
    CLI_OPT_T_TAXONOMY = CLI_OPT_OWN, /* --taxonomy */
    CLI_OPT_T_OUTPUT,                 /* -o */
    CLI_OPT_T_SEED,                   /* --seed */
    CLI_OPT_T_EPOCHS,                 /* --epochs */
    CLI_OPT_T_FOLDS,                  /* --folds */
    CLI_OPT_T_START                   /* --start-tokens */
};

/* The labelled answers and their label set. */
typedef struct tr_file {
    const char *cmd;            /* for messages */
    const char *file;           /* the file's name, for messages */
    cli_example *ex;            /* the answers (texts point into the file) */
    size_t n;                   /* how many */
    char labels[SV_MAX_LABELS][SV_MAX_LABEL_LEN + 1]; /* label ids */
    size_t n_labels;            /* how many */
    int fixed;                  /* 1: labels from a taxonomy (no new ones) */
} tr_file;

/* The index of a header column by name, or -1. */
static long tr_column(const cli_csv_reader *csv, const char *name)
{
    for (size_t i = 0; i < csv->n_fields; i++)
        if (csv->fields[i].len == strlen(name)
            && memcmp(csv->fields[i].text, name, csv->fields[i].len) == 0)
            return (long)i;
    return -1;
}

/*
** Parses an areas field into a mask over t->labels, adding labels not seen
** yet unless the set is fixed. A label that is no valid id, is not in a
** fixed set, or is one too many is an error naming line and label.
*/
static int tr_areas(tr_file *t, const cli_csv_field *f, uint64_t *mask)
{
    size_t i = 0;

    *mask = 0;
    while (i <= f->len) {
        size_t start, end, l;

        while (i < f->len && (f->text[i] == ' ' || f->text[i] == '\t'))
            i++;
        start = i;
        while (i < f->len && f->text[i] != ';')
            i++;
        end = i;
        while (end > start && (f->text[end - 1] == ' '
                               || f->text[end - 1] == '\t'))
            end--;
        i++;
        if (end == start)
            continue;
        for (l = 0; l < t->n_labels; l++)
            if (strlen(t->labels[l]) == end - start
                && memcmp(t->labels[l], f->text + start, end - start) == 0)
                break;
        if (l == t->n_labels) {
            const char *why = t->fixed ? "is not an area of the taxonomy"
                : !sv_label_valid(f->text + start, end - start)
                    ? "is not a label id (a-z, 0-9 and _, at most 63 bytes)"
                : t->n_labels == SV_MAX_LABELS ? "is one label too many (64 "
                                                 "at most)"
                : NULL;
            if (why) {
                cli_error(t->cmd, "%s:%zu: label '%.*s' %s", t->file, f->line,
                          (int)(end - start > 64 ? 64 : end - start),
                          f->text + start, why);
                return CLI_EXIT_USAGE;
            }
            memcpy(t->labels[l], f->text + start, end - start);
            t->labels[l][end - start] = '\0';
            t->n_labels++;
        }
        *mask |= (uint64_t)1 << l;
    }
    return CLI_EXIT_OK;
}

/* A label by name and where it was, for sorting the label set. */
typedef struct tr_label_ref {
    const char *name; /* its id */
    size_t index;     /* its index before sorting */
} tr_label_ref;

/* Orders labels by their names. */
static int tr_cmp_label(const void *a, const void *b)
{
    return strcmp(((const tr_label_ref *)a)->name,
                  ((const tr_label_ref *)b)->name);
}

/*
** Reads the labelled file (rewritten in place by the CSV reader; the
** answers point into it). Labels found in the file are then sorted by
** name, so the model does not depend on the order of the rows.
*/
static int tr_load(tr_file *t, char *buf, size_t len)
{
    cli_csv_reader csv;
    long col_text, col_areas;
    size_t n_header, cap = 0;
    int status = CLI_EXIT_OK, rc;

    cli_csv_init(&csv, buf, len);
    rc = cli_csv_next(&csv);
    col_text = rc == CLI_CSV_RECORD ? tr_column(&csv, "text") : -1;
    col_areas = rc == CLI_CSV_RECORD ? tr_column(&csv, "areas") : -1;
    if (col_text < 0 || col_areas < 0) {
        cli_error(t->cmd, "%s: the header has no columns 'text' and 'areas' "
                  "(expected id,text,areas)", t->file);
        cli_csv_free(&csv);
        return CLI_EXIT_USAGE;
    }
    n_header = csv.n_fields;
    while (status == CLI_EXIT_OK && (rc = cli_csv_next(&csv)) == CLI_CSV_RECORD) {
        cli_example *e;

        if (csv.n_fields != n_header) {
            cli_error(t->cmd, "%s:%zu: %zu fields where the header has %zu",
                      t->file, csv.record_line, csv.n_fields, n_header);
            status = CLI_EXIT_USAGE;
            break;
        }
        if (t->n == cap) {
            size_t new_cap = cap ? cap * 2 : 1024;
            cli_example *q = realloc(t->ex, new_cap * sizeof *q);
            if (!q) {
                rc = CLI_CSV_NOMEM;
                break;
            }
            t->ex = q;
            cap = new_cap;
        }
        e = &t->ex[t->n];
        e->text = csv.fields[col_text].text;
        e->text_len = csv.fields[col_text].len;
        e->line = csv.record_line;
        status = tr_areas(t, &csv.fields[col_areas], &e->labels);
        if (status == CLI_EXIT_OK)
            t->n++;
    }
    if (status == CLI_EXIT_OK && rc == CLI_CSV_ERROR) {
        cli_error(t->cmd, "%s:%zu: byte %zu: %s", t->file, csv.err_line,
                  csv.err_offset, csv.err);
        status = CLI_EXIT_USAGE;
    }
    if (status == CLI_EXIT_OK && rc == CLI_CSV_NOMEM) {
        cli_error(t->cmd, "%s", wm_strerror(WM_ENOMEM));
        status = CLI_EXIT_RUNTIME;
    }
    cli_csv_free(&csv);
    if (status == CLI_EXIT_OK && t->n_labels == 0) {
        cli_error(t->cmd, "%s: no labels (the areas column is empty "
                  "throughout)", t->file);
        status = CLI_EXIT_USAGE;
    }
    if (status == CLI_EXIT_OK && !t->fixed) {
        tr_label_ref order[SV_MAX_LABELS];
        size_t where[SV_MAX_LABELS];
        char names[SV_MAX_LABELS][SV_MAX_LABEL_LEN + 1];

        for (size_t l = 0; l < t->n_labels; l++) {
            order[l].name = t->labels[l];
            order[l].index = l;
        }
        qsort(order, t->n_labels, sizeof *order, tr_cmp_label);
        for (size_t k = 0; k < t->n_labels; k++) {
            where[order[k].index] = k;
            memcpy(names[k], t->labels[order[k].index], sizeof names[k]);
        }
        memcpy(t->labels, names, t->n_labels * sizeof names[0]);
        for (size_t i = 0; i < t->n; i++) {
            uint64_t m = 0;
            for (size_t l = 0; l < t->n_labels; l++)
                if (t->ex[i].labels >> l & 1u)
                    m |= (uint64_t)1 << where[l];
            t->ex[i].labels = m;
        }
    }
    return status;
}

/* Seconds since an arbitrary point, for the summary line. */
static double tr_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
** Trains a model: reads the file whole, makes an engine (word lists,
** taxonomy) and an analyzer, trains and writes the model, and prints one
** summary line.
*/
int cli_train_cmd(const cli_command *self, int argc, char **argv)
{
    static const cli_option options[] = {
        {"--lang", 1, CLI_OPT_LANG},
        {"--data", 1, CLI_OPT_DATA},
        {"--taxonomy", 1, CLI_OPT_T_TAXONOMY},
        {"-o", 1, CLI_OPT_T_OUTPUT},
        {"--output", 1, CLI_OPT_T_OUTPUT},
        {"--seed", 1, CLI_OPT_T_SEED},
        {"--epochs", 1, CLI_OPT_T_EPOCHS},
        {"--folds", 1, CLI_OPT_T_FOLDS},
        {"--start-tokens", 1, CLI_OPT_T_START},
        {NULL, 0, 0}
    };
    cli_args args = {self->name, argc, argv, 0, 0};
    cli_common common = {NULL, NULL, NULL};
    cli_train_options topt;
    const char *taxonomy = NULL, *output = NULL, *value;
    wm_engine *engine = NULL;
    wm_analyzer *analyzer = NULL;
    tr_file t;
    sv_model model;
    char *buf = NULL;
    size_t buf_len = 0;
    char err[1024] = "";
    double t0;
    int kind, status = CLI_EXIT_OK, rc;

    memset(&t, 0, sizeof t);
    memset(&model, 0, sizeof model);
    cli_train_defaults(&topt);
    while ((kind = cli_next_arg(&args, options, &value)) != CLI_ARG_END) {
        uint64_t v;
        int r = 1;

        if (kind == CLI_ARG_HELP)
            return cli_print_help(self);
        if (kind == CLI_ARG_ERROR)
            return CLI_EXIT_USAGE;
        if (kind == CLI_OPT_T_TAXONOMY)
            taxonomy = value;
        else if (kind == CLI_OPT_T_OUTPUT)
            output = value;
        else if (kind == CLI_OPT_T_SEED)
            r = cli_number(self->name, "--seed", value, UINT64_MAX,
                          &topt.seed) == 0;
        else if (kind == CLI_OPT_T_EPOCHS) {
            r = cli_number(self->name, "--epochs", value, 1000, &v) == 0;
            topt.epochs = (uint32_t)v;
        } else if (kind == CLI_OPT_T_FOLDS) {
            r = cli_number(self->name, "--folds", value, 100, &v) == 0;
            topt.folds = (uint32_t)v;
        } else if (kind == CLI_OPT_T_START) {
            r = cli_number(self->name, "--start-tokens", value, SV_START_MAX,
                          &v) == 0;
            topt.params.start_tokens = (uint32_t)v;
        } else
            r = cli_common_arg(self->name, &common, kind, value);
        if (r != 1)
            return CLI_EXIT_USAGE;
    }
    status = cli_check_lang(self->name, common.lang);
    if (status == CLI_EXIT_OK && output == NULL) {
        cli_error(self->name, "missing -o MODEL (the model file to write)");
        status = CLI_EXIT_USAGE;
    }
    if (status == CLI_EXIT_OK && common.input_path == NULL) {
        cli_error(self->name, "missing LABELLED.csv (the answers to learn "
                  "from)");
        status = CLI_EXIT_USAGE;
    }
    if (status == CLI_EXIT_OK && common.data_dir != NULL)
        status = cli_check_data_dir(self->name, common.data_dir,
                                    cli_wordlist_files);
    if (status == CLI_EXIT_OK) {
        FILE *in = cli_open_input(self->name, common.input_path);
        int e;

        if (in == NULL)
            return CLI_EXIT_USAGE;
        e = cli_read_all(in, &buf, &buf_len);
        cli_close_input(in);
        if (e != 0) {
            errno = e;
            return cli_read_error(self->name, common.input_path);
        }
    }
    t0 = tr_now();
    if (status == CLI_EXIT_OK) {
        rc = wm_engine_new(NULL, &engine);
        if (rc == WM_OK && common.data_dir != NULL)
            rc = wm_engine_load_wordlists(engine, common.data_dir);
        if (rc == WM_OK && taxonomy != NULL)
            rc = wm_engine_load_taxonomy(engine, taxonomy);
        if (rc != WM_OK) {
            const char *msg = engine ? wm_engine_errmsg(engine) : "";
            cli_error(self->name, "%s", msg && msg[0] ? msg : wm_strerror(rc));
            status = rc == WM_ENOMEM ? CLI_EXIT_RUNTIME : CLI_EXIT_USAGE;
        }
    }
    if (status == CLI_EXIT_OK && taxonomy != NULL) {
        size_t n = wm_engine_area_count(engine);
        if (n > SV_MAX_LABELS) {
            cli_error(self->name, "%s: %zu areas (64 at most)", taxonomy, n);
            status = CLI_EXIT_USAGE;
        }
        for (size_t a = 0; status == CLI_EXIT_OK && a < n; a++)
            snprintf(t.labels[a], sizeof t.labels[a], "%s",
                     wm_engine_area_id(engine, a));
        t.n_labels = n;
        t.fixed = 1;
    }
    if (status == CLI_EXIT_OK) {
        rc = wm_analyzer_new(engine, common.lang, &analyzer);
        if (rc != WM_OK) {
            cli_error(self->name, "%s", wm_strerror(rc));
            status = CLI_EXIT_RUNTIME;
        }
    }
    if (status == CLI_EXIT_OK) {
        t.cmd = self->name;
        t.file = strcmp(common.input_path, "-") == 0 ? "standard input"
                                                      : common.input_path;
        status = tr_load(&t, buf, buf_len);
    }
    if (status == CLI_EXIT_OK && t.n == 0) {
        cli_error(self->name, "%s: no answers to learn from", t.file);
        status = CLI_EXIT_USAGE;
    }
    if (status == CLI_EXIT_OK) {
        const char *names[SV_MAX_LABELS];

        for (size_t l = 0; l < t.n_labels; l++)
            names[l] = t.labels[l];
        rc = cli_train(analyzer, t.ex, t.n, names, t.n_labels, &topt, &model,
                       err, sizeof err);
        if (rc == WM_OK)
            rc = cli_model_save(&model, output, err, sizeof err);
        if (rc != WM_OK) {
            if (err[0])
                cli_error(self->name, "%s%s%s", rc == WM_EIO ? "" : t.file,
                          rc == WM_EIO ? "" : ": ", err);
            else
                cli_error(self->name, "%s", wm_strerror(rc));
            status = rc == WM_EIO ? CLI_EXIT_USAGE : CLI_EXIT_RUNTIME;
        }
    }
    if (status == CLI_EXIT_OK) {
        printf("trained %s model: %zu answers, %zu labels%s, %u features, "
               "%.2f s: %s\n", model.lang, t.n, t.n_labels,
               model.single_label ? " (one per answer)" : "", model.n_feats,
               tr_now() - t0, output);
        status = cli_finish_output(self->name);
    }
    cli_model_free(&model);
    free(t.ex);
    free(buf);
    wm_analyzer_free(analyzer);
    wm_engine_free(engine);
    return status;
}
