/* plan.c: `octohac plan OLD NEW` (docs/plan.md). It loads both sides (a .oha file built in
 * memory by the caller's PlanBuildFn, or a template read by plan_template.c), compares them
 * resource by resource and property by property, and classifies each difference with the
 * update-behaviour table schema/update-behaviour.json (generated from the AWS provider
 * schemas by schema/update/generate.py). A replacement changes the resource's physical id,
 * so it propagates through Ref, Fn::GetAtt and Fn::Sub to the properties that use it, until
 * nothing more changes. Then the finding rows below (OH6001-OH6011) look at the result: data
 * that would be lost, outages, updates that will fail. It prints nothing itself except
 * through plan_report (plan_report.c). */
#include "plan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define X(id, json, symbol, words) [id] = json,
const char *const plan_action_json[] = { PLAN_ACTIONS(X) };
#undef X
#define X(id, json, symbol, words) [id] = symbol,
const char *const plan_action_symbol[] = { PLAN_ACTIONS(X) };
#undef X
#define X(id, json, symbol, words) [id] = words,
const char *const plan_action_words[] = { PLAN_ACTIONS(X) };
#undef X

/* ---------------------------------------------------------------- the update-behaviour table */

#define BEHAVIOUR_TABLE "schema/update-behaviour.json"

static const cJSON *behaviour_types(void)
{
    static cJSON *table;
    if (!table) {
        const EmbeddedFile *file = embed_find(BEHAVIOUR_TABLE);
        if (!file || !(table = json_parse_lasting(file->data, file->size)))
            BUG("embedded table `%s` is missing or not JSON", BEHAVIOUR_TABLE);
    }
    return cJSON_GetObjectItemCaseSensitive(table, "types");
}

static PlanAction level_action(const char *level)
{
    if (!strcmp(level, "replace"))
        return PA_REPLACE;
    if (!strcmp(level, "conditional"))
        return PA_MAY_REPLACE;
    if (!strcmp(level, "some"))
        return PA_INTERRUPT;
    BUG("unknown update level `%s` in %s", level, BEHAVIOUR_TABLE);
}

/* ---------------------------------------------------------------- comparing values */

/* The diff state of one resource. */
typedef struct Differ {
    Plan *plan;
    PlanResource *res;
    const cJSON *behaviour;     /* the type's row, NULL for a type octohac does not emit */
    const cJSON *old_props, *new_props;
} Differ;

static bool is_replaced(const Plan *plan, const char *id)
{
    for (size_t i = 0; i < plan->count; i++)
        if (plan->resources[i]->action == PA_REPLACE && plan->resources[i]->old_res &&
            !strcmp(plan->resources[i]->id, id))
            return true;
    return false;
}

/* The replaced resource a `${Name}` or `${Name.Attr}` of a Fn::Sub string names, or NULL. */
static const char *sub_replaced(const Plan *plan, const char *text)
{
    for (const char *p = strstr(text, "${"); p; p = strstr(p + 2, "${")) {
        if (p[2] == '!')
            continue;
        size_t len = strcspn(p + 2, ".}");
        char name[256];
        if (len == 0 || len >= sizeof name)
            continue;
        memcpy(name, p + 2, len);
        name[len] = '\0';
        if (is_replaced(plan, name))
            return arena_strdup(plan->arena, name);
    }
    return NULL;
}

/* When NODE is a Ref, Fn::GetAtt or Fn::Sub whose target is replaced: that target's id. */
static const char *replaced_target(const Plan *plan, const cJSON *node)
{
    if (!cJSON_IsObject(node) || !node->child || node->child->next)
        return NULL;
    const cJSON *arg = node->child;
    const char *key = arg->string;
    if (!strcmp(key, "Ref") && cJSON_IsString(arg))
        return is_replaced(plan, arg->valuestring) ? arg->valuestring : NULL;
    if (!strcmp(key, "Fn::GetAtt")) {
        const cJSON *target = cJSON_IsArray(arg) ? arg->child : NULL;
        return target && cJSON_IsString(target) && is_replaced(plan, target->valuestring) ? target->valuestring : NULL;
    }
    if (!strcmp(key, "Fn::Sub")) {
        const cJSON *text = cJSON_IsArray(arg) ? arg->child : arg;
        return cJSON_IsString(text) ? sub_replaced(plan, text->valuestring) : NULL;
    }
    return NULL;
}

