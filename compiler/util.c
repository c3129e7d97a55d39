/* util.c: small helpers shared by several stages: the edit distance behind every
 * "did you mean", and atomic file replacement (temporary file in the target's folder,
 * fsync, rename) for `build -o` (with its stack policy) and `fmt --write`. No diagnostics are reported here:
 * callers turn a false return and its message into their own error. */
#define _POSIX_C_SOURCE 200809L
#include "octohac.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DID_YOU_MEAN_MAX 2

static size_t min3(size_t a, size_t b, size_t c)
{
    size_t m = a < b ? a : b;
    return m < c ? m : c;
}

/* Optimal string alignment distance (Levenshtein plus adjacent transposition), in bytes,
 * case-sensitive. Two rows of the table are enough. */
size_t edit_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    size_t *prev2 = oh_xmalloc((m + 1) * sizeof *prev2);
    size_t *prev = oh_xmalloc((m + 1) * sizeof *prev);
    size_t *cur = oh_xmalloc((m + 1) * sizeof *cur);
    for (size_t j = 0; j <= m; j++)
        prev[j] = j;
    for (size_t i = 1; i <= n; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            cur[j] = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && prev2[j - 2] + 1 < cur[j])
                cur[j] = prev2[j - 2] + 1;
        }
        size_t *t = prev2;
        prev2 = prev;
        prev = cur;
        cur = t;
    }
    size_t d = prev[m];
    free(prev2);
    free(prev);
    free(cur);
    return d;
}

/* The closest candidate within distance 2 (the first one on a tie), never NAME itself
 * and never a suggestion as long as the name (that would replace every character). */
const char *did_you_mean(const char *name, const char *const *candidates, size_t count)
{
    const char *best = NULL;
    size_t best_d = DID_YOU_MEAN_MAX + 1;
    size_t len = strlen(name);
    for (size_t i = 0; i < count; i++) {
        if (!candidates[i] || strcmp(candidates[i], name) == 0)
            continue;
        size_t d = edit_distance(name, candidates[i]);
        if (d < best_d && d < len) {
            best = candidates[i];
            best_d = d;
        }
    }
    return best;
}

/* Writes all of DATA to FD, retrying short writes and EINTR. */
static bool write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        data += n;
        len -= (size_t)n;
    }
    return true;
}

/* The folder part of PATH ("." when it has none), malloc'd. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strcpy(oh_xmalloc(2), ".");
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    char *dir = oh_xmalloc(n + 1);
    memcpy(dir, path, n);
    dir[n] = '\0';
    return dir;
}

/* fsync the folder so that the rename itself survives a crash (best effort). */
static void sync_dir(const char *path)
{
    char *dir = dir_of(path);
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
}

/* Writes DATA to a new temporary file beside PATH (PATH's permission bits, or the umask's
 * for a new file), fsync'd: the malloc'd name of the temporary file, or NULL with *err set
 * and nothing left behind. */
static char *stage_file(const char *path, const char *data, size_t len, const char **err)
{
    size_t plen = strlen(path);
    char *tmp = oh_xmalloc(plen + sizeof ".octohac-XXXXXX");
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".octohac-XXXXXX", sizeof ".octohac-XXXXXX");
    int fd = mkstemp(tmp);
    if (fd < 0) {
        *err = strerror(errno);
        free(tmp);
        return NULL;
    }
    struct stat st;
    mode_t mode = 0666;
    if (stat(path, &st) == 0)
        mode = st.st_mode & 07777;
    else {
        mode_t mask = umask(0);
        umask(mask);
        mode &= ~mask;
    }
    bool ok = fchmod(fd, mode) == 0 && write_all(fd, data, len) && fsync(fd) == 0;
    int saved = errno;
    if (close(fd) != 0 && ok) {
        ok = false;
        saved = errno;
    }
    if (!ok) {
        unlink(tmp);
        free(tmp);
        *err = strerror(saved);
        return NULL;
    }
    return tmp;
}

/* Replaces PATH with DATA so that readers see the old or the new file, never a mix:
 * a temporary file beside it, fsync, rename. An existing file keeps its permission bits.
 * On failure PATH is untouched, the temporary file is gone and *err is strerror's text. */
bool write_file_atomic(const char *path, const char *data, size_t len, const char **err)
{
    const FileWrite file = { path, data, len };
    size_t failed;
    return write_files_atomic(&file, 1, err, &failed);
}

/* Every file staged first, then renamed in order: a file that cannot be written (a
 * missing folder, no space, no permission) fails the whole set before any PATH changes.
 * Only a rename that fails after an earlier one succeeded (which a temporary file in the
 * same folder makes all but impossible) leaves the set half replaced. *FAILED is the index
 * of the file that failed. */
bool write_files_atomic(const FileWrite *files, size_t count, const char **err, size_t *failed)
{
    char **tmp = oh_xmalloc((count ? count : 1) * sizeof *tmp);
    size_t staged = 0;
    bool ok = true;
    for (; staged < count && ok; staged++)
        ok = (tmp[staged] = stage_file(files[staged].path, files[staged].data, files[staged].len, err)) != NULL;
    if (!ok)
        *failed = --staged;   /* the one that failed left nothing behind */
    for (size_t i = 0; i < staged; i++) {
        if (ok && rename(tmp[i], files[i].path) != 0) {
            ok = false;
            *err = strerror(errno);
            *failed = i;
        }
        if (!ok)
            unlink(tmp[i]);   /* a no-op for those already renamed away */
        else
            sync_dir(files[i].path);
        free(tmp[i]);
    }
    free(tmp);
    return ok;
}
