// Camera RAW decoding (CR2/CR3, NEF, ARW, RAF, DNG, ORF, RW2, IIQ, …) through LibRaw's C API,
// to interleaved 8-bit sRGB with the camera's white balance, for the retouch stage.
//
// Link against libraw_r (the thread-safe build; Debian: libraw-dev), not libraw: several
// frames may be decoded at once on different threads, each with its own LibRaw handle.
// Debian 12's LibRaw 0.20 links OpenMP, but its PPG develop runs on one core here: user time
// equals wall time, and OMP_NUM_THREADS=1 changes nothing (measured on a 24 MP DNG).
//
// Orientation: the pixels come out already turned upright. LibRaw applies the camera's
// orientation flag while it copies the developed frame out (dcraw_make_mem_image), and
// width/height are those of the turned image. So do NOT rotate again from the EXIF
// Orientation of the RAW file or of its embedded preview. `flip` from pp_raw_probe is
// informative only: LibRaw's code 0 = as shot, 3 = 180°, 5 = 90° counter-clockwise
// (EXIF orientation 8), 6 = 90° clockwise (EXIF orientation 6).
//
// Tone: LibRaw's defaults, i.e. BT.709 gamma curve (power 0.45, slope 4.5) — close to but not
// exactly the sRGB curve — and its automatic brightening, which scales each frame so that
// about 1% of pixels reach white (like dcraw without -W): nearer the camera's own JPEG than
// the darker as-exposed rendering, but it evens out brightness from frame to frame.
// Colour: camera matrix to sRGB primaries (output_color 1), the camera's "as shot" white
// balance, highlights clipped, PPG demosaicing (half the CPU of LibRaw's default AHD, close
// to it in quality). When the file carries no camera white balance, LibRaw 0.20 silently
// falls back to an automatic (grey-world) white balance.
//
// Errors are sentences for people: "not a RAW file: this is a JPEG image",
// "truncated or damaged RAW file", "camera not supported by LibRaw 0.20 (Make Model)", …
#ifndef PHOTOPIPE_CRAW_H
#define PHOTOPIPE_CRAW_H

#include <stddef.h>

typedef struct {
    int width, height, bands;   // bands: 3 (RGB), or 1 for monochrome sensors
    unsigned char *pixels;      // interleaved 8-bit, rows of width*bands bytes, no padding; owned
} pp_raw_image;

// Reads only the header. width/height: the size pp_raw_decode will produce with half_size 0
// (after the orientation turn, Fuji 45° sensor rotation and non-square-pixel stretch);
// flip: LibRaw's orientation code (see above). Returns 0, or -1 with err filled
// (not a raw file, unsupported camera, truncated header, cannot open). err may be NULL.
int pp_raw_probe(const char *path, int *width, int *height, int *flip, char *err, size_t errlen);

// Full decode to 8-bit sRGB with the camera's white balance. max_pixels: refuse, before
// unpacking, a frame whose full-size output (as pp_raw_probe reports it, regardless of
// half_size) has more pixels than this, or whose sensor area exceeds twice this; <= 0 means
// no limit of ours (LibRaw's own 2 GB allocation cap still holds). half_size: 1 skips
// demosaicing and gives a half-width, half-height image (about 4x faster), for previews.
// Refuses files whose RAW data is cut short (checked against the container's own map of
// strips/tiles/boxes, since several LibRaw 0.20 decoders read past the end silently) or that
// the decoder reports corrupt. Bit errors inside compressed data are not detectable: they
// decode to noisy pixels.
// Returns 0 (fill *out; release with pp_raw_free) or -1 with err (*out zeroed).
int pp_raw_decode(const char *path, long long max_pixels, int half_size, pp_raw_image *out,
                  char *err, size_t errlen);

// Frees the pixels (safe on a zeroed or already freed image) and zeroes the struct.
void pp_raw_free(pp_raw_image *img);

#endif
