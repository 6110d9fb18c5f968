# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""The scheduler's hot loops over nodes, on columnar arrays, without the GIL.

The pure-Python specification is ``paddock.scheduler.algorithm`` with the plugins in
``paddock.scheduler.plugins``; ``paddock.scheduler.native`` drives this module and the
tests require the same decisions from both.  What lives here is what changes with every
pod placed: each node's requested CPU, memory, ephemeral storage and pod count, checked
against its allocatable amounts (NodeResourcesFit's filter), and the LeastAllocated and
BalancedAllocation scores.  What depends only on the nodes' labels, taints and cordons is
filtered in Python once per equivalence class of pods and handed in as a mask.
"""

from libc.math cimport sqrt
from libc.stdint cimport int64_t, uint8_t

cdef enum:
    R_PODS, R_CPU, R_MEMORY, R_EPHEMERAL    # reason counters, in this order


cdef class NodeTable:
    """One row per node: allocatable and requested amounts, as int64 columns."""

    cdef public int64_t[:] alloc_cpu, alloc_mem, alloc_eph, alloc_pods
    cdef public int64_t[:] req_cpu, req_mem, req_eph, pod_count, nz_cpu, nz_mem
    cdef public int size

    def __init__(self, int size):
        import array
        def column():
            return array.array("q", bytes(8 * max(size, 1)))
        self.size = size
        self.alloc_cpu, self.alloc_mem, self.alloc_eph, self.alloc_pods = (
            column(), column(), column(), column())
        self.req_cpu, self.req_mem, self.req_eph, self.pod_count = (
            column(), column(), column(), column())
        self.nz_cpu, self.nz_mem = column(), column()

    def set_row(self, int i, int64_t alloc_cpu, int64_t alloc_mem, int64_t alloc_eph,
                int64_t alloc_pods, int64_t req_cpu, int64_t req_mem, int64_t req_eph,
                int64_t pod_count, int64_t nz_cpu, int64_t nz_mem):
        self.alloc_cpu[i] = alloc_cpu
        self.alloc_mem[i] = alloc_mem
        self.alloc_eph[i] = alloc_eph
        self.alloc_pods[i] = alloc_pods
        self.req_cpu[i] = req_cpu
        self.req_mem[i] = req_mem
        self.req_eph[i] = req_eph
        self.pod_count[i] = pod_count
        self.nz_cpu[i] = nz_cpu
        self.nz_mem[i] = nz_mem

    def find_feasible(self, const uint8_t[:] mask, int64_t cpu, int64_t mem, int64_t eph,
                      int start, int wanted, int64_t[:] found, int64_t[:] reasons):
        """Walk the nodes round-robin from ``start``; a node passes if ``mask`` lets it and
        the pod's requests fit.  Fills ``found`` with up to ``wanted`` node indexes and
        ``reasons`` with how many nodes failed each check (pods, cpu, memory, ephemeral
        storage; a node can fail several).  Returns (found count, nodes processed)."""
        cdef int n = self.size, i, idx, count = 0, processed = 0
        cdef bint failed
        with nogil:
            for i in range(n):
                idx = (start + i) % n
                processed += 1
                if not mask[idx]:
                    continue
                failed = False
                if self.pod_count[idx] + 1 > self.alloc_pods[idx]:
                    reasons[R_PODS] += 1
                    failed = True
                if cpu > 0 and cpu > self.alloc_cpu[idx] - self.req_cpu[idx]:
                    reasons[R_CPU] += 1
                    failed = True
                if mem > 0 and mem > self.alloc_mem[idx] - self.req_mem[idx]:
                    reasons[R_MEMORY] += 1
                    failed = True
                if eph > 0 and eph > self.alloc_eph[idx] - self.req_eph[idx]:
                    reasons[R_EPHEMERAL] += 1
                    failed = True
                if failed:
                    continue
                found[count] = idx
                count += 1
                if count >= wanted:
                    break
        return count, processed

    def resource_scores(self, const int64_t[:] nodes, int count, int64_t nz_cpu, int64_t nz_mem,
                        int64_t cpu, int64_t mem, int64_t[:] least, int64_t[:] balanced):
        """LeastAllocated (with the non-zero requests) and BalancedAllocation (with the
        actual ones) for the first ``count`` of ``nodes``, as the plugins compute them."""
        cdef int k
        cdef int64_t idx, alloc, requested, free_cpu, free_mem
        cdef double f_cpu, f_mem, mean, deviation
        with nogil:
            for k in range(count):
                idx = nodes[k]
                alloc = self.alloc_cpu[idx]
                requested = self.nz_cpu[idx] + nz_cpu
                free_cpu = 0 if alloc == 0 or requested > alloc else (alloc - requested) * 100 // alloc
                alloc = self.alloc_mem[idx]
                requested = self.nz_mem[idx] + nz_mem
                free_mem = 0 if alloc == 0 or requested > alloc else (alloc - requested) * 100 // alloc
                least[k] = (free_cpu + free_mem) // 2
                if self.alloc_cpu[idx] == 0 or self.alloc_mem[idx] == 0:
                    balanced[k] = 100
                    continue
                f_cpu = (<double>(self.req_cpu[idx] + cpu)) / <double>self.alloc_cpu[idx]
                f_mem = (<double>(self.req_mem[idx] + mem)) / <double>self.alloc_mem[idx]
                if f_cpu > 1.0:
                    f_cpu = 1.0
                if f_mem > 1.0:
                    f_mem = 1.0
                mean = (f_cpu + f_mem) / 2
                deviation = sqrt(((f_cpu - mean) * (f_cpu - mean)
                                  + (f_mem - mean) * (f_mem - mean)) / 2)
                balanced[k] = <int64_t>((1 - deviation) * 100)

    def choose(self, const int64_t[:] nodes, int count, int64_t nz_cpu, int64_t nz_mem,
               int64_t cpu, int64_t mem, const int64_t[:] taint_raw,
               const int64_t[:] affinity_raw, const int64_t[:] spread_counts,
               const int64_t[:] zones, int zone_count, bint spread,
               int64_t w_taint, int64_t w_affinity, int64_t w_least, int64_t w_balanced,
               int64_t w_spread):
        """The position in ``nodes`` of the best of the first ``count``: the weighted sum of
        TaintToleration (raw counts by node index, reverse-normalized over these nodes),
        NodeAffinity (raw weights, normalized), LeastAllocated, BalancedAllocation and, when
        ``spread``, SelectorSpread from each node's count of the pod's kin
        (``spread_counts``) and its zone (``zones``: ids below ``zone_count``, -1 for
        none), with the plugins' arithmetic; the first among equals."""
        import array
        least_a = array.array("q", bytes(8 * count))
        balanced_a = array.array("q", bytes(8 * count))
        zone_sum_a = array.array("q", bytes(8 * max(zone_count, 1)))
        zone_seen_a = array.array("q", bytes(8 * max(zone_count, 1)))
        cdef int64_t[:] least = least_a
        cdef int64_t[:] balanced = balanced_a
        cdef int64_t[:] zone_sum = zone_sum_a
        cdef int64_t[:] zone_seen = zone_seen_a
        self.resource_scores(nodes, count, nz_cpu, nz_mem, cpu, mem, least, balanced)
        cdef int k, best = 0
        cdef int64_t top_taint = 0, top_affinity = 0, total, best_total = -1, t, a, z
        cdef int64_t most_on_node = 0, most_in_zone = 0, c
        cdef bint any_zone = False
        cdef double score, zone_score, weighting = 2.0 / 3.0
        with nogil:
            for k in range(count):
                if taint_raw[nodes[k]] > top_taint:
                    top_taint = taint_raw[nodes[k]]
                if affinity_raw[nodes[k]] > top_affinity:
                    top_affinity = affinity_raw[nodes[k]]
                if spread:
                    c = spread_counts[nodes[k]]
                    if c > most_on_node:
                        most_on_node = c
                    z = zones[nodes[k]]
                    if z >= 0:
                        zone_sum[z] += c
                        zone_seen[z] = 1
                        any_zone = True
            if spread:
                for z in range(zone_count):
                    if zone_seen[z] and zone_sum[z] > most_in_zone:
                        most_in_zone = zone_sum[z]
            for k in range(count):
                t = 100 if top_taint == 0 else 100 - taint_raw[nodes[k]] * 100 // top_taint
                a = affinity_raw[nodes[k]] if top_affinity == 0 else (
                    affinity_raw[nodes[k]] * 100 // top_affinity)
                total = (t * w_taint + a * w_affinity + least[k] * w_least
                         + balanced[k] * w_balanced)
                if spread:
                    score = 100.0
                    if most_on_node > 0:
                        score = (<double>(100 * (most_on_node - spread_counts[nodes[k]]))
                                 / <double>most_on_node)
                    z = zones[nodes[k]]
                    if any_zone and z >= 0:
                        zone_score = 100.0
                        if most_in_zone > 0:
                            zone_score = (<double>(100 * (most_in_zone - zone_sum[z]))
                                          / <double>most_in_zone)
                        score = score * (1 - weighting) + zone_score * weighting
                    total += (<int64_t>score) * w_spread
                if total > best_total:
                    best_total = total
                    best = k
        return best
