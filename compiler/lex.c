/* lex.c: turns a Source into tokens (language.md §1), each a kind and a span.
 * Comments and newlines are tokens; so are strings (escapes are checked here and
 * decoded by lex_token_text), numbers, IPv4 addresses with an optional prefix, and
 * words. Lexical errors (OH0001-OH0003, OH0006) are reported at their exact column
 * and the lexer carries on. Quantities (a number and its unit) are the parser's. */
#include "octohac.h"

#include <string.h>

const char *const token_kind_names[] = {
#define X(kind, name) name,
    TOKEN_KINDS(X)
#undef X
};

typedef struct Lexer {
    Arena *arena;
    const Source *src;
    DiagCtx *diag;
    const char *text;
    uint32_t len, pos;
    Token *toks;
    size_t count, cap;
    size_t errors;              /* reported so far, up to SYNTAX_ERROR_LIMIT */
    bool stopped;               /* the limit was reached: the rest is not lexed */
    Diagnostic scratch;         /* what lex_error returns once stopped */
} Lexer;

/* Single-character tokens. */
static const struct {
    char c;
    TokenKind kind;
} punctuation[] = {
    {'{', TK_LBRACE},   {'}', TK_RBRACE}, {'[', TK_LBRACKET}, {']', TK_RBRACKET},
    {'(', TK_LPAREN},   {')', TK_RPAREN}, {'=', TK_EQUALS},   {',', TK_COMMA},
    {';', TK_SEMICOLON},
};

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_word_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
static bool is_word_char(char c) { return is_word_start(c) || is_digit(c) || c == '.' || c == '-'; }
static bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

static void emit(Lexer *lx, TokenKind kind, uint32_t start, uint32_t end)
{
    if (lx->count == lx->cap) {
        size_t cap = lx->cap ? lx->cap * 2 : 256;
        Token *grown = arena_alloc(lx->arena, cap * sizeof *grown);
        if (lx->count)
            memcpy(grown, lx->toks, lx->count * sizeof *grown);
        lx->toks = grown;
        lx->cap = cap;
    }
    lx->toks[lx->count++] = (Token){kind, {lx->src, start, end}};
}

static Span span_at(const Lexer *lx, uint32_t start, uint32_t end)
{
    return (Span){lx->src, start, end};
}

/* Reports a lexical error; the one that reaches SYNTAX_ERROR_LIMIT says so and stops
 * the lexer. */
static Diagnostic *lex_error(Lexer *lx, Span span, const char *code, const char *fmt, ...) OH_PRINTF(4, 5);
static Diagnostic *lex_error(Lexer *lx, Span span, const char *code, const char *fmt, ...)
{
    if (lx->stopped) {
        memset(&lx->scratch, 0, sizeof lx->scratch);
        return &lx->scratch;
    }
    va_list ap;
    va_start(ap, fmt);
    char *message = arena_vprintf(lx->arena, fmt, ap);
    va_end(ap);
    Diagnostic *d = diag_error(lx->diag, span, code, "%s", message);
    if (++lx->errors >= SYNTAX_ERROR_LIMIT) {
        diag_note(lx->diag, d, (Span){0}, "octohac stops after %d syntax errors in one file",
                  SYNTAX_ERROR_LIMIT);
        lx->stopped = true;
    }
    return d;
}

/* Bytes in the UTF-8 character at POS (1 for anything malformed). */
static uint32_t char_len(const Lexer *lx, uint32_t pos)
{
    unsigned char c = (unsigned char)lx->text[pos];
    uint32_t n = c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (pos + n > lx->len)
        return 1;
    for (uint32_t i = 1; i < n; i++)
        if (((unsigned char)lx->text[pos + i] & 0xC0) != 0x80)
            return 1;
    return n;
}

/* ------------------------------------------------------------------ comments, strings */

/* # … to the end of the line (the line end is not part of it). */
static void lex_comment(Lexer *lx)
{
    uint32_t start = lx->pos;
    while (lx->pos < lx->len && lx->text[lx->pos] != '\n')
        lx->pos++;
    uint32_t end = lx->pos;
    if (end > start && lx->text[end - 1] == '\r')
        end--;
    emit(lx, TK_COMMENT, start, end);
}

