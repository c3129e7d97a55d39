/* fmt.c: prints a parsed file in the canonical layout of docs/cli.md: two-space
 * indent, one entry per line except blocks that hold only attributes and fit in
 * 100 columns, `=` not aligned, one blank line between top-level items, at most
 * one blank line kept inside bodies, and every comment kept where it stands.
 * It works from the AST plus the comment tokens; it never changes meaning. */
#include "octohac.h"

#include <string.h>

#define FMT_WIDTH 100
#define FMT_INDENT 2

typedef struct Buf {
    Arena *arena;
    char *text;
    size_t len, cap;
} Buf;

static void buf_append(Buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->cap ? b->cap * 2 : 4096) + n;
        char *text = arena_alloc(b->arena, cap);
        if (b->len)
            memcpy(text, b->text, b->len);
        b->text = text;
        b->cap = cap;
    }
    memcpy(b->text + b->len, s, n);
    b->len += n;
    b->text[b->len] = '\0';
}

static void buf_puts(Buf *b, const char *s)
{
    buf_append(b, s, strlen(s));
}

static void buf_indent(Buf *b, int depth)
{
    for (int i = 0; i < depth * FMT_INDENT; i++)
        buf_append(b, " ", 1);
}

typedef struct Fmt {
    Arena *arena;
    const Source *src;
    Buf out;
    const Token **comments;     /* every comment token, in source order */
    size_t comment_count;
    size_t next_comment;        /* comments before this index are printed */
    uint32_t last_line;         /* source line where the last printed thing ended */
} Fmt;

static uint32_t line_of(const Fmt *f, uint32_t offset)
{
    uint32_t line, col;
    src_line_col(f->src, offset, &line, &col);
    return line;
}

static const Token *peek_comment(const Fmt *f)
{
    return f->next_comment < f->comment_count ? f->comments[f->next_comment] : NULL;
}

static bool has_comment_in(const Fmt *f, uint32_t start, uint32_t end)
{
    for (size_t i = f->next_comment; i < f->comment_count; i++) {
        uint32_t at = f->comments[i]->span.start;
        if (at >= end)
            break;
        if (at >= start)
            return true;
    }
    return false;
}

/* The comment text without trailing blanks (a CRLF file leaves a '\r'). */
static void put_comment(Fmt *f, const Token *tok)
{
    const char *text = f->src->text + tok->span.start;
    size_t n = tok->span.end - tok->span.start;
    while (n > 0 && (text[n - 1] == ' ' || text[n - 1] == '\t' || text[n - 1] == '\r'))
        n--;
    buf_append(&f->out, text, n);
}

/* Starts a new line for something that begins at source line LINE, keeping one
 * blank line where the source had one or more (never at the top of a body). */
static void start_line(Fmt *f, uint32_t line, int depth, bool first_in_body)
{
    if (!first_in_body && f->last_line && line > f->last_line + 1)
        buf_puts(&f->out, "\n");
    buf_indent(&f->out, depth);
}

/* Prints, each on its own line, the comments that start before OFFSET. */
static void flush_leading(Fmt *f, uint32_t offset, int depth, bool *first_in_body)
{
    const Token *c;
    while ((c = peek_comment(f)) && c->span.start < offset) {
        uint32_t line = line_of(f, c->span.start);
        start_line(f, line, depth, *first_in_body);
        put_comment(f, c);
        buf_puts(&f->out, "\n");
        f->last_line = line;
        f->next_comment++;
        *first_in_body = false;
    }
}

/* Appends the comment that follows END on END's own source line, if any. */
static void put_trailing(Fmt *f, uint32_t end)
{
    const Token *c = peek_comment(f);
    if (c && c->span.start >= end && line_of(f, c->span.start) == line_of(f, end ? end - 1 : 0)) {
        buf_puts(&f->out, " ");
        put_comment(f, c);
        f->next_comment++;
    }
}

/* ---- values on one line */

static void put_string_literal(Buf *b, const char *text)
{
    buf_puts(b, "\"");
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        char esc[16];
        switch (*p) {
        case '"': buf_puts(b, "\\\""); break;
        case '\\': buf_puts(b, "\\\\"); break;
        case '\n': buf_puts(b, "\\n"); break;
        case '\t': buf_puts(b, "\\t"); break;
        default:
            if (*p < 0x20 || *p == 0x7f) {
                snprintf(esc, sizeof esc, "\\u{%X}", *p);
                buf_puts(b, esc);
            } else {
                buf_append(b, (const char *)p, 1);
            }
        }
    }
    buf_puts(b, "\"");
}

