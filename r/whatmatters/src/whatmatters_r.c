/*
** whatmatters_r.c — the R package's glue to libwhatmatters, through .Call.
**
** An engine is an external pointer to a wmr_engine: the library's engine
** and the analyzers made from it, one per language, cached (R runs the
** package's code on one thread, so one analyzer per language is all it
** needs). R's garbage collector frees it through a finalizer; wmr_close()
** frees it at once. Errors of the library become R errors carrying the
** code's name and the engine's message. Only the public header is used.
**
** Strings: R's are converted to UTF-8 (translateCharUTF8) and results are
** marked UTF-8. Offsets are returned both as the library's byte offsets
** (0-based, end exclusive) and as R's character positions (1-based, end
** inclusive, as substr() takes them).
*/
#include <whatmatters.h>

#include <R.h>
#include <Rinternals.h>
#include <R_ext/Rdynload.h>

#include <stdlib.h>
#include <string.h>

#define WMR_MAX_LANGS 16 /* analyzers one engine may cache */

/* What an R engine object points to. */
typedef struct wmr_engine {
    wm_engine *engine;                     /* owned; NULL once closed */
    wm_analyzer *analyzers[WMR_MAX_LANGS]; /* owned, one per language */
    char langs[WMR_MAX_LANGS][8];          /* the code each was made for */
    int n_analyzers;                       /* how many are made */
} wmr_engine;

/* The names of the result codes, for error messages ("WM_EPARSE"). */
static const char *wmr_code_name(int rc)
{
    switch (rc) {
#define WMR_X_NAME(name, value, text) case value: return #name;
    WM_RESULT_LIST(WMR_X_NAME)
#undef WMR_X_NAME
    default:
        return "WM_E?";
    }
}

/* Frees the analyzers, then the engine; safe to call twice. */
static void wmr_free(wmr_engine *e)
{
    for (int i = 0; i < e->n_analyzers; i++)
        wm_analyzer_free(e->analyzers[i]);
    e->n_analyzers = 0;
    wm_engine_free(e->engine);
    e->engine = NULL;
}

/* The finalizer R runs when the engine object is collected. */
static void wmr_finalize(SEXP ptr)
{
    wmr_engine *e = R_ExternalPtrAddr(ptr);

    if (e != NULL) {
        wmr_free(e);
        free(e);
        R_ClearExternalPtr(ptr);
    }
}

/* The wmr_engine of an R engine object; an R error when it is closed. */
static wmr_engine *wmr_get(SEXP ptr)
{
    wmr_engine *e;

    if (TYPEOF(ptr) != EXTPTRSXP)
        Rf_error("whatmatters: not an engine");
    e = R_ExternalPtrAddr(ptr);
    if (e == NULL || e->engine == NULL)
        Rf_error("whatmatters: WM_EMISUSE: the engine is closed");
    return e;
}

/* A string argument: NULL for R's NULL or NA, else its UTF-8 text. */
static const char *wmr_str(SEXP x, const char *what)
{
    if (Rf_isNull(x))
        return NULL;
    if (!Rf_isString(x) || XLENGTH(x) != 1)
        Rf_error("whatmatters: %s must be one string", what);
    if (STRING_ELT(x, 0) == NA_STRING)
        return NULL;
    return translateCharUTF8(STRING_ELT(x, 0));
}

/*
** Ends a failed setup call: copies the engine's message (it lives on the
** engine, which is freed here), frees everything and raises the R error.
** Rf_error() does not return, so nothing may be left to free after it.
*/
static void wmr_setup_error(SEXP ptr, wmr_engine *e, int rc)
{
    char msg[1024];
    const char *m = wm_engine_errmsg(e->engine);

    snprintf(msg, sizeof msg, "%s", m != NULL && m[0] ? m : wm_strerror(rc));
    wmr_finalize(ptr);
    Rf_error("whatmatters: %s: %s", wmr_code_name(rc), msg);
}

