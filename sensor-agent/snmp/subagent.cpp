// SPDX-License-Identifier: Apache-2.0
// AgentX subagent on net-snmp's agent library. Every net-snmp call happens on thread_: the library
// keeps global state and is not thread-safe. Its log goes through a callback so that only real
// errors reach stderr; connection changes become one line each.
#include "sensor-agent/snmp/subagent.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <sys/select.h>

#include <algorithm>
#include <iostream>
#include <utility>

namespace ironsight::sensor::snmp {
namespace {

constexpr const char* kAppName = "ironsight-sensor";

// IRONSIGHT-SENSOR-MIB::ironsightSensorHealth. enterprises.99999 is a placeholder arc until
// Ironsight has an IANA Private Enterprise Number (see the MIB's header).
const oid kHealthOid[] = {1, 3, 6, 1, 4, 1, 99999, 1, 1, 1};
constexpr std::size_t kHealthOidLength = OID_LENGTH(kHealthOid);
enum Column : oid {
    kPackets = 1,
    kBytes,
    kDrops,
    kPacketsPerSecond,
    kBytesPerSecond,
    kOutboxRecords,
    kOutboxBytes,
    kOutboxOldestAge,
    kLearningMode,
    kLinkState,
    kUptime,
    kVersion,
    kAlertsRaised,
};

void setCounter64(netsnmp_variable_list* vb, std::uint64_t v) {
    counter64 c{};
    c.high = static_cast<u_long>(v >> 32);
    c.low = static_cast<u_long>(v & 0xffffffffULL);
    snmp_set_var_typed_value(vb, ASN_COUNTER64, &c, sizeof(c));
}

/// Gauge32 and TimeTicks: 32 bits; gauges saturate (RFC 2578 §7.1.7), TimeTicks wrap.
void setUnsigned32(netsnmp_variable_list* vb, u_char type, std::uint64_t v) {
    const u_long value = type == ASN_TIMETICKS ? static_cast<u_long>(v & 0xffffffffULL)
                                               : static_cast<u_long>(std::min<std::uint64_t>(v, 0xffffffffULL));
    snmp_set_var_typed_value(vb, type, &value, sizeof(value));
}

void setInteger(netsnmp_variable_list* vb, long v) {
    snmp_set_var_typed_value(vb, ASN_INTEGER, &v, sizeof(v));
}

/// The scalar group's handler: the scalar_group helper has already mapped GETNEXT to the next
/// column and refused SETs; each request asks for ironsightSensorHealth.COLUMN.0.
int handleHealth(netsnmp_mib_handler* handler, netsnmp_handler_registration*,
                 netsnmp_agent_request_info* reqinfo, netsnmp_request_info* requests) {
    if (reqinfo->mode != MODE_GET) return SNMP_ERR_NOERROR;
    const auto* board = static_cast<const HealthBoard*>(handler->myvoid);
    HealthSnapshot h;
    const bool published = board->read(h);
    for (netsnmp_request_info* r = requests; r; r = r->next) {
        if (r->processed) continue;
        netsnmp_variable_list* vb = r->requestvb;
        // COLUMN from the request itself: the helpers adjust reginfo's root on their way.
        if (!published || vb->name_length != kHealthOidLength + 2 ||
            snmp_oid_compare(vb->name, kHealthOidLength, kHealthOid, kHealthOidLength) != 0) {
            netsnmp_set_request_error(reqinfo, r, SNMP_NOSUCHINSTANCE);
            continue;
        }
        switch (vb->name[kHealthOidLength]) {
            case kPackets: setCounter64(vb, h.packets); break;
            case kBytes: setCounter64(vb, h.bytes); break;
            case kDrops: setCounter64(vb, h.drops); break;
            case kPacketsPerSecond: setUnsigned32(vb, ASN_GAUGE, h.packetsPerSecond); break;
            case kBytesPerSecond: setUnsigned32(vb, ASN_GAUGE, h.bytesPerSecond); break;
            case kOutboxRecords: setUnsigned32(vb, ASN_GAUGE, h.outboxRecords); break;
            case kOutboxBytes: setUnsigned32(vb, ASN_GAUGE, h.outboxBytes); break;
            case kOutboxOldestAge: setUnsigned32(vb, ASN_GAUGE, h.outboxOldestAgeSeconds); break;
            case kLearningMode: setInteger(vb, h.learning ? 1 : 2); break;  // TruthValue
            case kLinkState: setInteger(vb, static_cast<long>(h.link)); break;
            case kUptime: setUnsigned32(vb, ASN_TIMETICKS, h.uptimeCentiseconds); break;
            case kVersion:
                snmp_set_var_typed_value(vb, ASN_OCTET_STR, h.version.data(),
                                         std::min<std::size_t>(h.version.size(), 64));
                break;
            case kAlertsRaised: setCounter64(vb, h.alertsRaised); break;
            default: netsnmp_set_request_error(reqinfo, r, SNMP_NOSUCHOBJECT); break;
        }
    }
    return SNMP_ERR_NOERROR;
}

/// net-snmp's log, line by line: connection changes set `registered` and are reported once;
/// errors are passed on; notices and warnings (the retries) stay quiet. The connection state is
/// read from the library's own messages: net-snmp 5.9 has no public API for a subagent's session.
struct LogSink {
    std::atomic<bool>* registered = nullptr;
    std::string socket;
    int pingSeconds = 15;
    std::function<void(const std::string&)> log;
    std::string pending;
    int lastState = -1;  // 1 registered, 0 master unreachable

