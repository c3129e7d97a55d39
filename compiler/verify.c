/* verify.c: checks the generated template before anything is written. verify_resources
 * validates each resource's Properties against the AWS provider schema of its type,
 * embedded from schema/aws/ (a small JSON Schema validator: type, enum, pattern, lengths,
 * bounds, items, required, additionalProperties, $ref, anyOf/oneOf/allOf); a violation
 * is OH5001, a bug in octohac. verify_limits checks the CloudFormation limits OH3001-OH3005
 * on the real output and points each at the .oha line responsible. It changes nothing. */
#include "octohac.h"
#include "aws_keywords.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#define VERIFY_MAX_REPORTS 20       /* OH5001 errors per template, beyond that only a count */
#define UNIQUE_ITEMS_MAX 512        /* uniqueItems is checked pairwise up to this length */

/* ------------------------------------------------------------------ the process cache
 * Schemas are parsed on first use, and each deferred top-level property or definition
 * (embed_gen.c) when a template first uses it; patterns are compiled once;
 * verify_release frees them all. */

typedef struct CachedSchema {
    char *type;                 /* "AWS::EC2::Instance" */
    cJSON *doc;                 /* NULL when no schema is embedded for the type */
    cJSON *properties, *definitions;   /* the doc's, looked up once */
    const char *deferred;       /* the text of its deferred members (embed_gen.c) */
    size_t deferred_len;
} CachedSchema;

typedef struct CachedPattern {
    char *pattern;
    pcre2_code *code;
} CachedPattern;

static struct {
    CachedSchema *schemas;
    size_t schema_count, schema_cap;
    CachedPattern *patterns;
    size_t pattern_count, pattern_cap;
    pcre2_match_data *match;
} cache;

static void *grow(void *items, size_t *cap, size_t count, size_t size)
{
    if (count < *cap)
        return items;
    *cap = *cap ? *cap * 2 : 16;
    void *grown = realloc(items, *cap * size);
    if (!grown)
        BUG("out of memory growing the verify cache");
    return grown;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(oh_xmalloc(n), s, n);
}

/* "AWS::EC2::Instance" -> "schema/aws/aws-ec2-instance.json" */
static char *schema_path_for(const char *type)
{
    size_t n = strlen(type);
    char *path = oh_xmalloc(sizeof "schema/aws/.json" + n);
    char *p = path + sprintf(path, "schema/aws/");
    for (size_t i = 0; i < n; i++) {
        if (type[i] == ':' && type[i + 1] == ':') {
            *p++ = '-';
            i++;
        } else {
            *p++ = (char)tolower((unsigned char)type[i]);
        }
    }
    strcpy(p, ".json");
    return path;
}

/* The provider schema of TYPE; its doc is NULL when octohac ships none. An embedded
 * schema is its root document, a NUL, and the text of its deferred members. */
static const CachedSchema *aws_schema(const char *type)
{
    for (size_t i = 0; i < cache.schema_count; i++)
        if (strcmp(cache.schemas[i].type, type) == 0)
            return &cache.schemas[i];
    char *path = schema_path_for(type);
    const EmbeddedFile *file = embed_find(path);
    cJSON *doc = NULL;
    size_t root_len = 0;
    if (file) {
        root_len = strlen(file->data);
        doc = json_parse_lasting(file->data, root_len);
        if (!doc)
            BUG("the embedded schema `%s` is not valid JSON", path);
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(doc, "typeName");
        if (!cJSON_IsString(name) || strcmp(name->valuestring, type) != 0)
            BUG("the embedded schema `%s` is not the schema of `%s`", path, type);
    }
    free(path);
    cache.schemas = grow(cache.schemas, &cache.schema_cap, cache.schema_count, sizeof *cache.schemas);
    CachedSchema *entry = &cache.schemas[cache.schema_count++];
    *entry = (CachedSchema){xstrdup(type), doc, cJSON_GetObjectItemCaseSensitive(doc, "properties"),
                            cJSON_GetObjectItemCaseSensitive(doc, "definitions"), NULL, 0};
    if (file && root_len < file->size) {
        entry->deferred = file->data + root_len + 1;
        entry->deferred_len = file->size - root_len - 1;
    }
    return entry;
}

/* JSON Schema patterns are ECMAScript regular expressions: PCRE2 with Unicode
 * properties (\p{L}) and \uXXXX escapes (ALT_BSUX) reads every one AWS ships. */
static const pcre2_code *pattern_code(const char *pattern)
{
    for (size_t i = 0; i < cache.pattern_count; i++)
        if (strcmp(cache.patterns[i].pattern, pattern) == 0)
            return cache.patterns[i].code;
    int err;
    PCRE2_SIZE at;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                                     PCRE2_UTF | PCRE2_UCP | PCRE2_ALT_BSUX, &err, &at, NULL);
    if (!code) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(err, msg, sizeof msg);
        BUG("AWS schema pattern `%s` does not compile: %s at %zu", pattern, (const char *)msg, (size_t)at);
    }
    cache.patterns = grow(cache.patterns, &cache.pattern_cap, cache.pattern_count, sizeof *cache.patterns);
    cache.patterns[cache.pattern_count++] = (CachedPattern){xstrdup(pattern), code};
    return code;
}

