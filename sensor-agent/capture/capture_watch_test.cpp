// SPDX-License-Identifier: Apache-2.0
// CaptureWatch: when live capture raises sensor_capture (drops over a threshold within an
// interval, an interface silent for several intervals).
#include "sensor-agent/capture/capture_watch.h"

#include <gtest/gtest.h>

namespace ironsight::sensor {
namespace {

TEST(CaptureWatchTest, DropsOverTheThresholdWithinOneIntervalAlert) {
    CaptureWatch watch(100, 6);
    EXPECT_EQ(watch.update("eth1", 1000, 0, 10, true), "");
    EXPECT_EQ(watch.update("eth1", 2000, 99, 10, true), "");   // 99 new drops: under
    EXPECT_EQ(watch.update("eth1", 3000, 150, 10, true), "");  // 51 new: under (not cumulative)
    EXPECT_EQ(watch.update("eth1", 4000, 400, 10, true), "250 packets dropped on eth1 in 10 s");
    EXPECT_EQ(watch.update("eth1", 5000, 400, 10, true), "");  // no new drops
    // A reopened handle counts from zero again: its drops count in full.
    EXPECT_EQ(watch.update("eth1", 100, 120, 10, true), "120 packets dropped on eth1 in 10 s");
    // Sources are independent; the queue is never "silent".
    EXPECT_EQ(watch.update("queue", 0, 500, 10, false), "500 packets dropped on queue in 10 s");
    for (int i = 0; i < 10; ++i) EXPECT_EQ(watch.update("queue", 0, 500, 10, false), "");
}

TEST(CaptureWatchTest, ASilentInterfaceAlertsOncePerSilence) {
    CaptureWatch watch(100, 3);
    EXPECT_EQ(watch.update("eth2", 10, 0, 10, true), "");
    EXPECT_EQ(watch.update("eth2", 10, 0, 10, true), "");
    EXPECT_EQ(watch.update("eth2", 10, 0, 10, true), "");
    EXPECT_EQ(watch.update("eth2", 10, 0, 10, true), "no traffic on eth2 for 30 s");
    EXPECT_EQ(watch.update("eth2", 10, 0, 10, true), "");  // reported once
    EXPECT_EQ(watch.update("eth2", 11, 0, 10, true), "");  // traffic again: re-armed
    EXPECT_EQ(watch.update("eth2", 11, 0, 10, true), "");
    EXPECT_EQ(watch.update("eth2", 11, 0, 10, true), "");
    EXPECT_EQ(watch.update("eth2", 11, 0, 10, true), "no traffic on eth2 for 30 s");
}

}  // namespace
}  // namespace ironsight::sensor
