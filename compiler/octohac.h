/* octohac.h: the one internal header, a section per compiler/ file, in pipeline order.
 * It reads as the table of contents of the compiler: every stage's types and its entry
 * points. Nothing here is public API; the CLI in main.c is the only interface users see. */
#ifndef OCTOHAC_H
#define OCTOHAC_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#define OCTOHAC_VERSION "0.1.0"

#if defined(__GNUC__)
#define OH_PRINTF(fmt_index, first_arg) __attribute__((format(printf, fmt_index, first_arg)))
#else
#define OH_PRINTF(fmt_index, first_arg)
#endif

/* ---------------------------------------------------------------- arena.c
 * One arena per compilation: the sources, tokens, AST, model, template tree and every
 * string live in it and die together. PCRE2 and libyaml objects are not arena-allocated;
 * their owners free them. */
typedef struct Arena Arena;

Arena *arena_new(void);
void arena_free(Arena *arena);
void *arena_alloc(Arena *arena, size_t size);            /* zeroed, aligned; never NULL */
char *arena_strndup(Arena *arena, const char *s, size_t n);
char *arena_strdup(Arena *arena, const char *s);
char *arena_printf(Arena *arena, const char *fmt, ...) OH_PRINTF(2, 3);
char *arena_vprintf(Arena *arena, const char *fmt, va_list ap) OH_PRINTF(2, 0);

/* A growable array of pointers, arena-backed (old storage is simply abandoned). */
typedef struct PtrVec {
    void **items;
    size_t count, cap;
} PtrVec;
void vec_push(Arena *arena, PtrVec *vec, void *item);

/* A growable NUL-terminated string, arena-backed (old storage is abandoned as it grows),
 * for the stages that print text: fmt and graph. */
typedef struct TextBuf {
    Arena *arena;
    char *text;                 /* NULL until the first append */
    size_t len, cap;
} TextBuf;
void text_append(TextBuf *buf, const char *s, size_t n);
void text_puts(TextBuf *buf, const char *s);

/* A growable NUL-terminated string on the heap, for text handed over to a caller (the YAML
 * and JSON output, the machine-readable reports, the bootstrap script): the taker frees
 * `data`. Zero-initialise it; `data` stays NULL until the first append. */
typedef struct StrBuf {
    char *data;
    size_t len, cap;
} StrBuf;
void strbuf_grow(StrBuf *buf, size_t extra);      /* strbuf_reserve's slow path */
void strbuf_puts(StrBuf *buf, const char *s);

/* Inline: the bootstrap's passes add a character at a time. */
static inline void strbuf_reserve(StrBuf *buf, size_t extra)   /* room for EXTRA more and the NUL */
{
    if (buf->len + extra + 1 > buf->cap)
        strbuf_grow(buf, extra);
}

static inline void strbuf_add(StrBuf *buf, const char *s, size_t n)
{
    strbuf_reserve(buf, n);
    memcpy(buf->data + buf->len, s, n);
    buf->len += n;
    buf->data[buf->len] = '\0';
}

void strbuf_printf(StrBuf *buf, const char *fmt, ...) OH_PRINTF(2, 3);

/* cJSON's memory. After json_memory_install, every cJSON block comes from an arena and
 * dies with it: from the one last given to json_memory_use, so that a template tree dies
 * with its compilation instead of node by node, or else from a lasting arena that
 * json_memory_release frees (the embedded schemas and tables, json_parse_lasting, and
 * the few small trees built outside a compilation). cJSON_Delete frees nothing then; it
 * stays correct to call, and json_delete skips its walk over a large tree. Without
 * json_memory_install (unit tests, fuzz targets), cJSON uses the heap. Free cJSON's
 * printed strings with cJSON_free, never free. */
void json_memory_install(void);
Arena *json_memory_use(Arena *arena);     /* returns the previous one */
cJSON *json_parse_lasting(const char *text, size_t len);   /* NULL when not JSON */
void json_delete(cJSON *tree);            /* cJSON_Delete, or nothing when arenas own it */
void json_memory_release(void);

/* Internal errors are not user errors: print file:line and exit 3. */
#define BUG(...) oh_bug(__FILE__, __LINE__, __VA_ARGS__)
_Noreturn void oh_bug(const char *file, int line, const char *fmt, ...) OH_PRINTF(3, 4);
void *oh_xmalloc(size_t size);   /* malloc that BUG()s on exhaustion, for non-arena buffers */

/* ---------------------------------------------------------------- embed (generated at build time)
 * Every file of stdlib/ and schema/ is compiled into the binary. `path` is
 * relative to the source tree, e.g. "stdlib/std/profiles.oha", "schema/octohac.json",
 * "schema/aws/aws-ec2-vpc.json", "stdlib/bootstrap/node.ps1". `data` is NUL-terminated. */
typedef struct EmbeddedFile {
    const char *path;
    const char *data;
    size_t size;
} EmbeddedFile;
extern const EmbeddedFile embedded_files[];
extern const size_t embedded_file_count;
const EmbeddedFile *embed_find(const char *path);        /* NULL when absent */

/* ---------------------------------------------------------------- source.c
 * A source file: its bytes (BOM skipped), its display name and the table of
 * line starts, built once. Offsets are byte offsets into `text`. */
#define SRC_MAX_BYTES (8u * 1024u * 1024u)

typedef struct Source {
    const char *name;       /* as shown in diagnostics: the path given, "<stdin>", or "std/profiles" */
    const char *path;       /* resolved file-system path, NULL for stdin and embedded files */
    const char *text;       /* NUL-terminated; a leading BOM is not part of it */
    uint32_t len;
    uint32_t *line_starts;  /* byte offset of each line's first byte */
    uint32_t line_count;
} Source;

