/*
 * ica_engine.c - QA's ICA engine emulator: loads a Citrix virtual-channel
 * driver the way Workspace app does and carries its channel to an emulated
 * VDA session (libwfapi.so) over loopback TCP.
 *
 * Theory of operation. Three threads, as in a real client:
 * - the engine thread owns the driver: Load, DriverOpen (answering the
 *   driver's WdQueryInformation / WdSetInformation calls through our
 *   WinStation-driver link: channel by name, write hook, largest packet),
 *   DriverInfo twice (size, then data), then DriverPoll on its loop and
 *   ICADataArrival for each packet from the session, split to the announced
 *   maximum the way the host's WinStation driver splits a large write; the
 *   driver's QueueVirtualWrite calls land in a bounded queue to the session
 *   (CLIENT_ERROR_NO_OUTBUF when full). On a cut: DriverClose, unload, and the
 *   library is closed; on reconnect: a fresh load.
 * - the network thread accepts the session's connection and reads its
 *   records (session_wire.h), queuing channel bytes for the engine thread.
 * - the main thread reads commands on stdin: cut, reconnect, maxpacket N,
 *   misbehave CASE, quit; events go to stdout one per line.
 * With --raw SOCKET there is no driver: the engine thread moves the same
 *   bytes between the session and the adapter's Unix socket itself (the
 *   baseline a benchmark compares the driver against).
 * Every error case of the programming reference can be provoked with
 * "misbehave": close-twice, data-before-open, oversize, garbage, unknown-info,
 * null.
 */
#ifdef _WIN32
#define WIN32_LEAN_AND_MEAN
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
typedef SOCKET sock_t;
#define BAD_SOCK INVALID_SOCKET
#define close_sock closesocket
typedef HMODULE library_t;
#else
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
typedef int sock_t;
#define BAD_SOCK (-1)
#define close_sock close
typedef void *library_t;
#endif

#include "../../vdi_adapter/citrix_driver/ica_vd.h"
#include "session_wire.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OUT_LIMIT (256 * 1024)    /* bytes queued to the session before NO_OUTBUF */
#define IN_LIMIT (4 * 1024 * 1024) /* bytes from the session waiting for the engine */

/* ------------------------------------------------------------ portability */

#ifdef _WIN32
static CRITICAL_SECTION lock_;
static HANDLE wake_event;
static void lock(void) { EnterCriticalSection(&lock_); }
static void unlock(void) { LeaveCriticalSection(&lock_); }
static void wake_engine(void) { SetEvent(wake_event); }
static void wait_engine(unsigned micros) { WaitForSingleObject(wake_event, micros ? (micros + 999) / 1000 : 0); }
static void sync_init(void)
{
    InitializeCriticalSection(&lock_);
    wake_event = CreateEvent(NULL, FALSE, FALSE, NULL);
    WSADATA data;
    WSAStartup(MAKEWORD(2, 2), &data);
}
static unsigned long engine_thread_id;
static void mark_engine_thread(void) { engine_thread_id = GetCurrentThreadId(); }
static int on_engine_thread(void) { return GetCurrentThreadId() == engine_thread_id; }
static void start_thread(void (*run)(void))
{
    CreateThread(NULL, 0, (LPTHREAD_START_ROUTINE)(void (*)(void))run, NULL, 0, NULL);
}
static library_t open_library(const char *path) { return LoadLibraryA(path); }
static void *library_symbol(library_t lib, const char *name)
{
    return (void *)(void (*)(void))GetProcAddress(lib, name);
}
static void close_library(library_t lib) { FreeLibrary(lib); }
static const char *library_error(void)
{
    static char text[64];
    snprintf(text, sizeof text, "error %lu", (unsigned long)GetLastError());
    return text;
}
static uint32_t now_ms(void) { return (uint32_t)GetTickCount64(); }
static void nap_ms(unsigned ms) { Sleep(ms); }
static int would_block(void) { return WSAGetLastError() == WSAEWOULDBLOCK; }
static void set_nonblocking(sock_t s)
{
    u_long on = 1;
    ioctlsocket(s, FIONBIO, &on);
}
#else
static pthread_mutex_t lock_ = PTHREAD_MUTEX_INITIALIZER;
static int wake_pipe[2];
static pthread_t engine_thread_id;
static void lock(void) { pthread_mutex_lock(&lock_); }
static void unlock(void) { pthread_mutex_unlock(&lock_); }
static void wake_engine(void)
{
    char byte = 1;
    if (write(wake_pipe[1], &byte, 1) < 0) {
        /* the pipe is full: the engine is awake already */
    }
}
static void wait_engine(unsigned micros)
{
    struct pollfd p = {wake_pipe[0], POLLIN, 0};
    struct timespec t = {0, (long)micros * 1000L};
    if (ppoll(&p, 1, &t, NULL) > 0) {
        char drain[256];
        while (read(wake_pipe[0], drain, sizeof drain) > 0) {
        }
    }
}
static void sync_init(void)
{
    if (pipe2(wake_pipe, O_NONBLOCK | O_CLOEXEC) != 0)
        exit(1);
    signal(SIGPIPE, SIG_IGN);
}
static void mark_engine_thread(void) { engine_thread_id = pthread_self(); }
static int on_engine_thread(void) { return pthread_equal(pthread_self(), engine_thread_id); }
static void *thread_main(void *run)
{
    ((void (*)(void))run)();
    return NULL;
}
static void start_thread(void (*run)(void))
{
    pthread_t thread;
    pthread_create(&thread, NULL, thread_main, (void *)run);
    pthread_detach(thread);
}
static library_t open_library(const char *path) { return dlopen(path, RTLD_NOW | RTLD_LOCAL); }
static void *library_symbol(library_t lib, const char *name) { return dlsym(lib, name); }
static void close_library(library_t lib) { dlclose(lib); }
static const char *library_error(void) { return dlerror(); }
static uint32_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint32_t)(t.tv_sec * 1000 + t.tv_nsec / 1000000);
}
static void nap_ms(unsigned ms) { usleep(ms * 1000u); }
static int would_block(void) { return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR; }
static void set_nonblocking(sock_t s) { fcntl(s, F_SETFL, fcntl(s, F_GETFL) | O_NONBLOCK); }
#endif

