/* model.c: checks one merged cluster against the schema (OH1001-OH1011) and builds
 * the typed Cluster model with every default filled in, each value with its Origin.
 * Attribute names, types, ranges and defaults come from schema/octohac.json; the
 * field map below is the one place where schema names meet Cluster fields.
 * It does not judge whether a valid configuration makes sense for Octopus HA or
 * AWS: that is rules.c (OH2xxx, OH4xxx), which reads only the model. */
#include "octohac.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- the field map */

typedef enum FieldKind {
    FK_BLOCK,       /* Span: the block's name, or the cluster name when absent; offset2, when not 0: a bool, the block is written */
    FK_STR,         /* StrAttr */
    FK_INT,         /* IntAttr (numbers, sizes in GiB, rates in MBps, durations in s) */
    FK_BOOL,        /* BoolAttr */
    FK_ENUM,        /* EnumAttr */
    FK_LIST,        /* StrList */
    FK_CIDR,        /* Cidr */
    FK_ZONES,       /* IntAttr count at offset, StrList names at offset2 */
    FK_TAGS,        /* Tag array at offset, count at offset2 */
    FK_FORM,        /* DirectoryForm, chosen by the block's "forms" */
    FK_MARKER       /* an attribute that only selects a form (no field of its own) */
} FieldKind;

typedef struct FieldMap {
    const char *block, *attr;   /* attr NULL for a block-level row */
    size_t offset, offset2;
    FieldKind kind;
} FieldMap;

#define F(b, a, field, kind) { b, a, offsetof(Cluster, field), 0, kind }
#define F2(b, a, field, field2, kind) { b, a, offsetof(Cluster, field), offsetof(Cluster, field2), kind }
static const FieldMap field_map[] = {
    F("cluster", "description", description, FK_STR),
    F("cluster", "region", region, FK_STR),
    F("cluster", "allow", allow, FK_LIST),
    F2("tags", NULL, tags, tag_count, FK_TAGS),

    F("octopus", NULL, octopus.block, FK_BLOCK),
    F("octopus", "version", octopus.version, FK_STR),
    F("octopus", "download_url", octopus.download_url, FK_STR),
    F("octopus", "instance", octopus.instance, FK_STR),
    F("octopus", "admin_username", octopus.admin_username, FK_STR),
    F("octopus", "admin_email", octopus.admin_email, FK_STR),
    F("octopus", "license", octopus.license, FK_STR),
    F("octopus", "master_key", octopus.master_key, FK_ENUM),
    F("octopus", "task_cap", octopus.task_cap, FK_INT),
    F("octopus", "web_port", octopus.web_port, FK_INT),

    F("network", NULL, network.block, FK_BLOCK),
    F("network", "vpc", network.vpc, FK_STR),
    F("network", "cidr", network.cidr, FK_CIDR),
    F2("network", "zones", network.zone_count, network.zone_names, FK_ZONES),
    F("network", "nat", network.nat, FK_ENUM),
    F("network", "private_subnets", network.private_subnets, FK_LIST),
    F("network", "public_subnets", network.public_subnets, FK_LIST),

    F("directory", NULL, directory.block, FK_BLOCK),
    F("directory", NULL, directory.form, FK_FORM),
    F("directory", "id", directory.id, FK_STR),
    F("directory", "create", directory.form, FK_MARKER),
    F("directory", "self_managed", directory.form, FK_MARKER),
    F("directory", "domain", directory.domain, FK_STR),
    F("directory", "dns_ips", directory.dns_ips, FK_LIST),
    F("directory", "edition", directory.edition, FK_ENUM),
    F("directory", "username", directory.username, FK_STR),
    F("directory", "password", directory.password, FK_STR),
    F("directory", "ou", directory.ou, FK_STR),
    F("directory", "admins_group", directory.admins_group, FK_STR),
    F("directory", "nodes_group", directory.nodes_group, FK_STR),

    F("nodes", NULL, nodes.block, FK_BLOCK),
    F("nodes", "count", nodes.count, FK_INT),
    F("nodes", "instance", nodes.instance, FK_STR),
    F("nodes", "os", nodes.os, FK_ENUM),
    F("nodes", "disk", nodes.disk_gib, FK_INT),
    F("nodes", "ami", nodes.ami, FK_STR),
    F("nodes", "ami_version", nodes.ami_version, FK_STR),
    F("nodes", "key_pair", nodes.key_pair, FK_STR),

    F("database", NULL, database.block, FK_BLOCK),
    F("database", "engine", database.engine, FK_ENUM),
    F("database", "version", database.version, FK_ENUM),
    F("database", "min_version", database.min_version, FK_ENUM),
    F("database", "instance", database.instance, FK_STR),
    F("database", "storage", database.storage_gib, FK_INT),
    F("database", "max_storage", database.max_storage_gib, FK_INT),
    F("database", "storage_type", database.storage_type, FK_ENUM),
    F("database", "iops", database.iops, FK_INT),
    F("database", "multi_az", database.multi_az, FK_BOOL),
    F("database", "backup_days", database.backup_days, FK_INT),
    F("database", "deletion", database.deletion, FK_ENUM),
    F("database", "deletion_protection", database.deletion_protection, FK_BOOL),
    F("database", "encrypted", database.encrypted, FK_BOOL),
    F("database", "catalog", database.catalog, FK_STR),
    F("database", "existing", database.existing, FK_STR),

    F("storage", NULL, storage.block, FK_BLOCK),
    F("storage", "capacity", storage.capacity_gib, FK_INT),
    F("storage", "throughput", storage.throughput_mbps, FK_INT),
    F("storage", "deployment", storage.deployment, FK_ENUM),
    F("storage", "media", storage.media, FK_ENUM),
    F("storage", "backup_days", storage.backup_days, FK_INT),
    F("storage", "deletion", storage.deletion, FK_ENUM),
    F("storage", "folder", storage.folder, FK_STR),
    F("storage", "existing", storage.existing, FK_STR),

    F("load_balancer", NULL, load_balancer.block, FK_BLOCK),
    F("load_balancer", "type", load_balancer.type, FK_ENUM),
    F("load_balancer", "scheme", load_balancer.scheme, FK_ENUM),
    F("load_balancer", "certificate", load_balancer.certificate, FK_STR),
    F("load_balancer", "ssl_policy", load_balancer.ssl_policy, FK_STR),
    F("load_balancer", "idle_timeout", load_balancer.idle_timeout_s, FK_INT),
    F("load_balancer", "allowed_cidrs", load_balancer.allowed_cidrs, FK_LIST),

    F("tentacles", NULL, tentacles.block, FK_BLOCK),
    F("tentacles", "polling", tentacles.polling, FK_BOOL),
    F("tentacles", "mode", tentacles.mode, FK_ENUM),
    F("tentacles", "port", tentacles.port, FK_INT),
    F("tentacles", "idle_timeout", tentacles.idle_timeout_s, FK_INT),
    F("tentacles", "allowed_cidrs", tentacles.allowed_cidrs, FK_LIST),
    F2("alerts", NULL, alerts.block, alerts.on, FK_BLOCK),
    F("alerts", "enabled", alerts.enabled, FK_BOOL),
    F("alerts", "email", alerts.email, FK_LIST),
    F("alerts", "topic", alerts.topic, FK_STR),
    F("alerts", "log_retention", alerts.log_retention_days, FK_INT),
    F2("maintenance", NULL, maintenance.block, maintenance.on, FK_BLOCK),
    F("maintenance", "window", maintenance.window, FK_STR),
    F("maintenance", "backup_window", maintenance.backup_window, FK_STR),
};
#undef F
#undef F2
#define FIELD_COUNT (sizeof field_map / sizeof field_map[0])

/* ---------------------------------------------------------------- the checker's state */

/* A value as checked: what a written value or a default turns into before it is stored. */
typedef struct Checked {
    ValueSource source;
    const char *text;           /* strings, words, enum text, cidr; param name; secret id */
    const char *param_default;
    const char *secret_key;
    long long number;           /* int, size, rate, duration: in the canonical unit */
    bool boolean;
    int enum_index;
    bool is_list;
    const char **items;
    Span *spans;
    size_t count;
} Checked;

typedef struct Slot {
    const SchemaAttr *attr;
    const FieldMap *field;
    const MergedEntry *me;      /* where it was written, NULL when not */
    bool written;               /* written and valid: the field holds it */
    bool filled;                /* the field holds its final value */
    bool filling;               /* default being computed (cycle guard) */
} Slot;

typedef struct Checker {
    Arena *arena;
    DiagCtx *diag;
    const ClusterDecl *decl;
    Cluster *cluster;
    const Schema *schema;
    Slot *slots;                        /* by SchemaAttr.index */
    const MergedEntry **blocks;         /* by schema block index: the merged block, or NULL */
    size_t allowed_errors;              /* OH1011s: they leave the model whole */
} Checker;

