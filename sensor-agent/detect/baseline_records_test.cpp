// SPDX-License-Identifier: Apache-2.0
// The baseline's binary records (session 11) against the set of texts they replaced: what is
// held as a record prints back to its text, the export is the sorted set of the items learned,
// and lookups (known connections, talk items, the pair index) answer as the texts did.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>

#include "sensor-agent/detect/baseline_records.h"
#include "sensor-agent/detect/detector.h"

namespace ironsight::sensor::detect {
namespace {

struct Random {
    std::uint64_t state;
    std::uint64_t operator()(std::uint64_t n) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return (state >> 33) % n;
    }
};

std::vector<std::string> wordsOf(const std::string& line) {
    std::istringstream in(line);
    std::vector<std::string> w;
    for (std::string word; in >> word;) w.push_back(word);
    return w;
}

// Only a text IpAddress::toString would write is taken (it is what the export writes back).
TEST(BaselineRecordsTest, ParsesExactlyWhatPrintsBack) {
    Random next{7};
    const char* const odd[] = {"",       "1.2.3",    "1.2.3.4.", "01.2.3.4", "1.2.3.256",
                               "1..3.4", " 1.2.3.4", "1.2.3.4 ", "1.2.3.-4", "1.2.3.0004",
                               "::1",    "a.b.c.d",  "1.2.3.4x", "00.0.0.0", "255.255.255.255"};
    for (const char* text : odd) {
        std::uint32_t v = 0;
        decode::IpAddress addr;
        const bool canonical =
            parseIpAddress(text, addr) && !addr.v6 && addr.toString() == std::string(text);
        EXPECT_EQ(BaselineRecords::parseV4(text, v), canonical) << text;
        if (canonical) {
            EXPECT_EQ(v, addr.v4Value()) << text;
        }
    }
    for (int i = 0; i < 100000; ++i) {
        const auto v = static_cast<std::uint32_t>(next(1ULL << 32));
        std::string text;
        BaselineRecords::appendV4(text, v);
        ASSERT_EQ(text, decode::IpAddress::v4(v).toString());
        std::uint32_t back = 0;
        ASSERT_TRUE(BaselineRecords::parseV4(text, back));
        ASSERT_EQ(back, v);
        // A digit more or less somewhere: taken only when it still prints back the same.
        std::string changed = text;
        const std::size_t at = next(changed.size() + 1);
        if (next(2)) {
            changed.insert(at, 1, static_cast<char>('0' + next(10)));
        } else if (at < changed.size()) {
            changed.erase(at, 1);
        }
        decode::IpAddress addr;
        const bool canonical =
            parseIpAddress(changed, addr) && !addr.v6 && addr.toString() == changed;
        ASSERT_EQ(BaselineRecords::parseV4(changed, back), canonical) << changed;
    }
    for (std::uint32_t port = 0; port < 70000; port += 1 + next(3)) {
        std::uint16_t back = 0;
        ASSERT_EQ(BaselineRecords::parsePort(std::to_string(port), back), port <= 65535);
        if (port <= 65535) {
            ASSERT_EQ(back, port);
        }
        ASSERT_FALSE(BaselineRecords::parsePort("0" + std::to_string(port), back));
    }
    std::uint16_t back = 0;
    EXPECT_FALSE(BaselineRecords::parsePort("", back));
    EXPECT_FALSE(BaselineRecords::parsePort("+1", back));
}

// What a baseline of texts would answer (the session 10 detector): items as a std::set, the
// conn keys, hosts and pair index derived from the items' words.
struct TextModel {
    std::set<std::string> items, connKeys, hosts, pairs;
    void learn(const std::string& item) {
        if (!items.insert(item).second) return;
        const auto w = wordsOf(item);
        const auto pair = [&](const std::string& p, std::string a, std::string b) {
            if (b < a) std::swap(a, b);
            pairs.insert(p + " " + a + " " + b);
        };
        if (w.size() == 4 && w[0] == "talk") {
            hosts.insert({w[2], w[3]});
            pair(w[1], w[2], w[3]);
        } else if (w.size() == 2 && w[0] == "device") {
            hosts.insert(w[1]);
        } else if (w.size() == 6 && w[0] == "conn") {
            hosts.insert({w[2], w[3]});
            connKeys.insert(w[1] + " " + w[2] + " " + w[3] + " " + w[4]);
            if (w[5] != "-") pair(w[5], w[2], w[3]);
        }
    }
    std::string exported() const {
        std::string out;
        for (const auto& item : items) out += item + "\n";
        return out;
    }
    /// The alert onConnection raises in detection mode, "" when none.
    std::string alertFor(const ConnectionEvent& c) const {
        const std::uint16_t port = c.protocol.empty() && c.serverPort >= 49152 ? 0 : c.serverPort;
        if (connKeys.count(c.transport + " " + c.clientIp + " " + c.serverIp + " " +
                           std::to_string(port))) {
            return "";
        }
        if (!c.protocol.empty() &&
            items.count("talk " + c.protocol + " " + c.clientIp + " " + c.serverIp)) {
            return "";
        }
        std::string a = c.clientIp, b = c.serverIp;
        if (b < a) std::swap(a, b);
        if (!c.protocol.empty() && hosts.count(c.clientIp) && hosts.count(c.serverIp) &&
            !pairs.count(c.protocol + " " + a + " " + b)) {
            return "new_protocol";
        }
        return "unauthorized_connection";
    }
};

// Addresses from a small pool (repeats), some written so that they cannot be records
// (leading zeros, IPv6), protocols beyond the first few, conflicting protocols for one key,
// other spacing, transports and ports that do not print back.
struct ItemGenerator {
    Random& next;
    std::string address() {
        switch (next(12)) {
            case 0:
                return "fd00::" + std::to_string(next(5));
            case 1:
                return "10.0.0.0" + std::to_string(next(3));  // a leading zero
            default:
                return "10.0." + std::to_string(next(3)) + "." + std::to_string(next(12));
        }
    }
    std::string protocol() {
        static const char* const names[] = {"modbus", "s7comm", "tls", "-", "dnp3", "http"};
        return next(8) == 0 ? "p" + std::to_string(next(40)) : names[next(6)];
    }
    std::string port() {
        switch (next(10)) {
            case 0:
                return "0" + std::to_string(next(600));  // does not print back
            case 1:
                return std::to_string(65530 + next(10));  // 65536.. too
            default:
                return std::to_string(next(4) == 0 ? 0 : 500 + next(6));
        }
    }
    std::string item() {
        const std::string a = address(), b = address();
        switch (next(10)) {
            case 0:
                return "talk " + protocol() + " " + a + " " + b;
            case 1:
                return "talk " + protocol() + " " + a + " " + b;
            case 2:
                return "device " + a;
            case 3:
                return "conn  tcp " + a + " " + b + " " + port() + " " + protocol();
            case 4:
                return "conn sctp " + a + " " + b + " " + port() + " " + protocol();
            case 5:
                return "talk " + protocol() + " " + a + " " + b + " extra";
            default:
                return std::string("conn ") + (next(2) ? "tcp " : "udp ") + a + " " + b + " " +
                       port() + " " + protocol();
        }
    }
};

// Randomized differential: baselines imported as text must export as the sorted set of their
// lines, import back to the same bytes, and answer every connection as the texts did.
TEST(BaselineRecordsTest, DetectorAnswersAsTheSetOfTextsDid) {
    Random next{2026};
    ItemGenerator gen{next};
    for (int round = 0; round < 40; ++round) {
        TextModel model;
        Detector d(false);
        std::string chunk;
        const int count = 50 + static_cast<int>(next(400));
        for (int i = 0; i < count; ++i) {
            const std::string item = gen.item();
            model.learn(wordsOf(item).empty() ? std::string() : item);
            chunk += item + "\n";
            if (next(50) == 0) {  // imported in pieces, as several baselines would be
                d.importBaseline(chunk);
                chunk.clear();
            }
        }
        d.importBaseline(chunk);
        const std::string exported = d.exportBaseline();
        ASSERT_EQ(exported, model.exported()) << round;
        Detector copy(false);
        copy.importBaseline(exported);
        ASSERT_EQ(copy.exportBaseline(), exported) << round;

        for (int q = 0; q < 400; ++q) {
            ConnectionEvent c;
            c.clientIp = gen.address();
            c.serverIp = gen.address();
            if (c.clientIp == c.serverIp) continue;
            c.transport = next(3) ? "tcp" : "udp";
            c.serverPort =
                static_cast<std::uint16_t>(next(5) == 0 ? 49152 + next(5) : 500 + next(6));
            c.protocol = gen.protocol();
            if (c.protocol == "-") c.protocol.clear();
            c.timestampUs = 1000000 + q;
            const std::string expected = model.alertFor(c);
            (void)d.takeChangedAlertIds();
            d.onConnection(c, "client" + std::to_string(q), "server" + std::to_string(q));
            const auto changed = d.takeChangedAlertIds();
            const std::string got =
                changed.empty() ? "" : changed.begin()->substr(0, changed.begin()->rfind('-'));
            ASSERT_EQ(got, expected) << round << " " << c.transport << " " << c.clientIp << " "
                                     << c.serverIp << " " << c.serverPort << " " << c.protocol;
        }
    }
}

// Learning from connections and operations writes the items the text baseline wrote: a
// connection once per (transport, client, server, port) with its first protocol, a talk item
// per (protocol, client, server), IPv4 as records and IPv6 as texts side by side.
TEST(BaselineRecordsTest, LearningWritesTheTextsItWroteBefore) {
    Random next{99};
    ItemGenerator gen{next};
    Detector d(true);
    TextModel model;
    for (int i = 0; i < 20000; ++i) {
        std::string client = gen.address(), server = gen.address();
        if (client == server) continue;
        if (next(3) == 0) {
            dissect::Operation op;
            op.protocol = gen.protocol();
            if (op.protocol == "-") op.protocol = "modbus";
            op.function = "read_holding_registers";
            op.opClass = "read";
            op.request = false;  // a response: no polling profile (its "poll" line) either
            const dissect::FlowContext flow{client,     server, 40000, 502, dissect::Transport::Tcp,
                                            1000000 + i};
            d.onOperation(flow, op, "a", "b");
            model.learn("talk " + op.protocol + " " + client + " " + server);
            continue;
        }
        ConnectionEvent c;
        c.clientIp = client;
        c.serverIp = server;
        c.transport = next(2) ? "tcp" : "udp";
        c.serverPort = static_cast<std::uint16_t>(next(6) == 0 ? 49152 + next(9) : 500 + next(9));
        c.protocol = gen.protocol();
        if (c.protocol == "-") c.protocol.clear();
        c.timestampUs = 1000000 + i;
        const std::uint16_t port = c.protocol.empty() && c.serverPort >= 49152 ? 0 : c.serverPort;
        const std::string key =
            c.transport + " " + client + " " + server + " " + std::to_string(port);
        if (!model.connKeys.count(key)) {
            model.learn("conn " + key + " " + (c.protocol.empty() ? "-" : c.protocol));
        }
        d.onConnection(c, "a", "b");
    }
    std::string exported = d.exportBaseline();
    std::string expected;
    for (const auto& item : model.items) expected += item + "\n";
    EXPECT_EQ(exported, expected);
    EXPECT_EQ(d.baselineSize(), model.items.size());
    EXPECT_GT(model.items.size(), 1000u);
}

}  // namespace
}  // namespace ironsight::sensor::detect
