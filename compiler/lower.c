/* lower.c: STUB, owned by the lowering helper. */
#include "octohac.h"


cJSON *low_template(const Cluster *cluster, DiagCtx *diag) { (void)cluster; (void)diag; return cJSON_CreateObject(); }
