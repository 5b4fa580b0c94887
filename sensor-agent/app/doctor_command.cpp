// SPDX-License-Identifier: Apache-2.0
// `ironsight-sensor doctor [--json]`: post-install validation (SPEC §3.6). One line per check with
// the fix; exit 1 when a check fails. Reads the state dir without changing it (state.db is opened
// read-only), so it is safe beside a running sensor.
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <toml++/toml.h>
#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "sensor-agent/app/commands.h"
#include "sensor-agent/capture/privileges.h"
#include "sensor-agent/link/proxy.h"
#include "sensor-agent/store/state_store.h"
#include "shared/crypto/crypto.h"
#include "shared/doctor/doctor.h"
#include "shared/sqlite/sqlite.h"
#include "shared/tls/credentials.h"

namespace ironsight::sensor::app {
namespace {

namespace fs = std::filesystem;
using doctor::Check;
using doctor::Level;

constexpr int kNetRaw = 13, kNetAdmin = 12;  // CAP_NET_RAW, CAP_NET_ADMIN
constexpr std::uint64_t kMiB = 1024 * 1024;

struct DoctorOptions {
    std::string stateDir = store::defaultStateDir().string();
    std::string config = "/etc/ironsight/sensor.toml";
    bool configGiven = false;
    std::vector<std::string> interfaces;
    std::string serviceUser = "ironsight";
    int timeoutMs = 3000;
    int sampleMs = 1000;
    bool json = false;
    bool full = false;
    std::string proxy, proxyPasswordFile;  // --proxy wins over the config file's link.proxy
};

Check make(const std::string& name, Level level, std::string detail, std::string fix = {}) {
    return Check{name, level, std::move(detail), level == Level::Ok ? std::string{} : std::move(fix)};
}

std::string selfExe() {
    std::error_code ec;
    auto p = fs::read_symlink("/proc/self/exe", ec);
    return ec ? std::string("ironsight-sensor") : p.string();
}

/// True when the file's security.capability attribute grants CAP_NET_RAW (permitted set).
bool fileHasNetRaw(const std::string& file) {
    vfs_cap_data data{};
    const ssize_t n = ::getxattr(file.c_str(), "security.capability", &data, sizeof data);
    if (n < static_cast<ssize_t>(sizeof(std::uint32_t) * 3)) return false;
    return (data.data[0].permitted & (1U << kNetRaw)) != 0;
}

Check capturePermission() {
    const std::string exe = selfExe();
    const std::string fix = "start the sensor with its systemd unit (ironsight-sensor.service "
                            "grants CAP_NET_RAW and CAP_NET_ADMIN), run doctor as root, or "
                            "`setcap cap_net_raw,cap_net_admin=eip " + exe + "`";
    if (::geteuid() == 0) return make("capture-permission", Level::Ok, "running as root");
    auto caps = readCapabilities();
    if (caps && hasCapability(caps->effective, kNetRaw)) {
        return make("capture-permission", Level::Ok,
                    std::string("CAP_NET_RAW effective") +
                        (hasCapability(caps->effective, kNetAdmin) ? " (and CAP_NET_ADMIN)" : ""));
    }
    if (fileHasNetRaw(exe)) {
        return make("capture-permission", Level::Ok,
                    "file capabilities on " + exe + " grant CAP_NET_RAW");
    }
    return make("capture-permission", Level::Fail,
                "uid " + std::to_string(::geteuid()) +
                    " has no CAP_NET_RAW and the binary has no file capabilities: live capture "
                    "would fail",
                fix);
}

std::optional<std::string> readLine(const fs::path& file) {
    std::ifstream in(file);
    std::string line;
    if (!in || !std::getline(in, line)) return std::nullopt;
    return line;
}

std::uint64_t readCounter(const std::string& iface, const char* name) {
    auto text = readLine(fs::path("/sys/class/net") / iface / "statistics" / name);
    return text ? std::strtoull(text->c_str(), nullptr, 10) : 0;
}

/// Exists, up, carrier, Ethernet (promiscuous mode means something), packets arriving.
Check interfaceCheck(const std::string& iface, int sampleMs) {
    const std::string name = "interface " + iface;
    const fs::path sys = fs::path("/sys/class/net") / iface;
    std::error_code ec;
    if (!fs::exists(sys, ec)) {
        return make(name, Level::Fail, "no such interface",
                    "list the interfaces with `ironsight-sensor interfaces` and correct "
                    "capture.interfaces in /etc/ironsight/sensor.toml");
    }
    const unsigned flags = static_cast<unsigned>(
        std::strtoul(readLine(sys / "flags").value_or("0").c_str(), nullptr, 16));
    if ((flags & 0x1U) == 0) {  // IFF_UP
        return make(name, Level::Fail, "administratively down",
                    "`ip link set " + iface + " up` (and in the OS network configuration, "
                    "without an IP address)");
    }
    const std::string carrier = readLine(sys / "carrier").value_or("?");
    if (carrier == "0") {
        return make(name, Level::Fail, "up but no carrier (link down)",
                    "check the cable to the SPAN/mirror port or TAP and the switch port");
    }
    const int type = std::atoi(readLine(sys / "type").value_or("0").c_str());
    std::string detail = "up";
    Level level = Level::Ok;
    std::string fix;
    if (type == 1) {  // ARPHRD_ETHER
        detail += ", Ethernet, promiscuous ";
        detail += (flags & 0x100U) != 0 ? "on" : "off (the sensor turns it on)";
    } else {
        detail += ", link type " + std::to_string(type) + " (not Ethernet: promiscuous mode has "
                  "no effect)";
        if (type != 772) {  // loopback is fine for tests and demos
            level = Level::Warn;
            fix = "capture on the Ethernet port connected to the SPAN/TAP";
        }
    }
    const std::uint64_t before = readCounter(iface, "rx_packets");
    std::this_thread::sleep_for(std::chrono::milliseconds(sampleMs));
    const std::uint64_t after = readCounter(iface, "rx_packets");
    const std::uint64_t dropped = readCounter(iface, "rx_dropped");
    detail += ", " + std::to_string(after - before) + " packets received in " +
              std::to_string(sampleMs) + " ms (" + std::to_string(after) + " total, " +
              std::to_string(dropped) + " dropped)";
    if (after == before && level == Level::Ok) {
        level = Level::Warn;
        fix = "no traffic arrives: check that the switch mirrors the monitored ports to this "
              "port (SPAN session source/destination) or the TAP wiring";
    }
    return make(name, level, detail, fix);
}

/// [capture] interfaces of the config file; an unreadable file is reported, not fatal here.
std::vector<std::string> configuredInterfaces(const DoctorOptions& o, doctor::Report& report) {
    std::error_code ec;
    if (!fs::exists(o.config, ec)) {
        if (o.configGiven) {
            report.add(make("config", Level::Fail, o.config + " does not exist",
                            "give the path of the sensor's configuration file"));
        }
        return {};
    }
    try {
        const toml::table config = toml::parse_file(o.config);
        std::vector<std::string> names;
        if (const auto* list = config["capture"]["interfaces"].as_array()) {
            for (const auto& item : *list) {
                if (auto n = item.value<std::string>()) names.push_back(*n);
            }
        }
        report.add(make("config", Level::Ok, o.config + " parsed"));
        return names;
    } catch (const toml::parse_error& e) {
        report.add(make("config", Level::Fail,
                        o.config + ":" + std::to_string(e.source().begin.line) + ":" +
                            std::to_string(e.source().begin.column) + ": " +
                            std::string(e.description()),
                        "correct the file (see docs/SENSOR.md)"));
        return {};
    }
}

/// Non-blocking connect with a deadline; empty on success, else the reason.
std::string tcpConnect(const std::string& host, const std::string& port, int timeoutMs) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0) {
        return std::string("cannot resolve ") + host + ": " + ::gai_strerror(rc);
    }
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> list(found, &::freeaddrinfo);
    std::string why = "no address";
    for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
        const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                                a->ai_protocol);
        if (fd < 0) {
            why = std::strerror(errno);
            continue;
        }
        int rc = ::connect(fd, a->ai_addr, a->ai_addrlen);
        if (rc != 0 && errno == EINPROGRESS) {
            pollfd p{fd, POLLOUT, 0};
            rc = ::poll(&p, 1, timeoutMs);
            if (rc == 0) {
                why = "no answer within " + std::to_string(timeoutMs) + " ms";
                rc = -1;
            } else if (rc > 0) {
                int err = 0;
                socklen_t len = sizeof err;
                ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
                rc = err == 0 ? 0 : -1;
                if (err != 0) why = std::strerror(err);
            } else {
                why = std::strerror(errno);
            }
        } else if (rc != 0) {
            why = std::strerror(errno);
        }
        ::close(fd);
        if (rc == 0) return {};
    }
    return why;
}

