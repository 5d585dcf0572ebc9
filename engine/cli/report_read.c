/*
** report_read.c — coded files (CSV, JSON Lines, msgpack) read back record
** by record for `whatmatters report`.
**
** One read buffer per file. CSV is cut into runs of whole records by a
** scan that only tracks whether it is inside quotes (an LF outside quotes
** ends a record), and each run goes to the RFC 4180 parser of
** csv_reader.c, which works in place on a buffer; JSON Lines is cut at
** LFs and each line parsed with json-c; msgpack streams through
** msgpack-c's unpacker. JSON and msgpack records are then read by one
** function over a small table of accessors (cr_tree_ops), so that the two
** formats cannot drift apart in what they accept, and the metadata
** fingerprint is computed the same way for both.
*/
#include "report_read.h"

#include "csv_reader.h"

#include <errno.h>
#include <json-c/json.h>
#include <msgpack.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bytes read at a time, and the first size of the read buffer. */
#define CR_CHUNK ((size_t)1 << 20)

/* The most evidence items taken from one record (the rest are ignored:
** a hostile record must not cost without bound). */
#define CR_MAX_EVIDENCE 4096

/* The most msgpack elements (array items, map keys and values) one record
** may hold: a coded record has a dozen fields and seven per evidence item,
** so this is far beyond any real answer while it bounds what unpacking a
** hostile header can allocate. */
#define CR_MAX_ELEMENTS (1 << 20)

/* The deepest nesting the fingerprint walks (deeper values count as
** one opaque token). */
#define CR_MAX_DEPTH 32

/* ------------------------------------------------------------------------
** The reading state of one file
** --------------------------------------------------------------------- */

/* The input and its read buffer: buf[pos..len) is read but not used. */
typedef struct cr_src {
    FILE *f;           /* the stream */
    char *buf;         /* the buffer */
    size_t cap;        /* its size */
    size_t pos;        /* first unused byte */
    size_t len;        /* bytes in it */
    int eof;           /* 1 when the stream has no more */
    uint64_t consumed; /* file offset of buf[0] */
} cr_src;

/* Everything about the file being read. */
typedef struct cr_ctx {
    const char *path;          /* the path as given ("-": standard input) */
    const char *name;          /* the path, for messages */
    const char *by;            /* the --by field, or NULL */
    const cli_coded_sink *sink; /* where records go */
    char *err;                 /* message buffer */
    size_t err_size;           /* its size */
    char *ids[CLI_REPORT_MAX_AREAS]; /* the file's area ids */
    size_t n_areas;            /* how many */
    int begun;                 /* 1 once sink->begin was called */
    char fingerprint[17];      /* the metadata's, or "none" */
    uint64_t number;           /* data records so far */
    int by_seen;               /* 1 once a record held the --by field */
    cli_report_span *spans;    /* the current record's evidence */
    size_t cap_spans;          /* room in spans */
    char id_buf[48];           /* a numeric id as text */
    char group_buf[48];        /* a numeric --by value as text */
    const char *size_hint;     /* added to "over N MiB": CSV's likely
                                  cause, else "" */
} cr_ctx;

/* Writes "FILE: message" into the error buffer; returns code. */
static int cr_fail(cr_ctx *c, int code, const char *fmt, ...)
{
    char msg[768];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(c->err, c->err_size, "%s: %s", c->name, msg);
    return code;
}

/*
** Reads more of the stream into the buffer: moves the unused bytes to the
** front, doubles the buffer when they fill it (up to the record bound),
** and reads. Returns 0, or a CLI_CODED_* code after writing the message.
*/
static int cr_fill(cr_ctx *c, cr_src *src)
{
    size_t got;

    if (src->eof)
        return 0;
    if (src->pos > 0) {
        memmove(src->buf, src->buf + src->pos, src->len - src->pos);
        src->len -= src->pos;
        src->consumed += src->pos;
        src->pos = 0;
    }
    if (src->len == src->cap) {
        size_t cap = src->cap ? src->cap * 2 : CR_CHUNK;
        char *bigger;

        if (src->cap >= CLI_CODED_MAX_RECORD)
            return cr_fail(c, CLI_CODED_EDATA, "a record at byte %llu is "
                           "over %zu MiB%s",
                           (unsigned long long)src->consumed,
                           CLI_CODED_MAX_RECORD >> 20, c->size_hint);
        bigger = realloc(src->buf, cap);
        if (bigger == NULL)
            return CLI_CODED_ENOMEM;
        src->buf = bigger;
        src->cap = cap;
    }
    got = fread(src->buf + src->len, 1, src->cap - src->len, src->f);
    src->len += got;
    if (got == 0) {
        if (ferror(src->f))
            return cr_fail(c, CLI_CODED_EUSAGE, "cannot read: %s",
                           strerror(errno));
        src->eof = 1;
    }
    return 0;
}

/* Copies the area ids into the context; returns 0 or ENOMEM. */
static int cr_set_areas(cr_ctx *c, const char *const *ids, const size_t *lens,
                        size_t n)
{
    for (size_t a = 0; a < n; a++) {
        c->ids[a] = malloc(lens[a] + 1);
        if (c->ids[a] == NULL)
            return CLI_CODED_ENOMEM;
        memcpy(c->ids[a], ids[a], lens[a]);
        c->ids[a][lens[a]] = '\0';
        c->n_areas = a + 1;
    }
    return 0;
}

/* Tells the sink the file's areas (once). */
static int cr_begin(cr_ctx *c)
{
    if (c->begun)
        return 0;
    c->begun = 1;
    return c->sink->begin(c->sink->ud, (const char *const *)c->ids,
                          c->n_areas, c->fingerprint);
}

/* The index of an area id, or -1. */
static long cr_area(const cr_ctx *c, const char *id, size_t len)
{
    for (size_t a = 0; a < c->n_areas; a++) {
        if (strlen(c->ids[a]) == len && memcmp(c->ids[a], id, len) == 0)
            return (long)a;
    }
    return -1;
}

