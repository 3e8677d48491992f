/*
 * platform_posix.c - the SOFTPH driver's operating-system part on Linux.
 *
 * The adapter service listens on a Unix socket private to the user:
 * $SOFTPHONE_ADAPTER_SOCKET, else $XDG_RUNTIME_DIR/softphone/adapter.sock, else
 * /tmp/softphone-<uid>/softphone/adapter.sock (the paths the adapter itself
 * uses). A socket, or a folder holding it, that another user owns or can write
 * is refused: a process of another user must never receive our agent's SIP
 * credentials. The service is started with $SOFTPHONE_ADAPTER_START (a shell
 * command) or `softphone-adapter` from PATH, detached in its own session so it
 * outlives Workspace app's session and never shares its descriptors.
 */
#define _GNU_SOURCE
#include "platform.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char log_path[1024];

void sp_platform_init(void)
{
    const char *explicit_path = getenv("SOFTPHONE_DRIVER_LOG");
    const char *state = getenv("XDG_STATE_HOME");
    const char *home = getenv("HOME");
    if (explicit_path && *explicit_path) {
        snprintf(log_path, sizeof log_path, "%s", explicit_path);
        return;
    }
    char folder[900];
    if (state && *state)
        snprintf(folder, sizeof folder, "%s/softphone", state);
    else if (home && *home)
        snprintf(folder, sizeof folder, "%s/.local/state/softphone", home);
    else
        snprintf(folder, sizeof folder, "/tmp/softphone-%lu", (unsigned long)getuid());
    /* Best effort: a missing log folder must never stop the channel. */
    char partial[900];
    for (size_t i = 1; folder[i]; i++) {
        if (folder[i] != '/')
            continue;
        memcpy(partial, folder, i);
        partial[i] = '\0';
        mkdir(partial, 0700);
    }
    mkdir(folder, 0700);
    snprintf(log_path, sizeof log_path, "%s/vdsoftph.log", folder);
}

void sp_log(const char *format, ...)
{
    FILE *file = fopen(log_path, "a");
    if (!file)
        return;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm parts;
    localtime_r(&now.tv_sec, &parts);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &parts);
    fprintf(file, "%s.%03ld vdsoftph[%ld]: ", stamp, now.tv_nsec / 1000000L, (long)getpid());
    va_list args;
    va_start(args, format);
    vfprintf(file, format, args);
    va_end(args);
    fputc('\n', file);
    fclose(file);
}

uint64_t sp_now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000u + (uint64_t)now.tv_nsec / 1000000u;
}

static int socket_path(char *out, size_t size)
{
    const char *explicit_path = getenv("SOFTPHONE_ADAPTER_SOCKET");
    const char *runtime = getenv("XDG_RUNTIME_DIR");
    int n;
    if (explicit_path && *explicit_path)
        n = snprintf(out, size, "%s", explicit_path);
    else if (runtime && *runtime)
        n = snprintf(out, size, "%s/softphone/adapter.sock", runtime);
    else
        n = snprintf(out, size, "/tmp/softphone-%lu/softphone/adapter.sock",
                     (unsigned long)getuid());
    return n > 0 && (size_t)n < size;
}

