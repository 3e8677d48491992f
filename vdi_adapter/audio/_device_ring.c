/* Sound-device side of the media bridge: PortAudio callbacks and the rings they use.
 *
 * Theory of operation: each call has two rings of 16-bit samples where the sound card's
 * clock meets pjmedia's. The capture ring is filled by an input stream's callback and
 * emptied by the pipeline on pjmedia's clock thread; the play ring is filled by the
 * pipeline and emptied by an output stream's callback. The callbacks are C functions
 * (``stream_callback``) that never enter Python: a Python callback costs a thread-state
 * switch, the GIL, and sounddevice's wrapping of every block, 50 times a second per
 * stream, which is most of what a call's audio costs on a thin client. All processing
 * (resampling, echo cancellation, gains, tones) stays in Python, on pjmedia's thread.
 *
 * PortAudio gets a ``DeviceTap`` as its callback's user data. A tap is attached to a ring
 * (or to none: the stream then plays silence and drops what it records). A device switch
 * opens new streams while the old ones still run; a ring lets exactly one tap feed it
 * (``feeder``), and the tap named ``incoming`` takes over in its own next callback, so
 * the two devices never both feed the call and there is no gap between them.
 *
 * A play ring can copy every block the loudspeaker takes, silence included, into a
 * second ring (``echo``) as it plays it: the echo canceller's reference, timed by the
 * loudspeaker's own clock rather than by when the pipeline queued the audio.
 *
 * Every ring operation holds the ring's lock for one copy of samples (a device block,
 * or what waits in a ring: at most its capacity); a play ring's lock is taken before its
 * echo ring's, and Python only ever holds one ring's lock, so the locks never deadlock. The callbacks record when they ran (``device_at``) and log each transfer
 * (sample index, count, time) for the pipeline's drift control and latency figures, on
 * the clock ``monotonic()`` returns (CLOCK_MONOTONIC, as Python's ``time.monotonic`` on
 * POSIX; QueryPerformanceCounter on Windows): the pipeline reads this clock, not Python's.
 * ``device_write``/``device_read`` run the callbacks' code with a given time, for tests
 * that drive a ring with simulated clocks.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#ifdef _WIN32
#include <windows.h>
static LARGE_INTEGER frequency; /* set once at import, before any stream runs */
#define CLOCK_INIT() QueryPerformanceFrequency(&frequency)
typedef SRWLOCK lock_t;
#define LOCK_INIT(l) InitializeSRWLock(l)
#define LOCK(l) AcquireSRWLockExclusive(l)
#define UNLOCK(l) ReleaseSRWLockExclusive(l)
#define LOCK_FREE(l) ((void)0)
static double monotonic_s(void)
{
    LARGE_INTEGER now;
    QueryPerformanceCounter(&now);
    return (double)now.QuadPart / (double)frequency.QuadPart;
}
#else
#include <pthread.h>
#include <time.h>
#define CLOCK_INIT() ((void)0)
typedef pthread_mutex_t lock_t;
#define LOCK_INIT(l) pthread_mutex_init(l, NULL)
#define LOCK(l) pthread_mutex_lock(l)
#define UNLOCK(l) pthread_mutex_unlock(l)
#define LOCK_FREE(l) pthread_mutex_destroy(l)
static double monotonic_s(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}
#endif

#define LOG_SIZE 256 /* transfers kept for the pipeline: 2.5 s of 10 ms blocks */
#define SHORT_BLOCK_TOLERANCE 40 /* a block 1/40 short is padded, not an underrun */

typedef struct {
    uint64_t index; /* capture: index after the write; play: index of the first sample read */
    uint64_t count;
    double at;
} transfer_t;

