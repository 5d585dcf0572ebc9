/*
** fuzz_input.c — the CLI's streaming record readers (engine/cli/input*.c)
** on arbitrary bytes: one target per format, chosen at build time with
** FUZZ_FORMAT (CLI_IN_CSV, CLI_IN_JSONL, CLI_IN_MSGPACK, CLI_IN_TEXT).
**
** The input is read as the CLI reads a file, with an id, a language and a
** kept column, a small field limit (so that too_large comes up) and small
** batches (so that records cross batch ends). Checked: the reader either
** refuses the input at open or read with a message, or hands out records
** numbered 1, 2, 3, ... with none skipped (the batch contract: every record
** in, one record out), positions inside the input and never going back, a
** message on every flagged record and none on a good one, and texts within
** the field limit.
*/
#define _GNU_SOURCE
#include "fuzz.h"
#include "input.h"

#include <stdio.h>
#include <string.h>

#ifndef FUZZ_FORMAT
#error "FUZZ_FORMAT names the reader to fuzz"
#endif

#define FUZZ_MAX_FIELD 4096 /* --max-field-bytes for the run */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const keep[] = {"unit"};
    cli_reader_config cfg;
    cli_reader *r = NULL;
    cli_batch *b;
    char err[1024];
    uint64_t expect = 1, last_offset = 0, last_line = 1;
    FILE *in;
    long n;
    volatile unsigned sum = 0;

    /* glibc's fmemopen refuses a size of 0: an empty input is /dev/null. */
    in = size ? fmemopen((void *)data, size, "rb") : fopen("/dev/null", "rb");
    if (in == NULL)
        fuzz_fail("cannot open a stream on the input");
    memset(&cfg, 0, sizeof cfg);
    cfg.in = in;
    cfg.name = "fuzz";
    cfg.format = FUZZ_FORMAT;
    cfg.delimiter = ',';
    cfg.text_column = "text";
    cfg.id_column = "id";
    cfg.lang_column = "lang";
    cfg.keep = keep;
    cfg.n_keep = 1;
    cfg.max_field_bytes = FUZZ_MAX_FIELD;
    cfg.size = (int64_t)size;
    err[0] = '\0';
    if (cli_reader_open(&cfg, &r, err, sizeof err) != 0) {
        FUZZ_CHECK(r == NULL && err[0] != '\0');
        fclose(in);
        return 0;
    }
    b = cli_batch_new();
    FUZZ_CHECK(b != NULL);
    for (;;) {
        err[0] = '\0';
        n = cli_reader_next_batch(r, b, 7, 2048, err, sizeof err);
        if (n < 0) {
            FUZZ_CHECK(err[0] != '\0');
            break;
        }
        if (n == 0)
            break;
        FUZZ_CHECK((size_t)n <= 7 && cli_batch_count(b) == (size_t)n);
        for (long i = 0; i < n; i++) {
            const cli_record *rec = cli_batch_record(b, (size_t)i);
            FUZZ_CHECK(rec->number == expect);
            expect++;
            FUZZ_CHECK(rec->offset <= size && rec->offset >= last_offset);
            FUZZ_CHECK(FUZZ_FORMAT == CLI_IN_MSGPACK || rec->line >= last_line);
            last_offset = rec->offset;
            last_line = rec->line;
            FUZZ_CHECK(rec->text != NULL && rec->message != NULL);
            if (rec->status == CLI_REC_OK) {
                FUZZ_CHECK(rec->message[0] == '\0');
                FUZZ_CHECK(rec->text_len <= FUZZ_MAX_FIELD);
            } else {
                FUZZ_CHECK(rec->status == CLI_REC_BAD_ROW || rec->status == CLI_REC_TOO_LARGE);
                FUZZ_CHECK(rec->message[0] != '\0');
            }
            FUZZ_CHECK(rec->text_len <= size);
            /* msgpack values other than strings come out as JSON text:
            ** at most 6 bytes a byte (\u0000), or a number's digits. */
            FUZZ_CHECK(rec->id == NULL || rec->id_len <= 6 * size + 64);
            FUZZ_CHECK(rec->lang == NULL || rec->lang_len <= 6 * size + 64);
            FUZZ_CHECK(rec->keep != NULL);
            if (rec->keep[0] != NULL)
                FUZZ_CHECK(rec->keep_len[0] <= 6 * size + 64);
            /* Touch every byte handed out, so that ASan sees a bad span. */
            for (size_t k = 0; k < rec->text_len; k++)
                sum += (unsigned char)rec->text[k];
        }
        FUZZ_CHECK(cli_reader_bytes(r) <= size);
    }
    cli_reader_close(r);
    cli_batch_free(b);
    fclose(in);
    return 0;
}
