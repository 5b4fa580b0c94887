// SPDX-License-Identifier: Apache-2.0
// `ironsight-sensor activate FILE`: verify the activation file, make the key locally, enroll.
#include <chrono>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <string>
#include <tuple>

#include "sensor-agent/app/commands.h"
#include "sensor-agent/link/enroll.h"
#include "sensor-agent/link/proxy.h"
#include "sensor-agent/store/state_store.h"
#include "shared/activation/activation.h"
#include "shared/crypto/crypto.h"

namespace ironsight::sensor::app {
namespace {

std::string utcTime(std::int64_t unixSeconds) {
    const std::time_t t = static_cast<std::time_t>(unixSeconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
    return buf;
}

std::string joined(const google::protobuf::RepeatedPtrField<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
    return out;
}

int activate(const std::filesystem::path& file, const std::filesystem::path& stateDir,
             const std::string& proxyUrl, const std::string& proxyPasswordFile) {
    namespace fs = std::filesystem;
    auto proxy = link::resolveProxy(proxyUrl, proxyPasswordFile);
    if (!proxy) {
        std::cerr << "error: " << proxy.error().message << "\n";
        return 1;
    }
    if (!proxy->empty()) {
        if (auto dropped = link::dropProxyExemptionsFromEnvironment(); !dropped.empty()) {
            std::cerr << "note: " << dropped
                      << " ignored: the console is reached through the "
                         "configured proxy\n";
        }
    }
    const auto nowMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
    auto payload = activation::readAndVerify(file, nowMs);
    if (!payload) {
        std::cerr << "error: " << payload.error().message << "\n";
        return 1;
    }
    auto ca = crypto::certificateFromPem(payload->console_ca_pem());
    if (!ca) {
        std::cerr << "error: " << file.string()
                  << ": console CA certificate unreadable: " << ca.error().message << "\n";
        return 1;
    }
    std::cout
        << "Console CA fingerprint (SHA-256): " << crypto::certificateFingerprint(ca->get()) << "\n"
        << "  compare it with the console's Settings page before trusting this sensor's data\n"
        << "Sensor: " << payload->sensor_name() << "  site: " << payload->site()
        << "  zone: " << payload->zone() << "  id: " << payload->sensor_id() << "\n";

    auto store = store::StateStore::open(stateDir);
    if (!store) {
        std::cerr << "error: " << store.error().message << "\n";
        return 1;
    }
    // The key is made here and never leaves this machine; only the CSR is sent.
    auto key = crypto::generateP256Key();
    if (!key) {
        std::cerr << "error: cannot generate the sensor key: " << key.error().message << "\n";
        return 1;
    }
    auto keyPem = crypto::privateKeyToPem(key->get());
    auto csr = crypto::makeCsrPem(key->get(), payload->sensor_name());
    if (!keyPem || !csr) {
        std::cerr << "error: cannot build the certificate request: "
                  << (!keyPem ? keyPem.error().message : csr.error().message) << "\n";
        return 1;
    }
    std::cout << "Enrolling with the console at " << payload->enroll_endpoint()
              << link::viaProxy(*proxy) << " ...\n";
    auto response = link::enroll(*payload, *csr, std::chrono::seconds(10), *proxy);
    if (!response) {
        std::cerr << "error: " << response.error().message << "\n";
        return 1;
    }
    auto cert = crypto::certificateFromPem(response->certificate_pem());
    if (!cert) {
        std::cerr << "error: the console returned an unreadable certificate: "
                  << cert.error().message << "\n";
        return 1;
    }
    const std::string caPem = response->ca_certificate_pem().empty()
                                  ? payload->console_ca_pem()
                                  : response->ca_certificate_pem();

    std::error_code ec;
    fs::create_directories(store->identityDir(), ec);
    if (ec) {
        std::cerr << "error: cannot create " << store->identityDir().string() << ": "
                  << ec.message() << "\n";
        return 1;
    }
    fs::permissions(store->identityDir(), fs::perms::owner_all, ec);
    const auto rw = fs::perms::owner_read | fs::perms::owner_write;
    const auto pub = rw | fs::perms::group_read | fs::perms::others_read;
    for (const auto& [path, text, mode] :
         {std::tuple{store->keyPath(), *keyPem, rw},
          std::tuple{store->certPath(), response->certificate_pem(), pub},
          std::tuple{store->caPath(), caPem, pub}}) {
        if (auto st = crypto::writeFileAtomic(path, text, mode); !st) {
            std::cerr << "error: " << st.error().message << "\n";
            return 1;
        }
    }
    using namespace store::meta;
    const std::pair<const char*, std::string> values[] = {
        {kSensorId, payload->sensor_id()},
        {kSensorName, payload->sensor_name()},
        {kSite, payload->site()},
        {kZone, payload->zone()},
        {kStreamEndpoints, joined(payload->stream_endpoints())},
        {kEnrollEndpoint, payload->enroll_endpoint()},
        {kTlsName, payload->console_tls_name()},
        {kActivatedMs, std::to_string(nowMs)},
    };
    for (const auto& [k, v] : values) {
        if (auto st = store->set(k, v); !st) {
            std::cerr << "error: cannot record activation: " << st.error().message << "\n";
            return 1;
        }
    }
    if (auto st = store->setLearning(true); !st) {  // SPEC §3.5: learning after activation
        std::cerr << "error: cannot record activation: " << st.error().message << "\n";
        return 1;
    }
    std::cout << "Activated: sensor " << payload->sensor_name() << " (" << payload->sensor_id()
              << ") enrolled; certificate valid until "
              << utcTime(crypto::certificateNotAfter(cert->get())) << "\n"
              << "Learning mode is on. State: " << stateDir.string() << "\n"
              << "The activation file is used up; you may delete " << file.string() << "\n";
    return 0;
}

void addActivateCommand(CLI::App& app) {
    auto* cmd = app.add_subcommand("activate",
                                   "Enroll this sensor with a console using an "
                                   "activation file (see docs/ACTIVATION.md)");
    auto file = std::make_shared<std::string>();
    auto stateDir = std::make_shared<std::string>(store::defaultStateDir().string());
    cmd->add_option("FILE", *file, "The .activation file the console wrote")->required();
    cmd->add_option("--state-dir", *stateDir, "Sensor state directory")->capture_default_str();
    auto proxy = std::make_shared<std::string>();
    auto proxyPasswordFile = std::make_shared<std::string>();
    cmd->add_option("--proxy", *proxy,
                    "Reach the console through this HTTP CONNECT proxy: "
                    "http://[USER[:PASSWORD]@]HOST:PORT (docs/SENSOR.md, Proxy)");
    cmd->add_option("--proxy-password-file", *proxyPasswordFile,
                    "Proxy password from the first line of FILE (not readable by others; "
                    "--proxy then names only the user)");
    cmd->callback([file, stateDir, proxy, proxyPasswordFile] {
        exitCode() = activate(*file, *stateDir, *proxy, *proxyPasswordFile);
    });
}

const CommandRegistration registration{20, &addActivateCommand};

}  // namespace
}  // namespace ironsight::sensor::app
