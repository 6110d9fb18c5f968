# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""The protobuf codec compiled: JSON-form dicts to Kubernetes protobuf bytes and back.

The specification and pure-Python twin is ``paddock.core.protobuf``; this module follows the
same algorithm over the same schema, and the tests run both and require identical bytes and
identical dicts (``tests/core/test_protobuf.py`` runs every case on both;
``tests/native/test_protobuf_native.py`` compares them on random objects and random bytes).
Reach it through ``paddock.core.protobuf.implementation()``.

What makes it fast: the schema is compiled into C arrays (a field's kind, shape and tag
bytes; a message's field-number index); encoding writes into one growing C buffer, putting a
nested message's length in front of it afterwards (one byte reserved, moved only when the
length needs more); decoding reads the buffer by pointer, makes dicts keyed by the schema's
own (shared) name strings, and formats times in C.  The rare special types (durations,
bytes, raw JSON, odd time spellings, groups) are handed to the pure twin, so the two cannot
disagree on them.
"""

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize, PyBytes_GET_SIZE
from cpython.dict cimport PyDict_Next, PyDict_SetItem
from cpython.list cimport PyList_Append
from cpython.long cimport PyLong_AsLongLong, PyLong_FromLongLong, PyLong_FromUnsignedLongLong
from cpython.mem cimport PyMem_Free, PyMem_Malloc, PyMem_Realloc
from cpython.object cimport PyObject
from cpython.unicode cimport PyUnicode_DecodeUTF8
from libc.stdint cimport int32_t, int64_t, uint32_t, uint64_t
from libc.string cimport memcpy, memmove

from paddock.core import protobuf as _pure
from paddock.core.protobuf import (  # noqa: F401  (re-exported: the same API as the twin)
    MAGIC,
    ProtobufError,
    decode_envelope,
    decode_watch_event,
    encode_watch_event,
    frame,
    list_item_prefix,
    message_for,
    message_span,
    split_frames,
    wrap_envelope,
)
from paddock.core.schema import REGISTRY

cdef extern from "Python.h":
    PyObject* PyDict_GetItemWithError(object d, object key) except? NULL
    const char* PyUnicode_AsUTF8AndSize(object s, Py_ssize_t* size) except NULL
    bint PyUnicode_Check(object o)
    bint PyLong_Check(object o)
    bint PyDict_CheckExact(object o)
    bint PyList_CheckExact(object o)
    double PyFloat_AsDouble(object o) except? -1.0
    object PyFloat_FromDouble(double v)
    object PyUnicode_FromStringAndSize(const char* u, Py_ssize_t size)
    bint PyUnicode_IS_COMPACT_ASCII(PyObject* o)
    Py_ssize_t PyUnicode_GET_LENGTH(PyObject* o)
    void* PyUnicode_DATA(PyObject* o)
    void Py_INCREF(PyObject* o)
    void Py_XDECREF(PyObject* o)
    dict _PyDict_NewPresized(Py_ssize_t minused)
    int PyGC_Disable()
    int PyGC_Enable()

from libc.string cimport memcmp

import orjson

cdef object _dumps = orjson.dumps
cdef object _loads = orjson.loads
cdef object _SORT_KEYS = orjson.OPT_SORT_KEYS


# Kinds and shapes: the pure twin's numbering, checked at import below
cdef enum:
    K_STRING, K_MESSAGE, K_INLINE, K_MAP_ENTRY, K_BYTES, K_QUANTITY, K_INT_OR_STRING, K_TIME,
    K_MICRO_TIME, K_DURATION, K_RAW_EXTENSION, K_FIELDS_V1, K_INT32, K_INT64, K_BOOL,
    K_FLOAT64, K_PACKED
cdef enum:
    S_SINGLE, S_LIST, S_MAP
cdef enum:
    W_VARINT, W_FIXED64, W_LENGTH_DELIMITED, W_START_GROUP, W_END_GROUP, W_FIXED32

if (_pure._STRING, _pure._FIELDS_V1, _pure._INT32, _pure._FLOAT64, _pure._PACKED,
        _pure._LIST, _pure._MAP) != (K_STRING, K_FIELDS_V1, K_INT32, K_FLOAT64, K_PACKED,
                                     S_LIST, S_MAP):
    raise ImportError("paddock._native.protobuf does not match paddock.core.protobuf")

cdef enum:
    MAX_FIELDS = 64     # fields of one message; the schema's largest has 43
    KEY_CACHE_MIN = 16  # slots of a message's key cache: 4 per field, a power of two
    STR_CACHE = 4096    # slots of the decoded-string cache (a power of two)
    STR_CACHE_LONGEST = 48
    TIME_CACHE = 256    # slots of the decoded-Time cache (a power of two)
    MAP_SORT = 32       # maps up to this size are sorted in C
cdef int64_t ZERO_TIME_SECONDS = -62135596800   # Go's zero time.Time
cdef int64_t MIN_SECONDS = -62135596800         # 0001-01-01T00:00:00Z
cdef int64_t MAX_SECONDS = 253402300799         # 9999-12-31T23:59:59Z


# --- the compiled schema ------------------------------------------------------------------

cdef struct FieldC:
    PyObject* name      # the JSON name (a str kept alive by _KEEP)
    int number
    int kind            # for a map: the kind of its values
    int shape
    int sub             # message index of a message/inline field or map value, else -1
    int wire_type       # the wire type this field is written with
    bint omits_zero     # a zero value decoded is dropped (Field.omits_zero)
    int tag_len
    unsigned char tag[4]


cdef struct MsgC:
    PyObject* name      # the full message name
    PyObject* lookup    # dict: JSON name -> index into fields (inline members -> the inline)
    FieldC* fields
    int nfields
    int max_number
    Py_ssize_t size_hint    # keys of the last object decoded, to size the next one's dict
    int length_bytes        # bytes of the length of the last one encoded
    int* by_number      # field number -> index into fields, or -1
    # JSON keys seen in dicts being encoded -> field index (-1: unknown), by key identity:
    # the keys of a program's dicts are a few string objects used over and over (the
    # schema's own, when the dict came from decode), so a pointer compare replaces most
    # dict lookups.  Each slot holds a reference, so a cached pointer cannot be reused.
    PyObject** seen_keys
    int* seen_index
    size_t seen_mask


cdef MsgC* _MSGS = NULL
cdef int _NMSGS = 0
cdef list _KEEP = []        # owners of every PyObject* in the tables
cdef dict _INDEX = {}       # message name -> index


cdef int _wire_type_of(int kind):
    if kind <= K_FIELDS_V1:
        return W_LENGTH_DELIMITED
    return W_FIXED64 if kind == K_FLOAT64 else W_VARINT


def _compile():
    global _MSGS, _NMSGS
    cdef MsgC* m
    cdef FieldC* f
    cdef int i, j, k
    cdef int slots
    cdef uint64_t tag
    names = list(REGISTRY)
    _NMSGS = len(names)
    _MSGS = <MsgC*>PyMem_Malloc(_NMSGS * sizeof(MsgC))
    if _MSGS == NULL:
        raise MemoryError()
    for i, name in enumerate(names):
        _INDEX[name] = i

    def json_names(type_name):
        out = []
        for fld in REGISTRY[type_name].fields:
            out.extend([fld.name] if fld.name else json_names(fld.type))
        return out

    for i, name in enumerate(names):
        schema = REGISTRY[name]
        m = &_MSGS[i]
        _KEEP.append(name)
        m.name = <PyObject*>name
        lookup = {}
        _KEEP.append(lookup)
        m.lookup = <PyObject*>lookup
        m.nfields = len(schema.fields)
        if m.nfields > MAX_FIELDS:
            raise ImportError(f"{name} has more than {MAX_FIELDS} fields")
        m.fields = <FieldC*>PyMem_Malloc(max(m.nfields, 1) * sizeof(FieldC))
        m.max_number = max([fld.number for fld in schema.fields] + [0])
        m.by_number = <int*>PyMem_Malloc((m.max_number + 1) * sizeof(int))
        if m.fields == NULL or m.by_number == NULL:
            raise MemoryError()
        for k in range(m.max_number + 1):
            m.by_number[k] = -1
        m.size_hint = 0
        m.length_bytes = 1
        slots = KEY_CACHE_MIN
        while slots < 4 * m.nfields:
            slots *= 2
        m.seen_mask = slots - 1
        m.seen_keys = <PyObject**>PyMem_Malloc(slots * sizeof(PyObject*))
        m.seen_index = <int*>PyMem_Malloc(slots * sizeof(int))
        if m.seen_keys == NULL or m.seen_index == NULL:
            raise MemoryError()
        for k in range(slots):
            m.seen_keys[k] = NULL
            m.seen_index[k] = -1
        for j, fld in enumerate(schema.fields):
            f = &m.fields[j]
            type_name = fld.map_value or fld.type
            kind = _pure._SCALAR_KINDS.get(type_name, K_MESSAGE)
            f.sub = _INDEX.get(type_name, -1)
            if kind == K_MESSAGE and f.sub < 0:
                raise ImportError(f"{name}.{fld.name}: unknown type {type_name}")
            f.shape = S_MAP if fld.map_value else S_LIST if fld.repeated else S_SINGLE
            f.kind = K_INLINE if not fld.name else kind
            f.number = fld.number
            f.omits_zero = fld.omits_zero
            f.wire_type = W_LENGTH_DELIMITED if f.shape == S_MAP else _wire_type_of(kind)
            tag = (<uint64_t>fld.number << 3) | f.wire_type
            f.tag_len = 0
            while True:
                f.tag[f.tag_len] = (tag & 0x7F) | (0x80 if tag >= 0x80 else 0)
                f.tag_len += 1
                tag >>= 7
                if not tag:
                    break
            key = fld.name or name + "." + str(fld.number)  # an inline has no JSON name
            _KEEP.append(key)
            f.name = <PyObject*>key
            m.by_number[fld.number] = j
            if fld.name:
                lookup[fld.name] = j
            else:
                for member in json_names(fld.type):
                    lookup[member] = j


_compile()


# --- encoding -----------------------------------------------------------------------------

cdef struct Buf:
    char* data
    Py_ssize_t size
    Py_ssize_t cap


cdef int _grow(Buf* b, Py_ssize_t extra) except -1:
    cdef Py_ssize_t cap = b.cap * 2
    if cap < b.size + extra:
        cap = b.size + extra
    if cap < 512:
        cap = 512
    cdef char* data = <char*>PyMem_Realloc(b.data, cap)
    if data == NULL:
        raise MemoryError()
    b.data = data
    b.cap = cap
    return 0


cdef inline int _reserve(Buf* b, Py_ssize_t extra) except -1:
    if b.size + extra > b.cap:
        _grow(b, extra)
    return 0


cdef inline Py_ssize_t _write_varint(char* data, Py_ssize_t at, uint64_t value) noexcept:
    """Write a varint at ``data[at]`` (room for it is the caller's); the position after."""
    while value >= 0x80:
        data[at] = <char>((value & 0x7F) | 0x80)
        at += 1
        value >>= 7
    data[at] = <char>value
    return at + 1


cdef inline int _put_varint(Buf* b, uint64_t value) except -1:
    _reserve(b, 10)
    b.size = _write_varint(b.data, b.size, value)
    return 0


cdef inline int _put(Buf* b, const char* data, Py_ssize_t size) except -1:
    _reserve(b, size)
    memcpy(b.data + b.size, data, size)
    b.size += size
    return 0


cdef inline int _put_tag(Buf* b, FieldC* f) except -1:
    _reserve(b, 4)
    memcpy(b.data + b.size, f.tag, f.tag_len)
    b.size += f.tag_len
    return 0


cdef inline Py_ssize_t _open(Buf* b) except -1:
    """Reserve one byte for a length; the start of what it will measure."""
    _reserve(b, 1)
    b.size += 1
    return b.size


cdef inline int _varint_size(uint64_t value):
    cdef int n = 1
    while value >= 0x80:
        value >>= 7
        n += 1
    return n


cdef inline Py_ssize_t _open_message(Buf* b, int index, int* room) except -1:
    """Reserve as many bytes for a message's length as the last message of its type
    needed (``room``), so that the content rarely has to move once its length is known."""
    room[0] = _MSGS[index].length_bytes
    _reserve(b, room[0])
    b.size += room[0]
    return b.size


cdef int _close_message(Buf* b, Py_ssize_t start, int index, int room) except -1:
    """Write the length of ``data[start:]`` into the ``room`` bytes before it."""
    cdef Py_ssize_t size = b.size - start
    cdef int need = _varint_size(size)
    cdef Py_ssize_t at = start - room
    if need != room:
        if need > room:
            _reserve(b, need - room)
        memmove(b.data + at + need, b.data + start, size)
        b.size = at + need + size
        _MSGS[index].length_bytes = need
    _write_varint(b.data, at, size)
    return 0


cdef int _close(Buf* b, Py_ssize_t start) except -1:
    """Write the length of ``data[start:]`` before it, moving it when one byte is too few."""
    cdef uint64_t size = b.size - start
    cdef int extra
    if size < 0x80:
        b.data[start - 1] = <char>size
        return 0
    extra = _varint_size(size) - 1
    _reserve(b, extra)
    memmove(b.data + start + extra, b.data + start, size)
    b.size = start - 1
    _put_varint(b, size)
    b.size += size
    return 0


cdef inline int _put_str(Buf* b, object value) except -1:
    """A length-delimited string: its length and UTF-8 bytes."""
    cdef Py_ssize_t size
    cdef const char* text
    if not PyUnicode_Check(value):
        raise ProtobufError(f"expected a string, got {type(value).__name__}")
    if PyUnicode_IS_COMPACT_ASCII(<PyObject*>value):
        # most strings: the characters are the UTF-8 bytes, no call needed to get them
        text = <const char*>PyUnicode_DATA(<PyObject*>value)
        size = PyUnicode_GET_LENGTH(<PyObject*>value)
    else:
        text = PyUnicode_AsUTF8AndSize(value, &size)
    _reserve(b, size + 10)
    b.size = _write_varint(b.data, b.size, size)
    memcpy(b.data + b.size, text, size)
    b.size += size
    return 0


cdef int _put_int(Buf* b, object value, int kind) except -1:
    cdef long long n
    if not PyLong_Check(value):
        raise ProtobufError(f"expected an integer, got {type(value).__name__}")
    n = PyLong_AsLongLong(value)  # OverflowError past int64, as the twin's range error
    if kind == K_INT32 and not (-2147483648 <= n <= 2147483647):
        raise ProtobufError(f"{value} out of range for int32")
    _put_varint(b, <uint64_t>n)
    return 0


cdef int _days_before_year_1970(int64_t year, int month, int day, int64_t* days):
    """Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm)."""
    cdef int64_t y = year - (1 if month <= 2 else 0)
    cdef int64_t era = (y if y >= 0 else y - 399) // 400
    cdef int64_t yoe = y - era * 400
    cdef int64_t mp = (month + 9) % 12
    cdef int64_t doy = (153 * mp + 2) // 5 + day - 1
    cdef int64_t doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    days[0] = era * 146097 + doe - 719468
    return 0


cdef int _month_days(int64_t year, int month):
    if month == 2:
        return 29 if (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)) else 28
    return 30 if month in (4, 6, 9, 11) else 31


