/* fmt.c: prints a parsed file in the canonical layout of docs/fmt.md: two-space indent,
 * one entry per line, `=` not aligned, one blank line between top-level items, comments
 * kept where they stand. A block or list stays on one line only when it was written on
 * one line, holds no comment and fits in 100 columns. Literals are copied as written, so
 * formatting never changes meaning. It works from the AST and the comment tokens only. */
#include "octohac.h"

#include <string.h>

#define FMT_WIDTH 100
#define FMT_INDENT 2

/* ------------------------------------------------------------------ output buffer */

static void buf_indent(TextBuf *b, int depth)
{
    static const char spaces[] = "                                ";
    for (int n = depth * FMT_INDENT; n > 0; n -= (int)(sizeof spaces - 1))
        text_append(b, spaces, n < (int)(sizeof spaces - 1) ? (size_t)n : sizeof spaces - 1);
}

/* Columns are characters: UTF-8 continuation bytes take none. */
static size_t text_width(const char *s, size_t n)
{
    size_t width = 0;
    for (size_t i = 0; i < n; i++)
        width += ((unsigned char)s[i] & 0xC0) != 0x80;
    return width;
}

/* The column the next character of B lands on, 0-based. */
static size_t buf_column(const TextBuf *b)
{
    size_t start = b->len;
    while (start > 0 && b->text[start - 1] != '\n')
        start--;
    return text_width(b->text + start, b->len - start);
}

/* ------------------------------------------------------------------ the formatter */

typedef struct Fmt {
    Arena *arena;
    const Source *src;
    TextBuf out;
    const Token **comments;     /* every comment token, in source order */
    size_t comment_count;
    size_t next_comment;        /* comments before this index are printed */
    uint32_t last_line;         /* source line where the last printed thing ended; 0: none */
} Fmt;

static uint32_t line_of(const Fmt *f, uint32_t offset)
{
    uint32_t line, col;
    src_line_col(f->src, offset, &line, &col);
    return line;
}

/* The source line of SPAN's last byte. */
static uint32_t end_line(const Fmt *f, Span span)
{
    return line_of(f, span.end > span.start ? span.end - 1 : span.start);
}

static bool one_line(const Fmt *f, Span span)
{
    return line_of(f, span.start) == end_line(f, span);
}

/* The bytes of SPAN exactly as written. */
static void put_source(Fmt *f, TextBuf *b, Span span)
{
    text_append(b, f->src->text + span.start, span.end - span.start);
}

/* ------------------------------------------------------------------ comments */

static const Token *peek_comment(const Fmt *f)
{
    return f->next_comment < f->comment_count ? f->comments[f->next_comment] : NULL;
}

/* Whether a comment not yet printed starts inside [start, end). */
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

/* The comment text without trailing blanks. */
static void put_comment(Fmt *f, const Token *tok)
{
    const char *text = f->src->text + tok->span.start;
    size_t n = tok->span.end - tok->span.start;
    while (n > 0 && (text[n - 1] == ' ' || text[n - 1] == '\t' || text[n - 1] == '\r'))
        n--;
    text_append(&f->out, text, n);
}

/* Only blanks and separators lie between FROM and TO (so no newline either). */
static bool only_separators(const Fmt *f, uint32_t from, uint32_t to)
{
    for (uint32_t i = from; i < to; i++) {
        char c = f->src->text[i];
        if (c != ' ' && c != '\t' && c != ';' && c != ',')
            return false;
    }
    return true;
}

/* Appends the comment that follows END on its line, with nothing but separators
 * between them: `a = 1 # why`, `{ # about the block`. */
static void put_trailing(Fmt *f, uint32_t end)
{
    const Token *c = peek_comment(f);
    if (c && c->span.start >= end && only_separators(f, end, c->span.start)) {
        text_puts(&f->out, " ");
        put_comment(f, c);
        f->next_comment++;
    }
}

/* Starts a new line for something that begins on source line LINE, keeping one blank
 * line where the source had one or more (never at the top of a body or list). */
static void start_line(Fmt *f, uint32_t line, int depth, bool first_in_body)
{
    if (!first_in_body && f->last_line && line > f->last_line + 1)
        text_puts(&f->out, "\n");
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
        text_puts(&f->out, "\n");
        f->last_line = line;
        f->next_comment++;
        *first_in_body = false;
    }
}

/* ------------------------------------------------------------------ values */

static void put_value(Fmt *f, const Value *v, int depth);

/* The value on one line into B: literals as written, a quantity with one space
 * before its unit, lists and calls with `, ` between their elements. */
