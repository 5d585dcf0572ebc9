/*
** input_msgpack.c — a stream of msgpack maps, one record each.
**
** msgpack-c cannot be handed untrusted bytes as they come: its unpacker
** allocates an array of objects as soon as it reads a container header, so
** the five bytes DD FF FF FF FF ask it for 2^32 objects (about 100 GB) and
** a 4-byte string length makes it buffer whatever follows until that many
** bytes are there. So the framing is ours: a walker reads each header,
** knows every length before a byte of the payload is read, and keeps one
** count of items still to come instead of a stack, so skipping costs the
** same at any depth and allocates nothing. It streams string payloads
** straight into the batch arena (a text over max_field_bytes is skipped by
** its declared length and counted, the rest of the map still read), and
** skips what is not wanted.
**
** A wanted scalar (a number as id, a boolean) is written from its header
** bytes. msgpack-c decodes what is left: a wanted array, map or ext (kept
** for the output). Its bytes are fed to a msgpack_unpacker only after the
** walker has checked its headers against a depth limit (the unpacker's
** own stack is MSGPACK_EMBED_STACK_SIZE) and an item budget, so what the
** unpacker allocates is bounded by what was checked; the decoded value is
** written out as JSON text. So records of strings and numbers cost no
** allocation at all.
**
** A map must have string keys. A record that is not a map, or has a bad
** key, is a bad row and reading goes on with the next object. A stream
** that ends inside an object, or a byte that is no msgpack type (0xC1),
** leaves nothing to frame the next object by: that record is a bad row and
** reading ends. msgpack has no lines: a record's line is 0.
*/
#include "input_impl.h"

#include <msgpack.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define MP_MAX_DEPTH 24u     /* containers nested in a wanted value (the
                                unpacker's stack, MSGPACK_EMBED_STACK_SIZE,
                                is 32 in Debian's build) */
#define MP_MAX_ITEMS 65536u /* container items in a record's wanted values */

/* What a header says a value is. */
enum mp_kind {
    MP_NIL, MP_BOOL, MP_INT, MP_FLOAT, MP_STR, MP_BIN, MP_EXT, MP_ARRAY,
    MP_MAP
};

/* A value's header, read before its payload. */
typedef struct mp_head {
    int kind;      /* enum mp_kind */
    unsigned hlen; /* header bytes (type byte, length, ext type) */
    uint64_t n;    /* payload bytes after the header; for an array its
                      items, for a map its pairs */
} mp_head;

/* What the walker returns besides 0. */
enum {
    MP_END = 1,        /* the input ended before the header (between
                          objects: a clean end) */
    MP_TRUNCATED = -1, /* the input ended inside an object */
    MP_INVALID = -2    /* a byte that is no msgpack type */
};

/* The msgpack reader's state. */
typedef struct mp_state {
    msgpack_unpacker unpacker; /* decodes wanted non-string values */
    int unpacker_live;         /* unpacker is initialised */
    msgpack_unpacked result;   /* the value it decoded */
    int feeding;               /* consumed bytes go to the unpacker */
    int feed_over;             /* the fed value passed max_field_bytes */
    uint64_t fed;              /* bytes of the value so far */
    uint64_t items;            /* container items in this record's wanted
                                  values (the MP_MAX_ITEMS budget) */
    char *key;                 /* the key being read */
    size_t key_len;            /* its bytes (kept up to key_cap) */
    size_t key_cap;            /* one more than the longest wanted name */
    unsigned char *seen;       /* [n_want] key seen in this map */
    char trunc[96];            /* where the input ended, for the message */
} mp_state;

/* Frees the msgpack state. */
static void mp_fini(cli_reader *r)
{
    mp_state *st = r->fmt;

    if (st == NULL)
        return;
    msgpack_unpacked_destroy(&st->result);
    if (st->unpacker_live)
        msgpack_unpacker_destroy(&st->unpacker);
    free(st->key);
    free(st->seen);
    free(st);
    r->fmt = NULL;
}

