// POSIX and Linux calls Swift cannot reach without _GNU_SOURCE, or only awkwardly.
#ifndef PHOTOPIPE_CPOSIX_H
#define PHOTOPIPE_CPOSIX_H
#include <sys/types.h>

// Peer credentials of a connected Unix socket (SO_PEERCRED).
int pp_peer_credentials(int fd, int *pid, unsigned *uid, unsigned *gid);

// Is any process holding `path` open for writing? Asks for a read lease, which the
// kernel refuses while a writer exists. Returns 1 (writer present), 0 (none),
// -1 (cannot tell: no permission for a lease, or the file is gone).
int pp_writer_present(const char *path);

// Starts `argv[0]` with stdin and stdout on the given descriptors. Returns the pid or -1.
pid_t pp_spawn(const char *path, char *const argv[], int stdin_fd, int stdout_fd);

// Caps the address space of the calling process. Returns 0 or -1.
int pp_limit_memory(unsigned long long bytes);

// sd_notify(3) without libsystemd: sends `state` to $NOTIFY_SOCKET. Returns 1 sent, 0 no socket, -1 error.
int pp_sd_notify(const char *state);

// Waits until the child has exited without reaping it, so its pid cannot be reused
// until waitpid(2) collects it. Returns 0 or -1.
int pp_wait_exited(pid_t pid);

// pipe2(O_CLOEXEC): descriptors that never leak into spawned children.
int pp_pipe_cloexec(int fds[2]);
// A worker must not outlive its supervisor (an orphan could still write into a re-claimed asset).
int pp_die_with_parent(pid_t expected_parent);
// accept(2) with the new socket close-on-exec from the start: a child spawned from another thread
// meanwhile must not inherit a client's connection.
int pp_accept_cloexec(int fd, void *addr, unsigned *len);

#endif