cdef inline int _digits(const char* text, int start, int count, int* out):
    cdef int value = 0
    cdef int i
    cdef char c
    for i in range(start, start + count):
        c = text[i]
        if c < 48 or c > 57:
            return 0
        value = value * 10 + (c - 48)
    out[0] = value
    return 1


cdef int _parse_time_fast(object value, int64_t* seconds, int64_t* nanos):
    """``YYYY-MM-DDTHH:MM:SS[.fraction]Z`` to seconds and nanoseconds; 0 for other spellings.

    Nanoseconds keep the microseconds only, as the twin (Python's datetime) does.
    """
    cdef Py_ssize_t size
    cdef const char* t
    cdef int year, month, day, hour, minute, second, digit, i, n
    cdef int64_t days, micros = 0
    if not PyUnicode_Check(value):
        return 0
    t = PyUnicode_AsUTF8AndSize(value, &size)
    if size < 20 or t[size - 1] != 90 or t[4] != 45 or t[7] != 45 or t[10] != 84 \
            or t[13] != 58 or t[16] != 58:  # "Z", "-", "T", ":"
        return 0
    if not (_digits(t, 0, 4, &year) and _digits(t, 5, 2, &month) and _digits(t, 8, 2, &day)
            and _digits(t, 11, 2, &hour) and _digits(t, 14, 2, &minute)
            and _digits(t, 17, 2, &second)):
        return 0
    if size > 20:
        n = size - 21  # digits between "." and "Z"
        if t[19] != 46 or n < 1 or n > 9:
            return 0
        for i in range(n):
            if not _digits(t, 20 + i, 1, &digit):
                return 0
            if i < 6:
                micros = micros * 10 + digit
        for i in range(n, 6):
            micros *= 10
    if year < 1 or month < 1 or month > 12 or day < 1 or day > _month_days(year, month) \
            or hour > 23 or minute > 59 or second > 59:
        return 0
    _days_before_year_1970(year, month, day, &days)
    seconds[0] = days * 86400 + hour * 3600 + minute * 60 + second
    nanos[0] = micros * 1000
    return 1


