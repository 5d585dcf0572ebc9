/*
** output.c — classify's writers: CSV, JSON Lines, msgpack, and the
** metadata record (output.h; docs/batch.md).
**
** msgpack records, the metadata record and the writer's fragments go
** through one emitter with two back ends (JSON text, and msgpack-c's
** packer). A JSON Lines record is written straight to the buffer by
** cli_json_record, the same keys and values in the same order without the
** emitter's per-item bookkeeping (the golden tests and the msgpack test,
** which compares the two formats, hold them together). CSV is written
** apart, as it is flat.
**
** Records are formatted by the workers (cli_formatter, one per worker,
** reading only the writer's configuration), so formatting scales with
** --threads and the main thread mostly copies bytes: a record is built in
** a byte buffer (no stdio call per character), the strings every record
** repeats (keys, area ids, plugin names, the all-zero scores) are made
** once per writer by the emitter itself and copied, scores are formatted
** without printf, strings are made valid UTF-8 and escaped in one pass,
** and the buffer goes to the stream in large writes. Every string is made valid UTF-8 (an invalid sequence
** becomes U+FFFD, as the library counts them): the output of a file of
** mojibake is still a file every reader can open. For JSON the result is
** byte for byte what json_writer.c's cli_json_string() writes for the
** repaired text (the msgpack test decodes with that function and compares).
*/
#define _POSIX_C_SOURCE 200809L /* fileno() under -std=c11 */

#include "output.h"

#include "json_writer.h"

#include <msgpack.h>
#include <errno.h>
#include <sys/uio.h>
#include <unistd.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* The writer hands its buffer to the stream when it holds this much. */
#define CLI_WRITE_CHUNK ((size_t)256 << 10)

/* Formatted records (cli_writer_formatted, cli_writer_runs) go to the
** stream without the buffer from this many bytes: some 35 records. With
** one worker a batch is one run; with two, some 90 runs of a dozen
** records, handed over together (cli_writer_runs). */
#define CLI_DIRECT_RUN ((size_t)16 << 10)

/* The offset of the first flagged byte in a SWAR result m != 0: exact on
** a little-endian machine (a borrow only flags bytes after a true one);
** elsewhere 0, which only sends the caller to its byte-at-a-time path. */
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define CLI_SWAR_FIRST(m) ((size_t)__builtin_ctzll(m) >> 3)
#else
#define CLI_SWAR_FIRST(m) ((size_t)0)
#endif

/* ------------------------------------------------------------------------
** Statuses and UTF-8
** --------------------------------------------------------------------- */

/* The names of the statuses, in enum cli_status order. */
static const char *const cli_status_names[CLI_ST_COUNT] = {
    "ok", "bad_row", "invalid_utf8", "too_large", "plugin_failed",
    "lang_unknown"
};

/* A status's name. */
const char *cli_status_name(int status)
{
    if (status < 0 || status >= CLI_ST_COUNT)
        return "unknown";
    return cli_status_names[status];
}

/*
** From i (at the start of a character), skips sixteen bytes at a time
** while they are all plain, and returns where the first that is not plain
** may be (at most 15 bytes before the end; the caller goes on from there
** byte by byte). Plain: ASCII, and two-byte UTF-8 sequences whose lead is
** at least `lead` (0xC2: any; 0xC3: none that is a C1 control); with
** `json`, not C0 controls, '"', '\' or DEL. Scandinavian answers have an
** å, ä or ö every few words, which stopped the eight-byte scan each time;
** here a block holding them passes in one step: its leads (0xC2..0xDF)
** and continuation bytes (0x80..0xBF) as bit masks must pair up, each
** lead followed by a continuation and each continuation preceded by a
** lead. Anything else (three- and four-byte sequences, invalid bytes, a
** lead at the block's end) stops the block there. SSE2 (every x86-64);
** elsewhere it skips nothing.
*/
static inline size_t cli_plain16(const unsigned char *s, size_t i, size_t len,
                                 unsigned char lead, int json)
{
#if defined(__SSE2__)
    const __m128i lead_lo = _mm_set1_epi8((char)(lead - 1));
    const __m128i lead_hi = _mm_set1_epi8((char)0xE0);
    const __m128i cont_hi = _mm_set1_epi8((char)0xC0);

    while (i + 16 <= len) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        unsigned hi = (unsigned)_mm_movemask_epi8(v);
        unsigned ld = (unsigned)_mm_movemask_epi8(
            _mm_and_si128(_mm_cmpgt_epi8(v, lead_lo), _mm_cmplt_epi8(v, lead_hi)));
        unsigned ct = (unsigned)_mm_movemask_epi8(_mm_cmplt_epi8(v, cont_hi));
        unsigned stop = (hi & ~ld & ~ct) | (ld & ~(ct >> 1)) | (ct & ~(ld << 1));

        if (json) {
            __m128i bad = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(-1)),
                                        _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
            bad = _mm_or_si128(bad, _mm_cmpeq_epi8(v, _mm_set1_epi8('"')));
            bad = _mm_or_si128(bad, _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
            bad = _mm_or_si128(bad, _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7F)));
            stop |= (unsigned)_mm_movemask_epi8(bad);
        }
        if (stop != 0)
            return i + (size_t)__builtin_ctz(stop);
        i += 16;
    }
#else
    (void)s;
    (void)len;
    (void)lead;
    (void)json;
#endif
    return i;
}

/*
** Checks UTF-8, ASCII a word at a time: answers are mostly ASCII, and a
** 16 MiB field is checked on every record.
*/
int cli_utf8_valid(const char *text, size_t text_len, size_t *bad_offset)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;

    while (i < text_len) {
        int valid;
        size_t n;

        i = cli_plain16(s, i, text_len, 0xC2, 0);
        if (i >= text_len)
            break;
        if (s[i] < 0x80) {
            while (i + 8 <= text_len) {
                uint64_t w;
                memcpy(&w, s + i, 8);
                w &= UINT64_C(0x8080808080808080);
                if (w != 0) {
                    i += CLI_SWAR_FIRST(w);
                    break;
                }
                i += 8;
            }
            while (i < text_len && s[i] < 0x80)
                i++;
            continue;
        }
        if (s[i] >= 0xC2 && s[i] <= 0xDF && i + 1 < text_len &&
            (s[i + 1] & 0xC0) == 0x80) { /* two bytes (å, ä, ö), no call */
            i += 2;
            continue;
        }
        n = cli_utf8_seq(s + i, text_len - i, &valid);
        if (!valid) {
            *bad_offset = i;
            return 0;
        }
        i += n;
    }
    return 1;
}

/* ------------------------------------------------------------------------
** A byte buffer
** --------------------------------------------------------------------- */

/* A growable byte buffer; after a failed allocation it takes nothing more
** and says so in failed. */
typedef struct cli_buf {
    char *data;  /* the bytes */
    size_t len;  /* used */
    size_t cap;  /* allocated */
    int failed;  /* memory ran out */
} cli_buf;

/* Makes room for n more bytes. Returns 0, or -1 (and sets failed). */
static int cli_buf_reserve(cli_buf *b, size_t n)
{
    size_t cap = b->cap ? b->cap : 4096;
    char *bigger;

    if (b->failed)
        return -1;
    if (n <= b->cap - b->len)
        return 0;
    while (cap - b->len < n) {
        if (cap > SIZE_MAX / 2) {
            b->failed = 1;
            return -1;
        }
        cap *= 2;
    }
    bigger = realloc(b->data, cap);
    if (bigger == NULL) {
        b->failed = 1;
        return -1;
    }
    b->data = bigger;
    b->cap = cap;
    return 0;
}

/* Copies n bytes to d and returns the cursor after them. Most pieces of a
** record are short (a key, an area id, a run of plain bytes between two
** letters such as å), and a short one is copied as two overlapping words,
** not by a call to memcpy. */
static inline __attribute__((always_inline)) char *
cli_put(char *d, const void *p, size_t n)
{
    const char *s = p;

    if (n > 16 && n <= 64) {
        /* The start of an evidence object ({"area":"hope_recovery",
        ** "start":), the middle of an ok record: two overlapping blocks
        ** from each end. */
        char x[16], y[16], u[16], v[16];

        memcpy(x, s, 16);
        memcpy(y, s + n - 16, 16);
        if (n > 32) {
            memcpy(u, s + 16, 16);
            memcpy(v, s + n - 32, 16);
            memcpy(d + 16, u, 16);
            memcpy(d + n - 32, v, 16);
        }
        memcpy(d, x, 16);
        memcpy(d + n - 16, y, 16);
    } else if (n >= 8 && n <= 16) {
        uint64_t x, y;

        memcpy(&x, s, 8);
        memcpy(&y, s + n - 8, 8);
        memcpy(d, &x, 8);
        memcpy(d + n - 8, &y, 8);
    } else if (n >= 4 && n < 8) {
        uint32_t x, y;

        memcpy(&x, s, 4);
        memcpy(&y, s + n - 4, 4);
        memcpy(d, &x, 4);
        memcpy(d + n - 4, &y, 4);
    } else if (n < 4) {
        for (size_t i = 0; i < n; i++)
            d[i] = s[i];
    } else {
        memcpy(d, s, n);
    }
    return d + n;
}

/* Appends n bytes: inline while they fit (nearly always, as the buffer
** keeps its size from record to record), a call only to grow. */
static inline __attribute__((always_inline)) void
cli_buf_add(cli_buf *b, const void *p, size_t n)
{
    if (n > b->cap - b->len && cli_buf_reserve(b, n) != 0)
        return;
    b->len = (size_t)(cli_put(b->data + b->len, p, n) - b->data);
}

/* Appends one byte. */
static inline void cli_buf_byte(cli_buf *b, char c)
{
    if (b->len < b->cap) {
        b->data[b->len++] = c;
        return;
    }
    cli_buf_add(b, &c, 1);
}

/* Appends a NUL-terminated string. */
static void cli_buf_cstr(cli_buf *b, const char *s)
{
    cli_buf_add(b, s, strlen(s));
}

/* Appends a string literal. */
#define CLI_BUF_LIT(b, lit) cli_buf_add((b), (lit), sizeof(lit) - 1)

