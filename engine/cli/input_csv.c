/*
** input_csv.c — RFC 4180 CSV, streamed: a header row, then one record a
** row (docs/batch.md).
**
** The scanner walks the window a run at a time (memchr for the closing
** quote of a quoted field, a 256-entry table for the bytes that end an
** unquoted run), so a long field costs one pass and no copy beyond the
** arena. Only the wanted columns are stored; the others are scanned and
** forgotten, so a wide file costs nothing for the columns nobody asked
** for. Lines count LF bytes, also those inside quoted fields, so that a
** row's line is the one an editor shows.
**
** After a broken row (a quote in an unquoted field, text after a closing
** quote) the scanner goes on to the row's end in a lenient mode: quoted
** fields still hide their delimiters and newlines, stray quotes no longer
** matter. That lands on the next real record boundary in the common
** cases, so one broken row does not take the rest of the file with it.
** Only a quote that is never closed does, and nothing can be done about
** that without reading the rest of the file twice: the record is bad and
** reading ends.
*/
#include "input_impl.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define CSV_NAME_MIN 256u   /* header names kept at least this long */
#define CSV_LIST_MAX 512u   /* the column list in messages */

/* A wanted column: where it is in the header and which field it feeds. */
typedef struct csv_col {
    size_t col;  /* 0-based column index */
    size_t want; /* wanted field index */
} csv_col;

/* The CSV reader's state. */
typedef struct csv_state {
    int delim;                  /* ',', ';' or '\t' */
    unsigned char stop[256];    /* 1 for bytes that end an unquoted run */
    size_t n_cols;              /* columns in the header */
    size_t text_col;            /* index of the text column */
    size_t *want_col;           /* [n_want] column of each wanted field */
    csv_col *cols;              /* [n_want] wanted columns by index */
    size_t cursor;              /* next entry of cols for this row */
    size_t cur_w;               /* wanted field of the current field, or
                                   CLI_NONE */
    int header;                 /* 1 while reading the header row */
    int header_err;             /* the header row is broken (msg says how) */
    char msg[CLI_MSG_MAX];      /* the header row's first error */
    char *name;                 /* the header field being read */
    size_t name_len;            /* its bytes (kept up to name_cap) */
    size_t name_cap;            /* bytes kept of a header field */
    int name_cut;               /* the header field was longer */
    char list[CSV_LIST_MAX];    /* "id, text, unit" for messages */
    size_t list_len;            /* bytes in list */
} csv_state;

/* Frees the CSV state. */
static void csv_fini(cli_reader *r)
{
    csv_state *st = r->fmt;

    if (st == NULL)
        return;
    free(st->want_col);
    free(st->cols);
    free(st->name);
    free(st);
    r->fmt = NULL;
}

