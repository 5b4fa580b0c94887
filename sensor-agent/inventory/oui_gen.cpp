// SPDX-License-Identifier: Apache-2.0
// Build-time tool: turns Debian's ieee-data oui.csv into a sorted C++ table (oui_table.cpp).
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

namespace {

std::vector<std::string> splitCsv(const std::string& line) {
    std::vector<std::string> fields(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                fields.back() += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                fields.back() += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            fields.emplace_back();
        } else if (c != '\r') {
            fields.back() += c;
        }
    }
    return fields;
}

std::string escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        if (static_cast<unsigned char>(c) < 0x20) continue;
        out += c;
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: oui_gen OUI_CSV OUT_CPP\n";
        return 2;
    }
    std::vector<std::pair<unsigned, std::string>> rows;
    std::ifstream in(argv[1]);
    if (in) {
        std::string line;
        std::getline(in, line);  // header
        while (std::getline(in, line)) {
            auto f = splitCsv(line);
            if (f.size() < 3 || f[1].size() != 6) continue;
            rows.emplace_back(static_cast<unsigned>(std::stoul(f[1], nullptr, 16)), escape(f[2]));
        }
    } else {
        std::cerr << "oui_gen: " << argv[1] << " not found; generating an empty vendor table\n";
    }
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end(),
                           [](const auto& a, const auto& b) { return a.first == b.first; }),
               rows.end());
    std::ofstream out(argv[2]);
    out << "// Generated at build time from " << argv[1] << " by oui_gen: do not edit.\n"
        << "#include \"sensor-agent/inventory/oui.h\"\n\n"
        << "namespace ironsight::sensor::inventory {\n\n"
        << "const OuiEntry kOuiTable[] = {\n";
    for (const auto& [prefix, name] : rows) {
        char hex[16];
        std::snprintf(hex, sizeof hex, "0x%06x", prefix);
        out << "    {" << hex << ", \"" << name << "\"},\n";
    }
    if (rows.empty()) out << "    {0xffffffff, \"\"},\n";
    out << "};\nconst std::size_t kOuiTableSize = " << (rows.empty() ? 0 : rows.size())
        << ";\n\n}  // namespace ironsight::sensor::inventory\n";
    return out ? 0 : 1;
}