/* A half-open byte range [start, end) in one source. src == NULL means "no location". */
typedef struct Span {
    const Source *src;
    uint32_t start, end;
} Span;

typedef struct DiagCtx DiagCtx;

/* Reads PATH ("-" is standard input). On an unreadable file it returns NULL and
 * sets *err to a message (exit 2). Oversized input is OH0007, NUL or invalid
 * UTF-8 OH0008: those are reported to diag and the Source is still returned with
 * `len` cut to what was checked, so the caller stops before lexing when errors exist. */
Source *src_load(Arena *arena, const char *path, DiagCtx *diag, const char **err);
Source *src_from_memory(Arena *arena, const char *name, const char *path, const char *text,
                        size_t len, DiagCtx *diag);
/* 1-based line; 1-based column counted in characters (UTF-8 code points), not bytes. */
void src_line_col(const Source *src, uint32_t offset, uint32_t *line, uint32_t *col);
/* The bytes of line LINE (1-based) without its line end. */
const char *src_line_text(const Source *src, uint32_t line, uint32_t *len);
Span span_join(Span a, Span b);
bool span_valid(Span span);

/* ---------------------------------------------------------------- diag.c
 * The one diagnostics API. Diagnostics are collected in order, never printed
 * as they arise; a renderer prints them all at the end. Messages are lower case,
 * no final full stop, the subject in backquotes. Nothing else writes to stderr. */
typedef enum Severity { SEV_ERROR, SEV_WARNING, SEV_NOTE } Severity;

typedef struct DiagLabel {      /* a secondary span with its label, or a note (span may be empty) */
    Span span;
    const char *text;
} DiagLabel;

typedef struct Diagnostic {
    Severity severity;
    const char *code;           /* "OH2003" */
    const char *message;
    Span span;
    const char *label;          /* text under the primary caret, may be NULL */
    const char *cluster;        /* the cluster being checked, NULL for file-level problems */
    DiagLabel *secondary;       /* labelled spans drawn with `-` */
    size_t secondary_count;
    DiagLabel *notes;           /* `= note:` lines; a note with a span also shows its location */
    size_t note_count;
    const char *help;           /* `= help:` line, may be NULL */
} Diagnostic;

struct DiagCtx {
    Arena *arena;
    Diagnostic **items;
    size_t count, cap;
    size_t errors, warnings;
    const char *cluster;        /* stamped on each new diagnostic (for junit and per-cluster views) */
    const char *const *allowed; /* warning codes silenced for the current cluster (`allow`) */
    size_t allowed_count;
};

typedef enum DiagFormat {
    DF_HUMAN, DF_SHORT, DF_JSON, DF_SARIF, DF_GITHUB, DF_JUNIT
} DiagFormat;

void diag_init(DiagCtx *diag, Arena *arena);
/* Each returns the new diagnostic so that labels, notes and help can be added.
 * A warning whose code is in `allowed` is dropped: the returned diagnostic is then
 * a detached scratch object, so callers never need to test for it. */
Diagnostic *diag_error(DiagCtx *diag, Span span, const char *code, const char *fmt, ...) OH_PRINTF(4, 5);
Diagnostic *diag_warning(DiagCtx *diag, Span span, const char *code, const char *fmt, ...) OH_PRINTF(4, 5);
Diagnostic *diag_report(DiagCtx *diag, Severity sev, Span span, const char *code, const char *fmt, ...) OH_PRINTF(5, 6);
const char *severity_word(Severity sev);            /* "error", "warning", "note" */
void diag_label(DiagCtx *diag, Diagnostic *d, const char *fmt, ...) OH_PRINTF(3, 4);
void diag_secondary(DiagCtx *diag, Diagnostic *d, Span span, const char *fmt, ...) OH_PRINTF(4, 5);
void diag_note(DiagCtx *diag, Diagnostic *d, Span span, const char *fmt, ...) OH_PRINTF(4, 5);
void diag_help(DiagCtx *diag, Diagnostic *d, const char *fmt, ...) OH_PRINTF(3, 4);
bool diag_has_errors(const DiagCtx *diag);
/* Stable-sorts the diagnostics from index FIRST on by source and position (the parser
 * uses it so that lexical and syntax errors of a file read top to bottom). */
void diag_sort_by_position(DiagCtx *diag, size_t first);
/* Writes TEXT with control characters and invalid bytes escaped (\t stays a tab only in source lines). */
void diag_write_escaped(FILE *out, const char *text, size_t len);

typedef struct RenderOptions {
    DiagFormat format;
    bool color;
    size_t file_count;          /* for the summary line and the json/sarif/junit headers */
    const char *const *files;   /* every file checked, for junit suites with no failure */
    const char *const *const *clusters_per_file; /* NULL-terminated cluster names per file, for junit */
} RenderOptions;
void diag_render(const DiagCtx *diag, const RenderOptions *opts, FILE *out);
/* The json, sarif, github and junit formats (diag_formats.c); diag_render calls it. */
void diag_render_machine(const DiagCtx *diag, const RenderOptions *opts, FILE *out);
/* The same formats built one file at a time (diag_formats.c), so that `check` can free
 * each file's arena as it goes: _add copies what it needs (github prints at once), and
 * _finish prints the document to the OUT given to _begin and frees the report. */
typedef struct MachineReport MachineReport;
MachineReport *diag_machine_begin(DiagFormat format, FILE *out);
void diag_machine_add(MachineReport *report, const DiagCtx *diag, const char *file,
                      const char *const *clusters);   /* NULL-terminated, may be NULL */
