/*
 * vdsoftph.c - the softphone's Citrix Workspace app virtual-channel driver
 * (channel SOFTPH), loaded on the agent's workstation.
 *
 * Theory of operation: Workspace app loads this module when an ICA session
 * starts, calls its exported Load entry for the call table, and DriverOpen
 * once; we open channel SOFTPH with the WinStation driver and register
 * ICADataArrival as its write hook. From then on the engine's thread calls us:
 * ICADataArrival with bytes the softphone in the virtual desktop wrote, and
 * DriverPoll on its loop. We are a relay, the same contract as the RDP relay
 * (vdi_adapter/rdp_relay.py): bytes pass as they are, because the app and the
 * adapter frame them end to end; we keep no call state, so a cut session
 * loses nothing but this relay, and the adapter service (which owns the calls)
 * keeps them through its grace period until the next session resyncs.
 *
 * - We connect to the adapter service only once the session has spoken, and
 *   again after the service closes our stream (a restart, an upgrade): the
 *   app's heartbeat is what brings us back. When nothing answers we start the
 *   service (at most once every START_INTERVAL_MS) and keep the session's
 *   bytes for up to GIVE_UP_MS while it comes up.
 * - Nothing blocks: the engine forbids it. Sockets are non-blocking; bytes the
 *   adapter has not taken wait in a bounded buffer (UP_LIMIT), and bytes the
 *   session cannot take yet (CLIENT_ERROR_NO_OUTBUF) wait for the next poll,
 *   with DriverPoll answering CLIENT_STATUS_ERROR_RETRY so polling stays fast.
 * - The payload carries SIP credentials: the log gets counts and reasons,
 *   never bytes.
 * - The engine calls us from one thread; all state is this module's, one
 *   instance per loaded session (Workspace app runs a process per session).
 */
#include "ica_vd.h"
#include "platform.h"

#include <stdlib.h>
#include <string.h>

#define CHANNEL_NAME "SOFTPH"
#define UP_LIMIT (1024 * 1024)
#define DOWN_CHUNK (64 * 1024)
#define START_INTERVAL_MS 10000u
#define GIVE_UP_MS 15000u
#define RETRY_CONNECT_MS 50u
#define DRIVER_MAGIC 0x53465048u /* "SFPH": a control block this module made */

typedef struct byte_queue {
    unsigned char *data;
    size_t start, length, capacity;
} byte_queue;

typedef struct driver {
    uint32_t magic;
    int opened, closed;
    uint16_t channel;
    uint16_t max_write;                 /* usable bytes per QueueVirtualWrite */
    void *wd;
    ICA_QUEUE_VIRTUAL_WRITE queue_virtual_write;
    sp_stream stream;
    int connected;
    byte_queue up;                      /* session -> adapter, not yet sent */
    byte_queue preface;                 /* sent first on each new stream */
    unsigned char down[DOWN_CHUNK];     /* adapter -> session, not yet queued */
    size_t down_start, down_length;
    uint64_t waiting_since, last_attempt, last_start;
    int started_once;
    int refused_logged, oversize_logged;
    unsigned long connections;
    unsigned long long bytes_up, bytes_down;
} driver;

static ICA_VD vd_block;
static driver state;

/* ---------------------------------------------------------------- queues */

static int queue_push(byte_queue *q, const unsigned char *data, size_t size, size_t limit)
{
    if (q->length + size > limit)
        return 0;
    if (q->start + q->length + size > q->capacity) {
        if (q->start) {
            memmove(q->data, q->data + q->start, q->length);
            q->start = 0;
        }
        if (q->length + size > q->capacity) {
            size_t capacity = q->capacity ? q->capacity : 4096;
            while (capacity < q->length + size)
                capacity *= 2;
            unsigned char *grown = realloc(q->data, capacity);
            if (!grown)
                return 0;
            q->data = grown;
            q->capacity = capacity;
        }
    }
    memcpy(q->data + q->start + q->length, data, size);
    q->length += size;
    return 1;
}

static void queue_drop(byte_queue *q, size_t size)
{
    q->start += size;
    q->length -= size;
    if (!q->length)
        q->start = 0;
}

static void queue_free(byte_queue *q)
{
    free(q->data);
    memset(q, 0, sizeof *q);
}

/* ------------------------------------------------------ the adapter link */