struct Identity {
    std::string caPem, keyPem, certPem, tlsName;
};

/// TCP connect (to the proxy when one is set), then the link's own mutual-TLS channel (the same
/// credentials and proxy `run` uses).
Check consoleCheck(const std::string& endpoint, const Identity& id, int timeoutMs,
                   const std::string& proxy) {
    const std::string name = "console " + endpoint;
    std::string host, port;
    if (!doctor::splitHostPort(endpoint, host, port) || host.empty()) {
        return make(name, Level::Fail, "not a HOST:PORT endpoint",
                    "re-activate with a new activation file from the console");
    }
    const std::string via = link::viaProxy(proxy);  // the password masked
    if (!proxy.empty()) {
        auto parsed = link::parseProxyUrl(proxy);  // resolveProxy checked it already
        std::string proxyHost = parsed ? parsed->host : std::string{};
        if (proxyHost.size() > 2 && proxyHost.front() == '[') {
            proxyHost = proxyHost.substr(1, proxyHost.size() - 2);
        }
        if (auto why = tcpConnect(proxyHost, parsed ? parsed->port : "", timeoutMs); !why.empty()) {
            return make(name, Level::Fail, "TCP connect to the proxy failed" + via + ": " + why,
                        "check the proxy address and that firewalls allow this sensor to reach "
                        "the proxy");
        }
    } else if (auto why = tcpConnect(host, port, timeoutMs); !why.empty()) {
        return make(name, Level::Fail, "TCP connect failed: " + why,
                    "check that the console runs (systemctl status "
                    "ironsight-console-headless) and that firewalls allow this sensor to reach " +
                        endpoint);
    }
    grpc::ChannelArguments args = tls::channelArguments(id.tlsName);
    link::setProxyArguments(args, proxy);
    auto channel = grpc::CreateCustomChannel(
        endpoint, tls::channelCredentials(id.caPem, id.keyPem, id.certPem), args);
    if (!channel->WaitForConnected(std::chrono::system_clock::now() +
                                   std::chrono::milliseconds(timeoutMs))) {
        if (!proxy.empty()) {
            return make(name, Level::Fail,
                        "the proxy answers, but the tunnel and mutual-TLS handshake" + via +
                            " did not complete within " + std::to_string(timeoutMs) + " ms",
                        "check the proxy credentials, that the proxy allows CONNECT to " +
                            endpoint +
                            " (e.g. squid's SSL_ports, tinyproxy's ConnectPort) and "
                            "that the console runs and holds a certificate for " +
                            id.tlsName);
        }
        return make(name, Level::Fail,
                    "TCP ok, but the mutual-TLS handshake did not complete within " +
                        std::to_string(timeoutMs) + " ms",
                    "the console's certificate must be signed by the CA this sensor was activated "
                    "with and name " + id.tlsName +
                        "; a console that was set up again has a new CA: activate the sensor "
                        "again with a new activation file");
    }
    return make(name, Level::Ok,
                "reachable" + via +
                    "; TLS handshake ok (console certificate verified "
                    "against the activation CA, name " +
                    id.tlsName + ")");
}