/* Starts the unpacker afresh (dropping a value that was cut off).
** Returns 0 or -1. */
static int mp_unpacker_reset(cli_reader *r, mp_state *st)
{
    if (st->unpacker_live)
        msgpack_unpacker_destroy(&st->unpacker);
    st->unpacker_live = msgpack_unpacker_init(&st->unpacker, 4096);
    if (!st->unpacker_live) {
        r->nomem = 1;
        return -1;
    }
    return 0;
}

/* A name for a kind, for messages. */
static const char *mp_kind_name(int kind)
{
    static const char *const names[] = {
        "nil", "a boolean", "an integer", "a float", "a str", "a bin",
        "an ext", "an array", "a map"
    };

    return names[kind];
}

/* Reads a big-endian unsigned number of len bytes. */
static uint64_t mp_be(const unsigned char *p, unsigned len)
{
    uint64_t v = 0;
    unsigned i;

    for (i = 0; i < len; i++)
        v = (v << 8) | p[i];
    return v;
}

/*
** Reads the header at pos without consuming it (at most 6 bytes, within
** the window's look-ahead). Returns 0, MP_END when the input ends before
** it, MP_TRUNCATED when it ends inside it, MP_INVALID for byte 0xC1.
*/
static int mp_peek_head(cli_reader *r, mp_head *h)
{
    const unsigned char *p;
    unsigned b, lenbytes = 0;

    if (cli_in_fill(r, 1) == 0)
        return MP_END;
    b = r->buf[r->pos];
    h->hlen = 1;
    h->n = 0;
    if (b <= 0x7F || b >= 0xE0) {
        h->kind = MP_INT;
    } else if (b <= 0x8F) {
        h->kind = MP_MAP;
        h->n = b & 0x0F;
    } else if (b <= 0x9F) {
        h->kind = MP_ARRAY;
        h->n = b & 0x0F;
    } else if (b <= 0xBF) {
        h->kind = MP_STR;
        h->n = b & 0x1F;
    } else {
        switch (b) {
        case 0xC0: h->kind = MP_NIL; break;
        case 0xC1: return MP_INVALID;
        case 0xC2: case 0xC3: h->kind = MP_BOOL; break;
        case 0xC4: case 0xC5: case 0xC6:
            h->kind = MP_BIN;
            lenbytes = 1u << (b - 0xC4);
            break;
        case 0xC7: case 0xC8: case 0xC9:
            h->kind = MP_EXT;
            lenbytes = 1u << (b - 0xC7);
            h->hlen = 1 + lenbytes + 1; /* and the ext type */
            break;
        case 0xCA: h->kind = MP_FLOAT; h->n = 4; break;
        case 0xCB: h->kind = MP_FLOAT; h->n = 8; break;
        case 0xCC: case 0xCD: case 0xCE: case 0xCF:
            h->kind = MP_INT;
            h->n = 1u << (b - 0xCC);
            break;
        case 0xD0: case 0xD1: case 0xD2: case 0xD3:
            h->kind = MP_INT;
            h->n = 1u << (b - 0xD0);
            break;
        case 0xD4: case 0xD5: case 0xD6: case 0xD7: case 0xD8:
            h->kind = MP_EXT;
            h->hlen = 2;
            h->n = 1u << (b - 0xD4);
            break;
        case 0xD9: case 0xDA: case 0xDB:
            h->kind = MP_STR;
            lenbytes = 1u << (b - 0xD9);
            break;
        case 0xDC: case 0xDD:
            h->kind = MP_ARRAY;
            lenbytes = b == 0xDC ? 2 : 4;
            break;
        default: /* 0xDE, 0xDF */
            h->kind = MP_MAP;
            lenbytes = b == 0xDE ? 2 : 4;
            break;
        }
    }
    if (lenbytes && h->kind != MP_EXT)
        h->hlen = 1 + lenbytes;
    if (cli_in_fill(r, h->hlen) < h->hlen)
        return MP_TRUNCATED;
    p = r->buf + r->pos;
    if (lenbytes)
        h->n = mp_be(p + 1, lenbytes);
    return 0;
}

