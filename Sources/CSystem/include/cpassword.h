// Password hashes through libxcrypt (crypt(3)): bcrypt, scrypt, yescrypt.
#ifndef PHOTOPIPE_CPASSWORD_H
#define PHOTOPIPE_CPASSWORD_H

#include <stddef.h>

// Does `password` hash to `hash`? 1 yes, 0 no (also for a hash libxcrypt cannot read).
// The final comparison takes the same time wherever the first difference is.
int pp_password_check(const char *password, const char *hash);

// A new bcrypt hash ($2b$, cost 12, fresh random salt) of `password` into out. Returns 0, or -1
// (no randomness, or `n` too small: 61 bytes are enough for bcrypt).
int pp_password_hash(const char *password, char *out, size_t n);

#endif
