"""networking.k8s.io/v1 types: Ingress and IngressClass (io.k8s.api.networking.v1).

Field names, protobuf numbers, required flags and list/patch metadata follow k8s.io/api
as of Kubernetes 1.33.
"""

from __future__ import annotations

from paddock.core.schema.dsl import f, message
from paddock.core.schema.meta_v1 import LIST_META, OBJECT_META

P = "io.k8s.api.networking.v1."
GROUP, VERSION = "networking.k8s.io", "v1"

# --- Ingress ------------------------------------------------------------------------------

message(
    P + "Ingress",
    "Routes external HTTP(S) traffic to Services by host name and path.",
    f("metadata", 1, OBJECT_META, "Standard object metadata."),
    f("spec", 2, P + "IngressSpec", "The desired routing."),
    f("status", 3, P + "IngressStatus", "The most recently observed state of the Ingress."),
    gvk=(GROUP, VERSION, "Ingress"),
)

message(
    P + "IngressSpec",
    "The desired routing of an Ingress.",
    f(
        "defaultBackend", 1, P + "IngressBackend",
        "Where requests that match no rule go.",
    ),
    f(
        "tls", 2, P + "IngressTLS", "TLS settings: which hosts are served with which certificate.",
        repeated=True, list_type="atomic",
    ),
    f(
        "rules", 3, P + "IngressRule",
        "Host rules; requests matching no rule go to the default backend.",
        repeated=True, list_type="atomic",
    ),
    f(
        "ingressClassName", 4, "string",
        "Name of the IngressClass whose controller implements this Ingress.",
    ),
)

message(
    P + "IngressTLS",
    "TLS for a set of hosts.",
    f(
        "hosts", 1, "string", "Host names the certificate covers.",
        repeated=True, list_type="atomic",
    ),
    f("secretName", 2, "string", "Secret holding the certificate and key."),
)

message(
    P + "IngressStatus",
    "The observed state of an Ingress.",
    f(
        "loadBalancer", 1, P + "IngressLoadBalancerStatus",
        "Addresses of the load balancer serving the Ingress.",
    ),
)

message(
    P + "IngressLoadBalancerStatus",
    "Addresses of a load balancer.",
    f(
        "ingress", 1, P + "IngressLoadBalancerIngress", "Ingress points of the load balancer.",
        repeated=True, list_type="atomic",
    ),
)

message(
    P + "IngressLoadBalancerIngress",
    "One ingress point of a load balancer: an IP address or a host name.",
    f("ip", 1, "string"),
    f("hostname", 2, "string"),
    f("ports", 4, P + "IngressPortStatus", repeated=True, list_type="atomic"),
)

message(
    P + "IngressPortStatus",
    "The state of one load balancer port.",
    f("port", 1, "int32", required=True),
    f("protocol", 2, "string", required=True, enum=("SCTP", "TCP", "UDP")),
    f("error", 3, "string"),
)

# IngressRule embeds IngressRuleValue inline (Go ``json:",inline"``): on the protobuf wire
# it is field 2, a nested message; in JSON its "http" sits directly in the rule.  As in
# core_v1.py, an inline field is written with the empty JSON name.
message(
    P + "IngressRule",
    "Routes requests for one host (or all hosts) by path.",
    f("host", 1, "string", "Host name the rule applies to; wildcards such as *.foo.com allowed."),
    f("", 2, P + "IngressRuleValue"),
)

message(
    P + "IngressRuleValue",
    "How requests of a rule are routed; only HTTP is defined.",
    f("http", 1, P + "HTTPIngressRuleValue", "Path-based routing for HTTP requests."),
)

message(
    P + "HTTPIngressRuleValue",
    "A list of paths mapped to backends.",
    f(
        "paths", 1, P + "HTTPIngressPath", "Paths and the backend each one routes to.",
        repeated=True, required=True, list_type="atomic",
    ),
)

message(
    P + "HTTPIngressPath",
    "One path and the backend requests for it are sent to.",
    f(
        "path", 1, "string",
        "The path to match; must begin with '/' unless pathType is ImplementationSpecific.",
    ),
    f("backend", 2, P + "IngressBackend", "Where matching requests go.", required=True),
    f(
        "pathType", 3, "string",
        "How path is matched: Exact, Prefix (by path element) or ImplementationSpecific.",
        required=True, enum=("Exact", "ImplementationSpecific", "Prefix"),
    ),
)

message(
    P + "IngressBackend",
    "Where requests go: a Service port or another resource (exactly one).",
    f(
        "resource", 3, "io.k8s.api.core.v1.TypedLocalObjectReference",
        "Another object in the same namespace, such as a storage bucket.",
    ),
    f("service", 4, P + "IngressServiceBackend", "A Service and one of its ports."),
)

message(
    P + "IngressServiceBackend",
    "A Service and one of its ports, as an Ingress backend.",
    f("name", 1, "string", "Name of the Service.", required=True),
    f("port", 2, P + "ServiceBackendPort", "Port of the Service, by name or number."),
)

message(
    P + "ServiceBackendPort",
    "A Service port, by name or by number (not both).",
    f("name", 1, "string", "Name of the port."),
    f("number", 2, "int32", "Number of the port."),
)

message(
    P + "IngressList",
    "A list of Ingresses.",
    f("metadata", 1, LIST_META),
    f("items", 2, P + "Ingress", repeated=True, required=True),
    gvk=(GROUP, VERSION, "IngressList"),
)

# --- IngressClass -------------------------------------------------------------------------

message(
    P + "IngressClass",
    "A kind of Ingress and the controller that implements it.",
    f("metadata", 1, OBJECT_META, "Standard object metadata."),
    f("spec", 2, P + "IngressClassSpec", "Which controller implements the class."),
    gvk=(GROUP, VERSION, "IngressClass"),
)

message(
    P + "IngressClassSpec",
    "The controller of an IngressClass and its parameters.",
    f(
        "controller", 1, "string",
        "Name of the controller, such as example.com/ingress-controller.",
    ),
    f(
        "parameters", 2, P + "IngressClassParametersReference",
        "An object with extra configuration for the controller.",
    ),
)

message(
    P + "IngressClassParametersReference",
    "Refers to an object holding controller parameters.",
    f("apiGroup", 1, "string"),
    f("kind", 2, "string", required=True),
    f("name", 3, "string", required=True),
    f("scope", 4, "string"),
    f("namespace", 5, "string"),
)

message(
    P + "IngressClassList",
    "A list of IngressClasses.",
    f("metadata", 1, LIST_META),
    f("items", 2, P + "IngressClass", repeated=True, required=True),
    gvk=(GROUP, VERSION, "IngressClassList"),
)
