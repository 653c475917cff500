// Linux calls the policy code needs that Swift's Glibc module does not expose
// (they need _GNU_SOURCE). libc only: no image libraries behind this target.
#ifndef PHOTOPIPE_CLINUX_H
#define PHOTOPIPE_CLINUX_H

// rename(2) that fails with EEXIST instead of replacing the destination.
int pl_rename_noreplace(const char *from, const char *to);

// chmod that refuses symlinks and non-regular files (a swapped-in link is never followed).
int pl_chmod_regular_nofollow(const char *path, unsigned mode);

#endif