/* Reports a broken row: on the record, or while reading the header, in
** the state for cli_reader_open() to say. */
static void csv_fail(cli_reader *r, csv_state *st, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static void csv_fail(cli_reader *r, csv_state *st, const char *fmt, ...)
{
    char msg[CLI_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!st->header) {
        cli_rec_fail(r, "%s", msg);
    } else if (!st->header_err) {
        st->header_err = 1;
        memcpy(st->msg, msg, sizeof msg);
    }
}

/* Bytes of the current field: into the header name (cut at name_cap) or
** into the record's wanted field. */
static void csv_put(cli_reader *r, csv_state *st, const void *bytes,
                    size_t len)
{
    if (st->header) {
        size_t room = st->name_cap - st->name_len;

        if (len > room) {
            len = room;
            st->name_cut = 1;
        }
        memcpy(st->name + st->name_len, bytes, len);
        st->name_len += len;
    } else if (st->cur_w != CLI_NONE) {
        cli_val_put(r, bytes, len);
    }
}

/* A field begins: find out whether its column is wanted (the wanted
** columns are sorted, and fields come in column order). */
static void csv_field_begin(cli_reader *r, csv_state *st, size_t col)
{
    if (st->header) {
        st->name_len = 0;
        st->name_cut = 0;
        return;
    }
    st->cur_w = CLI_NONE;
    while (st->cursor < r->n_want && st->cols[st->cursor].col < col)
        st->cursor++;
    if (st->cursor < r->n_want && st->cols[st->cursor].col == col) {
        st->cur_w = st->cols[st->cursor].want;
        cli_val_begin(r, st->cur_w);
    }
}

/* Appends text to the column list used in messages, as far as it fits;
** control bytes are escaped, since the message must stay on one line. */
static void csv_list_put(csv_state *st, const char *text, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        char esc[8];
        size_t n = 1;

        esc[0] = (char)c;
        if (c == '\n' || c == '\r' || c == '\t') {
            esc[0] = '\\';
            esc[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
            n = 2;
        } else if (c < 0x20 || c == 0x7F) {
            n = (size_t)snprintf(esc, sizeof esc, "\\x%02X", c);
        }
        if (st->list_len + n > sizeof st->list - 4) {
            memcpy(st->list + sizeof st->list - 4, "...", 4);
            st->list_len = sizeof st->list - 1;
            return;
        }
        memcpy(st->list + st->list_len, esc, n);
        st->list_len += n;
        st->list[st->list_len] = '\0';
    }
}

/* Appends a header name to the column list used in messages. */
static void csv_list_add(csv_state *st, const char *name, size_t len,
                         int cut)
{
    if (st->list_len >= sizeof st->list - 1)
        return;
    if (st->list_len)
        csv_list_put(st, ", ", 2);
    csv_list_put(st, name, len);
    if (cut)
        csv_list_put(st, "...", 3);
}

/* A field ends: a header name is matched against the wanted fields; a
** record's wanted field is closed. */
static void csv_field_end(cli_reader *r, csv_state *st, size_t col)
{
    if (!st->header) {
        if (st->cur_w != CLI_NONE)
            cli_val_end(r);
        st->cur_w = CLI_NONE;
        return;
    }
    csv_list_add(st, st->name, st->name_len, st->name_cut);
    if (!st->name_cut) {
        size_t w = cli_want_find(r, st->name, st->name_len);

        if (w != CLI_NONE && st->want_col[w] != CLI_NONE)
            csv_fail(r, st, "column '%s' appears twice (columns %zu and %zu)",
                     r->want_name[w], st->want_col[w] + 1, col + 1);
        else if (w != CLI_NONE)
            st->want_col[w] = col;
    }
}

/* The end of a quoted field has been reached (or of the record, or the
** input): whatever may follow a closing quote. Returns 1 when the record
** ends here, 0 when another field follows, -1 when something else follows
** (text after the closing quote). */
static int csv_after_quote(cli_reader *r, csv_state *st)
{
    int c = cli_in_peek(r);

    if (c == CLI_IN_EOF)
        return 1;
    if (c == st->delim) {
        r->pos++;
        return 0;
    }
    if (c == '\n') {
        r->pos++;
        cli_in_newline(r);
        return 1;
    }
    if (c == '\r') {
        size_t have = cli_in_fill(r, 2);

        if (have == 1) {
            r->pos++;
            return 1;
        }
        if (r->buf[r->pos + 1] == '\n') {
            r->pos += 2;
            cli_in_newline(r);
            return 1;
        }
    }
    return -1;
}

/*
** Reads a quoted field from its opening quote to its closing quote,
** undoing doubled quotes. Returns 0, or -1 when the input ends inside it.
*/
static int csv_quoted(cli_reader *r, csv_state *st, uint64_t *open_line)
{
    *open_line = r->line;
    r->pos++;
    for (;;) {
        const unsigned char *p, *q;
        size_t n, run, i;

        if (r->pos == r->len && cli_in_fill(r, 1) == 0)
            return -1;
        p = r->buf + r->pos;
        n = r->len - r->pos;
        q = memchr(p, '"', n);
        run = q ? (size_t)(q - p) : n;
        for (i = 0; i < run; i++)
            if (p[i] == '\n')
                r->line++;
        csv_put(r, st, p, run);
        r->pos += run;
        if (q == NULL)
            continue;
        if (cli_in_fill(r, 2) >= 2 && r->buf[r->pos + 1] == '"') {
            csv_put(r, st, "\"", 1);
            r->pos += 2;
            continue;
        }
        r->pos++;
        return 0;
    }
}

/*
** Reads an unquoted field (or the rest of one whose closing quote had text
** after it) up to a delimiter, the record's end or the input's end.
** Returns 1 when the record ends, 0 when another field follows. A quote in
** it breaks the row unless the row is already broken (lenient).
*/
static int csv_unquoted(cli_reader *r, csv_state *st, size_t col,
                        int *lenient)
{
    for (;;) {
        const unsigned char *p;
        size_t n, i;
        int c;

        if (r->pos == r->len && cli_in_fill(r, 1) == 0)
            return 1;
        p = r->buf + r->pos;
        n = r->len - r->pos;
        for (i = 0; i < n && !st->stop[p[i]]; i++)
            ;
        csv_put(r, st, p, i);
        r->pos += i;
        if (i == n)
            continue;
        c = p[i];
        if (c == '"') {
            if (!*lenient)
                csv_fail(r, st, "a quote inside unquoted field %zu (a field "
                         "with quotes must be put in quotes, and its quotes "
                         "written twice)", col + 1);
            *lenient = 1;
            csv_put(r, st, "\"", 1);
            r->pos++;
        } else if (c == '\n') {
            r->pos++;
            cli_in_newline(r);
            return 1;
        } else if (c == '\r') {
            size_t have = cli_in_fill(r, 2);

            if (have == 1) {
                r->pos++;
                return 1;
            }
            if (r->buf[r->pos + 1] == '\n') {
                r->pos += 2;
                cli_in_newline(r);
                return 1;
            }
            csv_put(r, st, "\r", 1);
            r->pos++;
        } else {
            r->pos++; /* the delimiter */
            return 0;
        }
    }
}

/*
** Reads one row, field by field, into the header or the current record.
** Returns the number of fields; *unterminated is set when the input ended
** inside a quoted field (the row is then broken and nothing follows it).
*/
static size_t csv_row(cli_reader *r, csv_state *st, int *unterminated)
{
    size_t col = 0;
    int lenient = 0;

    *unterminated = 0;
    for (;;) {
        int end;

        csv_field_begin(r, st, col);
        if (cli_in_peek(r) == '"') {
            uint64_t open_line;

            if (csv_quoted(r, st, &open_line) != 0) {
                csv_fail(r, st, "unterminated quoted field from line %llu",
                         (unsigned long long)open_line);
                *unterminated = 1;
                csv_field_end(r, st, col);
                return col + 1;
            }
            end = csv_after_quote(r, st);
            if (end < 0) {
                if (!lenient)
                    csv_fail(r, st, "text after the closing quote of field "
                             "%zu (a quote inside a quoted field is written "
                             "twice: \"\")", col + 1);
                lenient = 1;
                end = csv_unquoted(r, st, col, &lenient);
            }
        } else {
            end = csv_unquoted(r, st, col, &lenient);
        }
        csv_field_end(r, st, col);
        col++;
        if (end)
            return col;
    }
}

/* Skips empty lines (LF, CRLF, a CR at the very end). Returns 1 when a
** row follows, 0 at the end of the input. */
static int csv_skip_empty(cli_reader *r)
{
    for (;;) {
        size_t have = cli_in_fill(r, 2);
        int c;

        if (have == 0)
            return 0;
        c = r->buf[r->pos];
        if (c == '\n') {
            r->pos++;
            cli_in_newline(r);
        } else if (c == '\r' && (have == 1 || r->buf[r->pos + 1] == '\n')) {
            r->pos += have == 1 ? 1 : 2;
            if (have > 1)
                cli_in_newline(r);
        } else {
            return 1;
        }
    }
}

/* Sorts wanted columns by column index (a handful: insertion sort). */
static void csv_sort_cols(csv_col *cols, size_t n)
{
    size_t i, j;

    for (i = 1; i < n; i++) {
        csv_col c = cols[i];

        for (j = i; j > 0 && cols[j - 1].col > c.col; j--)
            cols[j] = cols[j - 1];
        cols[j] = c;
    }
}

/*
** Reads one record. A row with more fields than the header is broken; one
** with fewer is read with the missing fields empty as long as it reaches
** the text column, since spreadsheet programs drop trailing empty fields.
*/
static int csv_next(cli_reader *r, cli_batch *b)
{
    csv_state *st = r->fmt;
    int unterminated;
    size_t nf, k;

    if (!csv_skip_empty(r))
        return 0;
    if (cli_rec_begin(r, b, r->line, cli_in_offset(r)) != 0)
        return 0;
    st->cursor = 0;
    st->cur_w = CLI_NONE;
    nf = csv_row(r, st, &unterminated);
    if (nf > st->n_cols) {
        cli_rec_fail(r, "%zu field%s more than the header", nf - st->n_cols,
                     nf - st->n_cols == 1 ? "" : "s");
    } else if (nf < st->n_cols && st->text_col >= nf) {
        cli_rec_fail(r, "%zu field%s, but the text column '%s' is field %zu "
                     "of %zu", nf, nf == 1 ? "" : "s",
                     r->want_name[r->want_text], st->text_col + 1,
                     st->n_cols);
    } else if (nf < st->n_cols) {
        for (k = 0; k < r->n_want; k++)
            if (st->cols[k].col >= nf)
                cli_val_empty(r, st->cols[k].want);
    }
    cli_rec_end(r);
    if (unterminated)
        r->done = 1;
    return 1;
}

/* Reads the header row and finds every wanted column in it; the message
** for a missing one lists the columns there are. */
static int csv_header(cli_reader *r, csv_state *st, char *err,
                      size_t err_size)
{
    const char *name = r->cfg.name;
    int unterminated;
    size_t w, order[3], k;

    cli_in_skip_bom(r);
    if (!csv_skip_empty(r)) {
        if (r->io_errno)
            snprintf(err, err_size, "%s: read error: %s", name,
                     strerror(r->io_errno));
        else
            snprintf(err, err_size, "%s: no header row (the input is "
                     "empty)", name);
        return -1;
    }
    st->header = 1;
    st->n_cols = csv_row(r, st, &unterminated);
    st->header = 0;
    if (r->io_errno) {
        snprintf(err, err_size, "%s: read error: %s", name,
                 strerror(r->io_errno));
        return -1;
    }
    if (st->header_err) {
        snprintf(err, err_size, "%s: header row: %s", name, st->msg);
        return -1;
    }
    order[0] = r->want_text;
    order[1] = r->want_id;
    order[2] = r->want_lang;
    for (k = 0; k < 3 + r->cfg.n_keep; k++) {
        w = k < 3 ? order[k] : r->want_keep[k - 3];
        if (w != CLI_NONE && st->want_col[w] == CLI_NONE) {
            snprintf(err, err_size, "%s: no column '%s' (columns: %s)", name,
                     r->want_name[w], st->list);
            return -1;
        }
    }
    for (w = 0; w < r->n_want; w++) {
        st->cols[w].col = st->want_col[w];
        st->cols[w].want = w;
    }
    csv_sort_cols(st->cols, r->n_want);
    st->text_col = st->want_col[r->want_text];
    return 0;
}

/* Sets up the CSV state and reads the header. */
int cli_csv_open(cli_reader *r, char *err, size_t err_size)
{
    csv_state *st = calloc(1, sizeof *st);
    size_t w;

    if (st == NULL)
        goto nomem;
    r->fmt = st;
    r->fini = csv_fini;
    r->next = csv_next;
    st->delim = r->cfg.delimiter;
    st->stop[(unsigned char)st->delim] = 1;
    st->stop['\n'] = 1;
    st->stop['\r'] = 1;
    st->stop['"'] = 1;
    st->cur_w = CLI_NONE;
    st->name_cap = r->want_name_max + 1 > CSV_NAME_MIN ? r->want_name_max + 1
                                                       : CSV_NAME_MIN;
    st->name = malloc(st->name_cap);
    st->want_col = malloc(r->n_want * sizeof *st->want_col);
    st->cols = malloc(r->n_want * sizeof *st->cols);
    if (!st->name || !st->want_col || !st->cols)
        goto nomem;
    for (w = 0; w < r->n_want; w++)
        st->want_col[w] = CLI_NONE;
    if (csv_header(r, st, err, err_size) != 0)
        return -1;
    return 0;
nomem:
    snprintf(err, err_size, "%s: out of memory", r->cfg.name);
    return -1;
}