static void put_value_inline(Buf *b, const Value *v);

static void put_sequence_inline(Buf *b, Value **items, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (i)
            buf_puts(b, ", ");
        put_value_inline(b, items[i]);
    }
}

static void put_value_inline(Buf *b, const Value *v)
{
    switch (v->kind) {
    case VK_STRING:
        put_string_literal(b, v->text);
        break;
    case VK_NUMBER:
    case VK_ADDRESS:
    case VK_WORD:
        buf_puts(b, v->text);
        break;
    case VK_QUANTITY:
        buf_puts(b, v->text);
        buf_puts(b, " ");
        buf_puts(b, v->unit);
        break;
    case VK_BOOL:
        buf_puts(b, v->boolean ? "true" : "false");
        break;
    case VK_LIST:
        buf_puts(b, "[");
        put_sequence_inline(b, v->items, v->count);
        buf_puts(b, "]");
        break;
    case VK_CALL:
        buf_puts(b, v->text);
        buf_puts(b, "(");
        put_sequence_inline(b, v->items, v->count);
        buf_puts(b, ")");
        break;
    }
}

static const char *value_inline(Arena *arena, const Value *v)
{
    Buf b = {arena, NULL, 0, 0};
    put_value_inline(&b, v);
    return b.text ? b.text : "";
}

/* ---- entries */

static void put_body(Fmt *f, const Body *body, int depth);

/* A list that does not fit on its line, or holds comments: one element per line. */
static void put_list_multiline(Fmt *f, const Value *list, int depth)
{
    buf_puts(&f->out, "[");
    put_trailing(f, list->span.start + 1);
    buf_puts(&f->out, "\n");
    f->last_line = line_of(f, list->span.start);
    bool first = true;
    for (size_t i = 0; i < list->count; i++) {
        const Value *item = list->items[i];
        flush_leading(f, item->span.start, depth + 1, &first);
        start_line(f, line_of(f, item->span.start), depth + 1, first);
        buf_puts(&f->out, value_inline(f->arena, item));
        put_trailing(f, item->span.end);
        buf_puts(&f->out, "\n");
        f->last_line = line_of(f, item->span.end - 1);
        first = false;
    }
    flush_leading(f, list->span.end - 1, depth + 1, &first);
    buf_indent(&f->out, depth);
    buf_puts(&f->out, "]");
}

static void put_attribute(Fmt *f, const Entry *e, int depth)
{
    buf_puts(&f->out, e->name);
    buf_puts(&f->out, " = ");
    const Value *v = e->value;
    const char *inline_text = value_inline(f->arena, v);
    size_t width = (size_t)depth * FMT_INDENT + strlen(e->name) + 3 + strlen(inline_text);
    bool multiline = v->kind == VK_LIST && v->count > 0 &&
                     (width > FMT_WIDTH || has_comment_in(f, v->span.start, v->span.end));
    if (multiline)
        put_list_multiline(f, v, depth);
    else
        buf_puts(&f->out, inline_text);
}

/* `name { a = 1, b = 2 }` when the block holds only attributes, no comments, and fits. */
static const char *block_inline(Fmt *f, const Entry *e, int depth)
{
    const Body *body = e->body;
    if (has_comment_in(f, e->span.start, body->span.end))
        return NULL;
    Buf b = {f->arena, NULL, 0, 0};
    buf_puts(&b, e->name);
    buf_puts(&b, body->count ? " { " : " {");
    for (size_t i = 0; i < body->count; i++) {
        const Entry *inner = body->entries[i];
        if (inner->kind != EK_ATTRIBUTE)
            return NULL;
        if (i)
            buf_puts(&b, ", ");
        buf_puts(&b, inner->name);
        buf_puts(&b, " = ");
        put_value_inline(&b, inner->value);
    }
    buf_puts(&b, body->count ? " }" : "}");
    return (size_t)depth * FMT_INDENT + b.len <= FMT_WIDTH ? b.text : NULL;
}

