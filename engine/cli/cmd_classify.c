/*
** cmd_classify.c — `whatmatters classify`: codes every record of a survey
** file into the areas of the taxonomy and writes a coded file, one record
** out for every record in (docs/batch.md is the contract).
**
** This file is the command line: options, checks, opening the input, the
** engine, the reader, the output and the metadata side file. The work is
** pipeline.c's (batches and threads), the reading input*.c's, the writing
** output.c's.
*/
#define _POSIX_C_SOURCE 200809L /* fileno(), fstat(), sysconf() */

#include "cli.h"

#include "input.h"
#include "output.h"
#include "pipeline.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

const char cli_help_classify[] =
    "Usage: " CLI_NAME " classify --lang LANG|auto [OPTIONS] [FILE]\n"
    "\n"
    "Reads survey answers from FILE or standard input (no FILE, or '-'),\n"
    "codes each into the areas of the taxonomy, and writes one record for\n"
    "every record read, in input order (docs/batch.md is the contract).\n"
    "\n"
    "Input (--input-format, else from FILE's extension):\n"
    "  csv      .csv, .tsv (tab): a header row, then RFC 4180 rows (quoted\n"
    "           fields may hold commas, quotes and line breaks; LF or CRLF;\n"
    "           a UTF-8 byte-order mark)\n"
    "  jsonl    .jsonl, .ndjson: one JSON object a line\n"
    "  msgpack  .msgpack, .mpk: a stream of maps\n"
    "  text     .txt, anything else, standard input: one answer a line, the\n"
    "           line number is its id (no columns)\n"
    "\n"
    "Output (--format, else from -o FILE's extension .csv, .jsonl or\n"
    ".msgpack; else CSV on standard output), fields in this order:\n"
    "  id        the --id-column value, or the record number (so also\n"
    "            for a broken row, whose fields are not passed on)\n"
    "  KEEP...   the --keep fields, as read\n"
    "  text      the answer (not with --no-text)\n"
    "  lang      the language used, empty when there was none\n"
    "  status    ok, bad_row, invalid_utf8, too_large, plugin_failed or\n"
    "            lang_unknown (see below)\n"
    "  message   empty when ok, else what was wrong and where:\n"
    "            'FILE: record N (line L, byte B): what'\n"
    "  AREA...   1 when the area is assigned (score at least 0.5), else 0,\n"
    "            one field per area of the taxonomy, in its order\n"
    "  AREA_score  each area's combined score in [0, 1], 4 decimals\n"
    "  evidence  what matched: 'area=text' items joined by '; '\n"
    "In CSV (RFC 4180 quoting, LF line ends) the area and score cells are\n"
    "empty for a record that was not classified (bad_row, too_large,\n"
    "lang_unknown). JSON Lines and msgpack hold one map a record:\n"
    "  {\"id\":..,\"keep\":{..},\"text\":..,\"lang\":..,\"status\":..,"
    "\"message\":..,\n"
    "   \"areas\":[ids],\"scores\":{id:score},\"evidence\":[{\"area\",\"start\",\n"
    "   \"end\",\"text\",\"rule\",\"plugin\",\"negated\"}]}\n"
    "with the id a string (--id-column) or the record number, scores {}\n"
    "when not classified, and start/end byte offsets in the answer. With\n"
    "--spell on, evidence that rests on a word the spelling stage split or\n"
    "corrected also holds \"spelling\":true (CSV's evidence cell is the\n"
    "same either way). Bytes that are not valid UTF-8 are written as\n"
    "U+FFFD in every format.\n"
    "\n"
    "Metadata: the first line of JSON Lines and the first map of msgpack is\n"
    "{\"whatmatters_meta\":{...}}: the version, plugins and their options,\n"
    "the combination rule, the taxonomy's areas and fingerprint, the data\n"
    "folder and every data file used with its fingerprint (with --spell on\n"
    "the Hunspell dictionaries too), and the options that change results\n"
    "(\"spell\":true|false, \"dict_dir\" among them). For CSV it goes to\n"
    "FILE.meta.json beside -o FILE (or to --meta FILE). It holds no time\n"
    "and no thread count: two runs that code alike write the same bytes.\n"
    "\n"
    "Statuses: every record read gives one record written, also when it\n"
    "cannot be coded:\n"
    "  bad_row        the record is broken (a bad quote, a line that is not\n"
    "                 a JSON object, no text field, ...)\n"
    "  invalid_utf8   the answer is not valid UTF-8 (it is coded all the\n"
    "                 same; the message gives the byte of the first bad\n"
    "                 sequence in the answer)\n"
    "  too_large      the answer is over --max-field-bytes\n"
    "  plugin_failed  a plugin failed on it; the other plugins' areas stand\n"
    "  lang_unknown   no supported language for it (see --lang)\n"
    "An empty answer is ok, with no area. At the end one line on standard\n"
    "error: 'whatmatters: classify: N read, N written, N flagged (N\n"
    "invalid_utf8, ...)'. The exit status is 0 also when records were\n"
    "flagged, unless --strict.\n"
    "\n"
    "Options:\n"
    "  --lang LANG|auto    the answers' language: sv, nb, nn, da or en ('no'\n"
    "                      is nb); 'auto' detects each answer's language\n"
    "                      (an answer too short to tell, like 'ok', gets\n"
    "                      --lang-fallback, else lang_unknown); required\n"
    "                      unless --lang-column is given\n"
    "  --lang-column NAME  each record's language from field NAME (case and\n"
    "                      spaces ignored); when the field is empty, --lang\n"
    "                      applies, then --lang-fallback; an unsupported\n"
    "                      value is lang_unknown\n"
    "  --lang-fallback LANG  the language when --lang auto or --lang-column\n"
    "                      gives none (default: none, lang_unknown)\n"
    "  --input-format F    csv, jsonl, text or msgpack\n"
    "  --delimiter D       CSV's field delimiter: ',', ';' or 'tab'\n"
    "                      (default ',', tab for .tsv)\n"
    "  --text-column NAME  the field of the answer (default 'text')\n"
    "  --id-column NAME    the field of the id (default: the record number)\n"
    "  --keep A,B,...      fields to pass through, in this order\n"
    "  --format F          csv, jsonl or msgpack\n"
    "  -o FILE             write to FILE instead of standard output\n"
    "  --meta FILE         also write the metadata as JSON to FILE (the way\n"
    "                      to get it for CSV on standard output)\n"
    "  --no-text           leave the text field out\n"
    "  --threads N         classify on N threads (default: every core); the\n"
    "                      output is the same for every N\n"
    "  --strict            stop at the first record that is not ok, with\n"
    "                      exit status 1 (the records before it are written)\n"
    "  --on-plugin-error P what a plugin's failure on a record does: flag\n"
    "                      (the default: the record is plugin_failed, with\n"
    "                      the plugin's name and message, and the run goes\n"
    "                      on) or stop (as --strict, for plugin failures\n"
    "                      only)\n"
    "  --plugin-time-limit MS  a plugin that takes longer than MS\n"
    "                      milliseconds on one answer fails on it (its\n"
    "                      results dropped, the record plugin_failed);\n"
    "                      default 0, no limit. The run stays byte-identical\n"
    "                      only while no answer hits the limit\n"
    "  --quiet             no progress line (it is only drawn when standard\n"
    "                      error is a terminal)\n"
    "  --max-field-bytes N  the largest answer, in bytes (K, M, G suffixes;\n"
    "                      default 16M); a longer one is too_large\n"
    "  --plugin NAME|PATH  a plugin to run: a built-in one by name\n"
    "                      ('lexicon', 'pattern', 'supervised'), or a shared\n"
    "                      object by a path that contains '/'\n"
    "                      (./my_plugin.so); may be repeated, and exactly\n"
    "                      the plugins named run, in the order given;\n"
    "                      without it every built-in plugin runs with its\n"
    "                      data (lexicon, pattern, and supervised where it\n"
    "                      has a built-in model: English)\n"
    "  --options STR       options for the plugin named just before\n"
    "  --taxonomy FILE     the areas from FILE instead of the built-in\n"
    "                      taxonomy (the format of lexicons/taxonomy.txt)\n"
    "  --data DIR          data files from DIR, laid out as lexicons/:\n"
    "                      DIR/LANG/areas.txt for the lexicon plugin,\n"
    "                      DIR/LANG/patterns.txt for the pattern plugin, and\n"
    "                      DIR/LANG/stopwords.txt and negation.txt; a file\n"
    "                      missing there keeps the built-in one\n"
    "  --combine RULE      how several plugins' scores make one: max (the\n"
    "                      default: any plugin can assign an area) or mean\n"
    CLI_HELP_MODEL
    "  --spell on|off|suggest\n"
    "                      the spelling stage (default off): a word that no\n"
    "                      plugin knows is split into the parts of a\n"
    "                      compound and corrected (a misspelling, missing\n"
    "                      diacritics), and plugins match those too. It\n"
    "                      loads the Hunspell dictionary of --lang, or of\n"
    "                      all five languages with --lang auto or\n"
    "                      --lang-column (sv_SE, nb_NO, nn_NO, da_DK, en_US:\n"
    "                      Debian's hunspell-sv, -no, -da, -en-us); the\n"
    "                      engine is set up with the languages first, then\n"
    "                      the plugins, then spelling. 'suggest' also asks\n"
    "                      Hunspell to correct what the plugins' words\n"
    "                      cannot (slow: a millisecond a new misspelling).\n"
    "                      See docs/spelling.md\n"
    "  --dict-dir DIR      the dictionaries' folder (default\n"
    "                      /usr/share/hunspell); used with --spell on, where\n"
    "                      a missing dictionary is an error naming it\n"
    "  -h, --help          show this help and exit\n"
    "\n"
    "Examples:\n"
    "  $ " CLI_NAME " classify --lang sv --id-column id -o coded.csv "
    "answers.csv\n"
    "  $ " CLI_NAME " classify --lang sv --spell on --format jsonl "
    "answers.txt\n";

