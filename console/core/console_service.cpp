// SPDX-License-Identifier: Apache-2.0
// ConsoleService: data dir, first-run setup, activation files, read API and exports.
#include "console/core/console_service.h"

#include <nlohmann/json.hpp>

#include <cstdlib>

#include "shared/activation/activation.h"
#include "shared/crypto/crypto.h"

namespace ironsight::console::core {
namespace fs = std::filesystem;
using nlohmann::json;
namespace {

std::string csvField(const std::string& v) {
    if (v.find_first_of(",\"\n\r") == std::string::npos) return v;
    std::string out = "\"";
    for (char c : v) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

std::string csvLine(const std::vector<std::string>& fields) {
    std::string line;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i) line += ',';
        line += csvField(fields[i]);
    }
    return line + "\n";
}

std::string joined(const std::vector<std::string>& v, const char* sep = ";") {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
    return out;
}

}  // namespace

std::string hostOf(const std::string& hostPort) {
    if (!hostPort.empty() && hostPort.front() == '[') {
        auto close = hostPort.find(']');
        return close == std::string::npos ? std::string() : hostPort.substr(1, close - 1);
    }
    auto colon = hostPort.rfind(':');
    return colon == std::string::npos ? std::string() : hostPort.substr(0, colon);
}

fs::path ConsoleService::defaultDataDir() {
    if (const char* env = std::getenv("IRONSIGHT_DATA_DIR"); env != nullptr && *env != '\0') {
        return env;
    }
    const char* home = std::getenv("HOME");
    return fs::path(home != nullptr ? home : ".") / ".local/share/ironsight/console";
}

Result<std::unique_ptr<ConsoleService>> ConsoleService::open(
    const fs::path& dataDir, const std::vector<std::string>& hosts) {
    std::error_code ec;
    bool created = fs::create_directories(dataDir, ec);
    // The database holds password and token hashes: keep the directory private.
    if (created) fs::permissions(dataDir, fs::perms::owner_all, fs::perm_options::replace, ec);
    if (ec)
        return makeError("cannot create data directory " + dataDir.string() + ": " + ec.message());
    auto store = ConsoleStore::open(dataDir / "console.db");
    if (!store) return store.error();
    std::vector<std::string> allHosts = hosts;
    for (const char* key : {kSettingLinkListen, kSettingEnrollListen}) {
        if (auto v = (*store)->setting(key)) allHosts.push_back(hostOf(*v));
    }
    auto pki = Pki::loadOrCreate(dataDir / "pki", allHosts);
    if (!pki) return pki.error();
    return std::unique_ptr<ConsoleService>(
        new ConsoleService(dataDir, std::move(*store), std::move(*pki)));
}

Status ConsoleService::init(const std::string& adminUser, const std::string& adminPassword,
                            const std::string& linkListen, const std::string& enrollListen) {
    if (initialized()) return makeError("console in " + dataDir_.string() + " is already set up");
    if (hostOf(linkListen).empty() || hostOf(enrollListen).empty()) {
        return makeError("listen addresses must be HOST:PORT");
    }
    if (auto s = store_->addUser(adminUser, adminPassword, "admin"); !s) return s;
    if (auto s = store_->setSetting(kSettingLinkListen, linkListen); !s) return s;
    return store_->setSetting(kSettingEnrollListen, enrollListen);
}

std::string ConsoleService::linkListen() {
    return store_->setting(kSettingLinkListen).value_or(kDefaultLinkListen);
}

std::string ConsoleService::enrollListen() {
    return store_->setting(kSettingEnrollListen).value_or(kDefaultEnrollListen);
}

Result<NewSensor> ConsoleService::addSensor(const std::string& site, const std::string& zone,
                                            const std::string& name,
                                            std::chrono::milliseconds validity) {
    crypto::Bytes token = crypto::randomBytes(32);
    std::string tokenHash = crypto::toHex(crypto::sha256(token));
    std::string bundleId = crypto::newUuid();
    std::int64_t now = nowMs();
    std::int64_t notAfter = now + validity.count();
    auto sensor = store_->addSensor(site, zone, name, tokenHash, bundleId, notAfter);
    if (!sensor) return sensor.error();

    ironsight::v1::ActivationPayload payload;
    payload.set_format_version(1);
    payload.set_bundle_id(bundleId);
    payload.set_sensor_id(sensor->id);
    payload.set_sensor_name(name);
    payload.set_site(site);
    payload.set_zone(zone);
    payload.add_stream_endpoints(linkListen());
    payload.set_enroll_endpoint(enrollListen());
    payload.set_console_tls_name(kConsoleTlsName);
    payload.set_console_ca_pem(pki_.caCertPem());
    payload.set_enrollment_token(token.data(), token.size());
    payload.set_not_before_ms(now - 5 * 60 * 1000);  // tolerate a sensor clock 5 min behind
    payload.set_not_after_ms(notAfter);
    auto text = activation::encode(payload, pki_.caKey());
    if (!text) return text.error();
    return NewSensor{std::move(*sensor), std::move(*text)};
}

