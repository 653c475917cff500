#include "cexport.h"
#include <string.h>

int ppv_concurrency_get(void) { return vips_concurrency_get(); }
void ppv_concurrency_set(int threads) { vips_concurrency_set(threads); }

int ppv_resize_premultiplied(VipsImage *in, VipsImage **out, double scale) {
    VipsImage *t[4] = {NULL, NULL, NULL, NULL};
    int rc = vips_premultiply(in, &t[0], NULL)
          || vips_resize(t[0], &t[1], scale, "kernel", VIPS_KERNEL_LANCZOS3, NULL)
          || vips_unpremultiply(t[1], &t[2], NULL)
          || vips_cast_uchar(t[2], out, NULL);
    for (int i = 0; i < 4; i++) if (t[i]) g_object_unref(t[i]);
    return rc ? -1 : 0;
}

int ppv_resize_cubic(VipsImage *in, VipsImage **out, double scale) {
    return vips_resize(in, out, scale, "kernel", VIPS_KERNEL_CUBIC, NULL);
}

static int first_last_nonzero(VipsImage *line, int *first, int *last) {
    size_t n = 0;
    double *v = vips_image_write_to_memory(line, &n);
    if (!v) return -1;
    int count = (int) (n / sizeof(double));
    *first = -1; *last = -1;
    for (int i = 0; i < count; i++) if (v[i] > 0) { if (*first < 0) *first = i; *last = i; }
    g_free(v);
    return 0;
}

int ppv_alpha_bounds(VipsImage *in, int *left, int *top, int *width, int *height) {
    VipsImage *alpha = NULL, *cols = NULL, *rows = NULL, *cd = NULL, *rd = NULL;
    int rc = -1, x0, x1, y0, y1;
    // Column and row sums of alpha: exact, no threshold or noise filter.
    if (vips_extract_band(in, &alpha, vips_image_get_bands(in) - 1, NULL) == 0
        && vips_project(alpha, &cols, &rows, NULL) == 0
        && vips_cast(cols, &cd, VIPS_FORMAT_DOUBLE, NULL) == 0
        && vips_cast(rows, &rd, VIPS_FORMAT_DOUBLE, NULL) == 0
        && first_last_nonzero(cd, &x0, &x1) == 0
        && first_last_nonzero(rd, &y0, &y1) == 0) {
        rc = 0;
        if (x0 < 0 || y0 < 0) { *left = *top = *width = *height = 0; }
        else { *left = x0; *top = y0; *width = x1 - x0 + 1; *height = y1 - y0 + 1; }
    }
    VipsImage *all[] = {alpha, cols, rows, cd, rd};
    for (int i = 0; i < 5; i++) if (all[i]) g_object_unref(all[i]);
    return rc;
}

int ppv_embed_clear(VipsImage *in, VipsImage **out, int x, int y, int width, int height) {
    return vips_embed(in, out, x, y, width, height, "extend", VIPS_EXTEND_BLACK, NULL);
}

static const char *metadata_prefixes[] = {
    "exif-", "xmp-", "iptc-", "icc-", "photoshop-", "png-comment", "gif-", "heif-", "webp-",
    "jpeg-", "tiff-", "magick-", "orientation", "resolution-unit", "palette", NULL
};

static int is_metadata(const char *name) {
    for (int i = 0; metadata_prefixes[i]; i++)
        if (strncmp(name, metadata_prefixes[i], strlen(metadata_prefixes[i])) == 0) return 1;
    return 0;
}

static void set_exif_text(VipsImage *image, const char *field, const char *value) {
    if (!value || !*value) return;
    // libvips reads an EXIF string field as "value (description)"; the caller keeps '(' out of value.
    char *s = g_strdup_printf("%s (%s, ASCII, %zu components, %zu bytes)", value, value,
                              strlen(value) + 1, strlen(value) + 1);
    vips_image_set_string(image, field, s);
    g_free(s);
}

