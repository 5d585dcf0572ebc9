/*
** taxonomy.c — parsing the taxonomy file.
**
** The taxonomy is data a researcher may replace (another coding frame,
** another number of areas), so the parser is strict and says where it
** stopped: file, line and byte column.
*/
#include "taxonomy.h"
#include "utf8.h"
#include "wm_internal.h"

#include <string.h>

/* A copy of bytes as a NUL-terminated string from the allocator. */
static char *dup_bytes(const wm_allocator *al, const unsigned char *s, size_t len)
{
    char *p = wm__malloc(al, len + 1);

    if (p) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

/* True for the blanks around keys and values. */
static int blank(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* True for the bytes an area id may hold. */
static int id_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

void wm_taxonomy_free(wm_taxonomy *t, const wm_allocator *al)
{
    for (size_t a = 0; a < t->n_areas; a++) {
        wm__free(al, t->ids[a]);
        for (int l = 0; l < WM_TAXONOMY_LANGS; l++)
            wm__free(al, t->names[a][l]);
    }
    memset(t, 0, sizeof *t);
}

/* Parses `[id]`, checking the id; returns WM_OK or an error. */
static int parse_section(wm_taxonomy *t, const wm_allocator *al,
                         const unsigned char *line, size_t b, size_t e,
                         const char *name, size_t line_no, char *errmsg)
{
    size_t id_len = e - b - 2;

    if (line[e - 1] != ']' || id_len == 0)
        return wm__error(errmsg, WM_EPARSE, "%s:%zu:%zu: a section is [id]",
                         name, line_no, b + 1);
    for (size_t i = b + 1; i < e - 1; i++)
        if (!id_char(line[i]))
            return wm__error(errmsg, WM_EPARSE,
                             "%s:%zu:%zu: an area id holds only a-z, 0-9 and _",
                             name, line_no, i + 1);
    for (size_t a = 0; a < t->n_areas; a++)
        if (strlen(t->ids[a]) == id_len && memcmp(t->ids[a], line + b + 1, id_len) == 0)
            return wm__error(errmsg, WM_EPARSE, "%s:%zu:%zu: area '%.*s' is defined twice",
                             name, line_no, b + 2, (int)id_len, line + b + 1);
    if (t->n_areas == WM_MAX_AREAS)
        return wm__error(errmsg, WM_EPARSE, "%s:%zu:%zu: more than %d areas",
                         name, line_no, b + 1, WM_MAX_AREAS);
    t->ids[t->n_areas] = dup_bytes(al, line + b + 1, id_len);
    if (!t->ids[t->n_areas])
        return wm__error(errmsg, WM_ENOMEM, "%s: out of memory", name);
    t->n_areas++;
    return WM_OK;
}

/* Parses `key = value` inside the current section. */
static int parse_pair(wm_taxonomy *t, const wm_allocator *al,
                      const unsigned char *line, size_t b, size_t e,
                      const char *name, size_t line_no, char *errmsg)
{
    const unsigned char *eq = memchr(line + b, '=', e - b);
    size_t kb = b, ke, vb, ve, dot;
    char lang[8];
    int li;

    if (t->n_areas == 0)
        return wm__error(errmsg, WM_EPARSE, "%s:%zu:%zu: a line before the first [area]",
                         name, line_no, b + 1);
    if (!eq)
        return wm__error(errmsg, WM_EPARSE, "%s:%zu:%zu: expected key = value",
                         name, line_no, b + 1);
    for (ke = (size_t)(eq - line); ke > kb && blank(line[ke - 1]); ke--)
        ;
    for (vb = (size_t)(eq - line) + 1; vb < e && blank(line[vb]); vb++)
        ;
    ve = e;
    for (dot = kb; dot < ke && line[dot] != '.'; dot++)
        ;
    if (dot == ke || ke - dot - 1 == 0 || ke - dot - 1 >= sizeof lang)
        return wm__error(errmsg, WM_EPARSE, "%s:%zu:%zu: a key is name.LANG or description.LANG",
                         name, line_no, kb + 1);
    memcpy(lang, line + dot + 1, ke - dot - 1);
    lang[ke - dot - 1] = '\0';
    li = wm__lang_index(lang);
    if (li < 0)
        return wm__error(errmsg, WM_EPARSE, "%s:%zu:%zu: unknown language '%s'",
                         name, line_no, dot + 2, lang);
    if (vb == ve)
        return wm__error(errmsg, WM_EPARSE, "%s:%zu:%zu: empty value", name, line_no, vb + 1);
    if (dot - kb == 4 && memcmp(line + kb, "name", 4) == 0) {
        char **slot = &t->names[t->n_areas - 1][li];
        wm__free(al, *slot);
        *slot = dup_bytes(al, line + vb, ve - vb);
        if (!*slot)
            return wm__error(errmsg, WM_ENOMEM, "%s: out of memory", name);
        return WM_OK;
    }
    if (dot - kb == 11 && memcmp(line + kb, "description", 11) == 0)
        return WM_OK; /* for people and reports; the engine does not need it */
    return wm__error(errmsg, WM_EPARSE, "%s:%zu:%zu: unknown key '%.*s'",
                     name, line_no, kb + 1, (int)(ke - kb), line + kb);
}

int wm_taxonomy_parse(wm_taxonomy *t, const wm_allocator *al,
                      const unsigned char *text, size_t len,
                      const char *name, char *errmsg)
{
    size_t pos = 0, line_no = 0;
    int rc = WM_OK;

    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    while (pos < len && rc == WM_OK) {
        const unsigned char *line = text + pos;
        size_t line_len, b, e, bad;
        const unsigned char *nl = memchr(line, '\n', len - pos);

        line_len = nl ? (size_t)(nl - line) : len - pos;
        pos += line_len + (nl != NULL);
        line_no++;
        bad = wm_utf8_validate(line, line_len);
        if (bad < line_len) {
            rc = wm__error(errmsg, WM_EPARSE, "%s:%zu:%zu: invalid UTF-8", name, line_no, bad + 1);
            break;
        }
        for (b = 0; b < line_len && blank(line[b]); b++)
            ;
        for (e = line_len; e > b && blank(line[e - 1]); e--)
            ;
        if (b == e || line[b] == '#')
            continue;
        if (line[b] == '[')
            rc = parse_section(t, al, line, b, e, name, line_no, errmsg);
        else
            rc = parse_pair(t, al, line, b, e, name, line_no, errmsg);
    }
    if (rc == WM_OK && t->n_areas == 0)
        rc = wm__error(errmsg, WM_EPARSE, "%s: no areas defined", name);
    if (rc != WM_OK)
        wm_taxonomy_free(t, al);
    return rc;
}
