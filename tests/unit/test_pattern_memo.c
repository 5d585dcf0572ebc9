/*
** test_pattern_memo.c — the pattern plugin's per-worker memo of words' runs
** through its automaton, on analyses made by hand so that the ids and the
** ids' epoch are the test's to choose.
**
** A worker remembers a normal form's run under its id. The host may give
** an id to another form once its analyzer's cache starts afresh
** (whatmatters.h, wm_analyze). A host of ABI 1.3 changes id_epoch before
** it does: the memo is then by id alone and must be forgotten on every
** change of the epoch (to any value, an earlier one too). A host of ABI
** 1.2 or older does not say: the memo must compare the form's bytes, in
** each class of length the plugin compares differently (under 4 bytes, 4
** to 7, 8 to 16, over 16). A worker that meets both kinds of host forgets
** its memo when it goes from one to the other (the memo by id keeps no
** bytes). A token without an id (WM_ID_NONE) is never taken from the memo,
** nor a form with more literals than an entry holds (walked each time).
**
** Each case gives an id first to a form the rules' literals do not hold
** and then to one of the same length that they do: a run remembered for
** the wrong form would hide the literal, and the rule would not run (the
** other way round a rule runs in vain, which changes no result).
*/
#include "wm_test.h"
#include "whatmatters_plugin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const wm_plugin *wm_builtin_pattern(void);

#define N_AREAS 9
#define MAX_TOK 8
#define HOST_12 (-1) /* classify()'s epoch: a host of ABI 1.2, without it */

static const char *const area_ids[N_AREAS] = {
    "access", "respect", "whole_person", "coordination", "continuity",
    "participation", "family", "everyday_life", "hope_recovery",
};

/* The rules: literals of each class of length (3, 6, 12, 20 bytes). */
static const char rules[] =
    "respect 1 /xqz/p\n"
    "family 1 /kommer/p\n"
    "access 1 /bommarstugan/\n"
    "coordination 1 /sommarsommarbommar12/\n"
    "participation 1 /ananas|nasa|sana/p\n";

/* Forms of the same length, the first without a literal, the second with
** one (its own: each holds only its rule's literal); those over 16 bytes
** differ only in the middle. */
static const struct {
    const char *quiet, *leads;
} pairs[] = {
    {"xqy", "xqz"},
    {"sommar", "kommer"},
    {"sommarstugan", "bommarstugan"},
    {"sommarsommarsommar12", "sommarsommarbommar12"},
};
#define N_PAIRS (sizeof pairs / sizeof pairs[0])

static long live; /* the plugin's allocations not freed */

static int t_data_file(void *ctx, const char *name, const unsigned char **bytes,
                       size_t *len, char *err, size_t err_size)
{
    (void)ctx;
    (void)name;
    (void)err;
    (void)err_size;
    *bytes = (const unsigned char *)rules;
    *len = sizeof rules - 1;
    return WM_OK;
}

static int t_evidence(wm_plugin_output *out, uint32_t area, size_t start,
                      size_t end, double weight, const char *rule)
{
    size_t *n = out->host;

    (void)area;
    (void)start;
    (void)end;
    (void)weight;
    (void)rule;
    (*n)++;
    return WM_OK;
}

/* An instance with one worker. */
typedef struct inst {
    const wm_plugin *d;
    wm_host host;
    void *state;
    void *worker;
} inst;

static int open_inst(inst *in)
{
    wm_plugin_config cfg;
    char err[256] = "";
    int rc;

    memset(in, 0, sizeof *in);
    in->d = wm_builtin_pattern();
    in->host.struct_size = sizeof in->host;
    in->host.ctx = &live;
    in->host.realloc = wm_test_host_realloc;
    in->host.free = wm_test_host_free;
    in->host.data_file = t_data_file;
    memset(&cfg, 0, sizeof cfg);
    cfg.struct_size = sizeof cfg;
    cfg.lang = "sv";
    cfg.n_areas = N_AREAS;
    cfg.area_ids = area_ids;
    rc = in->d->create(&in->host, &cfg, &in->state, err, sizeof err);
    if (!CHECK_MSG(rc == WM_OK, err))
        return 0;
    rc = in->d->worker_new(in->state, &in->worker, err, sizeof err);
    return CHECK_MSG(rc == WM_OK, err);
}