static void event(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vprintf(format, args);
    va_end(args);
    putchar('\n');
    fflush(stdout);
}

/* ------------------------------------------------------------ byte queues */

typedef struct packet {
    struct packet *next;
    size_t length;
    unsigned char data[];
} packet;

typedef struct packet_queue {
    packet *head, *tail;
    size_t bytes;
} packet_queue;

static void push_packet(packet_queue *q, const unsigned char *data, size_t length)
{
    packet *p = malloc(sizeof *p + length);
    if (!p)
        return;
    p->next = NULL;
    p->length = length;
    memcpy(p->data, data, length);
    if (q->tail)
        q->tail->next = p;
    else
        q->head = p;
    q->tail = p;
    q->bytes += length;
}

static packet *pop_all(packet_queue *q)
{
    packet *all = q->head;
    q->head = q->tail = NULL;
    q->bytes = 0;
    return all;
}

static void free_packets(packet *p)
{
    while (p) {
        packet *next = p->next;
        free(p);
        p = next;
    }
}

/* ------------------------------------------------------------ shared state */

typedef enum { LOADED, CUT } session_state;

static struct {
    /* guarded by lock() */
    sock_t session;                /* the VDA's connection, BAD_SOCK if none */
    int channel_open;              /* the VDA opened our channel on it */
    session_state state;
    packet_queue from_session;     /* channel bytes for the engine thread */
    unsigned char *out;            /* records to the session, not yet sent */
    size_t out_length, out_capacity;
    char command[128];             /* one pending stdin command */
    int quit;
    /* engine thread only */
    library_t library;
    ICA_DLLLINK vd_link, wd_link;
    ICA_PROCEDURE *procedures;
    char channel_name[8];
    uint16_t channel;
    uint16_t max_packet;           /* what the next load announces */
    uint16_t loaded_max;           /* what the loaded driver was told */
    ICA_WRITE_PROCEDURE arrival;
    void *arrival_vd;
    unsigned long oversize, no_outbuf, wrong_thread;
} g = {.session = BAD_SOCK, .state = CUT, .max_packet = 1600};

static const char *driver_path;
static const char *raw_socket;
static unsigned poll_us = 250;
static int wd_marker; /* its address is the pWdData we hand out */

