/* test_rules.c: unit tests of rules.c on hand-built Cluster models (every OH2xxx and
 * OH4xxx check, both sides of each boundary, spans, secondary labels, help lines and
 * `allow`), of the explain table (every code of rules.md, severities agreeing with the
 * check table), and of docs/rules.md, which is generated from that table:
 *   test_rules                      run the tests
 *   test_rules --write-docs FILE    write docs/rules.md
 *   test_rules --check-docs FILE    fail when FILE differs from what would be written */
#define _POSIX_C_SOURCE 200809L   /* open_memstream */
#include "octohac.h"

#include <stdlib.h>
#include <string.h>

#include "check.h"

/* ---------------------------------------------------------------- a hand-built model */

typedef struct T {
    const char *name;
    Arena *arena;
    Source *src;
    DiagCtx diag;
    Cluster c;
} T;

/* The span of NEEDLE's value in the test source: the text after "= " when NEEDLE is
 * an attribute ("count = 1"), else NEEDLE itself. */
static Span find(T *t, const char *needle)
{
    const char *hit = strstr(t->src->text, needle);
    if (!hit) {
        fprintf(stderr, "%s: `%s` is not in the test source\n", t->name, needle);
        exit(2);
    }
    const char *eq = strstr(needle, "= ");
    size_t skip = eq ? (size_t)(eq - needle) + 2 : 0;
    Span s = { t->src, (uint32_t)(hit - t->src->text + skip), (uint32_t)(hit - t->src->text + strlen(needle)) };
    return s;
}

static Origin at(T *t, const char *needle)
{
    Origin o = { find(t, needle), { NULL, 0, 0 }, true };
    return o;
}

static StrAttr lit(const char *text, Origin o)
{
    StrAttr a = { VS_LITERAL, text, NULL, NULL, o };
    return a;
}

static StrList list_at(T *t, const char *const *items, size_t count, const char *const *needles, Origin o)
{
    StrList l = { oh_xmalloc(count * sizeof(char *) + 1), arena_alloc(t->arena, count * sizeof(Span) + 1), count, o };
    for (size_t i = 0; i < count; i++) {
        l.items[i] = arena_strdup(t->arena, items[i]);
        l.spans[i] = find(t, needles[i]);
    }
    return l;
}

/* A cluster with every default of language.md §4, a created directory and a
 * certificate, which no rule objects to. Defaults point at the cluster name. */
static void begin(T *t, const char *name, const char *text)
{
    memset(t, 0, sizeof *t);
    t->name = name;
    t->arena = arena_new();
    diag_init(&t->diag, t->arena);
    t->src = src_from_memory(t->arena, "test.oha", NULL, text, strlen(text), &t->diag);
    Cluster *c = &t->c;
    c->name = "t";
    c->src = t->src;
    c->name_span = find(t, "\"t\"");
    Origin def = { c->name_span, { NULL, 0, 0 }, false };
    c->octopus.block = c->network.block = c->directory.block = c->nodes.block = def.span;
    c->database.block = c->storage.block = c->load_balancer.block = c->tentacles.block = def.span;
    c->octopus.version = lit("latest", def);
    c->octopus.license = (StrAttr){ VS_PARAM, "OctopusLicense", NULL, NULL, def };
    c->octopus.task_cap = (IntAttr){ 20, def };
    c->octopus.web_port = (IntAttr){ 80, def };
    c->network.zone_count = (IntAttr){ 2, def };
    c->network.nat = (EnumAttr){ NAT_PER_ZONE, def };
    c->directory.form = DIR_CREATE;
    c->directory.domain = lit("corp.example.com", def);
    c->nodes.count = (IntAttr){ 2, def };
    c->nodes.instance = lit("m6i.xlarge", def);
    c->nodes.os = (EnumAttr){ OS_2022, def };
    c->nodes.disk_gib = (IntAttr){ 100, def };
    c->database.engine = (EnumAttr){ ENG_SE, def };
    c->database.version = (EnumAttr){ SQL_2022, def };
    c->database.instance = lit("db.m6i.large", def);
    c->database.storage_gib = (IntAttr){ 100, def };
    c->database.max_storage_gib = (IntAttr){ 400, def };
    c->database.storage_type = (EnumAttr){ ST_GP3, def };
    c->database.iops = (IntAttr){ 0, def };
    c->database.multi_az = (BoolAttr){ true, def };
    c->database.deletion_protection = (BoolAttr){ true, def };
    c->database.encrypted = (BoolAttr){ true, def };
    c->database.backup_days = (IntAttr){ 7, def };
    c->database.deletion = (EnumAttr){ DEL_SNAPSHOT, def };
    c->storage.capacity_gib = (IntAttr){ 100, def };
    c->storage.throughput_mbps = (IntAttr){ 32, def };
    c->storage.backup_days = (IntAttr){ 7, def };
    c->storage.deployment = (EnumAttr){ FSX_MULTI_AZ, def };
    c->storage.media = (EnumAttr){ MEDIA_SSD, def };
    c->storage.deletion = (EnumAttr){ DEL_RETAIN, def };
    c->load_balancer.type = (EnumAttr){ LB_ALB, def };
    c->load_balancer.scheme = (EnumAttr){ SCHEME_INTERNET_FACING, def };
    c->load_balancer.certificate = lit("arn:aws:acm:us-east-1:123456789012:certificate/x", def);
    c->load_balancer.ssl_policy = lit("ELBSecurityPolicy-TLS13-1-2-2021-06", def);
    c->load_balancer.idle_timeout_s = (IntAttr){ 300, def };
    c->tentacles.polling = (BoolAttr){ false, def };
    c->tentacles.mode = (EnumAttr){ POLL_PER_NODE, def };
    c->tentacles.port = (IntAttr){ 10943, def };
    c->tentacles.idle_timeout_s = (IntAttr){ 3600, def };
    c->allow.origin = c->load_balancer.allowed_cidrs.origin = c->tentacles.allowed_cidrs.origin = def;
    c->network.zone_names.origin = c->network.private_subnets.origin = def;
    c->network.public_subnets.origin = def;
}

static void free_lists(StrList *l) { free(l->items); l->items = NULL; }

static void end(T *t)
{
    Cluster *c = &t->c;
    free_lists(&c->network.zone_names);
    free_lists(&c->network.private_subnets);
    free_lists(&c->network.public_subnets);
    free_lists(&c->load_balancer.allowed_cidrs);
    free_lists(&c->tentacles.allowed_cidrs);
    arena_free(t->arena);
}

static void run(T *t)
{
    rules_check(&t->c, &t->diag);
}

static const char *sev_name(Severity s)
{
    return s == SEV_ERROR ? "error" : s == SEV_WARNING ? "warning" : "note";
}

static void dump(const T *t)
{
    for (size_t i = 0; i < t->diag.count; i++) {
        const Diagnostic *d = t->diag.items[i];
        uint32_t line = 0, col = 0;
        if (span_valid(d->span))
            src_line_col(d->span.src, d->span.start, &line, &col);
        fprintf(stderr, "    got %s %s at %u:%u: %s\n", sev_name(d->severity), d->code, line, col, d->message);
    }
}

