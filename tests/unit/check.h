/* check.h: the failure-counting CHECK shared by the unit tests of the later stages
 * (test_emit.c, test_verify.c, test_rules.c, test_bootstrap.c). A failed check prints
 * where it is, the condition and a printf-style explanation, and the test goes on;
 * main returns non-zero when `failures` is not zero. */
#ifndef OCTOHAC_TEST_CHECK_H
#define OCTOHAC_TEST_CHECK_H

#include <stdio.h>

static int failures;

#define CHECK(cond, ...)                                                        \
    do {                                                                        \
        if (!(cond)) {                                                          \
            failures++;                                                         \
            fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                       \
            fputc('\n', stderr);                                                \
        }                                                                       \
    } while (0)

#endif
