/*
 * session_wire.h - how the emulated VDA (libwfapi.so) and the ICA engine
 * emulator talk over loopback TCP: records of a type byte, a little-endian
 * 32-bit length and that many bytes. This stands in for the ICA protocol
 * between a VDA and Workspace app; only the channel's bytes cross it.
 */
#ifndef SOFTPHONE_SESSION_WIRE_H
#define SOFTPHONE_SESSION_WIRE_H

enum {
    WIRE_OPEN = 1,          /* VDA -> engine: open the channel named in the payload */
    WIRE_OPEN_OK = 2,       /* engine -> VDA */
    WIRE_OPEN_REFUSED = 3,  /* engine -> VDA: payload is a 32-bit Windows error code */
    WIRE_DATA = 4,          /* either way: channel bytes */
    WIRE_CLOSE = 5          /* VDA -> engine: the app closed its handle */
};

#define WIRE_HEADER 5
#define WIRE_MAX_RECORD (1024 * 1024)

/* Windows error codes the session side reports (through errno off Windows). */
#define WIN_ERROR_FILE_NOT_FOUND 2
#define WIN_ERROR_INVALID_HANDLE 6
#define WIN_ERROR_BROKEN_PIPE 109
#define WIN_WAIT_TIMEOUT 258

#endif
