/* emit_json.c: prints the template tree as JSON with a two-space indent, one member or
 * element per line, keys in the tree's order, and a final newline; or compact (no
 * whitespace between tokens, like cJSON_PrintUnformatted) for `build --compact`, which
 * keeps large templates under CloudFormation's inline limit. Strings are escaped
 * by cJSON itself (each printed on its own through cJSON_PrintPreallocated); numbers
 * go through emit_format_number, shared with the YAML emitter. It never reorders,
 * drops or validates anything: verify.c has already checked the tree. */
#include "octohac.h"

#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct JsonOut {
    StrBuf text;
    char *scratch;              /* where cJSON prints one escaped string */
    size_t scratch_cap;
    bool compact;               /* no line breaks, indents or spaces */
} JsonOut;

/* A line break and DEPTH indents; nothing when compact. */
static void out_newline(JsonOut *out, int depth)
{
    if (out->compact)
        return;
    strbuf_puts(&out->text, "\n");
    StrBuf *t = &out->text;
    strbuf_reserve(t, (size_t)depth * 2);
    memset(t->data + t->len, ' ', (size_t)depth * 2);
    t->len += (size_t)depth * 2;
    t->data[t->len] = '\0';
}

/* "text" with cJSON's escaping: a string node on the stack that references TEXT. */
static void out_string(JsonOut *out, const char *text)
{
    size_t need = strlen(text) * 6 + 8;   /* worst case: every byte as \u00XX, quotes, NUL */
    if (need > out->scratch_cap) {
        free(out->scratch);
        out->scratch = oh_xmalloc(need);
        out->scratch_cap = need;
    }
    cJSON node = { .type = cJSON_String | cJSON_IsReference, .valuestring = (char *)text };
    if (!cJSON_PrintPreallocated(&node, out->scratch, (int)out->scratch_cap, false))
        BUG("cJSON could not print a string of %zu bytes", strlen(text));
    strbuf_puts(&out->text, out->scratch);
}

void emit_format_number(double value, char buf[40])
{
    if (!isfinite(value))
        BUG("a template number is not finite");
    if (value == floor(value) && fabs(value) < 1e21) {   /* every digit, no exponent */
        snprintf(buf, 40, "%.0f", value == 0 ? 0.0 : value);   /* -0 prints as 0 */
        return;
    }
    for (int precision = 15; precision <= 17; precision++) {
        snprintf(buf, 40, "%.*g", precision, value);
        if (strtod(buf, NULL) == value)
            break;
    }
    /* YAML 1.1 readers take an exponent without a '.' (1e+21) for a string: 1.0e+21. */
    char *exp = strchr(buf, 'e');
    const char *point0 = localeconv()->decimal_point;
    if (exp && !strchr(buf, '.') && !(point0 && point0[0] && strstr(buf, point0))) {
        memmove(exp + 2, exp, strlen(exp) + 1);
        exp[0] = '.';
        exp[1] = '0';
    }
    /* printf and strtod agree on the locale's decimal point; JSON and YAML want '.'. */
    const char *point = localeconv()->decimal_point;
    if (point && point[0] && strcmp(point, ".") != 0) {
        char *at = strstr(buf, point);
        if (at) {
            size_t plen = strlen(point);
            *at = '.';
            memmove(at + 1, at + plen, strlen(at + plen) + 1);
        }
    }
}

static void print_value(JsonOut *out, const cJSON *node, int depth);

static void print_container(JsonOut *out, const cJSON *node, int depth, bool object)
{
    const cJSON *child = node->child;
    if (!child) {
        strbuf_puts(&out->text, object ? "{}" : "[]");
        return;
    }
    strbuf_puts(&out->text, object ? "{" : "[");
    for (; child; child = child->next) {
        out_newline(out, depth + 1);
        if (object) {
            if (!child->string)
                BUG("a JSON object member has no key");
            out_string(out, child->string);
            strbuf_puts(&out->text, out->compact ? ":" : ": ");
        }
        print_value(out, child, depth + 1);
        if (child->next)
            strbuf_puts(&out->text, ",");
    }
    out_newline(out, depth);
    strbuf_puts(&out->text, object ? "}" : "]");
}

static void print_value(JsonOut *out, const cJSON *node, int depth)
{
    char num[40];
    switch (node->type & 0xFF) {
    case cJSON_False:
        strbuf_puts(&out->text, "false");
        break;
    case cJSON_True:
        strbuf_puts(&out->text, "true");
        break;
    case cJSON_NULL:
        strbuf_puts(&out->text, "null");
        break;
    case cJSON_Number:
        emit_format_number(node->valuedouble, num);
        strbuf_puts(&out->text, num);
        break;
    case cJSON_String:
        out_string(out, node->valuestring ? node->valuestring : "");
        break;
    case cJSON_Array:
        print_container(out, node, depth, false);
        break;
    case cJSON_Object:
        print_container(out, node, depth, true);
        break;
    default:
        BUG("a template node has the unexpected cJSON type %d", node->type);
    }
}

static char *print_document(const cJSON *tmpl, bool compact, size_t *len)
{
    JsonOut out = { .compact = compact };
    print_value(&out, tmpl, 0);
    strbuf_puts(&out.text, "\n");
    free(out.scratch);
    *len = out.text.len;
    return out.text.data;
}

char *emit_json(const cJSON *tmpl, size_t *len)
{
    return print_document(tmpl, false, len);
}

char *emit_json_compact(const cJSON *tmpl, size_t *len)
{
    return print_document(tmpl, true, len);
}
