/* model.c: STUB, owned by the semantics helper. */
#include "octohac.h"


Cluster *model_build(Arena *arena, const ClusterDecl *decl, DiagCtx *diag) { (void)arena; (void)decl; (void)diag; return NULL; }
void model_note_origin(DiagCtx *diag, Diagnostic *d, const Origin *origin) { (void)diag; (void)d; (void)origin; }
