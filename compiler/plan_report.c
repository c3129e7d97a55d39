/* plan_report.c: prints a Plan (plan.c) as text for a terminal, as the versioned JSON
 * document of docs/plan.md, or as Markdown for a pull-request comment. Only resources that
 * change are listed; the findings are the plan's diagnostics (OH6001-OH6008). */
#include "plan.h"

#include <stdlib.h>
#include <string.h>

#define PLAN_JSON_VERSION 1

static const char *const action_colors[PA__COUNT] = {
    [PA_NONE] = "", [PA_UPDATE] = "\033[33m", [PA_INTERRUPT] = "\033[33;1m",
    [PA_MAY_REPLACE] = "\033[31m", [PA_REPLACE] = "\033[31;1m", [PA_ADD] = "\033[32m", [PA_REMOVE] = "\033[31;1m",
};

/* The summary in the order an operator reads it: what is created, changed, destroyed. */
static const PlanAction summary_order[] = { PA_ADD, PA_UPDATE, PA_INTERRUPT, PA_MAY_REPLACE, PA_REPLACE, PA_REMOVE };
static const char *const summary_words[PA__COUNT] = {
    [PA_ADD] = "to add", [PA_UPDATE] = "to update", [PA_INTERRUPT] = "to update with interruption",
    [PA_MAY_REPLACE] = "may be replaced", [PA_REPLACE] = "to replace", [PA_REMOVE] = "to remove",
};

static size_t changed_count(const Plan *plan)
{
    return plan->count - plan->totals[PA_NONE];
}

static void print_summary(const Plan *plan, FILE *out)
{
    for (size_t i = 0; i < sizeof summary_order / sizeof *summary_order; i++)
        fprintf(out, "%s%zu %s", i ? ", " : "", plan->totals[summary_order[i]], summary_words[summary_order[i]]);
}

static void print_change_cause(const PlanChange *c, FILE *out)
{
    if (c->cause)
        fprintf(out, " (`%s` is replaced)", c->cause);
}

/* ---------------------------------------------------------------- human */

/* TEXT from a template (an id, a type, a key) with its control characters as \xNN: a
 * hand-written template must not move the cursor or recolour the terminal. */
static void human_text(const char *text, FILE *out)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p < 0x20 || *p == 0x7F)
            fprintf(out, "\\x%02X", *p);
        else
            fputc(*p, out);
    }
}

/* TEXT between OPEN and CLOSE, TEXT made safe for the terminal. */
static void human_aside(const char *open, const char *text, const char *close, FILE *out)
{
    fputs(open, out);
    human_text(text, out);
    fputs(close, out);
}

static void human_resource(const PlanResource *res, bool color, FILE *out)
{
    const char *on = color ? action_colors[res->action] : "", *off = color ? "\033[0m" : "";
    fprintf(out, "%s%3s ", on, plan_action_symbol[res->action]);
    human_text(res->id, out);
    fprintf(out, "%s  ", off);
    human_text(res->type ? res->type : "?", out);
    fprintf(out, "  %s", plan_action_words[res->action]);
    if (res->source)
        human_aside("  (", res->source, ")", out);
    fputc('\n', out);
    for (size_t i = 0; i < res->changes.count; i++) {
        const PlanChange *c = res->changes.items[i];
        human_aside("      ", c->path, ": ", out);
        fputs(plan_action_words[c->effect], out);
        if (c->cause)
            human_aside(" (`", c->cause, "` is replaced)", out);
        fputc('\n', out);
    }
}

static void report_human(const Plan *plan, bool color, FILE *out)
{
    fprintf(out, "octohac plan: %s -> %s\n\n", plan->old_side->path, plan->new_side->path);
    if (!changed_count(plan)) {
        fputs("No changes: deploying the new template changes no resource.\n", out);
    } else {
        for (size_t i = 0; i < plan->count; i++)
            if (plan->resources[i]->action != PA_NONE)
                human_resource(plan->resources[i], color, out);
        fputs("\nPlan: ", out);
        print_summary(plan, out);
        fputs(".\n", out);
    }
    if (plan->diag.count) {
        fputc('\n', out);
        RenderOptions opts = { .format = DF_HUMAN, .color = color, .file_count = 1 };
        diag_render(&plan->diag, &opts, out);
        fprintf(out, "%zu error%s, %zu warning%s\n", plan->diag.errors, plan->diag.errors == 1 ? "" : "s",
                plan->diag.warnings, plan->diag.warnings == 1 ? "" : "s");
    }
}

/* ---------------------------------------------------------------- json */

static cJSON *json_location(Span span)
{
    if (!span_valid(span))
        return cJSON_CreateNull();
    uint32_t line, col;
    src_line_col(span.src, span.start, &line, &col);
    cJSON *loc = cJSON_CreateObject();
    cJSON_AddStringToObject(loc, "file", span.src->name);
    cJSON_AddNumberToObject(loc, "line", line);
    cJSON_AddNumberToObject(loc, "column", col);
    return loc;
}

static cJSON *json_resource(const PlanResource *res)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "id", res->id);
    cJSON_AddItemToObject(r, "type", res->type ? cJSON_CreateString(res->type) : cJSON_CreateNull());
    cJSON_AddStringToObject(r, "action", plan_action_json[res->action]);
    cJSON_AddItemToObject(r, "source", res->source ? cJSON_CreateString(res->source) : cJSON_CreateNull());
    cJSON *changes = cJSON_AddArrayToObject(r, "changes");
    for (size_t i = 0; i < res->changes.count; i++) {
        const PlanChange *c = res->changes.items[i];
        cJSON *change = cJSON_CreateObject();
        cJSON_AddStringToObject(change, "path", c->path);
        cJSON_AddStringToObject(change, "effect", plan_action_json[c->effect]);
        cJSON_AddItemToObject(change, "because_replaced", c->cause ? cJSON_CreateString(c->cause) : cJSON_CreateNull());
        cJSON_AddItemToArray(changes, change);
    }
    return r;
}