/* Checks the escape at lx->pos (the backslash); returns its length in bytes. */
static uint32_t lex_escape(Lexer *lx)
{
    uint32_t start = lx->pos;
    char c = lx->pos + 1 < lx->len ? lx->text[lx->pos + 1] : '\0';
    if (c == '"' || c == '\\' || c == 'n' || c == 't')
        return 2;
    if (c == 'u' && lx->pos + 2 < lx->len && lx->text[lx->pos + 2] == '{') {
        uint32_t i = lx->pos + 3, value = 0, ndigits = 0;
        while (i < lx->len && is_hex(lx->text[i]) && ndigits < 7) {
            char h = lx->text[i];
            value = value * 16 + (uint32_t)(is_digit(h) ? h - '0' : (h | 0x20) - 'a' + 10);
            ndigits++;
            i++;
        }
        bool closed = i < lx->len && lx->text[i] == '}';
        uint32_t end = closed ? i + 1 : i;
        bool scalar = value <= 0x10FFFF && !(value >= 0xD800 && value <= 0xDFFF);
        /* NUL would silently cut the decoded C string, so it is refused like a raw NUL byte. */
        if (closed && ndigits >= 1 && ndigits <= 6 && scalar && value != 0)
            return end - start;
        Diagnostic *d = lex_error(lx, span_at(lx, start, end), "OH0003",
                                   "invalid unicode escape in string");
        diag_label(lx->diag, d, !closed ? "expected 1 to 6 hex digits and `}`"
                                : value == 0 ? "a string cannot hold a NUL character"
                                             : "not a Unicode scalar value");
        diag_help(lx->diag, d, "write a code point as `\\u{1F600}`");
        return end - start;
    }
    if (c == '\0' || c == '\n' || (c == '\r' && lx->pos + 2 < lx->len && lx->text[lx->pos + 2] == '\n'))
        return 1;   /* a backslash at the end of the line: the string is unterminated */
    uint32_t n = 1 + char_len(lx, lx->pos + 1);
    Diagnostic *d = lex_error(lx, span_at(lx, start, start + n), "OH0003",
                               "invalid escape sequence in string");
    diag_label(lx->diag, d, "unknown escape");
    diag_help(lx->diag, d, "the escapes are `\\\"`, `\\\\`, `\\n`, `\\t` and `\\u{…}`; write `\\\\` for a backslash");
    return n;
}

/* "…" with escapes; a raw newline or the end of the file leaves it unterminated. */
static void lex_string(Lexer *lx)
{
    uint32_t start = lx->pos++;
    for (;;) {
        if (lx->pos >= lx->len || lx->text[lx->pos] == '\n') {
            uint32_t end = lx->pos;
            if (end > start && lx->text[end - 1] == '\r')
                end--;
            Diagnostic *d = lex_error(lx, span_at(lx, start, end), "OH0002", "unterminated string");
            diag_label(lx->diag, d, "this string has no closing `\"`");
            diag_help(lx->diag, d, "strings end on the line they start; write a newline as `\\n`");
            emit(lx, TK_STRING, start, end);
            return;
        }
        char c = lx->text[lx->pos];
        if (c == '"' || lx->stopped) {
            lx->pos += c == '"';
            emit(lx, TK_STRING, start, lx->pos);
            return;
        }
        lx->pos += c == '\\' ? lex_escape(lx) : 1;
    }
}

/* ------------------------------------------------------------------ numbers and addresses */

/* The dotted parts of a numeric token: where each starts and ends. */
typedef struct Parts {
    uint32_t start[8], end[8];
    int count;                  /* 8 means "too many" */
} Parts;

static Parts split_dots(const Lexer *lx, uint32_t start, uint32_t end)
{
    Parts p = {.count = 1};
    p.start[0] = start;
    for (uint32_t i = start; i < end; i++) {
        if (lx->text[i] != '.')
            continue;
        p.end[p.count - 1] = i;
        if (p.count == 8)
            return p;
        p.start[p.count++] = i + 1;
    }
    p.end[p.count - 1] = end;
    return p;
}

static uint32_t digits_value(const Lexer *lx, uint32_t start, uint32_t end)
{
    uint32_t v = 0;
    for (uint32_t i = start; i < end && v < 100000; i++)
        v = v * 10 + (uint32_t)(lx->text[i] - '0');
    return v;
}

static void malformed(Lexer *lx, uint32_t start, uint32_t end, const char *label, const char *help)
{
    Diagnostic *d = lex_error(lx, span_at(lx, start, end), "OH0006", "malformed %s `%.*s`",
                               label, (int)(end - start), lx->text + start);
    diag_help(lx->diag, d, "%s", help);
}

