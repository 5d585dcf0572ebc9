/*
** report_stats.c — counting coded records for `whatmatters report`, and
** saving, loading and merging the counts as msgpack summaries.
**
** The hot path is cli_report_add(), once per record: a few additions, a
** hash look-up per evidence term, and a copy only while an area still has
** fewer than N examples. Strings live in insertion-ordered sets with an
** open-addressing index (FNV-1a), so that the order things were first seen
** is kept (the summaries store it) while display order is computed from
** the counts alone.
**
** The summary is one msgpack map (format version 1):
**   "whatmatters_report_summary": 1
**   "areas":        [id, ...]
**   "files", "records", "ok", "no_area": counts
**   "statuses":     [[status, records], ...]   first-seen order
**   "status_other": records of statuses past the bound
**   "area_n":       [answers, ...]             one per area
**   "cooccurrence": [answers, ...]             n_areas x n_areas, by rows
**   "terms":        [{"full": bool, "dropped": n,
**                     "items": [[term, answers], ...]}, ...]  per area
**   "examples_max": N
**   "examples":     [[[id, text or nil, truncated], ...], ...] per area
**   "by":           nil, or {"column": name, "full": bool,
**                     "beyond_ok": n, "beyond_n": [n, ...],
**                     "groups": [[value, ok, [n, ...]], ...]}
**   "fingerprints": [fingerprint, ...]; "fingerprints_full": bool
** Keys are found by name, so a later version may add keys; a reader of
** this version ignores keys it does not know.
*/
#include "report_stats.h"

#include <math.h>
#include <msgpack.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------
** Small helpers
** --------------------------------------------------------------------- */

/* 64-bit FNV-1a of a byte string: the hash of the string sets. */
static uint64_t rs_hash(const char *s, size_t len)
{
    uint64_t h = 0xcbf29ce484222325u;

    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3u;
    }
    return h;
}

/* A copy of s[0..len) with a NUL after it, or NULL. */
static char *rs_dup(const char *s, size_t len)
{
    char *copy = malloc(len + 1);

    if (copy != NULL) {
        if (len > 0)
            memcpy(copy, s, len);
        copy[len] = '\0';
    }
    return copy;
}

/* Formats a message into err (when err_size > 0). */
static void rs_err(char *err, size_t err_size, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL || err_size == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, err_size, fmt, ap);
    va_end(ap);
}

/*
** The longest prefix of at most max bytes that does not end inside a
** UTF-8 sequence: the cut moves back over continuation bytes to the lead
** byte of the sequence it would split. Bytes that are not UTF-8 at all are
** cut where they fall (there is no sequence to keep whole).
*/
size_t cli_report_utf8_cut(const char *text, size_t len, size_t max)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t cut, lead;

    if (len <= max)
        return len;
    cut = max;
    lead = cut;
    while (lead > 0 && lead + 4 > cut && (s[lead] & 0xC0) == 0x80)
        lead--;
    if ((s[lead] & 0xC0) == 0xC0) {
        size_t need = s[lead] >= 0xF0 ? 4 : s[lead] >= 0xE0 ? 3 : 2;
        if (lead + need > cut)
            return lead; /* the sequence at lead does not fit: drop it */
    }
    return cut;
}

/* ------------------------------------------------------------------------
** String sets
** --------------------------------------------------------------------- */

/* Frees a set's strings and arrays. */
static void rs_strings_free(cli_report_strings *set)
{
    for (size_t i = 0; i < set->count; i++)
        free(set->keys[i]);
    free(set->keys);
    free(set->lens);
    free(set->slots);
    memset(set, 0, sizeof *set);
}

/* The slot of s in the index: where it is, or the empty slot where it
** would go. The index must exist. */
static size_t rs_slot(const cli_report_strings *set, const char *s,
                      size_t len, uint64_t h)
{
    size_t mask = set->n_slots - 1;
    size_t slot = (size_t)h & mask;

    for (;;) {
        uint32_t v = set->slots[slot];
        if (v == 0)
            return slot;
        if (set->lens[v - 1] == len
            && (len == 0 || memcmp(set->keys[v - 1], s, len) == 0))
            return slot;
        slot = (slot + 1) & mask;
    }
}

/* Rebuilds the index with n_slots slots (a power of two > 2 count). */
static int rs_reindex(cli_report_strings *set, size_t n_slots)
{
    uint32_t *slots = calloc(n_slots, sizeof *slots);
    uint32_t *old = set->slots;

    if (slots == NULL)
        return -1;
    set->slots = slots;
    set->n_slots = n_slots;
    for (size_t i = 0; i < set->count; i++) {
        size_t slot = rs_slot(set, set->keys[i], set->lens[i],
                              rs_hash(set->keys[i], set->lens[i]));
        slots[slot] = (uint32_t)(i + 1);
    }
    free(old);
    return 0;
}

/* The index of s in the set, or -1. */
static long rs_find(const cli_report_strings *set, const char *s, size_t len)
{
    uint32_t v;

    if (set->n_slots == 0)
        return -1;
    v = set->slots[rs_slot(set, s, len, rs_hash(s, len))];
    return v == 0 ? -1 : (long)v - 1;
}

/*
** Finds s, or adds it when the set holds fewer than `bound` strings.
** Returns its index; -1 when it is new and the set is at the bound; -2 out
** of memory. *added says whether it was added. The arrays grow by
** doubling from 8 (rs_intern_with() relies on that rule).
*/
static long rs_intern(cli_report_strings *set, const char *s, size_t len,
                      size_t bound, int *added)
{
    uint64_t h = rs_hash(s, len);
    size_t slot;
    char *copy;

    *added = 0;
    if (set->n_slots == 0 && rs_reindex(set, 16) != 0)
        return -2;
    slot = rs_slot(set, s, len, h);
    if (set->slots[slot] != 0)
        return (long)set->slots[slot] - 1;
    if (set->count >= bound)
        return -1;
    if (set->count * 2 + 2 >= set->n_slots) {
        if (rs_reindex(set, set->n_slots * 2) != 0)
            return -2;
        slot = rs_slot(set, s, len, h);
    }
    if (set->count == set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 8;
        char **keys;
        size_t *lens;

        if (cap > (size_t)-1 / sizeof *keys)
            return -2;
        keys = realloc(set->keys, cap * sizeof *keys);
        if (keys == NULL)
            return -2;
        set->keys = keys;
        lens = realloc(set->lens, cap * sizeof *lens);
        if (lens == NULL)
            return -2; /* keys is larger than needed: harmless */
        set->lens = lens;
        set->cap = cap;
    }
    copy = rs_dup(s, len);
    if (copy == NULL)
        return -2;
    set->keys[set->count] = copy;
    set->lens[set->count] = len;
    set->slots[slot] = (uint32_t)(set->count + 1);
    set->count++;
    *added = 1;
    return (long)set->count - 1;
}

