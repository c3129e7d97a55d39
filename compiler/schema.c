/* schema.c: reads schema/octohac.json (embedded at build time) once per run into the
 * Schema/SchemaBlock/SchemaAttr views of octohac.h and compiles its PCRE2 patterns once.
 * It knows the format of the schema file, not the meaning of any attribute: checking
 * values and filling defaults is model.c's job. A malformed schema or a pattern that does
 * not compile is a bug in octohac (BUG(), exit 3). schema_release frees it all. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "octohac.h"

#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#define SCHEMA_PATH "schema/octohac.json"

typedef struct Pattern {
    const char *name, *regex, *expected;
    pcre2_code *code;               /* compiled on first use, or by schema_compile_all */
} Pattern;

typedef struct SchemaState {
    cJSON *doc;
    Schema schema;
    Pattern *patterns;
    size_t pattern_count;
    pcre2_match_data *match;
    void **allocations;             /* every malloc'd table, freed by schema_release */
    size_t allocation_count, allocation_cap;
} SchemaState;

/* The one schema of the run: immutable once parsed, released at exit. */
static SchemaState *state;

static const char *const type_names[] = {
#define X(kind, name) name,
    SCHEMA_TYPES(X)
#undef X
};

/* ---- allocation, owned by the state ---- */

static void *schema_alloc(size_t count, size_t size)
{
    void *p = oh_xmalloc(count * size + 1);
    memset(p, 0, count * size + 1);
    if (state->allocation_count == state->allocation_cap) {
        size_t cap = state->allocation_cap ? state->allocation_cap * 2 : 32;
        void **items = oh_xmalloc(cap * sizeof *items);
        if (state->allocations)
            memcpy(items, state->allocations, state->allocation_count * sizeof *items);
        free(state->allocations);
        state->allocations = items;
        state->allocation_cap = cap;
    }
    state->allocations[state->allocation_count++] = p;
    return p;
}

/* ---- small readers that BUG() on a malformed schema ---- */

static const char *json_string(const cJSON *obj, const char *key, bool required)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!item) {
        if (required)
            BUG("%s: missing \"%s\"", SCHEMA_PATH, key);
        return NULL;
    }
    if (!cJSON_IsString(item))
        BUG("%s: \"%s\" is not a string", SCHEMA_PATH, key);
    return item->valuestring;
}

static bool json_bool(const cJSON *obj, const char *key, bool fallback)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!item)
        return fallback;
    if (!cJSON_IsBool(item))
        BUG("%s: \"%s\" is not a boolean", SCHEMA_PATH, key);
    return cJSON_IsTrue(item);
}

static bool json_int(const cJSON *obj, const char *key, long long *out)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!item)
        return false;
    if (!cJSON_IsNumber(item))
        BUG("%s: \"%s\" is not a number", SCHEMA_PATH, key);
    *out = (long long)item->valuedouble;
    return true;
}

/* An array of strings as a NULL-terminated table; *count gets its length. */
static const char *const *json_strings(const cJSON *obj, const char *key, size_t *count)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, key);
    *count = 0;
    if (!arr)
        return NULL;
    if (!cJSON_IsArray(arr))
        BUG("%s: \"%s\" is not an array", SCHEMA_PATH, key);
    const char **out = schema_alloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof *out);
    const cJSON *item;
    cJSON_ArrayForEach(item, arr) {
        if (!cJSON_IsString(item))
            BUG("%s: \"%s\" holds a non-string", SCHEMA_PATH, key);
        out[(*count)++] = item->valuestring;
    }
    return out;
}

static SchemaType type_from_name(const char *name)
{
    for (int t = 0; t < TY__COUNT; t++)
        if (strcmp(type_names[t], name) == 0)
            return (SchemaType)t;
    BUG("%s: unknown type \"%s\"", SCHEMA_PATH, name);
}

static const cJSON *type_info(SchemaType type)
{
    const cJSON *types = cJSON_GetObjectItemCaseSensitive(schema_json(), "types");
    const cJSON *info = cJSON_GetObjectItemCaseSensitive(types, type_names[type]);
    if (!info)
        BUG("%s: no entry for type \"%s\" in \"types\"", SCHEMA_PATH, type_names[type]);
    return info;
}

