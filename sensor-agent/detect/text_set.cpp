// SPDX-License-Identifier: Apache-2.0
// TextSet: linear probing over a power-of-two table, at most half full (erased slots count).
#include "sensor-agent/detect/text_set.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <stdexcept>

namespace ironsight::sensor::detect {

std::uint32_t TextSet::hashOf(std::string_view text) {
    const std::size_t h = std::hash<std::string_view>{}(text);
    return static_cast<std::uint32_t>(h ^ (h >> 32));
}

// A record: the text's length, the low 32 bits of its hash (rehashing reads them instead of
// hashing the text again), the text.
std::string_view TextSet::textAt(const char* record) {
    std::uint32_t length;
    std::memcpy(&length, record, sizeof length);
    return {record + 2 * sizeof length, length};
}

std::uint32_t TextSet::hashAt(const char* record) {
    std::uint32_t hash;
    std::memcpy(&hash, record + sizeof hash, sizeof hash);
    return hash;
}

std::size_t TextSet::find(std::string_view text) const {
    if (tags_.empty()) return kNotFound;
    const std::uint32_t hash = hashOf(text);
    const std::uint8_t tag = tagOf(hash);
    const std::size_t mask = tags_.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
        if (tags_[i] == kEmpty) return kNotFound;
        if (tags_[i] == tag && textAt(record(references_[i])) == text) return i;
    }
}

std::uint32_t TextSet::store(std::string_view text, std::uint32_t hash) {
    const std::size_t need = 2 * sizeof(std::uint32_t) + text.size();
    if (chunks_.empty() || chunkSize_ - chunkUsed_ < need) {
        // A text longer than a chunk gets a chunk of its own (its offset in it is 0).
        if (chunks_.size() == kMaxChunks) throw std::length_error("TextSet: 4 GiB of text");
        chunkSize_ = std::max(kChunkBytes, need);
        chunks_.push_back(std::make_unique<char[]>(chunkSize_));
        chunkUsed_ = 0;
        arenaBytes_ += chunkSize_;
    }
    char* at = chunks_.back().get() + chunkUsed_;
    const auto length = static_cast<std::uint32_t>(text.size());
    std::memcpy(at, &length, sizeof length);
    std::memcpy(at + sizeof length, &hash, sizeof hash);
    if (!text.empty()) std::memcpy(at + 2 * sizeof length, text.data(), text.size());
    const auto reference =
        static_cast<std::uint32_t>(((chunks_.size() - 1) << kChunkBits) | chunkUsed_);
    chunkUsed_ += need;
    return reference;
}

void TextSet::rehash(std::size_t slots) {
    std::vector<std::uint8_t> tags(slots, kEmpty);
    std::vector<std::uint32_t> references(slots, 0);
    const std::size_t mask = slots - 1;
    for (std::size_t j = 0; j < tags_.size(); ++j) {
        if (tags_[j] < 2) continue;  // empty or erased
        std::size_t i = hashAt(record(references_[j])) & mask;
        while (tags[i] != kEmpty) i = (i + 1) & mask;
        tags[i] = tags_[j];
        references[i] = references_[j];
    }
    tags_ = std::move(tags);
    references_ = std::move(references);
    used_ = size_;
}

bool TextSet::insert(std::string_view text) {
    if (4 * (used_ + 1) > 3 * tags_.size()) {
        // Grow when the texts alone pass three eighths, else only clear the erased slots.
        rehash(std::max<std::size_t>(16, 8 * (size_ + 1) > 3 * tags_.size() ? 2 * tags_.size()
                                                                             : tags_.size()));
    }
    // One probe sequence: the text, or the first free slot (an erased one is reused).
    const std::uint32_t hash = hashOf(text);
    const std::uint8_t tag = tagOf(hash);
    const std::size_t mask = tags_.size() - 1;
    std::size_t free = kNotFound;
    std::size_t i = hash & mask;
    for (;; i = (i + 1) & mask) {
        if (tags_[i] == kEmpty) break;
        if (tags_[i] == kErased) {
            if (free == kNotFound) free = i;
        } else if (tags_[i] == tag && textAt(record(references_[i])) == text) {
            return false;
        }
    }
    if (free == kNotFound) {
        free = i;
        ++used_;
    }
    tags_[free] = tag;
    references_[free] = store(text, hash);
    ++size_;
    return true;
}

std::size_t TextSet::erase(std::string_view text) {
    const std::size_t i = find(text);
    if (i == kNotFound) return 0;
    tags_[i] = kErased;  // probing continues past it
    --size_;
    return 1;
}

std::vector<std::string_view> TextSet::sorted() const {
    std::vector<std::string_view> out;
    out.reserve(size_);
    for (std::size_t i = 0; i < tags_.size(); ++i) {
        if (tags_[i] >= 2) out.push_back(textAt(record(references_[i])));
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::size_t TextSet::memoryBytes() const {
    return tags_.capacity() + references_.capacity() * sizeof(std::uint32_t) + arenaBytes_;
}

}  // namespace ironsight::sensor::detect
