/* test_schema.c: unit tests for schema.c and model.c. Every PCRE2 pattern of
 * schema/octohac.json compiles and matches its own examples; the schema is well formed
 * (defaults within their types, enum order that the C enums of octohac.h rely on); and
 * model_build fills every default, the defaults that depend on other attributes, origins
 * and provenance, and reports the OH1 codes on small clusters built with res_load_memory. */
#include "octohac.h"
#include "check.h"

#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- fixtures */

typedef struct Fixture {
    Arena *arena;
    DiagCtx diag;
    Program *prog;
    Cluster *cluster;
} Fixture;

#define HEAD "import \"std/profiles\"\n"
#define ARN "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab"
#define NEEDS "  directory { create = true, domain = \"corp.example.com\" }\n" \
              "  octopus { admin_email = \"ops@example.com\" }\n"

/* Loads TEXT and builds its first cluster. */
static Cluster *build(Fixture *fx, const char *text)
{
    fx->arena = arena_new();
    diag_init(&fx->diag, fx->arena);
    fx->prog = res_load_memory(fx->arena, "test.oha", text, strlen(text), NULL, &fx->diag);
    fx->cluster = NULL;
    if (!fx->prog || fx->prog->cluster_count == 0) {
        fprintf(stderr, "test input did not load:\n%s\n", text);
        failures++;
        return NULL;
    }
    for (size_t i = 0; i < fx->prog->profile_count; i++)
        model_check_profile(fx->prog->profiles[i], &fx->diag);
    fx->cluster = model_build(fx->arena, fx->prog->clusters[0], &fx->diag);
    return fx->cluster;
}

static void done(Fixture *fx)
{
    arena_free(fx->arena);
}

static size_t count_code(const Fixture *fx, const char *code)
{
    size_t n = 0;
    for (size_t i = 0; i < fx->diag.count; i++)
        if (strcmp(fx->diag.items[i]->code, code) == 0)
            n++;
    return n;
}

static const Diagnostic *find_code(const Fixture *fx, const char *code)
{
    for (size_t i = 0; i < fx->diag.count; i++)
        if (strcmp(fx->diag.items[i]->code, code) == 0)
            return fx->diag.items[i];
    return NULL;
}

static void dump(const Fixture *fx)
{
    for (size_t i = 0; i < fx->diag.count; i++)
        fprintf(stderr, "  %s %s\n", fx->diag.items[i]->code, fx->diag.items[i]->message);
}

/* Builds TEXT and expects exactly one error, of CODE. */
static void expect_only(const char *text, const char *code)
{
    Fixture fx;
    Cluster *c = build(&fx, text);
    if (c || fx.diag.count != 1 || count_code(&fx, code) != 1) {
        fprintf(stderr, "expected only %s for:\n%s\ngot:\n", code, text);
        dump(&fx);
        failures++;
    }
    done(&fx);
}

static void expect_clean(const char *text)
{
    Fixture fx;
    Cluster *c = build(&fx, text);
    if (!c || fx.diag.count != 0) {
        fprintf(stderr, "expected a clean model for:\n%s\ngot:\n", text);
        dump(&fx);
        failures++;
    }
    done(&fx);
}

/* ---------------------------------------------------------------- the schema itself */

static void test_patterns_compile(void)
{
    const cJSON *patterns = cJSON_GetObjectItemCaseSensitive(schema_json(), "patterns");
    CHECK_INT(schema_compile_all(), cJSON_GetArraySize(patterns));
    const cJSON *p;
    cJSON_ArrayForEach(p, patterns) CHECK(schema_pattern_expected(p->string)[0] != '\0');
}