/* Appends an evidence span (beyond CR_MAX_EVIDENCE, drops it). */
static int cr_push_span(cr_ctx *c, size_t *n, uint32_t area,
                        const char *text, size_t text_len)
{
    if (*n >= CR_MAX_EVIDENCE)
        return 0;
    if (*n == c->cap_spans) {
        size_t cap = c->cap_spans ? c->cap_spans * 2 : 16;
        cli_report_span *bigger = realloc(c->spans, cap * sizeof *bigger);
        if (bigger == NULL)
            return CLI_CODED_ENOMEM;
        c->spans = bigger;
        c->cap_spans = cap;
    }
    c->spans[*n].area = area;
    c->spans[*n].text = text;
    c->spans[*n].text_len = text_len;
    (*n)++;
    return 0;
}

/* ------------------------------------------------------------------------
** JSON and msgpack values behind one table of accessors
** --------------------------------------------------------------------- */

/* Kinds of value. */
enum { CR_NIL, CR_BOOL, CR_INT, CR_UINT, CR_DOUBLE, CR_STR, CR_ARRAY,
       CR_MAP, CR_OTHER };

/* How to look at a value of one format. A missing value is NULL. */
typedef struct cr_tree_ops {
    int (*kind)(const void *v);                          /* CR_* */
    const void *(*get)(const void *map, const char *key); /* or NULL */
    const char *(*str)(const void *v, size_t *len);      /* CR_STR */
    size_t (*count)(const void *v);                      /* array, map */
    const void *(*at)(const void *array, size_t i);      /* element */
    const char *(*key_at)(const void *map, size_t i, size_t *len);
    const void *(*val_at)(const void *map, size_t i);
    int64_t (*i64)(const void *v);                       /* CR_INT */
    uint64_t (*u64)(const void *v);                      /* CR_UINT */
    double (*dbl)(const void *v);                        /* CR_DOUBLE */
    int (*boolean)(const void *v);                       /* CR_BOOL */
} cr_tree_ops;

/* json-c. Each accessor does what its slot in cr_tree_ops says for a
** json_object; json-c represents a JSON null as a NULL pointer, which
** every accessor takes. */

static int cj_kind(const void *v)
{
    switch (json_object_get_type((const json_object *)v)) {
    case json_type_null: return CR_NIL;
    case json_type_boolean: return CR_BOOL;
    case json_type_int: return CR_INT;
    case json_type_double: return CR_DOUBLE;
    case json_type_string: return CR_STR;
    case json_type_array: return CR_ARRAY;
    case json_type_object: return CR_MAP;
    default: return CR_OTHER;
    }
}

static const void *cj_get(const void *map, const char *key)
{
    json_object *v = NULL;

    if (map == NULL || !json_object_is_type((const json_object *)map,
                                            json_type_object))
        return NULL;
    if (!json_object_object_get_ex((const json_object *)map, key, &v))
        return NULL;
    return v; /* a JSON null is a value: NULL here means "no such key" */
}

static const char *cj_str(const void *v, size_t *len)
{
    *len = (size_t)json_object_get_string_len((const json_object *)v);
    return json_object_get_string((json_object *)v);
}

static size_t cj_count(const void *v)
{
    const json_object *o = v;

    if (json_object_is_type(o, json_type_array))
        return json_object_array_length(o);
    if (json_object_is_type(o, json_type_object))
        return (size_t)json_object_object_length(o);
    return 0;
}

static const void *cj_at(const void *array, size_t i)
{
    return json_object_array_get_idx((const json_object *)array, i);
}

/* The i-th entry of an object (json-c keeps insertion order). */
static struct lh_entry *cj_entry(const void *map, size_t i)
{
    struct lh_entry *e =
        lh_table_head(json_object_get_object((const json_object *)map));

    while (e != NULL && i-- > 0)
        e = lh_entry_next(e);
    return e;
}

static const char *cj_key_at(const void *map, size_t i, size_t *len)
{
    struct lh_entry *e = cj_entry(map, i);
    const char *k = e != NULL ? (const char *)lh_entry_k(e) : NULL;

    *len = k != NULL ? strlen(k) : 0;
    return k;
}

static const void *cj_val_at(const void *map, size_t i)
{
    struct lh_entry *e = cj_entry(map, i);

    return e != NULL ? lh_entry_v(e) : NULL;
}

static int64_t cj_i64(const void *v)
{
    return json_object_get_int64((const json_object *)v);
}

static uint64_t cj_u64(const void *v)
{
    return json_object_get_uint64((const json_object *)v);
}

static double cj_dbl(const void *v)
{
    return json_object_get_double((const json_object *)v);
}

static int cj_bool(const void *v)
{
    return json_object_get_boolean((const json_object *)v) ? 1 : 0;
}

static const cr_tree_ops cr_json_ops = {
    cj_kind, cj_get, cj_str, cj_count, cj_at, cj_key_at, cj_val_at,
    cj_i64, cj_u64, cj_dbl, cj_bool
};

/* msgpack-c. The same accessors for a msgpack_object; "bin" is taken as
** a string, as a reader of another writer's msgpack may meet it. */

static int cm_kind(const void *v)
{
    switch (((const msgpack_object *)v)->type) {
    case MSGPACK_OBJECT_NIL: return CR_NIL;
    case MSGPACK_OBJECT_BOOLEAN: return CR_BOOL;
    case MSGPACK_OBJECT_POSITIVE_INTEGER: return CR_UINT;
    case MSGPACK_OBJECT_NEGATIVE_INTEGER: return CR_INT;
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64: return CR_DOUBLE;
    case MSGPACK_OBJECT_STR:
    case MSGPACK_OBJECT_BIN: return CR_STR;
    case MSGPACK_OBJECT_ARRAY: return CR_ARRAY;
    case MSGPACK_OBJECT_MAP: return CR_MAP;
    default: return CR_OTHER;
    }
}

