/*
** test_input.c — the streaming record readers (engine/cli/input.h): CSV,
** JSON Lines, plain text and msgpack, record by record, with exact texts,
** statuses, messages and positions (record, line, byte offset), batching,
** and hostile sizes that must run in bounded memory: a 1 GiB line with no
** newline in each text format, msgpack lengths that lie.
**
** Literal inputs go through tmpfile(); the big ones come from a
** fopencookie() stream that makes its bytes up as they are read, so the
** test itself holds none of them. WM_TEST_INPUT_BIG sets the size of the
** big fields (default 1 GiB).
*/
#define _GNU_SOURCE
#include "wm_test.h"
#include "input.h"

#include <errno.h>
#include <msgpack.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define WM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WM_ASAN 1
#endif
#endif

/* ---------------------------------------------------------------------- */
/* Helpers                                                                */
/* ---------------------------------------------------------------------- */

/* A stream holding len bytes of data, read from the start. */
static FILE *mem_stream(const void *data, size_t len)
{
    FILE *f = tmpfile();

    if (f == NULL)
        return NULL;
    if (len && fwrite(data, 1, len, f) != len) {
        fclose(f);
        return NULL;
    }
    rewind(f);
    return f;
}

/* A configuration with the defaults the tests start from. */
static cli_reader_config config(FILE *in, int format)
{
    cli_reader_config c;

    memset(&c, 0, sizeof c);
    c.in = in;
    c.name = "t";
    c.format = format;
    c.delimiter = ',';
    c.text_column = "text";
    c.max_field_bytes = 1 << 20;
    c.size = -1;
    return c;
}

/* Everything a test needs to read one input. */
typedef struct reading {
    FILE *in;          /* the stream */
    cli_reader *r;     /* the reader, NULL when opening failed */
    cli_batch *b;      /* one batch */
    long n;            /* records in the batch */
    char err[512];     /* the last error */
} reading;

/* Opens cfg and reads the first batch (up to 1000 records, no byte
** limit). Returns 1 when the reader opened. */
static int start(reading *t, cli_reader_config *cfg)
{
    t->in = cfg->in;
    t->b = cli_batch_new();
    t->err[0] = '\0';
    t->n = -1;
    if (cli_reader_open(cfg, &t->r, t->err, sizeof t->err) != 0)
        return 0;
    t->n = cli_reader_next_batch(t->r, t->b, 1000, (size_t)-1, t->err,
                                 sizeof t->err);
    return 1;
}

/* Opens data in a format with the default columns and reads a batch. */
static int start_mem(reading *t, int format, const char *data, size_t len)
{
    cli_reader_config cfg = config(mem_stream(data, len), format);

    return start(t, &cfg);
}

/* Closes what start() opened. */
static void finish(reading *t)
{
    cli_reader_close(t->r);
    cli_batch_free(t->b);
    if (t->in)
        fclose(t->in);
    memset(t, 0, sizeof *t);
}

/* Checks one record's position, status, text and message (a prefix). */
static void expect(const cli_record *rec, uint64_t number, uint64_t line,
                   uint64_t offset, int status, const char *text,
                   const char *message, int at)
{
    char what[64];

    snprintf(what, sizeof what, "record %llu", (unsigned long long)number);
    if (!wm_test_check(rec != NULL, __FILE__, at, what))
        return;
    wm_test_check(rec->number == number, __FILE__, at, "record number");
    if (rec->line != line)
        fprintf(stderr, "  line %llu, want %llu\n",
                (unsigned long long)rec->line, (unsigned long long)line);
    wm_test_check(rec->line == line, __FILE__, at, "record line");
    if (rec->offset != offset)
        fprintf(stderr, "  offset %llu, want %llu\n",
                (unsigned long long)rec->offset, (unsigned long long)offset);
    wm_test_check(rec->offset == offset, __FILE__, at, "record offset");
    if (rec->status != status)
        fprintf(stderr, "  status %d (%s), want %d\n", rec->status,
                rec->message, status);
    wm_test_check(rec->status == status, __FILE__, at, "record status");
    if (text)
        wm_test_check_bytes(rec->text, rec->text_len, text, strlen(text),
                            __FILE__, at, "record text");
    if (message == NULL)
        message = "";
    if (strncmp(rec->message, message, strlen(message)) != 0
        || (message[0] == '\0' && rec->message[0] != '\0'))
        fprintf(stderr, "  message \"%s\", want \"%s\"\n", rec->message,
                message);
    wm_test_check(strncmp(rec->message, message, strlen(message)) == 0
                  && (message[0] != '\0' || rec->message[0] == '\0'),
                  __FILE__, at, "record message");
}

#define EXPECT(t, i, number, line, offset, status, text, message)            \
    expect(cli_batch_record((t)->b, (i)), (number), (line), (offset),       \
           (status), (text), (message), __LINE__)

/* Checks a nullable field against a string or NULL. */
static void expect_field(const char *got, size_t got_len, const char *want,
                         int at)
{
    if (want == NULL) {
        if (got != NULL)
            fprintf(stderr, "  got \"%.*s\", want NULL\n", (int)got_len, got);
        wm_test_check(got == NULL, __FILE__, at, "field is NULL");
        return;
    }
    if (!wm_test_check(got != NULL, __FILE__, at, "field is there"))
        return;
    wm_test_check_bytes(got, got_len, want, strlen(want), __FILE__, at,
                        "field");
}

#define FIELD(got, got_len, want) expect_field((got), (got_len), (want), __LINE__)

/* Offset of the first occurrence of needle in data. */
static uint64_t at(const char *data, const char *needle)
{
    const char *p = strstr(data, needle);

    return p ? (uint64_t)(p - data) : (uint64_t)-1;
}

