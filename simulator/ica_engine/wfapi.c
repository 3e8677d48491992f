/*
 * wfapi.c - the emulated VDA's WFAPI: libwfapi.so exports the virtual-channel
 * functions of Citrix's wfapi64.dll (WFVirtualChannelOpen, Read, Write,
 * Close, Query, and WFFreeMemory) so that the app layer's
 * protocol/vchannel/citrix.py runs unchanged against the ICA engine emulator.
 *
 * Theory of operation: $SOFTPHONE_ICA_ENGINE names the emulator's session
 * port ("127.0.0.1:PORT"). Open connects there and asks for the channel;
 * Read returns the bytes of one record (or what fits, the rest on the next
 * call), waiting up to its timeout; Write sends one record. Errors are the
 * Windows codes the real library reports through GetLastError, given here
 * through errno (WAIT_TIMEOUT 258 on a read timeout, ERROR_BROKEN_PIPE 109 when
 * the session is gone, ERROR_FILE_NOT_FOUND 2 when no driver has the channel,
 * ERROR_INVALID_HANDLE 6 for a bad handle).
 */
#define _GNU_SOURCE
#include "session_wire.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))
#define OPEN_TIMEOUT_MS 5000
#define HANDLE_MAGIC 0x57464150u

typedef struct channel {
    uint32_t magic;
    int fd;
    pthread_mutex_t write_lock;
    unsigned char *pending;         /* the unread rest of the last record */
    size_t pending_start, pending_length;
    unsigned char header[WIRE_HEADER];
    size_t header_have;
    unsigned char *body;
    size_t body_have, body_length;
    int broken;
} channel;

static int fail(int code)
{
    errno = code;
    return 0;
}

static int send_all(int fd, const unsigned char *data, size_t length)
{
    while (length) {
        ssize_t sent = send(fd, data, length, MSG_NOSIGNAL);
        if (sent < 0) {
            if (errno == EINTR)
                continue;
            return 0;
        }
        data += sent;
        length -= (size_t)sent;
    }
    return 1;
}

static int send_record(channel *c, int type, const unsigned char *data, size_t length)
{
    unsigned char header[WIRE_HEADER] = {(unsigned char)type, (unsigned char)(length & 0xff),
                                         (unsigned char)((length >> 8) & 0xff),
                                         (unsigned char)((length >> 16) & 0xff),
                                         (unsigned char)((length >> 24) & 0xff)};
    pthread_mutex_lock(&c->write_lock);
    int ok = send_all(c->fd, header, sizeof header) && (!length || send_all(c->fd, data, length));
    pthread_mutex_unlock(&c->write_lock);
    return ok;
}

/* Read towards the next record; 1 when one is complete, 0 on timeout, -1 when gone. */
static int next_record(channel *c, int timeout_ms)
{
    for (;;) {
        unsigned char *into;
        size_t want;
        if (c->header_have < WIRE_HEADER) {
            into = c->header + c->header_have;
            want = WIRE_HEADER - c->header_have;
        } else {
            into = c->body + c->body_have;
            want = c->body_length - c->body_have;
        }
        if (want) {
            struct pollfd p = {c->fd, POLLIN, 0};
            int ready = poll(&p, 1, timeout_ms);
            if (ready == 0)
                return 0;
            if (ready < 0)
                return errno == EINTR ? 0 : -1;
            ssize_t got = recv(c->fd, into, want, 0);
            if (got <= 0)
                return got < 0 && errno == EINTR ? 0 : -1;
            timeout_ms = 0; /* the rest of a record is on its way */
            if (c->header_have < WIRE_HEADER) {
                c->header_have += (size_t)got;
                if (c->header_have < WIRE_HEADER)
                    continue;
                c->body_length = (size_t)c->header[1] | (size_t)c->header[2] << 8 |
                                 (size_t)c->header[3] << 16 | (size_t)c->header[4] << 24;
                if (c->body_length > WIRE_MAX_RECORD)
                    return -1;
                c->body = malloc(c->body_length ? c->body_length : 1);
                c->body_have = 0;
                if (!c->body)
                    return -1;
            } else {
                c->body_have += (size_t)got;
            }
            if (c->header_have < WIRE_HEADER || c->body_have < c->body_length)
                continue;
        }
        return 1;
    }
}