static const void *cm_get(const void *map, const char *key)
{
    const msgpack_object *m = map;
    size_t len = strlen(key);

    if (m == NULL || m->type != MSGPACK_OBJECT_MAP)
        return NULL;
    for (uint32_t i = 0; i < m->via.map.size; i++) {
        const msgpack_object *k = &m->via.map.ptr[i].key;
        if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == len
            && memcmp(k->via.str.ptr, key, len) == 0)
            return &m->via.map.ptr[i].val;
    }
    return NULL;
}

static const char *cm_str(const void *v, size_t *len)
{
    const msgpack_object *o = v;

    if (o->type == MSGPACK_OBJECT_BIN) {
        *len = o->via.bin.size;
        return o->via.bin.ptr != NULL ? o->via.bin.ptr : "";
    }
    *len = o->via.str.size;
    return o->via.str.ptr != NULL ? o->via.str.ptr : "";
}

static size_t cm_count(const void *v)
{
    const msgpack_object *o = v;

    if (o->type == MSGPACK_OBJECT_ARRAY)
        return o->via.array.size;
    if (o->type == MSGPACK_OBJECT_MAP)
        return o->via.map.size;
    return 0;
}

static const void *cm_at(const void *array, size_t i)
{
    return &((const msgpack_object *)array)->via.array.ptr[i];
}

static const char *cm_key_at(const void *map, size_t i, size_t *len)
{
    const msgpack_object *k = &((const msgpack_object *)map)->via.map.ptr[i]
                                   .key;

    if (k->type != MSGPACK_OBJECT_STR) {
        *len = 0;
        return NULL;
    }
    return cm_str(k, len);
}

static const void *cm_val_at(const void *map, size_t i)
{
    return &((const msgpack_object *)map)->via.map.ptr[i].val;
}

static int64_t cm_i64(const void *v)
{
    return ((const msgpack_object *)v)->via.i64;
}

static uint64_t cm_u64(const void *v)
{
    return ((const msgpack_object *)v)->via.u64;
}

static double cm_dbl(const void *v)
{
    return ((const msgpack_object *)v)->via.f64;
}

static int cm_bool(const void *v)
{
    return ((const msgpack_object *)v)->via.boolean ? 1 : 0;
}

static const cr_tree_ops cr_msgpack_ops = {
    cm_kind, cm_get, cm_str, cm_count, cm_at, cm_key_at, cm_val_at,
    cm_i64, cm_u64, cm_dbl, cm_bool
};

/* ------------------------------------------------------------------------
** Metadata fingerprints
** --------------------------------------------------------------------- */

/* FNV-1a over bytes, continuing from h. */
static uint64_t cr_fnv(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;

    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3u;
    }
    return h;
}

/* FNV-1a over a formatted token. */
static uint64_t cr_fnv_fmt(uint64_t h, const char *fmt, ...)
{
    char tok[64];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(tok, sizeof tok, fmt, ap);
    va_end(ap);
    return cr_fnv(h, tok, n > 0 ? (size_t)n : 0);
}

/*
** Hashes a value in a canonical form that is the same for JSON and
** msgpack: "n", "t"/"f", "i<integer>;" (a double with an integral value
** counts as that integer, since JSON writes 1.0 as 1), "d<%.17g>;",
** "s<len>:<bytes>", "a<count>[...]", "m<count>{key value ...}" (keys in
** the order written: the writer's order is deterministic).
*/
static uint64_t cr_hash_value(uint64_t h, const cr_tree_ops *ops,
                              const void *v, int depth)
{
    size_t len, n;
    const char *s;

    if (v == NULL)
        return cr_fnv(h, "n", 1);
    if (depth > CR_MAX_DEPTH)
        return cr_fnv(h, "?", 1);
    switch (ops->kind(v)) {
    case CR_NIL:
        return cr_fnv(h, "n", 1);
    case CR_BOOL:
        return cr_fnv(h, ops->boolean(v) ? "t" : "f", 1);
    case CR_INT:
        return cr_fnv_fmt(h, "i%lld;", (long long)ops->i64(v));
    case CR_UINT:
        return cr_fnv_fmt(h, "i%llu;", (unsigned long long)ops->u64(v));
    case CR_DOUBLE: {
        double d = ops->dbl(v);
        if (d == (double)(long long)d && d > -9.2e18 && d < 9.2e18)
            return cr_fnv_fmt(h, "i%lld;", (long long)d);
        return cr_fnv_fmt(h, "d%.17g;", d);
    }
    case CR_STR:
        s = ops->str(v, &len);
        h = cr_fnv_fmt(h, "s%zu:", len);
        return cr_fnv(h, s, len);
    case CR_ARRAY:
        n = ops->count(v);
        h = cr_fnv_fmt(h, "a%zu[", n);
        for (size_t i = 0; i < n; i++)
            h = cr_hash_value(h, ops, ops->at(v, i), depth + 1);
        return cr_fnv(h, "]", 1);
    case CR_MAP:
        n = ops->count(v);
        h = cr_fnv_fmt(h, "m%zu{", n);
        for (size_t i = 0; i < n; i++) {
            s = ops->key_at(v, i, &len);
            h = cr_fnv_fmt(h, "s%zu:", len);
            h = cr_fnv(h, s != NULL ? s : "", len);
            h = cr_hash_value(h, ops, ops->val_at(v, i), depth + 1);
        }
        return cr_fnv(h, "}", 1);
    default:
        return cr_fnv(h, "?", 1);
    }
}

/* Sets the context's fingerprint from a metadata value. */
static void cr_fingerprint(cr_ctx *c, const cr_tree_ops *ops,
                           const void *meta)
{
    uint64_t h = cr_hash_value(0xcbf29ce484222325u, ops, meta, 0);

    snprintf(c->fingerprint, sizeof c->fingerprint, "%016llx",
             (unsigned long long)h);
}

