/*
** csv_reader.h — an RFC 4180 CSV reader for the command-line tool (the
** gold corpora of `whatmatters eval`, corpora/README.md).
**
** The reader works on a whole file held in memory and rewrites it in place:
** a quoted field loses its quotes and its doubled quotes ("" becomes ")
** where it stands, so a field is a pointer and a length into the caller's
** buffer, and reading a file allocates nothing but the array of one
** record's fields.
**
** Accepted: fields separated by ',', records ended by LF or CRLF (the last
** one may have no ending); a field in double quotes may hold ',', CR, LF and
** doubled quotes; a UTF-8 byte-order mark at the very start is skipped;
** empty lines between records are skipped. Refused, with the line and the
** byte offset: a quote inside an unquoted field, text after a closing
** quote, a quoted field that never ends.
*/
#ifndef WM_CLI_CSV_READER_H
#define WM_CLI_CSV_READER_H

#include <stddef.h>

/* One field of the current record. */
typedef struct cli_csv_field {
    char *text;    /* its bytes, unquoted, in the reader's buffer (not
                      NUL-terminated) */
    size_t len;    /* bytes in text */
    size_t line;   /* line (1-based) where the field starts */
    size_t offset; /* byte offset in the file where it starts (its opening
                      quote, for a quoted field) */
    int quoted;    /* 1 when it was written in quotes */
} cli_csv_field;

/* A reader over one buffer. */
typedef struct cli_csv_reader {
    char *buf;              /* the whole file; rewritten in place */
    size_t len;             /* bytes in buf */
    size_t pos;             /* offset of the next byte to read */
    size_t line;            /* line number at pos, from 1 */
    cli_csv_field *fields;  /* the current record's fields */
    size_t n_fields;        /* how many */
    size_t cap_fields;      /* how many fit in fields */
    size_t record_line;     /* line where the current record starts */
    const char *err;        /* the last error, a static English phrase */
    size_t err_line;        /* its line */
    size_t err_offset;      /* its byte offset in the file */
} cli_csv_reader;

/* What cli_csv_next() returns. */
enum {
    CLI_CSV_RECORD = 1,  /* a record was read into fields */
    CLI_CSV_END = 0,     /* no records left */
    CLI_CSV_ERROR = -1,  /* malformed: err, err_line, err_offset say how */
    CLI_CSV_NOMEM = -2   /* out of memory */
};

/* Starts reading buf[0..len), skipping a byte-order mark. The buffer must
** outlive the reader and every field taken from it. */
void cli_csv_init(cli_csv_reader *reader, char *buf, size_t len);

/* Reads the next record into reader->fields (valid until the next call).
** Returns one of the CLI_CSV_* values. */
int cli_csv_next(cli_csv_reader *reader);

/* Frees the fields array. The buffer stays the caller's. */
void cli_csv_free(cli_csv_reader *reader);

#endif /* WM_CLI_CSV_READER_H */