/* Hands bytes of a wanted value to the unpacker, unless the value has
** passed max_field_bytes (then they are only counted). */
static void mp_feed(cli_reader *r, mp_state *st, const void *bytes,
                    size_t len)
{
    st->fed += len;
    if (st->feed_over || len == 0)
        return;
    if (st->fed > r->cfg.max_field_bytes) {
        st->feed_over = 1;
        return;
    }
    if (!msgpack_unpacker_reserve_buffer(&st->unpacker, len)) {
        r->nomem = 1;
        st->feed_over = 1;
        return;
    }
    memcpy(msgpack_unpacker_buffer(&st->unpacker), bytes, len);
    msgpack_unpacker_buffer_consumed(&st->unpacker, len);
}

/* Consumes n bytes that are in the window (a header), feeding them when a
** wanted value is being decoded. */
static void mp_consume(cli_reader *r, mp_state *st, size_t n)
{
    if (st->feeding)
        mp_feed(r, st, r->buf + r->pos, n);
    r->pos += n;
}

/* Where payloads go. */
enum mp_sink {
    MP_DROP,  /* nowhere */
    MP_FIELD, /* the wanted field being streamed */
    MP_KEY    /* the key buffer (cut at key_cap) */
};

/* Notes where the input ended inside a payload. Returns MP_TRUNCATED. */
static int mp_short(mp_state *st, int kind, uint64_t done, uint64_t n)
{
    snprintf(st->trunc, sizeof st->trunc, " (the input ends %" PRIu64
             " bytes into %s of %" PRIu64 " bytes)", done,
             mp_kind_name(kind), n);
    return MP_TRUNCATED;
}

/* Consumes a payload of n bytes a window at a time: the length may be a
** lie, and nothing is allocated by it. Returns 0 or MP_TRUNCATED. */
static int mp_payload(cli_reader *r, mp_state *st, int kind, uint64_t n,
                      int sink)
{
    uint64_t done = 0;

    while (done < n) {
        size_t have = r->len - r->pos;
        const unsigned char *p;

        if (have == 0 && (have = cli_in_fill(r, 1)) == 0)
            return mp_short(st, kind, done, n);
        if (have > n - done)
            have = (size_t)(n - done);
        p = r->buf + r->pos;
        if (sink == MP_FIELD) {
            cli_val_put(r, p, have);
        } else if (sink == MP_KEY) {
            size_t room = st->key_cap - st->key_len;
            size_t k = have < room ? have : room;

            memcpy(st->key + st->key_len, p, k);
            st->key_len += k;
        }
        mp_consume(r, st, have);
        done += have;
    }
    return 0;
}