/* Grows a parallel uint64 array from old_cap to new_cap rows of `width`
** counters, zeroing the new rows. Returns 0 or -1. */
static int rs_grow_counts(uint64_t **array, size_t old_cap, size_t new_cap,
                          size_t width)
{
    uint64_t *bigger;

    if (new_cap <= old_cap && *array != NULL)
        return 0;
    if (width == 0)
        width = 1;
    if (new_cap > (size_t)-1 / sizeof **array / width)
        return -1;
    bigger = realloc(*array, new_cap * width * sizeof **array);
    if (bigger == NULL)
        return -1;
    memset(bigger + old_cap * width, 0,
           (new_cap - old_cap) * width * sizeof **array);
    *array = bigger;
    return 0;
}

/*
** Interns s into a set with parallel count arrays a and b (b may be NULL)
** of a_width and b_width counters per string. The arrays always hold
** set->cap rows: they are grown first, to the capacity the set takes when
** it is full (so that a failure leaves everything as it was). Returns the
** index, -1 at the bound, -2 out of memory.
*/
static long rs_intern_with(cli_report_strings *set, const char *s,
                           size_t len, size_t bound, uint64_t **a,
                           size_t a_width, uint64_t **b, size_t b_width)
{
    int added;

    if (set->count == set->cap && set->count < bound) {
        size_t cap = set->cap ? set->cap * 2 : 8;
        if (rs_grow_counts(a, set->cap, cap, a_width) != 0
            || (b != NULL && rs_grow_counts(b, set->cap, cap, b_width) != 0))
            return -2;
    }
    return rs_intern(set, s, len, bound, &added);
}

/* ------------------------------------------------------------------------
** Creating and freeing
** --------------------------------------------------------------------- */

/* Frees one example's strings. */
static void rs_example_free(cli_report_example *ex)
{
    free(ex->id);
    free(ex->text);
    memset(ex, 0, sizeof *ex);
}

/* Frees stats; NULL is a no-op. */
void cli_report_stats_free(cli_report_stats *stats)
{
    if (stats == NULL)
        return;
    for (size_t a = 0; a < stats->n_areas; a++) {
        if (stats->area_ids != NULL)
            free(stats->area_ids[a]);
        if (stats->terms != NULL) {
            rs_strings_free(&stats->terms[a].terms);
            free(stats->terms[a].counts);
            free(stats->terms[a].last);
        }
        if (stats->examples != NULL && stats->n_examples != NULL) {
            for (size_t k = 0; k < stats->n_examples[a]; k++)
                rs_example_free(&stats->examples[a * stats->examples_max + k]);
        }
    }
    free(stats->area_ids);
    free(stats->terms);
    free(stats->examples);
    free(stats->n_examples);
    free(stats->area_n);
    free(stats->co);
    rs_strings_free(&stats->statuses);
    free(stats->status_counts);
    rs_strings_free(&stats->fingerprints);
    if (stats->by != NULL) {
        free(stats->by->column);
        rs_strings_free(&stats->by->values);
        free(stats->by->ok);
        free(stats->by->n);
        free(stats->by->beyond_n);
        free(stats->by);
    }
    free(stats);
}

/* Creates empty stats (see the header). */
int cli_report_stats_new(const char *const *area_ids, size_t n_areas,
                         size_t examples_max, const char *by_column,
                         cli_report_stats **out)
{
    cli_report_stats *s;

    *out = NULL;
    if (n_areas == 0 || n_areas > CLI_REPORT_MAX_AREAS
        || examples_max > CLI_REPORT_MAX_EXAMPLES)
        return CLI_REPORT_EINPUT;
    for (size_t a = 0; a < n_areas; a++) {
        size_t len = strlen(area_ids[a]);
        if (len == 0 || len > CLI_REPORT_AREA_ID_BYTES)
            return CLI_REPORT_EINPUT;
    }
    s = calloc(1, sizeof *s);
    if (s == NULL)
        return CLI_REPORT_ENOMEM;
    s->n_areas = n_areas;
    s->examples_max = examples_max;
    s->area_ids = calloc(n_areas, sizeof *s->area_ids);
    s->area_n = calloc(n_areas, sizeof *s->area_n);
    s->co = calloc(n_areas * n_areas, sizeof *s->co);
    s->terms = calloc(n_areas, sizeof *s->terms);
    s->n_examples = calloc(n_areas, sizeof *s->n_examples);
    s->examples = calloc(n_areas * (examples_max ? examples_max : 1),
                         sizeof *s->examples);
    if (s->area_ids == NULL || s->area_n == NULL || s->co == NULL
        || s->terms == NULL || s->n_examples == NULL || s->examples == NULL)
        goto nomem;
    for (size_t a = 0; a < n_areas; a++) {
        s->area_ids[a] = rs_dup(area_ids[a], strlen(area_ids[a]));
        if (s->area_ids[a] == NULL)
            goto nomem;
    }
    if (by_column != NULL) {
        s->by = calloc(1, sizeof *s->by);
        if (s->by == NULL)
            goto nomem;
        s->by->column = rs_dup(by_column, strlen(by_column));
        s->by->beyond_n = calloc(n_areas, sizeof *s->by->beyond_n);
        if (s->by->column == NULL || s->by->beyond_n == NULL)
            goto nomem;
    }
    *out = s;
    return 0;
nomem:
    cli_report_stats_free(s);
    return CLI_REPORT_ENOMEM;
}

/* ------------------------------------------------------------------------
** Counting
** --------------------------------------------------------------------- */

/* Counts one file and its set-up's fingerprint. */
int cli_report_add_file(cli_report_stats *stats, const char *fingerprint)
{
    int added;
    long i;

    stats->files++;
    i = rs_intern(&stats->fingerprints, fingerprint, strlen(fingerprint),
                  CLI_REPORT_MAX_FINGERPRINTS, &added);
    if (i == -2)
        return CLI_REPORT_ENOMEM;
    if (i == -1)
        stats->fingerprints_full = 1;
    return 0;
}

