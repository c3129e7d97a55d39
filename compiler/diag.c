/* diag.c: STUB, owned by the front-end helper. */
#include "octohac.h"


void diag_init(DiagCtx *diag, Arena *arena) { (void)diag; (void)arena; }
Diagnostic *diag_error(DiagCtx *diag, Span span, const char *code, const char *fmt, ...) { (void)diag; (void)span; (void)code; (void)fmt; return NULL; }
Diagnostic *diag_warning(DiagCtx *diag, Span span, const char *code, const char *fmt, ...) { (void)diag; (void)span; (void)code; (void)fmt; return NULL; }
Diagnostic *diag_report(DiagCtx *diag, Severity sev, Span span, const char *code, const char *fmt, ...) { (void)diag; (void)sev; (void)span; (void)code; (void)fmt; return NULL; }
void diag_label(DiagCtx *diag, Diagnostic *d, const char *fmt, ...) { (void)diag; (void)d; (void)fmt; }
void diag_secondary(DiagCtx *diag, Diagnostic *d, Span span, const char *fmt, ...) { (void)diag; (void)d; (void)span; (void)fmt; }
void diag_note(DiagCtx *diag, Diagnostic *d, Span span, const char *fmt, ...) { (void)diag; (void)d; (void)span; (void)fmt; }
void diag_help(DiagCtx *diag, Diagnostic *d, const char *fmt, ...) { (void)diag; (void)d; (void)fmt; }
bool diag_has_errors(const DiagCtx *diag) { return diag->errors > 0; }
void diag_write_escaped(FILE *out, const char *text, size_t len) { fwrite(text, 1, len, out); }
void diag_render(const DiagCtx *diag, const RenderOptions *opts, FILE *out) { (void)diag; (void)opts; (void)out; }