/* Adds to a count of items still to come without wrapping (a count that
** saturates can never be met, and the input then ends inside it). */
static uint64_t mp_add(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* Items a container header adds: an array's items, a map's keys and
** values. */
static uint64_t mp_items(const mp_head *h)
{
    return h->kind == MP_MAP ? mp_add(h->n, h->n) : h->n;
}

/*
** Skips `pending` values, nested ones included, keeping only a count: a
** container adds its items to it, anything else skips its payload. No
** stack, so no depth limit is needed to skip.
*/
static int mp_skip(cli_reader *r, mp_state *st, uint64_t pending)
{
    while (pending > 0) {
        mp_head h;
        int rc = mp_peek_head(r, &h);

        if (rc == MP_END)
            return MP_TRUNCATED;
        if (rc != 0)
            return rc;
        mp_consume(r, st, h.hlen);
        pending--;
        if (h.kind == MP_ARRAY || h.kind == MP_MAP) {
            pending = mp_add(pending, mp_items(&h));
        } else if ((rc = mp_payload(r, st, h.kind, h.n, MP_DROP)) != 0) {
            return rc;
        }
    }
    return 0;
}

/* Skips the rest of a value whose header has been peeked. */
static int mp_skip_value(cli_reader *r, mp_state *st, const mp_head *h)
{
    mp_consume(r, st, h->hlen);
    if (h->kind == MP_ARRAY || h->kind == MP_MAP)
        return mp_skip(r, st, mp_items(h));
    return mp_payload(r, st, h->kind, h->n, MP_DROP);
}

/*
** Walks one wanted value into the unpacker, checking each container
** against the depth limit and the record's item budget before its header
** is fed. On a limit the record fails and the rest of the value is
** skipped by count: what is left is the current container's items plus,
** at every open level, the items after the one in progress.
*/
static int mp_feed_value(cli_reader *r, mp_state *st, size_t w)
{
    uint64_t left[MP_MAX_DEPTH]; /* items still to come at each level */
    unsigned depth = 0, d;

    for (;;) {
        mp_head h;
        int rc = mp_peek_head(r, &h);

        if (rc == MP_END)
            return MP_TRUNCATED;
        if (rc != 0)
            return rc;
        if ((h.kind == MP_ARRAY || h.kind == MP_MAP) && h.n > 0) {
            uint64_t items = mp_items(&h), rest = items;
            const char *why = NULL;

            if (depth == MP_MAX_DEPTH)
                why = "is nested too deep";
            else if (items > MP_MAX_ITEMS - st->items)
                why = "has too many items";
            if (why != NULL) {
                cli_rec_fail(r, "field '%s' %s (at most %u levels and %u "
                             "items)", r->want_name[w], why, MP_MAX_DEPTH,
                             MP_MAX_ITEMS);
                st->feeding = 0;
                mp_consume(r, st, h.hlen);
                for (d = 0; d < depth; d++)
                    rest = mp_add(rest, left[d] - 1);
                return mp_skip(r, st, rest);
            }
            st->items += items;
            mp_consume(r, st, h.hlen);
            left[depth++] = items;
            continue;
        }
        mp_consume(r, st, h.hlen);
        if (h.kind != MP_ARRAY && h.kind != MP_MAP
            && (rc = mp_payload(r, st, h.kind, h.n, MP_DROP)) != 0)
            return rc;
        while (depth > 0 && --left[depth - 1] == 0)
            depth--;
        if (depth == 0)
            return 0;
    }
}

/* Writes bytes as a JSON string body, escaping quotes, backslashes and
** control bytes; other bytes go as they are. msgpack-c gives an empty
** string a NULL pointer, and NULL + 0 is undefined in C. */
static void mp_put_json_string(cli_reader *r, const char *s, size_t len)
{
    size_t i, run = 0;

    if (s == NULL)
        s = "";
    cli_val_put(r, "\"", 1);
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[8];

        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        cli_val_put(r, s + run, i - run);
        run = i + 1;
        if (c == '"' || c == '\\')
            snprintf(esc, sizeof esc, "\\%c", c);
        else if (c == '\n')
            snprintf(esc, sizeof esc, "\\n");
        else if (c == '\t')
            snprintf(esc, sizeof esc, "\\t");
        else if (c == '\r')
            snprintf(esc, sizeof esc, "\\r");
        else
            snprintf(esc, sizeof esc, "\\u%04x", c);
        cli_val_put(r, esc, strlen(esc));
    }
    cli_val_put(r, s + run, len - run);
    cli_val_put(r, "\"", 1);
}

/* Writes a float in the fewest digits that read back to the same value
** (so 0.1 stays 0.1); JSON has no NaN or infinities, they become null. */
static void mp_put_float(cli_reader *r, double d, int single)
{
    char buf[40];
    int prec;

    if (d != d || d - d != 0) {
        cli_val_put(r, "null", 4);
        return;
    }
    for (prec = 1; prec <= 17; prec++) {
        double back;

        snprintf(buf, sizeof buf, "%.*g", prec, d);
        back = strtod(buf, NULL);
        if (single ? (float)back == (float)d : back == d)
            break;
    }
    cli_val_put(r, buf, strlen(buf));
}

