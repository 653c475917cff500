#define _DEFAULT_SOURCE
#include "cpassword.h"
#include <crypt.h>
#include <stdlib.h>
#include <string.h>

// struct crypt_data is about 32 KiB: on the heap, not a server thread's stack; wiped after use,
// since it held the password.
static struct crypt_data *fresh_data(void) { return calloc(1, sizeof(struct crypt_data)); }

static void drop_data(struct crypt_data *d) {
    explicit_bzero(d, sizeof *d);
    free(d);
}

int pp_password_check(const char *password, const char *hash) {
    struct crypt_data *d = fresh_data();
    if (!d) return 0;
    const char *out = crypt_rn(password, hash, d, (int) sizeof *d);
    int same = 0;
    if (out) {
        size_t a = strlen(out), b = strlen(hash);
        // Every byte of the longer string is looked at; a length difference alone makes them differ.
        size_t n = a > b ? a : b;
        unsigned char diff = (unsigned char) (a != b);
        for (size_t i = 0; i < n; i++) {
            unsigned char x = i < a ? (unsigned char) out[i] : 0;
            unsigned char y = i < b ? (unsigned char) hash[i] : 0;
            diff |= x ^ y;
        }
        same = diff == 0;
    }
    drop_data(d);
    return same;
}

int pp_password_hash(const char *password, char *out, size_t n) {
    char setting[CRYPT_GENSALT_OUTPUT_SIZE];
    // A null rbytes: libxcrypt takes the salt's randomness from the kernel itself.
    if (!crypt_gensalt_rn("$2b$", 12, NULL, 0, setting, (int) sizeof setting)) return -1;
    struct crypt_data *d = fresh_data();
    if (!d) return -1;
    const char *hashed = crypt_rn(password, setting, d, (int) sizeof *d);
    int rc = -1;
    if (hashed && hashed[0] != '*' && strlen(hashed) < n) {
        strcpy(out, hashed);
        rc = 0;
    }
    drop_data(d);
    return rc;
}
