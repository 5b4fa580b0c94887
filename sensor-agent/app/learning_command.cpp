// SPDX-License-Identifier: Apache-2.0
// `ironsight-sensor learning on|off`: persists the learning-mode flag in the state directory.
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "sensor-agent/app/commands.h"
#include "sensor-agent/store/state_store.h"

namespace ironsight::sensor::app {
namespace {

int setLearning(const std::string& mode, const std::filesystem::path& stateDir) {
    auto store = store::StateStore::open(stateDir);
    if (!store) {
        std::cerr << "error: " << store.error().message << "\n";
        return 1;
    }
    const bool on = mode == "on";
    if (auto st = store->setLearning(on); !st) {
        std::cerr << "error: cannot save the learning flag: " << st.error().message << "\n";
        return 1;
    }
    std::cout << "Learning mode " << (on ? "on" : "off")
              << " (a running agent picks it up at its next start, or when the console sends it)\n";
    return 0;
}

void addLearningCommand(CLI::App& app) {
    auto* cmd = app.add_subcommand("learning", "Switch learning mode on or off (while on, traffic becomes the baseline and raises no policy alerts)");
    auto mode = std::make_shared<std::string>();
    auto stateDir = std::make_shared<std::string>(store::defaultStateDir().string());
    cmd->add_option("MODE", *mode, "on or off")->required()->check(CLI::IsMember({"on", "off"}));
    cmd->add_option("--state-dir", *stateDir, "Sensor state directory")->capture_default_str();
    cmd->callback([mode, stateDir] { exitCode() = setLearning(*mode, *stateDir); });
}

const CommandRegistration registration{40, &addLearningCommand};

}  // namespace
}  // namespace ironsight::sensor::app