static void test_pattern_boundaries(void)
{
    CHECK(schema_pattern_match("cluster_name", "a"));
    CHECK(schema_pattern_match("cluster_name", "octopus-prod-2"));
    CHECK(schema_pattern_match("cluster_name", "abcdefghijklmnopqrstuvwx"));      /* 24 */
    CHECK(!schema_pattern_match("cluster_name", "abcdefghijklmnopqrstuvwxy"));    /* 25 */
    CHECK(!schema_pattern_match("cluster_name", "octopus-"));
    CHECK(!schema_pattern_match("cluster_name", "1octopus"));
    CHECK(!schema_pattern_match("cluster_name", "Octopus"));
    CHECK(schema_pattern_match("region", "us-gov-west-1"));
    CHECK(!schema_pattern_match("region", "us-east-1a"));
    CHECK(schema_pattern_match("zone_name", "us-east-1a"));
    CHECK(schema_pattern_match("octopus_version", "latest"));
    CHECK(schema_pattern_match("octopus_version", "2026.4.6909"));
    CHECK(!schema_pattern_match("octopus_version", "2026"));
    CHECK(schema_pattern_match("acm_certificate_arn",
                               "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab"));
    CHECK(!schema_pattern_match("acm_certificate_arn", "arn:aws:acm:us-east-1:123:certificate/x"));
    CHECK(schema_pattern_match("unc_path", "\\\\fs1.corp.example.com\\share"));
    CHECK(!schema_pattern_match("unc_path", "\\\\fs1"));
    CHECK(schema_pattern_match("tag_key", "cost-center"));
    CHECK(!schema_pattern_match("tag_key", "aws:owner"));
    CHECK(!schema_pattern_match("tag_key", "AWS:owner"));
    CHECK(schema_pattern_match("tag_value", ""));
    CHECK(schema_pattern_match("tag_value", "Zürich team"));   /* letters of any script */
    CHECK(!schema_pattern_match("tag_value", "a!b"));
    CHECK(schema_pattern_match("fqdn", "corp.example.com"));
    CHECK(!schema_pattern_match("fqdn", "corp"));
    CHECK(schema_pattern_match("ssl_policy", "ELBSecurityPolicy-TLS13-1-2-2021-06"));
    CHECK(schema_pattern_match("secret_id", "octopus/license"));
    CHECK(!schema_pattern_match("param_name", "Bad-Name"));
    CHECK(!schema_pattern_match("email", "ops"));
    /* text that is not UTF-8 (from a surrogate escape) simply does not match */
    CHECK(!schema_pattern_match("tag_value", "\xed\xa0\x80"));
}

/* Every default, example value and enum is consistent with its own type. */
static void test_schema_consistent(void)
{
    const Schema *s = schema_get();
    CHECK(s->block_count >= 10);
    size_t seen = 0;
    for (size_t b = 0; b < s->block_count; b++) {
        const SchemaBlock *block = &s->blocks[b];
        CHECK(block->doc && block->doc[0]);
        for (size_t a = 0; a < block->attr_count; a++) {
            const SchemaAttr *attr = &block->attrs[a];
            seen++;
            CHECK(attr->doc && attr->doc[0]);
            CHECK(attr->example != NULL);
            CHECK(attr->block == block);
            CHECK(schema_attr(block, attr->name) == attr);
            for (size_t r = 0; r < attr->rule_count; r++) {
                if (!rule_info(attr->rules[r]))
                    fprintf(stderr, "%s.%s names %s, which the rules table lacks\n", block->name, attr->name,
                            attr->rules[r]);
                CHECK(rule_info(attr->rules[r]) != NULL);
            }
            const cJSON *def = attr->default_value;
            if (cJSON_IsString(def) && attr->type == TY_ENUM) {
                bool found = false;
                for (size_t i = 0; i < attr->value_count; i++)
                    found |= strcmp(attr->values[i], def->valuestring) == 0;
                if (!found)
                    fprintf(stderr, "default of %s.%s is not one of its values\n", block->name, attr->name);
                CHECK(found);
            }
            if (cJSON_IsString(def) && attr->pattern && attr->literal_count == 0)
                CHECK(schema_pattern_match(attr->pattern, def->valuestring));
            if (cJSON_IsNumber(def) && attr->has_min)
                CHECK(def->valuedouble >= (double)attr->min);
            if (cJSON_IsNumber(def) && attr->has_max)
                CHECK(def->valuedouble <= (double)attr->max);
        }
    }
    CHECK_INT(seen, s->attr_count);
    /* the attributes that forms and exclusions name exist in their block */
    for (size_t b = 0; b < s->block_count; b++) {
        const SchemaBlock *block = &s->blocks[b];
        const cJSON *item, *name;
        cJSON_ArrayForEach(item, block->forms) {
            CHECK(schema_attr(block, cJSON_GetObjectItemCaseSensitive(item, "marker")->valuestring) != NULL);
            cJSON_ArrayForEach(name, cJSON_GetObjectItemCaseSensitive(item, "attributes"))
                CHECK(schema_attr(block, name->valuestring) != NULL);
            cJSON_ArrayForEach(name, cJSON_GetObjectItemCaseSensitive(item, "required"))
                CHECK(schema_attr(block, name->valuestring) != NULL);
        }
        cJSON_ArrayForEach(item, block->exclusive) {
            CHECK(schema_attr(block, cJSON_GetObjectItemCaseSensitive(item, "attribute")->valuestring) != NULL);
            const cJSON *excludes = cJSON_GetObjectItemCaseSensitive(item, "excludes");
            cJSON_ArrayForEach(name, excludes) CHECK(schema_attr(block, name->valuestring) != NULL);
            CHECK(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(item, "message")));
            CHECK(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(item, "help")));
        }
    }
    CHECK(schema_block("nodes") != NULL);
    CHECK(schema_block("nodez") == NULL);
    CHECK_STR(schema_type_unit(TY_SIZE), "GiB");
    long long f = 0;
    CHECK(schema_unit_factor(TY_SIZE, "TiB", &f) && f == 1024);
    CHECK(schema_unit_factor(TY_DURATION, "h", &f) && f == 3600);
    CHECK(!schema_unit_factor(TY_SIZE, "MBps", &f));
}

