/*
** taxonomy.h — the areas answers are coded into (internal).
**
** Format (lexicons/taxonomy.txt, documented in lexicons/README.md): a
** section [id] per area, in report order; inside it `key = value` lines
** with keys name.<lang> and description.<lang>; lines starting with '#'
** are comments.
*/
#ifndef WM_TAXONOMY_H
#define WM_TAXONOMY_H

#include "whatmatters.h"

#include <stddef.h>

#define WM_TAXONOMY_LANGS 5 /* sv nb nn da en, in wm_lang_list() order */

typedef struct wm_taxonomy {
    size_t n_areas;                             /* areas defined */
    char *ids[WM_MAX_AREAS];                    /* their ids, owned */
    char *names[WM_MAX_AREAS][WM_TAXONOMY_LANGS]; /* name per language, or
                                                   NULL; owned */
} wm_taxonomy;

/* Parses a taxonomy file's text into t (which must be zeroed). `name`
** names the file in messages; errmsg (WM_ERRMSG_SIZE bytes) receives
** "name:line:column: what" on WM_EPARSE. On failure t holds nothing. */
int wm_taxonomy_parse(wm_taxonomy *t, const wm_allocator *al,
                      const unsigned char *text, size_t len,
                      const char *name, char *errmsg);

/* Releases what t owns and zeroes it. */
void wm_taxonomy_free(wm_taxonomy *t, const wm_allocator *al);

#endif /* WM_TAXONOMY_H */
