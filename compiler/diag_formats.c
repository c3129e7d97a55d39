/* diag_formats.c: the machine-readable diagnostic formats of `check --format`:
 * json (versioned, docs/json-format.md), SARIF 2.1.0, GitHub workflow annotations and
 * JUnit XML. A report is built one file at a time and printed at the end, so callers
 * may free each file's arena as they go. The human and short renderers live in diag.c;
 * the "N errors" summary line is the CLI's. Columns count characters; end positions in
 * json and SARIF are exclusive (the character after the span), GitHub's are inclusive. */
#include "octohac.h"

#include <stdlib.h>
#include <string.h>

#define JSON_FORMAT_VERSION 1
#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"

static const char *const severity_words[] = {
    [SEV_ERROR] = "error", [SEV_WARNING] = "warning", [SEV_NOTE] = "note",
};
static const char *const github_commands[] = {
    [SEV_ERROR] = "error", [SEV_WARNING] = "warning", [SEV_NOTE] = "notice",
};

/* ------------------------------------------------------------------ text hygiene */

/* Length of the valid UTF-8 sequence at S (1-4), or 0 when it is invalid. */
static size_t utf8_seq(const unsigned char *s)
{
    if (s[0] < 0x80)
        return 1;
    size_t n = s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 && s[0] < 0xE0 ? 2 : 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if (n == 3 && ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] >= 0xA0)))
        return 0;
    if (n == 4 && ((s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] >= 0x90)))
        return 0;
    return n;
}

/* TEXT with every invalid UTF-8 byte replaced by U+FFFD, into B (cleared first). */
static const char *clean_utf8(StrBuf *b, const char *text)
{
    b->len = 0;
    strbuf_add(b, "", 0);
    for (const unsigned char *s = (const unsigned char *)text; *s;) {
        size_t n = utf8_seq(s);
        if (n == 0) {
            strbuf_puts(b, "\xEF\xBF\xBD");
            s++;
        } else {
            strbuf_add(b, (const char *)s, n);
            s += n;
        }
    }
    return b->data;
}

/* A cJSON string that is always valid UTF-8 (cJSON escapes the control characters). */
static cJSON *json_text(const char *text)
{
    if (!text)
        return cJSON_CreateNull();
    StrBuf b = { 0 };
    cJSON *s = cJSON_CreateString(clean_utf8(&b, text));
    free(b.data);
    return s;
}

/* ------------------------------------------------------------------ locations */

typedef struct Loc {
    bool valid;
    const char *file;
    uint32_t line, col;         /* 1-based start */
    uint32_t end_line, end_col; /* exclusive end */
} Loc;

static Loc span_loc(Span span)
{
    Loc loc = { 0 };
    if (!span_valid(span) || !span.src)
        return loc;
    loc.valid = true;
    loc.file = span.src->name;
    src_line_col(span.src, span.start, &loc.line, &loc.col);
    src_line_col(span.src, span.end > span.start ? span.end : span.start, &loc.end_line, &loc.end_col);
    return loc;
}

/* GitHub's end position is the last character itself. */
static void inclusive_end(Span span, const Loc *loc, uint32_t *line, uint32_t *col)
{
    *line = loc->end_line;
    *col = loc->end_col;
    if (span.end <= span.start)
        return;
    if (loc->end_col > 1)
        (*col)--;
    else
        src_line_col(span.src, span.end - 1, line, col);
}

static const char *diag_file(const Diagnostic *d, const char *root)
{
    return span_valid(d->span) && d->span.src ? d->span.src->name : root;
}

/* ------------------------------------------------------------------ the report */

struct MachineReport {
    DiagFormat format;
    FILE *out;
    size_t files, errors, warnings;
    cJSON *items;               /* json: diagnostics; sarif: results */
    cJSON *rules;               /* sarif: tool.driver.rules, in order of first use */
    StrBuf suites;              /* junit: the <testsuite> elements */
    size_t tests, failures, skipped; /* junit totals */
};

MachineReport *diag_machine_begin(DiagFormat format, FILE *out)
{
    MachineReport *r = oh_xmalloc(sizeof *r);
    memset(r, 0, sizeof *r);
    r->format = format;
    r->out = out;
    r->items = cJSON_CreateArray();
    r->rules = cJSON_CreateArray();
    return r;
}

