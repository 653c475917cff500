// SHA-256 and HMAC-SHA256 from GLib: file digests, S3 request signing, webhook signatures.
#ifndef PHOTOPIPE_CCRYPTO_H
#define PHOTOPIPE_CCRYPTO_H

#include <stddef.h>

// Hex SHA-256 of a buffer into hex (64 chars + NUL).
void pp_sha256_hex(const void *data, size_t length, char hex[65]);
// HMAC-SHA256 of data under key: 32 raw bytes into out.
void pp_hmac_sha256(const void *key, size_t key_length, const void *data, size_t length, unsigned char out[32]);

// Streams a regular file (never a symlink or FIFO) through SHA-256. Returns 0, or -1 with errno.
int pp_sha256_file(const char *path, char hex[65], long long *bytes);

#endif
