"""batch/v1 types: Job and CronJob (io.k8s.api.batch.v1).

Field names, protobuf numbers, required flags and list/patch metadata follow k8s.io/api
as of Kubernetes 1.33 (JobSpec.scheduling, added later behind the WorkloadWithJob gate,
is not served).
"""

from __future__ import annotations

from paddock.core.schema.dsl import f, message
from paddock.core.schema.meta_v1 import LABEL_SELECTOR, LIST_META, OBJECT_META

P = "io.k8s.api.batch.v1."
POD_TEMPLATE_SPEC = "io.k8s.api.core.v1.PodTemplateSpec"
OBJECT_REFERENCE = "io.k8s.api.core.v1.ObjectReference"
GROUP, VERSION = "batch", "v1"

# --- Job ----------------------------------------------------------------------------------

message(
    P + "Job",
    "A Job runs pods until a given number of them complete successfully.",
    f("metadata", 1, OBJECT_META, "Standard object metadata."),
    f("spec", 2, P + "JobSpec", "The desired behaviour of the Job."),
    f("status", 3, P + "JobStatus", "The most recently observed state of the Job."),
    gvk=(GROUP, VERSION, "Job"),
)

message(
    P + "JobSpec",
    "The desired behaviour of a Job.",
    f("parallelism", 1, "int32", "Most pods that may run at once; defaults to 1."),
    f(
        "completions", 2, "int32",
        "Successful pods needed for the Job to complete; unset means any one success.",
    ),
    f(
        "activeDeadlineSeconds", 3, "int64",
        "Seconds since the Job started after which it is terminated and marked failed.",
    ),
    f(
        "podFailurePolicy", 11, P + "PodFailurePolicy",
        "How pod failures count towards backoffLimit (or fail the Job at once).",
    ),
    f(
        "successPolicy", 16, P + "SuccessPolicy",
        "When an Indexed Job may be declared succeeded before all indexes succeed.",
    ),
    f("backoffLimit", 7, "int32", "Retries before the Job is marked failed; defaults to 6."),
    f(
        "backoffLimitPerIndex", 12, "int32",
        "Retries of each index of an Indexed Job before that index is marked failed.",
    ),
    f(
        "maxFailedIndexes", 13, "int32",
        "Failed indexes after which an Indexed Job is marked failed.",
    ),
    f(
        "selector", 4, LABEL_SELECTOR,
        "Selects the Job's pods; normally generated (see manualSelector).",
    ),
    f(
        "manualSelector", 5, "bool",
        "When true, the selector is the user's and no unique labels are generated.",
    ),
    f("template", 6, POD_TEMPLATE_SPEC, "The pod each attempt runs.", required=True),
    f(
        "ttlSecondsAfterFinished", 8, "int32",
        "Seconds after the Job finishes at which it is deleted; unset keeps it.",
    ),
    f(
        "completionMode", 9, "string",
        "NonIndexed (the default: any completions count) or Indexed (each pod gets an "
        "index, and each index must complete).",
        enum=("Indexed", "NonIndexed"),
    ),
    f("suspend", 10, "bool", "While true, no pods are created and running ones are stopped."),
    f(
        "podReplacementPolicy", 14, "string",
        "When a replacement pod is created: TerminatingOrFailed (as soon as the old one "
        "terminates) or Failed (only once it has fully failed).",
        enum=("Failed", "TerminatingOrFailed"),
    ),
    f(
        "managedBy", 15, "string",
        "The controller that syncs the Job; the built-in one unless set to another.",
    ),
)

message(
    P + "PodFailurePolicy",
    "Rules that decide what a pod failure does to its Job.",
    f(
        "rules", 1, P + "PodFailurePolicyRule",
        "Rules evaluated in order; the first that matches decides.",
        repeated=True, required=True, list_type="atomic",
    ),
)

message(
    P + "PodFailurePolicyRule",
    "One rule of a pod failure policy: an action and the failures it applies to.",
    f(
        "action", 1, "string", "What to do when the rule matches.",
        required=True, enum=("Count", "FailIndex", "FailJob", "Ignore"),
    ),
    f(
        "onExitCodes", 2, P + "PodFailurePolicyOnExitCodesRequirement",
        "Matches on the exit codes of the pod's containers.",
    ),
    f(
        "onPodConditions", 3, P + "PodFailurePolicyOnPodConditionsPattern",
        "Matches on the pod's conditions; any one pattern suffices.",
        repeated=True, list_type="atomic",
    ),
)

message(
    P + "PodFailurePolicyOnExitCodesRequirement",
    "Matches a failed pod by the exit codes of its terminated containers.",
    f(
        "containerName", 1, "string",
        "Restricts the check to this container; unset checks all of them.",
    ),
    f(
        "operator", 2, "string",
        "In (some exit code is one of values) or NotIn (some exit code is not).",
        required=True, enum=("In", "NotIn"),
    ),
    f(
        "values", 3, "int32", "The exit codes, ordered and without duplicates.",
        repeated=True, required=True, list_type="set",
    ),
)

message(
    P + "PodFailurePolicyOnPodConditionsPattern",
    "Matches a failed pod by one of its conditions.",
    f("type", 1, "string", "The pod condition type to match.", required=True),
    f(
        "status", 2, "string", "The condition status to match; defaults to True.",
        required=True,
    ),
)