typedef struct DeviceRing {
    PyObject_HEAD
    lock_t lock;
    int16_t *data;
    Py_ssize_t capacity, start, level;
    unsigned long long written, removed, dropped, starved, blocks;
    Py_ssize_t target; /* play: after an underrun, wait for a block and this many more */
    int refilling;
    double device_at; /* when a device callback last used the ring (0: never) */
    long feeder, incoming; /* tap ids: the one feeding, the one taking over */
    struct DeviceRing *echo; /* play ring: gets a copy of every block played (or NULL) */
    transfer_t log[LOG_SIZE];
    unsigned long long logged, taken;
} DeviceRing;

typedef struct {
    PyObject_HEAD
    lock_t lock;
    DeviceRing *ring; /* strong reference, or NULL */
    long id;
    int input;
    unsigned long long blocks, status_flags;
} DeviceTap;

static PyTypeObject DeviceRingType;
static long next_tap_id = 1;

/* ---- ring core (lock held) ---- */

static void discard(DeviceRing *r, Py_ssize_t count)
{
    r->start = (r->start + count) % r->capacity;
    r->level -= count;
    r->removed += (unsigned long long)count;
}

static void put(DeviceRing *r, const int16_t *samples, Py_ssize_t count)
{
    r->written += (unsigned long long)count;
    if (count >= r->capacity) {
        Py_ssize_t lost = r->level + count - r->capacity;
        r->dropped += (unsigned long long)lost;
        r->removed += (unsigned long long)lost;
        samples += count - r->capacity;
        count = r->capacity;
        r->start = 0;
        r->level = 0;
    }
    Py_ssize_t overflow = r->level + count - r->capacity;
    if (overflow > 0) { /* the oldest samples go: the delay never grows past capacity */
        discard(r, overflow);
        r->dropped += (unsigned long long)overflow;
    }
    Py_ssize_t at = (r->start + r->level) % r->capacity;
    Py_ssize_t first = count < r->capacity - at ? count : r->capacity - at;
    memcpy(r->data + at, samples, (size_t)first * sizeof(int16_t));
    memcpy(r->data, samples + first, (size_t)(count - first) * sizeof(int16_t));
    r->level += count;
}

static Py_ssize_t take(DeviceRing *r, int16_t *out, Py_ssize_t count)
{
    Py_ssize_t got = count < r->level ? count : r->level;
    Py_ssize_t first = got < r->capacity - r->start ? got : r->capacity - r->start;
    memcpy(out, r->data + r->start, (size_t)first * sizeof(int16_t));
    memcpy(out + first, r->data, (size_t)(got - first) * sizeof(int16_t));
    discard(r, got);
    return got;
}

static void log_transfer(DeviceRing *r, unsigned long long index, Py_ssize_t count, double at)
{
    transfer_t *entry = &r->log[r->logged % LOG_SIZE];
    entry->index = index;
    entry->count = (uint64_t)count;
    entry->at = at;
    r->logged++;
}

static void device_write(DeviceRing *r, const int16_t *samples, Py_ssize_t count, double now)
{
    put(r, samples, count);
    r->blocks++;
    r->device_at = now;
    log_transfer(r, r->written, count, now);
}

static void played(DeviceRing *r, const int16_t *out, Py_ssize_t count)
{
    /* The echo canceller's reference: what the loudspeaker got, when it got it. */
    if (r->echo) {
        LOCK(&r->echo->lock);
        put(r->echo, out, count);
        UNLOCK(&r->echo->lock);
    }
}

static void device_read(DeviceRing *r, int16_t *out, Py_ssize_t count, double now)
{
    r->blocks++;
    r->device_at = now;
    /* After an underrun, play silence until the ring holds a block and its target
     * again: a cushion for the other clock's jitter, instead of starving block after
     * block. A few samples short is the drift correction's doing, padded instead. */
    if (r->level < count - count / SHORT_BLOCK_TOLERANCE)
        r->refilling = 1;
    if (r->refilling) {
        if (r->level < count + r->target) {
            memset(out, 0, (size_t)count * sizeof(int16_t));
            r->starved += (unsigned long long)count;
            played(r, out, count);
            return;
        }
        r->refilling = 0;
    }
    unsigned long long first = r->removed;
    Py_ssize_t got = take(r, out, count);
    memset(out + got, 0, (size_t)(count - got) * sizeof(int16_t));
    r->starved += (unsigned long long)(count - got);
    log_transfer(r, first, got, now);
    played(r, out, count);
}