/* The C enums of octohac.h are in the order of the schema's enum lists. */
static void check_enum(const char *block, const char *attr, int index, const char *value)
{
    const SchemaAttr *a = schema_attr(schema_block(block), attr);
    CHECK(a != NULL && (size_t)index < a->value_count);
    if (a && (size_t)index < a->value_count && strcmp(a->values[index], value) != 0) {
        fprintf(stderr, "%s.%s value %d is %s, the C enum expects %s\n", block, attr, index, a->values[index], value);
        failures++;
    }
}

static void test_enum_order(void)
{
    check_enum("octopus", "master_key", MK_PARAM, "param");
    check_enum("network", "nat", NAT_NONE, "none");
    check_enum("directory", "edition", ED_ENTERPRISE, "enterprise");
    check_enum("nodes", "os", OS_2016, "windows-2016");
    check_enum("nodes", "os", OS_2025, "windows-2025");
    check_enum("database", "engine", ENG_EE, "sqlserver-ee");
    check_enum("database", "engine", ENG_EX, "sqlserver-ex");
    check_enum("database", "engine", ENG_WEB, "sqlserver-web");
    check_enum("database", "version", SQL_2017, "2017");
    check_enum("database", "version", SQL_2022, "2022");
    check_enum("database", "storage_type", ST_IO1, "io1");
    check_enum("database", "deletion", DEL_SNAPSHOT, "snapshot");
    check_enum("database", "deletion", DEL_DELETE, "delete");
    check_enum("storage", "deletion", DEL_RETAIN, "retain");
    check_enum("storage", "deletion", DEL_DELETE, "delete");
    check_enum("storage", "deployment", FSX_SINGLE_AZ_2, "single-az-2");
    check_enum("storage", "media", MEDIA_HDD, "hdd");
    check_enum("load_balancer", "type", LB_NLB, "nlb");
    check_enum("load_balancer", "type", LB_CLASSIC, "classic");
    check_enum("load_balancer", "scheme", SCHEME_INTERNAL, "internal");
    check_enum("tentacles", "mode", POLL_SHARED_QUEUE, "shared-queue");
}

static void test_data_tables(void)
{
    const char *files[] = { "schema/rds-sqlserver-instance-classes.json", "schema/instance-sizes.json" };
    for (size_t i = 0; i < 2; i++) {
        const EmbeddedFile *f = embed_find(files[i]);
        CHECK(f != NULL);
        cJSON *doc = f ? cJSON_ParseWithLength(f->data, f->size) : NULL;
        CHECK(doc != NULL);
        cJSON_Delete(doc);
    }
}

