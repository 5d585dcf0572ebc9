/*
** metrics.c — counts and scores for `whatmatters eval` (see metrics.h for
** the definitions). Kept apart from the command so that the arithmetic is
** in one place and reads like its definition.
*/
#include "metrics.h"

#include <string.h>

/* num / den, or 0 when den is 0 (the convention of every score here). */
static double metrics_ratio(size_t num, size_t den)
{
    return den == 0 ? 0.0 : (double)num / (double)den;
}

/* The scores of one set of counts. F1 is computed from the counts rather
** than from precision and recall: the same number, without the 0/0 case
** when both are 0. */
static cli_scores metrics_scores(const cli_counts *c)
{
    cli_scores s;

    s.precision = metrics_ratio(c->tp, c->tp + c->fp);
    s.recall = metrics_ratio(c->tp, c->tp + c->fn);
    s.f1 = metrics_ratio(2 * c->tp, 2 * c->tp + c->fp + c->fn);
    s.support = c->tp + c->fn;
    s.counts = *c;
    return s;
}

/* Zeroes the totals for n_areas areas. */
int cli_metrics_init(cli_metrics *metrics, size_t n_areas)
{
    memset(metrics, 0, sizeof *metrics);
    if (n_areas == 0 || n_areas > CLI_METRICS_MAX_AREAS)
        return -1;
    metrics->n_areas = n_areas;
    return 0;
}

/* Counts one answer into every area, and into exact when the masks agree
** on all the taxonomy's areas. */
void cli_metrics_add(cli_metrics *metrics, uint64_t gold, uint64_t predicted)
{
    uint64_t all = metrics->n_areas == 64
                       ? ~(uint64_t)0 : ((uint64_t)1 << metrics->n_areas) - 1;

    gold &= all;
    predicted &= all;
    for (size_t i = 0; i < metrics->n_areas; i++) {
        uint64_t bit = (uint64_t)1 << i;
        if ((gold & bit) && (predicted & bit))
            metrics->areas[i].tp++;
        else if (predicted & bit)
            metrics->areas[i].fp++;
        else if (gold & bit)
            metrics->areas[i].fn++;
    }
    metrics->answers++;
    if (gold == predicted)
        metrics->exact++;
}

/* One area's scores. */
cli_scores cli_metrics_area(const cli_metrics *metrics, size_t area)
{
    return metrics_scores(&metrics->areas[area]);
}

/* Scores over the summed counts. */
cli_scores cli_metrics_micro(const cli_metrics *metrics)
{
    cli_counts sum = {0, 0, 0};

    for (size_t i = 0; i < metrics->n_areas; i++) {
        sum.tp += metrics->areas[i].tp;
        sum.fp += metrics->areas[i].fp;
        sum.fn += metrics->areas[i].fn;
    }
    return metrics_scores(&sum);
}

/* Mean per-area F1, every area counted. */
double cli_metrics_macro_f1(const cli_metrics *metrics)
{
    double sum = 0.0;

    if (metrics->n_areas == 0)
        return 0.0;
    for (size_t i = 0; i < metrics->n_areas; i++)
        sum += cli_metrics_area(metrics, i).f1;
    return sum / (double)metrics->n_areas;
}

/* Share of answers labelled exactly right. */
double cli_metrics_exact(const cli_metrics *metrics)
{
    return metrics_ratio(metrics->exact, metrics->answers);
}
