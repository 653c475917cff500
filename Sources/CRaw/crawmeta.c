#include "crawmeta.h"

#include <libraw/libraw.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static void copy_text(char *dst, size_t size, const char *src) {
    size_t n = strnlen(src, size - 1);
    memcpy(dst, src, n);
    dst[n] = 0;
}

int pp_raw_read_metadata(const char *path, pp_raw_metadata *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    libraw_data_t *raw = libraw_init(0);
    if (!raw) { if (err && errlen) snprintf(err, errlen, "cannot start LibRaw"); return -1; }
    int rc = libraw_open_file(raw, path);
    if (rc != LIBRAW_SUCCESS) {
        if (err && errlen) snprintf(err, errlen, "%s", libraw_strerror(rc));
        libraw_close(raw);
        return -1;
    }
    copy_text(out->make, sizeof out->make, raw->idata.make);
    copy_text(out->model, sizeof out->model, raw->idata.model);
    copy_text(out->lens, sizeof out->lens, raw->lens.Lens);
    copy_text(out->body_serial, sizeof out->body_serial, raw->shootinginfo.BodySerial);
    copy_text(out->artist, sizeof out->artist, raw->other.artist);
    out->iso = raw->other.iso_speed;
    out->shutter = raw->other.shutter;
    out->aperture = raw->other.aperture;
    out->focal_length = raw->other.focal_len;
    // LibRaw turned the camera's local date and time into a time_t with mktime: localtime turns
    // it back into the same fields in the same process.
    if (raw->other.timestamp > 0) {
        time_t t = raw->other.timestamp;
        struct tm tm;
        if (localtime_r(&t, &tm))
            strftime(out->capture_time, sizeof out->capture_time, "%Y:%m:%d %H:%M:%S", &tm);
    }
    libraw_close(raw);
    return 0;
}