/* Exactly the diagnostics listed: "OH2003 error 3:10", space separated, in any order. */
static void expect(T *t, const char *spec)
{
    int before = failures;
    size_t want = 0;
    char buf[512];
    snprintf(buf, sizeof buf, "%s", spec);
    bool used[64] = { false };
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        char code[16], sev[16];
        unsigned line, col;
        if (sscanf(tok, " %15s %15s %u:%u", code, sev, &line, &col) != 4) {
            fprintf(stderr, "%s: bad expectation `%s`\n", t->name, tok);
            exit(2);
        }
        want++;
        bool found = false;
        for (size_t i = 0; i < t->diag.count && i < 64 && !found; i++) {
            const Diagnostic *d = t->diag.items[i];
            uint32_t l = 0, cl = 0;
            src_line_col(d->span.src, d->span.start, &l, &cl);
            if (!used[i] && strcmp(d->code, code) == 0 && strcmp(sev_name(d->severity), sev) == 0 &&
                l == line && cl == col)
                found = used[i] = true;
        }
        CHECK(found, "%s: expected %s %s at %u:%u", t->name, sev, code, line, col);
    }
    CHECK(t->diag.count == want, "%s: expected %zu diagnostics, got %zu", t->name, want, t->diag.count);
    if (failures != before)
        dump(t);
}

static void expect_none(T *t)
{
    CHECK(t->diag.count == 0, "%s: expected no diagnostics, got %zu", t->name, t->diag.count);
    if (t->diag.count)
        dump(t);
}

/* Every diagnostic a rule reports has a label under its caret and a help line. */
static void expect_labels_and_help(T *t)
{
    for (size_t i = 0; i < t->diag.count; i++) {
        const Diagnostic *d = t->diag.items[i];
        CHECK(d->label && *d->label, "%s: %s has no label", t->name, d->code);
        CHECK(d->help && *d->help, "%s: %s has no help", t->name, d->code);
        static const char *const proper[] = { "SQL", "RDS", "FSx", "Octopus" };
        char c0 = d->message[0];
        bool lower = (c0 >= 'a' && c0 <= 'z') || (c0 >= '0' && c0 <= '9') || c0 == '`';
        for (size_t p = 0; p < sizeof proper / sizeof proper[0]; p++)
            lower = lower || strncmp(d->message, proper[p], strlen(proper[p])) == 0;
        CHECK(lower && d->message[strlen(d->message) - 1] != '.',
              "%s: %s message `%s` does not start in lower case or ends in a full stop", t->name, d->code, d->message);
    }
}

static const Diagnostic *first(T *t, const char *code)
{
    for (size_t i = 0; i < t->diag.count; i++)
        if (strcmp(t->diag.items[i]->code, code) == 0)
            return t->diag.items[i];
    return NULL;
}

static void expect_secondary(T *t, const char *code, const char *text, const char *label)
{
    const Diagnostic *d = first(t, code);
    CHECK(d != NULL, "%s: no %s", t->name, code);
    if (!d)
        return;
    bool found = false;
    for (size_t i = 0; i < d->secondary_count; i++) {
        const DiagLabel *s = &d->secondary[i];
        size_t len = s->span.end - s->span.start;
        if (strlen(text) == len && strncmp(s->span.src->text + s->span.start, text, len) == 0 &&
            strcmp(s->text, label) == 0)
            found = true;
    }
    CHECK(found, "%s: %s has no secondary `%s` labelled `%s`", t->name, code, text, label);
}

static void expect_help(T *t, const char *code, const char *fragment)
{
    const Diagnostic *d = first(t, code);
    CHECK(d && d->help && strstr(d->help, fragment), "%s: %s help `%s` lacks `%s`", t->name, code,
          d && d->help ? d->help : "(none)", fragment);
}

/* ---------------------------------------------------------------- the checks */

static void test_defaults_are_clean(void)
{
    T t;
    begin(&t, "defaults", "cluster \"t\" {}\n");
    run(&t);
    expect_none(&t);
    end(&t);
}

static void test_nodes(void)
{
    T t;
    begin(&t, "OH2001 one node", "cluster \"t\" {\n  nodes { count = 1 }\n}\n");
    t.c.nodes.count = (IntAttr){ 1, at(&t, "count = 1") };
    run(&t);
    expect(&t, "OH2001 error 2:19");
    expect_labels_and_help(&t);
    end(&t);

    begin(&t, "OH2001 two nodes", "cluster \"t\" {\n  nodes { count = 2 }\n}\n");
    t.c.nodes.count = (IntAttr){ 2, at(&t, "count = 2") };
    run(&t);
    expect_none(&t);
    end(&t);

    begin(&t, "OH2005 nine nodes", "cluster \"t\" {\n  nodes { count = 9 }\n  network { zones = 3 }\n}\n");
    t.c.nodes.count = (IntAttr){ 9, at(&t, "count = 9") };
    run(&t);
    expect(&t, "OH2005 warning 2:19");
    expect_labels_and_help(&t);
    end(&t);

    begin(&t, "OH2005 eight nodes", "cluster \"t\" {\n  nodes { count = 8 }\n}\n");
    t.c.nodes.count = (IntAttr){ 8, at(&t, "count = 8") };
    run(&t);
    expect_none(&t);
    end(&t);

    begin(&t, "OH2002 windows-2012r2", "cluster \"t\" {\n  nodes { os = windows-2012r2 }\n}\n");
    t.c.nodes.os = (EnumAttr){ -1, at(&t, "os = windows-2012r2") };
    run(&t);
    expect(&t, "OH2002 error 2:16");
    expect_labels_and_help(&t);
    CHECK(strstr(t.diag.items[0]->message, "`windows-2012r2`"), "OH2002 names the OS: %s", t.diag.items[0]->message);
    end(&t);

    begin(&t, "OH2002 windows-2016", "cluster \"t\" {\n  nodes { os = windows-2016 }\n}\n");
    t.c.nodes.os = (EnumAttr){ OS_2016, at(&t, "os = windows-2016") };
    run(&t);
    expect_none(&t);
    end(&t);
}

