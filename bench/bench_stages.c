/*
** bench_stages.c — whatmatters' classification pipeline, stage by stage.
**
** The same corpus (one answer a line) goes through each stage of
** `whatmatters classify` on its own, so that each can be timed apart and
** read against a plain scan of the bytes (the memory-bandwidth reference):
**
**   read+parse  the CLI's own text reader (engine/cli/input*.c) over the
**               file, in its batches of 1024 records;
**   tokenise    UAX #29 segmentation alone (wm_wb_next), keeping the word
**               and number segments;
**   normalise   NFC + case folding of every word token, uncached
**               (wm_normalize: what a cache miss costs);
**   stem        Snowball on every normalised token, uncached;
**   analyze     wm_analyze(): the three above with the analyzer's word
**               cache, plus stopword, negation and sentence marks;
**   classify    wm_classify() with the engine's plugins, the result copied
**               out as the CLI's pipeline copies it; it includes its own
**               analysis, so "match" = classify - analyze is the plugins'
**               share;
**   write       the CLI's writer (engine/cli/output.c) for each record
**               into /dev/null.
**
** Each stage runs over a batch of 1024 answers, then the next stage over the
** same batch (so each starts with the batch in the cache, as in the real
** pipeline); a stage's time is the sum over batches, the best of --repeat
** passes, each pass with fresh analyzers (their caches start empty, as in a
** new `whatmatters classify` process). With --threads N > 1 the stages
** from tokenise to write also run on N threads, each over its share of the
** lines with its own analyzers, stemmer and writer; a stage's time is then
** that of its slowest thread. Read+parse is one thread in the CLI (its
** main thread), so it is measured on one.
**
** Start-up: wm_engine_new + wm_engine_set_languages, each plugin added
** (the lexicons are parsed there), the first analyzer, and, with
** --dict-dir, the Hunspell dictionaries (wm_engine_set_spelling) apart.
**
** Links the internal library (for wordbreak.h and normalize.h) and the
** CLI's reader and writer; everything else goes through whatmatters.h.
**
** Usage: bench_stages [--lang sv] [--plugins lexicon] [--threads N]
**                     [--repeat 3] [--format jsonl|csv] [--dict-dir DIR]
**                     [--json] CORPUS
*/
#define _POSIX_C_SOURCE 200809L

#include <libstemmer.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corpus.h"
#include "input.h"
#include "normalize.h"
#include "output.h"
#include "whatmatters.h"
#include "wordbreak.h"

#define BATCH 1024          /* answers a stage takes at once (the CLI's) */
#define MAX_THREADS 64      /* --threads at most */
#define READ_BATCH_BYTES ((size_t)16 << 20) /* the CLI's batch bound */

/* The stages timed per batch, in pipeline order. */
enum { ST_TOKENISE, ST_NORMALISE, ST_STEM, ST_ANALYZE, ST_CLASSIFY, ST_WRITE, N_ST };

static const char *const stage_names[N_ST] = {
    "tokenise", "normalise", "stem", "analyze", "classify", "write"};

/* What the command line asked for. */
typedef struct options {
    const char *lang;     /* --lang */
    const char *plugins;  /* --plugins, comma-separated */
    const char *dict_dir; /* --dict-dir: also time the dictionaries */
    const char *path;     /* the corpus */
    int threads;          /* --threads */
    int repeat;           /* --repeat */
    int format;           /* CLI_OUT_JSONL or CLI_OUT_CSV */
    int json;             /* --json */
} options;

/* One thread's share of a pass and what it measured. */
typedef struct slice {
    const corpus *c;        /* the corpus */
    wm_engine *engine;      /* shared, read-only while passes run */
    const options *opt;     /* the run's options */
    size_t first, end;      /* lines [first, end) */
    double t[N_ST];         /* seconds per stage */
    uint64_t tokens;        /* word and number segments */
    uint64_t areas;         /* areas assigned (a check that it classified) */
    int rc;                 /* WM_OK, or the first failure */
} slice;

