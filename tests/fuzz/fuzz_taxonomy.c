/*
** fuzz_taxonomy.c — the taxonomy parser (engine/src/taxonomy.c) on
** arbitrary bytes.
**
** Checked: a taxonomy it accepts has 1 to WM_MAX_AREAS areas with
** non-empty, distinct ids; a refusal says "fuzz:line:column: ..." and
** leaves nothing allocated (an allocator that counts).
*/
#include "fuzz.h"
#include "taxonomy.h"
#include "wm_internal.h"

#include <stdlib.h>
#include <string.h>

static void *count_realloc(void *ud, void *ptr, size_t size)
{
    long *live = ud;
    void *p = realloc(ptr, size ? size : 1);

    if (p && !ptr)
        ++*live;
    return p;
}

static void count_free(void *ud, void *ptr)
{
    long *live = ud;

    if (ptr)
        --*live;
    free(ptr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    long live = 0;
    wm_allocator al = {count_realloc, count_free, &live};
    wm_taxonomy t;
    char errmsg[WM_ERRMSG_SIZE] = "";
    int rc;

    memset(&t, 0, sizeof t);
    rc = wm_taxonomy_parse(&t, &al, data, size, "fuzz", errmsg);
    if (rc == WM_OK) {
        FUZZ_CHECK(t.n_areas >= 1 && t.n_areas <= WM_MAX_AREAS);
        for (size_t i = 0; i < t.n_areas; i++) {
            FUZZ_CHECK(t.ids[i] != NULL && t.ids[i][0] != '\0');
            for (size_t j = 0; j < i; j++)
                FUZZ_CHECK(strcmp(t.ids[i], t.ids[j]) != 0);
        }
        wm_taxonomy_free(&t, &al);
    } else {
        FUZZ_CHECK(rc == WM_EPARSE || rc == WM_ENOMEM);
        if (rc == WM_EPARSE)
            FUZZ_CHECK(strncmp(errmsg, "fuzz:", 5) == 0);
        FUZZ_CHECK(t.n_areas == 0);
    }
    FUZZ_CHECK(live == 0);
    return 0;
}