/* Counts `count` records of a status. */
static int rs_count_status(cli_report_stats *stats, const char *status,
                           size_t status_len, uint64_t count)
{
    long i;

    status_len = cli_report_utf8_cut(status, status_len,
                                     CLI_REPORT_STATUS_BYTES);
    i = rs_intern_with(&stats->statuses, status, status_len,
                       CLI_REPORT_MAX_STATUSES, &stats->status_counts, 1,
                       NULL, 0);
    if (i == -2)
        return CLI_REPORT_ENOMEM;
    if (i == -1)
        stats->status_other += count;
    else
        stats->status_counts[i] += count;
    return 0;
}

/* Counts a term of an area for the answer with serial `serial` (0: no
** de-duplication, for merges), adding `count` answers. */
static int rs_count_term(cli_report_terms *t, const char *term,
                         size_t term_len, uint64_t count, uint64_t serial)
{
    long i;

    term_len = cli_report_utf8_cut(term, term_len, CLI_REPORT_TERM_BYTES);
    i = rs_intern_with(&t->terms, term, term_len, CLI_REPORT_MAX_TERMS,
                       &t->counts, 1, &t->last, 1);
    if (i == -2)
        return CLI_REPORT_ENOMEM;
    if (i == -1) {
        t->full = 1;
        t->dropped += count;
        return 0;
    }
    if (serial != 0) {
        if (t->last[i] == serial)
            return 0; /* already counted for this answer */
        t->last[i] = serial;
    }
    t->counts[i] += count;
    return 0;
}

/* Counts answers of a --by value: ok answers and the areas' counts. */
static int rs_count_group(cli_report_groups *g, size_t n_areas,
                          const char *value, size_t value_len, uint64_t ok,
                          const uint64_t *n, uint64_t areas)
{
    uint64_t *row;
    long i;

    value_len = cli_report_utf8_cut(value, value_len,
                                    CLI_REPORT_GROUP_BYTES);
    i = rs_intern_with(&g->values, value, value_len, CLI_REPORT_MAX_GROUPS,
                       &g->ok, 1, &g->n, n_areas);
    if (i == -2)
        return CLI_REPORT_ENOMEM;
    if (i == -1) {
        g->full = 1;
        g->beyond_ok += ok;
        row = g->beyond_n;
    } else {
        g->ok[i] += ok;
        row = g->n + (size_t)i * n_areas;
    }
    for (size_t a = 0; a < n_areas; a++)
        row[a] += n != NULL ? n[a] : (areas >> a) & 1u;
    return 0;
}

/* Copies an example into its slot, cutting id and text to their bounds. */
static int rs_example_set(cli_report_example *ex, const char *id,
                          size_t id_len, const char *text, size_t text_len,
                          int truncated)
{
    size_t keep;

    memset(ex, 0, sizeof *ex);
    id_len = cli_report_utf8_cut(id, id_len, CLI_REPORT_ID_BYTES);
    ex->id = rs_dup(id, id_len);
    ex->id_len = id_len;
    if (ex->id == NULL)
        return CLI_REPORT_ENOMEM;
    if (text != NULL) {
        keep = cli_report_utf8_cut(text, text_len, CLI_REPORT_EXAMPLE_BYTES);
        ex->text = rs_dup(text, keep);
        ex->text_len = keep;
        ex->truncated = truncated || keep < text_len;
        if (ex->text == NULL) {
            free(ex->id);
            ex->id = NULL;
            return CLI_REPORT_ENOMEM;
        }
    }
    return 0;
}