/* classify's own options, after the shared ones. */
enum {
    CLI_OPT_LANG_COLUMN = CLI_OPT_CLASSIFY_OWN, /* --lang-column */
    CLI_OPT_LANG_FALLBACK,                      /* --lang-fallback */
    CLI_OPT_INPUT_FORMAT,                       /* --input-format */
    CLI_OPT_DELIMITER,                          /* --delimiter */
    CLI_OPT_TEXT_COLUMN,                        /* --text-column */
    CLI_OPT_ID_COLUMN,                          /* --id-column */
    CLI_OPT_KEEP,                               /* --keep */
    CLI_OPT_FORMAT,                             /* --format */
    CLI_OPT_OUTPUT,                             /* -o */
    CLI_OPT_META,                               /* --meta */
    CLI_OPT_NO_TEXT,                            /* --no-text */
    CLI_OPT_THREADS,                            /* --threads */
    CLI_OPT_STRICT,                             /* --strict */
    CLI_OPT_QUIET,                              /* --quiet */
    CLI_OPT_MAX_FIELD,                          /* --max-field-bytes */
    CLI_OPT_ON_PLUGIN_ERROR,                    /* --on-plugin-error */
    CLI_OPT_PLUGIN_TIME_LIMIT                   /* --plugin-time-limit */
};