/* "00" to "99": two decimal digits per division in cli_buf_uint. */
static const char cli_digits2[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* ------------------------------------------------------------------------
** A write cursor: for the parts of a JSON Lines record whose size is
** bounded in advance, one reservation, then appends that only copy and
** move a pointer (no check of the room and no store of the length each)
** --------------------------------------------------------------------- */

/* The end of b's bytes, with room for n more, or NULL when memory ran out
** (b->failed is then set). cli_buf_end() closes what was written. */
static inline char *cli_buf_at(cli_buf *b, size_t n)
{
    if (n > b->cap - b->len && cli_buf_reserve(b, n) != 0)
        return NULL;
    return b->data + b->len;
}

/* Ends b's bytes at d (a cursor from cli_buf_at, moved on). */
static inline void cli_buf_end(cli_buf *b, const char *d)
{
    b->len = (size_t)(d - b->data);
}


/* A string literal at the cursor. */
#define CLI_PUT_LIT(d, lit) cli_put((d), (lit), sizeof(lit) - 1)

/* An unsigned number at the cursor (at most 20 bytes), as cli_buf_uint:
** its digits counted first (comparisons, for the usual few digits), then
** written from the last, two a division, straight to the cursor. */
static inline __attribute__((always_inline)) char *
cli_put_uint(char *d, uint64_t v)
{
    static const uint64_t pow10[20] = {
        UINT64_C(1), UINT64_C(10), UINT64_C(100), UINT64_C(1000),
        UINT64_C(10000), UINT64_C(100000), UINT64_C(1000000),
        UINT64_C(10000000), UINT64_C(100000000), UINT64_C(1000000000),
        UINT64_C(10000000000), UINT64_C(100000000000),
        UINT64_C(1000000000000), UINT64_C(10000000000000),
        UINT64_C(100000000000000), UINT64_C(1000000000000000),
        UINT64_C(10000000000000000), UINT64_C(100000000000000000),
        UINT64_C(1000000000000000000), UINT64_C(10000000000000000000)
    };
    uint64_t x = v | 1; /* as many digits as v (a power of ten is even) */
    size_t n;
    char *p;

    /* An evidence's offsets, mostly under 10^4: their two pairs of
    ** digits straight. */
    if (v < 10000) {
        unsigned q = (unsigned)v / 100, r = (unsigned)v % 100;

        if (q == 0) {
            if (r < 10) {
                *d = (char)('0' + r);
                return d + 1;
            }
            memcpy(d, cli_digits2 + 2 * r, 2);
            return d + 2;
        }
        if (q < 10) {
            *d = (char)('0' + q);
            memcpy(d + 1, cli_digits2 + 2 * r, 2);
            return d + 3;
        }
        memcpy(d, cli_digits2 + 2 * q, 2);
        memcpy(d + 2, cli_digits2 + 2 * r, 2);
        return d + 4;
    }
    /* The digits from the bit length: log10(2) is about 1233 / 4096,
    ** which gives the count or one less; the table says which. */
    n = (size_t)(64 - __builtin_clzll(x)) * 1233 >> 12;
    n += x >= pow10[n];
    p = d + n;
    while (v >= 100) {
        unsigned r = (unsigned)(v % 100);

        v /= 100;
        p -= 2;
        memcpy(p, cli_digits2 + 2 * r, 2);
    }
    if (v >= 10)
        memcpy(p - 2, cli_digits2 + 2 * v, 2);
    else
        p[-1] = (char)('0' + v);
    return d + n;
}

/* Appends an unsigned number in decimal (cli_put_uint): a record's
** number, an evidence's offsets, where the write cursor is not used. */
static inline void cli_buf_uint(cli_buf *b, uint64_t v)
{
    char *d = cli_buf_at(b, 20);

    if (d != NULL)
        cli_buf_end(b, cli_put_uint(d, v));
}

/* Eight bytes at a time (SWAR): ONES has 1 in each byte, HIGHS the top
** bit. A byte of w equal to b, or below b (b at most 0x80), sets the top
** bit of its byte in the result; a true answer may also flag a byte next
** to such a one (a borrow), which only sends the caller to its slow path
** a byte early. */
#define CLI_ONES  UINT64_C(0x0101010101010101)
#define CLI_HIGHS UINT64_C(0x8080808080808080)

static inline uint64_t cli_swar_eq(uint64_t w, unsigned char b)
{
    uint64_t x = w ^ (CLI_ONES * b);

    return (x - CLI_ONES) & ~x & CLI_HIGHS;
}

static inline uint64_t cli_swar_lt(uint64_t w, unsigned char b)
{
    return (w - CLI_ONES * b) & ~w & CLI_HIGHS;
}

/* Bytes not plain in a JSON string (plain: ASCII from 0x20, not '"', '\\'
** or DEL), flagged as above. */
static inline uint64_t cli_json_mask8(const unsigned char *p)
{
    uint64_t w;

    memcpy(&w, p, 8);
    return (w & CLI_HIGHS) | cli_swar_lt(w, 0x20) | cli_swar_eq(w, '"') |
           cli_swar_eq(w, '\\') | cli_swar_eq(w, 0x7F);
}

/* Bytes not plain in a CSV field (plain: ASCII, not ',', '"', CR or LF). */
static inline uint64_t cli_csv_mask8(const unsigned char *p)
{
    uint64_t w;

    memcpy(&w, p, 8);
    return (w & CLI_HIGHS) | cli_swar_eq(w, ',') | cli_swar_eq(w, '"') |
           cli_swar_eq(w, '\r') | cli_swar_eq(w, '\n');
}

/* From i, skips eight plain bytes at a time (the last few through a
** padded copy) and stops at the first byte that is not plain (or, on a
** big-endian machine, a few bytes before it): the caller looks at that
** byte alone. Answers have a letter such as å, ä or ö every few words,
** so stopping at it rather than at the start of its word matters. `mask8`
** says which bytes are not plain (cli_json_mask8, cli_csv_mask8); the
** callers pass a constant, so it is inlined. */
static inline size_t cli_swar_skip(const unsigned char *s, size_t i, size_t len,
                                   uint64_t (*mask8)(const unsigned char *))
{
    while (i + 8 <= len) {
        uint64_t m = mask8(s + i);
        if (m != 0)
            return i + CLI_SWAR_FIRST(m);
        i += 8;
    }
    if (i < len) { /* the last bytes, padded with a plain one */
        unsigned char tail[8] = {'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a'};
        uint64_t m;

        memcpy(tail, s + i, len - i);
        m = mask8(tail);
        return m != 0 ? i + CLI_SWAR_FIRST(m) : len;
    }
    return i;
}

/* 1 for a two-byte UTF-8 sequence from U+00C0 (lead 0xC3..0xDF): valid,
** never overlong, never a C1 control. Latin letters with diacritics, the
** most common non-ASCII bytes of the answers, take this path. */
static inline int cli_utf8_two(const unsigned char *s, size_t avail)
{
    return avail >= 2 && s[0] >= 0xC3 && s[0] <= 0xDF && (s[1] & 0xC0) == 0x80;
}

/* U+FFFD, for a byte sequence that is not UTF-8. */
static const char cli_replacement[3] = {'\xEF', '\xBF', '\xBD'};

/*
** Appends a JSON string, quotes included: the text made valid UTF-8 (an
** invalid sequence as U+FFFD), '"' and '\' escaped with a backslash, C0
** controls, DEL and C1 controls as \u00XX: what cli_json_string() writes
** for the repaired text. Returns 1 when the text was copied as it is
** (valid UTF-8, nothing to escape), else 0.
*/
static int cli_buf_json_string(cli_buf *b, const char *text,
                               size_t text_len)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)text;
    size_t plain = 0; /* start of the pending run of plain bytes */
    size_t i = 0;

    cli_buf_byte(b, '"');
    while (i < text_len) {
        unsigned c;
        char esc[6] = {'\\', 'u', '0', '0', 0, 0};
        int valid;
        size_t n;

        i = cli_plain16(s, i, text_len, 0xC3, 1);
        i = cli_swar_skip(s, i, text_len, cli_json_mask8);
        if (i >= text_len)
            break;
        c = s[i];
        if (cli_utf8_two(s + i, text_len - i)) {
            i += 2;
            continue;
        }
        if (c < 0x80) {
            if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7F) {
                i++;
                continue;
            }
            cli_buf_add(b, text + plain, i - plain);
            if (c == '"' || c == '\\') {
                esc[1] = (char)c;
                cli_buf_add(b, esc, 2);
            } else {
                esc[4] = hex[c >> 4];
                esc[5] = hex[c & 15];
                cli_buf_add(b, esc, 6);
            }
            plain = ++i;
            continue;
        }
        n = cli_utf8_seq(s + i, text_len - i, &valid);
        if (valid && !(c == 0xC2 && s[i + 1] < 0xA0)) {
            i += n;
            continue;
        }
        cli_buf_add(b, text + plain, i - plain);
        if (!valid) {
            cli_buf_add(b, cli_replacement, 3);
        } else { /* a C1 control: U+0080..U+009F */
            esc[4] = hex[s[i + 1] >> 4];
            esc[5] = hex[s[i + 1] & 15];
            cli_buf_add(b, esc, 6);
        }
        i += n;
        plain = i;
    }
    cli_buf_add(b, text + plain, i - plain);
    cli_buf_byte(b, '"');
    return plain == 0;
}

/* Bytes of a block of valid UTF-8 that a JSON string holds otherwise than
** as they are: '"', '\\', C0 controls, DEL, and 0xC2, the lead of the C1
** controls (U+0080..009F; also of U+00A0..00BF, which only costs the
** careful path). A byte is flagged by a non-zero byte of the result: at
** most 0x1F when the saturating subtraction of 0x1F leaves 0. */
#if defined(__SSE2__)
static inline __m128i cli_json_flag16(__m128i v)
{
    const __m128i ctl = _mm_set1_epi8(0x1F);
    __m128i e = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                             _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));

    e = _mm_or_si128(e, _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7F)));
    e = _mm_or_si128(e, _mm_cmpeq_epi8(v, _mm_set1_epi8((char)0xC2)));
    return _mm_or_si128(e, _mm_cmpeq_epi8(_mm_subs_epu8(v, ctl),
                                          _mm_setzero_si128()));
}
#endif

/*
** cli_buf_json_string for a text known to be valid UTF-8 (the pipeline
** checked every answer before classifying it): then only '"', '\\', C0
** controls, DEL and C1 controls (U+0080..009F, whose lead is 0xC2) are
** written otherwise than as they are. Sixteen bytes at a time (SSE2), the
** last sixteen as one block overlapping the one before, each block tested
** for those bytes and for 0xC2 alone (cli_json_flag16) and stored to the
** buffer in the same pass: the copy is no second pass over the text. The
** findings are or-ed together and tested once at the end, as such a byte
** is rare; a text holding one (a quote, a no-break space) is then written
** by cli_buf_json_string from its start over what was stored, so the
** bytes written cannot differ. A text shorter than a block is tested in a
** copy padded with plain bytes. Returns as cli_buf_json_string.
*/
static int cli_buf_json_valid(cli_buf *b, const char *text, size_t text_len)
{
#if defined(__SSE2__)
    const unsigned char *s = (const unsigned char *)text;
    char *d;
    __m128i bad;

    if ((d = cli_buf_at(b, text_len + 2)) == NULL)
        return 1;
    *d++ = '"';
    if (text_len >= 16) {
        size_t i = 0;

        bad = _mm_setzero_si128();
        for (; i + 16 < text_len; i += 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));

            _mm_storeu_si128((__m128i *)(void *)(d + i), v);
            bad = _mm_or_si128(bad, cli_json_flag16(v));
        }
        {
            __m128i v = _mm_loadu_si128(
                (const __m128i *)(const void *)(s + text_len - 16));

            _mm_storeu_si128((__m128i *)(void *)(d + text_len - 16), v);
            bad = _mm_or_si128(bad, cli_json_flag16(v));
        }
    } else {
        unsigned char pad[16];

        memset(pad, 'a', sizeof pad);
        memcpy(pad, s, text_len);
        bad = cli_json_flag16(_mm_loadu_si128((const __m128i *)(const void *)pad));
        cli_put(d, s, text_len);
    }
    if (_mm_movemask_epi8(bad) != 0)
        return cli_buf_json_string(b, text, text_len);
    d += text_len;
    *d++ = '"';
    cli_buf_end(b, d);
    return 1;
#else
    return cli_buf_json_string(b, text, text_len);
#endif
}