/// The identity files belong together: key matches certificate, certificate signed by the CA.
Check identityCheck(const Identity& id) {
    const std::string fix = "the identity files were mixed up or replaced: restore them from a "
                            "backup of the state dir, or activate again with a new file";
    auto cert = crypto::certificateFromPem(id.certPem);
    auto ca = crypto::certificateFromPem(id.caPem);
    auto key = crypto::privateKeyFromPem(id.keyPem);
    if (!cert || !ca || !key) {
        return make("identity", Level::Fail, "unreadable key, certificate or CA certificate", fix);
    }
    if (X509_check_private_key(cert->get(), key->get()) != 1) {
        return make("identity", Level::Fail, "sensor.key does not match sensor.crt", fix);
    }
    EVP_PKEY* caKey = X509_get0_pubkey(ca->get());
    if (caKey == nullptr || X509_verify(cert->get(), caKey) != 1) {
        return make("identity", Level::Fail, "sensor.crt is not signed by ca.crt", fix);
    }
    return make("identity", Level::Ok, "key matches the certificate; certificate signed by the "
                                       "console CA " +
                                           crypto::certificateFingerprint(ca->get()).substr(0, 23) +
                                           "...");
}

int doctorMain(DoctorOptions o) {
    doctor::Report report;
    const fs::path dir = o.stateDir;
    report.add(capturePermission());

    std::vector<std::string> interfaces = o.interfaces;
    auto fromConfig = configuredInterfaces(o, report);
    if (interfaces.empty()) interfaces = fromConfig;
    if (interfaces.empty()) {
        report.add(make("interfaces", Level::Warn, "no capture interface configured",
                        "set capture.interfaces in " + o.config +
                            " (see `ironsight-sensor interfaces`), or pass --interface IF"));
    }
    for (const auto& iface : interfaces) report.add(interfaceCheck(iface, o.sampleMs));

    std::error_code ec;
    const bool dirExists = fs::is_directory(dir, ec);
    report.add(doctor::directoryWritable(
        "state-dir", dir,
        "create it for the service user: install -d -o " + o.serviceUser + " -g " +
            o.serviceUser + " -m 0750 " + dir.string() + " (the package does this)"));
    if (dirExists && ::geteuid() == 0) {
        report.add(doctor::ownedBy("state-owner", dir, o.serviceUser,
                                   "run activate as that user: sudo -u " + o.serviceUser +
                                       " ironsight-sensor activate FILE"));
    }

    const fs::path db = dir / "state.db";
    const std::string activateFix = "add the sensor in the console (admin sensor add ... --out "
                                    "FILE), carry FILE here and run `ironsight-sensor activate "
                                    "FILE --state-dir " + dir.string() + "`";
    std::optional<sqlite::Db> stateDb;
    if (fs::exists(db, ec)) {
        if (auto opened = sqlite::Db::open(db, /*readOnly=*/true); opened) {
            stateDb.emplace(std::move(*opened));
        }
    }
    const auto metaValue = [&](const char* key) -> std::string {
        if (!stateDb) return {};
        auto stmt = stateDb->prepare("SELECT value FROM meta WHERE key = ?1");
        if (!stmt) return {};
        stmt->bind(1, key);
        auto row = stmt->step();
        return row && *row ? stmt->columnText(0) : std::string{};
    };
    const std::string sensorId = metaValue(store::meta::kSensorId);
    const fs::path identity = dir / "identity";
    // After certificate renewals the current files are sensor-N.key etc. (state_store.h).
    const std::string generation = metaValue(store::meta::kIdentityGeneration);
    const fs::path keyFile = store::StateStore::identityFile(dir, generation, "sensor", ".key"),
                   certFile = store::StateStore::identityFile(dir, generation, "sensor", ".crt"),
                   caFile = store::StateStore::identityFile(dir, generation, "ca", ".crt");
    bool activated = false;
    if (!fs::exists(db, ec)) {
        report.add(make("activation", Level::Fail, "not activated (no state.db in " + dir.string() +
                                                       ")",
                        activateFix));
    } else if (sensorId.empty()) {
        report.add(make("activation", Level::Fail,
                        stateDb ? "not activated (no sensor id in state.db)"
                                : "state.db cannot be read",
                        activateFix));
    } else {
        std::vector<std::string> missing;
        for (const auto& f : {keyFile, certFile, caFile}) {
            if (!fs::exists(f, ec)) missing.push_back(f.filename().string());
        }
        if (!missing.empty()) {
            std::string list;
            for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
            report.add(make("activation", Level::Fail,
                            "sensor " + sensorId + " has no " + list + " in " + identity.string(),
                            "restore identity/ from a backup of the state dir, or " +
                                activateFix));
        } else {
            activated = true;
            report.add(make("activation", Level::Ok,
                            "sensor " + metaValue(store::meta::kSensorName) + " (" + sensorId +
                                "), site " + metaValue(store::meta::kSite) + ", zone " +
                                metaValue(store::meta::kZone)));
        }
    }

    std::int64_t clockFloorMs = 0;
    if (activated) {
        Identity id;
        auto key = crypto::readFile(keyFile);
        auto cert = crypto::readFile(certFile);
        auto ca = crypto::readFile(caFile);
        if (!key || !cert || !ca) {
            report.add(make("identity", Level::Fail,
                            (!key ? key : !cert ? cert : ca).error().message,
                            "run doctor as root or as " + o.serviceUser));
        } else {
            id = Identity{*ca, *key, *cert, metaValue(store::meta::kTlsName)};
            report.add(doctor::privateKeyMode("identity-key", keyFile));
            report.add(identityCheck(id));
        }
        report.add(doctor::certificate(
            "certificate", certFile, 30,
            "sensor certificates are renewed by activation: add the sensor again in the console "
            "(admin sensor add), then `ironsight-sensor activate FILE` here"));
        std::int64_t notBefore = 0, notAfter = 0;
        if (doctor::certificateValidity(certFile, notBefore, notAfter)) {
            clockFloorMs = notBefore * 1000;
        }
        clockFloorMs = std::max<std::int64_t>(
            clockFloorMs, std::atoll(metaValue(store::meta::kActivatedMs).c_str()));
        std::vector<std::string> endpoints;
        std::stringstream list(metaValue(store::meta::kStreamEndpoints));
        for (std::string e; std::getline(list, e, ',');) {
            if (!e.empty()) endpoints.push_back(e);
        }
        if (endpoints.empty()) {
            report.add(make("console", Level::Fail, "no console endpoint recorded", activateFix));
        }
        if (!id.certPem.empty()) {
            // The proxy `run` would use: --proxy, else link.proxy of the config file.
            std::string proxyUrl = o.proxy;
            if (proxyUrl.empty() && fs::exists(o.config, ec)) {
                try {
                    proxyUrl = toml::parse_file(o.config)["link"]["proxy"].value_or(std::string{});
                } catch (const toml::parse_error&) {  // reported by the config check
                }
            }
            auto proxy = link::resolveProxy(proxyUrl, o.proxyPasswordFile);
            if (!proxy) {
                report.add(make("console", Level::Fail, proxy.error().message,
                                "correct --proxy / link.proxy (see docs/SENSOR.md, Proxy)"));
            } else {
                // As `run` does; the doctor's output is the report, so no note here.
                if (!proxy->empty()) link::dropProxyExemptionsFromEnvironment();
                for (const auto& e : endpoints) {
                    report.add(consoleCheck(e, id, o.timeoutMs, *proxy));
                }
            }
        }
    } else {
        for (const char* name : {"certificate", "console"}) {
            report.add(make(name, Level::Skip, "not activated"));
        }
    }

    report.add(doctor::diskSpace("disk-space", dir, 256 * kMiB, 1280 * kMiB));
    report.add(doctor::clock("clock", clockFloorMs));
    if (fs::exists(db, ec)) {
        stateDb.reset();  // the check opens its own read-only connection
        report.add(doctor::sqliteIntegrity(
            "store-integrity", db, o.full,
            "stop the sensor, move " + dir.string() +
                "/state.db* aside and activate again (data the console acknowledged is safe "
                "there; unsent outbox records in the damaged file are lost)"));
    } else {
        report.add(make("store-integrity", Level::Skip, "no state.db yet"));
    }

    std::cout << (o.json ? report.json() : report.text());
    return report.exitCode();
}