/* Queue a record to the session (caller holds the lock). */
static int queue_record(int type, const unsigned char *data, size_t length)
{
    size_t need = g.out_length + WIRE_HEADER + length;
    if (need > g.out_capacity) {
        size_t capacity = g.out_capacity ? g.out_capacity : 65536;
        while (capacity < need)
            capacity *= 2;
        unsigned char *grown = realloc(g.out, capacity);
        if (!grown)
            return 0;
        g.out = grown;
        g.out_capacity = capacity;
    }
    unsigned char *p = g.out + g.out_length;
    p[0] = (unsigned char)type;
    for (int i = 0; i < 4; i++)
        p[1 + i] = (unsigned char)((length >> (8 * i)) & 0xff);
    if (length)
        memcpy(p + WIRE_HEADER, data, length);
    g.out_length = need;
    return 1;
}

/* Send what can be sent now (engine thread, lock held). */
static void flush_out(void)
{
    while (g.out_length && g.session != BAD_SOCK) {
        int sent = (int)send(g.session, (const char *)g.out, (int)g.out_length, 0);
        if (sent < 0) {
            if (!would_block())
                g.out_length = 0; /* the session is gone; the network thread notices */
            return;
        }
        memmove(g.out, g.out + sent, g.out_length - (size_t)sent);
        g.out_length -= (size_t)sent;
    }
    if (g.session == BAD_SOCK)
        g.out_length = 0;
}

/* -------------------------------------------- the WinStation driver link */

static int WFCAPI queue_virtual_write(void *wd, uint16_t channel, ICA_MEMORY_SECTION *sections,
                                      uint16_t count, uint16_t flag)
{
    (void)flag;
    if (!on_engine_thread()) {
        g.wrong_thread++;
        event("error QueueVirtualWrite called off the engine thread");
    }
    if (wd != &wd_marker || channel != g.channel) {
        event("error QueueVirtualWrite for channel %u with a foreign WD pointer or channel",
              (unsigned)channel);
        return CLIENT_ERROR_INVALID_PARAMETER;
    }
    if (!sections || !count) {
        event("error QueueVirtualWrite without memory sections");
        return CLIENT_ERROR_NULL_MEM_POINTER;
    }
    size_t total = 0;
    for (uint16_t i = 0; i < count; i++) {
        if (!sections[i].pSection && sections[i].length)
            return CLIENT_ERROR_NULL_MEM_POINTER;
        total += sections[i].length;
    }
    if (total > (size_t)g.loaded_max - 1) {
        g.oversize++;
        event("oversize %lu (maximum %u)", (unsigned long)total, (unsigned)g.loaded_max - 1);
        return CLIENT_ERROR_INVALID_BUFFER_SIZE;
    }
    lock();
    if (g.out_length + total > OUT_LIMIT) {
        unlock();
        g.no_outbuf++;
        return CLIENT_ERROR_NO_OUTBUF;
    }
    if (g.session != BAD_SOCK && g.channel_open) {
        /* one record: the host gets one block per successful call */
        unsigned char *joined = malloc(total ? total : 1);
        size_t at = 0;
        for (uint16_t i = 0; joined && i < count; i++) {
            memcpy(joined + at, sections[i].pSection, sections[i].length);
            at += sections[i].length;
        }
        if (joined)
            queue_record(WIRE_DATA, joined, total);
        free(joined);
    } /* else: no server-side application has the channel open; discarded */
    flush_out();
    unlock();
    return CLIENT_STATUS_SUCCESS;
}

static int WFCAPI wd_query(void *wd, void *param, uint16_t *size)
{
    (void)size;
    ICA_WDQUERYINFORMATION *query = param;
    if (wd != &wd_marker || !query)
        return CLIENT_ERROR_NULL_MEM_POINTER;
    if (query->WdInformationClass != WdOpenVirtualChannel) {
        event("query-info %d", query->WdInformationClass);
        return CLIENT_ERROR_INVALID_PARAMETER;
    }
    ICA_OPENVIRTUALCHANNEL *open = query->pWdInformation;
    if (!open || query->WdInformationLength < sizeof *open || !open->pVCName)
        return CLIENT_ERROR_NULL_MEM_POINTER;
    const char *name = open->pVCName;
    size_t length = strnlen(name, 8);
    if (length == 0 || length > 7) {
        event("error channel name is not 1-7 characters");
        return CLIENT_ERROR_INVALID_PARAMETER;
    }
    memcpy(g.channel_name, name, length);
    g.channel_name[length] = '\0';
    g.channel = 13; /* the first number after the built-in channels */
    open->Channel = g.channel;
    query->WdReturnLength = sizeof *open;
    return CLIENT_STATUS_SUCCESS;
}

