"""meta/v1 types shared by every API group (io.k8s.apimachinery.pkg.apis.meta.v1).

Field names, protobuf numbers and list/patch metadata follow k8s.io/apimachinery as of
Kubernetes 1.33.  Type names are the upstream OpenAPI definition names, so that other type
modules can refer to ``OBJECT_META`` and friends by string as well as by these constants.
"""

from __future__ import annotations

from paddock.core.schema.dsl import f, message

P = "io.k8s.apimachinery.pkg.apis.meta.v1."

OBJECT_META = P + "ObjectMeta"
LIST_META = P + "ListMeta"
LABEL_SELECTOR = P + "LabelSelector"
LABEL_SELECTOR_REQUIREMENT = P + "LabelSelectorRequirement"
OWNER_REFERENCE = P + "OwnerReference"
MANAGED_FIELDS_ENTRY = P + "ManagedFieldsEntry"
STATUS = P + "Status"
STATUS_DETAILS = P + "StatusDetails"
STATUS_CAUSE = P + "StatusCause"
DELETE_OPTIONS = P + "DeleteOptions"
PRECONDITIONS = P + "Preconditions"
WATCH_EVENT = P + "WatchEvent"
CONDITION = P + "Condition"
PATCH = P + "Patch"

message(
    OBJECT_META,
    "Metadata that every persisted object carries: name, namespace, labels, ownership.",
    f("name", 1, "string", "Name of the object, unique within its namespace and kind."),
    f(
        "generateName", 2, "string",
        "Prefix from which the server generates a unique name when name is empty.",
    ),
    f("namespace", 3, "string", "Namespace the object lives in; empty for cluster-scoped kinds."),
    f("selfLink", 4, "string", "Deprecated and no longer set by the server."),
    f("uid", 5, "string", "Unique id the server assigns at creation; never reused."),
    f(
        "resourceVersion", 6, "string",
        "Opaque version of the object, used for optimistic concurrency and watches.",
    ),
    f(
        "generation", 7, "int64",
        "Counter of changes to the desired state (spec), set by the server.",
    ),
    f("creationTimestamp", 8, "Time", "When the server created the object (RFC 3339, UTC)."),
    f(
        "deletionTimestamp", 9, "Time",
        "When the object is due to be deleted; set once deletion has been requested.",
    ),
    f(
        "deletionGracePeriodSeconds", 10, "int64",
        "Seconds the object is allowed to shut down gracefully before it is removed.",
    ),
    f("labels", 11, "string", "Key/value pairs that selectors match on.", map_value="string"),
    f(
        "annotations", 12, "string",
        "Key/value pairs for tools and people; not used for selection.", map_value="string",
    ),
    f(
        "ownerReferences", 13, OWNER_REFERENCE,
        "Objects this one depends on; the garbage collector deletes it when they are all gone.",
        repeated=True, merge_key="uid", patch_strategy="merge",
        list_type="map", list_map_keys=("uid",),
    ),
    f(
        "finalizers", 14, "string",
        "Names of pending cleanup steps; deletion completes once the list is empty.",
        repeated=True, patch_strategy="merge", list_type="set",
    ),
    f(
        "managedFields", 17, MANAGED_FIELDS_ENTRY,
        "Which manager owns which fields, as recorded by server-side apply.",
        repeated=True, list_type="atomic",
    ),
)

message(
    LIST_META,
    "Metadata of a list response: its resource version and the paging token.",
    f("selfLink", 1, "string", "Deprecated and no longer set by the server."),
    f("resourceVersion", 2, "string", "Version of the collection the list was read at."),
    f("continue", 3, "string", "Token to fetch the next page; empty on the last page."),
    f(
        "remainingItemCount", 4, "int64",
        "Number of items after this page, when the server can tell cheaply.",
    ),
)

message(
    LABEL_SELECTOR,
    "A label query: matchLabels and matchExpressions are ANDed; empty matches everything.",
    f("matchLabels", 1, "string", "Labels that must all be present with these values.",
      map_value="string"),
    f(
        "matchExpressions", 2, LABEL_SELECTOR_REQUIREMENT,
        "Requirements (key, operator, values) that must all hold.",
        repeated=True, list_type="atomic",
    ),
)

