// Generator commands that cannot outlive the worker that started them, even one killed with SIGKILL.
#ifndef PHOTOPIPE_CGUARD_H
#define PHOTOPIPE_CGUARD_H
#include <sys/types.h>

// Runs `path` directly in `dir` (stdin from /dev/null, stdout and stderr to the named files, no other
// descriptor inherited, default signal handling) under a guard: the returned pid is a small process
// that leads a new process group, starts the command in it and waits for it, ending with the
// command's status (its exit code, or the same signal). When the caller dies, the guard sees its end
// of a pipe close and kills the whole group; the command also dies with the guard (PR_SET_PDEATHSIG).
// The guard ignores SIGTERM so that a SIGTERM to the group reaches the command and its status comes
// back; SIGKILL to the group ends everything.
// `*keep_fd` is the caller's end of that pipe: keep it open while the command runs, close it after
// waitpid(2) has collected the guard. Returns the guard's pid, or -1 with errno (also when the command
// could not be started: not found, not executable, no such folder).
pid_t pp_spawn_guarded(const char *path, char *const argv[], char *const envp[], const char *dir,
                       const char *stdout_path, const char *stderr_path, int *keep_fd);
#endif
