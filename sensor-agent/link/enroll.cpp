// SPDX-License-Identifier: Apache-2.0
// Enrollment client: one unary call over server-authenticated TLS.
#include "sensor-agent/link/enroll.h"

#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <climits>

#include "ironsight/v1/link.grpc.pb.h"
#include "sensor-agent/link/proxy.h"
#include "shared/base/version.h"
#include "shared/tls/credentials.h"

namespace ironsight::sensor::link {
namespace {

std::string codeName(int code) {
    switch (static_cast<grpc::StatusCode>(code)) {
        case grpc::StatusCode::OK:
            return "OK";
        case grpc::StatusCode::CANCELLED:
            return "CANCELLED";
        case grpc::StatusCode::INVALID_ARGUMENT:
            return "INVALID_ARGUMENT";
        case grpc::StatusCode::DEADLINE_EXCEEDED:
            return "DEADLINE_EXCEEDED";
        case grpc::StatusCode::NOT_FOUND:
            return "NOT_FOUND";
        case grpc::StatusCode::ALREADY_EXISTS:
            return "ALREADY_EXISTS";
        case grpc::StatusCode::PERMISSION_DENIED:
            return "PERMISSION_DENIED";
        case grpc::StatusCode::UNAUTHENTICATED:
            return "UNAUTHENTICATED";
        case grpc::StatusCode::FAILED_PRECONDITION:
            return "FAILED_PRECONDITION";
        case grpc::StatusCode::UNAVAILABLE:
            return "UNAVAILABLE";
        case grpc::StatusCode::UNIMPLEMENTED:
            return "UNIMPLEMENTED";
        case grpc::StatusCode::INTERNAL:
            return "INTERNAL";
        default:
            return "status " + std::to_string(code);
    }
}

std::string hostName() {
    char buf[HOST_NAME_MAX + 1] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0) return {};
    return buf;
}

}  // namespace

std::string describeStatus(int code, const std::string& message) {
    return codeName(code) + (message.empty() ? "" : ": " + message);
}

Result<v1::EnrollResponse> enroll(const v1::ActivationPayload& payload, const std::string& csrPem,
                                  std::chrono::milliseconds timeout, const std::string& proxy) {
    const std::string& endpoint = payload.enroll_endpoint();
    if (endpoint.empty()) return Error{"activation file names no enrollment endpoint"};
    if (payload.console_ca_pem().empty()) return Error{"activation file carries no console CA"};
    grpc::ChannelArguments args = tls::channelArguments(payload.console_tls_name());
    setProxyArguments(args, proxy);
    auto channel = grpc::CreateCustomChannel(
        endpoint, tls::channelCredentials(payload.console_ca_pem()), args);
    auto stub = v1::Enrollment::NewStub(channel);

    v1::EnrollRequest request;
    request.set_sensor_id(payload.sensor_id());
    request.set_enrollment_token(payload.enrollment_token());
    request.set_csr_pem(csrPem);
    request.set_hostname(hostName());
    request.set_version(ironsight::kVersion);
    request.set_clock_ms(std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count());

    v1::EnrollResponse response;
    const auto call = [&](bool waitForReady, std::chrono::milliseconds limit) {
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() + limit);
        context.set_wait_for_ready(waitForReady);
        return stub->Enroll(&context, request, &response);
    };
    // Ride out the first connection attempt until the deadline.
    grpc::Status status = call(true, timeout);
    if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
        status.error_code() == grpc::StatusCode::UNAVAILABLE) {
        // Waiting hides why the channel never became ready; one fail-fast call reports the
        // transport's last error (connection refused, TLS handshake, proxy 407 ...).
        grpc::Status again = call(false, std::chrono::seconds(2));
        if (again.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED) status = again;
    }
    if (status.ok()) {
        if (response.certificate_pem().empty()) {
            return Error{"console at " + endpoint + " returned no certificate"};
        }
        return response;
    }
    switch (status.error_code()) {
        case grpc::StatusCode::UNAVAILABLE:
        case grpc::StatusCode::DEADLINE_EXCEEDED:
            return Error{"console unreachable at " + endpoint + viaProxy(proxy) +
                         " (is it running? it opens enrollment only while an activation is "
                         "pending, so an already-used or expired file finds it closed; does its "
                         "certificate match the activation file?): " +
                         describeStatus(status.error_code(), status.error_message()) +
                         proxyFailureHint(status.error_message())};
        default:
            return Error{"activation refused by console: " +
                         (status.error_message().empty() ? describeStatus(status.error_code(), "")
                                                         : status.error_message())};
    }
}

}  // namespace ironsight::sensor::link