/* Scalars compare by their text, as CloudFormation does: 443 and "443", true and "true". */
static const char *scalar_text(const cJSON *v, char *buf, size_t size)
{
    if (cJSON_IsString(v))
        return v->valuestring;
    if (cJSON_IsBool(v))
        return cJSON_IsTrue(v) ? "true" : "false";
    if (cJSON_IsNumber(v)) {
        snprintf(buf, size, "%.17g", v->valuedouble);
        return buf;
    }
    return NULL;
}

static bool scalars_equal(const cJSON *a, const cJSON *b)
{
    char ba[64], bb[64];
    const char *ta = scalar_text(a, ba, sizeof ba), *tb = scalar_text(b, bb, sizeof bb);
    if (ta && tb)
        return !strcmp(ta, tb);
    return (a->type & 0xFF) == (b->type & 0xFF);   /* null with null; containers never reach here */
}

/* Where a difference is: as shown ("Properties.Tags[2].Value"), and in the update table's
 * form, the property names and a list index as "*" joined by slashes. Built only on the way
 * down to a difference. */
typedef struct Path {
    const char *text;
    const char *schema;
} Path;

static Path path_key(Arena *arena, const Path *in, const char *key)
{
    return (Path){ arena_printf(arena, "%s.%s", in->text, key),
                   arena_printf(arena, "%s%s%s", in->schema, in->schema[0] ? "/" : "", key) };
}

static Path path_index(Arena *arena, const Path *in, int index)
{
    return (Path){ arena_printf(arena, "%s[%d]", in->text, index),
                   arena_printf(arena, "%s%s*", in->schema, in->schema[0] ? "/" : "") };
}

/* The value at the table path SCHEMA ("A/B") under PROPS, for a change above it; arrays
 * ("*") are not descended: NULL then, which compares as "changed". */
static const cJSON *value_at(const cJSON *props, const char *schema)
{
    char part[256];
    const cJSON *node = props;
    while (node && *schema) {
        size_t len = strcspn(schema, "/");
        if (len >= sizeof part || (len == 1 && *schema == '*'))
            return NULL;
        memcpy(part, schema, len);
        part[len] = '\0';
        node = cJSON_GetObjectItemCaseSensitive(node, part);
        schema += len + (schema[len] == '/');
    }
    return node;
}

static bool values_equal(const Plan *plan, const cJSON *a, const cJSON *b);

/* The first replaced resource that NODE refers to, at any depth. */
static const char *first_replaced_ref(const Plan *plan, const cJSON *node)
{
    const char *target = replaced_target(plan, node);
    for (const cJSON *c = node->child; !target && c && (cJSON_IsArray(node) || cJSON_IsObject(node)); c = c->next)
        target = first_replaced_ref(plan, c);
    return target;
}

static bool members_equal(const Plan *plan, const cJSON *a, const cJSON *b)
{
    int na = cJSON_GetArraySize(a), nb = cJSON_GetArraySize(b);
    if (na != nb)
        return false;
    if (cJSON_IsArray(a)) {
        for (const cJSON *x = a->child, *y = b->child; x && y; x = x->next, y = y->next)
            if (!values_equal(plan, x, y))
                return false;
        return true;
    }
    for (const cJSON *x = a->child; x; x = x->next) {
        const cJSON *y = cJSON_GetObjectItemCaseSensitive(b, x->string);
        if (!y || !values_equal(plan, x, y))
            return false;
    }
    return true;
}

static bool values_equal(const Plan *plan, const cJSON *a, const cJSON *b)
{
    if (!a || !b)
        return a == b;
    if (replaced_target(plan, a) || replaced_target(plan, b))
        return false;
    bool ca = cJSON_IsArray(a) || cJSON_IsObject(a), cb = cJSON_IsArray(b) || cJSON_IsObject(b);
    if (ca || cb)
        return ca && cb && cJSON_IsArray(a) == cJSON_IsArray(b) && members_equal(plan, a, b);
    return scalars_equal(a, b);
}

