/* diag.c: the one diagnostics API. Stages report errors, warnings and notes with
 * spans, labels, notes and help; they are collected in order and printed at the end
 * by a renderer: `human` (rustc-like, with source lines and carets) and `short`
 * (one line each) live here; the machine formats (json, sarif, github, junit) are in
 * diag_formats.c. The summary line ("N errors, M warnings in K files") is the CLI's. */
#include "octohac.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ collecting */

void diag_init(DiagCtx *diag, Arena *arena)
{
    memset(diag, 0, sizeof *diag);
    diag->arena = arena;
}

static bool code_allowed(const DiagCtx *diag, const char *code)
{
    if (!code)
        return false;
    for (size_t i = 0; i < diag->allowed_count; i++)
        if (diag->allowed[i] && strcmp(diag->allowed[i], code) == 0)
            return true;
    return false;
}

static void diag_push(DiagCtx *diag, Diagnostic *d)
{
    if (diag->count == diag->cap) {
        size_t cap = diag->cap ? diag->cap * 2 : 16;
        Diagnostic **items = arena_alloc(diag->arena, cap * sizeof *items);
        if (diag->count)
            memcpy(items, diag->items, diag->count * sizeof *items);
        diag->items = items;
        diag->cap = cap;
    }
    diag->items[diag->count++] = d;
}

static Diagnostic *diag_vreport(DiagCtx *diag, Severity sev, Span span, const char *code,
                                const char *fmt, va_list ap)
{
    Diagnostic *d = arena_alloc(diag->arena, sizeof *d);
    d->severity = sev;
    d->code = code;
    d->message = arena_vprintf(diag->arena, fmt, ap);
    d->span = span;
    d->cluster = diag->cluster;
    if (sev == SEV_WARNING && code_allowed(diag, code))
        return d;                       /* silenced by `allow`: a detached scratch object */
    diag_push(diag, d);
    if (sev == SEV_ERROR)
        diag->errors++;
    else if (sev == SEV_WARNING)
        diag->warnings++;
    return d;
}

Diagnostic *diag_report(DiagCtx *diag, Severity sev, Span span, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    Diagnostic *d = diag_vreport(diag, sev, span, code, fmt, ap);
    va_end(ap);
    return d;
}

Diagnostic *diag_error(DiagCtx *diag, Span span, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    Diagnostic *d = diag_vreport(diag, SEV_ERROR, span, code, fmt, ap);
    va_end(ap);
    return d;
}

Diagnostic *diag_warning(DiagCtx *diag, Span span, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    Diagnostic *d = diag_vreport(diag, SEV_WARNING, span, code, fmt, ap);
    va_end(ap);
    return d;
}

void diag_label(DiagCtx *diag, Diagnostic *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    d->label = arena_vprintf(diag->arena, fmt, ap);
    va_end(ap);
}

/* Appends one label to an arena array of labels (arrays are small: copy on growth). */
static void label_append(Arena *arena, DiagLabel **items, size_t *count, Span span, const char *text)
{
    DiagLabel *grown = arena_alloc(arena, (*count + 1) * sizeof *grown);
    if (*count)
        memcpy(grown, *items, *count * sizeof *grown);
    grown[*count].span = span;
    grown[*count].text = text;
    *items = grown;
    (*count)++;
}

void diag_secondary(DiagCtx *diag, Diagnostic *d, Span span, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const char *text = arena_vprintf(diag->arena, fmt, ap);
    va_end(ap);
    label_append(diag->arena, &d->secondary, &d->secondary_count, span, text);
}

void diag_note(DiagCtx *diag, Diagnostic *d, Span span, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const char *text = arena_vprintf(diag->arena, fmt, ap);
    va_end(ap);
    label_append(diag->arena, &d->notes, &d->note_count, span, text);
}

void diag_help(DiagCtx *diag, Diagnostic *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const char *text = arena_vprintf(diag->arena, fmt, ap);
    va_end(ap);
    d->help = d->help ? arena_printf(diag->arena, "%s\n%s", d->help, text) : text;
}

