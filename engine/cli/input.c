/*
** input.c — the record readers' common half: opening, batches, the byte
** window and the record being read (input_impl.h says how they fit).
**
** Memory is the batch plus a fixed window: the stream is read 64 KiB at a
** time into one buffer, a wanted field goes straight from that buffer into
** the batch arena, and a field that passes max_field_bytes is taken back
** out of the arena and only counted from then on. The arena is one buffer
** that grows by doubling and is reused from batch to batch, so a steady
** stream of records allocates nothing; while a batch fills, records refer
** to their strings by offset, and the offsets become pointers when the
** batch is complete and the arena has stopped moving.
*/
#include "input_impl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------- */
/* Batches                                                                */
/* ---------------------------------------------------------------------- */

/* Creates an empty batch; its arrays are sized by the first reader that
** fills it. */
cli_batch *cli_batch_new(void)
{
    return calloc(1, sizeof(cli_batch));
}

/* Frees the arrays that depend on the reader's field counts, so that a
** batch can move from one reader to another. */
static void batch_free_arrays(cli_batch *b)
{
    free(b->records);
    free(b->values);
    free(b->keep);
    free(b->keep_len);
    free(b->msg_off);
    b->records = NULL;
    b->values = NULL;
    b->keep = NULL;
    b->keep_len = NULL;
    b->msg_off = NULL;
    b->cap = 0;
    b->n = 0;
}

/* Frees a batch and everything its records point to. NULL is a no-op. */
void cli_batch_free(cli_batch *b)
{
    if (b == NULL)
        return;
    batch_free_arrays(b);
    free(b->arena);
    free(b);
}

/* Records in the batch. */
size_t cli_batch_count(const cli_batch *b)
{
    return b ? b->n : 0;
}

/* Record i of the batch, or NULL when there is no such record. */
cli_record *cli_batch_record(cli_batch *b, size_t i)
{
    if (b == NULL || i >= b->n)
        return NULL;
    return &b->records[i];
}

/* Grows a malloc'd array to n elements of size bytes each. Returns the
** new array, or NULL (the old one is then still there). */
static void *grow_array(void *array, size_t n, size_t size)
{
    if (n == 0 || size == 0 || n > (size_t)-1 / size)
        return NULL;
    return realloc(array, n * size);
}

/* Makes room for one more record in every per-record array (doubling).
** Each array is stored as soon as it has grown, so a failure halfway
** leaves the batch as it was, only some arrays bigger. Returns 0 or -1. */
static int batch_reserve(cli_batch *b)
{
    size_t cap;
    void *p;

    if (b->n < b->cap)
        return 0;
    cap = b->cap ? b->cap * 2 : 64;
    if (cap < b->cap)
        return -1;
    if ((p = grow_array(b->records, cap, sizeof *b->records)) == NULL)
        return -1;
    b->records = p;
    if ((p = grow_array(b->msg_off, cap, sizeof *b->msg_off)) == NULL)
        return -1;
    b->msg_off = p;
    if (b->n_want) {
        if (cap > (size_t)-1 / b->n_want
            || (p = grow_array(b->values, cap * b->n_want,
                               sizeof *b->values)) == NULL)
            return -1;
        b->values = p;
    }
    if (b->n_keep) {
        if (cap > (size_t)-1 / b->n_keep
            || (p = grow_array(b->keep, cap * b->n_keep,
                               sizeof *b->keep)) == NULL)
            return -1;
        b->keep = p;
        if ((p = grow_array(b->keep_len, cap * b->n_keep,
                            sizeof *b->keep_len)) == NULL)
            return -1;
        b->keep_len = p;
    }
    b->cap = cap;
    return 0;
}