/* ---------------------------------------------------------------- the model: defaults */

static void test_defaults(void)
{
    Fixture fx;
    Cluster *c = build(&fx, "cluster \"octopus\" {\n" NEEDS "}\n");
    CHECK(c != NULL);
    if (c) {
        CHECK_STR(c->description.text, "Octopus Deploy HA cluster octopus");
        CHECK_INT(c->region.source, VS_NONE);
        CHECK_STR(c->octopus.version.text, "latest");
        CHECK_INT(c->octopus.download_url.source, VS_NONE);
        CHECK_STR(c->octopus.instance.text, "OctopusServer");
        CHECK_INT(c->octopus.license.source, VS_PARAM);
        CHECK_STR(c->octopus.license.text, "OctopusLicense");
        CHECK_INT(c->octopus.task_cap.value, 20);
        CHECK_INT(c->octopus.web_port.value, 80);
        CHECK_INT(c->network.vpc.source, VS_NONE);
        CHECK_INT(c->network.cidr.address, 0x0A140000u);
        CHECK_INT(c->network.cidr.prefix, 16);
        CHECK_INT(c->network.zone_count.value, 2);
        CHECK_INT(c->network.zone_names.count, 0);
        CHECK_INT(c->network.nat.value, NAT_PER_ZONE);
        CHECK_INT(c->directory.form, DIR_CREATE);
        CHECK_INT(c->directory.edition.value, ED_STANDARD);
        CHECK_INT(c->nodes.count.value, 2);
        CHECK_STR(c->nodes.instance.text, "m6i.xlarge");
        CHECK_INT(c->nodes.os.value, OS_2022);
        CHECK_INT(c->nodes.disk_gib.value, 100);
        CHECK_INT(c->database.engine.value, ENG_SE);
        CHECK_INT(c->database.version.value, SQL_2022);
        CHECK_STR(c->database.instance.text, "db.m6i.large");
        CHECK_INT(c->database.storage_gib.value, 100);
        CHECK_INT(c->database.max_storage_gib.value, 400);
        CHECK_INT(c->database.iops.value, 0);
        CHECK(c->database.multi_az.value);
        CHECK(c->database.deletion_protection.value);
        CHECK(c->database.encrypted.value);
        CHECK_INT(c->database.backup_days.value, 7);
        CHECK_INT(c->database.deletion.value, DEL_SNAPSHOT);
        CHECK_STR(c->database.catalog.text, "Octopus");
        CHECK_INT(c->database.existing.source, VS_NONE);
        CHECK_INT(c->storage.capacity_gib.value, 100);
        CHECK_INT(c->storage.throughput_mbps.value, 32);
        CHECK_INT(c->storage.deployment.value, FSX_MULTI_AZ);
        CHECK_INT(c->storage.deletion.value, DEL_RETAIN);
        CHECK_STR(c->storage.folder.text, "OctopusShared");
        CHECK_INT(c->load_balancer.type.value, LB_ALB);
        CHECK_INT(c->load_balancer.scheme.value, SCHEME_INTERNET_FACING);
        CHECK_STR(c->load_balancer.ssl_policy.text, "ELBSecurityPolicy-TLS13-1-2-2021-06");
        CHECK_INT(c->load_balancer.idle_timeout_s.value, 300);
        CHECK_INT(c->load_balancer.allowed_cidrs.count, 1);
        CHECK_STR(c->load_balancer.allowed_cidrs.items[0], "0.0.0.0/0");
        CHECK(!c->tentacles.polling.value);
        CHECK_INT(c->tentacles.port.value, 10943);
        CHECK_INT(c->tentacles.idle_timeout_s.value, 3600);
        CHECK_INT(c->tentacles.allowed_cidrs.count, 1);
        CHECK_INT(c->tag_count, 0);
        CHECK_INT(c->allow.count, 0);
        /* a default points at its block, or at the cluster name when the block is absent */
        CHECK(!c->nodes.count.origin.set);
        CHECK_INT(c->nodes.count.origin.span.start, c->name_span.start);
        CHECK_INT(c->nodes.block.start, c->name_span.start);
        CHECK(c->octopus.admin_email.origin.set);
        CHECK(!span_valid(c->octopus.admin_email.origin.via));
        CHECK(c->octopus.block.start != c->name_span.start);
    }
    done(&fx);
}