static int WFCAPI wd_set(void *wd, void *param, uint16_t *size)
{
    (void)size;
    ICA_WDSETINFORMATION *set = param;
    if (wd != &wd_marker || !set)
        return CLIENT_ERROR_NULL_MEM_POINTER;
    if (set->WdInformationClass != WdVirtualWriteHook) {
        event("set-info %d", set->WdInformationClass);
        return CLIENT_STATUS_SUCCESS;
    }
    ICA_VDWRITEHOOK *hook = set->pWdInformation;
    if (!hook || set->WdInformationLength < sizeof *hook || !hook->pProc)
        return CLIENT_ERROR_NULL_MEM_POINTER;
    if (hook->Type != g.channel) {
        event("error write hook for channel %u, which was never opened", (unsigned)hook->Type);
        return CLIENT_ERROR_INVALID_PARAMETER;
    }
    g.arrival = hook->pProc;
    g.arrival_vd = hook->pVdData;
    hook->pWdData = &wd_marker;
    hook->MaximumWriteSize = g.max_packet;
    hook->pQueueVirtualWriteProc = queue_virtual_write;
    g.loaded_max = g.max_packet;
    return CLIENT_STATUS_SUCCESS;
}

static int WFCAPI wd_unsupported(void *wd, void *param, uint16_t *size)
{
    (void)wd;
    (void)param;
    (void)size;
    return CLIENT_ERROR_BAD_PROCINDEX;
}

static ICA_PROCEDURE wd_procedures[8] = {wd_unsupported, wd_unsupported, wd_unsupported,
                                         wd_unsupported, wd_unsupported, wd_unsupported,
                                         wd_query,       wd_set};

/* ---------------------------------------------------- driving the driver */

static int call(int index, void *param, uint16_t *size)
{
    return g.procedures[index](g.vd_link.pData, param, size);
}

static void unload(void)
{
    if (!g.library)
        return;
    if (g.procedures) {
        ICA_DLLCLOSE close_block = {0};
        uint16_t size = sizeof close_block;
        call(DLLxCLOSE, &close_block, &size);
        call(DLLxUNLOAD, NULL, NULL);
    }
    close_library(g.library);
    g.library = NULL;
    g.procedures = NULL;
    g.arrival = NULL;
    event("unloaded");
}