/* Whether this tap's block goes to the ring; the incoming tap takes the ring over. */
static int feeds(DeviceRing *r, DeviceTap *tap, int *first_block)
{
    *first_block = 0;
    if (r->feeder == tap->id)
        return 1;
    if (r->incoming == tap->id) {
        r->feeder = tap->id;
        *first_block = 1;
        return 1;
    }
    return 0;
}

/* ---- the PortAudio callback ---- */

static int stream_callback(const void *input, void *output, unsigned long frames,
                           const void *time_info, unsigned long status, void *user)
{
    DeviceTap *tap = (DeviceTap *)user;
    double now = monotonic_s();
    int first_block;
    (void)time_info;
    LOCK(&tap->lock);
    tap->blocks++;
    if (status)
        tap->status_flags++;
    DeviceRing *r = tap->ring;
    if (tap->input) {
        if (r && input) {
            LOCK(&r->lock);
            if (feeds(r, tap, &first_block))
                device_write(r, (const int16_t *)input, (Py_ssize_t)frames, now);
            UNLOCK(&r->lock);
        }
    } else if (output) {
        int filled = 0;
        if (r) {
            LOCK(&r->lock);
            if (feeds(r, tap, &first_block)) {
                if (first_block) {
                    /* A new speaker's first block is silence: the old speaker is still
                     * playing the block it took last, and taking another now would
                     * drain a block. It is played all the same: the echo reference
                     * keeps in step with the loudspeaker. */
                    memset(output, 0, (size_t)frames * sizeof(int16_t));
                    played(r, (const int16_t *)output, (Py_ssize_t)frames);
                } else {
                    device_read(r, (int16_t *)output, (Py_ssize_t)frames, now);
                }
                filled = 1;
            }
            UNLOCK(&r->lock);
        }
        if (!filled)
            memset(output, 0, (size_t)frames * sizeof(int16_t));
    }
    UNLOCK(&tap->lock);
    return 0; /* paContinue */
}

/* ---- DeviceRing: Python side ---- */

static int samples_of(PyObject *object, Py_buffer *view)
{
    if (PyObject_GetBuffer(object, view, PyBUF_C_CONTIGUOUS) < 0)
        return -1;
    if (view->len % (Py_ssize_t)sizeof(int16_t)) {
        PyBuffer_Release(view);
        PyErr_SetString(PyExc_ValueError, "samples must be 16-bit (an even byte count)");
        return -1;
    }
    return 0;
}

static PyObject *ring_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *names[] = {"capacity", NULL};
    Py_ssize_t capacity;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "n", names, &capacity))
        return NULL;
    if (capacity <= 0) {
        PyErr_SetString(PyExc_ValueError, "capacity must be positive");
        return NULL;
    }
    DeviceRing *self = (DeviceRing *)type->tp_alloc(type, 0);
    if (!self)
        return NULL;
    LOCK_INIT(&self->lock);
    /* Allocated here, not in __init__: no ring ever exists without its samples. */
    self->data = PyMem_Calloc((size_t)capacity, sizeof(int16_t));
    if (!self->data) {
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    self->capacity = capacity;
    return (PyObject *)self;
}

