// SPDX-License-Identifier: Apache-2.0
// Enrollment (SPEC §4.1 step 2): token + CSR -> client certificate over TLS pinned to the file's
// CA.
#pragma once

#include <chrono>
#include <string>

#include "ironsight/v1/activation.pb.h"
#include "ironsight/v1/link.pb.h"
#include "shared/base/result.h"

namespace ironsight::sensor::link {

/// Calls Enrollment.Enroll at payload.enroll_endpoint, trusting only payload.console_ca_pem and
/// checking payload.console_tls_name. Errors: "activation refused by console: <reason>" when the
/// console says no, "console unreachable at <endpoint>: ..." when it cannot be reached.
/// `proxy`: an HTTP CONNECT proxy URL from resolveProxy (proxy.h), or empty for a direct call.
Result<v1::EnrollResponse> enroll(const v1::ActivationPayload& payload, const std::string& csrPem,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(10),
                                  const std::string& proxy = {});

/// A one-line text for a failed link call ("<CODE>: <message>").
std::string describeStatus(int code, const std::string& message);

}  // namespace ironsight::sensor::link
