// SPDX-License-Identifier: Apache-2.0
// NVD JSON 2.0 feed import and device matching by vendor / model / firmware.
#include "console/core/cve.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>

#include "shared/crypto/crypto.h"

namespace ironsight::console::core {
namespace {

using nlohmann::json;

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::vector<std::string> versionSegments(std::string_view v) {
    std::string s = lower(v);
    std::size_t start = 0;
    while (start < s.size() && !std::isalnum(static_cast<unsigned char>(s[start]))) ++start;
    if (start < s.size() && s[start] == 'v' && start + 1 < s.size() &&
        std::isdigit(static_cast<unsigned char>(s[start + 1]))) {
        ++start;
    }
    std::vector<std::string> out;
    std::string cur;
    auto flush = [&] {
        if (!cur.empty()) out.push_back(cur);
        cur.clear();
    };
    for (std::size_t i = start; i < s.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (!std::isalnum(c)) {
            flush();
            continue;
        }
        // "4a" -> "4", "a": digits and letters are separate segments.
        if (!cur.empty() &&
            (std::isdigit(c) != 0) != (std::isdigit(static_cast<unsigned char>(cur.back())) != 0)) {
            flush();
        }
        cur += static_cast<char>(c);
    }
    flush();
    return out;
}

bool allDigits(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) != 0;
    });
}

bool anyVersion(const std::string& v) {
    return v.empty() || v == "*" || v == "-";
}

/// Device vendor key `dv` against CPE vendor key `cv` (see matchCpe).
bool vendorFits(const std::string& dv, const std::string& cv) {
    if (dv.empty() || cv.size() < 3) return false;
    return dv == cv || dv.rfind(cv, 0) == 0 || (cv.rfind(dv, 0) == 0 && dv.size() >= 3);
}

}  // namespace

Result<std::vector<std::string>> parseCpe23(std::string_view cpe) {
    std::vector<std::string> fields;
    std::string cur;
    for (std::size_t i = 0; i < cpe.size(); ++i) {
        char c = cpe[i];
        if (c == '\\' && i + 1 < cpe.size()) {
            cur += cpe[++i];
        } else if (c == ':') {
            fields.push_back(lower(cur));
            cur.clear();
        } else {
            cur += c;
        }
    }
    fields.push_back(lower(cur));
    if (fields.size() != 13 || fields[0] != "cpe" || fields[1] != "2.3" || fields[2].size() != 1 ||
        fields[3].empty() || fields[4].empty()) {
        return makeError("not a CPE 2.3 string: " + std::string(cpe.substr(0, 120)));
    }
    return fields;
}