/* Checks an IPv4 address with an optional prefix; reports the first bad part. */
static void check_address(Lexer *lx, const Parts *p, uint32_t start, uint32_t slash, uint32_t end)
{
    const char *cidr_help = "an address is four numbers 0-255 separated by dots, like `10.20.0.10`, "
                            "with an optional prefix 0-32 such as `10.20.0.0/16`";
    if (p->count != 4) {
        malformed(lx, start, end, slash < end ? "CIDR" : "address", cidr_help);
        return;
    }
    for (int i = 0; i < 4; i++) {
        uint32_t a = p->start[i], b = p->end[i];
        if (a == b || b - a > 3 || digits_value(lx, a, b) > 255) {
            Diagnostic *d = lex_error(lx, span_at(lx, a == b ? start : a, a == b ? end : b), "OH0006",
                                       a == b ? "malformed address `%.*s`" : "address part `%.*s` is out of range",
                                       a == b ? (int)(end - start) : (int)(b - a), lx->text + (a == b ? start : a));
            diag_label(lx->diag, d, a == b ? "an empty part" : "each part must be 0-255");
            diag_help(lx->diag, d, "%s", cidr_help);
            return;
        }
    }
    if (slash < end) {
        uint32_t a = slash + 1;
        if (a == end) {
            Diagnostic *d = lex_error(lx, span_at(lx, slash, end), "OH0006",
                                       "missing CIDR prefix after `/`");
            diag_label(lx->diag, d, "expected a prefix length 0-32");
            return;
        }
        if (end - a > 2 || digits_value(lx, a, end) > 32) {
            Diagnostic *d = lex_error(lx, span_at(lx, a, end), "OH0006",
                                       "prefix `/%.*s` is out of range", (int)(end - a), lx->text + a);
            diag_label(lx->diag, d, "the prefix must be 0-32");
            return;
        }
    }
}

/* [0-9][0-9.]* with an optional /[0-9]*: a NUMBER (`3`, `0.5`) or an ADDRESS. */
static void lex_number(Lexer *lx)
{
    uint32_t start = lx->pos;
    while (lx->pos < lx->len && (is_digit(lx->text[lx->pos]) || lx->text[lx->pos] == '.'))
        lx->pos++;
    uint32_t slash = lx->pos;
    if (lx->pos < lx->len && lx->text[lx->pos] == '/') {
        lx->pos++;
        while (lx->pos < lx->len && is_digit(lx->text[lx->pos]))
            lx->pos++;
    }
    uint32_t end = lx->pos;
    Parts p = split_dots(lx, start, slash);
    bool is_address = p.count == 4 || slash < end;
    if (is_address) {
        check_address(lx, &p, start, slash, end);
    } else if (p.count > 2) {
        malformed(lx, start, end, "number", "a number has at most one `.`; an address has four parts, like `10.20.0.10`");
    } else if (p.count == 2 && (p.start[1] == p.end[1])) {
        malformed(lx, start, end, "number", "a number is digits with an optional fraction, like `3` or `0.5`");
    }
    emit(lx, is_address ? TK_ADDRESS : TK_NUMBER, start, end);
}

/* ------------------------------------------------------------------ words and strays */

/* [A-Za-z_][A-Za-z0-9_.-]*, not ending in `.` or `-` (those are left to be strays). */
static void lex_word(Lexer *lx)
{
    uint32_t start = lx->pos;
    while (lx->pos < lx->len && is_word_char(lx->text[lx->pos]))
        lx->pos++;
    while (lx->text[lx->pos - 1] == '.' || lx->text[lx->pos - 1] == '-')
        lx->pos--;
    emit(lx, TK_WORD, start, lx->pos);
}

static bool starts_token(const Lexer *lx, uint32_t pos)
{
    char c = lx->text[pos];
    if (c == ' ' || c == '\t' || c == '\n' || c == '#' || c == '"' || is_digit(c) || is_word_start(c))
        return true;
    if (c == '\r' && pos + 1 < lx->len && lx->text[pos + 1] == '\n')
        return true;
    for (size_t i = 0; i < sizeof punctuation / sizeof punctuation[0]; i++)
        if (punctuation[i].c == c)
            return true;
    return false;
}

/* A run of characters that start no token: one OH0001 for the run. */
static void lex_stray(Lexer *lx)
{
    uint32_t start = lx->pos;
    uint32_t first = char_len(lx, start);
    lx->pos += first;
    while (lx->pos < lx->len && !starts_token(lx, lx->pos))
        lx->pos += char_len(lx, lx->pos);
    Diagnostic *d = lex_error(lx, span_at(lx, start, lx->pos), "OH0001", "unexpected character `%.*s`",
                               (int)first, lx->text + start);
    char c = lx->text[start];
    bool after_word = start > 0 && is_word_char(lx->text[start - 1]);
    if ((c == '.' || c == '-') && after_word)
        diag_help(lx->diag, d, "a word may not end in `.` or `-`; quote it as a string");
    else if (c == '-' && start + 1 < lx->len && is_digit(lx->text[start + 1]))
        diag_help(lx->diag, d, "numbers in `.oha` are never negative");
    else if (c == '\'')
        diag_help(lx->diag, d, "strings use double quotes: `\"…\"`");
    else if (c == '\r')
        diag_help(lx->diag, d, "line ends are LF or CRLF");
    else if (c == ':' || c == '/' || c == '@' || c == '*')
        diag_help(lx->diag, d, "quote the value as a string");
}