message(
    LABEL_SELECTOR_REQUIREMENT,
    "One selector requirement: a key, an operator and the values it compares against.",
    f("key", 1, "string", "The label key the requirement applies to.", required=True),
    f(
        "operator", 2, "string", "One of In, NotIn, Exists and DoesNotExist.",
        required=True,
    ),
    f(
        "values", 3, "string",
        "Values for In/NotIn (non-empty); must be empty for Exists/DoesNotExist.",
        repeated=True, list_type="atomic",
    ),
)

message(
    OWNER_REFERENCE,
    "Identifies an owning object in the same namespace (or a cluster-scoped one).",
    f("kind", 1, "string", "Kind of the owner.", required=True),
    f("name", 3, "string", "Name of the owner.", required=True),
    f("uid", 4, "string", "UID of the owner.", required=True),
    f("apiVersion", 5, "string", "API version of the owner.", required=True),
    f("controller", 6, "bool", "True when the owner is the managing controller."),
    f(
        "blockOwnerDeletion", 7, "bool",
        "True makes foreground deletion of the owner wait for this object.",
    ),
)

message(
    MANAGED_FIELDS_ENTRY,
    "The set of fields one manager owns, recorded by server-side apply.",
    f("manager", 1, "string"),
    f("operation", 2, "string"),
    f("apiVersion", 3, "string"),
    f("time", 4, "Time"),
    f("fieldsType", 6, "string"),
    f("fieldsV1", 7, "FieldsV1"),
    f("subresource", 8, "string"),
)

message(
    STATUS,
    "The result of an operation that returns no object, in particular every error.",
    f("metadata", 1, LIST_META),
    f("status", 2, "string", "Success or Failure."),
    f("message", 3, "string", "A human-readable description of the outcome."),
    f("reason", 4, "string", "A machine-readable reason such as NotFound or AlreadyExists."),
    f("details", 5, STATUS_DETAILS),
    f("code", 6, "int32", "The HTTP status code of the response."),
    gvk=("", "v1", "Status"),
)

message(
    STATUS_DETAILS,
    "More detail on a Status: which object it concerns and the individual causes.",
    f("name", 1, "string"),
    f("group", 2, "string"),
    f("kind", 3, "string"),
    f("causes", 4, STATUS_CAUSE, repeated=True, list_type="atomic"),
    f("retryAfterSeconds", 5, "int32"),
    f("uid", 6, "string"),
)

message(
    STATUS_CAUSE,
    "One cause of a failure, often a single invalid field.",
    # The Go field is Type, but its JSON (and protobuf) name is "reason".
    f("reason", 1, "string"),
    f("message", 2, "string"),
    f("field", 3, "string"),
)

message(
    DELETE_OPTIONS,
    "Options of a DELETE request, sent as its body.",
    f("gracePeriodSeconds", 1, "int64"),
    f("preconditions", 2, PRECONDITIONS),
    f("orphanDependents", 3, "bool"),
    f("propagationPolicy", 4, "string"),
    f("dryRun", 5, "string", repeated=True, list_type="atomic"),
    f("ignoreStoreReadErrorWithClusterBreakingPotential", 6, "bool"),
)

message(
    PRECONDITIONS,
    "Conditions a DELETE only proceeds under.",
    f("uid", 1, "string"),
    f("resourceVersion", 2, "string"),
)

message(
    WATCH_EVENT,
    "One event of a watch stream: its type and the object.",
    f("type", 1, "string", required=True),
    f("object", 2, "RawExtension", required=True),
)

message(
    CONDITION,
    "A standard condition of an object's status (type, status, reason, message).",
    f("type", 1, "string", required=True),
    f("status", 2, "string", required=True),
    f("observedGeneration", 3, "int64"),
    f("lastTransitionTime", 4, "Time", required=True),
    f("reason", 5, "string", required=True),
    f("message", 6, "string", required=True),
)

# The body of a PATCH request; its shape depends on the patch type, so it has no fields.
message(PATCH, "The body of a PATCH request, in the format its Content-Type names.")