/* Peak resident memory so far, in KiB. */
static long peak_kib(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* Size of the big fields. */
static uint64_t big_bytes(void)
{
    const char *s = getenv("WM_TEST_INPUT_BIG");

    return s ? strtoull(s, NULL, 10) : (uint64_t)1 << 30;
}

/* A made-up stream: head, then fill_len copies of one byte, then tail;
** optionally a read error at the end. */
typedef struct gen {
    const char *head;  /* bytes first */
    size_t head_len;   /* how many */
    uint64_t fill_len; /* then this many ... */
    int fill;          /* ... of this byte */
    const char *tail;  /* then these */
    size_t tail_len;   /* how many */
    int fail;          /* 1: a read error after the tail */
    uint64_t pos;      /* bytes handed out so far */
} gen;

/* Hands out the next bytes of a made-up stream. */
static ssize_t gen_read(void *cookie, char *buf, size_t size)
{
    gen *g = cookie;
    size_t out = 0;

    while (out < size) {
        uint64_t p = g->pos;
        size_t k;

        if (p < g->head_len) {
            k = g->head_len - (size_t)p;
            k = k < size - out ? k : size - out;
            memcpy(buf + out, g->head + p, k);
        } else if (p < g->head_len + g->fill_len) {
            uint64_t left = g->head_len + g->fill_len - p;

            k = left < size - out ? (size_t)left : size - out;
            memset(buf + out, g->fill, k);
        } else if (p < g->head_len + g->fill_len + g->tail_len) {
            k = (size_t)(g->head_len + g->fill_len + g->tail_len - p);
            k = k < size - out ? k : size - out;
            memcpy(buf + out, g->tail + (p - g->head_len - g->fill_len), k);
        } else {
            break;
        }
        out += k;
        g->pos += k;
    }
    if (out == 0 && g->fail) {
        errno = EIO;
        return -1;
    }
    return (ssize_t)out;
}

/* Opens a made-up stream. */
static FILE *gen_open(gen *g)
{
    cookie_io_functions_t io = { gen_read, NULL, NULL, NULL };

    g->pos = 0;
    return fopencookie(g, "r", io);
}

/* ---------------------------------------------------------------------- */
/* CSV                                                                    */
/* ---------------------------------------------------------------------- */

/* Quoted newlines and quotes, CRLF and LF mixed, a BOM, an empty line, a
** last row without a newline: texts, ids, kept fields and positions. */
static void test_csv_basic(void)
{
    static const char data[] =
        "\xEF\xBB\xBFid,text,unit\r\n"
        "1,hello,a\r\n"
        "2,\"multi\nline, with \"\"quotes\"\"\",b\n"
        "\n"
        "3,\"crlf\r\ninside\",\r\n"
        "4,last,c";
    const char *keep[] = { "unit" };
    cli_reader_config cfg = config(mem_stream(data, sizeof data - 1),
                                   CLI_IN_CSV);
    reading t;
    cli_record *rec;

    cfg.id_column = "id";
    cfg.keep = keep;
    cfg.n_keep = 1;
    if (!CHECK(start(&t, &cfg))) {
        fprintf(stderr, "%s\n", t.err);
        return;
    }
    CHECK(t.n == 4);
    EXPECT(&t, 0, 1, 2, at(data, "1,hello"), CLI_REC_OK, "hello", NULL);
    EXPECT(&t, 1, 2, 3, at(data, "2,\"multi"), CLI_REC_OK,
           "multi\nline, with \"quotes\"", NULL);
    EXPECT(&t, 2, 3, 6, at(data, "3,\"crlf"), CLI_REC_OK, "crlf\r\ninside",
           NULL);
    EXPECT(&t, 3, 4, 8, at(data, "4,last"), CLI_REC_OK, "last", NULL);
    rec = cli_batch_record(t.b, 0);
    if (rec) {
        FIELD(rec->id, rec->id_len, "1");
        FIELD(rec->keep[0], rec->keep_len[0], "a");
        CHECK(rec->lang == NULL);
        CHECK(rec->text[rec->text_len] == '\0');
    }
    rec = cli_batch_record(t.b, 2);
    if (rec)
        FIELD(rec->keep[0], rec->keep_len[0], "");
    CHECK(cli_reader_next_batch(t.r, t.b, 1000, (size_t)-1, t.err,
                                sizeof t.err) == 0);
    CHECK(cli_reader_bytes(t.r) == sizeof data - 1);
    finish(&t);
}

/* ';' and tab delimiters; a comma is then just text. */
static void test_csv_delimiters(void)
{
    static const char semi[] = "text;id\n\"a;b\";1\nc,d;2\n";
    static const char tab[] = "id\ttext\n1\tone, two\n2\t\"x\ty\"\n";
    cli_reader_config cfg = config(mem_stream(semi, sizeof semi - 1),
                                   CLI_IN_CSV);
    reading t;

    cfg.delimiter = ';';
    cfg.id_column = "id";
    if (CHECK(start(&t, &cfg)) && CHECK(t.n == 2)) {
        EXPECT(&t, 0, 1, 2, at(semi, "\"a;b"), CLI_REC_OK, "a;b", NULL);
        EXPECT(&t, 1, 2, 3, at(semi, "c,d"), CLI_REC_OK, "c,d", NULL);
        FIELD(cli_batch_record(t.b, 1)->id, cli_batch_record(t.b, 1)->id_len,
              "2");
    }
    finish(&t);
    cfg = config(mem_stream(tab, sizeof tab - 1), CLI_IN_CSV);
    cfg.delimiter = '\t';
    if (CHECK(start(&t, &cfg)) && CHECK(t.n == 2)) {
        EXPECT(&t, 0, 1, 2, at(tab, "1\t"), CLI_REC_OK, "one, two", NULL);
        EXPECT(&t, 1, 2, 3, at(tab, "2\t"), CLI_REC_OK, "x\ty", NULL);
    }
    finish(&t);
}

/* Broken rows in the middle: each is a bad row with a message, and the
** rows after it are read as they should be. */
static void test_csv_broken_rows(void)
{
    static const char data[] =
        "id,text,unit\n"
        "1,ok,a\n"
        "2,he said \"hi\" there,b\n"
        "3,\"quoted\"x,\"still\nquoted\"\n"
        "4,a,b,c,d,e\n"
        "5\n"
        "6,short\n"
        "7,\"fine\",z\n";
    const char *keep[] = { "unit" };
    cli_reader_config cfg = config(mem_stream(data, sizeof data - 1),
                                   CLI_IN_CSV);
    reading t;
    cli_record *rec;

    cfg.id_column = "id";
    cfg.keep = keep;
    cfg.n_keep = 1;
    if (!CHECK(start(&t, &cfg)) || !CHECK(t.n == 7)) {
        finish(&t);
        return;
    }
    EXPECT(&t, 0, 1, 2, at(data, "1,ok"), CLI_REC_OK, "ok", NULL);
    EXPECT(&t, 1, 2, 3, at(data, "2,he"), CLI_REC_BAD_ROW, "",
           "a quote inside unquoted field 2");
    EXPECT(&t, 2, 3, 4, at(data, "3,\"quoted"), CLI_REC_BAD_ROW, "",
           "text after the closing quote of field 2");
    EXPECT(&t, 3, 4, 6, at(data, "4,a"), CLI_REC_BAD_ROW, "",
           "3 fields more than the header");
    EXPECT(&t, 4, 5, 7, at(data, "5\n"), CLI_REC_BAD_ROW, "",
           "1 field, but the text column 'text' is field 2 of 3");
    EXPECT(&t, 5, 6, 8, at(data, "6,short"), CLI_REC_OK, "short", NULL);
    EXPECT(&t, 6, 7, 9, at(data, "7,"), CLI_REC_OK, "fine", NULL);
    rec = cli_batch_record(t.b, 1);
    if (rec) {
        CHECK(rec->id == NULL);
        CHECK(rec->keep[0] == NULL);
    }
    rec = cli_batch_record(t.b, 5);
    if (rec) {
        FIELD(rec->id, rec->id_len, "6");
        FIELD(rec->keep[0], rec->keep_len[0], "");
    }
    finish(&t);
}

/* A quote never closed: that record is bad, with the quote's line, and
** reading ends there. */
static void test_csv_unterminated(void)
{
    static const char data[] =
        "id,text\n1,ok\n2,\"never closed\n3,swallowed\n";
    reading t;

    if (CHECK(start_mem(&t, CLI_IN_CSV, data, sizeof data - 1))
        && CHECK(t.n == 2)) {
        EXPECT(&t, 0, 1, 2, at(data, "1,ok"), CLI_REC_OK, "ok", NULL);
        EXPECT(&t, 1, 2, 3, at(data, "2,"), CLI_REC_BAD_ROW, "",
               "unterminated quoted field from line 3");
        CHECK(cli_reader_next_batch(t.r, t.b, 10, (size_t)-1, t.err,
                                    sizeof t.err) == 0);
    }
    finish(&t);
}

/* Bytes that are not UTF-8 pass through untouched; empty answers are ok. */
static void test_csv_bytes_and_empty(void)
{
    static const char data[] =
        "text\n\xFF\xFE abc \xC3\n\"\"\n\"\xC3\x28\"\n";
    reading t;

    if (CHECK(start_mem(&t, CLI_IN_CSV, data, sizeof data - 1))
        && CHECK(t.n == 3)) {
        EXPECT(&t, 0, 1, 2, 5, CLI_REC_OK, "\xFF\xFE abc \xC3", NULL);
        EXPECT(&t, 1, 2, 3, 14, CLI_REC_OK, "", NULL);
        EXPECT(&t, 2, 3, 4, 17, CLI_REC_OK, "\xC3\x28", NULL);
    }
    finish(&t);
    /* a row whose one field is empty but present (",") */
    {
        static const char two[] = "id,text\n1,\n";

        if (CHECK(start_mem(&t, CLI_IN_CSV, two, sizeof two - 1))
            && CHECK(t.n == 1))
            EXPECT(&t, 0, 1, 2, 8, CLI_REC_OK, "", NULL);
        finish(&t);
    }
}

/* A 1 MiB answer in quotes (with quotes inside) comes through whole; one
** over max_field_bytes is too large, keeps its id, and the next row is
** read; a kept field over the limit makes a bad row. */
static void test_csv_sizes(void)
{
    size_t mib = 1 << 20, i, len;
    char *data = malloc(3 * mib + 200), *want = malloc(mib + 1);
    const char *keep[] = { "unit" };
    cli_reader_config cfg;
    reading t;
    cli_record *rec;

    if (!CHECK(data && want)) {
        free(data);
        free(want);
        return;
    }
    for (i = 0; i < mib; i++)
        want[i] = i % 1000 == 999 ? '"' : (char)('a' + i % 26);
    want[mib] = '\0';
    len = (size_t)sprintf(data, "id,text,unit\n1,\"");
    for (i = 0; i < mib; i++) {
        data[len++] = want[i];
        if (want[i] == '"')
            data[len++] = '"';
    }
    len += (size_t)sprintf(data + len, "\",u\n");
    cfg = config(mem_stream(data, len), CLI_IN_CSV);
    cfg.max_field_bytes = 16 << 20;
    if (CHECK(start(&t, &cfg)) && CHECK(t.n == 1)) {
        rec = cli_batch_record(t.b, 0);
        CHECK(rec->status == CLI_REC_OK);
        CHECK(rec->text_len == mib);
        CHECK(memcmp(rec->text, want, mib) == 0);
    }
    finish(&t);

    len = (size_t)sprintf(data, "id,text,unit\n7,");
    memset(data + len, 'x', 5000);
    len += 5000;
    len += (size_t)sprintf(data + len, ",u\n8,next,");
    memset(data + len, 'k', 3000);
    len += 3000;
    len += (size_t)sprintf(data + len, "\n9,after,v\n");
    cfg = config(mem_stream(data, len), CLI_IN_CSV);
    cfg.max_field_bytes = 1000;
    cfg.id_column = "id";
    cfg.keep = keep;
    cfg.n_keep = 1;
    if (CHECK(start(&t, &cfg)) && CHECK(t.n == 3)) {
        EXPECT(&t, 0, 1, 2, 13, CLI_REC_TOO_LARGE, "",
               "the text field has 5000 bytes, over the limit of 1000");
        rec = cli_batch_record(t.b, 0);
        FIELD(rec->id, rec->id_len, "7");
        FIELD(rec->keep[0], rec->keep_len[0], "u");
        EXPECT(&t, 1, 2, 3, 13 + 5005, CLI_REC_BAD_ROW, "",
               "field 'unit' has 3000 bytes, over the limit of 1000");
        EXPECT(&t, 2, 3, 4, 13 + 5005 + 3008, CLI_REC_OK, "after", NULL);
    }
    finish(&t);
    free(data);
    free(want);
}

/* Columns that are not in the header fail the open, naming the column and
** listing those there are; so does a wanted column that appears twice. */
static void test_csv_header_errors(void)
{
    static const char data[] = "id,text,unit\n1,a,b\n";
    const char *keep[] = { "unit", "wave" };
    cli_reader_config cfg = config(mem_stream(data, sizeof data - 1),
                                   CLI_IN_CSV);
    static char sentinel;
    cli_reader *r = (cli_reader *)(void *)&sentinel;
    char err[256];

    cfg.name = "answers.csv";
    cfg.text_column = "txt";
    CHECK(cli_reader_open(&cfg, &r, err, sizeof err) == -1);
    CHECK(r == NULL);
    CHECK_STR(err, strlen(err),
              "answers.csv: no column 'txt' (columns: id, text, unit)");
    rewind(cfg.in);
    cfg.text_column = "text";
    cfg.id_column = "nr";
    CHECK(cli_reader_open(&cfg, &r, err, sizeof err) == -1);
    CHECK_STR(err, strlen(err),
              "answers.csv: no column 'nr' (columns: id, text, unit)");
    rewind(cfg.in);
    cfg.id_column = "id";
    cfg.lang_column = "lang";
    CHECK(cli_reader_open(&cfg, &r, err, sizeof err) == -1);
    CHECK_STR(err, strlen(err),
              "answers.csv: no column 'lang' (columns: id, text, unit)");
    rewind(cfg.in);
    cfg.lang_column = NULL;
    cfg.keep = keep;
    cfg.n_keep = 2;
    CHECK(cli_reader_open(&cfg, &r, err, sizeof err) == -1);
    CHECK_STR(err, strlen(err),
              "answers.csv: no column 'wave' (columns: id, text, unit)");
    fclose(cfg.in);

    {
        static const char dup[] = "text,id,text\n";
        cli_reader_config c2 = config(mem_stream(dup, sizeof dup - 1),
                                      CLI_IN_CSV);

        CHECK(cli_reader_open(&c2, &r, err, sizeof err) == -1);
        CHECK_STR(err, strlen(err), "t: header row: column 'text' appears "
                  "twice (columns 1 and 3)");
        fclose(c2.in);
    }
    {
        static const char ctl[] = "\"a\nb\",text\x01\n";
        cli_reader_config c5 = config(mem_stream(ctl, sizeof ctl - 1),
                                      CLI_IN_CSV);

        c5.text_column = "txt";
        CHECK(cli_reader_open(&c5, &r, err, sizeof err) == -1);
        CHECK_STR(err, strlen(err),
                  "t: no column 'txt' (columns: a\\nb, text\\x01)");
        fclose(c5.in);
    }
    {
        cli_reader_config c3 = config(mem_stream("", 0), CLI_IN_CSV);

        CHECK(cli_reader_open(&c3, &r, err, sizeof err) == -1);
        CHECK_STR(err, strlen(err), "t: no header row (the input is empty)");
        fclose(c3.in);
    }
    {
        cli_reader_config c4 = config(mem_stream("text\n", 5), CLI_IN_CSV);

        c4.delimiter = '|';
        CHECK(cli_reader_open(&c4, &r, err, sizeof err) == -1);
        fclose(c4.in);
    }
}

/* ---------------------------------------------------------------------- */
/* JSON Lines                                                             */
/* ---------------------------------------------------------------------- */

/* Good lines: escapes decoded, numbers as id in their own text (also past
** 64 bits), kept values as their JSON text, null as NULL, blank lines
** skipped, CRLF, a BOM, a last line without a newline. */
static void test_jsonl_good(void)
{
    static const char data[] =
        "\xEF\xBB\xBF{\"id\": 7, \"text\": \"hej \\\"du\\\"\\n\\u00e5\\ud83d\\ude00\","
        " \"unit\": {\"a\": [1, 2.5e3, null]}, \"lang\": \"sv\"}\r\n"
        "\n   \n"
        "  {\"text\":\"\",\"id\":123456789012345678901234,\"unit\":null,"
        "\"other\":[{\"x\":[]}]}\n"
        "{\"unit\": \"as is\", \"text\": \"t\\/\\u0000x\", \"id\": \"a\"}";
    const char *keep[] = { "unit" };
    cli_reader_config cfg = config(mem_stream(data, sizeof data - 1),
                                   CLI_IN_JSONL);
    reading t;
    cli_record *rec;

    cfg.id_column = "id";
    cfg.lang_column = "lang";
    cfg.keep = keep;
    cfg.n_keep = 1;
    if (!CHECK(start(&t, &cfg)) || !CHECK(t.n == 3)) {
        finish(&t);
        return;
    }
    EXPECT(&t, 0, 1, 1, 3, CLI_REC_OK,
           "hej \"du\"\n\xC3\xA5\xF0\x9F\x98\x80", NULL);
    EXPECT(&t, 1, 2, 4, at(data, "  {\"text\":\"\""), CLI_REC_OK, "", NULL);
    EXPECT(&t, 2, 3, 5, at(data, "{\"unit\": \"as"), CLI_REC_OK, NULL, NULL);
    rec = cli_batch_record(t.b, 0);
    FIELD(rec->id, rec->id_len, "7");
    FIELD(rec->lang, rec->lang_len, "sv");
    FIELD(rec->keep[0], rec->keep_len[0], "{\"a\": [1, 2.5e3, null]}");
    rec = cli_batch_record(t.b, 1);
    FIELD(rec->id, rec->id_len, "123456789012345678901234");
    CHECK(rec->keep[0] == NULL);
    CHECK(rec->lang == NULL);
    rec = cli_batch_record(t.b, 2);
    CHECK(rec->text_len == 4 && memcmp(rec->text, "t/\0x", 4) == 0);
    FIELD(rec->id, rec->id_len, "a");
    FIELD(rec->keep[0], rec->keep_len[0], "as is");
    finish(&t);
}

/* Broken lines, each a bad row, each followed by a good one that is read:
** not an object, bad JSON, a missing or non-string text, a duplicate, a
** control byte in a string, text after the object, nesting 10,000 deep. */
static void test_jsonl_bad(void)
{
    static const char *const messages[] = {
        "not a JSON object (an array)",
        "expected a member name in quotes, found '}'",
        "no string field 'text'",
        "no string field 'text' (it is a number)",
        "member 'text' appears twice",
        "a control character (byte 0x09) inside a string",
        "text after the JSON object",
        "nested deeper than 512 levels",
        "not a JSON object (an array)",
        "expected a JSON value, found '''",
        "expected a JSON value, found 'N'",
        "expected ',' or '}', found '1'",
        "expected a JSON object, found 'g'",
        "the line ends inside the JSON object",
        NULL, /* good */
        "the input ends inside the JSON object",
    };
    size_t deep = 10000, i, len = 0, off[16], k = 0;
    char *data = malloc(4 * deep + 1000);
    reading t;

    if (!CHECK(data != NULL))
        return;
#define ADD(s) (memcpy(data + len, (s), sizeof(s) - 1), len += sizeof(s) - 1)
    off[k++] = len; ADD("[1, 2]\n");
    off[k++] = len; ADD("{\"text\": \"a\",}\n");
    off[k++] = len; ADD("{\"id\": 1}\n");
    off[k++] = len; ADD("{\"text\": 5}\n");
    off[k++] = len; ADD("{\"text\": \"a\", \"text\": \"b\"}\n");
    off[k++] = len; ADD("{\"text\": \"a\tb\"}\n");
    off[k++] = len; ADD("{\"text\": \"a\"} {}\n");
    off[k++] = len; ADD("{\"text\": \"x\", \"k\": ");
    for (i = 0; i < deep; i++)
        data[len++] = '[';
    for (i = 0; i < deep; i++)
        data[len++] = ']';
    ADD("}\n");
    off[k++] = len;
    for (i = 0; i < deep; i++)
        data[len++] = '[';
    ADD("\n");
    off[k++] = len; ADD("{\"text\": 'single'}\n");
    off[k++] = len; ADD("{\"text\": \"nan\", \"n\": NaN}\n");
    off[k++] = len; ADD("{\"text\": \"lead\", \"n\": 01}\n");
    off[k++] = len; ADD("garbage\n");
    off[k++] = len; ADD("{\"text\": \"unclosed\n");
    off[k++] = len; ADD("{\"text\": \"good\"}\n");
    off[k++] = len; ADD("{\"text\": \"cut");
#undef ADD
    if (CHECK(start_mem(&t, CLI_IN_JSONL, data, len)) && CHECK(t.n == 16)) {
        for (i = 0; i < k; i++)
            expect(cli_batch_record(t.b, i), i + 1, i + 1, off[i],
                   messages[i] ? CLI_REC_BAD_ROW : CLI_REC_OK,
                   messages[i] ? "" : "good", messages[i], __LINE__);
    }
    finish(&t);
    free(data);
}

/* A lone surrogate escape becomes its 3-byte form (invalid UTF-8, for the
** pipeline to flag); a text over the limit keeps its id. */
static void test_jsonl_edges(void)
{
    static const char data[] =
        "{\"text\": \"\\ud800!\", \"id\": 1}\n"
        "{\"id\": 2, \"text\": \"0123456789abcdef\"}\n"
        "{\"id\": 3, \"text\": \"\\u00e5\\u00e5\\u00e5\\u00e5\\u00e5\"}\n";
    cli_reader_config cfg = config(mem_stream(data, sizeof data - 1),
                                   CLI_IN_JSONL);
    reading t;

    cfg.id_column = "id";
    cfg.max_field_bytes = 10;
    if (CHECK(start(&t, &cfg)) && CHECK(t.n == 3)) {
        EXPECT(&t, 0, 1, 1, 0, CLI_REC_OK, "\xED\xA0\x80!", NULL);
        EXPECT(&t, 1, 2, 2, at(data, "{\"id\": 2"), CLI_REC_TOO_LARGE, "",
               "the text field has 16 bytes, over the limit of 10");
        FIELD(cli_batch_record(t.b, 1)->id, cli_batch_record(t.b, 1)->id_len,
              "2");
        /* 5 escapes of 6 bytes decode to 10 bytes: within the limit */
        EXPECT(&t, 2, 3, 3, at(data, "{\"id\": 3"), CLI_REC_OK,
               "\xC3\xA5\xC3\xA5\xC3\xA5\xC3\xA5\xC3\xA5", NULL);
    }
    finish(&t);
}

/* ---------------------------------------------------------------------- */
/* Plain text                                                             */
/* ---------------------------------------------------------------------- */

/* LF and CRLF are stripped, a CR inside a line is kept, empty lines are
** records, the last line needs no newline, a CR at the very end is a line
** ending. */
static void test_text(void)
{
    static const char data[] = "\xEF\xBB\xBF" "a\r\nb\n\nc\rd\ne\r";
    reading t;
    cli_record *rec;

    if (CHECK(start_mem(&t, CLI_IN_TEXT, data, sizeof data - 1))
        && CHECK(t.n == 5)) {
        EXPECT(&t, 0, 1, 1, 3, CLI_REC_OK, "a", NULL);
        EXPECT(&t, 1, 2, 2, 6, CLI_REC_OK, "b", NULL);
        EXPECT(&t, 2, 3, 3, 8, CLI_REC_OK, "", NULL);
        EXPECT(&t, 3, 4, 4, 9, CLI_REC_OK, "c\rd", NULL);
        EXPECT(&t, 4, 5, 5, 13, CLI_REC_OK, "e", NULL);
        rec = cli_batch_record(t.b, 0);
        CHECK(rec->id == NULL && rec->lang == NULL && rec->keep == NULL);
    }
    finish(&t);
    if (CHECK(start_mem(&t, CLI_IN_TEXT, "last", 4)) && CHECK(t.n == 1))
        EXPECT(&t, 0, 1, 1, 0, CLI_REC_OK, "last", NULL);
    finish(&t);
    if (CHECK(start_mem(&t, CLI_IN_TEXT, "", 0)))
        CHECK(t.n == 0);
    finish(&t);
}

/* A line of exactly max_field_bytes whose CR ends the first 64 KiB read:
** the CR of its CRLF is not counted (it is held back across the reads). */
static void test_text_crlf_across_reads(void)
{
    size_t n = 65535;
    char *data = malloc(n + 10);
    cli_reader_config cfg;
    reading t;

    if (!CHECK(data != NULL))
        return;
    memset(data, 'a', n);
    memcpy(data + n, "\r\nnext\r\n", 8);
    cfg = config(mem_stream(data, n + 8), CLI_IN_TEXT);
    cfg.max_field_bytes = n;
    if (CHECK(start(&t, &cfg)) && CHECK(t.n == 2)) {
        cli_record *rec = cli_batch_record(t.b, 0);

        CHECK(rec->status == CLI_REC_OK && rec->text_len == n);
        EXPECT(&t, 1, 2, 2, n + 2, CLI_REC_OK, "next", NULL);
    }
    finish(&t);
    free(data);
}

/* ---------------------------------------------------------------------- */
/* msgpack                                                                */
/* ---------------------------------------------------------------------- */

/* Packs a NUL-terminated string as a msgpack str. */
static void pack_str(msgpack_packer *pk, const char *s)
{
    msgpack_pack_str(pk, strlen(s));
    msgpack_pack_str_body(pk, s, strlen(s));
}

/* A stream of maps packed by msgpack-c: strings, a number as id, kept
** values as JSON text, a bin text, nil as NULL, skipped nested values;
** a non-map, a non-string text, a non-string key, a duplicate key, each a
** bad row with the next map read; positions are byte offsets (line 0). */
static void test_msgpack_stream(void)
{
    msgpack_sbuffer sb;
    msgpack_packer pk;
    size_t offs[10], n = 0;
    const char *keep[] = { "unit" };
    cli_reader_config cfg;
    reading t;
    cli_record *rec;

    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    offs[n++] = sb.size; /* 1: a good map */
    msgpack_pack_map(&pk, 5);
    pack_str(&pk, "id"); msgpack_pack_int(&pk, 42);
    pack_str(&pk, "skip");
    msgpack_pack_array(&pk, 2);
    msgpack_pack_map(&pk, 1); pack_str(&pk, "deep"); msgpack_pack_nil(&pk);
    msgpack_pack_double(&pk, 1.0);
    pack_str(&pk, "text"); pack_str(&pk, "hej \"du\"");
    pack_str(&pk, "lang"); pack_str(&pk, "sv");
    pack_str(&pk, "unit");
    msgpack_pack_array(&pk, 6);
    msgpack_pack_int(&pk, -3); msgpack_pack_double(&pk, 0.1);
    msgpack_pack_float(&pk, 1.5f); pack_str(&pk, "x\n");
    msgpack_pack_true(&pk);
    msgpack_pack_map(&pk, 1); msgpack_pack_int(&pk, 1); msgpack_pack_nil(&pk);
    offs[n++] = sb.size; /* 2: not a map */
    msgpack_pack_array(&pk, 2); pack_str(&pk, "text"); pack_str(&pk, "x");
    offs[n++] = sb.size; /* 3: bin text, nil id, float id... */
    msgpack_pack_map(&pk, 3);
    pack_str(&pk, "text"); msgpack_pack_bin(&pk, 3);
    msgpack_pack_bin_body(&pk, "b\xFFn", 3);
    pack_str(&pk, "id"); msgpack_pack_nil(&pk);
    pack_str(&pk, "unit"); msgpack_pack_double(&pk, 2.5);
    offs[n++] = sb.size; /* 4: text is not a string */
    msgpack_pack_map(&pk, 1); pack_str(&pk, "text"); msgpack_pack_int(&pk, 5);
    offs[n++] = sb.size; /* 5: a key that is not a string */
    msgpack_pack_map(&pk, 2); pack_str(&pk, "text"); pack_str(&pk, "a");
    msgpack_pack_int(&pk, 1); msgpack_pack_int(&pk, 2);
    offs[n++] = sb.size; /* 6: a duplicate key */
    msgpack_pack_map(&pk, 2); pack_str(&pk, "text"); pack_str(&pk, "a");
    pack_str(&pk, "text"); pack_str(&pk, "b");
    offs[n++] = sb.size; /* 7: no text */
    msgpack_pack_map(&pk, 0);
    offs[n++] = sb.size; /* 8: fine again */
    msgpack_pack_map(&pk, 1); pack_str(&pk, "text"); pack_str(&pk, "end");

    cfg = config(mem_stream(sb.data, sb.size), CLI_IN_MSGPACK);
    cfg.id_column = "id";
    cfg.lang_column = "lang";
    cfg.keep = keep;
    cfg.n_keep = 1;
    if (CHECK(start(&t, &cfg)) && CHECK(t.n == 8)) {
        EXPECT(&t, 0, 1, 0, offs[0], CLI_REC_OK, "hej \"du\"", NULL);
        rec = cli_batch_record(t.b, 0);
        FIELD(rec->id, rec->id_len, "42");
        FIELD(rec->lang, rec->lang_len, "sv");
        FIELD(rec->keep[0], rec->keep_len[0],
              "[-3,0.1,1.5,\"x\\n\",true,{\"1\":null}]");
        EXPECT(&t, 1, 2, 0, offs[1], CLI_REC_BAD_ROW, "",
               "not a map (an array)");
        EXPECT(&t, 2, 3, 0, offs[2], CLI_REC_OK, "b\xFFn", NULL);
        rec = cli_batch_record(t.b, 2);
        CHECK(rec->id == NULL);
        FIELD(rec->keep[0], rec->keep_len[0], "2.5");
        EXPECT(&t, 3, 4, 0, offs[3], CLI_REC_BAD_ROW, "",
               "no string field 'text' (it is an integer)");
        EXPECT(&t, 4, 5, 0, offs[4], CLI_REC_BAD_ROW, "",
               "a key that is not a string (an integer)");
        EXPECT(&t, 5, 6, 0, offs[5], CLI_REC_BAD_ROW, "",
               "key 'text' appears twice");
        EXPECT(&t, 6, 7, 0, offs[6], CLI_REC_BAD_ROW, "",
               "no string field 'text'");
        EXPECT(&t, 7, 8, 0, offs[7], CLI_REC_OK, "end", NULL);
        CHECK(cli_reader_bytes(t.r) == sb.size);
    }
    finish(&t);
    msgpack_sbuffer_destroy(&sb);
}

/* Numbers and booleans as id, written from their own bytes in every
** width msgpack has: the smallest and largest of each, signs extended. */
static void test_msgpack_scalars(void)
{
    static const char *const want[] = {
        "0", "127", "128", "65535", "4294967295", "18446744073709551615",
        "-1", "-32", "-33", "-129", "-40000", "-9223372036854775808",
        "0.1", "1e+300", "-0", "true", "false",
    };
    msgpack_sbuffer sb;
    msgpack_packer pk;
    size_t n = sizeof want / sizeof want[0], i;
    cli_reader_config cfg;
    reading t;

    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    for (i = 0; i < n; i++) {
        msgpack_pack_map(&pk, 2);
        pack_str(&pk, "text");
        pack_str(&pk, "t");
        pack_str(&pk, "id");
        switch (i) {
        case 0: msgpack_pack_uint64(&pk, 0); break;
        case 1: msgpack_pack_uint64(&pk, 127); break;
        case 2: msgpack_pack_uint64(&pk, 128); break;
        case 3: msgpack_pack_uint64(&pk, 65535); break;
        case 4: msgpack_pack_uint64(&pk, 4294967295u); break;
        case 5: msgpack_pack_uint64(&pk, UINT64_MAX); break;
        case 6: msgpack_pack_int64(&pk, -1); break;
        case 7: msgpack_pack_int64(&pk, -32); break;
        case 8: msgpack_pack_int64(&pk, -33); break;
        case 9: msgpack_pack_int64(&pk, -129); break;
        case 10: msgpack_pack_int64(&pk, -40000); break;
        case 11: msgpack_pack_int64(&pk, INT64_MIN); break;
        case 12: msgpack_pack_float(&pk, 0.1f); break;
        case 13: msgpack_pack_double(&pk, 1e300); break;
        case 14: msgpack_pack_double(&pk, -0.0); break;
        case 15: msgpack_pack_true(&pk); break;
        default: msgpack_pack_false(&pk); break;
        }
    }
    cfg = config(mem_stream(sb.data, sb.size), CLI_IN_MSGPACK);
    cfg.id_column = "id";
    if (CHECK(start(&t, &cfg)) && CHECK(t.n == (long)n)) {
        for (i = 0; i < n; i++) {
            cli_record *rec = cli_batch_record(t.b, i);

            CHECK(rec->status == CLI_REC_OK);
            FIELD(rec->id, rec->id_len, want[i]);
        }
    }
    finish(&t);
    msgpack_sbuffer_destroy(&sb);
}

/* Nesting in a kept value: 24 levels are decoded, 25 make a bad row and
** the map after it is still read; a value with too many items likewise. */
static void test_msgpack_nesting(void)
{
    msgpack_sbuffer sb;
    msgpack_packer pk;
    const char *keep[] = { "unit" };
    char want[64];
    size_t second, third, fourth, i;
    cli_reader_config cfg;
    reading t;

    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, 2); pack_str(&pk, "text"); pack_str(&pk, "a");
    pack_str(&pk, "unit");
    for (i = 0; i < 24; i++)
        msgpack_pack_array(&pk, 1);
    msgpack_pack_int(&pk, 7);
    second = sb.size;
    msgpack_pack_map(&pk, 3); pack_str(&pk, "text"); pack_str(&pk, "b");
    pack_str(&pk, "unit");
    for (i = 0; i < 40; i++)
        msgpack_pack_array(&pk, 2);
    msgpack_pack_int(&pk, 7);
    for (i = 0; i < 40; i++)
        msgpack_pack_int(&pk, (int)i);
    pack_str(&pk, "x"); pack_str(&pk, "y");
    third = sb.size;
    msgpack_pack_map(&pk, 2); pack_str(&pk, "text"); pack_str(&pk, "c");
    pack_str(&pk, "unit");
    msgpack_pack_array(&pk, 70000);
    for (i = 0; i < 70000; i++)
        msgpack_pack_nil(&pk);
    fourth = sb.size;
    msgpack_pack_map(&pk, 1); pack_str(&pk, "text"); pack_str(&pk, "d");

    cfg = config(mem_stream(sb.data, sb.size), CLI_IN_MSGPACK);
    cfg.keep = keep;
    cfg.n_keep = 1;
    if (CHECK(start(&t, &cfg)) && CHECK(t.n == 4)) {
        cli_record *rec = cli_batch_record(t.b, 0);

        EXPECT(&t, 0, 1, 0, 0, CLI_REC_OK, "a", NULL);
        memset(want, '[', 24);
        want[24] = '7';
        memset(want + 25, ']', 24);
        want[49] = '\0';
        FIELD(rec->keep[0], rec->keep_len[0], want);
        EXPECT(&t, 1, 2, 0, second, CLI_REC_BAD_ROW, "",
               "field 'unit' is nested too deep");
        EXPECT(&t, 2, 3, 0, third, CLI_REC_BAD_ROW, "",
               "field 'unit' has too many items");
        EXPECT(&t, 3, 4, 0, fourth, CLI_REC_OK, "d", NULL);
    }
    finish(&t);
    msgpack_sbuffer_destroy(&sb);
}