/* Load and open the driver in the documented order; 1 when it is ready. */
static int load(int data_before_open)
{
    g.library = open_library(driver_path);
    if (!g.library) {
        event("load-failed cannot load %s: %s", driver_path, library_error());
        return 0;
    }
    ICA_LOAD entry = (ICA_LOAD)library_symbol(g.library, "Load");
    if (!entry) {
        event("load-failed %s exports no Load", driver_path);
        close_library(g.library);
        g.library = NULL;
        return 0;
    }
    memset(&g.vd_link, 0, sizeof g.vd_link);
    memset(&g.wd_link, 0, sizeof g.wd_link);
    g.wd_link.ProcCount = 8;
    g.wd_link.pProcedures = wd_procedures;
    g.wd_link.pData = &wd_marker;
    int rc = entry(&g.vd_link);
    if (rc != CLIENT_STATUS_SUCCESS || g.vd_link.ProcCount < VDxCOUNT || !g.vd_link.pProcedures) {
        event("load-failed Load returned %d with %u procedures", rc,
              (unsigned)g.vd_link.ProcCount);
        close_library(g.library);
        g.library = NULL;
        return 0;
    }
    g.procedures = g.vd_link.pProcedures;
    if (data_before_open) {
        ICA_WRITE_PROCEDURE early = (ICA_WRITE_PROCEDURE)library_symbol(g.library, "ICADataArrival");
        unsigned char bytes[16] = "before open";
        if (early)
            early(g.vd_link.pData, 13, bytes, sizeof bytes);
        ICA_DLLPOLL poll_block = {now_ms()};
        uint16_t size = sizeof poll_block;
        call(DLLxPOLL, &poll_block, &size);
    }
    ICA_VDOPEN open;
    memset(&open, 0, sizeof open);
    open.pVdLink = &g.vd_link;
    open.pWdLink = &g.wd_link;
    uint16_t size = sizeof open;
    rc = call(DLLxOPEN, &open, &size);
    if (rc != CLIENT_STATUS_SUCCESS || !g.arrival) {
        event("load-failed DriverOpen returned %d", rc);
        unload();
        return 0;
    }
    if (open.ChannelMask != (1u << g.channel))
        event("error DriverOpen set channel mask 0x%lx for channel %u",
              (unsigned long)open.ChannelMask, (unsigned)g.channel);
    /* DriverInfo: first for the size, then for the data. */
    ICA_DLLINFO info = {NULL, 0};
    size = sizeof info;
    rc = call(DLLxINFO, &info, &size);
    if (rc != CLIENT_ERROR_BUFFER_TOO_SMALL || info.ByteCount < sizeof(ICA_MODULE_C2H)) {
        event("load-failed DriverInfo sizing returned %d (%u bytes)", rc, (unsigned)info.ByteCount);
        unload();
        return 0;
    }
    unsigned char *buffer = calloc(1, info.ByteCount);
    info.pBuffer = buffer;
    rc = call(DLLxINFO, &info, &size);
    ICA_VD_C2H c2h;
    memset(&c2h, 0, sizeof c2h);
    if (buffer)
        memcpy(&c2h, buffer, info.ByteCount < sizeof c2h ? info.ByteCount : sizeof c2h);
    free(buffer);
    if (rc != CLIENT_STATUS_SUCCESS || c2h.Header.ModuleClass != ICA_Module_VirtualDriver) {
        event("load-failed DriverInfo returned %d (module class %u)", rc,
              (unsigned)c2h.Header.ModuleClass);
        unload();
        return 0;
    }
    event("loaded channel=%s number=%u max=%u", g.channel_name, (unsigned)g.channel,
          (unsigned)g.loaded_max);
    return 1;
}

static void misbehave(const char *name)
{
    if (!g.library && strcmp(name, "data-before-open") != 0) {
        event("misbehaved %s skipped: no driver loaded", name);
        return;
    }
    uint16_t size = 0;
    if (strcmp(name, "close-twice") == 0) {
        ICA_DLLCLOSE close_block = {0};
        size = sizeof close_block;
        int first = call(DLLxCLOSE, &close_block, &size);
        int second = call(DLLxCLOSE, &close_block, &size);
        unload();
        int ok = load(0);
        event("misbehaved close-twice rc=%d,%d reloaded=%d", first, second, ok);
    } else if (strcmp(name, "data-before-open") == 0) {
        unload();
        int ok = load(1);
        event("misbehaved data-before-open reloaded=%d", ok);
    } else if (strcmp(name, "oversize") == 0) {
        size_t length = (size_t)g.loaded_max + 100;
        unsigned char *junk = calloc(1, length);
        if (junk)
            g.arrival(g.arrival_vd, g.channel, junk, (uint16_t)length);
        free(junk);
        event("misbehaved oversize length=%lu", (unsigned long)length);
    } else if (strcmp(name, "garbage") == 0) {
        unsigned char junk[1000];
        unsigned seed = 12345;
        for (size_t i = 0; i < sizeof junk; i++) {
            seed = seed * 1103515245u + 12345u;
            junk[i] = (unsigned char)(seed >> 16);
        }
        g.arrival(g.arrival_vd, g.channel, junk, sizeof junk);
        g.arrival(g.arrival_vd, (uint16_t)(g.channel + 1), junk, sizeof junk);
        g.arrival(g.arrival_vd, g.channel, NULL, 10);
        event("misbehaved garbage");
    } else if (strcmp(name, "unknown-info") == 0) {
        ICA_VDQUERYINFORMATION query = {9999, NULL, 0, 0};
        ICA_VDSETINFORMATION set = {9999, NULL, 0};
        size = sizeof query;
        int q = call(VDxQUERYINFORMATION, &query, &size);
        size = sizeof set;
        int s = call(VDxSETINFORMATION, &set, &size);
        int i = call(DLLxINFO, NULL, &size);
        event("misbehaved unknown-info rc=%d,%d,%d", q, s, i);
    } else if (strcmp(name, "null") == 0) {
        int results[6];
        for (int index = DLLxOPEN; index < VDxCOUNT; index++)
            results[index - DLLxOPEN] = g.procedures[index](NULL, NULL, NULL);
        g.arrival(NULL, g.channel, NULL, 0);
        ICA_DLLPOLL poll_block = {now_ms()};
        size = sizeof poll_block;
        int p = call(DLLxPOLL, NULL, NULL);
        event("misbehaved null rc=%d,%d,%d,%d,%d,%d poll=%d", results[0], results[1], results[2],
              results[3], results[4], results[5], p);
    } else {
        event("error unknown misbehave case %s", name);
    }
}