/* ------------------------------------------------------------------ json */

static void json_add_position(cJSON *obj, const Loc *loc, bool with_end)
{
    if (loc->valid) {
        cJSON_AddNumberToObject(obj, "line", loc->line);
        cJSON_AddNumberToObject(obj, "column", loc->col);
    } else {
        cJSON_AddNullToObject(obj, "line");
        cJSON_AddNullToObject(obj, "column");
    }
    if (!with_end)
        return;
    if (loc->valid) {
        cJSON_AddNumberToObject(obj, "end_line", loc->end_line);
        cJSON_AddNumberToObject(obj, "end_column", loc->end_col);
    } else {
        cJSON_AddNullToObject(obj, "end_line");
        cJSON_AddNullToObject(obj, "end_column");
    }
}

static cJSON *json_note(const DiagLabel *label)
{
    Loc loc = span_loc(label->span);
    cJSON *note = cJSON_CreateObject();
    cJSON_AddItemToObject(note, "message", json_text(label->text ? label->text : ""));
    cJSON_AddItemToObject(note, "file", json_text(loc.valid ? loc.file : NULL));
    json_add_position(note, &loc, false);
    return note;
}

/* Secondary labelled spans come first in `notes`, then the notes themselves. */
static cJSON *json_diagnostic(const Diagnostic *d, const char *root)
{
    Loc loc = span_loc(d->span);
    cJSON *obj = cJSON_CreateObject();
    cJSON_AddItemToObject(obj, "code", json_text(d->code));
    cJSON_AddStringToObject(obj, "severity", severity_words[d->severity]);
    cJSON_AddItemToObject(obj, "message", json_text(d->message));
    cJSON_AddItemToObject(obj, "file", json_text(diag_file(d, root)));
    json_add_position(obj, &loc, true);
    cJSON_AddItemToObject(obj, "help", json_text(d->help));
    cJSON *notes = cJSON_AddArrayToObject(obj, "notes");
    for (size_t i = 0; i < d->secondary_count; i++)
        cJSON_AddItemToArray(notes, json_note(&d->secondary[i]));
    for (size_t i = 0; i < d->note_count; i++)
        cJSON_AddItemToArray(notes, json_note(&d->notes[i]));
    return obj;
}

static void json_add_file(MachineReport *r, const DiagCtx *diag, const char *file)
{
    for (size_t i = 0; i < diag->count; i++)
        cJSON_AddItemToArray(r->items, json_diagnostic(diag->items[i], file));
}

static cJSON *json_document(const MachineReport *r)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddNumberToObject(doc, "version", JSON_FORMAT_VERSION);
    cJSON_AddNumberToObject(doc, "files", (double)r->files);
    cJSON_AddNumberToObject(doc, "errors", (double)r->errors);
    cJSON_AddNumberToObject(doc, "warnings", (double)r->warnings);
    cJSON_AddItemReferenceToObject(doc, "diagnostics", r->items);
    return doc;
}

/* ------------------------------------------------------------------ sarif */

/* A relative path as a URI reference (RFC 3986); an absolute one as a file:// URI. */
static char *path_uri(const char *path)
{
    static const char hex[] = "0123456789ABCDEF";
    StrBuf b = { 0 };
    if (path[0] == '/')
        strbuf_puts(&b, "file://");
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~/", *p)) {
            strbuf_add(&b, (const char *)p, 1);
        } else {
            char esc[3] = { '%', hex[*p >> 4], hex[*p & 15] };
            strbuf_add(&b, esc, 3);
        }
    }
    if (!b.data)
        strbuf_add(&b, "", 0);
    return b.data;
}

static cJSON *sarif_message(const char *text)
{
    cJSON *m = cJSON_CreateObject();
    cJSON_AddItemToObject(m, "text", json_text(text ? text : ""));
    return m;
}

