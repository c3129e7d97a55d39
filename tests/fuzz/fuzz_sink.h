/* fuzz_sink.h: where the fuzz targets render what they print (dumps, diagnostics), so that
 * the printing code runs without filling the terminal. Include after octohac.h. */
#ifndef OCTOHAC_FUZZ_SINK_H
#define OCTOHAC_FUZZ_SINK_H

#include <stdio.h>
#include <stdlib.h>

static FILE *sink(void)
{
    static FILE *null_out;
    if (!null_out)
        null_out = fopen("/dev/null", "w");
    if (!null_out)
        abort();
    return null_out;
}

/* Every diagnostic of DIAG in the human (colour on every other input) and short formats. */
static void render_diagnostics(const DiagCtx *diag, size_t input_size)
{
    RenderOptions opts = {.format = DF_HUMAN, .color = input_size % 2 == 0, .file_count = 1};
    diag_render(diag, &opts, sink());
    opts.format = DF_SHORT;
    diag_render(diag, &opts, sink());
}

#endif
