#ifndef PP_CSHEET_H
#define PP_CSHEET_H
#include <vips/vips.h>

// A grid of images, `across` per row, `shim` pixels apart, on white.
int ppv_arrayjoin(VipsImage **in, int n, VipsImage **out, int across, int shim);
// One line of text, dark on white, 3-band sRGB, at most `width` pixels wide. Plain text (escaped here).
int ppv_text_label(VipsImage **out, const char *text, int width, int dpi);
// `bottom` under `top`, left-aligned, on white.
int ppv_join_below(VipsImage *top, VipsImage *bottom, VipsImage **out);
#endif