static void test_zones(void)
{
    T t;
    begin(&t, "OH2004 one zone", "cluster \"t\" {\n  network { zones = 1 }\n}\n");
    t.c.network.zone_count = (IntAttr){ 1, at(&t, "zones = 1") };
    run(&t);
    expect(&t, "OH2004 error 2:21");
    expect_labels_and_help(&t);
    end(&t);

    begin(&t, "OH2017 three zones two nodes", "cluster \"t\" {\n  network { zones = 3 }\n  nodes { count = 2 }\n}\n");
    t.c.network.zone_count = (IntAttr){ 3, at(&t, "zones = 3") };
    t.c.nodes.count = (IntAttr){ 2, at(&t, "count = 2") };
    run(&t);
    expect(&t, "OH2017 warning 2:21");
    expect_secondary(&t, "OH2017", "count = 2", "2 nodes");
    expect_labels_and_help(&t);
    end(&t);

    begin(&t, "OH2017 three zones three nodes", "cluster \"t\" {\n  network { zones = 3 }\n  nodes { count = 3 }\n}\n");
    t.c.network.zone_count = (IntAttr){ 3, at(&t, "zones = 3") };
    t.c.nodes.count = (IntAttr){ 3, at(&t, "count = 3") };
    run(&t);
    expect_none(&t);
    end(&t);

    static const char *const names[] = { "us-east-1a", "us-west-2b", "us-east-1a" };
    static const char *const needles[] = { "us-east-1a", "us-west-2b", "us-east-1a ]" };
    begin(&t, "OH2020 region and duplicates",
          "cluster \"t\" {\n  region = us-east-1\n  network { zones = [us-east-1a, us-west-2b, us-east-1a ] }\n}\n");
    t.c.region = lit("us-east-1", at(&t, "region = us-east-1"));
    t.c.network.zone_names = list_at(&t, names, 3, needles, at(&t, "zones = [us"));
    t.c.network.zone_count = (IntAttr){ 3, t.c.network.zone_names.origin };
    t.c.nodes.count = (IntAttr){ 3, at(&t, "\"t\"") };
    run(&t);
    expect(&t, "OH2020 error 3:34, OH2020 error 3:46");
    expect_secondary(&t, "OH2020", "region = us-east-1", "region set here");
    expect_labels_and_help(&t);
    end(&t);

    /* Without a region, the shape of a zone name is the schema's (OH1007), not OH2020's. */
    static const char *const bad[] = { "useast1a", "eu-west-1" };
    begin(&t, "OH2020 not zone names", "cluster \"t\" {\n  network { zones = [useast1a, eu-west-1] }\n}\n");
    t.c.network.zone_names = list_at(&t, bad, 2, bad, at(&t, "zones = [u"));
    run(&t);
    expect_none(&t);
    end(&t);

    static const char *const longer[] = { "us-east-1aa", "us-east-11" };
    begin(&t, "OH2020 region prefix only", "cluster \"t\" {\n  region = us-east-1\n  network { zones = [us-east-1aa, us-east-11] }\n}\n");
    t.c.region = lit("us-east-1", at(&t, "region = us-east-1"));
    t.c.network.zone_names = list_at(&t, longer, 2, longer, at(&t, "zones = [u"));
    run(&t);
    expect(&t, "OH2020 error 3:22, OH2020 error 3:35");
    end(&t);

    static const char *const good[] = { "us-gov-west-1a", "us-gov-west-1b" };
    begin(&t, "OH2020 good names", "cluster \"t\" {\n  network { zones = [us-gov-west-1a, us-gov-west-1b] }\n}\n");
    t.c.network.zone_names = list_at(&t, good, 2, good, at(&t, "zones = [u"));
    run(&t);
    expect_none(&t);
    end(&t);
}

static void test_load_balancer(void)
{
    T t;
    begin(&t, "OH2003 alb with polling",
          "cluster \"t\" {\n  load_balancer {\n    type = alb\n  }\n  tentacles { polling = true }\n}\n");
    t.c.load_balancer.type = (EnumAttr){ LB_ALB, at(&t, "type = alb") };
    t.c.tentacles.polling = (BoolAttr){ true, at(&t, "polling = true") };
    run(&t);
    expect(&t, "OH2003 error 3:12");
    expect_secondary(&t, "OH2003", "polling = true", "polling is enabled here");
    expect_help(&t, "OH2003", "remove `type` (octohac then uses an NLB) or set `type = nlb`");
    CHECK(first(&t, "OH2003") && strcmp(first(&t, "OH2003")->label,
          "an Application Load Balancer terminates TLS, which breaks tentacle polling") == 0, "OH2003 label");
    end(&t);

    begin(&t, "OH2003 classic with polling, OH2022",
          "cluster \"t\" {\n  load_balancer { type = classic }\n  tentacles { polling = true }\n}\n");
    t.c.load_balancer.type = (EnumAttr){ LB_CLASSIC, at(&t, "type = classic") };
    t.c.tentacles.polling = (BoolAttr){ true, at(&t, "polling = true") };
    run(&t);
    expect(&t, "OH2003 error 2:26, OH2022 warning 2:26");
    expect_labels_and_help(&t);
    end(&t);

    begin(&t, "nlb with polling", "cluster \"t\" {\n  tentacles { polling = true }\n}\n");
    t.c.load_balancer.type = (EnumAttr){ LB_NLB, at(&t, "\"t\"") };
    t.c.load_balancer.type.origin.set = false;
    t.c.tentacles.polling = (BoolAttr){ true, at(&t, "polling = true") };
    run(&t);
    expect_none(&t);
    end(&t);

    begin(&t, "OH4001 no certificate", "cluster \"t\" {\n  load_balancer { scheme = internet-facing }\n}\n");
    t.c.load_balancer.certificate = (StrAttr){ VS_NONE, NULL, NULL, NULL, t.c.load_balancer.certificate.origin };
    t.c.load_balancer.block = find(&t, "load_balancer");
    run(&t);
    expect(&t, "OH4001 warning 2:3");
    expect_labels_and_help(&t);
    end(&t);

    begin(&t, "OH4001 no block", "cluster \"t\" {}\n");
    t.c.load_balancer.certificate.source = VS_NONE;
    run(&t);
    expect(&t, "OH4001 warning 1:9");
    end(&t);

    begin(&t, "OH4002", "cluster \"t\" {\n  load_balancer { ssl_policy = ELBSecurityPolicy-2016-08 }\n}\n");
    t.c.load_balancer.ssl_policy = lit("ELBSecurityPolicy-2016-08", at(&t, "ssl_policy = ELB"));
    run(&t);
    expect(&t, "OH4002 warning 2:32");
    expect_labels_and_help(&t);
    end(&t);

    begin(&t, "OH4002 TLS-1-2", "cluster \"t\" {\n  load_balancer { ssl_policy = ELBSecurityPolicy-TLS-1-2-2017-01 }\n}\n");
    t.c.load_balancer.ssl_policy = lit("ELBSecurityPolicy-TLS-1-2-2017-01", at(&t, "ssl_policy = ELB"));
    run(&t);
    expect_none(&t);
    end(&t);

    /* OH4010: only `latest` floats; a pinned version or none at all (the deployer pins) is quiet */
    begin(&t, "OH4010", "cluster \"t\" {\n  nodes { ami_version = \"latest\" }\n}\n");
    t.c.nodes.ami_version = lit("latest", at(&t, "\"latest\""));
    run(&t);
    expect(&t, "OH4010 warning 2:25");
    expect_labels_and_help(&t);
    end(&t);

    begin(&t, "OH4010 pinned", "cluster \"t\" {\n  nodes { ami_version = \"112\" }\n}\n");
    t.c.nodes.ami_version = lit("112", at(&t, "\"112\""));
    run(&t);
    expect_none(&t);
    end(&t);

    static const char *const open[] = { "10.0.0.0/8", "0.0.0.0/0" };
    begin(&t, "OH4008 internal",
          "cluster \"t\" {\n  load_balancer {\n    scheme = internal\n    allowed_cidrs = [10.0.0.0/8, 0.0.0.0/0]\n  }\n"
          "  tentacles { allowed_cidrs = [10.0.0.0/8, 0.0.0.0/0] }\n}\n");
    t.c.load_balancer.scheme = (EnumAttr){ SCHEME_INTERNAL, at(&t, "scheme = internal") };
    t.c.load_balancer.allowed_cidrs = list_at(&t, open, 2, open, at(&t, "allowed_cidrs = ["));
    static const char *const tneedles[] = { "10.0.0.0/8, 0.0.0.0/0] }", "0.0.0.0/0] }" };
    t.c.tentacles.allowed_cidrs = list_at(&t, open, 2, tneedles, at(&t, "allowed_cidrs = [10.0.0.0/8, 0.0.0.0/0] }"));
    run(&t);
    expect(&t, "OH4008 warning 4:34, OH4008 warning 6:44");
    expect_secondary(&t, "OH4008", "scheme = internal", "internal load balancer");
    expect_labels_and_help(&t);
    end(&t);

    begin(&t, "OH4008 internet-facing", "cluster \"t\" {\n  load_balancer { allowed_cidrs = [0.0.0.0/0] }\n}\n");
    static const char *const any[] = { "0.0.0.0/0" };
    t.c.load_balancer.allowed_cidrs = list_at(&t, any, 1, any, at(&t, "allowed_cidrs = ["));
    run(&t);
    expect_none(&t);
    end(&t);
}

