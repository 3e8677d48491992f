/*
 * platform_win32.c - the SOFTPH driver's operating-system part on Windows.
 *
 * Windows has no per-user Unix socket the adapter could rely on, so the
 * adapter listens on a loopback TCP port and writes "127.0.0.1 <port> <token>"
 * to its endpoint file in the user's profile (%SOFTPHONE_ADAPTER_ENDPOINT%,
 * else %LOCALAPPDATA%\Softphone\adapter.endpoint), readable by that user only.
 * The first bytes of every connection are "softphone-token <token>\n": a
 * process of another user can connect to the port but cannot read the token,
 * and the adapter closes a connection that does not present it.
 *
 * The service is started with %SOFTPHONE_ADAPTER_START% (a command line) or
 * softphone-adapter.exe from PATH, detached and without a console window.
 */
#define WIN32_LEAN_AND_MEAN
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>

#include "platform.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char log_path[MAX_PATH * 2];
static char token[80];

static int env(const char *name, char *out, DWORD size)
{
    DWORD n = GetEnvironmentVariableA(name, out, size);
    return n > 0 && n < size;
}

void sp_platform_init(void)
{
    WSADATA data;
    WSAStartup(MAKEWORD(2, 2), &data);
    if (env("SOFTPHONE_DRIVER_LOG", log_path, sizeof log_path))
        return;
    char base[MAX_PATH];
    if (!env("LOCALAPPDATA", base, sizeof base) && !env("TEMP", base, sizeof base))
        snprintf(base, sizeof base, ".");
    char folder[MAX_PATH + 16];
    snprintf(folder, sizeof folder, "%s\\Softphone", base);
    CreateDirectoryA(folder, NULL); /* best effort: a missing log must not stop the channel */
    snprintf(log_path, sizeof log_path, "%s\\vdsoftph.log", folder);
}

void sp_log(const char *format, ...)
{
    FILE *file = fopen(log_path, "a");
    if (!file)
        return;
    SYSTEMTIME now;
    GetLocalTime(&now);
    fprintf(file, "%04u-%02u-%02u %02u:%02u:%02u.%03u vdsoftph[%lu]: ", now.wYear, now.wMonth,
            now.wDay, now.wHour, now.wMinute, now.wSecond, now.wMilliseconds,
            (unsigned long)GetCurrentProcessId());
    va_list args;
    va_start(args, format);
    vfprintf(file, format, args);
    va_end(args);
    fputc('\n', file);
    fclose(file);
}

uint64_t sp_now_ms(void)
{
    return (uint64_t)GetTickCount64();
}

static int endpoint_path(char *out, size_t size)
{
    if (env("SOFTPHONE_ADAPTER_ENDPOINT", out, (DWORD)size))
        return 1;
    char base[MAX_PATH];
    if (!env("LOCALAPPDATA", base, sizeof base))
        return 0;
    int n = snprintf(out, size, "%s\\Softphone\\adapter.endpoint", base);
    return n > 0 && (size_t)n < size;
}

/* Read "127.0.0.1 <port> <64 hex>" from the endpoint file. */
static sp_connect_result read_endpoint(struct sockaddr_in *address, char *why, size_t why_size)
{
    char path[MAX_PATH * 2];
    if (!endpoint_path(path, sizeof path)) {
        snprintf(why, why_size, "neither SOFTPHONE_ADAPTER_ENDPOINT nor LOCALAPPDATA is set");
        return SP_REFUSED;
    }
    FILE *file = fopen(path, "r");
    if (!file) {
        snprintf(why, why_size, "no adapter endpoint file at %s", path);
        return SP_ABSENT;
    }
    char host[32] = "", secret[80] = "";
    unsigned port = 0;
    int fields = fscanf(file, "%31s %u %79s", host, &port, secret);
    fclose(file);
    size_t length = strlen(secret);
    int hex = length == 64;
    for (size_t i = 0; hex && i < length; i++)
        hex = strchr("0123456789abcdef", secret[i]) != NULL;
    if (fields != 3 || strcmp(host, "127.0.0.1") != 0 || port == 0 || port > 65535 || !hex) {
        snprintf(why, why_size, "%s is not '127.0.0.1 PORT TOKEN'; refusing it", path);
        return SP_REFUSED;
    }
    memset(address, 0, sizeof *address);
    address->sin_family = AF_INET;
    address->sin_port = htons((u_short)port);
    address->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    snprintf(token, sizeof token, "%s", secret);
    return SP_CONNECTED;
}

