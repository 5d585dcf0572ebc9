/*
** report_html.c — `whatmatters report --html FILE`: one self-contained
** HTML page with inline SVG charts.
**
** The charts are drawn here, by hand, as SVG elements with computed
** coordinates: a chart library would need a script or a network, and the
** page must open offline and print. Sizes are in user units of a viewBox,
** so the charts scale with the window; text stays at a readable size
** (15px in the charts, 16px in the page) in the system's sans-serif font.
** Label widths are estimated from the number of characters, generously,
** since there is no font metric to ask.
*/
#include "report_html.h"

#include "json_writer.h"

#include <math.h>
#include <string.h>

/* Chart geometry, in SVG user units. */
#define RH_WIDTH 960        /* width of both charts */
#define RH_CHAR 8.6         /* estimated width of a character at 15px */
#define RH_BAR_ROW 32       /* height of a bar chart row */
#define RH_BAR_HEIGHT 20    /* height of a bar */
#define RH_CELL_MAX 64      /* largest heatmap cell */
#define RH_CELL_MIN 26      /* smallest heatmap cell */

/* Colours: one blue for bars, a light-to-dark blue ramp for the heatmap
** (readable for the common colour-vision deficiencies), grey for the
** diagonal, which holds the areas' own counts rather than pairs. */
#define RH_BAR_FILL "#3a6ea5"
#define RH_INK "#1b1b1b"
#define RH_GRID "#d9d9d9"

/* Escapes text for HTML (see the header). */
void cli_html_escape(FILE *out, const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0, plain = 0;

    while (i < len) {
        unsigned b = s[i];
        const char *ent = NULL;
        int valid = 1;
        size_t n = 1;

        if (b >= 0x80) {
            n = cli_utf8_seq(s + i, len - i, &valid);
            if (valid && !(b == 0xC2 && s[i + 1] < 0xA0)) {
                i += n;
                continue;
            }
        } else if (b == '&') {
            ent = "&amp;";
        } else if (b == '<') {
            ent = "&lt;";
        } else if (b == '>') {
            ent = "&gt;";
        } else if (b == '"') {
            ent = "&quot;";
        } else if (b == '\'') {
            ent = "&#39;";
        } else if ((b < 0x20 && b != '\t' && b != '\n') || b == 0x7F) {
            valid = 0;
        } else {
            i++;
            continue;
        }
        fwrite(text + plain, 1, i - plain, out);
        fputs(ent != NULL ? ent : "\xEF\xBF\xBD", out); /* U+FFFD */
        i += n;
        plain = i;
    }
    fwrite(text + plain, 1, i - plain, out);
}

/* Escapes a NUL-terminated string. */
static void rh_esc(FILE *out, const char *text)
{
    cli_html_escape(out, text, strlen(text));
}

/* Characters (code points) in a UTF-8 string, for width estimates. */
static size_t rh_chars(const char *s)
{
    size_t n = 0;

    for (; *s != '\0'; s++) {
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    }
    return n;
}

/* A proportion as a percentage with one decimal: "12.3%". */
static void rh_pct(FILE *out, double p)
{
    fprintf(out, "%.1f%%", p * 100.0);
}

/* An upper end for the share axis: a multiple of 10% at or above the
** largest interval bound (5% steps below 30%, 1% steps below 5%), so the
** bars fill the chart without an odd final tick. */
static double rh_axis_max(double high, double *step)
{
    double max;

    if (high <= 0.05) {
        *step = 0.01;
        max = ceil(high * 100.0 - 1e-9) / 100.0;
    } else if (high <= 0.30) {
        *step = 0.05;
        max = ceil(high * 20.0 - 1e-9) / 20.0;
    } else {
        *step = 0.1;
        max = ceil(high * 10.0 - 1e-9) / 10.0;
    }
    if (max < *step)
        max = *step;
    return max > 1.0 ? 1.0 : max;
}

/* The width of the label column for the area names. */
static double rh_label_width(const cli_report_stats *stats,
                             const char *const *names, double extra)
{
    size_t longest = 4;

    for (size_t a = 0; a < stats->n_areas; a++) {
        size_t n = rh_chars(names[a]);
        if (n > longest)
            longest = n;
    }
    return (double)longest * RH_CHAR + extra;
}