/* ---------------------------------------------------------------- small helpers */

static void *field_ptr(Cluster *c, size_t offset)
{
    return (char *)c + offset;
}

static size_t block_index(const Checker *ck, const SchemaBlock *b)
{
    return (size_t)(b - ck->schema->blocks);
}

static Slot *slot_of(Checker *ck, const SchemaAttr *attr)
{
    return &ck->slots[attr->index];
}

/* "nodes.count", or "region" for a top-level attribute. */
static const char *attr_path(Checker *ck, const SchemaAttr *attr)
{
    if (!attr->block || attr->block->top)
        return attr->name;
    return arena_printf(ck->arena, "%s.%s", attr->block->name, attr->name);
}

static const char *with_article(Checker *ck, const char *noun)
{
    bool vowel = strchr("aeiou", noun[0]) != NULL;
    return arena_printf(ck->arena, "%s %s", vowel ? "an" : "a", noun);
}

static const char *found_kind(Checker *ck, const Value *v)
{
    if (v->kind == VK_CALL)
        return arena_printf(ck->arena, "a call to `%s`", v->text ? v->text : "?");
    return with_article(ck, value_kind_names[v->kind]);
}

/* The span the block's diagnostics and defaults point at. */
static Span block_span(const Checker *ck, const SchemaBlock *b)
{
    const MergedEntry *me = b->top ? NULL : ck->blocks[block_index(ck, b)];
    return me ? me->entry->name_span : ck->cluster->name_span;
}

static Span via_span(const MergedEntry *me)
{
    Span none = { 0 };
    return me && me->via ? me->via->span : none;
}

/* Which layer wrote ME: 0.. for the cluster's `uses` names in order, then the cluster's own body. */
static size_t layer_of(const Checker *ck, const MergedEntry *me)
{
    const Item *item = ck->decl->item;
    for (size_t i = 0; me->via && i < item->base_count; i++)
        if (&item->bases[i] == me->via)
            return i;
    return item->base_count;
}

static Origin origin_written(const MergedEntry *me)
{
    Origin o = { me->entry->value ? me->entry->value->span : me->entry->span, via_span(me), true };
    return o;
}

static Origin origin_default(const Checker *ck, const SchemaAttr *attr)
{
    Origin o = { block_span(ck, attr->block), { 0 }, false };
    return o;
}

/* A diagnostic about something a merged entry wrote, with the provenance note when a
 * profile wrote it. ME may be NULL. */
OH_PRINTF(5, 6)
static Diagnostic *ck_error(Checker *ck, const MergedEntry *me, Span span, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = arena_vprintf(ck->arena, fmt, ap);
    va_end(ap);
    Diagnostic *d = diag_error(ck->diag, span, code, "%s", msg);
    if (me && me->via) {
        Origin o = origin_written(me);
        model_note_origin(ck->diag, d, &o);
    }
    return d;
}

static void help_did_you_mean(Checker *ck, Diagnostic *d, const char *name, const char *const *candidates,
                              size_t count)
{
    const char *best = did_you_mean(name, candidates, count);
    if (best)
        diag_help(ck->diag, d, "did you mean `%s`?", best);
}

static const char *join_values(Checker *ck, const char *const *values, size_t count)
{
    const char *out = "";
    for (size_t i = 0; i < count; i++)
        out = arena_printf(ck->arena, "%s%s`%s`", out, i ? ", " : "", values[i]);
    return out;
}

/* ---------------------------------------------------------------- cidr and numbers */

static bool parse_address(const char *text, uint32_t *addr, int *prefix)
{
    unsigned a[4];
    int n = 0, p = -1;
    if (sscanf(text, "%3u.%3u.%3u.%3u%n", &a[0], &a[1], &a[2], &a[3], &n) != 4)
        return false;
    if (text[n] == '/') {
        char *end;
        long v = strtol(text + n + 1, &end, 10);
        if (*end || end == text + n + 1 || v < 0 || v > 32)
            return false;
        p = (int)v;
    } else if (text[n]) {
        return false;
    }
    for (int i = 0; i < 4; i++)
        if (a[i] > 255)
            return false;
    *addr = (a[0] << 24) | (a[1] << 16) | (a[2] << 8) | a[3];
    *prefix = p;
    return true;
}

static uint32_t prefix_mask(int prefix)
{
    return prefix == 0 ? 0 : 0xFFFFFFFFu << (32 - prefix);
}

static const char *format_cidr(Arena *arena, uint32_t addr, int prefix)
{
    return arena_printf(arena, "%u.%u.%u.%u/%d", addr >> 24, (addr >> 16) & 255, (addr >> 8) & 255, addr & 255,
                        prefix);
}

/* "100 GiB", or the bare number for unitless types. */
static const char *format_number(Checker *ck, const SchemaAttr *attr, long long n)
{
    const char *unit = attr->type == TY_INT ? NULL : schema_type_unit(attr->type);
    return unit ? arena_printf(ck->arena, "%lld %s", n, unit) : arena_printf(ck->arena, "%lld", n);
}

static const char *range_text(Checker *ck, const SchemaAttr *attr)
{
    if (attr->has_min && attr->has_max)
        return arena_printf(ck->arena, "from %s to %s", format_number(ck, attr, attr->min),
                            format_number(ck, attr, attr->max));
    if (attr->has_min)
        return arena_printf(ck->arena, "at least %s", format_number(ck, attr, attr->min));
    return arena_printf(ck->arena, "at most %s", format_number(ck, attr, attr->max));
}

/* ---------------------------------------------------------------- type expectations */

/* List items, for "a list of …". */
static const char *plural_noun(SchemaType type)
{
    switch (type) {
    case TY_STRING: return "quoted strings";
    case TY_WORD: return "words";
    case TY_CIDR: return "CIDRs such as `10.0.0.0/8`";
    case TY_IP: return "IPv4 addresses such as `10.1.0.10`";
    case TY_INT: return "whole numbers";
    case TY_BOOL:
    case TY_ENUM:
    case TY_SIZE:
    case TY_RATE:
    case TY_DURATION:
    case TY_DAYS:
    case TY_LIST:
    case TY_BLOCK:
    case TY__COUNT: break;
    }
    return "values";
}


static const char *expected_one(Checker *ck, const SchemaAttr *attr)
{
    switch (attr->type) {
    case TY_STRING: return "a quoted string";
    case TY_WORD: return "a word or a quoted string";
    case TY_INT: return "a whole number";
    case TY_BOOL: return "`true` or `false`";
    case TY_ENUM: return arena_printf(ck->arena, "one of %s", join_values(ck, attr->values, attr->value_count));
    case TY_SIZE:
    case TY_RATE:
    case TY_DURATION:
    case TY_DAYS:
        return arena_printf(ck->arena, "%s such as `%s`", schema_type_doc(attr->type), schema_type_example(attr->type));
    case TY_CIDR: return "a CIDR such as `10.20.0.0/16`";
    case TY_IP: return "an IPv4 address such as `10.1.0.10`";
    case TY_LIST: return arena_printf(ck->arena, "a list of %s", plural_noun(attr->items->type));
    case TY_BLOCK: return "a block";
    case TY__COUNT: break;
    }
    BUG("schema type %d has no expectation", (int)attr->type);
}

static const char *expected_text(Checker *ck, const SchemaAttr *attr)
{
    const char *text = expected_one(ck, attr);
    if (!attr->literal)
        text = NULL;
    if (attr->param || attr->secret) {
        const char *calls = attr->param && attr->secret ? "`param(…)` or `secret(…)`"
                            : attr->param              ? "`param(…)`"
                                                       : "`secret(…)`";
        text = text ? arena_printf(ck->arena, "%s or %s", text, calls) : calls;
    }
    if (!text)
        BUG("schema attribute %s accepts nothing", attr->name);
    if (attr->alternative)
        text = arena_printf(ck->arena, "%s or %s", text, expected_one(ck, attr->alternative));
    return text;
}

/* OH1004: expected X, found Y. */
static bool wrong_type(Checker *ck, const MergedEntry *me, const SchemaAttr *attr, const Value *v)
{
    const char *expected = expected_text(ck, attr);
    Diagnostic *d = ck_error(ck, me, v->span, "OH1004", "wrong type for `%s`: expected %s, found %s",
                             attr_path(ck, attr), expected, found_kind(ck, v));
    diag_label(ck->diag, d, "expected %s", expected);
    if (v->kind == VK_WORD && (attr->type == TY_STRING))
        diag_help(ck->diag, d, "put it in quotes: `\"%s\"`", v->text);
    return false;
}

/* ---------------------------------------------------------------- checking one value */

static bool check_value(Checker *ck, const MergedEntry *me, const SchemaAttr *attr, const Value *v, Checked *out,
                        bool calls_allowed);

