#include "cexif.h"
#include <libexif/exif-utils.h>
#include <string.h>

ExifData *pp_exif_parse(const unsigned char *data, size_t length) {
    if (!data || length < 6 || length > 1024 * 1024) return NULL;
    ExifData *d = exif_data_new();
    if (!d) return NULL;
    // Read what is there; do not "fix" entries to the specification or touch MakerNotes.
    exif_data_unset_option(d, EXIF_DATA_OPTION_FOLLOW_SPECIFICATION);
    exif_data_set_option(d, EXIF_DATA_OPTION_DONT_CHANGE_MAKER_NOTE);
    exif_data_load_data(d, data, (unsigned int) length);
    return d;
}

void pp_exif_unref(ExifData *d) { if (d) exif_data_unref(d); }

static ExifEntry *find(ExifData *d, int tag) {
    const ExifIfd order[] = { EXIF_IFD_0, EXIF_IFD_EXIF, EXIF_IFD_1 };
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        ExifEntry *e = exif_content_get_entry(d->ifd[order[i]], (ExifTag) tag);
        if (e) return e;
    }
    return NULL;
}

int pp_exif_text(ExifData *d, int tag, char *buffer, unsigned size) {
    if (!d || size == 0) return 0;
    ExifEntry *e = find(d, tag);
    if (!e) return 0;
    buffer[0] = 0;
    exif_entry_get_value(e, buffer, size);
    buffer[size - 1] = 0;
    return 1;
}

int pp_exif_number(ExifData *d, int tag, double *out) {
    if (!d) return 0;
    ExifEntry *e = find(d, tag);
    if (!e || !e->data || e->components < 1) return 0;
    ExifByteOrder o = exif_data_get_byte_order(d);
    unsigned size = exif_format_get_size(e->format);
    if (size == 0 || e->size < size) return 0;
    switch (e->format) {
    case EXIF_FORMAT_SHORT: *out = exif_get_short(e->data, o); return 1;
    case EXIF_FORMAT_SSHORT: *out = exif_get_sshort(e->data, o); return 1;
    case EXIF_FORMAT_LONG: *out = exif_get_long(e->data, o); return 1;
    case EXIF_FORMAT_SLONG: *out = exif_get_slong(e->data, o); return 1;
    case EXIF_FORMAT_BYTE: *out = e->data[0]; return 1;
    case EXIF_FORMAT_RATIONAL: {
        ExifRational r = exif_get_rational(e->data, o);
        if (r.denominator == 0) return 0;
        *out = (double) r.numerator / r.denominator;
        return 1;
    }
    case EXIF_FORMAT_SRATIONAL: {
        ExifSRational r = exif_get_srational(e->data, o);
        if (r.denominator == 0) return 0;
        *out = (double) r.numerator / r.denominator;
        return 1;
    }
    default: return 0;
    }
}

int pp_exif_gps_entries(ExifData *d) {
    return d && d->ifd[EXIF_IFD_GPS] ? (int) d->ifd[EXIF_IFD_GPS]->count : 0;
}

int pp_exif_entry_count(ExifData *d) {
    if (!d) return 0;
    int n = 0;
    for (int i = 0; i < EXIF_IFD_COUNT; i++) if (d->ifd[i]) n += (int) d->ifd[i]->count;
    return n;
}
