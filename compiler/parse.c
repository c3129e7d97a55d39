/* parse.c: a recursive-descent parser for the grammar of language.md §2, from tokens
 * to the AST of octohac.h (items, bodies, entries, values, each with a span).
 * After a syntax error it resynchronises at the next entry, so that one run reports
 * every error (OH0004, OH0005 unclosed brackets, OH0007 nesting). It knows nothing
 * of the schema: which blocks, attributes and units are valid is the checker's job. */
#include "octohac.h"

#include <string.h>
#include <strings.h>

const char *const value_kind_names[] = {
#define X(kind, name) name,
    VALUE_KINDS(X)
#undef X
};

/* The unit words a quantity may carry; the checker decides which fits where. */
static const char *const unit_words[] = {"GiB", "TiB", "MBps", "s", "min", "h", "days"};

typedef struct Parser {
    Arena *arena;
    const Source *src;
    DiagCtx *diag;
    const Token *toks;          /* the tokens without comments; the last is TK_EOF */
    size_t count, pos;
    int depth;                  /* open bodies, lists and calls */
    size_t last_error;          /* token index of the last error, to avoid cascades */
    bool unwinding;             /* an unclosed `{` was reported: enclosing bodies close quietly */
    uint32_t *strays;           /* offsets of the lexer's OH0001 errors in this source, ascending */
    size_t stray_count;
    size_t errors;              /* syntax errors in this file so far, the lexer's included */
} Parser;

/* Token kinds as a bit set, for recovery. */
#define BIT(kind) (1u << (kind))
#define SEPARATORS (BIT(TK_NEWLINE) | BIT(TK_SEMICOLON) | BIT(TK_COMMA))

/* ------------------------------------------------------------------ tokens */

static const Token *peek(const Parser *p) { return &p->toks[p->pos]; }
static const Token *peek_at(const Parser *p, size_t ahead)
{
    size_t i = p->pos + ahead;
    return &p->toks[i < p->count ? i : p->count - 1];
}
static bool at(const Parser *p, TokenKind kind) { return peek(p)->kind == kind; }
static const Token *advance(Parser *p)
{
    const Token *t = peek(p);
    if (t->kind != TK_EOF)
        p->pos++;
    return t;
}
static bool is_sep(TokenKind kind) { return (SEPARATORS & BIT(kind)) != 0; }
static void skip_seps(Parser *p)
{
    while (is_sep(peek(p)->kind))
        advance(p);
}

static bool token_is(const Token *t, const char *word)
{
    size_t n = strlen(word);
    return t->kind == TK_WORD && t->span.end - t->span.start == n &&
           memcmp(t->span.src->text + t->span.start, word, n) == 0;
}

static bool is_item_keyword(const Token *t)
{
    return token_is(t, "import") || token_is(t, "profile") || token_is(t, "cluster");
}

/* An item keyword at the start of its line, not used as an attribute name: where a
 * new item begins even if the previous one was never closed. */
static bool starts_item(const Parser *p, size_t index)
{
    const Token *t = &p->toks[index];
    if (!is_item_keyword(t))
        return false;
    uint32_t at_byte = t->span.start;
    bool column_1 = at_byte == 0 || p->src->text[at_byte - 1] == '\n';
    bool line_start = index == 0 || p->toks[index - 1].kind == TK_NEWLINE;
    TokenKind next = p->toks[index + 1 < p->count ? index + 1 : index].kind;
    return line_start && column_1 && next != TK_EQUALS && next != TK_LBRACE;
}

/* How a token is named in "found …": its kind and, for words, numbers and strings,
 * its text (cut short when long). */