static void put_inline(Fmt *f, TextBuf *b, const Value *v)
{
    switch (v->kind) {
    case VK_STRING:
    case VK_NUMBER:
    case VK_ADDRESS:
    case VK_WORD:
    case VK_BOOL:
        put_source(f, b, v->span);
        break;
    case VK_QUANTITY:
        text_puts(b, v->text);
        text_puts(b, " ");
        put_source(f, b, v->unit_span);
        break;
    case VK_LIST:
    case VK_CALL:
        if (v->kind == VK_CALL)
            text_puts(b, v->text);
        text_puts(b, v->kind == VK_LIST ? "[" : "(");
        for (size_t i = 0; i < v->count; i++) {
            if (i)
                text_puts(b, ", ");
            put_inline(f, b, v->items[i]);
        }
        text_puts(b, v->kind == VK_LIST ? "]" : ")");
        break;
    }
}

static size_t inline_width(Fmt *f, const Value *v)
{
    TextBuf b = {f->arena, NULL, 0, 0};
    put_inline(f, &b, v);
    return text_width(b.text, b.len);
}

/* Whether the value, printed from the current column, must spread over lines: it or
 * an element holds a comment, was written over several lines, or does not fit. */
static bool needs_lines(Fmt *f, const Value *v)
{
    if (v->kind != VK_LIST && v->kind != VK_CALL)
        return false;
    if (has_comment_in(f, v->span.start, v->span.end) || !one_line(f, v->span))
        return true;
    return v->kind == VK_LIST && v->count > 0 &&
           buf_column(&f->out) + inline_width(f, v) > FMT_WIDTH;
}

/* list = "[" … "]" with one element per line, each followed by `,`. */
static void put_list_lines(Fmt *f, const Value *list, int depth)
{
    text_puts(&f->out, "[");
    put_trailing(f, list->span.start + 1);
    text_puts(&f->out, "\n");
    f->last_line = line_of(f, list->span.start);
    bool first = true;
    for (size_t i = 0; i < list->count; i++) {
        const Value *item = list->items[i];
        flush_leading(f, item->span.start, depth + 1, &first);
        start_line(f, line_of(f, item->span.start), depth + 1, first);
        first = false;
        put_value(f, item, depth + 1);
        text_puts(&f->out, ",");
        put_trailing(f, item->span.end);
        text_puts(&f->out, "\n");
        f->last_line = end_line(f, item->span);
    }
    flush_leading(f, list->span.end - 1, depth + 1, &first);
    buf_indent(&f->out, depth);
    text_puts(&f->out, "]");
}

/* A call stays on one line (the grammar wants its arguments there); only a list
 * argument may spread over lines. */
static void put_call(Fmt *f, const Value *call, int depth)
{
    text_puts(&f->out, call->text);
    text_puts(&f->out, "(");
    for (size_t i = 0; i < call->count; i++) {
        if (i)
            text_puts(&f->out, ", ");
        put_value(f, call->items[i], depth);
    }
    text_puts(&f->out, ")");
}

/* A value at the current position of the output; DEPTH is the indent of its line. */
static void put_value(Fmt *f, const Value *v, int depth)
{
    if (!needs_lines(f, v))
        put_inline(f, &f->out, v);
    else if (v->kind == VK_LIST)
        put_list_lines(f, v, depth);
    else
        put_call(f, v, depth);
}

/* ------------------------------------------------------------------ entries and bodies */

static void put_body(Fmt *f, const Body *body, int depth);

/* `name { a = 1, b = 2 }`, or NULL: only when the block was written on one line, holds
 * only attributes that fit on it, no comment, and the line fits in 100 columns. */
static const char *block_inline(Fmt *f, const Entry *e, int depth)
{
    const Body *body = e->body;
    if (!one_line(f, e->span) || has_comment_in(f, e->span.start, e->span.end))
        return NULL;
    TextBuf b = {f->arena, NULL, 0, 0};
    text_puts(&b, e->name);
    text_puts(&b, body->count ? " { " : " {");
    for (size_t i = 0; i < body->count; i++) {
        const Entry *inner = body->entries[i];
        if (inner->kind != EK_ATTRIBUTE)
            return NULL;
        if (i)
            text_puts(&b, ", ");
        text_puts(&b, inner->name);
        text_puts(&b, " = ");
        put_inline(f, &b, inner->value);
    }
    text_puts(&b, body->count ? " }" : "}");
    return (size_t)depth * FMT_INDENT + text_width(b.text, b.len) <= FMT_WIDTH ? b.text : NULL;
}

/* entry = WORD "=" value | WORD body, on its own line with its trailing comment. */
static void put_entry(Fmt *f, const Entry *e, int depth, bool *first_in_body)
{
    flush_leading(f, e->span.start, depth, first_in_body);
    start_line(f, line_of(f, e->span.start), depth, *first_in_body);
    *first_in_body = false;
    const char *one = e->kind == EK_BLOCK ? block_inline(f, e, depth) : NULL;
    if (one) {
        text_puts(&f->out, one);
    } else if (e->kind == EK_ATTRIBUTE) {
        text_puts(&f->out, e->name);
        text_puts(&f->out, " = ");
        put_value(f, e->value, depth);
    } else {
        text_puts(&f->out, e->name);
        text_puts(&f->out, " ");
        put_body(f, e->body, depth);
    }
    put_trailing(f, e->span.end);
    text_puts(&f->out, "\n");
    f->last_line = end_line(f, e->span);
}