void addDoctorCommand(CLI::App& app) {
    auto* cmd = app.add_subcommand(
        "doctor",
        "Check this installation: capture permission, interfaces, state dir, activation, "
        "certificate, console reachability, disk, clock, store (exit 1 when a check fails)");
    auto o = std::make_shared<DoctorOptions>();
    cmd->add_option("--state-dir", o->stateDir, "Sensor state directory")->capture_default_str();
    auto* config = cmd->add_option("--config", o->config,
                                   "Sensor configuration file (its capture.interfaces are "
                                   "checked)")
                       ->capture_default_str();
    cmd->add_option("--interface,-i", o->interfaces,
                    "Check this interface instead of the configured ones (repeatable)")
        ->allow_extra_args(false);
    cmd->add_option("--service-user", o->serviceUser,
                    "User the service runs as (state dir ownership is checked when run as root)")
        ->capture_default_str();
    cmd->add_option("--timeout-ms", o->timeoutMs, "Console connect and TLS timeout")
        ->capture_default_str()
        ->check(CLI::Range(100, 60000));
    cmd->add_option("--sample-ms", o->sampleMs, "How long to watch interface counters")
        ->capture_default_str()
        ->check(CLI::Range(0, 60000));
    cmd->add_option("--proxy", o->proxy,
                    "Check the console through this HTTP CONNECT proxy (default: the config "
                    "file's link.proxy)");
    cmd->add_option("--proxy-password-file", o->proxyPasswordFile,
                    "Proxy password from the first line of FILE (see `run --help`)");
    cmd->add_flag("--full", o->full, "PRAGMA integrity_check instead of quick_check");
    cmd->add_flag("--json", o->json, "Print one JSON object");
    cmd->callback([o, config] {
        o->configGiven = config->count() > 0;
        exitCode() = doctorMain(*o);
    });
}

const CommandRegistration registration{60, &addDoctorCommand};

}  // namespace
}  // namespace ironsight::sensor::app