/* Makes room for len more bytes in the batch arena, doubling it when
** full. Returns 0 or -1 (the arena unchanged). */
static inline int arena_room(cli_batch *b, size_t len)
{
    if (len > b->arena_cap - b->arena_len) {
        size_t cap = b->arena_cap ? b->arena_cap : 64 * 1024;
        char *bigger;

        while (cap - b->arena_len < len) {
            if (cap > (size_t)-1 / 2)
                return -1;
            cap *= 2;
        }
        bigger = realloc(b->arena, cap);
        if (bigger == NULL)
            return -1;
        b->arena = bigger;
        b->arena_cap = cap;
    }
    return 0;
}

/* Appends bytes to the batch arena. Returns 0 or -1 (nothing appended). */
static int arena_put(cli_batch *b, const void *bytes, size_t len)
{
    if (arena_room(b, len) != 0)
        return -1;
    if (len)
        memcpy(b->arena + b->arena_len, bytes, len);
    b->arena_len += len;
    return 0;
}

/* Readies a batch for a reader: empties it, and resizes its arrays when
** the reader wants a different number of fields than the last one. */
static void batch_prepare(cli_batch *b, const cli_reader *r)
{
    if (b->n_want != r->n_want || b->n_keep != r->cfg.n_keep) {
        batch_free_arrays(b);
        b->n_want = r->n_want;
        b->n_keep = r->cfg.n_keep;
    }
    b->n = 0;
    b->arena_len = 0;
    b->bytes = 0;
}

/* Turns the finished batch's offsets into pointers: the arena no longer
** moves once the batch is full. */
static void batch_finalize(cli_batch *b, const cli_reader *r)
{
    static const char empty[] = "";
    size_t i, k;

    /* Plain text (a record is its text, nothing else): the text's pointer
    ** and the message; the record's other fields are zero already
    ** (cli_rec_begin, cli_rec_text_at). */
    if (b->n_want == 1 && r->want_text == 0 && r->want_id == CLI_NONE
        && r->want_lang == CLI_NONE && b->n_keep == 0) {
        for (i = 0; i < b->n; i++) {
            cli_record *rec = &b->records[i];
            const cli_value *v = &b->values[i];

            rec->text = v->state == CLI_VAL_PRESENT ? b->arena + v->off : empty;
            rec->text_len = v->state == CLI_VAL_PRESENT ? v->len : 0;
            rec->message = b->msg_off[i] == CLI_NONE ? empty
                                                     : b->arena + b->msg_off[i];
        }
        return;
    }
    for (i = 0; i < b->n; i++) {
        cli_record *rec = &b->records[i];
        const cli_value *v = b->values + i * b->n_want;
        const cli_value *f;

        rec->text = empty;
        rec->text_len = 0;
        if (r->want_text != CLI_NONE
            && v[r->want_text].state == CLI_VAL_PRESENT) {
            rec->text = b->arena + v[r->want_text].off;
            rec->text_len = v[r->want_text].len;
        }
        rec->id = NULL;
        rec->id_len = 0;
        if (r->want_id != CLI_NONE && v[r->want_id].state == CLI_VAL_PRESENT) {
            rec->id = b->arena + v[r->want_id].off;
            rec->id_len = v[r->want_id].len;
        }
        rec->lang = NULL;
        rec->lang_len = 0;
        if (r->want_lang != CLI_NONE
            && v[r->want_lang].state == CLI_VAL_PRESENT) {
            rec->lang = b->arena + v[r->want_lang].off;
            rec->lang_len = v[r->want_lang].len;
        }
        rec->keep = NULL;
        rec->keep_len = NULL;
        if (b->n_keep) {
            rec->keep = b->keep + i * b->n_keep;
            rec->keep_len = b->keep_len + i * b->n_keep;
            for (k = 0; k < b->n_keep; k++) {
                rec->keep[k] = NULL;
                rec->keep_len[k] = 0;
                if (r->want_keep[k] == CLI_NONE)
                    continue;
                f = &v[r->want_keep[k]];
                if (f->state == CLI_VAL_PRESENT) {
                    rec->keep[k] = b->arena + f->off;
                    rec->keep_len[k] = f->len;
                }
            }
        }
        rec->message = b->msg_off[i] == CLI_NONE ? empty
                                                 : b->arena + b->msg_off[i];
    }
}

