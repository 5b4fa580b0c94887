// SPDX-License-Identifier: Apache-2.0
// `ironsight-console admin cert ...`: the link listener's server certificate (docs/CONSOLE.md).
#include <nlohmann/json.hpp>

#include <iostream>

#include "console/app/app.h"
#include "console/core/cert_import.h"
#include "shared/crypto/crypto.h"

namespace ironsight::console::app {
namespace fs = std::filesystem;
namespace {

int fail(const std::string& message) {
    std::cerr << "error: " << message << "\n";
    return 1;
}

/// A file's contents, the error naming the file.
Result<std::string> readNamed(const std::string& file, const char* what) {
    auto text = crypto::readFile(file, 1 << 20);
    if (!text) return makeError(std::string("cannot read the ") + what + " " + file);
    return text;
}

nlohmann::json toJson(const core::CertificateSummary& c) {
    return {{"subject", c.subject},
            {"issuer", c.issuer},
            {"sha256", c.fingerprint},
            {"not_before_ms", c.notBeforeMs},
            {"not_after_ms", c.notAfterMs}};
}

void print(const char* title, const core::CertificateSummary& c) {
    std::cout << title << "\n"
              << "  subject:  " << c.subject << "\n"
              << "  issuer:   " << c.issuer << "\n"
              << "  SHA-256:  " << c.fingerprint << "\n"
              << "  valid:    " << core::formatUtc(c.notBeforeMs) << " to "
              << core::formatUtc(c.notAfterMs) << "\n";
}

}  // namespace

void addCertCommands(CLI::App& admin, const std::function<fs::path()>& dataDir, int& exitCode) {
    CLI::App* cert = admin.add_subcommand(
        "cert", "The console's server certificate on the sensor link (import, show)");
    cert->require_subcommand(1);

    struct ImportArgs {
        std::string key, cert, chain, passphraseFile;
        bool force = false;
    };
    auto args = std::make_shared<ImportArgs>();
    CLI::App* import = cert->add_subcommand(
        "import",
        "Serve a CA-signed certificate on the link listener (a running console picks "
        "it up within seconds)");
    import->add_option("--key", args->key, "PEM private key (may be encrypted)")->required();
    import->add_option("--cert", args->cert, "PEM certificate (may be followed by its chain)")
        ->required();
    import->add_option("--chain", args->chain, "PEM intermediate and root CA certificates");
    import->add_option("--passphrase-file", args->passphraseFile,
                       "File whose first line is the key's passphrase");
    import->add_flag("--force", args->force,
                     "Import even though enrolled sensors do not trust the new root CA yet "
                     "(they need re-activation)");
    import->callback([args, dataDir, &exitCode] {
        core::CertificateImport files;
    auto key = readNamed(args->key, "key file");
    if (!key) return void(exitCode = fail(key.error().message));
    auto certPem = readNamed(args->cert, "certificate file");
    if (!certPem) return void(exitCode = fail(certPem.error().message));
    files.keyPem = std::move(*key);
    files.certPem = std::move(*certPem);
    if (!args->chain.empty()) {
        auto chain = readNamed(args->chain, "chain file");
        if (!chain) return void(exitCode = fail(chain.error().message));
        files.chainPem = std::move(*chain);
    }
    if (!args->passphraseFile.empty()) {
        auto pass = readNamed(args->passphraseFile, "passphrase file");
        if (!pass) return void(exitCode = fail(pass.error().message));
        std::string p = *pass;
        if (auto nl = p.find('\n'); nl != std::string::npos) p.resize(nl);
        while (!p.empty() && p.back() == '\r') p.pop_back();
        files.passphrase = std::move(p);
    }
    auto console = openExisting(dataDir());
    if (!console) return void(exitCode = fail(console.error().message));
    auto imported = (*console)->importServerCertificate(files, args->force);
    if (!imported) return void(exitCode = fail(imported.error().message));
    print("imported link certificate", imported->certificate);
    std::cout << "root CA now also trusted by newly enrolled sensors: " << imported->anchor.subject
              << " (SHA-256 " << imported->anchor.fingerprint << ")\n"
              << "a running console serves it to new connections within a few seconds\n";
    exitCode = 0;
});

auto json = std::make_shared<bool>(false);
CLI::App* show = cert->add_subcommand("show", "The link certificate in force and the console CA");
show->add_flag("--json", *json, "JSON output");
show->callback([json, dataDir, &exitCode] {
    auto console = openExisting(dataDir());
    if (!console) return void(exitCode = fail(console.error().message));
    auto link = (*console)->linkIdentity();
    if (!link) return void(exitCode = fail(link.error().message));
    auto ca = core::summarizeCertificatePem((*console)->pki().caCertPem());
    if (!ca) return void(exitCode = fail(ca.error().message));
    if (*json) {
        nlohmann::json out = {{"source", link->imported ? "imported" : "generated"},
                              {"link_certificate", toJson(link->certificate)},
                              {"console_ca", toJson(*ca)}};
        if (link->anchor) out["imported_root_ca"] = toJson(*link->anchor);
        std::cout << out.dump(2) << "\n";
        return void(exitCode = 0);
    }
    print(link->imported ? "link certificate (imported)"
                         : "link certificate (issued by the console CA)",
          link->certificate);
    if (link->anchor) print("imported root CA (sensors enrolled since trust it)", *link->anchor);
    print("console CA (sensors pin it; it signs activation files and sensor certificates)", *ca);
    exitCode = 0;
});

cert->add_subcommand("use-generated", "Go back to the link certificate issued by the console CA")
    ->callback([dataDir, &exitCode] {
        auto console = openExisting(dataDir());
        if (!console) return void(exitCode = fail(console.error().message));
        if (auto s = (*console)->useGeneratedCertificate(); !s) {
            return void(exitCode = fail(s.error().message));
        }
        std::cout << "the link listener serves the console CA's certificate again\n";
        exitCode = 0;
    });
}  // namespace ironsight::console::app

}  // namespace ironsight::console::app