static void drop_stream(driver *d, const char *reason)
{
    if (d->stream.handle != -1 || d->stream.pending)
        sp_close(&d->stream);
    if (d->connected && reason)
        sp_log("%s; %lu bytes from the session not yet passed on were dropped, reconnecting"
               " when the session next speaks",
               reason, (unsigned long)d->up.length);
    d->connected = 0;
    queue_drop(&d->up, d->up.length);
    queue_drop(&d->preface, d->preface.length);
    d->waiting_since = 0;
}

static void connected(driver *d)
{
    char preface[128];
    size_t size = sp_preface(preface, sizeof preface);
    d->connected = 1;
    d->connections++;
    d->waiting_since = 0;
    d->refused_logged = 0;
    queue_drop(&d->preface, d->preface.length);
    if (size)
        queue_push(&d->preface, (const unsigned char *)preface, size, sizeof preface);
    sp_log("connected to the adapter service (connection %lu)", d->connections);
}

/* Try to reach the service while the session has bytes for it. */
static void reach_adapter(driver *d, uint64_t now)
{
    if (d->connected || !d->up.length)
        return;
    if (!d->waiting_since)
        d->waiting_since = now;
    if (!d->stream.pending && now - d->last_attempt < RETRY_CONNECT_MS)
        return;
    d->last_attempt = now;
    char why[256] = "";
    sp_connect_result result = sp_connect(&d->stream, why, sizeof why);
    if (result == SP_CONNECTED) {
        connected(d);
        return;
    }
    if (result == SP_REFUSED) {
        if (!d->refused_logged)
            sp_log("%s; %lu bytes from the session dropped", why, (unsigned long)d->up.length);
        d->refused_logged = 1;
        queue_drop(&d->up, d->up.length);
        d->waiting_since = 0;
        return;
    }
    if (result == SP_ABSENT &&
        (!d->started_once || now - d->last_start >= START_INTERVAL_MS)) {
        char what[512];
        d->started_once = 1;
        d->last_start = now;
        if (sp_start_adapter(what, sizeof what) == 0)
            sp_log("%s; started the adapter service: %s", why, what);
        else
            sp_log("%s; cannot start the adapter service: %s", why, what);
    }
    if (now - d->waiting_since >= GIVE_UP_MS) {
        sp_log("the adapter service did not answer within %u s (%s); %lu bytes from the"
               " session dropped",
               GIVE_UP_MS / 1000, why[0] ? why : "connection pending",
               (unsigned long)d->up.length);
        if (d->stream.pending)
            sp_close(&d->stream);
        queue_drop(&d->up, d->up.length);
        d->waiting_since = 0;
    }
}

/* Send what the session wrote; returns 1 if any byte moved. */
static int flush_up(driver *d)
{
    int moved = 0;
    byte_queue *queues[2] = {&d->preface, &d->up};
    for (int i = 0; i < 2 && d->connected; i++) {
        byte_queue *q = queues[i];
        while (q->length) {
            long sent = sp_send(&d->stream, q->data + q->start, q->length);
            if (sent == SP_WOULD_BLOCK)
                return moved;
            if (sent == SP_CLOSED) {
                drop_stream(d, "the adapter service closed the connection");
                return moved;
            }
            if (q == &d->up)
                d->bytes_up += (unsigned long long)sent;
            queue_drop(q, (size_t)sent);
            moved = 1;
        }
    }
    return moved;
}

/* Queue the adapter's bytes to the session; CLIENT_STATUS_* of this pass. */
static int flush_down(driver *d)
{
    int moved = 0;
    for (;;) {
        if (!d->down_length) {
            if (!d->connected)
                return moved ? CLIENT_STATUS_SUCCESS : CLIENT_STATUS_NO_DATA;
            long got = sp_recv(&d->stream, d->down, sizeof d->down);
            if (got == SP_WOULD_BLOCK)
                return moved ? CLIENT_STATUS_SUCCESS : CLIENT_STATUS_NO_DATA;
            if (got == SP_CLOSED) {
                drop_stream(d, "the adapter service closed the connection");
                return moved ? CLIENT_STATUS_SUCCESS : CLIENT_STATUS_NO_DATA;
            }
            d->down_start = 0;
            d->down_length = (size_t)got;
        }
        size_t size = d->down_length < d->max_write ? d->down_length : d->max_write;
        ICA_MEMORY_SECTION section = {(unsigned int)size, d->down + d->down_start};
        int rc = d->queue_virtual_write(d->wd, d->channel, &section, 1, ICA_FLUSH_IMMEDIATELY);
        if (rc == CLIENT_ERROR_NO_OUTBUF)
            return CLIENT_STATUS_ERROR_RETRY; /* the session is full: retry next poll */
        if (rc != CLIENT_STATUS_SUCCESS) {
            sp_log("the session refused %lu bytes (QueueVirtualWrite error %d); dropped them",
                   (unsigned long)size, rc);
            d->down_length = 0;
            continue;
        }
        d->bytes_down += size;
        d->down_start += size;
        d->down_length -= size;
        moved = 1;
    }
}

