/* rules.c: the Octopus HA, AWS and security rules (OH2xxx, OH4001-OH4008) over the
 * checked Cluster model, and the explain text of every code in rules.md (rule_infos).
 * Each rule is a row {code, severity, check}; rules_check runs every row and no rule
 * stops another. Rules read only the model and the embedded data tables in schema/
 * (RDS classes per edition for OH2009, EC2 sizes for OH2014); they never see the AST.
 * Syntax (OH0), schema (OH1), template limits (OH3) and OH5001 are reported elsewhere. */
#include "octohac.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- data tables */

#define RDS_TABLE "schema/rds-sqlserver-instance-classes.json"
#define SIZE_TABLE "schema/instance-sizes.json"

/* Parsed on first use and kept for the run; rules_release frees them. */
static cJSON *rds_table, *size_table;

static cJSON *load_table(cJSON **slot, const char *path)
{
    if (!*slot) {
        const EmbeddedFile *file = embed_find(path);
        if (!file)
            BUG("embedded data table `%s` is missing", path);
        *slot = json_parse_lasting(file->data, file->size);
        if (!*slot)
            BUG("embedded data table `%s` is not valid JSON", path);
    }
    return *slot;
}

void rules_release(void)
{
    json_delete(rds_table);
    json_delete(size_table);
    rds_table = size_table = NULL;
}

/* An enum member as users write it (`sqlserver-ex`, `single-az-2`), from the schema. */
static const char *enum_name(const char *block, const char *attr, int value)
{
    const SchemaAttr *a = schema_attr(schema_block(block), attr);
    if (!a || value < 0 || (size_t)value >= a->value_count)
        BUG("no enum member %d for `%s.%s`", value, block, attr);
    return a->values[value];
}
static const char *engine_name(const Cluster *c) { return enum_name("database", "engine", c->database.engine.value); }
static const char *deployment_name(const Cluster *c) { return enum_name("storage", "deployment", c->storage.deployment.value); }

/* The SQL Server edition's product name, by DbEngine. */
static const char *const engine_titles[] = { "Standard", "Enterprise", "Express", "Web" };
static const char *engine_title(const Cluster *c)
{
    int e = c->database.engine.value;
    if (e < 0 || (size_t)e >= sizeof engine_titles / sizeof engine_titles[0])
        BUG("database engine %d out of range", e);
    return engine_titles[e];
}

/* The source text of SPAN (a value as written, quotes dropped) into BUF. */
static void span_text(Span span, char *buf, size_t cap)
{
    const char *text = span_valid(span) ? span.src->text + span.start : "";
    size_t len = span_valid(span) ? span.end - span.start : 0;
    if (len >= 2 && text[0] == '"' && text[len - 1] == '"') {
        text++;
        len -= 2;
    }
    snprintf(buf, cap, "%.*s", (int)(len < cap ? len : cap - 1), text);
}

/* ---------------------------------------------------------------- reporting */

typedef struct RuleCtx {
    const Cluster *c;
    DiagCtx *diag;
    const char *code;
    Severity severity;
} RuleCtx;

static Span origin_span(const RuleCtx *rc, const Origin *o)
{
    return span_valid(o->span) ? o->span : rc->c->name_span;
}

/* The whole `name = value` entry around a value's span, for secondary labels; a
 * default's span (a block or cluster name) is returned as it is. */
static Span entry_span(Span value)
{
    if (!span_valid(value))
        return value;
    const char *text = value.src->text;
    uint32_t i = value.start;
    while (i > 0 && (text[i - 1] == ' ' || text[i - 1] == '\t'))
        i--;
    if (i == 0 || text[i - 1] != '=')
        return value;
    i--;
    while (i > 0 && (text[i - 1] == ' ' || text[i - 1] == '\t'))
        i--;
    uint32_t name_end = i;
    while (i > 0 && (isalnum((unsigned char)text[i - 1]) || (text[i - 1] && strchr("_.-", text[i - 1]))))
        i--;
    if (i == name_end)
        return value;
    Span whole = value;
    whole.start = i;
    return whole;
}

OH_PRINTF(3, 0)
static Diagnostic *vreport(const RuleCtx *rc, Span span, const char *fmt, va_list ap)
{
    char message[512];
    vsnprintf(message, sizeof message, fmt, ap);
    return diag_report(rc->diag, rc->severity, span, rc->code, "%s", message);
}

/* Reports at the value ORIGIN describes, with the provenance note when a profile set it. */
OH_PRINTF(3, 4)
static Diagnostic *report_at(const RuleCtx *rc, const Origin *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    Diagnostic *d = vreport(rc, origin_span(rc, o), fmt, ap);
    va_end(ap);
    model_note_origin(rc->diag, d, o);
    return d;
}

OH_PRINTF(3, 4)
static Diagnostic *report_span(const RuleCtx *rc, Span span, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    Diagnostic *d = vreport(rc, span_valid(span) ? span : rc->c->name_span, fmt, ap);
    va_end(ap);
    return d;
}

/* A secondary span at the entry that ORIGIN wrote; nothing for a value nobody wrote. */
OH_PRINTF(4, 5)
static void also_at(const RuleCtx *rc, Diagnostic *d, const Origin *o, const char *fmt, ...)
{
    if (!o->set || !span_valid(o->span))
        return;
    char text[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    diag_secondary(rc->diag, d, entry_span(o->span), "%s", text);
}

static bool has_rds(const Cluster *c) { return c->database.existing.source == VS_NONE; }
static bool has_fsx(const Cluster *c) { return c->storage.existing.source == VS_NONE; }
static bool is_literal(const StrAttr *a) { return a->source == VS_LITERAL && a->text; }

/* ---------------------------------------------------------------- OH2: nodes and zones */

static void check_node_minimum(const RuleCtx *rc, const Cluster *c)       /* OH2001 */
{
    if (c->nodes.count.value >= 2)
        return;
    Diagnostic *d = report_at(rc, &c->nodes.count.origin,
                              "high availability needs at least 2 Octopus Server nodes, found %lld",
                              c->nodes.count.value);
    diag_label(rc->diag, d, "a single node is a single point of failure");
    diag_help(rc->diag, d, "set `count = 2` or more in `nodes`");
}

static void check_node_os(const RuleCtx *rc, const Cluster *c)            /* OH2002 */
{
    int os = c->nodes.os.value;
    if (os >= OS_2016 && os <= OS_2025)
        return;
    /* The model keeps an OS the schema leaves to this rule as -1; its text is the value as written. */
    char name[64];
    span_text(c->nodes.os.origin.span, name, sizeof name);
    Diagnostic *d = report_at(rc, &c->nodes.os.origin,
                              "Octopus Server HA needs Windows Server 2016 or later, not `%s`", name);
    diag_label(rc->diag, d, "not a supported node OS");
    diag_help(rc->diag, d, "use `os = windows-2022` (or windows-2016, windows-2019, windows-2025)");
}

static void check_polling_lb(const RuleCtx *rc, const Cluster *c)         /* OH2003 */
{
    if (!c->tentacles.polling.value || c->load_balancer.type.value == LB_NLB)
        return;
    bool alb = c->load_balancer.type.value == LB_ALB;
    Diagnostic *d = report_at(rc, &c->load_balancer.type.origin,
                              "polling tentacles need a Network Load Balancer");
    diag_label(rc->diag, d, "%s", alb
               ? "an Application Load Balancer terminates TLS, which breaks tentacle polling"
               : "a Classic Load Balancer cannot send a polling port to one node");
    also_at(rc, d, &c->tentacles.polling.origin, "polling is enabled here");
    diag_help(rc->diag, d, "remove `type` (octohac then uses an NLB) or set `type = nlb`");
}

static void check_zone_minimum(const RuleCtx *rc, const Cluster *c)       /* OH2004 */
{
    long long zones = c->network.zone_count.value;
    if (zones >= 2)
        return;
    Diagnostic *d = report_at(rc, &c->network.zone_count.origin,
                              "high availability needs at least 2 availability zones, found %lld", zones);
    diag_label(rc->diag, d, "one zone outage would stop the whole cluster");
    diag_help(rc->diag, d, "%s", c->network.zone_names.count
              ? "list at least two zone names in `zones`"
              : "set `zones = 2` or more in `network`");
}

static void check_node_maximum(const RuleCtx *rc, const Cluster *c)       /* OH2005 */
{
    if (c->nodes.count.value <= 8)
        return;
    Diagnostic *d = report_at(rc, &c->nodes.count.origin,
                              "a cluster of %lld nodes is larger than the 8 nodes Octopus has tested HA with",
                              c->nodes.count.value);
    diag_label(rc->diag, d, "beyond the tested size");
    diag_help(rc->diag, d, "use 8 nodes or fewer (with a larger `instance` or `task_cap` if you "
              "need capacity), or add `OH2005` to `allow` once you have tested this size");
}

static void check_zone_coverage(const RuleCtx *rc, const Cluster *c)      /* OH2017 */
{
    long long nodes = c->nodes.count.value, zones = c->network.zone_count.value;
    if (nodes >= zones || nodes < 2)             /* a single node is OH2001's */
        return;
    Diagnostic *d = report_at(rc, &c->network.zone_count.origin,
                              "%lld nodes in %lld availability zones leave %lld zone%s without a node",
                              nodes, zones, zones - nodes, zones - nodes == 1 ? "" : "s");
    diag_label(rc->diag, d, "%lld zones", zones);
    also_at(rc, d, &c->nodes.count.origin, "%lld nodes", nodes);
    diag_help(rc->diag, d, "set `nodes.count` to %lld or more, or use %lld zones", zones, nodes);
}

/* ---------------------------------------------------------------- OH2: the database */

static void check_db_single_az(const RuleCtx *rc, const Cluster *c)       /* OH2006 */
{
    if (!has_rds(c) || c->database.multi_az.value)
        return;
    int engine = c->database.engine.value;
    const Origin *o = &c->database.multi_az.origin;
    Diagnostic *d = report_at(rc, o->set ? o : &c->database.engine.origin,
                              "the database is not Multi-AZ: a zone outage stops every Octopus node");
    if (engine == ENG_EX || engine == ENG_WEB) {
        diag_label(rc->diag, d, "SQL Server %s is single-AZ on RDS", engine_title(c));
        diag_help(rc->diag, d, "use `engine = sqlserver-se` or `sqlserver-ee`, which run Multi-AZ by default");
    } else {
        diag_label(rc->diag, d, "single-AZ database");
        diag_help(rc->diag, d, "set `multi_az = true` in `database`");
    }
}

static void check_db_multi_az_edition(const RuleCtx *rc, const Cluster *c) /* OH2007 */
{
    int engine = c->database.engine.value;
    if (!has_rds(c) || !c->database.multi_az.value || (engine != ENG_EX && engine != ENG_WEB))
        return;
    Diagnostic *d = report_at(rc, &c->database.multi_az.origin,
                              "RDS offers Multi-AZ only for SQL Server Standard and Enterprise, not `%s`",
                              engine_name(c));
    diag_label(rc->diag, d, "Multi-AZ requested here");
    also_at(rc, d, &c->database.engine.origin, "SQL Server %s chosen here", engine_title(c));
    diag_help(rc->diag, d, "use `engine = sqlserver-se` (or `sqlserver-ee`), or set `multi_az = false`");
}

static void check_db_version(const RuleCtx *rc, const Cluster *c)         /* OH2008 */
{
    int version = c->database.version.value;
    if (!has_rds(c) || (version != SQL_2016 && version != SQL_2017))
        return;
    Diagnostic *d = report_at(rc, &c->database.version.origin,
                              "SQL Server %s has less than two years of Microsoft support left, "
                              "so Octopus does not support it", enum_name("database", "version", version));
    diag_label(rc->diag, d, "unsupported SQL Server version");
    diag_help(rc->diag, d, "set `version = 2022` (or 2019)");
}

/* RDS upgrades SQL Server in place but never downgrades: the engine version of a running
 * instance can only go up. Offline, the file's own floor is what can be checked; `plan`
 * compares the deployed template's version with the new one. */
static void check_db_downgrade(const RuleCtx *rc, const Cluster *c)        /* OH2028 */
{
    int version = c->database.version.value, floor = c->database.min_version.value;
    if (!has_rds(c) || version >= floor)
        return;
    const Origin *at = c->database.version.origin.set ? &c->database.version.origin : &c->database.min_version.origin;
    Diagnostic *d = report_at(rc, at, "SQL Server %s is older than `min_version = %s`, and RDS cannot downgrade a database",
                              enum_name("database", "version", version), enum_name("database", "min_version", floor));
    diag_label(rc->diag, d, at == &c->database.version.origin ? "a downgrade" : "the database's floor");
    if (at == &c->database.version.origin)
        also_at(rc, d, &c->database.min_version.origin, "the database runs %s or newer",
                enum_name("database", "min_version", floor));
    diag_help(rc->diag, d, "set `version = %s` or newer; an older SQL Server needs a new database restored from a "
              "backup taken with that version", enum_name("database", "min_version", floor));
}

/* Orders instance sizes: nano < micro < small < medium < large < xlarge < 2xlarge < … < metal. */
static long size_rank(const char *size)
{
    static const struct { const char *name; long rank; } named[] = {
        { "nano", 1 }, { "micro", 2 }, { "small", 3 }, { "medium", 4 }, { "large", 5 },
        { "xlarge", 100 }, { "metal", 1000000 },
    };
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (strcmp(size, named[i].name) == 0)
            return named[i].rank;
    char *end;
    long n = strtol(size, &end, 10);
    return strcmp(end, "xlarge") == 0 ? n * 100 : 0;
}

/* Orders instance classes by family, then by size within the family. */
static int compare_by_size(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    const char *sx = strrchr(x, '.'), *sy = strrchr(y, '.');
    size_t fx = sx ? (size_t)(sx - x) : strlen(x), fy = sy ? (size_t)(sy - y) : strlen(y);
    int family = strncmp(x, y, fx < fy ? fx : fy);
    if (family || fx != fy)
        return family ? family : (fx < fy ? -1 : 1);
    long rx = sx ? size_rank(sx + 1) : 0, ry = sy ? size_rank(sy + 1) : 0;
    return rx != ry ? (rx < ry ? -1 : 1) : strcmp(x, y);
}

/* "db.m6i.xlarge" -> the length of "db.m6i." (the family with its dot), or 0. */
static size_t family_prefix_len(const char *cls)
{
    const char *last = strrchr(cls, '.');
    return last ? (size_t)(last - cls) + 1 : 0;
}

/* Joins up to CAP bytes of `a`, `b`, … into LIST. */
static void join_names(char *list, size_t cap, const char *const *names, size_t n)
{
    size_t used = 0;
    list[0] = '\0';
    for (size_t i = 0; i < n && used + 64 < cap; i++)
        used += (size_t)snprintf(list + used, cap - used, "%s`%s`", i ? ", " : "", names[i]);
}

/* The help for OH2009: the sizes of the same family that the edition offers; else all its
 * classes when there are few (Express), else its families. */
static void help_db_classes(const RuleCtx *rc, Diagnostic *d, const cJSON *classes,
                            const char *engine, const char *wanted)
{
    enum { FEW = 12 };
    size_t prefix = family_prefix_len(wanted), n = 0, total = (size_t)cJSON_GetArraySize(classes);
    const char **names = oh_xmalloc((total ? total : 1) * sizeof *names);
    const cJSON *item;
    cJSON_ArrayForEach(item, classes)
        if (cJSON_IsString(item) && prefix && strncmp(item->valuestring, wanted, prefix) == 0)
            names[n++] = item->valuestring;
    char list[1024];
    if (n) {
        qsort(names, n, sizeof *names, compare_by_size);
        join_names(list, sizeof list, names, n);
        diag_help(rc->diag, d, "`%s` offers `%.*s` in these sizes: %s", engine, (int)prefix - 1, wanted, list);
    } else if (total <= FEW) {
        cJSON_ArrayForEach(item, classes)
            if (cJSON_IsString(item))
                names[n++] = item->valuestring;
        qsort(names, n, sizeof *names, compare_by_size);
        join_names(list, sizeof list, names, n);
        diag_help(rc->diag, d, "`%s` offers only %s", engine, list);
    } else {
        char family[64];
        cJSON_ArrayForEach(item, classes) {
            if (!cJSON_IsString(item))
                continue;
            size_t len = family_prefix_len(item->valuestring);
            snprintf(family, sizeof family, "%.*s", (int)(len ? len - 1 : 0), item->valuestring);
            bool seen = false;
            for (size_t i = 0; i < n && !seen; i++)
                seen = strcmp(names[i], family) == 0;
            if (!seen)
                names[n++] = arena_strdup(rc->diag->arena, family);
        }
        join_names(list, sizeof list, names, n);
        diag_help(rc->diag, d, "choose a class of a family that `%s` offers: %s", engine, list);
    }
    free(names);
}

static void check_db_class(const RuleCtx *rc, const Cluster *c)           /* OH2009 */
{
    if (!has_rds(c) || !is_literal(&c->database.instance))
        return;
    const char *engine = engine_name(c);
    const cJSON *row = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(load_table(&rds_table, RDS_TABLE), "engines"), engine);
    const cJSON *classes = cJSON_GetObjectItemCaseSensitive(row, "instance_classes");
    if (!cJSON_IsArray(classes))
        BUG("%s has no instance classes for `%s`", RDS_TABLE, engine);
    const char *wanted = c->database.instance.text;
    const cJSON *item;
    cJSON_ArrayForEach(item, classes)
        if (cJSON_IsString(item) && strcmp(item->valuestring, wanted) == 0)
            return;
    Diagnostic *d = report_at(rc, &c->database.instance.origin,
                              "RDS does not offer `%s` for SQL Server %s (`%s`)",
                              wanted, engine_title(c), engine);
    diag_label(rc->diag, d, "not an instance class of this edition");
    also_at(rc, d, &c->database.engine.origin, "edition chosen here");
    help_db_classes(rc, d, classes, engine, wanted);
}

