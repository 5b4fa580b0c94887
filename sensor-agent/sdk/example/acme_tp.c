/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Example Ironsight plugin: the "ACME Telemetry Protocol" (acme_tp), a made-up proprietary
 * protocol on TCP 20547, built out of tree against the installed SDK header only.
 *
 * Wire format (big-endian), one frame:
 *
 *   offset size  field
 *   0      2     magic "AT" (0x41 0x54)
 *   2      1     version, 1
 *   3      1     function: 0x01 read, 0x02 write, 0x03 identify; a response sets bit 0x80
 *   4      2     transaction id
 *   6      2     payload length N (at most 1024)
 *   8      N     payload:
 *                  read request      address (2), count (2)
 *                  write request     address (2), count x value (2)
 *                  identify request  empty
 *                  identify response vendor, model, firmware, station name: each a length
 *                                    byte + that many bytes of text
 *
 * Reports: an operation per request (read_registers / write_registers / identify), the server's
 * vendor, model, firmware and station name from an identify response, a "calibration_write"
 * finding (major) for a write into the calibration block (address 0xF000 and up), and the
 * anomalies "malformed_frame" and "illegal_function".
 */
#include <ironsight/ironsight_plugin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ATP_HEADER 8u
#define ATP_MAX_PAYLOAD 1024u
#define ATP_FN_READ 0x01u
#define ATP_FN_WRITE 0x02u
#define ATP_FN_IDENTIFY 0x03u
#define ATP_FN_RESPONSE 0x80u
#define ATP_CALIBRATION_BASE 0xF000u

static const ironsight_host_api* g_host;

/* Per-flow state: the identity is reported once per flow. */
typedef struct atp_flow {
    int identified;
} atp_flow;

static const uint16_t k_tcp_ports[] = {20547};

static const ironsight_string k_strings[] = {
    {"protocol.title", "en", "ACME Telemetry Protocol"},
    {"protocol.title", "de", "ACME-Telemetrieprotokoll"},
    {"function.read_registers", "en", "Read registers"},
    {"function.read_registers", "de", "Register lesen"},
    {"function.write_registers", "en", "Write registers"},
    {"function.write_registers", "de", "Register schreiben"},
    {"function.identify", "en", "Identify"},
    {"function.identify", "de", "Identifizieren"},
    {"alert.calibration_write.title", "en", "ACME calibration block written on {dst}"},
    {"alert.calibration_write.title", "de", "ACME-Kalibrierblock auf {dst} beschrieben"},
    {"alert.calibration_write.description", "en",
     "{src} wrote {detail} in the calibration block of {dst}. Calibration values change what "
     "the instrument measures; they are set at commissioning, not in operation."},
    {"alert.calibration_write.description", "de",
     "{src} hat {detail} im Kalibrierblock von {dst} geschrieben. Kalibrierwerte werden bei "
     "der Inbetriebnahme gesetzt, nicht im Betrieb."},
    {"alert.calibration_write.remediation", "en",
     "Confirm the change with the instrument owner; if nobody planned it, isolate {src} and "
     "restore the calibration from the commissioning record."},
    {"alert.calibration_write.remediation", "de",
     "Die Änderung mit dem Verantwortlichen klären; war sie nicht geplant, {src} isolieren und "
     "die Kalibrierung aus dem Inbetriebnahmeprotokoll wiederherstellen."},
};

static uint16_t be16(const uint8_t* p) {
    return (uint16_t)((p[0] << 8) | p[1]);
}

static void report_op(const ironsight_flow* flow, const char* function, int32_t code,
                      uint32_t op_class, const char* range) {
    ironsight_operation op;
    memset(&op, 0, sizeof op);
    op.struct_size = sizeof op;
    op.op_class = op_class;
    op.flags = IRONSIGHT_OP_FLAG_REQUEST;
    op.function_code = code;
    op.function = function;
    op.range = range;
    g_host->report_operation(flow, &op);
}

/* Reads one length-prefixed string into out (NUL-terminated); 0 when it does not fit. */
static int take_string(const uint8_t* p, uint32_t size, uint32_t* off, char* out, size_t cap) {
    if (*off >= size) return 0;
    const uint32_t len = p[*off];
    if (*off + 1u + len > size || len >= cap) return 0;
    memcpy(out, p + *off + 1u, len);
    out[len] = '\0';
    *off += 1u + len;
    return 1;
}

static void on_identify_response(const ironsight_flow* flow, const uint8_t* p, uint32_t size) {
    atp_flow* state = (atp_flow*)*flow->flow_state;
    if (state == NULL) {
        state = (atp_flow*)calloc(1, sizeof *state);
        if (state == NULL) return;
        *flow->flow_state = state;
    }
    if (state->identified) return;
    char vendor[64], model[64], firmware[64], name[64];
    uint32_t off = 0;
    if (!take_string(p, size, &off, vendor, sizeof vendor) ||
        !take_string(p, size, &off, model, sizeof model) ||
        !take_string(p, size, &off, firmware, sizeof firmware) ||
        !take_string(p, size, &off, name, sizeof name)) {
        g_host->report_anomaly(flow, "malformed_frame");
        return;
    }
    const ironsight_attribute attributes[] = {{"station_name", name}};
    ironsight_device device;
    memset(&device, 0, sizeof device);
    device.struct_size = sizeof device;
    device.side = IRONSIGHT_SIDE_SERVER;
    device.vendor = vendor;
    device.model = model;
    device.firmware = firmware;
    device.name = name;
    device.type = "rtu";
    device.type_evidence = "acme_tp identify reply → rtu";
    device.attributes = attributes;
    device.attribute_count = 1;
    g_host->report_device(flow, &device);
    state->identified = 1;
}