static bool pattern_matches(const char *pattern, const char *subject)
{
    const pcre2_code *code = pattern_code(pattern);
    if (!cache.match && !(cache.match = pcre2_match_data_create(16, NULL)))
        BUG("out of memory for PCRE2 match data");
    int rc = pcre2_match(code, (PCRE2_SPTR)subject, PCRE2_ZERO_TERMINATED, 0, 0, cache.match, NULL);
    if (rc < 0 && rc != PCRE2_ERROR_NOMATCH)
        BUG("PCRE2 failed (%d) matching `%s`", rc, pattern);
    return rc >= 0;
}

void verify_release(void)
{
    for (size_t i = 0; i < cache.schema_count; i++) {
        free(cache.schemas[i].type);
        json_delete(cache.schemas[i].doc);
    }
    for (size_t i = 0; i < cache.pattern_count; i++) {
        free(cache.patterns[i].pattern);
        pcre2_code_free(cache.patterns[i].code);
    }
    pcre2_match_data_free(cache.match);
    free(cache.schemas);
    free(cache.patterns);
    memset(&cache, 0, sizeof cache);
}

/* ------------------------------------------------------------------ names AWS limits (OH3005) */

typedef struct NameLimit {
    const char *type;           /* NULL: every type (tags) */
    const char *property;       /* a top-level property, or "Tags[].Key"/"Tags[].Value" */
    size_t limit;               /* characters */
} NameLimit;

static const NameLimit name_limits[] = {
    {"AWS::ElasticLoadBalancingV2::LoadBalancer", "Name", 32},
    {"AWS::ElasticLoadBalancingV2::TargetGroup", "Name", 32},
    {"AWS::ElasticLoadBalancing::LoadBalancer", "LoadBalancerName", 32},
    {"AWS::RDS::DBInstance", "DBInstanceIdentifier", 63},
    {"AWS::RDS::DBSubnetGroup", "DBSubnetGroupName", 255},
    {"AWS::RDS::DBParameterGroup", "DBParameterGroupName", 255},
    {"AWS::ElastiCache::ReplicationGroup", "ReplicationGroupId", 40},
    {"AWS::ElastiCache::CacheCluster", "ClusterName", 40},
    {"AWS::ElastiCache::SubnetGroup", "CacheSubnetGroupName", 255},
    {"AWS::IAM::Role", "RoleName", 64},
    {"AWS::IAM::InstanceProfile", "InstanceProfileName", 128},
    {"AWS::IAM::Policy", "PolicyName", 128},
    {"AWS::EC2::SecurityGroup", "GroupName", 255},
    {"AWS::SecretsManager::Secret", "Name", 512},
    {"AWS::SSM::Parameter", "Name", 1011},
    {"AWS::SSM::Association", "AssociationName", 128},
    {"AWS::Logs::LogGroup", "LogGroupName", 512},
    {"AWS::CloudWatch::Alarm", "AlarmName", 255},
    {NULL, "Tags[].Key", 128},
    {NULL, "Tags[].Value", 256},
};
#define LOGICAL_ID_MAX 255

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Whether REL (a path below Properties, "Name" or "Tags[3].Value") is a name that
 * OH3005 measures for TYPE: its schema maxLength is then left to verify_limits. */
static const NameLimit *name_limit_for(const char *type, const char *rel)
{
    const char *rest = rel;
    if (strncmp(rel, "Tags[", 5) == 0) {          /* "Tags[3].Value" is the row "Tags[].Value" */
        rest = strchr(rel, ']');
        if (!rest)
            return NULL;
    } else if (strpbrk(rel, ".[")) {
        return NULL;                              /* only top-level properties are names */
    }
    for (size_t i = 0; i < sizeof name_limits / sizeof name_limits[0]; i++) {
        const NameLimit *l = &name_limits[i];
        if (rest != rel) {
            if (!l->type && strcmp(l->property + 5, rest) == 0)
                return l;
        } else if (l->type && l->property[0] == rel[0] && strcmp(l->property, rel) == 0 &&
                   strcmp(l->type, type) == 0) {
            return l;
        }
    }
    return NULL;
}

/* ------------------------------------------------------------------ source spans */

typedef struct SourceSet {
    const Source **items;
    size_t count, cap;
} SourceSet;

static void sources_add(SourceSet *set, const Source *src)
{
    if (!src)
        return;
    for (size_t i = 0; i < set->count; i++)
        if (set->items[i] == src)
            return;
    set->items = grow(set->items, &set->cap, set->count, sizeof *set->items);
    set->items[set->count++] = src;
}

static void sources_from_body(SourceSet *set, const MergedBody *body)
{
    for (size_t i = 0; body && i < body->count; i++) {
        if (body->entries[i].entry)
            sources_add(set, body->entries[i].entry->span.src);
        sources_from_body(set, body->entries[i].block);
    }
}

static bool same_file_name(const char *a, const char *b)
{
    if (strcmp(a, b) == 0)
        return true;
    const char *sa = strrchr(a, '/'), *sb = strrchr(b, '/');
    return strcmp(sa ? sa + 1 : a, sb ? sb + 1 : b) == 0;
}

