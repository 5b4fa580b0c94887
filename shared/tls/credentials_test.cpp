// SPDX-License-Identifier: Apache-2.0
// Tests for the credential factories that do not need a server (the mutual-TLS behaviour itself
// is tested over loopback in console/core/link_server_test.cpp).
#include "shared/tls/credentials.h"

#include <gtest/gtest.h>

#include <map>

namespace ironsight::tls {
namespace {

TEST(Credentials, NeverFallsBackToSystemRoots) {
    EXPECT_EQ(channelCredentials(""), nullptr);
    EXPECT_NE(channelCredentials("-----BEGIN CERTIFICATE-----\n"), nullptr);
}

TEST(Credentials, ChannelArgumentsFollowReliabilityAppendixA) {
    grpc::ChannelArguments args = channelArguments("console.ironsight");
    grpc_channel_args c = args.c_channel_args();
    std::map<std::string, int> ints;
    std::map<std::string, std::string> strings;
    for (std::size_t i = 0; i < c.num_args; ++i) {
        const grpc_arg& a = c.args[i];
        if (a.type == GRPC_ARG_INTEGER) ints[a.key] = a.value.integer;
        if (a.type == GRPC_ARG_STRING) strings[a.key] = a.value.string;
    }
    EXPECT_EQ(strings[GRPC_SSL_TARGET_NAME_OVERRIDE_ARG], "console.ironsight");
    EXPECT_EQ(ints[GRPC_ARG_KEEPALIVE_TIME_MS], 30'000);
    EXPECT_EQ(ints[GRPC_ARG_KEEPALIVE_TIMEOUT_MS], 10'000);
    EXPECT_EQ(ints[GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS], 1);
    EXPECT_EQ(ints[GRPC_ARG_MAX_RECONNECT_BACKOFF_MS], 10'000);
    EXPECT_EQ(ints[GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH], 4 * 1024 * 1024);
}

}  // namespace
}  // namespace ironsight::tls