/* The bar chart: one bar per area, its share of ok answers, a whisker
** from the lower to the upper bound of the interval, and the share
** written at the right. */
static void rh_bars(FILE *out, const cli_report_stats *stats,
                    const char *const *names)
{
    size_t n = stats->n_areas;
    double label_w = rh_label_width(stats, names, 24.0);
    double value_w = 170.0;
    double left = label_w, plot_w, top = 12.0, step, xmax, high = 0.0;
    double height;

    if (label_w > RH_WIDTH * 0.45)
        label_w = left = RH_WIDTH * 0.45;
    plot_w = RH_WIDTH - left - value_w;
    for (size_t a = 0; a < n; a++) {
        cli_report_share s = cli_report_wilson(stats->area_n[a], stats->ok);
        if (s.high > high)
            high = s.high;
    }
    xmax = rh_axis_max(high, &step);
    height = top + (double)n * RH_BAR_ROW + 34.0;

    fprintf(out, "<svg class=\"wm-bars\" viewBox=\"0 0 %d %.0f\" "
            "width=\"%d\" height=\"%.0f\" role=\"img\" "
            "aria-labelledby=\"bars-title\" "
            "xmlns=\"http://www.w3.org/2000/svg\">\n"
            "<title id=\"bars-title\">Share of ok answers per area, with "
            "95%% Wilson intervals</title>\n",
            RH_WIDTH, height, RH_WIDTH, height);
    /* Grid and axis labels. */
    for (double t = 0.0; t <= xmax + 1e-9; t += step) {
        double x = left + t / xmax * plot_w;
        fprintf(out, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" "
                "x2=\"%.1f\" y2=\"%.1f\" stroke=\"" RH_GRID "\"/>\n",
                x, top - 4.0, x, top + (double)n * RH_BAR_ROW);
        fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
                "class=\"tick\">%.0f%%</text>\n", x,
                top + (double)n * RH_BAR_ROW + 22.0, t * 100.0);
    }
    for (size_t a = 0; a < n; a++) {
        cli_report_share s = cli_report_wilson(stats->area_n[a], stats->ok);
        double y = top + (double)a * RH_BAR_ROW;
        double mid = y + RH_BAR_ROW / 2.0;
        double bar_y = mid - RH_BAR_HEIGHT / 2.0;
        double x_lo = left + s.low / xmax * plot_w;
        double x_hi = left + s.high / xmax * plot_w;

        fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" "
                "dominant-baseline=\"middle\">", left - 10.0, mid);
        rh_esc(out, names[a]);
        fputs("</text>\n", out);
        fprintf(out, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" "
                "width=\"%.2f\" height=\"%d\" fill=\"" RH_BAR_FILL "\">"
                "<title>", left, bar_y, s.share / xmax * plot_w,
                RH_BAR_HEIGHT);
        rh_esc(out, names[a]);
        fprintf(out, ": %llu of %llu ok answers, ",
                (unsigned long long)stats->area_n[a],
                (unsigned long long)stats->ok);
        rh_pct(out, s.share);
        fputs(" (95% CI ", out);
        rh_pct(out, s.low);
        fputs("\xE2\x80\x93", out); /* en dash */
        rh_pct(out, s.high);
        fputs(")</title></rect>\n", out);
        if (stats->ok > 0) {
            fprintf(out, "<g class=\"ci\" stroke=\"" RH_INK "\" "
                    "stroke-width=\"1.6\">"
                    "<line x1=\"%.2f\" y1=\"%.1f\" x2=\"%.2f\" y2=\"%.1f\"/>"
                    "<line x1=\"%.2f\" y1=\"%.1f\" x2=\"%.2f\" y2=\"%.1f\"/>"
                    "<line x1=\"%.2f\" y1=\"%.1f\" x2=\"%.2f\" y2=\"%.1f\"/>"
                    "</g>\n", x_lo, mid, x_hi, mid,
                    x_lo, mid - 6.0, x_lo, mid + 6.0,
                    x_hi, mid - 6.0, x_hi, mid + 6.0);
        }
        fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" "
                "dominant-baseline=\"middle\" class=\"value\">",
                left + plot_w + 14.0, mid);
        rh_pct(out, s.share);
        fprintf(out, " <tspan class=\"muted\">(n=%llu)</tspan></text>\n",
                (unsigned long long)stats->area_n[a]);
    }
    fputs("</svg>\n", out);
}