static cJSON *sarif_physical(Span span, const char *root)
{
    Loc loc = span_loc(span);
    cJSON *phys = cJSON_CreateObject();
    cJSON *art = cJSON_AddObjectToObject(phys, "artifactLocation");
    char *uri = path_uri(loc.valid ? loc.file : root);
    cJSON_AddItemToObject(art, "uri", json_text(uri));
    free(uri);
    if (loc.valid) {
        cJSON *region = cJSON_AddObjectToObject(phys, "region");
        cJSON_AddNumberToObject(region, "startLine", loc.line);
        cJSON_AddNumberToObject(region, "startColumn", loc.col);
        cJSON_AddNumberToObject(region, "endLine", loc.end_line);
        cJSON_AddNumberToObject(region, "endColumn", loc.end_col);
    }
    return phys;
}

/* The explain text of CODE: why, then the example. */
static char *explain_text(const RuleInfo *info)
{
    StrBuf b = { 0 };
    strbuf_puts(&b, info->why ? info->why : info->title);
    if (info->wrong)
        strbuf_printf(&b, "\n\nThis is reported:\n%s", info->wrong);
    if (info->right)
        strbuf_printf(&b, "\n\nThis is accepted:\n%s", info->right);
    return b.data;
}

static cJSON *sarif_rule(const char *code, Severity sev)
{
    const RuleInfo *info = rule_info(code);
    cJSON *rule = cJSON_CreateObject();
    cJSON_AddStringToObject(rule, "id", code);
    cJSON_AddItemToObject(rule, "shortDescription", sarif_message(info ? info->title : code));
    if (info) {
        char *full = explain_text(info);
        cJSON_AddItemToObject(rule, "fullDescription", sarif_message(full));
        cJSON_AddItemToObject(rule, "help", sarif_message(full));
        free(full);
    }
    cJSON *config = cJSON_AddObjectToObject(rule, "defaultConfiguration");
    cJSON_AddStringToObject(config, "level", severity_words[info ? info->severity : sev]);
    return rule;
}

/* The index of CODE in tool.driver.rules, adding its row on first use. */
static int sarif_rule_index(MachineReport *r, const char *code, Severity sev)
{
    int n = cJSON_GetArraySize(r->rules);
    for (int i = 0; i < n; i++)
        if (strcmp(cJSON_GetObjectItem(cJSON_GetArrayItem(r->rules, i), "id")->valuestring, code) == 0)
            return i;
    cJSON_AddItemToArray(r->rules, sarif_rule(code, sev));
    return n;
}

static char *message_with_help(const Diagnostic *d)
{
    StrBuf b = { 0 };
    strbuf_puts(&b, d->message ? d->message : "");
    if (d->help)
        strbuf_printf(&b, "\nhelp: %s", d->help);
    return b.data;
}

/* Secondary spans and located notes become relatedLocations. */
static void sarif_related(cJSON *result, const Diagnostic *d, const char *root)
{
    if (d->secondary_count == 0 && d->note_count == 0)
        return;
    cJSON *related = cJSON_AddArrayToObject(result, "relatedLocations");
    int id = 1;
    for (size_t i = 0; i < d->secondary_count + d->note_count; i++) {
        const DiagLabel *l = i < d->secondary_count ? &d->secondary[i] : &d->notes[i - d->secondary_count];
        if (!span_valid(l->span))
            continue;
        cJSON *loc = cJSON_CreateObject();
        cJSON_AddNumberToObject(loc, "id", id++);
        cJSON_AddItemToObject(loc, "physicalLocation", sarif_physical(l->span, root));
        cJSON_AddItemToObject(loc, "message", sarif_message(l->text));
        cJSON_AddItemToArray(related, loc);
    }
}

static cJSON *sarif_result(MachineReport *r, const Diagnostic *d, const char *root)
{
    cJSON *res = cJSON_CreateObject();
    if (d->code) {
        cJSON_AddStringToObject(res, "ruleId", d->code);
        cJSON_AddNumberToObject(res, "ruleIndex", sarif_rule_index(r, d->code, d->severity));
    }
    cJSON_AddStringToObject(res, "level", severity_words[d->severity]);
    char *text = message_with_help(d);
    cJSON_AddItemToObject(res, "message", sarif_message(text));
    free(text);
    cJSON *locations = cJSON_AddArrayToObject(res, "locations");
    cJSON *loc = cJSON_CreateObject();
    cJSON_AddItemToObject(loc, "physicalLocation", sarif_physical(d->span, root));
    cJSON_AddItemToArray(locations, loc);
    sarif_related(res, d, root);
    if (d->cluster) {
        cJSON *props = cJSON_AddObjectToObject(res, "properties");
        cJSON_AddItemToObject(props, "cluster", json_text(d->cluster));
    }
    return res;
}

