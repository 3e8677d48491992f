/*
 * ica_vd.h - the part of the Citrix Workspace app virtual-driver ABI that the
 * SOFTPH driver and QA's ICA engine emulator use.
 *
 * Written for this project from the public Citrix Virtual Channel SDK
 * programming reference (DriverOpen, DriverClose, DriverInfo, DriverPoll,
 * DriverQueryInformation, DriverSetInformation, DriverGetLastError,
 * ICADataArrival, VdCallWd, QueueVirtualWrite). The structures below mirror,
 * field for field and in the same order, the documented DLLLINK, VD, VDOPEN,
 * DLLINFO, DLLPOLL, DLLCLOSE, VDQUERYINFORMATION, VDSETINFORMATION,
 * VDLASTERROR, WDQUERYINFORMATION, WDSETINFORMATION, OPENVIRTUALCHANNEL,
 * VDWRITEHOOK, MEMORY_SECTION, MODULE_C2H, VDFLOW and VD_C2H, with the
 * documented procedure indices, information classes and CLIENT_STATUS /
 * CLIENT_ERROR codes. Only what we use is declared; names are ours where the
 * SDK's would clash with system headers.
 *
 * Calling convention: WFCAPI is __stdcall on 32-bit Windows (the SDK's
 * "pascal" linkage) and the platform default elsewhere.
 */
#ifndef SOFTPHONE_ICA_VD_H
#define SOFTPHONE_ICA_VD_H

#include <stdint.h>

#if defined(_WIN32) && !defined(_WIN64)
#define WFCAPI __stdcall
#else
#define WFCAPI
#endif

#if defined(_WIN32)
#define ICA_EXPORT __declspec(dllexport)
#else
#define ICA_EXPORT __attribute__((visibility("default")))
#endif

/* ---- status codes (documented values) ---- */
#define CLIENT_STATUS_SUCCESS 0
#define CLIENT_STATUS_NO_DATA 21
#define CLIENT_STATUS_ERROR_RETRY 30
#define CLIENT_ERROR 1000
#define CLIENT_ERROR_NO_MEMORY 1001
#define CLIENT_ERROR_BAD_PROCINDEX 1003
#define CLIENT_ERROR_BUFFER_TOO_SMALL 1004
#define CLIENT_ERROR_NULL_MEM_POINTER 1011
#define CLIENT_ERROR_INVALID_BUFFER_SIZE 1013
#define CLIENT_ERROR_NOT_OPEN 1015
#define CLIENT_ERROR_NO_OUTBUF 1016
#define CLIENT_ERROR_INVALID_CALL 1027
#define CLIENT_ERROR_ALREADY_OPEN 1032
#define CLIENT_ERROR_INVALID_PARAMETER 1043
#define CLIENT_ERROR_VD_NOT_FOUND 1022

/* ---- the library manager's link to a loaded module ---- */

/* Index of each procedure in a module's call table (DLLLINK.pProcedures). */
enum {
    DLLxLOAD = 0,
    DLLxUNLOAD = 1,
    DLLxOPEN = 2,
    DLLxCLOSE = 3,
    DLLxINFO = 4,
    DLLxPOLL = 5,
    VDxQUERYINFORMATION = 6,
    VDxSETINFORMATION = 7,
    VDxCOUNT = 8
};

/* The same two indices call into the WinStation driver through VdCallWd. */
enum { WDxQUERYINFORMATION = 6, WDxSETINFORMATION = 7 };

/* Every entry of a call table: (module data, parameter block, its size). */
typedef int(WFCAPI *ICA_PROCEDURE)(void *data, void *param, uint16_t *size);

typedef struct ICA_DLLLINK {
    uint16_t unused1;
    uint16_t DllSize;
    uint16_t ProcCount;       /* entries in pProcedures */
    void *pProcedures;        /* ICA_PROCEDURE[ProcCount] */
    void *pData;              /* the module's own data, first argument of each call */
    unsigned char *unused2;
    unsigned char ModuleName[14];
    void *pLibMgrCallTable;
    uint16_t ModuleDate;
    uint16_t ModuleTime;
    uint32_t ModuleSize;
    struct ICA_DLLLINK *pNext;
    uint32_t DllFlags;
    const char *DllLoad;
    void *LibraryHandle;
} ICA_DLLLINK;

/* The exported entry point the engine resolves by name ("Load"). */
typedef int(WFCAPI *ICA_LOAD)(ICA_DLLLINK *link);

/* ---- virtual driver control block and its call parameters ---- */

typedef struct ICA_VD {
    uint32_t ChannelMask;
    ICA_DLLLINK *pWdLink;
    int LastError;
    void *pPrivate;
} ICA_VD;

