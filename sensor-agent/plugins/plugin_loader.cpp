// SPDX-License-Identifier: Apache-2.0
// Plugin loading and the adapter between the C ABI (sensor-agent/sdk/ironsight_plugin.h) and the
// Dissector / EventSink interfaces.
#include "sensor-agent/plugins/plugin_loader.h"

#include <algorithm>
#include <cstring>
#include <iostream>
#include <set>
#include <string_view>
#include <system_error>
#include <utility>

#include "sensor-agent/dissect/core/text.h"
#include "sensor-agent/plugins/shared_library.h"
#include "sensor-agent/sdk/ironsight_plugin.h"
#include "shared/base/version.h"

namespace ironsight::sensor::plugins {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxText = 256;    // a plugin's string as stored (bytes)
constexpr std::uint32_t kMaxPorts = 64;  // per transport
constexpr std::uint32_t kMaxStrings = 4096;

/// A plugin's C string as display text: NULL -> "", bounded, valid UTF-8 without controls.
std::string clean(const char* text, std::size_t max = kMaxText) {
    if (!text) return {};
    const std::size_t n = ::strnlen(text, max);
    return dissect::safeText({reinterpret_cast<const std::uint8_t*>(text), n});
}

/// [a-z0-9_], 1..max characters: protocol names, alert type ids, anomaly ids.
bool isIdentifier(std::string_view s, std::size_t max) {
    if (s.empty() || s.size() > max) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

const char* className(std::uint32_t opClass) {
    switch (opClass) {
        case IRONSIGHT_OP_READ:
            return "read";
        case IRONSIGHT_OP_WRITE:
            return "write";
        case IRONSIGHT_OP_PROGRAM:
            return "program";
        case IRONSIGHT_OP_CONTROL:
            return "control";
        case IRONSIGHT_OP_DIAGNOSTIC:
            return "diagnostic";
        case IRONSIGHT_OP_FIRMWARE:
            return "firmware";
        default:
            return "other";
    }
}

/// The plugin's struct is at least as large as this host's version of it (all fields present).
template <class T>
bool complete(const T* p) {
    return p && p->struct_size >= sizeof(T);
}

}  // namespace

struct LoadedPlugin : std::enable_shared_from_this<LoadedPlugin> {
    LoadedPlugin(SharedLibrary lib, std::string fileName)
        : library(std::move(lib)), file(std::move(fileName)) {}
    ~LoadedPlugin() {
        // Flow states are freed by their dissectors, which keep this object alive; the library
        // is closed after this body (it is the first member, so destroyed last).
        if (initialized && info.shutdown) info.shutdown();
    }
    LoadedPlugin(const LoadedPlugin&) = delete;
    LoadedPlugin& operator=(const LoadedPlugin&) = delete;

    /// The English text of a display string key, or "".
    std::string text(const std::string& key) const {
        auto it = summary.strings.find(key);
        if (it == summary.strings.end()) return {};
        auto en = it->second.find("en");
        return en == it->second.end() ? std::string() : en->second;
    }