bool diag_has_errors(const DiagCtx *diag)
{
    return diag->errors > 0;
}

/* Insertion sort: stable, and the runs it sorts are short and nearly in order. */
void diag_sort_by_position(DiagCtx *diag, size_t first)
{
    for (size_t i = first + 1; i < diag->count; i++) {
        Diagnostic *d = diag->items[i];
        size_t j = i;
        while (j > first && diag->items[j - 1]->span.src == d->span.src &&
               diag->items[j - 1]->span.start > d->span.start) {
            diag->items[j] = diag->items[j - 1];
            j--;
        }
        diag->items[j] = d;
    }
}

/* ------------------------------------------------------------------ escaping */

/* One character of input as it is displayed: its bytes, how many of them, and how it
 * must be shown. A character that is not safe to print is shown as an escape. */
typedef struct Glyph {
    size_t bytes;               /* bytes consumed from the input */
    char shown[16];             /* what is printed */
    size_t width;               /* columns on screen */
} Glyph;

/* The code point of the valid UTF-8 sequence of N bytes at S. */
static uint32_t utf8_decode(const unsigned char *s, size_t n)
{
    static const unsigned char lead_mask[5] = {0, 0x7F, 0x1F, 0x0F, 0x07};
    uint32_t cp = s[0] & lead_mask[n];
    for (size_t i = 1; i < n; i++)
        cp = (cp << 6) | (s[i] & 0x3Fu);
    return cp;
}

/* Length of the well-formed UTF-8 sequence at S, 0 when ill-formed (lenient on
 * overlongs: source.c has already rejected them in files). */
static size_t utf8_len(const unsigned char *s, size_t avail)
{
    size_t n = s[0] < 0x80 ? 1 : s[0] >= 0xC2 && s[0] <= 0xDF ? 2
             : s[0] >= 0xE0 && s[0] <= 0xEF ? 3 : s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : 0;
    if (n == 0 || n > avail)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return n;
}

/* Code points that change how a terminal shows the text: C1 controls, the
 * bidirectional marks, overrides and isolates ("Trojan Source"), line and paragraph
 * separators, and a byte-order mark inside the text. */