/* The span that "file.oha:LINE:COL" names (the word that starts there), or NO_SPAN. */
static Span span_from_location(const SourceSet *set, const char *location)
{
    Span none = {0};
    const char *c2 = strrchr(location, ':');
    if (!c2 || c2 == location)
        return none;
    const char *c1 = c2 - 1;
    while (c1 > location && *c1 != ':')
        c1--;
    if (*c1 != ':')
        return none;
    unsigned long line = strtoul(c1 + 1, NULL, 10), col = strtoul(c2 + 1, NULL, 10);
    char file[512];
    snprintf(file, sizeof file, "%.*s", (int)(c1 - location), location);
    for (size_t i = 0; i < set->count; i++) {
        const Source *src = set->items[i];
        if (!src->name || !same_file_name(src->name, file) || line == 0 || line > src->line_count || col == 0)
            continue;
        uint32_t at = src->line_starts[line - 1];
        for (unsigned long k = 1; k < col && at < src->len && src->text[at] != '\n'; k++) {
            at++;
            while (at < src->len && ((unsigned char)src->text[at] & 0xC0) == 0x80)
                at++;
        }
        uint32_t end = at;
        while (end < src->len && (isalnum((unsigned char)src->text[end]) || src->text[end] == '_'))
            end++;
        return (Span){src, at, end > at ? end : (at < src->len ? at + 1 : at)};
    }
    return none;
}

static Span cluster_span(const Cluster *cluster)
{
    return cluster ? cluster->name_span : (Span){0};
}

/* Where a diagnostic about resource ID points: its entry in TMPL's locations, else the cluster. */
static Span resource_span(const cJSON *tmpl, const char *id, const Cluster *cluster, DiagCtx *diag)
{
    const char *location = cluster ? template_location(tmpl, id, diag->arena) : NULL;
    if (!location)
        return cluster_span(cluster);
    SourceSet set = {0};
    sources_add(&set, cluster->src);
    if (cluster->decl)
        sources_from_body(&set, &cluster->decl->body);
    Span span = span_from_location(&set, location);
    free(set.items);
    return span_valid(span) ? span : cluster_span(cluster);
}

/* ------------------------------------------------------------------ the validator */

typedef struct Check {
    const CachedSchema *schema; /* the provider schema, for $ref and deferred members */
    const char *type;
    DiagCtx *diag;
    Span span;
    size_t *reports;            /* OH5001 errors reported so far in this template */
    int silent;                 /* > 0 inside anyOf/oneOf branches: failures are not reported */
    char *path;                 /* "Resources.Node1.Properties.BlockDeviceMappings[0]" */
    size_t path_len, path_cap;
    size_t props_len;           /* length of the "Resources.X.Properties" prefix */
} Check;

static void path_append(Check *c, const char *piece, size_t len)
{
    if (c->path_len + len + 1 > c->path_cap) {
        c->path_cap = (c->path_len + len + 1) * 2;
        char *grown = realloc(c->path, c->path_cap);
        if (!grown)
            BUG("out of memory for a JSON path");
        c->path = grown;
    }
    memcpy(c->path + c->path_len, piece, len);
    c->path_len += len;
    c->path[c->path_len] = '\0';
}

/* `.key` (no dot at the start of the path) */
static void path_key(Check *c, const char *key)
{
    if (c->path_len)
        path_append(c, ".", 1);
    path_append(c, key, strlen(key));
}

static void path_index(Check *c, size_t index)
{
    char piece[32];
    int n = snprintf(piece, sizeof piece, "[%zu]", index);
    path_append(c, piece, (size_t)n);
}

static void path_truncate(Check *c, size_t len)
{
    c->path_len = len;
    c->path[len] = '\0';
}

/* Reports one violation (unless silenced) and returns false. */
static bool violation(Check *c, const char *fmt, ...) OH_PRINTF(2, 3);
static bool violation(Check *c, const char *fmt, ...)
{
    if (c->silent)
        return false;
    (*c->reports)++;
    if (*c->reports > VERIFY_MAX_REPORTS)
        return false;
    va_list ap;
    va_start(ap, fmt);
    char *rule = arena_vprintf(c->diag->arena, fmt, ap);
    va_end(ap);
    Diagnostic *d = diag_error(c->diag, c->span, "OH5001", "generated `%s` violates the `%s` schema: %s",
                               c->path, c->type, rule);
    diag_label(c->diag, d, "the resource generated from here");
    diag_help(c->diag, d, "this is a bug in octohac, not in your file; please report it with this file");
    return false;
}

/* `{"Ref": …}` or `{"Fn::…": …}`: resolved by CloudFormation, so any schema accepts it. */
static bool is_intrinsic(const cJSON *value)
{
    if (!cJSON_IsObject(value) || !value->child || value->child->next || !value->child->string)
        return false;
    const char *key = value->child->string;
    return strcmp(key, "Ref") == 0 || strncmp(key, "Fn::", 4) == 0;
}