/*
** .Call entry: makes an engine, set up in the order the library requires
** (the CLI's): taxonomy, data folder (word lists are loaded when
** wordlists is TRUE: the R side checks the folder holds some), languages,
** combination rule, plugins (NULL: every built-in one that ships data, as
** the CLI's default), spelling. Returns the external pointer.
*/
static SEXP wmr_engine_new(SEXP lang, SEXP plugins, SEXP options, SEXP combine,
                    SEXP spell, SEXP data_dir, SEXP wordlists,
                    SEXP taxonomy, SEXP dict_dir)
{
    wmr_engine *e = calloc(1, sizeof *e);
    const char *s;
    SEXP ptr;
    int rc;

    if (e == NULL)
        Rf_error("whatmatters: WM_ENOMEM: out of memory");
    /* The object and its finalizer first, so that an R error in an
    ** argument below cannot leak the engine. */
    ptr = PROTECT(R_MakeExternalPtr(e, Rf_install("wm_engine"), R_NilValue));
    R_RegisterCFinalizerEx(ptr, wmr_finalize, TRUE);
    rc = wm_engine_new(NULL, &e->engine);
    if (rc != WM_OK)
        Rf_error("whatmatters: %s: %s", wmr_code_name(rc), wm_strerror(rc));
    if ((s = wmr_str(taxonomy, "taxonomy")) != NULL
        && (rc = wm_engine_load_taxonomy(e->engine, s)) != WM_OK)
        wmr_setup_error(ptr, e, rc);
    if ((s = wmr_str(data_dir, "data_dir")) != NULL) {
        rc = wm_engine_set_data_dir(e->engine, s);
        if (rc == WM_OK && Rf_asLogical(wordlists) == TRUE)
            rc = wm_engine_load_wordlists(e->engine, s);
        if (rc != WM_OK)
            wmr_setup_error(ptr, e, rc);
    }
    if ((s = wmr_str(lang, "lang")) != NULL
        && (rc = wm_engine_set_languages(e->engine, s)) != WM_OK)
        wmr_setup_error(ptr, e, rc);
    if ((rc = wm_engine_set_combine(e->engine, Rf_asInteger(combine)))
        != WM_OK)
        wmr_setup_error(ptr, e, rc);
    if (Rf_isNull(plugins)) {
        for (size_t i = 0; i < wm_builtin_plugin_count(); i++) {
            /* Every built-in plugin, as the CLI: one without data for the
            ** language (supervised without a built-in model) skips. */
            const char *name = wm_builtin_plugin_name(i);
            if ((rc = wm_engine_add_plugin(e->engine, name, NULL)) != WM_OK)
                wmr_setup_error(ptr, e, rc);
        }
    } else {
        for (R_xlen_t i = 0; i < XLENGTH(plugins); i++) {
            const char *opt = NULL;
            if (!Rf_isNull(options) && i < XLENGTH(options)
                && STRING_ELT(options, i) != NA_STRING)
                opt = translateCharUTF8(STRING_ELT(options, i));
            rc = wm_engine_add_plugin(e->engine,
                                      translateCharUTF8(STRING_ELT(plugins, i)),
                                      opt);
            if (rc != WM_OK)
                wmr_setup_error(ptr, e, rc);
        }
    }
    if (Rf_asInteger(spell) != WM_SPELL_OFF
        && (rc = wm_engine_set_spelling(e->engine, Rf_asInteger(spell),
                                        wmr_str(dict_dir, "dict_dir")))
               != WM_OK)
        wmr_setup_error(ptr, e, rc);
    UNPROTECT(1);
    return ptr;
}

/* .Call entry: frees the engine now (the object stays, closed). */
static SEXP wmr_close(SEXP ptr)
{
    if (TYPEOF(ptr) == EXTPTRSXP)
        wmr_finalize(ptr);
    return R_NilValue;
}

/* .Call entry: the taxonomy's area ids, in order. */
static SEXP wmr_areas(SEXP ptr)
{
    wmr_engine *e = wmr_get(ptr);
    size_t n = wm_engine_area_count(e->engine);
    SEXP out = PROTECT(Rf_allocVector(STRSXP, (R_xlen_t)n));

    for (size_t i = 0; i < n; i++)
        SET_STRING_ELT(out, (R_xlen_t)i,
                       Rf_mkCharCE(wm_engine_area_id(e->engine, i), CE_UTF8));
    UNPROTECT(1);
    return out;
}

/* The engine's analyzer for a language, made on first use. */
static wm_analyzer *wmr_analyzer(wmr_engine *e, SEXP lang_arg)
{
    const char *lang = wmr_str(lang_arg, "lang");
    wm_analyzer *a = NULL;
    int rc;

    if (lang == NULL)
        Rf_error("whatmatters: name the language (lang = \"sv\", ...)");
    for (int i = 0; i < e->n_analyzers; i++) {
        if (strcmp(e->langs[i], lang) == 0)
            return e->analyzers[i];
    }
    if (e->n_analyzers == WMR_MAX_LANGS || strlen(lang) >= sizeof e->langs[0])
        Rf_error("whatmatters: WM_ELANG: unknown language '%s'", lang);
    rc = wm_analyzer_new(e->engine, lang, &a);
    if (rc != WM_OK)
        Rf_error("whatmatters: %s: cannot make an analyzer for '%s': %s",
                 wmr_code_name(rc), lang, wm_strerror(rc));
    strcpy(e->langs[e->n_analyzers], lang);
    e->analyzers[e->n_analyzers++] = a;
    return a;
}