message(
    P + "SuccessPolicy",
    "Rules by which an Indexed Job is declared succeeded early.",
    f(
        "rules", 1, P + "SuccessPolicyRule",
        "The Job succeeds once any one rule is met.",
        repeated=True, required=True, list_type="atomic",
    ),
)

message(
    P + "SuccessPolicyRule",
    "One success rule: a set of indexes, a count of them, or both.",
    f(
        "succeededIndexes", 1, "string",
        "Indexes that must succeed, as a list of intervals (\"1,3-5,7\").",
    ),
    f("succeededCount", 2, "int32", "How many (of succeededIndexes, if set) must succeed."),
)

message(
    P + "JobStatus",
    "The most recently observed state of a Job.",
    f(
        "conditions", 1, P + "JobCondition", "Latest observations of the Job.",
        repeated=True, merge_key="type", patch_strategy="merge", list_type="atomic",
    ),
    f("startTime", 2, "Time", "When the controller started working on the Job."),
    f("completionTime", 3, "Time", "When the Job completed."),
    f("active", 4, "int32", "Pods pending or running."),
    f("succeeded", 5, "int32", "Pods that succeeded."),
    f("failed", 6, "int32", "Pods that failed."),
    f("terminating", 11, "int32", "Pods terminating (with a deletionTimestamp)."),
    f(
        "completedIndexes", 7, "string",
        "Completed indexes of an Indexed Job, as a list of intervals (\"1,3-5,7\").",
    ),
    f("failedIndexes", 10, "string", "Failed indexes, when backoffLimitPerIndex is set."),
    f(
        "uncountedTerminatedPods", 8, P + "UncountedTerminatedPods",
        "Finished pods not yet counted in succeeded/failed.",
    ),
    f("ready", 9, "int32", "Pods with a Ready condition."),
)

message(
    P + "UncountedTerminatedPods",
    "UIDs of finished pods whose finalizer the controller has yet to remove.",
    f(
        "succeeded", 1, "string", "UIDs of succeeded pods.",
        repeated=True, list_type="set",
    ),
    f("failed", 2, "string", "UIDs of failed pods.", repeated=True, list_type="set"),
)

message(
    P + "JobCondition",
    "One observed condition of a Job (Complete, Failed, Suspended, ...).",
    f("type", 1, "string", "Type of the condition.", required=True),
    f("status", 2, "string", "True, False or Unknown.", required=True),
    f("lastProbeTime", 3, "Time", "When the condition was last checked."),
    f("lastTransitionTime", 4, "Time", "When the status last changed."),
    f("reason", 5, "string", "Machine-readable reason for the last transition."),
    f("message", 6, "string", "Human-readable details of the last transition."),
)

message(
    P + "JobList",
    "A list of Jobs.",
    f("metadata", 1, LIST_META),
    f("items", 2, P + "Job", repeated=True, required=True),
    gvk=(GROUP, VERSION, "JobList"),
)

# --- CronJob ------------------------------------------------------------------------------

message(
    P + "JobTemplateSpec",
    "The Job a CronJob creates on each run: its metadata and spec.",
    f("metadata", 1, OBJECT_META, "Metadata given to the created Jobs."),
    f("spec", 2, P + "JobSpec", "The spec of the created Jobs."),
)

message(
    P + "CronJob",
    "A CronJob creates a Job on a repeating schedule.",
    f("metadata", 1, OBJECT_META, "Standard object metadata."),
    f("spec", 2, P + "CronJobSpec", "The schedule and the Job to run."),
    f("status", 3, P + "CronJobStatus", "The most recently observed state of the CronJob."),
    gvk=(GROUP, VERSION, "CronJob"),
)

message(
    P + "CronJobSpec",
    "The schedule of a CronJob and the Job it runs.",
    f("schedule", 1, "string", "The schedule, in cron format.", required=True),
    f(
        "timeZone", 8, "string",
        "The IANA time zone the schedule is read in; the controller's own if unset.",
    ),
    f(
        "startingDeadlineSeconds", 2, "int64",
        "Seconds after a missed scheduled time during which the Job may still start.",
    ),
    f(
        "concurrencyPolicy", 3, "string",
        "Allow (the default), Forbid (skip a run while one is active) or Replace (stop "
        "the active run).",
        enum=("Allow", "Forbid", "Replace"),
    ),
    f("suspend", 4, "bool", "While true, no new runs start."),
    f("jobTemplate", 5, P + "JobTemplateSpec", "The Job each run creates.", required=True),
    f(
        "successfulJobsHistoryLimit", 6, "int32",
        "Finished successful Jobs to keep; defaults to 3.",
    ),
    f("failedJobsHistoryLimit", 7, "int32", "Failed Jobs to keep; defaults to 1."),
)

message(
    P + "CronJobStatus",
    "The most recently observed state of a CronJob.",
    f(
        "active", 1, OBJECT_REFERENCE, "The Jobs currently running.",
        repeated=True, list_type="atomic",
    ),
    f("lastScheduleTime", 4, "Time", "When a Job was last scheduled."),
    f("lastSuccessfulTime", 5, "Time", "When a Job last completed successfully."),
)

message(
    P + "CronJobList",
    "A list of CronJobs.",
    f("metadata", 1, LIST_META),
    f("items", 2, P + "CronJob", repeated=True, required=True),
    gvk=(GROUP, VERSION, "CronJobList"),
)