#define S(lit) lit, sizeof(lit) - 1

/* Lengths that lie. A str claiming 2^31 bytes with 10 behind it, an array
** claiming 2^32-1 items (msgpack-c alone would ask for ~100 GB on reading
** its 5 bytes), a map likewise: each makes the last record a bad row
** ("truncated msgpack object") and reading ends; nothing is allocated by
** a claimed length. A byte that is no type (0xC1) ends reading too. */
static void test_msgpack_lies(void)
{
    static const struct {
        const char *bytes;
        size_t len;
        const char *message;
    } cases[] = {
        { S("\x81\xA4text\xDB\x80\x00\x00\x00" "0123456789"),
          "truncated msgpack object (the input ends 10 bytes into a str of "
          "2147483648 bytes)" },
        { S("\x82\xA4text\xA1x\xA4unit\xDD\xFF\xFF\xFF\xFF\xC0\xC0"),
          "truncated msgpack object" },
        { S("\x82\xA4text\xA1x\xA5other\xDD\xFF\xFF\xFF\xFF\xC0"),
          "truncated msgpack object" },
        { S("\xDF\xFF\xFF\xFF\xFF"), "truncated msgpack object" },
        { S("\x81\xA4te"), "truncated msgpack object (the input ends 2 "
          "bytes into a str of 4 bytes)" },
        { S("\x81\xA4text\xC1"),
          "invalid msgpack data (byte 0xC1 at byte 15)" },
    };
    const char *keep[] = { "unit" };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char data[64];
        size_t len;
        cli_reader_config cfg;
        reading t;

        /* a good map first, then the lie */
        memcpy(data, "\x81\xA4text\xA2ok", 9);
        memcpy(data + 9, cases[i].bytes, cases[i].len);
        len = 9 + cases[i].len;
        cfg = config(mem_stream(data, len), CLI_IN_MSGPACK);
        cfg.keep = keep;
        cfg.n_keep = 1;
        if (CHECK(start(&t, &cfg)) && CHECK(t.n == 2)) {
            EXPECT(&t, 0, 1, 0, 0, CLI_REC_OK, "ok", NULL);
            EXPECT(&t, 1, 2, 0, 9, CLI_REC_BAD_ROW, "", cases[i].message);
            CHECK(cli_reader_next_batch(t.r, t.b, 10, (size_t)-1, t.err,
                                        sizeof t.err) == 0);
        }
        finish(&t);
    }
}

