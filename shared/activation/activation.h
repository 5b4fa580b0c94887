// SPDX-License-Identifier: Apache-2.0
// The activation file (SPEC §4.1, docs/ACTIVATION.md): armored text around a signed
// ironsight.v1.ActivationBundle. The console writes it; the sensor verifies and uses it once.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "ironsight/v1/activation.pb.h"
#include "shared/base/result.h"
#include "shared/crypto/crypto.h"

namespace ironsight::activation {

/// Signs `payload` with the CA key and returns the armored file text.
Result<std::string> encode(const ironsight::v1::ActivationPayload& payload, const EVP_PKEY* caKey);

/// Parses armored text and checks: format, signature by the CA embedded in the payload,
/// validity window against `nowMs`. Errors are specific one-liners ("activation file expired
/// on 2026-11-30 10:00 UTC", "activation file signature invalid (file altered?)", ...).
Result<ironsight::v1::ActivationPayload> decodeAndVerify(std::string_view text, std::int64_t nowMs);

/// readFile + decodeAndVerify, with the file name in every error.
Result<ironsight::v1::ActivationPayload> readAndVerify(const std::filesystem::path& file,
                                                       std::int64_t nowMs);

/// The SPIFFE-style URI SAN the console puts in a sensor's certificate.
std::string sensorUri(const std::string& sensorId);
/// The sensor id from such a URI, or empty when `uri` is not one.
std::string sensorIdFromUri(const std::string& uri);

}  // namespace ironsight::activation