/*
** Writes value as "%.4f" does into num (at least 24 bytes) and returns the
** length, or 0 when this is not sure to give printf's bytes: then the
** caller asks snprintf. A score is formatted nine times a record, and
** snprintf is some 1000 instructions a call. The scaled value x = value *
** 10^4 is off the exact product by at most half an ulp, under 2^-23 for
** |x| < 2^30; so when x's fraction is further than 10^-6 from one half,
** the exact product rounds the same way as x, and that is what glibc's
** exact printf does. Ties and near-ties, and large values, go to printf.
*/
static size_t cli_fixed4(double value, char *num)
{
    double x = fabs(value) * 10000.0;
    double whole, frac;
    uint64_t n, ip;
    unsigned dec;
    char digits[24];
    size_t len = 0, k = sizeof digits;

    if (!(x < 1073741824.0)) /* 2^30; also NaN */
        return 0;
    whole = floor(x);
    frac = x - whole;
    if (fabs(frac - 0.5) < 1e-6)
        return 0;
    n = (uint64_t)whole + (frac > 0.5);
    ip = n / 10000;
    dec = (unsigned)(n % 10000);
    if (signbit(value))
        num[len++] = '-';
    do {
        digits[--k] = (char)('0' + ip % 10);
        ip /= 10;
    } while (ip > 0);
    memcpy(num + len, digits + k, sizeof digits - k);
    len += sizeof digits - k;
    num[len++] = '.';
    num[len++] = (char)('0' + dec / 1000);
    num[len++] = (char)('0' + dec / 100 % 10);
    num[len++] = (char)('0' + dec / 10 % 10);
    num[len++] = (char)('0' + dec % 10);
    num[len] = '\0';
    return len;
}

/* The most bytes cli_put_number writes (it writes null rather than more). */
#define CLI_NUMBER_MAX 64

/*
** Writes a JSON number at the cursor as cli_json_number() writes it: at
** most four decimals, trailing zeros dropped, no "-0", null for NaN and
** infinities. Scores are mostly exactly 0, which skips the formatting.
*/
static char *cli_put_number(char *d, double value)
{
    char num[CLI_NUMBER_MAX];
    int n;

    if (value == 0.0) {
        *d = '0';
        return d + 1;
    }
    if (value > 0.0 && value < 1.0) {
        /* A score: cli_fixed4's rounding and test of a near-tie, then
        ** "0." and the four digits two at a time, trailing zeros dropped
        ** (1 and 0 when it rounds to them), without the general path's
        ** digit loop and copies. */
        double x = value * 10000.0;
        double whole = (double)(uint32_t)x; /* floor: 0 <= x < 10^4 */
        double frac = x - whole;

        if (fabs(frac - 0.5) >= 1e-6) {
            unsigned q = (unsigned)whole + (frac > 0.5); /* 0..10000 */
            char *e;

            if (q == 0 || q == 10000) {
                *d = q == 0 ? '0' : '1';
                return d + 1;
            }
            d[0] = '0';
            d[1] = '.';
            memcpy(d + 2, cli_digits2 + 2 * (q / 100), 2);
            memcpy(d + 4, cli_digits2 + 2 * (q % 100), 2);
            e = d + 6;
            while (e[-1] == '0') /* q > 0: stops at a digit */
                e--;
            return e;
        }
    }
    if (!isfinite(value))
        return CLI_PUT_LIT(d, "null");
    n = (int)cli_fixed4(value, num);
    if (n == 0)
        n = snprintf(num, sizeof num, "%.4f", value);
    if (n <= 0 || (size_t)n >= sizeof num)
        return CLI_PUT_LIT(d, "null");
    while (n > 0 && num[n - 1] == '0')
        n--;
    if (n > 0 && num[n - 1] == '.')
        n--;
    if (n == 2 && num[0] == '-' && num[1] == '0') { /* no "-0" */
        *d = '0';
        return d + 1;
    }
    return cli_put(d, num, (size_t)n);
}

/* The same appended to b. */
static void cli_buf_json_number(cli_buf *b, double value)
{
    char *d = cli_buf_at(b, CLI_NUMBER_MAX);

    if (d != NULL)
        cli_buf_end(b, cli_put_number(d, value));
}

/* ------------------------------------------------------------------------
** The emitter: JSON text or msgpack from the same calls
** --------------------------------------------------------------------- */

/* A string, or a whole value, already in the output format: bytes in the
** writer's frags buffer. */
typedef struct cli_frag {
    size_t off; /* where its bytes start in frags */
    size_t len; /* how many */
} cli_frag;

/* How deep maps and arrays nest (the metadata is the deepest, at 4). */
#define CLI_EMIT_DEPTH 8

/* One record or metadata being written as JSON or msgpack. */
typedef struct cli_emit {
    cli_buf *out;              /* where the bytes go */
    int msgpack;               /* 1: msgpack, 0: JSON */
    msgpack_packer pk;         /* msgpack's packer, writing to out */
    int depth;                 /* open maps and arrays */
    size_t count[CLI_EMIT_DEPTH]; /* items written at each depth (a map's
                                     keys and values both count) */
    size_t want[CLI_EMIT_DEPTH];  /* items announced at each depth */
    unsigned char is_map[CLI_EMIT_DEPTH]; /* 1 for a map */
    int failed;                /* set when a map or array did not get the
                                  items it announced (a bug: msgpack
                                  would be corrupt) */
} cli_emit;

/* msgpack-c's write callback: the bytes to the buffer. */
static int cli_emit_write(void *data, const char *buf, size_t len)
{
    cli_buf *b = data;

    cli_buf_add(b, buf, len);
    return b->failed ? -1 : 0;
}

/* Starts an emitter on out. */
static void cli_emit_init(cli_emit *e, cli_buf *out, int msgpack)
{
    memset(e, 0, sizeof *e);
    e->out = out;
    e->msgpack = msgpack;
    msgpack_packer_init(&e->pk, out, cli_emit_write);
}

/* JSON's punctuation before an item: ',' between items, ':' between a
** key and its value. Counts the item. */
static void cli_emit_pre(cli_emit *e)
{
    size_t c;

    if (e->depth == 0)
        return;
    c = e->count[e->depth - 1]++;
    if (e->msgpack || c == 0)
        return;
    if (e->is_map[e->depth - 1])
        cli_buf_byte(e->out, c % 2 == 1 ? ':' : ',');
    else
        cli_buf_byte(e->out, ',');
}

/* Opens a map of n pairs, or an array of n items. */
static void cli_emit_open(cli_emit *e, size_t n, int map)
{
    cli_emit_pre(e);
    if (e->msgpack) {
        if (map)
            msgpack_pack_map(&e->pk, n);
        else
            msgpack_pack_array(&e->pk, n);
    } else {
        cli_buf_byte(e->out, map ? '{' : '[');
    }
    if (e->depth < CLI_EMIT_DEPTH) {
        e->count[e->depth] = 0;
        e->want[e->depth] = map ? 2 * n : n;
        e->is_map[e->depth] = (unsigned char)map;
    }
    e->depth++;
}

static void cli_emit_map(cli_emit *e, size_t n) { cli_emit_open(e, n, 1); }
static void cli_emit_array(cli_emit *e, size_t n) { cli_emit_open(e, n, 0); }

/* Closes the innermost map or array. */
static void cli_emit_close(cli_emit *e)
{
    e->depth--;
    if (e->depth < CLI_EMIT_DEPTH && e->count[e->depth] != e->want[e->depth])
        e->failed = 1;
    if (!e->msgpack)
        cli_buf_byte(e->out, e->is_map[e->depth] ? '}' : ']');
}

/*
** Packs a msgpack str made valid UTF-8: its length is only known after
** the repair, so a text with an invalid sequence is repaired into the
** buffer first (rare), and valid text is packed as it is.
*/
static void cli_emit_pack_str(cli_emit *e, const char *text, size_t text_len)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t bad;
    size_t len = 0;
    size_t i;

    if (cli_utf8_valid(text, text_len, &bad)) {
        msgpack_pack_str(&e->pk, text_len);
        msgpack_pack_str_body(&e->pk, text, text_len);
        return;
    }
    for (i = 0; i < text_len;) {
        int valid;
        size_t n = cli_utf8_seq(s + i, text_len - i, &valid);
        len += valid ? n : 3;
        i += n;
    }
    msgpack_pack_str(&e->pk, len);
    for (i = 0; i < text_len;) {
        int valid;
        size_t n = cli_utf8_seq(s + i, text_len - i, &valid);
        if (valid)
            cli_buf_add(e->out, text + i, n);
        else
            cli_buf_add(e->out, cli_replacement, 3);
        i += n;
    }
}

/* A string of bytes (made valid UTF-8). */
static void cli_emit_str(cli_emit *e, const char *text, size_t text_len)
{
    cli_emit_pre(e);
    if (e->msgpack)
        cli_emit_pack_str(e, text, text_len);
    else
        cli_buf_json_string(e->out, text, text_len);
}

/* A fragment of the writer's (made by cli_frag_make). */
static void cli_emit_frag(cli_emit *e, const cli_buf *frags, cli_frag f)
{
    cli_emit_pre(e);
    cli_buf_add(e->out, frags->data + f.off, f.len);
}

/* A NUL-terminated string, or nil/null for NULL. */
static void cli_emit_cstr(cli_emit *e, const char *text)
{
    if (text != NULL) {
        cli_emit_str(e, text, strlen(text));
        return;
    }
    cli_emit_pre(e);
    if (e->msgpack)
        msgpack_pack_nil(&e->pk);
    else
        cli_buf_cstr(e->out, "null");
}

/* An unsigned integer. */
static void cli_emit_uint(cli_emit *e, uint64_t value)
{
    cli_emit_pre(e);
    if (e->msgpack)
        msgpack_pack_uint64(&e->pk, value);
    else
        cli_buf_uint(e->out, value);
}

/* A score: rounded to four decimals in both formats (JSON drops trailing
** zeros; msgpack holds the rounded double), so both say the same. */
static void cli_emit_score(cli_emit *e, double value)
{
    cli_emit_pre(e);
    if (e->msgpack) {
        double r = isfinite(value) ? round(value * 10000.0) / 10000.0 : 0.0;
        msgpack_pack_double(&e->pk, r == 0.0 ? 0.0 : r);
    } else {
        cli_buf_json_number(e->out, value);
    }
}

/* true or false. */
static void cli_emit_bool(cli_emit *e, int value)
{
    cli_emit_pre(e);
    if (e->msgpack) {
        if (value)
            msgpack_pack_true(&e->pk);
        else
            msgpack_pack_false(&e->pk);
    } else {
        cli_buf_cstr(e->out, value ? "true" : "false");
    }
}

/* ------------------------------------------------------------------------
** The metadata record
** --------------------------------------------------------------------- */

/* The data file whose name is `name`, into *info; 0 when found. */
static int cli_meta_find_data(const wm_engine *engine, const char *name,
                              wm_data_info *info)
{
    size_t n = wm_engine_data_count(engine);

    for (size_t i = 0; i < n; i++) {
        if (wm_engine_data_info(engine, i, info) == WM_OK && info->name != NULL
            && strcmp(info->name, name) == 0)
            return 0;
    }
    return -1;
}