static void close_inst(inst *in)
{
    if (in->worker)
        in->d->worker_free(in->state, in->worker);
    if (in->state)
        in->d->destroy(in->state);
    CHECK_MSG(live == 0, "the plugin freed all it allocated");
}

/* Classifies the answer of words w[0..n) (separated by one space; each its
** own normal form, with the id in ids[]) by a host of ABI 1.3 with the
** given epoch, or of 1.2 (HOST_12). Returns the evidence items, -1 when the
** call failed. */
static long classify(inst *in, const char *const *w, const uint32_t *ids,
                     size_t n, long long epoch)
{
    char text[256], err[128] = "";
    wm_token t[MAX_TOK];
    wm_analysis an;
    wm_plugin_input pin;
    wm_plugin_output out;
    double scores[N_AREAS + 1] = {0};
    size_t len = 0, n_ev = 0;
    int rc;

    memset(t, 0, sizeof t);
    for (size_t i = 0; i < n && i < MAX_TOK; i++) {
        size_t wl = strlen(w[i]);

        if (i)
            text[len++] = ' ';
        memcpy(text + len, w[i], wl);
        t[i].start = len;
        t[i].end = len + wl;
        t[i].norm = t[i].stem = text + len;
        t[i].norm_len = t[i].stem_len = wl;
        t[i].norm_id = t[i].stem_id = ids[i];
        t[i].flags = WM_TOK_WORD | (i == 0 ? WM_TOK_SENT_START : 0);
        len += wl;
    }
    memset(&an, 0, sizeof an);
    an.text = text;
    an.text_len = len;
    an.tokens = t;
    an.n_tokens = n;
    an.n_sentences = 1;
    memset(&pin, 0, sizeof pin);
    pin.struct_size = epoch == HOST_12 ? offsetof(wm_plugin_input, id_epoch)
                                       : sizeof pin;
    pin.id_epoch = epoch == HOST_12 ? 0 : (uint64_t)epoch;
    pin.analysis = &an;
    memset(&out, 0, sizeof out);
    out.struct_size = sizeof out;
    out.n_areas = N_AREAS;
    out.scores = scores;
    out.add_evidence = t_evidence;
    out.host = &n_ev;
    out.err = err;
    out.err_size = sizeof err;
    rc = in->d->classify(in->state, in->worker, &pin, &out);
    if (!CHECK_MSG(rc == WM_OK, err))
        return -1;
    return (long)n_ev;
}

/* One word alone. */
static long one(inst *in, const char *word, uint32_t id, long long epoch)
{
    return classify(in, &word, &id, 1, epoch);
}

/* Checks an answer's evidence count, saying which case it was. */
static void expect(long got, long want, const char *what, const char *form,
                   long long epoch)
{
    char msg[160];

    snprintf(msg, sizeof msg, "%s: \"%s\" at epoch %lld gives %ld evidence "
             "(got %ld)", what, form, epoch, want, got);
    CHECK_MSG(got == want, msg);
}

/*
** A host of ABI 1.3 gives an id to another form only after it changes the
** epoch: the run remembered under the id must be forgotten then, whatever
** the new value (a later one, 0 again, a large one).
*/
static void test_epoch(void)
{
    static const long long epochs[] = {0, 1, 7, 0, 0xFFFFFFFFFFLL, 3};
    inst in;

    if (!open_inst(&in))
        return;
    for (size_t k = 0; k < N_PAIRS; k++) {
        uint32_t id = 40 + (uint32_t)k;

        for (size_t e = 0; e + 1 < sizeof epochs / sizeof *epochs; e++) {
            /* The quiet form takes the id, remembered twice over; a new
            ** epoch, and the id is the form with the literal. */
            expect(one(&in, pairs[k].quiet, id, epochs[e]), 0, "quiet",
                   pairs[k].quiet, epochs[e]);
            expect(one(&in, pairs[k].quiet, id, epochs[e]), 0, "again",
                   pairs[k].quiet, epochs[e]);
            expect(one(&in, pairs[k].leads, id, epochs[e + 1]), 1,
                   "a new epoch, the id given anew", pairs[k].leads,
                   epochs[e + 1]);
            expect(one(&in, pairs[k].leads, id, epochs[e + 1]), 1,
                   "remembered", pairs[k].leads, epochs[e + 1]);
        }
    }
    /* Several words: each id its own form within the epoch, then the two
    ** ids swapped in the next one. */
    {
        const char *const w1[] = {"sommar", "kommer", "sommar", "kommer"};
        const char *const w2[] = {"kommer", "sommar", "kommer", "sommar"};
        const uint32_t ids[] = {90, 91, 90, 91};

        expect(classify(&in, w1, ids, 4, 10), 2, "two ids", "sommar kommer",
               10);
        expect(classify(&in, w2, ids, 4, 11), 2, "the ids swapped",
               "kommer sommar", 11);
        expect(classify(&in, w1, ids, 4, 12), 2, "swapped back",
               "sommar kommer", 12);
    }
    /* A form with more literals than a memo entry holds (ananas, sana,
    ** ananas: walked each time), after a quiet form of its id and before
    ** one. */
    for (long long e = 20; e < 23; e++) {
        expect(one(&in, "sommar", 95, e), 0, "quiet", "sommar", e);
        for (int again = 0; again < 2; again++)
            expect(one(&in, "ananasananas", 95, e + 100), 2,
                   "three literals", "ananasananas", e + 100);
    }
    close_inst(&in);
}