static const char *describe(Parser *p, const Token *t)
{
    switch (t->kind) {
    case TK_WORD:
    case TK_NUMBER:
    case TK_ADDRESS:
    case TK_STRING: {
        uint32_t n = t->span.end - t->span.start;
        const char *text = p->src->text + t->span.start;
        if (n > 40) {
            uint32_t cut = 37;
            while (cut > 0 && ((unsigned char)text[cut] & 0xC0) == 0x80)
                cut--;                      /* not inside a UTF-8 sequence */
            return arena_printf(p->arena, "%s `%.*s…`", token_kind_names[t->kind], (int)cut, text);
        }
        return arena_printf(p->arena, "%s `%.*s`", token_kind_names[t->kind], (int)n, text);
    }
    case TK_EOF:
    case TK_NEWLINE:
    case TK_COMMENT:
    case TK_LBRACE:
    case TK_RBRACE:
    case TK_LBRACKET:
    case TK_RBRACKET:
    case TK_LPAREN:
    case TK_RPAREN:
    case TK_EQUALS:
    case TK_COMMA:
    case TK_SEMICOLON:
    case TK__COUNT:
        break;
    }
    return token_kind_names[t->kind];
}

static Span error_span(const Token *t)
{
    Span s = t->span;
    if (t->kind == TK_NEWLINE)          /* point at the line end, not at the \r\n */
        s.end = s.start;
    return s;
}

/* Whether another syntax error may be reported. At SYNTAX_ERROR_LIMIT the parser jumps
 * to the end of the file, so the open bodies close quietly and nothing more is read. */
static bool may_report(Parser *p)
{
    if (p->errors < SYNTAX_ERROR_LIMIT)
        return true;
    p->pos = p->count - 1;
    p->unwinding = true;
    return false;
}

/* Reports a syntax error and counts it; the one that reaches the limit says so. */
static Diagnostic *syntax_error(Parser *p, Span span, const char *code, const char *fmt, ...) OH_PRINTF(4, 5);
static Diagnostic *syntax_error(Parser *p, Span span, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *message = arena_vprintf(p->arena, fmt, ap);
    va_end(ap);
    Diagnostic *d = diag_error(p->diag, span, code, "%s", message);
    if (++p->errors == SYNTAX_ERROR_LIMIT)
        diag_note(p->diag, d, (Span){0}, "octohac stops after %d syntax errors in one file",
                  SYNTAX_ERROR_LIMIT);
    return d;
}

/* Whether the lexer reported a stray character (OH0001) between the previous token and
 * this one: the parser then stays quiet, since the stray explains the gap. */
