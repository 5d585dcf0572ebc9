/*
** fuzz_csv_reader.c — the in-memory RFC 4180 reader of `whatmatters eval`
** and `train` (engine/cli/csv_reader.c) on arbitrary bytes.
**
** The reader rewrites its buffer in place, so it gets a copy. Checked:
** every field lies inside the buffer, fields come in order, line numbers
** never go back, and an error names a line and an offset inside the input.
*/
#include "fuzz.h"
#include "csv_reader.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size ? size : 1);
    cli_csv_reader r;
    size_t last_line = 1, records = 0;
    volatile unsigned sum = 0;
    int rc;

    if (buf == NULL)
        return 0;
    memcpy(buf, data, size);
    cli_csv_init(&r, buf, size);
    while ((rc = cli_csv_next(&r)) == CLI_CSV_RECORD) {
        FUZZ_CHECK(r.n_fields >= 1);
        FUZZ_CHECK(r.record_line >= last_line);
        last_line = r.record_line;
        for (size_t i = 0; i < r.n_fields; i++) {
            const cli_csv_field *f = &r.fields[i];
            FUZZ_CHECK(f->text >= buf && f->text + f->len <= buf + size);
            FUZZ_CHECK(f->offset <= size && f->line >= r.record_line);
            if (i > 0)
                FUZZ_CHECK(f->offset > r.fields[i - 1].offset);
            for (size_t k = 0; k < f->len; k++)
                sum += (unsigned char)f->text[k];
        }
        FUZZ_CHECK(++records <= size + 1);
    }
    if (rc == CLI_CSV_ERROR)
        FUZZ_CHECK(r.err != NULL && r.err_offset <= size && r.err_line >= 1);
    else
        FUZZ_CHECK(rc == CLI_CSV_END);
    cli_csv_free(&r);
    free(buf);
    return 0;
}