/* -------------------------------------------------- raw mode (no driver) */

static sock_t raw_adapter = BAD_SOCK;

static void raw_connect(void)
{
#ifndef _WIN32
    struct sockaddr_un address;
    memset(&address, 0, sizeof address);
    address.sun_family = AF_UNIX;
    snprintf(address.sun_path, sizeof address.sun_path, "%s", raw_socket);
    raw_adapter = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (connect(raw_adapter, (struct sockaddr *)&address, sizeof address) != 0) {
        event("error raw mode cannot reach %s", raw_socket);
        close(raw_adapter);
        raw_adapter = BAD_SOCK;
        return;
    }
    set_nonblocking(raw_adapter);
#endif
}

/* ------------------------------------------------------- the engine loop */

static void deliver(packet *p)
{
    for (; p; p = p->next) {
        if (raw_socket) {
            if (raw_adapter == BAD_SOCK)
                raw_connect();
            size_t at = 0;
            while (raw_adapter != BAD_SOCK && at < p->length) {
                long sent = (long)send(raw_adapter, (const char *)p->data + at, (int)(p->length - at), 0);
                if (sent > 0)
                    at += (size_t)sent;
                else if (sent < 0 && would_block())
                    nap_ms(0);
                else
                    break;
            }
            continue;
        }
        if (!g.arrival)
            continue;
        /* The host splits a write into ICA packets of at most the maximum. */
        size_t limit = (size_t)g.loaded_max - 1, at = 0;
        while (at < p->length) {
            size_t n = p->length - at < limit ? p->length - at : limit;
            g.arrival(g.arrival_vd, g.channel, p->data + at, (uint16_t)n);
            at += n;
        }
    }
}

static void raw_poll(void)
{
    if (raw_adapter == BAD_SOCK)
        return;
    unsigned char buffer[65536];
    long got = (long)recv(raw_adapter, (char *)buffer, sizeof buffer, 0);
    if (got > 0) {
        lock();
        if (g.session != BAD_SOCK && g.channel_open)
            queue_record(WIRE_DATA, buffer, (size_t)got);
        flush_out();
        unlock();
    } else if (got == 0 || !would_block()) {
        close_sock(raw_adapter);
        raw_adapter = BAD_SOCK;
    }
}

static void run_command(char *command)
{
    unsigned value = 0;
    char name[32];
    if (strcmp(command, "cut") == 0) {
        unload();
        if (raw_adapter != BAD_SOCK) {
            close_sock(raw_adapter);
            raw_adapter = BAD_SOCK;
        }
        lock();
        g.state = CUT;
        if (g.session != BAD_SOCK)
            shutdown(g.session, 2); /* the network thread sees it close */
        unlock();
        event("cut");
    } else if (strcmp(command, "reconnect") == 0) {
        if (g.library)
            unload();
        int ok = raw_socket ? 1 : load(0);
        lock();
        g.state = ok ? LOADED : CUT;
        unlock();
        event("reconnected ok=%d", ok);
    } else if (sscanf(command, "maxpacket %u", &value) == 1) {
        if (value < 2 || value > 65535) {
            event("error maxpacket takes 2-65535");
        } else {
            g.max_packet = (uint16_t)value;
            event("maxpacket %u (from the next load)", value);
        }
    } else if (sscanf(command, "misbehave %31s", name) == 1) {
        misbehave(name);
    } else if (strcmp(command, "stats") == 0) {
        event("stats oversize=%lu no_outbuf=%lu wrong_thread=%lu", g.oversize, g.no_outbuf,
              g.wrong_thread);
    } else if (command[0]) {
        event("error unknown command %s", command);
    }
}

