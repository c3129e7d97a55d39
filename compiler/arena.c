/* arena.c: the compilation's bump allocator, PtrVec, TextBuf, and BUG().
 * Everything allocated here is freed at once by arena_free. */
#include "octohac.h"

#include <stdlib.h>
#include <string.h>

#define ARENA_CHUNK (64u * 1024u)

typedef struct Chunk {
    struct Chunk *next;
    size_t used, size;
    max_align_t data[];
} Chunk;

struct Arena {
    Chunk *head;
};

void *oh_xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p)
        BUG("out of memory allocating %zu bytes", size);
    return p;
}

_Noreturn void oh_bug(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "internal error: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n  at %s:%d\n  this is a bug in octohac " OCTOHAC_VERSION "; please report it\n", file, line);
    va_end(ap);
    exit(3);
}

Arena *arena_new(void)
{
    Arena *arena = oh_xmalloc(sizeof *arena);
    arena->head = NULL;
    return arena;
}

void arena_free(Arena *arena)
{
    if (!arena)
        return;
    Chunk *c = arena->head;
    while (c) {
        Chunk *next = c->next;
        free(c);
        c = next;
    }
    free(arena);
}

void *arena_alloc(Arena *arena, size_t size)
{
    const size_t align = sizeof(max_align_t);
    size = (size + align - 1) / align * align;
    Chunk *c = arena->head;
    if (!c || c->size - c->used < size) {
        size_t cap = size > ARENA_CHUNK ? size : ARENA_CHUNK;
        c = oh_xmalloc(sizeof(Chunk) + cap);
        c->size = cap;
        c->used = 0;
        c->next = arena->head;
        arena->head = c;
    }
    void *p = (char *)c->data + c->used;
    c->used += size;
    memset(p, 0, size);
    return p;
}

char *arena_strndup(Arena *arena, const char *s, size_t n)
{
    char *p = arena_alloc(arena, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(Arena *arena, const char *s)
{
    return arena_strndup(arena, s, strlen(s));
}

char *arena_vprintf(Arena *arena, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        BUG("bad format string %s", fmt);
    char *p = arena_alloc(arena, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *arena_printf(Arena *arena, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = arena_vprintf(arena, fmt, ap);
    va_end(ap);
    return p;
}

void vec_push(Arena *arena, PtrVec *vec, void *item)
{
    if (vec->count == vec->cap) {
        size_t cap = vec->cap ? vec->cap * 2 : 8;
        void **items = arena_alloc(arena, cap * sizeof *items);
        if (vec->count)
            memcpy(items, vec->items, vec->count * sizeof *items);
        vec->items = items;
        vec->cap = cap;
    }
    vec->items[vec->count++] = item;
}

void text_append(TextBuf *buf, const char *s, size_t n)
{
    if (buf->len + n + 1 > buf->cap) {
        size_t cap = (buf->cap ? buf->cap * 2 : 1024) + n;
        char *text = arena_alloc(buf->arena, cap);
        if (buf->len)
            memcpy(text, buf->text, buf->len);
        buf->text = text;
        buf->cap = cap;
    }
    memcpy(buf->text + buf->len, s, n);
    buf->len += n;
    buf->text[buf->len] = '\0';
}

void text_puts(TextBuf *buf, const char *s)
{
    text_append(buf, s, strlen(s));
}
