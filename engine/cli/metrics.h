/*
** metrics.h — the arithmetic of `whatmatters eval`: per-area confusion
** counts, precision, recall, F1, their micro and macro averages, and
** exact-match accuracy over a set of answers.
**
** Definitions (the same in the help text and the README):
**   precision = tp / (tp + fp)      recall = tp / (tp + fn)
**   F1        = 2 tp / (2 tp + fp + fn)   (the harmonic mean of the two)
** each 0 when its denominator is 0 (an area nobody predicted has precision
** 0; an area without gold answers has recall 0; and with neither, F1 0).
**   micro: the same three over the sums of tp, fp and fn of all areas;
**   macro-F1: the mean of the per-area F1 over all the taxonomy's areas,
**   those without support included;
**   exact match: the share of answers whose predicted set of areas is the
**   gold set exactly (an answer without areas is right when none is
**   predicted).
** Label sets are bit masks: bit i is area i, so a taxonomy has at most 64
** areas, as the library allows.
*/
#ifndef WM_CLI_METRICS_H
#define WM_CLI_METRICS_H

#include <stddef.h>
#include <stdint.h>

/* The most areas a label mask holds. */
#include "whatmatters.h"

#define CLI_METRICS_MAX_AREAS WM_MAX_AREAS

/* One area's counts, or the sums over all areas. */
typedef struct cli_counts {
    size_t tp; /* predicted and in the gold */
    size_t fp; /* predicted, not in the gold */
    size_t fn; /* in the gold, not predicted */
} cli_counts;

/* Scores made from counts. */
typedef struct cli_scores {
    double precision; /* tp / (tp + fp), or 0 */
    double recall;    /* tp / (tp + fn), or 0 */
    double f1;        /* 2 tp / (2 tp + fp + fn), or 0 */
    size_t support;   /* tp + fn: the gold positives */
    cli_counts counts; /* what they were made from */
} cli_scores;

/* The running totals of an evaluation. */
typedef struct cli_metrics {
    size_t n_areas;     /* areas in the taxonomy, 1..64 */
    cli_counts areas[CLI_METRICS_MAX_AREAS]; /* [n_areas] counts */
    size_t answers;     /* answers added */
    size_t exact;       /* of which with predicted == gold */
} cli_metrics;

/* Starts an evaluation over n_areas areas (1..CLI_METRICS_MAX_AREAS).
** Returns 0, or -1 when n_areas is out of range. */
int cli_metrics_init(cli_metrics *metrics, size_t n_areas);

/* Adds one answer: its gold and predicted label masks. Bits at or above
** n_areas are ignored. */
void cli_metrics_add(cli_metrics *metrics, uint64_t gold, uint64_t predicted);

/* Scores of one area (area < n_areas). */
cli_scores cli_metrics_area(const cli_metrics *metrics, size_t area);

/* Micro-averaged scores: from the sums of the counts of every area. */
cli_scores cli_metrics_micro(const cli_metrics *metrics);

/* The mean of the per-area F1 over all n_areas areas. */
double cli_metrics_macro_f1(const cli_metrics *metrics);

/* exact / answers, or 0 without answers. */
double cli_metrics_exact(const cli_metrics *metrics);

#endif /* WM_CLI_METRICS_H */
