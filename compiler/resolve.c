/* resolve.c: loads a root file and everything it imports (relative paths, -I and
 * OCTOHAC_PATH directories, the embedded stdlib), indexes the profiles of every loaded
 * file and the clusters of the root file, and merges each cluster's `uses` chain into
 * one body whose every entry keeps its provenance (OH0501-OH0504, OH0007 for depth).
 * It does not look at attribute names or values: the checker (model.c) does, on the
 * merged bodies, and reports duplicates inside one raw body (OH1003).
 * The rules are documented in docs/imports-and-profiles.md. */
#define _XOPEN_SOURCE 700
#include "octohac.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define RES_MAX_IMPORT_DEPTH 16     /* files in one chain of imports, the root included */
#define RES_MAX_EXTENDS_DEPTH 32    /* profiles in one chain of `extends`, for OH0007 */
#define RES_MERGE_LINEAR_MAX 16     /* bodies up to this size merge without a hash map */
#define RES_NONE SIZE_MAX
#define RES_STDLIB_PREFIX "std/"    /* import names served by the embedded stdlib */
#define RES_EMBED_ROOT "stdlib/"    /* where embed_find keeps them */
#define RES_EXT ".oha"

/* ---------------------------------------------------------------- paths */

static bool str_starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool str_ends(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* "a/./b//../c" -> "a/c"; leading ".." stay. *escapes is set when a relative path
 * climbs above its start. The empty relative path is returned as "". */
static char *path_normalize(Arena *arena, const char *path, bool *escapes)
{
    size_t len = strlen(path);
    const char **parts = arena_alloc(arena, (len / 2 + 2) * sizeof *parts);
    size_t *lens = arena_alloc(arena, (len / 2 + 2) * sizeof *lens);
    size_t n = 0, ups = 0;
    bool absolute = path[0] == '/';
    for (const char *p = path; *p;) {
        while (*p == '/')
            p++;
        const char *start = p;
        while (*p && *p != '/')
            p++;
        size_t seg = (size_t)(p - start);
        if (seg == 0 || (seg == 1 && start[0] == '.'))
            continue;
        if (seg == 2 && start[0] == '.' && start[1] == '.') {
            if (n > ups)
                n--;
            else if (!absolute) {
                parts[n] = start, lens[n] = seg, n++, ups++;
            }
            continue;
        }
        parts[n] = start, lens[n] = seg, n++;
    }
    if (escapes)
        *escapes = ups > 0;
    char *out = arena_alloc(arena, len + 2);
    size_t o = 0;
    if (absolute)
        out[o++] = '/';
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            out[o++] = '/';
        memcpy(out + o, parts[i], lens[i]);
        o += lens[i];
    }
    out[o] = '\0';
    return out;
}

static char *path_join(Arena *arena, const char *dir, const char *rel)
{
    if (!dir || !*dir)
        return path_normalize(arena, rel, NULL);
    return path_normalize(arena, arena_printf(arena, "%s/%s", dir, rel), NULL);
}

/* The directory part of a display name: "" for a bare file name (the cwd). */
static char *path_dirname(Arena *arena, const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return arena_strdup(arena, "");
    if (slash == path)
        return arena_strdup(arena, "/");
    return arena_strndup(arena, path, (size_t)(slash - path));
}

/* realpath() into the arena, or NULL when the path does not exist. */
static char *path_canonical(Arena *arena, const char *path)
{
    char *real = realpath(*path ? path : ".", NULL);
    if (!real)
        return NULL;
    char *copy = arena_strdup(arena, real);
    free(real);
    return copy;
}