/* How a change at SCHEMA (a property path of the table's form) updates the resource: the
 * most disruptive entry of the type's row that is the path, lies above it, or lies below
 * it with a value that differs. */
static PlanAction change_effect(const Differ *d, const char *schema)
{
    if (!d->behaviour)
        return PA_MAY_REPLACE;      /* a type octohac does not emit: no data, assume the worst */
    PlanAction worst = PA_UPDATE;
    size_t len = strlen(schema);
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(d->behaviour, "properties");
    for (const cJSON *e = props ? props->child : NULL; e; e = e->next) {
        size_t elen = strlen(e->string);
        bool hit = false;
        if (elen <= len && !strncmp(e->string, schema, elen) && (schema[elen] == '\0' || schema[elen] == '/'))
            hit = true;         /* the entry is the changed property or contains it */
        else if (len < elen && !strncmp(e->string, schema, len) && e->string[len] == '/')
            hit = !values_equal(d->plan, value_at(d->old_props, e->string), value_at(d->new_props, e->string));
        if (hit) {
            PlanAction a = level_action(e->valuestring);
            if (a > worst)
                worst = a;
        }
    }
    return worst;
}

static void add_change(Differ *d, const char *path, PlanAction effect, const char *cause)
{
    PlanChange *c = arena_alloc(d->plan->arena, sizeof *c);
    c->path = path;
    c->effect = effect;
    c->cause = cause ? arena_strdup(d->plan->arena, cause) : NULL;
    vec_push(d->plan->arena, &d->res->changes, c);
    if (effect > d->res->action)
        d->res->action = effect;
}

static void diff_value(Differ *d, const cJSON *a, const cJSON *b, const Path *path);

static void diff_object(Differ *d, const cJSON *a, const cJSON *b, const Path *path)
{
    Arena *arena = d->plan->arena;
    for (const cJSON *y = b->child; y; y = y->next) {
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(a, y->string);
        if (!values_equal(d->plan, x, y)) {
            Path sub = path_key(arena, path, y->string);
            diff_value(d, x, y, &sub);
        }
    }
    for (const cJSON *x = a->child; x; x = x->next)
        if (!cJSON_GetObjectItemCaseSensitive(b, x->string)) {
            Path sub = path_key(arena, path, x->string);
            diff_value(d, x, NULL, &sub);
        }
}

static bool is_intrinsic(const cJSON *v)
{
    return cJSON_IsObject(v) && v->child && !v->child->next &&
           (!strcmp(v->child->string, "Ref") || !strncmp(v->child->string, "Fn::", 4) ||
            !strcmp(v->child->string, "Condition"));
}

/* Records every place where A (OLD) and B (NEW), which differ, differ, descending through mappings and
 * same-length lists so that the path names the innermost difference. */
static void diff_value(Differ *d, const cJSON *a, const cJSON *b, const Path *path)
{
    if (a && b && cJSON_IsObject(a) && cJSON_IsObject(b) && !is_intrinsic(a) && !is_intrinsic(b)) {
        diff_object(d, a, b, path);
        return;
    }
    if (a && b && cJSON_IsArray(a) && cJSON_IsArray(b) && cJSON_GetArraySize(a) == cJSON_GetArraySize(b)) {
        int i = 0;
        for (const cJSON *x = a->child, *y = b->child; x && y; x = x->next, y = y->next, i++) {
            if (values_equal(d->plan, x, y))
                continue;
            Path sub = path_index(d->plan->arena, path, i);
            diff_value(d, x, y, &sub);
        }
        return;
    }
    /* the same text on both sides: it changes only because a reference's target is replaced */
    const char *cause = a && b && cJSON_Compare(a, b, 1) ? first_replaced_ref(d->plan, a) : NULL;
    add_change(d, path->text, path->schema[0] ? change_effect(d, path->schema) : PA_UPDATE, cause);
}

/* Metadata changes update the resource in place (cfn-init reads them at the next run);
 * octohac's own source mapping is not part of the deployed state. */