    SharedLibrary library;
    std::string file;  // file name, for messages
    ironsight_host_api host{};
    ironsight_plugin_info info{};
    bool initialized = false;
    PluginSummary summary;
    dissect::DissectorInfo tcpInfo, udpInfo;  // descriptors (ports may be empty)
};

namespace {

/// What a report_* callback needs: set for the duration of one parse call.
struct CallContext {
    const LoadedPlugin* plugin = nullptr;
    const dissect::FlowContext* flow = nullptr;
    dissect::EventSink* sink = nullptr;
};

const CallContext* callOf(const ironsight_flow* flow) {
    if (!flow || flow->struct_size < sizeof(ironsight_flow)) return nullptr;
    const auto* call = static_cast<const CallContext*>(flow->host_context);
    return call && call->sink && call->flow ? call : nullptr;
}

ironsight_flow makeFlow(const dissect::FlowContext& ctx, std::uint32_t direction, void** state,
                        CallContext* call) {
    ironsight_flow f{};
    f.struct_size = sizeof f;
    f.transport = ctx.transport == dissect::Transport::Udp ? IRONSIGHT_TRANSPORT_UDP
                                                           : IRONSIGHT_TRANSPORT_TCP;
    f.direction = direction;
    f.client_port = ctx.clientPort;
    f.server_port = ctx.serverPort;
    f.client_ip = ctx.clientIp.c_str();
    f.server_ip = ctx.serverIp.c_str();
    f.timestamp_us = ctx.timestampUs;
    f.flow_state = state;
    f.host_context = call;
    return f;
}

// ---- Host callbacks (C linkage not needed: only their addresses cross the ABI) ----

void hostLog(const ironsight_host_api* self, std::uint32_t level, const char* message) {
    const auto* plugin = self ? static_cast<const LoadedPlugin*>(self->host_private) : nullptr;
    const char* prefix = level == IRONSIGHT_LOG_ERROR     ? "error: "
                         : level == IRONSIGHT_LOG_WARNING ? "warning: "
                                                          : "";
    // During init the name is not known yet: the file name stands in.
    const std::string who = !plugin                        ? std::string("?")
                            : plugin->summary.name.empty() ? plugin->file
                                                           : plugin->summary.name;
    std::cerr << "plugin " << who << ": " << prefix << clean(message, 1024) << "\n";
}

void hostReportDevice(const ironsight_flow* flow, const ironsight_device* device) {
    const CallContext* call = callOf(flow);
    if (!call || !complete(device)) return;
    if (device->side != IRONSIGHT_SIDE_SERVER && device->side != IRONSIGHT_SIDE_CLIENT) return;
    dissect::Identity id;
    id.protocol = call->plugin->summary.name;
    id.ofServer = device->side == IRONSIGHT_SIDE_SERVER;
    id.vendor = clean(device->vendor);
    id.model = clean(device->model);
    id.firmware = clean(device->firmware);
    id.hostname = clean(device->name);
    const std::string type = clean(device->type, 64);
    if (isIdentifier(type, 64)) {
        id.deviceType = type;
        id.typeEvidence = clean(device->type_evidence);
        if (id.typeEvidence.empty()) id.typeEvidence = id.protocol + " declares " + type;
    }
    // identity.<plugin>: the normalised fields plus the plugin's own attributes.
    if (!id.vendor.empty()) id.strings["vendor"] = id.vendor;
    if (!id.model.empty()) id.strings["model"] = id.model;
    if (!id.firmware.empty()) id.strings["firmware"] = id.firmware;
    if (device->attributes) {
        const std::uint32_t n = std::min<std::uint32_t>(device->attribute_count, 64);
        for (std::uint32_t i = 0; i < n; ++i) {
            const std::string key = clean(device->attributes[i].key, 64);
            if (isIdentifier(key, 64)) id.strings[key] = clean(device->attributes[i].value);
        }
    }
    call->sink->onIdentity(*call->flow, id);
}

void hostReportOperation(const ironsight_flow* flow, const ironsight_operation* operation) {
    const CallContext* call = callOf(flow);
    if (!call || !complete(operation)) return;
    dissect::Operation op;
    op.protocol = call->plugin->summary.name;
    op.function = clean(operation->function, 64);
    op.functionCode = operation->function_code < 0 ? -1 : operation->function_code;
    if (!isIdentifier(op.function, 64)) {
        op.function =
            op.functionCode < 0 ? "unknown" : "function_" + std::to_string(op.functionCode);
    }
    op.opClass = className(operation->op_class);
    op.request = (operation->flags & IRONSIGHT_OP_FLAG_REQUEST) != 0;
    op.exception = (operation->flags & IRONSIGHT_OP_FLAG_EXCEPTION) != 0;
    op.range = clean(operation->range, 64);
    call->sink->onOperation(*call->flow, op);
}

void hostReportFinding(const ironsight_flow* flow, const ironsight_finding* finding) {
    const CallContext* call = callOf(flow);
    if (!call || !complete(finding)) return;
    const std::string id = clean(finding->type, 64);
    if (!isIdentifier(id, 64)) return;
    const LoadedPlugin& plugin = *call->plugin;
    dissect::Finding f;
    f.protocol = plugin.summary.name;
    f.type = f.protocol + "." + id;
    f.severity = static_cast<int>(std::clamp<std::uint32_t>(finding->severity, 1, 4));
    f.title = plugin.text("alert." + id + ".title");
    if (f.title.empty()) f.title = f.type;
    f.description = plugin.text("alert." + id + ".description");
    f.remediation = plugin.text("alert." + id + ".remediation");
    f.function = clean(finding->function, 64);
    f.detail = clean(finding->detail);
    f.mitre = clean(finding->mitre, 16);
    call->sink->onFinding(*call->flow, f);
}

void hostReportAnomaly(const ironsight_flow* flow, const char* anomalyId) {
    const CallContext* call = callOf(flow);
    if (!call) return;
    const std::string id = clean(anomalyId, 64);
    if (!isIdentifier(id, 64)) return;
    call->sink->onAnomaly(*call->flow, call->plugin->summary.name, id);
}

/// A plugin seen through the Dissector interface: one per flow, owning the flow's state.
class PluginDissector final : public dissect::Dissector {
public:
    explicit PluginDissector(std::shared_ptr<const LoadedPlugin> plugin)
        : plugin_(std::move(plugin)) {}
    ~PluginDissector() override {
        if (state_ && plugin_->info.free_flow_state) plugin_->info.free_flow_state(state_);
    }
    PluginDissector(const PluginDissector&) = delete;
    PluginDissector& operator=(const PluginDissector&) = delete;