/* Writes a decoded value as JSON text. Recursion is bounded by
** MP_MAX_DEPTH, checked before the value was fed. A map key that is not
** a string is written as a string of its JSON text when it is a scalar. */
static void mp_put_json(cli_reader *r, const msgpack_object *o)
{
    char num[32];
    uint32_t i;

    switch (o->type) {
    case MSGPACK_OBJECT_NIL:
        cli_val_put(r, "null", 4);
        break;
    case MSGPACK_OBJECT_BOOLEAN:
        cli_val_put(r, o->via.boolean ? "true" : "false",
                    o->via.boolean ? 4 : 5);
        break;
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
        snprintf(num, sizeof num, "%" PRIu64, o->via.u64);
        cli_val_put(r, num, strlen(num));
        break;
    case MSGPACK_OBJECT_NEGATIVE_INTEGER:
        snprintf(num, sizeof num, "%" PRId64, o->via.i64);
        cli_val_put(r, num, strlen(num));
        break;
    case MSGPACK_OBJECT_FLOAT32:
        mp_put_float(r, o->via.f64, 1);
        break;
    case MSGPACK_OBJECT_FLOAT64:
        mp_put_float(r, o->via.f64, 0);
        break;
    case MSGPACK_OBJECT_STR:
        mp_put_json_string(r, o->via.str.ptr, o->via.str.size);
        break;
    case MSGPACK_OBJECT_BIN:
        mp_put_json_string(r, o->via.bin.ptr, o->via.bin.size);
        break;
    case MSGPACK_OBJECT_EXT:
        mp_put_json_string(r, o->via.ext.ptr, o->via.ext.size);
        break;
    case MSGPACK_OBJECT_ARRAY:
        cli_val_put(r, "[", 1);
        for (i = 0; i < o->via.array.size; i++) {
            if (i > 0)
                cli_val_put(r, ",", 1);
            mp_put_json(r, &o->via.array.ptr[i]);
        }
        cli_val_put(r, "]", 1);
        break;
    case MSGPACK_OBJECT_MAP:
        cli_val_put(r, "{", 1);
        for (i = 0; i < o->via.map.size; i++) {
            const msgpack_object *k = &o->via.map.ptr[i].key;

            if (i > 0)
                cli_val_put(r, ",", 1);
            if (k->type == MSGPACK_OBJECT_STR || k->type == MSGPACK_OBJECT_BIN
                || k->type == MSGPACK_OBJECT_EXT) {
                mp_put_json(r, k);
            } else if (k->type == MSGPACK_OBJECT_ARRAY
                       || k->type == MSGPACK_OBJECT_MAP) {
                cli_val_put(r, "\"?\"", 3);
            } else {
                cli_val_put(r, "\"", 1);
                mp_put_json(r, k);
                cli_val_put(r, "\"", 1);
            }
            cli_val_put(r, ":", 1);
            mp_put_json(r, &o->via.map.ptr[i].val);
        }
        cli_val_put(r, "}", 1);
        break;
    default:
        cli_val_put(r, "null", 4);
        break;
    }
}

/* Sign-extends a big-endian two's complement number of len bytes. */
static int64_t mp_signed(uint64_t v, unsigned len)
{
    if (len < 8 && (v >> (8 * len - 1)) & 1u)
        v |= ~(uint64_t)0 << (8 * len);
    return (int64_t)v;
}