/* ---------------------------------------------------------------------- */
/* The byte layer                                                         */
/* ---------------------------------------------------------------------- */

/* Makes n look-ahead bytes readable: moves the few unread bytes to the
** front of the window and reads behind them. fread is used (not read(2))
** because the caller may have peeked at the stream through stdio. */
size_t cli_in_fill(cli_reader *r, size_t n)
{
    size_t have = r->len - r->pos;

    if (have >= n || r->eof)
        return have;
    if (r->pos > 0) {
        memmove(r->buf, r->buf + r->pos, have);
        r->base += r->pos;
        r->pos = 0;
        r->len = have;
    }
    while (r->len < n && !r->eof) {
        size_t got = fread(r->buf + r->len, 1,
                           CLI_IN_CHUNK + CLI_IN_LOOKAHEAD - r->len,
                           r->cfg.in);

        if (got == 0) {
            if (ferror(r->cfg.in))
                r->io_errno = errno ? errno : EIO;
            r->eof = 1;
        }
        r->len += got;
    }
    return r->len - r->pos;
}

/* Steps over EF BB BF at offset 0, which spreadsheet programs write at the
** start of "UTF-8" text; it is not part of the first record. */
void cli_in_skip_bom(cli_reader *r)
{
    if (r->base == 0 && r->pos == 0 && cli_in_fill(r, 3) >= 3
        && memcmp(r->buf, "\xEF\xBB\xBF", 3) == 0) {
        r->pos = 3;
        r->line_start = 3;
    }
}

/* ---------------------------------------------------------------------- */
/* The record being read                                                  */
/* ---------------------------------------------------------------------- */

/* Starts a record: a slot in the batch with every wanted field absent. */
int cli_rec_begin(cli_reader *r, cli_batch *b, uint64_t line,
                  uint64_t offset)
{
    cli_record *rec;
    size_t w;

    if (batch_reserve(b) != 0) {
        r->nomem = 1;
        return -1;
    }
    rec = &b->records[b->n];
    memset(rec, 0, sizeof *rec);
    rec->line = line;
    rec->offset = offset;
    for (w = 0; w < b->n_want; w++) {
        cli_value *v = &b->values[b->n * b->n_want + w];

        v->off = 0;
        v->len = 0;
        v->full_len = 0;
        v->state = CLI_VAL_ABSENT;
    }
    r->cur_batch = b;
    r->cur_mark = b->arena_len;
    r->cur_bad = 0;
    r->cur_msg[0] = '\0';
    r->cur_want = CLI_NONE;
    return 0;
}

/* Room in b for one more record and len more arena bytes (plain text's
** lines' slow path). Returns 0 or -1. */
int cli_batch_room(cli_batch *b, size_t len)
{
    if (batch_reserve(b) != 0 || arena_room(b, len) != 0)
        return -1;
    return 0;
}

/* Keeps the record's first failure; later ones are consequences. */
void cli_rec_fail(cli_reader *r, const char *fmt, ...)
{
    va_list ap;

    if (r->cur_bad)
        return;
    r->cur_bad = 1;
    va_start(ap, fmt);
    vsnprintf(r->cur_msg, sizeof r->cur_msg, fmt, ap);
    va_end(ap);
}

/* The wanted field of the current record at index w. */
static cli_value *cur_value(const cli_reader *r, size_t w)
{
    cli_batch *b = r->cur_batch;

    return &b->values[b->n * b->n_want + w];
}