static void on_frame(const ironsight_flow* flow, uint8_t function, const uint8_t* p,
                     uint32_t size) {
    char range[48];
    if (function == (ATP_FN_IDENTIFY | ATP_FN_RESPONSE)) {
        on_identify_response(flow, p, size);
        return;
    }
    if (function & ATP_FN_RESPONSE) return; /* read/write acknowledgements carry nothing new */
    switch (function) {
        case ATP_FN_READ:
            if (size < 4) break;
            snprintf(range, sizeof range, "registers %u-%u", (unsigned)be16(p),
                     (unsigned)be16(p) + (unsigned)be16(p + 2) - 1u);
            report_op(flow, "read_registers", ATP_FN_READ, IRONSIGHT_OP_READ, range);
            return;
        case ATP_FN_WRITE: {
            if (size < 4 || size % 2 != 0) break;
            const unsigned address = be16(p), count = (size - 2u) / 2u;
            snprintf(range, sizeof range, "registers %u-%u", address, address + count - 1u);
            report_op(flow, "write_registers", ATP_FN_WRITE, IRONSIGHT_OP_WRITE, range);
            if (address + count > ATP_CALIBRATION_BASE) {
                ironsight_finding finding;
                memset(&finding, 0, sizeof finding);
                finding.struct_size = sizeof finding;
                finding.severity = IRONSIGHT_SEVERITY_MAJOR;
                finding.type = "calibration_write";
                finding.function = "write_registers";
                finding.detail = range;
                finding.mitre = "T0836"; /* Modify Parameter */
                g_host->report_finding(flow, &finding);
            }
            return;
        }
        case ATP_FN_IDENTIFY:
            report_op(flow, "identify", ATP_FN_IDENTIFY, IRONSIGHT_OP_DIAGNOSTIC, NULL);
            return;
        default:
            g_host->report_anomaly(flow, "illegal_function");
            return;
    }
    g_host->report_anomaly(flow, "malformed_frame");
}

static int header_ok(const uint8_t* p) {
    return p[0] == 'A' && p[1] == 'T' && p[2] == 1;
}

static void atp_parse(const ironsight_flow* flow, const uint8_t* data, uint32_t size,
                      ironsight_parse_result* result) {
    uint32_t off = 0;
    while (size - off >= ATP_HEADER) {
        const uint8_t* frame = data + off;
        const uint32_t len = be16(frame + 6);
        if (!header_ok(frame) || len > ATP_MAX_PAYLOAD) {
            g_host->report_anomaly(flow, "malformed_frame");
            result->status = IRONSIGHT_PARSE_ERROR;
            result->consumed = size;
            return;
        }
        if (size - off < ATP_HEADER + len) {
            result->status = IRONSIGHT_PARSE_INCOMPLETE;
            result->consumed = off;
            result->needed = ATP_HEADER + len;
            return;
        }
        on_frame(flow, frame[3], frame + ATP_HEADER, len);
        off += ATP_HEADER + len;
    }
    result->status = off == size ? IRONSIGHT_PARSE_OK : IRONSIGHT_PARSE_INCOMPLETE;
    result->consumed = off;
    result->needed = off == size ? 0 : ATP_HEADER;
}

static uint32_t atp_probe(const ironsight_flow* flow, const uint8_t* data, uint32_t size) {
    (void)flow;
    if (size < 4) return IRONSIGHT_PROBE_NEED_MORE;
    if (!header_ok(data)) return IRONSIGHT_PROBE_NO_MATCH;
    const uint8_t fn = data[3] & (uint8_t)~ATP_FN_RESPONSE;
    return fn >= ATP_FN_READ && fn <= ATP_FN_IDENTIFY ? IRONSIGHT_PROBE_MATCH
                                                      : IRONSIGHT_PROBE_NO_MATCH;
}

static void atp_free(void* state) {
    free(state);
}

IRONSIGHT_PLUGIN_DEFINE_ABI_VERSION()

IRONSIGHT_PLUGIN_EXPORT int32_t ironsight_plugin_init(uint32_t host_abi_version,
                                                      const ironsight_host_api* host,
                                                      ironsight_plugin_info* out) {
    if (host_abi_version != IRONSIGHT_PLUGIN_ABI_VERSION) return 1;
    g_host = host;
    out->name = "acme_tp";
    out->version = "1.0.0";
    out->description = "ACME Telemetry Protocol (example plugin)";
    out->tcp_ports = k_tcp_ports;
    out->tcp_port_count = 1;
    out->probe = atp_probe;
    out->parse = atp_parse;
    out->free_flow_state = atp_free;
    out->strings = k_strings;
    out->string_count = sizeof k_strings / sizeof k_strings[0];
    return 0;
}
