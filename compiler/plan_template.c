/* plan_template.c: reads a CloudFormation template for `octohac plan` -- JSON with cJSON, or
 * YAML with libyaml, where the short-form tags (`!Ref X`, `!GetAtt A.B`, `!Sub ...`,
 * `!Select [...]`, ...) become their long forms ({"Ref": "X"}, {"Fn::GetAtt": ["A", "B"]}),
 * so that both read as the same tree. It does not check that the template is valid for
 * CloudFormation: `plan` compares what it finds. */
#include "octohac.h"

#include <yaml.h>
#include <stdlib.h>
#include <string.h>

#define TEMPLATE_MAX_DEPTH 64

typedef struct YamlReader {
    yaml_parser_t parser;
    yaml_event_t event;
    const char **err;
    Arena *arena;
    int depth;
} YamlReader;

static bool next_event(YamlReader *r)
{
    yaml_event_delete(&r->event);
    if (!yaml_parser_parse(&r->parser, &r->event)) {
        *r->err = arena_printf(r->arena, "YAML error at line %zu: %s", r->parser.problem_mark.line + 1,
                               r->parser.problem ? r->parser.problem : "unknown");
        r->event.type = YAML_NO_EVENT;
        return false;
    }
    return true;
}

static bool all_digits(const char *s, size_t start)
{
    if (!s[start])
        return false;
    for (size_t i = start; s[i]; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* A plain scalar resolved as YAML 1.1's core types that CloudFormation honours; quoted ones
 * stay strings. Numbers keep their text too, so that `plan` compares "0100" as written. */
static cJSON *plain_scalar(const char *text, bool plain)
{
    if (!plain)
        return cJSON_CreateString(text);
    if (!strcmp(text, "true") || !strcmp(text, "True") || !strcmp(text, "TRUE"))
        return cJSON_CreateBool(1);
    if (!strcmp(text, "false") || !strcmp(text, "False") || !strcmp(text, "FALSE"))
        return cJSON_CreateBool(0);
    if (!strcmp(text, "null") || !strcmp(text, "~") || !*text)
        return cJSON_CreateNull();
    if (all_digits(text, text[0] == '-') && (text[text[0] == '-'] != '0' || !text[1 + (text[0] == '-')]))
        return cJSON_CreateNumber(strtod(text, NULL));
    return cJSON_CreateString(text);
}

/* `!GetAtt A.B.C` → ["A", "B.C"]; a sequence stays as written. */
static cJSON *getatt_scalar(const char *text)
{
    const char *dot = strchr(text, '.');
    cJSON *list = cJSON_CreateArray();
    if (!dot) {
        cJSON_AddItemToArray(list, cJSON_CreateString(text));
        return list;
    }
    char *head = oh_xmalloc((size_t)(dot - text) + 1);
    memcpy(head, text, (size_t)(dot - text));
    head[dot - text] = '\0';
    cJSON_AddItemToArray(list, cJSON_CreateString(head));
    cJSON_AddItemToArray(list, cJSON_CreateString(dot + 1));
    free(head);
    return list;
}

/* Wraps VALUE in the long form of the short-form TAG ("!Ref" → {"Ref": VALUE}). */
static cJSON *expand_tag(const char *tag, cJSON *value, bool scalar)
{
    if (!tag || tag[0] != '!' || !tag[1] || tag[1] == '!')
        return value;
    const char *name = tag + 1;
    cJSON *wrapped = cJSON_CreateObject();
    if (!strcmp(name, "Ref") || !strcmp(name, "Condition")) {
        cJSON_AddItemToObject(wrapped, name, value);
    } else if (!strcmp(name, "GetAtt") && scalar && cJSON_IsString(value)) {
        cJSON_AddItemToObject(wrapped, "Fn::GetAtt", getatt_scalar(value->valuestring));
        cJSON_Delete(value);
    } else {
        char key[64];
        snprintf(key, sizeof key, "Fn::%s", name);
        cJSON_AddItemToObject(wrapped, key, value);
    }
    return wrapped;
}

static cJSON *read_node(YamlReader *r);

static cJSON *read_sequence(YamlReader *r)
{
    cJSON *list = cJSON_CreateArray();
    for (;;) {
        if (!next_event(r))
            break;
        if (r->event.type == YAML_SEQUENCE_END_EVENT)
            return list;
        cJSON *item = read_node(r);
        if (!item)
            break;
        cJSON_AddItemToArray(list, item);
    }
    cJSON_Delete(list);
    return NULL;
}

static cJSON *read_mapping(YamlReader *r)
{
    cJSON *map = cJSON_CreateObject();
    for (;;) {
        if (!next_event(r))
            break;
        if (r->event.type == YAML_MAPPING_END_EVENT)
            return map;
        if (r->event.type != YAML_SCALAR_EVENT) {
            *r->err = arena_printf(r->arena, "YAML error at line %zu: a mapping key that is not a scalar",
                                   r->event.start_mark.line + 1);
            break;
        }
        char *key = oh_xmalloc(r->event.data.scalar.length + 1);
        memcpy(key, r->event.data.scalar.value, r->event.data.scalar.length);
        key[r->event.data.scalar.length] = '\0';
        cJSON *value = next_event(r) ? read_node(r) : NULL;
        if (value)
            cJSON_AddItemToObject(map, key, value);
        free(key);
        if (!value)
            break;
    }
    cJSON_Delete(map);
    return NULL;
}

/* The node whose first event is r->event. */
static cJSON *read_node(YamlReader *r)
{
    if (++r->depth > TEMPLATE_MAX_DEPTH) {
        *r->err = arena_printf(r->arena, "YAML nested deeper than %d levels", TEMPLATE_MAX_DEPTH);
        return NULL;
    }
    cJSON *node = NULL;
    const char *tag = NULL;
    bool scalar = false;
    switch (r->event.type) {
    case YAML_SCALAR_EVENT:
        tag = (const char *)r->event.data.scalar.tag;
        scalar = true;
        node = plain_scalar((const char *)r->event.data.scalar.value,
                            r->event.data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !tag);
        break;
    case YAML_SEQUENCE_START_EVENT:
        tag = arena_strdup(r->arena, r->event.data.sequence_start.tag ? (const char *)r->event.data.sequence_start.tag : "");
        node = read_sequence(r);
        break;
    case YAML_MAPPING_START_EVENT:
        tag = arena_strdup(r->arena, r->event.data.mapping_start.tag ? (const char *)r->event.data.mapping_start.tag : "");
        node = read_mapping(r);
        break;
    case YAML_ALIAS_EVENT:
        *r->err = arena_printf(r->arena, "YAML error at line %zu: aliases are not supported", r->event.start_mark.line + 1);
        break;
    case YAML_NO_EVENT: case YAML_STREAM_START_EVENT: case YAML_STREAM_END_EVENT:
    case YAML_DOCUMENT_START_EVENT: case YAML_DOCUMENT_END_EVENT:
    case YAML_SEQUENCE_END_EVENT: case YAML_MAPPING_END_EVENT:
        *r->err = arena_printf(r->arena, "YAML error at line %zu: unexpected event", r->event.start_mark.line + 1);
        break;
    }
    if (node && scalar)
        tag = arena_strdup(r->arena, tag ? tag : "");
    r->depth--;
    return node ? expand_tag(tag, node, scalar) : NULL;
}

static cJSON *parse_yaml(Arena *arena, const char *text, size_t len, const char **err)
{
    YamlReader r = { .err = err, .arena = arena };
    yaml_parser_initialize(&r.parser);
    yaml_parser_set_input_string(&r.parser, (const unsigned char *)text, len);
    cJSON *doc = NULL;
    if (next_event(&r) && r.event.type == YAML_STREAM_START_EVENT && next_event(&r) &&
        r.event.type == YAML_DOCUMENT_START_EVENT && next_event(&r))
        doc = read_node(&r);
    yaml_event_delete(&r.event);
    yaml_parser_delete(&r.parser);
    if (!doc && !*err)
        *err = "empty YAML document";
    return doc;
}

static bool looks_like_json(const char *text, size_t len)
{
    size_t i = 0;
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
        i = 3;
    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n'))
        i++;
    return i < len && text[i] == '{';
}

cJSON *plan_read_template(Arena *arena, const char *text, size_t len, const char **err)
{
    *err = NULL;
    cJSON *doc = NULL;
    if (looks_like_json(text, len)) {   /* JSON; a flow-style YAML document falls back below */
        const char *start = len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3) ? text + 3 : text;
        doc = cJSON_ParseWithLength(start, len - (size_t)(start - text));
    }
    if (!doc)
        doc = parse_yaml(arena, text, len, err);
    if (doc && !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(doc, "Resources"))) {
        json_delete(doc);
        doc = NULL;
        *err = "not a CloudFormation template: no `Resources` mapping";
    }
    return doc;
}