static void check_db_express(const RuleCtx *rc, const Cluster *c)         /* OH2018 */
{
    if (!has_rds(c) || c->database.engine.value != ENG_EX)
        return;
    Diagnostic *d = report_at(rc, &c->database.engine.origin,
                              "SQL Server Express limits a database to 10 GB, which is not fit for HA");
    diag_label(rc->diag, d, "Express edition");
    diag_help(rc->diag, d, "use `engine = sqlserver-se` (or `sqlserver-ee`)");
}

static void check_db_iops(const RuleCtx *rc, const Cluster *c)            /* OH2024 */
{
    if (!has_rds(c))
        return;
    int type = c->database.storage_type.value;
    long long iops = c->database.iops.value, gib = c->database.storage_gib.value;
    bool iops_set = c->database.iops.origin.set || iops > 0;
    if (type == ST_IO1 && !iops_set) {
        Diagnostic *d = report_at(rc, &c->database.storage_type.origin, "io1 storage needs `iops`");
        diag_label(rc->diag, d, "provisioned IOPS storage without an IOPS figure");
        diag_help(rc->diag, d, "set `iops` from %lld to %lld (1 to 50 per GiB of `storage`)", gib, 50 * gib);
    } else if (type == ST_GP2 && iops_set) {
        Diagnostic *d = report_at(rc, &c->database.iops.origin, "gp2 storage does not take `iops`");
        diag_label(rc->diag, d, "IOPS given here");
        also_at(rc, d, &c->database.storage_type.origin, "gp2 chosen here");
        diag_help(rc->diag, d, "remove `iops`, or use `storage_type = io1` or `gp3`");
    } else if (type == ST_IO1 && (iops < gib || iops > 50 * gib)) {
        Diagnostic *d = report_at(rc, &c->database.iops.origin,
                                  "%lld IOPS is outside 1 to 50 IOPS per GiB of %lld GiB storage (%lld to %lld)",
                                  iops, gib, gib, 50 * gib);
        diag_label(rc->diag, d, "%s", iops < gib ? "too few IOPS for the storage size"
                                                 : "too many IOPS for the storage size");
        also_at(rc, d, &c->database.storage_gib.origin, "storage size set here");
        diag_help(rc->diag, d, "set `iops` from %lld to %lld, or change `storage`", gib, 50 * gib);
    }
}

/* ---------------------------------------------------------------- OH2: shared storage (FSx) */

static void check_fsx_single_az(const RuleCtx *rc, const Cluster *c)      /* OH2010 */
{
    int deployment = c->storage.deployment.value;
    if (!has_fsx(c) || deployment == FSX_MULTI_AZ)
        return;
    const Origin *o = &c->storage.deployment.origin;
    Diagnostic *d = report_at(rc, o, "shared storage is single-AZ: a zone outage makes packages, "
                              "artifacts and task logs unavailable to every node");
    diag_label(rc->diag, d, "`%s` keeps the file system in one zone", deployment_name(c));
    diag_help(rc->diag, d, "set `deployment = multi-az` in `storage`");
}

static void check_fsx_directory(const RuleCtx *rc, const Cluster *c)      /* OH2011 */
{
    if (!has_fsx(c) || c->directory.form != DIR_NONE)
        return;
    Diagnostic *d = report_span(rc, c->storage.block,
                                "FSx for Windows needs an Active Directory, but the cluster has no `directory` block");
    diag_label(rc->diag, d, "this creates an FSx for Windows file system");
    diag_help(rc->diag, d, "add `directory { create = true, domain = \"corp.example.com\" }`, "
              "or use a share you run with `storage.existing`");
}

static void check_fsx_capacity(const RuleCtx *rc, const Cluster *c)       /* OH2012 */
{
    if (!has_fsx(c))
        return;
    bool hdd = c->storage.media.value == MEDIA_HDD;
    long long gib = c->storage.capacity_gib.value, min = hdd ? 2000 : 32;
    if (gib < min || gib > 65536) {
        Diagnostic *d = report_at(rc, &c->storage.capacity_gib.origin,
                                  "FSx %s capacity must be %lld to 65536 GiB, found %lld GiB",
                                  hdd ? "HDD" : "SSD", min, gib);
        diag_label(rc->diag, d, "%s", gib < min ? "too small" : "too large");
        if (hdd)
            also_at(rc, d, &c->storage.media.origin, "HDD chosen here");
        diag_help(rc->diag, d, "set `capacity` from %lld GiB to 65536 GiB%s", min,
                  hdd && gib < min ? ", or use `media = ssd` (from 32 GiB)" : "");
    }
    if (hdd && c->storage.deployment.value == FSX_SINGLE_AZ) {
        Diagnostic *d = report_at(rc, &c->storage.media.origin,
                                  "FSx HDD storage needs `deployment = multi-az` or `single-az-2`");
        diag_label(rc->diag, d, "HDD is not offered for single-az");
        also_at(rc, d, &c->storage.deployment.origin, "single-az chosen here");
        diag_help(rc->diag, d, "set `deployment = multi-az`, or use `media = ssd`");
    }
}

static void check_fsx_throughput(const RuleCtx *rc, const Cluster *c)     /* OH2013 */
{
    long long mbps = c->storage.throughput_mbps.value;
    if (!has_fsx(c) || (mbps >= 8 && mbps <= 2048 && (mbps & (mbps - 1)) == 0))
        return;
    long long up = 8;
    while (up < mbps && up < 2048)
        up *= 2;
    Diagnostic *d = report_at(rc, &c->storage.throughput_mbps.origin,
                              "FSx throughput must be a power of two from 8 to 2048 MBps, found %lld MBps", mbps);
    diag_label(rc->diag, d, "not an FSx throughput capacity");
    diag_help(rc->diag, d, "use one of 8, 16, 32, 64, 128, 256, 512, 1024 or 2048 MBps (`%lld MBps` is the nearest "
              "at or above this)", up);
}

static void check_fsx_domain_length(const RuleCtx *rc, const Cluster *c)  /* OH2019 */
{
    int deployment = c->storage.deployment.value;
    if (!has_fsx(c) || c->directory.form == DIR_NONE || deployment == FSX_SINGLE_AZ ||
        !is_literal(&c->directory.domain))
        return;
    size_t len = strlen(c->directory.domain.text);
    if (len <= 47)
        return;
    Diagnostic *d = report_at(rc, &c->directory.domain.origin,
                              "the directory domain is %zu characters, but %s FSx allows at most 47",
                              len, deployment_name(c));
    diag_label(rc->diag, d, "%zu characters", len);
    also_at(rc, d, &c->storage.deployment.origin, "%s chosen here", deployment_name(c));
    diag_help(rc->diag, d, "use a domain name of at most 47 characters");
}

static void check_fsx_snapshot(const RuleCtx *rc, const Cluster *c)       /* OH2021 */
{
    if (!has_fsx(c) || c->storage.deletion.value != DEL_SNAPSHOT)
        return;
    Diagnostic *d = report_at(rc, &c->storage.deletion.origin,
                              "FSx has no snapshot deletion policy, so `deletion = snapshot` cannot be deployed");
    diag_label(rc->diag, d, "CloudFormation rejects Snapshot for AWS::FSx::FileSystem");
    diag_help(rc->diag, d, "use `deletion = retain` (the default) and keep FSx backups with `backup_days`");
}

/* ---------------------------------------------------------------- OH2: instance sizing */

/* Splits "m6i.xlarge" into its class letters ("m"), and the size ("xlarge"). */
static bool split_instance(const char *type, char *letters, size_t cap, const char **size)
{
    const char *dot = strchr(type, '.');
    size_t n = 0;
    while (type[n] && isalpha((unsigned char)type[n]) && n + 1 < cap) {
        letters[n] = type[n];
        n++;
    }
    letters[n] = '\0';
    *size = dot ? dot + 1 : NULL;
    return n > 0 && dot;
}

static bool json_has_string(const cJSON *array, const char *s)
{
    const cJSON *item;
    cJSON_ArrayForEach(item, array)
        if (cJSON_IsString(item) && strcmp(item->valuestring, s) == 0)
            return true;
    return false;
}

static int json_int(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsNumber(v) ? v->valueint : 0;
}

/* The smallest size name of TABLE with at least VCPUS and MEM (given MEM_PER vCPU), or NULL. */
static const char *smallest_fit(const cJSON *sizes, int vcpus, int mem, int mem_per)
{
    const cJSON *best = NULL, *item;
    cJSON_ArrayForEach(item, sizes)
        if (item->valueint >= vcpus && item->valueint * mem_per >= mem && (!best || item->valueint < best->valueint))
            best = item;
    return best ? best->string : NULL;
}

static void check_node_instance(const RuleCtx *rc, const Cluster *c)      /* OH2014 */
{
    if (!is_literal(&c->nodes.instance))
        return;
    const cJSON *t = load_table(&size_table, SIZE_TABLE);
    const char *type = c->nodes.instance.text, *size;
    char letters[16];
    if (!split_instance(type, letters, sizeof letters, &size))
        return;
    const Origin *at = &c->nodes.instance.origin;
    if (!json_has_string(cJSON_GetObjectItemCaseSensitive(t, "general_purpose_families"), letters)) {
        Diagnostic *d = report_at(rc, at, "`%s` is not a general purpose instance type, "
                                  "which Octopus recommends for server nodes", type);
        diag_label(rc->diag, d, "`%s` family", letters);
        diag_help(rc->diag, d, "use an `m` or `t` family type, such as `m6i.xlarge`");
        return;
    }
    const cJSON *sizes = cJSON_GetObjectItemCaseSensitive(t, "vcpus_by_size");
    const cJSON *vcpu_item = cJSON_GetObjectItemCaseSensitive(sizes, size);
    int mem_per = json_int(cJSON_GetObjectItemCaseSensitive(t, "memory_gib_per_vcpu_by_family"), letters);
    if (!cJSON_IsNumber(vcpu_item) || mem_per == 0)
        return;                                 /* unknown sizes get no size warning */
    int vcpus = vcpu_item->valueint, mem = vcpus * mem_per;
    long long cap = c->octopus.task_cap.value;
    const cJSON *need = NULL, *row;
    cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(t, "needs_by_task_cap"))
        if (!need && cap <= json_int(row, "max_task_cap"))
            need = row;
    if (!need)
        return;
    int need_vcpus = json_int(need, "vcpus"), need_mem = json_int(need, "memory_gib");
    if (vcpus >= need_vcpus && mem >= need_mem)
        return;
    Diagnostic *d = report_at(rc, at, "%s`%s` (%d vCPU, %d GiB) is smaller than a task cap of %lld needs "
                              "(%d vCPU, %d GiB)", at->set ? "" : "the default instance type ",
                              type, vcpus, mem, cap, need_vcpus, need_mem);
    diag_label(rc->diag, d, "too small for the task cap");
    also_at(rc, d, &c->octopus.task_cap.origin, "task cap set here");
    const char *fit = smallest_fit(sizes, need_vcpus, need_mem, mem_per);
    size_t family_len = (size_t)(strchr(type, '.') - type);
    if (fit)
        diag_help(rc->diag, d, "use `%.*s.%s` or larger, or lower `octopus.task_cap`", (int)family_len, type, fit);
    else
        diag_help(rc->diag, d, "use a larger instance type, or lower `octopus.task_cap`");
}

/* ---------------------------------------------------------------- OH2: polling */

static void check_polling_listeners(const RuleCtx *rc, const Cluster *c)  /* OH2015 */
{
    if (!c->tentacles.polling.value || c->tentacles.mode.value != POLL_PER_NODE)
        return;
    long long nodes = c->nodes.count.value, port = c->tentacles.port.value;
    if (nodes + 1 > 50) {
        Diagnostic *d = report_at(rc, &c->nodes.count.origin,
                                  "per-node polling needs %lld NLB listeners (one per node and the web "
                                  "listener), more than the 50 an NLB allows", nodes + 1);
        diag_label(rc->diag, d, "%lld nodes", nodes);
        also_at(rc, d, &c->tentacles.polling.origin, "polling is enabled here");
        diag_help(rc->diag, d, "use at most 49 nodes, or `mode = shared-queue` in `tentacles` "
                  "(one polling listener; Octopus 2026.4.6909 or later)");
    }
    if (port + nodes - 1 > 65535) {
        Diagnostic *d = report_at(rc, &c->tentacles.port.origin,
                                  "the polling ports of %lld nodes run from %lld to %lld, past 65535",
                                  nodes, port, port + nodes - 1);
        diag_label(rc->diag, d, "first polling port");
        also_at(rc, d, &c->nodes.count.origin, "one port per node");
        diag_help(rc->diag, d, "set `port` to %lld or lower", 65535 - nodes + 1);
    }
}

