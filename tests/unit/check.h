/* check.h: the failure-counting checks shared by the unit tests. A failed check prints
 * where it is and what failed, and the test goes on; main returns non-zero when
 * `failures` is not zero.
 *   CHECK(cond)                   the condition, as written
 *   CHECK(cond, fmt, ...)         and a printf-style explanation
 *   CHECK_INT(got, want)          two integers
 *   CHECK_STR(got, want)          two strings (NULL got fails), shown whole, for texts
 */
#ifndef OCTOHAC_TEST_CHECK_H
#define OCTOHAC_TEST_CHECK_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int failures;

static void check_failed(const char *file, int line, const char *cond, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void check_failed(const char *file, int line, const char *cond, const char *fmt, ...)
{
    failures++;
    fprintf(stderr, "%s:%d: check failed: %s", file, line, cond);
    if (strcmp(fmt, ": ") != 0) {   /* more than CHECK(cond)'s bare separator */
        va_list ap;
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
    }
    fputc('\n', stderr);
}

/* ": " joins the explanation's format, which makes it optional (CHECK(cond) passes the
 * bare separator) without an empty format string. */
#define CHECK(cond, ...)                                                        \
    do {                                                                        \
        if (!(cond))                                                            \
            check_failed(__FILE__, __LINE__, #cond, ": " __VA_ARGS__);          \
    } while (0)

#define CHECK_INT(got, want)                                                    \
    do {                                                                        \
        long long g_ = (long long)(got), w_ = (long long)(want);                \
        if (g_ != w_)                                                           \
            check_failed(__FILE__, __LINE__, #got, ": %lld, want %lld", g_, w_); \
    } while (0)

#define CHECK_STR(got, want)                                                    \
    do {                                                                        \
        const char *g_ = (got), *w_ = (want);                                   \
        if (!g_ || strcmp(g_, w_) != 0)                                         \
            check_failed(__FILE__, __LINE__, #got, ": got\n%s\n---- want\n%s\n----", \
                         g_ ? g_ : "(null)", w_);                               \
    } while (0)

#endif