/* Blends two colours: t = 0 gives a, t = 1 gives b. */
static void rh_blend(FILE *out, unsigned a, unsigned b, double t)
{
    unsigned rgb[3];

    for (int k = 0; k < 3; k++) {
        double ca = (double)((a >> (16 - 8 * k)) & 0xFF);
        double cb = (double)((b >> (16 - 8 * k)) & 0xFF);
        rgb[k] = (unsigned)lround(ca + (cb - ca) * t);
    }
    fprintf(out, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
}

/* The heatmap: a cell per pair of areas with the number of answers that
** have both; the colour of the off-diagonal cells scales with the count
** (the largest pair is darkest), the diagonal (an area with itself: its
** own count) is grey. Columns are numbered; the rows carry number and
** name. */
static void rh_heatmap(FILE *out, const cli_report_stats *stats,
                       const char *const *names)
{
    size_t n = stats->n_areas;
    double label_w = rh_label_width(stats, names, 52.0);
    double cell, left, top = 34.0, width, height;
    uint64_t max_pair = 0;

    if (label_w > RH_WIDTH * 0.45)
        label_w = RH_WIDTH * 0.45;
    cell = (RH_WIDTH - label_w - 10.0) / (double)n;
    if (cell > RH_CELL_MAX)
        cell = RH_CELL_MAX;
    if (cell < RH_CELL_MIN)
        cell = RH_CELL_MIN;
    left = label_w;
    width = left + cell * (double)n + 10.0;
    height = top + cell * (double)n + 10.0;
    for (size_t a = 0; a < n; a++) {
        for (size_t b = 0; b < n; b++) {
            if (a != b && stats->co[a * n + b] > max_pair)
                max_pair = stats->co[a * n + b];
        }
    }

    fprintf(out, "<svg class=\"wm-heatmap\" viewBox=\"0 0 %.0f %.0f\" "
            "width=\"%.0f\" height=\"%.0f\" role=\"img\" "
            "aria-labelledby=\"heat-title\" "
            "xmlns=\"http://www.w3.org/2000/svg\">\n"
            "<title id=\"heat-title\">Co-occurrence: ok answers with both "
            "areas</title>\n", width, height, width, height);
    for (size_t b = 0; b < n; b++) {
        fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
                "class=\"tick\">%zu</text>\n",
                left + cell * ((double)b + 0.5), top - 12.0, b + 1);
    }
    for (size_t a = 0; a < n; a++) {
        double y = top + cell * (double)a;
        fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" "
                "dominant-baseline=\"middle\">%zu&#160;&#160;",
                left - 10.0, y + cell / 2.0, a + 1);
        rh_esc(out, names[a]);
        fputs("</text>\n", out);
        for (size_t b = 0; b < n; b++) {
            uint64_t count = stats->co[a * n + b];
            double x = left + cell * (double)b;
            double t = a == b || max_pair == 0
                ? 0.0 : (double)count / (double)max_pair;
            int dark = a != b && t > 0.55;

            fprintf(out, "<rect class=\"cell\" x=\"%.1f\" y=\"%.1f\" "
                    "width=\"%.1f\" height=\"%.1f\" stroke=\"#ffffff\" "
                    "stroke-width=\"2\" fill=\"", x, y, cell, cell);
            if (a == b)
                fputs("#e4e4e4", out);
            else
                rh_blend(out, 0xf3f7fc, 0x0b3d78, t);
            fputs("\"><title>", out);
            rh_esc(out, names[a]);
            if (a == b) {
                fprintf(out, ": %llu answers", (unsigned long long)count);
            } else {
                fputs(" and ", out);
                rh_esc(out, names[b]);
                fprintf(out, ": %llu answers", (unsigned long long)count);
            }
            fputs("</title></rect>\n", out);
            fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
                    "dominant-baseline=\"middle\" class=\"count%s%s\">"
                    "%llu</text>\n", x + cell / 2.0, y + cell / 2.0,
                    a == b ? " diag" : "", dark ? " dark" : "",
                    (unsigned long long)count);
        }
    }
    fputs("</svg>\n", out);
}