/* Counts one record (see the header). */
int cli_report_add(cli_report_stats *stats, const cli_report_answer *answer)
{
    size_t n_areas = stats->n_areas;
    uint64_t areas;
    int rc;

    stats->records++;
    rc = rs_count_status(stats, answer->status, answer->status_len, 1);
    if (rc != 0)
        return rc;
    if (answer->status_len != 2 || memcmp(answer->status, "ok", 2) != 0)
        return 0;

    stats->ok++;
    stats->serial++;
    areas = answer->areas;
    if (n_areas < 64)
        areas &= ((uint64_t)1 << n_areas) - 1;
    if (areas == 0)
        stats->no_area++;
    for (size_t a = 0; a < n_areas; a++) {
        if (!((areas >> a) & 1u))
            continue;
        stats->area_n[a]++;
        for (size_t b = 0; b < n_areas; b++) {
            if ((areas >> b) & 1u)
                stats->co[a * n_areas + b]++;
        }
        if (stats->n_examples[a] < stats->examples_max) {
            cli_report_example *ex = &stats->examples[
                a * stats->examples_max + stats->n_examples[a]];
            rc = rs_example_set(ex, answer->id, answer->id_len,
                                answer->text, answer->text_len, 0);
            if (rc != 0)
                return rc;
            stats->n_examples[a]++;
        }
    }
    for (size_t k = 0; k < answer->n_evidence; k++) {
        const cli_report_span *sp = &answer->evidence[k];
        if (sp->area >= n_areas || !((areas >> sp->area) & 1u)
            || sp->text_len == 0)
            continue;
        rc = rs_count_term(&stats->terms[sp->area], sp->text, sp->text_len,
                           1, stats->serial);
        if (rc != 0)
            return rc;
    }
    if (stats->by != NULL) {
        rc = rs_count_group(stats->by, n_areas, answer->group,
                            answer->group_len, 1, NULL, areas);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* ------------------------------------------------------------------------
** Merging
** --------------------------------------------------------------------- */

/* Keeps at most n examples per area. */
void cli_report_limit_examples(cli_report_stats *stats, size_t n)
{
    if (n >= stats->examples_max)
        return;
    for (size_t a = 0; a < stats->n_areas; a++) {
        cli_report_example *row = &stats->examples[a * stats->examples_max];
        for (size_t k = n; k < stats->n_examples[a]; k++)
            rs_example_free(&row[k]);
        if (stats->n_examples[a] > n)
            stats->n_examples[a] = n;
        /* Move the row to its place in the narrower layout. */
        if (n > 0)
            memmove(&stats->examples[a * n], row, n * sizeof *row);
    }
    stats->examples_max = n;
}

/* Adds the counts of `from` to `into` (see the header). */
int cli_report_merge(cli_report_stats *into, const cli_report_stats *from,
                     char *err, size_t err_size)
{
    size_t n_areas = into->n_areas;
    int rc;

    if (from->n_areas != n_areas) {
        rs_err(err, err_size, "the area lists differ (%zu areas, not %zu)",
               from->n_areas, n_areas);
        return CLI_REPORT_EINPUT;
    }
    for (size_t a = 0; a < n_areas; a++) {
        if (strcmp(into->area_ids[a], from->area_ids[a]) != 0) {
            rs_err(err, err_size, "the area lists differ (area %zu is '%s', "
                   "not '%s')", a + 1, from->area_ids[a], into->area_ids[a]);
            return CLI_REPORT_EINPUT;
        }
    }
    if ((into->by == NULL) != (from->by == NULL)
        || (into->by != NULL
            && strcmp(into->by->column, from->by->column) != 0)) {
        rs_err(err, err_size, "made with --by %s, not --by %s",
               from->by != NULL ? from->by->column : "(none)",
               into->by != NULL ? into->by->column : "(none)");
        return CLI_REPORT_EINPUT;
    }

    into->files += from->files;
    into->records += from->records;
    into->ok += from->ok;
    into->no_area += from->no_area;
    for (size_t i = 0; i < from->statuses.count; i++) {
        rc = rs_count_status(into, from->statuses.keys[i],
                             from->statuses.lens[i], from->status_counts[i]);
        if (rc != 0)
            return rc;
    }
    into->status_other += from->status_other;
    for (size_t a = 0; a < n_areas; a++)
        into->area_n[a] += from->area_n[a];
    for (size_t k = 0; k < n_areas * n_areas; k++)
        into->co[k] += from->co[k];

    for (size_t a = 0; a < n_areas; a++) {
        const cli_report_terms *ft = &from->terms[a];
        cli_report_terms *it = &into->terms[a];
        for (size_t i = 0; i < ft->terms.count; i++) {
            rc = rs_count_term(it, ft->terms.keys[i], ft->terms.lens[i],
                               ft->counts[i], 0);
            if (rc != 0)
                return rc;
        }
        it->full |= ft->full;
        it->dropped += ft->dropped;
    }

    /* Examples: the first N by (shard, record), with N the smaller one. */
    if (from->examples_max < into->examples_max)
        cli_report_limit_examples(into, from->examples_max);
    for (size_t a = 0; a < n_areas; a++) {
        for (size_t k = 0; k < from->n_examples[a]
                           && into->n_examples[a] < into->examples_max; k++) {
            const cli_report_example *fe =
                &from->examples[a * from->examples_max + k];
            cli_report_example *ie = &into->examples[
                a * into->examples_max + into->n_examples[a]];
            rc = rs_example_set(ie, fe->id, fe->id_len, fe->text,
                                fe->text_len, fe->truncated);
            if (rc != 0)
                return rc;
            into->n_examples[a]++;
        }
    }

    if (from->by != NULL) {
        cli_report_groups *g = into->by;
        for (size_t i = 0; i < from->by->values.count; i++) {
            rc = rs_count_group(g, n_areas, from->by->values.keys[i],
                                from->by->values.lens[i], from->by->ok[i],
                                from->by->n + i * n_areas, 0);
            if (rc != 0)
                return rc;
        }
        g->full |= from->by->full;
        g->beyond_ok += from->by->beyond_ok;
        for (size_t a = 0; a < n_areas; a++)
            g->beyond_n[a] += from->by->beyond_n[a];
    }

    for (size_t i = 0; i < from->fingerprints.count; i++) {
        int added;
        long k = rs_intern(&into->fingerprints, from->fingerprints.keys[i],
                           from->fingerprints.lens[i],
                           CLI_REPORT_MAX_FINGERPRINTS, &added);
        if (k == -2)
            return CLI_REPORT_ENOMEM;
        if (k == -1)
            into->fingerprints_full = 1;
    }
    into->fingerprints_full |= from->fingerprints_full;
    return 0;
}

/* ------------------------------------------------------------------------
** Saving
** --------------------------------------------------------------------- */

/* Packs a NUL-terminated key. */
static void rs_pack_key(msgpack_packer *pk, const char *key)
{
    size_t len = strlen(key);

    msgpack_pack_str(pk, len);
    msgpack_pack_str_body(pk, key, len);
}

/* Packs a byte string. */
static void rs_pack_str(msgpack_packer *pk, const char *s, size_t len)
{
    msgpack_pack_str(pk, len);
    if (len > 0)
        msgpack_pack_str_body(pk, s, len);
}

/* Packs an array of n counts. */
static void rs_pack_counts(msgpack_packer *pk, const uint64_t *v, size_t n)
{
    msgpack_pack_array(pk, n);
    for (size_t i = 0; i < n; i++)
        msgpack_pack_uint64(pk, v[i]);
}

/* Packs a boolean. */
static void rs_pack_bool(msgpack_packer *pk, int v)
{
    if (v)
        msgpack_pack_true(pk);
    else
        msgpack_pack_false(pk);
}

/* Writes the summary (layout at the top of this file). The packer writes
** into a growing buffer, written out at the end with one fwrite. */
int cli_report_save(const cli_report_stats *stats, FILE *out)
{
    size_t n_areas = stats->n_areas;
    msgpack_sbuffer sbuf;
    msgpack_packer pk;
    int rc = 0;

    msgpack_sbuffer_init(&sbuf);
    msgpack_packer_init(&pk, &sbuf, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, 16);

    rs_pack_key(&pk, "whatmatters_report_summary");
    msgpack_pack_uint64(&pk, CLI_REPORT_SUMMARY_VERSION);
    rs_pack_key(&pk, "areas");
    msgpack_pack_array(&pk, n_areas);
    for (size_t a = 0; a < n_areas; a++)
        rs_pack_key(&pk, stats->area_ids[a]);
    rs_pack_key(&pk, "files");
    msgpack_pack_uint64(&pk, stats->files);
    rs_pack_key(&pk, "records");
    msgpack_pack_uint64(&pk, stats->records);
    rs_pack_key(&pk, "ok");
    msgpack_pack_uint64(&pk, stats->ok);
    rs_pack_key(&pk, "no_area");
    msgpack_pack_uint64(&pk, stats->no_area);

    rs_pack_key(&pk, "statuses");
    msgpack_pack_array(&pk, stats->statuses.count);
    for (size_t i = 0; i < stats->statuses.count; i++) {
        msgpack_pack_array(&pk, 2);
        rs_pack_str(&pk, stats->statuses.keys[i], stats->statuses.lens[i]);
        msgpack_pack_uint64(&pk, stats->status_counts[i]);
    }
    rs_pack_key(&pk, "status_other");
    msgpack_pack_uint64(&pk, stats->status_other);
    rs_pack_key(&pk, "area_n");
    rs_pack_counts(&pk, stats->area_n, n_areas);
    rs_pack_key(&pk, "cooccurrence");
    rs_pack_counts(&pk, stats->co, n_areas * n_areas);

    rs_pack_key(&pk, "terms");
    msgpack_pack_array(&pk, n_areas);
    for (size_t a = 0; a < n_areas; a++) {
        const cli_report_terms *t = &stats->terms[a];
        msgpack_pack_map(&pk, 3);
        rs_pack_key(&pk, "full");
        rs_pack_bool(&pk, t->full);
        rs_pack_key(&pk, "dropped");
        msgpack_pack_uint64(&pk, t->dropped);
        rs_pack_key(&pk, "items");
        msgpack_pack_array(&pk, t->terms.count);
        for (size_t i = 0; i < t->terms.count; i++) {
            msgpack_pack_array(&pk, 2);
            rs_pack_str(&pk, t->terms.keys[i], t->terms.lens[i]);
            msgpack_pack_uint64(&pk, t->counts[i]);
        }
    }

    rs_pack_key(&pk, "examples_max");
    msgpack_pack_uint64(&pk, stats->examples_max);
    rs_pack_key(&pk, "examples");
    msgpack_pack_array(&pk, n_areas);
    for (size_t a = 0; a < n_areas; a++) {
        msgpack_pack_array(&pk, stats->n_examples[a]);
        for (size_t k = 0; k < stats->n_examples[a]; k++) {
            const cli_report_example *ex =
                &stats->examples[a * stats->examples_max + k];
            msgpack_pack_array(&pk, 3);
            rs_pack_str(&pk, ex->id, ex->id_len);
            if (ex->text != NULL)
                rs_pack_str(&pk, ex->text, ex->text_len);
            else
                msgpack_pack_nil(&pk);
            rs_pack_bool(&pk, ex->truncated);
        }
    }

    rs_pack_key(&pk, "by");
    if (stats->by == NULL) {
        msgpack_pack_nil(&pk);
    } else {
        const cli_report_groups *g = stats->by;
        msgpack_pack_map(&pk, 5);
        rs_pack_key(&pk, "column");
        rs_pack_key(&pk, g->column);
        rs_pack_key(&pk, "full");
        rs_pack_bool(&pk, g->full);
        rs_pack_key(&pk, "beyond_ok");
        msgpack_pack_uint64(&pk, g->beyond_ok);
        rs_pack_key(&pk, "beyond_n");
        rs_pack_counts(&pk, g->beyond_n, n_areas);
        rs_pack_key(&pk, "groups");
        msgpack_pack_array(&pk, g->values.count);
        for (size_t i = 0; i < g->values.count; i++) {
            msgpack_pack_array(&pk, 3);
            rs_pack_str(&pk, g->values.keys[i], g->values.lens[i]);
            msgpack_pack_uint64(&pk, g->ok[i]);
            rs_pack_counts(&pk, g->n + i * n_areas, n_areas);
        }
    }

    rs_pack_key(&pk, "fingerprints");
    msgpack_pack_array(&pk, stats->fingerprints.count);
    for (size_t i = 0; i < stats->fingerprints.count; i++)
        rs_pack_str(&pk, stats->fingerprints.keys[i],
                    stats->fingerprints.lens[i]);
    rs_pack_key(&pk, "fingerprints_full");
    rs_pack_bool(&pk, stats->fingerprints_full);

    if (sbuf.data == NULL
        || fwrite(sbuf.data, 1, sbuf.size, out) != sbuf.size)
        rc = CLI_REPORT_EIO;
    msgpack_sbuffer_destroy(&sbuf);
    return rc;
}

/* ------------------------------------------------------------------------
** Measuring a msgpack object before msgpack-c unpacks it
** --------------------------------------------------------------------- */

/* A big-endian unsigned integer of n bytes. */
static uint64_t rs_be(const unsigned char *p, size_t n)
{
    uint64_t v = 0;

    for (size_t i = 0; i < n; i++)
        v = (v << 8) | p[i];
    return v;
}

/*
** Walks the object's headers with a count of the objects still to read:
** no recursion and no allocation. Each header says how many bytes follow
** it (a scalar, a string) or how many objects (an array, a map: twice its
** size). A container may not promise more elements than the bound, in
** all, so that the unpacking after it allocates a bounded amount.
*/
int cli_report_msgpack_measure(const char *buf, size_t len,
                               uint64_t max_elements, size_t *object_len)
{
    const unsigned char *s = (const unsigned char *)buf;
    uint64_t pending = 1, elements = 0;
    size_t pos = 0;

    while (pending > 0) {
        unsigned b;
        uint64_t skip = 0, count = 0; /* bytes after the header; objects */
        size_t head = 1;              /* header bytes */

        if (pos >= len)
            return 0;
        b = s[pos];
        if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3) {
            head = 1;
        } else if (b <= 0x8f) {
            count = 2u * (b & 0x0f);
        } else if (b <= 0x9f) {
            count = b & 0x0f;
        } else if (b <= 0xbf) {
            skip = b & 0x1f;
        } else {
            /* c4..df: the bytes of the header's length or count field
            ** (0: none, the value has the size in value_bytes). */
            static const unsigned char field_bytes[] = {
                1, 2, 4, 1, 2, 4, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 4, 2, 4, 2, 4
            };
            static const unsigned char value_bytes[] = {
                0, 0, 0, 0, 0, 0, 4, 8, 1, 2, 4, 8,
                1, 2, 4, 8, 2, 3, 5, 9, 17, 0, 0, 0, 0, 0, 0, 0
            };
            size_t k, n;

            if (b == 0xc1)
                return -1; /* never used in msgpack */
            k = b - 0xc4;
            n = field_bytes[k];
            if (n == 0) {
                skip = value_bytes[k];
            } else {
                uint64_t v;
                if (pos + 1 + n > len)
                    return 0;
                v = rs_be(s + pos + 1, n);
                head = 1 + n;
                if (b >= 0xc7 && b <= 0xc9)
                    skip = v + 1;     /* ext: a type byte, then the data */
                else if (b >= 0xdc && b <= 0xdd)
                    count = v;        /* array16, array32 */
                else if (b >= 0xde)
                    count = 2 * v;    /* map16, map32 */
                else
                    skip = v;         /* bin, str */
            }
        }
        elements += count;
        if (elements > max_elements)
            return -1;
        pending += count;
        pending--;
        if (skip > (uint64_t)(len - pos) - head)
            return 0;
        pos += head + (size_t)skip;
    }
    *object_len = pos;
    return 1;
}

/* ------------------------------------------------------------------------
** Loading
** --------------------------------------------------------------------- */

/* The value of a key in a msgpack map, or NULL. */
static const msgpack_object *rs_get(const msgpack_object *map,
                                    const char *key)
{
    size_t len = strlen(key);

    if (map == NULL || map->type != MSGPACK_OBJECT_MAP)
        return NULL;
    for (uint32_t i = 0; i < map->via.map.size; i++) {
        const msgpack_object *k = &map->via.map.ptr[i].key;
        if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == len
            && memcmp(k->via.str.ptr, key, len) == 0)
            return &map->via.map.ptr[i].val;
    }
    return NULL;
}