/*
** Settles the record. A broken record keeps nothing but its message (what
** was read of it may be shifted or cut, so it is not passed on as data);
** a text over the limit keeps the other fields, so that the row can still
** be matched to its id; any other wanted field over the limit makes the
** row bad, since passing it on cut would be passing on wrong data.
*/
void cli_rec_end(cli_reader *r)
{
    cli_batch *b = r->cur_batch;
    cli_record *rec = &b->records[b->n];
    size_t max = r->cfg.max_field_bytes;
    int status = CLI_REC_OK;
    char msg[CLI_MSG_MAX];
    size_t w;

    msg[0] = '\0';
    if (r->cur_bad) {
        status = CLI_REC_BAD_ROW;
        memcpy(msg, r->cur_msg, sizeof msg);
    } else if (r->want_text != CLI_NONE) {
        const cli_value *t = cur_value(r, r->want_text);

        if (t->state == CLI_VAL_ABSENT) {
            status = CLI_REC_BAD_ROW;
            snprintf(msg, sizeof msg, "no string field '%s'",
                     r->want_name[r->want_text]);
        } else if (t->state == CLI_VAL_TOO_LARGE) {
            status = CLI_REC_TOO_LARGE;
            snprintf(msg, sizeof msg, "the text field has %llu bytes, over "
                     "the limit of %zu", (unsigned long long)t->full_len, max);
        }
    }
    for (w = 0; status == CLI_REC_OK && w < r->n_want; w++) {
        const cli_value *v = cur_value(r, w);

        if (v->state == CLI_VAL_TOO_LARGE) {
            status = CLI_REC_BAD_ROW;
            snprintf(msg, sizeof msg, "field '%s' has %llu bytes, over the "
                     "limit of %zu", r->want_name[w],
                     (unsigned long long)v->full_len, max);
        }
    }
    if (status == CLI_REC_BAD_ROW) {
        b->arena_len = r->cur_mark;
        for (w = 0; w < r->n_want; w++)
            cur_value(r, w)->state = CLI_VAL_ABSENT;
    }
    b->msg_off[b->n] = CLI_NONE;
    if (msg[0] != '\0') {
        b->msg_off[b->n] = b->arena_len;
        if (arena_put(b, msg, strlen(msg) + 1) != 0)
            r->nomem = 1;
    }
    rec->status = status;
    rec->number = ++r->number;
    b->bytes += b->arena_len - r->cur_mark;
    b->n++;
    r->cur_want = CLI_NONE;
}

/* Starts streaming a wanted field into the arena. */
void cli_val_begin(cli_reader *r, size_t w)
{
    r->cur_want = w;
    r->cur_start = r->cur_batch->arena_len;
    r->cur_full = 0;
    r->cur_state = CLI_VAL_PRESENT;
}

/* The hot path of every reader: bytes of a wanted field, stored until the
** field passes max_field_bytes, then taken back and only counted. After a
** record has failed nothing more is stored (it will be dropped). */
void cli_val_put(cli_reader *r, const void *bytes, size_t len)
{
    if (r->cur_want == CLI_NONE)
        return;
    r->cur_full += len;
    if (r->cur_state == CLI_VAL_TOO_LARGE || r->cur_bad)
        return;
    if (r->cur_full > r->cfg.max_field_bytes) {
        r->cur_state = CLI_VAL_TOO_LARGE;
        r->cur_batch->arena_len = r->cur_start;
        return;
    }
    if (arena_put(r->cur_batch, bytes, len) != 0)
        r->nomem = 1;
}

/* Ends the field: records where it is and NUL-terminates it (the NUL is
** not part of its length, and the field may itself hold NUL bytes). */
void cli_val_end(cli_reader *r)
{
    cli_value *v;

    if (r->cur_want == CLI_NONE)
        return;
    v = cur_value(r, r->cur_want);
    v->state = r->cur_state;
    v->full_len = r->cur_full;
    v->off = r->cur_start;
    v->len = 0;
    if (r->cur_state == CLI_VAL_PRESENT) {
        v->len = r->cur_batch->arena_len - r->cur_start;
        if (arena_put(r->cur_batch, "", 1) != 0)
            r->nomem = 1;
    }
    r->cur_want = CLI_NONE;
}