/* A string CloudFormation resolves at deploy time: `{{resolve:ssm:…}}`, `{{resolve:secretsmanager:…}}`. */
static bool is_dynamic_reference(const cJSON *value)
{
    return cJSON_IsString(value) && strstr(value->valuestring, "{{resolve:") != NULL;
}

static const char *json_kind(const cJSON *value)
{
    if (cJSON_IsString(value))
        return "string";
    if (cJSON_IsNumber(value))
        return value->valuedouble == (double)(long long)value->valuedouble ? "integer" : "number";
    if (cJSON_IsBool(value))
        return "boolean";
    if (cJSON_IsArray(value))
        return "array";
    if (cJSON_IsObject(value))
        return "object";
    return "null";
}

static bool type_matches(const char *type, const cJSON *value)
{
    const char *kind = json_kind(value);
    if (strcmp(type, "number") == 0)
        return cJSON_IsNumber(value);
    return strcmp(type, kind) == 0;
}

static bool check_value(Check *c, const cJSON *schema, const cJSON *value);

typedef bool (*KeywordFn)(Check *c, const cJSON *schema, const cJSON *kw, const cJSON *value);

static bool kw_type(Check *c, const cJSON *schema, const cJSON *kw, const cJSON *value)
{
    (void)schema;
    if (cJSON_IsString(kw))
        return type_matches(kw->valuestring, value) ||
               violation(c, "expected %s, found %s (type)", kw->valuestring, json_kind(value));
    const cJSON *t;
    cJSON_ArrayForEach(t, kw) if (cJSON_IsString(t) && type_matches(t->valuestring, value)) return true;
    char *list = cJSON_PrintUnformatted(kw);
    bool r = violation(c, "expected one of the types %s, found %s (type)", list ? list : "?", json_kind(value));
    cJSON_free(list);
    return r;
}

static bool equal_nocase(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return false;
    return *a == *b;
}

static bool kw_enum(Check *c, const cJSON *schema, const cJSON *kw, const cJSON *value)
{
    bool nocase = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(schema, "enumCaseInsensitive"));
    const cJSON *option;
    cJSON_ArrayForEach(option, kw) {
        if (nocase && cJSON_IsString(option) && cJSON_IsString(value) &&
            equal_nocase(option->valuestring, value->valuestring))
            return true;
        if (cJSON_Compare(option, value, true))
            return true;
    }
    char *got = cJSON_PrintUnformatted(value);
    char *list = cJSON_PrintUnformatted(kw);
    bool r = violation(c, "%s is not one of %s (enum)", got ? got : "?", list ? list : "?");
    cJSON_free(got);
    cJSON_free(list);
    return r;
}

static bool kw_pattern(Check *c, const cJSON *schema, const cJSON *kw, const cJSON *value)
{
    (void)schema;
    if (!cJSON_IsString(value) || !cJSON_IsString(kw))
        return true;
    return pattern_matches(kw->valuestring, value->valuestring) ||
           violation(c, "\"%s\" does not match the pattern `%s` (pattern)", value->valuestring, kw->valuestring);
}

static bool kw_min_length(Check *c, const cJSON *schema, const cJSON *kw, const cJSON *value)
{
    (void)schema;
    if (!cJSON_IsString(value) || !cJSON_IsNumber(kw))
        return true;
    size_t n = utf8_chars(value->valuestring);
    return (double)n >= kw->valuedouble ||
           violation(c, "%zu characters, fewer than %d (minLength)", n, kw->valueint);
}

static bool kw_max_length(Check *c, const cJSON *schema, const cJSON *kw, const cJSON *value)
{
    (void)schema;
    if (!cJSON_IsString(value) || !cJSON_IsNumber(kw))
        return true;
    if (c->path_len > c->props_len && name_limit_for(c->type, c->path + c->props_len + 1))
        return true;            /* a name: verify_limits reports it as OH3005, a user error */
    size_t n = utf8_chars(value->valuestring);
    return (double)n <= kw->valuedouble ||
           violation(c, "%zu characters, more than %d (maxLength)", n, kw->valueint);
}

static bool kw_minimum(Check *c, const cJSON *schema, const cJSON *kw, const cJSON *value)
{
    (void)schema;
    if (!cJSON_IsNumber(value) || !cJSON_IsNumber(kw))
        return true;
    return value->valuedouble >= kw->valuedouble ||
           violation(c, "%g is less than %g (minimum)", value->valuedouble, kw->valuedouble);
}

static bool kw_maximum(Check *c, const cJSON *schema, const cJSON *kw, const cJSON *value)
{
    (void)schema;
    if (!cJSON_IsNumber(value) || !cJSON_IsNumber(kw))
        return true;
    return value->valuedouble <= kw->valuedouble ||
           violation(c, "%g is more than %g (maximum)", value->valuedouble, kw->valuedouble);
}

static bool kw_min_items(Check *c, const cJSON *schema, const cJSON *kw, const cJSON *value)
{
    (void)schema;
    if (!cJSON_IsArray(value) || !cJSON_IsNumber(kw))
        return true;
    int n = cJSON_GetArraySize(value);
    return n >= kw->valueint || violation(c, "%d items, fewer than %d (minItems)", n, kw->valueint);
}