/* The state of loading one summary: where an error is written. */
typedef struct rs_load {
    char *err;       /* message buffer */
    size_t err_size; /* its size */
    int failed;      /* 1 after the first error (later ones are ignored) */
} rs_load;

/* Records that the summary is not as it should be at `what`. */
static void rs_bad(rs_load *ld, const char *what)
{
    if (!ld->failed)
        rs_err(ld->err, ld->err_size, "not a valid report summary (%s)",
               what);
    ld->failed = 1;
}

/* A count: a non-negative integer, else an error (and 0). */
static uint64_t rs_uint(rs_load *ld, const msgpack_object *o,
                        const char *what)
{
    if (o == NULL || o->type != MSGPACK_OBJECT_POSITIVE_INTEGER) {
        rs_bad(ld, what);
        return 0;
    }
    return o->via.u64;
}

/* A boolean, else an error (and 0). */
static int rs_bool(rs_load *ld, const msgpack_object *o, const char *what)
{
    if (o == NULL || o->type != MSGPACK_OBJECT_BOOLEAN) {
        rs_bad(ld, what);
        return 0;
    }
    return o->via.boolean ? 1 : 0;
}

/* An array of exactly n elements (n = (uint32_t)-1: any), else NULL. */
static const msgpack_object *rs_array(rs_load *ld, const msgpack_object *o,
                                      uint32_t n, const char *what)
{
    if (o == NULL || o->type != MSGPACK_OBJECT_ARRAY
        || (n != (uint32_t)-1 && o->via.array.size != n)) {
        rs_bad(ld, what);
        return NULL;
    }
    return o;
}