/* R's character position (1-based) of the character at byte `off` of a
** UTF-8 string: one more than the characters that start before it. */
static int wmr_char_pos(const char *text, size_t off)
{
    int n = 0;

    for (size_t i = 0; i < off; i++)
        n += ((unsigned char)text[i] & 0xC0) != 0x80;
    return n + 1;
}

/* A string of `len` bytes as an R string marked UTF-8. */
static SEXP wmr_mkchar(const char *s, size_t len)
{
    return Rf_mkCharLenCE(s, (int)len, CE_UTF8);
}

/*
** .Call entry: codes every answer of a character vector. Returns a list:
** labels (integer matrix, answers x areas, 0/1, NA for an NA answer),
** scores (double matrix), failure (character: "" or why a plugin failed,
** NA for an NA answer) and, when evidence is TRUE, a list of evidence
** columns (row, area, start, end, char_start, char_end, text, rule,
** plugin, weight, negated) else NULL.
*/
static SEXP wmr_classify(SEXP ptr, SEXP texts, SEXP lang, SEXP evidence)
{
    wmr_engine *e = wmr_get(ptr);
    wm_analyzer *a = wmr_analyzer(e, lang);
    int with_ev = Rf_asLogical(evidence) == TRUE;
    R_xlen_t n = XLENGTH(texts);
    size_t n_areas = wm_engine_area_count(e->engine);
    SEXP labels, scores, failure, out, names, ev = R_NilValue;
    R_xlen_t n_ev = 0, cap_ev = 0;
    /* Evidence columns grow as found: the count is not known in advance. */
    SEXP ev_row = R_NilValue, ev_area = R_NilValue, ev_start = R_NilValue,
         ev_end = R_NilValue, ev_cs = R_NilValue, ev_ce = R_NilValue,
         ev_text = R_NilValue, ev_rule = R_NilValue,
         ev_plugin = R_NilValue, ev_weight = R_NilValue,
         ev_neg = R_NilValue;
    PROTECT_INDEX ipx[11];

    if (!Rf_isString(texts))
        Rf_error("whatmatters: texts must be a character vector");
    labels = PROTECT(Rf_allocMatrix(INTSXP, (int)n, (int)n_areas));
    scores = PROTECT(Rf_allocMatrix(REALSXP, (int)n, (int)n_areas));
    failure = PROTECT(Rf_allocVector(STRSXP, n));
    if (with_ev) {
        SEXP *cols[11] = {&ev_row, &ev_area, &ev_start, &ev_end, &ev_cs,
                          &ev_ce, &ev_text, &ev_rule, &ev_plugin,
                          &ev_weight, &ev_neg};
        SEXPTYPE types[11] = {INTSXP, STRSXP, REALSXP, REALSXP, INTSXP,
                              INTSXP, STRSXP, STRSXP, STRSXP, REALSXP,
                              LGLSXP};
        cap_ev = 64;
        for (int k = 0; k < 11; k++)
            PROTECT_WITH_INDEX(*cols[k] = Rf_allocVector(types[k], cap_ev),
                               &ipx[k]);
    }
    for (R_xlen_t i = 0; i < n; i++) {
        const void *vmax = vmaxget(); /* frees translateCharUTF8's copy */
        SEXP s = STRING_ELT(texts, i);
        const wm_classification *c;
        const char *text;
        size_t len;
        int rc;

        if (s == NA_STRING) {
            for (size_t k = 0; k < n_areas; k++) {
                INTEGER(labels)[i + k * n] = NA_INTEGER;
                REAL(scores)[i + k * n] = NA_REAL;
            }
            SET_STRING_ELT(failure, i, NA_STRING);
            continue;
        }
        text = translateCharUTF8(s);
        len = strlen(text);
        rc = wm_classify(a, text, len, 0, &c);
        if (rc != WM_OK)
            Rf_error("whatmatters: %s: answer %ld: %s", wmr_code_name(rc),
                     (long)i + 1, wm_analyzer_errmsg(a));
        for (size_t k = 0; k < n_areas; k++) {
            INTEGER(labels)[i + k * n] = c->labels[k] ? 1 : 0;
            REAL(scores)[i + k * n] = c->scores[k];
        }
        SET_STRING_ELT(failure, i, Rf_mkCharCE(c->failure ? c->failure : "",
                                               CE_UTF8));
        for (size_t k = 0; with_ev && k < c->n_evidence; k++) {
            const wm_evidence *v = &c->evidence[k];
            size_t st = v->start < len ? v->start : len;
            size_t en = v->end < len ? v->end : len;
            if (en < st)
                en = st;
            if (n_ev == cap_ev) {
                SEXP *cols[11] = {&ev_row, &ev_area, &ev_start, &ev_end,
                                  &ev_cs, &ev_ce, &ev_text, &ev_rule,
                                  &ev_plugin, &ev_weight, &ev_neg};
                cap_ev *= 2;
                for (int q = 0; q < 11; q++)
                    REPROTECT(*cols[q] = Rf_xlengthgets(*cols[q], cap_ev),
                              ipx[q]);
            }
            INTEGER(ev_row)[n_ev] = (int)i + 1;
            SET_STRING_ELT(ev_area, n_ev, Rf_mkCharCE(
                wm_engine_area_id(e->engine, v->area), CE_UTF8));
            REAL(ev_start)[n_ev] = (double)st;
            REAL(ev_end)[n_ev] = (double)en;
            INTEGER(ev_cs)[n_ev] = wmr_char_pos(text, st);
            INTEGER(ev_ce)[n_ev] = wmr_char_pos(text, en) - 1;
            SET_STRING_ELT(ev_text, n_ev, wmr_mkchar(text + st, en - st));
            SET_STRING_ELT(ev_rule, n_ev,
                           Rf_mkCharCE(v->rule ? v->rule : "", CE_UTF8));
            SET_STRING_ELT(ev_plugin, n_ev, Rf_mkCharCE(
                wm_engine_plugin_name(e->engine, v->plugin), CE_UTF8));
            REAL(ev_weight)[n_ev] = v->weight;
            LOGICAL(ev_neg)[n_ev] = (v->flags & WM_EVIDENCE_NEGATED) != 0;
            n_ev++;
        }
        vmaxset(vmax);
    }
    if (with_ev) {
        SEXP *cols[11] = {&ev_row, &ev_area, &ev_start, &ev_end, &ev_cs,
                          &ev_ce, &ev_text, &ev_rule, &ev_plugin,
                          &ev_weight, &ev_neg};
        static const char *ev_names[11] = {
            "row", "area", "start", "end", "char_start", "char_end", "text",
            "rule", "plugin", "weight", "negated"};
        ev = PROTECT(Rf_allocVector(VECSXP, 11));
        names = PROTECT(Rf_allocVector(STRSXP, 11));
        for (int q = 0; q < 11; q++) {
            SET_VECTOR_ELT(ev, q, Rf_xlengthgets(*cols[q], n_ev));
            SET_STRING_ELT(names, q, Rf_mkChar(ev_names[q]));
        }
        Rf_setAttrib(ev, R_NamesSymbol, names);
        UNPROTECT(2);
        UNPROTECT(11);
        PROTECT(ev);
    }
    out = PROTECT(Rf_allocVector(VECSXP, 4));
    names = PROTECT(Rf_allocVector(STRSXP, 4));
    SET_VECTOR_ELT(out, 0, labels);
    SET_VECTOR_ELT(out, 1, scores);
    SET_VECTOR_ELT(out, 2, failure);
    SET_VECTOR_ELT(out, 3, ev);
    SET_STRING_ELT(names, 0, Rf_mkChar("labels"));
    SET_STRING_ELT(names, 1, Rf_mkChar("scores"));
    SET_STRING_ELT(names, 2, Rf_mkChar("failure"));
    SET_STRING_ELT(names, 3, Rf_mkChar("evidence"));
    Rf_setAttrib(out, R_NamesSymbol, names);
    UNPROTECT(with_ev ? 6 : 5);
    return out;
}

