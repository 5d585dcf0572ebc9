/*
** test_normalize.c — the normal form through the public API: NFC/NFD
** equivalence, full case folding, ignorables and apostrophes, with offsets
** that always point into the caller's original bytes.
*/
#include "wm_test.h"
#include "whatmatters.h"

#include <string.h>

static wm_engine *engine;

/* Analyses text and checks it gives exactly one token with this normal
** form, spanning the whole input. */
static void check_one(wm_analyzer *a, const char *text, const char *want_norm)
{
    const wm_analysis *an = NULL;
    int rc = wm_analyze(a, text, strlen(text), 0, &an);

    if (!CHECK_MSG(rc == WM_OK && an && an->n_tokens == 1, text))
        return;
    CHECK_STR(an->tokens[0].norm, an->tokens[0].norm_len, want_norm);
    CHECK_MSG(an->tokens[0].start == 0 && an->tokens[0].end == strlen(text),
              "the token spans the original bytes");
}

/* Composed and decomposed input give the same normal form, stem and ids;
** the offsets differ by exactly the extra bytes of the decomposition. */
static void test_nfc_nfd(wm_analyzer *a)
{
    const char *nfc = "Jag \xC3\xA4lskar v\xC3\xA5rden";          /* älskar vården */
    const char *nfd = "Jag a\xCC\x88lskar va\xCC\x8Arden";        /* a+U+0308, a+U+030A */
    const wm_analysis *an;
    wm_token c[3], d[3];

    if (!CHECK_RC(wm_analyze(a, nfc, strlen(nfc), 0, &an), WM_OK) || !CHECK(an->n_tokens == 3))
        return;
    memcpy(c, an->tokens, sizeof c);
    if (!CHECK_RC(wm_analyze(a, nfd, strlen(nfd), 0, &an), WM_OK) || !CHECK(an->n_tokens == 3))
        return;
    memcpy(d, an->tokens, sizeof d);
    for (int i = 0; i < 3; i++) {
        CHECK(c[i].norm_len == d[i].norm_len &&
              memcmp(c[i].norm, d[i].norm, c[i].norm_len) == 0);
        CHECK(c[i].stem_len == d[i].stem_len &&
              memcmp(c[i].stem, d[i].stem, c[i].stem_len) == 0);
        CHECK(c[i].norm_id == d[i].norm_id && c[i].stem_id == d[i].stem_id);
        CHECK(c[i].flags == d[i].flags);
    }
    CHECK_STR(d[1].norm, d[1].norm_len, "\xC3\xA4lskar");
    CHECK_STR(d[2].norm, d[2].norm_len, "v\xC3\xA5rden");
    /* Offsets into the NFD bytes: "Jag " 0..3, "a\u0308lskar" 4..12,
    ** "va\u030Arden" 13..21. */
    CHECK(d[0].start == 0 && d[0].end == 3);
    CHECK(d[1].start == 4 && d[1].end == 12);
    CHECK(d[2].start == 13 && d[2].end == 21);
    CHECK(c[2].start == 12 && c[2].end == 19);
}

/* Full case folding, the Nordic letters first. */
static void test_case_folding(wm_analyzer *a)
{
    check_one(a, "\xC3\x85SA", "\xC3\xA5sa");                 /* ÅSA -> åsa */
    check_one(a, "\xC3\x98STFOLD", "\xC3\xB8stfold");         /* ØSTFOLD */
    check_one(a, "\xC3\x86" "BLE", "\xC3\xA6" "ble");               /* ÆBLE */
    check_one(a, "Stra\xC3\x9F" "e", "strasse");              /* Straße: ß -> ss */
    check_one(a, "STRASSE", "strasse");
    check_one(a, "\xE1\xBA\x9E", "ss");                       /* capital ẞ */
    check_one(a, "A\xCC\x8AR", "\xC3\xA5r");                  /* A + ring, decomposed */
    check_one(a, "\xCE\xA3\xCE\x9F\xCE\xA6\xCE\x99\xCE\x91",  /* ΣΟΦΙΑ */
              "\xCF\x83\xCE\xBF\xCF\x86\xCE\xB9\xCE\xB1");
    check_one(a, "\xEF\xAC\x81" "ne", "fine");                /* ﬁ ligature folds */
}

/* Default-ignorables vanish from the normal form but not from the offsets,
** and the typographic apostrophe is the ASCII one. */
static void test_ignorables_apostrophes(wm_analyzer *b)
{
    check_one(b, "v\xC3\xA5rd\xC2\xAD" "central", "v\xC3\xA5rdcentral"); /* soft hyphen */
    check_one(b, "don\xE2\x80\x99t", "don't");
    check_one(b, "DON'T", "don't");
}

int main(void)
{
    wm_analyzer *sv = NULL, *en = NULL;

    CHECK_RC(wm_engine_new(NULL, &engine), WM_OK);
    CHECK_RC(wm_analyzer_new(engine, "sv", &sv), WM_OK);
    CHECK_RC(wm_analyzer_new(engine, "en", &en), WM_OK);
    if (sv && en) {
        test_nfc_nfd(sv);
        test_case_folding(sv);
        test_ignorables_apostrophes(sv);
        test_ignorables_apostrophes(en);
    }
    wm_analyzer_free(sv);
    wm_analyzer_free(en);
    wm_engine_free(engine);
    return wm_test_finish();
}