/* The page's style sheet: readable system fonts, tables with figures
** aligned, nothing fetched. */
static const char rh_style[] =
    "<style>\n"
    ":root{color-scheme:light}\n"
    "body{font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,"
    "\"Noto Sans\",\"Liberation Sans\",\"DejaVu Sans\",Arial,sans-serif;"
    "font-size:16px;line-height:1.5;color:" RH_INK ";background:#fff;"
    "max-width:1000px;margin:2rem auto;padding:0 1.25rem}\n"
    "h1{font-size:1.8rem;margin:0 0 .25rem}\n"
    "h2{font-size:1.3rem;margin:2.2rem 0 .6rem;border-bottom:2px solid "
    "#e6e6e6;padding-bottom:.2rem}\n"
    "h3{font-size:1.05rem;margin:1.2rem 0 .3rem}\n"
    "p.lead{color:#444;margin:.2rem 0}\n"
    ".note{background:#fff6e0;border-left:4px solid #e0a800;"
    "padding:.4rem .8rem;margin:.6rem 0}\n"
    "figure{margin:0 0 1rem}\n"
    "figcaption{color:#555;font-size:.9rem}\n"
    "svg{max-width:100%;height:auto;display:block}\n"
    "svg text{font-family:inherit;font-size:15px;fill:" RH_INK "}\n"
    "svg text.tick,svg .muted{fill:#666;font-size:13px}\n"
    "svg text.count{font-size:14px;font-variant-numeric:tabular-nums}\n"
    "svg text.diag{font-weight:600}\n"
    "svg text.dark{fill:#ffffff}\n"
    ".wide{overflow-x:auto}\n"
    "table.by th,table.by td{padding:.3rem .4rem;font-size:.9rem}\n"
    "table.by th.area{text-align:right;hyphens:auto}\n"
    "table{border-collapse:collapse;margin:.4rem 0 1rem}\n"
    "th,td{padding:.3rem .7rem;border-bottom:1px solid #e3e3e3;"
    "text-align:left;vertical-align:top}\n"
    "th{font-weight:600;background:#f6f6f6}\n"
    "td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;"
    "white-space:nowrap}\n"
    "code{font-family:ui-monospace,\"DejaVu Sans Mono\",monospace;"
    "font-size:.92em}\n"
    "blockquote{margin:.3rem 0 .6rem;padding:.2rem .8rem;border-left:3px "
    "solid #c9d6e6;color:#222}\n"
    ".id{color:#666;font-size:.85rem}\n"
    "</style>\n";

/* The summary line and the notes on bounds and set-ups. */
static void rh_summary(FILE *out, const cli_report_stats *stats)
{
    size_t idx[CLI_REPORT_MAX_STATUSES];
    size_t n = cli_report_status_order(stats, idx);
    int others = 0;

    fprintf(out, "<p class=\"lead\">%llu file%s, %llu records, "
            "<strong>%llu ok answers</strong>",
            (unsigned long long)stats->files, stats->files == 1 ? "" : "s",
            (unsigned long long)stats->records,
            (unsigned long long)stats->ok);
    for (size_t i = 0; i < n; i++) {
        const char *name = stats->statuses.keys[idx[i]];
        if (strcmp(name, "ok") == 0)
            continue;
        fputs(others++ ? ", " : "; not counted: ", out);
        fprintf(out, "%llu ", (unsigned long long)stats->status_counts[idx[i]]);
        cli_html_escape(out, name, stats->statuses.lens[idx[i]]);
    }
    if (stats->status_other > 0)
        fprintf(out, "%s%llu of other statuses", others++ ? ", " : "; not "
                "counted: ", (unsigned long long)stats->status_other);
    fputs(".</p>\n", out);
    if (stats->ok > 0) {
        cli_report_share s = cli_report_wilson(stats->no_area, stats->ok);
        fprintf(out, "<p class=\"lead\">%llu ok answers (", 
                (unsigned long long)stats->no_area);
        rh_pct(out, s.share);
        fputs(") have no area.</p>\n", out);
    }
    if (stats->fingerprints.count > 1 || stats->fingerprints_full) {
        fprintf(out, "<p class=\"note\">The files were coded with %s%zu "
                "different set-ups (metadata fingerprints): their numbers "
                "may not be comparable.</p>\n",
                stats->fingerprints_full ? "more than " : "",
                stats->fingerprints.count);
    }
}

