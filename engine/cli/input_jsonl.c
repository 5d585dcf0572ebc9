/*
** input_jsonl.c — JSON Lines, streamed: one JSON object a line.
**
** A strict RFC 8259 parser of our own that builds no tree. It walks each
** line once: the top-level member names are decoded and looked up among
** the wanted fields; a wanted string is decoded straight into the batch
** arena; a wanted value of another kind (a number as id, an array kept
** for the output) is copied as the exact JSON text it was written as; all
** else is checked and dropped. So a line costs the wanted fields and
** nothing else, whatever its size: a 1 GB answer on one line is counted,
** skipped and flagged too large while the id beside it is still read.
**
** Why not a library: json-c (Debian 12: 0.16) builds a tree whose size is
** hundreds of times the line ("[{},{},...]" of 3 MB takes 760 MB), clamps
** integers past 64 bits (an id 123456789012345678901234 comes back as
** 18446744073709551615), and even in strict mode takes 'single quotes'
** and NaN; jansson rejects integers past 64 bits and invalid UTF-8 (which
** must reach the pipeline, to be reported as invalid_utf8, not as a
** broken row). Neither can stream one field of a line.
**
** Nesting is tracked with one bit a level, not with recursion, and bounded
** at JSONL_MAX_DEPTH levels: a line nested deeper is a bad row. Strings
** are not checked for UTF-8 (the pipeline does that); a \u escape of a
** lone surrogate becomes its 3-byte (WTF-8) form, which the pipeline then
** reports as invalid UTF-8 rather than the reader hiding it.
*/
#include "input_impl.h"

#include <stdlib.h>
#include <string.h>

#define JSONL_MAX_DEPTH 512u /* deepest nesting accepted on a line */

/* What a string is read for. */
enum jsonl_mode {
    JSONL_SKIP,  /* checked only (copied raw when capturing) */
    JSONL_KEY,   /* decoded into the member-name buffer */
    JSONL_VALUE  /* decoded into the wanted field being streamed */
};

/* The JSON Lines reader's state. */
typedef struct jsonl_state {
    unsigned char special[256];  /* bytes that end a run inside a string */
    unsigned char stack[JSONL_MAX_DEPTH / 8 + 1]; /* a bit a level: 1 for
                                                     an object */
    int capture;                 /* copy consumed bytes into the field */
    char *key;                   /* the member name being read */
    size_t key_len;              /* its bytes (kept up to key_cap) */
    size_t key_cap;              /* bytes kept of a name: one more than
                                    the longest wanted name */
    int key_cut;                 /* the name was longer (cannot match) */
    unsigned char *seen;         /* [n_want] member seen in this line */
} jsonl_state;

/* Frees the JSON Lines state. */
static void jsonl_fini(cli_reader *r)
{
    jsonl_state *st = r->fmt;

    if (st == NULL)
        return;
    free(st->key);
    free(st->seen);
    free(st);
    r->fmt = NULL;
}

/* Consumes the byte at pos (the caller has peeked it), copying it into
** the field when capturing a value's JSON text. */
static void jsonl_take(cli_reader *r, jsonl_state *st)
{
    if (st->capture)
        cli_val_put(r, r->buf + r->pos, 1);
    r->pos++;
}

/* Skips JSON whitespace within the line (the newline ends the line, so it
** is not whitespace here) and returns the next byte. */
static int jsonl_ws(cli_reader *r, jsonl_state *st)
{
    for (;;) {
        int c = cli_in_peek(r);

        if (c != ' ' && c != '\t' && c != '\r')
            return c;
        jsonl_take(r, st);
    }
}

/* Fails the record at an unexpected byte c, saying what was expected.
** Returns -1. */
static int jsonl_unexpected(cli_reader *r, int c, const char *expected)
{
    if (c == CLI_IN_EOF)
        cli_rec_fail(r, "the input ends inside the JSON object");
    else if (c == '\n')
        cli_rec_fail(r, "the line ends inside the JSON object");
    else if (c > 0x20 && c < 0x7F)
        cli_rec_fail(r, "expected %s, found '%c'", expected, c);
    else
        cli_rec_fail(r, "expected %s, found byte 0x%02X", expected, c);
    return -1;
}