static void test_database(void)
{
    T t;
    begin(&t, "OH2006 multi_az false", "cluster \"t\" {\n  database { multi_az = false }\n}\n");
    t.c.database.multi_az = (BoolAttr){ false, at(&t, "multi_az = false") };
    run(&t);
    expect(&t, "OH2006 warning 2:25");
    expect_labels_and_help(&t);
    end(&t);

    begin(&t, "OH2006 express default, OH2018", "cluster \"t\" {\n  database { engine = sqlserver-ex }\n}\n");
    t.c.database.engine = (EnumAttr){ ENG_EX, at(&t, "engine = sqlserver-ex") };
    t.c.database.multi_az.value = false;
    t.c.database.instance.text = "db.t3.xlarge";
    t.c.database.block = find(&t, "database");
    run(&t);
    expect(&t, "OH2006 warning 2:23, OH2018 warning 2:23");
    expect_help(&t, "OH2006", "sqlserver-se");
    expect_labels_and_help(&t);
    end(&t);

    begin(&t, "OH2007 web multi-az", "cluster \"t\" {\n  database { engine = sqlserver-web, multi_az = true }\n}\n");
    t.c.database.engine = (EnumAttr){ ENG_WEB, at(&t, "engine = sqlserver-web") };
    t.c.database.multi_az = (BoolAttr){ true, at(&t, "multi_az = true") };
    run(&t);
    expect(&t, "OH2007 error 2:49");
    expect_secondary(&t, "OH2007", "engine = sqlserver-web", "SQL Server Web chosen here");
    expect_labels_and_help(&t);
    end(&t);

    begin(&t, "OH2008 2017", "cluster \"t\" {\n  database { version = 2017 }\n}\n");
    t.c.database.version = (EnumAttr){ SQL_2017, at(&t, "version = 2017") };
    run(&t);
    expect(&t, "OH2008 error 2:24");
    expect_labels_and_help(&t);
    end(&t);

    begin(&t, "OH2008 2019", "cluster \"t\" {\n  database { version = 2019 }\n}\n");
    t.c.database.version = (EnumAttr){ SQL_2019, at(&t, "version = 2019") };
    run(&t);
    expect_none(&t);
    end(&t);

    begin(&t, "OH2009 ee large", "cluster \"t\" {\n  database { engine = sqlserver-ee, instance = db.m6i.large }\n}\n");
    t.c.database.engine = (EnumAttr){ ENG_EE, at(&t, "engine = sqlserver-ee") };
    t.c.database.instance = lit("db.m6i.large", at(&t, "instance = db.m6i.large"));
    run(&t);
    expect(&t, "OH2009 error 2:48");
    expect_help(&t, "OH2009", "`db.m6i.xlarge`, `db.m6i.2xlarge`, `db.m6i.4xlarge`");
    expect_secondary(&t, "OH2009", "engine = sqlserver-ee", "edition chosen here");
    expect_labels_and_help(&t);
    end(&t);

    begin(&t, "OH2009 ex family", "cluster \"t\" {\n  database { engine = sqlserver-ex, instance = db.m6i.large }\n}\n");
    t.c.database.engine = (EnumAttr){ ENG_EX, at(&t, "engine = sqlserver-ex") };
    t.c.database.instance = lit("db.m6i.large", at(&t, "instance = db.m6i.large"));
    t.c.database.multi_az.value = false;
    run(&t);
    expect(&t, "OH2009 error 2:48, OH2006 warning 2:23, OH2018 warning 2:23");
    expect_help(&t, "OH2009", "`sqlserver-ex` offers only `db.t2.micro`, `db.t2.small`, `db.t2.medium`, `db.t3.micro`");
    end(&t);

    begin(&t, "OH2009 ee xlarge", "cluster \"t\" {\n  database { engine = sqlserver-ee, instance = db.m6i.xlarge }\n}\n");
    t.c.database.engine = (EnumAttr){ ENG_EE, at(&t, "engine = sqlserver-ee") };
    t.c.database.instance = lit("db.m6i.xlarge", at(&t, "instance = db.m6i.xlarge"));
    run(&t);
    expect_none(&t);
    end(&t);

    begin(&t, "OH2024 io1 without iops", "cluster \"t\" {\n  database { storage_type = io1 }\n}\n");
    t.c.database.storage_type = (EnumAttr){ ST_IO1, at(&t, "storage_type = io1") };
    run(&t);
    expect(&t, "OH2024 error 2:29");
    expect_help(&t, "OH2024", "from 100 to 5000");
    expect_labels_and_help(&t);
    end(&t);

    begin(&t, "OH2024 gp2 with iops", "cluster \"t\" {\n  database { storage_type = gp2, iops = 1000 }\n}\n");
    t.c.database.storage_type = (EnumAttr){ ST_GP2, at(&t, "storage_type = gp2") };
    t.c.database.iops = (IntAttr){ 1000, at(&t, "iops = 1000") };
    run(&t);
    expect(&t, "OH2024 error 2:41");
    expect_labels_and_help(&t);
    end(&t);

#define IO1_TEXT "cluster \"t\" {\n  database { storage_type = io1, storage = 100 GiB, iops = %d }\n}\n"
    int cases[][2] = { { 5001, 1 }, { 5000, 0 }, { 1000, 0 } };
    for (size_t i = 0; i < 3; i++) {
        char text[200], needle[32];
        snprintf(text, sizeof text, IO1_TEXT, cases[i][0]);
        snprintf(needle, sizeof needle, "iops = %d", cases[i][0]);
        begin(&t, "OH2024 ratio", text);
        t.c.database.storage_type = (EnumAttr){ ST_IO1, at(&t, "storage_type = io1") };
        t.c.database.iops = (IntAttr){ cases[i][0], at(&t, needle) };
        run(&t);
        if (cases[i][1])
            expect(&t, "OH2024 error 2:60");
        else
            expect_none(&t);
        end(&t);
    }

    begin(&t, "OH4003 OH4006 OH4007",
          "cluster \"t\" {\n  database {\n    deletion = delete\n    encrypted = false\n    deletion_protection = false\n  }\n}\n");
    t.c.database.deletion = (EnumAttr){ DEL_DELETE, at(&t, "deletion = delete") };
    t.c.database.encrypted = (BoolAttr){ false, at(&t, "encrypted = false") };
    t.c.database.deletion_protection = (BoolAttr){ false, at(&t, "deletion_protection = false") };
    run(&t);
    expect(&t, "OH4003 warning 3:16, OH4006 warning 4:17, OH4007 warning 5:27");
    expect_labels_and_help(&t);
    end(&t);

    begin(&t, "existing database skips RDS rules",
          "cluster \"t\" {\n  database { existing = secret(\"sql\") }\n}\n");
    t.c.database.existing = (StrAttr){ VS_SECRET, "sql", NULL, NULL, at(&t, "existing = secret") };
    t.c.database.version.value = SQL_2016;
    t.c.database.multi_az.value = false;
    t.c.database.encrypted.value = false;
    t.c.database.deletion.value = DEL_DELETE;
    t.c.database.instance.text = "db.nope.large";
    run(&t);
    expect_none(&t);
    end(&t);
}