static void ring_dealloc(DeviceRing *self)
{
    Py_XDECREF(self->echo);
    PyMem_Free(self->data);
    LOCK_FREE(&self->lock);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *ring_write(DeviceRing *self, PyObject *object)
{
    Py_buffer view;
    if (samples_of(object, &view) < 0)
        return NULL;
    LOCK(&self->lock);
    put(self, (const int16_t *)view.buf, view.len / (Py_ssize_t)sizeof(int16_t));
    UNLOCK(&self->lock);
    PyBuffer_Release(&view);
    Py_RETURN_NONE;
}

static PyObject *ring_read(DeviceRing *self, PyObject *arg)
{
    Py_ssize_t count = PyNumber_AsSsize_t(arg, PyExc_OverflowError);
    if (count == -1 && PyErr_Occurred())
        return NULL;
    if (count < 0)
        count = 0;
    if (count > self->capacity)
        count = self->capacity; /* no more can be waiting */
    PyObject *out = PyBytes_FromStringAndSize(NULL, count * (Py_ssize_t)sizeof(int16_t));
    if (!out)
        return NULL;
    LOCK(&self->lock);
    Py_ssize_t got = take(self, (int16_t *)PyBytes_AS_STRING(out), count);
    UNLOCK(&self->lock);
    if (got < count && _PyBytes_Resize(&out, got * (Py_ssize_t)sizeof(int16_t)) < 0)
        return NULL;
    return out;
}

static PyObject *ring_trim_to(DeviceRing *self, PyObject *arg)
{
    Py_ssize_t level = PyNumber_AsSsize_t(arg, PyExc_OverflowError);
    if (level == -1 && PyErr_Occurred())
        return NULL;
    LOCK(&self->lock);
    Py_ssize_t excess = self->level - (level > 0 ? level : 0);
    if (excess > 0) {
        discard(self, excess);
        self->dropped += (unsigned long long)excess;
    } else {
        excess = 0;
    }
    UNLOCK(&self->lock);
    return PyLong_FromSsize_t(excess);
}

static PyObject *ring_clear(DeviceRing *self, PyObject *unused)
{
    (void)unused;
    LOCK(&self->lock);
    discard(self, self->level);
    UNLOCK(&self->lock);
    Py_RETURN_NONE;
}

static PyObject *ring_device_write(DeviceRing *self, PyObject *args)
{
    PyObject *object;
    double now;
    Py_buffer view;
    if (!PyArg_ParseTuple(args, "Od", &object, &now) || samples_of(object, &view) < 0)
        return NULL;
    LOCK(&self->lock);
    device_write(self, (const int16_t *)view.buf, view.len / (Py_ssize_t)sizeof(int16_t), now);
    UNLOCK(&self->lock);
    PyBuffer_Release(&view);
    Py_RETURN_NONE;
}

static PyObject *ring_device_read(DeviceRing *self, PyObject *args)
{
    Py_ssize_t count;
    double now;
    if (!PyArg_ParseTuple(args, "nd", &count, &now))
        return NULL;
    if (count < 0 || count > self->capacity) {
        PyErr_SetString(PyExc_ValueError, "count must be between 0 and the ring's capacity");
        return NULL;
    }
    PyObject *out = PyBytes_FromStringAndSize(NULL, count * (Py_ssize_t)sizeof(int16_t));
    if (!out)
        return NULL;
    LOCK(&self->lock);
    device_read(self, (int16_t *)PyBytes_AS_STRING(out), count, now);
    UNLOCK(&self->lock);
    return out;
}

static PyObject *ring_snapshot(DeviceRing *self, PyObject *unused)
{
    (void)unused;
    LOCK(&self->lock);
    Py_ssize_t level = self->level;
    double device_at = self->device_at;
    unsigned long long written = self->written, removed = self->removed;
    UNLOCK(&self->lock);
    return Py_BuildValue("(ndKK)", level, device_at, written, removed);
}

static PyObject *ring_take_log(DeviceRing *self, PyObject *unused)
{
    transfer_t copy[LOG_SIZE];
    (void)unused;
    LOCK(&self->lock);
    unsigned long long from = self->taken;
    if (self->logged - from > LOG_SIZE)
        from = self->logged - LOG_SIZE;
    Py_ssize_t count = (Py_ssize_t)(self->logged - from);
    for (Py_ssize_t i = 0; i < count; i++)
        copy[i] = self->log[(from + (unsigned long long)i) % LOG_SIZE];
    self->taken = self->logged;
    UNLOCK(&self->lock);
    PyObject *list = PyList_New(count);
    if (!list)
        return NULL;
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *item = Py_BuildValue("(KKd)", (unsigned long long)copy[i].index,
                                       (unsigned long long)copy[i].count, copy[i].at);
        if (!item) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, i, item);
    }
    return list;
}

