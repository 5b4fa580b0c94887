// SPDX-License-Identifier: Apache-2.0
// Sensor throughput against a bare libpcap read loop on the same file (docs/BENCHMARKS.md).
// The capture is $IRONSIGHT_BENCH_PCAP, else a generated 60-minute plant line.
#include <benchmark/benchmark.h>
#include <pcap/pcap.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "sensor-agent/capture/pcap_file_source.h"
#include "sensor-agent/engine/engine.h"
#include "tests/support/plant_traffic.h"

namespace {

namespace fs = std::filesystem;

const fs::path& capture() {
    static const fs::path file = [] {
        if (const char* env = std::getenv("IRONSIGHT_BENCH_PCAP")) return fs::path(env);
        const fs::path generated = fs::temp_directory_path() / "ironsight-bench-plant.pcap";
        ironsight::test::PlantOptions options;
        options.minutes = 60;
        auto written = ironsight::test::writePlantLine(1, generated, options);
        if (!written) {
            std::cerr << written.error().message << "\n";
            std::exit(2);
        }
        return generated;
    }();
    return file;
}

/// The baseline: libpcap alone, touching every packet once.
void BM_BarePcapReadLoop(benchmark::State& state) {
    std::int64_t packets = 0, bytes = 0;
    for (auto _ : state) {
        char err[PCAP_ERRBUF_SIZE];
        pcap_t* p = pcap_open_offline(capture().c_str(), err);
        if (!p) {
            state.SkipWithError(err);
            return;
        }
        pcap_pkthdr* header = nullptr;
        const u_char* data = nullptr;
        std::uint64_t sum = 0;
        while (pcap_next_ex(p, &header, &data) == 1) {
            sum += data[header->caplen / 2];
            ++packets;
            bytes += header->caplen;
        }
        benchmark::DoNotOptimize(sum);
        pcap_close(p);
    }
    state.SetItemsProcessed(packets);
    state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_BarePcapReadLoop)->Unit(benchmark::kMillisecond);

/// The whole analysis pipeline: capture, decode, dissect, inventory, detection.
void BM_EngineAnalyze(benchmark::State& state) {
    std::int64_t packets = 0, bytes = 0;
    for (auto _ : state) {
        auto source = ironsight::sensor::PcapFileSource::open(capture());
        if (!source) {
            state.SkipWithError(source.error().message.c_str());
            return;
        }
        ironsight::sensor::Engine engine;
        ironsight::sensor::RawPacket packet;
        for (;;) {
            auto more = source->next(packet);
            if (!more || !*more) break;
            engine.process(packet);
            ++packets;
            bytes += static_cast<std::int64_t>(packet.data.size());
        }
        engine.finish();
        benchmark::DoNotOptimize(engine.devices().size());
    }
    state.SetItemsProcessed(packets);
    state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_EngineAnalyze)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
