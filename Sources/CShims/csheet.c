#include "csheet.h"
#include <string.h>

int ppv_arrayjoin(VipsImage **in, int n, VipsImage **out, int across, int shim) {
    double white[3] = {255, 255, 255};
    VipsArrayDouble *background = vips_array_double_new(white, 3);
    int rc = vips_arrayjoin(in, out, n, "across", across, "shim", shim, "background", background, NULL);
    vips_area_unref(VIPS_AREA(background));
    return rc;
}

int ppv_text_label(VipsImage **out, const char *text, int width, int dpi) {
    // vips_text reads Pango markup: escape it so a name is shown as written.
    char *escaped = g_markup_escape_text(text, -1);
    VipsImage *mask = NULL, *ink = NULL;
    int rc = vips_text(&mask, escaped, "width", width, "dpi", dpi, "font", "sans", NULL);
    g_free(escaped);
    if (rc) return rc;
    // The mask is 0 where there is no ink: invert to dark on white, then three bands.
    rc = vips_invert(mask, &ink, NULL);
    g_object_unref(mask);
    if (rc) return rc;
    VipsImage *bands[3] = {ink, ink, ink}, *joined = NULL;
    rc = vips_bandjoin(bands, &joined, 3, NULL);
    g_object_unref(ink);
    if (rc) return rc;
    rc = vips_copy(joined, out, "interpretation", VIPS_INTERPRETATION_sRGB, NULL);
    g_object_unref(joined);
    return rc;
}

int ppv_join_below(VipsImage *top, VipsImage *bottom, VipsImage **out) {
    double white[3] = {255, 255, 255};
    VipsArrayDouble *background = vips_array_double_new(white, 3);
    int rc = vips_join(top, bottom, out, VIPS_DIRECTION_VERTICAL, "expand", TRUE, "background", background, NULL);
    vips_area_unref(VIPS_AREA(background));
    return rc;
}