/* ---------------------------------------------------------------------- */
/* Batches                                                                */
/* ---------------------------------------------------------------------- */

/* max_records and max_bytes end a batch; numbers, lines and offsets go on
** across batches; the strings of one batch stay valid until the next. */
static void test_batches(void)
{
    static const char data[] =
        "line 0001\nline 0002\nline 0003\nline 0004\nline 0005\n"
        "line 0006\nline 0007\n";
    cli_reader_config cfg = config(mem_stream(data, sizeof data - 1),
                                   CLI_IN_TEXT);
    cli_reader *r = NULL;
    cli_batch *b = cli_batch_new();
    char err[256];
    long n;

    if (!CHECK(cli_reader_open(&cfg, &r, err, sizeof err) == 0)) {
        cli_batch_free(b);
        fclose(cfg.in);
        return;
    }
    n = cli_reader_next_batch(r, b, 3, (size_t)-1, err, sizeof err);
    CHECK(n == 3 && cli_batch_count(b) == 3);
    expect(cli_batch_record(b, 2), 3, 3, 20, CLI_REC_OK, "line 0003", NULL,
           __LINE__);
    CHECK(cli_batch_record(b, 3) == NULL);
    /* each record stores 9 bytes and a NUL: 10, 20, then 30 > 25 */
    n = cli_reader_next_batch(r, b, 100, 25, err, sizeof err);
    CHECK(n == 3);
    expect(cli_batch_record(b, 0), 4, 4, 30, CLI_REC_OK, "line 0004", NULL,
           __LINE__);
    expect(cli_batch_record(b, 2), 6, 6, 50, CLI_REC_OK, "line 0006", NULL,
           __LINE__);
    n = cli_reader_next_batch(r, b, 100, 0, err, sizeof err);
    CHECK(n == 1);
    expect(cli_batch_record(b, 0), 7, 7, 60, CLI_REC_OK, "line 0007", NULL,
           __LINE__);
    CHECK(cli_reader_next_batch(r, b, 100, 0, err, sizeof err) == 0);
    CHECK(cli_reader_next_batch(r, b, 100, 0, err, sizeof err) == 0);
    cli_reader_close(r);
    cli_batch_free(b);
    fclose(cfg.in);
    cli_reader_close(NULL);
    cli_batch_free(NULL);
}