/* The flags of a token as the CLI's tokenize command writes them. */
static void wmr_flag_names(uint32_t flags, char *buf, size_t cap)
{
    static const struct { uint32_t bit; const char *name; } names[] = {
        {WM_TOK_WORD, "word"}, {WM_TOK_NUMBER, "number"},
        {WM_TOK_SYMBOL, "symbol"}, {WM_TOK_EMOJI, "emoji"},
        {WM_TOK_PUNCT, "punct"}, {WM_TOK_SPACE, "space"},
        {WM_TOK_INVALID, "invalid"}, {WM_TOK_STOPWORD, "stopword"},
        {WM_TOK_NEGATOR, "negator"}, {WM_TOK_NEGATED, "negated"},
        {WM_TOK_SENT_START, "sent_start"},
        {WM_TOK_CLAUSE_START, "clause_start"}, {WM_TOK_LONG, "long"},
        {WM_TOK_VARIANT, "variant"}, {WM_TOK_PART, "part"},
    };
    size_t used = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (!(flags & names[i].bit))
            continue;
        int w = snprintf(buf + used, cap - used, "%s%s", used ? "," : "",
                         names[i].name);
        if (w < 0 || (size_t)w >= cap - used)
            break;
        used += (size_t)w;
    }
}

/*
** .Call entry: the tokens of one answer, as a list of columns (start, end
** in bytes; char_start, char_end; text, norm, stem, flags).
*/
static SEXP wmr_analyze(SEXP ptr, SEXP text_arg, SEXP lang)
{
    wmr_engine *e = wmr_get(ptr);
    wm_analyzer *a = wmr_analyzer(e, lang);
    const char *text = wmr_str(text_arg, "text");
    const wm_analysis *an;
    static const char *col_names[8] = {"start", "end", "char_start",
                                       "char_end", "text", "norm", "stem",
                                       "flags"};
    SEXP out, names;
    int rc;

    if (text == NULL)
        Rf_error("whatmatters: text must be one string");
    rc = wm_analyze(a, text, strlen(text), 0, &an);
    if (rc != WM_OK)
        Rf_error("whatmatters: %s: %s", wmr_code_name(rc),
                 wm_analyzer_errmsg(a));
    R_xlen_t n = (R_xlen_t)an->n_tokens;
    out = PROTECT(Rf_allocVector(VECSXP, 8));
    names = PROTECT(Rf_allocVector(STRSXP, 8));
    SET_VECTOR_ELT(out, 0, Rf_allocVector(REALSXP, n));
    SET_VECTOR_ELT(out, 1, Rf_allocVector(REALSXP, n));
    SET_VECTOR_ELT(out, 2, Rf_allocVector(INTSXP, n));
    SET_VECTOR_ELT(out, 3, Rf_allocVector(INTSXP, n));
    for (int q = 4; q < 8; q++)
        SET_VECTOR_ELT(out, q, Rf_allocVector(STRSXP, n));
    for (R_xlen_t i = 0; i < n; i++) {
        const wm_token *t = &an->tokens[i];
        char flags[256];
        REAL(VECTOR_ELT(out, 0))[i] = (double)t->start;
        REAL(VECTOR_ELT(out, 1))[i] = (double)t->end;
        INTEGER(VECTOR_ELT(out, 2))[i] = wmr_char_pos(text, t->start);
        INTEGER(VECTOR_ELT(out, 3))[i] = wmr_char_pos(text, t->end) - 1;
        SET_STRING_ELT(VECTOR_ELT(out, 4), i,
                       wmr_mkchar(text + t->start, t->end - t->start));
        SET_STRING_ELT(VECTOR_ELT(out, 5), i, wmr_mkchar(t->norm, t->norm_len));
        SET_STRING_ELT(VECTOR_ELT(out, 6), i, wmr_mkchar(t->stem, t->stem_len));
        wmr_flag_names(t->flags, flags, sizeof flags);
        SET_STRING_ELT(VECTOR_ELT(out, 7), i, Rf_mkChar(flags));
    }
    for (int q = 0; q < 8; q++)
        SET_STRING_ELT(names, q, Rf_mkChar(col_names[q]));
    Rf_setAttrib(out, R_NamesSymbol, names);
    UNPROTECT(2);
    return out;
}

/* .Call entry: the version of the library loaded. */
static SEXP wmr_version(void)
{
    return Rf_mkString(wm_version());
}

static const R_CallMethodDef wmr_methods[] = {
    {"wmr_engine_new", (DL_FUNC)&wmr_engine_new, 9},
    {"wmr_close", (DL_FUNC)&wmr_close, 1},
    {"wmr_areas", (DL_FUNC)&wmr_areas, 1},
    {"wmr_classify", (DL_FUNC)&wmr_classify, 4},
    {"wmr_analyze", (DL_FUNC)&wmr_analyze, 3},
    {"wmr_version", (DL_FUNC)&wmr_version, 0},
    {NULL, NULL, 0},
};

/* Registers the entries when R loads the package's shared object (the
** one symbol it exports; the entries above are static). */
void R_init_whatmatters(DllInfo *dll);
void R_init_whatmatters(DllInfo *dll)
{
    R_registerRoutines(dll, NULL, wmr_methods, NULL, NULL);
    R_useDynamicSymbols(dll, FALSE);
}
