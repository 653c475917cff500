// Export helpers: metadata policy, encoding to memory, and the checks run on written files.
#ifndef PHOTOPIPE_CEXPORT_H
#define PHOTOPIPE_CEXPORT_H

#include <vips/vips.h>

int ppv_concurrency_get(void);
void ppv_concurrency_set(int threads);
// Resamples with alpha premultiplied, so transparent edges keep their colour.
int ppv_resize_premultiplied(VipsImage *in, VipsImage **out, double scale);
// Resamples with a bicubic kernel: for channel renders, where it is within a tenth of a level of
// Lanczos on average and a fifth quicker.
int ppv_resize_cubic(VipsImage *in, VipsImage **out, double scale);
// The bounding box of pixels whose alpha (last band) is above zero; width 0 when there are none.
int ppv_alpha_bounds(VipsImage *in, int *left, int *top, int *width, int *height);
// Places in on a width×height canvas of zeros (transparent when in has alpha).
int ppv_embed_clear(VipsImage *in, VipsImage **out, int x, int y, int width, int height);
// A copy with every metadata field removed, then libvips' sRGB ICC profile attached, plus the
// given XMP packet and EXIF IFD0 text (Artist, Copyright, ImageDescription); NULL leaves one out.
int ppv_export_metadata(VipsImage *in, VipsImage **out, const char *xmp,
                        const char *artist, const char *copyright, const char *description);
// Encodes to memory: format 0 JPEG, 1 PNG, 2 WebP, 3 AVIF. Free *buf with ppv_free.
int ppv_encode(VipsImage *in, int format, int quality, int subsample, void **buf, size_t *len);
// 1 when the image carries libvips' sRGB profile byte for byte, 0 when not, -1 on error.
int ppv_icc_is_srgb(VipsImage *in);
// 1 when any metadata field name contains text (e.g. "exif-ifd3-", the GPS IFD).
int ppv_has_field_containing(VipsImage *in, const char *text);
// Smallest value, over all bands, of the one-pixel ring along the image's edges.
int ppv_border_min(VipsImage *in, double *min);
// A metadata string field (e.g. "exif-ifd0-Copyright"); NULL when absent. Free with ppv_free.
char *ppv_get_text(VipsImage *in, const char *name);
void ppv_set_text(VipsImage *in, const char *name, const char *value);
// The ICC profile libvips ships for a name such as "sRGB"; free *buf with ppv_free.
int ppv_builtin_profile(const char *name, void **buf, size_t *len);

#endif