static void lex_one(Lexer *lx)
{
    char c = lx->text[lx->pos];
    if (c == ' ' || c == '\t') {
        lx->pos++;
    } else if (c == '\n') {
        emit(lx, TK_NEWLINE, lx->pos, lx->pos + 1);
        lx->pos++;
    } else if (c == '\r' && lx->pos + 1 < lx->len && lx->text[lx->pos + 1] == '\n') {
        emit(lx, TK_NEWLINE, lx->pos, lx->pos + 2);
        lx->pos += 2;
    } else if (c == '#') {
        lex_comment(lx);
    } else if (c == '"') {
        lex_string(lx);
    } else if (is_digit(c)) {
        lex_number(lx);
    } else if (is_word_start(c)) {
        lex_word(lx);
    } else {
        for (size_t i = 0; i < sizeof punctuation / sizeof punctuation[0]; i++) {
            if (punctuation[i].c == c) {
                emit(lx, punctuation[i].kind, lx->pos, lx->pos + 1);
                lx->pos++;
                return;
            }
        }
        lex_stray(lx);
    }
}

TokenList lex_source(Arena *arena, const Source *src, DiagCtx *diag)
{
    Lexer lx = {.arena = arena, .src = src, .diag = diag, .text = src->text, .len = src->len};
    while (lx.pos < lx.len && !lx.stopped)
        lex_one(&lx);
    emit(&lx, TK_EOF, lx.len, lx.len);
    return (TokenList){lx.toks, lx.count};
}

/* ------------------------------------------------------------------ text and dump */

/* Appends the UTF-8 encoding of CP to OUT (which has room for 4 bytes). */
static size_t utf8_encode(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Decodes the escape at S (a backslash, N bytes left) into OUT; returns the bytes read.
 * Invalid escapes (already reported by the lexer) are copied as written. */
static size_t decode_escape(const char *s, size_t n, char *out, size_t *written)
{
    static const char simple[][2] = {{'"', '"'}, {'\\', '\\'}, {'n', '\n'}, {'t', '\t'}};
    if (n >= 2)
        for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++)
            if (s[1] == simple[i][0]) {
                out[0] = simple[i][1];
                *written = 1;
                return 2;
            }
    if (n >= 4 && s[1] == 'u' && s[2] == '{') {
        uint32_t cp = 0;
        size_t i = 3;
        while (i < n && i < 10 && is_hex(s[i])) {
            cp = cp * 16 + (uint32_t)(is_digit(s[i]) ? s[i] - '0' : (s[i] | 0x20) - 'a' + 10);
            i++;
        }
        if (i > 3 && i < n && s[i] == '}' && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF)) {
            *written = utf8_encode(cp, out);
            return i + 1;
        }
    }
    out[0] = '\\';
    *written = 1;
    return 1;
}

char *lex_token_text(Arena *arena, const Token *tok)
{
    const char *s = tok->span.src->text + tok->span.start;
    size_t n = tok->span.end - tok->span.start;
    if (tok->kind != TK_STRING)
        return arena_strndup(arena, s, n);
    s++;                                    /* the opening quote */
    n--;
    char *out = arena_alloc(arena, n + 1);
    size_t o = 0, i = 0;
    while (i < n && s[i] != '"') {          /* an unescaped quote can only be the closing one */
        if (s[i] != '\\') {
            out[o++] = s[i++];
            continue;
        }
        size_t written;
        i += decode_escape(s + i, n - i, out + o, &written);
        o += written;
    }
    out[o] = '\0';
    return out;
}

void lex_dump(FILE *out, const TokenList *tokens)
{
    for (size_t i = 0; i < tokens->count; i++) {
        const Token *t = &tokens->items[i];
        uint32_t l1, c1, l2, c2;
        src_line_col(t->span.src, t->span.start, &l1, &c1);
        src_line_col(t->span.src, t->span.end, &l2, &c2);
        fprintf(out, "%u:%u-%u:%u %s", (unsigned)l1, (unsigned)c1, (unsigned)l2, (unsigned)c2,
                token_kind_names[t->kind]);
        if (t->kind != TK_EOF && t->kind != TK_NEWLINE) {
            fputc(' ', out);
            diag_write_escaped(out, t->span.src->text + t->span.start, t->span.end - t->span.start);
        }
        fputc('\n', out);
    }
}