/* A wanted field that is there and empty (a CSV row cut short). */
void cli_val_empty(cli_reader *r, size_t w)
{
    cli_val_begin(r, w);
    cli_val_end(r);
}

/* Whether a wanted field has been seen in the current record. */
int cli_val_state(const cli_reader *r, size_t w)
{
    return cur_value(r, w)->state;
}

/* A field known to be over the limit before any of it was read. */
void cli_val_too_large(cli_reader *r, size_t w, uint64_t full_len)
{
    cli_value *v = cur_value(r, w);

    v->state = CLI_VAL_TOO_LARGE;
    v->full_len = full_len;
    v->len = 0;
}

/* Looks a field name up among the wanted ones (a handful: a linear scan
** beats hashing). */
size_t cli_want_find(const cli_reader *r, const char *name, size_t len)
{
    size_t w;

    for (w = 0; w < r->n_want; w++)
        if (r->want_name_len[w] == len
            && memcmp(r->want_name[w], name, len) == 0)
            return w;
    return CLI_NONE;
}

/* ---------------------------------------------------------------------- */
/* Opening, reading, closing                                              */
/* ---------------------------------------------------------------------- */

/* Adds a wanted field name unless it is already there; returns its index
** (or CLI_NONE for a NULL name). One column read once may serve as id,
** text and a keep field at the same time. */
static size_t want_add(cli_reader *r, const char *name)
{
    size_t w;

    if (name == NULL)
        return CLI_NONE;
    w = cli_want_find(r, name, strlen(name));
    if (w != CLI_NONE)
        return w;
    w = r->n_want++;
    r->want_name[w] = name;
    r->want_name_len[w] = strlen(name);
    if (r->want_name_len[w] > r->want_name_max)
        r->want_name_max = r->want_name_len[w];
    return w;
}

/* Builds the list of wanted fields from the configuration. Plain text has
** one field, the line. Returns 0 or -1. */
static int want_build(cli_reader *r)
{
    const cli_reader_config *c = &r->cfg;
    size_t n = 3 + c->n_keep, k;

    r->want_name = calloc(n, sizeof *r->want_name);
    r->want_name_len = calloc(n, sizeof *r->want_name_len);
    r->want_keep = calloc(c->n_keep ? c->n_keep : 1, sizeof *r->want_keep);
    if (!r->want_name || !r->want_name_len || !r->want_keep)
        return -1;
    r->want_id = r->want_lang = CLI_NONE;
    for (k = 0; k < c->n_keep; k++)
        r->want_keep[k] = CLI_NONE;
    if (c->format == CLI_IN_TEXT) {
        r->want_text = want_add(r, "text");
        return 0;
    }
    r->want_text = want_add(r, c->text_column ? c->text_column : "text");
    r->want_id = want_add(r, c->id_column);
    r->want_lang = want_add(r, c->lang_column);
    for (k = 0; k < c->n_keep; k++)
        r->want_keep[k] = want_add(r, c->keep[k]);
    return 0;
}