    dissect::ParseResult onData(const dissect::FlowContext& flow, dissect::Direction dir,
                                std::span<const std::uint8_t> data,
                                dissect::EventSink& sink) noexcept override {
        if (data.size() > UINT32_MAX) return dissect::ParseResult::error(data.size());
        CallContext call{plugin_.get(), &flow, &sink};
        const ironsight_flow f = makeFlow(flow, direction(dir), &state_, &call);
        ironsight_parse_result r{};
        r.status = IRONSIGHT_PARSE_OK;
        plugin_->info.parse(&f, data.data(), static_cast<std::uint32_t>(data.size()), &r);
        const std::size_t consumed = std::min<std::size_t>(r.consumed, data.size());
        switch (r.status) {
            case IRONSIGHT_PARSE_OK:
                return dissect::ParseResult::ok(consumed);
            case IRONSIGHT_PARSE_INCOMPLETE:
                return dissect::ParseResult::incomplete(consumed, r.needed);
            default:
                return dissect::ParseResult::error(data.size());
        }
    }

    void onGap(dissect::Direction dir) noexcept override {
        if (!plugin_->info.on_gap) return;
        // No flow addresses here, and reports are ignored: only direction and state matter.
        static const dissect::FlowContext kNoFlow{};
        const ironsight_flow f = makeFlow(kNoFlow, direction(dir), &state_, nullptr);
        plugin_->info.on_gap(&f);
    }

private:
    static std::uint32_t direction(dissect::Direction dir) {
        return dir == dissect::Direction::ToServer ? IRONSIGHT_DIR_TO_SERVER
                                                   : IRONSIGHT_DIR_TO_CLIENT;
    }

