/* execver.c — run `binary --version` confined and time-limited (see execver.h). */
#include "sweep/execver.h"
#include "core/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <stdbool.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define OUT_MAX 4096

static long ms_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

char *warden_sweep_exec_version(const char *path, uid_t owner, gid_t group, int timeout_ms)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) return NULL;
    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (devnull < 0) {
        close(p[0]);
        close(p[1]);
        return NULL;
    }
    if (owner == 0) {
        owner = 65534;
        group = 65534;
    }
    bool drop = geteuid() == 0;
    /* everything the child needs is prepared before fork (no malloc after) */
    char *argv[] = {(char *)path, (char *)"--version", NULL};
    char *envp[] = {(char *)"PATH=/usr/bin:/bin", (char *)"HOME=/nonexistent", (char *)"LANG=C",
                    (char *)"NO_COLOR=1", NULL};
    struct rlimit cpu = {5, 5};
    pid_t pid = fork();
    if (pid < 0) {
        close(p[0]);
        close(p[1]);
        close(devnull);
        return NULL;
    }
    if (pid == 0) {
        setpgid(0, 0); /* its own process group, so a timeout kills its children too */
        if (dup2(devnull, 0) < 0 || dup2(p[1], 1) < 0 || dup2(devnull, 2) < 0) _exit(127);
        if (drop && (setgroups(0, NULL) != 0 || setgid(group) != 0 || setuid(owner) != 0))
            _exit(127);
        if (drop && (setuid(0) == 0)) _exit(127); /* privileges must be gone for good */
        setrlimit(RLIMIT_CPU, &cpu);
        if (chdir("/") != 0) _exit(127);
        execve(path, argv, envp);
        _exit(127);
    }
    close(p[1]);
    close(devnull);
    char *out = warden_xmalloc(OUT_MAX + 1);
    size_t len = 0;
    long deadline = ms_now() + timeout_ms;
    bool timed_out = false;
    for (;;) {
        long left = deadline - ms_now();
        if (left <= 0) {
            timed_out = true;
            break;
        }
        struct pollfd pf = {p[0], POLLIN, 0};
        int pr = poll(&pf, 1, (int)left);
        if (pr < 0 && errno == EINTR) continue;
        if (pr <= 0) {
            timed_out = pr == 0;
            break;
        }
        if (len == OUT_MAX) break;
        ssize_t r = read(p[0], out + len, OUT_MAX - len);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        len += (size_t)r;
    }
    close(p[0]);
    int status = -1;
    pid_t w = 0;
    while (!timed_out && (w = waitpid(pid, &status, WNOHANG)) == 0 && ms_now() < deadline) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    if (w != pid) { /* still running: too slow, or it closed stdout and kept going */
        kill(-pid, SIGKILL);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        status = -1;
    }
    out[len] = '\0';
    if (status != 0 || len == 0) {
        free(out);
        return NULL;
    }
    return out;
}