/* Compares dotted version numbers numerically ("2026.4" < "2026.4.6909" < "2026.10").
 * Every round consumes a number from either side or stops, so any text terminates. */
static int compare_versions(const char *a, const char *b)
{
    while (*a || *b) {
        char *end_a, *end_b;
        unsigned long long x = strtoull(a, &end_a, 10), y = strtoull(b, &end_b, 10);
        if (x != y)
            return x < y ? -1 : 1;
        if (end_a == a && end_b == b)
            break;                              /* neither side holds a number */
        a = *end_a == '.' ? end_a + 1 : end_a;
        b = *end_b == '.' ? end_b + 1 : end_b;
    }
    return 0;
}

#define SHARED_QUEUE_VERSION "2026.4.6909"

static void check_shared_queue_version(const RuleCtx *rc, const Cluster *c) /* OH2016 */
{
    const StrAttr *v = &c->octopus.version;
    if (!c->tentacles.polling.value || c->tentacles.mode.value != POLL_SHARED_QUEUE || !is_literal(v) ||
        strcmp(v->text, "latest") == 0 || compare_versions(v->text, SHARED_QUEUE_VERSION) >= 0)
        return;
    Diagnostic *d = report_at(rc, &v->origin, "shared-queue polling needs Octopus Server %s or later, "
                              "but `version` is `%s`", SHARED_QUEUE_VERSION, v->text);
    diag_label(rc->diag, d, "too old for shared-queue polling");
    also_at(rc, d, &c->tentacles.mode.origin, "shared queue chosen here");
    diag_help(rc->diag, d, "set `version = \"%s\"` or later (or `latest`), or use `mode = per-node`",
              SHARED_QUEUE_VERSION);
}

/* ---------------------------------------------------------------- OH2: network */

/* The schema's pattern has already made each name look like a zone (OH1007); this
 * checks that each belongs to `region`, when one is set, and is listed once. */
/* The item I of LIST when an earlier item has the same text: reported as WHAT listed twice,
 * with the first one; NULL otherwise. */
static Diagnostic *report_listed_twice(const RuleCtx *rc, const StrList *list, size_t i, const char *what)
{
    Span at = list->spans ? list->spans[i] : list->origin.span;
    for (size_t j = 0; j < i; j++) {
        if (strcmp(list->items[j], list->items[i]) != 0)
            continue;
        Diagnostic *d = report_span(rc, at, "%s `%s` is listed twice", what, list->items[i]);
        diag_label(rc->diag, d, "listed again here");
        if (list->spans)
            diag_secondary(rc->diag, d, list->spans[j], "first listed here");
        diag_help(rc->diag, d, "list each %s once", what);
        return d;
    }
    return NULL;
}

static void check_zone_names(const RuleCtx *rc, const Cluster *c)         /* OH2020 */
{
    const StrList *zones = &c->network.zone_names;
    const char *region = is_literal(&c->region) ? c->region.text : NULL;
    size_t region_len = region ? strlen(region) : 0;
    for (size_t i = 0; i < zones->count; i++) {
        const char *name = zones->items[i];
        Span at = zones->spans ? zones->spans[i] : zones->origin.span;
        bool in_region = !region || (strncmp(name, region, region_len) == 0 &&
                                     islower((unsigned char)name[region_len]) && !name[region_len + 1]);
        Diagnostic *d = NULL;
        if (region && !in_region) {
            d = report_span(rc, at, "zone `%s` is not in region `%s`", name, region);
            diag_label(rc->diag, d, "not a zone of `%s`", region);
            also_at(rc, d, &c->region.origin, "region set here");
            diag_help(rc->diag, d, "use zones of `%s`, such as `%sa` and `%sb`", region, region, region);
        }
        if (!d)
            d = report_listed_twice(rc, zones, i, "zone");
        if (d)
            model_note_origin(rc->diag, d, &zones->origin);
    }
}

static void check_lb_classic(const RuleCtx *rc, const Cluster *c)         /* OH2022 */
{
    if (c->load_balancer.type.value != LB_CLASSIC)
        return;
    Diagnostic *d = report_at(rc, &c->load_balancer.type.origin, "the Classic Load Balancer is legacy");
    diag_label(rc->diag, d, "previous-generation load balancer");
    diag_help(rc->diag, d, "use `type = alb`, or `type = nlb` for polling tentacles");
}

static void require_subnets(const RuleCtx *rc, const Cluster *c, const StrList *list, const char *kind,
                            const char *attr, long long need)
{
    if ((long long)list->count >= need)
        return;
    const Origin *at = list->origin.set ? &list->origin : &c->network.vpc.origin;
    Diagnostic *d;
    if (list->count == 0)
        d = report_at(rc, at, "an existing VPC needs %lld %s subnets (one per zone), but `%s` is missing",
                      need, kind, attr);
    else
        d = report_at(rc, at, "an existing VPC needs %lld %s subnets (one per zone), but `%s` lists %zu",
                      need, kind, attr, list->count);
    diag_label(rc->diag, d, "%s", list->count ? "too few subnets" : "existing VPC");
    also_at(rc, d, &c->network.zone_count.origin, "%lld zones", c->network.zone_count.value);
    if (strcmp(kind, "public") == 0)
        diag_help(rc->diag, d, "list one public subnet id per zone in `network.public_subnets`, "
                  "or use `scheme = internal` in `load_balancer`");
    else
        diag_help(rc->diag, d, "list one private subnet id per zone in `network.private_subnets`");
}

/* A subnet listed twice would put two zones' resources in one subnet (and the load balancer
 * refuses two subnets of one zone). */
static void reject_repeated_subnets(const RuleCtx *rc, const StrList *list)
{
    for (size_t i = 0; i < list->count; i++) {
        Diagnostic *d = report_listed_twice(rc, list, i, "subnet");
        if (d)
            model_note_origin(rc->diag, d, &list->origin);
    }
}

static void check_existing_vpc(const RuleCtx *rc, const Cluster *c)       /* OH2023 */
{
    if (c->network.vpc.source == VS_NONE)
        return;
    reject_repeated_subnets(rc, &c->network.private_subnets);
    reject_repeated_subnets(rc, &c->network.public_subnets);
    long long need = c->network.zone_count.value < 2 ? 2 : c->network.zone_count.value;
    require_subnets(rc, c, &c->network.private_subnets, "private", "private_subnets", need);
    if (c->load_balancer.scheme.value == SCHEME_INTERNET_FACING)
        require_subnets(rc, c, &c->network.public_subnets, "public", "public_subnets", need);
}

static void check_nat_download(const RuleCtx *rc, const Cluster *c)       /* OH2025 */
{
    if (c->network.nat.value != NAT_NONE || c->octopus.download_url.origin.set)
        return;
    Diagnostic *d = report_at(rc, &c->network.nat.origin,
                              "nodes without a NAT gateway cannot download the Octopus Server MSI");
    diag_label(rc->diag, d, "no internet access from the private subnets");
    diag_help(rc->diag, d, "set `octopus.download_url` to an https URL the nodes can reach without "
              "the internet (for example an S3 object, through the S3 endpoint)");
}

/* A new VPC is created with the stack and has no route to anything outside it, while FSx
 * joins the self-managed domain as it is created and the nodes resolve through dns_ips. */
static void check_self_managed_vpc(const RuleCtx *rc, const Cluster *c)   /* OH2027 */
{
    if (c->directory.form != DIR_SELF_MANAGED || c->network.vpc.source != VS_NONE)
        return;
    Diagnostic *d = report_at(rc, &c->directory.dns_ips.origin,
                              "a self-managed directory needs an existing VPC: a new VPC has no route "
                              "to its domain controllers");
    diag_label(rc->diag, d, "unreachable from a new VPC");
    also_at(rc, d, &c->network.vpc.origin, "a new VPC");
    diag_note(rc->diag, d, (Span){0}, "FSx would fail to join the domain after a long wait and roll the "
              "stack back, and the nodes would use DNS servers they cannot reach");
    diag_help(rc->diag, d, "set `network.vpc` to a VPC with a route to the domain controllers (VPN, Direct "
              "Connect, peering or a transit gateway), with `private_subnets` (and `public_subnets` for "
              "an internet-facing load balancer)");
}

/* Ranges no client of an internet-facing load balancer arrives from: its name resolves
 * to public addresses, so even a client inside a private network reaches it through a NAT
 * with a public address. The documentation ranges (192.0.2/24, 198.51.100/24,
 * 203.0.113/24) are not here: examples use them for public ranges. */
static const struct { uint32_t base; int prefix; } non_public_ranges[] = {
    { 0x0A000000u, 8 },                 /* 10/8, RFC 1918 */
    { 0xAC100000u, 12 },                /* 172.16/12, RFC 1918 */
    { 0xC0A80000u, 16 },                /* 192.168/16, RFC 1918 */
    { 0x64400000u, 10 },                /* 100.64/10, shared address space (CGNAT), RFC 6598 */
    { 0xA9FE0000u, 16 },                /* 169.254/16, link-local */
    { 0x7F000000u, 8 },                 /* 127/8, loopback */
    { 0x00000000u, 8 },                 /* 0/8, "this network" */
    { 0xE0000000u, 4 },                 /* 224/4, multicast */
    { 0xF0000000u, 4 },                 /* 240/4, reserved and broadcast */
};

/* True when every address of CIDR ("a.b.c.d/p", checked by the schema) is non-public. */
static bool cidr_is_non_public(const char *cidr)
{
    unsigned a[4];
    int prefix;
    if (sscanf(cidr, "%u.%u.%u.%u/%d", &a[0], &a[1], &a[2], &a[3], &prefix) != 5)
        BUG("cidr `%s` reached the rules unchecked", cidr);
    uint32_t address = (a[0] << 24) | (a[1] << 16) | (a[2] << 8) | a[3];
    for (size_t i = 0; i < sizeof non_public_ranges / sizeof non_public_ranges[0]; i++) {
        int p = non_public_ranges[i].prefix;
        if (prefix >= p && (address & (0xFFFFFFFFu << (32 - p))) == non_public_ranges[i].base)
            return true;
    }
    return false;
}

/* ---------------------------------------------------------------- OH2030-OH2035: monitoring and maintenance */

#define WEEK_MINUTES (7 * 1440)

/* "hh:mm" at TEXT into minutes of the day; false when the hour or minute is out of range. */
static bool clock_minutes(const char *text, int *minutes)
{
    int h = (text[0] - '0') * 10 + (text[1] - '0'), m = (text[3] - '0') * 10 + (text[4] - '0');
    *minutes = h * 60 + m;
    return h < 24 && m < 60;
}

static int week_day(const char *text)      /* "mon".."sun" -> 0..6; the schema's pattern checked it */
{
    static const char days[] = "montuewedthufrisatsun";
    for (int d = 0; d < 7; d++)
        if (memcmp(days + 3 * d, text, 3) == 0)
            return d;
    BUG("day `%.3s` passed the maintenance_window pattern", text);
}

/* A window as minutes from the start of the week (maintenance) or day (backup), and its length. */
typedef struct Window { int start, length; } Window;

static bool parse_weekly(const char *text, Window *w)      /* "ddd:hh:mm-ddd:hh:mm" */
{
    int from, to;
    if (!clock_minutes(text + 4, &from) || !clock_minutes(text + 14, &to))
        return false;
    w->start = week_day(text) * 1440 + from;
    int end = week_day(text + 10) * 1440 + to;
    w->length = ((end - w->start) % WEEK_MINUTES + WEEK_MINUTES) % WEEK_MINUTES;
    return true;
}

static bool parse_daily(const char *text, Window *w)       /* "hh:mm-hh:mm" */
{
    int from, to;
    if (!clock_minutes(text, &from) || !clock_minutes(text + 6, &to))
        return false;
    w->start = from;
    w->length = ((to - from) % 1440 + 1440) % 1440;
    return true;
}

/* A window attribute, its parser, the lengths AWS accepts and an example for the help. */
typedef struct WindowSpec {
    const StrAttr *attr;
    bool (*parse)(const char *text, Window *w);
    int min_length, max_length;
    const char *help;
} WindowSpec;

/* OH2030 and OH2031: a literal window that does not parse or whose length AWS refuses. */
static void check_window(const RuleCtx *rc, const Cluster *c, const WindowSpec *spec, const char *what)
{
    const StrAttr *a = spec->attr;
    Window w;
    if (!c->maintenance.on || !is_literal(a))
        return;
    bool parsed = spec->parse(a->text, &w);
    if (parsed && w.length >= spec->min_length && w.length <= spec->max_length)
        return;
    Diagnostic *d = report_at(rc, &a->origin, "%s window `%s` is not a valid window", what, a->text);
    if (!parsed)
        diag_label(rc->diag, d, "hours go from 00 to 23 and minutes from 00 to 59");
    else
        diag_label(rc->diag, d, "%d minutes long", w.length);
    diag_help(rc->diag, d, "%s", spec->help);
}

/* RDS and ElastiCache take a maintenance window of 60 minutes (ElastiCache's minimum) to 24 hours. */
static void check_maintenance_window(const RuleCtx *rc, const Cluster *c)   /* OH2030 */
{
    const WindowSpec spec = { &c->maintenance.window, parse_weekly, 60, 1440,
                              "write a UTC window of 1 to 24 hours, such as `sun:03:00-sun:04:00`" };
    check_window(rc, c, &spec, "maintenance");
}

/* RDS takes a backup window of at least 30 minutes. */
static void check_backup_window(const RuleCtx *rc, const Cluster *c)        /* OH2031 */
{
    const WindowSpec spec = { &c->maintenance.backup_window, parse_daily, 30, 1440,
                              "write a daily UTC window of at least 30 minutes, such as `01:00-02:00`" };
    check_window(rc, c, &spec, "backup");
}

/* Does the daily window B meet the weekly window M on any day (M may wrap past Sunday)? */
static bool windows_overlap(Window m, Window b)
{
    for (int day = -1; day <= 7; day++) {
        int start = day * 1440 + b.start;
        for (int wrap = -1; wrap <= 1; wrap++) {
            int ms = m.start + wrap * WEEK_MINUTES;
            if (start < ms + m.length && ms < start + b.length)
                return true;
        }
    }
    return false;
}

static bool all_non_public(const StrList *cidrs)
{
    for (size_t i = 0; i < cidrs->count; i++)
        if (!cidr_is_non_public(cidrs->items[i]))
            return false;
    return cidrs->count > 0;
}

static void report_unreachable(const RuleCtx *rc, const Cluster *c, const StrList *cidrs, const char *who)
{
    Diagnostic *d = report_at(rc, &cidrs->origin, "an internet-facing load balancer allowing only private "
                              "ranges refuses all %s: they arrive from public addresses", who);
    diag_label(rc->diag, d, "%s", cidrs->count == 1 ? "a private range" : "only private ranges");
    if (c->load_balancer.scheme.origin.set)
        also_at(rc, d, &c->load_balancer.scheme.origin, "internet-facing here");
    else
        diag_note(rc->diag, d, (Span){0}, "`scheme` is `internet-facing` by default");
    diag_help(rc->diag, d, "set `scheme = internal` in `load_balancer` to serve these networks over a VPN, "
              "Direct Connect or a transit gateway, or list the public ranges the %s come from", who);
}

