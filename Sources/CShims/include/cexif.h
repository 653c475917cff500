// libexif access that Swift cannot express: macros over IFDs, byte-order-aware numbers.
#ifndef PHOTOPIPE_CEXIF_H
#define PHOTOPIPE_CEXIF_H
#include <stddef.h>
#include <libexif/exif-data.h>

// Parses an EXIF blob ("Exif\0\0…", as libvips hands it out). NULL when unusable.
ExifData *pp_exif_parse(const unsigned char *data, size_t length);
void pp_exif_unref(ExifData *d);
// The tag's value as libexif formats it (ASCII tags: the text). Looks in IFD0, EXIF, IFD1.
// Returns 1 when present.
int pp_exif_text(ExifData *d, int tag, char *buffer, unsigned size);
// The tag's first component as a number (SHORT, LONG, RATIONAL, SRATIONAL…). Returns 1 when present.
int pp_exif_number(ExifData *d, int tag, double *out);
// Entries in the GPS IFD (location is personal data: noted, never copied).
int pp_exif_gps_entries(ExifData *d);
// Entries across all IFDs, to spot absurd tag counts.
int pp_exif_entry_count(ExifData *d);
#endif