/*
** Writes {"whatmatters_meta":{...}}: the engine version, the plugins with
** their versions and options, the combination rule, the taxonomy (path,
** fingerprint, area ids), the data folder and every data file the engine
** read, the spelling stage (--spell, --dict-dir), and the options that
** change results. The keys are always all there (null when unset), so that
** two metadata records compare field by field.
*/
static void cli_meta_emit(cli_emit *e, const wm_engine *engine,
                          const cli_meta *meta)
{
    const cli_setup *setup = meta->setup;
    size_t n_plugins = wm_engine_plugin_count(engine);
    size_t n_areas = wm_engine_area_count(engine);
    size_t n_data = wm_engine_data_count(engine);
    wm_data_info info;

    cli_emit_map(e, 1);
    cli_emit_cstr(e, "whatmatters_meta");
    cli_emit_map(e, 19);

    cli_emit_cstr(e, "version");
    cli_emit_cstr(e, wm_version());

    cli_emit_cstr(e, "plugins");
    cli_emit_array(e, n_plugins);
    for (size_t i = 0; i < n_plugins; i++) {
        const cli_plugin_arg *arg = setup != NULL && i < setup->n_plugins
            ? &setup->plugins[i] : NULL;
        cli_emit_map(e, 4);
        cli_emit_cstr(e, "name");
        cli_emit_cstr(e, wm_engine_plugin_name(engine, i));
        cli_emit_cstr(e, "version");
        cli_emit_cstr(e, wm_engine_plugin_version(engine, i));
        cli_emit_cstr(e, "given_as");
        cli_emit_cstr(e, arg != NULL ? arg->plugin
                                     : wm_engine_plugin_name(engine, i));
        cli_emit_cstr(e, "options");
        cli_emit_cstr(e, arg != NULL ? arg->options : NULL);
        cli_emit_close(e);
    }
    cli_emit_close(e);

    cli_emit_cstr(e, "combine");
    cli_emit_cstr(e, setup != NULL && setup->combine != NULL
                         ? setup->combine : "max");

    cli_emit_cstr(e, "taxonomy");
    cli_emit_map(e, 3);
    cli_emit_cstr(e, "path");
    cli_emit_cstr(e, setup != NULL ? setup->taxonomy : NULL);
    cli_emit_cstr(e, "fingerprint");
    cli_emit_cstr(e, cli_meta_find_data(engine, "taxonomy.txt", &info) == 0
                         ? info.fingerprint : NULL);
    cli_emit_cstr(e, "areas");
    cli_emit_array(e, n_areas);
    for (size_t i = 0; i < n_areas; i++)
        cli_emit_cstr(e, wm_engine_area_id(engine, i));
    cli_emit_close(e);
    cli_emit_close(e);

    cli_emit_cstr(e, "data_dir");
    cli_emit_cstr(e, setup != NULL ? setup->common.data_dir : NULL);

    cli_emit_cstr(e, "data");
    cli_emit_array(e, n_data);
    for (size_t i = 0; i < n_data; i++) {
        if (wm_engine_data_info(engine, i, &info) != WM_OK)
            memset(&info, 0, sizeof info);
        cli_emit_map(e, 4);
        cli_emit_cstr(e, "name");
        cli_emit_cstr(e, info.name);
        cli_emit_cstr(e, "source");
        cli_emit_cstr(e, info.source);
        cli_emit_cstr(e, "fingerprint");
        cli_emit_cstr(e, info.fingerprint);
        cli_emit_cstr(e, "bytes");
        cli_emit_uint(e, info.bytes);
        cli_emit_close(e);
    }
    cli_emit_close(e);

    /* --spell (and whether it was 'suggest'), and --dict-dir when the
    ** stage ran (null with it off). */
    cli_emit_cstr(e, "spell");
    cli_emit_bool(e, setup != NULL && setup->spell.on);
    cli_emit_cstr(e, "spell_suggest");
    cli_emit_bool(e, setup != NULL && setup->spell.on == WM_SPELL_SUGGEST);
    cli_emit_cstr(e, "dict_dir");
    cli_emit_cstr(e, setup != NULL && setup->spell.on
                         ? setup->spell.dict_dir : NULL);

    cli_emit_cstr(e, "lang");
    cli_emit_cstr(e, meta->lang);
    cli_emit_cstr(e, "lang_column");
    cli_emit_cstr(e, meta->lang_column);
    cli_emit_cstr(e, "lang_fallback");
    cli_emit_cstr(e, meta->lang_fallback);
    cli_emit_cstr(e, "input_format");
    cli_emit_cstr(e, meta->input_format);
    cli_emit_cstr(e, "delimiter");
    cli_emit_cstr(e, meta->delimiter);
    cli_emit_cstr(e, "text_column");
    cli_emit_cstr(e, meta->text_column);
    cli_emit_cstr(e, "id_column");
    cli_emit_cstr(e, meta->id_column);
    cli_emit_cstr(e, "keep");
    cli_emit_array(e, meta->n_keep);
    for (size_t i = 0; i < meta->n_keep; i++)
        cli_emit_cstr(e, meta->keep[i]);
    cli_emit_close(e);
    cli_emit_cstr(e, "text");
    cli_emit_bool(e, meta->with_text);
    cli_emit_cstr(e, "max_field_bytes");
    cli_emit_uint(e, meta->max_field_bytes);

    cli_emit_close(e);
    cli_emit_close(e);
}

/* The metadata as one JSON line. */
int cli_meta_write_json(FILE *out, const wm_engine *engine,
                        const cli_meta *meta)
{
    cli_buf buf = {NULL, 0, 0, 0};
    cli_emit e;
    int rc;

    cli_emit_init(&e, &buf, 0);
    cli_meta_emit(&e, engine, meta);
    cli_buf_byte(&buf, '\n');
    rc = e.failed || buf.failed
         || fwrite(buf.data, 1, buf.len, out) != buf.len ? -1 : 0;
    free(buf.data);
    return rc;
}

/* ------------------------------------------------------------------------
** Writers
** --------------------------------------------------------------------- */

/* The keys of a record, in the order of cli_key_names. */
enum cli_key {
    CLI_K_ID, CLI_K_KEEP, CLI_K_TEXT, CLI_K_LANG, CLI_K_STATUS,
    CLI_K_MESSAGE, CLI_K_AREAS, CLI_K_SCORES, CLI_K_EVIDENCE, CLI_K_AREA,
    CLI_K_START, CLI_K_END, CLI_K_RULE, CLI_K_PLUGIN, CLI_K_NEGATED,
    CLI_K_SPELLING, CLI_K_COUNT
};

static const char *const cli_key_names[CLI_K_COUNT] = {
    "id", "keep", "text", "lang", "status", "message", "areas", "scores",
    "evidence", "area", "start", "end", "rule", "plugin", "negated",
    "spelling"
};

/* Rules of evidence whose lengths a cli_json_cache keeps (a power of
** two). */
#define CLI_RULE_CACHE_BITS 8
#define CLI_RULE_CACHE (1u << CLI_RULE_CACHE_BITS)

/* Scores whose text a cli_json_cache keeps (a power of two). */
#define CLI_SCORE_CACHE_BITS 6
#define CLI_SCORE_CACHE (1u << CLI_SCORE_CACHE_BITS)

/* What a JSON Lines writer or formatter remembers from record to record:
** the last record's number in decimal (cli_json_cache_number), the
** lengths of strings the library lends for the run (cli_json_cache_lang,
** cli_json_cache_rule) and the text of scores seen before
** (cli_json_cache_score). Each formatter has its own, so formatters on
** different threads share nothing they write. */
typedef struct cli_json_cache {
    uint64_t number;                      /* the last record's number */
    char digits[24];                      /* it in decimal */
    size_t n_digits;                      /* how many, 0 before the first */
    const char *lang;                     /* the last record's language */
    size_t lang_len;                      /* its plain beginning */
    const char *rule[CLI_RULE_CACHE];     /* a rule at each place, or NULL */
    size_t rule_len[CLI_RULE_CACHE];      /* its plain beginning */
    uint64_t score_bits[CLI_SCORE_CACHE]; /* a score (its bits) at each place */
    char score_text[CLI_SCORE_CACHE][8];  /* as cli_put_number writes it */
    unsigned char score_len[CLI_SCORE_CACHE]; /* its bytes, 0: no score */
} cli_json_cache;

struct cli_writer {
    cli_writer_config cfg;  /* as given */
    size_t n_areas;         /* the taxonomy's areas */
    size_t n_plugins;       /* the engine's plugins */
    cli_buf out;            /* records not yet handed to the stream */
    cli_buf field;          /* a CSV field being built (evidence) */
    cli_json_cache cache;   /* for the records it formats itself */
    int failed;             /* memory ran out, or a bug in a map's size */
    /* Made once by cli_writer_new for JSON Lines and msgpack, read-only
    ** after it (formatters on other threads read them): */
    cli_buf frags;          /* the bytes of the fragments below */
    cli_frag keys[CLI_K_COUNT];      /* each key as a string */
    cli_frag statuses[CLI_ST_COUNT]; /* each status name as a string */
    cli_frag *areas;        /* [n_areas] each area id as a string */
    cli_frag *plugins;      /* [n_plugins] each plugin's name */
    cli_frag *keep;         /* [cfg.n_keep] each --keep name */
    cli_frag zero_scores;   /* the scores map with every score 0 */
    /* JSON Lines only: */
    cli_frag *ev_head;      /* [n_areas] {"area":"<id>","start": */
    cli_frag *ev_plugin;    /* [n_plugins] ,"plugin":"<name>","negated": */
    cli_frag *score_key;    /* [n_areas] {"<id>": for the first area,
                               ,"<id>": for the others */
    cli_frag ok_mid;        /* ","status":"ok","message":"","areas":[
                               (after an ok record's language) */
    cli_frag zero_tail;     /* ],"scores":<zero_scores>,"evidence":[ */
    cli_frag ok_plain;      /* ok_mid, zero_tail, ]}\n: the end of an ok
                               record without areas, scores or evidence */
    size_t *zero_at;        /* [n_areas] where area i's 0 is in zero_tail
                               (from its start), or NULL when the
                               record's scores are written key by key */
    uint64_t area_bits;     /* bit i set for each area i */
    size_t frag_max;        /* the longest of the fragments above that a
                               JSON Lines record holds (a status, an area
                               id, a --keep name and the JSON Lines ones),
                               for cli_json_record's reservations */
};

/* The scores map of a classified record (all zero when scores is NULL). */
static void cli_emit_scores(const cli_writer *w, cli_emit *e,
                            const double *scores)
{
    cli_emit_map(e, w->n_areas);
    for (size_t i = 0; i < w->n_areas; i++) {
        cli_emit_cstr(e, wm_engine_area_id(w->cfg.engine, i));
        cli_emit_score(e, scores != NULL ? scores[i] : 0.0);
    }
    cli_emit_close(e);
}

/*
** Makes a fragment: what the emitter writes for the string text (NULL:
** null/nil), or with scores != NULL for the scores map of all zeros, in
** the writer's format. Written by the emitter itself, so a fragment is
** byte for byte what the record would hold without it.
*/
static cli_frag cli_frag_make(cli_writer *w, const char *text, int scores)
{
    cli_frag f;
    cli_emit e;

    cli_emit_init(&e, &w->frags, w->cfg.format == CLI_OUT_MSGPACK);
    f.off = w->frags.len;
    if (scores)
        cli_emit_scores(w, &e, NULL);
    else
        cli_emit_cstr(&e, text);
    f.len = w->frags.len - f.off;
    w->failed |= e.failed;
    return f;
}