static void check_unreachable_lb(const RuleCtx *rc, const Cluster *c)     /* OH2026 */
{
    if (c->load_balancer.scheme.value != SCHEME_INTERNET_FACING)
        return;
    if (all_non_public(&c->load_balancer.allowed_cidrs))
        report_unreachable(rc, c, &c->load_balancer.allowed_cidrs, "clients");
    if (c->tentacles.polling.value && c->tentacles.allowed_cidrs.origin.set &&
        all_non_public(&c->tentacles.allowed_cidrs))
        report_unreachable(rc, c, &c->tentacles.allowed_cidrs, "polling tentacles");
}

static void check_window_overlap(const RuleCtx *rc, const Cluster *c)       /* OH2032 */
{
    const StrAttr *mw = &c->maintenance.window, *bw = &c->maintenance.backup_window;
    Window m, b;
    if (!c->maintenance.on || !is_literal(mw) || !is_literal(bw) ||
        !parse_weekly(mw->text, &m) || !parse_daily(bw->text, &b))
        return;
    if (m.length < 60 || m.length > 1440 || b.length < 30 || !windows_overlap(m, b))
        return;                 /* an invalid window is OH2030's or OH2031's alone */
    Diagnostic *d = report_at(rc, &mw->origin, "maintenance window `%s` overlaps the daily backup window `%s`",
                              mw->text, bw->text);
    diag_label(rc->diag, d, "RDS rejects a maintenance window that meets the backup window");
    also_at(rc, d, &bw->origin, "backup window set here");
    diag_help(rc->diag, d, "move one of them, e.g. `window = \"sun:03:00-sun:04:00\"` and "
              "`backup_window = \"01:00-02:00\"`");
}

static void check_alert_recipient(const RuleCtx *rc, const Cluster *c)      /* OH2033 */
{
    if (!c->alerts.on || c->alerts.email.count > 0 || c->alerts.topic.source != VS_NONE)
        return;
    Diagnostic *d = report_span(rc, c->alerts.block, "alarms without a recipient: nobody hears of a failed node");
    diag_label(rc->diag, d, "no `email` and no `topic`");
    if (c->alerts.block.src != c->src)      /* a profile's block: say whose alarms these are */
        diag_note(rc->diag, d, c->name_span, "the alarms of cluster `%s`", c->name);
    diag_help(rc->diag, d, "add `email = [\"oncall@example.com\"]` or an existing `topic` to `alerts`");
}

/* The retention periods CloudWatch Logs accepts, in days. */
static const int log_retention_days[] = {
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
};

static void check_log_retention(const RuleCtx *rc, const Cluster *c)        /* OH2034 */
{
    const IntAttr *a = &c->alerts.log_retention_days;
    size_t n = sizeof log_retention_days / sizeof log_retention_days[0], i = 0;
    if (!c->alerts.on)
        return;
    while (i < n && log_retention_days[i] < a->value)
        i++;
    if (i < n && log_retention_days[i] == a->value)
        return;
    Diagnostic *d = report_at(rc, &a->origin, "CloudWatch Logs cannot keep logs for %lld days", a->value);
    diag_label(rc->diag, d, "not a retention period CloudWatch Logs offers");
    if (i > 0 && i < n)     /* always: the schema's range is 1 to 3653, both periods of the table */
        diag_help(rc->diag, d, "use %d day%s or %d days", log_retention_days[i - 1],
                  log_retention_days[i - 1] == 1 ? "" : "s", log_retention_days[i]);
}

/* "arn:aws:sns:REGION:..." -> REGION's length and start. */
static const char *arn_region(const char *arn, size_t *len)
{
    const char *p = arn;
    for (int colons = 0; colons < 3; p++)
        if (*p == ':')
            colons++;
    *len = strcspn(p, ":");
    return p;
}

/* CloudWatch alarms notify only topics in their own region. */
static void check_topic_region(const RuleCtx *rc, const Cluster *c)         /* OH2035 */
{
    const StrAttr *t = &c->alerts.topic;
    if (!c->alerts.on || !is_literal(t) || !is_literal(&c->region))
        return;
    size_t len;
    const char *region = arn_region(t->text, &len);
    if (strlen(c->region.text) == len && strncmp(region, c->region.text, len) == 0)
        return;
    Diagnostic *d = report_at(rc, &t->origin, "topic `%s` is in `%.*s`, not in the cluster's region `%s`",
                              t->text, (int)len, region, c->region.text);
    diag_label(rc->diag, d, "CloudWatch alarms notify only topics of their own region");
    also_at(rc, d, &c->region.origin, "region set here");
    diag_help(rc->diag, d, "use a topic in `%s`, or leave `topic` out to let the stack create one",
              c->region.text);
}

/* ---------------------------------------------------------------- OH4: security and data safety */

static void check_certificate(const RuleCtx *rc, const Cluster *c)        /* OH4001 */
{
    if (c->load_balancer.certificate.source != VS_NONE)
        return;
    Diagnostic *d = report_span(rc, c->load_balancer.block,
                                "no `certificate`: the web UI and API travel as plain HTTP");
    diag_label(rc->diag, d, "passwords and API keys would cross the network unencrypted");
    diag_help(rc->diag, d, "set `load_balancer.certificate` to an ACM certificate ARN, "
              "or `param(\"CertificateArn\")`");
}

static void check_ssl_policy(const RuleCtx *rc, const Cluster *c)         /* OH4002 */
{
    const StrAttr *p = &c->load_balancer.ssl_policy;
    if (!is_literal(p) || strstr(p->text, "TLS13") || strstr(p->text, "TLS-1-2"))
        return;
    Diagnostic *d = report_at(rc, &p->origin, "`%s` allows TLS 1.0 and 1.1", p->text);
    diag_label(rc->diag, d, "outdated TLS versions");
    diag_help(rc->diag, d, "use `ssl_policy = ELBSecurityPolicy-TLS13-1-2-2021-06`");
}

static void check_db_deletion(const RuleCtx *rc, const Cluster *c)        /* OH4003 */
{
    if (!has_rds(c) || c->database.deletion.value != DEL_DELETE)
        return;
    Diagnostic *d = report_at(rc, &c->database.deletion.origin,
                              "`deletion = delete` destroys the Octopus database with the stack");
    diag_label(rc->diag, d, "no final snapshot");
    diag_help(rc->diag, d, "use `deletion = snapshot` (the default) or `retain`");
}

static void check_fsx_deletion(const RuleCtx *rc, const Cluster *c)       /* OH4004 */
{
    if (!has_fsx(c) || c->storage.deletion.value != DEL_DELETE)
        return;
    Diagnostic *d = report_at(rc, &c->storage.deletion.origin,
                              "`deletion = delete` loses packages, artifacts and task logs with the stack");
    diag_label(rc->diag, d, "the file system is deleted with the stack");
    diag_help(rc->diag, d, "use `deletion = retain` (the default)");
}

/* True when a connection string has a `Password=` (or `Pwd=`) keyword, in any case. */
static bool has_password_keyword(const char *s)
{
    static const char *const keywords[] = { "password", "pwd" };
    for (const char *p = s; *p; p++) {
        if (p != s && p[-1] != ';' && !isspace((unsigned char)p[-1]))
            continue;
        for (size_t k = 0; k < sizeof keywords / sizeof keywords[0]; k++) {
            size_t n = strlen(keywords[k]);
            size_t i = 0;
            while (i < n && tolower((unsigned char)p[i]) == keywords[k][i])
                i++;
            if (i < n)
                continue;
            const char *q = p + n;
            while (*q == ' ' || *q == '\t')
                q++;
            if (*q == '=')
                return true;
        }
    }
    return false;
}

static void check_plain_secrets(const RuleCtx *rc, const Cluster *c)      /* OH4005 */
{
    if (c->directory.form == DIR_SELF_MANAGED && c->directory.password.source == VS_LITERAL) {
        Diagnostic *d = report_at(rc, &c->directory.password.origin,
                                  "the directory `password` is written as a plain string");
        diag_label(rc->diag, d, "would be stored in the template and in version control");
        diag_help(rc->diag, d, "keep it in AWS Secrets Manager: `password = secret(\"ad/join-password\")`");
    }
    const StrAttr *db = &c->database.existing;
    if (is_literal(db) && has_password_keyword(db->text)) {
        Diagnostic *d = report_at(rc, &db->origin,
                                  "the connection string in `existing` holds a password as plain text");
        diag_label(rc->diag, d, "contains `Password=`");
        diag_help(rc->diag, d, "keep the connection string in AWS Secrets Manager: "
                  "`existing = secret(\"octopus/sql-connection\")`");
    }
    if (c->octopus.license.source == VS_LITERAL) {
        Diagnostic *d = report_at(rc, &c->octopus.license.origin,
                                  "the Octopus `license` is written as a plain string");
        diag_label(rc->diag, d, "would be stored in the template and in version control");
        diag_help(rc->diag, d, "use `license = secret(\"octopus/license\")`, or leave it out to get "
                  "the `OctopusLicense` parameter");
    }
}

static void check_db_encrypted(const RuleCtx *rc, const Cluster *c)       /* OH4006 */
{
    if (!has_rds(c) || c->database.encrypted.value)
        return;
    Diagnostic *d = report_at(rc, &c->database.encrypted.origin,
                              "`encrypted = false` stores the Octopus database and its backups unencrypted");
    diag_label(rc->diag, d, "storage encryption turned off");
    diag_help(rc->diag, d, "remove `encrypted` (the default is `true`)");
}

static void check_db_deletion_protection(const RuleCtx *rc, const Cluster *c) /* OH4007 */
{
    if (!has_rds(c) || c->database.deletion_protection.value)
        return;
    Diagnostic *d = report_at(rc, &c->database.deletion_protection.origin,
                              "`deletion_protection = false` lets anyone with access delete the Octopus database");
    diag_label(rc->diag, d, "deletion protection turned off");
    diag_help(rc->diag, d, "remove `deletion_protection` (the default is `true`)");
}

/* A corporate domain's computers are all Domain Computers: without the nodes' own group,
 * every one of them could change the packages on the shared folder. */
static void check_nodes_group(const RuleCtx *rc, const Cluster *c) /* OH4015 */
{
    if (c->directory.form != DIR_SELF_MANAGED || !has_fsx(c) || c->directory.nodes_group.source != VS_NONE)
        return;
    Diagnostic *d = report_span(rc, c->directory.block,
                                "the shared folder is open to every computer of the self-managed domain");
    diag_label(rc->diag, d, "node 1 grants Domain Computers Modify on the shared folder");
    diag_help(rc->diag, d, "set `nodes_group` to a group the join account may change; each node adds "
              "itself and only that group gets Modify");
}

/* Systems Manager documents refuse a tag with an empty value (the AWS::SSM::Document schema's
 * minLength), so the operations template tags its documents without it. */
static void check_empty_tag_values(const RuleCtx *rc, const Cluster *c) /* OH4011 */
{
    for (size_t i = 0; i < c->tag_count; i++) {
        if (c->tags[i].value[0])
            continue;
        Diagnostic *d = report_at(rc, &c->tags[i].origin, "tag `%s` has an empty value, which Systems Manager "
                                  "documents refuse", c->tags[i].key);
        diag_label(rc->diag, d, "empty value");
        diag_note(rc->diag, d, (Span){0}, "the documents of the operations template (`build --operations`) "
                  "go without this tag; every other resource keeps it");
        diag_help(rc->diag, d, "give the tag a value, or `allow = [OH4011]`");
    }
}

static void warn_open_cidrs(const RuleCtx *rc, const Cluster *c, const StrList *cidrs)
{
    for (size_t i = 0; i < cidrs->count; i++) {
        const char *slash = strrchr(cidrs->items[i], '/');
        if (!slash || strcmp(slash, "/0") != 0)
            continue;
        Span at = cidrs->spans ? cidrs->spans[i] : cidrs->origin.span;
        Diagnostic *d = report_span(rc, at, "`%s` in `allowed_cidrs` of an internal load balancer",
                                    cidrs->items[i]);
        diag_label(rc->diag, d, "allows every address, which means nothing inside a VPC");
        also_at(rc, d, &c->load_balancer.scheme.origin, "internal load balancer");
        diag_help(rc->diag, d, "list the networks that should reach Octopus, such as the VPC CIDR "
                  "or your office ranges");
        model_note_origin(rc->diag, d, &cidrs->origin);
    }
}

static void check_internal_open_cidrs(const RuleCtx *rc, const Cluster *c) /* OH4008 */
{
    if (c->load_balancer.scheme.value != SCHEME_INTERNAL)
        return;
    warn_open_cidrs(rc, c, &c->load_balancer.allowed_cidrs);
    if (c->tentacles.allowed_cidrs.origin.set)
        warn_open_cidrs(rc, c, &c->tentacles.allowed_cidrs);
}

static void check_floating_ami(const RuleCtx *rc, const Cluster *c)      /* OH4010 */
{
    const StrAttr *v = &c->nodes.ami_version;
    if (!is_literal(v) || strcmp(v->text, "latest") != 0)
        return;
    Diagnostic *d = report_at(rc, &v->origin,
                              "`ami_version = \"latest\"`: any stack update can replace every node at once");
    diag_label(rc->diag, d, "the image floats with AWS's monthly Windows AMI");
    diag_help(rc->diag, d, "pin the version: `ami_version = \"N\"` with N from `aws ssm get-parameter "
              "--name /aws/service/ami-windows-latest/... --query Parameter.Version`, or leave it out");
}

/* ---------------------------------------------------------------- the check table */

typedef void RuleCheckFn(const RuleCtx *rc, const Cluster *c);

typedef struct RuleRow {
    const char *code;
    Severity severity;
    RuleCheckFn *check;
} RuleRow;