void diag_machine_finish(MachineReport *report);
/* The code's row in rules.md: title and severity, NULL when unknown. */
typedef struct RuleInfo {
    const char *code;
    Severity severity;          /* the usual severity; OH3001/OH3002 also warn or note */
    const char *title;
    const char *why;            /* for explain and SARIF fullDescription */
    const char *wrong;          /* explain's example, before */
    const char *right;          /* and after */
} RuleInfo;
const RuleInfo *rule_info(const char *code);
extern const RuleInfo rule_infos[];
extern const size_t rule_info_count;

/* ---------------------------------------------------------------- lex.c
 * Tokens are views into the source. Comments are kept as tokens (fmt needs
 * them); the parser skips them. */
#define TOKEN_KINDS(X)                       \
    X(TK_EOF, "end of file")                 \
    X(TK_NEWLINE, "newline")                 \
    X(TK_COMMENT, "comment")                 \
    X(TK_LBRACE, "`{`")                      \
    X(TK_RBRACE, "`}`")                      \
    X(TK_LBRACKET, "`[`")                    \
    X(TK_RBRACKET, "`]`")                    \
    X(TK_LPAREN, "`(`")                      \
    X(TK_RPAREN, "`)`")                      \
    X(TK_EQUALS, "`=`")                      \
    X(TK_COMMA, "`,`")                       \
    X(TK_SEMICOLON, "`;`")                   \
    X(TK_STRING, "string")                   \
    X(TK_NUMBER, "number")                   \
    X(TK_ADDRESS, "address")                 \
    X(TK_WORD, "word")

typedef enum TokenKind {
#define X(kind, name) kind,
    TOKEN_KINDS(X)
#undef X
        TK__COUNT
} TokenKind;
extern const char *const token_kind_names[];

typedef struct Token {
    TokenKind kind;
    Span span;
} Token;

typedef struct TokenList {
    Token *items;
    size_t count;               /* the last token is always TK_EOF */
} TokenList;

/* Lexes the whole source; lexical errors (OH0001-OH0003, OH0006) are reported
 * and the lexer carries on, so the parser still sees every later token. */
TokenList lex_source(Arena *arena, const Source *src, DiagCtx *diag);
/* After this many syntax errors in one file (lexer and parser together) the front end
 * stops: the last one reported carries a note, and the rest of the file is not read. */
#define SYNTAX_ERROR_LIMIT 100
/* The decoded value of a TK_STRING (escapes resolved), or the text of any other token. */
char *lex_token_text(Arena *arena, const Token *tok);
void lex_dump(FILE *out, const TokenList *tokens);

/* ---------------------------------------------------------------- parse.c
 * The AST: tagged unions with spans. See docs/language.md for the grammar. */
#define VALUE_KINDS(X)          \
    X(VK_STRING, "string")      \
    X(VK_NUMBER, "number")      \
    X(VK_QUANTITY, "quantity")  \
    X(VK_ADDRESS, "address")    \
    X(VK_WORD, "word")          \
    X(VK_BOOL, "boolean")       \
    X(VK_LIST, "list")          \
    X(VK_CALL, "call")

typedef enum ValueKind {
#define X(kind, name) kind,
    VALUE_KINDS(X)
#undef X
} ValueKind;
extern const char *const value_kind_names[];

typedef struct Value Value;
struct Value {
    ValueKind kind;
    Span span;
    const char *text;           /* STRING: decoded; NUMBER/QUANTITY: the number as written;
                                   ADDRESS, WORD: as written; CALL: the function name */
    double number;              /* NUMBER, QUANTITY */
    const char *unit;           /* QUANTITY: the unit word as written ("GiB") */
    Span unit_span;
    bool boolean;               /* BOOL */
    Value **items;              /* LIST elements, CALL arguments */
    size_t count;
};

typedef enum EntryKind { EK_ATTRIBUTE, EK_BLOCK } EntryKind;

typedef struct Body Body;
typedef struct Entry {
    EntryKind kind;
    const char *name;
    Span name_span;
    Span span;                  /* the whole entry */
    Value *value;               /* EK_ATTRIBUTE */
    Body *body;                 /* EK_BLOCK */
} Entry;

struct Body {
    Span span;                  /* from `{` to `}` */
    Entry **entries;
    size_t count;
};

typedef struct Name {
    const char *text;
    Span span;
} Name;

typedef enum ItemKind { IK_IMPORT, IK_PROFILE, IK_CLUSTER } ItemKind;

typedef struct Item {
    ItemKind kind;
    Span span;                  /* the whole item */
    Span keyword_span;
    Name name;                  /* IMPORT: the path string; PROFILE, CLUSTER: the name */
    Name *bases;                /* `extends` / `uses` names */
    size_t base_count;
    Body *body;                 /* PROFILE, CLUSTER */
} Item;

typedef struct File {
    const Source *src;
    const TokenList *tokens;
    Item **items;
    size_t count;
} File;

#define PARSE_MAX_DEPTH 32

/* Parses every item, recovering at the next entry after an error (OH0004,
 * OH0005, OH0007). Never NULL. */
File *parse_file(Arena *arena, const Source *src, const TokenList *tokens, DiagCtx *diag);
void parse_dump(FILE *out, const File *file);

/* ---------------------------------------------------------------- resolve.c
 * Loads a file and its imports (stdlib, -I, OCTOHAC_PATH, relative), indexes
 * profiles and clusters, and merges each cluster's `uses` chain into one body
 * whose every entry keeps its provenance. */
typedef struct SearchPath {
    const char *const *dirs;    /* -I DIRs then OCTOHAC_PATH entries, in search order */
    size_t count;
} SearchPath;

