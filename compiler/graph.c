/* graph.c: STUB, owned by the tooling helper. */
#include "octohac.h"


char *graph_render(Arena *arena, const Cluster *cluster, GraphFormat format) { (void)arena; (void)cluster; (void)format; return NULL; }