/* The area list of a metadata value: an "areas" array of ids (strings,
** or objects with an "id") in the metadata or one level down (such as
** "taxonomy": {"areas": [...]}). NULL when there is none. */
static const void *cr_meta_areas(const cr_tree_ops *ops, const void *meta)
{
    const void *areas = ops->get(meta, "areas");

    if (areas != NULL && ops->kind(areas) == CR_ARRAY
        && ops->count(areas) > 0)
        return areas;
    if (meta == NULL || ops->kind(meta) != CR_MAP)
        return NULL;
    for (size_t i = 0; i < ops->count(meta); i++) {
        const void *v = ops->val_at(meta, i);
        if (v != NULL && ops->kind(v) == CR_MAP) {
            areas = ops->get(v, "areas");
            if (areas != NULL && ops->kind(areas) == CR_ARRAY
                && ops->count(areas) > 0)
                return areas;
        }
    }
    return NULL;
}

/* Takes the areas from a list (of ids, or of objects with an "id"), or
** from the keys of a map (a record's "scores"). Returns 0 or a code. */
static int cr_areas_from(cr_ctx *c, const cr_tree_ops *ops, const void *v,
                         const char *where)
{
    const char *ids[CLI_REPORT_MAX_AREAS];
    size_t lens[CLI_REPORT_MAX_AREAS];
    size_t n = ops->count(v);
    int is_map = ops->kind(v) == CR_MAP;

    if (n == 0 || n > CLI_REPORT_MAX_AREAS)
        return cr_fail(c, CLI_CODED_EUSAGE, "%s: %zu areas (expected 1 to "
                       "%d)", where, n, CLI_REPORT_MAX_AREAS);
    for (size_t a = 0; a < n; a++) {
        const void *e = is_map ? NULL : ops->at(v, a);
        if (is_map) {
            ids[a] = ops->key_at(v, a, &lens[a]);
        } else {
            if (e != NULL && ops->kind(e) == CR_MAP)
                e = ops->get(e, "id");
            ids[a] = e != NULL && ops->kind(e) == CR_STR
                ? ops->str(e, &lens[a]) : NULL;
        }
        if (ids[a] == NULL || lens[a] == 0
            || memchr(ids[a], '\0', lens[a]) != NULL)
            return cr_fail(c, CLI_CODED_EUSAGE, "%s: area %zu has no id",
                           where, a + 1);
    }
    return cr_set_areas(c, ids, lens, n);
}

/* ------------------------------------------------------------------------
** One JSON or msgpack record
** --------------------------------------------------------------------- */

/* A scalar as text, in buf when it is a number: for ids and --by values.
** Strings are returned as they are; null and anything else as "". */
static const char *cr_scalar(const cr_tree_ops *ops, const void *v,
                             char *buf, size_t buf_size, size_t *len)
{
    int n = 0;

    switch (v != NULL ? ops->kind(v) : CR_NIL) {
    case CR_STR:
        return ops->str(v, len);
    case CR_INT:
        n = snprintf(buf, buf_size, "%lld", (long long)ops->i64(v));
        break;
    case CR_UINT:
        n = snprintf(buf, buf_size, "%llu", (unsigned long long)ops->u64(v));
        break;
    case CR_DOUBLE:
        n = snprintf(buf, buf_size, "%.15g", ops->dbl(v));
        if (strtod(buf, NULL) != ops->dbl(v))
            n = snprintf(buf, buf_size, "%.17g", ops->dbl(v));
        break;
    case CR_BOOL:
        n = snprintf(buf, buf_size, "%s", ops->boolean(v) ? "true" : "false");
        break;
    default:
        break;
    }
    *len = n > 0 ? (size_t)n : 0;
    buf[*len < buf_size ? *len : buf_size - 1] = '\0';
    return buf;
}

