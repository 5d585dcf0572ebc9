/*
** main.c — the `whatmatters` command-line tool: the table of subcommands
** and the dispatch to them.
**
** A thin program over the public header only (whatmatters.h): it never
** reaches into the library's internals, so it is also a worked example of
** the API. Subcommands live in one table (name, summary, function, help
** text); adding one means writing its function and help text in a
** cmd_NAME.c and adding a row. What they share is in cli.h.
*/
#include "cli.h"

#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------------
** help
** --------------------------------------------------------------------- */

static const char cli_help_help[] =
    "Usage: " CLI_NAME " help [COMMAND]\n"
    "\n"
    "Shows the help of COMMAND (the same as '" CLI_NAME " COMMAND --help'),\n"
    "or without COMMAND the list of commands.\n"
    "\n"
    "Options:\n"
    "  -h, --help    show this help and exit\n"
    "\n"
    "Example:\n"
    "  $ " CLI_NAME " help stem\n";

/* Shows one subcommand's help, or the general usage without an argument. */
static int cli_help(const cli_command *self, int argc, char **argv)
{
    static const cli_option options[] = {{NULL, 0, 0}};
    cli_args args = {self->name, argc, argv, 0, 0};
    const char *topic = NULL;
    const char *value;
    const cli_command *cmd;
    int kind;

    while ((kind = cli_next_arg(&args, options, &value)) != CLI_ARG_END) {
        if (kind == CLI_ARG_HELP)
            return cli_print_help(self);
        if (kind == CLI_ARG_ERROR)
            return CLI_EXIT_USAGE;
        if (topic != NULL) {
            cli_error(self->name, "unexpected argument '%s' (one command "
                      "at most)", value);
            return CLI_EXIT_USAGE;
        }
        topic = value;
    }
    if (topic == NULL) {
        cli_print_usage(stdout);
        return cli_finish_output(self->name);
    }
    cmd = cli_find_command(topic);
    if (cmd == NULL) {
        cli_error(self->name, "unknown subcommand '%s' (try '" CLI_NAME
                  " --help')", topic);
        return CLI_EXIT_USAGE;
    }
    return cli_print_help(cmd);
}

/* ------------------------------------------------------------------------
** The table and main()
** --------------------------------------------------------------------- */

/* Every subcommand, in the order `whatmatters --help` lists them. A new
** one (train) is a function, a help text and a row here. report's row is
** there when CMake builds cmd_report.c in (WM_CLI_HAVE_REPORT); it prints
** its own help, so `help report` runs it with --help. */
static const cli_command cli_commands[] = {
    {"stem", "print the Snowball stem of each word read, one a line",
     cli_stem, cli_help_stem},
    {"tokenize", "print an answer's tokens: offsets, normal form, stem, "
     "flags", cli_tokenize, cli_help_tokenize},
    {"classify", "code a survey file (CSV, JSON Lines, text, msgpack) into "
     "areas",
     cli_classify, cli_help_classify},
    {"eval", "score the classifier on a gold corpus (CSV): P, R, F1",
     cli_eval, cli_help_eval},
    {"train", "learn a supervised model from answers coded by hand (CSV)",
     cli_train_cmd, cli_help_train},
#ifdef WM_CLI_HAVE_REPORT
    {"report", "summarise coded files: shares, intervals, co-occurrence, "
     "examples", cli_report, NULL},
#endif
    {"help", "show the help of a command", cli_help, cli_help_help},
};

/* The row for a subcommand name, or NULL. */
const cli_command *cli_find_command(const char *name)
{
    for (size_t i = 0; i < sizeof cli_commands / sizeof cli_commands[0];
         i++) {
        if (strcmp(cli_commands[i].name, name) == 0)
            return &cli_commands[i];
    }
    return NULL;
}

/* Prints the general usage with the list of subcommands, taken from the
** table so that the list cannot miss one. */
void cli_print_usage(FILE *out)
{
    fputs("Usage: " CLI_NAME " COMMAND [OPTIONS] [FILE]\n"
          "       " CLI_NAME " help COMMAND\n"
          "       " CLI_NAME " --version\n"
          "\n"
          "Analyses free-text answers to \"What matters to you?\" in Swedish "
          "(sv),\n"
          "Norwegian Bokmål (nb) and Nynorsk (nn), Danish (da) and English "
          "(en).\n"
          "\n"
          "Commands:\n", out);
    for (size_t i = 0; i < sizeof cli_commands / sizeof cli_commands[0];
         i++)
        fprintf(out, "  %-10s  %s\n", cli_commands[i].name,
                cli_commands[i].summary);
    fputs("\n"
          "Options:\n"
          "  -h, --help    show this help and exit\n"
          "  --version     show the library's version and exit\n"
          "\n"
          "'" CLI_NAME " help COMMAND' shows a command's options and an "
          "example.\n"
          "Exit status: 0 success, 1 a failure in the library or on output,"
          "\n"
          "2 a usage error (unknown command, option or language, bad value,"
          "\n"
          "unreadable input, a file or plugin that cannot be found or read)."
          "\n", out);
}

/*
** Prints the version of the library actually loaded, and the header's when
** they differ, so that a program running against another library than it
** was built with is visible at once.
*/
static int cli_print_version(void)
{
    printf(CLI_NAME " %s", wm_version());
    if (wm_version_number() != WM_VERSION_NUMBER)
        printf(" (built with the header of %s)", WM_VERSION);
    putchar('\n');
    return cli_finish_output(NULL);
}

/* Dispatches to the subcommand named by argv[1]. */
int main(int argc, char **argv)
{
    const cli_command *cmd;
    const char *name;

    setvbuf(stdout, NULL, _IOFBF, CLI_OUT_BUFFER);
    if (argc < 2) {
        cli_error(NULL, "missing command (try '" CLI_NAME " --help')");
        return CLI_EXIT_USAGE;
    }
    name = argv[1];
    if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0) {
        cli_print_usage(stdout);
        return cli_finish_output(NULL);
    }
    if (strcmp(name, "--version") == 0)
        return cli_print_version();
    if (name[0] == '-') {
        cli_error(NULL, "unknown option '%s' (try '" CLI_NAME " --help')",
                  name);
        return CLI_EXIT_USAGE;
    }
    cmd = cli_find_command(name);
    if (cmd == NULL) {
        cli_error(NULL, "unknown subcommand '%s' (try '" CLI_NAME
                  " --help')", name);
        return CLI_EXIT_USAGE;
    }
    return cmd->run(cmd, argc - 2, argv + 2);
}