static bool check_text(Checker *ck, const MergedEntry *me, const SchemaAttr *attr, const Value *v, Checked *out)
{
    const char *text = v->text ? v->text : "";
    out->source = VS_LITERAL;
    out->text = text;
    if (attr->max_length && (long long)strlen(text) > attr->max_length) {
        Diagnostic *d = ck_error(ck, me, v->span, "OH1005", "`%s` is too long: at most %lld bytes, found %zu",
                                 attr_path(ck, attr), attr->max_length, strlen(text));
        diag_label(ck->diag, d, "%zu bytes", strlen(text));
        return false;
    }
    for (size_t i = 0; i < attr->literal_count; i++)
        if (strcmp(text, attr->literals[i]) == 0)
            return true;
    if (attr->pattern && !schema_pattern_match(attr->pattern, text)) {
        Diagnostic *d = ck_error(ck, me, v->span, "OH1007", "invalid `%s`: expected %s", attr_path(ck, attr),
                                 schema_pattern_expected(attr->pattern));
        diag_label(ck->diag, d, "does not match");
        return false;
    }
    return true;
}

static bool check_enum(Checker *ck, const MergedEntry *me, const SchemaAttr *attr, const Value *v, Checked *out)
{
    const char *text = v->text ? v->text : "";
    out->source = VS_LITERAL;
    out->text = text;
    for (size_t i = 0; i < attr->value_count; i++)
        if (strcmp(text, attr->values[i]) == 0) {
            out->enum_index = (int)i;
            return true;
        }
    if (attr->unknown_values) {     /* left to a rule, e.g. nodes.os to OH2002 */
        out->enum_index = -1;
        return true;
    }
    Diagnostic *d = ck_error(ck, me, v->span, "OH1006", "`%s` must be one of %s, found `%s`", attr_path(ck, attr),
                             join_values(ck, attr->values, attr->value_count), text);
    diag_label(ck->diag, d, "not an allowed value");
    help_did_you_mean(ck, d, text, attr->values, attr->value_count);
    return false;
}

static bool check_range(Checker *ck, const MergedEntry *me, const SchemaAttr *attr, const Value *v, double n)
{
    if ((attr->has_min && n < (double)attr->min) || (attr->has_max && n > (double)attr->max)) {
        Diagnostic *d = ck_error(ck, me, v->span, "OH1005", "`%s` is out of range: must be %s", attr_path(ck, attr),
                                 range_text(ck, attr));
        diag_label(ck->diag, d, "out of range");
        return false;
    }
    return true;
}

static bool whole_number(Checker *ck, const MergedEntry *me, const SchemaAttr *attr, const Value *v, double n,
                         Checked *out)
{
    if (n != floor(n) || !isfinite(n)) {
        Diagnostic *d = ck_error(ck, me, v->span, "OH1004", "wrong type for `%s`: expected a whole number, found `%s`",
                                 attr_path(ck, attr), v->text ? v->text : "?");
        diag_label(ck->diag, d, "not a whole number");
        return false;
    }
    if (!check_range(ck, me, attr, v, n))
        return false;
    out->source = VS_LITERAL;
    out->number = n > 9e15 ? 9000000000000000LL : (long long)n;
    out->text = v->text;
    return true;
}

static bool check_int(Checker *ck, const MergedEntry *me, const SchemaAttr *attr, const Value *v, Checked *out)
{
    if (v->kind == VK_QUANTITY) {
        if (!attr->unit_optional || !v->unit || strcmp(v->unit, attr->unit_optional) != 0) {
            Diagnostic *d = ck_error(ck, me, v->unit_span, "OH1009", "`%s` takes a plain number, not `%s`",
                                     attr_path(ck, attr), v->unit ? v->unit : "?");
            diag_label(ck->diag, d, "unexpected unit");
            diag_help(ck->diag, d, "remove the unit: `%s`", v->text ? v->text : "?");
            return false;
        }
    }
    return whole_number(ck, me, attr, v, v->number, out);
}

static bool check_quantity(Checker *ck, const MergedEntry *me, const SchemaAttr *attr, const Value *v, Checked *out)
{
    const char *example = schema_type_example(attr->type);
    const char *unit = schema_type_unit(attr->type);
    if (v->kind == VK_NUMBER) {
        Diagnostic *d = ck_error(ck, me, v->span, "OH1009", "`%s` needs a unit: expected %s", attr_path(ck, attr),
                                 schema_type_doc(attr->type));
        diag_label(ck->diag, d, "no unit");
        diag_help(ck->diag, d, "add a unit: `%s %s`", v->text ? v->text : "100", unit);
        return false;
    }
    long long factor;
    if (!v->unit || !schema_unit_factor(attr->type, v->unit, &factor)) {
        Diagnostic *d = ck_error(ck, me, v->unit_span, "OH1009", "wrong unit `%s` for `%s`: expected %s",
                                 v->unit ? v->unit : "?", attr_path(ck, attr), schema_type_doc(attr->type));
        diag_label(ck->diag, d, "wrong unit");
        diag_help(ck->diag, d, "write it like `%s`", example);
        return false;
    }
    double n = v->number * (double)factor;
    if (n != floor(n) || !isfinite(n)) {
        Diagnostic *d = ck_error(ck, me, v->span, "OH1004", "wrong type for `%s`: expected a whole number of %s",
                                 attr_path(ck, attr), unit);
        diag_label(ck->diag, d, "not a whole number of %s", unit);
        return false;
    }
    return whole_number(ck, me, attr, v, n, out);
}

static bool check_address(Checker *ck, const MergedEntry *me, const SchemaAttr *attr, const Value *v, Checked *out)
{
    uint32_t addr;
    int prefix;
    bool is_cidr = attr->type == TY_CIDR;
    if (!parse_address(v->text ? v->text : "", &addr, &prefix) || (prefix >= 0) != is_cidr)
        return wrong_type(ck, me, attr, v);
    out->source = VS_LITERAL;
    out->text = v->text;
    if (!is_cidr)
        return true;
    if (prefix < attr->min_prefix || prefix > attr->max_prefix) {
        Diagnostic *d = ck_error(ck, me, v->span, "OH1005", "`%s` is out of range: the prefix must be from /%d to /%d",
                                 attr_path(ck, attr), attr->min_prefix, attr->max_prefix);
        diag_label(ck->diag, d, "a /%d network", prefix);
        return false;
    }
    if (addr & ~prefix_mask(prefix)) {
        const char *fixed = format_cidr(ck->arena, addr & prefix_mask(prefix), prefix);
        Diagnostic *d = ck_error(ck, me, v->span, "OH1007",
                                 "invalid `%s`: expected a network address with its host bits zero", attr_path(ck, attr));
        diag_label(ck->diag, d, "host bits set");
        diag_help(ck->diag, d, "did you mean `%s`?", fixed);
        return false;
    }
    return true;
}

static bool check_list(Checker *ck, const MergedEntry *me, const SchemaAttr *attr, const Value *v, Checked *out)
{
    out->source = VS_LITERAL;
    out->is_list = true;
    out->items = arena_alloc(ck->arena, (v->count + 1) * sizeof *out->items);
    out->spans = arena_alloc(ck->arena, (v->count + 1) * sizeof *out->spans);
    bool ok = true;
    for (size_t i = 0; i < v->count; i++) {
        Checked item = { 0 };
        if (!check_value(ck, me, attr->items, v->items[i], &item, false)) {
            ok = false;
            continue;
        }
        out->items[out->count] = item.text;
        out->spans[out->count++] = v->items[i]->span;
    }
    if (!ok)
        return false;
    long long n = (long long)v->count;
    if (n < attr->min_items || (attr->max_items && n > attr->max_items)) {
        const char *range = attr->max_items
                                ? arena_printf(ck->arena, "from %lld to %lld items", attr->min_items, attr->max_items)
                                : arena_printf(ck->arena, "at least %lld items", attr->min_items);
        Diagnostic *d = ck_error(ck, me, v->span, "OH1005", "`%s` is out of range: must have %s, found %lld",
                                 attr_path(ck, attr), range, n);
        diag_label(ck->diag, d, "%lld item%s", n, n == 1 ? "" : "s");
        return false;
    }
    return true;
}