typedef struct MergedBody MergedBody;
typedef struct MergedEntry {
    const Entry *entry;         /* where the attribute or block was written */
    MergedBody *block;          /* for EK_BLOCK: the merged contents */
    const Name *via;            /* the `uses` name the value came in through; NULL when the
                                   cluster's own body wrote it */
} MergedEntry;

struct MergedBody {
    MergedEntry *entries;
    size_t count;
};

typedef struct ClusterDecl {
    const Item *item;           /* the `cluster` item */
    const File *file;
    MergedBody body;            /* profiles then the cluster's own body, merged */
} ClusterDecl;

typedef struct Program {
    File **files;               /* the root file first, then imports in load order */
    size_t file_count;
    const Item **profiles;      /* every profile, in declaration order */
    size_t profile_count;
    ClusterDecl **clusters;     /* the clusters of the root file, in order */
    size_t cluster_count;
} Program;

/* Loads PATH ("-" for stdin) and everything it imports. Returns NULL only when
 * the root file cannot be read (*err is set, exit 2); other problems are diagnostics. */
Program *res_load(Arena *arena, const char *path, const SearchPath *search, DiagCtx *diag, const char **err);
/* Same, for an in-memory root (fuzzing, tests). */
Program *res_load_memory(Arena *arena, const char *name, const char *text, size_t len,
                         const SearchPath *search, DiagCtx *diag);
const MergedEntry *res_find(const MergedBody *body, const char *name);

/* ---------------------------------------------------------------- schema.c
 * schema/octohac.json, embedded and parsed once: every block and attribute with
 * type, unit, default, range, enum, PCRE2 pattern, doc, and whether param()/secret()
 * is allowed. Patterns are compiled once per run. The structs below are views into
 * the parsed document (strings point into the cJSON tree) and live until schema_release. */
#define SCHEMA_TYPES(X)             \
    X(TY_STRING, "string")          \
    X(TY_WORD, "word")              \
    X(TY_INT, "int")                \
    X(TY_BOOL, "bool")              \
    X(TY_ENUM, "enum")              \
    X(TY_SIZE, "size")              \
    X(TY_RATE, "rate")              \
    X(TY_DURATION, "duration")      \
    X(TY_DAYS, "days")              \
    X(TY_CIDR, "cidr")              \
    X(TY_IP, "ip")                  \
    X(TY_LIST, "list")              \
    X(TY_BLOCK, "block")

typedef enum SchemaType {
#define X(kind, name) kind,
    SCHEMA_TYPES(X)
#undef X
        TY__COUNT
} SchemaType;

typedef struct Schema Schema;
typedef struct SchemaBlock SchemaBlock;
typedef struct SchemaAttr SchemaAttr;

struct SchemaAttr {
    const char *name, *doc, *example;     /* list items and alternatives share their owner's */
    const SchemaBlock *block;
    SchemaType type;
    const SchemaAttr *items;              /* TY_LIST: the item type */
    const SchemaAttr *alternative;        /* a second accepted type (network.zones: int or list) */
    bool has_min, has_max;
    long long min, max;                   /* numbers, in the type's canonical unit */
    long long max_length;                 /* strings: bytes; 0 = no limit */
    long long min_items, max_items;       /* lists; max_items 0 = no limit */
    int min_prefix, max_prefix;           /* cidr; 0..32 when unset */
    const char *const *values;            /* enum members, in the order of the C enums */
    size_t value_count;
    const char *const *literals;          /* words accepted besides the pattern that leave the
                                             model's StrAttr unset (vpc `new`: VS_NONE) */
    size_t literal_count;
    const char *pattern;                  /* a key of "patterns", NULL for any text */
    const char *unknown_values;           /* enum: the code that judges other values (os: OH2002);
                                             the model keeps such a value as -1, no OH1006 */
    const char *unit_optional;            /* int: a unit the number may carry ("days") */
    const char *at_least;                 /* an attribute of the same block this one may not be below */
    bool literal;                         /* a plain value is accepted (false: param()/secret() only) */
    bool param, secret, required;
    const cJSON *default_value;           /* NULL when there is no default */
    const cJSON *required_when;           /* a condition, or NULL */
    const char *const *rules;             /* codes that guard the attribute, for docs and explain */
    size_t rule_count;
    size_t index;                         /* position among all attributes, 0..attr_count-1 */
};

struct SchemaBlock {
    const char *name, *doc;
    bool top;                             /* "cluster": attributes written at the top level */
    SchemaAttr *attrs;
    size_t attr_count;
    const char *const *attr_names;        /* for did-you-mean */
    const SchemaAttr *free_attr;          /* tags: any key; NULL for ordinary blocks */
    const char *key_pattern;              /* free keys' pattern */
    size_t max_entries;
    const cJSON *exclusive;               /* [{attribute, when|unless, excludes, message, help}] */
    const cJSON *forms;                   /* directory: [{name, marker, attributes, required}] */
};

struct Schema {
    SchemaBlock *blocks;
    size_t block_count;
    const char *const *block_names;       /* blocks written as `name { }` (not "cluster") */
    size_t block_name_count;
    size_t attr_count;
};

