// SPDX-License-Identifier: Apache-2.0
#include "console/core/ingest_committer.h"

#include <vector>

namespace ironsight::console::core {

IngestCommitter::IngestCommitter(ConsoleStore& store, std::size_t maxEnvelopesPerCommit)
    : store_(store),
      maxEnvelopesPerCommit_(maxEnvelopesPerCommit == 0 ? 1 : maxEnvelopesPerCommit),
      thread_([this] { run(); }) {}

IngestCommitter::~IngestCommitter() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    queued_.notify_all();
    thread_.join();
}

Result<std::uint64_t> IngestCommitter::apply(const std::string& sensorId, std::uint64_t epoch,
                                             const ironsight::v1::Batch& batch) {
    Pending pending{IngestBatch{sensorId, epoch, &batch}, std::nullopt};
    std::unique_lock lock(mutex_);
    if (stopping_) return makeError("the console is shutting down");
    queue_.push_back(&pending);
    queued_.notify_one();
    answered_.wait(lock, [&] { return pending.result.has_value(); });
    return std::move(*pending.result);
}

std::uint64_t IngestCommitter::transactions() const {
    std::lock_guard lock(mutex_);
    return transactions_;
}

std::uint64_t IngestCommitter::batches() const {
    std::lock_guard lock(mutex_);
    return batches_;
}

void IngestCommitter::run() {
    std::vector<Pending*> taken;
    std::vector<IngestBatch> group;
    while (true) {
        taken.clear();
        group.clear();
        {
            std::unique_lock lock(mutex_);
            queued_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping, and everything answered
            std::size_t envelopes = 0;
            while (!queue_.empty() && (taken.empty() || envelopes < maxEnvelopesPerCommit_)) {
                Pending* p = queue_.front();
                queue_.pop_front();
                envelopes += static_cast<std::size_t>(p->batch.batch->envelopes_size());
                taken.push_back(p);
                group.push_back(p->batch);
            }
        }
        // The store call runs without our lock, so streams keep queueing meanwhile.
        std::vector<Result<std::uint64_t>> results = store_.applyBatches(group, nowMs());
        {
            std::lock_guard lock(mutex_);
            for (std::size_t i = 0; i < taken.size(); ++i) taken[i]->result = std::move(results[i]);
            ++transactions_;
            batches_ += taken.size();
        }
        answered_.notify_all();
    }
}

}  // namespace ironsight::console::core
