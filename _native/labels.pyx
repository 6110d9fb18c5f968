# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""Compiled label selector matching, for the hot paths: every object of a LIST and every event
for every watcher is matched against a selector.

The specification and pure-Python twin is ``paddock.core.labels`` (``Selector.matches``,
``Selector.filter``) and ``paddock.core.fields.FieldTest.matches``; reach this module only
through ``paddock.core.labels.compile_selector`` / ``filter_objects``, which validate and
fall back to the twin when this extension is not built.  The tests run both and check that
they agree on random selectors and label sets.

A compiled selector is a C array of requirements whose key and values point at the Python
strings (kept alive by the object), so matching a label dict is a dict lookup and a string
comparison per requirement, without creating Python objects.
"""

from cpython.dict cimport PyDict_CheckExact
from cpython.mem cimport PyMem_Free, PyMem_Malloc
from cpython.object cimport PyObject
from cpython.set cimport PySet_Contains
from libc.stdint cimport int64_t, uint64_t

cdef extern from "Python.h":
    # Unlike PyDict_GetItem, no error save/restore on every call (8% of a filter's time).
    PyObject* PyDict_GetItemWithError(object d, object key) except? NULL
    bint PyDict_Check(object o)
    bint PyUnicode_Check(object o)
    bint PyUnicode_CheckExact(object o)


cdef enum Op:
    OP_IN            # also = and ==
    OP_NOT_IN        # also !=
    OP_EXISTS
    OP_DOES_NOT_EXIST
    OP_GT
    OP_LT

cdef dict _OPCODES = {
    "in": OP_IN, "=": OP_IN, "==": OP_IN,
    "notin": OP_NOT_IN, "!=": OP_NOT_IN,
    "exists": OP_EXISTS, "!": OP_DOES_NOT_EXIST,
    "gt": OP_GT, "lt": OP_LT,
}


cdef struct Requirement:
    PyObject* key       # str
    PyObject* single    # the only value when there is exactly one, else NULL
    PyObject* values    # frozenset of the values
    int op
    int64_t bound       # gt / lt


cdef dict _NO_LABELS = {}


cdef bint _parse_int64(object value, int64_t* out):
    """Go's strconv.ParseInt(value, 10, 64): [+-]?[0-9]+ within int64, else False."""
    cdef Py_UCS4 ch
    cdef bint negative = False
    cdef bint first = True
    cdef Py_ssize_t digits = 0
    cdef uint64_t acc = 0
    cdef uint64_t limit
    if not PyUnicode_Check(value):
        return False
    for ch in <str>value:
        if first and (ch == 43 or ch == 45):  # '+' or '-'
            negative = ch == 45
            first = False
            continue
        first = False
        if ch < 48 or ch > 57:  # not '0'..'9'
            return False
        acc = acc * 10 + (<uint64_t>ch - 48)
        digits += 1
        if acc > 9223372036854775808ULL:  # 2**63: already out of range either way
            return False
    limit = 9223372036854775808ULL if negative else 9223372036854775807ULL
    if digits == 0 or acc > limit:
        return False
    # Two's complement wrap-around gives -2**63 for acc == 2**63 without signed overflow.
    out[0] = <int64_t>((<uint64_t>0) - acc) if negative else <int64_t>acc
    return True


cdef inline int _contains(Requirement* r, PyObject* value) except -1:
    # One value (the common app=web) is a plain string comparison; several, a set lookup.
    if r.single is not NULL and PyUnicode_CheckExact(<object>value):
        return (<str>value) == (<str>r.single)
    return PySet_Contains(<object>r.values, <object>value)


cdef object _path_value(object obj, tuple path):
    """The string at path in nested dicts; "" when absent or not a string."""
    cdef PyObject* cur = <PyObject*>obj
    for key in path:
        if not PyDict_Check(<object>cur):
            return ""
        cur = PyDict_GetItemWithError(<object>cur, key)
        if cur is NULL:
            return ""
    if PyUnicode_Check(<object>cur):
        return <object>cur
    return ""


cdef class _FieldCheck:
    """A FieldTest read once into C-level fields."""
    cdef tuple path
    cdef object compute
    cdef str value
    cdef bint negate

    cdef inline bint passes(self, object obj) except -1:
        cdef object actual
        cdef bint equal
        if self.path is not None:
            actual = _path_value(obj, self.path)
        else:
            actual = self.compute(obj)
        if PyUnicode_CheckExact(actual):
            equal = (<str>actual) == self.value
        else:
            equal = actual == self.value
        return equal != self.negate


cdef list _field_checks(field_tests):
    cdef list checks = []
    cdef _FieldCheck check
    for test in field_tests:
        check = _FieldCheck.__new__(_FieldCheck)
        check.path = test.path
        check.compute = test.compute
        check.value = test.value
        check.negate = test.negate
        checks.append(check)
    return checks