const Schema *schema_get(void);                /* parsed on first use; BUG() on a bad schema */
void schema_release(void);                     /* frees the cJSON and PCRE2 objects at exit */
const cJSON *schema_json(void);                /* the raw document, for explain/docs/fmt */
const SchemaBlock *schema_block(const char *name);                   /* NULL when unknown */
const SchemaAttr *schema_attr(const SchemaBlock *block, const char *name);  /* NULL when unknown */
/* Matches SUBJECT against the pattern stored under NAME; BUG() on an unknown name. */
bool schema_pattern_match(const char *pattern_name, const char *subject);
const char *schema_pattern_expected(const char *pattern_name);       /* "an ACM certificate ARN such as …" */
const char *schema_type_name(SchemaType type);
const char *schema_type_doc(SchemaType type);                         /* "a size in GiB or TiB" */
const char *schema_type_unit(SchemaType type);                        /* canonical unit, NULL for none */
const char *schema_type_example(SchemaType type);                     /* "100 GiB", NULL for none */
/* Whether TYPE accepts a value of VALUE_KIND (a value_kind_names entry: "word", "quantity"…). */
bool schema_type_accepts(SchemaType type, const char *value_kind);
/* The factor that converts UNIT to TYPE's canonical unit; false when TYPE has no such unit. */
bool schema_unit_factor(SchemaType type, const char *unit, long long *factor);
/* Compiles every pattern of the schema (a unit test; a run compiles each on first use); BUG()s on failure. */
size_t schema_compile_all(void);

/* ---------------------------------------------------------------- model.c
 * The checked cluster: plain C structs with every default filled in. Later
 * stages read only this. Every attribute keeps its Origin for diagnostics. */
typedef struct Origin {
    Span span;                  /* the value as written; the block or cluster name for a default */
    Span via;                   /* the `uses` name it came in through, when a profile set it */
    bool set;                   /* written by the user (a cluster or profile), not a default */
} Origin;

typedef enum ValueSource { VS_NONE, VS_LITERAL, VS_PARAM, VS_SECRET } ValueSource;

typedef struct StrAttr {        /* a string that may also be param() or secret() */
    ValueSource source;
    const char *text;           /* LITERAL: the value; PARAM: the parameter name; SECRET: the id */
    const char *param_default;  /* PARAM with a default, else NULL */
    const char *secret_key;     /* SECRET with a json key, else NULL */
    Origin origin;
} StrAttr;

typedef struct IntAttr { long long value; Origin origin; } IntAttr;
typedef struct BoolAttr { bool value; Origin origin; } BoolAttr;
typedef struct EnumAttr { int value; Origin origin; } EnumAttr;  /* value: index into the schema enum;
                                   -1 for a value the schema leaves to a rule (nodes.os: OH2002) */

typedef struct StrList {
    const char **items;
    Span *spans;                /* each item as written */
    size_t count;
    Origin origin;
} StrList;

typedef struct Cidr {
    uint32_t address;           /* host order */
    int prefix;
    Origin origin;
} Cidr;

typedef struct Tag {
    const char *key, *value;
    Origin origin;
} Tag;

/* Enum members are in the order of the schema's enum lists. */
typedef enum MasterKeyMode { MK_GENERATED, MK_PARAM } MasterKeyMode;
typedef enum NatMode { NAT_PER_ZONE, NAT_SINGLE, NAT_NONE } NatMode;
typedef enum DirectoryForm { DIR_NONE, DIR_EXISTING, DIR_CREATE, DIR_SELF_MANAGED } DirectoryForm;
typedef enum DirEdition { ED_STANDARD, ED_ENTERPRISE } DirEdition;
typedef enum NodeOs { OS_2016, OS_2019, OS_2022, OS_2025 } NodeOs;
typedef enum DbEngine { ENG_SE, ENG_EE, ENG_EX, ENG_WEB } DbEngine;
typedef enum DbVersion { SQL_2016, SQL_2017, SQL_2019, SQL_2022 } DbVersion;
typedef enum StorageType { ST_GP3, ST_GP2, ST_IO1 } StorageType;
typedef enum DeletionMode { DEL_SNAPSHOT, DEL_RETAIN, DEL_DELETE } DeletionMode;
typedef enum FsxDeployment { FSX_MULTI_AZ, FSX_SINGLE_AZ, FSX_SINGLE_AZ_2 } FsxDeployment;
typedef enum FsxMedia { MEDIA_SSD, MEDIA_HDD } FsxMedia;
typedef enum LbType { LB_ALB, LB_NLB, LB_CLASSIC } LbType;
typedef enum LbScheme { SCHEME_INTERNET_FACING, SCHEME_INTERNAL } LbScheme;
typedef enum PollingMode { POLL_PER_NODE, POLL_SHARED_QUEUE } PollingMode;

