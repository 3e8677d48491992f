/*
 * platform.h - what the SOFTPH driver needs from the operating system: a
 * non-blocking stream to the adapter service, starting that service, a clock
 * and a log. platform_posix.c (Linux thin clients: the adapter's Unix socket)
 * and platform_win32.c (Windows: the adapter's token-guarded loopback TCP
 * port, named by its endpoint file) implement it; vdsoftph.c uses nothing else.
 */
#ifndef SOFTPHONE_DRIVER_PLATFORM_H
#define SOFTPHONE_DRIVER_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

/* Outcome of trying to reach the adapter service. */
typedef enum {
    SP_CONNECTED,  /* the stream is up */
    SP_PENDING,    /* a connection is on its way; ask again on the next poll */
    SP_ABSENT,     /* nothing answers: the service is not running */
    SP_REFUSED     /* something answers that is not ours (owner, permissions, file) */
} sp_connect_result;

typedef struct sp_stream {
    intptr_t handle;          /* descriptor or SOCKET; -1 when closed */
    int pending;              /* a non-blocking connect is in progress */
} sp_stream;

#define SP_WOULD_BLOCK (-2)
#define SP_CLOSED (-1)

void sp_platform_init(void);
/* Start (or finish) connecting; on SP_REFUSED/SP_ABSENT, `why` says why in words. */
sp_connect_result sp_connect(sp_stream *stream, char *why, size_t why_size);
/* Bytes the adapter must see first on a new stream (its token preface), or 0. */
size_t sp_preface(char *out, size_t out_size);
/* Bytes moved, SP_WOULD_BLOCK, or SP_CLOSED (peer gone or error). */
long sp_send(sp_stream *stream, const unsigned char *data, size_t size);
long sp_recv(sp_stream *stream, unsigned char *data, size_t size);
void sp_close(sp_stream *stream);
/* Start the adapter service detached; describe what was started (or why not). */
int sp_start_adapter(char *what, size_t what_size);
uint64_t sp_now_ms(void);
void sp_log(const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

#endif /* SOFTPHONE_DRIVER_PLATFORM_H */