/* The most threads --threads takes. */
#define CLI_MAX_THREADS 256

/* The engine's own limit on an answer (wm_engine_options.max_text_len's
** default); a larger --max-field-bytes raises it. */
#define CLI_ENGINE_MAX_TEXT ((size_t)256 << 20)

/* Everything classify takes from its command line. */
typedef struct cli_classify_args {
    cli_setup setup;            /* --lang, --data, plugins, FILE, ... */
    const char *lang_column;    /* --lang-column */
    const char *lang_fallback;  /* --lang-fallback */
    const char *input_format;   /* --input-format as typed */
    const char *delimiter;      /* --delimiter as typed */
    const char *text_column;    /* --text-column */
    const char *id_column;      /* --id-column */
    const char *keep_arg;       /* --keep as typed */
    char **keep;                /* [n_keep] the --keep names */
    size_t n_keep;              /* how many */
    const char *format;         /* --format as typed */
    const char *output;         /* -o */
    const char *meta;           /* --meta */
    int with_text;              /* 0 with --no-text */
    const char *threads_arg;    /* --threads as typed */
    size_t threads;             /* the number */
    int strict;                 /* --strict */
    const char *on_plugin_error; /* --on-plugin-error as typed */
    int plugin_error_stop;      /* --on-plugin-error stop */
    const char *time_limit_arg; /* --plugin-time-limit as typed */
    unsigned time_limit;        /* the number, in ms; 0: none */
    int quiet;                  /* --quiet */
    const char *max_field_arg;  /* --max-field-bytes as typed */
    uint64_t max_field;         /* the number */
    int in_format;              /* enum cli_input_format */
    int in_delimiter;           /* CSV's delimiter byte */
    int out_format;             /* enum cli_output_format */
} cli_classify_args;

/* 1 when path ends in ext (".csv"), ignoring ASCII case. */
static int cli_has_ext(const char *path, const char *ext)
{
    size_t n = path != NULL ? strlen(path) : 0;
    size_t k = strlen(ext);

    if (n < k)
        return 0;
    for (size_t i = 0; i < k; i++) {
        char c = path[n - k + i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != ext[i])
            return 0;
    }
    return 1;
}