typedef struct Cluster {
    const char *name;
    Span name_span;
    const ClusterDecl *decl;
    const Source *src;

    StrAttr description;
    StrAttr region;             /* source VS_NONE when unset */
    Tag *tags;
    size_t tag_count;
    StrList allow;

    struct {
        StrAttr version, download_url, instance, admin_username, admin_email, license;
        EnumAttr master_key;    /* MasterKeyMode */
        IntAttr task_cap, web_port;
        Span block;             /* the block's name, or the cluster name when absent */
    } octopus;

    struct {
        StrAttr vpc;            /* VS_NONE for a new VPC */
        Cidr cidr;
        IntAttr zone_count;     /* always set: the count, or the number of names */
        StrList zone_names;     /* empty when zones is a count */
        EnumAttr nat;           /* NatMode */
        StrList private_subnets, public_subnets;
        Span block;
    } network;

    struct {
        DirectoryForm form;
        StrAttr id, domain, username, password, ou, admins_group, nodes_group;
        StrList dns_ips;
        EnumAttr edition;       /* DirEdition */
        Span block;
    } directory;

    struct {
        IntAttr count;
        StrAttr instance;
        EnumAttr os;            /* NodeOs */
        IntAttr disk_gib;
        StrAttr ami, key_pair;
        StrAttr ami_version;    /* VS_NONE: the WindowsAmiVersion parameter has no default */
        Span block;
    } nodes;

    struct {
        EnumAttr engine;        /* DbEngine */
        EnumAttr version;       /* DbVersion */
        EnumAttr min_version;   /* DbVersion: the oldest `version` may name (OH2028) */
        StrAttr instance;
        IntAttr storage_gib, max_storage_gib;
        EnumAttr storage_type;  /* StorageType */
        IntAttr iops;           /* 0 when unset */
        BoolAttr multi_az, deletion_protection, encrypted;
        IntAttr backup_days;
        EnumAttr deletion;      /* DeletionMode */
        StrAttr catalog;
        StrAttr existing;       /* VS_NONE unless a connection string is given: then no RDS */
        Span block;
    } database;

    struct {
        IntAttr capacity_gib, throughput_mbps, backup_days;
        EnumAttr deployment;    /* FsxDeployment */
        EnumAttr media;         /* FsxMedia */
        EnumAttr deletion;      /* DeletionMode */
        StrAttr folder;
        StrAttr existing;       /* VS_NONE unless a UNC path is given: then no FSx */
        Span block;
    } storage;

    struct {
        EnumAttr type;          /* LbType */
        EnumAttr scheme;        /* LbScheme */
        StrAttr certificate, ssl_policy;
        IntAttr idle_timeout_s; /* 0 for an NLB */
        StrList allowed_cidrs;
        Span block;
    } load_balancer;

    struct {
        BoolAttr polling;
        EnumAttr mode;          /* PollingMode */
        IntAttr port, idle_timeout_s;
        StrList allowed_cidrs;
        Span block;
    } tentacles;

    struct {
        bool on;                /* the block is written (by the cluster or a profile), and enabled */
        BoolAttr enabled;
        StrList email;
        StrAttr topic;          /* VS_NONE: the stack creates the topic */
        IntAttr log_retention_days;
        Span block;
    } alerts;

    struct {
        bool on;                /* the block is written: the windows below are applied */
        StrAttr window, backup_window;   /* always literal ("sun:03:00-sun:04:00", "01:00-02:00") */
        Span block;
    } maintenance;
} Cluster;

/* Checks one merged cluster against the schema (OH1xxx) and builds its model.
 * Returns NULL when it reported errors that make the model meaningless; an error code in
 * `allow` (OH1011) does not, so the model then comes back beside the error, for the rules
 * to run on (nothing is generated from it). */
Cluster *model_build(Arena *arena, const ClusterDecl *decl, DiagCtx *diag);
/* The span a diagnostic about ORIGIN should point at, with the provenance note
 * ("set by profile `x` through `uses` here") added to D when a profile set it. */
void model_note_origin(DiagCtx *diag, Diagnostic *d, const Origin *origin);
/* OH1003 for a profile's own body (merging hides duplicates). The driver calls it once
 * per profile of the program; model_build checks the cluster's own body itself. */
void model_check_profile(const Item *profile, DiagCtx *diag);

/* ---------------------------------------------------------------- rules.c
 * Octopus HA, AWS and security rules (OH2xxx, OH4xxx) over the model: a table of
 * rows {code, severity, check}. Every rule runs; none stops the others. */
void rules_check(const Cluster *cluster, DiagCtx *diag);
/* The check table, for tests: row INDEX's code and severity; NULL past the end. */
extern const size_t rules_check_count;
const char *rules_check_code(size_t index, Severity *severity);
/* How to fix CODE in one sentence (docs/rules.md), NULL when unknown. rule_infos and
 * rule_info() (declared with diag.c) are defined in rules.c too. */
const char *rules_fix(const char *code);
/* Frees the data tables (RDS classes, EC2 sizes) and patterns rules parse on first
 * use; call it at exit, like schema_release. */
void rules_release(void);

/* ---------------------------------------------------------------- lower.c
 * Lowers the model to a CloudFormation template as a cJSON tree in the layout
 * order of docs/cloudformation.md. The caller owns the tree (cJSON_Delete).
 * NULL, with OH1007 reported, when a param() name collides with a name the template uses. */
cJSON *low_template(const Cluster *cluster, DiagCtx *diag);
/* The operations template of `build --operations` (lower_operations.c): the Automation
 * documents and their role, for the stack named by its ClusterStack parameter, built from
 * MAIN, the main template lowered from the same cluster. The caller owns the tree. */
cJSON *low_operations_template(const Cluster *cluster, const cJSON *main, DiagCtx *diag);

/* ---------------------------------------------------------------- lower internals (lower_*.c)
 * Shared by lower.c and the per-block files lower_network.c, lower_nodes.c,
 * lower_data.c, lower_lb.c and lower_monitoring.c, and by lower_operations.c (the operations
 * template); nothing outside them uses these. Every constructor
 * returns a new cJSON item that the caller attaches (ownership moves with it). */
typedef struct Low {
    const Cluster *cluster;
    Arena *arena;
    DiagCtx *diag;
    cJSON *parameters, *resources, *outputs;   /* the template's sections, in progress */
    cJSON *locations;                           /* where each resource comes from, by file */
    int zones;                                  /* zones the cluster spans */
    bool new_vpc;
} Low;