/*
** Reads one JSON or msgpack record: the metadata record, or a coded
** record handed to the sink. `where` names it for messages ("record 3
** (line 4)"); `first` is 1 for the first record of the file.
*/
static int cr_tree_record(cr_ctx *c, const cr_tree_ops *ops, const void *rec,
                          const char *where, int first)
{
    cli_report_answer ans;
    const void *meta, *v, *ev;
    size_t n_spans = 0;
    int rc;

    if (ops->kind(rec) != CR_MAP)
        return cr_fail(c, first ? CLI_CODED_EUSAGE : CLI_CODED_EDATA,
                       "%s: not %s, so not a coded file", where,
                       ops == &cr_json_ops ? "a JSON object" : "a map");
    meta = ops->get(rec, "whatmatters_meta");
    if (meta != NULL) {
        const void *areas = cr_meta_areas(ops, meta);
        if (c->begun || c->number > 0)
            return 0; /* a later metadata record (files joined): the
                         records say which areas they have */
        cr_fingerprint(c, ops, meta);
        if (areas != NULL) {
            rc = cr_areas_from(c, ops, areas, where);
            if (rc != 0)
                return rc;
            return cr_begin(c);
        }
        return 0; /* no area list: the first record's scores give it */
    }

    c->number++;
    if (!c->begun) {
        v = ops->get(rec, "scores");
        if (v == NULL || ops->kind(v) != CR_MAP)
            return cr_fail(c, CLI_CODED_EUSAGE, "%s: no metadata record "
                           "with an area list and no \"scores\", so not a "
                           "coded file", where);
        rc = cr_areas_from(c, ops, v, where);
        if (rc == 0)
            rc = cr_begin(c);
        if (rc != 0)
            return rc;
    }

    memset(&ans, 0, sizeof ans);
    v = ops->get(rec, "status");
    if (v == NULL || ops->kind(v) != CR_STR)
        return cr_fail(c, c->number == 1 ? CLI_CODED_EUSAGE : CLI_CODED_EDATA,
                       "%s: no \"status\" string, so not a coded record",
                       where);
    ans.status = ops->str(v, &ans.status_len);

    v = ops->get(rec, "areas");
    if (v != NULL && ops->kind(v) == CR_ARRAY) {
        for (size_t i = 0; i < ops->count(v); i++) {
            const void *e = ops->at(v, i);
            const char *id;
            size_t id_len;
            long a;
            if (e == NULL || ops->kind(e) != CR_STR)
                return cr_fail(c, CLI_CODED_EDATA, "%s: an area that is not "
                               "a string", where);
            id = ops->str(e, &id_len);
            a = cr_area(c, id, id_len);
            if (a < 0)
                return cr_fail(c, CLI_CODED_EDATA, "%s: area '%.*s' is not "
                               "in the file's area list", where,
                               (int)(id_len > 64 ? 64 : id_len), id);
            ans.areas |= (uint64_t)1 << a;
        }
    } else if (v != NULL && ops->kind(v) != CR_NIL) {
        return cr_fail(c, CLI_CODED_EDATA, "%s: \"areas\" is not an array",
                       where);
    }

    v = ops->get(rec, "id");
    if (v == NULL || ops->kind(v) == CR_NIL) {
        snprintf(c->id_buf, sizeof c->id_buf, "%llu",
                 (unsigned long long)c->number);
        ans.id = c->id_buf;
        ans.id_len = strlen(c->id_buf);
    } else {
        ans.id = cr_scalar(ops, v, c->id_buf, sizeof c->id_buf, &ans.id_len);
    }

    v = ops->get(rec, "text");
    if (v != NULL && ops->kind(v) == CR_STR)
        ans.text = ops->str(v, &ans.text_len);

    ev = ops->get(rec, "evidence");
    if (ev != NULL && ops->kind(ev) == CR_ARRAY) {
        for (size_t i = 0; i < ops->count(ev); i++) {
            const void *e = ops->at(ev, i);
            const void *area = ops->get(e, "area");
            const void *text = ops->get(e, "text");
            const char *s, *t;
            size_t s_len, t_len;
            long a;
            if (area == NULL || ops->kind(area) != CR_STR || text == NULL
                || ops->kind(text) != CR_STR)
                continue;
            s = ops->str(area, &s_len);
            t = ops->str(text, &t_len);
            a = cr_area(c, s, s_len);
            if (a < 0)
                continue;
            rc = cr_push_span(c, &n_spans, (uint32_t)a, t, t_len);
            if (rc != 0)
                return rc;
        }
    }
    ans.evidence = c->spans;
    ans.n_evidence = n_spans;

    ans.group = "";
    if (c->by != NULL) {
        v = ops->get(ops->get(rec, "keep"), c->by);
        if (v == NULL)
            v = ops->get(rec, c->by);
        if (v != NULL) {
            c->by_seen = 1;
            ans.group = cr_scalar(ops, v, c->group_buf, sizeof c->group_buf,
                                  &ans.group_len);
        }
    }
    return c->sink->record(c->sink->ud, &ans);
}

/* ------------------------------------------------------------------------
** JSON Lines
** --------------------------------------------------------------------- */

/* 1 when the bytes are only white space. */
static int cr_blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return 0;
    }
    return 1;
}

/* Reads a JSON Lines file: each LF-ended line one object. */
static int cr_jsonl(cr_ctx *c, cr_src *src)
{
    json_tokener *tok = json_tokener_new_ex(CR_MAX_DEPTH);
    uint64_t line = 0;
    size_t scanned = 0; /* bytes after pos known to hold no LF */
    int rc = 0;

    if (tok == NULL)
        return CLI_CODED_ENOMEM;
    for (;;) {
        char *start = src->buf + src->pos;
        size_t avail = src->len - src->pos;
        char *nl = memchr(start + scanned, '\n', avail - scanned);
        size_t len;
        char where[64];
        json_object *obj;

        if (nl == NULL && !src->eof) {
            scanned = avail;
            rc = cr_fill(c, src);
            if (rc != 0)
                break;
            continue;
        }
        if (nl == NULL && avail == 0)
            break;
        len = nl != NULL ? (size_t)(nl - start) : avail;
        src->pos += nl != NULL ? len + 1 : len;
        scanned = 0;
        line++;
        if (cr_blank(start, len))
            continue;
        if (c->number > 0 || c->begun)
            snprintf(where, sizeof where, "record %llu (line %llu)",
                     (unsigned long long)c->number + 1,
                     (unsigned long long)line);
        else
            snprintf(where, sizeof where, "line %llu",
                     (unsigned long long)line);
        json_tokener_reset(tok);
        obj = json_tokener_parse_ex(tok, start, (int)len);
        if (obj == NULL || json_tokener_get_error(tok) != json_tokener_success
            || !cr_blank(start + json_tokener_get_parse_end(tok),
                         len - json_tokener_get_parse_end(tok))) {
            json_object_put(obj);
            rc = cr_fail(c, c->number == 0 && !c->begun ? CLI_CODED_EUSAGE
                                                        : CLI_CODED_EDATA,
                         "%s: not a JSON object (%s)", where,
                         obj == NULL ? json_tokener_error_desc(
                                           json_tokener_get_error(tok))
                                     : "text after it");
            break;
        }
        rc = cr_tree_record(c, &cr_json_ops, obj, where,
                            c->number == 0 && !c->begun);
        json_object_put(obj);
        if (rc != 0)
            break;
    }
    json_tokener_free(tok);
    return rc;
}

/* ------------------------------------------------------------------------
** msgpack
** --------------------------------------------------------------------- */