/* A growable array of bytes (reused from batch to batch). */
typedef struct bytes {
    unsigned char *data; /* the bytes */
    size_t len;          /* used */
    size_t cap;          /* allocated */
} bytes;

/* Makes room for n more bytes; exits when memory runs out (a benchmark has
** nothing better to do). */
static void *bytes_room(bytes *b, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n)
            cap *= 2;
        b->data = realloc(b->data, cap);
        if (!b->data) {
            fputs("bench_stages: out of memory\n", stderr);
            exit(1);
        }
        b->cap = cap;
    }
    return b->data + b->len;
}

/* Appends n bytes. */
static void bytes_add(bytes *b, const void *p, size_t n)
{
    memcpy(bytes_room(b, n), p, n);
    b->len += n;
}

/* realloc/free for the normaliser's scratch memory. */
static void *std_realloc(void *ud, void *p, size_t n)
{
    (void)ud;
    return realloc(p, n);
}

static void std_free(void *ud, void *p)
{
    (void)ud;
    free(p);
}

static const wm_allocator std_alloc = {std_realloc, std_free, NULL};

/* Snowball's name of a language code. */
static const char *snowball_name(const char *lang)
{
    if (strcmp(lang, "sv") == 0)
        return "swedish";
    if (strcmp(lang, "da") == 0)
        return "danish";
    if (strcmp(lang, "en") == 0)
        return "english";
    return "norwegian";
}

/* One word or number segment of the batch, for the stages after tokenise. */
typedef struct seg {
    const unsigned char *s; /* its bytes in the corpus */
    uint32_t len;           /* how many */
} seg;

