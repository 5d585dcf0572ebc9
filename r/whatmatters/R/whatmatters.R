# whatmatters: code answers to "What matters to you?" into areas, from R.
#
# A thin layer over libwhatmatters (engine/include/whatmatters.h) through
# .Call (src/whatmatters_r.c). An engine is set up once by wm_engine() and
# then codes any number of answers; it keeps one analyzer per language.
# R's garbage collector frees it, or wm_close() at once. Errors of the
# library are R errors: "whatmatters: WM_EPARSE: <the engine's message>".

# Every area column a result has, in the taxonomy's order.
wm_areas <- function(engine) .Call(C_wmr_areas, engine)

# The version of the library loaded ("0.1.0").
wm_version <- function() .Call(C_wmr_version)

# Whether a data folder holds a word list (DIR/LANG/stopwords.txt or
# negation.txt): the library refuses a word-list folder without one, and a
# folder of lexicons alone is a lexicon to try (the CLI's --data rule).
wm_has_wordlists <- function(dir) {
  langs <- c("sv", "nb", "nn", "da", "en")
  any(file.exists(file.path(dir, rep(langs, each = 2),
                            c("stopwords.txt", "negation.txt"))))
}

# Makes an engine.
#   lang      the language(s) plugins are made for ("sv", c("sv", "en"));
#             NULL for all. The default language of wm_classify() when one.
#   plugins   NULL: every built-in plugin with shipped data (lexicon,
#             pattern), the CLI's default; else names or paths of plugins,
#             with `options` a parallel character vector (NA for none).
#   combine   "max" or "mean"; spell "off", "on" or "suggest" (Hunspell
#             dictionaries from dict_dir, default /usr/share/hunspell).
#   data_dir  a folder laid out as lexicons/ (the CLI's --data);
#   taxonomy  a taxonomy file in place of the built-in nine areas.
wm_engine <- function(lang = NULL, plugins = NULL, options = NULL,
                      combine = c("max", "mean"),
                      spell = c("off", "on", "suggest"),
                      data_dir = NULL, taxonomy = NULL, dict_dir = NULL) {
  combine <- match.arg(combine)
  spell <- match.arg(spell)
  langs <- if (is.null(lang)) NULL else paste(lang, collapse = ",")
  wordlists <- !is.null(data_dir) && wm_has_wordlists(data_dir)
  if (!is.null(plugins)) plugins <- as.character(plugins)
  if (!is.null(options)) options <- as.character(options)
  e <- .Call(C_wmr_engine_new, langs, plugins, options,
             match(combine, c("max", "mean")) - 1L,
             match(spell, c("off", "on", "suggest")) - 1L,
             if (is.null(data_dir)) NULL else path.expand(data_dir),
             wordlists,
             if (is.null(taxonomy)) NULL else path.expand(taxonomy),
             if (is.null(dict_dir)) NULL else path.expand(dict_dir))
  attr(e, "lang") <- if (length(lang) == 1) lang else NULL
  class(e) <- "wm_engine"
  e
}

print.wm_engine <- function(x, ...) {
  cat("<whatmatters engine", if (!is.null(attr(x, "lang")))
        paste0("for '", attr(x, "lang"), "'"), ">\n")
  invisible(x)
}

# Frees the engine now; later calls with it are errors.
wm_close <- function(engine) invisible(.Call(C_wmr_close, engine))

wm_lang <- function(engine, lang) {
  if (is.null(lang)) lang <- attr(engine, "lang")
  if (is.null(lang)) stop("whatmatters: name the language (lang = \"sv\", ...)")
  lang
}

# Codes a character vector of answers. Returns a data.frame with one row an
# answer: `areas` (the assigned area ids joined by ","), one 0/1 column per
# area, and with scores = TRUE one "<area>_score" column per area. An NA
# answer gives NA. With evidence = TRUE the data.frame has an attribute
# "evidence": a data.frame of every span (row of the answer, area, byte
# start/end as the library gives them, char_start/char_end as substr()
# takes them, text, rule, plugin, weight, negated).
wm_classify <- function(engine, texts, lang = NULL, scores = FALSE,
                        evidence = FALSE) {
  lang <- wm_lang(engine, lang)
  texts <- enc2utf8(as.character(texts))
  r <- .Call(C_wmr_classify, engine, texts, lang, evidence)
  areas <- wm_areas(engine)
  labels <- r$labels
  colnames(labels) <- areas
  joined <- apply(labels, 1, function(row) paste(areas[row == 1L], collapse = ","))
  if (length(texts) == 0) joined <- character(0)
  joined[is.na(texts)] <- NA_character_
  out <- data.frame(areas = joined, labels, check.names = FALSE,
                    stringsAsFactors = FALSE)
  if (scores) {
    s <- r$scores
    colnames(s) <- paste0(areas, "_score")
    out <- cbind(out, as.data.frame(s, check.names = FALSE))
  }
  failed <- !is.na(r$failure) & r$failure != ""
  if (any(failed)) attr(out, "failures") <- data.frame(
    row = which(failed), failure = r$failure[failed], stringsAsFactors = FALSE)
  if (evidence)
    attr(out, "evidence") <- as.data.frame(r$evidence, stringsAsFactors = FALSE)
  out
}

# The tokens of one answer: a data.frame of byte start/end, char_start/
# char_end, the text as written, its normal form, its stem and its flags
# ("word,stopword,negated").
wm_analyze <- function(engine, text, lang = NULL) {
  lang <- wm_lang(engine, lang)
  as.data.frame(.Call(C_wmr_analyze, engine, enc2utf8(as.character(text)),
                      lang), stringsAsFactors = FALSE)
}
