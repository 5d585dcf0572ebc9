# Tests of the R package: tokens, areas, evidence, options and errors,
# asserted on real outputs of the engine. Run by tests/bindings/run_r_tests.sh
# (ctest: bindings_r) after installing the package against an install
# prefix; WM_R_LIB names the library folder it was installed into.
lib <- Sys.getenv("WM_R_LIB", unset = NA)
library(whatmatters, lib.loc = if (is.na(lib)) NULL else lib)

fails <- 0
check <- function(what, ok) {
  if (!isTRUE(ok)) { cat("FAIL:", what, "\n"); fails <<- fails + 1 }
}
err <- function(expr) tryCatch({ force(expr); "" },
                               error = function(e) conditionMessage(e))

e <- wm_engine(lang = "sv")
check("version", grepl("^0\\.1\\.", wm_version()))
check("areas", identical(wm_areas(e)[1:2], c("access", "respect")))

tok <- wm_analyze(e, "Personalen lyssnar inte på mig 😞")
check("token stems", identical(tok$stem, c("personal", "lyssn", "int", "på", "mig", "😞")))
check("token bytes", identical(tok$start[4:5], c(24, 28)))
check("token chars", identical(tok$char_start[4:5], c(25L, 28L)))
check("token flags", identical(tok$flags[4], "word,stopword,negated"))
check("substr by char positions",
      identical(substr("Personalen lyssnar inte på mig 😞", tok$char_start[6], tok$char_end[6]), "😞"))

texts <- c("Jag vill inte bli bollad mellan psykiatrin och beroendevården.", NA,
           "Att bli lyssnad på.", "")
r <- wm_classify(e, texts, scores = TRUE, evidence = TRUE)
check("rows", nrow(r) == 4)
check("areas", identical(r$areas, c("coordination", NA, "respect", "")))
check("0/1 columns", identical(r$respect, c(0L, NA, 1L, 0L)))
check("scores", r$respect_score[3] == 0.5)
ev <- attr(r, "evidence")
b <- ev[ev$text == "bollad", ]
check("evidence span", nrow(b) >= 1 && b$start[1] == 18 && b$end[1] == 24 && b$negated[1])
check("evidence chars", all(substr(texts[ev$row], ev$char_start, ev$char_end) == ev$text))
check("evidence plugins", all(ev$plugin %in% c("lexicon", "pattern")))

l <- wm_engine(lang = "sv", plugins = "lexicon", combine = "mean")
check("plugins option", identical(wm_classify(l, "Att bli lyssnad på.")$areas, "respect"))
none <- wm_engine(lang = "sv", plugins = character(0))
check("no plugins", identical(wm_classify(none, "Att bli lyssnad på.")$areas, ""))
two <- wm_engine(lang = c("sv", "en"))
check("several languages", identical(wm_classify(two, "Being listened to.", lang = "en")$areas, "respect"))
check("language needed", grepl("name the language", err(wm_classify(two, "x"))))

check("unknown language", grepl("WM_ELANG: unknown language 'xx'", err(wm_engine(lang = "xx"))))
check("unknown plugin", grepl("WM_ENOTFOUND", err(wm_engine(plugins = "no-such"))))
check("missing taxonomy", grepl("WM_EIO: .*no/such", err(wm_engine(taxonomy = "/no/such"))))
d <- tempfile(); dir.create(file.path(d, "sv"), recursive = TRUE)
writeLines(c("[no_such_area]", "lyssn*"), file.path(d, "sv", "areas.txt"))
check("broken lexicon", grepl("WM_EPARSE: .*areas.txt:1", err(wm_engine(lang = "sv", data_dir = d))))
check("bad combine", nzchar(err(wm_engine(combine = "median"))))

wm_close(e)
wm_close(e)
check("closed engine", grepl("WM_EMISUSE", err(wm_classify(e, "x"))))
rm(l, none, two); invisible(gc())

cat(if (fails == 0) "R package: all checks passed\n" else sprintf("%d failed\n", fails))
quit(status = if (fails == 0) 0 else 1)