/* body = "{" entries "}": the entries one per line; `{}` when empty. */
static void put_body(Fmt *f, const Body *body, int depth)
{
    if (body->count == 0 && !has_comment_in(f, body->span.start, body->span.end)) {
        text_puts(&f->out, "{}");
        return;
    }
    text_puts(&f->out, "{");
    put_trailing(f, body->span.start + 1);
    text_puts(&f->out, "\n");
    f->last_line = line_of(f, body->span.start);
    bool first = true;
    for (size_t i = 0; i < body->count; i++)
        put_entry(f, body->entries[i], depth + 1, &first);
    flush_leading(f, body->span.end - 1, depth + 1, &first);
    buf_indent(&f->out, depth);
    text_puts(&f->out, "}");
}

/* ------------------------------------------------------------------ items */

static void put_names(Fmt *f, const char *keyword, const Name *names, size_t count)
{
    if (count == 0)
        return;
    text_puts(&f->out, " ");
    text_puts(&f->out, keyword);
    for (size_t i = 0; i < count; i++) {
        text_puts(&f->out, i ? ", " : " ");
        put_source(f, &f->out, names[i].span);
    }
}

/* import STRING | profile WORD [extends …] body | cluster NAME [uses …] body */
static void put_item(Fmt *f, const Item *item)
{
    static const char *const keywords[] = {[IK_IMPORT] = "import ", [IK_PROFILE] = "profile ",
                                           [IK_CLUSTER] = "cluster "};
    text_puts(&f->out, keywords[item->kind]);
    put_source(f, &f->out, item->name.span);
    if (item->kind != IK_IMPORT) {
        put_names(f, item->kind == IK_PROFILE ? "extends" : "uses", item->bases, item->base_count);
        text_puts(&f->out, " ");
        put_body(f, item->body, 0);
    }
    put_trailing(f, item->span.end);
    text_puts(&f->out, "\n");
    f->last_line = end_line(f, item->span);
}

/* Comments on their own lines at the top level, before OFFSET, with the blank lines
 * between them kept (at most one); none before the first when last_line is 0. */
static void flush_top(Fmt *f, uint32_t offset)
{
    const Token *c;
    while ((c = peek_comment(f)) && c->span.start < offset) {
        uint32_t line = line_of(f, c->span.start);
        if (f->last_line && line > f->last_line + 1)
            text_puts(&f->out, "\n");
        put_comment(f, c);
        text_puts(&f->out, "\n");
        f->last_line = line;
        f->next_comment++;
    }
}

static void collect_comments(Fmt *f, const TokenList *tokens)
{
    f->comments = arena_alloc(f->arena, (tokens->count + 1) * sizeof *f->comments);
    for (size_t i = 0; i < tokens->count; i++)
        if (tokens->items[i].kind == TK_COMMENT)
            f->comments[f->comment_count++] = &tokens->items[i];
}

/* One blank line between top-level items, except that consecutive imports keep
 * the source's choice; comments between items keep their blank lines. */
static void put_separator(Fmt *f, const Item *prev, const Item *item)
{
    const Token *c = peek_comment(f);
    bool comments_between = c && c->span.start < item->span.start;
    bool imports = prev->kind == IK_IMPORT && item->kind == IK_IMPORT;
    uint32_t next_line = line_of(f, comments_between ? c->span.start : item->span.start);
    if (!imports || next_line > f->last_line + 1)
        text_puts(&f->out, "\n");
    f->last_line = 0;   /* the blank line is written: flush_top adds none before the next */
}

char *fmt_file(Arena *arena, const File *file, DiagCtx *diag)
{
    if (diag_has_errors(diag) || !file->tokens)
        return NULL;
    Fmt f = {.arena = arena, .src = file->src, .out = {arena, NULL, 0, 0}};
    collect_comments(&f, file->tokens);
    for (size_t i = 0; i < file->count; i++) {
        const Item *item = file->items[i];
        if (i > 0)
            put_separator(&f, file->items[i - 1], item);
        flush_top(&f, item->span.start);
        if (f.last_line && line_of(&f, item->span.start) > f.last_line + 1)
            text_puts(&f.out, "\n");
        put_item(&f, item);
    }
    if (peek_comment(&f) && file->count > 0)
        text_puts(&f.out, "\n");
    f.last_line = file->count > 0 ? 0 : f.last_line;
    flush_top(&f, UINT32_MAX);
    return f.out.text ? f.out.text : arena_strdup(arena, "");
}