static void test_dependent_defaults(void)
{
    Fixture fx;
    Cluster *c = build(&fx, "cluster \"x\" {\n" NEEDS "  database { engine = sqlserver-ex, storage = 5000 GiB }\n"
                            "  tentacles { polling = true }\n}\n");
    if (c) {
        CHECK_STR(c->database.instance.text, "db.t3.xlarge");
        CHECK(!c->database.multi_az.value);
        CHECK_INT(c->database.max_storage_gib.value, 16384);
        CHECK_INT(c->load_balancer.type.value, LB_NLB);
        CHECK_INT(c->load_balancer.idle_timeout_s.value, 0);
        CHECK_STR(c->load_balancer.ssl_policy.text, "ELBSecurityPolicy-TLS13-1-2-2021-06");
    }
    CHECK(c != NULL);
    done(&fx);

    c = build(&fx, "cluster \"x\" {\n" NEEDS "  database { engine = sqlserver-ee }\n"
                   "  load_balancer { type = classic, scheme = internal }\n  network { cidr = 10.9.0.0/20 }\n"
                   "  tentacles { polling = false }\n}\n");
    if (c) {
        CHECK_STR(c->database.instance.text, "db.m6i.xlarge");
        CHECK(c->database.multi_az.value);
        CHECK_STR(c->load_balancer.ssl_policy.text, "ELBSecurityPolicy-TLS-1-2-2017-01");
        CHECK_INT(c->load_balancer.idle_timeout_s.value, 300);
        CHECK_INT(c->load_balancer.allowed_cidrs.count, 1);
        CHECK_STR(c->load_balancer.allowed_cidrs.items[0], "10.9.0.0/20");
        CHECK_INT(c->tentacles.allowed_cidrs.count, 1);
        CHECK_STR(c->tentacles.allowed_cidrs.items[0], "10.9.0.0/20");
    }
    CHECK(c != NULL);
    done(&fx);
}

static void test_written_values(void)
{
    Fixture fx;
    Cluster *c = build(&fx, "cluster \"x\" {\n" NEEDS
                            "  nodes { disk = 1 TiB, os = windows-2012r2 }\n"
                            "  network { zones = [us-east-1a, us-east-1b, us-east-1c], vpc = new }\n"
                            "  database { version = 2019, backup_days = 3 days }\n"
                            "  load_balancer { idle_timeout = 10 min, certificate = param(\"Cert\", \"" ARN "\") }\n"
                            "  tentacles { idle_timeout = 1 h }\n"
                            "  tags { team = \"platform\", cost-center = \"4711\" }\n"
                            "  allow = [OH2006]\n}\n");
    if (c) {
        CHECK_INT(c->nodes.disk_gib.value, 1024);
        CHECK_INT(c->nodes.os.value, -1);           /* left to OH2002 */
        CHECK_INT(c->network.zone_count.value, 3);
        CHECK_STR(c->network.zone_names.items[2], "us-east-1c");
        CHECK_INT(c->network.vpc.source, VS_NONE);
        CHECK_INT(c->database.version.value, SQL_2019);
        CHECK_INT(c->database.backup_days.value, 3);
        CHECK_INT(c->load_balancer.idle_timeout_s.value, 600);
        CHECK_INT(c->load_balancer.certificate.source, VS_PARAM);
        CHECK_STR(c->load_balancer.certificate.param_default, ARN);
        CHECK_INT(c->tentacles.idle_timeout_s.value, 3600);
        CHECK_INT(c->tag_count, 2);
        CHECK_STR(c->tags[1].key, "cost-center");
        CHECK_STR(c->tags[1].value, "4711");
        CHECK_INT(c->allow.count, 1);
    }
    CHECK(c != NULL);
    if (!c)
        dump(&fx);
    done(&fx);
}

