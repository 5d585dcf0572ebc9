/*
** wordlist.c — parsing and looking up the per-language word lists.
**
** The format is line-based so that a researcher can edit it in any editor:
** one word a line, "#" starts a comment, blank lines are ignored; the
** negation file has [negators] and [clause_breaks] sections, and a negator
** written "*suffix" matches every word that ends so ("*n't"). Every error
** names file, line and byte column, because a person will fix it by hand.
*/
#include "wordlist.h"
#include "utf8.h"
#include "wm_internal.h"

#include <string.h>

/* Makes empty lists. */
void wm_wordlists_init(wm_wordlists *wl, const wm_allocator *al)
{
    memset(wl, 0, sizeof *wl);
    wm_intern_init(&wl->words, al);
}

/* Releases the lists and the suffixes they own. */
void wm_wordlists_free(wm_wordlists *wl)
{
    const wm_allocator *al = wl->words.al;

    for (size_t i = 0; i < wl->n_neg_suffixes; i++)
        wm__free(al, wl->neg_suffixes[i].text);
    wm__free(al, wl->neg_suffixes);
    wm_intern_free(&wl->words);
    wm_wordlists_init(wl, al);
}

/* Adds one normalised word with the given bits (OR-ed with earlier ones). */
static int add_word(wm_wordlists *wl, const unsigned char *w, size_t len,
                    uint32_t bits)
{
    uint32_t id;
    int rc = wm_intern_add(&wl->words, (const char *)w, len, wm_hash(w, len), &id);

    if (rc == WM_OK)
        wm_intern_get(&wl->words, id)->val |= bits;
    return rc;
}

/* Adds a negator suffix (normalised bytes, copied). */
static int add_suffix(wm_wordlists *wl, const unsigned char *w, size_t len)
{
    const wm_allocator *al = wl->words.al;
    char *copy;

    if (wm__grow(al, (void **)&wl->neg_suffixes, &wl->cap_neg_suffixes,
                 wl->n_neg_suffixes + 1, sizeof *wl->neg_suffixes) != WM_OK)
        return WM_ENOMEM;
    copy = wm__malloc(al, len);
    if (!copy)
        return WM_ENOMEM;
    memcpy(copy, w, len);
    wl->neg_suffixes[wl->n_neg_suffixes].text = copy;
    wl->neg_suffixes[wl->n_neg_suffixes].len = len;
    wl->n_neg_suffixes++;
    return WM_OK;
}

/* True for the blanks that may surround an entry. */
static int is_blank(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/*
** Parses a file line by line. `section` holds the bits entries get:
** stopword files have one implicit section, negation files name theirs.
*/
int wm_wordlists_parse(wm_wordlists *wl, wm_normbuf *nb, const char *kind,
                       const unsigned char *text, size_t len,
                       const char *name, char *errmsg)
{
    int negation = strcmp(kind, "negation") == 0;
    uint32_t section = negation ? 0 : WM_WL_STOP;
    size_t line_no = 0, pos = 0;

    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        pos = 3; /* a byte-order mark some editors add */
    while (pos < len) {
        size_t start = pos, end, stop, bad;
        const unsigned char *line = text + pos;
        size_t line_len, b, e, norm_len;
        int is_suffix = 0, rc;

        while (pos < len && text[pos] != '\n')
            pos++;
        end = pos;
        if (pos < len)
            pos++; /* the newline */
        line_no++;
        line_len = end - start;

        bad = wm_utf8_validate(line, line_len);
        if (bad < line_len)
            return wm__error(errmsg, WM_EPARSE, "%s:%zu:%zu: invalid UTF-8",
                             name, line_no, bad + 1);
        stop = 0;
        while (stop < line_len && line[stop] != '#')
            stop++;
        for (b = 0; b < stop && is_blank(line[b]); b++)
            ;
        for (e = stop; e > b && is_blank(line[e - 1]); e--)
            ;
        if (b == e)
            continue; /* blank or comment only */

        if (line[b] == '[') {
            if (!negation)
                return wm__error(errmsg, WM_EPARSE,
                                 "%s:%zu:%zu: sections belong in negation.txt only",
                                 name, line_no, b + 1);
            if (e - b == strlen("[negators]") && memcmp(line + b, "[negators]", e - b) == 0)
                section = WM_WL_NEGATOR;
            else if (e - b == strlen("[clause_breaks]") &&
                     memcmp(line + b, "[clause_breaks]", e - b) == 0)
                section = WM_WL_CLAUSE_BREAK;
            else
                return wm__error(errmsg, WM_EPARSE,
                                 "%s:%zu:%zu: unknown section '%.*s' "
                                 "(expected [negators] or [clause_breaks])",
                                 name, line_no, b + 1, (int)(e - b), line + b);
            continue;
        }
        if (section == 0)
            return wm__error(errmsg, WM_EPARSE,
                             "%s:%zu:%zu: entry before the first section "
                             "([negators] or [clause_breaks])",
                             name, line_no, b + 1);
        for (size_t i = b; i < e; i++)
            if (is_blank(line[i]))
                return wm__error(errmsg, WM_EPARSE,
                                 "%s:%zu:%zu: one word a line (blank inside '%.*s')",
                                 name, line_no, i + 1, (int)(e - b), line + b);
        if (line[b] == '*') {
            if (section != WM_WL_NEGATOR || e - b < 2)
                return wm__error(errmsg, WM_EPARSE,
                                 "%s:%zu:%zu: '*suffix' is for negators only, "
                                 "and needs a suffix",
                                 name, line_no, b + 1);
            is_suffix = 1;
            b++;
        }
        rc = wm_normalize(nb, line + b, e - b, &norm_len);
        if (rc == WM_OK)
            rc = is_suffix ? add_suffix(wl, nb->out, norm_len)
                     : add_word(wl, nb->out, norm_len, section);
        if (rc != WM_OK)
            return wm__error(errmsg, rc, "%s:%zu:%zu: %s", name, line_no,
                             b + 1, wm_strerror(rc));
    }
    return WM_OK;
}

/* The list bits of a normalised word, suffix negators included. */
uint32_t wm_wordlists_lookup(const wm_wordlists *wl, const char *norm,
                             size_t len, uint32_t hash)
{
    uint32_t id = wm_intern_find(&wl->words, norm, len, hash);
    uint32_t bits = id ? wm_intern_get(&wl->words, id)->val : 0;

    for (size_t i = 0; i < wl->n_neg_suffixes; i++) {
        const wm_suffix *s = &wl->neg_suffixes[i];
        if (len > s->len && memcmp(norm + len - s->len, s->text, s->len) == 0)
            bits |= WM_WL_NEGATOR;
    }
    return bits;
}
