/*
** input_impl.h — what the four record readers share (not for the rest of
** the CLI, which sees only input.h).
**
** Three layers, all in input.c:
**  - the byte layer: a fixed 64 KiB window on the stream with a little
**    look-ahead, the input offset of every byte and the line count;
**  - the batch: records, and one arena per batch that holds every string
**    of every record (offsets while the batch fills, since the arena may
**    move as it grows; pointers once it is full);
**  - the record being read: its wanted fields (text, id, lang, keep,
**    deduplicated by name), each streamed into the arena and cut off at
**    max_field_bytes, and its first failure.
** A format reader (input_csv.c, input_jsonl.c, input_text.c,
** input_msgpack.c) parses bytes and drives the record functions; it never
** allocates per field and never holds a pointer into the arena.
*/
#ifndef WM_CLI_INPUT_IMPL_H
#define WM_CLI_INPUT_IMPL_H

#include "input.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define CLI_IN_CHUNK (64u * 1024u) /* bytes asked of the stream at a time */
#define CLI_IN_LOOKAHEAD 16u       /* bytes cli_in_avail() can promise */
#define CLI_IN_EOF (-1)            /* cli_in_peek(): no more bytes */
#define CLI_NONE ((size_t)-1)      /* "no such field" in index fields */
#define CLI_MSG_MAX 256u           /* longest record message kept */
#define CLI_DEFAULT_MAX_FIELD ((size_t)16 << 20) /* when the config says 0 */

/* How far a wanted field of the current record got. */
enum cli_value_state {
    CLI_VAL_ABSENT,   /* not in the record (or JSON null): NULL */
    CLI_VAL_PRESENT,  /* stored in the arena */
    CLI_VAL_TOO_LARGE /* over max_field_bytes: skipped, not stored */
};

/* One wanted field of one record in a batch. */
typedef struct cli_value {
    size_t off;        /* its first byte in the batch arena */
    size_t len;        /* bytes stored */
    uint64_t full_len; /* bytes the field had, stored or not */
    int state;         /* enum cli_value_state */
} cli_value;

/* The batch (input.h keeps it opaque). */
struct cli_batch {
    cli_record *records; /* [cap] the records */
    size_t n;            /* records in the batch */
    size_t cap;          /* records the arrays have room for */
    cli_value *values;   /* [cap * n_want] wanted fields, record by record */
    size_t n_want;       /* wanted fields a record (set by the reader) */
    const char **keep;   /* [cap * n_keep] the records' keep pointers */
    size_t *keep_len;    /* [cap * n_keep] and lengths */
    size_t n_keep;       /* keep fields a record */
    size_t *msg_off;     /* [cap] a record's message in the arena, or
                            CLI_NONE for "" */
    char *arena;         /* every string of the batch, NUL after each */
    size_t arena_len;    /* bytes used */
    size_t arena_cap;    /* bytes allocated */
    size_t bytes;        /* string bytes of the records so far (the
                            max_bytes budget) */
};

/* A format's record reader: adds at most one record to b with the record
** functions below. Returns 1 when it added one, 0 at the end of the input.
** Read errors and allocation failures are left in the reader (io_errno,
** nomem) for cli_reader_next_batch() to find. */
typedef int (*cli_next_fn)(cli_reader *r, cli_batch *b);

/* The reader (input.h keeps it opaque). */
struct cli_reader {
    cli_reader_config cfg;    /* the caller's configuration (its strings
                                 are borrowed) */
    unsigned char *buf;       /* the window: CLI_IN_CHUNK + look-ahead */
    size_t pos;               /* next byte to read in buf */
    size_t len;               /* bytes in buf */
    uint64_t base;            /* input offset of buf[0] */
    int eof;                  /* the stream has no more bytes */
    int io_errno;             /* errno of a read error, 0 when none */
    int nomem;                /* an allocation failed */
    uint64_t line;            /* line at pos (1-based) */
    uint64_t line_start;      /* input offset where that line starts */
    uint64_t number;          /* records read so far */
    int done;                 /* no records after this (end, or a
                                 format error that cannot be skipped) */
    char failed[CLI_MSG_MAX]; /* a read error kept for the next call */
    const char **want_name;   /* [n_want] the wanted fields' names */
    size_t *want_name_len;    /* [n_want] their lengths */
    size_t n_want;            /* how many distinct names */
    size_t want_name_max;     /* the longest name's length */
    size_t want_text;         /* index of the text field, or CLI_NONE */
    size_t want_id;           /* of the id field, or CLI_NONE */
    size_t want_lang;         /* of the lang field, or CLI_NONE */
    size_t *want_keep;        /* [n_keep] of each keep field */
    cli_batch *cur_batch;     /* the batch being filled */
    size_t cur_mark;          /* arena length when the record began */
    int cur_bad;              /* the record failed; cur_msg says how */
    char cur_msg[CLI_MSG_MAX];/* the record's first failure */
    size_t cur_want;          /* field being streamed, or CLI_NONE */
    size_t cur_start;         /* its first byte in the arena */
    uint64_t cur_full;        /* its bytes so far, stored or not */
    int cur_state;            /* its enum cli_value_state */
    size_t batch_records;     /* the batch being filled ends at this many */
    size_t batch_bytes;       /* records, or past this many text bytes
                                 (cli_reader_next_batch's limits, for a
                                 format that reads several records a call) */
    cli_next_fn next;         /* the format's record reader */
    void (*fini)(cli_reader *r); /* frees the format's state, or NULL */
    void *fmt;                /* the format's state */
};

