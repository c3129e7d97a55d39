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

/* A fresh chunk for SIZE bytes. A large request gets a chunk of its own, kept behind
 * the head so that the head's free space is not abandoned. */
static Chunk *new_chunk(Arena *arena, size_t size)
{
    bool large = size > ARENA_CHUNK / 4;
    size_t cap = large ? size : ARENA_CHUNK;
    Chunk *fresh = oh_xmalloc(sizeof(Chunk) + cap);
    fresh->size = cap;
    fresh->used = 0;
    if (large && arena->head) {
        fresh->next = arena->head->next;
        arena->head->next = fresh;
    } else {
        fresh->next = arena->head;
        arena->head = fresh;
    }
    return fresh;
}

/* SIZE bytes aligned to ALIGN (a power of two, at most max_align_t's). */
static void *arena_alloc_uninit(Arena *arena, size_t size, size_t align)
{
    size = (size + align - 1) & ~(align - 1);
    Chunk *c = arena->head;
    size_t at = c ? (c->used + align - 1) & ~(align - 1) : 0;
    if (!c || at > c->size || c->size - at < size) {
        c = new_chunk(arena, size);
        at = 0;
    }
    c->used = at + size;
    return (char *)c->data + at;
}

void *arena_alloc(Arena *arena, size_t size)
{
    void *p = arena_alloc_uninit(arena, size, _Alignof(max_align_t));
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

/* Formats straight into the head chunk's free space, and formats again into a new
 * block only when the text does not fit there: most strings are short. */
char *arena_vprintf(Arena *arena, const char *fmt, va_list ap)
{
    Chunk *c = arena->head;
    size_t room = c ? c->size - c->used : 0;
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(room ? (char *)c->data + c->used : NULL, room, fmt, copy);
    va_end(copy);
    if (n < 0)
        BUG("bad format string %s", fmt);
    if ((size_t)n < room)   /* unaligned: the block starts where the text was written */
        return arena_alloc_uninit(arena, (size_t)n + 1, 1);
    char *p = arena_alloc_uninit(arena, (size_t)n + 1, 1);
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

/* ------------------------------------------------------------------ StrBuf */

void strbuf_grow(StrBuf *buf, size_t extra)
{
    size_t cap = buf->cap ? buf->cap : 1024;
    while (cap < buf->len + extra + 1)
        cap *= 2;
    char *grown = realloc(buf->data, cap);
    if (!grown)
        BUG("out of memory growing a text to %zu bytes", cap);
    buf->data = grown;
    buf->cap = cap;
}

void strbuf_puts(StrBuf *buf, const char *s)
{
    strbuf_add(buf, s, strlen(s));
}

/* Formats straight into the free room, and again after growing when it did not fit. */
void strbuf_printf(StrBuf *buf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    strbuf_reserve(buf, 0);
    size_t room = buf->cap - buf->len;
    int n = vsnprintf(buf->data + buf->len, room, fmt, ap);
    va_end(ap);
    if (n < 0)
        BUG("bad format string %s", fmt);
    if ((size_t)n >= room) {
        strbuf_reserve(buf, (size_t)n);
        va_start(ap, fmt);
        vsnprintf(buf->data + buf->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    buf->len += (size_t)n;
}

/* ------------------------------------------------------------------ cJSON's memory */

static struct {
    bool installed;
    Arena *current;             /* where cJSON allocates; NULL: the lasting arena */
    Arena *lasting;             /* parsed data kept for the run, until json_memory_release */
} json_memory;

/* cJSON needs pointer alignment only; 8 instead of 16 saves a fifth of a parsed schema. */
static void *json_malloc(size_t size)
{
    if (!json_memory.current && !json_memory.lasting)
        json_memory.lasting = arena_new();
    return arena_alloc_uninit(json_memory.current ? json_memory.current : json_memory.lasting, size,
                              sizeof(void *));
}

/* Every cJSON block lives in an arena and dies with it. */
static void json_free(void *p)
{
    (void)p;
}

void json_memory_install(void)
{
    cJSON_Hooks hooks = { json_malloc, json_free };
    cJSON_InitHooks(&hooks);
    json_memory.installed = true;
}

void json_delete(cJSON *tree)
{
    if (!json_memory.installed)
        cJSON_Delete(tree);
}

Arena *json_memory_use(Arena *arena)
{
    Arena *previous = json_memory.current;
    json_memory.current = arena;
    return previous;
}

cJSON *json_parse_lasting(const char *text, size_t len)
{
    Arena *previous = json_memory_use(NULL);
    cJSON *doc = cJSON_ParseWithLength(text, len);
    json_memory_use(previous);
    return doc;
}

void json_memory_release(void)
{
    arena_free(json_memory.lasting);
    json_memory.lasting = NULL;
    json_memory.current = NULL;
}