/* The areas table: answers, share, interval. */
static void rh_area_table(FILE *out, const cli_report_stats *stats,
                          const char *const *names)
{
    fputs("<table>\n<tr><th class=\"num\">#</th><th>Area</th><th>Id</th>"
          "<th class=\"num\">Answers</th><th class=\"num\">Share</th>"
          "<th class=\"num\">95% interval</th></tr>\n", out);
    for (size_t a = 0; a < stats->n_areas; a++) {
        cli_report_share s = cli_report_wilson(stats->area_n[a], stats->ok);
        fprintf(out, "<tr><td class=\"num\">%zu</td><td>", a + 1);
        rh_esc(out, names[a]);
        fputs("</td><td><code>", out);
        rh_esc(out, stats->area_ids[a]);
        fprintf(out, "</code></td><td class=\"num\">%llu</td>"
                "<td class=\"num\">", (unsigned long long)stats->area_n[a]);
        rh_pct(out, s.share);
        fputs("</td><td class=\"num\">", out);
        rh_pct(out, s.low);
        fputs(" \xE2\x80\x93 ", out);
        rh_pct(out, s.high);
        fputs("</td></tr>\n", out);
    }
    fputs("</table>\n", out);
}

/* The top terms per area. */
static void rh_terms(FILE *out, const cli_report_stats *stats,
                     const char *const *names)
{
    size_t idx[CLI_REPORT_TOP_TERMS];

    fputs("<table>\n<tr><th>Area</th><th>Most frequent evidence terms "
          "(answers)</th></tr>\n", out);
    for (size_t a = 0; a < stats->n_areas; a++) {
        const cli_report_terms *t = &stats->terms[a];
        size_t n = cli_report_top_terms(stats, a, idx, CLI_REPORT_TOP_TERMS);
        fputs("<tr><td>", out);
        rh_esc(out, names[a]);
        fputs("</td><td>", out);
        for (size_t i = 0; i < n; i++) {
            if (i > 0)
                fputs(", ", out);
            cli_html_escape(out, t->terms.keys[idx[i]],
                            t->terms.lens[idx[i]]);
            fprintf(out, "&#160;(%llu)", (unsigned long long)t->counts[idx[i]]);
        }
        if (n == 0)
            fputs("<span class=\"id\">none</span>", out);
        if (t->full)
            fprintf(out, " <span class=\"id\">(only the first %d distinct "
                    "terms were counted)</span>", CLI_REPORT_MAX_TERMS);
        fputs("</td></tr>\n", out);
    }
    fputs("</table>\n", out);
}

/* The examples per area. */
static void rh_examples(FILE *out, const cli_report_stats *stats,
                        const char *const *names)
{
    for (size_t a = 0; a < stats->n_areas; a++) {
        fputs("<h3>", out);
        rh_esc(out, names[a]);
        fputs("</h3>\n", out);
        if (stats->n_examples[a] == 0)
            fputs("<p class=\"id\">No answers.</p>\n", out);
        for (size_t k = 0; k < stats->n_examples[a]; k++) {
            const cli_report_example *ex =
                &stats->examples[a * stats->examples_max + k];
            fputs("<blockquote><span class=\"id\">", out);
            cli_html_escape(out, ex->id, ex->id_len);
            fputs("</span><br>", out);
            if (ex->text != NULL)
                cli_html_escape(out, ex->text, ex->text_len);
            else
                fputs("<span class=\"id\">(the coded file holds no text)"
                      "</span>", out);
            if (ex->truncated)
                fputs("\xE2\x80\xA6", out); /* ellipsis */
            fputs("</blockquote>\n", out);
        }
    }
}

