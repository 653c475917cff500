#define _GNU_SOURCE
#include "cposix.h"
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <sys/un.h>
#include <unistd.h>

int pp_peer_credentials(int fd, int *pid, unsigned *uid, unsigned *gid) {
    struct ucred cred;
    socklen_t len = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return -1;
    *pid = cred.pid; *uid = cred.uid; *gid = cred.gid;
    return 0;
}

int pp_writer_present(const char *path) {
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return -1;
    int result;
    if (fcntl(fd, F_SETLEASE, F_RDLCK) == 0) {
        fcntl(fd, F_SETLEASE, F_UNLCK);
        result = 0;
    } else {
        result = (errno == EAGAIN || errno == EBUSY) ? 1 : -1;
    }
    close(fd);
    return result;
}

extern char **environ;

pid_t pp_spawn(const char *path, char *const argv[], int stdin_fd, int stdout_fd) {
    // The pipes are always >= 3 here: the supervisor keeps 0, 1 and 2 open.
    if (stdin_fd < 3 || stdout_fd < 3) { errno = EBADF; return -1; }
    posix_spawn_file_actions_t actions;
    int rc = posix_spawn_file_actions_init(&actions);
    if (rc == 0) rc = posix_spawn_file_actions_adddup2(&actions, stdin_fd, 0);
    if (rc == 0) rc = posix_spawn_file_actions_adddup2(&actions, stdout_fd, 1);
    // Nothing of the supervisor (inotify, the control socket, other workers' pipes) leaks into a worker.
    if (rc == 0) rc = posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    if (rc != 0) { posix_spawn_file_actions_destroy(&actions); errno = rc; return -1; }
    pid_t pid = -1;
    rc = posix_spawn(&pid, path, &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) { errno = rc; return -1; }
    return pid;
}

int pp_limit_memory(unsigned long long bytes) {
    struct rlimit rl = { bytes, bytes };
    return setrlimit(RLIMIT_AS, &rl);
}

int pp_sd_notify(const char *state) {
    const char *path = getenv("NOTIFY_SOCKET");
    if (!path || !*path) return 0;
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    size_t len = strlen(path);
    if (len >= sizeof addr.sun_path) return -1;
    memcpy(addr.sun_path, path, len);
    if (addr.sun_path[0] == '@') addr.sun_path[0] = 0; // abstract namespace
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    ssize_t n = sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *) &addr,
                       (socklen_t) (offsetof(struct sockaddr_un, sun_path) + len));
    close(fd);
    return n < 0 ? -1 : 1;
}

int pp_wait_exited(pid_t pid) {
    siginfo_t info;
    int rc;
    do { rc = waitid(P_PID, (id_t) pid, &info, WEXITED | WNOWAIT); } while (rc != 0 && errno == EINTR);
    return rc;
}

int pp_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

#include <sys/prctl.h>
#include <signal.h>
int pp_die_with_parent(pid_t expected_parent) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) return -1;
    return getppid() == expected_parent ? 0 : -1; // the parent died before prctl took effect
}

int pp_accept_cloexec(int fd, void *addr, unsigned *len) {
    socklen_t l = len ? (socklen_t)*len : 0;
    int c = accept4(fd, (struct sockaddr *)addr, addr ? &l : NULL, SOCK_CLOEXEC);
    if (c >= 0 && len) *len = (unsigned)l;
    return c;
}