static void test_storage(void)
{
    T t;
    begin(&t, "OH2010 single-az-2", "cluster \"t\" {\n  storage { deployment = single-az-2 }\n}\n");
    t.c.storage.deployment = (EnumAttr){ FSX_SINGLE_AZ_2, at(&t, "deployment = single-az-2") };
    run(&t);
    expect(&t, "OH2010 warning 2:26");
    expect_labels_and_help(&t);
    end(&t);

    begin(&t, "OH2011", "cluster \"t\" {\n  storage { capacity = 100 GiB }\n}\n");
    t.c.directory.form = DIR_NONE;
    t.c.directory.domain.source = VS_NONE;
    t.c.storage.block = find(&t, "storage");
    run(&t);
    expect(&t, "OH2011 error 2:3");
    expect_labels_and_help(&t);
    end(&t);

    begin(&t, "OH2011 existing share", "cluster \"t\" {\n  storage { existing = \"\\\\\\\\fs\\\\share\" }\n}\n");
    t.c.directory.form = DIR_NONE;
    t.c.storage.existing = lit("\\\\fs\\share", at(&t, "existing = "));
    run(&t);
    expect_none(&t);
    end(&t);

    struct { long long gib; int media, deployment; const char *expect; } caps[] = {
        { 31, MEDIA_SSD, FSX_MULTI_AZ, "OH2012 error 2:24" },
        { 32, MEDIA_SSD, FSX_MULTI_AZ, NULL },
        { 65536, MEDIA_SSD, FSX_MULTI_AZ, NULL },
        { 65537, MEDIA_SSD, FSX_MULTI_AZ, "OH2012 error 2:24" },
        { 1999, MEDIA_HDD, FSX_MULTI_AZ, "OH2012 error 2:24" },
        { 2000, MEDIA_HDD, FSX_MULTI_AZ, NULL },
        { 2000, MEDIA_HDD, FSX_SINGLE_AZ_2, "OH2010 warning 2:61" },
        { 2000, MEDIA_HDD, FSX_SINGLE_AZ, "OH2012 error 2:43, OH2010 warning 2:61" },
    };
    static const char *const deps[] = { "multi-az", "single-az", "single-az-2" };
    for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
        char text[200], needle[40];
        snprintf(text, sizeof text, "cluster \"t\" {\n  storage { capacity = %05lld GiB, media = %s, deployment = %s }\n}\n",
                 caps[i].gib, caps[i].media == MEDIA_HDD ? "hdd" : "ssd", deps[caps[i].deployment]);
        snprintf(needle, sizeof needle, "capacity = %05lld", caps[i].gib);
        begin(&t, "OH2012", text);
        t.c.storage.capacity_gib = (IntAttr){ caps[i].gib, at(&t, needle) };
        t.c.storage.media = (EnumAttr){ caps[i].media, at(&t, caps[i].media == MEDIA_HDD ? "media = hdd" : "media = ssd") };
        char dep[40];
        snprintf(dep, sizeof dep, "deployment = %s", deps[caps[i].deployment]);
        t.c.storage.deployment = (EnumAttr){ caps[i].deployment, at(&t, dep) };
        run(&t);
        if (caps[i].expect) {
            expect(&t, caps[i].expect);
            expect_labels_and_help(&t);
        } else {
            expect_none(&t);
        }
        end(&t);
    }

    long long throughputs[][2] = { { 4, 1 }, { 8, 0 }, { 100, 1 }, { 2048, 0 }, { 4096, 1 } };
    for (size_t i = 0; i < 5; i++) {
        char text[200], needle[40];
        snprintf(text, sizeof text, "cluster \"t\" {\n  storage { throughput = %lld MBps }\n}\n", throughputs[i][0]);
        snprintf(needle, sizeof needle, "throughput = %lld", throughputs[i][0]);
        begin(&t, "OH2013", text);
        t.c.storage.throughput_mbps = (IntAttr){ throughputs[i][0], at(&t, needle) };
        run(&t);
        if (throughputs[i][1]) {
            expect(&t, "OH2013 error 2:26");
            expect_labels_and_help(&t);
        } else {
            expect_none(&t);
        }
        if (throughputs[i][0] == 100)
            expect_help(&t, "OH2013", "`128 MBps`");
        end(&t);
    }

    begin(&t, "OH2021 OH4004", "cluster \"t\" {\n  storage { deletion = snapshot }\n}\n");
    t.c.storage.deletion = (EnumAttr){ DEL_SNAPSHOT, at(&t, "deletion = snapshot") };
    run(&t);
    expect(&t, "OH2021 error 2:24");
    expect_labels_and_help(&t);
    end(&t);

    begin(&t, "OH4004", "cluster \"t\" {\n  storage { deletion = delete }\n}\n");
    t.c.storage.deletion = (EnumAttr){ DEL_DELETE, at(&t, "deletion = delete") };
    run(&t);
    expect(&t, "OH4004 warning 2:24");
    expect_labels_and_help(&t);
    end(&t);

    /* 47 characters pass, 48 fail (multi-az and single-az-2), single-az never fails. */
    const char *d47 = "a23456789.123456789.123456789.123456789.example";
    const char *d48 = "ab23456789.123456789.123456789.123456789.example";
    struct { const char *domain; int deployment; const char *expect; } doms[] = {
        { d47, FSX_MULTI_AZ, NULL },
        { d48, FSX_MULTI_AZ, "OH2019 error 2:39" },
        { d48, FSX_SINGLE_AZ_2, "OH2019 error 2:39, OH2010 warning 3:26" },
        { d48, FSX_SINGLE_AZ, "OH2010 warning 3:26" },
    };
    for (size_t i = 0; i < 4; i++) {
        char text[300], needle[80];
        snprintf(text, sizeof text, "cluster \"t\" {\n  directory { create = true, domain = \"%s\" }\n"
                 "  storage { deployment = %s }\n}\n", doms[i].domain, deps[doms[i].deployment]);
        snprintf(needle, sizeof needle, "domain = \"%s\"", doms[i].domain);
        begin(&t, "OH2019", text);
        t.c.directory.domain = lit(doms[i].domain, at(&t, needle));
        char dep[40];
        snprintf(dep, sizeof dep, "deployment = %s", deps[doms[i].deployment]);
        t.c.storage.deployment = (EnumAttr){ doms[i].deployment, at(&t, dep) };
        run(&t);
        if (doms[i].expect)
            expect(&t, doms[i].expect);
        else
            expect_none(&t);
        end(&t);
    }
}

