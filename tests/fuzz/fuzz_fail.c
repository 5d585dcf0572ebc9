/*
** fuzz_fail.c — the one way a fuzz target reports a broken promise.
*/
#include "fuzz.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void fuzz_fail(const char *what, ...)
{
    va_list ap;

    fputs("fuzz: ", stderr);
    va_start(ap, what);
    vfprintf(stderr, what, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}