static void test_provenance(void)
{
    Fixture fx;
    Cluster *c = build(&fx, HEAD "cluster \"x\" uses staging, medium {\n" NEEDS "  nodes { count = 4 }\n}\n");
    if (c) {
        CHECK_INT(c->nodes.count.value, 4);
        CHECK(!span_valid(c->nodes.count.origin.via));
        CHECK_STR(c->nodes.instance.text, "m6i.xlarge");    /* medium */
        CHECK(c->nodes.instance.origin.set);
        CHECK(span_valid(c->nodes.instance.origin.via));
        CHECK(c->nodes.instance.origin.span.src != c->src); /* the std/profiles line */
        CHECK(!c->database.multi_az.value);                 /* staging */
        CHECK_INT(c->allow.count, 2);
        CHECK_INT(c->network.zone_count.value, 3);
        Diagnostic *d = diag_warning(&fx.diag, c->nodes.instance.origin.span, "OH2014", "test");
        model_note_origin(&fx.diag, d, &c->nodes.instance.origin);
        CHECK_INT(d->note_count, 1);
        if (d->note_count)
            CHECK_STR(d->notes[0].text, "set by profile `medium` through `uses` here");
        Diagnostic *d2 = diag_warning(&fx.diag, c->nodes.count.origin.span, "OH2005", "test");
        model_note_origin(&fx.diag, d2, &c->nodes.count.origin);
        CHECK_INT(d2->note_count, 0);
    }
    CHECK(c != NULL);
    done(&fx);
}

/* `existing` set by the cluster replaces what a profile set in the same block. */
static void test_existing_over_profile(void)
{
    expect_clean(HEAD "cluster \"x\" uses medium {\n" NEEDS
                 "  storage { existing = \"\\\\\\\\fs1\\\\share\" }\n"
                 "  database { existing = secret(\"sql\") }\n}\n");
    Fixture fx;
    Cluster *c = build(&fx, "cluster \"x\" {\n" NEEDS "  database { existing = secret(\"sql\", \"conn\") }\n}\n");
    CHECK(c != NULL);
    if (c) {
        CHECK_INT(c->database.existing.source, VS_SECRET);
        CHECK_STR(c->database.existing.text, "sql");
        CHECK_STR(c->database.existing.secret_key, "conn");
    }
    done(&fx);
    expect_only(HEAD "profile p { storage { existing = \"\\\\\\\\fs1\\\\share\" } }\n"
                "cluster \"x\" uses p {\n" NEEDS "  storage { capacity = 64 GiB }\n}\n", "OH1010");
}

/* The directory form the cluster chooses replaces the one a profile chose. */
static void test_form_over_profile(void)
{
    Fixture fx;
    Cluster *c = build(&fx, "profile ad { directory { create = true, domain = \"p.example.com\", edition = enterprise } }\n"
                   "cluster \"x\" uses ad {\n  octopus { admin_email = \"ops@example.com\" }\n"
                   "  directory { id = \"d-9067a1b2c3\", dns_ips = [10.1.0.10] }\n}\n");
    CHECK(c != NULL);
    if (c) {
        CHECK_INT(c->directory.form, DIR_EXISTING);
        CHECK_STR(c->directory.domain.text, "p.example.com");
        CHECK(span_valid(c->directory.domain.origin.via));
    } else {
        dump(&fx);
    }
    done(&fx);
    /* a profile's ALB idle timeout is dropped when the cluster picks an NLB */
    c = build(&fx, "profile slow { load_balancer { idle_timeout = 20 min } }\n"
                   "cluster \"x\" uses slow {\n" NEEDS "  load_balancer { type = nlb }\n}\n");
    CHECK(c != NULL);
    if (c) {
        CHECK_INT(c->load_balancer.idle_timeout_s.value, 0);
        CHECK(!c->load_balancer.idle_timeout_s.origin.set);
    }
    done(&fx);
    /* both forms in one body stay an error */
    expect_only("profile ad { directory { create = true, id = \"d-9067a1b2c3\", domain = \"p.example.com\", dns_ips = [10.1.0.10] } }\n"
                "cluster \"x\" uses ad {\n  octopus { admin_email = \"ops@example.com\" }\n}\n", "OH1010");
}

