// What a RAW file says about its camera and shot, read from its header by LibRaw (libexif
// reads EXIF from JPEG-style blocks only). Strings are NUL-terminated and may be empty; numbers
// are 0 when absent.
#ifndef PHOTOPIPE_CRAWMETA_H
#define PHOTOPIPE_CRAWMETA_H

#include <stddef.h>

typedef struct {
    char make[64], model[64], lens[128], body_serial[64], artist[64];
    float iso, shutter, aperture, focal_length;
    /* The shot's local date and time as the camera wrote it: "YYYY:MM:DD HH:MM:SS", or "". */
    char capture_time[20];
} pp_raw_metadata;

// Returns 0 and fills *out, or -1 with err filled (not a RAW file LibRaw reads).
int pp_raw_read_metadata(const char *path, pp_raw_metadata *out, char *err, size_t errlen);

#endif