cdef int _put_time(Buf* b, object value, int kind) except -1:
    cdef int64_t seconds = 0, nanos = 0
    cdef Py_ssize_t start
    if not _parse_time_fast(value, &seconds, &nanos):
        data = _pure._payload(kind, value, None)
        _put(b, PyBytes_AS_STRING(data), PyBytes_GET_SIZE(data))
        return 0
    if kind == K_TIME:
        nanos = 0
    start = _open(b)
    if not (seconds == ZERO_TIME_SECONDS and nanos == 0):
        _reserve(b, 1)
        b.data[b.size] = 0x08
        b.size += 1
        _put_varint(b, <uint64_t>seconds)
        _reserve(b, 1)
        b.data[b.size] = 0x10
        b.size += 1
        _put_varint(b, <uint64_t>nanos)
    _close(b, start)
    return 0


cdef int _put_value(Buf* b, object value, int kind, int sub) except -1:
    """What follows the tag of one value of a field (the twin's ``_payload``)."""
    cdef Py_ssize_t start
    cdef int room
    cdef long long n
    cdef double d
    if kind == K_STRING:
        _put_str(b, value)
    elif kind == K_MESSAGE:
        start = _open_message(b, sub, &room)
        _encode_message(b, value, sub)
        _close_message(b, start, sub, room)
    elif kind == K_INT32 or kind == K_INT64:
        _put_int(b, value, kind)
    elif kind == K_BOOL:
        _reserve(b, 1)
        b.data[b.size] = 1 if value else 0
        b.size += 1
    elif kind == K_FLOAT64:
        d = PyFloat_AsDouble(value)
        _put(b, <char*>&d, 8)  # little-endian, as the machines this runs on
    elif kind == K_QUANTITY and type(value) is str:
        start = _open(b)
        _reserve(b, 1)
        b.data[b.size] = 0x0A
        b.size += 1
        _put_str(b, value)
        _close(b, start)
    elif kind == K_INT_OR_STRING and type(value) is int:
        n = PyLong_AsLongLong(value)
        if not (-2147483648 <= n <= 2147483647):
            raise ProtobufError(f"{value} out of range for IntOrString")
        start = _open(b)
        _put(b, b"\x08\x00\x10", 3)
        _put_varint(b, <uint64_t>n)
        _put(b, b"\x1a\x00", 2)
        _close(b, start)
    elif kind == K_INT_OR_STRING and type(value) is str:
        start = _open(b)
        _put(b, b"\x08\x01\x10\x00\x1a", 5)
        _put_str(b, value)
        _close(b, start)
    elif kind == K_TIME or kind == K_MICRO_TIME:
        _put_time(b, value, kind)
    elif kind == K_FIELDS_V1 or kind == K_RAW_EXTENSION:
        data = _dumps(value, None, _SORT_KEYS)  # positional: no kwargs dict per call
        start = _open(b)
        _put(b, b"\x0a", 1)
        _put_varint(b, PyBytes_GET_SIZE(data))
        _put(b, PyBytes_AS_STRING(data), PyBytes_GET_SIZE(data))
        _close(b, start)
    else:
        # bytes, durations, raw JSON, numeric quantities, IntOrString errors: the twin's way
        data = _pure._payload(kind, value, None)
        _put(b, PyBytes_AS_STRING(data), PyBytes_GET_SIZE(data))
    return 0