#define RING_GETTER(name, type, build)                                                      \
    static PyObject *ring_get_##name(DeviceRing *self, void *closure)                       \
    {                                                                                       \
        (void)closure;                                                                      \
        LOCK(&self->lock);                                                                  \
        type value = self->name;                                                            \
        UNLOCK(&self->lock);                                                                \
        return build(value);                                                                \
    }
RING_GETTER(level, Py_ssize_t, PyLong_FromSsize_t)
RING_GETTER(capacity, Py_ssize_t, PyLong_FromSsize_t)
RING_GETTER(written, unsigned long long, PyLong_FromUnsignedLongLong)
RING_GETTER(removed, unsigned long long, PyLong_FromUnsignedLongLong)
RING_GETTER(dropped, unsigned long long, PyLong_FromUnsignedLongLong)
RING_GETTER(starved, unsigned long long, PyLong_FromUnsignedLongLong)
RING_GETTER(blocks, unsigned long long, PyLong_FromUnsignedLongLong)
RING_GETTER(device_at, double, PyFloat_FromDouble)
RING_GETTER(target, Py_ssize_t, PyLong_FromSsize_t)
RING_GETTER(feeder, long, PyLong_FromLong)
RING_GETTER(incoming, long, PyLong_FromLong)

static int set_long(PyObject *value, long *field, lock_t *lock)
{
    if (!value) {
        PyErr_SetString(PyExc_AttributeError, "cannot delete this attribute");
        return -1;
    }
    long number = PyLong_AsLong(value);
    if (number == -1 && PyErr_Occurred())
        return -1;
    LOCK(lock);
    *field = number;
    UNLOCK(lock);
    return 0;
}

static int ring_set_target(DeviceRing *self, PyObject *value, void *closure)
{
    long target;
    (void)closure;
    if (set_long(value, &target, &self->lock) < 0)
        return -1;
    if (target < 0) {
        PyErr_SetString(PyExc_ValueError, "target must not be negative");
        return -1;
    }
    LOCK(&self->lock);
    self->target = target;
    UNLOCK(&self->lock);
    return 0;
}

static int ring_set_feeder(DeviceRing *self, PyObject *value, void *closure)
{
    (void)closure;
    return set_long(value, &self->feeder, &self->lock);
}

static int ring_set_incoming(DeviceRing *self, PyObject *value, void *closure)
{
    (void)closure;
    return set_long(value, &self->incoming, &self->lock);
}

static PyObject *ring_get_echo(DeviceRing *self, void *closure)
{
    (void)closure;
    LOCK(&self->lock);
    PyObject *echo = self->echo ? (PyObject *)self->echo : Py_None;
    Py_INCREF(echo);
    UNLOCK(&self->lock);
    return echo;
}

static int ring_set_echo(DeviceRing *self, PyObject *value, void *closure)
{
    (void)closure;
    if (value && value != Py_None &&
        (!PyObject_TypeCheck(value, &DeviceRingType) || value == (PyObject *)self)) {
        PyErr_SetString(PyExc_TypeError, "echo must be another DeviceRing or None");
        return -1;
    }
    DeviceRing *fresh = value && value != Py_None ? (DeviceRing *)value : NULL;
    if (fresh) {
        /* A chain of echoes could loop back (a leak, and two callbacks taking the same
         * two locks in opposite orders): an echo ring has no echo of its own. */
        LOCK(&fresh->lock);
        int chained = fresh->echo != NULL;
        UNLOCK(&fresh->lock);
        if (chained) {
            PyErr_SetString(PyExc_ValueError, "an echo ring cannot have an echo of its own");
            return -1;
        }
    }
    Py_XINCREF(fresh);
    LOCK(&self->lock); /* a callback in progress finishes with the old one first */
    DeviceRing *old = self->echo;
    self->echo = fresh;
    UNLOCK(&self->lock);
    Py_XDECREF(old);
    return 0;
}