/*
** Writes a wanted scalar into field w from its header and payload (at most
** 9 bytes, within the window's look-ahead): integers in decimal, floats in
** their shortest form, booleans as true and false. Returns 0 or
** MP_TRUNCATED.
*/
static int mp_scalar(cli_reader *r, mp_state *st, const mp_head *h, size_t w)
{
    size_t need = h->hlen + (size_t)h->n;
    const unsigned char *p;
    char num[32];
    unsigned b;

    if (cli_in_fill(r, need) < need)
        return mp_short(st, h->kind, r->len - r->pos, need);
    p = r->buf + r->pos;
    b = p[0];
    cli_val_begin(r, w);
    if (h->kind == MP_BOOL) {
        cli_val_put(r, b == 0xC3 ? "true" : "false", b == 0xC3 ? 4 : 5);
    } else if (h->kind == MP_FLOAT && h->n == 4) {
        uint32_t bits = (uint32_t)mp_be(p + 1, 4);
        float f;

        memcpy(&f, &bits, sizeof f);
        mp_put_float(r, f, 1);
    } else if (h->kind == MP_FLOAT) {
        uint64_t bits = mp_be(p + 1, 8);
        double d;

        memcpy(&d, &bits, sizeof d);
        mp_put_float(r, d, 0);
    } else {
        if (b <= 0x7F)
            snprintf(num, sizeof num, "%u", b);
        else if (b >= 0xE0)
            snprintf(num, sizeof num, "%d", (int)b - 256);
        else if (b <= 0xCF)
            snprintf(num, sizeof num, "%" PRIu64, mp_be(p + 1, (unsigned)h->n));
        else
            snprintf(num, sizeof num, "%" PRId64,
                     mp_signed(mp_be(p + 1, (unsigned)h->n), (unsigned)h->n));
        cli_val_put(r, num, strlen(num));
    }
    cli_val_end(r);
    mp_consume(r, st, need);
    return 0;
}

/*
** Reads a wanted array, map or ext: walks it into the unpacker,
** decodes it and writes it as JSON text into field w. Too large, it is
** dropped from the unpacker and the field marked. Returns the walker's
** code.
*/
static int mp_wanted_other(cli_reader *r, mp_state *st, size_t w)
{
    int rc;

    st->feeding = 1;
    st->feed_over = 0;
    st->fed = 0;
    rc = mp_feed_value(r, st, w);
    st->feeding = 0;
    if (rc != 0 || r->cur_bad || st->feed_over) {
        if (rc == 0 && st->feed_over && !r->cur_bad)
            cli_val_too_large(r, w, st->fed);
        mp_unpacker_reset(r, st); /* a failure sets r->nomem */
        return rc;
    }
    rc = msgpack_unpacker_next(&st->unpacker, &st->result);
    if (rc != MSGPACK_UNPACK_SUCCESS) {
        cli_rec_fail(r, "field '%s' does not decode (msgpack-c error %d)",
                     r->want_name[w], rc);
        mp_unpacker_reset(r, st);
        return 0;
    }
    cli_val_begin(r, w);
    mp_put_json(r, &st->result.data);
    cli_val_end(r);
    msgpack_unpacked_destroy(&st->result);
    return 0;
}

/*
** Reads one key-value pair of the record's map. A wanted str or bin is
** streamed into its field (or, longer than the limit, skipped by its
** length and counted); nil leaves the field absent; the text must be a
** str or a bin. Returns the walker's code.
*/
static int mp_pair(cli_reader *r, mp_state *st, const char **text_kind)
{
    mp_head h;
    size_t w = CLI_NONE;
    int rc = mp_peek_head(r, &h);

    if (rc == MP_END)
        return MP_TRUNCATED;
    if (rc != 0)
        return rc;
    if (h.kind != MP_STR) {
        cli_rec_fail(r, "a key that is not a string (%s)",
                     mp_kind_name(h.kind));
        if ((rc = mp_skip_value(r, st, &h)) != 0)
            return rc;
        return mp_skip(r, st, 1);
    }
    mp_consume(r, st, h.hlen);
    st->key_len = 0;
    if ((rc = mp_payload(r, st, MP_STR, h.n, MP_KEY)) != 0)
        return rc;
    if (h.n < st->key_cap && !r->cur_bad)
        w = cli_want_find(r, st->key, st->key_len);
    if (w != CLI_NONE && st->seen[w]) {
        cli_rec_fail(r, "key '%s' appears twice", r->want_name[w]);
        w = CLI_NONE;
    }
    if (w == CLI_NONE)
        return mp_skip(r, st, 1);
    st->seen[w] = 1;
    if ((rc = mp_peek_head(r, &h)) != 0)
        return rc == MP_END ? MP_TRUNCATED : rc;
    if (h.kind == MP_STR || h.kind == MP_BIN) {
        mp_consume(r, st, h.hlen);
        if (h.n > r->cfg.max_field_bytes) {
            cli_val_too_large(r, w, h.n);
            return mp_payload(r, st, h.kind, h.n, MP_DROP);
        }
        cli_val_begin(r, w);
        rc = mp_payload(r, st, h.kind, h.n, MP_FIELD);
        cli_val_end(r);
        return rc;
    }
    if (w == r->want_text) {
        *text_kind = mp_kind_name(h.kind);
        return mp_skip_value(r, st, &h);
    }
    if (h.kind == MP_NIL)
        return mp_skip_value(r, st, &h);
    if (h.kind == MP_BOOL || h.kind == MP_INT || h.kind == MP_FLOAT)
        return mp_scalar(r, st, &h, w);
    return mp_wanted_other(r, st, w);
}

