/* emit_tool.c: a test helper, not a test. It reads a JSON document (a file, or standard
 * input for "-") and prints it through emit_yaml or emit_json, so that the test scripts can
 * feed the emitters documents that no .oha file produces (tests/scripts/emit_roundtrip.py).
 * `size` prints emit_yaml's length and emit_yaml_size's count on one line
 * (tests/scripts/yaml_size.py).
 *   emit_tool yaml|json|size FILE */
#include "octohac.h"

#include <stdlib.h>
#include <string.h>

static char *read_all(FILE *in, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    char *buf = oh_xmalloc(cap);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n - 1, in)) > 0) {
        n += got;
        if (n + 1 == cap) {
            cap *= 2;
            char *grown = realloc(buf, cap);
            if (!grown)
                BUG("out of memory reading the input");
            buf = grown;
        }
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

int main(int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[1], "yaml") != 0 && strcmp(argv[1], "json") != 0 && strcmp(argv[1], "size") != 0)) {
        fprintf(stderr, "usage: emit_tool yaml|json|size FILE\n");
        return 2;
    }
    FILE *in = strcmp(argv[2], "-") == 0 ? stdin : fopen(argv[2], "rb");
    if (!in) {
        fprintf(stderr, "emit_tool: cannot read %s\n", argv[2]);
        return 2;
    }
    size_t len;
    char *text = read_all(in, &len);
    if (in != stdin)
        fclose(in);
    cJSON *tree = cJSON_ParseWithLength(text, len);
    free(text);
    if (!tree) {
        fprintf(stderr, "emit_tool: not JSON\n");
        return 2;
    }
    size_t out_len;
    if (strcmp(argv[1], "size") == 0) {
        free(emit_yaml(tree, "fuzz.oha", &out_len));
        printf("%zu %zu\n", out_len, emit_yaml_size(tree, "fuzz.oha"));
        cJSON_Delete(tree);
        return 0;
    }
    char *out = strcmp(argv[1], "yaml") == 0 ? emit_yaml(tree, "fuzz.oha", &out_len) : emit_json(tree, &out_len);
    fwrite(out, 1, out_len, stdout);
    free(out);
    cJSON_Delete(tree);
    return 0;
}