static void put_entry(Fmt *f, const Entry *e, int depth, bool *first_in_body)
{
    flush_leading(f, e->span.start, depth, first_in_body);
    start_line(f, line_of(f, e->span.start), depth, *first_in_body);
    *first_in_body = false;
    if (e->kind == EK_ATTRIBUTE) {
        put_attribute(f, e, depth);
    } else {
        const char *one_line = block_inline(f, e, depth);
        if (one_line) {
            buf_puts(&f->out, one_line);
        } else {
            buf_puts(&f->out, e->name);
            buf_puts(&f->out, " ");
            put_body(f, e->body, depth);
        }
    }
    put_trailing(f, e->span.end);
    buf_puts(&f->out, "\n");
    f->last_line = line_of(f, e->span.end - 1);
}

/* body = "{" entries "}", printed from `{` to `}` with the entries one per line. */
static void put_body(Fmt *f, const Body *body, int depth)
{
    buf_puts(&f->out, "{");
    put_trailing(f, body->span.start + 1);
    buf_puts(&f->out, "\n");
    f->last_line = line_of(f, body->span.start);
    bool first = true;
    for (size_t i = 0; i < body->count; i++)
        put_entry(f, body->entries[i], depth + 1, &first);
    flush_leading(f, body->span.end - 1, depth + 1, &first);
    buf_indent(&f->out, depth);
    buf_puts(&f->out, "}");
}

/* ---- items */

static void put_names(Fmt *f, const char *keyword, const Name *names, size_t count)
{
    if (count == 0)
        return;
    buf_puts(&f->out, " ");
    buf_puts(&f->out, keyword);
    for (size_t i = 0; i < count; i++) {
        buf_puts(&f->out, i ? ", " : " ");
        buf_puts(&f->out, names[i].text);
    }
}

static void put_item(Fmt *f, const Item *item)
{
    switch (item->kind) {
    case IK_IMPORT:
        buf_puts(&f->out, "import ");
        put_string_literal(&f->out, item->name.text);
        break;
    case IK_PROFILE:
        buf_puts(&f->out, "profile ");
        buf_puts(&f->out, item->name.text);
        put_names(f, "extends", item->bases, item->base_count);
        buf_puts(&f->out, " ");
        put_body(f, item->body, 0);
        break;
    case IK_CLUSTER:
        buf_puts(&f->out, "cluster ");
        put_string_literal(&f->out, item->name.text);
        put_names(f, "uses", item->bases, item->base_count);
        buf_puts(&f->out, " ");
        put_body(f, item->body, 0);
        break;
    }
    put_trailing(f, item->span.end);
    buf_puts(&f->out, "\n");
    f->last_line = line_of(f, item->span.end - 1);
}

static void collect_comments(Fmt *f, const TokenList *tokens)
{
    f->comments = arena_alloc(f->arena, (tokens->count + 1) * sizeof *f->comments);
    for (size_t i = 0; i < tokens->count; i++)
        if (tokens->items[i].kind == TK_COMMENT)
            f->comments[f->comment_count++] = &tokens->items[i];
}

char *fmt_file(Arena *arena, const File *file, DiagCtx *diag)
{
    if (diag_has_errors(diag) || !file->tokens)
        return NULL;
    Fmt f = {.arena = arena, .src = file->src, .out = {arena, NULL, 0, 0}};
    collect_comments(&f, file->tokens);
    for (size_t i = 0; i < file->count; i++) {
        const Item *item = file->items[i];
        bool first = i == 0;
        if (!first)
            buf_puts(&f.out, "\n");
        f.last_line = first ? 0 : f.last_line;
        /* Leading comments of an item keep a blank line they had, but the item
         * separator above already gives one. */
        const Token *c;
        bool first_line = true;
        while ((c = peek_comment(&f)) && c->span.start < item->span.start) {
            uint32_t line = line_of(&f, c->span.start);
            if (!first_line && line > f.last_line + 1)
                buf_puts(&f.out, "\n");
            put_comment(&f, c);
            buf_puts(&f.out, "\n");
            f.last_line = line;
            f.next_comment++;
            first_line = false;
        }
        if (!first_line && line_of(&f, item->span.start) > f.last_line + 1)
            buf_puts(&f.out, "\n");
        put_item(&f, item);
    }
    if (peek_comment(&f) && f.out.len > 0)
        buf_puts(&f.out, "\n");
    while (peek_comment(&f)) {
        put_comment(&f, peek_comment(&f));
        buf_puts(&f.out, "\n");
        f.next_comment++;
    }
    return f.out.text ? f.out.text : arena_strdup(arena, "");
}