Result<std::vector<CveEntry>> parseNvdFeed(std::string_view text, const std::string& name) {
    json doc = json::parse(text, nullptr, false);
    if (doc.is_discarded()) return makeError(name + ": not JSON (an NVD CVE 2.0 feed is JSON)");
    if (!doc.is_object() || !doc.contains("vulnerabilities") ||
        !doc["vulnerabilities"].is_array()) {
        return makeError(name + ": no \"vulnerabilities\" array (not an NVD CVE JSON 2.0 feed)");
    }
    std::vector<CveEntry> out;
    for (const auto& v : doc["vulnerabilities"]) {
        if (!v.is_object() || !v.contains("cve") || !v["cve"].is_object()) continue;
        const json& cve = v["cve"];
        CveEntry e;
        e.id = cve.value("id", "");
        if (e.id.rfind("CVE-", 0) != 0) continue;
        e.published = cve.value("published", "");
        if (cve.contains("descriptions") && cve["descriptions"].is_array()) {
            for (const auto& d : cve["descriptions"]) {
                if (d.is_object() && d.value("lang", "") == "en") {
                    e.description = d.value("value", "");
                    break;
                }
            }
        }
        if (cve.contains("metrics") && cve["metrics"].is_object()) {
            for (const char* key : {"cvssMetricV31", "cvssMetricV30", "cvssMetricV2"}) {
                const json& m = cve["metrics"];
                if (!m.contains(key) || !m[key].is_array() || m[key].empty()) continue;
                const json& first = m[key][0];
                if (!first.is_object() || !first.contains("cvssData")) continue;
                const json& data = first["cvssData"];
                if (data.contains("baseScore") && data["baseScore"].is_number()) {
                    e.cvss = data["baseScore"].get<double>();
                }
                e.severity = data.value("baseSeverity", first.value("baseSeverity", ""));
                break;
            }
        }
        if (cve.contains("configurations") && cve["configurations"].is_array()) {
            for (const auto& conf : cve["configurations"]) {
                if (!conf.is_object() || !conf.contains("nodes") || !conf["nodes"].is_array())
                    continue;
                for (const auto& node : conf["nodes"]) {
                    if (!node.is_object() || !node.contains("cpeMatch") ||
                        !node["cpeMatch"].is_array() || node.value("negate", false)) {
                        continue;
                    }
                    for (const auto& m : node["cpeMatch"]) {
                        if (!m.is_object() || !m.value("vulnerable", false)) continue;
                        std::string criteria = m.value("criteria", "");
                        auto fields = parseCpe23(criteria);
                        if (!fields) continue;
                        CpeMatch c;
                        c.criteria = criteria;
                        c.part = (*fields)[2];
                        c.vendor = (*fields)[3];
                        c.product = (*fields)[4];
                        c.version = (*fields)[5];
                        c.startIncl = m.value("versionStartIncluding", "");
                        c.startExcl = m.value("versionStartExcluding", "");
                        c.endIncl = m.value("versionEndIncluding", "");
                        c.endExcl = m.value("versionEndExcluding", "");
                        e.cpes.push_back(std::move(c));
                    }
                }
            }
        }
        out.push_back(std::move(e));
    }
    return out;
}

int compareVersions(std::string_view a, std::string_view b) {
    auto x = versionSegments(a);
    auto y = versionSegments(b);
    for (std::size_t i = 0; i < std::max(x.size(), y.size()); ++i) {
        std::string p = i < x.size() ? x[i] : "0";
        std::string q = i < y.size() ? y[i] : "0";
        if (allDigits(p) && allDigits(q)) {
            p.erase(0, std::min(p.find_first_not_of('0'), p.size() - 1));
            q.erase(0, std::min(q.find_first_not_of('0'), q.size() - 1));
            if (p.size() != q.size()) return p.size() < q.size() ? -1 : 1;
        }
        if (int c = p.compare(q); c != 0) return c < 0 ? -1 : 1;
    }
    return 0;
}

std::string matchKey(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (std::isalnum(static_cast<unsigned char>(c))) {
            out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
    }
    return out;
}

CveFit matchCpe(const CpeMatch& cpe, const DeviceRow& device) {
    if (!vendorFits(matchKey(device.vendor), matchKey(cpe.vendor))) return CveFit::None;
    std::string dm = matchKey(device.model);
    std::string cp = matchKey(cpe.product);
    if (cp.size() > 8 && cp.compare(cp.size() - 8, 8, "firmware") == 0) cp.resize(cp.size() - 8);
    if (dm.empty() || cp.empty()) return CveFit::None;
    bool product = dm == cp || (cp.size() >= 4 && dm.find(cp) != std::string::npos) ||
                   (dm.size() >= 4 && cp.find(dm) != std::string::npos);
    if (!product) return CveFit::None;
    bool ranged = !cpe.startIncl.empty() || !cpe.startExcl.empty() || !cpe.endIncl.empty() ||
                  !cpe.endExcl.empty();
    if (anyVersion(cpe.version) && !ranged) return CveFit::Confirmed;  // every version
    const std::string& fw = device.firmware;
    if (matchKey(fw).empty()) return CveFit::VersionUnknown;
    if (!anyVersion(cpe.version)) {
        return compareVersions(cpe.version, fw) == 0 ? CveFit::Confirmed : CveFit::None;
    }
    if (!cpe.startIncl.empty() && compareVersions(fw, cpe.startIncl) < 0) return CveFit::None;
    if (!cpe.startExcl.empty() && compareVersions(fw, cpe.startExcl) <= 0) return CveFit::None;
    if (!cpe.endIncl.empty() && compareVersions(fw, cpe.endIncl) > 0) return CveFit::None;
    if (!cpe.endExcl.empty() && compareVersions(fw, cpe.endExcl) >= 0) return CveFit::None;
    return CveFit::Confirmed;
}

