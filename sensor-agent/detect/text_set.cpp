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

// A record: the text's length (LEB128: one byte below 128), the text. Rehashing hashes the
// texts again (a stored hash cost 4 bytes a text for that).
std::string_view TextSet::textAt(const char* record) {
    std::uint32_t length = 0;
    for (unsigned shift = 0;; shift += 7) {
        const auto byte = static_cast<std::uint8_t>(*record++);
        length |= static_cast<std::uint32_t>(byte & 0x7f) << shift;
        if (byte < 0x80) break;
    }
    return {record, length};
}

std::size_t TextSet::find(std::string_view text) const {
    if (tags_.empty()) return kNotFound;
    const std::uint32_t hash = hashOf(text);
    const std::uint8_t tag = tagOf(hash);
    const std::size_t mask = tags_.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
        if (tags_[i] == kEmpty) return kNotFound;
        if (tags_[i] == tag && entryAt(references_[i]) == text) return i;
    }
}

std::uint32_t TextSet::store(std::string_view text) {
    std::uint8_t length[5];
    std::size_t lengthBytes = 0;
    for (auto n = static_cast<std::uint32_t>(text.size());; n >>= 7) {
        length[lengthBytes++] = static_cast<std::uint8_t>(n < 0x80 ? n : (n & 0x7f) | 0x80);
        if (n < 0x80) break;
    }
    const std::size_t need = lengthBytes + text.size();
    if (chunks_.empty() || chunkSize_ - chunkUsed_ < need) {
        // A text longer than a chunk gets a chunk of its own (its offset in it is 0).
        if (chunks_.size() == kMaxChunks) throw std::length_error("TextSet: 4 GiB of text");
        chunkSize_ = std::max(kChunkBytes, need);
        chunks_.push_back(std::make_unique<char[]>(chunkSize_));
        chunkUsed_ = 0;
        arenaBytes_ += chunkSize_;
    }
    char* at = chunks_.back().get() + chunkUsed_;
    std::memcpy(at, length, lengthBytes);
    if (!text.empty()) std::memcpy(at + lengthBytes, text.data(), text.size());
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
        std::size_t i = hashOf(entryAt(references_[j])) & mask;
        while (tags[i] != kEmpty) i = (i + 1) & mask;
        tags[i] = tags_[j];
        references[i] = references_[j];
    }
    tags_ = std::move(tags);
    references_ = std::move(references);
    used_ = size_;
}

template <class Reference>
bool TextSet::add(std::string_view text, Reference reference) {
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
        } else if (tags_[i] == tag && entryAt(references_[i]) == text) {
            return false;
        }
    }
    if (free == kNotFound) {
        free = i;
        ++used_;
    }
    tags_[free] = tag;
    references_[free] = reference();
    ++size_;
    return true;
}

bool TextSet::insert(std::string_view text) {
    if (source_) throw std::logic_error("TextSet: insert() into an index");
    return add(text, [&] { return store(text); });
}

bool TextSet::insertKeyOf(std::string_view text) {
    if (!source_) throw std::logic_error("TextSet: insertKeyOf() into a set of texts");
    const std::size_t at = source_->find(text);
    if (at == kNotFound) return false;
    const std::uint32_t reference = source_->references_[at];
    // The key of the source's copy: it stays where it is.
    return add(keyOf_(source_->textAt(source_->record(reference))), [&] { return reference; });
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
        if (tags_[i] >= 2) out.push_back(entryAt(references_[i]));
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::size_t TextSet::memoryBytes() const {
    return tags_.capacity() + references_.capacity() * sizeof(std::uint32_t) + arenaBytes_;
}

}  // namespace ironsight::sensor::detect
