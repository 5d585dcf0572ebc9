/*
** report_html.h — the report as one self-contained HTML file.
**
** One file that opens offline: inline CSS, inline SVG, no script, no
** external resource (no fonts, images or links to fetch). It holds the
** summary line, a bar chart of the areas' shares with their 95% Wilson
** intervals as whiskers, the areas table, a co-occurrence heatmap with the
** count in every cell, the top evidence terms, the examples and, with
** --by, the cross-tab. Every text from the data is escaped, and bytes that
** are not valid UTF-8 are written as U+FFFD, so the file is well-formed
** whatever the answers hold.
**
** For tests and tools the charts are marked: the bar chart is
** <svg class="wm-bars"> with one <rect class="bar"> per area, the heatmap
** <svg class="wm-heatmap"> with one <rect class="cell"> per pair of areas
** (n_areas * n_areas, the diagonal included).
*/
#ifndef WM_CLI_REPORT_HTML_H
#define WM_CLI_REPORT_HTML_H

#include "report_stats.h"

#include <stdio.h>

/* Writes the report. names[a] is area a's name in the report's language
** (lang, a code such as "sv", goes into <html lang>). Returns 0, or -1
** when writing failed (ferror(out) is set). */
int cli_report_html(FILE *out, const cli_report_stats *stats,
                    const char *const *names, const char *lang);

/* Writes text[0..len) escaped for HTML text and attribute values: & < > "
** ' as entities, bytes that are not valid UTF-8 as U+FFFD, control
** characters other than tab and newline as U+FFFD. */
void cli_html_escape(FILE *out, const char *text, size_t len);

#endif /* WM_CLI_REPORT_HTML_H */