Low low_start(const Cluster *cluster, DiagCtx *diag);  /* empty sections, the cluster's facts */
cJSON *low_str(const char *text);
cJSON *low_int(long long value);
cJSON *low_bool(bool value);
cJSON *low_strs(const char *const *items, size_t count);
cJSON *low_list(cJSON *first, ...);                 /* NULL-terminated items */
cJSON *low_obj(const char *key, ...);               /* NULL-terminated key, value pairs */
void low_set(cJSON *object, const char *key, cJSON *value);  /* nothing when VALUE is NULL */
cJSON *low_ref(const char *name);                   /* {"Ref": NAME} */
cJSON *low_getatt(const char *resource, const char *attribute);
cJSON *low_sub(const char *text);                   /* {"Fn::Sub": TEXT} */
cJSON *low_subf(Low *low, const char *fmt, ...) OH_PRINTF(2, 3);
cJSON *low_sub_vars(const char *text, cJSON *vars);
cJSON *low_join(const char *separator, cJSON *list);
cJSON *low_select(int index, cJSON *list);
cJSON *low_get_azs(void);                           /* {"Fn::GetAZs": ""} */
cJSON *low_base64(cJSON *value);
cJSON *low_equals(cJSON *a, cJSON *b);
cJSON *low_group_id(const char *security_group);    /* GetAtt SG.GroupId */
cJSON *low_attrs(const char *key, const char *value, ...); /* [{Key, Value}...], NULL-terminated */
const char *low_sub_escape(Low *low, const char *text);   /* "${" -> "${!" for Fn::Sub text */

/* Resources: low_resource adds {Type, Metadata, Properties}, records where the resource
 * comes from in the template's Metadata.octohac.locations, and returns Properties; the
 * finishing pass orders each resource's keys, adds the tags and drops empty Metadata and
 * Properties. */
cJSON *low_resource(Low *low, const char *id, const char *type, Span origin);
/* "file.oha:LINE:COL" of resource ID in TMPL's locations table, or NULL. */
const char *template_location(const cJSON *tmpl, const char *id, Arena *arena);
cJSON *low_get(Low *low, const char *id);           /* the resource; BUG() when absent */
void low_depends_on(Low *low, const char *id, const char *dependency);
void low_policies(Low *low, const char *id, const char *policy); /* Deletion + UpdateReplace */
void low_name_tag(Low *low, cJSON *props, const char *suffix);   /* Name = <cluster>-SUFFIX */
void low_lint_ignore(Low *low, const char *id, const char *check); /* Metadata.cfn-lint ignore_checks */
void low_finish_resources(Low *low);                 /* tags and key order of every resource */
cJSON *low_region_rules(Low *low);                   /* the RegionRule of a template with `region` */
const char *low_source_name(const Source *src);      /* a source's base name, as the template shows it */
/* An AWS::EC2::SecurityGroupIngress <TARGET>From<SOURCE>Port<FROM> into <TARGET>SecurityGroup on
 * TCP FROM..TO, from <SOURCE>SecurityGroup, or from CIDR when it is not NULL (SOURCE is then
 * only the name's label). A second rule with the same name is dropped. */
void low_ingress(Low *low, const char *target, const char *source, const char *cidr,
                 long long from, long long to, const char *why, Span origin);

/* Cluster facts and values. */
cJSON *low_value(Low *low, const StrAttr *attr);     /* literal, Ref param, or dynamic reference */
cJSON *low_vpc_id(Low *low);
cJSON *low_private_subnet(Low *low, int zone);       /* zone is 0-based */
cJSON *low_private_subnets(Low *low);
cJSON *low_public_subnets(Low *low);
cJSON *low_lb_subnets(Low *low);                     /* public when internet-facing */
bool low_managed_ad(const Cluster *c);               /* created or existing AWS Managed AD */
bool low_dhcp(const Low *low);                       /* DHCP options are emitted */
bool low_has_rds(const Cluster *c);
bool low_has_fsx(const Cluster *c);
bool low_has_cert(const Cluster *c);
bool low_polling(const Cluster *c, PollingMode mode);

/* The blocks, in Resources order. */
void low_network(Low *low);          /* lower_network.c */
void low_security_groups(Low *low);
void low_endpoints(Low *low);
void low_secrets(Low *low);          /* lower_nodes.c */
void low_directory(Low *low);
void low_node_role(Low *low);
void low_nodes(Low *low);
void low_database(Low *low);         /* lower_data.c */
void low_storage(Low *low);
void low_redis(Low *low);
void low_keep_for_data(Low *low);
void low_load_balancer(Low *low);    /* lower_lb.c */
void low_maintenance(Low *low);      /* lower_monitoring.c: windows on what the above built */
void low_alerts(Low *low);           /* key, topic, log group, agent configuration, alarms */
const char *low_node_metrics_namespace(Low *low);   /* the nodes' CloudWatch agent metrics */
void low_monitoring_endpoints(Low *low);             /* logs, monitoring (nat = none) */

/* ---------------------------------------------------------------- bootstrap.c
 * The node bootstrap: stdlib/bootstrap/node.ps1 rendered into the
 * AWS::CloudFormation::Init metadata of NodeBootstrap, and the per-node loader. */
cJSON *boot_init_metadata(const Cluster *cluster);       /* the AWS::CloudFormation::Init object */
char *boot_user_data(Arena *arena, const Cluster *cluster, int node_index); /* raw, before Fn::Sub */
void boot_release(void);                                  /* the templates kept for the run */

/* ---------------------------------------------------------------- verify.c
 * Verifies the template before anything is written: each resource's Properties
 * against the embedded AWS provider schema (OH5001) and the template limits
 * (OH3xxx), which point back at the .oha line responsible. */
bool verify_resources(const cJSON *tmpl, const Cluster *cluster, DiagCtx *diag);
/* The form a template is written in: its size (OH3002) is measured in that form. */
typedef enum TemplateForm { TF_YAML, TF_JSON, TF_JSON_COMPACT } TemplateForm;
/* The limits OH3001-OH3005; BYTES is the size of the template as written, in FORM. */
void verify_limits(const cJSON *tmpl, size_t bytes, TemplateForm form, const Cluster *cluster, DiagCtx *diag);
/* The AWS schemas are parsed and their patterns compiled once per process, on first use;
 * verify_release frees them (call it at exit, like schema_release). */