/* 1 when o is a string, else an error. */
static int rs_is_str(rs_load *ld, const msgpack_object *o, const char *what)
{
    if (o == NULL || o->type != MSGPACK_OBJECT_STR) {
        rs_bad(ld, what);
        return 0;
    }
    return 1;
}

/* Reads n counts into v. */
static void rs_counts(rs_load *ld, const msgpack_object *o, uint64_t *v,
                      size_t n, const char *what)
{
    o = rs_array(ld, o, (uint32_t)n, what);
    for (size_t i = 0; o != NULL && i < n; i++)
        v[i] = rs_uint(ld, &o->via.array.ptr[i], what);
}

/* Fills stats from the summary's map (the areas are set already). */
static int rs_fill(rs_load *ld, cli_report_stats *s, const msgpack_object *m)
{
    size_t n_areas = s->n_areas;
    const msgpack_object *o;
    int rc;

    s->files = rs_uint(ld, rs_get(m, "files"), "files");
    s->records = rs_uint(ld, rs_get(m, "records"), "records");
    s->ok = rs_uint(ld, rs_get(m, "ok"), "ok");
    s->no_area = rs_uint(ld, rs_get(m, "no_area"), "no_area");
    s->status_other = rs_uint(ld, rs_get(m, "status_other"), "status_other");

    o = rs_array(ld, rs_get(m, "statuses"), (uint32_t)-1, "statuses");
    for (uint32_t i = 0; o != NULL && i < o->via.array.size; i++) {
        const msgpack_object *e = rs_array(ld, &o->via.array.ptr[i], 2,
                                           "statuses");
        if (e == NULL || !rs_is_str(ld, &e->via.array.ptr[0], "statuses"))
            break;
        rc = rs_count_status(s, e->via.array.ptr[0].via.str.ptr,
                             e->via.array.ptr[0].via.str.size,
                             rs_uint(ld, &e->via.array.ptr[1], "statuses"));
        if (rc != 0)
            return rc;
    }
    rs_counts(ld, rs_get(m, "area_n"), s->area_n, n_areas, "area_n");
    rs_counts(ld, rs_get(m, "cooccurrence"), s->co, n_areas * n_areas,
              "cooccurrence");

    o = rs_array(ld, rs_get(m, "terms"), (uint32_t)n_areas, "terms");
    for (size_t a = 0; o != NULL && a < n_areas; a++) {
        const msgpack_object *t = &o->via.array.ptr[a];
        const msgpack_object *items =
            rs_array(ld, rs_get(t, "items"), (uint32_t)-1, "terms");
        s->terms[a].full = rs_bool(ld, rs_get(t, "full"), "terms");
        s->terms[a].dropped = rs_uint(ld, rs_get(t, "dropped"), "terms");
        for (uint32_t i = 0; items != NULL && i < items->via.array.size;
             i++) {
            const msgpack_object *e = rs_array(ld, &items->via.array.ptr[i],
                                               2, "terms");
            if (e == NULL || !rs_is_str(ld, &e->via.array.ptr[0], "terms"))
                break;
            rc = rs_count_term(&s->terms[a], e->via.array.ptr[0].via.str.ptr,
                               e->via.array.ptr[0].via.str.size,
                               rs_uint(ld, &e->via.array.ptr[1], "terms"), 0);
            if (rc != 0)
                return rc;
        }
    }

    o = rs_array(ld, rs_get(m, "examples"), (uint32_t)n_areas, "examples");
    for (size_t a = 0; o != NULL && a < n_areas; a++) {
        const msgpack_object *row = rs_array(ld, &o->via.array.ptr[a],
                                             (uint32_t)-1, "examples");
        for (uint32_t k = 0; row != NULL && k < row->via.array.size; k++) {
            const msgpack_object *e =
                rs_array(ld, &row->via.array.ptr[k], 3, "examples");
            const msgpack_object *text;
            if (e == NULL || k >= s->examples_max) {
                rs_bad(ld, "examples");
                break;
            }
            text = &e->via.array.ptr[1];
            if (!rs_is_str(ld, &e->via.array.ptr[0], "examples")
                || (text->type != MSGPACK_OBJECT_NIL
                    && !rs_is_str(ld, text, "examples")))
                break;
            rc = rs_example_set(&s->examples[a * s->examples_max + k],
                                e->via.array.ptr[0].via.str.ptr,
                                e->via.array.ptr[0].via.str.size,
                                text->type == MSGPACK_OBJECT_NIL
                                    ? NULL : text->via.str.ptr,
                                text->type == MSGPACK_OBJECT_NIL
                                    ? 0 : text->via.str.size,
                                rs_bool(ld, &e->via.array.ptr[2],
                                        "examples"));
            if (rc != 0)
                return rc;
            s->n_examples[a]++;
        }
    }

    if (s->by != NULL) {
        const msgpack_object *by = rs_get(m, "by");
        s->by->full = rs_bool(ld, rs_get(by, "full"), "by");
        s->by->beyond_ok = rs_uint(ld, rs_get(by, "beyond_ok"), "by");
        rs_counts(ld, rs_get(by, "beyond_n"), s->by->beyond_n, n_areas,
                  "by");
        o = rs_array(ld, rs_get(by, "groups"), (uint32_t)-1, "by");
        for (uint32_t i = 0; o != NULL && i < o->via.array.size; i++) {
            const msgpack_object *e = rs_array(ld, &o->via.array.ptr[i], 3,
                                               "by");
            uint64_t n[CLI_REPORT_MAX_AREAS];
            if (e == NULL || !rs_is_str(ld, &e->via.array.ptr[0], "by"))
                break;
            rs_counts(ld, &e->via.array.ptr[2], n, n_areas, "by");
            rc = rs_count_group(s->by, n_areas,
                                e->via.array.ptr[0].via.str.ptr,
                                e->via.array.ptr[0].via.str.size,
                                rs_uint(ld, &e->via.array.ptr[1], "by"), n,
                                0);
            if (rc != 0)
                return rc;
        }
    }

    o = rs_array(ld, rs_get(m, "fingerprints"), (uint32_t)-1,
                 "fingerprints");
    for (uint32_t i = 0; o != NULL && i < o->via.array.size; i++) {
        int added;
        if (!rs_is_str(ld, &o->via.array.ptr[i], "fingerprints"))
            break;
        if (rs_intern(&s->fingerprints, o->via.array.ptr[i].via.str.ptr,
                      o->via.array.ptr[i].via.str.size,
                      CLI_REPORT_MAX_FINGERPRINTS, &added) == -2)
            return CLI_REPORT_ENOMEM;
    }
    s->fingerprints_full = rs_bool(ld, rs_get(m, "fingerprints_full"),
                                   "fingerprints_full");
    return 0;
}

