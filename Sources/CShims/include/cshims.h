// C wrappers for what Swift cannot call: variadic libvips functions, GObject
// macros, GLib checksums and inotify's flexible array member.
#ifndef PHOTOPIPE_CSHIMS_H
#define PHOTOPIPE_CSHIMS_H

#include <vips/vips.h>
#include <sys/inotify.h>
#include <libexif/exif-data.h>
#include "cexif.h"
#include "cexport.h"
#include "csheet.h"

// Library setup: turns the operation cache off (a watch folder reuses names)
// and blocks loaders that are not meant for untrusted input.
int ppv_init(const char *argv0, int threads);
// Reads and clears the vips error buffer in one step; free with ppv_free.
char *ppv_error_copy(void);
void ppv_free(void *p);
void ppv_unref(VipsImage *image);

// Header-only open: pixels are not decoded until an operation needs them.
const char *ppv_find_loader(const char *path);
VipsImage *ppv_open(const char *path, int fail_on_truncated);
// Opened for one top-to-bottom read: a JPEG is decoded only as far down as the rows asked for.
VipsImage *ppv_open_sequential(const char *path);
int ppv_width(VipsImage *image);
int ppv_height(VipsImage *image);
int ppv_bands(VipsImage *image);
int ppv_orientation(VipsImage *image);
int ppv_has_icc(VipsImage *image);
int ppv_has_alpha(VipsImage *image);
// A metadata blob (exif-data, xmp-data, iptc-data, icc-profile-data) of the header; NULL when absent.
const void *ppv_blob(VipsImage *image, const char *name, size_t *length);

// Operations: each returns 0 on success and sets *out.
int ppv_autorot(VipsImage *in, VipsImage **out);
int ppv_to_srgb8(VipsImage *in, VipsImage **out);
int ppv_resize(VipsImage *in, VipsImage **out, double scale);
int ppv_flatten(VipsImage *in, VipsImage **out, double r, double g, double b);
int ppv_embed(VipsImage *in, VipsImage **out, int x, int y, int width, int height,
              double r, double g, double b);
int ppv_copy_memory(VipsImage *in, VipsImage **out);
int ppv_avg(VipsImage *in, double *out);
// sRGB thumbnail of exactly width×height pixels (aspect ignored), copied into out (width*height*3 bytes).
int ppv_rgb_thumbnail(VipsImage *in, int width, int height, unsigned char *out);
// JPEG shrink-on-load (shrink 1, 2, 4 or 8): the decoder skips the detail it would throw away.
// Other formats ignore shrink.
VipsImage *ppv_open_shrunk(const char *path, int fail_on_truncated, int shrink);
// The pixels of an 8-bit image, packed; free with ppv_free. NULL on failure.
void *ppv_pixels(VipsImage *in, size_t *size);
// An 8-bit sRGB (or B_W for one band) image from packed pixels, copied.
VipsImage *ppv_from_pixels(const void *data, size_t size, int width, int height, int bands);
int ppv_crop(VipsImage *in, VipsImage **out, int left, int top, int width, int height);
// Reads one pixel into values (up to max bands); returns the band count or -1.
int ppv_getpoint(VipsImage *in, int x, int y, double *values, int max);

// Synthesis primitives (used by the sample-shot generator).
int ppv_xyz(int width, int height, VipsImage **out);
int ppv_extract_band(VipsImage *in, VipsImage **out, int band);
int ppv_linear(VipsImage *in, VipsImage **out, const double *a, const double *b, int n);
int ppv_add(VipsImage *left, VipsImage *right, VipsImage **out);
int ppv_multiply(VipsImage *left, VipsImage *right, VipsImage **out);
int ppv_less_const(VipsImage *in, VipsImage **out, double c);
int ppv_ifthenelse(VipsImage *cond, VipsImage *in1, VipsImage *in2, VipsImage **out);
int ppv_gaussblur(VipsImage *in, VipsImage **out, double sigma);
int ppv_gaussnoise(int width, int height, double sigma, VipsImage **out);
int ppv_cast_uchar(VipsImage *in, VipsImage **out);

// Savers. strip removes metadata.
int ppv_jpegsave(VipsImage *in, const char *path, int quality, int strip, int no_subsample, int optimize_coding);
// Lossless TIFF, zstd level 1 with a horizontal predictor: the fastest lossless master libvips writes.
int ppv_tiffsave_zstd(VipsImage *in, const char *path);
int ppv_pngsave(VipsImage *in, const char *path, int compression);
int ppv_set_orientation(VipsImage *image, int orientation);


// inotify: the flexible array member `name` is not imported by Swift.
const char *pp_inotify_event_name(const struct inotify_event *event);

#endif
