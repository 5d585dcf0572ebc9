/*
** fuzz.h — what every fuzz target shares.
**
** A target defines LLVMFuzzerTestOneInput(), the libFuzzer entry point. Built
** with clang and -DWM_FUZZ=ON it links libFuzzer, which supplies main() and
** mutates inputs for as long as it is told (tests/fuzz/run.sh). Built any
** other way (gcc, the default) it links fuzz_main.c instead, a plain main()
** that runs every file of the seed corpus once: that is how ctest runs each
** corpus in both CI configurations.
**
** A target never returns an error for bad input: bad input is what it is
** for. It stops the program (fuzz_fail) only when the code under test broke
** a promise: a result outside its bounds, memory left allocated, a success
** without a result. The sanitizers catch the rest.
*/
#ifndef WM_FUZZ_H
#define WM_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Prints "fuzz: <what>" and aborts, so that libFuzzer keeps the input as a
** crash and the plain runner fails. */
void fuzz_fail(const char *what, ...) __attribute__((noreturn, format(printf, 1, 2)));

#define FUZZ_CHECK(cond)                                                      \
    do {                                                                      \
        if (!(cond))                                                          \
            fuzz_fail("%s:%d: %s", __FILE__, __LINE__, #cond);                \
    } while (0)

#endif /* WM_FUZZ_H */