static void diff_metadata(Differ *d)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(d->res->old_res, "Metadata");
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(d->res->new_res, "Metadata");
    if ((a && !cJSON_IsObject(a)) || (b && !cJSON_IsObject(b))) {
        /* not a mapping (a malformed template): compared whole */
        if (!values_equal(d->plan, a, b))
            add_change(d, "Metadata", PA_UPDATE, NULL);
        return;
    }
    for (const cJSON *y = b ? b->child : NULL; y; y = y->next) {
        if (!strcmp(y->string, "octohac"))
            continue;
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(a, y->string);
        if (!values_equal(d->plan, x, y))
            add_change(d, arena_printf(d->plan->arena, "Metadata.%s", y->string), PA_UPDATE, NULL);
    }
    for (const cJSON *x = a ? a->child : NULL; x; x = x->next)
        if (strcmp(x->string, "octohac") && !cJSON_GetObjectItemCaseSensitive(b, x->string))
            add_change(d, arena_printf(d->plan->arena, "Metadata.%s", x->string), PA_UPDATE, NULL);
}

/* The resource attributes other than Type, Properties and Metadata: CloudFormation applies
 * them without touching the resource. */
static void diff_attributes(Differ *d)
{
    static const char *const attributes[] = { "DependsOn", "DeletionPolicy", "UpdateReplacePolicy", "Condition",
                                              "CreationPolicy", "UpdatePolicy" };
    for (size_t i = 0; i < sizeof attributes / sizeof *attributes; i++) {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(d->res->old_res, attributes[i]);
        const cJSON *b = cJSON_GetObjectItemCaseSensitive(d->res->new_res, attributes[i]);
        if (!values_equal(d->plan, a, b))
            add_change(d, attributes[i], PA_UPDATE, NULL);
    }
}

static void diff_resource(Plan *plan, PlanResource *res)
{
    res->action = PA_NONE;
    res->changes = (PtrVec){ 0 };
    if (!res->old_res || !res->new_res) {
        res->action = res->old_res ? PA_REMOVE : PA_ADD;
        return;
    }
    Differ d = { .plan = plan, .res = res };
    const char *old_type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(res->old_res, "Type"));
    if (!old_type || !res->type || strcmp(old_type, res->type)) {
        add_change(&d, "Type", PA_REPLACE, NULL);
        return;
    }
    d.behaviour = cJSON_GetObjectItemCaseSensitive(behaviour_types(), res->type);
    d.old_props = cJSON_GetObjectItemCaseSensitive(res->old_res, "Properties");
    d.new_props = cJSON_GetObjectItemCaseSensitive(res->new_res, "Properties");
    cJSON *empty = cJSON_CreateObject();
    Path root = { "Properties", "" };
    const cJSON *a = d.old_props ? d.old_props : empty, *b = d.new_props ? d.new_props : empty;
    if (!values_equal(plan, a, b))
        diff_value(&d, a, b, &root);
    json_delete(empty);
    diff_metadata(&d);
    diff_attributes(&d);
}

/* Replacements propagate: each pass re-diffs with the replaced set of the last one, until a
 * pass replaces nothing new (at most one pass per resource). */
static void diff_all(Plan *plan)
{
    for (size_t pass = 0; pass <= plan->count; pass++) {
        size_t replaced_before = 0, replaced_after = 0;
        for (size_t i = 0; i < plan->count; i++)
            replaced_before += plan->resources[i]->action == PA_REPLACE;
        for (size_t i = 0; i < plan->count; i++)
            diff_resource(plan, plan->resources[i]);
        for (size_t i = 0; i < plan->count; i++)
            replaced_after += plan->resources[i]->action == PA_REPLACE;
        if (pass > 0 && replaced_after == replaced_before)
            return;
    }
}

/* ---------------------------------------------------------------- locating resources */

/* A location "production.oha:16:3" as a span over the word there, when that
 * file is one of SIDE's sources; an empty span otherwise. */