/* ---------------------------------------------------------------- the model: OH1 codes */

static void test_codes(void)
{
    expect_only("cluster \"x\" {\n" NEEDS "  nodez { }\n}\n", "OH1001");
    expect_only("cluster \"x\" {\n" NEEDS "  nodes { cuont = 3 }\n}\n", "OH1002");
    expect_only("cluster \"x\" {\n" NEEDS "  nodes { count = 3, count = 4 }\n}\n", "OH1003");
    expect_only("cluster \"x\" {\n" NEEDS "  nodes { count = \"3\" }\n}\n", "OH1004");
    expect_only("cluster \"x\" {\n" NEEDS "  nodes { count = 51 }\n}\n", "OH1005");
    expect_only("cluster \"x\" {\n" NEEDS "  nodes { count = 0 }\n}\n", "OH1005");
    expect_clean("cluster \"x\" {\n" NEEDS "  nodes { count = 50 }\n}\n");
    expect_clean("cluster \"x\" {\n" NEEDS "  nodes { count = 1 }\n}\n");
    expect_only("cluster \"x\" {\n" NEEDS "  network { nat = per_zone }\n}\n", "OH1006");
    expect_only("cluster \"x\" {\n" NEEDS "  region = \"us-east\"\n}\n", "OH1007");
    expect_only("cluster \"x-\" {\n" NEEDS "}\n", "OH1007");
    expect_only("cluster \"x\" {\n  directory { create = true, domain = \"corp.example.com\" }\n}\n", "OH1008");
    expect_only("cluster \"x\" {\n" NEEDS "  nodes { disk = 100 }\n}\n", "OH1009");
    expect_only("cluster \"x\" {\n" NEEDS "  database { existing = secret(\"s\"), storage = 100 GiB }\n}\n", "OH1010");
    expect_only("cluster \"x\" {\n" NEEDS "  allow = [OH2999]\n}\n", "OH1006");
    {   /* an error code in `allow` leaves the model whole, for the rules to report that error */
        Fixture fx;
        Cluster *c = build(&fx, "cluster \"x\" {\n" NEEDS "  allow = [OH2001]\n}\n");
        CHECK(c != NULL && fx.diag.count == 1 && count_code(&fx, "OH1011") == 1);
        done(&fx);
    }
    /* duplicates inside a profile: reported once by model_check_profile, and the model is still built */
    Fixture fx;
    Cluster *c = build(&fx, "profile p { nodes { count = 2, count = 3 } }\ncluster \"x\" uses p {\n" NEEDS "}\n");
    CHECK(c != NULL && fx.diag.count == 1 && count_code(&fx, "OH1003") == 1);
    done(&fx);
}

static void test_messages(void)
{
    Fixture fx;
    build(&fx, "cluster \"x\" {\n" NEEDS "  nodes { disk = 100 }\n  network { nat = per_zone }\n}\n");
    const Diagnostic *d = find_code(&fx, "OH1009");
    CHECK(d && d->help && strcmp(d->help, "add a unit: `100 GiB`") == 0);
    d = find_code(&fx, "OH1006");
    CHECK(d && d->help && strcmp(d->help, "did you mean `per-zone`?") == 0);
    CHECK(d && strstr(d->message, "`per-zone`, `single`, `none`") != NULL);
    done(&fx);
}

int main(void)
{
    test_patterns_compile();
    test_pattern_boundaries();
    test_schema_consistent();
    test_enum_order();
    test_data_tables();
    test_defaults();
    test_dependent_defaults();
    test_written_values();
    test_provenance();
    test_existing_over_profile();
    test_form_over_profile();
    test_codes();
    test_messages();
    schema_release();
    /* released and read again: the second run of a long-lived process */
    CHECK(schema_get() != NULL);
    CHECK(schema_pattern_match("region", "us-east-1"));
    schema_release();
    if (failures)
        fprintf(stderr, "%d check(s) failed\n", failures);
    return failures ? 1 : 0;
}