/* ---- patterns ---- */

static Pattern *pattern_find(const char *name)
{
    for (size_t i = 0; i < state->pattern_count; i++)
        if (strcmp(state->patterns[i].name, name) == 0)
            return &state->patterns[i];
    return NULL;
}

static void pattern_compile(Pattern *p)
{
    int err;
    PCRE2_SIZE offset;
    p->code = pcre2_compile((PCRE2_SPTR)p->regex, PCRE2_ZERO_TERMINATED, PCRE2_UTF, &err, &offset, NULL);
    if (!p->code) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(err, msg, sizeof msg);
        BUG("%s: pattern \"%s\" does not compile at offset %zu: %s", SCHEMA_PATH, p->name, (size_t)offset,
            (const char *)msg);
    }
}

static void load_patterns(const cJSON *doc)
{
    const cJSON *pats = cJSON_GetObjectItemCaseSensitive(doc, "patterns");
    if (!cJSON_IsObject(pats))
        BUG("%s: missing \"patterns\"", SCHEMA_PATH);
    state->patterns = schema_alloc((size_t)cJSON_GetArraySize(pats), sizeof *state->patterns);
    const cJSON *item;
    cJSON_ArrayForEach(item, pats) {
        Pattern *p = &state->patterns[state->pattern_count++];
        p->name = item->string;
        p->regex = json_string(item, "regex", true);
        p->expected = json_string(item, "expected", true);
    }
}

static void check_pattern_name(const char *name)
{
    if (name && !pattern_find(name))
        BUG("%s: unknown pattern \"%s\"", SCHEMA_PATH, name);
}

/* ---- attributes and blocks ---- */

static void load_attr(SchemaAttr *attr, const cJSON *json, const SchemaBlock *block, const SchemaAttr *owner);

static SchemaAttr *load_sub_attr(const cJSON *json, const char *key, const SchemaBlock *block, const SchemaAttr *owner)
{
    const cJSON *sub = cJSON_GetObjectItemCaseSensitive(json, key);
    if (!sub)
        return NULL;
    SchemaAttr *attr = schema_alloc(1, sizeof *attr);
    load_attr(attr, sub, block, owner);
    return attr;
}

static void load_limits(SchemaAttr *attr, const cJSON *json)
{
    attr->has_min = json_int(json, "min", &attr->min);
    attr->has_max = json_int(json, "max", &attr->max);
    json_int(json, "max_length", &attr->max_length);
    json_int(json, "min_items", &attr->min_items);
    json_int(json, "max_items", &attr->max_items);
    attr->min_prefix = 0;
    attr->max_prefix = 32;
    const cJSON *prefix = cJSON_GetObjectItemCaseSensitive(json, "prefix");
    if (prefix) {
        if (cJSON_GetArraySize(prefix) != 2)
            BUG("%s: \"prefix\" of \"%s\" is not [min, max]", SCHEMA_PATH, attr->name);
        attr->min_prefix = cJSON_GetArrayItem(prefix, 0)->valueint;
        attr->max_prefix = cJSON_GetArrayItem(prefix, 1)->valueint;
    }
}