/* A JSON string for text, null for NULL. Every record has two short
** strings (its language and its message, mostly "sv" and "") and every
** evidence one (its rule, such as "värdig*"): one pass (cli_cstr_plain)
** finds the end and whether the bytes are plain (printable ASCII other
** than '"' and '\\', two-byte UTF-8 from U+00C0, as in
** cli_buf_json_string): the length of the plain beginning, which is the
** string's when the byte there is its NUL. A plain string is copied
** between quotes; anything else takes the full escaper from the first
** byte that is not plain, with the same result. */
static inline size_t cli_cstr_plain(const char *text)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;

    for (;;) {
        unsigned c = s[i];

        if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\')
            i++;
        else if (c >= 0xC3 && c <= 0xDF && (s[i + 1] & 0xC0) == 0x80)
            i += 2; /* s[i + 1] is at most the NUL, which is no continuation */
        else
            return i;
    }
}

/* The JSON string (or null) for text, appended to b. */
static void cli_json_cstr(cli_buf *b, const char *text)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i;

    if (text == NULL) {
        cli_buf_add(b, "null", 4);
        return;
    }
    i = cli_cstr_plain(text);
    if (s[i] != '\0') {
        cli_buf_json_string(b, text, i + strlen(text + i));
        return;
    }
    cli_buf_byte(b, '"');
    cli_buf_add(b, text, i);
    cli_buf_byte(b, '"');
}

/* A JSON fragment: prefix, the string as JSON, suffix. */
static cli_frag cli_json_frag(cli_buf *fr, const char *prefix,
                              const char *text, const char *suffix)
{
    cli_frag f;

    f.off = fr->len;
    cli_buf_cstr(fr, prefix);
    cli_json_cstr(fr, text);
    cli_buf_cstr(fr, suffix);
    f.len = fr->len - f.off;
    return f;
}

/* Makes w->frag_max at least f's length. */
static void cli_frag_max(cli_writer *w, cli_frag f)
{
    if (f.len > w->frag_max)
        w->frag_max = f.len;
}

/* Appends fragment f of fr to fr itself: room first, as the bytes would
** move if fr grew during the copy. */
static void cli_frag_again(cli_buf *fr, cli_frag f)
{
    if (cli_buf_reserve(fr, f.len) == 0)
        cli_buf_add(fr, fr->data + f.off, f.len);
}

/*
** The constant middle of an ok record, and the scores of a classified one
** as a template: ],"scores":{"access":0,...},"evidence":[ with where each
** 0 stands, so that a record whose few non-zero scores are known (a bit
** mask) is the template's runs between them and those numbers, and one
** without any is one copy; and the whole end of an ok record without an
** area, a score or evidence (most records) as one piece. The template is
** the emitter's all-zero map; where each 0 stands is known from the
** key-by-key writing of it, made after it and dropped again, and only
** when the two are byte for byte the same (zero_at stays NULL otherwise,
** and non-zero scores are written key by key as before).
*/
static void cli_writer_json_tail(cli_writer *w)
{
    cli_buf *fr = &w->frags;
    size_t *zero_at = calloc(w->n_areas + 1, sizeof *zero_at);
    size_t scratch, head = sizeof "],\"scores\":" - 1;

    w->ok_mid.off = fr->len;
    CLI_BUF_LIT(fr, "\",\"status\":");
    cli_frag_again(fr, w->statuses[CLI_ST_OK]);
    CLI_BUF_LIT(fr, ",\"message\":\"\",\"areas\":[");
    w->ok_mid.len = fr->len - w->ok_mid.off;

    w->zero_tail.off = fr->len;
    CLI_BUF_LIT(fr, "],\"scores\":");
    cli_frag_again(fr, w->zero_scores);
    CLI_BUF_LIT(fr, ",\"evidence\":[");
    w->zero_tail.len = fr->len - w->zero_tail.off;

    w->ok_plain.off = fr->len;
    cli_frag_again(fr, w->ok_mid);
    cli_frag_again(fr, w->zero_tail);
    CLI_BUF_LIT(fr, "]}\n");
    w->ok_plain.len = fr->len - w->ok_plain.off;

    scratch = fr->len;
    for (size_t i = 0; i < w->n_areas; i++) {
        cli_frag_again(fr, w->score_key[i]);
        if (zero_at != NULL)
            zero_at[i] = head + fr->len - scratch;
        cli_buf_byte(fr, '0');
    }
    if (w->n_areas == 0)
        cli_buf_byte(fr, '{');
    cli_buf_byte(fr, '}');
    if (fr->failed || zero_at == NULL || fr->len - scratch != w->zero_scores.len
        || memcmp(fr->data + scratch, fr->data + w->zero_scores.off,
                  w->zero_scores.len) != 0) {
        free(zero_at);
        zero_at = NULL;
    }
    if (!fr->failed)
        fr->len = scratch;
    w->zero_at = zero_at;
}

/* The larger fragments of the JSON Lines records: the score keys, the
** start of an evidence object for each area, and its plugin and the
** "negated" key for each plugin. */
static void cli_writer_json_frags(cli_writer *w)
{
    const wm_engine *engine = w->cfg.engine;
    cli_buf *fr = &w->frags;

    w->ev_head = calloc(w->n_areas + 1, sizeof *w->ev_head);
    w->ev_plugin = calloc(w->n_plugins + 1, sizeof *w->ev_plugin);
    w->score_key = calloc(w->n_areas + 1, sizeof *w->score_key);
    if (w->ev_head == NULL || w->ev_plugin == NULL || w->score_key == NULL) {
        w->failed = 1;
        return;
    }
    for (size_t i = 0; i < w->n_areas; i++)
        w->score_key[i] = cli_json_frag(fr, i == 0 ? "{" : ",",
                                        wm_engine_area_id(engine, i), ":");
    for (size_t i = 0; i < w->n_areas; i++)
        w->ev_head[i] = cli_json_frag(fr, "{\"area\":",
                                      wm_engine_area_id(engine, i), ",\"start\":");
    for (size_t i = 0; i < w->n_plugins; i++)
        w->ev_plugin[i] = cli_json_frag(fr, ",\"plugin\":",
                                        wm_engine_plugin_name(engine, i),
                                        ",\"negated\":");
    cli_writer_json_tail(w);
    for (int k = 0; k < CLI_ST_COUNT; k++)
        cli_frag_max(w, w->statuses[k]);
    for (size_t i = 0; i < w->n_areas; i++) {
        cli_frag_max(w, w->areas[i]);
        cli_frag_max(w, w->score_key[i]);
        cli_frag_max(w, w->ev_head[i]);
    }
    for (size_t i = 0; i < w->n_plugins; i++)
        cli_frag_max(w, w->ev_plugin[i]);
    for (size_t i = 0; i < w->cfg.n_keep; i++)
        cli_frag_max(w, w->keep[i]);
}

/* The fragments of the strings every record repeats: keys, statuses,
** area ids, plugin names, --keep names, and the all-zero scores. */
static void cli_writer_frags(cli_writer *w)
{
    const wm_engine *engine = w->cfg.engine;

    w->areas = calloc(w->n_areas + 1, sizeof *w->areas);
    w->plugins = calloc(w->n_plugins + 1, sizeof *w->plugins);
    w->keep = calloc(w->cfg.n_keep + 1, sizeof *w->keep);
    if (w->areas == NULL || w->plugins == NULL || w->keep == NULL) {
        w->failed = 1;
        return;
    }
    for (int k = 0; k < CLI_K_COUNT; k++)
        w->keys[k] = cli_frag_make(w, cli_key_names[k], 0);
    for (int k = 0; k < CLI_ST_COUNT; k++)
        w->statuses[k] = cli_frag_make(w, cli_status_name(k), 0);
    for (size_t i = 0; i < w->n_areas; i++)
        w->areas[i] = cli_frag_make(w, wm_engine_area_id(engine, i), 0);
    for (size_t i = 0; i < w->n_plugins; i++)
        w->plugins[i] = cli_frag_make(w, wm_engine_plugin_name(engine, i), 0);
    for (size_t i = 0; i < w->cfg.n_keep; i++)
        w->keep[i] = cli_frag_make(w, w->cfg.keep[i], 0);
    w->zero_scores = cli_frag_make(w, NULL, 1);
    if (w->cfg.format == CLI_OUT_JSONL)
        cli_writer_json_frags(w);
    w->failed |= w->frags.failed;
}

cli_writer *cli_writer_new(const cli_writer_config *cfg)
{
    cli_writer *w = calloc(1, sizeof *w);

    if (w == NULL)
        return NULL;
    w->cfg = *cfg;
    w->n_areas = wm_engine_area_count(cfg->engine);
    if (w->n_areas > WM_MAX_AREAS)
        w->n_areas = WM_MAX_AREAS;
    w->n_plugins = wm_engine_plugin_count(cfg->engine);
    w->area_bits = w->n_areas >= 64 ? ~(uint64_t)0
                                    : ((uint64_t)1 << w->n_areas) - 1;
    if (cfg->format != CLI_OUT_CSV)
        cli_writer_frags(w);
    if (w->failed) {
        cli_writer_free(w);
        return NULL;
    }
    return w;
}

void cli_writer_free(cli_writer *w)
{
    if (w == NULL)
        return;
    free(w->out.data);
    free(w->field.data);
    free(w->frags.data);
    free(w->areas);
    free(w->plugins);
    free(w->keep);
    free(w->ev_head);
    free(w->ev_plugin);
    free(w->score_key);
    free(w->zero_at);
    free(w);
}

/*
** Appends one CSV field: made valid UTF-8, and in double quotes (with
** quotes doubled) when it holds a comma, a quote, CR or LF (RFC 4180).
** One scan finds out both; a plain valid field is then copied whole.
*/
static void cli_csv_field(cli_buf *b, const char *text, size_t text_len)
{
    const unsigned char *s = (const unsigned char *)text;
    int quote = 0;
    int valid = 1;

    for (size_t i = 0; i < text_len;) {
        unsigned c;
        i = cli_swar_skip(s, i, text_len, cli_csv_mask8);
        if (i >= text_len)
            break;
        c = s[i];
        if (cli_utf8_two(s + i, text_len - i)) {
            i += 2;
        } else if (c < 0x80) {
            if (c == ',' || c == '"' || c == '\r' || c == '\n')
                quote = 1;
            i++;
        } else {
            int ok;
            i += cli_utf8_seq(s + i, text_len - i, &ok);
            valid &= ok;
        }
    }
    if (!quote && valid) {
        cli_buf_add(b, text, text_len);
        return;
    }
    if (quote)
        cli_buf_byte(b, '"');
    {
        size_t i = 0, plain = 0; /* plain: start of the pending run */

        while (i < text_len) {
            unsigned c;
            int ok = 1;
            size_t n;

            i = cli_swar_skip(s, i, text_len, cli_csv_mask8);
            if (i >= text_len)
                break;
            c = s[i];
            if (cli_utf8_two(s + i, text_len - i)) {
                i += 2;
                continue;
            }
            n = c < 0x80 ? 1 : cli_utf8_seq(s + i, text_len - i, &ok);
            if (c == '"' || !ok) {
                cli_buf_add(b, text + plain, i - plain);
                if (ok)
                    cli_buf_add(b, "\"\"", 2);
                else
                    cli_buf_add(b, cli_replacement, 3);
                plain = i + n;
            }
            i += n;
        }
        cli_buf_add(b, text + plain, text_len - plain);
    }
    if (quote)
        cli_buf_byte(b, '"');
}