int ppv_export_metadata(VipsImage *in, VipsImage **out, const char *xmp,
                        const char *artist, const char *copyright, const char *description) {
    if (vips_copy(in, out, NULL)) return -1;
    gchar **names = vips_image_get_fields(*out);
    for (int i = 0; names && names[i]; i++)
        if (is_metadata(names[i])) vips_image_remove(*out, names[i]);
    g_strfreev(names);
    VipsBlob *profile = NULL;
    if (vips_profile_load("sRGB", &profile, NULL)) { g_object_unref(*out); *out = NULL; return -1; }
    size_t n = 0;
    const void *data = vips_blob_get(profile, &n);
    vips_image_set_blob_copy(*out, "icc-profile-data", data, n);
    vips_area_unref(VIPS_AREA(profile));
    if (xmp && *xmp) vips_image_set_blob_copy(*out, "xmp-data", xmp, strlen(xmp));
    set_exif_text(*out, "exif-ifd0-Artist", artist);
    set_exif_text(*out, "exif-ifd0-Copyright", copyright);
    set_exif_text(*out, "exif-ifd0-ImageDescription", description);
    return 0;
}

int ppv_encode(VipsImage *in, int format, int quality, int subsample, void **buf, size_t *len) {
    VipsForeignSubsample mode = subsample ? VIPS_FOREIGN_SUBSAMPLE_ON : VIPS_FOREIGN_SUBSAMPLE_OFF;
    switch (format) {
    case 0:
        return vips_jpegsave_buffer(in, buf, len, "Q", quality, "subsample_mode", mode,
                                    "optimize_coding", TRUE, "strip", FALSE, NULL);
    case 1:
        return vips_pngsave_buffer(in, buf, len, "compression", 6, "strip", FALSE, NULL);
    case 2:
        return vips_webpsave_buffer(in, buf, len, "Q", quality, "effort", 4, "strip", FALSE, NULL);
    case 3:
        return vips_heifsave_buffer(in, buf, len, "Q", quality, "compression", VIPS_FOREIGN_HEIF_COMPRESSION_AV1,
                                    "effort", 2, "subsample_mode", mode, "strip", FALSE, NULL);
    default:
        vips_error("photopipe", "unknown export format %d", format);
        return -1;
    }
}

int ppv_builtin_profile(const char *name, void **buf, size_t *len) {
    VipsBlob *profile = NULL;
    if (vips_profile_load(name, &profile, NULL) || !profile) return -1;
    size_t n = 0;
    const void *data = vips_blob_get(profile, &n);
    *buf = g_memdup2(data, n);
    *len = n;
    vips_area_unref(VIPS_AREA(profile));
    return 0;
}

int ppv_icc_is_srgb(VipsImage *in) {
    const void *have = NULL;
    size_t have_len = 0;
    if (!vips_image_get_typeof(in, "icc-profile-data")) return 0;
    if (vips_image_get_blob(in, "icc-profile-data", &have, &have_len)) return -1;
    void *want = NULL;
    size_t want_len = 0;
    if (ppv_builtin_profile("sRGB", &want, &want_len)) return -1;
    int same = have_len == want_len && memcmp(have, want, want_len) == 0;
    g_free(want);
    return same;
}

int ppv_has_field_containing(VipsImage *in, const char *text) {
    gchar **names = vips_image_get_fields(in);
    int found = 0;
    for (int i = 0; names && names[i] && !found; i++)
        if (strstr(names[i], text)) found = 1;
    g_strfreev(names);
    return found;
}

int ppv_border_min(VipsImage *in, double *min) {
    int w = vips_image_get_width(in), h = vips_image_get_height(in);
    int areas[4][4] = {{0, 0, w, 1}, {0, h - 1, w, 1}, {0, 0, 1, h}, {w - 1, 0, 1, h}};
    double lowest = 1e300;
    for (int i = 0; i < 4; i++) {
        VipsImage *strip = NULL;
        double m = 0;
        if (vips_extract_area(in, &strip, areas[i][0], areas[i][1], areas[i][2], areas[i][3], NULL)) return -1;
        int rc = vips_min(strip, &m, NULL);
        g_object_unref(strip);
        if (rc) return -1;
        if (m < lowest) lowest = m;
    }
    *min = lowest;
    return 0;
}

char *ppv_get_text(VipsImage *in, const char *name) {
    const char *s = NULL;
    if (!vips_image_get_typeof(in, name) || vips_image_get_string(in, name, &s)) { vips_error_clear(); return NULL; }
    return g_strdup(s);
}

void ppv_set_text(VipsImage *in, const char *name, const char *value) { vips_image_set_string(in, name, value); }