/*
** Parses a count with an optional K, M or G (binary) suffix: "16M".
** Returns 0, or -1 for anything else, zero, or an overflow.
*/
static int cli_parse_size(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    uint64_t unit = 1;
    const char *p = s;

    if (*p < '0' || *p > '9')
        return -1;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (v > (UINT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    if (*p == 'k' || *p == 'K')
        unit = (uint64_t)1 << 10;
    else if (*p == 'm' || *p == 'M')
        unit = (uint64_t)1 << 20;
    else if (*p == 'g' || *p == 'G')
        unit = (uint64_t)1 << 30;
    if (unit > 1)
        p++;
    if (*p != '\0' || v == 0 || v > UINT64_MAX / unit)
        return -1;
    *out = v * unit;
    return 0;
}

/* Splits --keep's "A,B,C" into names. Returns CLI_EXIT_OK or, after one
** line, CLI_EXIT_USAGE (an empty name) or CLI_EXIT_RUNTIME (memory). */
static int cli_split_keep(const char *cmd, cli_classify_args *a)
{
    const char *s = a->keep_arg;
    size_t n = 1;

    for (const char *p = s; *p != '\0'; p++)
        n += *p == ',';
    a->keep = calloc(n, sizeof *a->keep);
    if (a->keep == NULL) {
        cli_error(cmd, "%s", wm_strerror(WM_ENOMEM));
        return CLI_EXIT_RUNTIME;
    }
    for (;;) {
        const char *end = strchr(s, ',');
        size_t len = end != NULL ? (size_t)(end - s) : strlen(s);

        if (len == 0) {
            cli_error(cmd, "bad --keep value '%s' (an empty field name)",
                      a->keep_arg);
            return CLI_EXIT_USAGE;
        }
        a->keep[a->n_keep] = malloc(len + 1);
        if (a->keep[a->n_keep] == NULL) {
            cli_error(cmd, "%s", wm_strerror(WM_ENOMEM));
            return CLI_EXIT_RUNTIME;
        }
        memcpy(a->keep[a->n_keep], s, len);
        a->keep[a->n_keep][len] = '\0';
        a->n_keep++;
        if (end == NULL)
            break;
        s = end + 1;
    }
    return CLI_EXIT_OK;
}

/* The number of cores, for --threads' default. */
static size_t cli_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    if (n < 1)
        return 1;
    return n > CLI_MAX_THREADS ? CLI_MAX_THREADS : (size_t)n;
}

/*
** Checks the options against each other and turns them into numbers and
** formats. Returns CLI_EXIT_OK or CLI_EXIT_USAGE (after one line).
*/
static int cli_classify_check(const char *cmd, cli_classify_args *a)
{
    const char *lang = a->setup.common.lang;
    const char *in_path = a->setup.common.input_path;
    char names[128];
    int status;

    if (lang == NULL && a->lang_column == NULL)
        return cli_check_lang(cmd, NULL);
    if (lang != NULL && strcmp(lang, "auto") != 0) {
        status = cli_check_lang(cmd, lang);
        if (status != CLI_EXIT_OK)
            return status;
    }
    if (a->lang_fallback != NULL && wm_lang_check(a->lang_fallback) != WM_OK) {
        cli_error(cmd, "unknown language '%s' for --lang-fallback (expected "
                  "%s)", a->lang_fallback, cli_lang_names(names,
                                                          sizeof names));
        return CLI_EXIT_USAGE;
    }
    status = cli_setup_check_options(cmd, &a->setup);
    if (status != CLI_EXIT_OK)
        return status;

    /* The input's format and delimiter. */
    a->in_delimiter = ',';
    if (a->input_format != NULL) {
        if (strcmp(a->input_format, "csv") == 0)
            a->in_format = CLI_IN_CSV;
        else if (strcmp(a->input_format, "jsonl") == 0)
            a->in_format = CLI_IN_JSONL;
        else if (strcmp(a->input_format, "text") == 0)
            a->in_format = CLI_IN_TEXT;
        else if (strcmp(a->input_format, "msgpack") == 0)
            a->in_format = CLI_IN_MSGPACK;
        else {
            cli_error(cmd, "bad --input-format value '%s' (expected csv, "
                      "jsonl, text or msgpack)", a->input_format);
            return CLI_EXIT_USAGE;
        }
    } else if (cli_has_ext(in_path, ".csv")) {
        a->in_format = CLI_IN_CSV;
    } else if (cli_has_ext(in_path, ".tsv")) {
        a->in_format = CLI_IN_CSV;
        a->in_delimiter = '\t';
    } else if (cli_has_ext(in_path, ".jsonl")
               || cli_has_ext(in_path, ".ndjson")) {
        a->in_format = CLI_IN_JSONL;
    } else if (cli_has_ext(in_path, ".msgpack")
               || cli_has_ext(in_path, ".mpk")) {
        a->in_format = CLI_IN_MSGPACK;
    } else {
        a->in_format = CLI_IN_TEXT;
    }
    if (a->delimiter != NULL) {
        const char *d = a->delimiter;
        if (a->in_format != CLI_IN_CSV) {
            cli_error(cmd, "--delimiter is for CSV input");
            return CLI_EXIT_USAGE;
        }
        if (strcmp(d, "tab") == 0 || strcmp(d, "\\t") == 0
            || strcmp(d, "\t") == 0)
            a->in_delimiter = '\t';
        else if (strcmp(d, ",") == 0 || strcmp(d, ";") == 0)
            a->in_delimiter = d[0];
        else {
            cli_error(cmd, "bad --delimiter value '%s' (expected ',', ';' "
                      "or tab)", d);
            return CLI_EXIT_USAGE;
        }
    }
    if (a->in_format == CLI_IN_TEXT) {
        const char *opt = a->text_column != NULL ? "--text-column"
                        : a->id_column != NULL ? "--id-column"
                        : a->keep_arg != NULL ? "--keep"
                        : a->lang_column != NULL ? "--lang-column" : NULL;
        if (opt != NULL) {
            cli_error(cmd, "%s needs input with fields (csv, jsonl or "
                      "msgpack; see --input-format); text input is one "
                      "answer a line", opt);
            return CLI_EXIT_USAGE;
        }
    } else if (a->text_column == NULL) {
        a->text_column = "text";
    }

    /* The output's format. */
    if (a->format != NULL) {
        if (strcmp(a->format, "csv") == 0)
            a->out_format = CLI_OUT_CSV;
        else if (strcmp(a->format, "jsonl") == 0)
            a->out_format = CLI_OUT_JSONL;
        else if (strcmp(a->format, "msgpack") == 0)
            a->out_format = CLI_OUT_MSGPACK;
        else {
            cli_error(cmd, "bad --format value '%s' (expected csv, jsonl or "
                      "msgpack)", a->format);
            return CLI_EXIT_USAGE;
        }
    } else if (cli_has_ext(a->output, ".jsonl")
               || cli_has_ext(a->output, ".ndjson")) {
        a->out_format = CLI_OUT_JSONL;
    } else if (cli_has_ext(a->output, ".msgpack")
               || cli_has_ext(a->output, ".mpk")) {
        a->out_format = CLI_OUT_MSGPACK;
    } else {
        a->out_format = CLI_OUT_CSV;
    }

    /* Numbers. */
    a->threads = cli_cores();
    if (a->threads_arg != NULL) {
        uint64_t n;
        const char *p = a->threads_arg;
        for (; *p >= '0' && *p <= '9'; p++)
            ;
        if (*p != '\0' || cli_parse_size(a->threads_arg, &n) != 0
            || n > CLI_MAX_THREADS) {
            cli_error(cmd, "bad --threads value '%s' (expected 1 to %d)",
                      a->threads_arg, CLI_MAX_THREADS);
            return CLI_EXIT_USAGE;
        }
        a->threads = (size_t)n;
    }
    a->max_field = (uint64_t)16 << 20;
    if (a->max_field_arg != NULL
        && (cli_parse_size(a->max_field_arg, &a->max_field) != 0
            || a->max_field > SIZE_MAX / 2)) {
        cli_error(cmd, "bad --max-field-bytes value '%s' (expected a number "
                  "of bytes, with K, M or G)", a->max_field_arg);
        return CLI_EXIT_USAGE;
    }
    if (a->max_field > CLI_ENGINE_MAX_TEXT)
        a->setup.max_text_len = (size_t)a->max_field;
    if (a->on_plugin_error != NULL) {
        if (strcmp(a->on_plugin_error, "stop") == 0) {
            a->plugin_error_stop = 1;
        } else if (strcmp(a->on_plugin_error, "flag") != 0) {
            cli_error(cmd, "bad --on-plugin-error value '%s' (expected flag "
                      "or stop)", a->on_plugin_error);
            return CLI_EXIT_USAGE;
        }
    }
    if (a->time_limit_arg != NULL) {
        uint64_t n;
        const char *p = a->time_limit_arg;
        for (; *p >= '0' && *p <= '9'; p++)
            ;
        if (*p != '\0' || cli_parse_size(a->time_limit_arg, &n) != 0
            || n > 86400000u) {
            cli_error(cmd, "bad --plugin-time-limit value '%s' (expected "
                      "milliseconds, 0 to 86400000)", a->time_limit_arg);
            return CLI_EXIT_USAGE;
        }
        a->time_limit = (unsigned)n;
    }
    if (a->keep_arg != NULL)
        return cli_split_keep(cmd, a);
    return CLI_EXIT_OK;
}

/* Reads classify's command line into a. Returns CLI_EXIT_OK, -1 for
** --help, or CLI_EXIT_USAGE (after one line). */
static int cli_classify_parse(const cli_command *self, int argc, char **argv,
                              cli_classify_args *a)
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
        {"--lang-column", 1, CLI_OPT_LANG_COLUMN},
        {"--lang-fallback", 1, CLI_OPT_LANG_FALLBACK},
        {"--input-format", 1, CLI_OPT_INPUT_FORMAT},
        {"--delimiter", 1, CLI_OPT_DELIMITER},
        {"--text-column", 1, CLI_OPT_TEXT_COLUMN},
        {"--id-column", 1, CLI_OPT_ID_COLUMN},
        {"--keep", 1, CLI_OPT_KEEP},
        {"--format", 1, CLI_OPT_FORMAT},
        {"-o", 1, CLI_OPT_OUTPUT},
        {"--output", 1, CLI_OPT_OUTPUT},
        {"--meta", 1, CLI_OPT_META},
        {"--no-text", 0, CLI_OPT_NO_TEXT},
        {"--threads", 1, CLI_OPT_THREADS},
        {"--strict", 0, CLI_OPT_STRICT},
        {"--quiet", 0, CLI_OPT_QUIET},
        {"--max-field-bytes", 1, CLI_OPT_MAX_FIELD},
        {"--on-plugin-error", 1, CLI_OPT_ON_PLUGIN_ERROR},
        {"--plugin-time-limit", 1, CLI_OPT_PLUGIN_TIME_LIMIT},
        {NULL, 0, 0}
    };
    cli_args args = {self->name, argc, argv, 0, 0};
    const char *value;
    int kind;

    while ((kind = cli_next_arg(&args, options, &value)) != CLI_ARG_END) {
        int rc;
        if (kind == CLI_ARG_HELP)
            return -1;
        if (kind == CLI_ARG_ERROR)
            return CLI_EXIT_USAGE;
        rc = cli_setup_arg(self->name, &a->setup, kind, value);
        if (rc == 1)
            continue;
        if (rc == -1)
            return CLI_EXIT_USAGE;
        switch (kind) {
        case CLI_OPT_LANG_COLUMN: a->lang_column = value; break;
        case CLI_OPT_LANG_FALLBACK: a->lang_fallback = value; break;
        case CLI_OPT_INPUT_FORMAT: a->input_format = value; break;
        case CLI_OPT_DELIMITER: a->delimiter = value; break;
        case CLI_OPT_TEXT_COLUMN: a->text_column = value; break;
        case CLI_OPT_ID_COLUMN: a->id_column = value; break;
        case CLI_OPT_KEEP: a->keep_arg = value; break;
        case CLI_OPT_FORMAT: a->format = value; break;
        case CLI_OPT_OUTPUT: a->output = value; break;
        case CLI_OPT_META: a->meta = value; break;
        case CLI_OPT_NO_TEXT: a->with_text = 0; break;
        case CLI_OPT_THREADS: a->threads_arg = value; break;
        case CLI_OPT_STRICT: a->strict = 1; break;
        case CLI_OPT_QUIET: a->quiet = 1; break;
        case CLI_OPT_MAX_FIELD: a->max_field_arg = value; break;
        case CLI_OPT_ON_PLUGIN_ERROR: a->on_plugin_error = value; break;
        case CLI_OPT_PLUGIN_TIME_LIMIT: a->time_limit_arg = value; break;
        default: return CLI_EXIT_USAGE;
        }
    }
    return CLI_EXIT_OK;
}