/* Refuse what another user controls; say which file and why. */
static int check_owner(const char *path, char *why, size_t why_size)
{
    struct stat info;
    if (lstat(path, &info) != 0)
        return 1; /* absent: nothing to refuse */
    if (!S_ISSOCK(info.st_mode)) {
        snprintf(why, why_size, "%s is not a socket; refusing it", path);
        return 0;
    }
    if (info.st_uid != getuid()) {
        snprintf(why, why_size, "%s belongs to uid %lu, not to us; refusing it", path,
                 (unsigned long)info.st_uid);
        return 0;
    }
    char folder[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
    snprintf(folder, sizeof folder, "%s", path);
    char *slash = strrchr(folder, '/');
    if (slash && slash != folder)
        *slash = '\0';
    else
        snprintf(folder, sizeof folder, ".");
    if (stat(folder, &info) != 0) {
        snprintf(why, why_size, "cannot inspect %s: %s", folder, strerror(errno));
        return 0;
    }
    if (info.st_uid != getuid()) {
        snprintf(why, why_size, "%s belongs to uid %lu, not to us; refusing it", folder,
                 (unsigned long)info.st_uid);
        return 0;
    }
    if (info.st_mode & (S_IWGRP | S_IWOTH)) {
        snprintf(why, why_size, "%s is writable by other users; refusing it", folder);
        return 0;
    }
    return 1;
}

sp_connect_result sp_connect(sp_stream *stream, char *why, size_t why_size)
{
    struct sockaddr_un address;
    memset(&address, 0, sizeof address);
    address.sun_family = AF_UNIX;
    if (!socket_path(address.sun_path, sizeof address.sun_path)) {
        snprintf(why, why_size, "the adapter socket path is longer than %lu bytes",
                 (unsigned long)sizeof address.sun_path - 1);
        return SP_REFUSED;
    }
    if (!check_owner(address.sun_path, why, why_size))
        return SP_REFUSED;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(why, why_size, "cannot create a socket: %s", strerror(errno));
        return SP_ABSENT;
    }
    if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0 && errno != EINPROGRESS) {
        snprintf(why, why_size, "nothing answers on %s (%s)", address.sun_path, strerror(errno));
        close(fd);
        return SP_ABSENT;
    }
    stream->handle = fd;
    stream->pending = 0;
    return SP_CONNECTED;
}

size_t sp_preface(char *out, size_t out_size)
{
    (void)out;
    (void)out_size;
    return 0; /* the socket's owner check is the Unix socket's guard */
}

long sp_send(sp_stream *stream, const unsigned char *data, size_t size)
{
    ssize_t sent = send((int)stream->handle, data, size, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent >= 0)
        return (long)sent;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        return SP_WOULD_BLOCK;
    return SP_CLOSED;
}

long sp_recv(sp_stream *stream, unsigned char *data, size_t size)
{
    ssize_t got = recv((int)stream->handle, data, size, MSG_DONTWAIT);
    if (got > 0)
        return (long)got;
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return SP_WOULD_BLOCK;
    return SP_CLOSED;
}

void sp_close(sp_stream *stream)
{
    if (stream->handle >= 0)
        close((int)stream->handle);
    stream->handle = -1;
    stream->pending = 0;
}

/* Is `name` an executable in one of PATH's folders? */
static int on_path(const char *name)
{
    const char *path = getenv("PATH");
    if (!path)
        return 0;
    char copy[4096];
    snprintf(copy, sizeof copy, "%s", path);
    char *save = NULL;
    for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
        char candidate[4200];
        snprintf(candidate, sizeof candidate, "%s/%s", dir, name);
        if (access(candidate, X_OK) == 0)
            return 1;
    }
    return 0;
}

int sp_start_adapter(char *what, size_t what_size)
{
    const char *command = getenv("SOFTPHONE_ADAPTER_START");
    int use_shell = command && *command;
    snprintf(what, what_size, "%s", use_shell ? command : "softphone-adapter");
    if (!use_shell && !on_path("softphone-adapter")) {
        snprintf(what, what_size, "softphone-adapter (not found on PATH)");
        return -1;
    }
    /* Two forks: the service is nobody's child here, so no zombie is left
     * behind in Workspace app and no SIGCHLD reaches its handlers. Between
     * fork and exec only async-signal-safe calls are made. */
    pid_t child = fork();
    if (child < 0)
        return -1;
    if (child == 0) {
        if (fork() != 0)
            _exit(0);
        setsid();
        int null_fd = open("/dev/null", O_RDWR);
        if (null_fd >= 0) {
            dup2(null_fd, 0);
            dup2(null_fd, 1);
            dup2(null_fd, 2);
        }
        for (int fd = 3; fd < 1024; fd++)
            close(fd);
        if (use_shell)
            execl("/bin/sh", "sh", "-c", command, (char *)NULL);
        else
            execlp("softphone-adapter", "softphone-adapter", (char *)NULL);
        _exit(127);
    }
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    return 0;
}