/* Batches over CSV with every field kept, many records: the arena grows
** and moves while a batch fills, and every pointer is still right. */
static void test_batches_arena_growth(void)
{
    size_t n = 5000, i, len = 0;
    char *data = malloc(n * 64 + 64);
    const char *keep[] = { "b", "id" };
    cli_reader_config cfg;
    reading t;
    int ok = 1;

    if (!CHECK(data != NULL))
        return;
    len += (size_t)sprintf(data, "id,text,b\n");
    for (i = 0; i < n; i++)
        len += (size_t)sprintf(data + len, "%zu,answer number %zu,b%zu\n", i,
                               i, i * 7);
    cfg = config(mem_stream(data, len), CLI_IN_CSV);
    cfg.id_column = "id";
    cfg.keep = keep;
    cfg.n_keep = 2;
    if (CHECK(start(&t, &cfg))) {
        size_t seen = 0;

        while (t.n > 0) {
            for (i = 0; i < (size_t)t.n; i++, seen++) {
                cli_record *rec = cli_batch_record(t.b, i);
                char want[64];

                snprintf(want, sizeof want, "answer number %zu", seen);
                ok &= rec->text_len == strlen(want)
                      && memcmp(rec->text, want, rec->text_len) == 0;
                snprintf(want, sizeof want, "b%zu", seen * 7);
                ok &= rec->keep_len[0] == strlen(want)
                      && memcmp(rec->keep[0], want, rec->keep_len[0]) == 0;
                snprintf(want, sizeof want, "%zu", seen);
                ok &= rec->id_len == strlen(want) && rec->keep[1] == rec->id
                      && memcmp(rec->id, want, rec->id_len) == 0;
                ok &= rec->number == seen + 1 && rec->line == seen + 2;
            }
            t.n = cli_reader_next_batch(t.r, t.b, 1000, (size_t)-1, t.err,
                                        sizeof t.err);
        }
        CHECK(t.n == 0);
        CHECK(seen == n);
        CHECK(ok);
    }
    finish(&t);
    free(data);
}

