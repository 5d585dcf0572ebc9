/*
** input_text.c — plain text: every line is one answer.
**
** Every line is a record, an empty one too, so that record numbers stay
** line numbers (the id of a plain-text answer is its line). The line
** ending (LF, CRLF, or a CR that ends the input) is not part of the
** answer; a last line without an ending counts. A line is found with
** memchr and goes to the arena in runs, so a 1 GB line costs the field
** limit, not a gigabyte: past max_field_bytes it is only counted. A line
** that is whole in the read window (nearly all) is stored in one step
** (cli_rec_text).
*/
#include "input_impl.h"

#include <string.h>

/*
** Reads one line. A CR at the end of a run is held back until the next
** byte says whether it belongs to a CRLF (dropped) or to the text (kept);
** holding it back keeps a line of exactly max_field_bytes plus CRLF from
** being counted one byte too long.
*/
static int text_next(cli_reader *r, cli_batch *b)
{
    int held_cr = 0;

    if (cli_in_peek(r) == CLI_IN_EOF)
        return 0;
    /* The common case: the whole line is in the window; and so the next
    ** ones, taken here in one call up to the batch's limits (where
    ** cli_reader_next_batch would stop too), without its per-call checks.
    ** On the main thread, this is part of what a second thread waits on. */
    {
        size_t taken = 0;

        for (;;) {
            const unsigned char *p = r->buf + r->pos;
            const unsigned char *nl = memchr(p, '\n', r->len - r->pos);
            size_t run;
            int rc;

            if (nl == NULL)
                break;
            run = (size_t)(nl - p);
            rc = cli_rec_text(r, b, r->line, cli_in_offset(r), p,
                              run - (size_t)(run > 0 && p[run - 1] == '\r'));
            if (rc < 0) {
                if (taken == 0)
                    return 0;
                /* The lines before are stored: this one fails again, as
                ** the first of the next call. */
                r->nomem = 0;
                return 1;
            }
            if (rc > 0)
                break;
            r->pos += run + 1;
            cli_in_newline(r);
            taken++;
            if (b->n >= r->batch_records || b->bytes > r->batch_bytes)
                return 1;
        }
        if (taken > 0)
            return 1;
    }
    if (cli_rec_begin(r, b, r->line, cli_in_offset(r)) != 0)
        return 0;
    cli_val_begin(r, r->want_text);
    for (;;) {
        const unsigned char *p, *nl;
        size_t n, run;

        if (r->pos == r->len && cli_in_fill(r, 1) == 0)
            break; /* a held CR at the very end is a line ending too */
        p = r->buf + r->pos;
        n = r->len - r->pos;
        nl = memchr(p, '\n', n);
        run = nl ? (size_t)(nl - p) : n;
        if (run > 0) {
            if (held_cr)
                cli_val_put(r, "\r", 1);
            held_cr = p[run - 1] == '\r';
            cli_val_put(r, p, run - (size_t)held_cr);
        }
        r->pos += run;
        if (nl != NULL) {
            r->pos++;
            cli_in_newline(r);
            break;
        }
    }
    cli_val_end(r);
    cli_rec_end(r);
    return 1;
}

/* Sets up plain text: nothing to read ahead but a byte-order mark. */
int cli_text_open(cli_reader *r, char *err, size_t err_size)
{
    (void)err;
    (void)err_size;
    r->next = text_next;
    cli_in_skip_bom(r);
    return 0;
}