/* OWNER is the attribute a list item or alternative belongs to (NULL for attributes). */
static void load_attr(SchemaAttr *attr, const cJSON *json, const SchemaBlock *block, const SchemaAttr *owner)
{
    attr->name = owner ? owner->name : json_string(json, "name", true);
    attr->doc = owner ? owner->doc : json_string(json, "doc", true);
    attr->example = owner ? owner->example : json_string(json, "example", false);
    attr->block = block;
    attr->type = type_from_name(json_string(json, "type", true));
    load_limits(attr, json);
    attr->values = json_strings(json, "values", &attr->value_count);
    attr->literals = json_strings(json, "literals", &attr->literal_count);
    attr->rules = json_strings(json, "rules", &attr->rule_count);
    attr->pattern = json_string(json, "pattern", false);
    check_pattern_name(attr->pattern);
    attr->unknown_values = json_string(json, "unknown_values", false);
    attr->unit_optional = json_string(json, "unit_optional", false);
    attr->at_least = json_string(json, "at_least", false);
    attr->literal = json_bool(json, "literal", true);
    attr->param = json_bool(json, "param", false);
    attr->secret = json_bool(json, "secret", false);
    attr->required = json_bool(json, "required", false);
    attr->default_value = cJSON_GetObjectItemCaseSensitive(json, "default");
    attr->required_when = cJSON_GetObjectItemCaseSensitive(json, "required_when");
    attr->items = load_sub_attr(json, "items", block, attr);
    attr->alternative = load_sub_attr(json, "alternative", block, attr);
    if (attr->type == TY_LIST && !attr->items)
        BUG("%s: list \"%s\" has no \"items\"", SCHEMA_PATH, attr->name);
    if (attr->type == TY_ENUM && attr->value_count == 0)
        BUG("%s: enum \"%s\" has no \"values\"", SCHEMA_PATH, attr->name);
}

static void load_block(SchemaBlock *block, const cJSON *json, size_t *attr_index)
{
    block->name = json_string(json, "name", true);
    block->doc = json_string(json, "doc", true);
    block->top = strcmp(block->name, "cluster") == 0;
    block->exclusive = cJSON_GetObjectItemCaseSensitive(json, "exclusive");
    block->forms = cJSON_GetObjectItemCaseSensitive(json, "forms");
    const cJSON *attrs = cJSON_GetObjectItemCaseSensitive(json, "attributes");
    if (!cJSON_IsArray(attrs))
        BUG("%s: block \"%s\" has no \"attributes\" array", SCHEMA_PATH, block->name);
    block->attr_count = (size_t)cJSON_GetArraySize(attrs);
    block->attrs = schema_alloc(block->attr_count, sizeof *block->attrs);
    const char **names = schema_alloc(block->attr_count + 1, sizeof *names);
    size_t i = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, attrs) {
        load_attr(&block->attrs[i], item, block, NULL);
        block->attrs[i].index = (*attr_index)++;
        names[i] = block->attrs[i].name;
        i++;
    }
    block->attr_names = names;
    const cJSON *free_json = cJSON_GetObjectItemCaseSensitive(json, "free_attributes");
    if (free_json) {
        SchemaAttr *free_attr = schema_alloc(1, sizeof *free_attr);
        free_attr->name = block->name;
        free_attr->doc = block->doc;
        free_attr->example = json_string(free_json, "example", false);
        free_attr->block = block;
        free_attr->type = type_from_name(json_string(free_json, "type", true));
        load_limits(free_attr, free_json);
        free_attr->literal = true;
        free_attr->pattern = json_string(free_json, "pattern", false);
        check_pattern_name(free_attr->pattern);
        block->free_attr = free_attr;
        block->key_pattern = json_string(free_json, "key_pattern", false);
        check_pattern_name(block->key_pattern);
        long long max = 0;
        json_int(free_json, "max_entries", &max);
        block->max_entries = (size_t)max;
    }
}

static void load_blocks(const cJSON *doc)
{
    const cJSON *blocks = cJSON_GetObjectItemCaseSensitive(doc, "blocks");
    if (!cJSON_IsArray(blocks))
        BUG("%s: missing \"blocks\"", SCHEMA_PATH);
    Schema *s = &state->schema;
    s->block_count = (size_t)cJSON_GetArraySize(blocks);
    s->blocks = schema_alloc(s->block_count, sizeof *s->blocks);
    const char **names = schema_alloc(s->block_count + 1, sizeof *names);
    size_t i = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, blocks) {
        SchemaBlock *b = &s->blocks[i++];
        load_block(b, item, &s->attr_count);
        if (!b->top)
            names[s->block_name_count++] = b->name;
    }
    s->block_names = names;
}

static void schema_load(void)
{
    const EmbeddedFile *file = embed_find(SCHEMA_PATH);
    if (!file)
        BUG("%s is not embedded in the binary", SCHEMA_PATH);
    state = oh_xmalloc(sizeof *state);
    memset(state, 0, sizeof *state);
    state->doc = json_parse_lasting(file->data, file->size);
    if (!state->doc)
        BUG("%s is not valid JSON", SCHEMA_PATH);
    load_patterns(state->doc);
    load_blocks(state->doc);
    state->match = pcre2_match_data_create(1, NULL);
    if (!state->match)
        BUG("out of memory for PCRE2 match data");
}

