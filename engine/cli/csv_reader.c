/*
** csv_reader.c — an RFC 4180 CSV reader over a buffer, rewritten in place.
**
** One pass, byte by byte, with the line counted as it goes so that every
** error can name the line and the byte offset a person would look for. A
** quoted field is copied leftwards over its own opening quote as its
** doubled quotes are undone, so the write position never passes the read
** position and no second buffer is needed.
*/
#include "csv_reader.h"

#include <stdlib.h>
#include <string.h>

/* Starts a reader; skips the UTF-8 byte-order mark that spreadsheet
** programs put at the start of a "CSV UTF-8" file. */
void cli_csv_init(cli_csv_reader *reader, char *buf, size_t len)
{
    memset(reader, 0, sizeof *reader);
    reader->buf = buf;
    reader->len = len;
    reader->line = 1;
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        reader->pos = 3;
}

/* Frees what the reader allocated (the fields array). */
void cli_csv_free(cli_csv_reader *reader)
{
    free(reader->fields);
    reader->fields = NULL;
    reader->n_fields = 0;
    reader->cap_fields = 0;
}

/* Records an error at a byte offset and line; returns CLI_CSV_ERROR. */
static int csv_fail(cli_csv_reader *reader, const char *msg, size_t line,
                    size_t offset)
{
    reader->err = msg;
    reader->err_line = line;
    reader->err_offset = offset;
    return CLI_CSV_ERROR;
}

/* Appends a field to the current record, growing the array by doubling.
** Returns 0, or CLI_CSV_NOMEM. */
static int csv_push(cli_csv_reader *reader, const cli_csv_field *field)
{
    if (reader->n_fields == reader->cap_fields) {
        size_t cap = reader->cap_fields ? reader->cap_fields * 2 : 8;
        cli_csv_field *bigger;

        if (cap > (size_t)-1 / sizeof *bigger)
            return CLI_CSV_NOMEM;
        bigger = realloc(reader->fields, cap * sizeof *bigger);
        if (bigger == NULL)
            return CLI_CSV_NOMEM;
        reader->fields = bigger;
        reader->cap_fields = cap;
    }
    reader->fields[reader->n_fields++] = *field;
    return 0;
}

/* 1 when a record ends at pos: LF, CRLF, or a CR that ends the file. */
static int csv_at_eol(const cli_csv_reader *reader, size_t pos)
{
    const char *b = reader->buf;

    if (pos >= reader->len)
        return 0;
    if (b[pos] == '\n')
        return 1;
    return b[pos] == '\r' && (pos + 1 == reader->len || b[pos + 1] == '\n');
}

/* Steps over the record ending at pos (LF, CRLF or a final CR). */
static void csv_skip_eol(cli_csv_reader *reader)
{
    if (reader->buf[reader->pos] == '\r')
        reader->pos++;
    if (reader->pos < reader->len && reader->buf[reader->pos] == '\n') {
        reader->pos++;
        reader->line++;
    }
}

/*
** Reads a quoted field whose opening quote is at reader->pos, undoing the
** doubled quotes in place. Leaves pos after the closing quote, which must
** be followed by a ',', the end of the record or the end of the file.
*/
static int csv_quoted(cli_csv_reader *reader, cli_csv_field *field)
{
    char *b = reader->buf;
    size_t w = reader->pos; /* write position: over the opening quote */

    field->quoted = 1;
    reader->pos++;
    for (;;) {
        char c;

        if (reader->pos >= reader->len)
            return csv_fail(reader, "a quoted field that never ends (its "
                            "opening quote is here)", field->line,
                            field->offset);
        c = b[reader->pos];
        if (c == '"') {
            if (reader->pos + 1 < reader->len && b[reader->pos + 1] == '"') {
                b[w++] = '"';
                reader->pos += 2;
                continue;
            }
            reader->pos++;
            break;
        }
        if (c == '\n')
            reader->line++;
        b[w++] = c;
        reader->pos++;
    }
    field->text = b + field->offset;
    field->len = w - field->offset;
    if (reader->pos < reader->len && b[reader->pos] != ','
        && !csv_at_eol(reader, reader->pos))
        return csv_fail(reader, "text after a closing quote (a quote inside "
                        "a quoted field is written twice: \"\")",
                        reader->line, reader->pos);
    return 0;
}

/* Reads an unquoted field: up to a ',', the end of the record or of the
** file. A quote in it is an error, as RFC 4180 has it. */
static int csv_unquoted(cli_csv_reader *reader, cli_csv_field *field)
{
    const char *b = reader->buf;

    field->quoted = 0;
    while (reader->pos < reader->len && b[reader->pos] != ','
           && !csv_at_eol(reader, reader->pos)) {
        if (b[reader->pos] == '"')
            return csv_fail(reader, "a quote inside an unquoted field (put "
                            "the field in quotes and write the quote twice)",
                            reader->line, reader->pos);
        reader->pos++;
    }
    field->text = reader->buf + field->offset;
    field->len = reader->pos - field->offset;
    return 0;
}

/*
** Reads one record. Empty lines before it are skipped (a blank line at the
** end of a file is common and means nothing). After a ',' another field
** always follows, so "a,b," has three fields, the last empty.
*/
int cli_csv_next(cli_csv_reader *reader)
{
    reader->n_fields = 0;
    while (csv_at_eol(reader, reader->pos))
        csv_skip_eol(reader);
    if (reader->pos >= reader->len)
        return CLI_CSV_END;
    reader->record_line = reader->line;
    for (;;) {
        cli_csv_field field;
        int rc;

        field.line = reader->line;
        field.offset = reader->pos;
        if (reader->pos < reader->len && reader->buf[reader->pos] == '"')
            rc = csv_quoted(reader, &field);
        else
            rc = csv_unquoted(reader, &field);
        if (rc != 0)
            return rc;
        if (csv_push(reader, &field) != 0)
            return CLI_CSV_NOMEM;
        if (reader->pos >= reader->len)
            return CLI_CSV_RECORD;
        if (reader->buf[reader->pos] == ',') {
            reader->pos++;
            continue;
        }
        csv_skip_eol(reader);
        return CLI_CSV_RECORD;
    }
}