static cJSON *json_finding(const Diagnostic *d)
{
    cJSON *f = cJSON_CreateObject();
    cJSON_AddStringToObject(f, "code", d->code);
    cJSON_AddStringToObject(f, "severity", severity_word(d->severity));
    cJSON_AddStringToObject(f, "message", d->message);
    cJSON_AddItemToObject(f, "location", json_location(d->span));
    cJSON *notes = cJSON_AddArrayToObject(f, "notes");
    for (size_t i = 0; i < d->note_count; i++)
        cJSON_AddItemToArray(notes, cJSON_CreateString(d->notes[i].text));
    cJSON_AddItemToObject(f, "help", d->help ? cJSON_CreateString(d->help) : cJSON_CreateNull());
    return f;
}

static void report_json(const Plan *plan, FILE *out)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddNumberToObject(doc, "version", PLAN_JSON_VERSION);
    cJSON_AddStringToObject(doc, "tool", "octohac " OCTOHAC_VERSION);
    cJSON_AddStringToObject(doc, "old", plan->old_side->path);
    cJSON_AddStringToObject(doc, "new", plan->new_side->path);
    cJSON *summary = cJSON_AddObjectToObject(doc, "summary");
    for (size_t i = 0; i < sizeof summary_order / sizeof *summary_order; i++)
        cJSON_AddNumberToObject(summary, plan_action_json[summary_order[i]], (double)plan->totals[summary_order[i]]);
    cJSON_AddNumberToObject(summary, "errors", (double)plan->diag.errors);
    cJSON_AddNumberToObject(summary, "warnings", (double)plan->diag.warnings);
    cJSON *resources = cJSON_AddArrayToObject(doc, "resources");
    for (size_t i = 0; i < plan->count; i++)
        if (plan->resources[i]->action != PA_NONE)
            cJSON_AddItemToArray(resources, json_resource(plan->resources[i]));
    cJSON *findings = cJSON_AddArrayToObject(doc, "findings");
    for (size_t i = 0; i < plan->diag.count; i++)
        cJSON_AddItemToArray(findings, json_finding(plan->diag.items[i]));
    char *text = cJSON_Print(doc);
    fprintf(out, "%s\n", text);
    cJSON_free(text);
    json_delete(doc);
}

/* ---------------------------------------------------------------- markdown */

/* Table cells: a `|` would end the cell and a newline the row. */
static void md_cell(const char *text, FILE *out)
{
    for (const char *p = text; *p; p++) {
        if (*p == '|')
            fputs("\\|", out);
        else
            fputc(*p == '\n' ? ' ' : *p, out);
    }
}

static void md_resource(const PlanResource *res, FILE *out)
{
    fprintf(out, "| %s | `", plan_action_words[res->action]);
    md_cell(res->id, out);      /* a hand-written template's id or type may hold a `|` too */
    fputs("` | `", out);
    md_cell(res->type ? res->type : "?", out);
    fputs("` | ", out);
    for (size_t i = 0; i < res->changes.count; i++) {
        const PlanChange *c = res->changes.items[i];
        fputs(i ? "<br>" : "", out);
        fputc('`', out);
        md_cell(c->path, out);
        fprintf(out, "`: %s", plan_action_words[c->effect]);
        print_change_cause(c, out);
    }
    fputs(" |\n", out);
}

static void md_finding(const Diagnostic *d, FILE *out)
{
    fprintf(out, "- **%s %s**", severity_word(d->severity), d->code);
    if (span_valid(d->span)) {
        uint32_t line, col;
        src_line_col(d->span.src, d->span.start, &line, &col);
        fprintf(out, " at `%s:%u:%u`", d->span.src->name, line, col);
    }
    fprintf(out, ": %s\n", d->message);
    for (size_t i = 0; i < d->note_count; i++)
        fprintf(out, "  - %s\n", d->notes[i].text);
    if (d->help)
        fprintf(out, "  - help: %s\n", d->help);
}

static void report_markdown(const Plan *plan, FILE *out)
{
    fprintf(out, "### octohac plan: `%s` → `%s`\n\n", plan->old_side->path, plan->new_side->path);
    if (!changed_count(plan)) {
        fputs("No changes: deploying the new template changes no resource.\n", out);
    } else {
        fputs("**", out);
        print_summary(plan, out);
        fputs("**\n\n| action | resource | type | what changes |\n|---|---|---|---|\n", out);
        for (size_t i = 0; i < plan->count; i++)
            if (plan->resources[i]->action != PA_NONE)
                md_resource(plan->resources[i], out);
    }
    if (plan->diag.count) {
        fprintf(out, "\n#### %zu error%s, %zu warning%s\n\n", plan->diag.errors, plan->diag.errors == 1 ? "" : "s",
                plan->diag.warnings, plan->diag.warnings == 1 ? "" : "s");
        for (size_t i = 0; i < plan->diag.count; i++)
            md_finding(plan->diag.items[i], out);
    }
}

void plan_report(const Plan *plan, PlanFormat format, bool color, FILE *out)
{
    switch (format) {
    case PF_HUMAN:
        report_human(plan, color, out);
        break;
    case PF_JSON:
        report_json(plan, out);
        break;
    case PF_MARKDOWN:
        report_markdown(plan, out);
        break;
    }
}