static PyGetSetDef ring_getset[] = {
    {"level", (getter)ring_get_level, NULL, "Samples waiting now.", NULL},
    {"capacity", (getter)ring_get_capacity, NULL, "Most samples the ring holds.", NULL},
    {"written", (getter)ring_get_written, NULL, "Samples ever written.", NULL},
    {"removed", (getter)ring_get_removed, NULL,
     "Samples ever removed (read, trimmed, dropped): the index of the oldest waiting.", NULL},
    {"dropped", (getter)ring_get_dropped, NULL, "Samples discarded: ring full, or trimmed.",
     NULL},
    {"starved", (getter)ring_get_starved, NULL,
     "Samples a device wanted but the ring did not have (played as silence).", NULL},
    {"blocks", (getter)ring_get_blocks, NULL, "Device blocks that used the ring.", NULL},
    {"device_at", (getter)ring_get_device_at, NULL,
     "When a device last used the ring (monotonic seconds; 0: never).", NULL},
    {"target", (getter)ring_get_target, (setter)ring_set_target,
     "Samples beyond a block to wait for after an underrun.", NULL},
    {"feeder", (getter)ring_get_feeder, (setter)ring_set_feeder,
     "Id of the tap whose blocks use the ring.", NULL},
    {"incoming", (getter)ring_get_incoming, (setter)ring_set_incoming,
     "Id of the tap that takes the ring over in its next callback.", NULL},
    {"echo", (getter)ring_get_echo, (setter)ring_set_echo,
     "Ring that gets a copy of every block a loudspeaker plays from this one.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMethodDef ring_methods[] = {
    {"write", (PyCFunction)ring_write, METH_O,
     "Append int16 samples; the oldest are dropped if they do not fit."},
    {"read", (PyCFunction)ring_read, METH_O,
     "Take up to count samples (int16 bytes; fewer if fewer wait)."},
    {"trim_to", (PyCFunction)ring_trim_to, METH_O,
     "Drop the oldest samples down to a level; returns how many were dropped."},
    {"clear", (PyCFunction)ring_clear, METH_NOARGS, "Drop everything waiting."},
    {"device_write", (PyCFunction)ring_device_write, METH_VARARGS,
     "An input device's block at time now (what the callback does)."},
    {"device_read", (PyCFunction)ring_device_read, METH_VARARGS,
     "An output device's block at time now (what the callback does)."},
    {"snapshot", (PyCFunction)ring_snapshot, METH_NOARGS,
     "(level, device_at, written, removed), read together."},
    {"take_log", (PyCFunction)ring_take_log, METH_NOARGS,
     "Device transfers since the last call: (index, count, time) tuples."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject DeviceRingType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "vdi_adapter.audio._device_ring.DeviceRing",
    .tp_basicsize = sizeof(DeviceRing),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Bounded ring of int16 samples between a sound device and the pipeline.",
    .tp_new = ring_new,
    .tp_dealloc = (destructor)ring_dealloc,
    .tp_methods = ring_methods,
    .tp_getset = ring_getset,
};

/* ---- DeviceTap: Python side ---- */

static PyObject *tap_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *names[] = {"input", NULL};
    int input;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "p", names, &input))
        return NULL;
    DeviceTap *self = (DeviceTap *)type->tp_alloc(type, 0);
    if (!self)
        return NULL;
    LOCK_INIT(&self->lock);
    self->input = input;
    self->id = next_tap_id++; /* the GIL serialises creation */
    return (PyObject *)self;
}