static bool after_lex_error(const Parser *p)
{
    uint32_t from = p->pos ? p->toks[p->pos - 1].span.end : 0;
    uint32_t to = peek(p)->span.start;
    size_t lo = 0, hi = p->stray_count;
    while (lo < hi) {                       /* the first stray at or after FROM */
        size_t mid = lo + (hi - lo) / 2;
        if (p->strays[mid] < from)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < p->stray_count && p->strays[lo] <= to;
}

/* OH0004 at the current token, unless an error was already reported there. */
static Diagnostic *expected(Parser *p, const char *what, const char *context)
{
    if (p->last_error == p->pos || after_lex_error(p) || !may_report(p))
        return arena_alloc(p->arena, sizeof(Diagnostic));   /* detached: not reported */
    p->last_error = p->pos;
    const Token *t = peek(p);
    Diagnostic *d = syntax_error(p, error_span(t), "OH0004", "expected %s%s, found %s", what,
                                context ? context : "", describe(p, t));
    diag_label(p->diag, d, "expected %s", what);
    return d;
}

/* Skips to the next token of STOP at nesting level 0 (not consuming it), skipping
 * whole bracketed groups. Stops at the end of the file, and at an item keyword that
 * starts a line. Iterative, so hostile nesting cannot overflow the stack. */
static void sync(Parser *p, unsigned stop)
{
    int level = 0;
    for (;;) {
        const Token *t = peek(p);
        if (t->kind == TK_EOF || starts_item(p, p->pos))
            return;
        if (level == 0 && (stop & BIT(t->kind)))
            return;
        if (t->kind == TK_LBRACE || t->kind == TK_LBRACKET || t->kind == TK_LPAREN)
            level++;
        else if ((t->kind == TK_RBRACE || t->kind == TK_RBRACKET || t->kind == TK_RPAREN) && level > 0)
            level--;
        advance(p);
    }
}

/* ------------------------------------------------------------------ nesting */

static const char *closer_name(TokenKind open)
{
    return open == TK_LBRACE ? "`}`" : open == TK_LBRACKET ? "`]`" : "`)`";
}

/* Enters a bracket; past the limit it reports OH0007, skips the whole group and
 * returns false. */
static bool enter(Parser *p, const Token *open)
{
    if (p->depth < PARSE_MAX_DEPTH) {
        p->depth++;
        return true;
    }
    if (may_report(p)) {
        Diagnostic *d = syntax_error(p, open->span, "OH0007", "nesting deeper than %d levels",
                                    PARSE_MAX_DEPTH);
        diag_label(p->diag, d, "this bracket opens level %d", PARSE_MAX_DEPTH + 1);
    }
    int level = 0;
    do {                                    /* skip the group, the opening bracket included */
        TokenKind k = peek(p)->kind;
        if (k == TK_LBRACE || k == TK_LBRACKET || k == TK_LPAREN)
            level++;
        else if (k == TK_RBRACE || k == TK_RBRACKET || k == TK_RPAREN)
            level--;
        advance(p);
    } while (level > 0 && !at(p, TK_EOF));
    p->last_error = p->pos;
    return false;
}

static void leave(Parser *p)
{
    p->depth--;
}

/* OH0005 at the current token for the bracket OPEN, with a note at the opening. */
static void unclosed(Parser *p, const Token *open)
{
    if (!may_report(p))
        return;
    const Token *t = peek(p);
    const char *open_text = token_kind_names[open->kind];
    Diagnostic *d = syntax_error(p, error_span(t), "OH0005", "unclosed %s", open_text);
    diag_label(p->diag, d, t->kind == TK_EOF ? "the file ends before the matching %s"
                                             : "expected %s before this", closer_name(open->kind));
    diag_note(p->diag, d, open->span, "the %s opened here is never closed", open_text);
    p->last_error = p->pos;
}

/* ------------------------------------------------------------------ values */

static Value *new_value(Parser *p, ValueKind kind, Span span)
{
    Value *v = arena_alloc(p->arena, sizeof *v);
    v->kind = kind;
    v->span = span;
    return v;
}

/* The value of a NUMBER token's digits, without locale-dependent strtod. */
static double number_value(const char *text)
{
    double v = 0, scale = 1;
    bool fraction = false;
    for (const char *c = text; *c; c++) {
        if (*c == '.') {
            fraction = true;
            continue;
        }
        if (fraction) {
            scale /= 10;
            v += (*c - '0') * scale;
        } else {
            v = v * 10 + (*c - '0');
        }
    }
    return v;
}

static bool is_unit(const Token *t)
{
    for (size_t i = 0; i < sizeof unit_words / sizeof unit_words[0]; i++)
        if (token_is(t, unit_words[i]))
            return true;
    return false;
}

static Value *parse_value(Parser *p);

/* NUMBER [ unit ]      (the unit must follow on the same line) */
static Value *parse_number(Parser *p)
{
    const Token *t = advance(p);
    Value *v = new_value(p, VK_NUMBER, t->span);
    v->text = lex_token_text(p->arena, t);
    v->number = number_value(v->text);
    if (is_unit(peek(p))) {
        const Token *u = advance(p);
        v->kind = VK_QUANTITY;
        v->unit = lex_token_text(p->arena, u);
        v->unit_span = u->span;
        v->span = span_join(t->span, u->span);
    }
    return v;
}

/* Collects the items of a list or the arguments of a call. */
static void add_item(Parser *p, PtrVec *items, Value *v)
{
    if (v)
        vec_push(p->arena, items, v);
}

/* Ends a list or call at its CLOSE token, or where it stopped when it is unclosed: the span
 * from START, and the items. */
static Value *finish_items(Parser *p, Value *v, Span start, TokenKind close, const PtrVec *items)
{
    if (at(p, close))
        v->span = span_join(start, advance(p)->span);
    else
        v->span = span_join(start, p->toks[p->pos ? p->pos - 1 : 0].span);
    v->items = (Value **)items->items;
    v->count = items->count;
    leave(p);
    return v;
}

/* list = "[" { sep } [ value { sep { sep } value } ] { sep } "]" */
static Value *parse_list(Parser *p)
{
    const Token *open = peek(p);
    Value *v = new_value(p, VK_LIST, open->span);
    if (!enter(p, open))
        return v;
    advance(p);
    PtrVec items = {0};
    skip_seps(p);
    while (!at(p, TK_RBRACKET)) {
        if (at(p, TK_EOF) || at(p, TK_RBRACE) || starts_item(p, p->pos)) {
            unclosed(p, open);
            break;
        }
        if (at(p, TK_RPAREN)) {
            expected(p, "a value or `]`", NULL);
            advance(p);
            continue;
        }
        size_t before = p->pos;
        add_item(p, &items, parse_value(p));
        if (!is_sep(peek(p)->kind) && !at(p, TK_RBRACKET) && !at(p, TK_RBRACE) && !at(p, TK_EOF)) {
            expected(p, "`,` or `]`", " in the list");
            sync(p, SEPARATORS | BIT(TK_RBRACKET) | BIT(TK_RBRACE));
        }
        if (p->pos == before)
            advance(p);
        skip_seps(p);
    }
    return finish_items(p, v, open->span, TK_RBRACKET, &items);
}

/* call = WORD "(" [ value { "," value } ] ")" */
static Value *parse_call(Parser *p)
{
    const Token *name = advance(p);
    const Token *open = peek(p);
    Value *v = new_value(p, VK_CALL, name->span);
    v->text = lex_token_text(p->arena, name);
    if (!enter(p, open))
        return v;
    advance(p);
    PtrVec args = {0};
    if (!at(p, TK_RPAREN)) {
        for (;;) {
            if (at(p, TK_EOF) || at(p, TK_NEWLINE) || at(p, TK_RBRACE) || at(p, TK_RBRACKET) ||
                starts_item(p, p->pos)) {
                unclosed(p, open);
                break;
            }
            add_item(p, &args, parse_value(p));
            if (at(p, TK_COMMA)) {
                advance(p);
                continue;
            }
            if (at(p, TK_RPAREN))
                break;
            if (!(at(p, TK_EOF) || at(p, TK_NEWLINE) || at(p, TK_RBRACE) || at(p, TK_RBRACKET))) {
                expected(p, "`,` or `)`", " in the call");
                sync(p, BIT(TK_RPAREN) | BIT(TK_NEWLINE) | BIT(TK_RBRACE) | BIT(TK_RBRACKET));
                if (at(p, TK_RPAREN))
                    break;
            }
        }
    }
    return finish_items(p, v, name->span, TK_RPAREN, &args);
}

/* value = STRING | NUMBER [ unit ] | ADDRESS | WORD | list | call
 * Returns NULL, having reported OH0004, when no value starts here. */
static Value *parse_value(Parser *p)
{
    const Token *t = peek(p);
    switch (t->kind) {
    case TK_STRING: {
        advance(p);
        Value *v = new_value(p, VK_STRING, t->span);
        v->text = lex_token_text(p->arena, t);
        return v;
    }
    case TK_NUMBER:
        return parse_number(p);
    case TK_ADDRESS: {
        advance(p);
        Value *v = new_value(p, VK_ADDRESS, t->span);
        v->text = lex_token_text(p->arena, t);
        return v;
    }
    case TK_WORD: {
        if (peek_at(p, 1)->kind == TK_LPAREN)
            return parse_call(p);
        advance(p);
        bool is_bool = token_is(t, "true") || token_is(t, "false");
        Value *v = new_value(p, is_bool ? VK_BOOL : VK_WORD, t->span);
        v->text = lex_token_text(p->arena, t);
        v->boolean = token_is(t, "true");
        return v;
    }
    case TK_LBRACKET:
        return parse_list(p);
    case TK_EOF:
    case TK_NEWLINE:
    case TK_COMMENT:
    case TK_LBRACE:
    case TK_RBRACE:
    case TK_RBRACKET:
    case TK_LPAREN:
    case TK_RPAREN:
    case TK_EQUALS:
    case TK_COMMA:
    case TK_SEMICOLON:
    case TK__COUNT:
        break;
    }
    Diagnostic *d = expected(p, "a value", NULL);
    if (t->kind == TK_LBRACE)
        diag_help(p->diag, d, "a block is written without `=`: `name { … }`");
    return NULL;
}

/* ------------------------------------------------------------------ bodies and entries */

static Body *parse_body(Parser *p);

/* Words people write for units, and the unit each means. */
static const struct {
    const char *written, *unit;
} unit_lookalikes[] = {
    {"GB", "GiB"}, {"G", "GiB"}, {"TB", "TiB"}, {"T", "TiB"}, {"MiB", "GiB"}, {"MB", "GiB"},
    {"MB/s", "MBps"}, {"MiBps", "MBps"}, {"sec", "s"}, {"secs", "s"}, {"seconds", "s"},
    {"m", "min"}, {"mins", "min"}, {"minutes", "min"}, {"hr", "h"}, {"hours", "h"},
    {"day", "days"}, {"d", "days"},
};

/* Help for a value followed by a word: a unit misspelt, or a missing separator. */
static void help_after_value(Parser *p, Diagnostic *d, const Value *v)
{
    const Token *t = peek(p);
    if (t->kind != TK_WORD)
        return;
    size_t n = t->span.end - t->span.start;
    const char *text = p->src->text + t->span.start;
    if (v && v->kind == VK_NUMBER) {
        for (size_t i = 0; i < sizeof unit_words / sizeof unit_words[0]; i++) {
            if (n == strlen(unit_words[i]) && strncasecmp(text, unit_words[i], n) == 0) {
                diag_help(p->diag, d, "units are case-sensitive: write `%s`", unit_words[i]);
                return;
            }
        }
        for (size_t i = 0; i < sizeof unit_lookalikes / sizeof unit_lookalikes[0]; i++) {
            if (n == strlen(unit_lookalikes[i].written) && strncasecmp(text, unit_lookalikes[i].written, n) == 0) {
                diag_help(p->diag, d, "`%.*s` is not a unit: did you mean `%s`? The units are `GiB`, `TiB`, "
                                      "`MBps`, `s`, `min`, `h` and `days`", (int)n, text, unit_lookalikes[i].unit);
                return;
            }
        }
    }
    if (peek_at(p, 1)->kind == TK_EQUALS || peek_at(p, 1)->kind == TK_LBRACE)
        diag_help(p->diag, d, "separate entries on one line with `,` or `;`");
}

/* entry = WORD "=" value | WORD body
 * Returns NULL after an error; the caller resynchronises. */
static Entry *parse_entry(Parser *p)
{
    const Token *name = peek(p);
    if (name->kind != TK_WORD) {
        Diagnostic *d = expected(p, "an attribute or block name", NULL);
        if (name->kind == TK_STRING)
            diag_help(p->diag, d, "names are bare words: `name = \"value\"`");
        return NULL;
    }
    advance(p);
    Entry *e = arena_alloc(p->arena, sizeof *e);
    e->name = lex_token_text(p->arena, name);
    e->name_span = name->span;
    if (at(p, TK_EQUALS)) {
        advance(p);
        e->kind = EK_ATTRIBUTE;
        e->value = parse_value(p);
        if (!e->value)
            return NULL;
        e->span = span_join(name->span, e->value->span);
        if (!is_sep(peek(p)->kind) && !at(p, TK_RBRACE) && !at(p, TK_EOF)) {
            Diagnostic *d = expected(p, "a new line, `,` or `;`", " after the value");
            help_after_value(p, d, e->value);
            return NULL;
        }
        return e;
    }
    if (at(p, TK_LBRACE)) {
        e->kind = EK_BLOCK;
        e->body = parse_body(p);
        e->span = span_join(name->span, e->body->span);
        return e;
    }
    Diagnostic *d = expected(p, "`=` or `{`", arena_printf(p->arena, " after `%s`", e->name));
    if (at(p, TK_NUMBER) || at(p, TK_STRING) || at(p, TK_WORD) || at(p, TK_ADDRESS))
        diag_help(p->diag, d, "write `%s = …` for an attribute, `%s { … }` for a block", e->name, e->name);
    return NULL;
}

/* body = "{" { sep } [ entry { sep { sep } entry } ] { sep } "}" */
static Body *parse_body(Parser *p)
{
    const Token *open = peek(p);
    Body *b = arena_alloc(p->arena, sizeof *b);
    b->span = open->span;
    if (!enter(p, open))
        return b;
    advance(p);
    PtrVec entries = {0};
    skip_seps(p);
    for (;;) {
        if (at(p, TK_RBRACE) && !p->unwinding)
            break;
        if (p->unwinding || at(p, TK_EOF) || starts_item(p, p->pos)) {
            if (!p->unwinding)
                unclosed(p, open);
            p->unwinding = true;
            break;
        }
        if (at(p, TK_RBRACKET) || at(p, TK_RPAREN)) {
            expected(p, "an entry or `}`", NULL);
            advance(p);
            skip_seps(p);
            continue;
        }
        Entry *e = parse_entry(p);
        if (e)
            vec_push(p->arena, &entries, e);
        else
            sync(p, SEPARATORS | BIT(TK_RBRACE));
        skip_seps(p);
    }
    if (at(p, TK_RBRACE) && !p->unwinding)
        b->span = span_join(open->span, advance(p)->span);
    else
        b->span = span_join(open->span, p->toks[p->pos ? p->pos - 1 : 0].span);
    b->entries = (Entry **)entries.items;
    b->count = entries.count;
    leave(p);
    return b;
}

/* ------------------------------------------------------------------ items */

static Item *new_item(Parser *p, ItemKind kind, const Token *keyword)
{
    Item *it = arena_alloc(p->arena, sizeof *it);
    it->kind = kind;
    it->keyword_span = keyword->span;
    it->span = keyword->span;
    return it;
}

/* WORD { "," WORD }      after `extends` or `uses` */
static bool parse_bases(Parser *p, Item *it, const char *keyword)
{
    PtrVec names = {0};
    for (;;) {
        if (!at(p, TK_WORD)) {
            expected(p, "a profile name", arena_printf(p->arena, " after `%s`", keyword));
            return false;
        }
        const Token *t = advance(p);
        Name *n = arena_alloc(p->arena, sizeof *n);
        n->text = lex_token_text(p->arena, t);
        n->span = t->span;
        vec_push(p->arena, &names, n);
        if (!at(p, TK_COMMA))
            break;
        advance(p);
    }
    it->bases = arena_alloc(p->arena, names.count * sizeof *it->bases);
    for (size_t i = 0; i < names.count; i++)
        it->bases[i] = *(Name *)names.items[i];
    it->base_count = names.count;
    return true;
}

/* … body      (the body that ends a profile or cluster, after its header) */
static bool parse_item_body(Parser *p, Item *it, const char *what)
{
    if (!at(p, TK_LBRACE)) {
        expected(p, "`{`", arena_printf(p->arena, " to open %s `%s`", what, it->name.text));
        return false;
    }
    it->body = parse_body(p);
    it->span = span_join(it->span, it->body->span);
    return true;
}

/* import = "import" STRING */
static bool parse_import(Parser *p, Item *it)
{
    if (!at(p, TK_STRING)) {
        Diagnostic *d = expected(p, "a string", " after `import`");
        diag_help(p->diag, d, "write `import \"std/profiles\"`");
        return false;
    }
    const Token *t = advance(p);
    it->name.text = lex_token_text(p->arena, t);
    it->name.span = t->span;
    it->span = span_join(it->span, t->span);
    return true;
}

/* profile = "profile" WORD [ "extends" WORD { "," WORD } ] body */
/* A profile or cluster from its name on: the name, `BASES_WORD name, …` if present
 * (`extends` or `uses`), and the body. */
static bool parse_named_item(Parser *p, Item *it, const char *bases_word, const char *what)
{
    const Token *t = advance(p);
    it->name.text = lex_token_text(p->arena, t);
    it->name.span = t->span;
    if (token_is(peek(p), bases_word)) {
        advance(p);
        if (!parse_bases(p, it, bases_word))
            return false;
    }
    return parse_item_body(p, it, what);
}

static bool parse_profile(Parser *p, Item *it)
{
    if (!at(p, TK_WORD)) {
        expected(p, "a profile name", " after `profile`");
        return false;
    }
    return parse_named_item(p, it, "extends", "profile");
}

/* cluster = "cluster" ( STRING | WORD ) [ "uses" WORD { "," WORD } ] body */
static bool parse_cluster(Parser *p, Item *it)
{
    if (!at(p, TK_STRING) && !at(p, TK_WORD)) {
        Diagnostic *d = expected(p, "a cluster name", " after `cluster`");
        diag_help(p->diag, d, "write `cluster \"name\" { … }`");
        return false;
    }
    return parse_named_item(p, it, "uses", "cluster");
}

/* item = import | profile | cluster
 * Returns NULL after an error; the caller resynchronises at the next item. */
static Item *parse_item(Parser *p)
{
    const Token *t = peek(p);
    static const struct {
        const char *keyword;
        ItemKind kind;
        bool (*parse)(Parser *, Item *);
    } forms[] = {
        {"import", IK_IMPORT, parse_import},
        {"profile", IK_PROFILE, parse_profile},
        {"cluster", IK_CLUSTER, parse_cluster},
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        if (!token_is(t, forms[i].keyword))
            continue;
        advance(p);
        Item *it = new_item(p, forms[i].kind, t);
        p->unwinding = false;
        bool ok = forms[i].parse(p, it);
        p->unwinding = false;
        return ok ? it : NULL;
    }
    Diagnostic *d = expected(p, "`import`, `profile` or `cluster`", NULL);
    if (t->kind == TK_WORD && at(p, TK_WORD) && peek_at(p, 1)->kind != TK_EQUALS)
        diag_help(p->diag, d, "a file holds `import`, `profile` and `cluster` items; "
                              "blocks and attributes go inside a cluster's `{ … }`");
    return NULL;
}

/* Skips to the next item keyword that starts a line, whole bracketed groups at once. */
static void sync_item(Parser *p)
{
    advance(p);
    sync(p, 0);
}

static void collect_strays(Parser *p)
{
    for (size_t i = 0; i < p->diag->count; i++)
        if (p->diag->items[i]->span.src == p->src && p->diag->items[i]->severity == SEV_ERROR)
            p->errors++;
    size_t n = 0;
    for (size_t i = 0; i < p->diag->count; i++)
        if (p->diag->items[i]->span.src == p->src && p->diag->items[i]->code && strcmp(p->diag->items[i]->code, "OH0001") == 0)
            n++;
    p->strays = arena_alloc(p->arena, (n ? n : 1) * sizeof *p->strays);
    for (size_t i = 0; i < p->diag->count; i++)
        if (p->diag->items[i]->span.src == p->src && p->diag->items[i]->code && strcmp(p->diag->items[i]->code, "OH0001") == 0)
            p->strays[p->stray_count++] = p->diag->items[i]->span.start;
}

/* The index of the first of the diagnostics at the end of DIAG that belong to SRC: the
 * lexer's, just before parsing starts. */
static size_t first_of_file(const DiagCtx *diag, const Source *src)
{
    size_t i = diag->count;
    while (i > 0 && diag->items[i - 1]->span.src == src)
        i--;
    return i;
}

/* file = { sep } { item { sep } } EOF */
File *parse_file(Arena *arena, const Source *src, const TokenList *tokens, DiagCtx *diag)
{
    Token *toks = arena_alloc(arena, (tokens->count + 1) * sizeof *toks);
    size_t n = 0;
    for (size_t i = 0; i < tokens->count; i++)
        if (tokens->items[i].kind != TK_COMMENT)
            toks[n++] = tokens->items[i];
    if (n == 0 || toks[n - 1].kind != TK_EOF)
        toks[n++] = (Token){TK_EOF, {src, src->len, src->len}};

    Parser p = {.arena = arena, .src = src, .diag = diag, .toks = toks, .count = n,
                .last_error = (size_t)-1};
    collect_strays(&p);
    File *file = arena_alloc(arena, sizeof *file);
    file->src = src;
    file->tokens = tokens;
    PtrVec items = {0};
    skip_seps(&p);
    while (!at(&p, TK_EOF)) {
        Item *it = parse_item(&p);
        if (it)
            vec_push(arena, &items, it);
        else if (!starts_item(&p, p.pos))
            sync_item(&p);
        skip_seps(&p);
    }
    file->items = (Item **)items.items;
    file->count = items.count;
    diag_sort_by_position(diag, first_of_file(diag, src));
    return file;
}

/* ------------------------------------------------------------------ dump */

static void dump_pos(FILE *out, Span span)
{
    uint32_t line, col;
    src_line_col(span.src, span.start, &line, &col);
    fprintf(out, " @%u:%u", (unsigned)line, (unsigned)col);
}

static void dump_quoted(FILE *out, const char *text)
{
    fputc('"', out);
    for (const char *c = text; *c; c++) {
        if (*c == '"' || *c == '\\')
            fputc('\\', out);
        diag_write_escaped(out, c, 1);
    }
    fputc('"', out);
}

static void indent(FILE *out, int level)
{
    for (int i = 0; i < level; i++)
        fputs("  ", out);
}

static void dump_value(FILE *out, const Value *v, int level)
{
    fputs(value_kind_names[v->kind], out);
    fputc(' ', out);
    switch (v->kind) {
    case VK_STRING:
        dump_quoted(out, v->text);
        break;
    case VK_QUANTITY:
        fprintf(out, "%s %s", v->text, v->unit);
        break;
    case VK_BOOL:
        fputs(v->boolean ? "true" : "false", out);
        break;
    case VK_LIST:
        fprintf(out, "[%zu]", v->count);
        break;
    case VK_NUMBER:
    case VK_ADDRESS:
    case VK_WORD:
    case VK_CALL:
        fputs(v->text, out);
        break;
    }
    dump_pos(out, v->span);
    fputc('\n', out);
    for (size_t i = 0; i < v->count; i++) {
        indent(out, level + 1);
        dump_value(out, v->items[i], level + 1);
    }
}

static void dump_body(FILE *out, const Body *b, int level)
{
    for (size_t i = 0; i < b->count; i++) {
        const Entry *e = b->entries[i];
        indent(out, level);
        fprintf(out, "%s %s", e->kind == EK_BLOCK ? "block" : "attr", e->name);
        dump_pos(out, e->name_span);
        if (e->kind == EK_BLOCK) {
            fputc('\n', out);
            dump_body(out, e->body, level + 1);
        } else {
            fputs(" = ", out);
            dump_value(out, e->value, level);
        }
    }
}

void parse_dump(FILE *out, const File *file)
{
    static const char *const item_names[] = {[IK_IMPORT] = "import", [IK_PROFILE] = "profile",
                                              [IK_CLUSTER] = "cluster"};
    for (size_t i = 0; i < file->count; i++) {
        const Item *it = file->items[i];
        fputs(item_names[it->kind], out);
        fputc(' ', out);
        dump_quoted(out, it->name.text);
        dump_pos(out, it->span);
        fputc('\n', out);
        for (size_t j = 0; j < it->base_count; j++) {
            fprintf(out, "  %s %s", it->kind == IK_PROFILE ? "extends" : "uses", it->bases[j].text);
            dump_pos(out, it->bases[j].span);
            fputc('\n', out);
        }
        if (it->body)
            dump_body(out, it->body, 1);
    }
}