/* A NUL-terminated CSV field ("" for NULL). */
static void cli_csv_cfield(cli_buf *b, const char *text)
{
    if (text != NULL)
        cli_csv_field(b, text, strlen(text));
}

/* The header row: the contract's field names in its order. */
static void cli_csv_header(cli_writer *w)
{
    cli_buf *b = &w->out;
    const wm_engine *engine = w->cfg.engine;

    cli_buf_cstr(b, "id");
    for (size_t i = 0; i < w->cfg.n_keep; i++) {
        cli_buf_byte(b, ',');
        cli_csv_cfield(b, w->cfg.keep[i]);
    }
    if (w->cfg.with_text)
        cli_buf_cstr(b, ",text");
    cli_buf_cstr(b, ",lang,status,message");
    for (size_t i = 0; i < w->n_areas; i++) {
        cli_buf_byte(b, ',');
        cli_csv_cfield(b, wm_engine_area_id(engine, i));
    }
    for (size_t i = 0; i < w->n_areas; i++) {
        const char *id = wm_engine_area_id(engine, i);
        w->field.len = 0;
        cli_buf_cstr(&w->field, id != NULL ? id : "");
        cli_buf_cstr(&w->field, "_score");
        cli_buf_byte(b, ',');
        cli_csv_field(b, w->field.data, w->field.len);
    }
    cli_buf_cstr(b, ",evidence\n");
}

/* The span of evidence in the answer, cut to the text (a plugin should
** never report a span outside it, but the writer does not trust that). */
static void cli_evidence_span(const wm_evidence *ev, size_t text_len,
                              size_t *start, size_t *end)
{
    *start = ev->start < text_len ? ev->start : text_len;
    *end = ev->end < text_len ? ev->end : text_len;
    if (*end < *start)
        *end = *start;
}

/* A score with four decimals, as "%.4f" writes it. */
static void cli_csv_score(cli_buf *b, double s)
{
    char num[64];
    int n;

    if (s == 0.0 || !isfinite(s)) {
        cli_buf_cstr(b, "0.0000");
        return;
    }
    if (s == 1.0) {
        cli_buf_cstr(b, "1.0000");
        return;
    }
    n = (int)cli_fixed4(s, num);
    if (n == 0)
        n = snprintf(num, sizeof num, "%.4f", s);
    if (n > 0 && (size_t)n < sizeof num)
        cli_buf_add(b, strcmp(num, "-0.0000") == 0 ? "0.0000" : num,
                    strcmp(num, "-0.0000") == 0 ? 6 : (size_t)n);
}

/* One CSV row. Areas and scores are empty cells for a record that was not
** classified (bad_row, too_large, lang_unknown), so that nobody reads
** them as "no area". */
static void cli_csv_record(const cli_writer *w, cli_buf *b, cli_buf *field,
                           const cli_record *rec, const cli_result *res)
{
    const wm_engine *engine = w->cfg.engine;

    if (rec->id != NULL)
        cli_csv_field(b, rec->id, rec->id_len);
    else
        cli_buf_uint(b, rec->number);
    for (size_t i = 0; i < w->cfg.n_keep; i++) {
        cli_buf_byte(b, ',');
        if (rec->keep != NULL && rec->keep[i] != NULL)
            cli_csv_field(b, rec->keep[i], rec->keep_len[i]);
    }
    if (w->cfg.with_text) {
        cli_buf_byte(b, ',');
        cli_csv_field(b, rec->text, rec->text_len);
    }
    cli_buf_byte(b, ',');
    cli_csv_cfield(b, res->lang);
    cli_buf_byte(b, ',');
    cli_buf_cstr(b, cli_status_name(res->status));
    cli_buf_byte(b, ',');
    cli_csv_cfield(b, res->message);
    for (size_t i = 0; i < w->n_areas; i++) {
        cli_buf_byte(b, ',');
        if (res->coded)
            cli_buf_byte(b, res->labels & ((uint64_t)1 << i) ? '1' : '0');
    }
    for (size_t i = 0; i < w->n_areas; i++) {
        cli_buf_byte(b, ',');
        if (res->coded)
            cli_csv_score(b, res->scores != NULL ? res->scores[i] : 0.0);
    }
    cli_buf_byte(b, ',');
    field->len = 0;
    /* The cell names spans, not rules (JSON Lines has those): a span that
    ** several rules matched for one area is written once. The evidence is
    ** in order of start, then area, so repeats are next to each other. */
    for (size_t k = 0, written = 0; k < res->n_evidence; k++) {
        const wm_evidence *ev = &res->evidence[k];
        const char *id = wm_engine_area_id(engine, ev->area);
        size_t start, end;

        if (k > 0 && ev->area == res->evidence[k - 1].area &&
            ev->start == res->evidence[k - 1].start && ev->end == res->evidence[k - 1].end)
            continue;
        cli_evidence_span(ev, rec->text_len, &start, &end);
        if (written++ > 0)
            cli_buf_add(field, "; ", 2);
        cli_buf_cstr(field, id != NULL ? id : "");
        cli_buf_byte(field, '=');
        cli_buf_add(field, rec->text + start, end - start);
    }
    if (field->len > 0)
        cli_csv_field(b, field->data, field->len);
    cli_buf_byte(b, '\n');
    b->failed |= field->failed;
}

/* Number of bits set. */
static size_t cli_popcount(uint64_t x)
{
    size_t n = 0;

    for (; x != 0; x &= x - 1)
        n++;
    return n;
}

/*
** One record as a map (a JSON object, or a msgpack map):
** {"id", "keep":{...}, "text", "lang", "status", "message", "areas":[...],
**  "scores":{...}, "evidence":[{"area","start","end","text","rule",
**  "plugin","negated"[,"spelling":true]}]}: "spelling" only for evidence
** that rests on a word the spelling stage split or corrected, so that the
** records of a run without the stage keep their bytes. The id is the --id-column string, or the record
** number as an integer. Scores are {} for a record that was not
** classified.
*/
static void cli_emit_record(const cli_writer *w, cli_emit *e,
                            const cli_record *rec, const cli_result *res)
{
    const wm_engine *engine = w->cfg.engine;
    const cli_buf *fr = &w->frags;
    uint64_t labels = 0;
    int zero = 1;

    for (size_t i = 0; res->coded && i < w->n_areas; i++)
        labels |= res->labels & ((uint64_t)1 << i);

    cli_emit_map(e, w->cfg.with_text ? 9 : 8);
    cli_emit_frag(e, fr, w->keys[CLI_K_ID]);
    if (rec->id != NULL)
        cli_emit_str(e, rec->id, rec->id_len);
    else
        cli_emit_uint(e, rec->number);

    cli_emit_frag(e, fr, w->keys[CLI_K_KEEP]);
    cli_emit_map(e, w->cfg.n_keep);
    for (size_t i = 0; i < w->cfg.n_keep; i++) {
        cli_emit_frag(e, fr, w->keep[i]);
        if (rec->keep != NULL && rec->keep[i] != NULL)
            cli_emit_str(e, rec->keep[i], rec->keep_len[i]);
        else
            cli_emit_cstr(e, NULL);
    }
    cli_emit_close(e);

    if (w->cfg.with_text) {
        cli_emit_frag(e, fr, w->keys[CLI_K_TEXT]);
        cli_emit_str(e, rec->text, rec->text_len);
    }
    cli_emit_frag(e, fr, w->keys[CLI_K_LANG]);
    cli_emit_cstr(e, res->lang != NULL ? res->lang : "");
    cli_emit_frag(e, fr, w->keys[CLI_K_STATUS]);
    if (res->status >= 0 && res->status < CLI_ST_COUNT)
        cli_emit_frag(e, fr, w->statuses[res->status]);
    else
        cli_emit_cstr(e, cli_status_name(res->status));
    cli_emit_frag(e, fr, w->keys[CLI_K_MESSAGE]);
    cli_emit_cstr(e, res->message != NULL ? res->message : "");

    cli_emit_frag(e, fr, w->keys[CLI_K_AREAS]);
    cli_emit_array(e, cli_popcount(labels));
    for (size_t i = 0; i < w->n_areas; i++) {
        if (labels & ((uint64_t)1 << i))
            cli_emit_frag(e, fr, w->areas[i]);
    }
    cli_emit_close(e);

    /* Most answers score nothing: their map is one copy. */
    cli_emit_frag(e, fr, w->keys[CLI_K_SCORES]);
    for (size_t i = 0; res->scores != NULL && i < w->n_areas && zero; i++)
        zero = res->scores[i] == 0.0;
    if (!res->coded) {
        cli_emit_map(e, 0);
        cli_emit_close(e);
    } else if (zero) {
        cli_emit_frag(e, fr, w->zero_scores);
    } else {
        cli_emit_map(e, w->n_areas);
        for (size_t i = 0; i < w->n_areas; i++) {
            cli_emit_frag(e, fr, w->areas[i]);
            cli_emit_score(e, res->scores[i]);
        }
        cli_emit_close(e);
    }

    cli_emit_frag(e, fr, w->keys[CLI_K_EVIDENCE]);
    cli_emit_array(e, res->n_evidence);
    for (size_t k = 0; k < res->n_evidence; k++) {
        const wm_evidence *ev = &res->evidence[k];
        int spelling = (ev->flags & WM_EVIDENCE_SPELLING) != 0;
        size_t start, end;

        cli_evidence_span(ev, rec->text_len, &start, &end);
        cli_emit_map(e, spelling ? 8 : 7);
        cli_emit_frag(e, fr, w->keys[CLI_K_AREA]);
        if (ev->area < w->n_areas)
            cli_emit_frag(e, fr, w->areas[ev->area]);
        else
            cli_emit_cstr(e, wm_engine_area_id(engine, ev->area));
        cli_emit_frag(e, fr, w->keys[CLI_K_START]);
        cli_emit_uint(e, ev->start);
        cli_emit_frag(e, fr, w->keys[CLI_K_END]);
        cli_emit_uint(e, ev->end);
        cli_emit_frag(e, fr, w->keys[CLI_K_TEXT]);
        cli_emit_str(e, rec->text + start, end - start);
        cli_emit_frag(e, fr, w->keys[CLI_K_RULE]);
        cli_emit_cstr(e, ev->rule);
        cli_emit_frag(e, fr, w->keys[CLI_K_PLUGIN]);
        if (ev->plugin < w->n_plugins)
            cli_emit_frag(e, fr, w->plugins[ev->plugin]);
        else
            cli_emit_cstr(e, wm_engine_plugin_name(engine, ev->plugin));
        cli_emit_frag(e, fr, w->keys[CLI_K_NEGATED]);
        cli_emit_bool(e, (ev->flags & WM_EVIDENCE_NEGATED) != 0);
        if (spelling) {
            cli_emit_frag(e, fr, w->keys[CLI_K_SPELLING]);
            cli_emit_bool(e, 1);
        }
        cli_emit_close(e);
    }
    cli_emit_close(e);

    cli_emit_close(e);
}

/* Appends a fragment of the writer's. */
static inline void cli_buf_frag(cli_buf *b, const cli_buf *frags, cli_frag f)
{
    cli_buf_add(b, frags->data + f.off, f.len);
}