static bool kw_max_items(Check *c, const cJSON *schema, const cJSON *kw, const cJSON *value)
{
    (void)schema;
    if (!cJSON_IsArray(value) || !cJSON_IsNumber(kw))
        return true;
    int n = cJSON_GetArraySize(value);
    return n <= kw->valueint || violation(c, "%d items, more than %d (maxItems)", n, kw->valueint);
}

static bool kw_unique_items(Check *c, const cJSON *schema, const cJSON *kw, const cJSON *value)
{
    (void)schema;
    if (!cJSON_IsTrue(kw) || !cJSON_IsArray(value) || cJSON_GetArraySize(value) > UNIQUE_ITEMS_MAX)
        return true;
    int i = 0;
    for (const cJSON *a = value->child; a; a = a->next, i++) {
        int j = i + 1;
        for (const cJSON *b = a->next; b; b = b->next, j++)
            if (cJSON_Compare(a, b, true))
                return violation(c, "items %d and %d are equal (uniqueItems)", i, j);
    }
    return true;
}

static bool kw_required(Check *c, const cJSON *schema, const cJSON *kw, const cJSON *value)
{
    (void)schema;
    if (!cJSON_IsObject(value))
        return true;
    bool ok = true;
    const cJSON *name;
    cJSON_ArrayForEach(name, kw) {
        if (cJSON_IsString(name) && !cJSON_GetObjectItemCaseSensitive(value, name->valuestring))
            ok = violation(c, "the required property `%s` is missing (required)", name->valuestring) && ok;
    }
    return ok;
}

static bool matches_pattern_properties(const cJSON *schema, const char *key, const cJSON **sub)
{
    const cJSON *pp = cJSON_GetObjectItemCaseSensitive(schema, "patternProperties");
    const cJSON *p;
    cJSON_ArrayForEach(p, pp) {
        if (pattern_matches(p->string, key)) {
            *sub = p;
            return true;
        }
    }
    return false;
}

/* The schema of a top-level property or definition of the provider schema, or NULL.
 * embed_gen defers them: in the root document each is "@offset" of its text (a schema
 * is never a string), parsed and put in place on first use. */
static const cJSON *root_member(const Check *c, cJSON *map, const char *name)
{
    cJSON *member = cJSON_GetObjectItemCaseSensitive(map, name);
    if (!cJSON_IsString(member))
        return member;
    size_t at = member->valuestring[0] == '@' ? strtoul(member->valuestring + 1, NULL, 10) : SIZE_MAX;
    cJSON *parsed = at < c->schema->deferred_len
                        ? json_parse_lasting(c->schema->deferred + at, c->schema->deferred_len - at)
                        : NULL;
    if (!parsed)
        BUG("the `%s` schema's member `%s` is not valid JSON", c->type, name);
    /* MEMBER becomes the parsed schema in place: it keeps its key, and no allocation
     * lands in the compilation's arena that the lasting schema would outlive */
    cJSON_free(member->valuestring);
    member->valuestring = NULL;
    member->type = parsed->type;
    member->child = parsed->child;
    parsed->child = NULL;
    cJSON_Delete(parsed);
    return member;
}

/* properties, patternProperties and additionalProperties together: each member of the
 * object is checked by its property schema, a matching pattern, or the additional rule. */
static bool kw_properties(Check *c, const cJSON *schema, const cJSON *kw, const cJSON *value)
{
    (void)kw;
    if (!cJSON_IsObject(value))
        return true;
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(schema, "properties");
    const cJSON *additional = cJSON_GetObjectItemCaseSensitive(schema, "additionalProperties");
    bool ok = true;
    size_t mark = c->path_len;
    const cJSON *member;
    cJSON_ArrayForEach(member, value) {
        path_key(c, member->string);
        const cJSON *sub = schema == c->schema->doc
                               ? root_member(c, c->schema->properties, member->string)
                               : cJSON_GetObjectItemCaseSensitive(props, member->string);
        if (sub || matches_pattern_properties(schema, member->string, &sub))
            ok = check_value(c, sub, member) && ok;
        else if (cJSON_IsFalse(additional))
            ok = violation(c, "the property is not allowed here (additionalProperties)") && ok;
        else if (cJSON_IsObject(additional))
            ok = check_value(c, additional, member) && ok;
        path_truncate(c, mark);
    }
    return ok;
}

static bool kw_items(Check *c, const cJSON *schema, const cJSON *kw, const cJSON *value)
{
    (void)schema;
    if (!cJSON_IsArray(value) || !cJSON_IsObject(kw))
        return true;
    bool ok = true;
    size_t mark = c->path_len, i = 0;
    for (const cJSON *item = value->child; item; item = item->next, i++) {
        path_index(c, i);
        ok = check_value(c, kw, item) && ok;
        path_truncate(c, mark);
    }
    return ok;
}

static const cJSON *resolve_ref(const Check *c, const char *ref)
{
    if (strncmp(ref, "#/definitions/", 14) != 0)
        BUG("unsupported $ref `%s` in the `%s` schema", ref, c->type);
    const cJSON *target = root_member(c, c->schema->definitions, ref + 14);
    if (!target)
        BUG("dangling $ref `%s` in the `%s` schema", ref, c->type);
    return target;
}