void verify_release(void);

/* ---------------------------------------------------------------- emit_yaml.c, emit_json.c
 * Both return a malloc'd NUL-terminated buffer (the caller frees it), or NULL
 * with a BUG() on an emitter failure. */
char *emit_yaml(const cJSON *tmpl, const char *source_name, size_t *len);
/* Exactly the length emit_yaml would return for the same arguments, counted without
 * libyaml and without building the text (check needs only the size, for OH3002). */
size_t emit_yaml_size(const cJSON *tmpl, const char *source_name);
char *emit_json(const cJSON *tmpl, size_t *len);
/* The same document without whitespace between tokens (cJSON_PrintUnformatted's layout),
 * and a final newline: `build -f json --compact`. */
char *emit_json_compact(const cJSON *tmpl, size_t *len);
/* How a YAML string scalar is written: plain only when no YAML reader could take it
 * for anything but that string (not a number, bool, null or date in YAML 1.1 or 1.2,
 * no indicator), a literal block `|` for multi-line text, else double-quoted.
 * FLOW: inside a flow sequence (`[a, b]`), where `,[]{}:` also need quotes. */
typedef enum EmitScalarStyle { ESS_PLAIN, ESS_DOUBLE_QUOTED, ESS_LITERAL } EmitScalarStyle;
EmitScalarStyle emit_scalar_style(const char *s, size_t len, bool flow);
/* A JSON/YAML number: integral values without a fraction, others in the shortest
 * form that reads back exactly; '.' as the decimal point in every locale. */
void emit_format_number(double value, char buf[40]);

/* ---------------------------------------------------------------- policy.c
 * The stack policy of `build --stack-policy` for a finished template, as JSON text
 * (malloc'd): Update:Replace and Update:Delete denied on its stateful resources. */
char *policy_stack(const cJSON *tmpl, size_t *len);

/* A kind of resource whose replacement or removal loses data: TYPE, and only logical id ID of
 * it when ID is not NULL; WHAT is lost and how to KEEP it (plan's OH6001-OH6003). */
typedef struct StatefulKind {
    const char *type;
    const char *id;
    const char *what;
    const char *keep;
} StatefulKind;
/* The kind of resource LOGICAL_ID of TYPE when it is stateful, else NULL. */
const StatefulKind *stateful_find(const char *type, const char *logical_id);

/* ---------------------------------------------------------------- fmt.c */
/* The canonical layout of FILE, or NULL when it has syntax errors (reported). */
char *fmt_file(Arena *arena, const File *file, DiagCtx *diag);

/* ---------------------------------------------------------------- graph.c */
typedef enum GraphFormat { GF_DOT, GF_MERMAID } GraphFormat;
char *graph_render(Arena *arena, const Cluster *cluster, GraphFormat format);

/* ---------------------------------------------------------------- plan.c, plan_template.c
 * `octohac plan OLD NEW` (docs/plan.md): what deploying NEW over a stack built from OLD does
 * to each resource, from schema/update-behaviour.json, and the findings OH6001-OH6011 about
 * data loss and outages. Offline: it reads templates and .oha files, never AWS. */
typedef enum PlanFormat { PF_HUMAN, PF_JSON, PF_MARKDOWN } PlanFormat;

typedef struct PlanSide {
    const char *path;           /* as given on the command line */
    bool is_oha;                /* built from a .oha file (else read as a template) */
    cJSON *tmpl;                /* the template tree */
    const Source **sources;     /* a .oha side: its file and imports, for spans */
    size_t source_count;
} PlanSide;

/* Builds a .oha side as `build` would, in memory: sets side->tmpl and side->sources, renders
 * its own diagnostics, and returns an exit code (0 when the template was built). */
typedef int (*PlanBuildFn)(void *ctx, Arena *arena, DiagCtx *diag, PlanSide *side);

typedef struct PlanOptions {
    const char *old_path, *new_path;
    PlanFormat format;
    bool color;
    PlanBuildFn build;
    void *build_ctx;
} PlanOptions;

/* Prints the plan to OUT and returns 0 (nothing destructive), 1 (an error-level finding) or
 * 2 (an input could not be read or built). */
int plan_run(const PlanOptions *opts, FILE *out);
/* The plan of two loaded sides (cJSON's memory in ARENA, as plan_run sets it up), printed to
 * OUT; 1 when a finding is an error, else 0. */
int plan_sides(Arena *arena, const PlanSide *old_side, const PlanSide *new_side, PlanFormat format, bool color,
               FILE *out);
/* A CloudFormation template in JSON or YAML (short-form tags expanded); NULL with *err set. */
cJSON *plan_read_template(Arena *arena, const char *text, size_t len, const char **err);

/* ---------------------------------------------------------------- util.c
 * Small helpers shared by several stages. */
size_t edit_distance(const char *a, const char *b);
/* The candidate within distance 2 of NAME, or NULL: the source of "did you mean". */
const char *did_you_mean(const char *name, const char *const *candidates, size_t count);
bool write_file_atomic(const char *path, const char *data, size_t len, const char **err);
/* Several files replaced together: all are written and fsync'd beside their targets
 * before the first rename, so that a failure to write any leaves every target untouched. */
typedef struct FileWrite {
    const char *path, *data;
    size_t len;
} FileWrite;
bool write_files_atomic(const FileWrite *files, size_t count, const char **err, size_t *failed);

#endif