static int pump(driver *d)
{
    reach_adapter(d, sp_now_ms());
    int moved = flush_up(d);
    int status = flush_down(d);
    if (status == CLIENT_STATUS_NO_DATA && moved)
        status = CLIENT_STATUS_SUCCESS;
    return status;
}

/* -------------------------------------------------- the engine's entries */

static driver *driver_of(void *vd, const char *entry)
{
    if (vd != &vd_block || state.magic != DRIVER_MAGIC) {
        sp_log("%s called with a control block this driver did not make; ignored", entry);
        return NULL;
    }
    return &state;
}

static int call_wd(ICA_VD *vd, uint16_t index, void *param, uint16_t *size)
{
    ICA_DLLLINK *link = vd->pWdLink;
    if (!link || !link->pProcedures || link->ProcCount <= index)
        return CLIENT_ERROR_BAD_PROCINDEX;
    ICA_PROCEDURE procedure = ((ICA_PROCEDURE *)link->pProcedures)[index];
    if (!procedure)
        return CLIENT_ERROR_BAD_PROCINDEX;
    return procedure(link->pData, param, size);
}

ICA_EXPORT int WFCAPI ICADataArrival(void *vd, uint16_t channel, unsigned char *data,
                                     uint16_t length)
{
    driver *d = driver_of(vd, "ICADataArrival");
    if (!d)
        return CLIENT_STATUS_SUCCESS;
    if (!d->opened || d->closed) {
        sp_log("%u bytes arrived while the channel is not open; ignored", (unsigned)length);
        return CLIENT_STATUS_SUCCESS;
    }
    if (channel != d->channel || (!data && length)) {
        sp_log("data for channel %u (ours is %u, buffer %s); ignored", (unsigned)channel,
               (unsigned)d->channel, data ? "given" : "missing");
        return CLIENT_STATUS_SUCCESS;
    }
    if (length > d->max_write && !d->oversize_logged) {
        /* Not ours to judge: the bytes are the app's frames; pass them on. */
        sp_log("a %u-byte packet from the session exceeds the announced maximum of %u; passed"
               " on",
               (unsigned)length, (unsigned)d->max_write);
        d->oversize_logged = 1;
    }
    if (!queue_push(&d->up, data, length, UP_LIMIT)) {
        sp_log("the adapter service is not taking data (%lu bytes waiting); dropped %u bytes",
               (unsigned long)d->up.length, (unsigned)length);
        return CLIENT_STATUS_SUCCESS;
    }
    reach_adapter(d, sp_now_ms());
    flush_up(d);
    return CLIENT_STATUS_SUCCESS;
}

