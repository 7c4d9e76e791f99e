#include "http_types.h"

#include <nlohmann/json.hpp>

namespace recdeck::http {

HttpResponse jsonError(int status, std::string_view error, std::string_view detail) {
    HttpResponse response;
    response.status = status;
    const nlohmann::json body = {{"error", std::string(error)}, {"detail", std::string(detail)}};
    const std::string text = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    response.body = QByteArray(text.data(), static_cast<qsizetype>(text.size()));
    return response;
}

HttpResponse methodNotAllowed(const QByteArray& allow) {
    HttpResponse response = jsonError(405, "method_not_allowed", "use " + allow.toStdString() + " for this path");
    response.headers.append({"Allow", allow});
    return response;
}

}  // namespace recdeck::http
