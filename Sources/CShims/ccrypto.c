#include "ccrypto.h"
#include <glib.h>
#include <string.h>

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