/* Decoded bytes of a string: into the member name or the wanted field. */
static void jsonl_emit(cli_reader *r, jsonl_state *st, int mode,
                       const void *bytes, size_t len)
{
    if (mode == JSONL_VALUE) {
        cli_val_put(r, bytes, len);
    } else if (mode == JSONL_KEY) {
        size_t room = st->key_cap - st->key_len;

        if (len > room) {
            len = room;
            st->key_cut = 1;
        }
        memcpy(st->key + st->key_len, bytes, len);
        st->key_len += len;
    }
}

/* Reads 4 hex digits of a \u escape. Returns the code unit, or -1. */
static long jsonl_hex4(cli_reader *r, jsonl_state *st)
{
    long v = 0;
    int i;

    for (i = 0; i < 4; i++) {
        int c = cli_in_peek(r);

        if (c >= '0' && c <= '9')
            v = v * 16 + (c - '0');
        else if (c >= 'a' && c <= 'f')
            v = v * 16 + (c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v = v * 16 + (c - 'A' + 10);
        else
            return -1;
        jsonl_take(r, st);
    }
    return v;
}

/* 1 when the next 6 bytes are \u followed by a low surrogate. */
static int jsonl_low_surrogate_next(cli_reader *r)
{
    const unsigned char *p;
    long v = 0;
    int i;

    if (cli_in_fill(r, 6) < 6)
        return 0;
    p = r->buf + r->pos;
    if (p[0] != '\\' || p[1] != 'u')
        return 0;
    for (i = 2; i < 6; i++) {
        int c = p[i];

        if (c >= '0' && c <= '9')
            v = v * 16 + (c - '0');
        else if (c >= 'a' && c <= 'f')
            v = v * 16 + (c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v = v * 16 + (c - 'A' + 10);
        else
            return 0;
    }
    return v >= 0xDC00 && v <= 0xDFFF;
}

/* Decodes a \u escape (the backslash and 'u' are consumed), pairing
** surrogates. Returns 0 or -1. */
static int jsonl_unicode(cli_reader *r, jsonl_state *st, int mode)
{
    unsigned char out[4];
    long cp = jsonl_hex4(r, st);
    size_t n;

    if (cp < 0)
        return jsonl_unexpected(r, cli_in_peek(r), "4 hex digits after \\u");
    if (cp >= 0xD800 && cp <= 0xDBFF && jsonl_low_surrogate_next(r)) {
        long lo;

        jsonl_take(r, st);
        jsonl_take(r, st);
        lo = jsonl_hex4(r, st);
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
    }
    if (cp < 0x80) {
        out[0] = (unsigned char)cp;
        n = 1;
    } else if (cp < 0x800) {
        out[0] = (unsigned char)(0xC0 | (cp >> 6));
        out[1] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        out[0] = (unsigned char)(0xE0 | (cp >> 12));
        out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        out[0] = (unsigned char)(0xF0 | (cp >> 18));
        out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
        out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        out[3] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    jsonl_emit(r, st, mode, out, n);
    return 0;
}

/*
** Reads a string from its opening quote: runs of plain bytes go out in
** one piece (decoded and raw are the same there), escapes one by one.
** Returns 0, or -1 with the record failed.
*/
static int jsonl_string(cli_reader *r, jsonl_state *st, int mode)
{
    jsonl_take(r, st);
    for (;;) {
        const unsigned char *p;
        size_t n, i;
        int c;

        if (r->pos == r->len && cli_in_fill(r, 1) == 0)
            return jsonl_unexpected(r, CLI_IN_EOF, "'\"'");
        p = r->buf + r->pos;
        n = r->len - r->pos;
        for (i = 0; i < n && !st->special[p[i]]; i++)
            ;
        if (i > 0) {
            jsonl_emit(r, st, mode, p, i);
            if (st->capture)
                cli_val_put(r, p, i);
            r->pos += i;
        }
        if (i == n)
            continue;
        c = p[i];
        if (c == '"') {
            jsonl_take(r, st);
            return 0;
        }
        if (c == '\n')
            return jsonl_unexpected(r, c, "'\"'");
        if (c < 0x20) {
            cli_rec_fail(r, "a control character (byte 0x%02X) inside a "
                         "string; JSON writes it as \\u%04X", c, c);
            return -1;
        }
        jsonl_take(r, st); /* the backslash */
        c = cli_in_peek(r);
        switch (c) {
        case '"': case '\\': case '/': {
            char ch = (char)c;

            jsonl_take(r, st);
            jsonl_emit(r, st, mode, &ch, 1);
            break;
        }
        case 'b': case 'f': case 'n': case 'r': case 't': {
            char ch = c == 'b' ? '\b' : c == 'f' ? '\f' : c == 'n' ? '\n'
                      : c == 'r' ? '\r' : '\t';

            jsonl_take(r, st);
            jsonl_emit(r, st, mode, &ch, 1);
            break;
        }
        case 'u':
            jsonl_take(r, st);
            if (jsonl_unicode(r, st, mode) != 0)
                return -1;
            break;
        default:
            return jsonl_unexpected(r, c, "an escape (\\\" \\\\ \\/ \\b \\f "
                                    "\\n \\r \\t \\u)");
        }
    }
}

/* 1 for an ASCII digit. */
static int jsonl_digit(int c)
{
    return c >= '0' && c <= '9';
}

/* Reads a number, checking RFC 8259's grammar (no leading zeros, no '+',
** digits after '.' and after the exponent). Returns 0 or -1. */
static int jsonl_number(cli_reader *r, jsonl_state *st)
{
    int c = cli_in_peek(r);

    if (c == '-') {
        jsonl_take(r, st);
        c = cli_in_peek(r);
    }
    if (c == '0') {
        jsonl_take(r, st);
        c = cli_in_peek(r);
    } else if (jsonl_digit(c)) {
        while (jsonl_digit(c)) {
            jsonl_take(r, st);
            c = cli_in_peek(r);
        }
    } else {
        return jsonl_unexpected(r, c, "a digit");
    }
    if (c == '.') {
        jsonl_take(r, st);
        c = cli_in_peek(r);
        if (!jsonl_digit(c))
            return jsonl_unexpected(r, c, "a digit after '.'");
        while (jsonl_digit(c)) {
            jsonl_take(r, st);
            c = cli_in_peek(r);
        }
    }
    if (c == 'e' || c == 'E') {
        jsonl_take(r, st);
        c = cli_in_peek(r);
        if (c == '+' || c == '-') {
            jsonl_take(r, st);
            c = cli_in_peek(r);
        }
        if (!jsonl_digit(c))
            return jsonl_unexpected(r, c, "a digit in the exponent");
        while (jsonl_digit(c)) {
            jsonl_take(r, st);
            c = cli_in_peek(r);
        }
    }
    return 0;
}

/* Reads true, false or null exactly. Returns 0 or -1. */
static int jsonl_literal(cli_reader *r, jsonl_state *st)
{
    const char *word;
    size_t i;

    switch (cli_in_peek(r)) {
    case 't': word = "true"; break;
    case 'f': word = "false"; break;
    default: word = "null"; break;
    }
    for (i = 0; word[i]; i++) {
        int c = cli_in_peek(r);

        if (c != word[i]) {
            char what[16];

            snprintf(what, sizeof what, "'%s'", word);
            return jsonl_unexpected(r, c, what);
        }
        jsonl_take(r, st);
    }
    return 0;
}

/* Sets or reads the bit that says whether nesting level d is an object. */
static void jsonl_push(jsonl_state *st, unsigned d, int is_object)
{
    if (is_object)
        st->stack[d / 8] |= (unsigned char)(1u << (d % 8));
    else
        st->stack[d / 8] &= (unsigned char)~(1u << (d % 8));
}

/* 1 when nesting level d is an object. */
static int jsonl_is_object(const jsonl_state *st, unsigned d)
{
    return (st->stack[d / 8] >> (d % 8)) & 1u;
}

/* Reads a member name and its ':' inside a nested object (checked only).
** Returns the byte after the ':' and the whitespace, or -2 on failure. */
static int jsonl_member_name(cli_reader *r, jsonl_state *st)
{
    int c = jsonl_ws(r, st);

    if (c != '"') {
        jsonl_unexpected(r, c, "a member name in quotes");
        return -2;
    }
    if (jsonl_string(r, st, JSONL_SKIP) != 0)
        return -2;
    c = jsonl_ws(r, st);
    if (c != ':') {
        jsonl_unexpected(r, c, "':'");
        return -2;
    }
    jsonl_take(r, st);
    return jsonl_ws(r, st);
}

/*
** Reads one value of any kind inside the top-level object (depth 1), with
** a loop and a bit stack instead of recursion, so that no input can run
** the C stack out. Returns 0, or -1 with the record failed.
*/
static int jsonl_value(cli_reader *r, jsonl_state *st)
{
    unsigned depth = 1; /* open containers, the top-level object included */
    int c = jsonl_ws(r, st);

    for (;;) {
        /* A value starts at c. */
        if (c == '{' || c == '[') {
            int is_object = c == '{';

            if (depth >= JSONL_MAX_DEPTH) {
                cli_rec_fail(r, "nested deeper than %u levels",
                             JSONL_MAX_DEPTH);
                return -1;
            }
            jsonl_take(r, st);
            jsonl_push(st, depth, is_object);
            depth++;
            c = jsonl_ws(r, st);
            if (c == (is_object ? '}' : ']')) {
                jsonl_take(r, st);
                depth--;
            } else if (is_object) {
                c = jsonl_member_name(r, st);
                if (c == -2)
                    return -1;
                continue;
            } else {
                continue;
            }
        } else if (c == '"') {
            if (jsonl_string(r, st, JSONL_SKIP) != 0)
                return -1;
        } else if (c == 't' || c == 'f' || c == 'n') {
            if (jsonl_literal(r, st) != 0)
                return -1;
        } else if (c == '-' || jsonl_digit(c)) {
            if (jsonl_number(r, st) != 0)
                return -1;
        } else {
            return jsonl_unexpected(r, c, "a JSON value");
        }
        /* A value has ended: close containers or go on to the next item. */
        for (;;) {
            int obj;

            if (depth == 1)
                return 0;
            obj = jsonl_is_object(st, depth - 1);
            c = jsonl_ws(r, st);
            if (c == ',') {
                jsonl_take(r, st);
                c = obj ? jsonl_member_name(r, st) : jsonl_ws(r, st);
                if (c == -2)
                    return -1;
                break;
            }
            if (c == (obj ? '}' : ']')) {
                jsonl_take(r, st);
                depth--;
                continue;
            }
            return jsonl_unexpected(r, c, obj ? "',' or '}'" : "',' or ']'");
        }
    }
}

/* What kind of JSON value starts with byte c, for messages. */
static const char *jsonl_kind(int c)
{
    switch (c) {
    case '{': return "an object";
    case '[': return "an array";
    case '"': return "a string";
    case 't': case 'f': return "a boolean";
    case 'n': return "null";
    default: return c == '-' || jsonl_digit(c) ? "a number" : "not JSON";
    }
}

/*
** Reads the value of a top-level member. A wanted string is decoded into
** its field; any other wanted value but null is kept as its JSON text; the
** text field must be a string. Returns 0 or -1.
*/
static int jsonl_member_value(cli_reader *r, jsonl_state *st, size_t w,
                              const char **text_kind)
{
    int c = cli_in_peek(r);
    int rc;

    if (w == CLI_NONE)
        return jsonl_value(r, st);
    if (st->seen[w]) {
        cli_rec_fail(r, "member '%s' appears twice", r->want_name[w]);
        return -1;
    }
    st->seen[w] = 1;
    if (c == '"') {
        cli_val_begin(r, w);
        rc = jsonl_string(r, st, JSONL_VALUE);
        cli_val_end(r);
        return rc;
    }
    if (w == r->want_text) {
        *text_kind = jsonl_kind(c);
        return jsonl_value(r, st);
    }
    if (c == 'n')
        return jsonl_value(r, st); /* null: the field stays absent */
    cli_val_begin(r, w);
    st->capture = 1;
    rc = jsonl_value(r, st);
    st->capture = 0;
    cli_val_end(r);
    return rc;
}

/* Reads the object that makes the record, up to the end of its line.
** Returns 0, or -1 with the record failed (the line is not consumed). */
static int jsonl_object(cli_reader *r, jsonl_state *st)
{
    const char *text_kind = NULL;
    int c = cli_in_peek(r);

    if (c != '{') {
        const char *kind = jsonl_kind(c);

        if (strcmp(kind, "not JSON") == 0)
            return jsonl_unexpected(r, c, "a JSON object");
        cli_rec_fail(r, "not a JSON object (%s)", kind);
        return -1;
    }
    r->pos++;
    c = jsonl_ws(r, st);
    if (c == '}') {
        r->pos++;
    } else {
        for (;;) {
            size_t w;

            if (c != '"')
                return jsonl_unexpected(r, c, "a member name in quotes");
            st->key_len = 0;
            st->key_cut = 0;
            if (jsonl_string(r, st, JSONL_KEY) != 0)
                return -1;
            c = jsonl_ws(r, st);
            if (c != ':')
                return jsonl_unexpected(r, c, "':'");
            r->pos++;
            jsonl_ws(r, st);
            w = st->key_cut ? CLI_NONE
                            : cli_want_find(r, st->key, st->key_len);
            if (jsonl_member_value(r, st, w, &text_kind) != 0)
                return -1;
            c = jsonl_ws(r, st);
            if (c == '}') {
                r->pos++;
                break;
            }
            if (c != ',')
                return jsonl_unexpected(r, c, "',' or '}'");
            r->pos++;
            c = jsonl_ws(r, st);
        }
    }
    c = jsonl_ws(r, st);
    if (c != '\n' && c != CLI_IN_EOF) {
        cli_rec_fail(r, "text after the JSON object");
        return -1;
    }
    if (c == '\n') {
        r->pos++;
        cli_in_newline(r);
    }
    if (text_kind != NULL)
        cli_rec_fail(r, "no string field '%s' (it is %s)",
                     r->want_name[r->want_text], text_kind);
    return 0;
}

/* Skips the rest of a broken line, through its newline. */
static void jsonl_skip_line(cli_reader *r)
{
    for (;;) {
        const unsigned char *nl;

        if (r->pos == r->len && cli_in_fill(r, 1) == 0)
            return;
        nl = memchr(r->buf + r->pos, '\n', r->len - r->pos);
        if (nl == NULL) {
            r->pos = r->len;
            continue;
        }
        r->pos = (size_t)(nl - r->buf) + 1;
        cli_in_newline(r);
        return;
    }
}

/* Reads one record: skips blank lines, parses the object, and after a
** failure resumes at the next line (a raw newline cannot be inside a JSON
** value, so the next line is always a fresh start). */
static int jsonl_next(cli_reader *r, cli_batch *b)
{
    jsonl_state *st = r->fmt;

    for (;;) {
        int c = cli_in_peek(r);

        if (c == CLI_IN_EOF)
            return 0;
        if (c == '\n') {
            r->pos++;
            cli_in_newline(r);
        } else if (c == ' ' || c == '\t' || c == '\r') {
            r->pos++;
        } else {
            break;
        }
    }
    if (cli_rec_begin(r, b, r->line, r->line_start) != 0)
        return 0;
    memset(st->seen, 0, r->n_want);
    st->capture = 0;
    if (jsonl_object(r, st) != 0) {
        st->capture = 0;
        cli_val_end(r);
        jsonl_skip_line(r);
    }
    cli_rec_end(r);
    return 1;
}

/* Sets up the JSON Lines state. */
int cli_jsonl_open(cli_reader *r, char *err, size_t err_size)
{
    jsonl_state *st = calloc(1, sizeof *st);
    int c;

    if (st == NULL)
        goto nomem;
    r->fmt = st;
    r->fini = jsonl_fini;
    r->next = jsonl_next;
    for (c = 0; c < 0x20; c++)
        st->special[c] = 1;
    st->special['"'] = 1;
    st->special['\\'] = 1;
    st->key_cap = r->want_name_max + 1;
    st->key = malloc(st->key_cap);
    st->seen = calloc(r->n_want ? r->n_want : 1, 1);
    if (st->key == NULL || st->seen == NULL)
        goto nomem;
    cli_in_skip_bom(r);
    return 0;
nomem:
    snprintf(err, err_size, "%s: out of memory", r->cfg.name);
    return -1;
}
