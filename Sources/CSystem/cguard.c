#define _GNU_SOURCE
#include "cguard.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

// Everything between fork() and exec (or _exit) below uses only async-signal-safe calls: the caller is a
// multi-threaded Swift process.

static void set_all_signals(void (*handler)(int)) {
    struct sigaction a;
    memset(&a, 0, sizeof a);
    a.sa_handler = handler;
    sigemptyset(&a.sa_mask);
    for (int s = 1; s < NSIG; s++) {
        if (s != SIGKILL && s != SIGSTOP) sigaction(s, &a, NULL);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

static void report_and_exit(int report_fd) {
    int code = errno;
    ssize_t ignored = write(report_fd, &code, sizeof code);
    (void)ignored;
    _exit(127);
}

// The command, in the guard's group: dies with the guard, descriptors set up, then exec.
static void run_command(const char *path, char *const argv[], char *const envp[], const char *dir,
                        const char *stdout_path, const char *stderr_path, pid_t guard, int report_fd) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) report_and_exit(report_fd);
    if (getppid() != guard) _exit(127);
    set_all_signals(SIG_DFL);
    int in = open("/dev/null", O_RDONLY);
    int out = open(stdout_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = open(stderr_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0 || err < 0) report_and_exit(report_fd);
    if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) report_and_exit(report_fd);
    // Keep only 0–2 and the report pipe (moved to 3, closed by exec itself).
    if (report_fd != 3) {
        if (dup3(report_fd, 3, O_CLOEXEC) < 0) report_and_exit(report_fd);
        report_fd = 3;
    }
    syscall(SYS_close_range, 4U, ~0U, 0U);
    if (chdir(dir) != 0) report_and_exit(report_fd);
    execve(path, argv, envp);
    report_and_exit(report_fd);
}

// The guard: waits for the command, or for the caller's end of `watch` to close.
static void guard(int watch, pid_t command) {
    int nul = open("/dev/null", O_RDWR);
    if (nul >= 0) { dup2(nul, 0); dup2(nul, 1); dup2(nul, 2); }
    if (watch != 3) { dup2(watch, 3); watch = 3; }
    syscall(SYS_close_range, 4U, ~0U, 0U);
    int pidfd = (int)syscall(SYS_pidfd_open, command, 0);
    struct pollfd fds[2] = {{.fd = watch, .events = POLLIN}, {.fd = pidfd, .events = POLLIN}};
    for (;;) {
        int n = poll(fds, pidfd >= 0 ? 2 : 1, pidfd >= 0 ? -1 : 50);
        if (n < 0 && errno != EINTR) break;
        if (n > 0 && fds[0].revents != 0) break;   // the caller is gone
        int status;
        if (waitpid(command, &status, WNOHANG) == command) {
            if (WIFEXITED(status)) _exit(WEXITSTATUS(status));
            int sig = WTERMSIG(status);
            struct sigaction a;
            memset(&a, 0, sizeof a);
            a.sa_handler = SIG_DFL;
            sigaction(sig, &a, NULL);
            kill(getpid(), sig);
            _exit(128 + sig);
        }
    }
    kill(0, SIGKILL);
    _exit(137);
}

pid_t pp_spawn_guarded(const char *path, char *const argv[], char *const envp[], const char *dir,
                       const char *stdout_path, const char *stderr_path, int *keep_fd) {
    int watch[2], report[2];
    if (pipe2(watch, O_CLOEXEC) != 0) return -1;
    if (pipe2(report, O_CLOEXEC) != 0) { close(watch[0]); close(watch[1]); return -1; }
    pid_t caller = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(watch[0]); close(watch[1]); close(report[0]); close(report[1]);
        errno = e;
        return -1;
    }
    if (pid == 0) {
        close(watch[1]);
        close(report[0]);
        setpgid(0, 0);
        set_all_signals(SIG_DFL);
        struct sigaction ignore;
        memset(&ignore, 0, sizeof ignore);
        ignore.sa_handler = SIG_IGN;
        sigaction(SIGTERM, &ignore, NULL);
        if (getppid() != caller) _exit(127);
        pid_t self = getpid();
        pid_t command = fork();
        if (command < 0) report_and_exit(report[1]);
        if (command == 0) run_command(path, argv, envp, dir, stdout_path, stderr_path, self, report[1]);
        close(report[1]);
        guard(watch[0], command);
    }
    setpgid(pid, pid);   // also here, so a kill of the group right away cannot miss it
    close(watch[0]);
    close(report[1]);
    int code = 0;
    ssize_t got;
    do { got = read(report[0], &code, sizeof code); } while (got < 0 && errno == EINTR);
    close(report[0]);
    if (got == (ssize_t)sizeof code) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        close(watch[1]);
        errno = code;
        return -1;
    }
    *keep_fd = watch[1];
    return pid;
}