/* A read error: the records before it come back, then the error. */
static void test_read_error(void)
{
    gen g = { "one\ntwo\nthr", 11, 0, 0, NULL, 0, 1, 0 };
    cli_reader_config cfg = config(gen_open(&g), CLI_IN_TEXT);
    cli_reader *r = NULL;
    cli_batch *b = cli_batch_new();
    char err[256];

    if (CHECK(cfg.in != NULL)
        && CHECK(cli_reader_open(&cfg, &r, err, sizeof err) == 0)) {
        CHECK(cli_reader_next_batch(r, b, 100, (size_t)-1, err,
                                    sizeof err) == 2);
        expect(cli_batch_record(b, 1), 2, 2, 4, CLI_REC_OK, "two", NULL,
               __LINE__);
        CHECK(cli_reader_next_batch(r, b, 100, (size_t)-1, err,
                                    sizeof err) == -1);
        CHECK(strstr(err, "t: read error: ") == err);
        CHECK(cli_reader_next_batch(r, b, 100, (size_t)-1, err,
                                    sizeof err) == -1);
    }
    cli_reader_close(r);
    cli_batch_free(b);
    if (cfg.in)
        fclose(cfg.in);
}

/* ---------------------------------------------------------------------- */
/* Hostile sizes: bounded memory                                          */
/* ---------------------------------------------------------------------- */

