// SPDX-License-Identifier: Apache-2.0
// Offline vulnerability data: NVD CVE JSON 2.0 feed files (carried in on removable media) and
// matching their CPE criteria against device vendor / model / firmware.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "console/core/console_store.h"
#include "shared/base/result.h"

namespace ironsight::console::core {

/// Splits a CPE 2.3 formatted string ("cpe:2.3:part:vendor:product:version:...") into its 13
/// fields, unescaping `\` sequences; lower-cases the result. Fails on anything else.
Result<std::vector<std::string>> parseCpe23(std::string_view cpe);

/// Parses an NVD CVE API 2.0 / feed 2.0 JSON document: `vulnerabilities[].cve` with `id`,
/// `published`, the English `descriptions` value, the best CVSS base score (v3.1, v3.0, then
/// v2) and every `configurations[].nodes[].cpeMatch[]` with `vulnerable: true`.
Result<std::vector<CveEntry>> parseNvdFeed(std::string_view text, const std::string& name);

/// Compares dotted versions segment by segment (numbers numerically, other text
/// lexicographically, case-insensitive; a leading "v" is ignored). <0, 0, >0.
int compareVersions(std::string_view a, std::string_view b);

/// Lower-case letters and digits only ("Rockwell Automation" -> "rockwellautomation").
std::string matchKey(std::string_view s);

/// How a CPE criterion relates to a device.
enum class CveFit { None, VersionUnknown, Confirmed };

/// Vendor: the keys are equal, or one starts with the other (at least 3 characters). Product:
/// the criterion's product (without a trailing "firmware") equals the device model or one
/// contains the other (at least 4 characters). Version: an exact version must equal the
/// firmware; `*`/`-` plus the range bounds must hold; without firmware the fit is
/// VersionUnknown unless the criterion covers every version.
CveFit matchCpe(const CpeMatch& cpe, const DeviceRow& device);

struct DeviceCve {
    std::string cveId;
    double cvss = 0;
    std::string severity;
    std::string description;
    std::string criteria;    ///< the CPE criterion that matched
    bool confirmed = false;  ///< false: the device's firmware is unknown
};

struct DeviceVulnerabilities {
    DeviceRow device;
    std::vector<DeviceCve> cves;  ///< highest CVSS first
    /// The highest CVSS of the confirmed matches, or half the highest of the unconfirmed ones
    /// when that is larger (0-10, one decimal).
    double risk = 0;
};

/// Reads and imports a feed file (at most 1 GiB; decompress .gz/.zip first).
Result<std::size_t> importNvdFeedFile(ConsoleStore& store, const std::filesystem::path& file,
                                      const AuditActor& by = {});

/// Every device with at least one matching CVE, highest risk first.
Result<std::vector<DeviceVulnerabilities>> matchDevices(ConsoleStore& store);

}  // namespace ironsight::console::core