static bool path_is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static bool path_under(const char *path, const char *root)
{
    size_t n = strlen(root);
    if (n == 1 && root[0] == '/')
        return path[0] == '/';
    return strncmp(path, root, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* ---------------------------------------------------------------- name maps
 * Open addressing from a name to an index, in the arena, so that indexing profiles and
 * merging big bodies stay linear even on hostile input. */
typedef struct NameMap {
    const char **keys;
    size_t *values;
    size_t cap, count;          /* cap is 0 or a power of two; count stays below cap / 2 */
} NameMap;

static size_t name_hash(const char *s)
{
    size_t h = 14695981039346656037u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

static size_t *map_slot(const NameMap *m, const char *name)
{
    size_t i = name_hash(name) & (m->cap - 1);
    while (m->keys[i] && strcmp(m->keys[i], name) != 0)
        i = (i + 1) & (m->cap - 1);
    return &m->values[i];
}

/* The index stored under NAME, or RES_NONE. */
static size_t map_get(const NameMap *m, const char *name)
{
    if (m->cap == 0)
        return RES_NONE;
    size_t *slot = map_slot(m, name);
    return m->keys[slot - m->values] ? *slot : RES_NONE;
}

static void map_insert(NameMap *m, const char *name, size_t value)
{
    size_t *slot = map_slot(m, name);
    m->keys[slot - m->values] = name;
    *slot = value;
    m->count++;
}

/* Stores VALUE under NAME unless NAME is present; returns the index stored under NAME. */
static size_t map_put(Arena *arena, NameMap *m, const char *name, size_t value)
{
    size_t found = map_get(m, name);
    if (found != RES_NONE)
        return found;
    if (2 * (m->count + 1) > m->cap) {
        NameMap grown = {0};
        grown.cap = m->cap ? 2 * m->cap : 16;
        grown.keys = arena_alloc(arena, grown.cap * sizeof *grown.keys);
        grown.values = arena_alloc(arena, grown.cap * sizeof *grown.values);
        for (size_t i = 0; i < m->cap; i++)
            if (m->keys[i])
                map_insert(&grown, m->keys[i], m->values[i]);
        *m = grown;
    }
    map_insert(m, name, value);
    return value;
}

/* ---------------------------------------------------------------- the resolver */

typedef struct Loaded {         /* one file read during resolution */
    const char *key;            /* canonical path, or the stdlib name; NULL for stdin/memory roots */
    const char *name;           /* as shown in diagnostics */
    const char *dir;            /* directory of `name`, for relative imports ("" = the cwd) */
    const char *canon_dir;      /* realpath of `dir`; NULL for embedded files */
    bool embedded;
    bool done;                  /* false while its own imports load: seeing it again is a cycle */
    const Item *imported_by;    /* the import item that loaded it (NULL for the root) */
    const char *importer;       /* name of the file holding that import */
    File *file;
} Loaded;

typedef struct Resolver {
    Arena *arena;
    DiagCtx *diag;
    const SearchPath *search;
    const char **roots;         /* canonical directories a relative import may not leave */
    size_t root_count;
    PtrVec loaded;              /* Loaded*, every file */
    PtrVec stack;               /* Loaded*, the chain being loaded, root first */
    PtrVec files;               /* File*, in load order */
    PtrVec profiles;            /* const Item*, in inclusion order */
    PtrVec clusters;            /* const Item*, the root file's */
    NameMap profile_index;      /* profile name -> index in `profiles` (the first of a name) */
    NameMap cluster_index;
    const char **profile_names; /* for did-you-mean, built on first use */
    PtrVec stdlib_files;        /* File*, every stdlib module, for "add `import …`" help */
    bool stdlib_parsed;
    bool import_failed;         /* an import was not loaded: unknown profiles may live there */
    bool extends_too_deep;      /* OH0007 for `extends` already reported */
    unsigned *applied;          /* per profile: the generation (cluster) that last applied it */
    unsigned generation;
} Resolver;

/* A place an import might be: a file-system path or an embedded stdlib module. */
typedef struct Candidate {
    const char *name;           /* display name, also the path to open for files */
    bool in_stdlib;             /* look in the embedded stdlib, not the file system */
} Candidate;

static Loaded *res_find_loaded(Resolver *r, const char *key)
{
    for (size_t i = 0; key && i < r->loaded.count; i++) {
        Loaded *l = r->loaded.items[i];
        if (l->key && strcmp(l->key, key) == 0)
            return l;
    }
    return NULL;
}

static void res_add_root(Resolver *r, const char *dir)
{
    char *canon = path_canonical(r->arena, dir);
    if (!canon)
        return;
    const char **roots = arena_alloc(r->arena, (r->root_count + 1) * sizeof *roots);
    if (r->root_count)
        memcpy(roots, r->roots, r->root_count * sizeof *roots);
    roots[r->root_count++] = canon;
    r->roots = roots;
}

static bool res_inside_roots(const Resolver *r, const char *canon)
{
    for (size_t i = 0; i < r->root_count; i++)
        if (path_under(canon, r->roots[i]))
            return true;
    return false;
}

/* The stdlib module names ("std/profiles"), in embedding order; *count is set. */
static const char **res_stdlib_modules(Arena *arena, size_t *count)
{
    const char **names = arena_alloc(arena, (embedded_file_count + 1) * sizeof *names);
    size_t n = 0;
    for (size_t i = 0; i < embedded_file_count; i++) {
        const char *p = embedded_files[i].path;
        if (str_starts(p, RES_EMBED_ROOT RES_STDLIB_PREFIX) && str_ends(p, RES_EXT))
            names[n++] = arena_strndup(arena, p + strlen(RES_EMBED_ROOT),
                                       strlen(p) - strlen(RES_EMBED_ROOT) - strlen(RES_EXT));
    }
    *count = n;
    return names;
}

/* "did you mean `std/profiles`?", or the list of every stdlib module. */
static void res_help_stdlib(Resolver *r, Diagnostic *d, const char *wanted)
{
    size_t n;
    const char **names = res_stdlib_modules(r->arena, &n);
    const char *guess = did_you_mean(wanted, names, n);
    if (guess) {
        diag_help(r->diag, d, "did you mean `%s`?", guess);
        return;
    }
    const char *list = "";
    for (size_t i = 0; i < n; i++)
        list = arena_printf(r->arena, "%s%s`%s`", list, i ? ", " : "", names[i]);
    diag_help(r->diag, d, "the built-in standard library has %s", n ? list : "no modules");
}

static const char *strip_ext(Arena *arena, const char *name)
{
    return str_ends(name, RES_EXT) ? arena_strndup(arena, name, strlen(name) - strlen(RES_EXT)) : name;
}

/* Adds DIR/NAME for each name of NAMES (the import as written, then with .oha); the
 * stdlib holds only .oha modules, so in it just the last. */
static void res_add_place(Resolver *r, Candidate *out, size_t *n, const char *dir,
                          const char *const *names, size_t name_count, bool in_stdlib)
{
    for (size_t i = in_stdlib ? name_count - 1 : 0; i < name_count; i++)
        out[(*n)++] = (Candidate){path_join(r->arena, dir, names[i]), in_stdlib};
}

/* The places to look for an import, in order; in each place the path as written first,
 * then with .oha added (NAMES, one or two):
 *   ./x, ../x      the importing file's directory only (inside the stdlib for a stdlib file)
 *   std/x          each search directory, then the embedded stdlib (x.oha only)
 *   other/x        the importing file's directory, then each search directory */
static Candidate *res_candidates(Resolver *r, const Loaded *from, const char *const *names,
                                 size_t name_count, bool relative, size_t *count)
{
    Candidate *out = arena_alloc(r->arena, (r->search->count + 2) * name_count * sizeof *out);
    size_t n = 0;
    const char *import_name = names[name_count - 1];
    bool is_std = str_starts(import_name, RES_STDLIB_PREFIX);
    if (relative || (!is_std && !from->embedded))
        res_add_place(r, out, &n, from->dir, names, name_count, from->embedded);
    if (!relative) {
        for (size_t i = 0; i < r->search->count; i++)
            res_add_place(r, out, &n, r->search->dirs[i], names, name_count, false);
        if (is_std)
            out[n++] = (Candidate){path_normalize(r->arena, import_name, NULL), true};
    }
    *count = n;
    return out;
}

static void res_error_missing(Resolver *r, const Item *imp, const Candidate *c, size_t n)
{
    Diagnostic *d = diag_error(r->diag, imp->name.span, "OH0501", "cannot find import `%s`",
                               imp->name.text);
    diag_label(r->diag, d, "no such file");
    const char *stdlib_name = NULL;
    for (size_t i = 0; i < n; i++) {
        if (c[i].in_stdlib) {
            stdlib_name = strip_ext(r->arena, c[i].name);
            diag_note(r->diag, d, (Span){0}, "looked in the built-in standard library for `%s`",
                      stdlib_name);
        } else {
            diag_note(r->diag, d, (Span){0}, "looked for `%s`", c[i].name);
        }
    }
    if (stdlib_name)
        res_help_stdlib(r, d, stdlib_name);
    else
        diag_help(r->diag, d, "check the spelling, or add the directory that holds it with `-I DIR` "
                              "or `OCTOHAC_PATH`");
}

static void res_load_file(Resolver *r, Loaded *l, const Source *src, bool lexable);

/* An empty File for a source that could not be lexed, so every Loaded has one. */
static File *res_empty_file(Resolver *r, const Source *src)
{
    TokenList *tokens = arena_alloc(r->arena, sizeof *tokens);
    tokens->items = arena_alloc(r->arena, sizeof *tokens->items);
    tokens->items[0] = (Token){TK_EOF, {src, src->len, src->len}};
    tokens->count = 1;
    File *file = arena_alloc(r->arena, sizeof *file);
    file->src = src;
    file->tokens = tokens;
    return file;
}

/* IMP (in the file on top of the stack) imports TARGET, which is still loading. The
 * error points at the import in TARGET that starts the cycle, so that it lands in the
 * file nearest the root; each further link of the chain is a note. */
static void res_error_cycle(Resolver *r, const Item *imp, const Loaded *target)
{
    size_t t = 0;
    while (r->stack.items[t] != target)
        t++;
    if (t + 1 == r->stack.count) {
        Diagnostic *d = diag_error(r->diag, imp->name.span, "OH0502", "import cycle: `%s` imports itself",
                                   target->name);
        diag_label(r->diag, d, "a file cannot import itself");
        diag_help(r->diag, d, "remove this import");
        return;
    }
    const Loaded *first = r->stack.items[t + 1];
    Diagnostic *d = diag_error(r->diag, first->imported_by->name.span, "OH0502",
                               "import cycle: `%s` ends up importing itself", target->name);
    diag_label(r->diag, d, "this import leads back to `%s`", target->name);
    for (size_t i = t + 2; i < r->stack.count; i++) {
        const Loaded *l = r->stack.items[i];
        diag_note(r->diag, d, l->imported_by->name.span, "`%s` imports `%s`", l->importer, l->name);
    }
    const Loaded *top = r->stack.items[r->stack.count - 1];
    diag_note(r->diag, d, imp->name.span, "`%s` imports `%s`, which closes the cycle", top->name,
              target->name);
    diag_help(r->diag, d, "move what these files share into a file that imports none of them");
}

static void res_error_depth(Resolver *r, const Item *imp)
{
    Diagnostic *d = diag_error(r->diag, imp->name.span, "OH0007",
                               "imports nested deeper than %d files", RES_MAX_IMPORT_DEPTH);
    diag_label(r->diag, d, "this import would be file %d of one chain", RES_MAX_IMPORT_DEPTH + 1);
    for (size_t i = 1; i < r->stack.count; i++) {
        const Loaded *l = r->stack.items[i];
        diag_note(r->diag, d, l->imported_by->name.span, "`%s` imports `%s`", l->importer, l->name);
    }
    diag_help(r->diag, d, "import the files side by side from one file instead of each from the last");
}

static void res_error_escape(Resolver *r, const Item *imp, const char *where, const char *label)
{
    Diagnostic *d = diag_error(r->diag, imp->name.span, "OH0501", "import path `%s` leaves %s",
                               imp->name.text, where);
    diag_label(r->diag, d, "%s", label);
    diag_help(r->diag, d, "imports may only read files under the root file's directory and the "
                          "`-I`/`OCTOHAC_PATH` directories: add the file's directory with `-I DIR` "
                          "and import the file by name");
}

/* The checks on the import text itself: empty, absolute, `..` out of the roots.
 * Returns false when it reported an error. */
static bool res_check_import_path(Resolver *r, const Loaded *from, const Item *imp,
                                  const char *import_name, bool relative)
{
    const char *text = imp->name.text;
    if (!*text) {
        Diagnostic *d = diag_error(r->diag, imp->name.span, "OH0501", "empty import path");
        diag_help(r->diag, d, "name a file, e.g. `import \"./profiles.oha\"`, or a module such as "
                              "`import \"std/profiles\"`");
        return false;
    }
    if (text[0] == '/') {
        Diagnostic *d = diag_error(r->diag, imp->name.span, "OH0501", "import path `%s` is absolute", text);
        diag_label(r->diag, d, "absolute paths are not allowed");
        diag_help(r->diag, d, "write the path relative to this file (`./x.oha`, `../x.oha`), or add the "
                              "directory with `-I DIR` and import the file by name");
        return false;
    }
    bool escapes = false;
    path_normalize(r->arena, import_name, &escapes);
    if (!relative && escapes) {
        res_error_escape(r, imp, "the directory it is searched in",
                         "`..` climbs above the directory the name is looked up in");
        return false;
    }
    if (relative && from->embedded &&
        !str_starts(path_join(r->arena, from->dir, import_name), RES_STDLIB_PREFIX)) {
        res_error_escape(r, imp, "the built-in standard library",
                         "`..` climbs out of the standard library");
        return false;
    }
    if (relative && !from->embedded &&
        !res_inside_roots(r, path_join(r->arena, from->canon_dir, import_name))) {
        res_error_escape(r, imp, "the directories imports may read",
                         "`..` climbs above the root file's directory and every `-I` directory");
        return false;
    }
    return true;
}

/* Reads candidate C into a new Loaded and loads it with its imports. */
static void res_load_candidate(Resolver *r, Loaded *from, const Item *imp, const Candidate *c,
                               const EmbeddedFile *embedded, const char *key)
{
    Loaded *l = arena_alloc(r->arena, sizeof *l);
    l->key = key;
    l->imported_by = imp;
    l->importer = from->name;
    size_t errors_before = r->diag->errors;
    const Source *src;
    if (embedded) {
        l->embedded = true;
        l->name = key;
        l->dir = path_dirname(r->arena, key);
        src = src_from_memory(r->arena, key, NULL, embedded->data, embedded->size, r->diag);
        if (!src)
            BUG("the embedded module `%s` could not be loaded", key);
    } else {
        const char *err = NULL;
        l->name = c->name;
        l->dir = path_dirname(r->arena, c->name);
        l->canon_dir = path_dirname(r->arena, key);
        src = src_load(r->arena, c->name, r->diag, &err);
        if (!src) {
            Diagnostic *d = diag_error(r->diag, imp->name.span, "OH0501", "cannot read import `%s`",
                                       imp->name.text);
            diag_note(r->diag, d, (Span){0}, "reading `%s`: %s", c->name, err ? err : "unknown error");
            r->import_failed = true;
            return;
        }
    }
    res_load_file(r, l, src, r->diag->errors == errors_before);
}

/* Resolves and loads one import of FROM (recursively); problems are diagnostics. */
static void res_import(Resolver *r, Loaded *from, const Item *imp)
{
    const char *text = imp->name.text;
    bool relative = str_starts(text, "./") || str_starts(text, "../") || !strcmp(text, ".") ||
                    !strcmp(text, "..");
    const char *import_name = str_ends(text, RES_EXT) ? text : arena_printf(r->arena, "%s" RES_EXT, text);
    if (!res_check_import_path(r, from, imp, import_name, relative)) {
        r->import_failed = true;
        return;
    }

    const char *names[2] = { text, import_name };
    bool as_written = import_name != text;
    size_t n;
    Candidate *cands = res_candidates(r, from, names + !as_written, as_written ? 2 : 1, relative, &n);
    for (size_t i = 0; i < n; i++) {
        const Candidate *c = &cands[i];
        const EmbeddedFile *embedded = NULL;
        const char *key;
        if (c->in_stdlib) {
            embedded = embed_find(arena_printf(r->arena, RES_EMBED_ROOT "%s", c->name));
            if (!embedded)
                continue;
            key = strip_ext(r->arena, c->name);
        } else {
            if (!path_is_file(c->name) || !(key = path_canonical(r->arena, c->name)))
                continue;
        }
        Loaded *seen = res_find_loaded(r, key);
        if (seen && !seen->done)
            res_error_cycle(r, imp, seen);
        else if (seen)
            ;                           /* loaded once: importing twice is harmless */
        else if (r->stack.count >= RES_MAX_IMPORT_DEPTH) {
            res_error_depth(r, imp);
            r->import_failed = true;
        }
        else
            res_load_candidate(r, from, imp, c, embedded, key);
        return;
    }
    res_error_missing(r, imp, cands, n);
    r->import_failed = true;
}

/* Registers a profile or cluster in LIST, or reports OH0504 when one of that name exists. */
static void res_index_named(Resolver *r, PtrVec *list, NameMap *index, const Item *item, const char *kind,
                            const char *help)
{
    size_t at = map_put(r->arena, index, item->name.text, list->count);
    if (at == list->count) {
        vec_push(r->arena, list, (void *)item);
        return;
    }
    const Item *first = list->items[at];
    Diagnostic *d = diag_error(r->diag, item->name.span, "OH0504", "%s `%s` is defined twice", kind,
                               item->name.text);
    diag_label(r->diag, d, "second definition");
    diag_note(r->diag, d, first->name.span, "`%s` is first defined here", item->name.text);
    diag_help(r->diag, d, "%s", help);
}

/* Lexes and parses SRC (unless reading it reported OH0007/OH0008), then walks its
 * items in order: imports load depth-first, so profiles are indexed in inclusion
 * order. Clusters count only in the root file. */
static void res_load_file(Resolver *r, Loaded *l, const Source *src, bool lexable)
{
    vec_push(r->arena, &r->loaded, l);
    vec_push(r->arena, &r->stack, l);
    if (lexable) {
        TokenList *tokens = arena_alloc(r->arena, sizeof *tokens);
        *tokens = lex_source(r->arena, src, r->diag);
        l->file = parse_file(r->arena, src, tokens, r->diag);
    } else {
        l->file = res_empty_file(r, src);
    }
    vec_push(r->arena, &r->files, l->file);
    bool is_root = r->stack.count == 1;
    for (size_t i = 0; i < l->file->count; i++) {
        const Item *item = l->file->items[i];
        if (!item->name.text)
            continue;                   /* a parse error the parser already reported */
        switch (item->kind) {
        case IK_IMPORT: res_import(r, l, item); break;
        case IK_PROFILE:
            res_index_named(r, &r->profiles, &r->profile_index, item, "profile",
                            "rename one of them; to change a profile, write a new one that `extends` it");
            break;
        case IK_CLUSTER:
            if (is_root)
                res_index_named(r, &r->clusters, &r->cluster_index, item, "cluster",
                                "give each cluster its own name: it prefixes every resource and tag");
            break;
        }
    }
    l->done = true;
    r->stack.count--;
}

/* ---------------------------------------------------------------- profiles */

/* Every stdlib module, parsed once per program on first use (diagnostics about the
 * trusted embedded text go to a scratch context). */
static const PtrVec *res_stdlib_files(Resolver *r)
{
    if (r->stdlib_parsed)
        return &r->stdlib_files;
    r->stdlib_parsed = true;
    size_t n;
    const char **modules = res_stdlib_modules(r->arena, &n);
    DiagCtx scratch;
    diag_init(&scratch, r->arena);
    for (size_t i = 0; i < n; i++) {
        const EmbeddedFile *e = embed_find(arena_printf(r->arena, RES_EMBED_ROOT "%s" RES_EXT, modules[i]));
        const Source *src = e ? src_from_memory(r->arena, modules[i], NULL, e->data, e->size, &scratch) : NULL;
        if (!src)
            continue;
        TokenList *tokens = arena_alloc(r->arena, sizeof *tokens);
        *tokens = lex_source(r->arena, src, &scratch);
        vec_push(r->arena, &r->stdlib_files, parse_file(r->arena, src, tokens, &scratch));
    }
    return &r->stdlib_files;
}

/* The stdlib module that defines profile NAME, for "add `import …`" help; NULL if none. */
static const char *res_stdlib_profile_module(Resolver *r, const char *name)
{
    const PtrVec *files = res_stdlib_files(r);
    for (size_t i = 0; i < files->count; i++) {
        const File *file = files->items[i];
        for (size_t j = 0; j < file->count; j++) {
            const Item *it = file->items[j];
            if (it->kind == IK_PROFILE && it->name.text && strcmp(it->name.text, name) == 0)
                return file->src->name;
        }
    }
    return NULL;
}

/* OH0503, unless an import failed: the profile may well be in the file that could not
 * be loaded, and the OH0501/OH0502 already says what to fix. */
static void res_error_unknown_profile(Resolver *r, const Name *name)
{
    if (r->import_failed)
        return;
    Diagnostic *d = diag_error(r->diag, name->span, "OH0503", "unknown profile `%s`", name->text);
    if (!r->profile_names) {
        r->profile_names = arena_alloc(r->arena, (r->profiles.count + 1) * sizeof *r->profile_names);
        for (size_t i = 0; i < r->profiles.count; i++)
            r->profile_names[i] = ((const Item *)r->profiles.items[i])->name.text;
    }
    const char *guess = did_you_mean(name->text, r->profile_names, r->profiles.count);
    const char *module = guess ? NULL : res_stdlib_profile_module(r, name->text);
    if (guess) {
        diag_label(r->diag, d, "no profile of this name is defined or imported");
        diag_help(r->diag, d, "did you mean `%s`?", guess);
    } else if (module) {
        diag_label(r->diag, d, "`%s` is defined in `%s`, which this file does not import", name->text, module);
        diag_help(r->diag, d, "add `import \"%s\"` at the top of the file", module);
    } else {
        diag_label(r->diag, d, "no profile of this name is defined or imported");
        if (r->profiles.count == 0)
            diag_help(r->diag, d, "define it with `profile %s { … }`, or import a file that does, "
                                  "e.g. `import \"std/profiles\"`", name->text);
        else
            diag_help(r->diag, d, "define it with `profile %s { … }`, or import the file that defines it",
                      name->text);
    }
}

/* One profile on the explicit stack of the `extends` walk: NEXT is its next base. */
typedef struct Frame {
    size_t profile, next;
} Frame;

static void res_error_profile_cycle(Resolver *r, const Frame *stack, size_t top, size_t target,
                                    const Name *closing)
{
    const Item *p = r->profiles.items[stack[top].profile];
    bool self = target == stack[top].profile;
    Diagnostic *d = diag_error(r->diag, closing->span, "OH0502",
                               self ? "profile `%s` extends itself" : "profile cycle: `%s` ends up extending itself",
                               closing->text);
    if (self) {
        diag_label(r->diag, d, "a profile cannot extend itself");
        diag_help(r->diag, d, "remove this `extends`");
        return;
    }
    diag_label(r->diag, d, "`%s` extends `%s`, which closes the cycle", p->name.text, closing->text);
    size_t from = top;
    while (stack[from].profile != target)
        from--;
    for (size_t k = from; k < top; k++) {
        const Item *a = r->profiles.items[stack[k].profile];
        const Name *edge = &a->bases[stack[k].next - 1];
        diag_note(r->diag, d, edge->span, "`%s` extends `%s`", a->name.text, edge->text);
    }
    diag_help(r->diag, d, "remove one of these `extends`");
}

/* HEIGHT[P] (profiles in P's longest `extends` chain, P included) becomes at least
 * CHILD + 1; crossing the limit is OH0007 at EDGE, reported once per program. */
static void res_raise_height(Resolver *r, unsigned *height, size_t p, unsigned child, const Name *edge)
{
    if (child + 1 <= height[p])
        return;
    height[p] = child + 1;
    if (height[p] <= RES_MAX_EXTENDS_DEPTH || r->extends_too_deep)
        return;
    r->extends_too_deep = true;
    const Item *item = r->profiles.items[p];
    Diagnostic *d = diag_error(r->diag, edge->span, "OH0007", "profiles extend each other more than %d levels deep",
                               RES_MAX_EXTENDS_DEPTH);
    diag_label(r->diag, d, "`%s` extends a chain of %u profiles", item->name.text, child);
    diag_help(r->diag, d, "flatten the chain: a profile may extend several profiles side by side "
                          "(`extends a, b`)");
}

/* Walks the `extends` edges of every profile depth-first with an explicit stack (no
 * recursion, whatever the input): OH0503 for an unknown base, OH0502 for each cycle
 * (once), OH0007 for a chain longer than RES_MAX_EXTENDS_DEPTH. */
static void res_check_profiles(Resolver *r)
{
    size_t n = r->profiles.count;
    unsigned char *state = arena_alloc(r->arena, n + 1);      /* 0 unseen, 1 on the stack, 2 done */
    unsigned *height = arena_alloc(r->arena, (n + 1) * sizeof *height);
    Frame *stack = arena_alloc(r->arena, (n + 1) * sizeof *stack);
    for (size_t root = 0; root < n; root++) {
        if (state[root])
            continue;
        size_t count = 1;
        stack[0] = (Frame){root, 0};
        state[root] = 1;
        height[root] = 1;
        while (count > 0) {
            Frame *f = &stack[count - 1];
            const Item *p = r->profiles.items[f->profile];
            if (f->next == p->base_count) {
                state[f->profile] = 2;
                if (--count > 0) {
                    const Frame *parent = &stack[count - 1];
                    const Item *pp = r->profiles.items[parent->profile];
                    res_raise_height(r, height, parent->profile, height[f->profile], &pp->bases[parent->next - 1]);
                }
                continue;
            }
            const Name *base = &p->bases[f->next++];
            size_t j = base->text ? map_get(&r->profile_index, base->text) : RES_NONE;
            if (!base->text)
                continue;
            if (j == RES_NONE)
                res_error_unknown_profile(r, base);
            else if (state[j] == 1)
                res_error_profile_cycle(r, stack, count - 1, j, base);
            else if (state[j] == 2)
                res_raise_height(r, height, f->profile, height[j], base);
            else {
                stack[count++] = (Frame){j, 0};
                state[j] = 1;
                height[j] = 1;
            }
        }
    }
}

/* ---------------------------------------------------------------- merging */

/* Appends a zeroed entry; the array doubles whenever COUNT reaches a power of two. */
static MergedEntry *mb_append(Arena *arena, MergedBody *body)
{
    size_t n = body->count;
    if (n == 0 || (n & (n - 1)) == 0) {
        MergedEntry *grown = arena_alloc(arena, (n ? 2 * n : 4) * sizeof *grown);
        if (n)
            memcpy(grown, body->entries, n * sizeof *grown);
        body->entries = grown;
    }
    MergedEntry *e = &body->entries[body->count++];
    memset(e, 0, sizeof *e);
    return e;
}

/* The index of NAME in DST (a linear scan for small bodies, MAP for big ones), or
 * DST->count when absent. */
static size_t mb_index(Arena *arena, const MergedBody *dst, NameMap *map, bool hashed, const char *name)
{
    if (hashed)
        return map_put(arena, map, name, dst->count);
    for (size_t i = 0; i < dst->count; i++)
        if (strcmp(dst->entries[i].entry->name, name) == 0)
            return i;
    return dst->count;
}

/* Merges SRC into DST: a later attribute replaces an earlier one, blocks merge
 * recursively, lists (being attribute values) replace whole. Every entry written
 * here records VIA. */
static void merge_body(Arena *arena, MergedBody *dst, const Body *src, const Name *via)
{
    if (!src)
        return;
    NameMap map = {0};
    bool hashed = dst->count + src->count > RES_MERGE_LINEAR_MAX;
    for (size_t i = 0; hashed && i < dst->count; i++)
        map_put(arena, &map, dst->entries[i].entry->name, i);
    for (size_t i = 0; i < src->count; i++) {
        const Entry *e = src->entries[i];
        if (!e || !e->name)
            continue;
        size_t at = mb_index(arena, dst, &map, hashed, e->name);
        MergedEntry *m = at == dst->count ? mb_append(arena, dst) : &dst->entries[at];
        bool merge_into_block = e->kind == EK_BLOCK && m->block != NULL;
        m->entry = e;
        m->via = via;
        if (e->kind == EK_ATTRIBUTE) {
            m->block = NULL;
            continue;
        }
        if (!merge_into_block)
            m->block = arena_alloc(arena, sizeof *m->block);
        merge_body(arena, m->block, e->body, via);
    }
}

/* Merges profile INDEX into DST, its bases first (in order), every entry through VIA.
 * A profile is applied once per cluster, where it is first reached: in a diamond
 * (`d extends b, c`, both extending `a`) that is a, b, c, d, and a cycle (reported by
 * res_check_profiles) stops here. The work is linear in the number of profiles. */
static void merge_profile(Resolver *r, MergedBody *dst, size_t index, const Name *via, unsigned depth)
{
    if (r->applied[index] == r->generation || depth >= RES_MAX_EXTENDS_DEPTH)
        return;                         /* applied already, or OH0007 (reported) */
    r->applied[index] = r->generation;
    const Item *p = r->profiles.items[index];
    for (size_t b = 0; b < p->base_count; b++) {
        size_t base = p->bases[b].text ? map_get(&r->profile_index, p->bases[b].text) : RES_NONE;
        if (base != RES_NONE)
            merge_profile(r, dst, base, via, depth + 1);
    }
    merge_body(r->arena, dst, p->body, via);
}

static ClusterDecl *res_merge_cluster(Resolver *r, const Item *item, const File *file)
{
    ClusterDecl *decl = arena_alloc(r->arena, sizeof *decl);
    decl->item = item;
    decl->file = file;
    const char *saved = r->diag->cluster;
    r->diag->cluster = item->name.text;
    r->generation++;
    for (size_t i = 0; i < item->base_count; i++) {
        const Name *use = &item->bases[i];
        if (!use->text)
            continue;
        size_t p = map_get(&r->profile_index, use->text);
        if (p != RES_NONE)
            merge_profile(r, &decl->body, p, use, 0);
        else
            res_error_unknown_profile(r, use);
    }
    merge_body(r->arena, &decl->body, item->body, NULL);
    r->diag->cluster = saved;
    return decl;
}

/* ---------------------------------------------------------------- entry points */

static Program *res_finish(Resolver *r)
{
    res_check_profiles(r);
    Program *prog = arena_alloc(r->arena, sizeof *prog);
    prog->files = (File **)r->files.items;
    prog->file_count = r->files.count;
    prog->profiles = (const Item **)r->profiles.items;
    prog->profile_count = r->profiles.count;
    prog->clusters = arena_alloc(r->arena, (r->clusters.count + 1) * sizeof *prog->clusters);
    r->applied = arena_alloc(r->arena, (r->profiles.count + 1) * sizeof *r->applied);
    for (size_t i = 0; i < r->clusters.count; i++)
        prog->clusters[i] = res_merge_cluster(r, r->clusters.items[i], prog->files[0]);
    prog->cluster_count = r->clusters.count;
    return prog;
}

/* Sets up the search roots: the root file's directory and every search directory. */
static void res_init(Resolver *r, Arena *arena, const SearchPath *search, DiagCtx *diag, const char *root_dir)
{
    static const SearchPath none = {NULL, 0};
    memset(r, 0, sizeof *r);
    r->arena = arena;
    r->diag = diag;
    r->search = search ? search : &none;
    res_add_root(r, root_dir);
    for (size_t i = 0; i < r->search->count; i++)
        res_add_root(r, r->search->dirs[i]);
}

static Program *res_run(Resolver *r, Loaded *root, const Source *src, size_t errors_before)
{
    root->canon_dir = path_canonical(r->arena, root->dir);
    if (!root->canon_dir)
        root->canon_dir = r->root_count ? r->roots[0] : "/";
    res_load_file(r, root, src, r->diag->errors == errors_before);
    return res_finish(r);
}

Program *res_load(Arena *arena, const char *path, const SearchPath *search, DiagCtx *diag, const char **err)
{
    bool is_stdin = strcmp(path, "-") == 0;
    const char *dir = is_stdin ? "" : path_dirname(arena, path);
    Resolver r;
    res_init(&r, arena, search, diag, dir);
    size_t errors_before = diag->errors;
    const char *load_err = NULL;
    const Source *src = src_load(arena, path, diag, &load_err);
    if (!src) {
        if (err)
            *err = load_err ? load_err : "cannot read the file";
        return NULL;
    }
    Loaded *root = arena_alloc(arena, sizeof *root);
    root->key = is_stdin ? NULL : path_canonical(arena, path);
    root->name = src->name;
    root->dir = dir;
    return res_run(&r, root, src, errors_before);
}

Program *res_load_memory(Arena *arena, const char *name, const char *text, size_t len,
                         const SearchPath *search, DiagCtx *diag)
{
    Resolver r;
    res_init(&r, arena, search, diag, "");
    size_t errors_before = diag->errors;
    const Source *src = src_from_memory(arena, name, NULL, text, len, diag);
    if (!src)
        BUG("src_from_memory returned NULL for `%s`", name);
    Loaded *root = arena_alloc(arena, sizeof *root);
    root->name = src->name;
    root->dir = "";
    return res_run(&r, root, src, errors_before);
}

const MergedEntry *res_find(const MergedBody *body, const char *name)
{
    for (size_t i = 0; body && i < body->count; i++)
        if (strcmp(body->entries[i].entry->name, name) == 0)
            return &body->entries[i];
    return NULL;
}
