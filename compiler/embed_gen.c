/* embed_gen.c: a build-time tool, not part of octohac. It writes a C file that
 * holds every given file as a NUL-terminated array plus the embedded_files table.
 * JSON files are embedded minified. The AWS provider schemas (schema/aws/) keep only
 * what verify.c reads (aws_keywords.h), and their top-level properties and definitions
 * are deferred: verify.c parses each on first use. octohac reads these schemas on every
 * build, and whole, with their descriptive parts (handlers, tagging, relationshipRef, …),
 * they cost more than the rest of a build. The files in the source tree stay as AWS
 * publishes them.
 * Usage: embed_gen OUT.c ROOT RELPATH... (RELPATH is stored as the lookup key). */
#include "aws_keywords.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEYWORD_NAME(name, fn) name,
static const char *const schema_keywords[] = { AWS_CHECKED_KEYWORDS(KEYWORD_NAME) AWS_READ_KEYWORDS };
static const char *const root_keywords[] = { AWS_READ_ROOT_KEYWORDS };
#undef KEYWORD_NAME

static bool listed(const char *name, const char *const *list, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(list[i], name) == 0)
            return true;
    return false;
}

static void slim_schema(cJSON *schema, bool root);

static void slim_each(cJSON *container)
{
    for (cJSON *child = container->child; child; child = child->next)
        slim_schema(child, false);
}

static bool kept(const char *key, bool root)
{
    return listed(key, schema_keywords, sizeof schema_keywords / sizeof *schema_keywords) ||
           (root && listed(key, root_keywords, sizeof root_keywords / sizeof *root_keywords));
}

/* Drops every member of SCHEMA that verify.c does not read, recursing into subschemas:
 * the values of properties, patternProperties and definitions, the branches of
 * anyOf/oneOf/allOf, and items and additionalProperties when they are schemas. */
static void slim_schema(cJSON *schema, bool root)
{
    if (!cJSON_IsObject(schema))
        return;
    cJSON *member = schema->child;
    while (member) {
        cJSON *next = member->next;
        const char *key = member->string;
        if (!kept(key, root)) {
            cJSON_Delete(cJSON_DetachItemViaPointer(schema, member));
        } else if (!strcmp(key, "properties") || !strcmp(key, "patternProperties") || !strcmp(key, "definitions") ||
                   !strcmp(key, "anyOf") || !strcmp(key, "oneOf") || !strcmp(key, "allOf") ||
                   (!strcmp(key, "items") && cJSON_IsArray(member))) {
            slim_each(member);
        } else if (!strcmp(key, "items") || !strcmp(key, "additionalProperties")) {
            slim_schema(member, false);
        }
        member = next;
    }
}

/* Text that grows, for the deferred members of a schema. */
typedef struct Blob {
    char *data;
    size_t len, cap;
} Blob;

