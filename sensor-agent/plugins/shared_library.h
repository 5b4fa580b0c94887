// SPDX-License-Identifier: Apache-2.0
// SharedLibrary: RAII owner of a dlopen() handle (closed with dlclose() when the last owner goes).
#pragma once

#include <dlfcn.h>

#include <filesystem>
#include <string>
#include <utility>

#include "shared/base/result.h"

namespace ironsight::sensor::plugins {

class SharedLibrary {
public:
    /// RTLD_NOW: unresolved symbols fail here, with dlerror()'s line, not at the first call.
    /// RTLD_LOCAL: a plugin's symbols never satisfy another plugin's.
    static Result<SharedLibrary> open(const std::filesystem::path& file) {
        ::dlerror();
        void* handle = ::dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (!handle) {
            const char* why = ::dlerror();
            return makeError(why ? why : "dlopen failed");
        }
        return SharedLibrary(handle);
    }

    SharedLibrary(SharedLibrary&& other) noexcept
        : handle_(std::exchange(other.handle_, nullptr)) {}
    SharedLibrary& operator=(SharedLibrary&& other) noexcept {
        if (this != &other) {
            close();
            handle_ = std::exchange(other.handle_, nullptr);
        }
        return *this;
    }
    SharedLibrary(const SharedLibrary&) = delete;
    SharedLibrary& operator=(const SharedLibrary&) = delete;
    ~SharedLibrary() { close(); }

    /// The address of a function the library exports, or nullptr.
    template <class Fn>
    Fn function(const char* name) const {
        void* address = ::dlsym(handle_, name);
        // POSIX guarantees object and function pointers convert (dlsym's contract).
        return reinterpret_cast<Fn>(address);
    }

private:
    explicit SharedLibrary(void* handle) : handle_(handle) {}
    void close() {
        if (handle_) ::dlclose(handle_);
        handle_ = nullptr;
    }

    void* handle_ = nullptr;
};

}  // namespace ironsight::sensor::plugins
