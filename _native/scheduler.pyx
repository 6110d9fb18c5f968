# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""The scheduler's hot loops over nodes, on columnar arrays, without the GIL.

The pure-Python specification is ``paddock.scheduler.algorithm`` with the plugins in
``paddock.scheduler.plugins``; ``paddock.scheduler.native`` drives this module and the
tests require the same decisions, feasible sets and scores from both.

What lives here is what changes with every pod placed: each node's requested amounts of
every resource a pod has asked for (CPU and memory first), its pod count, checked against
its allocatable amounts (NodeResourcesFit's filter); the counts of matching pods per
topology domain (PodTopologySpread's filter and score); the LeastAllocated,
BalancedAllocation and SelectorSpread scores, summed with the weights in parallel
(``prange``) when there are enough nodes to be worth the threads.  What depends only on
the nodes' labels, taints and cordons is filtered in Python once per equivalence class of
pods and handed in as a mask.
"""

from cython.parallel cimport prange
cimport openmp
from libc.math cimport floor, sqrt
from libc.stdint cimport int64_t, uint8_t

# below this many nodes to score, starting threads costs more than it saves
PARALLEL_MIN = 1024

cdef enum:
    # extra reason counters, after the pod count and the resources
    R_TOPOLOGY_MISSING, R_TOPOLOGY_SKEW


def _column(Py_ssize_t size):
    import array
    return array.array("q", bytes(8 * max(size, 1)))


cdef class NodeTable:
    """One row per node: the pod count and its limit, the non-zero CPU and memory requests
    (for scoring), and for each of ``resources`` resources (CPU, memory, then the others)
    the allocatable and requested amounts, row-major."""

    cdef public int64_t[:] alloc, req, alloc_pods, pod_count, nz_cpu, nz_mem
    cdef public int size, resources

    def __init__(self, int size, int resources):
        self.size = size
        self.resources = resources
        self.alloc, self.req = _column(size * resources), _column(size * resources)
        self.alloc_pods, self.pod_count = _column(size), _column(size)
        self.nz_cpu, self.nz_mem = _column(size), _column(size)

    def set_row(self, int i, int64_t alloc_pods, int64_t pod_count, int64_t nz_cpu,
                int64_t nz_mem, const int64_t[:] alloc, const int64_t[:] req):
        cdef int r, base = i * self.resources
        self.alloc_pods[i] = alloc_pods
        self.pod_count[i] = pod_count
        self.nz_cpu[i] = nz_cpu
        self.nz_mem[i] = nz_mem
        for r in range(self.resources):
            self.alloc[base + r] = alloc[r]
            self.req[base + r] = req[r]

    def copy_rows(self, NodeTable old, const int64_t[:] old_of_new):
        """Take row ``old_of_new[i]`` of ``old`` as row ``i`` where it is not -1 (tables of
        the same width)."""
        cdef int i, r, R = self.resources
        cdef int64_t j
        with nogil:
            for i in range(self.size):
                j = old_of_new[i]
                if j < 0:
                    continue
                self.alloc_pods[i] = old.alloc_pods[j]
                self.pod_count[i] = old.pod_count[j]
                self.nz_cpu[i] = old.nz_cpu[j]
                self.nz_mem[i] = old.nz_mem[j]
                for r in range(R):
                    self.alloc[i * R + r] = old.alloc[j * R + r]
                    self.req[i * R + r] = old.req[j * R + r]

    def find_feasible(self, const uint8_t[:] mask, const int64_t[:] want, int start, int wanted,
                      int64_t[:] found, int64_t[:] reasons, int hard,
                      const int64_t[:] domains, const int64_t[:] totals,
                      const int64_t[:] offsets, const int64_t[:] limits):
        """Walk the nodes round-robin from ``start``; a node passes if ``mask`` lets it, the
        pod's requests (``want``, one per resource) fit, and it is within every one of the
        ``hard`` topology constraints: constraint ``c``'s domain of node ``i`` is
        ``domains[c * size + i]`` (-1: the node lacks the key), the domain's count
        ``totals[offsets[c] + domain]``, and it must not exceed ``limits[c]`` (maxSkew plus
        the minimum less the pod's own match).  Fills ``found`` with up to ``wanted`` node
        indexes and ``reasons`` with how many nodes failed each check: the pod count, each
        resource (a node can fail several), then a missing topology key, then the skew.
        Returns (found count, nodes processed)."""
        cdef int n = self.size, R = self.resources, i, r, c, idx, count = 0, processed = 0
        cdef int64_t d
        cdef bint failed
        with nogil:
            for i in range(n):
                idx = (start + i) % n
                processed += 1
                if not mask[idx]:
                    continue
                failed = False
                if self.pod_count[idx] + 1 > self.alloc_pods[idx]:
                    reasons[0] += 1
                    failed = True
                for r in range(R):
                    if want[r] > 0 and want[r] > self.alloc[idx * R + r] - self.req[idx * R + r]:
                        reasons[1 + r] += 1
                        failed = True
                if failed:
                    continue
                for c in range(hard):
                    d = domains[c * n + idx]
                    if d < 0:
                        reasons[1 + R + R_TOPOLOGY_MISSING] += 1
                        failed = True
                        break
                    if totals[offsets[c] + d] > limits[c]:
                        reasons[1 + R + R_TOPOLOGY_SKEW] += 1
                        failed = True
                        break
                if failed:
                    continue
                found[count] = idx
                count += 1
                if count >= wanted:
                    break
        return count, processed

    def score(self, const int64_t[:] nodes, int count, int64_t nz_cpu, int64_t nz_mem,
              int64_t cpu, int64_t mem, const int64_t[:] taint_raw,
              const int64_t[:] affinity_raw, const int64_t[:] spread_counts,
              const int64_t[:] zones, int zone_count, bint spread, const int64_t[:] topology,
              bint has_topology, int64_t w_taint, int64_t w_affinity, int64_t w_least,
              int64_t w_balanced, int64_t w_spread, int64_t w_topology, int64_t[:] totals,
              int threads=0, int parallel_min=PARALLEL_MIN):
        """Each of the first ``count`` of ``nodes``' weighted sum into ``totals``:
        TaintToleration (raw counts by node index, reverse-normalized over these nodes),
        NodeAffinity (raw weights, normalized), LeastAllocated, BalancedAllocation, when
        ``spread`` SelectorSpread from each node's count of the pod's kin
        (``spread_counts``) and its zone (``zones``: ids below ``zone_count``, -1 for
        none), and when ``has_topology`` PodTopologySpread's normalized ``topology``
        (by position), with the plugins' arithmetic.  Returns the position of the best,
        the first among equals.  From ``parallel_min`` nodes on, and unless ``threads``
        is 1, the per-node sums run in parallel on ``threads`` threads (0: OpenMP's
        count)."""
        import array
        zone_sum_a = array.array("q", bytes(8 * max(zone_count, 1)))
        cdef int64_t[:] zone_sum = zone_sum_a
        cdef Scoring sc
        cdef int k, best = 0, nthreads = threads
        cdef int64_t best_total, z, idx, c
        cdef bint parallel = count >= parallel_min and threads != 1
        sc.R = self.resources
        sc.alloc, sc.req = &self.alloc[0], &self.req[0]
        sc.nz_cpu_col, sc.nz_mem_col = &self.nz_cpu[0], &self.nz_mem[0]
        sc.nz_cpu, sc.nz_mem, sc.cpu, sc.mem = nz_cpu, nz_mem, cpu, mem
        sc.taint_raw, sc.affinity_raw = &taint_raw[0], &affinity_raw[0]
        sc.spread_counts, sc.zones, sc.zone_sum = &spread_counts[0], &zones[0], &zone_sum[0]
        sc.topology = &topology[0]
        sc.spread, sc.has_topology, sc.any_zone = spread, has_topology, False
        sc.top_taint = sc.top_affinity = sc.most_on_node = sc.most_in_zone = 0
        sc.w_taint, sc.w_affinity, sc.w_least = w_taint, w_affinity, w_least
        sc.w_balanced, sc.w_spread, sc.w_topology = w_balanced, w_spread, w_topology
        if nthreads <= 0:
            nthreads = openmp.omp_get_max_threads()
        with nogil:
            for k in range(count):
                idx = nodes[k]
                if sc.taint_raw[idx] > sc.top_taint:
                    sc.top_taint = sc.taint_raw[idx]
                if sc.affinity_raw[idx] > sc.top_affinity:
                    sc.top_affinity = sc.affinity_raw[idx]
                if spread:
                    c = sc.spread_counts[idx]
                    if c > sc.most_on_node:
                        sc.most_on_node = c
                    z = sc.zones[idx]
                    if z >= 0:
                        zone_sum[z] += c
                        sc.any_zone = True
            if spread:
                # zones none of these nodes is in have a sum of 0, which no maximum needs
                for z in range(zone_count):
                    if zone_sum[z] > sc.most_in_zone:
                        sc.most_in_zone = zone_sum[z]
            if parallel:
                for k in prange(count, num_threads=nthreads, schedule="static"):
                    totals[k] = node_total(&sc, nodes[k], k)
            else:
                for k in range(count):
                    totals[k] = node_total(&sc, nodes[k], k)
            best_total = -1
            for k in range(count):
                if totals[k] > best_total:
                    best_total = totals[k]
                    best = k
        return best


cdef struct Scoring:
    # the table
    int R
    const int64_t* alloc
    const int64_t* req
    const int64_t* nz_cpu_col
    const int64_t* nz_mem_col
    # the pod
    int64_t nz_cpu, nz_mem, cpu, mem
    # per node (by index), and per position for topology
    const int64_t* taint_raw
    const int64_t* affinity_raw
    const int64_t* spread_counts
    const int64_t* zones
    const int64_t* zone_sum
    const int64_t* topology
    bint spread, has_topology, any_zone
    int64_t top_taint, top_affinity, most_on_node, most_in_zone
    int64_t w_taint, w_affinity, w_least, w_balanced, w_spread, w_topology


cdef inline int64_t node_total(const Scoring* s, int64_t idx, int k) noexcept nogil:
    """One node's weighted sum of every score plugin, as the plugins compute them."""
    cdef int64_t t, a, z, extra = 0, alloc, requested, free_cpu, free_mem, least, balanced
    cdef double score, zone_score, f_cpu, f_mem, mean, deviation
    cdef double weighting = 2.0 / 3.0
    cdef const int64_t* alloc_row = s.alloc + idx * s.R
    cdef const int64_t* req_row = s.req + idx * s.R
    t = 100 if s.top_taint == 0 else 100 - s.taint_raw[idx] * 100 // s.top_taint
    a = s.affinity_raw[idx] if s.top_affinity == 0 else s.affinity_raw[idx] * 100 // s.top_affinity
    if s.spread:
        score = 100.0
        if s.most_on_node > 0:
            score = (<double>(100 * (s.most_on_node - s.spread_counts[idx]))
                     / <double>s.most_on_node)
        z = s.zones[idx]
        if s.any_zone and z >= 0:
            zone_score = 100.0
            if s.most_in_zone > 0:
                zone_score = (<double>(100 * (s.most_in_zone - s.zone_sum[z]))
                              / <double>s.most_in_zone)
            score = score * (1 - weighting) + zone_score * weighting
        extra += (<int64_t>score) * s.w_spread
    else:
        extra += 100 * s.w_spread
    if s.has_topology:
        extra += s.topology[k] * s.w_topology
    else:
        extra += 100 * s.w_topology
    # LeastAllocated (non-zero requests) and BalancedAllocation (actual requests)
    alloc = alloc_row[0]
    requested = s.nz_cpu_col[idx] + s.nz_cpu
    free_cpu = 0 if alloc == 0 or requested > alloc else (alloc - requested) * 100 // alloc
    alloc = alloc_row[1]
    requested = s.nz_mem_col[idx] + s.nz_mem
    free_mem = 0 if alloc == 0 or requested > alloc else (alloc - requested) * 100 // alloc
    least = (free_cpu + free_mem) // 2
    if alloc_row[0] == 0 or alloc_row[1] == 0:
        balanced = 100
    else:
        f_cpu = (<double>(req_row[0] + s.cpu)) / <double>alloc_row[0]
        f_mem = (<double>(req_row[1] + s.mem)) / <double>alloc_row[1]
        if f_cpu > 1.0:
            f_cpu = 1.0
        if f_mem > 1.0:
            f_mem = 1.0
        mean = (f_cpu + f_mem) / 2
        deviation = sqrt(((f_cpu - mean) * (f_cpu - mean)
                          + (f_mem - mean) * (f_mem - mean)) / 2)
        balanced = <int64_t>((1 - deviation) * 100)
    return (t * s.w_taint + a * s.w_affinity + least * s.w_least + balanced * s.w_balanced
            + extra)


# --- PodTopologySpread's counting, one constraint at a time ------------------------------

def and_masks(const uint8_t[:] a, const uint8_t[:] b):
    """A new mask: ``a[i] and b[i]``."""
    cdef Py_ssize_t i, n = a.shape[0]
    out = bytearray(n)
    cdef uint8_t[:] o = out
    with nogil:
        for i in range(n):
            o[i] = 1 if a[i] and b[i] else 0
    return out


def keep_keyed(uint8_t[:] mask, const int64_t[:] domains):
    """Clear ``mask`` where the node lacks the key (``domains[i] < 0``)."""
    cdef Py_ssize_t i
    with nogil:
        for i in range(mask.shape[0]):
            if domains[i] < 0:
                mask[i] = 0


def domain_totals(const int64_t[:] domains, const int64_t[:] counts, const uint8_t[:] included,
                  int64_t[:] totals, int64_t[:] seen, const int64_t[:] only, bint restrict):
    """Add each included node's count to its domain's total and mark the domain seen;
    with ``restrict``, only for the domains ``only`` marks."""
    cdef Py_ssize_t i
    cdef int64_t d
    with nogil:
        for i in range(domains.shape[0]):
            d = domains[i]
            if d < 0 or not included[i] or (restrict and not only[d]):
                continue
            totals[d] += counts[i]
            seen[d] = 1


def domain_minimum(const int64_t[:] totals, const int64_t[:] seen, int size):
    """(how many of the first ``size`` domains were seen, the least total among them, or
    2**31 - 1 when none was, as upstream starts its minimum)."""
    cdef int d, present = 0
    cdef int64_t least = 2147483647
    with nogil:
        for d in range(size):
            if seen[d]:
                present += 1
                if totals[d] < least:
                    least = totals[d]
    return present, least


def mark_domains(const int64_t[:] nodes, int count, const int64_t[:] domains,
                 const uint8_t[:] scored, int64_t[:] marked):
    """Mark the domains of the scored ones of the first ``count`` of ``nodes``; returns how
    many there are and how many nodes are scored."""
    cdef int k, distinct = 0, nscored = 0
    cdef int64_t idx, d
    with nogil:
        for k in range(count):
            idx = nodes[k]
            if not scored[idx]:
                continue
            nscored += 1
            d = domains[idx]
            if not marked[d]:
                marked[d] = 1
                distinct += 1
    return distinct, nscored


def add_spread_scores(const int64_t[:] nodes, int count, const uint8_t[:] scored,
                      const int64_t[:] domains, const int64_t[:] values, bint by_domain,
                      double weight, int64_t max_skew, double[:] acc):
    """For each scored one of the first ``count`` of ``nodes``, add ``value * weight +
    (max_skew - 1)``: its domain's total (``by_domain``) or its own count."""
    cdef int k
    cdef int64_t idx, v
    with nogil:
        for k in range(count):
            idx = nodes[k]
            if not scored[idx]:
                continue
            v = values[domains[idx]] if by_domain else values[idx]
            acc[k] = acc[k] + (<double>v * weight + <double>(max_skew - 1))


def normalize_spread(const int64_t[:] nodes, int count, const uint8_t[:] scored,
                     const double[:] acc, int64_t[:] out):
    """Round each raw score half away from zero, then fewer is better:
    ``100 * (top + bottom - s) // top``; nodes not scored get 0."""
    cdef int k
    cdef int64_t s, top = 0, bottom = 0
    cdef bint any_scored = False
    with nogil:
        for k in range(count):
            if not scored[nodes[k]]:
                continue
            s = <int64_t>floor(acc[k] + 0.5)
            out[k] = s
            if not any_scored:
                top = bottom = s
                any_scored = True
            elif s > top:
                top = s
            elif s < bottom:
                bottom = s
        for k in range(count):
            if not scored[nodes[k]]:
                out[k] = 0
            elif top == 0:
                out[k] = 100
            else:
                out[k] = 100 * (top + bottom - out[k]) // top


def remap_bytes(const uint8_t[:] old, const int64_t[:] old_of_new):
    """A new mask with ``old[old_of_new[i]]`` at ``i`` (0 where that is -1)."""
    cdef Py_ssize_t i, n = old_of_new.shape[0]
    out = bytearray(n)
    cdef uint8_t[:] o = out
    with nogil:
        for i in range(n):
            if old_of_new[i] >= 0:
                o[i] = old[old_of_new[i]]
    return out


def remap_int64(const int64_t[:] old, const int64_t[:] old_of_new):
    """A new int64 column with ``old[old_of_new[i]]`` at ``i`` (0 where that is -1)."""
    cdef Py_ssize_t i, n = old_of_new.shape[0]
    out_a = _column(n)
    cdef int64_t[:] o = out_a
    with nogil:
        for i in range(n):
            if old_of_new[i] >= 0:
                o[i] = old[old_of_new[i]]
    return out_a