std::string ConsoleService::sensorsToJson(const std::vector<SensorRow>& sensors) {
    json out = json::array();
    for (const auto& s : sensors) {
        out.push_back({{"id", s.id},
                       {"name", s.name},
                       {"site", s.site},
                       {"zone", s.zone},
                       {"status", s.status},
                       {"cert_serial", s.certSerial},
                       {"enrolled_at_ms", s.enrolledAtMs},
                       {"last_seen_ms", s.lastSeenMs}});
    }
    return out.dump(2) + "\n";
}

Result<std::string> ConsoleService::exportDevices(ExportFormat format) {
    auto devices = listDevices();
    if (!devices) return devices.error();
    if (format == ExportFormat::Csv) {
        std::string out =
            csvLine({"id", "ips", "macs", "vendor", "model", "firmware", "hostname", "type",
                     "purdue_level", "protocols", "site", "zone", "sensor", "last_seen_ms"});
        for (const auto& d : *devices) {
            std::vector<std::string> protocols;
            for (const auto& [n, r] : d.protocols) protocols.push_back(n + "/" + r);
            out +=
                csvLine({d.deviceId, joined(d.ips), joined(d.macs), d.vendor, d.model, d.firmware,
                         d.hostname, d.type, std::to_string(d.purdueLevel), joined(protocols),
                         d.site, d.zone, d.sensorName, std::to_string(d.lastSeenMs)});
        }
        return out;
    }
    json arr = json::array();
    for (const auto& d : *devices) {
        json protocols = json::array();
        for (const auto& [n, r] : d.protocols) protocols.push_back({{"name", n}, {"role", r}});
        json identity =
            d.identityJson.empty() ? json::object() : json::parse(d.identityJson, nullptr, false);
        if (identity.is_discarded()) identity = json::object();
        arr.push_back({{"id", d.deviceId},
                       {"macs", d.macs},
                       {"ips", d.ips},
                       {"vlans", d.vlans},
                       {"vendor", d.vendor},
                       {"model", d.model},
                       {"firmware", d.firmware},
                       {"serial", d.serial},
                       {"hostname", d.hostname},
                       {"type", d.type},
                       {"purdue_level", d.purdueLevel},
                       {"protocols", protocols},
                       {"identity", identity},
                       {"evidence", d.evidence},
                       {"site", d.site},
                       {"zone", d.zone},
                       {"sensors", json::array({d.sensorName})}});
    }
    return json{{"devices", arr}}.dump(2) + "\n";
}

Result<std::string> ConsoleService::exportAlerts(ExportFormat format) {
    auto alerts = listAlerts();
    if (!alerts) return alerts.error();
    if (format == ExportFormat::Csv) {
        std::string out = csvLine({"id", "severity", "status", "title", "engine", "type", "src",
                                   "dst", "src_ip", "dst_ip", "protocol", "count", "mitre", "site",
                                   "zone", "sensor", "last_seen_ms"});
        for (const auto& a : *alerts) {
            out += csvLine({a.alertId, a.severity, a.status, a.title, a.engine, a.type, a.src,
                            a.dst, a.srcIp, a.dstIp, a.protocol, std::to_string(a.count), a.mitre,
                            a.site, a.zone, a.sensorName, std::to_string(a.lastSeenMs)});
        }
        return out;
    }
    json arr = json::array();
    for (const auto& a : *alerts) {
        arr.push_back({{"id", a.alertId},
                       {"engine", a.engine},
                       {"type", a.type},
                       {"severity", a.severity},
                       {"title", a.title},
                       {"src", a.src},
                       {"dst", a.dst},
                       {"src_ip", a.srcIp},
                       {"dst_ip", a.dstIp},
                       {"protocol", a.protocol},
                       {"count", a.count},
                       {"mitre", a.mitre},
                       {"status", a.status},
                       {"site", a.site},
                       {"zone", a.zone},
                       {"sensor", a.sensorName},
                       {"last_seen_ms", a.lastSeenMs}});
    }
    return json{{"alerts", arr}}.dump(2) + "\n";
}

}  // namespace ironsight::console::core