    std::shared_ptr<const LoadedPlugin> plugin_;
    void* state_ = nullptr;
};

std::string portList(const char* transport, const std::vector<std::uint16_t>& ports) {
    std::string out;
    for (auto p : ports)
        out += (out.empty() ? std::string(transport) + " " : ",") + std::to_string(p);
    return out;
}

/// Copies and checks what init declared. An error is the reason the plugin is refused.
Status adopt(LoadedPlugin& p) {
    const ironsight_plugin_info& info = p.info;
    PluginSummary& s = p.summary;
    s.file = p.file;
    s.name = clean(info.name, 64);
    if (!isIdentifier(s.name, 32)) {
        return makeError("protocol name '" + s.name + "' is not 1-32 characters of [a-z0-9_]");
    }
    if (!info.parse) return makeError("no parse callback");
    s.version = clean(info.version, 64);
    s.description = clean(info.description);
    const auto ports = [](const std::uint16_t* list, std::uint32_t n,
                          std::vector<std::uint16_t>& out) -> Status {
        if (n > kMaxPorts) return makeError("more than 64 ports");
        if (n > 0 && !list) return makeError("port count without a port list");
        for (std::uint32_t i = 0; i < n; ++i) {
            if (list[i] == 0) return makeError("port 0");
            if (std::find(out.begin(), out.end(), list[i]) == out.end()) out.push_back(list[i]);
        }
        return {};
    };
    if (auto st = ports(info.tcp_ports, info.tcp_port_count, s.tcpPorts); !st) return st;
    if (auto st = ports(info.udp_ports, info.udp_port_count, s.udpPorts); !st) return st;
    s.heuristic = info.probe != nullptr;
    if (s.tcpPorts.empty() && s.udpPorts.empty() && !s.heuristic) {
        return makeError("declares no port and no heuristic");
    }
    if (info.string_count > 0 && !info.strings) return makeError("string count without strings");
    if (info.string_count > kMaxStrings) return makeError("more than 4096 display strings");
    for (std::uint32_t i = 0; i < info.string_count; ++i) {
        const std::string key = clean(info.strings[i].key, 128);
        const std::string lang = clean(info.strings[i].lang, 16);
        if (key.empty() || lang.empty()) continue;
        s.strings[key][lang] = clean(info.strings[i].text, 4096);
    }
    return {};
}

}  // namespace

std::uint32_t supportedAbiVersion() {
    return IRONSIGHT_PLUGIN_ABI_VERSION;
}

PluginSet::~PluginSet() = default;

Result<std::shared_ptr<const PluginSet>> PluginSet::load(const fs::path& dir, std::ostream& log) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        return makeError("plugin folder " + dir.string() + " does not exist or is not a folder");
    }
    std::vector<fs::path> files;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        if (it->path().extension() == ".so" && it->is_regular_file(ec)) files.push_back(it->path());
    }
    if (ec) return makeError("cannot read plugin folder " + dir.string() + ": " + ec.message());
    std::sort(files.begin(), files.end());

    // Names and ports already taken: the built-in dissectors', then earlier plugins'.
    dissect::DissectorRegistry builtins;
    (void)dissect::registerAllDissectors(builtins);
    std::set<std::string> names;
    std::map<std::pair<dissect::Transport, std::uint16_t>, std::string> ports;
    for (const auto& info : builtins.all()) {
        names.insert(info.name);
        for (auto port : info.defaultPorts) ports[{info.transport, port}] = info.name;
    }
    for (const auto& info : builtins.frameDissectors()) names.insert(info.name);

    std::shared_ptr<PluginSet> set(new PluginSet());
    for (const auto& path : files) {
        const std::string file = path.filename().string();
        const auto skip = [&](const std::string& why) {
            log << "plugin " << file << ": " << why << "; skipped\n";
        };
        auto library = SharedLibrary::open(path);
        if (!library) {
            skip("cannot load: " + library.error().message);
            continue;
        }
        const auto abi =
            library->function<ironsight_plugin_abi_version_fn>(IRONSIGHT_PLUGIN_ABI_SYMBOL);
        const auto init = library->function<ironsight_plugin_init_fn>(IRONSIGHT_PLUGIN_INIT_SYMBOL);
        if (!abi || !init) {
            skip(std::string("missing symbol ") +
                 (!abi ? IRONSIGHT_PLUGIN_ABI_SYMBOL : IRONSIGHT_PLUGIN_INIT_SYMBOL) +
                 " (not an Ironsight plugin)");
            continue;
        }
        const std::uint32_t version = abi();
        if (version != IRONSIGHT_PLUGIN_ABI_VERSION) {
            skip("ABI version " + std::to_string(version) + ", this sensor supports " +
                 std::to_string(IRONSIGHT_PLUGIN_ABI_VERSION));
            continue;
        }
        auto plugin = std::make_shared<LoadedPlugin>(std::move(*library), file);
        ironsight_host_api& host = plugin->host;
        host.struct_size = sizeof host;
        host.abi_version = IRONSIGHT_PLUGIN_ABI_VERSION;
        host.sensor_version = kVersion;
        host.log = &hostLog;
        host.report_device = &hostReportDevice;
        host.report_operation = &hostReportOperation;
        host.report_finding = &hostReportFinding;
        host.report_anomaly = &hostReportAnomaly;
        host.host_private = plugin.get();
        plugin->info.struct_size = sizeof plugin->info;
        const std::int32_t rc = init(IRONSIGHT_PLUGIN_ABI_VERSION, &host, &plugin->info);
        if (rc != 0) {
            skip("initialisation failed (code " + std::to_string(rc) + ")");
            continue;
        }
        plugin->initialized = true;  // from here on its shutdown callback runs at unload
        if (auto st = adopt(*plugin); !st) {
            skip(st.error().message);
            continue;
        }
        PluginSummary& s = plugin->summary;
        if (names.count(s.name)) {
            skip("protocol name '" + s.name + "' is already taken");
            continue;
        }
        std::string clash;
        for (auto [transport, list] : {std::pair{dissect::Transport::Tcp, &s.tcpPorts},
                                       std::pair{dissect::Transport::Udp, &s.udpPorts}}) {
            for (auto port : *list) {
                auto it = ports.find({transport, port});
                if (it != ports.end() && clash.empty()) {
                    clash = std::string(transport == dissect::Transport::Tcp ? "tcp" : "udp") +
                            " port " + std::to_string(port) + " is already claimed by " +
                            it->second;
                }
            }
        }
        if (!clash.empty()) {
            skip(clash);
            continue;
        }
        names.insert(s.name);
        for (auto port : s.tcpPorts) ports[{dissect::Transport::Tcp, port}] = s.name;
        for (auto port : s.udpPorts) ports[{dissect::Transport::Udp, port}] = s.name;
        // A raw pointer in the factory: the registry entries must not keep the plugin alive in
        // a cycle; each dissector takes a strong reference.
        LoadedPlugin* raw = plugin.get();
        const auto create = [raw]() -> dissect::DissectorPtr {
            return std::make_unique<PluginDissector>(raw->shared_from_this());
        };
        plugin->tcpInfo = {.name = s.name,
                           .transport = dissect::Transport::Tcp,
                           .defaultPorts = s.tcpPorts,
                           .probe = nullptr,
                           .create = create};
        plugin->udpInfo = {.name = s.name,
                           .transport = dissect::Transport::Udp,
                           .defaultPorts = s.udpPorts,
                           .probe = nullptr,
                           .create = create};
        std::string what = portList("tcp", s.tcpPorts);
        const std::string udp = portList("udp", s.udpPorts);
        if (!udp.empty()) what += (what.empty() ? "" : "; ") + udp;
        if (s.heuristic) what += (what.empty() ? "" : "; ") + std::string("heuristic");
        log << "plugin " << s.name << " " << (s.version.empty() ? "?" : s.version)
            << " loaded from " << file << " (" << what << ")\n";
        set->plugins_.push_back(std::move(plugin));
    }
    return std::shared_ptr<const PluginSet>(std::move(set));
}