static bool kw_ref(Check *c, const cJSON *schema, const cJSON *kw, const cJSON *value)
{
    (void)schema;
    return !cJSON_IsString(kw) || check_value(c, resolve_ref(c, kw->valuestring), value);
}

/* Counts the branches of KW that VALUE satisfies, without reporting. */
static int passing_branches(Check *c, const cJSON *kw, const cJSON *value)
{
    int passed = 0;
    c->silent++;
    const cJSON *branch;
    cJSON_ArrayForEach(branch, kw) passed += check_value(c, branch, value);
    c->silent--;
    return passed;
}

static bool kw_any_of(Check *c, const cJSON *schema, const cJSON *kw, const cJSON *value)
{
    (void)schema;
    return passing_branches(c, kw, value) > 0 || violation(c, "matches none of the allowed forms (anyOf)");
}

static bool kw_one_of(Check *c, const cJSON *schema, const cJSON *kw, const cJSON *value)
{
    (void)schema;
    int n = passing_branches(c, kw, value);
    return n == 1 || violation(c, "matches %d of the forms, not exactly one (oneOf)", n);
}

static bool kw_all_of(Check *c, const cJSON *schema, const cJSON *kw, const cJSON *value)
{
    (void)schema;
    bool ok = true;
    const cJSON *branch;
    cJSON_ArrayForEach(branch, kw) ok = check_value(c, branch, value) && ok;
    return ok;
}

/* The keywords checked (aws_keywords.h). Others (format, insertionOrder,
 * relationshipRef, …) describe, they do not constrain, and are not even embedded. */
#define KEYWORD_ROW(name, fn) {name, fn},
static const struct { const char *name; KeywordFn fn; } keywords[] = { AWS_CHECKED_KEYWORDS(KEYWORD_ROW) };
#undef KEYWORD_ROW

static KeywordFn keyword_fn(const char *name)
{
    for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
        if (keywords[i].name[0] == name[0] && strcmp(keywords[i].name, name) == 0)
            return keywords[i].fn;
    return NULL;
}

/* `type` first, so that a value of the wrong type is reported once and not checked
 * further; then every other keyword of the schema in its order. */
static bool check_value(Check *c, const cJSON *schema, const cJSON *value)
{
    if (!cJSON_IsObject(schema) || is_intrinsic(value) || is_dynamic_reference(value))
        return true;
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(schema, "type");
    if (type && !kw_type(c, schema, type, value))
        return false;
    bool ok = true, members_done = false;
    for (const cJSON *kw = schema->child; kw; kw = kw->next) {
        KeywordFn fn = kw->string ? keyword_fn(kw->string) : NULL;
        if (!fn)
            continue;
        if (fn == kw_properties) {   /* one pass for the three member keywords */
            if (members_done)
                continue;
            members_done = true;
        }
        ok = fn(c, schema, kw, value) && ok;
    }
    return ok;
}

/* A property AWS computes (readOnlyProperties, e.g. an instance profile's `Arn`) cannot be set. */
static void check_read_only(Check *c, const cJSON *props)
{
    const cJSON *entry;
    cJSON_ArrayForEach(entry, cJSON_GetObjectItemCaseSensitive(c->schema->doc, "readOnlyProperties")) {
        if (!cJSON_IsString(entry) || strncmp(entry->valuestring, "/properties/", 12) != 0 ||
            strchr(entry->valuestring + 12, '/'))
            continue;
        const char *name = entry->valuestring + 12;
        if (!cJSON_GetObjectItemCaseSensitive(props, name))
            continue;
        size_t mark = c->path_len;
        path_key(c, name);
        violation(c, "AWS sets this property itself (readOnlyProperties)");
        path_truncate(c, mark);
    }
}

static void verify_one(const cJSON *tmpl, const char *id, const cJSON *resource, const Cluster *cluster,
                       DiagCtx *diag, size_t *reports)
{
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(resource, "Type");
    Span span = resource_span(tmpl, id, cluster, diag);
    if (!cJSON_IsString(type)) {
        (*reports)++;
        diag_error(diag, span, "OH5001", "generated resource `%s` has no `Type`", id);
        return;
    }
    const CachedSchema *schema = aws_schema(type->valuestring);
    if (!schema->doc) {
        (*reports)++;
        Diagnostic *d = diag_error(diag, span, "OH5001", "generated resource `%s` has the type `%s`, which has no AWS schema in octohac",
                                   id, type->valuestring);
        diag_help(diag, d, "this is a bug in octohac, not in your file; please report it with this file");
        return;
    }
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(resource, "Properties");
    cJSON *empty = props ? NULL : cJSON_CreateObject();
    Check c = {.schema = schema, .type = type->valuestring, .diag = diag, .span = span, .reports = reports};
    path_key(&c, "Resources");
    path_key(&c, id);
    path_key(&c, "Properties");
    c.props_len = c.path_len;
    check_value(&c, schema->doc, props ? props : empty);
    check_read_only(&c, props);
    cJSON_Delete(empty);
    free(c.path);
}