/* The --by table: ok answers and the share of each area per value, the
** cell's background the stronger the larger the share (relative to the
** table's largest, so that small shares still differ visibly). */
static int rh_groups(FILE *out, const cli_report_stats *stats,
                     const char *const *names)
{
    cli_report_group_view view;
    double max_share = 0.0;

    if (cli_report_group_view_make(stats, &view) != 0)
        return -1;
    for (size_t r = 0; r < view.n_rows; r++) {
        for (size_t a = 0; a < stats->n_areas; a++) {
            double sh = cli_report_wilson(view.rows[r].n[a],
                                          view.rows[r].ok).share;
            if (sh > max_share)
                max_share = sh;
        }
    }
    fputs("<div class=\"wide\"><table class=\"by\">\n<tr><th>", out);
    rh_esc(out, stats->by->column);
    fputs("</th><th class=\"num\">ok answers</th>", out);
    for (size_t a = 0; a < stats->n_areas; a++) {
        fputs("<th class=\"area\">", out);
        rh_esc(out, names[a]);
        fputs("</th>", out);
    }
    fputs("</tr>\n", out);
    for (size_t r = 0; r < view.n_rows; r++) {
        const cli_report_group_row *row = &view.rows[r];
        fputs("<tr><td>", out);
        if (row->value == NULL)
            fputs("<em>(other)</em>", out);
        else if (row->value_len == 0)
            fputs("<em>(empty)</em>", out);
        else
            cli_html_escape(out, row->value, row->value_len);
        fprintf(out, "</td><td class=\"num\">%llu</td>",
                (unsigned long long)row->ok);
        for (size_t a = 0; a < stats->n_areas; a++) {
            cli_report_share s = cli_report_wilson(row->n[a], row->ok);
            fprintf(out, "<td class=\"num\" style=\"background:"
                    "rgba(58,110,165,%.2f)\" title=\"%llu answers\">",
                    max_share > 0.0 ? 0.45 * s.share / max_share : 0.0,
                    (unsigned long long)row->n[a]);
            rh_pct(out, s.share);
            fputs("</td>", out);
        }
        fputs("</tr>\n", out);
    }
    fputs("</table></div>\n", out);
    if (view.n_rows > 0 && view.rows[view.n_rows - 1].value == NULL)
        fprintf(out, "<p class=\"id\">(other): %llu further values%s.</p>\n",
                (unsigned long long)view.other_values,
                stats->by->full ? ", and values past the bound of distinct "
                "values that were not told apart" : "");
    cli_report_group_view_free(&view);
    return 0;
}

/* Writes the page (see the header). */
int cli_report_html(FILE *out, const cli_report_stats *stats,
                    const char *const *names, const char *lang)
{
    int rc = 0;

    fputs("<!DOCTYPE html>\n<html lang=\"", out);
    rh_esc(out, lang);
    fputs("\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, "
          "initial-scale=1\">\n"
          "<meta name=\"generator\" content=\"whatmatters report\">\n"
          "<title>What matters: report</title>\n", out);
    fputs(rh_style, out);
    fputs("</head>\n<body>\n<h1>What matters: report</h1>\n", out);
    rh_summary(out, stats);

    fputs("<h2>Areas</h2>\n<figure>\n", out);
    rh_bars(out, stats, names);
    fputs("<figcaption>Share of ok answers that have each area; the "
          "whiskers are 95% Wilson score intervals. An answer may have "
          "several areas, so the shares need not add up to 100%."
          "</figcaption>\n</figure>\n", out);
    rh_area_table(out, stats, names);

    fputs("<h2>Co-occurrence</h2>\n<figure>\n", out);
    rh_heatmap(out, stats, names);
    fputs("<figcaption>Ok answers that have both areas. The diagonal "
          "(grey) is each area's own count; the darker a cell, the more "
          "answers share the two areas.</figcaption>\n</figure>\n", out);

    fputs("<h2>Evidence terms</h2>\n", out);
    rh_terms(out, stats, names);

    fprintf(out, "<h2>Examples</h2>\n<p class=\"lead\">The first %zu ok "
            "answers with each area, in input order.</p>\n",
            stats->examples_max);
    rh_examples(out, stats, names);

    if (stats->by != NULL) {
        fputs("<h2>By ", out);
        rh_esc(out, stats->by->column);
        fputs("</h2>\n<p class=\"lead\">Share of each value's ok answers "
              "that have the area.</p>\n", out);
        rc = rh_groups(out, stats, names);
    }
    fputs("</body>\n</html>\n", out);
    if (rc != 0 || ferror(out))
        return -1;
    return 0;
}