/* --- the byte layer (input.c) ---------------------------------------- */

/* Makes at least n (<= CLI_IN_LOOKAHEAD) bytes readable at r->buf + r->pos
** unless the input ends first; returns how many are readable (0 at the
** end of the input or after a read error). */
size_t cli_in_fill(cli_reader *r, size_t n);

/* The next byte, or CLI_IN_EOF; does not consume it. */
static inline int cli_in_peek(cli_reader *r)
{
    if (r->pos < r->len)
        return r->buf[r->pos];
    return cli_in_fill(r, 1) ? r->buf[r->pos] : CLI_IN_EOF;
}

/* The input offset of the next byte. */
static inline uint64_t cli_in_offset(const cli_reader *r)
{
    return r->base + r->pos;
}

/* Counts a newline just consumed: the line after it starts here. */
static inline void cli_in_newline(cli_reader *r)
{
    r->line++;
    r->line_start = r->base + r->pos;
}

/* Skips a UTF-8 byte-order mark at the very start of the input. */
void cli_in_skip_bom(cli_reader *r);

/* --- the record being read (input.c) --------------------------------- */

/* Starts a record at an input line and offset in batch b. Returns 0, or
** -1 when the batch cannot grow (r->nomem is set). */
int cli_rec_begin(cli_reader *r, cli_batch *b, uint64_t line,
                  uint64_t offset);

/* Room in b for one more record and len more arena bytes: 0, or -1 when
** the batch cannot grow (plain text's lines, input_text.c). */
int cli_batch_room(cli_batch *b, size_t len);

/*
** A whole record of one field, the text, whose len bytes are (or will be,
** with a NUL after them) at offset off of the batch arena: the record and
** its text field set, the batch's counts moved on; the arena itself is
** the caller's to fill and to move on. The caller has checked that the
** reader wants the text alone (cli_rec_text_only) and made room for the
** record (b->n < b->cap).
*/
static inline void cli_rec_text_at(cli_reader *r, cli_batch *b, uint64_t line,
                                   uint64_t offset, size_t off, size_t len)
{
    cli_record *rec = &b->records[b->n];
    cli_value *v = &b->values[b->n];

    /* Every field of cli_record set once (batch_finalize sets the text
    ** and the message): a memset, or a compound literal, which compilers
    ** make a string store, costs more than the stores, once per line. */
    rec->number = ++r->number;
    rec->line = line;
    rec->offset = offset;
    rec->text = NULL;
    rec->text_len = 0;
    rec->id = NULL;
    rec->id_len = 0;
    rec->lang = NULL;
    rec->lang_len = 0;
    rec->keep = NULL;
    rec->keep_len = NULL;
    rec->status = CLI_REC_OK;
    rec->message = NULL;
    v->off = off;
    v->len = len;
    v->full_len = len;
    v->state = CLI_VAL_PRESENT;
    b->bytes += len + 1;
    b->msg_off[b->n] = CLI_NONE;
    b->n++;
}

/* 1 when the reader's records have one field, the text (plain text). */
static inline int cli_rec_text_only(const cli_reader *r, const cli_batch *b)
{
    return b->n_want == 1 && r->want_text == 0;
}

/* Marks the record broken (bad_row) with a printf-style message; the
** first failure of a record is the one kept. */
void cli_rec_fail(cli_reader *r, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Ends the record: settles its status and message, counts its bytes. */
void cli_rec_end(cli_reader *r);

/* Starts streaming wanted field w of the current record. */
void cli_val_begin(cli_reader *r, size_t w);

/* Appends bytes to the field being streamed: stored while the field stays
** within max_field_bytes, counted only after it passes. */
void cli_val_put(cli_reader *r, const void *bytes, size_t len);

/* Ends the field being streamed. */
void cli_val_end(cli_reader *r);

/* Sets wanted field w of the current record to a present empty string. */
void cli_val_empty(cli_reader *r, size_t w);

/* The state of wanted field w of the current record. */
int cli_val_state(const cli_reader *r, size_t w);

/* Notes that field w was found over the limit with full_len bytes
** without streaming it (msgpack knows lengths up front). */
void cli_val_too_large(cli_reader *r, size_t w, uint64_t full_len);

/* The wanted field whose name is name[0..len), or CLI_NONE. */
size_t cli_want_find(const cli_reader *r, const char *name, size_t len);

/* --- the formats ------------------------------------------------------ */

/* Each sets r->next (and r->fini, r->fmt). CSV reads and checks the
** header. Returns 0, or -1 with a message in err. */
int cli_csv_open(cli_reader *r, char *err, size_t err_size);
int cli_jsonl_open(cli_reader *r, char *err, size_t err_size);
int cli_text_open(cli_reader *r, char *err, size_t err_size);
int cli_msgpack_open(cli_reader *r, char *err, size_t err_size);

#endif /* WM_CLI_INPUT_IMPL_H */