ICA_EXPORT int WFCAPI DriverOpen(ICA_VD *vd, ICA_VDOPEN *open, uint16_t *size)
{
    driver *d = driver_of(vd, "DriverOpen");
    if (!d)
        return CLIENT_ERROR_INVALID_PARAMETER;
    if (!open) {
        sp_log("DriverOpen without an open block; refused");
        return CLIENT_ERROR_NULL_MEM_POINTER;
    }
    if (d->opened && !d->closed) {
        sp_log("DriverOpen called again on an open channel; refused");
        return CLIENT_ERROR_ALREADY_OPEN;
    }
    vd->pWdLink = open->pWdLink;

    ICA_OPENVIRTUALCHANNEL channel = {(void *)CHANNEL_NAME, 0};
    ICA_WDQUERYINFORMATION query = {WdOpenVirtualChannel, &channel, sizeof channel, 0};
    uint16_t query_size = sizeof query;
    int rc = call_wd(vd, WDxQUERYINFORMATION, &query, &query_size);
    if (rc != CLIENT_STATUS_SUCCESS) {
        sp_log("the WinStation driver would not open channel %s (error %d)", CHANNEL_NAME, rc);
        return rc;
    }
    if (channel.Channel >= 32) {
        sp_log("channel %s got number %u, outside the channel mask", CHANNEL_NAME,
               (unsigned)channel.Channel);
        return CLIENT_ERROR_INVALID_PARAMETER;
    }

    ICA_VDWRITEHOOK hook;
    memset(&hook, 0, sizeof hook);
    hook.Type = channel.Channel;
    hook.pVdData = vd;
    hook.pProc = ICADataArrival;
    ICA_WDSETINFORMATION set = {WdVirtualWriteHook, &hook, sizeof hook};
    uint16_t set_size = sizeof set;
    rc = call_wd(vd, WDxSETINFORMATION, &set, &set_size);
    if (rc != CLIENT_STATUS_SUCCESS) {
        sp_log("the WinStation driver would not take our write hook (error %d)", rc);
        return rc;
    }
    if (!hook.pQueueVirtualWriteProc || hook.MaximumWriteSize < 2) {
        sp_log("the WinStation driver offers no QueueVirtualWrite (maximum write %u); this"
               " Workspace app is too old for the softphone channel",
               (unsigned)hook.MaximumWriteSize);
        return CLIENT_ERROR_VD_NOT_FOUND;
    }

    d->channel = channel.Channel;
    d->wd = hook.pWdData;
    d->queue_virtual_write = hook.pQueueVirtualWriteProc;
    d->max_write = (uint16_t)(hook.MaximumWriteSize - 1); /* one byte is the channel number */
    d->opened = 1;
    d->closed = 0;
    vd->ChannelMask = 1u << channel.Channel;
    open->ChannelMask = vd->ChannelMask;
    if (size)
        *size = sizeof(ICA_VDOPEN);
    sp_log("channel %s open as number %u, writes of up to %u bytes", CHANNEL_NAME,
           (unsigned)d->channel, (unsigned)d->max_write);
    return CLIENT_STATUS_SUCCESS;
}

ICA_EXPORT int WFCAPI DriverClose(ICA_VD *vd, ICA_DLLCLOSE *close_block, uint16_t *size)
{
    (void)close_block;
    (void)size;
    driver *d = driver_of(vd, "DriverClose");
    if (!d)
        return CLIENT_STATUS_SUCCESS;
    if (d->closed || !d->opened) {
        sp_log("DriverClose on a channel that is not open; nothing to do");
        return CLIENT_STATUS_SUCCESS;
    }
    drop_stream(d, NULL);
    queue_free(&d->up);
    queue_free(&d->preface);
    d->down_length = 0;
    d->closed = 1;
    sp_log("session closed: %llu bytes passed to the adapter, %llu to the session, %lu"
           " adapter connections",
           d->bytes_up, d->bytes_down, d->connections);
    return CLIENT_STATUS_SUCCESS;
}

ICA_EXPORT int WFCAPI DriverInfo(ICA_VD *vd, ICA_DLLINFO *info, uint16_t *size)
{
    driver *d = driver_of(vd, "DriverInfo");
    if (!d)
        return CLIENT_ERROR_INVALID_PARAMETER;
    if (!info) {
        sp_log("DriverInfo without an information block; refused");
        return CLIENT_ERROR_NULL_MEM_POINTER;
    }
    if (size)
        *size = sizeof(ICA_DLLINFO);
    uint16_t needed = sizeof(ICA_VD_C2H);
    if (!info->pBuffer || info->ByteCount < needed) {
        info->ByteCount = needed; /* the engine asks again with a buffer this large */
        return CLIENT_ERROR_BUFFER_TOO_SMALL;
    }
    ICA_VD_C2H *c2h = (ICA_VD_C2H *)info->pBuffer;
    memset(c2h, 0, needed);
    c2h->Header.ByteCount = needed;
    c2h->Header.ModuleClass = ICA_Module_VirtualDriver;
    c2h->Header.VersionL = 1;
    c2h->Header.VersionH = 1;
    memcpy(c2h->Header.HostModuleName, "ICA", 4);
    c2h->ChannelMask = vd->ChannelMask;
    c2h->Flow.Flow = ICA_VirtualFlow_None;
    info->ByteCount = needed;
    return CLIENT_STATUS_SUCCESS;
}