/* param("Name") / param("Name", default) / secret("id") / secret("id", "key") */
static bool check_call(Checker *ck, const MergedEntry *me, const SchemaAttr *attr, const Value *v, Checked *out)
{
    const char *fn = v->text ? v->text : "";
    bool is_param = strcmp(fn, "param") == 0, is_secret = strcmp(fn, "secret") == 0;
    if (!(is_param && attr->param) && !(is_secret && attr->secret))
        return wrong_type(ck, me, attr, v);
    if (v->count < 1 || v->count > 2 || v->items[0]->kind != VK_STRING) {
        Diagnostic *d = ck_error(ck, me, v->span, "OH1004", "wrong arguments to `%s`: expected %s", fn,
                                 is_param ? "a quoted parameter name and an optional default"
                                          : "a quoted secret name or ARN and an optional quoted JSON key");
        diag_label(ck->diag, d, "%zu argument%s", v->count, v->count == 1 ? "" : "s");
        return false;
    }
    const Value *first = v->items[0];
    const char *pattern = is_param ? "param_name" : "secret_id";
    if (!schema_pattern_match(pattern, first->text)) {
        Diagnostic *d = ck_error(ck, me, first->span, "OH1007", "invalid %s in `%s`: expected %s",
                                 is_param ? "parameter name" : "secret id", attr_path(ck, attr),
                                 schema_pattern_expected(pattern));
        diag_label(ck->diag, d, "does not match");
        return false;
    }
    out->source = is_param ? VS_PARAM : VS_SECRET;
    out->text = first->text;
    if (v->count == 1)
        return true;
    const Value *second = v->items[1];
    if (is_param) {
        if (!attr->literal) {   /* a default would put the value itself into the template */
            Diagnostic *d = ck_error(ck, me, second->span, "OH1004",
                                     "wrong arguments to `param` for `%s`: expected only a parameter name",
                                     attr_path(ck, attr));
            diag_label(ck->diag, d, "`%s` takes no default", attr_path(ck, attr));
            return false;
        }
        Checked def = { 0 };
        if (!check_value(ck, me, attr, second, &def, false))
            return false;
        out->param_default = def.text;
        return true;
    }
    if (second->kind != VK_STRING || !schema_pattern_match("secret_key", second->text)) {
        Diagnostic *d = ck_error(ck, me, second->span, second->kind == VK_STRING ? "OH1007" : "OH1004",
                                 "invalid JSON key in `%s`: expected %s", attr_path(ck, attr),
                                 schema_pattern_expected("secret_key"));
        diag_label(ck->diag, d, "not a JSON key");
        return false;
    }
    out->secret_key = second->text;
    return true;
}

/* Does a value of kind K fit TYPE at all (before range, pattern and unit checks)? The
 * schema's "types" table says which value kinds each type accepts. */
static bool kind_fits(SchemaType type, ValueKind k)
{
    return schema_type_accepts(type, value_kind_names[k]);
}

static bool check_value(Checker *ck, const MergedEntry *me, const SchemaAttr *attr, const Value *v, Checked *out,
                        bool calls_allowed)
{
    if (v->kind == VK_CALL) {
        if (!calls_allowed)
            return wrong_type(ck, me, attr, v);
        return check_call(ck, me, attr, v, out);
    }
    if (attr->alternative && !kind_fits(attr->type, v->kind) && kind_fits(attr->alternative->type, v->kind))
        return check_value(ck, me, attr->alternative, v, out, false);
    if (!attr->literal || !kind_fits(attr->type, v->kind))
        return wrong_type(ck, me, attr, v);
    switch (attr->type) {
    case TY_STRING:
    case TY_WORD: return check_text(ck, me, attr, v, out);
    case TY_ENUM: return check_enum(ck, me, attr, v, out);
    case TY_INT: return check_int(ck, me, attr, v, out);
    case TY_BOOL:
        out->source = VS_LITERAL;
        out->boolean = v->boolean;
        out->text = v->boolean ? "true" : "false";
        return true;
    case TY_SIZE:
    case TY_RATE:
    case TY_DURATION:
    case TY_DAYS: return check_quantity(ck, me, attr, v, out);
    case TY_CIDR:
    case TY_IP: return check_address(ck, me, attr, v, out);
    case TY_LIST: return check_list(ck, me, attr, v, out);
    case TY_BLOCK:
    case TY__COUNT: break;
    }
    return wrong_type(ck, me, attr, v);
}

/* ---------------------------------------------------------------- storing into the model */

static Origin *field_origin(Cluster *c, const FieldMap *f)
{
    void *p = field_ptr(c, f->offset);
    switch (f->kind) {
    case FK_STR: return &((StrAttr *)p)->origin;
    case FK_INT:
    case FK_ZONES: return &((IntAttr *)p)->origin;
    case FK_BOOL: return &((BoolAttr *)p)->origin;
    case FK_ENUM: return &((EnumAttr *)p)->origin;
    case FK_LIST: return &((StrList *)p)->origin;
    case FK_CIDR: return &((Cidr *)p)->origin;
    case FK_BLOCK:
    case FK_TAGS:
    case FK_FORM:
    case FK_MARKER: return NULL;
    }
    return NULL;
}

static void store_list(StrList *list, const Checked *v)
{
    list->items = v->items;
    list->spans = v->spans;
    list->count = v->count;
}

/* Is TEXT one of ATTR's literal words, which leave the model value unset (vpc = new)? */
static bool means_none(const SchemaAttr *attr, const char *text)
{
    for (size_t i = 0; text && i < attr->literal_count; i++)
        if (strcmp(text, attr->literals[i]) == 0)
            return true;
    return false;
}

static void store(Checker *ck, const Slot *slot, const Checked *v, Origin origin)
{
    Cluster *c = ck->cluster;
    const FieldMap *f = slot->field;
    void *p = field_ptr(c, f->offset);
    switch (f->kind) {
    case FK_STR: {
        StrAttr *s = p;
        s->source = v->source == VS_LITERAL && means_none(slot->attr, v->text) ? VS_NONE : v->source;
        s->text = v->text;
        s->param_default = v->param_default;
        s->secret_key = v->secret_key;
        break;
    }
    case FK_INT: ((IntAttr *)p)->value = v->number; break;
    case FK_BOOL: ((BoolAttr *)p)->value = v->boolean; break;
    case FK_ENUM: ((EnumAttr *)p)->value = v->enum_index; break;
    case FK_LIST: store_list(p, v); break;
    case FK_CIDR: {
        Cidr *cidr = p;
        if (!parse_address(v->text, &cidr->address, &cidr->prefix))
            BUG("cidr `%s` reached the model unchecked", v->text);
        break;
    }
    case FK_ZONES: {
        StrList *names = field_ptr(c, f->offset2);
        if (v->is_list) {
            store_list(names, v);
            names->origin = origin;
        }
        ((IntAttr *)p)->value = v->is_list ? (long long)v->count : v->number;
        break;
    }
    case FK_BLOCK:
    case FK_TAGS:
    case FK_FORM:
    case FK_MARKER: return;
    }
    Origin *o = field_origin(c, f);
    if (o)
        *o = origin;
}

/* The value of a filled slot as text, for the schema's conditions and `by` defaults. */
static const char *slot_text(Checker *ck, const Slot *s)
{
    const FieldMap *f = s->field;
    const void *p = field_ptr(ck->cluster, f->offset);
    switch (f->kind) {
    case FK_STR: return ((const StrAttr *)p)->text;   /* NULL when unset; `new` for vpc = new */
    case FK_INT:
    case FK_ZONES: return arena_printf(ck->arena, "%lld", ((const IntAttr *)p)->value);
    case FK_BOOL: return ((const BoolAttr *)p)->value ? "true" : "false";
    case FK_ENUM: {
        int i = ((const EnumAttr *)p)->value;
        return i >= 0 && (size_t)i < s->attr->value_count ? s->attr->values[i] : NULL;
    }
    case FK_CIDR: {
        const Cidr *cidr = p;
        return format_cidr(ck->arena, cidr->address, cidr->prefix);
    }
    case FK_MARKER: return s->written ? "true" : NULL;
    case FK_LIST:
    case FK_BLOCK:
    case FK_TAGS:
    case FK_FORM: return NULL;
    }
    return NULL;
}

/* ---------------------------------------------------------------- the field map and the schema agree */

static const FieldMap *field_for(const char *block, const char *attr, FieldKind kind_if_block)
{
    for (size_t i = 0; i < FIELD_COUNT; i++) {
        const FieldMap *f = &field_map[i];
        if (strcmp(f->block, block) != 0)
            continue;
        if (attr ? (f->attr && strcmp(f->attr, attr) == 0) : (!f->attr && f->kind == kind_if_block))
            return f;
    }
    return NULL;
}

static void check_field_map(const Schema *schema)
{
    size_t matched = 0;
    for (size_t b = 0; b < schema->block_count; b++) {
        const SchemaBlock *block = &schema->blocks[b];
        for (size_t a = 0; a < block->attr_count; a++) {
            if (!field_for(block->name, block->attrs[a].name, FK_BLOCK))
                BUG("schema attribute %s.%s has no Cluster field", block->name, block->attrs[a].name);
            matched++;
        }
    }
    for (size_t i = 0; i < FIELD_COUNT; i++) {
        const FieldMap *f = &field_map[i];
        const SchemaBlock *block = schema_block(f->block);
        if (!block || (f->attr && !schema_attr(block, f->attr)))
            BUG("field map row %s.%s is not in the schema", f->block, f->attr ? f->attr : "");
    }
    if (matched != schema->attr_count)
        BUG("schema has %zu attributes, field map covers %zu", schema->attr_count, matched);
}