/* Reads a summary (see the header). */
int cli_report_load(const char *buf, size_t len, cli_report_stats **out,
                    char *err, size_t err_size)
{
    msgpack_unpacked msg;
    const msgpack_object *m, *o, *areas, *by;
    const char *ids[CLI_REPORT_MAX_AREAS];
    char idbuf[CLI_REPORT_MAX_AREAS][CLI_REPORT_AREA_ID_BYTES + 1];
    char column[CLI_REPORT_GROUP_BYTES + 1];
    size_t off = 0, n_areas;
    uint64_t version, examples_max;
    rs_load ld = {err, err_size, 0};
    int rc;

    *out = NULL;
    if (cli_report_msgpack_measure(buf, len, CLI_REPORT_SUMMARY_ELEMENTS,
                                   &off) != 1) {
        rs_err(err, err_size, "not a report summary (not one msgpack map, "
               "or one with over %d elements)", CLI_REPORT_SUMMARY_ELEMENTS);
        return CLI_REPORT_EINPUT;
    }
    len = off;
    off = 0;
    msgpack_unpacked_init(&msg);
    if (msgpack_unpack_next(&msg, buf, len, &off) != MSGPACK_UNPACK_SUCCESS
        || msg.data.type != MSGPACK_OBJECT_MAP) {
        msgpack_unpacked_destroy(&msg);
        rs_err(err, err_size, "not a report summary (not a msgpack map)");
        return CLI_REPORT_EINPUT;
    }
    m = &msg.data;
    o = rs_get(m, "whatmatters_report_summary");
    if (o == NULL || o->type != MSGPACK_OBJECT_POSITIVE_INTEGER) {
        msgpack_unpacked_destroy(&msg);
        rs_err(err, err_size, "not a report summary (no "
               "\"whatmatters_report_summary\" key; it is made by "
               "'whatmatters report --save-summary')");
        return CLI_REPORT_EINPUT;
    }
    version = o->via.u64;
    if (version != CLI_REPORT_SUMMARY_VERSION) {
        msgpack_unpacked_destroy(&msg);
        rs_err(err, err_size, "report summary of format version %llu; this "
               "program reads version %d", (unsigned long long)version,
               CLI_REPORT_SUMMARY_VERSION);
        return CLI_REPORT_EINPUT;
    }
    areas = rs_get(m, "areas");
    if (areas == NULL || areas->type != MSGPACK_OBJECT_ARRAY
        || areas->via.array.size == 0
        || areas->via.array.size > CLI_REPORT_MAX_AREAS) {
        msgpack_unpacked_destroy(&msg);
        rs_err(err, err_size, "not a valid report summary (areas)");
        return CLI_REPORT_EINPUT;
    }
    n_areas = areas->via.array.size;
    for (size_t a = 0; a < n_areas; a++) {
        const msgpack_object *id = &areas->via.array.ptr[a];
        if (id->type != MSGPACK_OBJECT_STR || id->via.str.size == 0
            || id->via.str.size >= sizeof idbuf[a]
            || memchr(id->via.str.ptr, '\0', id->via.str.size) != NULL) {
            msgpack_unpacked_destroy(&msg);
            rs_err(err, err_size, "not a valid report summary (areas)");
            return CLI_REPORT_EINPUT;
        }
        memcpy(idbuf[a], id->via.str.ptr, id->via.str.size);
        idbuf[a][id->via.str.size] = '\0';
        ids[a] = idbuf[a];
    }
    examples_max = rs_uint(&ld, rs_get(m, "examples_max"), "examples_max");
    by = rs_get(m, "by");
    column[0] = '\0';
    if (by != NULL && by->type != MSGPACK_OBJECT_NIL) {
        const msgpack_object *c = rs_get(by, "column");
        if (c == NULL || c->type != MSGPACK_OBJECT_STR
            || c->via.str.size == 0 || c->via.str.size >= sizeof column)
            rs_bad(&ld, "by");
        else {
            memcpy(column, c->via.str.ptr, c->via.str.size);
            column[c->via.str.size] = '\0';
        }
    }
    if (examples_max > CLI_REPORT_MAX_EXAMPLES)
        rs_bad(&ld, "examples_max");
    if (ld.failed) {
        msgpack_unpacked_destroy(&msg);
        return CLI_REPORT_EINPUT;
    }
    rc = cli_report_stats_new(ids, n_areas, (size_t)examples_max,
                              column[0] != '\0' ? column : NULL, out);
    if (rc == 0)
        rc = rs_fill(&ld, *out, m);
    if (rc == 0 && ld.failed)
        rc = CLI_REPORT_EINPUT;
    if (rc != 0) {
        cli_report_stats_free(*out);
        *out = NULL;
    }
    msgpack_unpacked_destroy(&msg);
    return rc;
}