static void sarif_add_file(MachineReport *r, const DiagCtx *diag, const char *file)
{
    for (size_t i = 0; i < diag->count; i++)
        cJSON_AddItemToArray(r->items, sarif_result(r, diag->items[i], file));
}

static cJSON *sarif_document(const MachineReport *r)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "$schema", SARIF_SCHEMA);
    cJSON_AddStringToObject(doc, "version", "2.1.0");
    cJSON *runs = cJSON_AddArrayToObject(doc, "runs");
    cJSON *run = cJSON_CreateObject();
    cJSON_AddItemToArray(runs, run);
    cJSON *driver = cJSON_AddObjectToObject(cJSON_AddObjectToObject(run, "tool"), "driver");
    cJSON_AddStringToObject(driver, "name", "octohac");
    cJSON_AddStringToObject(driver, "version", OCTOHAC_VERSION);
    cJSON_AddStringToObject(driver, "semanticVersion", OCTOHAC_VERSION);
    cJSON_AddItemReferenceToObject(driver, "rules", r->rules);
    cJSON_AddItemReferenceToObject(run, "results", r->items);
    cJSON_AddStringToObject(run, "columnKind", "unicodeCodePoints");
    return doc;
}

/* ------------------------------------------------------------------ github */

/* GitHub's workflow-command escaping: data escapes % CR LF; properties also : and ,. */
static void github_escape(FILE *out, const char *text, bool property)
{
    StrBuf b = { 0 };
    for (const char *p = clean_utf8(&b, text ? text : ""); *p; p++) {
        switch (*p) {
        case '%': fputs("%25", out); break;
        case '\r': fputs("%0D", out); break;
        case '\n': fputs("%0A", out); break;
        case ':': fputs(property ? "%3A" : ":", out); break;
        case ',': fputs(property ? "%2C" : ",", out); break;
        default: fputc(*p, out); break;
        }
    }
    free(b.data);
}

static void github_one(FILE *out, const Diagnostic *d, const char *root)
{
    Loc loc = span_loc(d->span);
    fprintf(out, "::%s file=", github_commands[d->severity]);
    github_escape(out, diag_file(d, root), true);
    if (loc.valid) {
        uint32_t end_line, end_col;
        inclusive_end(d->span, &loc, &end_line, &end_col);
        fprintf(out, ",line=%u,col=%u,endLine=%u,endColumn=%u", (unsigned)loc.line, (unsigned)loc.col,
                (unsigned)end_line, (unsigned)end_col);
    }
    if (d->code) {
        fputs(",title=", out);
        github_escape(out, d->code, true);
    }
    fputs("::", out);
    char *text = message_with_help(d);
    github_escape(out, text, false);
    free(text);
    fputc('\n', out);
}

static void github_add_file(MachineReport *r, const DiagCtx *diag, const char *file)
{
    for (size_t i = 0; i < diag->count; i++)
        github_one(r->out, diag->items[i], file);
}

/* ------------------------------------------------------------------ junit */

/* XML 1.0 text: the five entities escaped; control characters XML cannot carry as \xNN. */
static void xml_escape(StrBuf *b, const char *text)
{
    StrBuf clean = { 0 };
    for (const char *p = clean_utf8(&clean, text ? text : ""); *p; p++) {
        unsigned char c = (unsigned char)*p;
        switch (c) {
        case '&': strbuf_puts(b, "&amp;"); break;
        case '<': strbuf_puts(b, "&lt;"); break;
        case '>': strbuf_puts(b, "&gt;"); break;
        case '"': strbuf_puts(b, "&quot;"); break;
        case '\'': strbuf_puts(b, "&apos;"); break;
        default:
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
                strbuf_printf(b, "\\x%02X", c);
            else
                strbuf_add(b, p, 1);
        }
    }
    free(clean.data);
}