static Span source_span(const PlanSide *side, const char *text)
{
    Span none = { 0 };
    const char *colon = text ? strchr(text, ':') : NULL;
    if (!colon || !side || !side->is_oha)
        return none;
    unsigned line = 0, col = 0;
    if (sscanf(colon + 1, "%u:%u", &line, &col) != 2 || line == 0 || col == 0)
        return none;
    size_t name_len = (size_t)(colon - text);
    for (size_t i = 0; i < side->source_count; i++) {
        const Source *src = side->sources[i];
        const char *slash = src->path ? strrchr(src->name, '/') : NULL;
        const char *shown = slash ? slash + 1 : src->name;
        if (strlen(shown) != name_len || strncmp(shown, text, name_len) || line > src->line_count)
            continue;
        uint32_t at = src->line_starts[line - 1];
        for (unsigned c = 1; c < col && at < src->len && src->text[at] != '\n'; c++) {
            at++;
            while (at < src->len && ((unsigned char)src->text[at] & 0xC0) == 0x80)
                at++;
        }
        uint32_t end = at;
        while (end < src->len && !strchr(" \t\r\n{=", src->text[end]))
            end++;
        return (Span){ src, at, end > at ? end : at };
    }
    return none;
}

/* Where resource RES of SIDE comes from: the template's locations table, or the
 * Metadata.octohac.source that each resource of a template built before that table carries. */
static const char *resource_source(const Plan *plan, const PlanSide *side, const cJSON *res)
{
    const char *location = template_location(side->tmpl, res->string, plan->arena);
    if (location)
        return location;
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive(res, "Metadata");
    const cJSON *octohac = cJSON_GetObjectItemCaseSensitive(meta, "octohac");
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(octohac, "source"));
}

static void pair_resources(Plan *plan)
{
    const cJSON *olds = cJSON_GetObjectItemCaseSensitive(plan->old_side->tmpl, "Resources");
    const cJSON *news = cJSON_GetObjectItemCaseSensitive(plan->new_side->tmpl, "Resources");
    size_t cap = (size_t)cJSON_GetArraySize(olds) + (size_t)cJSON_GetArraySize(news);
    plan->resources = arena_alloc(plan->arena, (cap + 1) * sizeof *plan->resources);
    for (const cJSON *r = news ? news->child : NULL; r; r = r->next) {
        PlanResource *res = arena_alloc(plan->arena, sizeof *res);
        res->id = r->string;
        res->new_res = r;
        res->old_res = cJSON_GetObjectItemCaseSensitive(olds, r->string);
        plan->resources[plan->count++] = res;
    }
    for (const cJSON *r = olds ? olds->child : NULL; r; r = r->next)
        if (!cJSON_GetObjectItemCaseSensitive(news, r->string)) {
            PlanResource *res = arena_alloc(plan->arena, sizeof *res);
            res->id = r->string;
            res->old_res = r;
            plan->resources[plan->count++] = res;
        }
    for (size_t i = 0; i < plan->count; i++) {
        PlanResource *res = plan->resources[i];
        const cJSON *located = res->new_res ? res->new_res : res->old_res;
        const PlanSide *side = res->new_res ? plan->new_side : plan->old_side;
        res->type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(located, "Type"));
        res->source = resource_source(plan, side, located);
        res->span = source_span(side, res->source);
    }
}

/* ---------------------------------------------------------------- findings */

static const StatefulKind *find_stateful(const PlanResource *res)
{
    return res->type ? stateful_find(res->type, res->id) : NULL;
}

static const PlanChange *worst_change(const PlanResource *res)
{
    const PlanChange *worst = NULL;
    for (size_t i = 0; i < res->changes.count; i++) {
        const PlanChange *c = res->changes.items[i];
        if (!worst || c->effect > worst->effect)
            worst = c;
    }
    return worst;
}

static void note_change(Plan *plan, Diagnostic *d, const PlanResource *res)
{
    const PlanChange *c = worst_change(res);
    if (!c)
        return;
    if (c->cause)
        diag_note(&plan->diag, d, (Span){ 0 }, "because `%s` is replaced and `%s` refers to it", c->cause, c->path);
    else
        diag_note(&plan->diag, d, (Span){ 0 }, "because `%s` changes: %s", c->path, plan_action_words[c->effect]);
}

/* Whether CloudFormation keeps the resource when the update removes it from the stack. */
static bool kept_when_removed(const PlanResource *res)
{
    const char *policy = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(res->old_res, "DeletionPolicy"));
    return policy && strcmp(policy, "Retain") == 0;
}

