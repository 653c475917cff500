// Camera RAW decoding through LibRaw's C API (see include/craw.h for the contract).
// fseeko/off_t past 2 GB, fileno
#define _FILE_OFFSET_BITS 64
#define _POSIX_C_SOURCE 200809L
#include "craw.h"

#include <errno.h>
#include <limits.h>
#include <libraw/libraw.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

// LibRaw's demosaic (user_qual): 0 bilinear, 1 VNG, 2 PPG, 3 AHD (LibRaw's default), 4 DCB,
// 11 DHT, 12 AAHD. PPG: on an 18 MP Sony ARW a whole decode takes 0.9 s of CPU against 1.9 s
// for AHD (bilinear 0.75 s, VNG 3 s, DHT 4 s, AAHD 7 s), and stays within 39 dB PSNR of AHD,
// where bilinear shows colour fringes on fine edges.
#ifndef PP_RAW_DEMOSAIC
#define PP_RAW_DEMOSAIC 2
#endif
// 1 keeps the exposure as shot (dcraw -W); 0 is LibRaw's default automatic brightening.
#ifndef PP_RAW_NO_AUTO_BRIGHT
#define PP_RAW_NO_AUTO_BRIGHT 0
#endif

static void fail(char *err, size_t errlen, const char *fmt, ...) {
    if (!err || errlen == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

// What LibRaw's callbacks saw. Installing our own also keeps LibRaw from printing to stderr.
typedef struct {
    int data_errors;   // corrupt-data reports (offset >= 0) and end-of-file hits (offset -1)
    int hit_eof;
    int memory_errors;
} reports;

static void on_data_error(void *data, const char *file, const int offset) {
    (void) file;
    reports *r = data;
    r->data_errors++;
    if (offset < 0) r->hit_eof = 1;
}

static void on_memory_error(void *data, const char *file, const char *where) {
    (void) file; (void) where;
    ((reports *) data)->memory_errors++;
}

// Names formats that are certainly not camera RAW, from the first bytes; NULL when the file
// may be RAW (TIFF-based RAWs share the TIFF signature, CR3 the ISO-BMFF one).
static const char *other_format(const unsigned char *h, size_t n) {
    if (n >= 3 && h[0] == 0xFF && h[1] == 0xD8 && h[2] == 0xFF) return "a JPEG image";
    if (n >= 8 && memcmp(h, "\x89PNG\r\n\x1a\n", 8) == 0) return "a PNG image";
    if (n >= 6 && (memcmp(h, "GIF87a", 6) == 0 || memcmp(h, "GIF89a", 6) == 0)) return "a GIF image";
    if (n >= 12 && memcmp(h, "RIFF", 4) == 0 && memcmp(h + 8, "WEBP", 4) == 0) return "a WebP image";
    if (n >= 5 && memcmp(h, "%PDF-", 5) == 0) return "a PDF document";
    if (n >= 12 && memcmp(h + 4, "ftyp", 4) == 0) {
        const unsigned char *b = h + 8;
        if (memcmp(b, "heic", 4) == 0 || memcmp(b, "heix", 4) == 0 || memcmp(b, "mif1", 4) == 0 ||
            memcmp(b, "msf1", 4) == 0 || memcmp(b, "hevc", 4) == 0) return "a HEIF/HEIC image";
        if (memcmp(b, "avif", 4) == 0 || memcmp(b, "avis", 4) == 0) return "an AVIF image";
        if (memcmp(b, "qt  ", 4) == 0 || memcmp(b, "isom", 4) == 0 || memcmp(b, "mp4", 3) == 0)
            return "a video (MP4/MOV)";
    }
    if (n >= 4 && memcmp(h, "PK\x03\x04", 4) == 0) return "a ZIP archive";
    return NULL;
}

// Checks what the file system and the first bytes can tell before LibRaw sees the file.
static int precheck(const char *path, char *err, size_t errlen) {
    if (!path || !*path) { fail(err, errlen, "no file name given"); return -1; }
    struct stat st;
    if (stat(path, &st) != 0) {
        fail(err, errlen, "cannot open file: %s", strerror(errno));
        return -1;
    }
    if (S_ISDIR(st.st_mode)) { fail(err, errlen, "not a file: it is a directory"); return -1; }
    if (!S_ISREG(st.st_mode)) { fail(err, errlen, "not a regular file"); return -1; }
    if (st.st_size == 0) { fail(err, errlen, "empty file (0 bytes)"); return -1; }
    FILE *f = fopen(path, "rb");
    if (!f) { fail(err, errlen, "cannot open file: %s", strerror(errno)); return -1; }
    unsigned char head[16];
    size_t n = fread(head, 1, sizeof head, f);
    fclose(f);
    const char *other = other_format(head, n);
    if (other) { fail(err, errlen, "not a RAW file: this is %s", other); return -1; }
    if (st.st_size < 512) {
        fail(err, errlen, "not a RAW file, or truncated: only %lld bytes", (long long) st.st_size);
        return -1;
    }
    return 0;
}

// ---- Truncation check --------------------------------------------------------------------
// Several of LibRaw 0.20's decoders (Sony ARW, Panasonic RW2, uncompressed DNG…) read past the
// end of a cut-off file without complaint and hand back rows of garbage. So before decoding we
// read the container's own map of where its data lies and refuse a file that ends before it:
// TIFF-based RAWs (ARW, NEF, NRW, CR2, DNG, ORF, RW2, PEF, SRW, ERF, 3FR, …): strips, tiles,
// JPEG previews and Panasonic's raw offset in every IFD and SubIFD; CR3: the top-level boxes;
// RAF: the offsets in its header. Other formats rely on LibRaw's own end-of-file checks.

typedef struct {
    FILE *f;
    long long size;     // file size
    int big_endian;
    int ifds;           // IFDs visited, against loops
    long long need;     // furthest byte the container says it uses
    int short_of_pieces; // an IFD lists fewer strips/tiles than its image size needs
} container;

static int read_at(container *c, long long off, void *buf, size_t n) {
    if (off < 0 || off + (long long) n > c->size) return -1;
    if (fseeko(c->f, (off_t) off, SEEK_SET) != 0) return -1;
    return fread(buf, 1, n, c->f) == n ? 0 : -1;
}

static unsigned long long get_uint(const container *c, const unsigned char *p, int bytes) {
    unsigned long long v = 0;
    for (int i = 0; i < bytes; i++)
        v = c->big_endian ? (v << 8) | p[i] : v | ((unsigned long long) p[i] << (8 * i));
    return v;
}

static void needs(container *c, long long end) { if (end > c->need) c->need = end; }

// Reads element i of a TIFF entry's array of SHORT/LONG values (inline or at its offset).
static int entry_value(container *c, const unsigned char *e, unsigned long long i, unsigned long long *v) {
    unsigned type = (unsigned) get_uint(c, e + 2, 2);
    unsigned long long count = get_uint(c, e + 4, 4);
    int width = type == 3 ? 2 : (type == 4 || type == 13) ? 4 : 0;
    if (!width || i >= count) return -1;
    unsigned char b[4];
    if (count * (unsigned long long) width <= 4) {
        memcpy(b, e + 8 + i * width, (size_t) width);
    } else {
        long long at = (long long) get_uint(c, e + 8, 4) + (long long) (i * width);
        needs(c, at + width);
        if (read_at(c, at, b, (size_t) width) != 0) return -1;
    }
    *v = get_uint(c, b, width);
    return 0;
}

static void walk_ifd(container *c, long long ifd, int depth) {
    while (ifd > 0 && c->ifds < 64 && depth <= 3) {
        c->ifds++;
        unsigned char n2[2];
        needs(c, ifd + 2);
        if (read_at(c, ifd, n2, 2) != 0) return;
        unsigned n = (unsigned) get_uint(c, n2, 2);
        if (n == 0 || n > 1000) return;
        size_t len = (size_t) n * 12 + 4;
        unsigned char *d = malloc(len);
        if (!d) return;
        needs(c, ifd + 2 + (long long) len);
        if (read_at(c, ifd + 2, d, len) != 0) { free(d); return; }
        const unsigned char *offsets = NULL, *counts = NULL, *jpeg = NULL, *jpeg_len = NULL;
        const unsigned char *subifds = NULL;
        unsigned long long dim[6] = {0};   // width, length, tile w, tile l, rows per strip, planar
        int tiled = 0;
        for (unsigned i = 0; i < n; i++) {
            const unsigned char *e = d + (size_t) i * 12;
            switch (get_uint(c, e, 2)) {
            case 0x100: entry_value(c, e, 0, &dim[0]); break; // ImageWidth
            case 0x101: entry_value(c, e, 0, &dim[1]); break; // ImageLength
            case 0x142: entry_value(c, e, 0, &dim[2]); break; // TileWidth
            case 0x143: entry_value(c, e, 0, &dim[3]); break; // TileLength
            case 0x116: entry_value(c, e, 0, &dim[4]); break; // RowsPerStrip
            case 0x11C: entry_value(c, e, 0, &dim[5]); break; // PlanarConfiguration
            case 0x144: tiled = 1; offsets = e; break;     // TileOffsets
            case 0x111: offsets = e; break;                // StripOffsets
            case 0x117: case 0x145: counts = e; break;     // StripByteCounts, TileByteCounts
            case 0x201: jpeg = e; break;                   // JPEGInterchangeFormat
            case 0x202: jpeg_len = e; break;               // JPEGInterchangeFormatLength
            case 0x14A: subifds = e; break;                // SubIFDs
            case 0x118: {                                  // Panasonic RW2: RawDataOffset
                unsigned long long v;
                if (entry_value(c, e, 0, &v) == 0 && v > 0) needs(c, (long long) v + 1);
                break;
            }
            default: break;
            }
        }
        if (offsets) {
            unsigned long long k = get_uint(c, offsets + 4, 4), expected = 0;
            if (tiled && dim[0] && dim[1] && dim[2] && dim[3])
                expected = ((dim[0] + dim[2] - 1) / dim[2]) * ((dim[1] + dim[3] - 1) / dim[3]);
            else if (!tiled && dim[1] && dim[4])
                expected = (dim[1] + dim[4] - 1) / dim[4];
            if (expected && dim[5] != 2 && k < expected) c->short_of_pieces = 1;
            if (k > 65536) k = 65536;
            for (unsigned long long i = 0; i < k; i++) {
                unsigned long long off, cnt = 0;
                if (entry_value(c, offsets, i, &off) != 0) break;
                if (counts && entry_value(c, counts, i, &cnt) != 0) cnt = 0;
                if (off > 0) needs(c, (long long) (off + (cnt ? cnt : 1)));
            }
        }
        if (jpeg && jpeg_len) {
            unsigned long long off, cnt;
            if (entry_value(c, jpeg, 0, &off) == 0 && entry_value(c, jpeg_len, 0, &cnt) == 0 && off > 0)
                needs(c, (long long) (off + cnt));
        }
        if (subifds) {
            unsigned long long k = get_uint(c, subifds + 4, 4);
            for (unsigned long long i = 0; i < k && i < 8; i++) {
                unsigned long long sub;
                if (entry_value(c, subifds, i, &sub) == 0) walk_ifd(c, (long long) sub, depth + 1);
            }
        }
        long long next = (long long) get_uint(c, d + (size_t) n * 12, 4);
        free(d);
        if (next <= ifd) return;   // chains only go forward here; stops loops
        ifd = next;
    }
}

// 0 when the file holds everything its container points at, or when the format is not one
// we map; -1 with err when it ends early.
static int check_complete(const char *path, char *err, size_t errlen) {
    container c = { .f = fopen(path, "rb") };
    if (!c.f) return 0;   // LibRaw already opened it; nothing more to learn here
    unsigned char h[112];   // RAF keeps its offsets up to byte 108
    struct stat st;
    if (fstat(fileno(c.f), &st) != 0 || st.st_size < (off_t) sizeof h) { fclose(c.f); return 0; }
    c.size = (long long) st.st_size;
    if (fread(h, 1, sizeof h, c.f) != sizeof h) { fclose(c.f); return 0; }

    if ((h[0] == 'I' && h[1] == 'I') || (h[0] == 'M' && h[1] == 'M')) {
        c.big_endian = h[0] == 'M';
        unsigned magic = (unsigned) get_uint(&c, h + 2, 2);
        // 42: TIFF; 0x4f52 / 0x5352: Olympus ORF; 0x55: Panasonic RW2
        if (magic == 42 || magic == 0x4f52 || magic == 0x5352 || magic == 0x55)
            walk_ifd(&c, (long long) get_uint(&c, h + 4, 4), 0);
    } else if (memcmp(h + 4, "ftyp", 4) == 0) {       // ISO BMFF (CR3): top-level boxes
        long long at = 0;
        for (int boxes = 0; at < c.size && boxes < 64; boxes++) {
            unsigned char b[16];
            if (at + 8 > c.size) { needs(&c, at + 8); break; }
            if (read_at(&c, at, b, 8) != 0) break;
            c.big_endian = 1;
            unsigned long long box = get_uint(&c, b, 4);
            if (box == 1) {
                if (read_at(&c, at + 8, b + 8, 8) != 0) { needs(&c, at + 16); break; }
                box = get_uint(&c, b + 8, 8);
            } else if (box == 0) {
                break;                                 // runs to the end of the file
            }
            if (box < 8 || box > (unsigned long long) LLONG_MAX / 2) break;
            needs(&c, at + (long long) box);
            at += (long long) box;
        }
    } else if (memcmp(h, "FUJIFILMCCD-RAW", 15) == 0) {   // RAF: JPEG, CFA header, CFA data
        c.big_endian = 1;
        for (int i = 0; i < 3; i++) {
            unsigned long long off = get_uint(&c, h + 84 + 8 * i, 4), len = get_uint(&c, h + 88 + 8 * i, 4);
            if (off > 0) needs(&c, (long long) (off + len));
        }
    }
    fclose(c.f);
    if (c.short_of_pieces) {
        fail(err, errlen, "damaged RAW file: it lists fewer image strips or tiles than its size needs");
        return -1;
    }
    if (c.need > c.size) {
        fail(err, errlen, "truncated RAW file: it has %lld bytes but its data runs to byte %lld "
             "(%.0f%% present)", c.size, c.need, 100.0 * (double) c.size / (double) c.need);
        return -1;
    }
    return 0;
}

// LibRaw 0.20 walks a Phase One (IIQ) metadata directory with an unchecked 32-bit entry count:
// a damaged count, or a directory beyond the end of the file (read back as 0xFFFFFFFF), keeps
// it busy for hours inside libraw_open_file, where it cannot be cancelled. Found by mutating
// real IIQ headers. Check that directory before LibRaw sees the file.
static int phase_one_guard(const char *path, char *err, size_t errlen) {
    container c = { .f = fopen(path, "rb") };
    if (!c.f) return 0;
    struct stat st;
    unsigned char head[32];
    if (fstat(fileno(c.f), &st) != 0) { fclose(c.f); return 0; }
    c.size = (long long) st.st_size;
    if (read_at(&c, 0, head, sizeof head) != 0) { fclose(c.f); return 0; }
    long long base = -1;
    for (int i = 0; i + 4 <= 32 && base < 0; i++) if (memcmp(head + i, "MMMM", 4) == 0) base = i;
    for (int i = 0; i + 4 <= 32 && base < 0; i++) if (memcmp(head + i, "IIII", 4) == 0) base = i;
    int bad = 0;
    unsigned char b[16];
    if (base >= 0 && read_at(&c, base, b, 12) == 0) {
        // LibRaw reads the byte order from the first word, then expects "Raw" after it.
        c.big_endian = !(b[0] == 'I' && b[1] == 'I');
        if ((get_uint(&c, b + 4, 4) >> 8) == 0x526177) {
            unsigned offset = (unsigned) get_uint(&c, b + 8, 4);
            unsigned dir = offset + (unsigned) base, meta = 0, entries = 0;
            if (offset == 0xbad0bad) { fclose(c.f); return 0; }
            if (read_at(&c, dir, b, 4) != 0) bad = 1;
            else if ((entries = (unsigned) get_uint(&c, b, 4)) <= 8192) {   // more: LibRaw gives up
                for (unsigned i = 0; i < entries && !bad; i++) {
                    if (read_at(&c, (long long) dir + 8 + 16LL * i, b, 16) != 0) { bad = 1; break; }
                    if (get_uint(&c, b, 4) == 0x0110) meta = (unsigned) get_uint(&c, b + 12, 4) + (unsigned) base;
                }
                if (!bad) {
                    // the second directory: byte order at meta, its offset at meta + 8
                    if (read_at(&c, meta, b, 12) != 0) bad = 1;
                    else {
                        c.big_endian = !(b[0] == 'I' && b[1] == 'I');
                        unsigned dir2 = meta + (unsigned) get_uint(&c, b + 8, 4);
                        if (read_at(&c, dir2, b, 4) != 0 || get_uint(&c, b, 4) > 8192) bad = 1;
                    }
                }
            }
        }
    }
    fclose(c.f);
    if (bad) {
        fail(err, errlen, "damaged or truncated Phase One (IIQ) file: its metadata directory is "
             "broken or missing");
        return -1;
    }
    return 0;
}

static void camera_name(libraw_data_t *lr, char *buf, size_t len) {
    const char *make = lr->idata.make, *model = lr->idata.model;
    if (make[0] && model[0] && strncmp(model, make, strlen(make)) != 0)
        snprintf(buf, len, "%s %s", make, model);
    else
        snprintf(buf, len, "%s", model[0] ? model : make);
}

// Turns a LibRaw return code into a sentence. stage: "header", "unpack", "develop", "output".
static void explain(libraw_data_t *lr, int rc, const reports *rep, const char *stage,
                    char *err, size_t errlen) {
    char cam[140] = "";
    if (lr) camera_name(lr, cam, sizeof cam);
    switch (rc) {
    case LIBRAW_FILE_UNSUPPORTED:
        if (lr && lr->idata.dng_version)
            fail(err, errlen, "DNG variant not supported by LibRaw 0.20%s%s%s (e.g. JPEG XL compression "
                 "of DNG 1.7): convert it with an older DNG setting", cam[0] ? " (" : "", cam,
                 cam[0] ? ")" : "");
        else if (cam[0])
            fail(err, errlen, "cannot decode this %s file: camera not supported by LibRaw 0.20, "
                 "or the file is damaged or truncated", cam);
        else
            fail(err, errlen, "not a RAW file, or a RAW format LibRaw 0.20 does not know");
        break;
    case LIBRAW_IO_ERROR:
    case LIBRAW_DATA_ERROR:
        fail(err, errlen, "truncated or damaged RAW file (%s)%s", stage,
             rep && rep->hit_eof ? ": data ends early" : "");
        break;
    case LIBRAW_UNSUFFICIENT_MEMORY:
        fail(err, errlen, "not enough memory to decode this RAW file (%s)", stage);
        break;
    case LIBRAW_TOO_BIG:
        fail(err, errlen, "RAW file declares an image too large to decode");
        break;
    case LIBRAW_MEMPOOL_OVERFLOW:
        fail(err, errlen, "damaged RAW file: decoder ran out of its allocation pool");
        break;
    case LIBRAW_REQUEST_FOR_NONEXISTENT_IMAGE:
        fail(err, errlen, "RAW file holds no image at the requested index");
        break;
    case LIBRAW_CANCELLED_BY_CALLBACK:
        fail(err, errlen, "decoding cancelled");
        break;
    case LIBRAW_NOT_IMPLEMENTED:
        fail(err, errlen, "this RAW variant is not implemented in LibRaw 0.20%s%s%s",
             cam[0] ? " (" : "", cam, cam[0] ? ")" : "");
        break;
    default:
        if (rc > 0)   // LibRaw passes errno values through from some calls
            fail(err, errlen, "RAW decoding failed (%s): %s", stage, strerror(rc));
        else
            fail(err, errlen, "RAW decoding failed (%s): %s", stage, libraw_strerror(rc));
    }
}

static libraw_data_t *open_raw(const char *path, reports *rep, char *err, size_t errlen) {
    libraw_data_t *lr = libraw_init(LIBRAW_OPIONS_NO_MEMERR_CALLBACK | LIBRAW_OPIONS_NO_DATAERR_CALLBACK);
    if (!lr) { fail(err, errlen, "not enough memory to start the RAW decoder"); return NULL; }
    libraw_set_dataerror_handler(lr, on_data_error, rep);
    libraw_set_memerror_handler(lr, on_memory_error, rep);
    int rc = libraw_open_file(lr, path);
    if (rc != LIBRAW_SUCCESS) {
        explain(lr, rc, rep, "header", err, errlen);
        libraw_close(lr);
        return NULL;
    }
    if (lr->sizes.raw_width == 0 || lr->sizes.raw_height == 0 || lr->sizes.width == 0 ||
        lr->sizes.height == 0) {
        fail(err, errlen, "damaged RAW file: header declares no image area");
        libraw_close(lr);
        return NULL;
    }
    return lr;
}

int pp_raw_probe(const char *path, int *width, int *height, int *flip, char *err, size_t errlen) {
    if (err && errlen) err[0] = 0;
    if (precheck(path, err, errlen) != 0) return -1;
    if (phase_one_guard(path, err, errlen) != 0) return -1;
    reports rep = {0};
    libraw_data_t *lr = open_raw(path, &rep, err, errlen);
    if (!lr) return -1;
    if (check_complete(path, err, errlen) != 0) { libraw_close(lr); return -1; }
    int orientation = lr->sizes.flip;
    int rc = libraw_adjust_sizes_info_only(lr);   // fills iwidth/iheight as output will be
    if (rc != LIBRAW_SUCCESS) {
        explain(lr, rc, &rep, "header", err, errlen);
        libraw_close(lr);
        return -1;
    }
    int w = lr->sizes.iwidth, h = lr->sizes.iheight;
    libraw_close(lr);
    if (w <= 0 || h <= 0) { fail(err, errlen, "damaged RAW file: header declares no image area"); return -1; }
    if (width) *width = w;
    if (height) *height = h;
    if (flip) *flip = orientation;
    return 0;
}

void pp_raw_free(pp_raw_image *img) {
    if (!img) return;
    if (img->pixels) {
        // pixels points into a libraw_processed_image_t: step back to its start.
        unsigned char *base = img->pixels - offsetof(libraw_processed_image_t, data);
        libraw_dcraw_clear_mem((libraw_processed_image_t *) (void *) base);
    }
    memset(img, 0, sizeof *img);
}

int pp_raw_decode(const char *path, long long max_pixels, int half_size, pp_raw_image *out,
                  char *err, size_t errlen) {
    if (err && errlen) err[0] = 0;
    if (!out) { fail(err, errlen, "no output image given"); return -1; }
    memset(out, 0, sizeof *out);

    // Exact output size first, from a header-only pass (LibRaw's size adjustment cannot be
    // undone on the handle that will decode).
    int full_w = 0, full_h = 0, flip = 0;
    if (pp_raw_probe(path, &full_w, &full_h, &flip, err, errlen) != 0) return -1;
    if (max_pixels > 0 && (long long) full_w * full_h > max_pixels) {
        fail(err, errlen, "RAW frame too large: %dx%d (%.1f MP) is over the limit of %.1f MP",
             full_w, full_h, full_w * (double) full_h / 1e6, (double) max_pixels / 1e6);
        return -1;
    }

    reports rep = {0};
    libraw_data_t *lr = open_raw(path, &rep, err, errlen);
    if (!lr) return -1;
    long long sensor = (long long) lr->sizes.raw_width * lr->sizes.raw_height;
    if (max_pixels > 0 && sensor > 2 * max_pixels) {
        fail(err, errlen, "RAW frame too large: sensor area %ux%u is over twice the limit of %.1f MP",
             lr->sizes.raw_width, lr->sizes.raw_height, (double) max_pixels / 1e6);
        libraw_close(lr);
        return -1;
    }

    lr->params.use_camera_wb = 1;       // the photographer's white balance, as shot
    lr->params.use_camera_matrix = 1;   // embedded colour matrix where the file has one (DNG)
    lr->params.output_color = 1;        // sRGB primaries
    lr->params.output_bps = 8;
    lr->params.user_qual = PP_RAW_DEMOSAIC;
    lr->params.half_size = half_size ? 1 : 0;
    lr->params.no_auto_bright = PP_RAW_NO_AUTO_BRIGHT;
    lr->params.user_flip = -1;          // the file's own orientation

    const char *stage = "unpack";
    int rc = libraw_unpack(lr);
    if (rc == LIBRAW_SUCCESS && rep.data_errors > 0) rc = LIBRAW_DATA_ERROR;
    if (rc == LIBRAW_SUCCESS) {
        stage = "develop";
        rc = libraw_dcraw_process(lr);
        if (rc == LIBRAW_SUCCESS && rep.data_errors > 0) rc = LIBRAW_DATA_ERROR;
    }
    if (rc == LIBRAW_SUCCESS && rep.memory_errors > 0) rc = LIBRAW_UNSUFFICIENT_MEMORY;
    if (rc != LIBRAW_SUCCESS) {
        explain(lr, rc, &rep, stage, err, errlen);
        libraw_close(lr);
        return -1;
    }

    int errc = 0;
    libraw_processed_image_t *img = libraw_dcraw_make_mem_image(lr, &errc);
    libraw_close(lr);
    if (!img) {
        if (errc == ENOMEM) fail(err, errlen, "not enough memory for the decoded RAW image");
        else explain(NULL, errc ? errc : LIBRAW_UNSPECIFIED_ERROR, NULL, "output", err, errlen);
        return -1;
    }
    if (img->type != LIBRAW_IMAGE_BITMAP || img->bits != 8 || (img->colors != 3 && img->colors != 1) ||
        img->width == 0 || img->height == 0 ||
        (unsigned long long) img->width * img->height * img->colors != img->data_size) {
        fail(err, errlen, "RAW decoder produced an unexpected image layout (%ux%u, %d colours, %d bits)",
             img->width, img->height, img->colors, img->bits);
        libraw_dcraw_clear_mem(img);
        return -1;
    }
    out->width = img->width;
    out->height = img->height;
    out->bands = img->colors;
    out->pixels = img->data;   // freed through pp_raw_free, which finds img again
    return 0;
}