cdef int _encode_map(Buf* b, FieldC* f, MsgC* m, object value) except -1:
    cdef PyObject* keys[MAP_SORT]
    cdef PyObject* items[MAP_SORT]
    cdef PyObject* key
    cdef PyObject* item
    cdef Py_ssize_t pos = 0
    cdef int count = 0, i, j
    if not PyDict_CheckExact(value):
        raise ProtobufError(f"{<object>m.name}.{<object>f.name}: expected an object")
    if len(<dict>value) <= MAP_SORT:
        # labels and annotations: a few ASCII keys, sorted here by their bytes (which is
        # the order of sorted() and of Go's sort.Strings for them)
        while PyDict_Next(value, &pos, &key, &item):
            if not PyUnicode_Check(<object>key) or not PyUnicode_IS_COMPACT_ASCII(key):
                count = -1
                break
            i = count
            while i > 0 and _ascii_less(key, keys[i - 1]):
                keys[i] = keys[i - 1]
                items[i] = items[i - 1]
                i -= 1
            keys[i] = key
            items[i] = item
            count += 1
        if count >= 0:
            for j in range(count):
                if <object>items[j] is not None:
                    _encode_map_entry(b, f, <object>keys[j], <object>items[j])
            return 0
    for sorted_key in sorted(value):
        entry_value = (<dict>value)[sorted_key]
        if entry_value is not None:
            _encode_map_entry(b, f, sorted_key, entry_value)
    return 0


cdef inline bint _ascii_less(PyObject* a, PyObject* b):
    cdef Py_ssize_t la = PyUnicode_GET_LENGTH(a), lb = PyUnicode_GET_LENGTH(b)
    cdef int c = memcmp(PyUnicode_DATA(a), PyUnicode_DATA(b), la if la < lb else lb)
    return c < 0 or (c == 0 and la < lb)


cdef int _encode_map_entry(Buf* b, FieldC* fld, object key, object item) except -1:
    cdef Py_ssize_t entry
    if True:
        _put_tag(b, fld)
        entry = _open(b)
        _reserve(b, 1)
        b.data[b.size] = 0x0A
        b.size += 1
        _put_str(b, key)
        _reserve(b, 1)
        b.data[b.size] = <char>((2 << 3) | _wire_type_of(fld.kind))
        b.size += 1
        _put_value(b, item, fld.kind, fld.sub)
        _close(b, entry)
    return 0


cdef inline int _field_index(MsgC* m, PyObject* key) except -2:
    """The index of the field a JSON key names in ``m``, or -1."""
    cdef size_t slot = ((<size_t>key >> 4) ^ (<size_t>key >> 11)) & m.seen_mask
    cdef PyObject* found
    cdef int index
    if m.seen_keys[slot] == key:
        return m.seen_index[slot]
    found = PyDict_GetItemWithError(<object>m.lookup, <object>key)
    index = -1 if found == NULL else <int>PyLong_AsLongLong(<object>found)
    Py_INCREF(key)
    Py_XDECREF(m.seen_keys[slot])
    m.seen_keys[slot] = key
    m.seen_index[slot] = index
    return index


cdef int _encode_message(Buf* b, object obj, int index) except -1:
    cdef MsgC* m = &_MSGS[index]
    cdef int present[MAX_FIELDS]
    cdef PyObject* values[MAX_FIELDS]
    cdef int count = 0, i, j, fi, room
    cdef Py_ssize_t pos = 0, start
    cdef PyObject* key
    cdef PyObject* value
    cdef FieldC* f
    if not PyDict_CheckExact(obj):
        raise ProtobufError(f"{<object>m.name}: expected an object, got {type(obj).__name__}")
    # the known keys, sorted into field-number order (insertion sort: usually in order already)
    while PyDict_Next(obj, &pos, &key, &value):
        if <object>value is None:
            continue
        fi = _field_index(m, key)
        if fi < 0:
            continue  # unknown keys are ignored, as are kind and apiVersion
        if m.fields[fi].kind == K_INLINE:
            for j in range(count):
                if present[j] == fi:
                    break
            else:
                j = -1
            if j >= 0:
                continue  # the inline was met through another of its members
        i = count
        while i > 0 and m.fields[present[i - 1]].number > m.fields[fi].number:
            present[i] = present[i - 1]
            values[i] = values[i - 1]
            i -= 1
        present[i] = fi
        values[i] = value
        count += 1
    for i in range(count):
        f = &m.fields[present[i]]
        item = <object>values[i]
        if f.shape == S_SINGLE:
            if f.kind == K_INLINE:
                # an inline writes its members from this same dict, when it has any
                pos = b.size
                _put_tag(b, f)
                start = _open_message(b, f.sub, &room)
                _encode_message(b, obj, f.sub)
                if b.size == start:
                    b.size = pos
                else:
                    _close_message(b, start, f.sub, room)
            else:
                _put_tag(b, f)
                _put_value(b, item, f.kind, f.sub)
        elif f.shape == S_LIST:
            if not PyList_CheckExact(item):
                raise ProtobufError(f"{<object>m.name}.{<object>f.name}: expected an array")
            for element in <list>item:
                if element is not None:
                    _put_tag(b, f)
                    _put_value(b, element, f.kind, f.sub)
        else:
            _encode_map(b, f, m, item)
    return 0


# One buffer, kept between calls: encoding never waits for the allocator to grow a fresh
# one (the GIL is held throughout; a call that finds it taken uses a buffer of its own).
cdef Buf _scratch
cdef bint _scratch_busy = False


cdef inline Buf* _take_buffer(Buf* own):
    global _scratch_busy
    if _scratch_busy:
        own.data = NULL
        own.cap = 0
        own.size = 0
        return own
    _scratch_busy = True
    _scratch.size = 0
    return &_scratch


cdef inline void _give_back(Buf* b):
    global _scratch_busy
    if b == &_scratch:
        _scratch_busy = False
        if _scratch.cap > (1 << 22):  # a huge List: do not keep megabytes for ever
            PyMem_Free(_scratch.data)
            _scratch.data = NULL
            _scratch.cap = 0
    else:
        PyMem_Free(b.data)


