/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ironsight_plugin.h - the Ironsight sensor's dissector plugin ABI (SPEC §3.3, docs/PLUGINS.md).
 *
 * A plugin is a shared library (*.so) that the sensor loads at start from its plugin folder
 * (`ironsight-sensor analyze --plugins DIR`, `run --plugins DIR` or `[plugins] dir` in the
 * config file). It dissects one application protocol the sensor does not know: it declares TCP
 * and/or UDP ports and/or a heuristic, receives each flow's payload in order with its flow
 * context, and reports device attributes, operations, findings (which become alerts) and
 * anomalies through the host's callbacks. Its display strings ship as a key -> text table with
 * optional per-language entries, so the console can show them translated.
 *
 * This is a pure C header (C99 or later, or C++): fixed-width integers, no C++ types, no enums
 * in structs. Every struct the two sides exchange starts with `struct_size` so it can grow by
 * appending fields without breaking older plugins or hosts (see IRONSIGHT_HAS_FIELD).
 *
 * A plugin exports exactly two symbols (declare them with IRONSIGHT_PLUGIN_EXPORT):
 *
 *     uint32_t ironsight_plugin_abi_version(void);     return IRONSIGHT_PLUGIN_ABI_VERSION
 *     int32_t  ironsight_plugin_init(uint32_t host_abi_version,
 *                                    const ironsight_host_api* host,
 *                                    ironsight_plugin_info* out);   fill *out, return 0
 *
 * The sensor first calls ironsight_plugin_abi_version(); a plugin whose version differs from the
 * sensor's is refused without running any more of its code. Then ironsight_plugin_init() fills
 * `out` (which the host zeroed and whose struct_size the host set).
 *
 * TRUST: a plugin runs inside the sensor process with the sensor's privileges. A crash, hang
 * or memory error in a plugin takes the sensor down with it; only load plugins you trust as
 * much as the sensor itself.
 */
#ifndef IRONSIGHT_PLUGIN_H
#define IRONSIGHT_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI version this header describes. Bumped only for incompatible changes (a field removed,
 * moved or given a new meaning); compatible growth (fields appended to a struct, callbacks
 * appended to ironsight_host_api) keeps the version and is detected through struct_size. */
#define IRONSIGHT_PLUGIN_ABI_VERSION 1u

/* Names of the two symbols the sensor looks up. */
#define IRONSIGHT_PLUGIN_ABI_SYMBOL "ironsight_plugin_abi_version"
#define IRONSIGHT_PLUGIN_INIT_SYMBOL "ironsight_plugin_init"

#if defined(__GNUC__) || defined(__clang__)
#define IRONSIGHT_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define IRONSIGHT_PLUGIN_EXPORT
#endif

/* True when the struct at `ptr` (whose first field is struct_size) is large enough to hold
 * `field`: use it before reading or writing a field added after the first ABI release. */
#define IRONSIGHT_HAS_FIELD(type, ptr, field) \
    ((ptr)->struct_size >= offsetof(type, field) + sizeof(((type*)0)->field))

/* ---- Constants ------------------------------------------------------------------------- */

/* ironsight_flow.transport */
#define IRONSIGHT_TRANSPORT_TCP 1u
#define IRONSIGHT_TRANSPORT_UDP 2u

/* ironsight_flow.direction: who sent the bytes. The server is the side on the plugin's port
 * (or, for a heuristic match, the side that accepted the TCP connection / the lower port). */
#define IRONSIGHT_DIR_TO_SERVER 1u /* sent by the client */
#define IRONSIGHT_DIR_TO_CLIENT 2u /* sent by the server */

/* ironsight_device.side: which end of the flow the attributes describe. */
#define IRONSIGHT_SIDE_SERVER 1u
#define IRONSIGHT_SIDE_CLIENT 2u

/* ironsight_operation.op_class (SPEC §3.3) */
#define IRONSIGHT_OP_OTHER 0u
#define IRONSIGHT_OP_READ 1u
#define IRONSIGHT_OP_WRITE 2u
#define IRONSIGHT_OP_PROGRAM 3u    /* program / configuration upload or download */
#define IRONSIGHT_OP_CONTROL 4u    /* start, stop, restart, mode change */
#define IRONSIGHT_OP_DIAGNOSTIC 5u /* identify, status, self test */
#define IRONSIGHT_OP_FIRMWARE 6u

/* ironsight_operation.flags */
#define IRONSIGHT_OP_FLAG_REQUEST 0x1u   /* a request (else a response whose request was unseen) */
#define IRONSIGHT_OP_FLAG_EXCEPTION 0x2u /* an error / exception response */

/* ironsight_finding.severity (the alert severities of SPEC §3.5) */
#define IRONSIGHT_SEVERITY_WARNING 1u
#define IRONSIGHT_SEVERITY_MINOR 2u
#define IRONSIGHT_SEVERITY_MAJOR 3u
#define IRONSIGHT_SEVERITY_CRITICAL 4u