static void test_instance(void)
{
    struct { const char *type; long long cap; const char *expect; } cases[] = {
        { "c6i.xlarge", 20, "OH2014 warning 2:22" },
        { "mac2.metal", 20, "OH2014 warning 2:22" },
        { "trn1.2xlarge", 20, "OH2014 warning 2:22" },
        { "m6i.large", 10, NULL },
        { "m6i.large", 11, "OH2014 warning 2:22" },
        { "m6i.xlarge", 20, NULL },
        { "m6i.xlarge", 21, "OH2014 warning 2:22" },
        { "m6i.2xlarge", 40, NULL },
        { "t3.large", 10, NULL },
        { "m6i.8xlarge", 200, NULL },
        { "m6i.4xlarge", 200, "OH2014 warning 2:22" },
        { "m6i.medium", 200, NULL },                /* unknown size: no size warning */
        { "m7i-flex.large", 10, NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        T t;
        char text[200], needle[60];
        snprintf(text, sizeof text, "cluster \"t\" {\n  nodes { instance = %s }\n  octopus { task_cap = %lld }\n}\n",
                 cases[i].type, cases[i].cap);
        snprintf(needle, sizeof needle, "instance = %s", cases[i].type);
        begin(&t, cases[i].type, text);
        t.c.nodes.instance = lit(cases[i].type, at(&t, needle));
        snprintf(needle, sizeof needle, "task_cap = %lld", cases[i].cap);
        t.c.octopus.task_cap = (IntAttr){ cases[i].cap, at(&t, needle) };
        run(&t);
        if (cases[i].expect) {
            expect(&t, cases[i].expect);
            expect_labels_and_help(&t);
        } else {
            expect_none(&t);
        }
        if (strcmp(cases[i].type, "m6i.large") == 0 && cases[i].cap == 11) {
            expect_help(&t, "OH2014", "`m6i.xlarge`");
            expect_secondary(&t, "OH2014", "task_cap = 11", "task cap set here");
        }
        end(&t);
    }
}

static void test_polling(void)
{
    struct { long long nodes, port; int mode; const char *expect; } cases[] = {
        { 49, 10943, POLL_PER_NODE, "OH2005 warning 2:19" },
        { 50, 10943, POLL_PER_NODE, "OH2015 error 2:19, OH2005 warning 2:19" },
        { 50, 10943, POLL_SHARED_QUEUE, "OH2005 warning 2:19" },
        { 2, 65534, POLL_PER_NODE, NULL },
        { 2, 65535, POLL_PER_NODE, "OH2015 error 3:38" },
        { 3, 65533, POLL_PER_NODE, NULL },
        { 3, 65534, POLL_PER_NODE, "OH2015 error 3:38" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        T t;
        char text[200], needle[40];
        snprintf(text, sizeof text, "cluster \"t\" {\n  nodes { count = %02lld }\n  tentacles { polling = true, port = %05lld }\n}\n",
                 cases[i].nodes, cases[i].port);
        begin(&t, "OH2015", text);
        snprintf(needle, sizeof needle, "count = %02lld", cases[i].nodes);
        t.c.nodes.count = (IntAttr){ cases[i].nodes, at(&t, needle) };
        snprintf(needle, sizeof needle, "port = %05lld", cases[i].port);
        t.c.tentacles.port = (IntAttr){ cases[i].port, at(&t, needle) };
        t.c.tentacles.polling = (BoolAttr){ true, at(&t, "polling = true") };
        t.c.tentacles.mode.value = cases[i].mode;
        t.c.load_balancer.type.value = LB_NLB;
        t.c.network.zone_count.value = 2;
        run(&t);
        if (cases[i].expect) {
            expect(&t, cases[i].expect);
            expect_labels_and_help(&t);
        } else {
            expect_none(&t);
        }
        end(&t);
    }

    struct { const char *version; bool fires; } versions[] = {
        { "2026.4.6908", true }, { "2026.4.6909", false }, { "2026.4", true }, { "2026.10.1", false },
        { "2025.99.99999", true }, { "2027.1", false }, { "2026.4.6909.1", false }, { "latest", false },
        { "abc", true }, { "2026.4.x", true }, { "2026.4.6909x", false },   /* odd text terminates */
    };
    for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++) {
        T t;
        char text[200], needle[60];
        snprintf(text, sizeof text, "cluster \"t\" {\n  octopus { version = \"%s\" }\n  tentacles { polling = true, mode = shared-queue }\n}\n",
                 versions[i].version);
        begin(&t, versions[i].version, text);
        snprintf(needle, sizeof needle, "version = \"%s\"", versions[i].version);
        t.c.octopus.version = lit(versions[i].version, at(&t, needle));
        t.c.tentacles.polling = (BoolAttr){ true, at(&t, "polling = true") };
        t.c.tentacles.mode = (EnumAttr){ POLL_SHARED_QUEUE, at(&t, "mode = shared-queue") };
        t.c.load_balancer.type.value = LB_NLB;
        run(&t);
        if (versions[i].fires) {
            expect(&t, "OH2016 error 2:23");
            expect_secondary(&t, "OH2016", "mode = shared-queue", "shared queue chosen here");
            expect_labels_and_help(&t);
        } else {
            expect_none(&t);
        }
        end(&t);
    }
}

static void test_network(void)
{
    static const char *const one[] = { "subnet-0a1b2c3d4e5f60001" };
    static const char *const two[] = { "subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002" };
    T t;
    begin(&t, "OH2023 missing subnets",
          "cluster \"t\" {\n  network {\n    vpc = \"vpc-0a1b2c3d4e5f60718\"\n    private_subnets = [\"subnet-0a1b2c3d4e5f60001\"]\n  }\n}\n");
    t.c.network.vpc = lit("vpc-0a1b2c3d4e5f60718", at(&t, "vpc = \"vpc"));
    t.c.network.private_subnets = list_at(&t, one, 1, one, at(&t, "private_subnets = ["));
    run(&t);
    expect(&t, "OH2023 error 4:23, OH2023 error 3:11");
    expect_labels_and_help(&t);
    end(&t);

    begin(&t, "OH2023 internal with two private",
          "cluster \"t\" {\n  network {\n    vpc = \"vpc-0a1b2c3d4e5f60718\"\n"
          "    private_subnets = [\"subnet-0a1b2c3d4e5f60001\", \"subnet-0a1b2c3d4e5f60002\"]\n  }\n}\n");
    t.c.network.vpc = lit("vpc-0a1b2c3d4e5f60718", at(&t, "vpc = \"vpc"));
    t.c.network.private_subnets = list_at(&t, two, 2, two, at(&t, "private_subnets = ["));
    t.c.load_balancer.scheme.value = SCHEME_INTERNAL;
    run(&t);
    expect_none(&t);
    end(&t);

    begin(&t, "OH2025 nat none", "cluster \"t\" {\n  network { nat = none }\n}\n");
    t.c.network.nat = (EnumAttr){ NAT_NONE, at(&t, "nat = none") };
    run(&t);
    expect(&t, "OH2025 error 2:19");
    expect_labels_and_help(&t);
    end(&t);

    begin(&t, "OH2025 with download_url",
          "cluster \"t\" {\n  network { nat = none }\n  octopus { download_url = \"https://x.example/o.msi\" }\n}\n");
    t.c.network.nat = (EnumAttr){ NAT_NONE, at(&t, "nat = none") };
    t.c.octopus.download_url = lit("https://x.example/o.msi", at(&t, "download_url = "));
    run(&t);
    expect_none(&t);
    end(&t);
}

static void test_secrets(void)
{
    T t;
    begin(&t, "OH4005 three",
          "cluster \"t\" {\n  directory { self_managed = true, password = \"Hunter2!\" }\n"
          "  database { existing = \"Server=sql1;User ID=o; PASSWORD = x\" }\n  octopus { license = \"PExpY2Vuc2U+\" }\n}\n");
    t.c.directory.form = DIR_SELF_MANAGED;
    t.c.directory.nodes_group = (StrAttr){ .source = VS_LITERAL, .text = "Octopus Nodes" };   /* not OH4015 */
    t.c.directory.password = lit("Hunter2!", at(&t, "password = "));
    t.c.database.existing = lit("Server=sql1;User ID=o; PASSWORD = x", at(&t, "existing = "));
    t.c.octopus.license = lit("PExpY2Vuc2U+", at(&t, "license = "));
    run(&t);
    expect(&t, "OH4005 error 2:47, OH4005 error 3:25, OH4005 error 4:23, OH2027 error 1:9");
    expect_labels_and_help(&t);
    end(&t);

    begin(&t, "OH4005 clean",
          "cluster \"t\" {\n  directory { self_managed = true, password = secret(\"ad\") }\n"
          "  database { existing = \"Server=sql1;Integrated Security=SSPI;Initial Catalog=pwdb\" }\n}\n");
    t.c.directory.form = DIR_SELF_MANAGED;
    t.c.directory.nodes_group = (StrAttr){ .source = VS_LITERAL, .text = "Octopus Nodes" };
    t.c.directory.password = (StrAttr){ VS_SECRET, "ad", NULL, NULL, at(&t, "password = ") };
    t.c.database.existing = lit("Server=sql1;Integrated Security=SSPI;Initial Catalog=pwdb", at(&t, "existing = "));
    run(&t);
    expect(&t, "OH2027 error 1:9");                 /* a new VPC; OH2027 has its own tests */
    end(&t);
}

/* OH4015: a self-managed directory's shared folder needs the nodes' own group */
static void test_nodes_group(void)
{
    T t;
    begin(&t, "OH4015 without nodes_group", "cluster \"t\" {\n  directory { self_managed = true }\n}\n");
    t.c.directory.form = DIR_SELF_MANAGED;
    t.c.directory.block = at(&t, "directory {").span;
    run(&t);
    expect(&t, "OH4015 warning 2:3, OH2027 error 1:9"); /* a new VPC; OH2027 has its own tests */
    expect_labels_and_help(&t);
    end(&t);

    begin(&t, "OH4015 with nodes_group", "cluster \"t\" {\n  directory { self_managed = true }\n}\n");
    t.c.directory.form = DIR_SELF_MANAGED;
    t.c.directory.nodes_group = (StrAttr){ .source = VS_LITERAL, .text = "Octopus Nodes" };
    run(&t);
    expect(&t, "OH2027 error 1:9");
    end(&t);

    /* an existing share: octohac grants nothing on it */
    begin(&t, "OH4015 existing share", "cluster \"t\" {\n  directory { self_managed = true }\n}\n");
    t.c.directory.form = DIR_SELF_MANAGED;
    t.c.storage.existing = (StrAttr){ .source = VS_LITERAL, .text = "\\\\fs1\\share" };
    run(&t);
    expect(&t, "OH2027 error 1:9");
    end(&t);

    /* a created directory holds only the cluster's computers */
    begin(&t, "OH4015 created directory", "cluster \"t\" {\n  directory { create = true }\n}\n");
    t.c.directory.form = DIR_CREATE;
    run(&t);
    expect_none(&t);
    end(&t);
}

static void test_allow(void)
{
    T t;
    static const char *const allowed[] = { "OH2005", "OH2001" };
    begin(&t, "allow", "cluster \"t\" {\n  nodes { count = 9 }\n}\n");
    t.diag.allowed = allowed;
    t.diag.allowed_count = 2;
    t.c.nodes.count = (IntAttr){ 9, at(&t, "count = 9") };
    run(&t);
    expect_none(&t);
    t.c.nodes.count.value = 1;               /* errors are never silenced */
    run(&t);
    expect(&t, "OH2001 error 2:19");
    end(&t);
}

/* ---------------------------------------------------------------- the tables */

static void test_tables(void)
{
    static const struct { int from, to; } ranges[] = {
        { 1, 8 }, { 501, 504 }, { 1001, 1011 }, { 2001, 2028 }, { 2030, 2035 }, { 3001, 3005 }, { 4001, 4008 }, { 4010, 4011 }, { 4015, 4015 }, { 5001, 5001 }, { 6001, 6011 },
    };
    size_t expected = 0;
    for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++) {
        for (int n = ranges[r].from; n <= ranges[r].to; n++, expected++) {
            char code[8];
            snprintf(code, sizeof code, "OH%04d", n);
            const RuleInfo *info = rule_info(code);
            CHECK(info != NULL, "%s has no explain row", code);
            if (!info)
                continue;
            CHECK(expected < rule_info_count && strcmp(rule_infos[expected].code, code) == 0,
                  "rule_infos is not in code order at %s", code);
            CHECK(*info->title && *info->why && *info->wrong && *info->right, "%s has an empty text", code);
            CHECK(rules_fix(code) && *rules_fix(code), "%s has no fix", code);
            CHECK(strlen(info->why) > 120, "%s: `why` is too short", code);
            bool checked = n >= 2001 && n < 5000 && !(n >= 3001 && n <= 3005);
            bool found = false;
            for (size_t i = 0; i < rules_check_count; i++) {
                Severity sev;
                if (strcmp(rules_check_code(i, &sev), code) == 0) {
                    found = true;
                    CHECK(sev == info->severity, "%s: the check row and rule_infos disagree on severity", code);
                }
            }
            CHECK(found == checked, "%s: %s in the check table", code, checked ? "missing" : "unexpected");
        }
    }
    CHECK(rule_info_count == expected, "rule_infos has %zu rows, rules.md %zu codes", rule_info_count, expected);
    CHECK(rule_info("OH9999") == NULL && rule_info("") == NULL && rule_info(NULL) == NULL, "unknown codes");
    CHECK(rules_check_code(rules_check_count, NULL) == NULL, "past the end");
}