/*
** Runs every stage over one slice, a batch at a time, adding each stage's
** wall time to s->t. The copies between classify and write are those of the
** CLI's pipeline (scores, evidence), inside classify's time.
*/
static void *run_slice(void *arg)
{
    slice *s = arg;
    const corpus *c = s->c;
    wm_analyzer *an = NULL, *cl = NULL;
    struct sb_stemmer *st = sb_stemmer_new(snowball_name(s->opt->lang), "UTF_8");
    FILE *devnull = fopen("/dev/null", "w");
    cli_writer_config wcfg = {devnull, s->opt->format, s->engine, NULL, 0, 1};
    cli_writer *wr = NULL;
    wm_normbuf nb;
    bytes segs = {0}, norms = {0}, ev = {0};
    cli_record recs[BATCH];
    cli_result res[BATCH];
    size_t ev_at[BATCH];
    double scores[BATCH][WM_MAX_AREAS];
    size_t n_areas = wm_engine_area_count(s->engine);

    wm_normbuf_init(&nb, &std_alloc);
    memset(s->t, 0, sizeof s->t);
    s->tokens = s->areas = 0;
    s->rc = WM_OK;
    if (!st || !devnull || (s->rc = wm_analyzer_new(s->engine, s->opt->lang, &an)) != WM_OK ||
        (s->rc = wm_analyzer_new(s->engine, s->opt->lang, &cl)) != WM_OK ||
        !(wr = cli_writer_new(&wcfg))) {
        if (s->rc == WM_OK)
            s->rc = WM_ENOMEM;
        goto out;
    }
    for (size_t b = s->first; b < s->end && s->rc == WM_OK; b += BATCH) {
        size_t e = b + BATCH < s->end ? b + BATCH : s->end;
        size_t n_segs, k;
        double t0, t1;

        t0 = now_seconds();
        segs.len = 0;
        for (size_t i = b; i < e; i++) {
            const unsigned char *p = (const unsigned char *)c->data + c->starts[i];
            size_t len = c->lens[i], pos = 0;
            while (pos < len) {
                unsigned mask;
                size_t end = wm_wb_next(p, len, pos, &mask);
                if ((mask & (WM_WB_LETTER | WM_WB_DIGIT)) && !(mask & WM_WB_INVALID) &&
                    end - pos <= 256) {
                    seg g = {p + pos, (uint32_t)(end - pos)};
                    bytes_add(&segs, &g, sizeof g);
                }
                pos = end;
            }
        }
        t1 = now_seconds();
        s->t[ST_TOKENISE] += t1 - t0;
        n_segs = segs.len / sizeof(seg);
        s->tokens += n_segs;

        norms.len = 0;
        for (k = 0; k < n_segs; k++) {
            const seg *g = (const seg *)segs.data + k;
            size_t out_len;
            uint32_t l;
            if (wm_normalize(&nb, g->s, g->len, &out_len) != WM_OK)
                continue;
            l = (uint32_t)out_len;
            bytes_add(&norms, &l, sizeof l);
            bytes_add(&norms, nb.out, out_len);
        }
        t0 = now_seconds();
        s->t[ST_NORMALISE] += t0 - t1;

        {
            size_t sum = 0;
            for (size_t at = 0; at < norms.len;) {
                uint32_t l;
                memcpy(&l, norms.data + at, sizeof l);
                at += sizeof l;
                if (sb_stemmer_stem(st, norms.data + at, (int)l))
                    sum += (size_t)sb_stemmer_length(st);
                at += l;
            }
            if (sum == 0 && n_segs > 0)
                s->rc = WM_ESTEMMER;
        }
        t1 = now_seconds();
        s->t[ST_STEM] += t1 - t0;

        for (size_t i = b; i < e && s->rc == WM_OK; i++) {
            const wm_analysis *a;
            s->rc = wm_analyze(an, c->data + c->starts[i], c->lens[i], 0, &a);
        }
        t0 = now_seconds();
        s->t[ST_ANALYZE] += t0 - t1;

        ev.len = 0;
        for (size_t i = b; i < e && s->rc == WM_OK; i++) {
            const wm_classification *r;
            size_t j = i - b;
            uint64_t mask = 0;
            s->rc = wm_classify(cl, c->data + c->starts[i], c->lens[i], 0, &r);
            if (s->rc != WM_OK)
                break;
            for (size_t a = 0; a < r->n_areas && a < WM_MAX_AREAS; a++)
                if (r->labels[a])
                    mask |= (uint64_t)1 << a;
            memcpy(scores[j], r->scores, n_areas * sizeof *r->scores);
            ev_at[j] = ev.len;
            bytes_add(&ev, r->evidence, r->n_evidence * sizeof *r->evidence);
            memset(&res[j], 0, sizeof res[j]);
            res[j].status = CLI_ST_OK;
            res[j].coded = 1;
            res[j].lang = wm_analyzer_lang(cl);
            res[j].message = "";
            res[j].labels = mask;
            res[j].scores = scores[j];
            res[j].n_evidence = r->n_evidence;
        }
        t1 = now_seconds();
        s->t[ST_CLASSIFY] += t1 - t0;

        for (size_t i = b; i < e; i++) {
            size_t j = i - b;
            memset(&recs[j], 0, sizeof recs[j]);
            recs[j].number = recs[j].line = i + 1;
            recs[j].offset = c->starts[i];
            recs[j].text = c->data + c->starts[i];
            recs[j].text_len = c->lens[i];
            recs[j].message = "";
            res[j].evidence = (const wm_evidence *)(ev.data + ev_at[j]);
            s->areas += (uint64_t)__builtin_popcountll(res[j].labels);
        }
        t0 = now_seconds();
        for (size_t i = b; i < e && s->rc == WM_OK; i++)
            if (cli_writer_record(wr, &recs[i - b], &res[i - b]) != 0)
                s->rc = WM_EIO;
        s->t[ST_WRITE] += now_seconds() - t0;
    }
    if (s->rc == WM_OK && cli_writer_end(wr) != 0)
        s->rc = WM_EIO;
out:
    cli_writer_free(wr);
    if (devnull)
        fclose(devnull);
    wm_analyzer_free(an);
    wm_analyzer_free(cl);
    if (st)
        sb_stemmer_delete(st);
    wm_normbuf_free(&nb);
    free(segs.data);
    free(norms.data);
    free(ev.data);
    return NULL;
}

