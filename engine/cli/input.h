/*
** input.h — reading survey files record by record, in bounded batches.
**
** One interface over four formats (CSV, JSON Lines, plain text, msgpack;
** docs/batch.md). The reader streams: it never holds more than the batch
** it is filling, and a field over the size limit is skipped to its end and
** flagged, not buffered. Every record knows where it came from (record
** number, line, byte offset), so that a message can send a person to it.
*/
#ifndef WM_CLI_INPUT_H
#define WM_CLI_INPUT_H

#include <stdint.h>
#include <stdio.h>

/* Input formats. */
enum cli_input_format {
    CLI_IN_CSV,     /* RFC 4180, with a header row */
    CLI_IN_JSONL,   /* one JSON object a line */
    CLI_IN_TEXT,    /* one answer a line */
    CLI_IN_MSGPACK  /* a stream of maps */
};

/* What the reader found wrong with a record (the pipeline adds its own
** statuses: invalid_utf8, plugin_failed, lang_unknown). */
enum cli_record_status {
    CLI_REC_OK,        /* read as it should be */
    CLI_REC_BAD_ROW,   /* broken: the message says how */
    CLI_REC_TOO_LARGE  /* the text field is over max_field_bytes */
};

/* One record. Every pointer is BORROWED from the batch it is in: valid
** until the next cli_reader_next_batch() with that batch. (cli_rec_text_at
** in input_impl.h sets every field by name, not with a memset: a field
** added here is set there too.) */
typedef struct cli_record {
    uint64_t number;      /* 1-based record number */
    uint64_t line;        /* input line where the record starts (1-based) */
    uint64_t offset;      /* byte offset of that line in the input */
    const char *text;     /* the answer ("" for a bad row) */
    size_t text_len;      /* its bytes */
    const char *id;       /* the --id-column value, or NULL (use number) */
    size_t id_len;        /* its bytes */
    const char *lang;     /* the --lang-column value, or NULL */
    size_t lang_len;      /* its bytes */
    const char **keep;    /* [n_keep] --keep values (NULL when missing) */
    size_t *keep_len;     /* [n_keep] their bytes */
    int status;           /* enum cli_record_status */
    const char *message;  /* what was wrong, "" when ok; without the
                             position (the writer adds it) */
} cli_record;

/* A batch of records and the memory their strings live in. */
typedef struct cli_batch cli_batch;

/* How to read. */
typedef struct cli_reader_config {
    FILE *in;                  /* the stream (stdin or an opened file) */
    const char *name;          /* for messages: the path, or "stdin" */
    int format;                /* enum cli_input_format */
    int delimiter;             /* CSV: ',', ';' or '\t' */
    const char *text_column;   /* field of the answer (not for text) */
    const char *id_column;     /* field of the id, or NULL */
    const char *lang_column;   /* field of the language, or NULL */
    const char *const *keep;   /* fields passed through, in this order */
    size_t n_keep;             /* how many */
    size_t max_field_bytes;    /* a longer text field is CLI_REC_TOO_LARGE */
    int64_t size;              /* the input's size when known, else -1 */
} cli_reader_config;

typedef struct cli_reader cli_reader;

/* Opens a reader (CSV: reads the header and checks that the named columns
** exist; JSONL/msgpack: fields are checked per record). Returns 0, or -1
** with a one-line message in err ("answers.csv: no column 'txt' (columns:
** id, text, unit)"); the config's strings must outlive the reader. */
int cli_reader_open(const cli_reader_config *cfg, cli_reader **out,
                    char *err, size_t err_size);

/* Fills b with the next records: at most max_records, and stopping after
** the record that takes the bytes the batch stores (text, id, language,
** kept fields, messages) past max_bytes. Returns the number of
** records (0 at the end of the input), or -1 on a read error with a
** message in err. The batch's earlier records are gone. */
long cli_reader_next_batch(cli_reader *r, cli_batch *b, size_t max_records,
                           size_t max_bytes, char *err, size_t err_size);

/* Bytes consumed so far (for progress). */
uint64_t cli_reader_bytes(const cli_reader *r);

/* Closes the reader (not the stream). NULL is a no-op. */
void cli_reader_close(cli_reader *r);

/* Batches. A batch's records lie one after the other: record i is
** cli_batch_record(b, 0) + i (NULL when there is no such record). */
cli_batch *cli_batch_new(void);
void cli_batch_free(cli_batch *b);
size_t cli_batch_count(const cli_batch *b);
cli_record *cli_batch_record(cli_batch *b, size_t i);

#endif /* WM_CLI_INPUT_H */
