"""discovery.k8s.io/v1 types: EndpointSlice (io.k8s.api.discovery.v1).

Field names, protobuf numbers, required flags and list metadata follow k8s.io/api as of
Kubernetes 1.33.
"""

from __future__ import annotations

from paddock.core.schema.dsl import f, message
from paddock.core.schema.meta_v1 import LIST_META, OBJECT_META

P = "io.k8s.api.discovery.v1."
GROUP, VERSION = "discovery.k8s.io", "v1"

# EndpointSlice has no spec: addressType, endpoints and ports sit beside metadata.
message(
    P + "EndpointSlice",
    "A slice of the endpoints of a Service: addresses of one family and the ports they serve.",
    f("metadata", 1, OBJECT_META, "Standard object metadata."),
    f(
        "endpoints", 2, P + "Endpoint", "The endpoints in this slice (at most 1000).",
        repeated=True, required=True, list_type="atomic",
    ),
    f(
        "ports", 3, P + "EndpointPort",
        "Ports every endpoint of the slice serves; empty means all ports.",
        repeated=True, list_type="atomic",
    ),
    f(
        "addressType", 4, "string", "Address family of the endpoints: IPv4, IPv6 or FQDN.",
        required=True, enum=("FQDN", "IPv4", "IPv6"),
    ),
    gvk=(GROUP, VERSION, "EndpointSlice"),
)

message(
    P + "Endpoint",
    "One endpoint: its addresses, readiness and where it runs.",
    f(
        "addresses", 1, "string", "Addresses of the endpoint, in the slice's address family.",
        repeated=True, required=True, list_type="set",
    ),
    f("conditions", 2, P + "EndpointConditions", "Readiness of the endpoint."),
    f("hostname", 3, "string", "Host name of the endpoint, for DNS."),
    f(
        "targetRef", 4, "io.k8s.api.core.v1.ObjectReference",
        "The object (usually a Pod) behind the endpoint.",
    ),
    f(
        "deprecatedTopology", 5, "string", "Deprecated topology labels.",
        map_value="string",
    ),
    f("nodeName", 6, "string", "Node the endpoint runs on."),
    f("zone", 7, "string", "Zone the endpoint runs in."),
    f("hints", 8, P + "EndpointHints", "Hints for topology-aware routing."),
)

message(
    P + "EndpointConditions",
    "Readiness of an endpoint.",
    f("ready", 1, "bool", "Whether the endpoint is ready for new connections."),
    f("serving", 2, "bool", "Whether the endpoint can serve, even while terminating."),
    f("terminating", 3, "bool", "Whether the endpoint is terminating."),
)

message(
    P + "EndpointHints",
    "Where an endpoint should be consumed from.",
    f("forZones", 1, P + "ForZone", repeated=True, list_type="atomic"),
    f("forNodes", 2, P + "ForNode", repeated=True, list_type="atomic"),
)

message(
    P + "ForZone",
    "A zone that should consume an endpoint.",
    f("name", 1, "string", required=True),
)

message(
    P + "ForNode",
    "A node that should consume an endpoint.",
    f("name", 1, "string", required=True),
)

message(
    P + "EndpointPort",
    "A port the endpoints of a slice serve.",
    f("name", 1, "string", "Name of the port, matching the Service port name."),
    f(
        "protocol", 2, "string", "TCP (the default), UDP or SCTP.",
        enum=("SCTP", "TCP", "UDP"),
    ),
    f("port", 3, "int32", "The port number."),
    f("appProtocol", 4, "string", "Application protocol of the port, such as http."),
)

message(
    P + "EndpointSliceList",
    "A list of EndpointSlices.",
    f("metadata", 1, LIST_META),
    f("items", 2, P + "EndpointSlice", repeated=True, required=True),
    gvk=(GROUP, VERSION, "EndpointSliceList"),
)