static void blob_add(Blob *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->data = realloc(b->data, b->cap);
        if (!b->data) {
            fprintf(stderr, "embed_gen: out of memory\n");
            exit(1);
        }
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

/* Moves each member of MAP into BLOB as JSON text and leaves "@offset" in its place
 * (a string: cJSON reads a number through strtod, many times slower).
 * verify.c parses a deferred property or definition only when a template uses it: a
 * template uses about a third of them, and the rest would cost more than a build. */
static void defer_members(cJSON *map, Blob *blob)
{
    cJSON *member = map ? map->child : NULL;
    while (member) {
        cJSON *next = member->next;
        char *text = cJSON_PrintUnformatted(member);
        char offset[32];
        snprintf(offset, sizeof offset, "@%zu", blob->len);
        cJSON_ReplaceItemInObjectCaseSensitive(map, member->string, cJSON_CreateString(offset));
        blob_add(blob, text, strlen(text));
        free(text);
        member = next;
    }
}

/* An AWS schema as embedded: the slim root document, a NUL, then the deferred members
 * that the root's offsets point into. */
static char *aws_schema_bytes(cJSON *doc, size_t *len)
{
    Blob deferred = {0}, out = {0};
    slim_schema(doc, true);
    defer_members(cJSON_GetObjectItemCaseSensitive(doc, "properties"), &deferred);
    defer_members(cJSON_GetObjectItemCaseSensitive(doc, "definitions"), &deferred);
    char *root = cJSON_PrintUnformatted(doc);
    blob_add(&out, root, strlen(root) + 1);
    if (deferred.len)
        blob_add(&out, deferred.data, deferred.len);
    free(root);
    free(deferred.data);
    *len = out.len;
    return out.data;
}

/* Comments are for the people who edit the file, not for octohac. */
static void drop_comments(cJSON *node)
{
    cJSON_DeleteItemFromObjectCaseSensitive(node, "$comment");
    for (cJSON *child = node->child; child; child = child->next)
        drop_comments(child);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The bytes to embed for REL: the file itself, or for JSON its minified (and, for an
 * AWS schema, slimmed) form. NULL when it cannot be read or is not valid JSON. */
static char *embedded_bytes(const char *root, const char *rel, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    FILE *in = fopen(path, "rb");
    if (!in) {
        fprintf(stderr, "embed_gen: cannot read %s\n", path);
        return NULL;
    }
    size_t cap = 1 << 16, n = 0, got;
    char *data = malloc(cap);
    while (data && (got = fread(data + n, 1, cap - n, in)) > 0)
        if ((n += got) == cap)
            data = realloc(data, cap *= 2);
    fclose(in);
    if (!data || !ends_with(rel, ".json")) {
        *len = n;
        return data;
    }
    cJSON *doc = cJSON_ParseWithLength(data, n);
    free(data);
    if (!doc) {
        fprintf(stderr, "embed_gen: %s is not valid JSON\n", path);
        return NULL;
    }
    char *text;
    drop_comments(doc);
    if (strncmp(rel, "schema/aws/", 11) == 0) {
        text = aws_schema_bytes(doc, len);
    } else {
        text = cJSON_PrintUnformatted(doc);
        *len = text ? strlen(text) : 0;
    }
    cJSON_Delete(doc);
    return text;
}

static int emit_file(FILE *out, const char *root, const char *rel, int index)
{
    size_t len;
    char *data = embedded_bytes(root, rel, &len);
    if (!data)
        return -1;
    fprintf(out, "static const char embedded_data_%d[] = {", index);
    for (size_t i = 0; i < len; i++)
        fprintf(out, "%s%d,", (i % 24) ? "" : "\n", (signed char)data[i]);
    fprintf(out, "0};\n");
    free(data);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: embed_gen OUT.c ROOT RELPATH...\n");
        return 2;
    }
    FILE *out = fopen(argv[1], "w");
    if (!out)
        return 2;
    fprintf(out, "/* generated by embed_gen: do not edit */\n#include \"octohac.h\"\n#include <string.h>\n");
    for (int i = 3; i < argc; i++)
        if (emit_file(out, argv[2], argv[i], i - 3) != 0)
            return 1;
    fprintf(out, "const EmbeddedFile embedded_files[] = {\n");
    for (int i = 3; i < argc; i++)
        fprintf(out, "  {\"%s\", embedded_data_%d, sizeof embedded_data_%d - 1},\n", argv[i], i - 3, i - 3);
    fprintf(out, "  {NULL, NULL, 0}\n};\nconst size_t embedded_file_count = %d;\n", argc - 3);
    fprintf(out, "const EmbeddedFile *embed_find(const char *path)\n{\n"
                 "    for (size_t i = 0; i < embedded_file_count; i++)\n"
                 "        if (strcmp(embedded_files[i].path, path) == 0)\n"
                 "            return &embedded_files[i];\n"
                 "    return NULL;\n}\n");
    return fclose(out) == 0 ? 0 : 1;
}