/* ------------------------------------------------------------------------
** Display order
** --------------------------------------------------------------------- */

/* Compares byte strings: bytes, then length. */
static int rs_bytes_cmp(const char *a, size_t a_len, const char *b,
                        size_t b_len)
{
    size_t n = a_len < b_len ? a_len : b_len;
    int c = n > 0 ? memcmp(a, b, n) : 0;

    if (c != 0)
        return c;
    return a_len < b_len ? -1 : a_len > b_len;
}

/* Sorting context for the comparators below (qsort has none). The report
** sorts on one thread, so a file-level pointer is enough. */
static const cli_report_strings *rs_sort_keys;
static const uint64_t *rs_sort_counts;

/* Counts descending, then bytes ascending. */
static int rs_by_count(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;

    if (rs_sort_counts != NULL && rs_sort_counts[a] != rs_sort_counts[b])
        return rs_sort_counts[a] > rs_sort_counts[b] ? -1 : 1;
    return rs_bytes_cmp(rs_sort_keys->keys[a], rs_sort_keys->lens[a],
                        rs_sort_keys->keys[b], rs_sort_keys->lens[b]);
}

/* Fills idx with 0..n-1 sorted by count (or, counts NULL, by bytes). */
static void rs_sort(size_t *idx, const cli_report_strings *keys,
                    const uint64_t *counts)
{
    for (size_t i = 0; i < keys->count; i++)
        idx[i] = i;
    rs_sort_keys = keys;
    rs_sort_counts = counts;
    if (keys->count > 1)
        qsort(idx, keys->count, sizeof *idx, rs_by_count);
}

/* An area's top terms (see the header). */
size_t cli_report_top_terms(const cli_report_stats *stats, size_t area,
                            size_t *idx, size_t max)
{
    const cli_report_terms *t = &stats->terms[area];
    size_t *all;
    size_t n = t->terms.count;

    if (n == 0 || max == 0)
        return 0;
    all = malloc(n * sizeof *all);
    if (all == NULL) {
        /* Without memory to sort, show nothing rather than a wrong list. */
        return 0;
    }
    rs_sort(all, &t->terms, t->counts);
    if (n > max)
        n = max;
    memcpy(idx, all, n * sizeof *idx);
    free(all);
    return n;
}

/* The statuses: "ok" first, then by name. */
size_t cli_report_status_order(const cli_report_stats *stats, size_t *idx)
{
    size_t n = stats->statuses.count;
    long ok = rs_find(&stats->statuses, "ok", 2);

    rs_sort(idx, &stats->statuses, NULL);
    for (size_t pos = 0; ok >= 0 && pos < n; pos++) {
        if (idx[pos] == (size_t)ok) {
            memmove(idx + 1, idx, pos * sizeof *idx);
            idx[0] = (size_t)ok;
            break;
        }
    }
    return n;
}

/* The fingerprints by bytes. */
size_t cli_report_fingerprint_order(const cli_report_stats *stats,
                                    size_t *idx)
{
    rs_sort(idx, &stats->fingerprints, NULL);
    return stats->fingerprints.count;
}

/* The --by rows (see the header). */
int cli_report_group_view_make(const cli_report_stats *stats,
                               cli_report_group_view *view)
{
    const cli_report_groups *g = stats->by;
    size_t n_areas = stats->n_areas;
    size_t n = g->values.count;
    size_t shown = n < CLI_REPORT_SHOW_GROUPS ? n : CLI_REPORT_SHOW_GROUPS;
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    uint64_t other_ok = g->beyond_ok;

    memset(view, 0, sizeof *view);
    view->rows = malloc((shown + 1) * sizeof *view->rows);
    view->other_n = calloc(n_areas, sizeof *view->other_n);
    if (idx == NULL || view->rows == NULL || view->other_n == NULL) {
        free(idx);
        cli_report_group_view_free(view);
        return CLI_REPORT_ENOMEM;
    }
    rs_sort(idx, &g->values, g->ok);
    for (size_t i = 0; i < shown; i++) {
        cli_report_group_row *row = &view->rows[view->n_rows++];
        row->value = g->values.keys[idx[i]];
        row->value_len = g->values.lens[idx[i]];
        row->ok = g->ok[idx[i]];
        row->n = g->n + idx[i] * n_areas;
    }
    for (size_t a = 0; a < n_areas; a++)
        view->other_n[a] = g->beyond_n[a];
    for (size_t i = shown; i < n; i++) {
        other_ok += g->ok[idx[i]];
        for (size_t a = 0; a < n_areas; a++)
            view->other_n[a] += g->n[idx[i] * n_areas + a];
        view->other_values++;
    }
    if (n > shown || g->full) {
        cli_report_group_row *row = &view->rows[view->n_rows++];
        row->value = NULL;
        row->value_len = 0;
        row->ok = other_ok;
        row->n = view->other_n;
    }
    free(idx);
    return 0;
}

/* Frees a view's arrays. */
void cli_report_group_view_free(cli_report_group_view *view)
{
    free(view->rows);
    free(view->other_n);
    memset(view, 0, sizeof *view);
}

/* ------------------------------------------------------------------------
** Intervals
** --------------------------------------------------------------------- */

/* The Wilson score interval (see the header). */
cli_report_share cli_report_wilson(uint64_t n, uint64_t total)
{
    const double z = 1.959963984540054; /* the 97.5th normal percentile */
    cli_report_share r = {0.0, 0.0, 0.0};
    double N, p, z2, denom, centre, half;

    if (total == 0)
        return r;
    N = (double)total;
    p = (double)n / N;
    z2 = z * z;
    denom = 1.0 + z2 / N;
    centre = (p + z2 / (2.0 * N)) / denom;
    half = z / denom * sqrt(p * (1.0 - p) / N + z2 / (4.0 * N * N));
    r.share = p;
    r.low = centre - half < 0.0 ? 0.0 : centre - half;
    r.high = centre + half > 1.0 ? 1.0 : centre + half;
    return r;
}