#define MODEL_MAX_ATTRS 512

/* The field of every schema attribute, by the attribute's index. The schema and the field
 * map are constant, so they are matched (and checked against each other) once per run,
 * not for every cluster. */
static const FieldMap *const *attribute_fields(const Schema *schema)
{
    static const FieldMap *fields[MODEL_MAX_ATTRS];
    static bool ready;
    if (ready)
        return fields;
    if (schema->attr_count > MODEL_MAX_ATTRS)
        BUG("schema has %zu attributes, more than %d", schema->attr_count, MODEL_MAX_ATTRS);
    check_field_map(schema);
    for (size_t b = 0; b < schema->block_count; b++) {
        const SchemaBlock *block = &schema->blocks[b];
        for (size_t a = 0; a < block->attr_count; a++)
            fields[block->attrs[a].index] = field_for(block->name, block->attrs[a].name, FK_BLOCK);
    }
    ready = true;
    return fields;
}

/* ---------------------------------------------------------------- walking the merged body */

static void check_attr_entry(Checker *ck, const SchemaBlock *block, const MergedEntry *me);

static bool is_block_name(const Checker *ck, const char *name)
{
    for (size_t i = 0; i < ck->schema->block_name_count; i++)
        if (strcmp(ck->schema->block_names[i], name) == 0)
            return true;
    return false;
}

/* For an unknown attribute: the block where an attribute of that name lives, if any. */
static const SchemaBlock *home_block(const Checker *ck, const char *name, const SchemaBlock *not_this)
{
    for (size_t b = 0; b < ck->schema->block_count; b++) {
        const SchemaBlock *block = &ck->schema->blocks[b];
        if (block != not_this && schema_attr(block, name))
            return block;
    }
    return NULL;
}

static void unknown_attribute(Checker *ck, const SchemaBlock *block, const MergedEntry *me)
{
    const Entry *e = me->entry;
    Diagnostic *d = block->top
                        ? ck_error(ck, me, e->name_span, "OH1002", "unknown attribute `%s`", e->name)
                        : ck_error(ck, me, e->name_span, "OH1002", "unknown attribute `%s` in `%s`", e->name, block->name);
    diag_label(ck->diag, d, "unknown attribute");
    const char *best = did_you_mean(e->name, block->attr_names, block->attr_count);
    const SchemaBlock *home = home_block(ck, e->name, block);
    if (best)
        diag_help(ck->diag, d, "did you mean `%s`?", best);
    else if (home && home->top)
        diag_help(ck->diag, d, "`%s` is written at the top level of the cluster", e->name);
    else if (home)
        diag_help(ck->diag, d, "`%s` belongs in the `%s` block", e->name, home->name);
    else
        diag_help(ck->diag, d, "`%s` takes %s", block->top ? "a cluster" : block->name,
                  join_values(ck, block->attr_names, block->attr_count));
}

static void unknown_block(Checker *ck, const SchemaBlock *parent, const MergedEntry *me)
{
    const Entry *e = me->entry;
    Diagnostic *d = parent->top
                        ? ck_error(ck, me, e->name_span, "OH1001", "unknown block `%s`", e->name)
                        : ck_error(ck, me, e->name_span, "OH1001", "unknown block `%s` in `%s`", e->name, parent->name);
    diag_label(ck->diag, d, "unknown block");
    if (parent->top)
        help_did_you_mean(ck, d, e->name, ck->schema->block_names, ck->schema->block_name_count);
    else if (is_block_name(ck, e->name))
        diag_help(ck->diag, d, "blocks do not nest: write `%s { … }` at the top level of the cluster", e->name);
}

static void check_tags(Checker *ck, const SchemaBlock *block, const MergedEntry *me)
{
    Cluster *c = ck->cluster;
    const MergedBody *body = me->block;
    size_t n = body ? body->count : 0;
    c->tags = arena_alloc(ck->arena, (n + 1) * sizeof *c->tags);
    for (size_t i = 0; i < n; i++) {
        const MergedEntry *t = &body->entries[i];
        const Entry *e = t->entry;
        if (e->kind == EK_BLOCK) {
            Diagnostic *d = ck_error(ck, t, e->name_span, "OH1004", "wrong type for tag `%s`: expected a quoted string, found a block",
                                     e->name);
            diag_label(ck->diag, d, "expected a quoted string");
            continue;
        }
        if (!schema_pattern_match(block->key_pattern, e->name)) {
            Diagnostic *d = ck_error(ck, t, e->name_span, "OH1007", "invalid tag key `%s`: expected %s", e->name,
                                     schema_pattern_expected(block->key_pattern));
            diag_label(ck->diag, d, "does not match");
            continue;
        }
        SchemaAttr *key_attr = arena_alloc(ck->arena, sizeof *key_attr);
        *key_attr = *block->free_attr;
        key_attr->name = e->name;       /* messages then say `tags.team` */
        Checked v = { 0 };
        if (!e->value || !check_value(ck, t, key_attr, e->value, &v, false))
            continue;
        Tag *tag = &c->tags[c->tag_count++];
        tag->key = e->name;
        tag->value = v.text;
        tag->origin = origin_written(t);
    }
    if (block->max_entries && n > block->max_entries) {
        Diagnostic *d = ck_error(ck, NULL, me->entry->name_span, "OH1005", "too many tags: at most %zu, found %zu",
                                 block->max_entries, n);
        diag_label(ck->diag, d, "%zu tags", n);
        diag_help(ck->diag, d, "AWS allows 50 tags per resource and octohac adds `octohac:cluster`");
    }
}

static void check_block_entry(Checker *ck, const SchemaBlock *top, const MergedEntry *me)
{
    const Entry *e = me->entry;
    const SchemaBlock *block = schema_block(e->name);
    if (!block || block->top) {
        const SchemaAttr *attr = schema_attr(top, e->name);
        if (attr) {
            Diagnostic *d = ck_error(ck, me, e->name_span, "OH1004", "wrong type for `%s`: expected %s, found a block",
                                     e->name, expected_text(ck, attr));
            diag_label(ck->diag, d, "`%s` is an attribute", e->name);
            diag_help(ck->diag, d, "write `%s = …`", e->name);
        } else {
            unknown_block(ck, top, me);
        }
        return;
    }
    ck->blocks[block_index(ck, block)] = me;
    if (block->free_attr) {
        check_tags(ck, block, me);
        return;
    }
    for (size_t i = 0; me->block && i < me->block->count; i++)
        check_attr_entry(ck, block, &me->block->entries[i]);
}

static void check_attr_entry(Checker *ck, const SchemaBlock *block, const MergedEntry *me)
{
    const Entry *e = me->entry;
    const SchemaAttr *attr = schema_attr(block, e->name);
    if (!attr) {
        if (e->kind == EK_BLOCK)
            unknown_block(ck, block, me);
        else if (block->top && is_block_name(ck, e->name)) {
            Diagnostic *d = ck_error(ck, me, e->name_span, "OH1004",
                                     "wrong type for `%s`: expected a block, found %s", e->name, found_kind(ck, e->value));
            diag_label(ck->diag, d, "`%s` is a block", e->name);
            diag_help(ck->diag, d, "write `%s { … }`", e->name);
        } else
            unknown_attribute(ck, block, me);
        return;
    }
    if (e->kind == EK_BLOCK) {
        Diagnostic *d = ck_error(ck, me, e->name_span, "OH1004", "wrong type for `%s`: expected %s, found a block",
                                 attr_path(ck, attr), expected_text(ck, attr));
        diag_label(ck->diag, d, "`%s` is an attribute", e->name);
        diag_help(ck->diag, d, "write `%s = …`", e->name);
        return;
    }
    Slot *s = slot_of(ck, attr);
    s->me = me;
    Checked v = { 0 };
    if (!e->value || !check_value(ck, me, attr, e->value, &v, attr->param || attr->secret))
        return;
    store(ck, s, &v, origin_written(me));
    s->written = s->filled = true;
}

static void walk_cluster(Checker *ck)
{
    const SchemaBlock *top = schema_block("cluster");
    if (!top)
        BUG("schema has no \"cluster\" block");
    const MergedBody *body = &ck->decl->body;
    for (size_t i = 0; i < body->count; i++) {
        const MergedEntry *me = &body->entries[i];
        if (!me->entry)
            continue;
        if (me->entry->kind == EK_BLOCK)
            check_block_entry(ck, top, me);
        else
            check_attr_entry(ck, top, me);
    }
}

/* ---------------------------------------------------------------- defaults */