static const RuleRow rule_rows[] = {
    { "OH2001", SEV_ERROR, check_node_minimum },
    { "OH2002", SEV_ERROR, check_node_os },
    { "OH2003", SEV_ERROR, check_polling_lb },
    { "OH2004", SEV_ERROR, check_zone_minimum },
    { "OH2005", SEV_WARNING, check_node_maximum },
    { "OH2006", SEV_WARNING, check_db_single_az },
    { "OH2007", SEV_ERROR, check_db_multi_az_edition },
    { "OH2008", SEV_ERROR, check_db_version },
    { "OH2009", SEV_ERROR, check_db_class },
    { "OH2010", SEV_WARNING, check_fsx_single_az },
    { "OH2011", SEV_ERROR, check_fsx_directory },
    { "OH2012", SEV_ERROR, check_fsx_capacity },
    { "OH2013", SEV_ERROR, check_fsx_throughput },
    { "OH2014", SEV_WARNING, check_node_instance },
    { "OH2015", SEV_ERROR, check_polling_listeners },
    { "OH2016", SEV_ERROR, check_shared_queue_version },
    { "OH2017", SEV_WARNING, check_zone_coverage },
    { "OH2018", SEV_WARNING, check_db_express },
    { "OH2019", SEV_ERROR, check_fsx_domain_length },
    { "OH2020", SEV_ERROR, check_zone_names },
    { "OH2021", SEV_ERROR, check_fsx_snapshot },
    { "OH2022", SEV_WARNING, check_lb_classic },
    { "OH2023", SEV_ERROR, check_existing_vpc },
    { "OH2024", SEV_ERROR, check_db_iops },
    { "OH2025", SEV_ERROR, check_nat_download },
    { "OH2026", SEV_ERROR, check_unreachable_lb },
    { "OH2027", SEV_ERROR, check_self_managed_vpc },
    { "OH2028", SEV_ERROR, check_db_downgrade },
    { "OH2030", SEV_ERROR, check_maintenance_window },
    { "OH2031", SEV_ERROR, check_backup_window },
    { "OH2032", SEV_ERROR, check_window_overlap },
    { "OH2033", SEV_WARNING, check_alert_recipient },
    { "OH2034", SEV_ERROR, check_log_retention },
    { "OH2035", SEV_ERROR, check_topic_region },
    { "OH4001", SEV_WARNING, check_certificate },
    { "OH4002", SEV_WARNING, check_ssl_policy },
    { "OH4003", SEV_WARNING, check_db_deletion },
    { "OH4004", SEV_WARNING, check_fsx_deletion },
    { "OH4005", SEV_ERROR, check_plain_secrets },
    { "OH4006", SEV_WARNING, check_db_encrypted },
    { "OH4007", SEV_WARNING, check_db_deletion_protection },
    { "OH4008", SEV_WARNING, check_internal_open_cidrs },
    { "OH4010", SEV_WARNING, check_floating_ami },
    { "OH4011", SEV_WARNING, check_empty_tag_values },
    { "OH4015", SEV_WARNING, check_nodes_group },
};

const size_t rules_check_count = sizeof rule_rows / sizeof rule_rows[0];

const char *rules_check_code(size_t index, Severity *severity)
{
    if (index >= rules_check_count)
        return NULL;
    if (severity)
        *severity = rule_rows[index].severity;
    return rule_rows[index].code;
}

void rules_check(const Cluster *cluster, DiagCtx *diag)
{
    for (size_t i = 0; i < rules_check_count; i++) {
        RuleCtx rc = { cluster, diag, rule_rows[i].code, rule_rows[i].severity };
        rule_rows[i].check(&rc, cluster);
    }
}

/* ---------------------------------------------------------------- explain texts
 * One row per code of rules.md, OH0 to OH5: severity, title (the row's text in
 * rules.md), why the rule exists, a wrong/right example, and how to fix it. `octohac
 * explain` and SARIF read rule_infos; docs/rules.md is generated from this table
 * (tests/unit/test_rules.c --write-docs) and a test keeps the two the same. */
/* OH2027's examples: the same self-managed directory, in a new VPC and in an existing one. */
#define OH2027_DIRECTORY                                                                        \
    "directory {\n  self_managed = true\n  domain       = \"corp.example.com\"\n"                \
    "  dns_ips      = [10.50.0.10, 10.50.1.10]\n  username     = \"svc-octopus-join\"\n"          \
    "  password     = secret(\"ad/join-password\")\n}"