/*
** Reads a stream of msgpack maps. Each object is first measured in the
** read buffer (cli_report_msgpack_measure: it must be whole and hold at
** most CR_MAX_ELEMENTS elements), then unpacked from exactly its bytes:
** msgpack-c allocates arrays and maps as large as their headers claim, so
** it never sees a header the bytes do not back.
*/
static int cr_msgpack(cr_ctx *c, cr_src *src)
{
    msgpack_unpacked result;
    int rc = 0;

    msgpack_unpacked_init(&result);
    for (;;) {
        uint64_t offset = src->consumed + src->pos; /* of this object */
        size_t avail = src->len - src->pos, size = 0, off = 0;
        int first = c->number == 0 && !c->begun;
        char where[64];
        int got;

        if (avail == 0 && src->eof)
            break;
        got = avail > 0 ? cli_report_msgpack_measure(src->buf + src->pos,
                                                     avail, CR_MAX_ELEMENTS,
                                                     &size)
                        : 0;
        if (got == 0) {
            if (src->eof) {
                rc = cr_fail(c, CLI_CODED_EDATA, "record %llu (byte %llu) "
                             "is cut short by the end of the file",
                             (unsigned long long)c->number + 1,
                             (unsigned long long)offset);
                break;
            }
            rc = cr_fill(c, src);
            if (rc != 0)
                break;
            continue;
        }
        if (first)
            snprintf(where, sizeof where, "byte %llu",
                     (unsigned long long)offset);
        else
            snprintf(where, sizeof where, "record %llu (byte %llu)",
                     (unsigned long long)c->number + 1,
                     (unsigned long long)offset);
        if (got < 0 || msgpack_unpack_next(&result, src->buf + src->pos, size,
                                           &off) != MSGPACK_UNPACK_SUCCESS
            || off != size) {
            rc = cr_fail(c, first ? CLI_CODED_EUSAGE : CLI_CODED_EDATA,
                         "%s: not msgpack (or over %d elements, or nested "
                         "too deep)", where, CR_MAX_ELEMENTS);
            break;
        }
        rc = cr_tree_record(c, &cr_msgpack_ops, &result.data, where, first);
        src->pos += size;
        if (rc != 0)
            break;
    }
    msgpack_unpacked_destroy(&result);
    return rc;
}

/* ------------------------------------------------------------------------
** CSV
** --------------------------------------------------------------------- */

/* What the header row said. */
typedef struct cr_csv_cols {
    size_t n_cols;                        /* fields in the header */
    long id, text, status, evidence, by;  /* column indices, or -1 */
    size_t area_col[CLI_REPORT_MAX_AREAS]; /* [n_areas] column per area */
    int have_header;                      /* 1 once it was read */
} cr_csv_cols;

/* 1 when field f is the bytes of name. */
static int cr_field_is(const cli_csv_field *f, const char *name)
{
    size_t len = strlen(name);

    return f->len == len && memcmp(f->text, name, len) == 0;
}

/* Reads the metadata beside a CSV file (FILE.meta.json) for its
** fingerprint; none there is "none". Returns 0 or a code. */
static int cr_csv_meta(cr_ctx *c)
{
    char path[4096];
    FILE *f;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    json_object *obj;
    const void *meta;
    int n = snprintf(path, sizeof path, "%s.meta.json", c->path);

    if (n < 0 || (size_t)n >= sizeof path || strcmp(c->path, "-") == 0)
        return 0;
    f = fopen(path, "rb");
    if (f == NULL)
        return 0;
    for (;;) {
        size_t got;
        if (len == cap) {
            char *bigger;
            cap = cap ? cap * 2 : 65536;
            if (cap > CLI_CODED_MAX_RECORD) {
                fclose(f);
                free(buf);
                return cr_fail(c, CLI_CODED_EUSAGE, "%s is too large", path);
            }
            bigger = realloc(buf, cap);
            if (bigger == NULL) {
                fclose(f);
                free(buf);
                return CLI_CODED_ENOMEM;
            }
            buf = bigger;
        }
        got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        fclose(f);
        free(buf);
        return cr_fail(c, CLI_CODED_EUSAGE, "cannot read %s: %s", path,
                       strerror(errno));
    }
    fclose(f);
    {
        json_tokener *tok = json_tokener_new_ex(CR_MAX_DEPTH);
        if (tok == NULL) {
            free(buf);
            return CLI_CODED_ENOMEM;
        }
        obj = json_tokener_parse_ex(tok, buf, (int)len);
        if (json_tokener_get_error(tok) != json_tokener_success) {
            json_object_put(obj);
            obj = NULL;
        }
        json_tokener_free(tok);
    }
    free(buf);
    if (obj == NULL || !json_object_is_type(obj, json_type_object)) {
        json_object_put(obj);
        return cr_fail(c, CLI_CODED_EUSAGE, "%s is not a JSON object", path);
    }
    meta = cj_get(obj, "whatmatters_meta");
    cr_fingerprint(c, &cr_json_ops, meta != NULL ? meta : obj);
    json_object_put(obj);
    return 0;
}

