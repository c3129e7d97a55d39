/* runner.c: bench/run.sh's process runner. It runs a command N times, each as a fresh
 * process forked from this small program (so that a child's peak memory, read from
 * wait4's rusage, is the command's own and not a copy of a big parent such as Python),
 * and prints one line per run: `<wall ms> <peak KiB> <exit code> <cpu ms>` (cpu: user +
 * system time of the child, which a busy machine inflates less than wall time).
 *   runner N COMMAND ARG...        (the command's output goes to /dev/null) */
#define _DEFAULT_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: runner N COMMAND ARG...\n");
        return 2;
    }
    int runs = atoi(argv[1]);
    for (int i = 0; i < runs; i++) {
        double start = now_ms();
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            return 2;
        }
        if (pid == 0) {
            int null = open("/dev/null", O_WRONLY);
            dup2(null, 1);
            dup2(null, 2);
            execvp(argv[2], argv + 2);
            _exit(127);
        }
        int status;
        struct rusage usage;
        if (wait4(pid, &status, 0, &usage) < 0) {
            perror("wait4");
            return 2;
        }
        double ms = now_ms() - start;
        double cpu = (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e3 +
                     (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e3;
        printf("%.3f %ld %d %.3f\n", ms, usage.ru_maxrss,
               WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), cpu);
    }
    return 0;
}