/* Bit i set when score i of n (at most 64) is not 0 (NaN is not 0), with
** SSE2 eight scores a step, then two a compare. */
static inline uint64_t cli_nonzero_mask(const double *scores, size_t n)
{
    uint64_t m = 0;
    size_t i = 0;

#if defined(__SSE2__)
    const __m128d zero = _mm_setzero_pd();

    /* Eight at a time: the four compares' lanes packed to one byte pair
    ** a score, their top bits taken, every other bit kept and the eight
    ** drawn together. */
    for (; i + 8 <= n; i += 8) {
        __m128i a = _mm_castpd_si128(_mm_cmpneq_pd(_mm_loadu_pd(scores + i), zero));
        __m128i b = _mm_castpd_si128(
            _mm_cmpneq_pd(_mm_loadu_pd(scores + i + 2), zero));
        __m128i c = _mm_castpd_si128(
            _mm_cmpneq_pd(_mm_loadu_pd(scores + i + 4), zero));
        __m128i e = _mm_castpd_si128(
            _mm_cmpneq_pd(_mm_loadu_pd(scores + i + 6), zero));
        unsigned x = (unsigned)_mm_movemask_epi8(
            _mm_packs_epi16(_mm_packs_epi32(a, b), _mm_packs_epi32(c, e)));

        x &= 0x5555u;
        x = (x | x >> 1) & 0x3333u;
        x = (x | x >> 2) & 0x0F0Fu;
        x = (x | x >> 4) & 0x00FFu;
        m |= (uint64_t)x << i;
    }
    for (; i + 2 <= n; i += 2)
        m |= (uint64_t)_mm_movemask_pd(
                 _mm_cmpneq_pd(_mm_loadu_pd(scores + i), zero)) << i;
#endif
    for (; i < n; i++)
        m |= (uint64_t)(scores[i] != 0.0) << i;
    return m;
}

/* Writes a record's number (cli_put_uint) at d. A worker formats runs of
** records that follow each other, so the number is mostly the last one's
** plus one: the cache's digits, counted up in place (a carry through the
** nines, a digit more past 99..9 by formatting afresh), and copied. */
static inline char *cli_json_cache_number(cli_json_cache *cache, char *d,
                                          uint64_t number)
{
    size_t i = 0;

    if (number == cache->number + 1) {
        i = cache->n_digits; /* 0 before the first record */
        while (i > 0 && cache->digits[i - 1] == '9')
            cache->digits[--i] = '0';
        if (i > 0)
            cache->digits[i - 1]++;
    }
    if (i == 0) { /* the first, not the next, or one digit more */
        char *e = cli_put_uint(cache->digits, number);

        cache->n_digits = (size_t)(e - cache->digits);
    }
    cache->number = number;
    return cli_put(d, cache->digits, cache->n_digits);
}

/* Writes a non-zero score (cli_put_number) at d. A plugin's scores are a
** few values over and over (a lexicon's are sums of a few weights over the
** sum plus a threshold: 0.3333, 0.5, 0.6667, ...): their text is kept by
** the value's bits, so a score seen before is one short copy. */
static inline char *cli_json_cache_score(cli_json_cache *cache, char *d,
                                         double value)
{
    uint64_t bits;
    size_t h, n;
    char *e;

    memcpy(&bits, &value, sizeof bits);
    h = (size_t)((bits * UINT64_C(0x9E3779B97F4A7C15))
                 >> (64 - CLI_SCORE_CACHE_BITS));
    if (cache->score_len[h] != 0 && cache->score_bits[h] == bits) {
        memcpy(d, cache->score_text[h], 8); /* the cursor has the room */
        return d + cache->score_len[h];
    }
    e = cli_put_number(d, value);
    n = (size_t)(e - d);
    if (n <= 8) {
        memcpy(cache->score_text[h], d, n);
        cache->score_bits[h] = bits;
        cache->score_len[h] = (unsigned char)n;
    }
    return e;
}

/* The length of the plain beginning of lang (cli_cstr_plain), which is
** its length when lang[len] is its NUL. A record's language is a static
** string of the library, the same few for the whole run: the cache keeps
** the last one's. */
static inline size_t cli_json_cache_lang(cli_json_cache *cache, const char *lang)
{
    if (lang != cache->lang) {
        cache->lang_len = cli_cstr_plain(lang);
        cache->lang = lang;
    }
    return cache->lang_len;
}

/* The same for a rule of evidence, whose text the plugin lends for the
** engine's life: the plugin's few hundred rules, each measured once, in
** a table with a place for each by its address. */
static inline size_t cli_json_cache_rule(cli_json_cache *cache, const char *rule)
{
    size_t h = (size_t)(((uint64_t)(uintptr_t)rule * UINT64_C(0x9E3779B97F4A7C15))
                        >> (64 - CLI_RULE_CACHE_BITS));

    if (cache->rule[h] != rule) {
        cache->rule_len[h] = cli_cstr_plain(rule);
        cache->rule[h] = rule;
    }
    return cache->rule_len[h];
}

/* 1 when byte i of text (i <= text_len) starts a character or ends the
** text: a span between two such bytes of valid UTF-8 is valid UTF-8. */
static inline int cli_utf8_edge(const char *text, size_t text_len, size_t i)
{
    return i == text_len || ((unsigned char)text[i] & 0xC0) != 0x80;
}

/*
** One JSON Lines record, written straight to b: the bytes cli_emit_record
** writes for JSON (the golden tests and the msgpack test hold the two
** together), without the emitter's per-item bookkeeping. The keys and the
** punctuation around them are literals, the strings every record repeats
** are the writer's fragments (the start of an evidence object is one
** copy per area), and the span of evidence is copied as it is, quotes
** around it, when the answer's text was (valid, nothing to escape) and the
** span starts and ends on a character. The text is still written only
** once per record; each evidence span is a few bytes of it.
**
** A record is some 25 pieces, most a few bytes: the usual ones go through
** a write cursor (cli_buf_at) after one reservation of the most they can
** take (fragments at most frag_max bytes, numbers at most 20 or
** CLI_NUMBER_MAX, plain strings their length), so a piece costs a copy
** and no check of the room; what cannot be bounded cheaply (an id or
** --keep string, a text or rule to escape, an area or plugin without a
** fragment) takes the checked appends, as before.
*/
static void cli_json_record(const cli_writer *w, cli_json_cache *cache,
                            cli_buf *b, const cli_record *rec,
                            const cli_result *res)
{
    const wm_engine *engine = w->cfg.engine;
    const cli_buf *fr = &w->frags;
    uint64_t labels = res->coded ? res->labels & w->area_bits : 0;
    const char *lang = res->lang != NULL ? res->lang : "";
    const char *message = res->message != NULL ? res->message : "";
    size_t lang_len;
    uint64_t nonzero = 0;
    int text_plain = 0;
    char *d;

    if (rec->id == NULL && w->cfg.n_keep == 0) {
        if ((d = cli_buf_at(b, 48)) == NULL)
            return;
        d = CLI_PUT_LIT(d, "{\"id\":");
        d = cli_json_cache_number(cache, d, rec->number);
        if (w->cfg.with_text)
            d = CLI_PUT_LIT(d, ",\"keep\":{},\"text\":");
        else
            d = CLI_PUT_LIT(d, ",\"keep\":{}");
        cli_buf_end(b, d);
    } else {
        CLI_BUF_LIT(b, "{\"id\":");
        if (rec->id != NULL)
            cli_buf_json_string(b, rec->id, rec->id_len);
        else
            cli_buf_uint(b, rec->number);
        CLI_BUF_LIT(b, ",\"keep\":{");
        for (size_t i = 0; i < w->cfg.n_keep; i++) {
            if (i > 0)
                cli_buf_byte(b, ',');
            cli_buf_frag(b, fr, w->keep[i]);
            cli_buf_byte(b, ':');
            if (rec->keep != NULL && rec->keep[i] != NULL)
                cli_buf_json_string(b, rec->keep[i], rec->keep_len[i]);
            else
                CLI_BUF_LIT(b, "null");
        }
        cli_buf_byte(b, '}');
        if (w->cfg.with_text)
            CLI_BUF_LIT(b, ",\"text\":");
    }
    if (w->cfg.with_text) {
        text_plain = res->text_valid
                         ? cli_buf_json_valid(b, rec->text, rec->text_len)
                         : cli_buf_json_string(b, rec->text, rec->text_len);
    }

    /* Language, status and message, mostly "sv", ok and "": an ok
    ** record's language (a static string of the library, whose length the
    ** cache keeps) and the constant rest in one copy. */
    if (res->coded && res->scores != NULL)
        nonzero = cli_nonzero_mask(res->scores, w->n_areas);
    lang_len = cli_json_cache_lang(cache, lang);
    if (res->status == CLI_ST_OK && message[0] == '\0' && lang[lang_len] == '\0') {
        /* Most records end here: no area, no score, no evidence. */
        int plain = res->coded && labels == 0 && nonzero == 0 &&
                    res->n_evidence == 0;
        cli_frag rest = plain ? w->ok_plain : w->ok_mid;

        if ((d = cli_buf_at(b, lang_len + rest.len + 16)) == NULL)
            return;
        d = CLI_PUT_LIT(d, ",\"lang\":\"");
        d = cli_put(d, lang, lang_len);
        d = cli_put(d, fr->data + rest.off, rest.len);
        cli_buf_end(b, d);
        if (plain)
            return;
    } else {
        CLI_BUF_LIT(b, ",\"lang\":");
        cli_json_cstr(b, lang);
        CLI_BUF_LIT(b, ",\"status\":");
        if (res->status >= 0 && res->status < CLI_ST_COUNT)
            cli_buf_frag(b, fr, w->statuses[res->status]);
        else
            cli_json_cstr(b, cli_status_name(res->status));
        CLI_BUF_LIT(b, ",\"message\":");
        cli_json_cstr(b, message);
        CLI_BUF_LIT(b, ",\"areas\":[");
    }

    /* Areas and scores: at most n_areas fragments and numbers. */
    if ((d = cli_buf_at(b, 64 + w->zero_tail.len +
                           w->n_areas * (2 * w->frag_max + CLI_NUMBER_MAX + 1))) == NULL)
        return;
    for (uint64_t rest = labels; rest != 0; rest &= rest - 1) {
        cli_frag f = w->areas[__builtin_ctzll(rest)];

        if (rest != labels)
            *d++ = ',';
        d = cli_put(d, fr->data + f.off, f.len);
    }
    if (!res->coded) {
        d = CLI_PUT_LIT(d, "],\"scores\":{},\"evidence\":[");
    } else if (nonzero == 0) {
        /* Most answers score nothing: the template as it is. */
        d = cli_put(d, fr->data + w->zero_tail.off, w->zero_tail.len);
    } else if (w->zero_at != NULL) {
        /* The template's runs, each non-zero score in place of its 0. */
        const char *t = fr->data + w->zero_tail.off;
        size_t from = 0;

        for (uint64_t rest = nonzero; rest != 0; rest &= rest - 1) {
            size_t i = (size_t)__builtin_ctzll(rest);

            d = cli_put(d, t + from, w->zero_at[i] - from);
            d = cli_json_cache_score(cache, d, res->scores[i]);
            from = w->zero_at[i] + 1;
        }
        d = cli_put(d, t + from, w->zero_tail.len - from);
    } else {
        d = CLI_PUT_LIT(d, "],\"scores\":");
        for (size_t i = 0; i < w->n_areas; i++) {
            d = cli_put(d, fr->data + w->score_key[i].off, w->score_key[i].len);
            if (res->scores[i] == 0.0)
                *d++ = '0';
            else
                d = cli_put_number(d, res->scores[i]);
        }
        if (w->n_areas == 0)
            *d++ = '{';
        *d++ = '}';
        d = CLI_PUT_LIT(d, ",\"evidence\":[");
    }
    if (res->n_evidence == 0) {
        d = CLI_PUT_LIT(d, "]}\n");
        cli_buf_end(b, d);
        return;
    }
    cli_buf_end(b, d);

    for (size_t k = 0; k < res->n_evidence; k++) {
        const wm_evidence *ev = &res->evidence[k];
        size_t start, end, rule_len;

        cli_evidence_span(ev, rec->text_len, &start, &end);
        rule_len = ev->rule != NULL ? cli_json_cache_rule(cache, ev->rule) : 0;
        if (ev->area < w->n_areas && ev->plugin < w->n_plugins &&
            ev->rule != NULL && ev->rule[rule_len] == '\0' && text_plain &&
            cli_utf8_edge(rec->text, rec->text_len, start) &&
            cli_utf8_edge(rec->text, rec->text_len, end)) {
            /* The usual item: fragments, numbers and plain strings. */
            cli_frag head = w->ev_head[ev->area];
            cli_frag tail = w->ev_plugin[ev->plugin];

            if ((d = cli_buf_at(b, end - start + rule_len + 2 * w->frag_max + 96)) == NULL)
                return;
            if (k > 0)
                *d++ = ',';
            d = cli_put(d, fr->data + head.off, head.len);
            d = cli_put_uint(d, ev->start);
            d = CLI_PUT_LIT(d, ",\"end\":");
            d = cli_put_uint(d, ev->end);
            d = CLI_PUT_LIT(d, ",\"text\":\"");
            d = cli_put(d, rec->text + start, end - start);
            d = CLI_PUT_LIT(d, "\",\"rule\":\"");
            d = cli_put(d, ev->rule, rule_len);
            *d++ = '"';
            d = cli_put(d, fr->data + tail.off, tail.len);
            if (ev->flags & WM_EVIDENCE_NEGATED)
                d = CLI_PUT_LIT(d, "true");
            else
                d = CLI_PUT_LIT(d, "false");
            if (ev->flags & WM_EVIDENCE_SPELLING)
                d = CLI_PUT_LIT(d, ",\"spelling\":true");
            *d++ = '}';
            cli_buf_end(b, d);
            continue;
        }
        if (k > 0)
            cli_buf_byte(b, ',');
        if (ev->area < w->n_areas) {
            cli_buf_frag(b, fr, w->ev_head[ev->area]);
        } else {
            CLI_BUF_LIT(b, "{\"area\":");
            cli_json_cstr(b, wm_engine_area_id(engine, ev->area));
            CLI_BUF_LIT(b, ",\"start\":");
        }
        cli_buf_uint(b, ev->start);
        CLI_BUF_LIT(b, ",\"end\":");
        cli_buf_uint(b, ev->end);
        CLI_BUF_LIT(b, ",\"text\":");
        if (text_plain && cli_utf8_edge(rec->text, rec->text_len, start) &&
            cli_utf8_edge(rec->text, rec->text_len, end)) {
            cli_buf_byte(b, '"');
            cli_buf_add(b, rec->text + start, end - start);
            cli_buf_byte(b, '"');
        } else {
            cli_buf_json_string(b, rec->text + start, end - start);
        }
        CLI_BUF_LIT(b, ",\"rule\":");
        cli_json_cstr(b, ev->rule);
        if (ev->plugin < w->n_plugins) {
            cli_buf_frag(b, fr, w->ev_plugin[ev->plugin]);
        } else {
            CLI_BUF_LIT(b, ",\"plugin\":");
            cli_json_cstr(b, wm_engine_plugin_name(engine, ev->plugin));
            CLI_BUF_LIT(b, ",\"negated\":");
        }
        if (ev->flags & WM_EVIDENCE_NEGATED)
            CLI_BUF_LIT(b, "true");
        else
            CLI_BUF_LIT(b, "false");
        if (ev->flags & WM_EVIDENCE_SPELLING)
            CLI_BUF_LIT(b, ",\"spelling\":true");
        cli_buf_byte(b, '}');
    }
    CLI_BUF_LIT(b, "]}\n");
}