/* One hostile-size case: a made-up stream (head, `big` copies of a byte,
** tail), what its first record must be, and what the second one's text
** and line must be when there is one. */
typedef struct big_want {
    int format;            /* the input format */
    const char *head;      /* bytes before the fill */
    size_t head_len;       /* how many */
    int fill;              /* the byte repeated */
    const char *tail;      /* bytes after it */
    size_t tail_len;       /* how many */
    const char *id_column; /* or NULL */
    int status0;           /* the first record's status */
    const char *id0;       /* its id, or NULL */
    const char *text1;     /* the second record's text, or NULL: none */
    uint64_t line1;        /* its line (with big added when fill is LF) */
} big_want;

/* Reads one hostile-size case and checks its records and that the peak
** memory did not grow by anything like the fill. */
static void big_case(const big_want *w, int at_line)
{
    uint64_t big = big_bytes();
    gen g = { w->head, w->head_len, big, w->fill, w->tail, w->tail_len, 0,
              0 };
    cli_reader_config cfg = config(gen_open(&g), w->format);
    long before = peak_kib();
    reading t;

    cfg.id_column = w->id_column;
    if (wm_test_check(start(&t, &cfg), __FILE__, at_line, "big: opened")
        && wm_test_check(t.n == (w->text1 ? 2 : 1), __FILE__, at_line,
                         "big: records")) {
        cli_record *rec = cli_batch_record(t.b, 0);
        char msg[128];

        if (rec->status != w->status0)
            fprintf(stderr, "  status %d: %s\n", rec->status, rec->message);
        wm_test_check(rec->status == w->status0, __FILE__, at_line,
                      "big: status");
        snprintf(msg, sizeof msg, "the text field has %llu bytes",
                 (unsigned long long)big);
        if (w->status0 == CLI_REC_TOO_LARGE)
            wm_test_check(strncmp(rec->message, msg, strlen(msg)) == 0,
                          __FILE__, at_line, "big: message");
        expect_field(rec->id, rec->id_len, w->id0, at_line);
        if (w->text1) {
            rec = cli_batch_record(t.b, 1);
            wm_test_check_bytes(rec->text, rec->text_len, w->text1,
                                strlen(w->text1), __FILE__, at_line,
                                "big: next record");
            wm_test_check(rec->line == w->line1 + (w->fill == '\n' ? big : 0),
                          __FILE__, at_line, "big: next record's line");
        }
        wm_test_check(cli_reader_bytes(t.r)
                          == w->head_len + big + w->tail_len,
                      __FILE__, at_line, "big: bytes consumed");
    }
    if (peak_kib() - before >= 64 * 1024)
        fprintf(stderr, "  peak memory grew by %ld KiB\n",
                peak_kib() - before);
    wm_test_check(peak_kib() - before < 64 * 1024, __FILE__, at_line,
                  "big: bounded memory");
    finish(&t);
}

