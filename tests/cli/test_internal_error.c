/* test_internal_error.c: an internal invariant failure (BUG) exits with code 3 and says
 * where it happened and that it is a bug, not a problem with the user's input (cli.md's
 * exit code 3; no valid or invalid input can reach one on purpose). */
#define _POSIX_C_SOURCE 200809L
#include "octohac.h"

#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
    int fds[2];
    if (pipe(fds) != 0)
        return 1;
    pid_t pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        BUG("invariant %s broken", "x");
    }
    close(fds[1]);
    char buf[4096] = { 0 };
    size_t n = 0;
    ssize_t got;
    while (n < sizeof buf - 1 && (got = read(fds[0], buf + n, sizeof buf - 1 - n)) > 0)
        n += (size_t)got;
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    int failures = 0;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 3) {
        fprintf(stderr, "FAIL: BUG() should exit 3, status %d\n", status);
        failures++;
    }
    if (!strstr(buf, "internal error: invariant x broken") || !strstr(buf, "test_internal_error.c") ||
        !strstr(buf, "bug in octohac")) {
        fprintf(stderr, "FAIL: BUG() message: %s\n", buf);
        failures++;
    }
    printf("%s\n", failures ? "FAILED" : "ok");
    return failures != 0;
}