#define RULE_INFOS(X)                                                                           \
    X("OH0001", SEV_ERROR, "unexpected character",                                              \
      "The lexer met a character that cannot start any token: a `.oha` file holds words, "      \
      "numbers, strings, addresses, comments and the punctuation `{ } [ ] ( ) = , ;`. Such a "   \
      "character is usually a typo or a leftover from another format, such as YAML's `:` or a "  \
      "typographic quote. Octohac reports its exact column and carries on, so one run shows "    \
      "every problem in the file.",                                                              \
      "nodes { count: 3 }",                                                                      \
      "nodes { count = 3 }",                                                                     \
      "Delete the character or replace it with what the grammar expects; attributes are "        \
      "written `name = value`.")                                                                 \
    X("OH0002", SEV_ERROR, "unterminated string",                                               \
      "A string runs from one double quote to the next on the same line; a raw line break "      \
      "cannot appear inside it. Without the closing quote the rest of the file would be read "   \
      "as part of the string, so octohac stops at the end of the line and reports the string.",  \
      "octopus { admin_email = \"ops@example.com }",                                             \
      "octopus { admin_email = \"ops@example.com\" }",                                           \
      "Close the string with `\"` on the same line; write a line break inside a string as "      \
      "`\\n`.")                                                                                  \
    X("OH0003", SEV_ERROR, "invalid escape sequence",                                           \
      "Inside a string only `\\\"`, `\\\\`, `\\n`, `\\t` and `\\u{...}` are escapes. Any other "  \
      "backslash is almost always a Windows path written with single backslashes, which would "  \
      "silently lose characters if it were accepted.",                                           \
      "storage { existing = \"\\\\fs1\\share\" }",                                               \
      "storage { existing = \"\\\\\\\\fs1\\\\share\" }",                                         \
      "Double every backslash that is meant literally, as in UNC paths: "                        \
      "`\"\\\\\\\\server\\\\share\"`.")                                                          \
    X("OH0004", SEV_ERROR, "expected X, found Y",                                               \
      "The parser expected a particular token (an `=`, a value, a closing brace) and found "     \
      "another; the message names both. The parser then skips to the next entry, so later "      \
      "errors in the file are still reported, but fix the first one first: it can cause the "    \
      "others.",                                                                                 \
      "nodes { count 3 }",                                                                       \
      "nodes { count = 3 }",                                                                     \
      "Write what the message says was expected: attributes are `name = value`, blocks are "     \
      "`name { ... }`.")                                                                         \
    X("OH0005", SEV_ERROR, "unclosed `{` / `[` / `(` (note at the opening)",                    \
      "A block, list or call was opened and not closed before the file ended or another "        \
      "closing bracket came. The error is reported where the parser noticed, and a note points " \
      "at the opening bracket, which is usually where the mistake is.",                          \
      "cluster \"octopus\" {\n  nodes { count = 3\n}",                                           \
      "cluster \"octopus\" {\n  nodes { count = 3 }\n}",                                         \
      "Add the missing `}`, `]` or `)`; the layout `octohac fmt` prints makes an unbalanced "    \
      "block easy to see.")                                                                      \
    X("OH0006", SEV_ERROR, "malformed number, address or CIDR",                                 \
      "Addresses are IPv4 dotted quads of four octets from 0 to 255 with an optional prefix "    \
      "from 0 to 32, and numbers are digits with an optional fraction. A value such as "         \
      "`10.0.0/16` or `300.1.1.1` would only fail when CloudFormation deploys it, so octohac "   \
      "rejects it at the exact column.",                                                         \
      "network { cidr = 10.20.0/16 }",                                                           \
      "network { cidr = 10.20.0.0/16 }",                                                         \
      "Write four octets from 0 to 255 and a prefix from 0 to 32, as in `10.20.0.0/16`.")        \
    X("OH0007", SEV_ERROR, "nesting deeper than 32, or file larger than 8 MiB",                 \
      "Hard limits keep the compiler's memory and stack bounded on any input, including "        \
      "generated or hostile files. A real cluster description nests three levels deep and "      \
      "fits in a few kilobytes, so reaching a limit means the file is not what it was meant to " \
      "be. The same code covers an import chain deeper than 16 files and an `extends` chain "    \
      "longer than 32 profiles (docs/imports-and-profiles.md).",                                 \
      "# a generated file of 9 MiB, or blocks nested 33 levels deep",                            \
      "# one small file per cluster, sharing settings through profiles\n"                        \
      "import \"./common.oha\"",                                                                 \
      "Split the configuration into files joined with `import` and profiles, and remove "        \
      "accidental nesting.")                                                                     \
    X("OH0008", SEV_ERROR, "NUL byte or invalid UTF-8",                                         \
      "`.oha` source is UTF-8. A NUL byte or a byte sequence that is not UTF-8 means the file "  \
      "was saved in another encoding (UTF-16, Latin-1) or is not text at all; reading on would " \
      "put garbled names and tags into the template.",                                           \
      "description = \"Caf\\xE9\"   # saved as Latin-1",                                         \
      "description = \"Café\"   # saved as UTF-8",                                        \
      "Save the file as UTF-8; most editors offer the encoding in their save dialog.")           \
    X("OH0501", SEV_ERROR, "import not found (lists where it looked)",                          \
      "An import names a module of the built-in standard library (`std/...`) or a file "         \
      "relative to the importing file, also searched for in the `-I` directories and "           \
      "`OCTOHAC_PATH`. When none of those hold it, octohac lists every place it looked, so a "   \
      "typo or a missing `-I` is easy to spot.",                                                 \
      "import \"std/profile\"",                                                                  \
      "import \"std/profiles\"",                                                                 \
      "Correct the path, or name the directory that holds the file with `-I DIR` or "            \
      "`OCTOHAC_PATH`.")                                                                         \
    X("OH0502", SEV_ERROR, "import cycle (chain as notes)",                                     \
      "Files that import each other have no order in which they can be loaded, so their "        \
      "profiles would depend on themselves. The notes show the chain of imports that closes "    \
      "the cycle. Profiles whose `extends` chains loop back are the same error.",                \
      "# a.oha\nimport \"./b.oha\"\n# b.oha\nimport \"./a.oha\"",                                \
      "# a.oha\nimport \"./common.oha\"\n# b.oha\nimport \"./common.oha\"",                      \
      "Move what both files need into a third file that both import.")                           \
    X("OH0503", SEV_ERROR, "unknown profile (did you mean)",                                    \
      "`uses` and `extends` name profiles defined in the file or in a file it imports. A "       \
      "misspelt name, or a missing `import \"std/profiles\"`, would otherwise silently drop "    \
      "every setting the profile was meant to bring.",                                           \
      "cluster \"octopus\" uses prodution { ... }",                                              \
      "import \"std/profiles\"\ncluster \"octopus\" uses production { ... }",                    \
      "Correct the name, or import the file that defines the profile.")                          \
    X("OH0504", SEV_ERROR,                                                                      \
      "two clusters or two profiles with the same name (at the second, note at the first)",     \
      "Cluster names prefix resource names and tags and select the cluster for `build "          \
      "--cluster`; profile names are what `uses` refers to. Two with one name would make that "  \
      "choice ambiguous, so the second is an error with a note at the first.",                   \
      "profile base { nodes { count = 2 } }\nprofile base { nodes { count = 3 } }",              \
      "profile base { nodes { count = 2 } }\nprofile bigger { nodes { count = 3 } }",            \
      "Rename one of them, or merge the two into one.")                                          \
    X("OH1001", SEV_ERROR, "unknown block (did you mean)",                                      \
      "Every block is defined by the schema (schema/octohac.json). An unknown block is usually " \
      "a typo, and ignoring it would silently drop every setting inside it. The message "        \
      "suggests the nearest known block.",                                                       \
      "node { count = 3 }",                                                                      \
      "nodes { count = 3 }",                                                                     \
      "Use a block from docs/language.md; the did-you-mean usually names it.")                   \
    X("OH1002", SEV_ERROR, "unknown attribute (did you mean)",                                  \
      "Each block accepts the attributes its schema lists. An unknown attribute is usually a "   \
      "typo or a name from another tool, and ignoring it would silently leave the default in "   \
      "place. The message suggests the nearest known attribute.",                                \
      "nodes { instance_type = m6i.xlarge }",                                                    \
      "nodes { instance = m6i.xlarge }",                                                         \
      "Use an attribute of the block, as listed in docs/language.md.")                           \
    X("OH1003", SEV_ERROR, "attribute or block given twice (note at the first)",                \
      "Within one body a later value would silently override an earlier one, which hides "       \
      "mistakes in long files. Octohac reports the second and notes the first. Overriding on "   \
      "purpose is what profiles are for.",                                                       \
      "nodes {\n  count = 2\n  count = 3\n}",                                                    \
      "nodes {\n  count = 3\n}",                                                                 \
      "Delete one of them; to override a profile's value, set it in the cluster's body.")        \
    X("OH1004", SEV_ERROR, "wrong type: expected X, found Y",                                   \
      "Each attribute has a type (string, int, bool, word, size, cidr, list, ...) and octohac "  \
      "does not convert between them, so `\"3\"` is not a count and `3` is not a string. "       \
      "Catching this at compile time keeps type errors out of the template.",                    \
      "nodes { count = \"three\" }",                                                             \
      "nodes { count = 3 }",                                                                     \
      "Write the value in the type the message names.")                                          \
    X("OH1005", SEV_ERROR, "value out of range (says the range)",                               \
      "Many values have limits set by AWS or Octopus, such as 1 to 50 nodes, a task cap of 1 "   \
      "to 200 or 20 to 16384 GiB of database storage. A value outside them would fail at "       \
      "deploy time, often after other resources were created, so octohac rejects it and says "   \
      "the range.",                                                                              \
      "octopus { task_cap = 500 }",                                                              \
      "octopus { task_cap = 200 }",                                                              \
      "Use a value inside the range the message gives.")                                         \
    X("OH1006", SEV_ERROR, "not one of the allowed values (lists them; did you mean)",          \
      "Enumerated attributes accept only the values the schema lists, such as `sqlserver-se` "   \
      "or `multi-az`. The message lists them and suggests the nearest one, since a near miss "   \
      "is usually a typo.",                                                                      \
      "database { engine = sqlserver-std }",                                                     \
      "database { engine = sqlserver-se }",                                                      \
      "Use one of the values the message lists.")                                                \
    X("OH1007", SEV_ERROR, "value does not match its pattern (says what is expected in words)", \
      "Identifiers such as cluster names, instance types, ARNs, subnet ids and tag keys have a " \
      "fixed shape that AWS enforces. Octohac checks the shape at compile time and says in "     \
      "words what it expects, instead of failing during deployment.",                            \
      "cluster \"Octopus_Prod\" { ... }",                                                        \
      "cluster \"octopus-prod\" { ... }",                                                        \
      "Write the value in the form the message describes.")                                      \
    X("OH1008", SEV_ERROR, "required attribute missing (points at the block)",                  \
      "A few attributes have no sensible default, such as the Octopus admin's email address "    \
      "or the directory's domain. Without them the stack cannot be built, so octohac points at " \
      "the block that needs them, or at the cluster name when that block is missing or a "       \
      "profile brought it (a block in the cluster adds to the profile's).",                      \
      "cluster \"octopus\" {\n  directory { create = true, domain = \"corp.example.com\" }\n}",  \
      "cluster \"octopus\" {\n  directory { create = true, domain = \"corp.example.com\" }\n"    \
      "  octopus   { admin_email = \"ops@example.com\" }\n}",                                    \
      "Add the attribute the message names where its help says.")                               \
    X("OH1009", SEV_ERROR, "missing or wrong unit",                                             \
      "Sizes, throughputs and durations carry units (`GiB`, `TiB`, `MBps`, `s`, `min`, `h`, "    \
      "`days`), because a bare `100` could mean gibibytes or gigabytes, seconds or minutes. "    \
      "Octohac asks for the unit instead of guessing.",                                          \
      "nodes { disk = 100 }",                                                                    \
      "nodes { disk = 100 GiB }",                                                                \
      "Add a unit the attribute accepts, as in `100 GiB` or `10 min`.")                          \
    X("OH1010", SEV_ERROR,                                                                      \
      "attributes that exclude each other (e.g. `existing` with `storage`, cidr with an "        \
      "existing vpc, two directory forms)",                                                      \
      "Some attributes only make sense without others: an existing database has no storage "     \
      "size, an existing VPC has no CIDR, and a directory has exactly one form. Accepting both " \
      "would leave one of them silently ignored.",                                               \
      "database {\n  existing = secret(\"octopus/sql\")\n  storage  = 200 GiB\n}",               \
      "database {\n  existing = secret(\"octopus/sql\")\n}",                                     \
      "Keep one of the two attributes the message names.")                                       \
    X("OH1011", SEV_ERROR, "an error code in `allow` (only warnings can be silenced)",          \
      "`allow` silences warnings that a cluster accepts on purpose, such as a single-AZ "        \
      "staging database. Errors describe templates that would fail or would not be highly "      \
      "available, so they cannot be silenced: an error code in `allow` is itself an error, and " \
      "the error it names is still reported.",                                                   \
      "allow = [OH2001]",                                                                        \
      "allow = [OH2006]   # a warning the cluster accepts",                                      \
      "Remove the error code from `allow` and fix what the error reports.")                      \
    X("OH2001", SEV_ERROR, "fewer than 2 Octopus Server nodes: HA needs at least two",          \
      "Octopus High Availability is several Octopus Server nodes sharing one database and one "  \
      "file share behind a load balancer. With a single node, an instance failure, a patch "     \
      "reboot or a zone outage stops all deployments, and the load balancer, Multi-AZ database " \
      "and FSx add cost without adding availability. Octopus's HA guide asks for at least two "  \
      "servers.",                                                                                \
      "nodes { count = 1 }",                                                                     \
      "nodes { count = 2 }",                                                                     \
      "Set `nodes.count` to 2 or more.")                                                         \
    X("OH2002", SEV_ERROR, "node OS is not Windows Server 2016 or later",                       \
      "Octopus supports HA nodes on Windows Server 2016 or later. Older Windows versions are "   \
      "past Microsoft's support, and Octopus Server does not run natively on Linux (its Linux "  \
      "option is a container, which octohac does not build).",                                   \
      "nodes { os = windows-2012r2 }",                                                           \
      "nodes { os = windows-2022 }",                                                             \
      "Use `windows-2016`, `windows-2019`, `windows-2022` (the default) or `windows-2025`.")     \
    X("OH2003", SEV_ERROR,                                                                      \
      "polling tentacles with an ALB or Classic load balancer: polling needs TCP pass-through "  \
      "on an NLB",                                                                               \
      "Polling tentacles talk to Octopus over TLS with mutual certificate trust, and Octopus "   \
      "does not support TLS offloading of that traffic. An Application Load Balancer speaks "    \
      "only HTTP and HTTPS, so it would terminate the TLS and break the connection, and a "      \
      "Classic Load Balancer cannot send a port to one node alone. A Network Load Balancer "     \
      "passes TCP through untouched.",                                                           \
      "load_balancer { type = alb }\ntentacles { polling = true }",                              \
      "load_balancer { type = nlb }\ntentacles { polling = true }",                              \
      "Remove `type` (octohac then uses an NLB) or set `type = nlb`.")                           \
    X("OH2004", SEV_ERROR, "fewer than 2 availability zones",                                   \
      "High availability on AWS means surviving the loss of an availability zone. In one zone "  \
      "every node, the database and the file share go down together. An Application Load "      \
      "Balancer also needs two zones, as do Multi-AZ RDS and FSx.",                              \
      "network { zones = 1 }",                                                                   \
      "network { zones = 2 }",                                                                   \
      "Set `network.zones` to 2 or more, or list at least two zone names.")                      \
    X("OH2005", SEV_WARNING, "more than 8 nodes: beyond what Octopus has tested",               \
      "Octopus has tested High Availability with up to eight nodes and advises against going "   \
      "beyond six to eight; most installations run two to four. More nodes add load on the "     \
      "shared database rather than capacity, so larger nodes or a higher task cap are the "      \
      "better lever.",                                                                           \
      "nodes { count = 12 }",                                                                    \
      "nodes { count = 6, instance = m6i.2xlarge }\noctopus { task_cap = 40 }",                  \
      "Use 8 nodes or fewer with larger instances, or add `OH2005` to `allow` once the size is " \
      "tested.")                                                                                 \
    X("OH2006", SEV_WARNING, "database not Multi-AZ: a single point of failure",                \
      "Every Octopus node keeps its state in the one SQL Server database, so a single-AZ "       \
      "database is a single point of failure for the whole cluster: a zone outage or an "        \
      "instance failure stops every node. Octopus recommends Multi-AZ on RDS, which keeps a "    \
      "standby in another zone and fails over to it automatically.",                             \
      "database { multi_az = false }",                                                           \
      "database { multi_az = true }",                                                            \
      "Use `multi_az = true` with `sqlserver-se` or `sqlserver-ee` (their default); a staging "  \
      "cluster may `allow` OH2006.")                                                             \
    X("OH2007", SEV_ERROR,                                                                      \
      "Multi-AZ with Express or Web edition (RDS offers Multi-AZ for Standard and Enterprise "   \
      "only)",                                                                                   \
      "RDS offers Multi-AZ for SQL Server only with the Standard and Enterprise editions, "      \
      "through database mirroring or Always On availability groups. A template that asks for "   \
      "Multi-AZ on Express or Web fails when CloudFormation creates the instance.",              \
      "database { engine = sqlserver-web, multi_az = true }",                                    \
      "database { engine = sqlserver-se, multi_az = true }",                                     \
      "Use `sqlserver-se` or `sqlserver-ee`, or turn Multi-AZ off.")                             \
    X("OH2008", SEV_ERROR,                                                                      \
      "SQL Server version with under two years of Microsoft support left (2016, 2017), which "   \
      "Octopus does not support",                                                                \
      "Octopus supports only SQL Server versions with at least two years of Microsoft support "  \
      "left. SQL Server 2016 (extended support ends July 2026) and 2017 (October 2027) no "      \
      "longer qualify, so a new cluster on them would start out unsupported.",                   \
      "database { version = 2017 }",                                                             \
      "database { version = 2022 }",                                                             \
      "Use `version = 2022` (the default) or 2019.")                                             \
    X("OH2009", SEV_ERROR, "DB instance class not offered for the edition (table in schema/)",  \
      "RDS offers each SQL Server edition on its own set of instance classes: Express only on "  \
      "small t3 classes, Enterprise only from xlarge up. A class the edition does not offer "    \
      "fails when CloudFormation creates the database. Octohac checks against "                  \
      "schema/rds-sqlserver-instance-classes.json (RDS orderable options, June 2026).",          \
      "database { engine = sqlserver-ee, instance = db.m6i.large }",                             \
      "database { engine = sqlserver-ee, instance = db.m6i.xlarge }",                            \
      "Pick a class the message lists for the edition, or another edition.")                     \
    X("OH2010", SEV_WARNING, "shared storage is single-AZ",                                     \
      "Packages, artifacts and task logs live on the shared file system, and every node needs "  \
      "it. A single-AZ FSx file system goes down with its zone and stops deployments even "      \
      "while nodes in other zones are healthy. Multi-AZ FSx keeps a standby file server in a "   \
      "second zone.",                                                                            \
      "storage { deployment = single-az-2 }",                                                    \
      "storage { deployment = multi-az }",                                                       \
      "Use `deployment = multi-az` (the default); a staging cluster may `allow` OH2010.")        \
    X("OH2011", SEV_ERROR, "FSx for Windows without a directory block",                         \
      "Amazon FSx for Windows File Server requires Microsoft Active Directory: it joins an AWS " \
      "Managed Microsoft AD or a self-managed domain, and the nodes reach the share as domain "  \
      "members. Without a `directory` block there is nothing for FSx to join and the stack "     \
      "cannot be created.",                                                                      \
      "cluster \"octopus\" {\n  octopus { admin_email = \"ops@example.com\" }\n}",               \
      "cluster \"octopus\" {\n  directory { create = true, domain = \"corp.example.com\" }\n"    \
      "  octopus   { admin_email = \"ops@example.com\" }\n}",                                    \
      "Add a `directory` block, or use a share you run with `storage.existing`.")                \
    X("OH2012", SEV_ERROR,                                                                      \
      "FSx capacity or media invalid: SSD 32–65536 GiB, HDD 2000–65536 GiB and only with "       \
      "multi-az or single-az-2",                                                                 \
      "FSx for Windows accepts 32 to 65536 GiB on SSD and 2000 to 65536 GiB on HDD, and offers " \
      "HDD only for the multi-az and single-az-2 deployments. Any other combination is "         \
      "rejected when CloudFormation creates the file system.",                                   \
      "storage { capacity = 16 GiB }",                                                           \
      "storage { capacity = 32 GiB }",                                                           \
      "Use a capacity in the range of the media, and HDD only with `multi-az` or "               \
      "`single-az-2`.")                                                                          \
    X("OH2013", SEV_ERROR, "FSx throughput not a power of two from 8 to 2048 MBps",             \
      "FSx for Windows throughput capacity comes in powers of two from 8 to 2048 MBps, and AWS " \
      "rejects any other value. Throughput also sizes the file server's memory and cache, so "   \
      "round up rather than down.",                                                              \
      "storage { throughput = 100 MBps }",                                                       \
      "storage { throughput = 128 MBps }",                                                       \
      "Use 8, 16, 32, 64, 128, 256, 512, 1024 or 2048 MBps.")                                    \
    X("OH2014", SEV_WARNING,                                                                    \
      "node instance type is not general purpose (m, t families) or smaller than the task cap "  \
      "needs (≤10: 2 vCPU/4 GiB, ≤20: 4/8, ≤40: 8/16, ≤80: 16/32, ≤200: 32/64)",                 \
      "Octopus recommends general purpose instances for server nodes and sizes them by task "    \
      "cap: about 2 cores and 4 GB for 10 tasks, 4 cores and 8 GB for 20, doubling from there. " \
      "A node smaller than its task cap needs runs deployments slowly and can fail under load; " \
      "compute- or memory-optimised families cost more for the same work.",                     \
      "nodes { instance = m6i.large }\noctopus { task_cap = 40 }",                               \
      "nodes { instance = m6i.2xlarge }\noctopus { task_cap = 40 }",                             \
      "Use an `m` or `t` family type as large as the task cap needs, or lower "                  \
      "`octopus.task_cap`.")                                                                     \
    X("OH2015", SEV_ERROR,                                                                      \
      "per-node polling needs more NLB listeners than the 50 an NLB allows (the web listener "   \
      "on the same NLB counts, so at most 49 nodes), or a polling port above 65535",             \
      "With per-node polling every node gets its own NLB listener and port, because a polling "  \
      "tentacle must reach every node. An NLB has at most 50 listeners and the web listener "    \
      "shares it, so at most 49 nodes fit; the ports count up from `tentacles.port` and must "   \
      "stay at or below 65535.",                                                                 \
      "nodes { count = 50 }\ntentacles { polling = true }",                                      \
      "nodes { count = 50 }\ntentacles { polling = true, mode = shared-queue }",                 \
      "Use at most 49 nodes, `mode = shared-queue`, or a lower `tentacles.port`.")               \
    X("OH2016", SEV_ERROR,                                                                      \
      "shared-queue polling with an Octopus version older than 2026.4.6909 (`latest` "           \
      "satisfies it)",                                                                           \
      "Shared-queue polling keeps the tentacles' pending work in Redis, so each tentacle polls "  \
      "one address and any node can serve it. Octopus Server supports this from 2026.4.6909; "  \
      "an older server ignores the Redis queue, and tentacles polling one address would only "   \
      "ever reach some of the nodes.",                                                           \
      "octopus { version = \"2026.2.1000\" }\ntentacles { polling = true, mode = shared-queue }", \
      "octopus { version = \"2026.4.6909\" }\ntentacles { polling = true, mode = shared-queue }", \
      "Use `version = latest` or 2026.4.6909 or later, or per-node polling.")                    \
    X("OH2017", SEV_WARNING,                                                                    \
      "fewer nodes than zones: some zone has no node (points at `network.zones`)",               \
      "Octohac spreads nodes over the zones in order, so with fewer nodes than zones some zone " \
      "gets subnets, NAT and load-balancer capacity but no Octopus node. That costs money "      \
      "without adding availability; a node in every zone is what lets the cluster lose a zone "  \
      "and keep serving from the rest.",                                                         \
      "network { zones = 3 }\nnodes { count = 2 }",                                              \
      "network { zones = 3 }\nnodes { count = 3 }",                                              \
      "Use at least as many nodes as zones, or fewer zones.")                                    \
    X("OH2018", SEV_WARNING, "Express edition: 10 GB database limit, not fit for HA",           \
      "SQL Server Express caps each database at 10 GB and limits memory and cores. An Octopus "  \
      "database with a few months of releases, task logs and audit events outgrows that, and "   \
      "RDS runs Express without Multi-AZ. Octopus recommends Standard or higher for HA on RDS.", \
      "database { engine = sqlserver-ex }",                                                      \
      "database { engine = sqlserver-se }",                                                      \
      "Use `sqlserver-se` (the default) or `sqlserver-ee`.")                                     \
    X("OH2019", SEV_ERROR,                                                                      \
      "directory domain longer than 47 characters with multi-az or single-az-2 FSx",             \
      "For Single-AZ 2 and all Multi-AZ file systems, FSx for Windows limits the Active "         \
      "Directory domain name to 47 characters. A longer name fails when the file system joins "  \
      "the domain, late in stack creation.",                                                     \
      "directory { create = true, domain = \"octopus-deploy.platform-engineering.corp.example.com\" }", \
      "directory { create = true, domain = \"octopus.corp.example.com\" }",                      \
      "Use a domain name of at most 47 characters.")                                             \
    X("OH2020", SEV_ERROR, "zone names that do not belong to `region`, or duplicated",          \
      "Explicit zone names pin subnets, nodes and file servers to those zones. A zone of "       \
      "another region, or a misspelt one, fails when CloudFormation creates the first subnet, "  \
      "and a zone listed twice puts two of the cluster's subnets in one zone, halving its "      \
      "resilience.",                                                                             \
      "region = us-east-1\nnetwork { zones = [us-east-1a, us-west-2b] }",                        \
      "region = us-east-1\nnetwork { zones = [us-east-1a, us-east-1b] }",                        \
      "List distinct zones of `region`, each the region's name followed by a letter.")           \
    X("OH2021", SEV_ERROR, "`deletion = snapshot` on FSx storage",                              \
      "CloudFormation supports the Snapshot deletion policy only for resources that have "       \
      "snapshots, such as RDS; FSx for Windows is not one of them, and a template that asks "    \
      "for it is rejected. FSx keeps its data through automatic backups (`backup_days`) or by "  \
      "retaining the file system.",                                                              \
      "storage { deletion = snapshot }",                                                         \
      "storage { deletion = retain }",                                                           \
      "Use `deletion = retain` (the default) and keep backups with `backup_days`.")              \
    X("OH2022", SEV_WARNING, "Classic Load Balancer is legacy: prefer alb, or nlb for polling", \
      "The Classic Load Balancer is AWS's previous-generation load balancer: it has no target "  \
      "groups and no per-node routing, and AWS recommends moving off it. An Application Load "   \
      "Balancer serves the web UI better, and a Network Load Balancer is what polling "          \
      "tentacles need.",                                                                         \
      "load_balancer { type = classic }",                                                        \
      "load_balancer { type = alb }",                                                            \
      "Use `type = alb`, or `type = nlb` with polling tentacles.")                               \
    X("OH2023", SEV_ERROR, "existing vpc without the subnets the topology needs",               \
      "In an existing VPC octohac creates no subnets, so it needs yours: one private subnet per " \
      "zone (at least two) for the nodes, database and file system, and public subnets for an "  \
      "internet-facing load balancer. Too few would leave zones without nodes, or fail when "    \
      "the load balancer, which needs two zones, is created. A subnet listed twice counts once: " \
      "it would put two zones' resources in one subnet, and AWS would reject the template.",   \
      "network {\n  vpc             = \"vpc-0a1b2c3d4e5f60718\"\n"                               \
      "  private_subnets = [\"subnet-0a1b2c3d4e5f60001\"]\n}",                                   \
      "network {\n  vpc             = \"vpc-0a1b2c3d4e5f60718\"\n"                               \
      "  private_subnets = [\"subnet-0a1b2c3d4e5f60001\", \"subnet-0a1b2c3d4e5f60002\"]\n"       \
      "  public_subnets  = [\"subnet-0a1b2c3d4e5f60101\", \"subnet-0a1b2c3d4e5f60102\"]\n}",     \
      "List one private subnet per zone, and as many public subnets when the load balancer is "  \
      "internet-facing.")                                                                        \
    X("OH2024", SEV_ERROR,                                                                      \
      "io1 storage without iops, iops with gp2, or iops outside 1–50 × storage GiB",             \
      "Provisioned IOPS (io1) storage must state its IOPS, gp2 storage cannot take an IOPS "     \
      "figure, and RDS for SQL Server allows 1 to 50 IOPS per GiB of io1 storage. Anything "     \
      "else fails when CloudFormation creates the database.",                                    \
      "database { storage_type = io1, storage = 100 GiB }",                                      \
      "database { storage_type = io1, storage = 100 GiB, iops = 3000 }",                         \
      "Give io1 an `iops` from 1 to 50 times the storage in GiB, and remove `iops` with gp2.")    \
    X("OH2025", SEV_ERROR,                                                                      \
      "`nat = none` without `octopus.download_url` (nodes without internet cannot fetch the "    \
      "MSI)",                                                                                    \
      "With `nat = none` the private subnets have no route to the internet, and octohac adds "   \
      "VPC endpoints for the AWS services the nodes use instead. The Octopus Server MSI comes "   \
      "from octopus.com by default, which the nodes then cannot reach, so their bootstrap "      \
      "would fail.",                                                                             \
      "network { nat = none }",                                                                  \
      "network { nat = none }\n"                                                                 \
      "octopus { download_url = \"https://my-bucket.s3.us-east-1.amazonaws.com/Octopus.msi\" }", \
      "Set `octopus.download_url` to a location the nodes reach without the internet, such as "  \
      "an S3 object.")                                                                           \
    X("OH2026", SEV_ERROR,                                                                      \
      "internet-facing load balancer whose `allowed_cidrs` are all private (its clients arrive " \
      "from public addresses)",                                                                  \
      "An internet-facing load balancer's name resolves to public addresses, so every client "   \
      "reaches it from a public address: from the internet, or through a NAT gateway or proxy "  \
      "even when it sits in a private network. When every range in `allowed_cidrs` is "          \
      "non-public, the security group refuses them all and the web UI is unreachable. "          \
      "Non-public here is RFC 1918 (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16), shared address " \
      "space (100.64.0.0/10, carrier-grade NAT), link-local (169.254.0.0/16), loopback "        \
      "(127.0.0.0/8), 0.0.0.0/8, multicast (224.0.0.0/4) and reserved (240.0.0.0/4); the "       \
      "documentation ranges such as 203.0.113.0/24 count as public, since examples use them "    \
      "for public ranges. The same holds for `tentacles.allowed_cidrs` of polling tentacles.",   \
      "load_balancer {\n  scheme        = internet-facing\n"                                     \
      "  allowed_cidrs = [10.0.0.0/8, 192.168.0.0/16]\n}",                                      \
      "load_balancer {\n  scheme        = internal\n"                                            \
      "  allowed_cidrs = [10.0.0.0/8, 192.168.0.0/16]\n}",                                      \
      "Use `scheme = internal` for users on private networks (reached over a VPN, Direct "       \
      "Connect or a transit gateway), or list the public ranges their traffic leaves from, "     \
      "such as office or VPN egress addresses.")                                                 \
    X("OH2027", SEV_ERROR, "self-managed directory in a new VPC (no route to its domain controllers)", \
      "A self-managed Active Directory runs outside the stack, and a VPC the stack creates has " \
      "no route to it: no VPN, Direct Connect, peering or transit gateway attachment exists "    \
      "until someone adds one. FSx joins the domain while it is created, so it fails after a "   \
      "long wait and the whole stack rolls back; the nodes would also point their DNS at "       \
      "`dns_ips` they cannot reach. Octohac therefore requires an existing VPC, which you "      \
      "connect to the domain controllers before deploying.",                                     \
      OH2027_DIRECTORY,                                                                          \
      "network {\n  vpc             = \"vpc-0a1b2c3d4e5f60718\"\n"                                \
      "  private_subnets = [\"subnet-0a1b2c3d4e5f60001\", \"subnet-0a1b2c3d4e5f60002\"]\n"       \
      "  public_subnets  = [\"subnet-0a1b2c3d4e5f60101\", \"subnet-0a1b2c3d4e5f60102\"]\n}\n"    \
      OH2027_DIRECTORY,                                                                          \
      "Set `network.vpc` to a VPC that routes to the domain controllers, with its subnets; or "  \
      "use `create = true` for an AWS Managed Microsoft AD the stack creates.")                  \
    X("OH2028", SEV_ERROR,                                                                      \
      "`database.version` older than `database.min_version` (RDS cannot downgrade SQL Server)", \
      "RDS upgrades a SQL Server instance to a newer major version in place (the template sets " \
      "AllowMajorVersionUpgrade), but it cannot go back: a database upgraded to 2022 cannot run " \
      "2019 again, and an update that asks for it fails and rolls back. octohac works offline "  \
      "and cannot see the deployed version, so `min_version` records it in the file: raise it "  \
      "after each upgrade, and a `version` below it (an old branch, a profile) is this error. "  \
      "It defaults to 2016, the oldest, so a file without it never sees this error. "            \
      "`octohac plan` compares the deployed template's version with the new one.",              \
      "database {\n  version     = 2019\n  min_version = 2022\n}",                              \
      "database {\n  version     = 2022\n  min_version = 2022\n}",                              \
      "Keep `version` at `min_version` or newer. An older SQL Server needs a new database, "     \
      "restored from a backup made with that version.")                                        \
    X("OH2030", SEV_ERROR, "a maintenance window that is not a valid weekly window of 1 to 24 hours", "RDS and ElastiCache take a weekly maintenance window of the form `ddd:hh:mm-ddd:hh:mm` in UTC; ElastiCache needs at least 60 minutes and both accept at most 24 hours. An hour above 23, a minute above 59, or a shorter or longer window fails when CloudFormation creates or updates the database.", "maintenance { window = \"sun:03:00-sun:03:30\" }", "maintenance { window = \"sun:03:00-sun:04:00\" }", "Write a UTC window of 1 to 24 hours, such as `sun:03:00-sun:04:00`.") \
    X("OH2031", SEV_ERROR, "a backup window that is not a valid daily window of at least 30 minutes", "RDS takes a daily backup window of the form `hh:mm-hh:mm` in UTC, at least 30 minutes long; FSx starts its daily backup at the window's start. An hour above 23, a minute above 59 or a shorter window fails when CloudFormation creates or updates the database.", "maintenance { backup_window = \"01:00-01:15\" }", "maintenance { backup_window = \"01:00-02:00\" }", "Write a daily UTC window of at least 30 minutes, such as `01:00-02:00`.") \
    X("OH2032", SEV_ERROR, "the maintenance window overlaps the daily backup window", "RDS rejects a maintenance window that overlaps its backup window, so CloudFormation would fail to create or update the database; FSx and ElastiCache are given the same windows. The backup window repeats every day, so it must stay clear of the weekly maintenance window on that day.", "maintenance {\n  window        = \"sun:01:30-sun:02:30\"\n  backup_window = \"01:00-02:00\"\n}", "maintenance {\n  window        = \"sun:03:00-sun:04:00\"\n  backup_window = \"01:00-02:00\"\n}", "Move the maintenance window or the backup window so that they do not meet.") \
    X("OH2033", SEV_WARNING, "`alerts` without `email` or `topic` (the alarms notify nobody)", "With an `alerts` block (the `production` profile writes one) octohac creates CloudWatch alarms for the nodes, the load balancer, the database and the file system. Without an e-mail address or an existing topic, their notifications reach nobody, and a failed node goes unnoticed.", "alerts { log_retention = 90 days }", "alerts {\n  email         = [\"oncall@example.com\"]\n  log_retention = 90 days\n}", "Add `email` addresses or an existing SNS `topic` to `alerts`.") \
    X("OH2034", SEV_ERROR, "`log_retention` is not a retention period CloudWatch Logs offers", "CloudWatch Logs keeps a log group's events for one of a fixed list of periods: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653 days. Any other number fails when CloudFormation creates the log group.", "alerts { log_retention = 100 days }", "alerts { log_retention = 90 days }", "Use one of the listed periods; the message names the two nearest.") \
    X("OH2035", SEV_ERROR, "`alerts.topic` is in another region than the cluster", "A CloudWatch alarm can notify only an SNS topic of its own region. With a topic ARN from another region the alarms fail to create.", "region = us-east-1\nalerts { topic = \"arn:aws:sns:eu-west-1:123456789012:octopus-alerts\" }", "region = us-east-1\nalerts { topic = \"arn:aws:sns:us-east-1:123456789012:octopus-alerts\" }", "Use a topic in the cluster's region, or leave `topic` out so that the stack creates one.") \
    X("OH3001", SEV_ERROR, "more than 500 resources / more than 450",                           \
      "CloudFormation accepts at most 500 resources in one template. Octohac warns from 450 so " \
      "that the cluster has room to grow, and points at the attribute that contributes the "     \
      "most resources, usually `nodes.count` or the number of zones.",                           \
      "nodes { count = 50 }\nnetwork { zones = 6 }",                                             \
      "nodes { count = 8 }\nnetwork { zones = 3 }",                                              \
      "Reduce what the message points at, or split the installation into several clusters.")    \
    X("OH3002", SEV_ERROR,                                                                      \
      "template over 1,000,000 bytes / over 51,200 bytes (note: deploy with `--s3-bucket`, "     \
      "since inline upload is limited to 51,200 bytes)",                                         \
      "CloudFormation accepts a template of up to 51,200 bytes inline and up to 1,000,000 "      \
      "bytes from S3. Past 51,200 bytes the deploy command needs `--s3-bucket`, which octohac "  \
      "notes; past 1,000,000 bytes no deployment is possible. The size is that of the form "     \
      "written (YAML, JSON or compact JSON; `check` measures the YAML): indented JSON is about "  \
      "half again as large as YAML, and `build -f json --compact` the smallest form.",            \
      "# aws cloudformation deploy --template-file stack.yaml --stack-name octopus",             \
      "# aws cloudformation deploy --template-file stack.yaml --stack-name octopus "             \
      "--s3-bucket my-templates",                                                                \
      "Build with `-f json --compact`, or deploy with `--s3-bucket`; above 1,000,000 bytes "      \
      "make the cluster smaller.")                                                               \
    X("OH3003", SEV_ERROR, "a node's UserData over 16 KB (AWS measures it before base64)",     \
      "EC2 limits an instance's UserData to 16 KB, measured before base64 encoding. Octohac "    \
      "keeps the per-node loader small and puts the bootstrap script in CloudFormation "         \
      "metadata, so reaching the limit means a value inlined into UserData, such as a very "     \
      "long download URL, has grown too large.",                                                 \
      "octopus { download_url = \"https://example.com/...a URL of thousands of characters...\" }", \
      "octopus { download_url = \"https://example.com/Octopus.2026.4.6909-x64.msi\" }",          \
      "Shorten the value the message points at.")                                                \
    X("OH3004", SEV_ERROR, "more than 200 parameters or 200 outputs",                           \
      "CloudFormation allows at most 200 parameters and 200 outputs per template. Each "         \
      "`param()` adds a parameter and every node adds outputs (such as its polling address), "   \
      "so very large or heavily parameterised clusters can reach the limit.",                    \
      "# hundreds of param(\"...\") values",                                                     \
      "# literal values or secret(\"...\") for most of them",                                    \
      "Replace some `param()` values with literals or secrets, or use fewer nodes.")             \
    X("OH3005", SEV_ERROR,                                                                      \
      "a resource name over its AWS length limit (e.g. 32 for target groups)",                   \
      "Some AWS names have short limits: target groups and load balancers allow 32 "             \
      "characters. Octohac derives names from the cluster name, so a long cluster name with a "  \
      "suffix can pass a limit and fail at deploy time.",                                        \
      "cluster \"octopus-platform-prod-eu1\" { ... }",                                           \
      "cluster \"octopus-prod-eu1\" { ... }",                                                    \
      "Use a shorter cluster name.")                                                             \
    X("OH4001", SEV_WARNING, "no certificate: the web UI and API travel as plain HTTP",         \
      "Without a certificate the load balancer serves the Octopus web UI and API over plain "    \
      "HTTP, so logins, API keys and sensitive variables cross the network readable by anyone "  \
      "on the path. An ACM certificate lets the load balancer terminate HTTPS at no extra "      \
      "cost.",                                                                                   \
      "load_balancer { scheme = internet-facing }",                                              \
      "load_balancer {\n  certificate = \"arn:aws:acm:us-east-1:123456789012:certificate/"       \
      "0f1e2d3c-aaaa-bbbb-cccc-1234567890ab\"\n}",                                               \
      "Set `load_balancer.certificate` to an ACM certificate ARN or a `param()`.")               \
    X("OH4002", SEV_WARNING,                                                                    \
      "SSL policy allows TLS 1.0 or 1.1: any policy whose name contains neither `TLS13` nor "    \
      "`TLS-1-2`",                                                                               \
      "TLS 1.0 and 1.1 are deprecated (RFC 8996) and have known weaknesses, and browsers no "    \
      "longer use them. Older AWS policies such as `ELBSecurityPolicy-2016-08` still allow "     \
      "them; policies whose names contain `TLS13` or `TLS-1-2` allow only TLS 1.2 and later.",   \
      "load_balancer { ssl_policy = ELBSecurityPolicy-2016-08 }",                                \
      "load_balancer { ssl_policy = ELBSecurityPolicy-TLS13-1-2-2021-06 }",                      \
      "Use `ELBSecurityPolicy-TLS13-1-2-2021-06` (the default for alb and nlb).")                \
    X("OH4003", SEV_WARNING,                                                                    \
      "`database.deletion = delete`: deleting or replacing the stack destroys the Octopus "      \
      "database",                                                                                \
      "The database holds every project, release, deployment, variable and audit event of the "  \
      "installation. With `deletion = delete`, deleting the stack, or an update that replaces "  \
      "the instance, destroys it with no final snapshot.",                                       \
      "database { deletion = delete }",                                                          \
      "database { deletion = snapshot }",                                                        \
      "Use `deletion = snapshot` (the default) or `retain`; a throwaway cluster may `allow` "    \
      "OH4003.")                                                                                 \
    X("OH4004", SEV_WARNING,                                                                    \
      "`storage.deletion = delete`: packages, artifacts and task logs are lost with the stack",  \
      "The shared file system holds the built-in package repository, artifacts and task logs. "  \
      "With `deletion = delete` they are lost when the stack is deleted, together with the "     \
      "file system's automatic backups.",                                                        \
      "storage { deletion = delete }",                                                           \
      "storage { deletion = retain }",                                                           \
      "Use `deletion = retain` (the default); a throwaway cluster may `allow` OH4004.")          \
    X("OH4005", SEV_ERROR,                                                                      \
      "a secret written as a plain string (password attribute, or a connection string with "     \
      "`Password=`)",                                                                            \
      "A `.oha` file is committed to version control and its values are copied into the "        \
      "template, where anyone who can read the stack can see them. Passwords, connection "       \
      "strings with a password and licence keys belong in AWS Secrets Manager, which octohac "   \
      "reads through `secret(...)` at deploy or boot time.",                                     \
      "database { existing = \"Server=sql1;User ID=octopus;Password=Hunter2!\" }",               \
      "database { existing = secret(\"octopus/sql-connection\") }",                              \
      "Store the value in Secrets Manager and write `secret(\"name\")` instead.")                \
    X("OH4006", SEV_WARNING, "`database.encrypted = false`",                                    \
      "Unencrypted RDS storage leaves the Octopus database, its snapshots and its backups "      \
      "readable to anyone who obtains a copy of them. Encryption at rest has no noticeable "     \
      "cost on RDS, and it cannot be turned on later without restoring from a snapshot.",        \
      "database { encrypted = false }",                                                          \
      "database { encrypted = true }",                                                           \
      "Remove `encrypted = false` (the default is `true`).")                                     \
    X("OH4007", SEV_WARNING, "`database.deletion_protection = false`",                          \
      "Deletion protection stops the database from being deleted by a console click, a script " \
      "or a stack operation. The Octopus database is the one part of the cluster that cannot "   \
      "be recreated from the template.",                                                         \
      "database { deletion_protection = false }",                                                \
      "database { deletion_protection = true }",                                                 \
      "Remove `deletion_protection = false` (the default is `true`); a throwaway cluster may "   \
      "`allow` OH4007.")                                                                         \
    X("OH4008", SEV_WARNING,                                                                    \
      "allowed_cidrs contains 0.0.0.0/0 with `scheme = internal` (the range means nothing "      \
      "there and hides intent)",                                                                 \
      "An internal load balancer has only private addresses, so `0.0.0.0/0` in its allowed "     \
      "ranges does not open it to the internet: it allows whatever can route to the VPC. "       \
      "Writing it hides which networks are meant to reach Octopus, and becomes a real "          \
      "exposure if the scheme is later changed to internet-facing.",                             \
      "load_balancer {\n  scheme        = internal\n  allowed_cidrs = [0.0.0.0/0]\n}",           \
      "load_balancer {\n  scheme        = internal\n  allowed_cidrs = [10.0.0.0/8]\n}",          \
      "List the networks that should reach Octopus, or leave `allowed_cidrs` out to allow the "  \
      "VPC's CIDR.")                                                                             \
    X("OH4010", SEV_WARNING,                                                                     \
      "`nodes.ami_version = \"latest\"`: the nodes' image floats with AWS's latest Windows AMI", \
      "With `\"latest\"` WindowsAmi has an SSM parameter type, which CloudFormation "            \
      "resolves again on every stack update. After AWS publishes a new Windows AMI (monthly), "  \
      "any later update, even a tag, replaces every node in one go: no drain, running tasks "    \
      "die, and a replaced node 1 joins under the old node's name. A pinned image changes only " \
      "when the operator changes the WindowsAmi value on purpose.",                              \
      "nodes { ami_version = \"latest\" }",                                                      \
      "nodes { ami_version = \"112\" }",                                                         \
      "Pin `ami_version` to a version of the SSM public parameter (`aws ssm get-parameter "      \
      "--name ... --query Parameter.Version`), or leave it out and pass `WindowsAmi` at deploy " \
      "time.")                                                                                   \
    X("OH4011", SEV_WARNING, "a tag with an empty value, which Systems Manager documents refuse", \
      "AWS accepts an empty tag value on most resources, but not on a Systems Manager document "  \
      "(its CloudFormation schema requires at least one character). The Automation documents of " \
      "the operations template (`build --operations`) are therefore tagged without the tags whose " \
      "value is empty, so a cost report or a tag policy that relies on them misses the documents.", \
      "tags { owner = \"\" }",                                                                      \
      "tags { owner = \"platform\" }",                                                              \
      "Give the tag a value, or accept the documents without it (`allow = [OH4011]`).")          \
    X("OH4015", SEV_WARNING,                                                                    \
      "a self-managed directory without `nodes_group`: every computer of the domain may change " \
      "the shared files",                                                                        \
      "Octopus Server runs as LocalSystem and reaches the FSx share as its computer account, so " \
      "node 1 must grant the nodes Modify on the shared folder. Without `nodes_group` it grants " \
      "Domain Computers: in a corporate domain that is every workstation and server, any of "   \
      "which could then replace the packages Octopus deploys. With `nodes_group`, each node "    \
      "adds its own computer account to that existing group when it joins (with the join "      \
      "account, which must be allowed to change the group's members) and only the group gets "   \
      "Modify.",                                                                                 \
      "cluster \"corp\" {\n  octopus { admin_email = \"ops@example.com\" }\n  directory {\n"                 \
      "    self_managed = true\n    domain       = \"corp.example.com\"\n    dns_ips      = [10.50.0.10]\n" \
      "    username     = \"svc-octopus-join\"\n    password     = secret(\"ad/join\")\n  }\n}",          \
      "cluster \"corp\" {\n  octopus { admin_email = \"ops@example.com\" }\n  directory {\n"                 \
      "    self_managed = true\n    domain       = \"corp.example.com\"\n    dns_ips      = [10.50.0.10]\n" \
      "    username     = \"svc-octopus-join\"\n    password     = secret(\"ad/join\")\n"                 \
      "    nodes_group  = \"Octopus Nodes\"\n  }\n}",                                                 \
      "Create a group for the nodes, let the join account write its members, and name it in "    \
      "`nodes_group`.")                                                                          \
    X("OH5001", SEV_ERROR,                                                                      \
      "a generated resource violates the AWS resource schema octohac ships (JSON path and the "  \
      "schema rule); this is a bug in octohac and exits 3",                                      \
      "Before writing anything, octohac validates every generated resource against the AWS "    \
      "resource provider schema it ships. A violation means octohac generated something AWS "    \
      "would reject: a bug in octohac, not in your file, so it exits with status 3 and names "   \
      "the JSON path and the schema rule.",                                                      \
      "# any input: the fault is in octohac",                                                    \
      "# nothing to change in the .oha file; report the message",                                \
      "Report the message and the `.oha` file to the octohac maintainers; nothing was "          \
      "written.")                                                                                \
    X("OH6001", SEV_ERROR,                                                                      \
      "plan: a stateful resource (database, file system, directory, secret, Redis, the version " \
      "parameter) is replaced",                                                                  \
      "`octohac plan` found that the update replaces a resource that holds data: CloudFormation " \
      "creates a new, empty one, points the stack at it and deletes the old one. The message "   \
      "says what would be lost; the note names the property that forces the replacement, "       \
      "directly or through a reference to another replaced resource.",                           \
      "# old: database { engine = sqlserver-se }\ndatabase { engine = sqlserver-ee }",            \
      "database { engine = sqlserver-se }",                                                      \
      "Keep the old value, or take the snapshot or backup the help line names first and "        \
      "restore the new resource from it.")                                                       \
    X("OH6002", SEV_ERROR, "plan: a stateful resource may be replaced (conditional update)",    \
      "The AWS provider schema lists the changed property as conditionally create-only: "        \
      "depending on the values, CloudFormation updates the resource in place or replaces it "    \
      "with an empty one. Octohac cannot tell which offline, so it treats the change as "        \
      "destructive.",                                                                            \
      "# old: database { engine = sqlserver-se }\ndatabase { engine = sqlserver-ee }",            \
      "database { engine = sqlserver-se }",                                                      \
      "Keep the old value, or snapshot first and be ready to restore.")                          \
    X("OH6003", SEV_ERROR, "plan: a stateful resource is removed",                              \
      "The new template no longer has a resource that holds data, so the update deletes it "     \
      "(a DeletionPolicy of Snapshot or Retain keeps a copy, but the running cluster loses it).",                                                        \
      "# old: an octohac-created database\ndatabase { existing = secret(\"octopus/sql\") }",      \
      "database { engine = sqlserver-se }",                                                      \
      "Snapshot or back up the resource first, or keep it in the template.")                     \
    X("OH6004", SEV_ERROR, "plan: a generated secret gets a new value (GenerateSecretString changed)", \
      "Secrets Manager generates a new value when a secret's `GenerateSecretString` changes, "   \
      "even though the secret itself is updated in place. The database, the directory or "      \
      "Octopus keep the old value, so logins and decryption fail after the update.",             \
      "# a change to the generated password's length or character set",                          \
      "# the same generation settings as the deployed stack",                                    \
      "Keep the old generation settings, or save the value first and write it back.")            \
    X("OH6005", SEV_ERROR, "plan: a resource with a fixed name needs replacement (the update will fail)", \
      "CloudFormation creates the replacement before it deletes the old resource. When the "     \
      "resource has a name of its own (a secret's or a parameter's `Name`, a role's "            \
      "`RoleName`, ...), the new one cannot take the name the old one still holds, and the "     \
      "update fails and rolls back.",                                                            \
      "# a create-only property of a named resource changes",                                    \
      "# keep the property, or change the name in the same update",                              \
      "Keep the old value, or give the resource a new name in the same update.")                \
    X("OH6006", SEV_WARNING, "plan: every node is replaced in the same update (outage)",        \
      "CloudFormation replaces independent resources in parallel, so when every node is "        \
      "replaced at once no node serves Octopus until the new ones have installed and joined "    \
      "the cluster.",                                                                            \
      "# old: nodes { os = windows-2019 }\nnodes { os = windows-2022 }",                         \
      "# replace half the nodes in one update and the rest in the next",                         \
      "Deploy in a maintenance window, or change the nodes in two updates.")                     \
    X("OH6007", SEV_WARNING, "plan: every node is stopped or replaced in the same update (outage)", \
      "Changing a node's instance type or user data stops and starts the instance; when every "  \
      "node is changed in one update CloudFormation stops them together, and Octopus is down "   \
      "until they are back.",                                      \
      "# old: nodes { instance = m6i.xlarge }\nnodes { instance = m6i.2xlarge }",                \
      "# change half the nodes in one update and the rest in the next",                          \
      "Deploy in a maintenance window, or change the nodes in two updates.")                     \
    X("OH6008", SEV_WARNING, "plan: the nodes' AMI comes from an SSM parameter (any update may replace every node)", \
      "The nodes' `ImageId` is a parameter of type "                                             \
      "`AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>`. CloudFormation resolves it again on "  \
      "every stack update, so when AWS has published a new AMI since the last deployment, any " \
      "update, even a tag, replaces every node. The plan cannot see that value offline.",        \
      "nodes { os = windows-2022 }",                                                             \
      "# deploy with --parameter-overrides WindowsAmi=ami-0123456789abcdef0",                    \
      "Pin the AMI the stack runs with `--parameter-overrides` for updates that should not "     \
      "replace the nodes.")                                                                      \
    X("OH6009", SEV_WARNING, "plan: a stateful resource leaves the stack but is kept (DeletionPolicy Retain)", \
      "A resource removed from the template is deleted, unless its `DeletionPolicy` is `Retain`: "  \
      "then CloudFormation only stops managing it. Its data survives, but it is still billed, "  \
      "nothing in the stack uses or watches it any more, and a stack policy from "               \
      "`build --stack-policy` denies the removal (Update:Delete), so the update fails until the " \
      "policy is replaced.",                                                                     \
      "# old: alerts { email = [\"oncall@example.com\"] }\nalerts { enabled = false }",          \
      "# keep the block, or delete the kept resources by hand once they are no longer needed",   \
      "Keep the block, or accept the orphaned resource: set the new stack policy first, and "    \
      "delete the resource by hand when its data is no longer needed.")                           \
    X("OH6010", SEV_WARNING, "plan: a node is removed (scale in) without being drained first",  \
      "Lowering `nodes.count` removes the last nodes from the template, and CloudFormation "     \
      "terminates them as soon as the update runs: tasks running on them fail, and Octopus "     \
      "keeps their node records, offline, until someone deletes them. In per-node polling mode " \
      "the tentacles registered with the removed node's polling address also lose that server.", \
      "# old: nodes { count = 4 }\nnodes { count = 3 }",                                         \
      "# first: aws ssm start-automation-execution --document-name <RemoveNode> "                \
      "--parameters NodeIndex=4\nnodes { count = 3 }",                                            \
      "Drain the node and delete its record first (the operations stack's RemoveNode "           \
      "automation, docs/operations.md), then deploy the smaller count.")                          \
    X("OH6011", SEV_NOTE, "plan: a node is added in per-node polling mode (tentacles must register with it)", \
      "In per-node polling mode each node has its own polling address on the Network Load "      \
      "Balancer, and a polling tentacle only reaches the nodes it is registered with. A new "    \
      "node serves the web UI as soon as it is up, but it runs no task for a polling tentacle "  \
      "until the tentacle is registered with its address too.",                                  \
      "# old: nodes { count = 3 }\nnodes { count = 4 }",                                         \
      "nodes { count = 4 }\n# then: Tentacle.exe poll-server --server-comms-address <PollingAddress4>", \
      "After the update, register every polling tentacle with the new node's `PollingAddress<i>` " \
      "output.")

const RuleInfo rule_infos[] = {
#define X(code, severity, title, why, wrong, right, fix) { code, severity, title, why, wrong, right },
    RULE_INFOS(X)
#undef X
};
const size_t rule_info_count = sizeof rule_infos / sizeof rule_infos[0];

static const char *const rule_fixes[] = {
#define X(code, severity, title, why, wrong, right, fix) fix,
    RULE_INFOS(X)
#undef X
};

static const RuleInfo *find_info(const char *code, size_t *index)
{
    for (size_t i = 0; code && i < rule_info_count; i++) {
        if (strcmp(rule_infos[i].code, code) == 0) {
            if (index)
                *index = i;
            return &rule_infos[i];
        }
    }
    return NULL;
}

const RuleInfo *rule_info(const char *code)
{
    return find_info(code, NULL);
}

const char *rules_fix(const char *code)
{
    size_t i;
    return find_info(code, &i) ? rule_fixes[i] : NULL;
}