/* Reads the object that makes a record. Returns the walker's code. */
static int mp_object(cli_reader *r, mp_state *st)
{
    const char *text_kind = NULL;
    mp_head h;
    uint64_t i;
    int rc = mp_peek_head(r, &h);

    if (rc != 0)
        return rc == MP_END ? MP_TRUNCATED : rc;
    if (h.kind != MP_MAP) {
        cli_rec_fail(r, "not a map (%s)", mp_kind_name(h.kind));
        return mp_skip_value(r, st, &h);
    }
    mp_consume(r, st, h.hlen);
    for (i = 0; i < h.n; i++)
        if ((rc = mp_pair(r, st, &text_kind)) != 0)
            return rc;
    if (text_kind != NULL)
        cli_rec_fail(r, "no string field '%s' (it is %s)",
                     r->want_name[r->want_text], text_kind);
    return 0;
}

/* Reads one record. When the framing is lost (the input ends inside the
** object, or a byte is no msgpack type) that is what the record says,
** whatever else was wrong with it, and reading ends. */
static int mp_next(cli_reader *r, cli_batch *b)
{
    mp_state *st = r->fmt;
    int rc;

    if (cli_in_fill(r, 1) == 0)
        return 0;
    if (cli_rec_begin(r, b, 0, cli_in_offset(r)) != 0)
        return 0;
    memset(st->seen, 0, r->n_want);
    st->items = 0;
    st->trunc[0] = '\0';
    rc = mp_object(r, st);
    if (rc == MP_TRUNCATED || rc == MP_INVALID) {
        if (r->cur_want != CLI_NONE)
            cli_val_end(r);
        r->cur_bad = 0;
        if (rc == MP_TRUNCATED)
            cli_rec_fail(r, "truncated msgpack object%s", st->trunc);
        else
            cli_rec_fail(r, "invalid msgpack data (byte 0xC1 at byte %"
                         PRIu64 ")", cli_in_offset(r));
        r->done = 1;
    }
    cli_rec_end(r);
    return 1;
}

/* Sets up the msgpack state. */
int cli_msgpack_open(cli_reader *r, char *err, size_t err_size)
{
    mp_state *st = calloc(1, sizeof *st);

    if (st == NULL)
        goto nomem;
    r->fmt = st;
    r->fini = mp_fini;
    r->next = mp_next;
    msgpack_unpacked_init(&st->result);
    st->key_cap = r->want_name_max + 1;
    st->key = malloc(st->key_cap);
    st->seen = calloc(r->n_want ? r->n_want : 1, 1);
    if (st->key == NULL || st->seen == NULL || mp_unpacker_reset(r, st) != 0)
        goto nomem;
    return 0;
nomem:
    snprintf(err, err_size, "%s: out of memory", r->cfg.name);
    return -1;
}