cdef bytes _encode_bytes(object obj, int index):
    cdef Buf own
    cdef Buf* b = _take_buffer(&own)
    try:
        _encode_message(b, obj, index)
        return PyBytes_FromStringAndSize(b.data, b.size)
    finally:
        _give_back(b)


def encode(obj, message):
    """The protobuf encoding of ``obj`` (JSON form) as a ``message``, without envelope."""
    try:
        return _encode_bytes(obj, _INDEX[message.name])
    except ProtobufError:
        raise
    except (AttributeError, TypeError, ValueError, OverflowError) as exc:
        raise ProtobufError(f"cannot encode {message.name}: {exc}") from exc


def encode_envelope(obj, api_version, kind, message):
    """``obj`` in the magic and a runtime.Unknown, as upstream's serializer writes it."""
    cdef Buf own
    cdef Buf* b = _take_buffer(&own)
    cdef Py_ssize_t type_meta, raw
    cdef int index, room
    try:
        _put(b, b"k8s\x00\x0a", 5)
        type_meta = _open(b)
        _put(b, b"\x0a", 1)
        _put_str(b, api_version)
        _put(b, b"\x12", 1)
        _put_str(b, kind)
        _close(b, type_meta)
        _put(b, b"\x12", 1)
        index = _INDEX[message.name]
        raw = _open_message(b, index, &room)
        _encode_message(b, obj, index)
        _close_message(b, raw, index, room)
        _put(b, b"\x1a\x00\x22\x00", 4)
        return PyBytes_FromStringAndSize(b.data, b.size)
    except ProtobufError:
        raise
    except (AttributeError, TypeError, ValueError, OverflowError) as exc:
        raise ProtobufError(f"cannot encode {message.name}: {exc}") from exc
    finally:
        _give_back(b)


# --- decoding -----------------------------------------------------------------------------

cdef struct Reader:
    const unsigned char* data
    PyObject* obj           # the bytes being read, for the twin's helpers
    const uint64_t* skip    # per message, a bit per field index to pass over; or NULL
    PyObject* skip_obj_native   # the NativeSkipFields it comes from (or None)


cdef class NativeSkipFields:
    """:class:`paddock.core.protobuf.SkipFields` as one bit mask of field indexes per
    message, for the decoder to test without a lookup."""

    cdef uint64_t* masks
    cdef readonly object fields     # the SkipFields it was made from

    def __cinit__(self):
        self.masks = <uint64_t*>PyMem_Malloc(_NMSGS * sizeof(uint64_t))
        if self.masks == NULL:
            raise MemoryError()
        for i in range(_NMSGS):
            self.masks[i] = 0

    def __dealloc__(self):
        PyMem_Free(self.masks)


def skip_fields(spec):
    """The fields decoding passes over (see the twin's ``skip_fields``)."""
    cdef NativeSkipFields out = NativeSkipFields()
    cdef MsgC* m
    cdef int j
    fields = _pure.skip_fields(spec)
    out.fields = fields
    for name, names in fields.items():
        m = &_MSGS[_INDEX[name]]
        for j in range(m.nfields):
            if <object>m.fields[j].name in names:
                out.masks[_INDEX[name]] |= (<uint64_t>1) << j
    return out


cdef inline void _use_skip(Reader* r, object skip) except *:
    r.skip_obj_native = <PyObject*>skip
    if skip is None:
        r.skip = NULL
    elif isinstance(skip, NativeSkipFields):
        r.skip = (<NativeSkipFields>skip).masks
    else:
        raise TypeError("skip must come from this module's skip_fields()")


cdef inline Py_ssize_t _varint_at(Reader* r, Py_ssize_t pos, Py_ssize_t end,
                                  uint64_t* out) except -1:
    """Read the varint at ``pos`` (within ``end``); the position after it."""
    cdef uint64_t result = 0
    cdef int shift = 0
    cdef unsigned char byte
    while True:
        if pos >= end:
            raise ProtobufError("truncated varint")
        byte = r.data[pos]
        pos += 1
        if shift < 64:
            result |= (<uint64_t>(byte & 0x7F)) << shift
        if byte < 0x80:
            out[0] = result
            return pos
        shift += 7
        if shift >= 70:
            raise ProtobufError("varint longer than 10 bytes")


cdef Py_ssize_t _skip(Reader* r, Py_ssize_t pos, Py_ssize_t end, int wire_type) except -1:
    cdef uint64_t length
    if wire_type == W_VARINT:
        pos = _varint_at(r, pos, end, &length)
    elif wire_type == W_LENGTH_DELIMITED:
        pos = _varint_at(r, pos, end, &length)
        if length > <uint64_t>(end - pos):
            raise ProtobufError("field runs past the end of its message")
        pos += length
    elif wire_type == W_FIXED64 or wire_type == W_FIXED32:
        pos += 8 if wire_type == W_FIXED64 else 4
        if pos > end:
            raise ProtobufError("field runs past the end of its message")
    elif wire_type == W_START_GROUP:
        pos = _pure._skip(<object>r.obj, pos, end, wire_type)
    else:
        raise ProtobufError(f"illegal wire type {wire_type}")
    return pos


cdef inline int32_t _as_int32(uint64_t value):
    return <int32_t><uint32_t>(value & 0xFFFFFFFF)


# Decoded strings repeat (names, namespaces, label values, images, condition types...):
# short ASCII ones are kept in a direct-mapped cache and shared, which spares an
# allocation, a decode and a free for most strings of an object.
cdef PyObject* _strings[STR_CACHE]


cdef object _utf8(Reader* r, Py_ssize_t pos, Py_ssize_t stop):
    cdef Py_ssize_t size = stop - pos
    cdef const unsigned char* p = r.data + pos
    cdef uint32_t h = 2166136261u
    cdef Py_ssize_t i
    cdef PyObject* cached
    if size > STR_CACHE_LONGEST or size == 0:
        return PyUnicode_DecodeUTF8(<const char*>p, size, NULL)
    for i in range(size):
        h = (h ^ p[i]) * 16777619u
    h = (h ^ (h >> 15)) & (STR_CACHE - 1)
    cached = _strings[h]
    if cached != NULL and PyUnicode_GET_LENGTH(cached) == size \
            and memcmp(PyUnicode_DATA(cached), p, size) == 0:
        return <object>cached
    text = PyUnicode_DecodeUTF8(<const char*>p, size, NULL)
    if PyUnicode_IS_COMPACT_ASCII(<PyObject*>text):
        Py_INCREF(<PyObject*>text)
        Py_XDECREF(_strings[h])
        _strings[h] = <PyObject*>text
    return text