/* "file:line:col: severity[CODE]: message" (plus the help), for failure bodies and system-out. */
static void junit_line(StrBuf *b, const Diagnostic *d, const char *root)
{
    Loc loc = span_loc(d->span);
    StrBuf text = { 0 };
    if (loc.valid)
        strbuf_printf(&text, "%s:%u:%u: ", loc.file, (unsigned)loc.line, (unsigned)loc.col);
    else
        strbuf_printf(&text, "%s: ", root);
    strbuf_printf(&text, "%s[%s]: %s\n", severity_words[d->severity], d->code ? d->code : "", d->message);
    if (d->help)
        strbuf_printf(&text, "  help: %s\n", d->help);
    xml_escape(b, text.data);
    free(text.data);
}

static bool belongs_to(const Diagnostic *d, const char *cluster)
{
    if (!cluster)
        return d->cluster == NULL;
    return d->cluster && strcmp(d->cluster, cluster) == 0;
}

/* One <testcase>: its errors as <failure>s carrying code, line and column; warnings
 * and notes in <system-out>; <skipped> when SKIPPED. Returns the number of failures. */
static size_t junit_case(StrBuf *b, const DiagCtx *diag, const char *file, const char *cluster,
                         const char *name, bool skipped)
{
    size_t failures = 0;
    StrBuf out = { 0 };
    strbuf_puts(b, "    <testcase name=\"");
    xml_escape(b, name);
    strbuf_puts(b, "\" classname=\"");
    xml_escape(b, file);
    strbuf_puts(b, "\">\n");
    if (skipped)
        strbuf_puts(b, "      <skipped message=\"not checked: the file has errors\"/>\n");
    for (size_t i = 0; i < diag->count; i++) {
        const Diagnostic *d = diag->items[i];
        if (!belongs_to(d, cluster))
            continue;
        if (d->severity != SEV_ERROR) {
            junit_line(&out, d, file);
            continue;
        }
        Loc loc = span_loc(d->span);
        strbuf_puts(b, "      <failure type=\"");
        xml_escape(b, d->code ? d->code : "");
        strbuf_puts(b, "\" message=\"");
        xml_escape(b, d->message);
        strbuf_printf(b, "\" file=\"");
        xml_escape(b, diag_file(d, file));
        strbuf_printf(b, "\" line=\"%u\" column=\"%u\">", (unsigned)loc.line, (unsigned)loc.col);
        junit_line(b, d, file);
        strbuf_puts(b, "</failure>\n");
        failures++;
    }
    if (out.data) {
        strbuf_puts(b, "      <system-out>");
        strbuf_puts(b, out.data);
        strbuf_puts(b, "</system-out>\n");
    }
    free(out.data);
    strbuf_puts(b, "    </testcase>\n");
    return failures;
}

/* How many diagnostics of SEVERITY (or of any severity, when ANY) belong to no cluster. */
static size_t file_level(const DiagCtx *diag, bool any, Severity severity)
{
    size_t n = 0;
    for (size_t i = 0; i < diag->count; i++)
        n += !diag->items[i]->cluster && (any || diag->items[i]->severity == severity);
    return n;
}

/* One <testsuite> per file, one <testcase> per cluster, plus a "(file)" case for
 * diagnostics that belong to no cluster (syntax, imports) or a file without clusters.
 * When the file itself has errors its clusters were never checked: they are skipped. */
static void junit_add_file(MachineReport *r, const DiagCtx *diag, const char *file, const char *const *clusters)
{
    StrBuf cases = { 0 };
    size_t tests = 0, failures = 0, skipped = 0;
    size_t ncl = 0;
    while (clusters && clusters[ncl])
        ncl++;
    bool file_errors = file_level(diag, false, SEV_ERROR) > 0;
    if (ncl == 0 || file_level(diag, true, SEV_ERROR) > 0) {
        failures += junit_case(&cases, diag, file, NULL, "(file)", false);
        tests++;
    }
    for (size_t i = 0; i < ncl; i++) {
        failures += junit_case(&cases, diag, file, clusters[i], clusters[i], file_errors);
        skipped += file_errors;
        tests++;
    }
    strbuf_puts(&r->suites, "  <testsuite name=\"");
    xml_escape(&r->suites, file);
    strbuf_printf(&r->suites, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\">\n", tests,
              failures, skipped);
    if (cases.data)
        strbuf_puts(&r->suites, cases.data);
    strbuf_puts(&r->suites, "  </testsuite>\n");
    free(cases.data);
    r->tests += tests;
    r->failures += failures;
    r->skipped += skipped;
}