/* One pass with n threads; writes each stage's time (the slowest thread's)
** to t. Returns WM_OK or the first failure. */
static int stages_pass(const corpus *c, wm_engine *engine, const options *opt,
                       int n, double t[N_ST], uint64_t *tokens, uint64_t *areas)
{
    slice sl[MAX_THREADS];
    pthread_t th[MAX_THREADS];
    int rc = WM_OK;

    for (int i = 0; i < n; i++) {
        sl[i].c = c;
        sl[i].engine = engine;
        sl[i].opt = opt;
        sl[i].first = c->n_lines * (size_t)i / (size_t)n;
        sl[i].end = c->n_lines * (size_t)(i + 1) / (size_t)n;
    }
    if (n == 1)
        run_slice(&sl[0]);
    else
        for (int i = 0; i < n; i++)
            if (pthread_create(&th[i], NULL, run_slice, &sl[i]) != 0)
                return WM_ENOMEM;
    for (int i = 0; n > 1 && i < n; i++)
        pthread_join(th[i], NULL);
    memset(t, 0, N_ST * sizeof *t);
    *tokens = *areas = 0;
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < N_ST; k++)
            if (sl[i].t[k] > t[k])
                t[k] = sl[i].t[k];
        *tokens += sl[i].tokens;
        *areas += sl[i].areas;
        if (rc == WM_OK)
            rc = sl[i].rc;
    }
    return rc;
}

/* The CLI's text reader over the whole file; returns seconds, or -1. */
static double read_pass(const char *path, uint64_t *records)
{
    FILE *in = fopen(path, "rb");
    cli_reader_config cfg;
    cli_reader *r = NULL;
    cli_batch *b = cli_batch_new();
    char err[512];
    double t0 = now_seconds(), t;
    long n;

    memset(&cfg, 0, sizeof cfg);
    cfg.in = in;
    cfg.name = path;
    cfg.format = CLI_IN_TEXT;
    cfg.delimiter = ',';
    cfg.max_field_bytes = (size_t)256 << 20;
    cfg.size = -1;
    *records = 0;
    if (!in || !b || cli_reader_open(&cfg, &r, err, sizeof err) != 0) {
        if (in)
            fclose(in);
        cli_batch_free(b);
        return -1;
    }
    while ((n = cli_reader_next_batch(r, b, BATCH, READ_BATCH_BYTES, err, sizeof err)) > 0)
        *records += (uint64_t)n;
    t = now_seconds() - t0;
    cli_reader_close(r);
    cli_batch_free(b);
    fclose(in);
    return n < 0 ? -1 : t;
}

/* The scan reference: sum the bytes, count the newlines. */
static double scan_pass(const corpus *c, volatile uint64_t *sink)
{
    const unsigned char *p = (const unsigned char *)c->data;
    uint64_t sum = 0, lines = 0;
    double t0 = now_seconds();

    for (size_t i = 0; i < c->len; i++) {
        sum += p[i];
        lines += p[i] == '\n';
    }
    *sink = sum + lines;
    return now_seconds() - t0;
}

/* Makes the engine as the CLI does for --lang L --plugin P...; adds the
** time of each step to the start-up figures when they are given. */
static int make_engine(const options *opt, wm_engine **out, double *t_engine,
                       double *t_plugins, double *t_analyzer, double *t_dict)
{
    char names[256], *save = NULL;
    wm_engine *e = NULL;
    wm_analyzer *a = NULL;
    const wm_classification *r;
    double t0 = now_seconds(), t1;
    int rc;

    *out = NULL;
    rc = wm_engine_new(NULL, &e);
    if (rc == WM_OK)
        rc = wm_engine_set_languages(e, opt->lang);
    t1 = now_seconds();
    *t_engine = t1 - t0;
    snprintf(names, sizeof names, "%s", opt->plugins);
    for (char *p = strtok_r(names, ",", &save); rc == WM_OK && p;
         p = strtok_r(NULL, ",", &save)) {
        rc = wm_engine_add_plugin(e, p, NULL);
        if (rc != WM_OK)
            fprintf(stderr, "bench_stages: plugin %s: %s\n", p, wm_engine_errmsg(e));
    }
    t0 = now_seconds();
    *t_plugins = t0 - t1;
    if (t_dict)
        *t_dict = 0;
    if (rc == WM_OK && t_dict && opt->dict_dir) {
        rc = wm_engine_set_spelling(e, WM_SPELL_ON, opt->dict_dir);
        t1 = now_seconds();
        *t_dict = t1 - t0;
        t0 = t1;
    }
    if (rc == WM_OK)
        rc = wm_analyzer_new(e, opt->lang, &a);
    if (rc == WM_OK)
        rc = wm_classify(a, "", 0, 0, &r);
    *t_analyzer = now_seconds() - t0;
    wm_analyzer_free(a);
    if (rc != WM_OK) {
        fprintf(stderr, "bench_stages: engine: %s\n", wm_strerror(rc));
        wm_engine_free(e);
        return rc;
    }
    *out = e;
    return WM_OK;
}