typedef struct ICA_VDOPEN {
    ICA_DLLLINK *pVdLink;
    ICA_DLLLINK *pWdLink;
    uint32_t ChannelMask;     /* set by the driver */
    void *reserved2;
    void *pfnStatusMsgProc;
    void *hICAEng;
} ICA_VDOPEN;

typedef struct ICA_DLLCLOSE {
    int NotUsed;
} ICA_DLLCLOSE;

typedef struct ICA_DLLINFO {
    unsigned char *pBuffer;
    uint16_t ByteCount;
} ICA_DLLINFO;

typedef struct ICA_DLLPOLL {
    uint32_t CurrentTime;     /* milliseconds */
} ICA_DLLPOLL;

typedef struct ICA_VDQUERYINFORMATION {
    int VdInformationClass;
    void *pVdInformation;
    int VdInformationLength;
    int VdReturnLength;
} ICA_VDQUERYINFORMATION;

typedef struct ICA_VDSETINFORMATION {
    int VdInformationClass;
    void *pVdInformation;
    int VdInformationLength;
} ICA_VDSETINFORMATION;

#define ICA_MAX_ERRORMESSAGE 288
typedef struct ICA_VDLASTERROR {
    int Error;
    char Message[ICA_MAX_ERRORMESSAGE];
} ICA_VDLASTERROR;

/* ---- calls into the WinStation driver (VdCallWd) ---- */

/* WDINFOCLASS values a virtual driver uses. */
enum { WdVirtualWriteHook = 10, WdOpenVirtualChannel = 33 };

typedef struct ICA_WDQUERYINFORMATION {
    int WdInformationClass;
    void *pWdInformation;
    uint16_t WdInformationLength;
    uint16_t WdReturnLength;
} ICA_WDQUERYINFORMATION;

typedef struct ICA_WDSETINFORMATION {
    int WdInformationClass;
    void *pWdInformation;
    uint16_t WdInformationLength;
} ICA_WDSETINFORMATION;

typedef struct ICA_OPENVIRTUALCHANNEL {
    void *pVCName;            /* in: channel name, at most 7 ASCII characters */
    uint16_t Channel;         /* out: channel number */
} ICA_OPENVIRTUALCHANNEL;

typedef struct ICA_MEMORY_SECTION {
    unsigned int length;
    unsigned char *pSection;
} ICA_MEMORY_SECTION;

#define ICA_FLUSH_IMMEDIATELY 0

/* Session-to-endpoint data: the driver's ICADataArrival. */
typedef int(WFCAPI *ICA_WRITE_PROCEDURE)(void *vd, uint16_t channel, unsigned char *data,
                                         uint16_t length);
/* Endpoint-to-session data: the WinStation driver's QueueVirtualWrite. */
typedef int(WFCAPI *ICA_QUEUE_VIRTUAL_WRITE)(void *wd, uint16_t channel,
                                             ICA_MEMORY_SECTION *sections, uint16_t count,
                                             uint16_t flag);

typedef struct ICA_VDWRITEHOOK {
    uint16_t Type;                     /* in: channel number */
    void *pVdData;                     /* in: the driver's ICA_VD */
    ICA_WRITE_PROCEDURE pProc;         /* in: ICADataArrival */
    void *pWdData;                     /* out: first argument of the WD's helpers */
    void *pOutBufReserveProc;          /* out: legacy output-buffer helpers (unused) */
    void *pOutBufAppendProc;
    void *pOutBufWriteProc;
    void *pAppendVdHeaderProc;
    uint16_t MaximumWriteSize;         /* out: largest write, one byte more than usable */
    ICA_QUEUE_VIRTUAL_WRITE pQueueVirtualWriteProc; /* out */
} ICA_VDWRITEHOOK;

/* ---- what DriverInfo returns for the host (packed, it crosses the wire) ---- */

enum { ICA_Module_VirtualDriver = 3 };
enum { ICA_VirtualFlow_None = 0 };

#pragma pack(push, 1)
typedef struct ICA_MODULE_C2H {
    uint16_t ByteCount;
    unsigned char ModuleCount;
    unsigned char ModuleClass;
    unsigned char VersionL;
    unsigned char VersionH;
    unsigned char ModuleName[13];
    unsigned char HostModuleName[9];
    uint16_t ModuleDate;
    uint16_t ModuleTime;
    uint32_t ModuleSize;
} ICA_MODULE_C2H;

typedef struct ICA_VDFLOW {
    unsigned char BandwidthQuota;
    unsigned char Flow;
    unsigned char Pad1[2];
    unsigned char Union[4];   /* ack / delay / cdm parameters; zero for no flow control */
} ICA_VDFLOW;

typedef struct ICA_VD_C2H {
    ICA_MODULE_C2H Header;
    uint32_t ChannelMask;
    ICA_VDFLOW Flow;
} ICA_VD_C2H;
#pragma pack(pop)

#endif /* SOFTPHONE_ICA_VD_H */