cdef inline void _two(char* out, int value):
    out[0] = <char>(48 + value // 10)
    out[1] = <char>(48 + value % 10)


cdef object _format_time(int64_t seconds, int64_t micros, bint micro):
    """``YYYY-MM-DDTHH:MM:SS[.ffffff]Z`` of a time within years 1 to 9999."""
    cdef char out[32]
    cdef int64_t days = seconds // 86400     # C division: floored by hand below
    cdef int64_t rest = seconds - days * 86400
    if rest < 0:
        days -= 1
        rest += 86400
    cdef int64_t z = days + 719468
    cdef int64_t era = (z if z >= 0 else z - 146096) // 146097
    cdef int64_t doe = z - era * 146097
    cdef int64_t yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    cdef int64_t doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    cdef int64_t mp = (5 * doy + 2) // 153
    cdef int day = <int>(doy - (153 * mp + 2) // 5 + 1)
    cdef int month = <int>(mp + 3 if mp < 10 else mp - 9)
    cdef int64_t year = yoe + era * 400 + (1 if month <= 2 else 0)
    cdef int n = 20
    _two(out, <int>(year // 100))
    _two(out + 2, <int>(year % 100))
    out[4] = 45
    _two(out + 5, month)
    out[7] = 45
    _two(out + 8, day)
    out[10] = 84
    _two(out + 11, <int>(rest // 3600))
    out[13] = 58
    _two(out + 14, <int>(rest // 60 % 60))
    out[16] = 58
    _two(out + 17, <int>(rest % 60))
    if micro:
        out[19] = 46
        _two(out + 20, <int>(micros // 10000))
        _two(out + 22, <int>(micros // 100 % 100))
        _two(out + 24, <int>(micros % 100))
        n = 27
    out[n - 1] = 90
    return PyUnicode_FromStringAndSize(out, n)


# The few timestamps of a cluster's objects repeat (creation, conditions, managedFields):
# their text is kept by second, direct-mapped.
cdef int64_t _time_seconds[TIME_CACHE]
cdef list _time_texts = [None] * TIME_CACHE


cdef object _decode_time(Reader* r, Py_ssize_t pos, Py_ssize_t stop, int kind):
    """A Time or MicroTime message; None for Go's zero time (null in JSON)."""
    cdef uint64_t seconds_raw, nanos_raw
    cdef int64_t seconds, total
    cdef int32_t nanos
    cdef Py_ssize_t p, slot
    if pos == stop:
        return None
    # the shape Go writes: seconds=1 and nanos=2, nothing else
    if r.data[pos] == 0x08:
        p = _varint_at(r, pos + 1, stop, &seconds_raw)
        if p < stop and r.data[p] == 0x10:
            p = _varint_at(r, p + 1, stop, &nanos_raw)
            if p == stop:
                seconds = <int64_t>seconds_raw
                nanos = _as_int32(nanos_raw)
                if kind == K_TIME:
                    if seconds == ZERO_TIME_SECONDS:
                        return None
                    if MIN_SECONDS <= seconds <= MAX_SECONDS:
                        slot = seconds & (TIME_CACHE - 1)
                        if _time_seconds[slot] == seconds and _time_texts[slot] is not None:
                            return _time_texts[slot]
                        text = _format_time(seconds, 0, False)
                        _time_seconds[slot] = seconds
                        _time_texts[slot] = text
                        return text
                else:
                    if seconds == ZERO_TIME_SECONDS and -1000 < nanos < 1000:
                        return None
                    # Go truncates towards zero, then the fraction is normalised
                    if -1000000000000 < seconds < 1000000000000:
                        total = nanos  # widened first: -nanos overflows int32
                        total = seconds * 1000000 + (total // 1000 if total >= 0
                                                     else -((-total) // 1000))
                        seconds = total // 1000000 if total >= 0 else -((-total + 999999) // 1000000)
                        if MIN_SECONDS <= seconds <= MAX_SECONDS:
                            return _format_time(seconds, total - seconds * 1000000, True)
    return _pure._decode_length_delimited(<object>r.obj, pos, stop, kind, None)


cdef object _decode_int_or_string(Reader* r, Py_ssize_t pos, Py_ssize_t stop):
    """IntOrString ``{type=1, intVal=2, strVal=3}`` (last occurrence wins); None for any
    other shape, left to the twin."""
    cdef uint64_t tag, type_ = 0, int_val = 0, size
    cdef Py_ssize_t str_at = 0, str_end = 0
    while pos < stop:
        tag = r.data[pos]
        pos += 1
        if tag == 0x08:
            pos = _varint_at(r, pos, stop, &type_)
        elif tag == 0x10:
            pos = _varint_at(r, pos, stop, &int_val)
        elif tag == 0x1A:
            pos = _varint_at(r, pos, stop, &size)
            if size > <uint64_t>(stop - pos):
                return None
            str_at = pos
            str_end = pos + size
            pos = str_end
        else:
            return None
    if type_ == 0:
        return _as_int32(int_val)
    if type_ == 1:
        return _utf8(r, str_at, str_end)
    return None


cdef object _decode_value(Reader* r, Py_ssize_t pos, Py_ssize_t stop, int kind, int sub,
                          int depth):
    """One length-delimited value to its JSON form (None: absent), the twin's
    ``_decode_length_delimited``."""
    cdef dict value
    cdef object value_or_none
    cdef uint64_t size
    cdef Py_ssize_t inner
    if kind == K_STRING:
        return _utf8(r, pos, stop)
    if kind == K_MESSAGE:
        value = _new_dict(sub)
        _decode_message(r, pos, stop, sub, value, depth + 1, True)
        _MSGS[sub].size_hint = len(value)
        return value
    if kind == K_QUANTITY:
        if stop - pos >= 2 and r.data[pos] == 0x0A and r.data[pos + 1] == stop - pos - 2:
            return _utf8(r, pos + 2, stop)
    elif kind == K_TIME or kind == K_MICRO_TIME:
        return _decode_time(r, pos, stop, kind)
    elif kind == K_INT_OR_STRING:
        value_or_none = _decode_int_or_string(r, pos, stop)
        if value_or_none is not None:
            return value_or_none
    elif kind == K_FIELDS_V1 or kind == K_RAW_EXTENSION:
        # the shape Go writes: raw=1 and nothing else (an empty raw is null)
        if stop - pos >= 2 and r.data[pos] == 0x0A:
            inner = _varint_at(r, pos + 1, stop, &size)
            if <uint64_t>(stop - inner) == size:
                if size == 0:
                    return None
                return _loads(PyBytes_FromStringAndSize(<const char*>r.data + inner, size))
    return _pure._decode_length_delimited(<object>r.obj, pos, stop, kind, None)


cdef inline dict _new_dict(int index):
    cdef Py_ssize_t hint = _MSGS[index].size_hint
    if hint > 5:
        return _PyDict_NewPresized(hint)
    return {}


cdef int _decode_map_entry(Reader* r, Py_ssize_t pos, Py_ssize_t stop, FieldC* f,
                           dict out, int depth) except -1:
    cdef uint64_t tag, size, raw
    cdef double d
    name = <object>f.name
    entries = out.get(name)
    if entries is None:
        entries = {}
        PyDict_SetItem(out, name, entries)
    key = ""
    value = None
    while pos < stop:
        pos = _varint_at(r, pos, stop, &tag)
        if tag == 0x0A:
            pos = _varint_at(r, pos, stop, &size)
            if size > <uint64_t>(stop - pos):
                raise ProtobufError(f"{name}: map key runs past the end of its entry")
            key = _utf8(r, pos, pos + size)
            pos += size
        elif tag >> 3 == 2:
            if <int>(tag & 7) != _wire_type_of(f.kind):
                raise ProtobufError(f"{name}: wrong wire type for a map value")
            if f.kind == K_FLOAT64:
                if pos + 8 > stop:
                    raise ProtobufError(f"{name}: truncated double in a map entry")
                memcpy(&d, r.data + pos, 8)
                value = PyFloat_FromDouble(d)
                pos += 8
            elif f.kind > K_FIELDS_V1:
                pos = _varint_at(r, pos, stop, &raw)
                value = _scalar(raw, f.kind)
            else:
                pos = _varint_at(r, pos, stop, &size)
                if size > <uint64_t>(stop - pos):
                    raise ProtobufError(f"{name}: map value runs past the end of its entry")
                value = _decode_value(r, pos, pos + size, f.kind, f.sub, depth)
                pos += size
        else:
            pos = _skip(r, pos, stop, tag & 7)
    if value is None:
        value = {} if f.kind == K_MESSAGE else _pure._ZERO_MAP_VALUES.get(f.kind, "")
    entries[key] = value
    return 0


cdef inline object _scalar(uint64_t raw, int kind):
    if kind == K_INT32:
        return _as_int32(raw)
    if kind == K_INT64:
        return PyLong_FromLongLong(<int64_t>raw)
    return raw != 0  # K_BOOL


cdef int _decode_message(Reader* r, Py_ssize_t pos, Py_ssize_t end, int index, dict out,
                         int depth, bint fresh=False) except -1:
    cdef MsgC* m = &_MSGS[index]
    cdef FieldC* f
    cdef uint64_t tag, number, size, raw
    cdef int wire_type, fi
    cdef Py_ssize_t stop
    cdef double d
    cdef PyObject* existing
    # Fields already set in ``out`` by this call, when ``fresh`` says ``out`` has none of
    # this message's fields: a list or message met again is looked up only then (an
    # inline, or a merged message, decodes into a dict that has entries, and looks up).
    cdef uint64_t seen = 0
    if depth > 100:
        raise ProtobufError(f"{<object>m.name}: nested too deep")
    while pos < end:
        tag = r.data[pos]
        if tag < 0x80:
            pos += 1
        else:
            pos = _varint_at(r, pos, end, &tag)
        number = tag >> 3
        wire_type = tag & 7
        fi = m.by_number[number] if number <= <uint64_t>m.max_number else -1
        if fi < 0:
            if number == 0:
                raise ProtobufError(f"{<object>m.name}: illegal field number 0")
            pos = _skip(r, pos, end, wire_type)
            continue
        if r.skip != NULL and (r.skip[index] >> fi) & 1:
            pos = _skip(r, pos, end, wire_type)
            continue
        f = &m.fields[fi]
        if wire_type != f.wire_type:
            if f.shape == S_LIST and f.wire_type != W_LENGTH_DELIMITED \
                    and wire_type == W_LENGTH_DELIMITED:
                # packed repeated scalars, which proto2 parsers accept too
                pos = _varint_at(r, pos, end, &size)
                if size > <uint64_t>(end - pos):
                    raise ProtobufError(f"{<object>m.name}: length past the end")
                stop = pos + size
                items = out.get(<object>f.name)
                if items is None:
                    items = []
                    PyDict_SetItem(out, <object>f.name, items)
                seen |= (<uint64_t>1) << fi
                items.extend(_pure._unpack(<object>r.obj, pos, stop, f.kind))
                pos = stop
                continue
            raise ProtobufError(f"{<object>m.name}: wrong wire type for field {number}")
        if wire_type == W_VARINT:
            if pos < end and r.data[pos] < 0x80:
                raw = r.data[pos]
                pos += 1
            else:
                pos = _varint_at(r, pos, end, &raw)
            value = _scalar(raw, f.kind)
        elif wire_type == W_FIXED64:
            if pos + 8 > end:
                raise ProtobufError(f"{<object>m.name}: truncated double")
            memcpy(&d, r.data + pos, 8)
            value = PyFloat_FromDouble(d)
            pos += 8
        else:
            if pos < end and r.data[pos] < 0x80:
                size = r.data[pos]
                pos += 1
            else:
                pos = _varint_at(r, pos, end, &size)
            if size > <uint64_t>(end - pos):
                raise ProtobufError(f"{<object>m.name}.{<object>f.name}: length past the end")
            stop = pos + size
            if f.kind == K_INLINE:
                _decode_message(r, pos, stop, f.sub, out, depth + 1)
                pos = stop
                continue
            if f.shape == S_MAP:
                _decode_map_entry(r, pos, stop, f, out, depth)
                pos = stop
                continue
            if f.kind == K_MESSAGE and f.shape == S_SINGLE:
                # a message field seen twice is merged, as protobuf requires
                if fresh and not (seen >> fi) & 1:
                    existing = NULL
                    seen |= (<uint64_t>1) << fi
                else:
                    existing = PyDict_GetItemWithError(out, <object>f.name)
                if existing == NULL:
                    value = _new_dict(f.sub)
                    PyDict_SetItem(out, <object>f.name, value)
                else:
                    value = <object>existing
                _decode_message(r, pos, stop, f.sub, value, depth + 1, existing == NULL)
                _MSGS[f.sub].size_hint = len(value)
                pos = stop
                continue
            value = _decode_value(r, pos, stop, f.kind, f.sub, depth)
            pos = stop
            if value is None:
                continue  # an empty Time, RawExtension...: Go's null
        if f.shape == S_SINGLE:
            if f.omits_zero and not value:
                # Go's zero value: absent from its JSON (and the last occurrence wins)
                if fresh and not (seen >> fi) & 1:
                    pass
                else:
                    out.pop(<object>f.name, None)
            else:
                PyDict_SetItem(out, <object>f.name, value)
                seen |= (<uint64_t>1) << fi
        else:
            if fresh and not (seen >> fi) & 1:
                existing = NULL
                seen |= (<uint64_t>1) << fi
            else:
                existing = PyDict_GetItemWithError(out, <object>f.name)
            if existing == NULL:
                PyDict_SetItem(out, <object>f.name, [value])
            else:
                PyList_Append(<object>existing, value)
    return 0


cdef object _decode_top(object data, Py_ssize_t pos, Py_ssize_t end, int index, dict out,
                        object skip):
    """Decode the message at ``data[pos:end]`` into ``out``, errors as ProtobufError.

    A large input (a List) is decoded with the cyclic garbage collector paused: the
    thousands of dicts it makes would otherwise set off collections that scan every
    object made so far, again and again (measured: a 1,000-pod list decodes twice as fast).
    """
    cdef Reader r
    cdef bint paused = False
    r.data = <const unsigned char*>PyBytes_AS_STRING(data)
    r.obj = <PyObject*>data
    _use_skip(&r, skip)
    name = <object>_MSGS[index].name
    try:
        if end - pos > 65536:
            paused = PyGC_Disable()
        _decode_message(&r, pos, end, index, out, 0, True)
        _MSGS[index].size_hint = len(out)
    except ProtobufError:
        raise
    except IndexError as exc:
        raise ProtobufError(f"truncated {name}") from exc
    except (ValueError, OverflowError, RecursionError) as exc:
        raise ProtobufError(f"cannot decode {name}: {exc}") from exc
    finally:
        if paused:
            PyGC_Enable()
    return out


def decode(data, message, skip=None):
    """The JSON-form dict of a ``message`` encoded in ``data`` (no envelope), without the
    fields ``skip`` (from :func:`skip_fields`) names."""
    cdef int index = _INDEX[message.name]
    if type(data) is not bytes:
        data = bytes(data)
    return _decode_top(data, 0, PyBytes_GET_SIZE(data), index, _new_dict(index), skip)


cdef Py_ssize_t _field_at(Reader* r, Py_ssize_t pos, Py_ssize_t end, unsigned char tag,
                          Py_ssize_t* start) except -2:
    """The end of a length-delimited field with ``tag`` at ``pos`` (its data at ``start``),
    or -1 when something else is there."""
    cdef uint64_t size
    if pos >= end or r.data[pos] != tag:
        return -1
    pos = _varint_at(r, pos + 1, end, &size)
    if size > <uint64_t>(end - pos):
        return -1
    start[0] = pos
    return pos + size


def decode_object(data, skip=None):
    """An enveloped object as its JSON-form dict, ``kind`` and ``apiVersion`` first."""
    cdef Reader r
    if type(data) is not bytes:
        data = bytes(data)
    r.data = <const unsigned char*>PyBytes_AS_STRING(data)
    r.obj = <PyObject*>data
    _use_skip(&r, skip)
    try:
        return _decode_object_at(data, &r, 0, PyBytes_GET_SIZE(data))
    except ProtobufError:
        raise
    except ValueError as exc:  # invalid UTF-8 in the envelope
        raise ProtobufError(f"cannot decode runtime.Unknown: {exc}") from exc


cdef object _decode_object_at(object data, Reader* r, Py_ssize_t pos, Py_ssize_t end):
    """The enveloped object in ``data[pos:end]``, read in place when Go's shape is there."""
    cdef Py_ssize_t meta_end, meta, version_end, version, kind_end, kind_at, raw_end, raw
    # the shape Go writes: {typeMeta {apiVersion kind} raw contentEncoding contentType}
    if end - pos > 4 and memcmp(r.data + pos, b"k8s\x00", 4) == 0:
        meta_end = _field_at(r, pos + 4, end, 0x0A, &meta)
        if meta_end > 0:
            version_end = _field_at(r, meta, meta_end, 0x0A, &version)
            if version_end > 0:
                kind_end = _field_at(r, version_end, meta_end, 0x12, &kind_at)
                if kind_end == meta_end:
                    raw_end = _field_at(r, meta_end, end, 0x12, &raw)
                    if raw_end > 0 and (raw_end == end or (
                            raw_end + 4 == end
                            and memcmp(r.data + raw_end, b"\x1a\x00\x22\x00", 4) == 0)):
                        api_version = _utf8(r, version, version_end)
                        kind = _utf8(r, kind_at, kind_end)
                        return _decode_typed(data, api_version, kind, raw, raw_end,
                                             <object>r.skip_obj_native)
    if pos != 0 or end != PyBytes_GET_SIZE(data):
        data = data[pos:end]
    api_version, kind, payload = decode_envelope(data)
    return _decode_typed(payload, api_version, kind, 0, PyBytes_GET_SIZE(payload),
                         <object>r.skip_obj_native)


def decode_watch_frames(buffer, skip=None):
    """The complete frames at the start of a protobuf watch stream, each decoded to
    ``(type, object)``, and the incomplete rest of ``buffer``."""
    cdef Reader r
    cdef Py_ssize_t pos = 0, end, size, frame_end, type_at, type_end, ext_at, ext_end
    cdef Py_ssize_t raw_at, raw_end
    cdef list events = []
    if type(buffer) is not bytes:
        buffer = bytes(buffer)
    r.data = <const unsigned char*>PyBytes_AS_STRING(buffer)
    r.obj = <PyObject*>buffer
    _use_skip(&r, skip)
    end = PyBytes_GET_SIZE(buffer)
    while end - pos >= 4:
        size = ((<Py_ssize_t>r.data[pos] << 24) | (r.data[pos + 1] << 16)
                | (r.data[pos + 2] << 8) | r.data[pos + 3])
        if end - pos - 4 < size:
            break
        pos += 4
        frame_end = pos + size
        # WatchEvent {type=1, object=2 RawExtension{raw=1}}, as encode_watch_event writes it
        type_end = _field_at(&r, pos, frame_end, 0x0A, &type_at)
        ext_end = _field_at(&r, type_end, frame_end, 0x12, &ext_at) if type_end > 0 else -1
        raw_end = _field_at(&r, ext_at, ext_end, 0x0A, &raw_at) if ext_end == frame_end else -1
        if raw_end > 0 and raw_end == ext_end:
            try:
                event_type = _utf8(&r, type_at, type_end)
                events.append((event_type, _decode_object_at(buffer, &r, raw_at, raw_end)))
            except ProtobufError:
                raise
            except ValueError as exc:  # invalid UTF-8 in the event or envelope
                raise ProtobufError(f"cannot decode WatchEvent: {exc}") from exc
        else:
            event_type, raw = decode_watch_event(buffer[pos:frame_end])
            events.append((event_type, decode_object(raw, skip)))
        pos = frame_end
    return events, buffer[pos:]


cdef object _decode_typed(object data, object api_version, object kind, Py_ssize_t pos,
                          Py_ssize_t end, object skip):
    message = message_for(api_version, kind)
    if message is None:
        raise ProtobufError(f"no kind {kind!r} is registered for version {api_version!r}")
    cdef int index = _INDEX[message.name]
    cdef dict out = _new_dict(index)
    out["kind"] = kind
    out["apiVersion"] = api_version
    return _decode_top(data, pos, end, index, out, skip)
