"""Table rows for statefulsets, jobs and cronjobs."""

from __future__ import annotations

from paddock.apiserver.printers import build_table

NOW = 1_800_000_000.0


def _ts(offset: float) -> str:
    import time
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(NOW - offset))


def cells(resource: str, obj: dict) -> list:
    return build_table(resource, [obj], {}, now=NOW)["rows"][0]["cells"]


def test_statefulset_ready_counts_ready_of_desired() -> None:
    sts = {"metadata": {"name": "db", "creationTimestamp": _ts(60)}, "spec": {"replicas": 3},
           "status": {"readyReplicas": 2}}
    assert cells("statefulsets", sts)[:3] == ["db", "2/3", "60s"]


def test_job_completions_status_and_duration() -> None:
    job = {"metadata": {"name": "j", "creationTimestamp": _ts(120)}, "spec": {"completions": 3},
           "status": {"succeeded": 3, "startTime": _ts(100), "completionTime": _ts(40),
                      "conditions": [{"type": "Complete", "status": "True"}]}}
    assert cells("jobs", job)[:5] == ["j", "Complete", "3/3", "60s", "2m"]
    running = {"metadata": {"name": "r"}, "spec": {"parallelism": 2}, "status": {"startTime": _ts(10)}}
    assert cells("jobs", running)[1:4] == ["Running", "0/1 of 2", "10s"]


def test_cronjob_schedule_suspend_active_last_schedule() -> None:
    cj = {"metadata": {"name": "c", "creationTimestamp": _ts(3600)},
          "spec": {"schedule": "*/5 * * * *", "suspend": True},
          "status": {"active": [{"name": "c-1"}], "lastScheduleTime": _ts(300)}}
    assert cells("cronjobs", cj)[:7] == ["c", "*/5 * * * *", "<none>", True, 1, "5m", "60m"]