static void engine_main(void)
{
    mark_engine_thread();
    int ok = raw_socket ? 1 : load(0);
    lock();
    g.state = ok ? LOADED : CUT;
    unlock();
    unsigned next_wait = poll_us;
    for (;;) {
        wait_engine(next_wait);
        char command[128] = "";
        lock();
        int quit = g.quit;
        memcpy(command, g.command, sizeof command);
        g.command[0] = '\0';
        packet *arrived = pop_all(&g.from_session);
        unlock();
        if (quit)
            break;
        if (command[0])
            run_command(command);
        deliver(arrived);
        free_packets(arrived);
        int status = CLIENT_STATUS_NO_DATA;
        if (raw_socket) {
            raw_poll();
        } else if (g.library) {
            ICA_DLLPOLL poll_block = {now_ms()};
            uint16_t size = sizeof poll_block;
            status = call(DLLxPOLL, &poll_block, &size);
            if (status >= CLIENT_ERROR) {
                event("driver-error DriverPoll returned %d; disconnecting", status);
                run_command("cut");
            }
        }
        lock();
        flush_out();
        unlock();
        /* A driver with work left is polled again at once, as the engine does. */
        next_wait = (status == CLIENT_STATUS_SUCCESS || status == CLIENT_STATUS_ERROR_RETRY)
                        ? 0
                        : poll_us;
    }
    unload();
    event("stopped");
}

/* ------------------------------------------------------ the network side */

static sock_t listener = BAD_SOCK;

static int read_exact(sock_t s, unsigned char *data, size_t length)
{
    size_t at = 0;
    while (at < length) {
        long got = (long)recv(s, (char *)data + at, (int)(length - at), 0);
        if (got > 0) {
            at += (size_t)got;
            continue;
        }
        if (got < 0 && would_block()) {
#ifdef _WIN32
            fd_set readable;
            FD_ZERO(&readable);
            FD_SET(s, &readable);
            select(0, &readable, NULL, NULL, NULL);
#else
            struct pollfd p = {s, POLLIN, 0};
            poll(&p, 1, -1);
#endif
            continue;
        }
        return 0;
    }
    return 1;
}

static void reply(int type, const unsigned char *data, size_t length)
{
    lock();
    queue_record(type, data, length);
    flush_out();
    unlock();
    wake_engine();
}

static void serve_session(sock_t s)
{
    unsigned char header[WIRE_HEADER];
    unsigned char *body = malloc(WIRE_MAX_RECORD);
    while (body && read_exact(s, header, sizeof header)) {
        size_t length = (size_t)header[1] | (size_t)header[2] << 8 | (size_t)header[3] << 16 |
                        (size_t)header[4] << 24;
        if (length > WIRE_MAX_RECORD || !read_exact(s, body, length))
            break;
        if (header[0] == WIRE_OPEN) {
            lock();
            int known = g.state == LOADED &&
                        (raw_socket || (length == strlen(g.channel_name) &&
                                        memcmp(body, g.channel_name, length) == 0));
            g.channel_open = known;
            unlock();
            char name[16];
            snprintf(name, sizeof name, "%.*s", (int)(length < 15 ? length : 15), (const char *)body);
            if (known) {
                event("session-open %s", name);
                reply(WIRE_OPEN_OK, NULL, 0);
            } else {
                unsigned char code[4] = {WIN_ERROR_FILE_NOT_FOUND, 0, 0, 0};
                event("session-refused %s", name);
                reply(WIRE_OPEN_REFUSED, code, sizeof code);
            }
        } else if (header[0] == WIRE_DATA) {
            for (;;) {
                lock();
                size_t waiting = g.from_session.bytes;
                int open = g.channel_open && g.state == LOADED;
                if (open && waiting < IN_LIMIT)
                    push_packet(&g.from_session, body, length);
                unlock();
                if (!open || waiting < IN_LIMIT)
                    break;
                nap_ms(1); /* the engine is behind: stop reading, as TCP would */
            }
            wake_engine();
        } else if (header[0] == WIRE_CLOSE) {
            lock();
            g.channel_open = 0;
            unlock();
            event("session-closed-channel");
        }
    }
    free(body);
}