/* Hands the buffered bytes to the stream. Returns 0 or -1. */
static int cli_writer_flush(cli_writer *w)
{
    size_t n = w->out.len;

    w->out.len = 0;
    if (w->failed || w->out.failed)
        return -1;
    if (n > 0 && fwrite(w->out.data, 1, n, w->cfg.out) != n)
        return -1;
    return ferror(w->cfg.out) ? -1 : 0;
}

int cli_writer_begin(cli_writer *w, const cli_meta *meta)
{
    cli_emit e;

    switch (w->cfg.format) {
    case CLI_OUT_CSV:
        cli_csv_header(w);
        break;
    case CLI_OUT_JSONL:
        cli_emit_init(&e, &w->out, 0);
        cli_meta_emit(&e, w->cfg.engine, meta);
        cli_buf_byte(&w->out, '\n');
        w->failed |= e.failed;
        break;
    default:
        cli_emit_init(&e, &w->out, 1);
        cli_meta_emit(&e, w->cfg.engine, meta);
        w->failed |= e.failed;
        break;
    }
    return cli_writer_flush(w);
}

/* One record in the writer's format, appended to out (field: scratch for
** CSV). Returns 1 when the emitter found a bug in a map's size, else 0. */
static int cli_format_record(const cli_writer *w, cli_json_cache *cache,
                             cli_buf *out, cli_buf *field,
                             const cli_record *rec, const cli_result *res)
{
    cli_emit e;

    switch (w->cfg.format) {
    case CLI_OUT_CSV:
        cli_csv_record(w, out, field, rec, res);
        return 0;
    case CLI_OUT_JSONL:
        cli_json_record(w, cache, out, rec, res);
        return 0;
    default:
        cli_emit_init(&e, out, 1);
        cli_emit_record(w, &e, rec, res);
        return e.failed;
    }
}

int cli_writer_record(cli_writer *w, const cli_record *rec,
                      const cli_result *res)
{
    w->failed |= cli_format_record(w, &w->cache, &w->out, &w->field, rec, res);
    if (w->failed || w->out.failed)
        return -1;
    return w->out.len >= CLI_WRITE_CHUNK ? cli_writer_flush(w) : 0;
}

/* A run of at least CLI_DIRECT_RUN bytes (a worker's part of a batch)
** goes to the stream as it is, after what the buffer holds, instead of
** through the buffer: one copy less. */
int cli_writer_formatted(cli_writer *w, const char *bytes, size_t len)
{
    if (len >= CLI_DIRECT_RUN && !w->failed && !w->out.failed) {
        if (cli_writer_flush(w) != 0 || fwrite(bytes, 1, len, w->cfg.out) != len)
            return -1;
        return ferror(w->cfg.out) ? -1 : 0;
    }
    cli_buf_add(&w->out, bytes, len);
    if (w->failed || w->out.failed)
        return -1;
    return w->out.len >= CLI_WRITE_CHUNK ? cli_writer_flush(w) : 0;
}

/* The iovecs writev() is given at once (at most IOV_MAX, which POSIX
** makes at least 16; Linux's is 1024). */
#define CLI_WRITEV_MAX 64

/* Writes the spans to fd with writev(), on after short writes and
** interruptions. Returns 0, or -1 (errno). */
static int cli_writev_all(int fd, const cli_span *runs, size_t n)
{
    struct iovec iov[CLI_WRITEV_MAX];
    size_t done = 0; /* bytes of runs[0] written already */

    while (n > 0) {
        int k = 0;
        ssize_t got;

        for (; k < CLI_WRITEV_MAX && (size_t)k < n; k++) {
            iov[k].iov_base = (void *)(runs[k].bytes + (k == 0 ? done : 0));
            iov[k].iov_len = runs[k].len - (k == 0 ? done : 0);
        }
        got = writev(fd, iov, k);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        /* Steps over what was written: whole spans, then part of one. */
        while (n > 0 && (size_t)got >= runs[0].len - done) {
            got -= (ssize_t)(runs[0].len - done);
            done = 0;
            runs++;
            n--;
        }
        done += (size_t)got;
    }
    return 0;
}

/*
** With two or more workers a batch's records are runs of a few records
** each (a worker takes a few at a time), too short to go past the buffer
** one by one: through it, the main thread copied every byte of the
** output once more, some 3.6 bytes per input byte, which with the main
** thread classifying too was its time and its cache taken from that. So
** the runs of a batch go to the stream with writev(), the buffer and the
** stream's own emptied first; a stream without a descriptor (a memory
** stream in a test) takes them through fwrite.
*/
int cli_writer_runs(cli_writer *w, const cli_span *runs, size_t n,
                    size_t total)
{
    int fd;

    if (total < CLI_DIRECT_RUN || n == 1 || w->failed || w->out.failed) {
        for (size_t i = 0; i < n; i++) {
            if (cli_writer_formatted(w, runs[i].bytes, runs[i].len) != 0)
                return -1;
        }
        return 0;
    }
    if (cli_writer_flush(w) != 0 || fflush(w->cfg.out) != 0)
        return -1;
    fd = fileno(w->cfg.out);
    if (fd < 0) {
        for (size_t i = 0; i < n; i++) {
            if (fwrite(runs[i].bytes, 1, runs[i].len, w->cfg.out)
                != runs[i].len)
                return -1;
        }
        return ferror(w->cfg.out) ? -1 : 0;
    }
    return cli_writev_all(fd, runs, n);
}

/* A worker's formatter (output.h). */
struct cli_formatter {
    const cli_writer *w; /* whose configuration and fragments it uses */
    cli_buf out;         /* the record being formatted */
    cli_buf field;       /* a CSV field being built (evidence) */
    cli_json_cache cache; /* its own, for JSON Lines */
};

cli_formatter *cli_formatter_new(const cli_writer *w)
{
    cli_formatter *f = calloc(1, sizeof *f);

    if (f != NULL)
        f->w = w;
    return f;
}

void cli_formatter_clear(cli_formatter *f)
{
    f->out.len = 0;
}

/* Formats one record in a format other than JSON Lines (CSV, msgpack):
** apart, so that JSON Lines' path has no frame for the emitter. */
static __attribute__((noinline)) int
cli_formatter_other(cli_formatter *f, const cli_record *rec,
                    const cli_result *res)
{
    f->field.len = 0;
    return cli_format_record(f->w, &f->cache, &f->out, &f->field, rec, res)
           || f->field.failed;
}

int cli_formatter_append(cli_formatter *f, const cli_record *rec,
                         const cli_result *res, size_t *off, size_t *len)
{
    size_t start = f->out.len;
    int bug = 0;

    if (f->w->cfg.format == CLI_OUT_JSONL)
        cli_json_record(f->w, &f->cache, &f->out, rec, res);
    else
        bug = cli_formatter_other(f, rec, res);
    if (bug || f->out.failed) {
        f->out.len = start;
        return -1;
    }
    *off = start;
    *len = f->out.len - start;
    return 0;
}

const char *cli_formatter_bytes(const cli_formatter *f)
{
    return f->out.data;
}

void cli_formatter_free(cli_formatter *f)
{
    if (f == NULL)
        return;
    free(f->out.data);
    free(f->field.data);
    free(f);
}

int cli_writer_end(cli_writer *w)
{
    if (cli_writer_flush(w) != 0 || fflush(w->cfg.out) != 0
        || ferror(w->cfg.out))
        return -1;
    return 0;
}