cdef class CompiledSelector:
    """A label selector compiled for fast matching.

    ``CompiledSelector(requirements, match_nothing)`` with ``requirements`` a list of
    ``(key, operator, values)``, the operator being upstream's string (``in``, ``notin``,
    ``=``, ``==``, ``!=``, ``exists``, ``!``, ``gt``, ``lt``), already validated.
    """

    cdef Requirement* reqs
    cdef Py_ssize_t n
    cdef bint nothing
    cdef list _owned  # the strings and sets reqs point at

    def __cinit__(self, requirements, bint match_nothing=False):
        cdef Py_ssize_t i
        cdef Requirement* r
        cdef int64_t bound
        requirements = list(requirements)
        self.nothing = match_nothing
        self._owned = []
        self.n = len(requirements)
        self.reqs = <Requirement*>PyMem_Malloc(max(self.n, 1) * sizeof(Requirement))
        if self.reqs is NULL:
            raise MemoryError()
        for i, (key, operator, values) in enumerate(requirements):
            r = &self.reqs[i]
            value_set = frozenset(values)
            self._owned.append(key)
            self._owned.append(value_set)
            r.key = <PyObject*>key
            r.values = <PyObject*>value_set
            r.single = NULL
            r.bound = 0
            r.op = _OPCODES[operator]
            if len(value_set) == 1:
                single = next(iter(value_set))
                if PyUnicode_CheckExact(single):  # the fast path compares str with str only
                    self._owned.append(single)
                    r.single = <PyObject*>single
            if r.op == OP_GT or r.op == OP_LT:
                if len(value_set) != 1 or not _parse_int64(next(iter(value_set)), &bound):
                    raise ValueError(f"{operator} needs one integer value, not {values!r}")
                r.bound = bound

    def __dealloc__(self):
        PyMem_Free(self.reqs)

    cdef bint _match(self, dict labels) except -1:
        cdef Py_ssize_t i
        cdef Requirement* r
        cdef PyObject* value
        cdef int64_t number
        if self.nothing:
            return False
        for i in range(self.n):
            r = &self.reqs[i]
            value = PyDict_GetItemWithError(labels, <object>r.key)
            if r.op == OP_IN:
                if value is NULL or not _contains(r, value):
                    return False
            elif r.op == OP_NOT_IN:
                if value is not NULL and _contains(r, value):
                    return False
            elif r.op == OP_EXISTS:
                if value is NULL:
                    return False
            elif r.op == OP_DOES_NOT_EXIST:
                if value is not NULL:
                    return False
            else:
                if value is NULL or not _parse_int64(<object>value, &number):
                    return False
                if r.op == OP_GT and not number > r.bound:
                    return False
                if r.op == OP_LT and not number < r.bound:
                    return False
        return True

    cdef inline dict _as_dict(self, object labels):
        if labels is None:
            return _NO_LABELS
        if PyDict_Check(labels):
            return <dict>labels
        return dict(labels)

    def matches(self, labels):
        """Whether a label mapping (None meaning no labels) satisfies every requirement."""
        return self._match(self._as_dict(labels))

    def __call__(self, labels):
        return self._match(self._as_dict(labels))

    def filter(self, objects, field_tests=()):
        """The objects (dicts) whose metadata.labels match and that pass every field test."""
        cdef Py_ssize_t i
        cdef list out = []
        cdef list checks = _field_checks(field_tests)
        cdef Py_ssize_t n_checks = len(checks)
        cdef bint all_labels = not self.nothing and self.n == 0
        cdef bint ok
        cdef PyObject* metadata
        cdef PyObject* labels
        if self.nothing:
            return out
        for obj in objects:
            ok = True
            for i in range(n_checks):
                if not (<_FieldCheck>checks[i]).passes(obj):
                    ok = False
                    break
            if not ok:
                continue
            if all_labels:
                out.append(obj)
                continue
            # obj["metadata"]["labels"] without creating a reference per object.
            if PyDict_CheckExact(obj):
                metadata = PyDict_GetItemWithError(obj, "metadata")
            else:
                meta_obj = obj.get("metadata")  # stays referenced for this iteration
                metadata = <PyObject*>meta_obj
            labels = NULL
            if metadata is not NULL and PyDict_Check(<object>metadata):
                labels = PyDict_GetItemWithError(<object>metadata, "labels")
            if labels is NULL:
                ok = self._match(_NO_LABELS)
            elif PyDict_CheckExact(<object>labels):
                ok = self._match(<dict>labels)
            else:
                ok = self._match(self._as_dict(<object>labels))
            if ok:
                out.append(obj)
        return out