/* Writes the metadata side file. Returns CLI_EXIT_OK, or after one line
** CLI_EXIT_USAGE (cannot create it) or CLI_EXIT_RUNTIME (cannot write). */
static int cli_write_meta_file(const char *cmd, const char *path,
                               const wm_engine *engine, const cli_meta *meta)
{
    FILE *f = fopen(path, "wb");
    int rc;

    if (f == NULL) {
        cli_error(cmd, "cannot create '%s': %s", path, strerror(errno));
        return CLI_EXIT_USAGE;
    }
    rc = cli_meta_write_json(f, engine, meta);
    if (fclose(f) != 0 || rc != 0) {
        cli_error(cmd, "cannot write '%s': %s", path, strerror(errno));
        return CLI_EXIT_RUNTIME;
    }
    return CLI_EXIT_OK;
}

/* The names of the input formats, for the metadata. */
static const char *const cli_input_format_names[] = {
    "csv", "jsonl", "text", "msgpack"
};

/*
** Codes a survey file. The order: options; the input file (a name that
** cannot be read is a usage error before any work); the engine (a plugin
** or data file that fails stops here, before any output exists); the
** reader (a missing column stops here); the output and its metadata; then
** the pipeline, and the summary line whatever happened in it.
*/
int cli_classify(const cli_command *self, int argc, char **argv)
{
    cli_classify_args a;
    cli_reader_config rcfg;
    cli_writer_config wcfg;
    cli_pipeline_config pcfg;
    cli_pipeline_stats stats;
    cli_meta meta;
    wm_engine *engine = NULL;
    cli_reader *reader = NULL;
    cli_writer *writer = NULL;
    FILE *in = NULL;
    FILE *out = NULL;
    char *meta_path = NULL;
    char err[1024] = "";
    char delim_text[2] = {0, 0};
    int64_t input_size = -1;
    int status;
    struct stat st;
    struct stat out_st;
    int have_st = 0;

    memset(&a, 0, sizeof a);
    a.with_text = 1;
    status = cli_setup_init(self->name, &a.setup, argc);
    if (status != CLI_EXIT_OK)
        return status;
    status = cli_classify_parse(self, argc, argv, &a);
    if (status == -1) {
        cli_setup_free(&a.setup);
        return cli_print_help(self);
    }
    if (status == CLI_EXIT_OK)
        status = cli_classify_check(self->name, &a);

    /* The input: a name that cannot be opened or is a folder is a usage
    ** error, before the engine is made. */
    if (status == CLI_EXIT_OK) {
        in = cli_open_input(self->name, a.setup.common.input_path);
        if (in == NULL)
            status = CLI_EXIT_USAGE;
    }
    if (status == CLI_EXIT_OK && fstat(fileno(in), &st) == 0) {
        have_st = 1;
        if (S_ISDIR(st.st_mode)) {
            errno = EISDIR;
            status = cli_read_error(self->name, a.setup.common.input_path);
        } else if (S_ISREG(st.st_mode)) {
            input_size = (int64_t)st.st_size;
        }
    }
    if (status == CLI_EXIT_OK) {
        a.setup.any_language = a.lang_column != NULL || a.setup.common.lang == NULL
                               || strcmp(a.setup.common.lang, "auto") == 0;
        status = cli_open_engine(self->name, &a.setup, &engine);
    }
    if (status == CLI_EXIT_OK && a.time_limit > 0
        && wm_engine_set_plugin_time_limit(engine, a.time_limit) != WM_OK) {
        cli_error(self->name, "cannot set --plugin-time-limit: %s",
                  wm_engine_errmsg(engine));
        status = CLI_EXIT_RUNTIME;
    }

    /* The reader: CSV reads its header here. */
    if (status == CLI_EXIT_OK) {
        const char *path = a.setup.common.input_path;
        memset(&rcfg, 0, sizeof rcfg);
        rcfg.in = in;
        rcfg.name = path == NULL || strcmp(path, "-") == 0 ? "stdin" : path;
        rcfg.format = a.in_format;
        rcfg.delimiter = a.in_delimiter;
        rcfg.text_column = a.text_column;
        rcfg.id_column = a.id_column;
        rcfg.lang_column = a.lang_column;
        rcfg.keep = (const char *const *)a.keep;
        rcfg.n_keep = a.n_keep;
        rcfg.max_field_bytes = (size_t)a.max_field;
        rcfg.size = input_size;
        if (cli_reader_open(&rcfg, &reader, err, sizeof err) != 0) {
            cli_error(self->name, "%s", err[0] != '\0' ? err
                      : "cannot read the input");
            status = CLI_EXIT_USAGE;
        }
    }

    /* The metadata: options as the user gave them. */
    memset(&meta, 0, sizeof meta);
    meta.setup = &a.setup;
    meta.lang = a.setup.common.lang;
    meta.lang_column = a.lang_column;
    meta.lang_fallback = a.lang_fallback;
    meta.input_format = cli_input_format_names[a.in_format];
    if (a.in_format == CLI_IN_CSV) {
        delim_text[0] = (char)a.in_delimiter;
        meta.delimiter = delim_text;
    }
    meta.text_column = a.text_column;
    meta.id_column = a.id_column;
    meta.keep = (const char *const *)a.keep;
    meta.n_keep = a.n_keep;
    meta.with_text = a.with_text;
    meta.max_field_bytes = a.max_field;

    /* The output, and the metadata beside it. */
    if (status == CLI_EXIT_OK) {
        if (a.output == NULL || strcmp(a.output, "-") == 0) {
            out = stdout;
        } else if (have_st && S_ISREG(st.st_mode)
                   && stat(a.output, &out_st) == 0
                   && out_st.st_dev == st.st_dev
                   && out_st.st_ino == st.st_ino) {
            cli_error(self->name, "-o '%s' is the input file (it would be "
                      "overwritten before it is read)", a.output);
            status = CLI_EXIT_USAGE;
        } else {
            out = fopen(a.output, "wb");
            if (out == NULL) {
                cli_error(self->name, "cannot create '%s': %s", a.output,
                          strerror(errno));
                status = CLI_EXIT_USAGE;
            }
        }
    }
    if (status == CLI_EXIT_OK) {
        if (a.meta != NULL) {
            status = cli_write_meta_file(self->name, a.meta, engine, &meta);
        } else if (a.out_format == CLI_OUT_CSV && out != stdout) {
            size_t n = strlen(a.output);
            meta_path = malloc(n + sizeof ".meta.json");
            if (meta_path == NULL) {
                cli_error(self->name, "%s", wm_strerror(WM_ENOMEM));
                status = CLI_EXIT_RUNTIME;
            } else {
                memcpy(meta_path, a.output, n);
                memcpy(meta_path + n, ".meta.json", sizeof ".meta.json");
                status = cli_write_meta_file(self->name, meta_path, engine,
                                             &meta);
            }
        }
    }
    if (status == CLI_EXIT_OK) {
        memset(&wcfg, 0, sizeof wcfg);
        wcfg.out = out;
        wcfg.format = a.out_format;
        wcfg.engine = engine;
        wcfg.keep = (const char *const *)a.keep;
        wcfg.n_keep = a.n_keep;
        wcfg.with_text = a.with_text;
        writer = cli_writer_new(&wcfg);
        if (writer == NULL) {
            cli_error(self->name, "%s", wm_strerror(WM_ENOMEM));
            status = CLI_EXIT_RUNTIME;
        } else if (cli_writer_begin(writer, &meta) != 0) {
            cli_error(self->name, "cannot write the output: %s",
                      strerror(errno));
            status = CLI_EXIT_RUNTIME;
        }
    }

    /* The work, and the summary line whatever happened in it. */
    if (status == CLI_EXIT_OK) {
        memset(&pcfg, 0, sizeof pcfg);
        pcfg.cmd = self->name;
        pcfg.engine = engine;
        pcfg.input_name = rcfg.name;
        if (a.setup.common.lang != NULL
            && strcmp(a.setup.common.lang, "auto") == 0)
            pcfg.lang_auto = 1;
        else
            pcfg.lang = a.setup.common.lang;
        pcfg.lang_column = a.lang_column;
        pcfg.lang_fallback = a.lang_fallback;
        pcfg.threads = a.threads;
        pcfg.cores = cli_cores();
        pcfg.strict = a.strict;
        pcfg.plugin_error_stop = a.plugin_error_stop;
        pcfg.progress = !a.quiet && isatty(STDERR_FILENO);
        pcfg.input_size = input_size;
        status = cli_pipeline_run(&pcfg, reader, writer, &stats);
        if (cli_writer_end(writer) != 0 && status == CLI_EXIT_OK) {
            cli_error(self->name, "cannot write the output: %s",
                      strerror(errno));
            status = CLI_EXIT_RUNTIME;
        }
        cli_pipeline_summary(self->name, &stats);
    }

    if (out != NULL && out != stdout && fclose(out) != 0
        && status == CLI_EXIT_OK) {
        cli_error(self->name, "cannot write '%s': %s", a.output,
                  strerror(errno));
        status = CLI_EXIT_RUNTIME;
    }
    cli_writer_free(writer);
    cli_reader_close(reader);
    cli_close_input(in);
    wm_engine_free(engine);
    free(meta_path);
    for (size_t i = 0; i < a.n_keep; i++)
        free(a.keep[i]);
    free(a.keep);
    cli_setup_free(&a.setup);
    return status;
}