sp_connect_result sp_connect(sp_stream *stream, char *why, size_t why_size)
{
    SOCKET s;
    if (stream->pending) {
        s = (SOCKET)stream->handle;
        fd_set writable, failed;
        FD_ZERO(&writable);
        FD_ZERO(&failed);
        FD_SET(s, &writable);
        FD_SET(s, &failed);
        struct timeval now = {0, 0};
        if (select(0, NULL, &writable, &failed, &now) == 0)
            return SP_PENDING;
        if (FD_ISSET(s, &failed) || !FD_ISSET(s, &writable)) {
            snprintf(why, why_size, "the adapter's port refused the connection");
            sp_close(stream);
            return SP_ABSENT;
        }
        stream->pending = 0;
        return SP_CONNECTED;
    }
    struct sockaddr_in address;
    sp_connect_result found = read_endpoint(&address, why, why_size);
    if (found != SP_CONNECTED)
        return found;
    s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (s == INVALID_SOCKET) {
        snprintf(why, why_size, "cannot create a socket (error %d)", WSAGetLastError());
        return SP_ABSENT;
    }
    u_long nonblocking = 1;
    ioctlsocket(s, FIONBIO, &nonblocking);
    BOOL nodelay = TRUE;
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, (const char *)&nodelay, sizeof nodelay);
    stream->handle = (intptr_t)s;
    if (connect(s, (struct sockaddr *)&address, sizeof address) == 0)
        return SP_CONNECTED;
    if (WSAGetLastError() == WSAEWOULDBLOCK) {
        stream->pending = 1;
        return SP_PENDING;
    }
    snprintf(why, why_size, "nothing answers on 127.0.0.1:%u (error %d)",
             (unsigned)ntohs(address.sin_port), WSAGetLastError());
    sp_close(stream);
    return SP_ABSENT;
}

size_t sp_preface(char *out, size_t out_size)
{
    int n = snprintf(out, out_size, "softphone-token %s\n", token);
    return n > 0 && (size_t)n < out_size ? (size_t)n : 0;
}

long sp_send(sp_stream *stream, const unsigned char *data, size_t size)
{
    int sent = send((SOCKET)stream->handle, (const char *)data, (int)size, 0);
    if (sent >= 0)
        return sent;
    return WSAGetLastError() == WSAEWOULDBLOCK ? SP_WOULD_BLOCK : SP_CLOSED;
}

long sp_recv(sp_stream *stream, unsigned char *data, size_t size)
{
    int got = recv((SOCKET)stream->handle, (char *)data, (int)size, 0);
    if (got > 0)
        return got;
    if (got < 0 && WSAGetLastError() == WSAEWOULDBLOCK)
        return SP_WOULD_BLOCK;
    return SP_CLOSED;
}

void sp_close(sp_stream *stream)
{
    if (stream->handle != -1)
        closesocket((SOCKET)stream->handle);
    stream->handle = -1;
    stream->pending = 0;
}

int sp_start_adapter(char *what, size_t what_size)
{
    char command[2048];
    if (!env("SOFTPHONE_ADAPTER_START", command, sizeof command))
        snprintf(command, sizeof command, "softphone-adapter.exe");
    snprintf(what, what_size, "%s", command);
    STARTUPINFOA startup;
    PROCESS_INFORMATION process;
    memset(&startup, 0, sizeof startup);
    startup.cb = sizeof startup;
    if (!CreateProcessA(NULL, command, NULL, NULL, FALSE,
                        DETACHED_PROCESS | CREATE_NEW_PROCESS_GROUP | CREATE_NO_WINDOW, NULL,
                        NULL, &startup, &process)) {
        snprintf(what, what_size, "%s (error %lu)", command, (unsigned long)GetLastError());
        return -1;
    }
    CloseHandle(process.hThread);
    CloseHandle(process.hProcess);
    return 0;
}