/* ironsight_parse_result.status: the tri-state parse answer. */
#define IRONSIGHT_PARSE_OK 0u         /* `consumed` bytes used; the rest is offered again later */
#define IRONSIGHT_PARSE_INCOMPLETE 1u /* used `consumed`, call again with `needed` bytes or more */
#define IRONSIGHT_PARSE_ERROR 2u      /* unparseable: the host drops what it buffered */

/* Heuristic answers */
#define IRONSIGHT_PROBE_NO_MATCH 0u
#define IRONSIGHT_PROBE_MATCH 1u
#define IRONSIGHT_PROBE_NEED_MORE 2u /* too few bytes to tell: asked again with the next packet */

/* ironsight_host_api.log levels */
#define IRONSIGHT_LOG_ERROR 1u
#define IRONSIGHT_LOG_WARNING 2u
#define IRONSIGHT_LOG_INFO 3u

/* ---- Data the host hands to the plugin --------------------------------------------------- */

/* One flow as the plugin sees it during a callback. Valid only during that callback: copy what
 * you need. Strings are NUL-terminated UTF-8. */
typedef struct ironsight_flow {
    uint32_t struct_size;
    uint32_t transport;   /* IRONSIGHT_TRANSPORT_* */
    uint32_t direction;   /* IRONSIGHT_DIR_* of the bytes in this call (0 in probe calls) */
    uint16_t client_port; /* host byte order */
    uint16_t server_port;
    const char* client_ip; /* "10.0.0.5" or an IPv6 text */
    const char* server_ip;
    int64_t timestamp_us; /* capture time of the packet that completed these bytes, UTC */
    /* The plugin's per-flow state: NULL at the first call of a flow; whatever the plugin stores
     * here is handed back on every later call of the same flow and passed to
     * ironsight_plugin_info.free_flow_state when the flow ends (FIN/RST, idle expiry, end of
     * capture or sensor shutdown). Shared by both directions of the flow. */
    void** flow_state;
    void* host_context; /* opaque: identifies the flow to the host's report_* callbacks */
} ironsight_flow;

/* ---- Data the plugin reports ------------------------------------------------------------- */

/* A free-form string attribute, kept under the plugin's name in the device's "identity". */
typedef struct ironsight_attribute {
    const char* key;   /* lower_snake_case, e.g. "serial_number" */
    const char* value; /* UTF-8 */
} ironsight_attribute;

/* What a protocol revealed about one end of the flow. NULL or "" fields are left unchanged. */
typedef struct ironsight_device {
    uint32_t struct_size;
    uint32_t side;        /* IRONSIGHT_SIDE_* */
    const char* vendor;   /* the device's normalised vendor, model and firmware fields */
    const char* model;
    const char* firmware;
    const char* name;     /* a name the device announces (used when no better one is known) */
    const char* type;     /* a declared device type: "plc", "rtu", "hmi", "engineering_workstation",
                             "historian", "scada_server", "switch", "router", ... */
    const char* type_evidence; /* why, shown with the device, e.g. "acme_tp identify: RTU" */
    const ironsight_attribute* attributes; /* more keys for identity.<plugin>, may be NULL */
    uint32_t attribute_count;
} ironsight_device;

/* One protocol operation (SPEC §6 "operations"). */
typedef struct ironsight_operation {
    uint32_t struct_size;
    uint32_t op_class;     /* IRONSIGHT_OP_* */
    uint32_t flags;        /* IRONSIGHT_OP_FLAG_* */
    int32_t function_code; /* the protocol's code for the function, or -1 */
    const char* function;  /* machine name, lower_snake_case, e.g. "write_registers" */
    const char* range;     /* addressed range, e.g. "registers 16-19"; may be NULL */
} ironsight_operation;

/* A finding: the sensor raises it as an alert of type "<plugin name>.<type>" (engine
 * "protocol"), aggregated per type and device pair like every other alert. The alert's title,
 * description and remediation are the plugin's strings "alert.<type>.title",
 * "alert.<type>.description" and "alert.<type>.remediation" (English; see ironsight_string),
 * with the placeholders {src}, {dst}, {src_ip}, {dst_ip}, {protocol}, {function} and {detail}
 * filled in. Raised in learning mode too. */
typedef struct ironsight_finding {
    uint32_t struct_size;
    uint32_t severity;    /* IRONSIGHT_SEVERITY_* */
    const char* type;     /* plugin-defined alert type id, [a-z0-9_], e.g. "calibration_write" */
    const char* function; /* the operation that triggered it, may be NULL */
    const char* detail;   /* free text for {detail}, may be NULL */
    const char* mitre;    /* ATT&CK for ICS technique id, e.g. "T0836", may be NULL */
} ironsight_finding;

/* One display string. Keys are the plugin's own; the host uses these:
 *   "protocol.title"            the protocol's display name
 *   "alert.<type>.title"        "alert.<type>.description"  "alert.<type>.remediation"
 *   "function.<function>"       an operation's display name
 * `lang` is "en" for the source text (required for every key) or a language code such as
 * "de" or "ja" for a translation. Shown untranslated where no entry exists. */
