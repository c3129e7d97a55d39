/* source.c: loads a .oha file (or standard input) into the arena, checks that it is
 * valid UTF-8 without NUL bytes and within the size limit, and builds its line-start
 * table once. It maps byte offsets to 1-based line and character columns.
 * It does not tokenise anything: that is lex.c. */
#include "octohac.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The length of the UTF-8 sequence at S (at most AVAIL bytes), or 0 when it is not
 * well-formed (overlong forms, surrogates and code points above U+10FFFF included). */
static size_t utf8_sequence_length(const unsigned char *s, size_t avail)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF;   /* the allowed range of the second byte */
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0;                    /* overlong */
        else if (c == 0xED)
            hi = 0x9F;                    /* UTF-16 surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90;                    /* overlong */
        else if (c == 0xF4)
            hi = 0x8F;                    /* above U+10FFFF */
    } else {
        return 0;
    }
    if (avail < n || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return n;
}

/* Offset of the first NUL or ill-formed byte in TEXT, or LEN when there is none. */
static uint32_t first_bad_byte(const char *text, uint32_t len, bool *is_nul)
{
    const unsigned char *s = (const unsigned char *)text;
    uint32_t i = 0;
    while (i < len) {
        if (s[i] == 0) {
            *is_nul = true;
            return i;
        }
        size_t n = utf8_sequence_length(s + i, len - i);
        if (n == 0) {
            *is_nul = false;
            return i;
        }
        i += (uint32_t)n;
    }
    return len;
}

static void build_line_table(Arena *arena, Source *src)
{
    uint32_t lines = 1;
    for (uint32_t i = 0; i < src->len; i++)
        if (src->text[i] == '\n')
            lines++;
    src->line_starts = arena_alloc(arena, lines * sizeof *src->line_starts);
    src->line_starts[0] = 0;
    uint32_t n = 1;
    for (uint32_t i = 0; i < src->len; i++)
        if (src->text[i] == '\n')
            src->line_starts[n++] = i + 1;
    src->line_count = lines;
}

/* The end of the line holding OFFSET, before its line end. */
static uint32_t line_end_from(const char *text, uint32_t len, uint32_t offset)
{
    while (offset < len && text[offset] != '\n')
        offset++;
    if (offset > 0 && text[offset - 1] == '\r')
        offset--;
    return offset;
}

static void check_encoding(Source *src, uint32_t full_len, DiagCtx *diag)
{
    bool is_nul = false;
    uint32_t bad = first_bad_byte(src->text, full_len, &is_nul);
    if (bad == full_len)
        return;
    /* Keep the offending line, so that the diagnostic can show it escaped, and cut
     * the rest: the caller must not lex a file with encoding errors anyway. */
    uint32_t keep = line_end_from(src->text, full_len, bad);
    if (keep <= bad)
        keep = bad + 1;
    src->len = keep;
    Span span = {src, bad, bad + 1};
    if (is_nul) {
        Diagnostic *d = diag_error(diag, span, "OH0008", "file contains a NUL byte");
        diag_label(diag, d, "a `.oha` file is text and may not contain NUL bytes");
    } else {
        Diagnostic *d = diag_error(diag, span, "OH0008", "file is not valid UTF-8");
        diag_label(diag, d, "byte 0x%02X is not valid UTF-8 here",
                   (unsigned)(unsigned char)src->text[bad]);
        diag_help(diag, d, "save the file as UTF-8");
    }
}

Source *src_from_memory(Arena *arena, const char *name, const char *path, const char *text,
                        size_t len, DiagCtx *diag)
{
    Source *src = arena_alloc(arena, sizeof *src);
    src->name = arena_strdup(arena, name);
    src->path = path ? arena_strdup(arena, path) : NULL;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        len -= 3;
    }
    bool too_big = len > SRC_MAX_BYTES;
    uint32_t full_len = too_big ? 0 : (uint32_t)len;
    char *copy = arena_strndup(arena, text, full_len);
    src->text = copy;
    src->len = full_len;
    if (too_big) {
        build_line_table(arena, src);
        Diagnostic *d = diag_error(diag, (Span){src, 0, 0}, "OH0007",
                                   "`%s` is larger than the 8 MiB limit", src->name);
        diag_note(diag, d, (Span){0}, "the file has %zu bytes or more", len);
        return src;
    }
    check_encoding(src, full_len, diag);
    copy[src->len] = '\0';
    build_line_table(arena, src);
    return src;
}

/* Reads all of F, up to one byte past the size limit. NULL with errno set on error. */
static char *read_stream(FILE *f, size_t *len)
{
    size_t cap = 64 * 1024, n = 0;
    char *buf = oh_xmalloc(cap);
    for (;;) {
        if (n == cap) {
            if (cap > SRC_MAX_BYTES)
                break;
            cap *= 2;
            char *grown = realloc(buf, cap);
            if (!grown) {
                free(buf);
                BUG("out of memory reading input");
            }
            buf = grown;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) {
                int saved = errno ? errno : EIO;
                free(buf);
                errno = saved;
                return NULL;
            }
            break;
        }
    }
    *len = n;
    return buf;
}

Source *src_load(Arena *arena, const char *path, DiagCtx *diag, const char **err)
{
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        *err = arena_printf(arena, "cannot read `%s`: %s", path, strerror(errno));
        return NULL;
    }
    errno = 0;
    size_t len = 0;
    char *buf = read_stream(f, &len);
    int saved = errno;
    if (!is_stdin)
        fclose(f);
    if (!buf) {
        *err = arena_printf(arena, "cannot read `%s`: %s", is_stdin ? "<stdin>" : path,
                            strerror(saved));
        return NULL;
    }
    Source *src = src_from_memory(arena, is_stdin ? "<stdin>" : path, is_stdin ? NULL : path,
                                  buf, len, diag);
    free(buf);
    return src;
}

/* The index of the line holding OFFSET (0-based), by binary search of the table. */
static uint32_t line_index(const Source *src, uint32_t offset)
{
    uint32_t lo = 0, hi = src->line_count;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (src->line_starts[mid] <= offset)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

void src_line_col(const Source *src, uint32_t offset, uint32_t *line, uint32_t *col)
{
    if (!src || src->line_count == 0) {
        *line = 1;
        *col = 1;
        return;
    }
    if (offset > src->len)
        offset = src->len;
    uint32_t idx = line_index(src, offset);
    uint32_t chars = 0;
    for (uint32_t i = src->line_starts[idx]; i < offset; i++)
        if (((unsigned char)src->text[i] & 0xC0) != 0x80)
            chars++;
    *line = idx + 1;
    *col = chars + 1;
}

const char *src_line_text(const Source *src, uint32_t line, uint32_t *len)
{
    if (!src || line == 0 || line > src->line_count) {
        *len = 0;
        return "";
    }
    uint32_t start = src->line_starts[line - 1];
    uint32_t end = line < src->line_count ? src->line_starts[line] - 1 : src->len;
    if (end > src->len)
        end = src->len;
    if (end > start && src->text[end - 1] == '\r')
        end--;
    *len = end - start;
    return src->text + start;
}

Span span_join(Span a, Span b)
{
    if (!a.src)
        return b;
    if (!b.src)
        return a;
    Span s = a;
    if (b.start < s.start)
        s.start = b.start;
    if (b.end > s.end)
        s.end = b.end;
    return s;
}

bool span_valid(Span span)
{
    return span.src != NULL;
}