bool verify_resources(const cJSON *tmpl, const Cluster *cluster, DiagCtx *diag)
{
    size_t reports = 0;
    const cJSON *resources = cJSON_GetObjectItemCaseSensitive(tmpl, "Resources");
    if (!cJSON_IsObject(resources))
        BUG("the template has no `Resources` object");
    const cJSON *resource;
    cJSON_ArrayForEach(resource, resources) verify_one(tmpl, resource->string, resource, cluster, diag, &reports);
    if (reports > VERIFY_MAX_REPORTS)
        diag_error(diag, cluster_span(cluster), "OH5001", "%zu more AWS schema violations in the generated template",
                   reports - VERIFY_MAX_REPORTS);
    return reports == 0;
}

/* ------------------------------------------------------------------ limits (OH3xxx) */

#define MAX_RESOURCES 500
#define WARN_RESOURCES 450
#define MAX_TEMPLATE_BYTES 1000000
#define MAX_INLINE_BYTES 51200
#define MAX_USER_DATA_BYTES 16384
#define MAX_PARAMETERS 200
#define MAX_OUTPUTS 200

/* The Resources object, or NULL (a template without one has no resources to limit). */
static const cJSON *template_resources(const cJSON *tmpl)
{
    const cJSON *resources = cJSON_GetObjectItemCaseSensitive(tmpl, "Resources");
    return cJSON_IsObject(resources) ? resources : NULL;
}

static Span nodes_count_span(const Cluster *cluster)
{
    if (!cluster)
        return (Span){0};
    if (span_valid(cluster->nodes.count.origin.span))
        return cluster->nodes.count.origin.span;
    return span_valid(cluster->nodes.block) ? cluster->nodes.block : cluster->name_span;
}

/* Adds the "set by profile" note when the count came in through `uses`. */
static void note_nodes_origin(DiagCtx *diag, Diagnostic *d, const Cluster *cluster)
{
    if (cluster && span_valid(cluster->nodes.count.origin.span))
        model_note_origin(diag, d, &cluster->nodes.count.origin);
}

static void check_resource_count(const cJSON *tmpl, const Cluster *cluster, DiagCtx *diag)
{
    int n = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(tmpl, "Resources"));
    if (n <= WARN_RESOURCES)
        return;
    bool over = n > MAX_RESOURCES;
    Diagnostic *d = diag_report(diag, over ? SEV_ERROR : SEV_WARNING, nodes_count_span(cluster), "OH3001",
                                "the template has %d resources, %s the %d CloudFormation allows in one stack",
                                n, over ? "more than" : "close to", MAX_RESOURCES);
    diag_label(diag, d, "each node adds its own resources");
    note_nodes_origin(diag, d, cluster);
    diag_help(diag, d, "split the installation into several clusters, or lower `nodes.count`");
}

static const char *const form_names[] = { [TF_YAML] = "YAML", [TF_JSON] = "JSON", [TF_JSON_COMPACT] = "compact JSON" };

static void check_template_size(size_t bytes, TemplateForm form, const Cluster *cluster, DiagCtx *diag)
{
    if (bytes > MAX_TEMPLATE_BYTES) {
        Diagnostic *d = diag_error(diag, cluster_span(cluster), "OH3002",
                                   "the %s template is %zu bytes, more than the %d bytes CloudFormation accepts",
                                   form_names[form], bytes, MAX_TEMPLATE_BYTES);
        diag_help(diag, d, "split the installation into several clusters");
    } else if (bytes > MAX_INLINE_BYTES) {
        Diagnostic *d = diag_report(diag, SEV_NOTE, cluster_span(cluster), "OH3002",
                                    "the %s template is %zu bytes, more than the %d bytes CloudFormation "
                                    "accepts inline", form_names[form], bytes, MAX_INLINE_BYTES);
        if (form == TF_JSON_COMPACT)
            diag_help(diag, d, "deploy with `aws cloudformation deploy --s3-bucket BUCKET …`");
        else if (form == TF_JSON)
            diag_help(diag, d, "add `--compact` (the same JSON without whitespace), or deploy with "
                      "`aws cloudformation deploy --s3-bucket BUCKET …`");
        else
            diag_help(diag, d, "build with `-f json --compact` (usually a tenth smaller than YAML), or "
                      "deploy with `aws cloudformation deploy --s3-bucket BUCKET …`");
    }
}

/* The raw text of a UserData value before base64: the Fn::Sub template string (an upper
 * bound, since ${} references are usually shorter than their values' names), a literal,
 * or the literal parts of a Fn::Join. Returns its byte count. */
static size_t user_data_bytes(const cJSON *value)
{
    if (cJSON_IsString(value))
        return strlen(value->valuestring);
    if (!is_intrinsic(value))
        return 0;
    const char *fn = value->child->string;
    const cJSON *arg = value->child;
    if (strcmp(fn, "Fn::Base64") == 0)
        return user_data_bytes(arg);
    if (strcmp(fn, "Fn::Sub") == 0)
        return user_data_bytes(cJSON_IsArray(arg) ? arg->child : arg);
    if (strcmp(fn, "Fn::Join") == 0 && cJSON_GetArraySize(arg) == 2) {
        size_t total = 0, parts = 0;
        const cJSON *part;
        cJSON_ArrayForEach(part, arg->child->next) {
            total += user_data_bytes(part);
            parts++;
        }
        size_t sep = cJSON_IsString(arg->child) ? strlen(arg->child->valuestring) : 0;
        return total + (parts ? (parts - 1) * sep : 0);
    }
    return 0;
}