#define LIT(s) s, sizeof(s) - 1

/* A 1 GiB line without a newline in each text format (and a 1 GiB quoted
** CSV field of newlines), and a 1 GiB msgpack str: too large, counted to
** the end without being held, with the id read and the next record read
** where there is one. */
static void test_big(void)
{
    uint64_t big = big_bytes();
    char mp[32];
    const big_want cases[] = {
        { CLI_IN_TEXT, LIT(""), 'x', LIT(""), NULL, CLI_REC_TOO_LARGE, NULL,
          NULL, 0 },
        { CLI_IN_CSV, LIT("id,text\n7,"), 'x', LIT(""), "id",
          CLI_REC_TOO_LARGE, "7", NULL, 0 },
        { CLI_IN_CSV, LIT("id,text\n7,\""), '\n', LIT("\",x\n8,after"), "id",
          CLI_REC_BAD_ROW, NULL, "after", 3 },
        { CLI_IN_JSONL, LIT("{\"id\": \"j\", \"text\": \""), 'y',
          LIT("\"}\n{\"text\": \"after\"}"), "id", CLI_REC_TOO_LARGE, "j",
          "after", 2 },
        /* {"id": "m", "text": str32 of `big` bytes}, {"text": "after"} */
        { CLI_IN_MSGPACK, mp, 16, 'z', LIT("\x81\xA4text\xA5" "after"), "id",
          CLI_REC_TOO_LARGE, "m", "after", 0 },
    };
    size_t i;

    memcpy(mp, "\x82\xA2id\xA1m\xA4text\xDB", 12);
    mp[12] = (char)(big >> 24);
    mp[13] = (char)(big >> 16);
    mp[14] = (char)(big >> 8);
    mp[15] = (char)big;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (cases[i].format != CLI_IN_MSGPACK || big < ((uint64_t)1 << 32))
            big_case(&cases[i], __LINE__); /* a str32 holds < 4 GiB */
}

/*
** The lying msgpack lengths once more in a child whose address space is
** capped at what it uses now plus 256 MiB: a reader that allocated by a
** claimed length would fail there. Not with AddressSanitizer, which
** reserves terabytes of address space for itself.
*/
static void test_lies_under_rlimit(void)
{
#ifndef WM_ASAN
    pid_t pid;
    int status = 0;

    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        struct rlimit rl;
        FILE *f = fopen("/proc/self/statm", "r");
        unsigned long pages = 0;

        if (f == NULL || fscanf(f, "%lu", &pages) != 1)
            _exit(2);
        fclose(f);
        rl.rlim_cur = rl.rlim_max = (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE)
                                    + (256u << 20);
        if (setrlimit(RLIMIT_AS, &rl) != 0)
            _exit(2);
        wm_test_failures = 0;
        test_msgpack_lies();
        _exit(wm_test_failures ? 1 : 0);
    }
    CHECK(pid > 0);
    if (pid > 0) {
        waitpid(pid, &status, 0);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
#endif
}

/* Runs every test; the big inputs first, so that their memory check
** starts from a low peak. */
int main(void)
{
    test_big();
    test_csv_basic();
    test_csv_delimiters();
    test_csv_broken_rows();
    test_csv_unterminated();
    test_csv_bytes_and_empty();
    test_csv_sizes();
    test_csv_header_errors();
    test_jsonl_good();
    test_jsonl_bad();
    test_jsonl_edges();
    test_text();
    test_text_crlf_across_reads();
    test_msgpack_stream();
    test_msgpack_scalars();
    test_msgpack_nesting();
    test_msgpack_lies();
    test_lies_under_rlimit();
    test_batches();
    test_batches_arena_growth();
    test_read_error();
    return wm_test_finish();
}
