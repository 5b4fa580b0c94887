// SPDX-License-Identifier: Apache-2.0
// Proxy URL checks, password masking, the password file and the channel arguments. The proxy
// itself (tinyproxy on loopback) is exercised in link_client_test.cpp.
#include "sensor-agent/link/proxy.h"

#include <grpc/grpc.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

namespace ironsight::sensor::link {
namespace {

namespace fs = std::filesystem;

TEST(ProxyUrl, AcceptsHostPortWithOptionalCredentials) {
    auto plain = parseProxyUrl("http://proxy.plant.example:3128");
    ASSERT_TRUE(plain.ok()) << plain.error().message;
    EXPECT_EQ(plain->host, "proxy.plant.example");
    EXPECT_EQ(plain->port, "3128");
    EXPECT_TRUE(plain->user.empty());

    auto withCreds = parseProxyUrl("HTTP://alice:s%2Fcret@10.1.2.3:8080/");
    ASSERT_TRUE(withCreds.ok()) << withCreds.error().message;
    EXPECT_EQ(withCreds->user, "alice");
    EXPECT_EQ(withCreds->password, "s/cret");
    EXPECT_TRUE(withCreds->hasPassword);
    EXPECT_EQ(withCreds->host, "10.1.2.3");

    auto v6 = parseProxyUrl("http://[fd00::1]:3128");
    ASSERT_TRUE(v6.ok()) << v6.error().message;
    EXPECT_EQ(v6->host, "[fd00::1]");
    EXPECT_EQ(v6->port, "3128");
}

TEST(ProxyUrl, RefusesWhatGrpcCannotUseInOneLine) {
    const std::map<std::string, std::string> bad = {
        {"https://proxy:3128", "only http:// proxies"},
        {"proxy:3128", "not a URL"},
        {"http://proxy", "HOST:PORT required"},
        {"http://proxy:", "port must be a number"},
        {"http://proxy:99999", "port must be a number"},
        {"http://proxy:3128/path", "nothing may follow HOST:PORT"},
        {"http://fd00::1:3128", "in brackets"},
        {"http://a@b:c@proxy:3128", "cannot contain '@'"},
        {"http://a:b%40c@proxy:3128", "cannot contain '@'"},
        {"http://:pw@proxy:3128", "empty proxy user"},
        {"http://proxy :3128", "spaces"},
    };
    for (const auto& [url, why] : bad) {
        auto parsed = parseProxyUrl(url);
        ASSERT_FALSE(parsed.ok()) << url;
        EXPECT_NE(parsed.error().message.find(why), std::string::npos) << parsed.error().message;
        EXPECT_EQ(parsed.error().message.find('\n'), std::string::npos);
    }
}

TEST(ProxyUrl, MasksThePasswordEverywhere) {
    EXPECT_EQ(maskProxyUrl("http://alice:s3cret@proxy:3128"), "http://alice:***@proxy:3128");
    EXPECT_EQ(maskProxyUrl("http://alice@proxy:3128"), "http://alice@proxy:3128");
    EXPECT_EQ(maskProxyUrl("http://proxy:3128"), "http://proxy:3128");
    EXPECT_EQ(maskProxyUrl("http://alice:p@ss@proxy:3128"), "http://alice:***@proxy:3128");
    // Errors about a URL that does not parse show it masked too.
    auto bad = parseProxyUrl("https://alice:s3cret@proxy:3128/x");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().message.find("s3cret"), std::string::npos) << bad.error().message;
    EXPECT_NE(bad.error().message.find("https://alice:***@proxy:3128/x"), std::string::npos)
        << bad.error().message;
    EXPECT_EQ(viaProxy(""), "");
    EXPECT_EQ(viaProxy("http://alice:s3cret@proxy:3128"), " via proxy http://alice:***@proxy:3128");
}

TEST(ProxyUrl, ExplainsTheProxysAnswer) {
    const std::string prefix =
        "failed to connect to all addresses; last error: UNKNOWN: "
        "ipv4:127.0.0.1:3128: HTTP proxy returned response code ";
    EXPECT_NE(proxyFailureHint(prefix + "407").find("check the proxy user and password"),
              std::string::npos);
    EXPECT_NE(proxyFailureHint(prefix + "403").find("allow the console's link and enrollment"),
              std::string::npos);
    EXPECT_EQ(proxyFailureHint(prefix + "502"), " (the proxy refused the CONNECT with HTTP 502)");
    EXPECT_EQ(proxyFailureHint("Connection refused"), "");
}

class ProxyPasswordFile : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("ironsight-proxy-" + std::to_string(::getpid()));
        fs::create_directories(dir_);
        file_ = dir_ / "proxy.password";
    }
    void TearDown() override { fs::remove_all(dir_); }
    void write(const std::string& text, fs::perms mode) {
        { std::ofstream(file_) << text; }
        fs::permissions(file_, mode);
    }
    fs::path dir_, file_;
};

