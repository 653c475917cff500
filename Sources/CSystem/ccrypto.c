#include "ccrypto.h"
#include <glib.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void pp_sha256_hex(const void *data, size_t length, char hex[65]) {
    gchar *s = g_compute_checksum_for_data(G_CHECKSUM_SHA256, data, length);
    memcpy(hex, s, 64);
    hex[64] = 0;
    g_free(s);
}

void pp_hmac_sha256(const void *key, size_t key_length, const void *data, size_t length, unsigned char out[32]) {
    GHmac *h = g_hmac_new(G_CHECKSUM_SHA256, key, key_length);
    g_hmac_update(h, data, (gssize) length);
    gsize n = 32;
    g_hmac_get_digest(h, out, &n);
    g_hmac_unref(h);
}

int pp_sha256_file(const char *path, char hex[65], long long *bytes) {
    // Never follow a swapped-in symlink, never block on a FIFO.
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0) return -1;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        errno = EINVAL;
        return -1;
    }
    GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
    unsigned char buf[1 << 16];
    long long total = 0;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            int saved = errno;
            g_checksum_free(sum);
            close(fd);
            errno = saved;
            return -1;
        }
        if (n == 0) break;
        g_checksum_update(sum, buf, (gssize) n);
        total += n;
    }
    close(fd);
    strncpy(hex, g_checksum_get_string(sum), 64);
    hex[64] = 0;
    g_checksum_free(sum);
    *bytes = total;
    return 0;
}