static void check_user_data(const cJSON *tmpl, const Cluster *cluster, DiagCtx *diag)
{
    const cJSON *resources = template_resources(tmpl);
    const cJSON *resource;
    cJSON_ArrayForEach(resource, resources) {
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(resource, "Type");
        if (!cJSON_IsString(type) || strcmp(type->valuestring, "AWS::EC2::Instance") != 0)
            continue;
        const cJSON *props = cJSON_GetObjectItemCaseSensitive(resource, "Properties");
        size_t bytes = user_data_bytes(cJSON_GetObjectItemCaseSensitive(props, "UserData"));
        if (bytes <= MAX_USER_DATA_BYTES)
            continue;
        Diagnostic *d = diag_error(diag, resource_span(tmpl, resource->string, cluster, diag), "OH3003",
                                   "the user data of `%s` is %zu bytes, more than the %d bytes AWS allows before base64",
                                   resource->string, bytes, MAX_USER_DATA_BYTES);
        diag_label(diag, d, "the node generated from here");
    }
}

static void check_counts(const cJSON *tmpl, const Cluster *cluster, DiagCtx *diag)
{
    int params = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(tmpl, "Parameters"));
    int outputs = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(tmpl, "Outputs"));
    if (params > MAX_PARAMETERS) {
        Diagnostic *d = diag_error(diag, cluster_span(cluster), "OH3004",
                                   "the template has %d parameters, more than the %d CloudFormation allows",
                                   params, MAX_PARAMETERS);
        diag_help(diag, d, "use fewer `param(…)` values; literals or `secret(…)` need no parameter");
    }
    if (outputs > MAX_OUTPUTS) {
        Diagnostic *d = diag_error(diag, nodes_count_span(cluster), "OH3004",
                                   "the template has %d outputs, more than the %d CloudFormation allows",
                                   outputs, MAX_OUTPUTS);
        diag_label(diag, d, "each node adds its own outputs");
        note_nodes_origin(diag, d, cluster);
    }
}

static void report_long_name(DiagCtx *diag, const Cluster *cluster, const char *id, const char *type,
                             const char *what, const char *text, size_t limit)
{
    size_t n = utf8_chars(text);
    if (n <= limit)
        return;
    Diagnostic *d = diag_error(diag, cluster_span(cluster), "OH3005",
                               "the %s of `%s` (`%s`) is %zu characters, more than the %zu AWS allows",
                               what, id, type, n, limit);
    diag_label(diag, d, "the name is built from this cluster's settings");
    diag_help(diag, d, "use a shorter cluster name or tag");
}

static void check_names(const cJSON *tmpl, const Cluster *cluster, DiagCtx *diag)
{
    const cJSON *resources = template_resources(tmpl);
    const cJSON *resource;
    cJSON_ArrayForEach(resource, resources) {
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(resource, "Type");
        const char *tname = cJSON_IsString(type) ? type->valuestring : "?";
        if (utf8_chars(resource->string) > LOGICAL_ID_MAX)
            report_long_name(diag, cluster, resource->string, tname, "logical ID", resource->string, LOGICAL_ID_MAX);
        const cJSON *props = cJSON_GetObjectItemCaseSensitive(resource, "Properties");
        const cJSON *prop;
        cJSON_ArrayForEach(prop, props) {
            const NameLimit *l = name_limit_for(tname, prop->string);
            if (l && cJSON_IsString(prop))
                report_long_name(diag, cluster, resource->string, tname,
                                 arena_printf(diag->arena, "`%s`", prop->string), prop->valuestring, l->limit);
        }
        const cJSON *tag;
        cJSON_ArrayForEach(tag, cJSON_GetObjectItemCaseSensitive(props, "Tags")) {
            const cJSON *key = cJSON_GetObjectItemCaseSensitive(tag, "Key");
            const cJSON *val = cJSON_GetObjectItemCaseSensitive(tag, "Value");
            if (cJSON_IsString(key))
                report_long_name(diag, cluster, resource->string, tname, "tag key", key->valuestring,
                                 name_limit_for(tname, "Tags[0].Key")->limit);
            if (cJSON_IsString(val))
                report_long_name(diag, cluster, resource->string, tname, "tag value", val->valuestring,
                                 name_limit_for(tname, "Tags[0].Value")->limit);
        }
    }
}

void verify_limits(const cJSON *tmpl, size_t bytes, TemplateForm form, const Cluster *cluster, DiagCtx *diag)
{
    if ((unsigned)form > TF_JSON_COMPACT)
        BUG("template form %d out of range", (int)form);
    check_resource_count(tmpl, cluster, diag);
    check_template_size(bytes, form, cluster, diag);
    check_user_data(tmpl, cluster, diag);
    check_counts(tmpl, cluster, diag);
    check_names(tmpl, cluster, diag);
}