/* ---- the interface ---- */

const Schema *schema_get(void)
{
    if (!state)
        schema_load();
    return &state->schema;
}

const cJSON *schema_json(void)
{
    schema_get();
    return state->doc;
}

void schema_release(void)
{
    if (!state)
        return;
    for (size_t i = 0; i < state->pattern_count; i++)
        pcre2_code_free(state->patterns[i].code);
    pcre2_match_data_free(state->match);
    for (size_t i = 0; i < state->allocation_count; i++)
        free(state->allocations[i]);
    free(state->allocations);
    json_delete(state->doc);
    free(state);
    state = NULL;
}

const SchemaBlock *schema_block(const char *name)
{
    const Schema *s = schema_get();
    for (size_t i = 0; i < s->block_count; i++)
        if (strcmp(s->blocks[i].name, name) == 0)
            return &s->blocks[i];
    return NULL;
}

const SchemaAttr *schema_attr(const SchemaBlock *block, const char *name)
{
    for (size_t i = 0; i < block->attr_count; i++)
        if (strcmp(block->attrs[i].name, name) == 0)
            return &block->attrs[i];
    return NULL;
}

/* The pattern NAME of the schema; an unknown name is a bug in the caller. */
static Pattern *pattern_named(const char *name)
{
    schema_get();
    Pattern *p = pattern_find(name);
    if (!p)
        BUG("unknown schema pattern \"%s\"", name);
    return p;
}

static Pattern *pattern_get(const char *name)
{
    Pattern *p = pattern_named(name);
    if (!p->code)
        pattern_compile(p);
    return p;
}

bool schema_pattern_match(const char *pattern_name, const char *subject)
{
    Pattern *p = pattern_get(pattern_name);
    int rc = pcre2_match(p->code, (PCRE2_SPTR)subject, strlen(subject), 0, 0, state->match, NULL);
    if (rc == PCRE2_ERROR_NOMATCH)
        return false;
    /* a string escape of a surrogate code point can make text that is not UTF-8: no match */
    if (rc <= PCRE2_ERROR_UTF8_ERR1 && rc >= PCRE2_ERROR_UTF8_ERR21)
        return false;
    if (rc < 0)
        BUG("pattern \"%s\" failed to match with PCRE2 error %d", pattern_name, rc);
    return true;
}

const char *schema_pattern_expected(const char *pattern_name)
{
    return pattern_named(pattern_name)->expected;
}

size_t schema_compile_all(void)
{
    schema_get();
    for (size_t i = 0; i < state->pattern_count; i++)
        if (!state->patterns[i].code)
            pattern_compile(&state->patterns[i]);
    return state->pattern_count;
}

const char *schema_type_name(SchemaType type)
{
    if ((int)type < 0 || type >= TY__COUNT)
        BUG("schema type %d out of range", (int)type);
    return type_names[type];
}

const char *schema_type_doc(SchemaType type)
{
    return json_string(type_info(type), "doc", true);
}

const char *schema_type_unit(SchemaType type)
{
    return json_string(type_info(type), "unit", false);
}

const char *schema_type_example(SchemaType type)
{
    return json_string(type_info(type), "example", false);
}

bool schema_type_accepts(SchemaType type, const char *value_kind)
{
    const cJSON *item;
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(type_info(type), "accepts")) {
        if (cJSON_IsString(item) && strcmp(item->valuestring, value_kind) == 0)
            return true;
    }
    return false;
}

bool schema_unit_factor(SchemaType type, const char *unit, long long *factor)
{
    const cJSON *units = cJSON_GetObjectItemCaseSensitive(type_info(type), "units");
    const cJSON *f = units ? cJSON_GetObjectItemCaseSensitive(units, unit) : NULL;
    if (!cJSON_IsNumber(f))
        return false;
    *factor = (long long)f->valuedouble;
    return true;
}