static sock_t handoff = BAD_SOCK; /* accepted, not yet taken by its reader thread */

static void session_main(void)
{
    lock();
    sock_t s = handoff;
    handoff = BAD_SOCK;
    unlock();
    serve_session(s);
    lock();
    int current = g.session == s;
    if (current) {
        g.session = BAD_SOCK;
        g.channel_open = 0;
    }
    unlock();
    close_sock(s);
    event("session-closed");
}

/* Accept VDA connections; the newest is the session (a VDA that reopens wins). */
static void network_main(void)
{
    for (;;) {
        struct sockaddr_in peer;
#ifdef _WIN32
        int peer_size = sizeof peer;
#else
        socklen_t peer_size = sizeof peer;
#endif
        sock_t s = accept(listener, (struct sockaddr *)&peer, &peer_size);
        if (s == BAD_SOCK)
            continue;
        int on = 1;
        setsockopt(s, IPPROTO_TCP, TCP_NODELAY, (const char *)&on, sizeof on);
        /* An ICA connection holds little in flight: keep ours small too, so a
         * session that stops reading is felt as NO_OUTBUF soon, not after megabytes. */
        int buffer = 64 * 1024;
        setsockopt(s, SOL_SOCKET, SO_SNDBUF, (const char *)&buffer, sizeof buffer);
        set_nonblocking(s);
        for (;;) { /* one handoff at a time */
            lock();
            int free_slot = handoff == BAD_SOCK;
            if (free_slot) {
                handoff = s;
                if (g.session != BAD_SOCK)
                    shutdown(g.session, 2);
                g.session = s;
                g.channel_open = 0;
                g.out_length = 0;
            }
            unlock();
            if (free_slot)
                break;
            nap_ms(1);
        }
        start_thread(session_main);
    }
}

/* ----------------------------------------------------------------- main */

static int usage(void)
{
    fprintf(stderr, "usage: ica-engine (--driver PATH | --raw SOCKET) [--port N]"
                    " [--max-packet N] [--poll-us N]\n");
    return 2;
}

int main(int argc, char **argv)
{
    unsigned port = 0;
    for (int i = 1; i < argc; i++) {
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (!value)
            return usage();
        if (strcmp(argv[i], "--driver") == 0)
            driver_path = value;
        else if (strcmp(argv[i], "--raw") == 0)
            raw_socket = value;
        else if (strcmp(argv[i], "--port") == 0)
            port = (unsigned)atoi(value);
        else if (strcmp(argv[i], "--max-packet") == 0)
            g.max_packet = (uint16_t)atoi(value);
        else if (strcmp(argv[i], "--poll-us") == 0)
            poll_us = (unsigned)atoi(value);
        else
            return usage();
        i++;
    }
    if (!driver_path == !raw_socket || g.max_packet < 2 || port > 65535)
        return usage();
    sync_init();
    listener = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_port = htons((unsigned short)port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (listener == BAD_SOCK || bind(listener, (struct sockaddr *)&address, sizeof address) != 0 ||
        listen(listener, 4) != 0) {
        fprintf(stderr, "ica-engine: cannot listen on 127.0.0.1:%u\n", port);
        return 1;
    }
#ifdef _WIN32
    int address_size = sizeof address;
#else
    socklen_t address_size = sizeof address;
#endif
    getsockname(listener, (struct sockaddr *)&address, &address_size);
    event("listening 127.0.0.1 %u", (unsigned)ntohs(address.sin_port));
    start_thread(network_main);
    start_thread(engine_main);
    char line[128];
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (strcmp(line, "quit") == 0)
            break;
        for (;;) { /* one command at a time: wait for the engine to take the last */
            lock();
            int free_slot = g.command[0] == '\0';
            if (free_slot)
                snprintf(g.command, sizeof g.command, "%s", line);
            unlock();
            if (free_slot)
                break;
            nap_ms(1);
        }
        wake_engine();
    }
    lock();
    g.quit = 1;
    unlock();
    wake_engine();
    for (int i = 0; i < 3000; i++) { /* let the engine close and unload the driver */
        nap_ms(1);
        if (!g.library)
            break;
    }
    nap_ms(20);
    return 0;
}