typedef struct ironsight_string {
    const char* key;
    const char* lang;
    const char* text;
} ironsight_string;

/* What the parse callback answers through its result argument. */
typedef struct ironsight_parse_result {
    uint32_t status;   /* IRONSIGHT_PARSE_* */
    uint32_t consumed; /* bytes used from the start of `data` */
    uint32_t needed;   /* INCOMPLETE: total bytes wanted from the first unconsumed byte */
} ironsight_parse_result;

/* ---- Host callbacks ---------------------------------------------------------------------- */

typedef struct ironsight_host_api ironsight_host_api;

/* The sensor's services. Valid from ironsight_plugin_init() until the plugin is unloaded (after
 * its shutdown callback); keep the pointer. The report_* callbacks may be called only during
 * the parse callback, for the flow it is given (in on_gap and probe they are ignored); they copy
 * everything they are passed. */
struct ironsight_host_api {
    uint32_t struct_size;
    uint32_t abi_version; /* IRONSIGHT_PLUGIN_ABI_VERSION of the host */
    const char* sensor_version;
    /* One line on the sensor's log (stderr), prefixed with the plugin's name. */
    void (*log)(const ironsight_host_api* self, uint32_t level, const char* message);
    void (*report_device)(const ironsight_flow* flow, const ironsight_device* device);
    void (*report_operation)(const ironsight_flow* flow, const ironsight_operation* operation);
    void (*report_finding)(const ironsight_flow* flow, const ironsight_finding* finding);
    /* A counted protocol anomaly with a stable id, e.g. "malformed_frame". Ids containing
     * "malformed", and "illegal_function", also raise the sensor's malformed_pdu alert. */
    void (*report_anomaly)(const ironsight_flow* flow, const char* anomaly_id);
    void* host_private; /* the host's own; do not touch */
};

/* ---- What the plugin declares ------------------------------------------------------------ */

/* Heuristic: does this payload (the first packets of a flow on a port no dissector owns) belong
 * to the protocol? Must be cheap and must not keep `data`. `flow->flow_state` is NULL here. */
typedef uint32_t (*ironsight_probe_fn)(const ironsight_flow* flow, const uint8_t* data,
                                       uint32_t size);

/* In-order payload of one direction. `data` holds what the plugin left unconsumed last time
 * followed by the new bytes (the host keeps at most 64 KiB unconsumed per direction). */
typedef void (*ironsight_parse_fn)(const ironsight_flow* flow, const uint8_t* data, uint32_t size,
                                   ironsight_parse_result* result);

/* Bytes were lost in flow->direction: drop partial state for it and re-synchronise. */
typedef void (*ironsight_gap_fn)(const ironsight_flow* flow);

typedef void (*ironsight_free_fn)(void* flow_state);
typedef void (*ironsight_shutdown_fn)(void);

/* Filled by ironsight_plugin_init(). Every pointer must stay valid until shutdown (point at
 * static data). The host zeroes the struct and sets struct_size before the call. */
typedef struct ironsight_plugin_info {
    uint32_t struct_size;
    uint32_t reserved;
    const char* name;        /* protocol name: 1-32 chars of [a-z0-9_], unique in the sensor */
    const char* version;     /* the plugin's own version, e.g. "1.0.0" */
    const char* description; /* one line, English */
    const uint16_t* tcp_ports; /* server ports, host byte order; may be NULL */
    uint32_t tcp_port_count;
    uint32_t udp_port_count;
    const uint16_t* udp_ports;
    ironsight_probe_fn probe;           /* optional heuristic (TCP and UDP flows) */
    ironsight_parse_fn parse;           /* required */
    ironsight_gap_fn on_gap;            /* optional */
    ironsight_free_fn free_flow_state;  /* required when the plugin stores flow state */
    ironsight_shutdown_fn shutdown;     /* optional: called once before the library is unloaded */
    const ironsight_string* strings;    /* display strings, may be NULL */
    uint32_t string_count;
    uint32_t reserved2;
} ironsight_plugin_info;

/* The two exported entry points (see the top of this file). */
typedef uint32_t (*ironsight_plugin_abi_version_fn)(void);
typedef int32_t (*ironsight_plugin_init_fn)(uint32_t host_abi_version,
                                           const ironsight_host_api* host,
                                           ironsight_plugin_info* out);

/* Defines ironsight_plugin_abi_version() returning the version of the header the plugin was
 * compiled against. Use it once in one source file of the plugin. */
#define IRONSIGHT_PLUGIN_DEFINE_ABI_VERSION()                                         \
    IRONSIGHT_PLUGIN_EXPORT uint32_t ironsight_plugin_abi_version(void) {             \
        return IRONSIGHT_PLUGIN_ABI_VERSION;                                          \
    }

IRONSIGHT_PLUGIN_EXPORT uint32_t ironsight_plugin_abi_version(void);
IRONSIGHT_PLUGIN_EXPORT int32_t ironsight_plugin_init(uint32_t host_abi_version,
                                                      const ironsight_host_api* host,
                                                      ironsight_plugin_info* out);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* IRONSIGHT_PLUGIN_H */
