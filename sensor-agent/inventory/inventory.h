// SPDX-License-Identifier: Apache-2.0
// Device inventory, connection graph and operation aggregation (SPEC §3.4, §6).
// Devices are keyed by MAC on the local segment; a MAC that carries many IPv4 addresses is a
// router, so the hosts behind it are keyed by IP. Multicast/broadcast are never devices.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "sensor-agent/decode/packet.h"
#include "sensor-agent/dissect/core/dissector.h"
#include "sensor-agent/engine/engine.h"

namespace ironsight::sensor::inventory {

struct InventoryLimits {
    std::size_t routerMinIps = 3;  // distinct IPv4 sources behind one MAC that make it a router
    std::size_t maxRangesPerOperation = 16;
};

class Inventory {
public:
    explicit Inventory(InventoryLimits limits = {}) : limits_(limits) {}

    void observePacket(const decode::DecodedPacket& packet);
    void observeArp(const decode::DecodedPacket& packet);
    /// A transport conversation: client/server decided by the caller.
    void observeConnection(const decode::IpAddress& client, const decode::IpAddress& server,
                           const std::string& transport, std::uint16_t serverPort,
                           const std::string& protocol, std::uint64_t bytes, std::int64_t tsUs);
    void observeOperation(const dissect::FlowContext& flow, const dissect::Operation& op);
    void observeIdentity(const dissect::FlowContext& flow, const dissect::Identity& identity);

    /// Device id for an address as things stand now ("" for group addresses).
    std::string deviceIdForIp(const std::string& ip) const;
    /// The IP's device, or for Ethernet-level protocols (no IP) the MAC's ("" for groups).
    std::string deviceIdFor(const std::string& ip, const std::string& mac) const;

    std::vector<DeviceRecord> devices() const;
    std::vector<ConnectionRecord> connections() const;
    std::vector<OperationRecord> operations() const;

private:
    struct MacInfo {
        std::set<decode::IpAddress> ipv4, ipv6, arpIps;
        std::set<std::uint32_t> vlans;
        std::int64_t firstUs = 0, lastUs = 0;
        std::set<ProtocolRole> roles;  // Ethernet-level protocols (Profinet DCP)
    };
    struct ProtocolStats {
        std::uint64_t reads = 0, writes = 0, program = 0, other = 0;
    };
    struct IpInfo {
        std::optional<decode::MacAddress> mac;  // last source MAC seen with this IP
        std::set<std::uint32_t> vlans;
        std::int64_t firstUs = 0, lastUs = 0;
        std::set<ProtocolRole> roles;
        std::map<std::string, ProtocolStats> asClient;  // per protocol
        std::map<std::string, dissect::Identity> identities;
        std::string hostname;
    };
    struct ConnKey {
        std::string clientIp, serverIp, transport;
        std::uint16_t port = 0;
        std::string protocol;
        auto operator<=>(const ConnKey&) const = default;
    };
    struct ConnInfo {
        std::uint64_t packets = 0, bytes = 0;
        std::int64_t firstUs = 0, lastUs = 0;
        std::set<std::string> opClasses;
    };
    struct OpKey {
        std::string protocol, clientIp, serverIp;
        std::map<std::string, std::int64_t> keys;
        std::string function;
        int functionCode = -1;
        std::map<std::string, std::string> textKeys;
        auto operator<=>(const OpKey&) const = default;
    };
    struct OpInfo {
        std::string opClass;
        std::uint64_t requests = 0, responses = 0, exceptions = 0;
        std::set<std::string> ranges;
    };

    IpInfo& ipInfo(const decode::IpAddress& ip, std::int64_t tsUs);
    bool isRouter(const decode::MacAddress& mac) const;
    std::optional<decode::MacAddress> ownerMac(const decode::IpAddress& ip,
                                               const IpInfo& info) const;
    std::string deviceIdFor(const decode::IpAddress& ip, const IpInfo& info) const;

    InventoryLimits limits_;
    std::map<decode::MacAddress, MacInfo> macs_;
    std::map<decode::IpAddress, IpInfo> ips_;
    std::map<std::string, decode::IpAddress> ipByText_;
    std::map<ConnKey, ConnInfo> connections_;
    std::map<OpKey, OpInfo> operations_;
    std::map<decode::MacAddress, std::map<std::string, dissect::Identity>> macIdentities_;
};

std::string macDeviceId(const decode::MacAddress& mac);
std::string ipDeviceId(const decode::IpAddress& ip);

}  // namespace ironsight::sensor::inventory
