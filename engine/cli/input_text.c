/*
** input_text.c — plain text: every line is one answer.
**
** Every line is a record, an empty one too, so that record numbers stay
** line numbers (the id of a plain-text answer is its line). The line
** ending (LF, CRLF, or a CR that ends the input) is not part of the
** answer; a last line without an ending counts. A line is found with
** memchr and goes to the arena in runs, so a 1 GB line costs the field
** limit, not a gigabyte: past max_field_bytes it is only counted. The
** lines that are whole in the read window (nearly all) are stored
** together, one copy for all of them (text_lines).
*/
#include "input_impl.h"

#include <string.h>

/* The run of lines is copied this many bytes at a time: below the size
** from which glibc's memcpy turns to a string move (rep movsb), which is
** no faster for a few kilobytes already in cache and which callgrind,
** the measure of these changes, counts a byte an instruction. */
#define TEXT_COPY_STEP 2048u

/*
** The whole lines in the window, each a record, up to the batch's limits:
** found with memchr, each line's end (its LF, or the CR of a CRLF)
** overwritten in the window with the NUL that ends its text (the window's
** bytes before pos are consumed), then copied to the arena together, one
** copy for the run instead of one a line. Returns how many were
** taken; 0 when the first line is not whole in the window or is over the
** field limit (the general path's), or when memory ran out first
** (r->nomem set). Memory running out after some lines keeps those and
** leaves the next line to fail again as the first of the next call.
*/
static size_t text_lines(cli_reader *r, cli_batch *b)
{
    size_t start = r->pos, base, n0 = b->n, taken;
    size_t avail = r->len - r->pos;

    if (avail + 1 > b->arena_cap - b->arena_len
        && cli_batch_room(b, avail + 1) != 0) {
        r->nomem = 1;
        return 0;
    }
    base = b->arena_len;
    for (;;) {
        const unsigned char *p = r->buf + r->pos;
        const unsigned char *nl = memchr(p, '\n', r->len - r->pos);
        size_t run, len;

        if (nl == NULL)
            break;
        run = (size_t)(nl - p);
        len = run - (size_t)(run > 0 && p[run - 1] == '\r');
        if (len > r->cfg.max_field_bytes)
            break;
        if (b->n == b->cap && cli_batch_room(b, 0) != 0) {
            if (b->n > n0)
                break; /* the lines before are kept */
            r->nomem = 1;
            return 0;
        }
        cli_rec_text_at(r, b, r->line, cli_in_offset(r),
                        base + (r->pos - start), len);
        r->buf[r->pos + len] = '\0'; /* consumed: the window's to change */
        r->pos += run + 1;
        cli_in_newline(r);
        if (b->n >= r->batch_records || b->bytes > r->batch_bytes)
            break;
    }
    taken = b->n - n0;
    if (taken > 0) {
        for (size_t at = 0, n = r->pos - start; at < n; at += TEXT_COPY_STEP)
            memcpy(b->arena + base + at, r->buf + start + at,
                   n - at < TEXT_COPY_STEP ? n - at : TEXT_COPY_STEP);
        b->arena_len = base + (r->pos - start);
    }
    return taken;
}

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
    if (cli_rec_text_only(r, b) && text_lines(r, b))
        return 1;
    if (r->nomem)
        return 0;
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