    void state(int s) {
        if (s == lastState) return;
        lastState = s;
        registered->store(s == 1);
        if (s == 1) {
            log("snmp: registered with the AgentX master at " + socket);
        } else {
            log("snmp: AgentX master at " + socket + " not reachable; retrying every " +
                std::to_string(pingSeconds) + " s");
        }
    }

    void line(int priority, const std::string& text) {
        if (text.find("AgentX subagent connected") != std::string::npos) return state(1);
        if (text.find("Failed to connect to the agentx master") != std::string::npos ||
            text.find("failed to respond to ping") != std::string::npos) {
            return state(0);
        }
        if (priority <= LOG_ERR && !text.empty()) log("snmp: " + text);
    }
};

int onLog(int, int, void* serverArg, void* clientArg) {
    auto* sink = static_cast<LogSink*>(clientArg);
    const auto* message = static_cast<const snmp_log_message*>(serverArg);
    if (!sink || !message || !message->msg) return 0;
    sink->pending += message->msg;
    for (auto nl = sink->pending.find('\n'); nl != std::string::npos; nl = sink->pending.find('\n')) {
        sink->line(message->priority, sink->pending.substr(0, nl));
        sink->pending.erase(0, nl + 1);
    }
    return 0;
}

}  // namespace

Subagent::Subagent(SubagentOptions options, const HealthBoard& board)
    : options_(std::move(options)), board_(board) {
    if (!options_.log) options_.log = [](const std::string& line) { std::cerr << line << "\n"; };
}

Subagent::~Subagent() {
    stop();
}

void Subagent::start() {
    if (thread_.joinable()) return;
    stopping_ = false;
    thread_ = std::thread([this] { run(); });
}

void Subagent::stop() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
}

void Subagent::run() {
    LogSink sink{&registered_, options_.socket, options_.pingSeconds, options_.log, {}, -1};
    // Logging first, so nothing of net-snmp's start-up reaches stderr unfiltered.
    snmp_disable_stderrlog();
    snmp_enable_calllog();
    snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, onLog, &sink);

    netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_ROLE, 1);  // subagent
    netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_X_SOCKET,
                          options_.socket.c_str());
    netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL,
                       options_.pingSeconds);
    // The settings come from sensor.toml alone: no snmp.conf, no persistent state to write (the
    // service's file system is read-only but for the state dir), no SIGALRM in a threaded
    // process.
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_ALARM_DONT_USE_SIG, 1);

    // No MIB modules: the subagent serves numeric OIDs (MIBS="" would do the same, but setenv
    // is not thread-safe). The handler must exist before the config line is remembered.
    register_mib_handlers();
    char noMibs[] = "mibs :";
    netsnmp_config(noMibs);
    init_agent(kAppName);
    netsnmp_handler_registration* reg = netsnmp_create_handler_registration(
        "ironsightSensorHealth", handleHealth, kHealthOid, OID_LENGTH(kHealthOid),
        HANDLER_CAN_RONLY);
    if (reg) {
        reg->handler->myvoid = const_cast<HealthBoard*>(&board_);
        if (netsnmp_register_scalar_group(reg, kPackets, kAlertsRaised) != MIB_REGISTERED_OK) {
            options_.log("snmp: cannot register the sensor health objects");
        }
    }
    init_snmp(kAppName);  // connects to the master (or logs that it cannot: LogSink)

    constexpr long kMaxWaitUs = 200000;  // stop() is seen within this
    while (!stopping_.load()) {
        int fdCount = 0;
        int block = 0;
        fd_set fds;
        FD_ZERO(&fds);
        timeval timeout{0, kMaxWaitUs};
        snmp_select_info(&fdCount, &fds, &timeout, &block);
        if (timeout.tv_sec > 0 || timeout.tv_usec > kMaxWaitUs) timeout = {0, kMaxWaitUs};
        const int ready = ::select(fdCount, &fds, nullptr, nullptr, &timeout);
        if (ready > 0) {
            snmp_read(&fds);
        } else if (ready == 0) {
            snmp_timeout();
        }
        run_alarms();  // the AgentX ping, reconnects
        netsnmp_check_outstanding_agent_requests();
    }
    // Before snmp_shutdown, which frees the client argument of every callback left (ours is
    // on this stack).
    snmp_unregister_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, onLog, &sink, 1);
    snmp_shutdown(kAppName);  // closes the AgentX session: the master drops our OIDs at once
    registered_ = false;
}

}  // namespace ironsight::sensor::snmp