/* OH6001-OH6003: a stateful resource replaced, possibly replaced, or removed (OH6009 when it is
 * removed but kept). */
static void check_stateful(Plan *plan, const PlanResource *res)
{
    const StatefulKind *s = find_stateful(res);
    if (!s)
        return;
    Diagnostic *d = NULL;
    if (res->action == PA_REPLACE)
        d = diag_error(&plan->diag, res->span, "OH6001", "`%s` is replaced: the update destroys %s", res->id, s->what);
    else if (res->action == PA_MAY_REPLACE)
        d = diag_error(&plan->diag, res->span, "OH6002", "`%s` may be replaced: the update may destroy %s", res->id,
                       s->what);
    else if (res->action == PA_REMOVE && kept_when_removed(res))
        d = diag_warning(&plan->diag, res->span, "OH6009", "`%s` leaves the stack but is kept (DeletionPolicy "
                         "Retain): %s stays, no longer managed by the stack", res->id, s->what);
    else if (res->action == PA_REMOVE)
        d = diag_error(&plan->diag, res->span, "OH6003", "`%s` is removed: the update deletes %s", res->id, s->what);
    if (!d)
        return;
    diag_label(&plan->diag, d, "%s", res->type);
    note_change(plan, d, res);
    diag_help(&plan->diag, d, "%s", s->keep);
}

/* OH6004: a new GenerateSecretString makes Secrets Manager generate a new value in place. */
static void check_regenerated(Plan *plan, const PlanResource *res)
{
    if (!res->type || strcmp(res->type, "AWS::SecretsManager::Secret") || res->action == PA_REPLACE ||
        res->action == PA_MAY_REPLACE)
        return;
    for (size_t i = 0; i < res->changes.count; i++) {
        const PlanChange *c = res->changes.items[i];
        if (strncmp(c->path, "Properties.GenerateSecretString", 31))
            continue;
        Diagnostic *d = diag_error(&plan->diag, res->span, "OH6004",
                                   "`%s` gets a new generated value: `%s` changes", res->id, c->path);
        diag_label(&plan->diag, d, "%s", res->type);
        diag_note(&plan->diag, d, (Span){ 0 }, "%s", find_stateful(res)->what);
        diag_help(&plan->diag, d, "keep the old generation settings, or read the value first "
                                  "(`aws secretsmanager get-secret-value`) and write it back after the update");
        return;
    }
}

/* OH6005: a resource with a name of its own cannot be replaced under the same name: the new
 * one would take the name the old one still holds, and CloudFormation fails the update. */
static void check_fixed_name(Plan *plan, const PlanResource *res)
{
    if (res->action != PA_REPLACE && res->action != PA_MAY_REPLACE)
        return;
    const cJSON *row = cJSON_GetObjectItemCaseSensitive(behaviour_types(), res->type);
    const cJSON *names = cJSON_GetObjectItemCaseSensitive(row, "names");
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(res->new_res, "Properties");
    const cJSON *old_props = cJSON_GetObjectItemCaseSensitive(res->old_res, "Properties");
    for (const cJSON *n = names ? names->child : NULL; n; n = n->next) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(props, n->valuestring);
        if (!name || !values_equal(plan, name, cJSON_GetObjectItemCaseSensitive(old_props, n->valuestring)))
            continue;   /* no name, or a new one: the replacement does not collide */
        Diagnostic *d = diag_error(&plan->diag, res->span, "OH6005",
                                   "`%s` %s but has a fixed name (`%s`): the update will fail", res->id,
                                   res->action == PA_REPLACE ? "is replaced" : "may be replaced", n->valuestring);
        diag_label(&plan->diag, d, "%s", res->type);
        note_change(plan, d, res);
        diag_help(&plan->diag, d, "keep the old value, or change the name in the same update so that the new "
                                  "resource does not collide with the old one");
        return;
    }
}

static bool is_instance(const PlanResource *res)
{
    return res->type && !strcmp(res->type, "AWS::EC2::Instance");
}

/* OH6006/OH6007: every node that stays is replaced, or interrupted, in the same update;
 * CloudFormation updates them in parallel, so Octopus is down meanwhile. */