static void usage(void)
{
    fputs("usage: bench_stages [--lang sv] [--plugins lexicon] [--threads N] [--repeat 3]\n"
          "                    [--format jsonl|csv] [--dict-dir DIR] [--json] CORPUS\n",
          stderr);
    exit(2);
}

/* Prints one stage's row (human) or JSON member. */
static void row(const options *opt, const char *name, int threads, double secs,
                const corpus *c, uint64_t tokens, double scan_secs, int *first)
{
    double mbs = secs > 0 ? (double)c->len / secs / 1e6 : 0;
    double aps = secs > 0 ? (double)c->n_lines / secs : 0;
    double ns = tokens ? secs * 1e9 / (double)tokens : 0;
    double frac = secs > 0 ? scan_secs / secs : 0;

    if (opt->json) {
        printf("%s{\"stage\":\"%s\",\"threads\":%d,\"seconds\":%.6f,\"mb_s\":%.1f,"
               "\"answers_s\":%.0f,\"ns_token\":%.2f,\"of_scan\":%.4f}",
               *first ? "" : ",", name, threads, secs, mbs, aps, ns, frac);
        *first = 0;
    } else {
        printf("%-10s %7d %9.1f %12.0f %9.1f %8.2f%%\n", name, threads, mbs, aps, ns,
               frac * 100);
    }
}