/* Reads the header row: the areas and the columns the report uses. */
static int cr_csv_header(cr_ctx *c, cr_csv_cols *cols,
                         const cli_csv_reader *r)
{
    const char *ids[CLI_REPORT_MAX_AREAS];
    size_t lens[CLI_REPORT_MAX_AREAS];
    size_t n = 0;
    int rc;

    cols->n_cols = r->n_fields;
    cols->id = cols->text = cols->status = cols->evidence = cols->by = -1;
    for (size_t i = 0; i < r->n_fields; i++) {
        const cli_csv_field *f = &r->fields[i];
        if (cr_field_is(f, "id"))
            cols->id = (long)i;
        else if (cr_field_is(f, "text"))
            cols->text = (long)i;
        else if (cr_field_is(f, "status"))
            cols->status = (long)i;
        else if (cr_field_is(f, "evidence"))
            cols->evidence = (long)i;
        if (c->by != NULL && cr_field_is(f, c->by)) {
            cols->by = (long)i;
            c->by_seen = 1;
        }
        /* An area: X with a column X_score somewhere in the header. */
        for (size_t k = 0; k < r->n_fields && f->len > 0; k++) {
            const cli_csv_field *g = &r->fields[k];
            if (g->len == f->len + 6 && memcmp(g->text, f->text, f->len) == 0
                && memcmp(g->text + f->len, "_score", 6) == 0) {
                if (n == CLI_REPORT_MAX_AREAS)
                    return cr_fail(c, CLI_CODED_EUSAGE, "more than %d area "
                                   "columns", CLI_REPORT_MAX_AREAS);
                ids[n] = f->text;
                lens[n] = f->len;
                cols->area_col[n++] = i;
                break;
            }
        }
    }
    if (n == 0 || cols->status < 0)
        return cr_fail(c, CLI_CODED_EUSAGE, "not a coded file: the header "
                       "has no %s", n == 0 ? "area columns (a column X "
                       "with a column X_score)" : "\"status\" column");
    if (c->by != NULL && cols->by < 0) {
        char names[512];
        size_t used = 0;
        names[0] = '\0';
        for (size_t i = 0; i < r->n_fields && used + 4 < sizeof names; i++) {
            int w = snprintf(names + used, sizeof names - used, "%s%.*s",
                             i ? ", " : "", (int)r->fields[i].len,
                             r->fields[i].text);
            if (w < 0)
                break;
            used += (size_t)w < sizeof names - used ? (size_t)w
                                                    : sizeof names - used - 1;
        }
        return cr_fail(c, CLI_CODED_EUSAGE, "no column '%s' for --by "
                       "(columns: %s)", c->by, names);
    }
    rc = cr_set_areas(c, ids, lens, n);
    if (rc == 0)
        rc = cr_csv_meta(c);
    if (rc == 0)
        rc = cr_begin(c);
    cols->have_header = 1;
    return rc;
}

/*
** Splits a CSV evidence field ("area=text; area=text") into spans. An
** item starts at the beginning or after "; ", with a known area id and
** "="; its text runs to the next such start, so a text holding "; " is
** kept whole unless what follows looks like another item.
*/
static int cr_csv_evidence(cr_ctx *c, const char *s, size_t len,
                           size_t *n_spans)
{
    size_t p = 0;

    while (p < len) {
        size_t id_len = 0, q;
        long area = -1;

        for (size_t a = 0; a < c->n_areas; a++) {
            size_t l = strlen(c->ids[a]);
            if (p + l < len && s[p + l] == '='
                && memcmp(s + p, c->ids[a], l) == 0) {
                area = (long)a;
                id_len = l;
                break;
            }
        }
        /* The end of this item: the next "; " that starts an item. */
        q = p + (area >= 0 ? id_len + 1 : 0);
        for (;; q++) {
            if (q + 1 >= len) {
                q = len;
                break;
            }
            if (s[q] == ';' && s[q + 1] == ' ') {
                int starts = 0;
                for (size_t a = 0; a < c->n_areas && !starts; a++) {
                    size_t l = strlen(c->ids[a]);
                    starts = q + 2 + l < len && s[q + 2 + l] == '='
                             && memcmp(s + q + 2, c->ids[a], l) == 0;
                }
                if (starts)
                    break;
            }
        }
        if (area >= 0) {
            int rc = cr_push_span(c, n_spans, (uint32_t)area,
                                  s + p + id_len + 1, q - (p + id_len + 1));
            if (rc != 0)
                return rc;
        }
        p = q < len ? q + 2 : len;
    }
    return 0;
}

/* Hands one data row to the sink. */
static int cr_csv_row(cr_ctx *c, const cr_csv_cols *cols,
                      const cli_csv_reader *r, uint64_t line)
{
    const cli_csv_field *f = r->fields;
    cli_report_answer ans;
    size_t n_spans = 0;
    int rc;

    c->number++;
    if (r->n_fields != cols->n_cols)
        return cr_fail(c, CLI_CODED_EDATA, "record %llu (line %llu): %zu "
                       "fields, but the header has %zu",
                       (unsigned long long)c->number,
                       (unsigned long long)line, r->n_fields, cols->n_cols);
    memset(&ans, 0, sizeof ans);
    if (cols->id >= 0) {
        ans.id = f[cols->id].text;
        ans.id_len = f[cols->id].len;
    } else {
        snprintf(c->id_buf, sizeof c->id_buf, "%llu",
                 (unsigned long long)c->number);
        ans.id = c->id_buf;
        ans.id_len = strlen(c->id_buf);
    }
    if (cols->text >= 0) {
        ans.text = f[cols->text].text;
        ans.text_len = f[cols->text].len;
    }
    ans.status = f[cols->status].text;
    ans.status_len = f[cols->status].len;
    for (size_t a = 0; a < c->n_areas; a++) {
        const cli_csv_field *v = &f[cols->area_col[a]];
        if (v->len == 1 && v->text[0] == '1')
            ans.areas |= (uint64_t)1 << a;
    }
    if (cols->evidence >= 0) {
        rc = cr_csv_evidence(c, f[cols->evidence].text,
                             f[cols->evidence].len, &n_spans);
        if (rc != 0)
            return rc;
    }
    ans.evidence = c->spans;
    ans.n_evidence = n_spans;
    ans.group = "";
    if (cols->by >= 0) {
        ans.group = f[cols->by].text;
        ans.group_len = f[cols->by].len;
    }
    return c->sink->record(c->sink->ud, &ans);
}