/* ---------------------------------------------------------------- explain examples
 * Every OH2 and OH4 example goes through the real front end, checker and rules inside
 * a cluster that uses a profile with the required attributes: the wrong one must report
 * its code, the right one must not (other codes may appear in either). */

static const char EXAMPLE_BASE[] =
    "profile base {\n"
    "  directory { create = true, domain = \"corp.example.com\" }\n"
    "  octopus   { admin_email = \"ops@example.com\" }\n"
    "}\n";

static bool example_reports(const char *code, const char *snippet, bool *compiled)
{
    Arena *arena = arena_new();
    DiagCtx diag;
    diag_init(&diag, arena);
    const char *text = strncmp(snippet, "cluster", 7) == 0
        ? arena_printf(arena, "%s%s\n", EXAMPLE_BASE, snippet)
        : arena_printf(arena, "%scluster \"example\" uses base {\n%s\n}\n", EXAMPLE_BASE, snippet);
    SearchPath search = { NULL, 0 };
    Program *prog = res_load_memory(arena, "example.oha", text, strlen(text), &search, &diag);
    Cluster *cluster = prog && prog->cluster_count == 1 ? model_build(arena, prog->clusters[0], &diag) : NULL;
    *compiled = cluster != NULL;
    if (cluster)
        rules_check(cluster, &diag);
    bool found = false;
    for (size_t i = 0; i < diag.count; i++)
        found = found || strcmp(diag.items[i]->code, code) == 0;
    if (!cluster)
        for (size_t i = 0; i < diag.count; i++)
            fprintf(stderr, "    %s: %s\n", diag.items[i]->code, diag.items[i]->message);
    arena_free(arena);
    return found;
}