int main(int argc, char **argv)
{
    options opt = {"sv", "lexicon", NULL, NULL, 1, 3, CLI_OUT_JSONL, 0};
    corpus c;
    wm_engine *engine = NULL;
    double best[2][N_ST], t[N_ST], read_best = -1, scan_best = -1;
    double su[4] = {-1, -1, -1, -1};
    uint64_t tokens = 0, areas = 0, records = 0;
    volatile uint64_t sink = 0;
    int first = 1;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--json") == 0)
            opt.json = 1;
        else if (i + 1 < argc && strcmp(a, "--lang") == 0)
            opt.lang = argv[++i];
        else if (i + 1 < argc && strcmp(a, "--plugins") == 0)
            opt.plugins = argv[++i];
        else if (i + 1 < argc && strcmp(a, "--dict-dir") == 0)
            opt.dict_dir = argv[++i];
        else if (i + 1 < argc && strcmp(a, "--threads") == 0)
            opt.threads = atoi(argv[++i]);
        else if (i + 1 < argc && strcmp(a, "--repeat") == 0)
            opt.repeat = atoi(argv[++i]);
        else if (i + 1 < argc && strcmp(a, "--format") == 0) {
            const char *f = argv[++i];
            if (strcmp(f, "csv") == 0)
                opt.format = CLI_OUT_CSV;
            else if (strcmp(f, "jsonl") != 0)
                usage();
        } else if (a[0] == '-' || opt.path)
            usage();
        else
            opt.path = a;
    }
    if (!opt.path || opt.threads < 1 || opt.threads > MAX_THREADS || opt.repeat < 1)
        usage();
    if (corpus_read(&c, opt.path, "bench_stages") != 0)
        return 1;

    /* Start-up, best of --repeat (the dictionaries only with --dict-dir). */
    for (int r = 0; r < opt.repeat; r++) {
        double te, tp, ta, td;
        wm_engine *e;
        options o = opt;
        o.dict_dir = NULL;
        if (make_engine(&o, &e, &te, &tp, &ta, &td) != WM_OK)
            return 1;
        wm_engine_free(e);
        if (su[0] < 0 || te + tp + ta < su[0] + su[1] + su[2]) {
            su[0] = te;
            su[1] = tp;
            su[2] = ta;
        }
        if (opt.dict_dir) {
            if (make_engine(&opt, &e, &te, &tp, &ta, &td) != WM_OK)
                return 1;
            wm_engine_free(e);
            if (su[3] < 0 || td < su[3])
                su[3] = td;
        }
    }
    {
        double te, tp, ta;
        if (make_engine(&opt, &engine, &te, &tp, &ta, NULL) != WM_OK)
            return 1;
    }

    /* The passes, interleaved: scan, read, one thread, N threads. */
    for (int r = 0; r < opt.repeat; r++) {
        double s = scan_pass(&c, &sink);
        double rd = read_pass(opt.path, &records);
        if (scan_best < 0 || s < scan_best)
            scan_best = s;
        if (rd < 0) {
            fprintf(stderr, "bench_stages: cannot read %s\n", opt.path);
            return 1;
        }
        if (read_best < 0 || rd < read_best)
            read_best = rd;
        for (int m = 0; m < (opt.threads > 1 ? 2 : 1); m++) {
            int n = m ? opt.threads : 1;
            int rc = stages_pass(&c, engine, &opt, n, t, &tokens, &areas);
            if (rc != WM_OK) {
                fprintf(stderr, "bench_stages: a stage failed: %s\n", wm_strerror(rc));
                return 1;
            }
            for (int k = 0; k < N_ST; k++)
                if (r == 0 || t[k] < best[m][k])
                    best[m][k] = t[k];
        }
    }

    if (opt.json)
        printf("{\"program\":\"bench_stages\",\"lang\":\"%s\",\"plugins\":\"%s\","
               "\"bytes\":%zu,\"answers\":%zu,\"tokens\":%llu,\"areas_assigned\":%llu,"
               "\"repeat\":%d,\"startup_ms\":{\"engine\":%.2f,\"plugins\":%.2f,"
               "\"first_analyzer\":%.2f,\"dictionaries\":%.2f},\"stages\":[",
               opt.lang, opt.plugins, c.len, c.n_lines, (unsigned long long)tokens,
               (unsigned long long)areas, opt.repeat, su[0] * 1e3, su[1] * 1e3,
               su[2] * 1e3, su[3] >= 0 ? su[3] * 1e3 : -1.0);
    else
        printf("bench_stages: %s, %zu bytes, %zu answers, %llu tokens (words + numbers), "
               "plugins %s, best of %d\n%-10s %7s %9s %12s %9s %9s\n",
               opt.path, c.len, c.n_lines, (unsigned long long)tokens, opt.plugins,
               opt.repeat, "stage", "threads", "MB/s", "answers/s", "ns/token", "of scan");
    row(&opt, "scan", 1, scan_best, &c, tokens, scan_best, &first);
    row(&opt, "read+parse", 1, read_best, &c, tokens, scan_best, &first);
    for (int m = 0; m < (opt.threads > 1 ? 2 : 1); m++) {
        int n = m ? opt.threads : 1;
        for (int k = 0; k < N_ST; k++)
            row(&opt, stage_names[k], n, best[m][k], &c, tokens, scan_best, &first);
        row(&opt, "match", n, best[m][ST_CLASSIFY] - best[m][ST_ANALYZE], &c, tokens,
            scan_best, &first);
    }
    if (opt.json)
        printf("]}\n");
    else {
        printf("start-up: engine %.2f ms, plugins (lexicons) %.2f ms, first analyzer %.2f ms",
               su[0] * 1e3, su[1] * 1e3, su[2] * 1e3);
        if (su[3] >= 0)
            printf(", dictionaries %.2f ms", su[3] * 1e3);
        printf("\n");
    }
    (void)sink;
    wm_engine_free(engine);
    corpus_free(&c);
    return 0;
}