/*
** A host of ABI 1.2 says nothing of its ids: the same id for the one form
** and then the other, answer after answer, is told apart by the bytes.
*/
static void test_old_host(void)
{
    inst in;

    if (!open_inst(&in))
        return;
    for (int round = 0; round < 3; round++)
        for (size_t k = 0; k < N_PAIRS; k++) {
            uint32_t id = 40 + (uint32_t)k;

            expect(one(&in, pairs[k].quiet, id, HOST_12), 0, "1.2 host",
                   pairs[k].quiet, -1);
            expect(one(&in, pairs[k].leads, id, HOST_12), 1,
                   "1.2 host, the id given anew", pairs[k].leads, -1);
            expect(one(&in, "ananasananas", id, HOST_12), 2,
                   "1.2 host, three literals", "ananasananas", -1);
        }
    close_inst(&in);
}

/*
** One worker, hosts of both kinds in turns: a memo kept by bytes is not
** taken by id, a memo kept by id (without bytes) is not taken by bytes.
** The bytes the 1.2 host's memo keeps ("kommer" first) stay where an
** entry of the memo by id would point, so a memo not forgotten would be
** fooled either way.
*/
static void test_switch(void)
{
    inst in;

    if (!open_inst(&in))
        return;
    for (int round = 0; round < 3; round++) {
        uint32_t id = 10 + 3 * (uint32_t)round;

        expect(one(&in, "kommer", id, HOST_12), 1, "1.2 host", "kommer", -1);
        expect(one(&in, "sommar", id + 1, HOST_12), 0, "1.2 host", "sommar",
               -1);
        expect(one(&in, "kommer", id + 1, 0), 1, "1.3 host after 1.2",
               "kommer", 0);
        expect(one(&in, "sommar", id + 2, 0), 0, "1.3 host", "sommar", 0);
        expect(one(&in, "kommer", id + 2, HOST_12), 1, "1.2 host after 1.3",
               "kommer", -1);
        expect(one(&in, "sommar", id, HOST_12), 0, "1.2 host", "sommar", -1);
        expect(one(&in, "kommer", id, 0), 1, "1.3 host after 1.2", "kommer",
               0);
    }
    close_inst(&in);
}

/*
** Tokens without an id (WM_ID_NONE), of either form, among words with ids,
** from both hosts: never taken from the memo (the slot of id 0 stays
** empty), each walked as its bytes say.
*/
static void test_no_id(void)
{
    static const long long hosts[] = {0, HOST_12, 5};
    const char *const w[] = {"sommar", "kommer", "sommar", "kommer"};
    const uint32_t ids[] = {WM_ID_NONE, WM_ID_NONE, 7, WM_ID_NONE};
    inst in;

    if (!open_inst(&in))
        return;
    for (size_t h = 0; h < sizeof hosts / sizeof *hosts; h++)
        for (int round = 0; round < 2; round++) {
            expect(one(&in, "sommar", WM_ID_NONE, hosts[h]), 0, "no id",
                   "sommar", hosts[h]);
            expect(one(&in, "kommer", WM_ID_NONE, hosts[h]), 1, "no id",
                   "kommer", hosts[h]);
            expect(classify(&in, w, ids, 4, hosts[h]), 2, "no id among ids",
                   "sommar kommer sommar kommer", hosts[h]);
        }
    close_inst(&in);
}

int main(void)
{
    test_epoch();
    test_old_host();
    test_switch();
    test_no_id();
    return wm_test_finish();
}