static void test_examples(void)
{
    for (size_t i = 0; i < rule_info_count; i++) {
        const RuleInfo *info = &rule_infos[i];
        if (strncmp(info->code, "OH2", 3) != 0 && strncmp(info->code, "OH4", 3) != 0)
            continue;
        bool compiled;
        bool wrong = example_reports(info->code, info->wrong, &compiled);
        CHECK(compiled && wrong, "%s: the wrong example %s", info->code,
              compiled ? "does not report it" : "does not compile");
        bool right = example_reports(info->code, info->right, &compiled);
        CHECK(compiled && !right, "%s: the right example %s", info->code,
              compiled ? "still reports it" : "does not compile");
    }
}

/* ---------------------------------------------------------------- docs/rules.md */

static const struct { const char *prefix, *heading, *intro; } doc_ranges[] = {
    { "OH0", "OH0: syntax and files",
      "Reported while reading, lexing and parsing a file and resolving its imports and profiles. "
      "They stop a run before any cluster is checked." },
    { "OH1", "OH1: schema",
      "Reported by the checker against `schema/octohac.json`, the single description of every "
      "block and attribute (see [language.md](language.md))." },
    { "OH2", "OH2: Octopus HA and AWS rules",
      "Reported by `compiler/rules.c` on the checked model, with every default filled in. A value that "
      "came from a profile is reported where the profile wrote it, with a note at the `uses`. "
      "OH2009 reads `schema/rds-sqlserver-instance-classes.json`; OH2014 reads "
      "`schema/instance-sizes.json`." },
    { "OH3", "OH3: CloudFormation limits",
      "Checked on the generated template. Each points at the `.oha` line that caused the largest "
      "share, not at the template." },
    { "OH4", "OH4: security and data safety", "Reported by `compiler/rules.c`, like OH2." },
    { "OH5", "OH5: internal", "A bug in octohac, not in the input: the command exits with status 3." },
    { "OH6", "OH6: plan findings",
      "Reported by `octohac plan OLD NEW` (see [plan.md](plan.md)) about what deploying NEW over a stack "
      "built from OLD does: data that would be lost, outages, updates that would fail. They point at the "
      "`.oha` line of the resource (its entry in `Metadata.octohac.locations`) when that file is given. An error "
      "makes `plan` exit 1; `allow` does not silence them." },
};

/* Writes docs/rules.md from rule_infos and rules_fix into BUF (malloc'd). */
static char *render_docs(size_t *len)
{
    char *buf = NULL;
    FILE *out = open_memstream(&buf, len);
    if (!out)
        BUG("open_memstream failed");
    fputs("# Diagnostic codes\n\n"
          "<!-- Generated from the explain table in compiler/rules.c by\n"
          "     `build/tests/test_rules --write-docs docs/rules.md`; the test `rules_docs` fails when\n"
          "     this file and the table differ. Edit the table, not this file. -->\n\n"
          "Every diagnostic octohac reports has a stable code. Tests, `octohac explain CODE`, SARIF\n"
          "`ruleId`s and CI filters depend on them. `octohac explain CODE` prints the same text as\n"
          "this page: the title, why the rule exists, and an example.\n\n"
          "**Errors** stop `build` from writing anything and make `check` exit 1. **Warnings** do not,\n"
          "unless `--werror` is given. A cluster (or a profile it uses) can silence warnings it accepts on\n"
          "purpose with `allow = [OH2006, OH2010]`; putting an error code there is OH1011, and the\n"
          "error is still reported.\n\n", out);
    for (size_t r = 0; r < sizeof doc_ranges / sizeof doc_ranges[0]; r++) {
        fprintf(out, "- [%s](#", doc_ranges[r].heading);
        for (const char *p = doc_ranges[r].heading; *p; p++)
            if (*p == ' ')
                fputc('-', out);
            else if (*p != ':')
                fputc(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p, out);
        fputs(")\n", out);
    }
    for (size_t r = 0; r < sizeof doc_ranges / sizeof doc_ranges[0]; r++) {
        fprintf(out, "\n## %s\n\n%s\n\n| code | severity | when |\n|---|---|---|\n", doc_ranges[r].heading, doc_ranges[r].intro);
        for (size_t i = 0; i < rule_info_count; i++)
            if (strncmp(rule_infos[i].code, doc_ranges[r].prefix, 3) == 0)
                fprintf(out, "| [%s](#oh%s) | %s | %s |\n", rule_infos[i].code, rule_infos[i].code + 2,
                        sev_name(rule_infos[i].severity), rule_infos[i].title);
        for (size_t i = 0; i < rule_info_count; i++) {
            const RuleInfo *info = &rule_infos[i];
            if (strncmp(info->code, doc_ranges[r].prefix, 3) != 0)
                continue;
            const char *sev = sev_name(info->severity);
            if (strcmp(info->code, "OH3001") == 0)
                sev = "error (over 500), warning (over 450)";
            else if (strcmp(info->code, "OH3002") == 0)
                sev = "error (over 1,000,000 bytes), note (over 51,200 bytes)";
            fprintf(out, "\n### %s\n\n**%s**. Severity: %s.\n\n%s\n\n", info->code, info->title, sev, info->why);
            fprintf(out, "Wrong:\n\n```oha\n%s\n```\n\nRight:\n\n```oha\n%s\n```\n\n", info->wrong, info->right);
            fprintf(out, "How to fix: %s\n", rules_fix(info->code));
        }
    }
    fclose(out);
    return buf;
}

static int write_docs(const char *path)
{
    size_t len;
    char *text = render_docs(&len);
    const char *err = NULL;
    bool ok = write_file_atomic(path, text, len, &err);
    free(text);
    if (!ok)
        fprintf(stderr, "cannot write %s: %s\n", path, err ? err : "?");
    return ok ? 0 : 1;
}

static int check_docs(const char *path)
{
    size_t len;
    char *text = render_docs(&len);
    FILE *f = fopen(path, "rb");
    char *have = oh_xmalloc(len + 2);
    size_t got = f ? fread(have, 1, len + 1, f) : 0;
    if (f)
        fclose(f);
    bool same = f && got == len && memcmp(have, text, len) == 0;
    if (!same)
        fprintf(stderr, "%s is out of date with the explain table in compiler/rules.c;\n"
                "run `test_rules --write-docs %s` and review the diff\n", path, path);
    free(have);
    free(text);
    return same ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--write-docs") == 0)
        return write_docs(argv[2]);
    if (argc == 3 && strcmp(argv[1], "--check-docs") == 0)
        return check_docs(argv[2]);
    test_defaults_are_clean();
    test_nodes();
    test_zones();
    test_load_balancer();
    test_database();
    test_storage();
    test_instance();
    test_polling();
    test_network();
    test_secrets();
    test_nodes_group();
    test_allow();
    test_tables();
    test_examples();
    rules_release();
    schema_release();
    if (failures)
        fprintf(stderr, "%d check(s) failed\n", failures);
    return failures ? 1 : 0;
}