static bool unsafe_code_point(uint32_t cp)
{
    return (cp >= 0x80 && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F ||
           cp == 0x2028 || cp == 0x2029 || cp == 0xFEFF;
}

/* Code points a terminal shows two columns wide (East Asian wide and fullwidth forms,
 * emoji) or zero wide (combining marks), so that carets line up under them. */
static const struct {
    uint32_t lo, hi;
    unsigned char width;
} wide_ranges[] = {
    {0x0300, 0x036F, 0},   {0x200B, 0x200D, 0},   {0xFE00, 0xFE0F, 0},   {0x1100, 0x115F, 2},
    {0x2E80, 0x303E, 2},   {0x3041, 0x33FF, 2},   {0x3400, 0x4DBF, 2},   {0x4E00, 0x9FFF, 2},
    {0xA000, 0xA4CF, 2},   {0xAC00, 0xD7A3, 2},   {0xF900, 0xFAFF, 2},   {0xFE30, 0xFE4F, 2},
    {0xFF00, 0xFF60, 2},   {0xFFE0, 0xFFE6, 2},   {0x1F300, 0x1F64F, 2}, {0x1F900, 0x1F9FF, 2},
    {0x20000, 0x3FFFD, 2},
};

static size_t code_point_width(uint32_t cp)
{
    for (size_t i = 0; i < sizeof wide_ranges / sizeof wide_ranges[0]; i++)
        if (cp >= wide_ranges[i].lo && cp <= wide_ranges[i].hi)
            return wide_ranges[i].width;
    return 1;
}

static Glyph glyph_at(const char *text, size_t avail, bool expand_tabs)
{
    const unsigned char *s = (const unsigned char *)text;
    Glyph g = {.bytes = 1, .width = 1};
    if (s[0] == '\t' && expand_tabs) {
        memcpy(g.shown, "    ", 5);
        g.width = 4;
        return g;
    }
    static const char *const named[] = {['\t'] = "\\t", ['\n'] = "\\n", ['\r'] = "\\r"};
    if (s[0] < 0x20 || s[0] == 0x7F) {
        if (s[0] < sizeof named / sizeof named[0] && named[s[0]])
            snprintf(g.shown, sizeof g.shown, "%s", named[s[0]]);
        else
            snprintf(g.shown, sizeof g.shown, "\\x%02x", s[0]);
        g.width = strlen(g.shown);
        return g;
    }
    size_t n = utf8_len(s, avail);
    if (n == 0) {
        snprintf(g.shown, sizeof g.shown, "\\x%02x", s[0]);
        g.width = strlen(g.shown);
        return g;
    }
    g.bytes = n;
    uint32_t cp = utf8_decode(s, n);
    if (unsafe_code_point(cp)) {
        snprintf(g.shown, sizeof g.shown, "\\u{%x}", (unsigned)cp);
        g.width = strlen(g.shown);
        return g;
    }
    memcpy(g.shown, text, n);
    g.shown[n] = '\0';
    g.width = code_point_width(cp);
    return g;
}

void diag_write_escaped(FILE *out, const char *text, size_t len)
{
    size_t i = 0;
    while (i < len) {
        Glyph g = glyph_at(text + i, len - i, false);
        fputs(g.shown, out);
        i += g.bytes;
    }
}

static void write_escaped_str(FILE *out, const char *text)
{
    if (text)
        diag_write_escaped(out, text, strlen(text));
}

/* ------------------------------------------------------------------ human renderer */

typedef enum Style { ST_PLAIN, ST_ERROR, ST_WARNING, ST_NOTE, ST_HELP, ST_GUTTER, ST_BOLD } Style;

static const char *const style_codes[] = {
    [ST_PLAIN] = "\033[0m",    [ST_ERROR] = "\033[1;31m", [ST_WARNING] = "\033[1;33m",
    [ST_NOTE] = "\033[1;32m",  [ST_HELP] = "\033[1;36m",  [ST_GUTTER] = "\033[1;34m",
    [ST_BOLD] = "\033[1m",
};

static const char *const severity_names[] = {
    [SEV_ERROR] = "error", [SEV_WARNING] = "warning", [SEV_NOTE] = "note",
};

const char *severity_word(Severity sev)
{
    return severity_names[sev];
}

static const Style severity_styles[] = {
    [SEV_ERROR] = ST_ERROR, [SEV_WARNING] = ST_WARNING, [SEV_NOTE] = ST_NOTE,
};

typedef struct Printer {
    FILE *out;
    bool color;
    int gutter;                 /* width of the line-number column */
    Style primary;              /* the severity's colour, for the `^` underline */
} Printer;

static void style(const Printer *p, Style s)
{
    if (p->color)
        fputs(style_codes[s], p->out);
}

static void spaces(FILE *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fputc(' ', out);
}

/* `   |` with nothing after it (no trailing space). */
static void gutter_blank(const Printer *p)
{
    spaces(p->out, (size_t)p->gutter + 1);
    style(p, ST_GUTTER);
    fputc('|', p->out);
    style(p, ST_PLAIN);
    fputc('\n', p->out);
}

static void gutter_empty(const Printer *p)
{
    spaces(p->out, (size_t)p->gutter + 1);
    style(p, ST_GUTTER);
    fputs("| ", p->out);
    style(p, ST_PLAIN);
}

static void gutter_line(const Printer *p, uint32_t line)
{
    style(p, ST_GUTTER);
    fprintf(p->out, "%*u | ", p->gutter, (unsigned)line);
    style(p, ST_PLAIN);
}

static int digits(uint32_t n)
{
    int d = 1;
    while (n >= 10) {
        n /= 10;
        d++;
    }
    return d;
}

/* One underlined span on one source line. */
typedef struct Mark {
    uint32_t line;
    uint32_t start, end;        /* byte offsets clipped to the line */
    bool primary;
    const char *label;
    size_t order;               /* position among the marks, for a stable sort */
} Mark;

static Mark mark_for(Span span, bool primary, const char *label, size_t order)
{
    uint32_t line, col;
    src_line_col(span.src, span.start, &line, &col);
    uint32_t len;
    const char *text = src_line_text(span.src, line, &len);
    uint32_t line_start = (uint32_t)(text - span.src->text);
    uint32_t start = span.start < line_start ? line_start : span.start;
    if (start > line_start + len)
        start = line_start + len;
    uint32_t end = span.end < start ? start : span.end;
    if (end > line_start + len)
        end = line_start + len;
    return (Mark){line, start, end, primary, label, order};
}

static int mark_cmp(const void *a, const void *b)
{
    const Mark *x = a, *y = b;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* The part of a source line that is shown: all of it, or for a long line a window
 * around the marks, cut at character boundaries and marked with `...`. */
typedef struct View {
    const char *text;           /* the line's first byte */
    uint32_t base;              /* the line's offset in the source */
    uint32_t start, end;        /* the shown bytes, offsets into the source */
    bool cut_left, cut_right;
} View;

enum { LONG_LINE = 160, CONTEXT = 60 };

/* Moves OFFSET by STEP (-1 or +1) until it is not inside a UTF-8 sequence of the line. */
static uint32_t char_boundary(const View *v, uint32_t offset, int step)
{
    while (offset > v->start && offset < v->end && ((unsigned char)v->text[offset - v->base] & 0xC0) == 0x80)
        offset = step < 0 ? offset - 1 : offset + 1;
    return offset;
}

static View view_for(const Source *src, const Mark *marks, size_t count)
{
    uint32_t len;
    View v = {0};
    v.text = src_line_text(src, marks[0].line, &len);
    v.base = (uint32_t)(v.text - src->text);
    v.start = v.base;
    v.end = v.base + len;
    if (len <= LONG_LINE)
        return v;
    uint32_t lo = marks[0].start, hi = marks[0].end;
    for (size_t i = 1; i < count; i++) {
        if (marks[i].start < lo)
            lo = marks[i].start;
        if (marks[i].end > hi)
            hi = marks[i].end;
    }
    if (hi - lo > LONG_LINE)
        hi = lo + LONG_LINE;
    uint32_t from = lo - v.base > CONTEXT ? lo - CONTEXT : v.base;
    uint32_t to = v.end - hi > CONTEXT ? hi + CONTEXT : v.end;
    View w = v;
    w.start = char_boundary(&v, from, -1);
    w.end = char_boundary(&v, to, +1);
    w.cut_left = w.start > v.start;
    w.cut_right = w.end < v.end;
    return w;
}

/* Prints the shown part of the line, tabs expanded and unsafe characters escaped. */
static void print_source_line(const Printer *p, const View *v, uint32_t line)
{
    gutter_line(p, line);
    if (v->cut_left)
        fputs("...", p->out);
    uint32_t i = v->start;
    while (i < v->end) {
        Glyph g = glyph_at(v->text + (i - v->base), v->end - i, true);
        fputs(g.shown, p->out);
        i += (uint32_t)g.bytes;
    }
    if (v->cut_right)
        fputs("...", p->out);
    fputc('\n', p->out);
}

/* Screen columns from the start of the view up to byte offset UNTIL. */
static size_t display_width(const View *v, uint32_t until)
{
    size_t width = v->cut_left ? 3 : 0;
    uint32_t i = v->start;
    if (until > v->end)
        until = v->end;
    while (i < until) {
        Glyph g = glyph_at(v->text + (i - v->base), v->end - i, true);
        width += g.width;
        i += (uint32_t)g.bytes;
    }
    return width;
}

static void print_underline(const Printer *p, const View *v, const Mark *m)
{
    uint32_t start = m->start < v->start ? v->start : m->start;
    size_t from = display_width(v, start);
    size_t to = display_width(v, m->end);
    size_t width = to > from ? to - from : 1;
    gutter_empty(p);
    spaces(p->out, from);
    style(p, m->primary ? p->primary : ST_GUTTER);
    for (size_t i = 0; i < width; i++)
        fputc(m->primary ? '^' : '-', p->out);
    if (m->label && *m->label) {
        fputc(' ', p->out);
        write_escaped_str(p->out, m->label);
    }
    style(p, ST_PLAIN);
    fputc('\n', p->out);
}

/* The source lines of MARKS (sorted), with `...` between lines that are not adjacent. */
static void print_snippet(const Printer *p, const Source *src, const Mark *marks, size_t count)
{
    gutter_blank(p);
    size_t i = 0;
    while (i < count) {
        size_t j = i;
        while (j < count && marks[j].line == marks[i].line)
            j++;
        if (i > 0 && marks[i].line > marks[i - 1].line + 1)
            fputs("...\n", p->out);
        View v = view_for(src, marks + i, j - i);
        print_source_line(p, &v, marks[i].line);
        for (size_t k = i; k < j; k++)
            print_underline(p, &v, &marks[k]);
        i = j;
    }
}

static void print_location(const Printer *p, const char *arrow, Span span)
{
    uint32_t line, col;
    src_line_col(span.src, span.start, &line, &col);
    spaces(p->out, (size_t)p->gutter);
    style(p, ST_GUTTER);
    fputs(arrow, p->out);
    style(p, ST_PLAIN);
    fputc(' ', p->out);
    write_escaped_str(p->out, span.src->name);
    fprintf(p->out, ":%u:%u\n", (unsigned)line, (unsigned)col);
}

static uint32_t span_line(Span span)
{
    uint32_t line, col;
    src_line_col(span.src, span.start, &line, &col);
    return line;
}

/* The widest line number the diagnostic will print decides the gutter. */
static int gutter_width(const Diagnostic *d)
{
    uint32_t max = 0;
    if (span_valid(d->span) && span_line(d->span) > max)
        max = span_line(d->span);
    for (size_t i = 0; i < d->secondary_count; i++)
        if (span_valid(d->secondary[i].span) && span_line(d->secondary[i].span) > max)
            max = span_line(d->secondary[i].span);
    for (size_t i = 0; i < d->note_count; i++)
        if (span_valid(d->notes[i].span) && span_line(d->notes[i].span) > max)
            max = span_line(d->notes[i].span);
    return max ? digits(max) : 1;
}

/* The primary span and the secondary spans of the same source, in file order; then
 * one block per other source that secondary spans point into. */
static void print_spans(const Printer *p, const Diagnostic *d)
{
    enum { FEW = 16 };
    Mark few_marks[FEW];
    bool few_done[FEW] = {false};
    size_t n = d->secondary_count + 1;
    Mark *marks = n <= FEW ? few_marks : oh_xmalloc(n * sizeof *marks);
    bool *done = n <= FEW ? few_done : calloc(n, sizeof *done);
    if (!done)
        BUG("out of memory rendering a diagnostic");
    const Source *src = d->span.src;
    const char *arrow = "-->";
    for (;;) {
        size_t count = 0;
        if (src == d->span.src && !done[0]) {
            marks[count++] = mark_for(d->span, true, d->label, 0);
            done[0] = true;
        }
        for (size_t i = 0; i < d->secondary_count; i++) {
            const DiagLabel *l = &d->secondary[i];
            if (!done[i + 1] && l->span.src == src) {
                marks[count++] = mark_for(l->span, false, l->text, i + 1);
                done[i + 1] = true;
            }
        }
        qsort(marks, count, sizeof *marks, mark_cmp);
        print_location(p, arrow, src == d->span.src ? d->span : (Span){src, marks[0].start, marks[0].end});
        print_snippet(p, src, marks, count);
        src = NULL;
        for (size_t i = 0; i < d->secondary_count && !src; i++)
            if (!done[i + 1] && span_valid(d->secondary[i].span))
                src = d->secondary[i].span.src;
        if (!src)
            break;
        arrow = ":::";
    }
    if (n > FEW) {
        free(marks);
        free(done);
    }
}

/* `note: text`, its location and the line it points at. */
static void print_spanned_note(const Printer *p, const DiagLabel *note)
{
    style(p, ST_NOTE);
    fputs("note", p->out);
    style(p, ST_PLAIN);
    style(p, ST_BOLD);
    fputs(": ", p->out);
    write_escaped_str(p->out, note->text);
    style(p, ST_PLAIN);
    fputc('\n', p->out);
    Mark m = mark_for(note->span, false, NULL, 0);
    print_location(p, "-->", note->span);
    print_snippet(p, note->span.src, &m, 1);
}

/* `= note: text` / `= help: text`; continuation lines line up under the text. */
static void print_trailer(const Printer *p, Style s, const char *kind, const char *text)
{
    size_t indent = (size_t)p->gutter + 1;
    spaces(p->out, indent);
    style(p, ST_BOLD);
    fputs("= ", p->out);
    style(p, s);
    fputs(kind, p->out);
    style(p, ST_PLAIN);
    fputs(": ", p->out);
    const char *line = text;
    for (;;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        diag_write_escaped(p->out, line, len);
        fputc('\n', p->out);
        if (!nl)
            break;
        line = nl + 1;
        spaces(p->out, indent + strlen(kind) + 4);
    }
}

static void render_human_one(FILE *out, bool color, const Diagnostic *d)
{
    Printer p = {out, color, gutter_width(d), severity_styles[d->severity]};
    style(&p, severity_styles[d->severity]);
    fputs(severity_names[d->severity], out);
    if (d->code)
        fprintf(out, "[%s]", d->code);
    style(&p, ST_PLAIN);
    style(&p, ST_BOLD);
    fputs(": ", out);
    write_escaped_str(out, d->message);
    style(&p, ST_PLAIN);
    fputc('\n', out);

    if (span_valid(d->span))
        print_spans(&p, d);

    bool trailers = d->help != NULL;
    for (size_t i = 0; i < d->note_count; i++)
        if (!span_valid(d->notes[i].span))
            trailers = true;
    if (trailers && span_valid(d->span))
        gutter_blank(&p);
    for (size_t i = 0; i < d->note_count; i++)
        if (!span_valid(d->notes[i].span))
            print_trailer(&p, ST_NOTE, "note", d->notes[i].text);
    if (d->help)
        print_trailer(&p, ST_HELP, "help", d->help);
    for (size_t i = 0; i < d->note_count; i++)
        if (span_valid(d->notes[i].span))
            print_spanned_note(&p, &d->notes[i]);
    fputc('\n', out);
}

/* ------------------------------------------------------------------ short renderer */

static void render_short_one(FILE *out, const Diagnostic *d)
{
    if (span_valid(d->span)) {
        uint32_t line, col;
        src_line_col(d->span.src, d->span.start, &line, &col);
        write_escaped_str(out, d->span.src->name);
        fprintf(out, ":%u:%u: ", (unsigned)line, (unsigned)col);
    } else {
        fputs("octohac: ", out);
    }
    fprintf(out, "%s: ", severity_names[d->severity]);
    write_escaped_str(out, d->message);
    if (d->code)
        fprintf(out, " [%s]", d->code);
    fputc('\n', out);
}

void diag_render(const DiagCtx *diag, const RenderOptions *opts, FILE *out)
{
    switch (opts->format) {
    case DF_HUMAN:
        for (size_t i = 0; i < diag->count; i++)
            render_human_one(out, opts->color, diag->items[i]);
        break;
    case DF_SHORT:
        for (size_t i = 0; i < diag->count; i++)
            render_short_one(out, diag->items[i]);
        break;
    case DF_JSON:
    case DF_SARIF:
    case DF_GITHUB:
    case DF_JUNIT:
        diag_render_machine(diag, opts, out);
        break;
    }
    fflush(out);
}