ICA_EXPORT int WFCAPI DriverPoll(ICA_VD *vd, ICA_DLLPOLL *poll, uint16_t *size)
{
    (void)poll;
    (void)size;
    driver *d = driver_of(vd, "DriverPoll");
    if (!d || !d->opened || d->closed)
        return CLIENT_STATUS_NO_DATA;
    return pump(d);
}

ICA_EXPORT int WFCAPI DriverQueryInformation(ICA_VD *vd, ICA_VDQUERYINFORMATION *query,
                                             uint16_t *size)
{
    (void)size;
    if (!driver_of(vd, "DriverQueryInformation"))
        return CLIENT_STATUS_SUCCESS;
    if (query)
        query->VdReturnLength = 0; /* nothing to tell: the documented no-op */
    return CLIENT_STATUS_SUCCESS;
}

ICA_EXPORT int WFCAPI DriverSetInformation(ICA_VD *vd, ICA_VDSETINFORMATION *set,
                                           uint16_t *size)
{
    (void)size;
    (void)set; /* VdDisableModule and VdFlush need nothing from a relay */
    driver_of(vd, "DriverSetInformation");
    return CLIENT_STATUS_SUCCESS;
}

ICA_EXPORT int WFCAPI DriverGetLastError(ICA_VD *vd, ICA_VDLASTERROR *last)
{
    if (!driver_of(vd, "DriverGetLastError") || !last)
        return CLIENT_STATUS_SUCCESS;
    last->Error = vd->LastError;
    last->Message[0] = '\0';
    return CLIENT_STATUS_SUCCESS;
}

/* ------------------------------------------ the library-manager surface */

static int WFCAPI proc_load(void *vd, void *param, uint16_t *size)
{
    (void)vd;
    (void)param;
    (void)size;
    return CLIENT_STATUS_SUCCESS; /* everything was done by Load */
}

static int WFCAPI proc_unload(void *vd, void *param, uint16_t *size)
{
    (void)param;
    (void)size;
    driver *d = driver_of(vd, "unload");
    if (!d)
        return CLIENT_STATUS_SUCCESS;
    if (d->opened && !d->closed)
        DriverClose(&vd_block, NULL, NULL);
    queue_free(&d->up);
    queue_free(&d->preface);
    memset(d, 0, sizeof *d);
    memset(&vd_block, 0, sizeof vd_block);
    return CLIENT_STATUS_SUCCESS;
}

#define AS_PROCEDURE(f) ((ICA_PROCEDURE)(void (*)(void))(f))

static ICA_PROCEDURE procedures[VDxCOUNT];

ICA_EXPORT int WFCAPI Load(ICA_DLLLINK *link)
{
    sp_platform_init();
    if (!link) {
        sp_log("Load without a link block; refused");
        return CLIENT_ERROR_NULL_MEM_POINTER;
    }
    if (state.magic == DRIVER_MAGIC) {
        sp_log("Load called again while loaded; refused");
        return CLIENT_ERROR_ALREADY_OPEN;
    }
    memset(&state, 0, sizeof state);
    memset(&vd_block, 0, sizeof vd_block);
    state.magic = DRIVER_MAGIC;
    state.stream.handle = -1;
    vd_block.pPrivate = &state;
    procedures[DLLxLOAD] = proc_load;
    procedures[DLLxUNLOAD] = proc_unload;
    procedures[DLLxOPEN] = AS_PROCEDURE(DriverOpen);
    procedures[DLLxCLOSE] = AS_PROCEDURE(DriverClose);
    procedures[DLLxINFO] = AS_PROCEDURE(DriverInfo);
    procedures[DLLxPOLL] = AS_PROCEDURE(DriverPoll);
    procedures[VDxQUERYINFORMATION] = AS_PROCEDURE(DriverQueryInformation);
    procedures[VDxSETINFORMATION] = AS_PROCEDURE(DriverSetInformation);
    link->ProcCount = VDxCOUNT;
    link->pProcedures = procedures;
    link->pData = &vd_block;
    sp_log("loaded (channel %s)", CHANNEL_NAME);
    return CLIENT_STATUS_SUCCESS;
}