/* Parses a run of whole records buf[0..len) that starts at file line
** *line and byte `offset`; advances *line. */
static int cr_csv_run(cr_ctx *c, cr_csv_cols *cols, char *buf, size_t len,
                      uint64_t *line, uint64_t offset)
{
    cli_csv_reader r;
    int rc = 0, got;

    cli_csv_init(&r, buf, len);
    while ((got = cli_csv_next(&r)) == CLI_CSV_RECORD) {
        uint64_t rec_line = *line + r.record_line - 1;
        rc = cols->have_header ? cr_csv_row(c, cols, &r, rec_line)
                               : cr_csv_header(c, cols, &r);
        if (rc != 0)
            break;
    }
    if (rc == 0 && got == CLI_CSV_NOMEM)
        rc = CLI_CODED_ENOMEM;
    else if (rc == 0 && got == CLI_CSV_ERROR)
        rc = cr_fail(c, cols->have_header ? CLI_CODED_EDATA
                                          : CLI_CODED_EUSAGE,
                     "line %llu (byte %llu): %s",
                     (unsigned long long)(*line + r.err_line - 1),
                     (unsigned long long)(offset + r.err_offset), r.err);
    *line += r.line - 1;
    cli_csv_free(&r);
    return rc;
}

/*
** Reads a CSV file in runs of whole records. The scan for record ends
** tracks only the quote state: in RFC 4180 every quote toggles it (a
** doubled quote toggles twice), so an LF outside quotes ends a record.
** A byte-order mark is skipped at the start of the file; cli_csv_init()
** would also skip one at the start of a later run, which could only
** happen to a record whose first field starts with U+FEFF.
*/
static int cr_csv(cr_ctx *c, cr_src *src)
{
    cr_csv_cols cols;
    size_t scanned = 0;  /* bytes after pos already scanned */
    size_t boundary = 0; /* bytes after pos that are whole records */
    int in_quotes = 0;
    uint64_t line = 1;
    int rc = 0;

    memset(&cols, 0, sizeof cols);
    c->size_hint = " (or a quote is never closed)";
    for (;;) {
        char *start = src->buf + src->pos;
        size_t avail = src->len - src->pos;

        for (; scanned < avail; scanned++) {
            char ch = start[scanned];
            if (ch == '"')
                in_quotes = !in_quotes;
            else if (ch == '\n' && !in_quotes)
                boundary = scanned + 1;
        }
        if (src->eof)
            boundary = avail;
        if (boundary > 0) {
            rc = cr_csv_run(c, &cols, start, boundary, &line,
                            src->consumed + src->pos);
            if (rc != 0)
                return rc;
            src->pos += boundary;
            scanned -= boundary;
            boundary = 0;
        }
        if (src->eof)
            break;
        rc = cr_fill(c, src);
        if (rc != 0)
            return rc;
    }
    if (!cols.have_header)
        return cr_begin(c); /* an empty file */
    return 0;
}

/* ------------------------------------------------------------------------
** Finding the format and reading
** --------------------------------------------------------------------- */

enum { CR_FMT_CSV, CR_FMT_JSONL, CR_FMT_MSGPACK };

/* 1 when path ends with ext. */
static int cr_ends_with(const char *path, const char *ext)
{
    size_t n = strlen(path), e = strlen(ext);

    return n > e && strcmp(path + n - e, ext) == 0;
}

/* The format from the name, or -1. */
static int cr_format_by_name(const char *path)
{
    if (cr_ends_with(path, ".csv"))
        return CR_FMT_CSV;
    if (cr_ends_with(path, ".jsonl") || cr_ends_with(path, ".ndjson"))
        return CR_FMT_JSONL;
    if (cr_ends_with(path, ".msgpack") || cr_ends_with(path, ".mpk"))
        return CR_FMT_MSGPACK;
    return -1;
}

/* The format from the first bytes: '{' (after a BOM and white space) is
** JSON Lines, a msgpack map header is msgpack, anything else CSV. */
static int cr_format_by_content(const cr_src *src)
{
    const unsigned char *s = (const unsigned char *)src->buf + src->pos;
    size_t n = src->len - src->pos, i = 0;

    if (n > 0 && ((s[0] >= 0x80 && s[0] <= 0x8F) || s[0] == 0xDE
                  || s[0] == 0xDF))
        return CR_FMT_MSGPACK;
    if (n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
        i = 3;
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'
                     || s[i] == '\n'))
        i++;
    if (i < n && s[i] == '{')
        return CR_FMT_JSONL;
    return CR_FMT_CSV;
}

/* Reads one coded file (see the header). */
int cli_coded_read(const char *path, const char *by_column,
                   const cli_coded_sink *sink, char *err, size_t err_size)
{
    cr_ctx c;
    cr_src src;
    int format, rc;

    memset(&c, 0, sizeof c);
    memset(&src, 0, sizeof src);
    c.path = path;
    c.name = strcmp(path, "-") == 0 ? "standard input" : path;
    c.by = by_column;
    c.sink = sink;
    c.err = err;
    c.err_size = err_size;
    c.size_hint = "";
    strcpy(c.fingerprint, CLI_REPORT_NO_FINGERPRINT);
    if (err_size > 0)
        err[0] = '\0';

    if (strcmp(path, "-") == 0) {
        src.f = stdin;
    } else {
        src.f = fopen(path, "rb");
        if (src.f == NULL)
            return cr_fail(&c, CLI_CODED_EUSAGE, "cannot open: %s",
                           strerror(errno));
    }
    rc = cr_fill(&c, &src);
    if (rc == 0) {
        format = cr_format_by_name(path);
        if (format < 0)
            format = cr_format_by_content(&src);
        if (format == CR_FMT_CSV)
            rc = cr_csv(&c, &src);
        else if (format == CR_FMT_JSONL)
            rc = cr_jsonl(&c, &src);
        else
            rc = cr_msgpack(&c, &src);
    }
    if (rc == 0 && !c.begun)
        rc = cr_begin(&c); /* metadata without areas, or nothing at all */
    if (rc == 0 && c.by != NULL && c.number > 0 && !c.by_seen)
        rc = cr_fail(&c, CLI_CODED_EUSAGE, "no record has a field '%s' for "
                     "--by (in \"keep\" or at the top)", c.by);

    if (src.f != stdin)
        fclose(src.f);
    free(src.buf);
    free(c.spans);
    for (size_t a = 0; a < c.n_areas; a++)
        free(c.ids[a]);
    return rc;
}