void PluginSet::registerInto(dissect::DissectorRegistry& registry) const {
    for (const auto& p : plugins_) {
        if (!p->tcpInfo.defaultPorts.empty()) registry.add(p->tcpInfo);
        if (!p->udpInfo.defaultPorts.empty()) registry.add(p->udpInfo);
    }
}

bool PluginSet::hasHeuristics() const {
    return std::any_of(plugins_.begin(), plugins_.end(),
                       [](const auto& p) { return p->info.probe != nullptr; });
}

dissect::Probe PluginSet::probe(const dissect::FlowContext& flow,
                                std::span<const std::uint8_t> payload,
                                const dissect::DissectorInfo*& match) const {
    if (payload.empty() || payload.size() > UINT32_MAX) return dissect::Probe::NoMatch;
    auto answer = dissect::Probe::NoMatch;
    for (const auto& p : plugins_) {
        if (!p->info.probe) continue;
        void* noState = nullptr;
        const ironsight_flow f = makeFlow(flow, 0, &noState, nullptr);
        const std::uint32_t r =
            p->info.probe(&f, payload.data(), static_cast<std::uint32_t>(payload.size()));
        if (r == IRONSIGHT_PROBE_MATCH) {
            match = flow.transport == dissect::Transport::Udp ? &p->udpInfo : &p->tcpInfo;
            return dissect::Probe::Match;
        }
        if (r == IRONSIGHT_PROBE_NEED_MORE) answer = dissect::Probe::NeedMore;
    }
    return answer;
}

std::vector<PluginSummary> PluginSet::summaries() const {
    std::vector<PluginSummary> out;
    for (const auto& p : plugins_) out.push_back(p->summary);
    return out;
}

}  // namespace ironsight::sensor::plugins