Result<std::size_t> importNvdFeedFile(ConsoleStore& store, const std::filesystem::path& file,
                                      const AuditActor& by) {
    auto text = crypto::readFile(file, std::size_t{1} << 30);
    if (!text) return text.error();
    if (!text->empty() &&
        (static_cast<unsigned char>((*text)[0]) == 0x1f || text->rfind("PK", 0) == 0)) {
        return makeError(file.string() + ": compressed; decompress the feed first (gunzip/unzip)");
    }
    auto entries = parseNvdFeed(*text, file.string());
    if (!entries) return entries.error();
    if (entries->empty()) return makeError(file.string() + ": the feed holds no CVE records");
    if (auto s = store.storeCves(*entries, file.string(), by); !s) return s.error();
    return entries->size();
}

Result<std::vector<DeviceVulnerabilities>> matchDevices(ConsoleStore& store) {
    auto devices = store.listDevices();
    if (!devices) return devices.error();
    auto vendors = store.cveVendors();
    if (!vendors) return vendors.error();
    // Only the CPE vendors some device could match are loaded.
    std::set<std::string> deviceVendors;
    for (const auto& d : *devices) {
        if (!matchKey(d.vendor).empty()) deviceVendors.insert(matchKey(d.vendor));
    }
    std::vector<std::string> wanted;
    for (const auto& v : *vendors) {
        std::string k = matchKey(v);
        for (const auto& dv : deviceVendors) {
            if (vendorFits(dv, k)) {
                wanted.push_back(v);
                break;
            }
        }
    }
    std::vector<DeviceVulnerabilities> out;
    if (wanted.empty()) return out;
    auto cves = store.cvesForVendors(wanted);
    if (!cves) return cves.error();
    for (const auto& d : *devices) {
        DeviceVulnerabilities dvul;
        double confirmedMax = 0, unknownMax = 0;
        for (const auto& cve : *cves) {
            CveFit best = CveFit::None;
            std::string criteria;
            for (const auto& cpe : cve.cpes) {
                CveFit fit = matchCpe(cpe, d);
                if (fit > best) {
                    best = fit;
                    criteria = cpe.criteria;
                }
                if (best == CveFit::Confirmed) break;
            }
            if (best == CveFit::None) continue;
            bool confirmed = best == CveFit::Confirmed;
            dvul.cves.push_back(
                {cve.id, cve.cvss, cve.severity, cve.description, criteria, confirmed});
            (confirmed ? confirmedMax : unknownMax) =
                std::max(confirmed ? confirmedMax : unknownMax, cve.cvss);
        }
        if (dvul.cves.empty()) continue;
        std::sort(dvul.cves.begin(), dvul.cves.end(), [](const DeviceCve& a, const DeviceCve& b) {
            if (a.confirmed != b.confirmed) return a.confirmed;
            if (a.cvss != b.cvss) return a.cvss > b.cvss;
            return a.cveId < b.cveId;
        });
        dvul.risk = std::round(std::max(confirmedMax, unknownMax / 2) * 10) / 10;
        dvul.device = d;
        out.push_back(std::move(dvul));
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const DeviceVulnerabilities& a, const DeviceVulnerabilities& b) {
                         return a.risk > b.risk;
                     });
    return out;
}

}  // namespace ironsight::console::core