/* Checks the configuration, sets up the window and the wanted fields and
** lets the format read what comes first (CSV: the header). */
int cli_reader_open(const cli_reader_config *cfg, cli_reader **out,
                    char *err, size_t err_size)
{
    const char *name = cfg && cfg->name ? cfg->name : "input";
    cli_reader *r;
    int rc;
    size_t k;

    if (out == NULL)
        return -1;
    *out = NULL;
    if (cfg == NULL || cfg->in == NULL) {
        snprintf(err, err_size, "%s: no input stream", name);
        return -1;
    }
    if (cfg->format < CLI_IN_CSV || cfg->format > CLI_IN_MSGPACK) {
        snprintf(err, err_size, "%s: unknown input format %d", name,
                 cfg->format);
        return -1;
    }
    if (cfg->format == CLI_IN_CSV && cfg->delimiter != ','
        && cfg->delimiter != ';' && cfg->delimiter != '\t') {
        snprintf(err, err_size, "%s: the CSV delimiter must be ',', ';' or "
                 "tab", name);
        return -1;
    }
    if (cfg->n_keep > 0 && cfg->keep == NULL) {
        snprintf(err, err_size, "%s: %zu keep fields but no names", name,
                 cfg->n_keep);
        return -1;
    }
    for (k = 0; k < cfg->n_keep; k++)
        if (cfg->keep[k] == NULL) {
            snprintf(err, err_size, "%s: keep field %zu has no name", name,
                     k + 1);
            return -1;
        }
    r = calloc(1, sizeof *r);
    if (r == NULL)
        goto nomem;
    r->cfg = *cfg;
    r->cfg.name = name;
    if (r->cfg.max_field_bytes == 0)
        r->cfg.max_field_bytes = CLI_DEFAULT_MAX_FIELD;
    r->line = 1;
    r->cur_want = CLI_NONE;
    r->buf = malloc(CLI_IN_CHUNK + CLI_IN_LOOKAHEAD);
    if (r->buf == NULL || want_build(r) != 0)
        goto nomem;
    switch (cfg->format) {
    case CLI_IN_CSV:
        rc = cli_csv_open(r, err, err_size);
        break;
    case CLI_IN_JSONL:
        rc = cli_jsonl_open(r, err, err_size);
        break;
    case CLI_IN_TEXT:
        rc = cli_text_open(r, err, err_size);
        break;
    default:
        rc = cli_msgpack_open(r, err, err_size);
        break;
    }
    if (rc != 0) {
        cli_reader_close(r);
        return -1;
    }
    *out = r;
    return 0;
nomem:
    cli_reader_close(r);
    snprintf(err, err_size, "%s: out of memory", name);
    return -1;
}

/* Writes the message for a read error or an allocation failure. */
static void reader_failure(const cli_reader *r, char *out, size_t out_size)
{
    if (r->nomem)
        snprintf(out, out_size, "%s: out of memory", r->cfg.name);
    else
        snprintf(out, out_size, "%s: read error: %s", r->cfg.name,
                 strerror(r->io_errno));
}

/*
** Fills a batch. A read error or an allocation failure mid-batch costs
** the record it happened in, not the records before it: those are
** returned, and the failure is reported by the next call, so that the
** caller writes every record it got before stopping.
*/
long cli_reader_next_batch(cli_reader *r, cli_batch *b, size_t max_records,
                           size_t max_bytes, char *err, size_t err_size)
{
    if (r == NULL || b == NULL) {
        snprintf(err, err_size, "no reader or no batch");
        return -1;
    }
    batch_prepare(b, r);
    if (r->failed[0] != '\0') {
        snprintf(err, err_size, "%s", r->failed);
        return -1;
    }
    if (max_records == 0)
        max_records = 1;
    r->batch_records = max_records;
    r->batch_bytes = max_bytes;
    while (b->n < max_records && !r->done) {
        size_t n = b->n, mark = b->arena_len;
        int rc = r->next(r, b);

        if (r->io_errno || r->nomem) {
            b->n = n;
            b->arena_len = mark;
            reader_failure(r, r->failed, sizeof r->failed);
            r->done = 1;
            if (n == 0) {
                snprintf(err, err_size, "%s", r->failed);
                return -1;
            }
            break;
        }
        if (rc == 0) {
            r->done = 1;
            break;
        }
        if (b->bytes > max_bytes)
            break;
    }
    batch_finalize(b, r);
    return (long)b->n;
}

/* Bytes consumed so far, for a progress bar. */
uint64_t cli_reader_bytes(const cli_reader *r)
{
    return r ? r->base + r->pos : 0;
}

/* Frees the reader and its format's state; the stream stays open. */
void cli_reader_close(cli_reader *r)
{
    if (r == NULL)
        return;
    if (r->fini)
        r->fini(r);
    free(r->buf);
    free(r->want_name);
    free(r->want_name_len);
    free(r->want_keep);
    free(r);
}
