// SPDX-License-Identifier: Apache-2.0
#include "console/core/ingest_committer.h"

#include <pthread.h>

#include <ctime>
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
    // Not owned: the caller keeps `batch` alive until the result is in.
    std::shared_ptr<const ironsight::v1::Batch> borrowed(std::shared_ptr<void>(), &batch);
    std::shared_ptr<Ticket> ticket = submit(openStream(sensorId, epoch), std::move(borrowed));
    if (!ticket) return makeError("the console is shutting down");
    return wait(*ticket);
}

std::shared_ptr<IngestCommitter::Stream> IngestCommitter::openStream(const std::string& sensorId,
                                                                     std::uint64_t epoch) {
    return std::make_shared<Stream>(sensorId, epoch);
}

std::shared_ptr<IngestCommitter::Ticket> IngestCommitter::submit(
    const std::shared_ptr<Stream>& stream, std::shared_ptr<const ironsight::v1::Batch> batch) {
    auto ticket = std::make_shared<Ticket>();
    ticket->stream_ = stream;
    ticket->batch_ = std::move(batch);
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return nullptr;
        queue_.push_back(ticket);
    }
    queued_.notify_one();
    return ticket;
}

Result<std::uint64_t> IngestCommitter::wait(const Ticket& ticket) {
    std::unique_lock lock(mutex_);
    answered_.wait(lock, [&] { return ticket.result_.has_value(); });
    return *ticket.result_;
}

std::uint64_t IngestCommitter::transactions() const {
    std::lock_guard lock(mutex_);
    return transactions_;
}

std::uint64_t IngestCommitter::batches() const {
    std::lock_guard lock(mutex_);
    return batches_;
}

IngestCommitter::Stats IngestCommitter::stats() const {
    Stats st;
    std::optional<clockid_t> clock;
    {
        std::lock_guard lock(mutex_);
        clock = cpuClock_;
        st.transactions = transactions_;
        st.batches = batches_;
        st.envelopes = envelopes_;
    }
    timespec ts{};
    if (clock && clock_gettime(*clock, &ts) == 0) {
        st.threadCpuSeconds =
            static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
    }
    return st;
}

void IngestCommitter::run() {
    std::vector<std::shared_ptr<Ticket>> taken;
    std::vector<IngestBatch> group;
    if (clockid_t clock{}; pthread_getcpuclockid(pthread_self(), &clock) == 0) {
        std::lock_guard lock(mutex_);
        cpuClock_ = clock;
    }
    while (true) {
        taken.clear();
        group.clear();
        bool refused = false;
        {
            std::unique_lock lock(mutex_);
            queued_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping, and everything answered
            std::size_t envelopes = 0;
            while (!queue_.empty() && (taken.empty() || envelopes < maxEnvelopesPerCommit_)) {
                std::shared_ptr<Ticket> t = std::move(queue_.front());
                queue_.pop_front();
                if (t->stream_->failed_) {
                    // Applying it would skip the failed batch's sequence numbers.
                    t->result_ = makeError("an earlier batch of this stream was not applied");
                    refused = true;
                    continue;
                }
                envelopes += static_cast<std::size_t>(t->batch_->envelopes_size());
                group.push_back(
                    IngestBatch{t->stream_->sensorId_, t->stream_->epoch_, t->batch_.get()});
                taken.push_back(std::move(t));
            }
        }
        if (refused) answered_.notify_all();
        if (taken.empty()) continue;
        // The store call runs without our lock, so streams keep queueing meanwhile.
        std::vector<Result<std::uint64_t>> results = store_.applyBatches(group, nowMs());
        {
            std::lock_guard lock(mutex_);
            for (const IngestBatch& b : group) {
                envelopes_ += static_cast<std::uint64_t>(b.batch->envelopes_size());
            }
            for (std::size_t i = 0; i < taken.size(); ++i) {
                if (!results[i]) taken[i]->stream_->failed_ = true;
                taken[i]->result_ = std::move(results[i]);
            }
            ++transactions_;
            batches_ += taken.size();
        }
        answered_.notify_all();
    }
}

}  // namespace ironsight::console::core