/* ------------------------------------------------------------------ adding and printing */

void diag_machine_add(MachineReport *r, const DiagCtx *diag, const char *file, const char *const *clusters)
{
    r->files++;
    r->errors += diag->errors;
    r->warnings += diag->warnings;
    switch (r->format) {
    case DF_JSON: json_add_file(r, diag, file); break;
    case DF_SARIF: sarif_add_file(r, diag, file); break;
    case DF_GITHUB: github_add_file(r, diag, file); break;
    case DF_JUNIT: junit_add_file(r, diag, file, clusters); break;
    case DF_HUMAN:
    case DF_SHORT: BUG("format %d is not a machine format", (int)r->format);
    }
}

/* Printed by the template's JSON printer: two-space indent, keys in order. */
static void print_json(FILE *out, cJSON *doc)
{
    size_t len = 0;
    char *text = emit_json(doc, &len);
    fwrite(text, 1, len, out);
    free(text);
    cJSON_Delete(doc);
}

void diag_machine_finish(MachineReport *r)
{
    switch (r->format) {
    case DF_JSON: print_json(r->out, json_document(r)); break;
    case DF_SARIF: print_json(r->out, sarif_document(r)); break;
    case DF_JUNIT:
        fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", r->out);
        fprintf(r->out, "<testsuites name=\"octohac\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\">\n",
                r->tests, r->failures, r->skipped);
        if (r->suites.data)
            fputs(r->suites.data, r->out);
        fputs("</testsuites>\n", r->out);
        break;
    case DF_GITHUB:
    case DF_HUMAN:
    case DF_SHORT: break;
    }
    fflush(r->out);
    cJSON_Delete(r->items);
    cJSON_Delete(r->rules);
    free(r->suites.data);
    free(r);
}

/* ------------------------------------------------------------------ one-shot rendering */

/* The diagnostics of one file group: those whose primary span is in FILE (or, for the
 * first group, those without a span). */
static DiagCtx subset_for(const DiagCtx *diag, const char *file, bool take_unplaced, Diagnostic **buf)
{
    DiagCtx sub = { .arena = diag->arena, .items = buf };
    for (size_t i = 0; i < diag->count; i++) {
        const Diagnostic *d = diag->items[i];
        bool placed = span_valid(d->span) && d->span.src;
        if (placed ? strcmp(d->span.src->name, file) != 0 : !take_unplaced)
            continue;
        sub.items[sub.count++] = diag->items[i];
        sub.errors += d->severity == SEV_ERROR;
        sub.warnings += d->severity == SEV_WARNING;
    }
    return sub;
}

static bool seen_file(const char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return true;
    return false;
}

/* For callers with one DiagCtx for everything: groups the diagnostics by the file of
 * their primary span, in the order of OPTS->files, then of first appearance. */
void diag_render_machine(const DiagCtx *diag, const RenderOptions *opts, FILE *out)
{
    size_t nfiles = opts->files ? opts->file_count : 0;
    const char **names = oh_xmalloc((nfiles + diag->count + 1) * sizeof *names);
    size_t n = 0;
    for (size_t i = 0; i < nfiles; i++)
        names[n++] = opts->files[i];
    for (size_t i = 0; i < diag->count; i++) {
        const Diagnostic *d = diag->items[i];
        if (span_valid(d->span) && d->span.src && !seen_file(names, n, d->span.src->name))
            names[n++] = d->span.src->name;
    }
    if (n == 0 && diag->count > 0)
        names[n++] = "<input>";
    Diagnostic **buf = oh_xmalloc((diag->count + 1) * sizeof *buf);
    MachineReport *r = diag_machine_begin(opts->format, out);
    for (size_t i = 0; i < n; i++) {
        DiagCtx sub = subset_for(diag, names[i], i == 0, buf);
        const char *const *clusters = i < nfiles && opts->clusters_per_file ? opts->clusters_per_file[i] : NULL;
        diag_machine_add(r, &sub, names[i], clusters);
    }
    diag_machine_finish(r);
    free(buf);
    free(names);
}