static Slot *slot_by_path(Checker *ck, const SchemaBlock *here, const char *path)
{
    const char *dot = strchr(path, '.');
    const SchemaBlock *block = here;
    const char *name = path;
    if (dot) {
        block = schema_block(arena_strndup(ck->arena, path, (size_t)(dot - path)));
        name = dot + 1;
    }
    const SchemaAttr *attr = block ? schema_attr(block, name) : NULL;
    if (!attr)
        BUG("schema refers to unknown attribute \"%s\"", path);
    return slot_of(ck, attr);
}

static void fill(Checker *ck, Slot *s);

static const char *resolved_text(Checker *ck, const SchemaBlock *here, const char *path)
{
    Slot *s = slot_by_path(ck, here, path);
    fill(ck, s);
    return slot_text(ck, s);
}

/* A JSON default value as a Checked value of ATTR's type. */
static void default_from_json(Checker *ck, const SchemaAttr *attr, const cJSON *json, Checked *out)
{
    out->source = VS_LITERAL;
    if (cJSON_IsBool(json)) {
        out->boolean = cJSON_IsTrue(json);
        out->text = out->boolean ? "true" : "false";
    } else if (cJSON_IsNumber(json)) {
        out->number = (long long)json->valuedouble;
    } else if (cJSON_IsString(json)) {
        out->text = json->valuestring;
        for (size_t i = 0; attr->type == TY_ENUM && i < attr->value_count; i++)
            if (strcmp(attr->values[i], out->text) == 0)
                out->enum_index = (int)i;
    } else if (cJSON_IsArray(json)) {
        out->is_list = true;
        out->count = (size_t)cJSON_GetArraySize(json);
        out->items = arena_alloc(ck->arena, (out->count + 1) * sizeof *out->items);
        out->spans = arena_alloc(ck->arena, (out->count + 1) * sizeof *out->spans);
        for (size_t i = 0; i < out->count; i++)
            out->items[i] = cJSON_GetArrayItem(json, (int)i)->valuestring;
    } else {
        BUG("default of %s is not a plain value", attr->name);
    }
}

/* {"copy": path}: another attribute's value (a list, or one item of a single value). */
static void default_copy(Checker *ck, const SchemaAttr *attr, const char *path, Checked *out)
{
    Slot *src = slot_by_path(ck, attr->block, path);
    fill(ck, src);
    out->source = VS_LITERAL;
    out->is_list = true;
    if (src->field->kind == FK_LIST) {
        const StrList *l = field_ptr(ck->cluster, src->field->offset);
        out->items = l->items;
        out->count = l->count;
    } else {
        out->items = arena_alloc(ck->arena, 2 * sizeof *out->items);
        out->items[0] = slot_text(ck, src);
        out->count = out->items[0] ? 1 : 0;
    }
    out->spans = arena_alloc(ck->arena, (out->count + 1) * sizeof *out->spans);
}

/* Computes ATTR's default into OUT; false when it has none (the field stays empty). */
static bool default_value(Checker *ck, const SchemaAttr *attr, const cJSON *json, Checked *out)
{
    if (!json || cJSON_IsNull(json))
        return false;
    if (!cJSON_IsObject(json)) {
        default_from_json(ck, attr, json, out);
        return true;
    }
    const cJSON *by = cJSON_GetObjectItemCaseSensitive(json, "by");
    if (cJSON_IsString(by)) {
        const char *key = resolved_text(ck, attr->block, by->valuestring);
        const cJSON *cases = cJSON_GetObjectItemCaseSensitive(json, "cases");
        return key && default_value(ck, attr, cJSON_GetObjectItemCaseSensitive(cases, key), out);
    }
    const cJSON *item;
    if ((item = cJSON_GetObjectItemCaseSensitive(json, "copy"))) {
        default_copy(ck, attr, item->valuestring, out);
        return true;
    }
    if ((item = cJSON_GetObjectItemCaseSensitive(json, "scale"))) {
        Slot *src = slot_by_path(ck, attr->block, item->valuestring);
        fill(ck, src);
        long long base = ((const IntAttr *)field_ptr(ck->cluster, src->field->offset))->value;
        long long factor = (long long)cJSON_GetObjectItemCaseSensitive(json, "factor")->valuedouble;
        long long max = (long long)cJSON_GetObjectItemCaseSensitive(json, "max")->valuedouble;
        out->source = VS_LITERAL;
        out->number = base * factor < max ? base * factor : max;
        return true;
    }
    if ((item = cJSON_GetObjectItemCaseSensitive(json, "param"))) {
        out->source = VS_PARAM;
        out->text = item->valuestring;
        return true;
    }
    if ((item = cJSON_GetObjectItemCaseSensitive(json, "format"))) {
        const char *fmt = item->valuestring, *hole = strstr(fmt, "{cluster}");
        out->source = VS_LITERAL;
        out->text = hole ? arena_printf(ck->arena, "%.*s%s%s", (int)(hole - fmt), fmt, ck->cluster->name,
                                        hole + strlen("{cluster}"))
                         : fmt;
        return true;
    }
    BUG("default of %s has an unknown form", attr->name);
}

static void fill(Checker *ck, Slot *s)
{
    if (s->filled)
        return;
    if (s->filling)
        BUG("schema defaults of %s depend on each other", s->attr->name);
    s->filling = true;
    Checked v = { 0 };
    Origin origin = origin_default(ck, s->attr);
    if (default_value(ck, s->attr, s->attr->default_value, &v))
        store(ck, s, &v, origin);
    else {
        Origin *o = field_origin(ck->cluster, s->field);
        if (o)
            *o = origin;
    }
    s->filling = false;
    s->filled = true;
}

static void fill_defaults(Checker *ck)
{
    for (size_t i = 0; i < ck->schema->attr_count; i++)
        fill(ck, &ck->slots[i]);
    for (size_t i = 0; i < FIELD_COUNT; i++)
        if (field_map[i].kind == FK_BLOCK) {
            const SchemaBlock *b = schema_block(field_map[i].block);
            *(Span *)field_ptr(ck->cluster, field_map[i].offset) = block_span(ck, b);
            if (field_map[i].offset2)       /* a block whose presence turns a feature on */
                *(bool *)field_ptr(ck->cluster, field_map[i].offset2) = ck->blocks[block_index(ck, b)] != NULL;
        }
}

/* ---------------------------------------------------------------- conditions and combinations */

/* {"path", "is"|"not"} or {"all": [...]}: is it true of the filled model? */
static bool condition_holds(Checker *ck, const SchemaBlock *here, const cJSON *cond)
{
    const cJSON *all = cJSON_GetObjectItemCaseSensitive(cond, "all");
    if (all) {
        const cJSON *item;
        cJSON_ArrayForEach(item, all) if (!condition_holds(ck, here, item)) return false;
        return true;
    }
    const char *path = cJSON_GetObjectItemCaseSensitive(cond, "path")->valuestring;
    const char *value = resolved_text(ck, here, path);
    const cJSON *is = cJSON_GetObjectItemCaseSensitive(cond, "is");
    const cJSON *not = cJSON_GetObjectItemCaseSensitive(cond, "not");
    if (is)
        return value && strcmp(value, is->valuestring) == 0;
    return !value || strcmp(value, not->valuestring) != 0;
}

static const char *condition_text(Checker *ck, const SchemaBlock *here, const cJSON *cond)
{
    const cJSON *all = cJSON_GetObjectItemCaseSensitive(cond, "all");
    if (all) {
        const char *out = "";
        const cJSON *item;
        cJSON_ArrayForEach(item, all)
            out = arena_printf(ck->arena, "%s%s%s", out, *out ? " and " : "", condition_text(ck, here, item));
        return out;
    }
    Slot *s = slot_by_path(ck, here, cJSON_GetObjectItemCaseSensitive(cond, "path")->valuestring);
    const cJSON *is = cJSON_GetObjectItemCaseSensitive(cond, "is");
    const cJSON *not = cJSON_GetObjectItemCaseSensitive(cond, "not");
    return arena_printf(ck->arena, "`%s` is %s`%s`", attr_path(ck, s->attr), is ? "" : "not ",
                        is ? is->valuestring : not->valuestring);
}

static const char *example_line(const SchemaAttr *attr, Arena *arena)
{
    return arena_printf(arena, "%s = %s", attr->name, attr->example ? attr->example : "…");
}

/* OH1008 points where the attribute can be added: the block, or the cluster name when
 * the block is missing or a profile brought it (a profile may be std/profiles, which the
 * user does not edit; a block in the cluster's body adds to the profile's). */