TEST_F(ProxyPasswordFile, PutsTheFirstLineInPercentEncoded) {
    write("s3/cr:et %\nsecond line\n", fs::perms::owner_read | fs::perms::owner_write);
    auto proxy = resolveProxy("http://alice@proxy:3128", file_.string());
    ASSERT_TRUE(proxy.ok()) << proxy.error().message;
    EXPECT_EQ(*proxy, "http://alice:s3%2Fcr%3Aet%20%25@proxy:3128");
    auto parsed = parseProxyUrl(*proxy);
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(parsed->password, "s3/cr:et %");
    EXPECT_EQ(maskProxyUrl(*proxy), "http://alice:***@proxy:3128");
}

TEST_F(ProxyPasswordFile, RefusesAFileOthersCanReadAndAmbiguousUse) {
    write("s3cret\n", fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_read);
    auto open = resolveProxy("http://alice@proxy:3128", file_.string());
    ASSERT_FALSE(open.ok());
    EXPECT_NE(open.error().message.find("readable by other users (mode 0604): chmod 600"),
              std::string::npos)
        << open.error().message;

    write("s3cret\n", fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
    EXPECT_TRUE(resolveProxy("http://alice@proxy:3128", file_.string()).ok());
    auto twice = resolveProxy("http://alice:other@proxy:3128", file_.string());
    ASSERT_FALSE(twice.ok());
    EXPECT_NE(twice.error().message.find("names the user and no password"), std::string::npos);
    EXPECT_EQ(twice.error().message.find("other@"), std::string::npos) << twice.error().message;
    EXPECT_FALSE(resolveProxy("http://proxy:3128", file_.string()).ok());  // no user
    EXPECT_FALSE(resolveProxy("", file_.string()).ok());
    EXPECT_FALSE(resolveProxy("http://alice@proxy:3128", (dir_ / "missing").string()).ok());

    write("\n", fs::perms::owner_read | fs::perms::owner_write);
    auto empty = resolveProxy("http://alice@proxy:3128", file_.string());
    ASSERT_FALSE(empty.ok());
    EXPECT_NE(empty.error().message.find("is empty"), std::string::npos);

    auto none = resolveProxy("", "");
    ASSERT_TRUE(none.ok());
    EXPECT_EQ(*none, "");
}

std::map<std::string, std::string> argsOf(const grpc::ChannelArguments& args) {
    grpc_channel_args raw{};
    args.SetChannelArgs(&raw);
    std::map<std::string, std::string> out;
    for (std::size_t i = 0; i < raw.num_args; ++i) {
        const grpc_arg& a = raw.args[i];
        out[a.key] = a.type == GRPC_ARG_STRING    ? std::string(a.value.string)
                     : a.type == GRPC_ARG_INTEGER ? std::to_string(a.value.integer)
                                                  : std::string("?");
    }
    return out;
}

TEST(ProxyArguments, NamedProxyOrNoneNeverTheEnvironments) {
    grpc::ChannelArguments direct;
    setProxyArguments(direct, "");
    auto d = argsOf(direct);
    EXPECT_EQ(d[GRPC_ARG_ENABLE_HTTP_PROXY], "0");
    EXPECT_EQ(d.count(GRPC_ARG_HTTP_PROXY), 0u);

    grpc::ChannelArguments proxied;
    setProxyArguments(proxied, "http://alice:pw@proxy:3128");
    auto p = argsOf(proxied);
    EXPECT_EQ(p[GRPC_ARG_ENABLE_HTTP_PROXY], "1");
    EXPECT_EQ(p[GRPC_ARG_HTTP_PROXY], "http://alice:pw@proxy:3128");
}

}  // namespace
}  // namespace ironsight::sensor::link