EXPORT void *WFVirtualChannelOpen(void *server, uint32_t session, const char *name)
{
    (void)server;
    (void)session;
    const char *engine = getenv("SOFTPHONE_ICA_ENGINE");
    char host[64];
    unsigned port = 0;
    if (!name || !engine || sscanf(engine, "%63[^:]:%u", host, &port) != 2 || port > 65535) {
        errno = WIN_ERROR_FILE_NOT_FOUND;
        return NULL;
    }
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &address.sin_addr) != 1) {
        errno = WIN_ERROR_FILE_NOT_FOUND;
        return NULL;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&address, sizeof address) != 0) {
        if (fd >= 0)
            close(fd);
        errno = WIN_ERROR_FILE_NOT_FOUND; /* no session: as outside a Citrix session */
        return NULL;
    }
    int on = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    channel *c = calloc(1, sizeof *c);
    if (!c) {
        close(fd);
        errno = ENOMEM;
        return NULL;
    }
    c->magic = HANDLE_MAGIC;
    c->fd = fd;
    pthread_mutex_init(&c->write_lock, NULL);
    int code = WIN_ERROR_FILE_NOT_FOUND;
    if (send_record(c, WIRE_OPEN, (const unsigned char *)name, strnlen(name, 8)) &&
        next_record(c, OPEN_TIMEOUT_MS) == 1) {
        if (c->header[0] == WIRE_OPEN_OK) {
            free(c->body);
            c->body = NULL;
            c->header_have = c->body_have = c->body_length = 0;
            return c;
        }
        if (c->header[0] == WIRE_OPEN_REFUSED && c->body_length == 4)
            code = c->body[0] | c->body[1] << 8 | c->body[2] << 16 | c->body[3] << 24;
    }
    free(c->body);
    close(fd);
    pthread_mutex_destroy(&c->write_lock);
    free(c);
    errno = code;
    return NULL;
}

static channel *checked(void *handle)
{
    channel *c = handle;
    return c && c->magic == HANDLE_MAGIC ? c : NULL;
}

EXPORT int WFVirtualChannelRead(void *handle, uint32_t timeout_ms, char *buffer, uint32_t size,
                                uint32_t *read_count)
{
    channel *c = checked(handle);
    if (!c || !buffer || !read_count)
        return fail(WIN_ERROR_INVALID_HANDLE);
    *read_count = 0;
    while (!c->pending_length) {
        if (c->broken)
            return fail(WIN_ERROR_BROKEN_PIPE);
        int got = next_record(c, (int)timeout_ms);
        if (got == 0)
            return fail(WIN_WAIT_TIMEOUT);
        if (got < 0) {
            c->broken = 1;
            return fail(WIN_ERROR_BROKEN_PIPE);
        }
        int type = c->header[0];
        unsigned char *body = c->body;
        size_t length = c->body_length;
        c->body = NULL;
        c->header_have = c->body_have = c->body_length = 0;
        if (type != WIRE_DATA || !length) {
            free(body);
            continue;
        }
        free(c->pending);
        c->pending = body;
        c->pending_start = 0;
        c->pending_length = length;
    }
    size_t n = c->pending_length < size ? c->pending_length : size;
    memcpy(buffer, c->pending + c->pending_start, n);
    c->pending_start += n;
    c->pending_length -= n;
    *read_count = (uint32_t)n;
    return 1;
}

EXPORT int WFVirtualChannelWrite(void *handle, const char *data, uint32_t size,
                                 uint32_t *written)
{
    channel *c = checked(handle);
    if (!c || (!data && size) || !written)
        return fail(WIN_ERROR_INVALID_HANDLE);
    *written = 0;
    if (c->broken || !send_record(c, WIRE_DATA, (const unsigned char *)data, size)) {
        c->broken = 1;
        return fail(WIN_ERROR_BROKEN_PIPE);
    }
    *written = size;
    return 1;
}

EXPORT int WFVirtualChannelClose(void *handle)
{
    channel *c = checked(handle);
    if (!c)
        return fail(WIN_ERROR_INVALID_HANDLE);
    if (!c->broken)
        send_record(c, WIRE_CLOSE, NULL, 0);
    c->magic = 0;
    close(c->fd);
    free(c->pending);
    free(c->body);
    pthread_mutex_destroy(&c->write_lock);
    free(c);
    return 1;
}

/* Query classes have nothing to report in the emulator: an empty answer. */
EXPORT int WFVirtualChannelQuery(void *handle, int info_class, void **buffer,
                                 uint32_t *length)
{
    (void)info_class;
    if (!checked(handle) || !buffer || !length)
        return fail(WIN_ERROR_INVALID_HANDLE);
    *buffer = calloc(1, 4);
    *length = *buffer ? 4 : 0;
    return *buffer != NULL;
}

EXPORT void WFFreeMemory(void *memory)
{
    free(memory);
}