static void missing(Checker *ck, const SchemaAttr *attr, const char *why)
{
    const SchemaBlock *block = attr->block;
    const MergedEntry *bme = block->top ? NULL : ck->blocks[block_index(ck, block)];
    bool in_block = block->top || (bme && !bme->via);
    Span span = in_block ? block_span(ck, block) : ck->cluster->name_span;
    Diagnostic *d = why ? ck_error(ck, bme, span, "OH1008", "missing `%s`, required %s", attr_path(ck, attr), why)
                        : ck_error(ck, bme, span, "OH1008", "missing required attribute `%s`", attr_path(ck, attr));
    diag_label(ck->diag, d, in_block ? "`%s` needed in this block" : "`%s` needed in this cluster", attr->name);
    if (bme && bme->via)
        diag_note(ck->diag, d, bme->entry->name_span, "the `%s` block comes from this profile", block->name);
    if (in_block)
        diag_help(ck->diag, d, "add `%s`", example_line(attr, ck->arena));
    else
        diag_help(ck->diag, d, "add `%s { %s }` to the cluster", block->name, example_line(attr, ck->arena));
}

static void check_required(Checker *ck)
{
    for (size_t i = 0; i < ck->schema->attr_count; i++) {
        Slot *s = &ck->slots[i];
        if (s->me)
            continue;
        if (s->attr->required)
            missing(ck, s->attr, NULL);
        else if (s->attr->required_when && condition_holds(ck, s->attr->block, s->attr->required_when))
            missing(ck, s->attr, arena_printf(ck->arena, "when %s",
                                              condition_text(ck, s->attr->block, s->attr->required_when)));
    }
}

static void check_at_least(Checker *ck)
{
    for (size_t i = 0; i < ck->schema->attr_count; i++) {
        Slot *s = &ck->slots[i];
        if (!s->written || !s->attr->at_least)
            continue;
        Slot *other = slot_by_path(ck, s->attr->block, s->attr->at_least);
        long long mine = ((const IntAttr *)field_ptr(ck->cluster, s->field->offset))->value;
        long long theirs = ((const IntAttr *)field_ptr(ck->cluster, other->field->offset))->value;
        if (mine >= theirs)
            continue;
        Diagnostic *d = ck_error(ck, s->me, s->me->entry->value->span, "OH1005",
                                 "`%s` is out of range: must be at least `%s` (%s)", attr_path(ck, s->attr),
                                 attr_path(ck, other->attr), format_number(ck, other->attr, theirs));
        diag_label(ck->diag, d, "below `%s`", other->attr->name);
        if (other->written)
            diag_secondary(ck->diag, d, other->me->entry->value->span, "`%s` is set here", other->attr->name);
    }
}

/* The span and words that explain why SLOT has its value, for a secondary label. */
static void label_cause(Checker *ck, Diagnostic *d, Slot *s)
{
    if (s->written) {
        diag_secondary(ck->diag, d, s->me->entry->value->span, "`%s` is set here", attr_path(ck, s->attr));
        Origin o = origin_written(s->me);
        model_note_origin(ck->diag, d, &o);
        return;
    }
    const cJSON *by = cJSON_GetObjectItemCaseSensitive(s->attr->default_value, "by");
    if (!cJSON_IsString(by))
        return;
    Slot *cause = slot_by_path(ck, s->attr->block, by->valuestring);
    if (cause->written)
        diag_secondary(ck->diag, d, cause->me->entry->value->span, "this makes `%s` default to `%s`",
                       attr_path(ck, s->attr), slot_text(ck, s));
}

/* Forgets a value a later layer overrides, so that fill_defaults gives it its default. */
static void drop(Slot *s)
{
    s->written = false;
    s->filled = false;
}

static bool in_names(const cJSON *names, const char *name)
{
    const cJSON *item;
    cJSON_ArrayForEach(item, names) if (strcmp(item->valuestring, name) == 0) return true;
    return false;
}

/* One row of a block's "exclusive": ATTRIBUTE (when its value is / is not X) excludes others. */
static void check_exclusive_rule(Checker *ck, const SchemaBlock *block, const cJSON *rule)
{
    Slot *a = slot_by_path(ck, block, cJSON_GetObjectItemCaseSensitive(rule, "attribute")->valuestring);
    const cJSON *when = cJSON_GetObjectItemCaseSensitive(rule, "when");
    const cJSON *unless = cJSON_GetObjectItemCaseSensitive(rule, "unless");
    fill(ck, a);
    const char *value = slot_text(ck, a);
    bool active = when ? value && strcmp(value, when->valuestring) == 0
                : unless ? a->written && value && strcmp(value, unless->valuestring) != 0
                         : a->written;
    if (!active)
        return;
    const cJSON *excludes = cJSON_GetObjectItemCaseSensitive(rule, "excludes");
    const char *message = cJSON_GetObjectItemCaseSensitive(rule, "message")->valuestring;
    const char *help = cJSON_GetObjectItemCaseSensitive(rule, "help")->valuestring;
    for (size_t i = 0; i < block->attr_count; i++) {
        Slot *other = slot_of(ck, &block->attrs[i]);
        if (other == a || !other->me || (cJSON_IsArray(excludes) && !in_names(excludes, other->attr->name)))
            continue;
        if (a->written && layer_of(ck, other->me) < layer_of(ck, a->me)) {
            drop(other);    /* a profile's value that the later `existing` replaces */
            continue;
        }
        const char *hole = strstr(message, "{other}");
        const char *text = hole ? arena_printf(ck->arena, "%.*s%s%s", (int)(hole - message), message,
                                               other->attr->name, hole + strlen("{other}"))
                                : message;
        Diagnostic *d = ck_error(ck, other->me, other->me->entry->span, "OH1010", "%s", text);
        diag_label(ck->diag, d, "excluded by `%s`", a->attr->name);
        label_cause(ck, d, a);
        diag_help(ck->diag, d, "%s", help);
    }
}

static bool marker_active(const Slot *s)
{
    if (!s->written)
        return false;
    if (s->attr->type == TY_BOOL)
        return s->me->entry->value->boolean;
    return true;
}

static const char *form_marker_text(Checker *ck, const Slot *s)
{
    return s->attr->type == TY_BOOL ? arena_printf(ck->arena, "`%s = true`", s->attr->name)
                                    : arena_printf(ck->arena, "`%s`", s->attr->name);
}

static bool is_form_marker(const SchemaBlock *block, const char *name)
{
    const cJSON *form;
    cJSON_ArrayForEach(form, block->forms) {
        if (strcmp(cJSON_GetObjectItemCaseSensitive(form, "marker")->valuestring, name) == 0)
            return true;
    }
    return false;
}

static void check_form_members(Checker *ck, const SchemaBlock *block, const cJSON *form, Slot *marker)
{
    const cJSON *attrs = cJSON_GetObjectItemCaseSensitive(form, "attributes");
    for (size_t i = 0; i < block->attr_count; i++) {
        Slot *s = slot_of(ck, &block->attrs[i]);
        if (!s->me || in_names(attrs, s->attr->name) || is_form_marker(block, s->attr->name))
            continue;   /* another form's marker is reported as a second form, or is `false` */
        if (layer_of(ck, s->me) < layer_of(ck, marker->me)) {
            drop(s);    /* an earlier profile's attribute of the form this cluster replaced */
            continue;
        }
        Diagnostic *d = ck_error(ck, s->me, s->me->entry->span, "OH1010",
                                 "`%s` does not belong to a `%s` with %s", s->attr->name, block->name,
                                 form_marker_text(ck, marker));
        diag_label(ck->diag, d, "not part of this form");
        diag_secondary(ck->diag, d, marker->me->entry->span, "this chooses the form");
        const char *names = "";
        const cJSON *item;
        cJSON_ArrayForEach(item, attrs)
            names = arena_printf(ck->arena, "%s%s`%s`", names, *names ? ", " : "", item->valuestring);
        diag_help(ck->diag, d, "this form takes %s", names);
    }
    const cJSON *required = cJSON_GetObjectItemCaseSensitive(form, "required");
    const cJSON *item;
    cJSON_ArrayForEach(item, required) {
        Slot *s = slot_by_path(ck, block, item->valuestring);
        if (!s->me)
            missing(ck, s->attr, arena_printf(ck->arena, "in a `%s` with %s", block->name,
                                              form_marker_text(ck, marker)));
    }
}

/* "`id`, `create = true` or `self_managed = true`": every form's marker. */
static const char *form_choices(Checker *ck, const SchemaBlock *block)
{
    const char *out = "";
    int n = cJSON_GetArraySize(block->forms), i = 0;
    const cJSON *form;
    cJSON_ArrayForEach(form, block->forms) {
        Slot *marker = slot_by_path(ck, block, cJSON_GetObjectItemCaseSensitive(form, "marker")->valuestring);
        out = arena_printf(ck->arena, "%s%s%s", out, i == 0 ? "" : i == n - 1 ? " or " : ", ",
                           marker->attr->type == TY_BOOL ? arena_printf(ck->arena, "`%s = true`", marker->attr->name)
                                                         : arena_printf(ck->arena, "`%s`", marker->attr->name));
        i++;
    }
    return out;
}