static void check_nodes_at_once(Plan *plan)
{
    size_t staying = 0, replaced = 0, interrupted = 0;
    const PlanResource *first = NULL;
    for (size_t i = 0; i < plan->count; i++) {
        const PlanResource *res = plan->resources[i];
        if (!is_instance(res) || !res->old_res || !res->new_res)
            continue;
        staying++;
        replaced += res->action == PA_REPLACE || res->action == PA_MAY_REPLACE;
        interrupted += res->action == PA_INTERRUPT;
        if (!first && res->action >= PA_INTERRUPT)
            first = res;
    }
    if (!staying || !first)
        return;
    Diagnostic *d = NULL;
    if (replaced == staying)
        d = diag_warning(&plan->diag, first->span, "OH6006",
                         "every node (%zu) is replaced in the same update: Octopus is down until the new nodes "
                         "have installed and joined", staying);
    else if (replaced + interrupted == staying)
        d = diag_warning(&plan->diag, first->span, "OH6007",
                         "every node (%zu) is stopped or replaced in the same update: Octopus is down meanwhile",
                         staying);
    if (!d)
        return;
    note_change(plan, d, first);
    const PlanChange *why = worst_change(first);
    if (why && !why->cause && !strcmp(why->path, "Properties.ImageId"))   /* one image for every node */
        diag_help(&plan->diag, d, "to keep Octopus up, patch the running nodes in place instead, one at a time "
                                  "(the operations stack's PatchNodes automation, docs/operations.md); or deploy "
                                  "in a maintenance window");
    else
        diag_help(&plan->diag, d, "deploy in a maintenance window, or change the nodes in two updates (half each) "
                                  "so that the load balancer always has a node");
}

/* The number of a node, from its logical id `Node<i>`; 0 for any other resource. */
static unsigned node_number(const PlanResource *res)
{
    unsigned number = 0;
    int used = 0;
    if (!is_instance(res) || sscanf(res->id, "Node%u%n", &number, &used) != 1 || res->id[used] != '\0')
        return 0;
    return number;
}

/* Per-node polling: the node has a listener of its own on the load balancer. */
static bool polled_directly(const cJSON *tmpl, unsigned number)
{
    char id[32];
    snprintf(id, sizeof id, "PollingListener%u", number);
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(tmpl, "Resources"), id) != NULL;
}

/* OH6010: a node removed (scale in) is terminated without draining; OH6011: a node added in
 * per-node polling mode is polled by no tentacle until they are registered with it. */
static void check_scaling(Plan *plan, const PlanResource *res)
{
    unsigned number = node_number(res);
    if (!number || (res->old_res && res->new_res))
        return;
    if (res->old_res) {
        Diagnostic *d = diag_warning(&plan->diag, res->span, "OH6010",
                                     "`%s` is removed: CloudFormation terminates it without draining, so its "
                                     "running tasks fail and its node record stays in Octopus, offline", res->id);
        if (polled_directly(plan->old_side->tmpl, number))
            diag_note(&plan->diag, d, (Span){ 0 }, "per-node polling: tentacles registered with node %u's polling "
                                                   "address (`PollingAddress%u`) lose that server; register them "
                                                   "with a remaining node's address instead", number, number);
        diag_help(&plan->diag, d, "first drain node %u and delete its record with the operations stack's RemoveNode "
                                  "automation (`NodeIndex=%u`, docs/operations.md#scale-in), then deploy", number,
                  number);
    } else if (polled_directly(plan->new_side->tmpl, number)) {
        Diagnostic *d = diag_report(&plan->diag, SEV_NOTE, res->span, "OH6011",
                                    "`%s` is added with per-node polling: no tentacle polls it until it is "
                                    "registered with node %u's address", res->id, number);
        diag_help(&plan->diag, d, "once the node is up, register each polling tentacle with the stack output "
                                  "`PollingAddress%u` as well (`Tentacle.exe poll-server`)", number);
    }
}