static void tap_dealloc(DeviceTap *self)
{
    Py_XDECREF(self->ring);
    LOCK_FREE(&self->lock);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *tap_attach(DeviceTap *self, PyObject *ring)
{
    if (ring != Py_None && !PyObject_TypeCheck(ring, &DeviceRingType)) {
        PyErr_SetString(PyExc_TypeError, "attach() takes a DeviceRing or None");
        return NULL;
    }
    DeviceRing *fresh = ring == Py_None ? NULL : (DeviceRing *)ring;
    Py_XINCREF(fresh);
    LOCK(&self->lock); /* waits for a callback in progress: the old ring is then unused */
    DeviceRing *old = self->ring;
    self->ring = fresh;
    UNLOCK(&self->lock);
    Py_XDECREF(old);
    Py_RETURN_NONE;
}

#define TAP_GETTER(name, build)                                                             \
    static PyObject *tap_get_##name(DeviceTap *self, void *closure)                         \
    {                                                                                       \
        (void)closure;                                                                      \
        LOCK(&self->lock);                                                                  \
        unsigned long long value = (unsigned long long)self->name;                          \
        UNLOCK(&self->lock);                                                                \
        return build(value);                                                                \
    }
TAP_GETTER(blocks, PyLong_FromUnsignedLongLong)
TAP_GETTER(status_flags, PyLong_FromUnsignedLongLong)

static PyObject *tap_get_id(DeviceTap *self, void *closure)
{
    (void)closure;
    return PyLong_FromLong(self->id);
}

static PyObject *tap_get_address(DeviceTap *self, void *closure)
{
    (void)closure;
    return PyLong_FromVoidPtr(self);
}

static PyObject *tap_get_input(DeviceTap *self, void *closure)
{
    (void)closure;
    return PyBool_FromLong(self->input);
}

static PyGetSetDef tap_getset[] = {
    {"id", (getter)tap_get_id, NULL, "Identifies the tap to a ring (feeder, incoming).", NULL},
    {"input", (getter)tap_get_input, NULL, "Whether the tap records (else it plays).", NULL},
    {"blocks", (getter)tap_get_blocks, NULL, "Callbacks so far.", NULL},
    {"status_flags", (getter)tap_get_status_flags, NULL,
     "Callbacks that reported an over- or underflow.", NULL},
    {"address", (getter)tap_get_address, NULL, "The callback's user data pointer.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMethodDef tap_methods[] = {
    {"attach", (PyCFunction)tap_attach, METH_O,
     "Feed (or play from) this ring from the next callback on; None: silence."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject DeviceTapType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "vdi_adapter.audio._device_ring.DeviceTap",
    .tp_basicsize = sizeof(DeviceTap),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "One PortAudio stream's link to a ring: the callback's user data.",
    .tp_new = tap_new,
    .tp_dealloc = (destructor)tap_dealloc,
    .tp_methods = tap_methods,
    .tp_getset = tap_getset,
};

/* ---- module ---- */

static PyObject *module_monotonic(PyObject *module, PyObject *unused)
{
    (void)module;
    (void)unused;
    return PyFloat_FromDouble(monotonic_s());
}

static PyMethodDef module_methods[] = {
    {"monotonic", module_monotonic, METH_NOARGS, "The clock the callbacks stamp with."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "_device_ring",
    "PortAudio callbacks in C and the sample rings they use.", -1, module_methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__device_ring(void)
{
    if (PyType_Ready(&DeviceRingType) < 0 || PyType_Ready(&DeviceTapType) < 0)
        return NULL;
    CLOCK_INIT();
    PyObject *module = PyModule_Create(&module_def);
    if (!module)
        return NULL;
    if (PyModule_AddObjectRef(module, "DeviceRing", (PyObject *)&DeviceRingType) < 0 ||
        PyModule_AddObjectRef(module, "DeviceTap", (PyObject *)&DeviceTapType) < 0 ||
        PyModule_AddObject(module, "STREAM_CALLBACK",
                           PyLong_FromVoidPtr((void *)stream_callback)) < 0 ||
        PyModule_AddIntConstant(module, "SHORT_BLOCK_TOLERANCE", SHORT_BLOCK_TOLERANCE) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