/* A block with forms but no marker: OH1008, unless it holds nothing but `false` markers. */
static void check_no_form(Checker *ck, const SchemaBlock *block)
{
    for (size_t i = 0; i < block->attr_count; i++) {
        Slot *s = slot_of(ck, &block->attrs[i]);
        if (!s->me || (is_form_marker(block, s->attr->name) && !marker_active(s)))
            continue;
        const MergedEntry *bme = ck->blocks[block_index(ck, block)];
        Diagnostic *d = ck_error(ck, bme, block_span(ck, block), "OH1008", "`%s` needs one of %s", block->name,
                                 form_choices(ck, block));
        diag_label(ck->diag, d, "no form chosen");
        diag_help(ck->diag, d, "add one of %s to choose how the `%s` is provided", form_choices(ck, block),
                  block->name);
        return;
    }
}

/* Exactly one form may be chosen; its index + 1 is the form field (0 = none). The form a
 * later layer chose (the cluster's own body over a profile) replaces an earlier one. */
static void check_forms(Checker *ck, const SchemaBlock *block)
{
    const FieldMap *f = field_for(block->name, NULL, FK_FORM);
    if (!f)
        BUG("block %s has forms but no form field", block->name);
    Slot *chosen = NULL;
    const cJSON *chosen_form = NULL, *form;
    int index = 0, chosen_index = 0;
    cJSON_ArrayForEach(form, block->forms) {
        index++;
        Slot *marker = slot_by_path(ck, block, cJSON_GetObjectItemCaseSensitive(form, "marker")->valuestring);
        if (marker_active(marker) && (!chosen || layer_of(ck, marker->me) > layer_of(ck, chosen->me))) {
            chosen = marker;
            chosen_form = form;
            chosen_index = index;
        }
    }
    *(int *)field_ptr(ck->cluster, f->offset) = chosen_index;
    if (!chosen) {
        check_no_form(ck, block);
        return;
    }
    cJSON_ArrayForEach(form, block->forms) {
        Slot *marker = slot_by_path(ck, block, cJSON_GetObjectItemCaseSensitive(form, "marker")->valuestring);
        if (marker == chosen || !marker_active(marker) || layer_of(ck, marker->me) < layer_of(ck, chosen->me))
            continue;
        Diagnostic *d = ck_error(ck, marker->me, marker->me->entry->span, "OH1010",
                                 "%s cannot be combined with %s: a `%s` has one form", form_marker_text(ck, marker),
                                 form_marker_text(ck, chosen), block->name);
        diag_label(ck->diag, d, "a second form");
        diag_secondary(ck->diag, d, chosen->me->entry->span, "the form chosen here");
        diag_help(ck->diag, d, "keep one of them");
    }
    check_form_members(ck, block, chosen_form, chosen);
}

static void check_combinations(Checker *ck)
{
    for (size_t b = 0; b < ck->schema->block_count; b++) {
        const SchemaBlock *block = &ck->schema->blocks[b];
        if (block->forms && ck->blocks[b])
            check_forms(ck, block);
        const cJSON *rule;
        cJSON_ArrayForEach(rule, block->exclusive) check_exclusive_rule(ck, block, rule);
    }
}

/* OH1006 for unknown codes and OH1011 for error codes in `allow`. */
static void check_allow(Checker *ck)
{
    const StrList *allow = &ck->cluster->allow;
    const MergedEntry *me = slot_by_path(ck, schema_block("cluster"), "allow")->me;
    const char **warnings = arena_alloc(ck->arena, (rule_info_count + 1) * sizeof *warnings);
    size_t warning_count = 0;
    for (size_t i = 0; i < rule_info_count; i++)
        if (rule_infos[i].severity != SEV_ERROR)
            warnings[warning_count++] = rule_infos[i].code;
    for (size_t i = 0; i < allow->count; i++) {
        const RuleInfo *info = rule_info(allow->items[i]);
        if (!info) {
            Diagnostic *d = ck_error(ck, me, allow->spans[i], "OH1006", "unknown diagnostic code `%s` in `allow`",
                                     allow->items[i]);
            diag_label(ck->diag, d, "no such code");
            help_did_you_mean(ck, d, allow->items[i], warnings, warning_count);
        } else if (info->severity == SEV_ERROR) {
            Diagnostic *d = ck_error(ck, me, allow->spans[i], "OH1011", "`%s` is an error and cannot be allowed",
                                     allow->items[i]);
            ck->allowed_errors++;
            diag_label(ck->diag, d, "an error: %s", info->title);
            diag_help(ck->diag, d, "only warnings can be silenced: fix what `%s` reports instead", allow->items[i]);
        }
    }
}

/* ---------------------------------------------------------------- duplicates (OH1003) */

static void check_duplicates(DiagCtx *diag, const Body *body, const char *where)
{
    for (size_t j = 0; body && j < body->count; j++) {
        const Entry *e = body->entries[j];
        if (!e || !e->name)
            continue;
        for (size_t i = 0; i < j; i++) {
            const Entry *first = body->entries[i];
            if (!first || !first->name || strcmp(first->name, e->name) != 0)
                continue;
            Diagnostic *d = where ? diag_error(diag, e->name_span, "OH1003", "`%s` is given twice in `%s`", e->name, where)
                                  : diag_error(diag, e->name_span, "OH1003", "`%s` is given twice", e->name);
            diag_label(diag, d, "given again here");
            diag_note(diag, d, first->name_span, "`%s` is first given here", e->name);
            diag_help(diag, d, "remove one of them");
            break;
        }
        if (e->kind == EK_BLOCK)
            check_duplicates(diag, e->body, e->name);
    }
}

void model_check_profile(const Item *profile, DiagCtx *diag)
{
    if (profile && profile->body)
        check_duplicates(diag, profile->body, NULL);
}

/* ---------------------------------------------------------------- entry points */

static void check_cluster_name(Checker *ck)
{
    const Name *name = &ck->decl->item->name;
    if (name->text && schema_pattern_match("cluster_name", name->text))
        return;
    Diagnostic *d = diag_error(ck->diag, name->span, "OH1007", "invalid cluster name `%s`: expected %s",
                               name->text ? name->text : "", schema_pattern_expected("cluster_name"));
    diag_label(ck->diag, d, "the name prefixes tags and resource names");
}

static void checker_init(Checker *ck, Arena *arena, const ClusterDecl *decl, DiagCtx *diag)
{
    memset(ck, 0, sizeof *ck);
    ck->arena = arena;
    ck->diag = diag;
    ck->decl = decl;
    ck->schema = schema_get();
    const FieldMap *const *fields = attribute_fields(ck->schema);
    Cluster *c = arena_alloc(arena, sizeof *c);
    c->decl = decl;
    c->name = decl->item->name.text ? decl->item->name.text : "";
    c->name_span = decl->item->name.span;
    c->src = decl->file ? decl->file->src : decl->item->span.src;
    ck->cluster = c;
    ck->slots = arena_alloc(arena, (ck->schema->attr_count + 1) * sizeof *ck->slots);
    ck->blocks = arena_alloc(arena, (ck->schema->block_count + 1) * sizeof *ck->blocks);
    for (size_t b = 0; b < ck->schema->block_count; b++) {
        const SchemaBlock *block = &ck->schema->blocks[b];
        for (size_t a = 0; a < block->attr_count; a++) {
            Slot *s = &ck->slots[block->attrs[a].index];
            s->attr = &block->attrs[a];
            s->field = fields[block->attrs[a].index];
        }
    }
}

Cluster *model_build(Arena *arena, const ClusterDecl *decl, DiagCtx *diag)
{
    size_t errors_before = diag->errors;
    Checker ck;
    checker_init(&ck, arena, decl, diag);
    check_cluster_name(&ck);
    check_duplicates(diag, decl->item->body, NULL);
    walk_cluster(&ck);
    check_combinations(&ck);    /* fills the attributes it decides on, drops overridden values */
    fill_defaults(&ck);
    ck.cluster->alerts.on = ck.cluster->alerts.on && ck.cluster->alerts.enabled.value;
    check_required(&ck);
    check_at_least(&ck);
    check_allow(&ck);
    /* an error code in `allow` (OH1011) changes no attribute: the model stays, so the rules
     * can still report the error the code names */
    return diag->errors - errors_before > ck.allowed_errors ? NULL : ck.cluster;
}

void model_note_origin(DiagCtx *diag, Diagnostic *d, const Origin *origin)
{
    if (!d || !origin || !origin->set || !span_valid(origin->via))
        return;
    const Span *via = &origin->via;
    const char *name = arena_strndup(diag->arena, via->src->text + via->start, via->end - via->start);
    diag_note(diag, d, origin->via, "set by profile `%s` through `uses` here", name);
}