/* OH6008: an ImageId from an SSM parameter type is resolved again on every stack update. */
static void check_ami_parameter(Plan *plan)
{
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(plan->new_side->tmpl, "Parameters");
    for (const cJSON *p = params ? params->child : NULL; p; p = p->next) {
        const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "Type"));
        if (!type || strcmp(type, "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>"))
            continue;
        for (size_t i = 0; i < plan->count; i++) {
            const PlanResource *res = plan->resources[i];
            const cJSON *props = cJSON_GetObjectItemCaseSensitive(res->new_res, "Properties");
            const cJSON *image = cJSON_GetObjectItemCaseSensitive(props, "ImageId");
            const cJSON *ref = cJSON_GetObjectItemCaseSensitive(image, "Ref");
            if (!is_instance(res) || !cJSON_IsString(ref) || strcmp(ref->valuestring, p->string))
                continue;
            Diagnostic *d = diag_warning(&plan->diag, res->span, "OH6008",
                                         "the nodes' `ImageId` comes from the SSM parameter `%s`: if AWS has "
                                         "published a new AMI since the last deployment, this update replaces "
                                         "every node", p->string);
            diag_note(&plan->diag, d, (Span){ 0 }, "CloudFormation resolves SSM parameter types again on every "
                                                   "stack update; this plan cannot see the value it will get");
            diag_help(&plan->diag, d, "pin the AMI for the update (`--parameter-overrides %s=ami-...` with the "
                                      "id the stack runs, from `aws ec2 describe-instances`)", p->string);
            return;
        }
    }
}

static void check_findings(Plan *plan)
{
    for (size_t i = 0; i < plan->count; i++) {
        PlanResource *res = plan->resources[i];
        plan->totals[res->action]++;
        check_stateful(plan, res);
        check_regenerated(plan, res);
        check_fixed_name(plan, res);
        check_scaling(plan, res);
    }
    check_nodes_at_once(plan);
    size_t changed = 0;
    for (int a = PA_UPDATE; a < PA__COUNT; a++)
        changed += plan->totals[a];
    if (changed)
        check_ami_parameter(plan);
}

/* ---------------------------------------------------------------- loading */

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    StrBuf buf = { 0 };
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        strbuf_add(&buf, chunk, got);
    bool failed = ferror(f);
    fclose(f);
    if (failed) {
        free(buf.data);
        errno = EIO;
        return NULL;
    }
    if (!buf.data)
        strbuf_add(&buf, "", 0);
    *len = buf.len;
    return buf.data;
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

static int load_side(const PlanOptions *opts, Arena *arena, PlanSide *side, const char *path)
{
    memset(side, 0, sizeof *side);
    side->path = path;
    side->is_oha = has_suffix(path, ".oha");
    if (side->is_oha) {
        DiagCtx diag;
        diag_init(&diag, arena);
        return opts->build(opts->build_ctx, arena, &diag, side);
    }
    size_t len = 0;
    char *text = read_file(path, &len);
    if (!text) {
        fprintf(stderr, "octohac: error: cannot read `%s`: %s\n", path, strerror(errno));
        return 2;
    }
    const char *err = NULL;
    side->tmpl = plan_read_template(arena, text, len, &err);
    free(text);
    if (!side->tmpl) {
        fprintf(stderr, "octohac: error: cannot read `%s` as a CloudFormation template: %s\n", path, err);
        return 2;
    }
    return 0;
}

int plan_sides(Arena *arena, const PlanSide *old_side, const PlanSide *new_side, PlanFormat format, bool color,
               FILE *out)
{
    Plan plan = { .arena = arena, .old_side = old_side, .new_side = new_side };
    diag_init(&plan.diag, arena);
    pair_resources(&plan);
    diff_all(&plan);
    check_findings(&plan);
    plan_report(&plan, format, color, out);
    return plan.diag.errors ? 1 : 0;
}

int plan_run(const PlanOptions *opts, FILE *out)
{
    Arena *arena = arena_new();
    Arena *previous = json_memory_use(arena);
    PlanSide old_side = { 0 }, new_side = { 0 };
    int rc = load_side(opts, arena, &old_side, opts->old_path);
    if (rc == 0)
        rc = load_side(opts, arena, &new_side, opts->new_path);
    if (rc == 0)
        rc = plan_sides(arena, &old_side, &new_side, opts->format, opts->color, out);
    json_delete(old_side.tmpl);
    json_delete(new_side.tmpl);
    json_memory_use(previous);
    arena_free(arena);
    return rc;
}
