#define _GNU_SOURCE
#include "clinux.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int pl_rename_noreplace(const char *from, const char *to) {
    return renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE);
}

int pl_chmod_regular_nofollow(const char *path, unsigned mode) {
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return -1;
    struct stat st;
    int rc = -1;
    if (fstat(fd, &st) == 0) {
        if (S_ISREG(st.st_mode)) rc = fchmod(fd, (mode_t) mode);
        else errno = EINVAL;
    }
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}
