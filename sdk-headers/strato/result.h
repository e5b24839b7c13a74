// Result<T>: a value or an Error, the way every SDK call reports failure. Exceptions never cross
// the plugin boundary; errors travel as values.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace strato {

// Domain error codes. The REST layer maps each to an HTTP status and a ZStack error code in one
// table; keep the list short and meaningful rather than exhaustive.
enum class ErrorCode {
  kInvalidArgument,   // the caller sent something wrong: 400
  kNotFound,          // the named thing does not exist
  kAlreadyExists,     // a unique name or uuid is taken
  kNotSupported,      // the implementation cannot do this operation at all
  kNotImplemented,    // declared but not built yet
  kPermissionDenied,  // authenticated, but not allowed
  kUnauthenticated,   // no valid session
  kTimeout,           // no answer in time
  kCancelled,         // the caller gave up
  kConflict,          // the resource is in a state that forbids this
  kUnavailable,       // a dependency (database, agent) cannot be reached
  kInternal,          // a bug or an unexpected failure
};

inline std::string_view toString(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "InvalidArgument";
    case ErrorCode::kNotFound: return "NotFound";
    case ErrorCode::kAlreadyExists: return "AlreadyExists";
    case ErrorCode::kNotSupported: return "NotSupported";
    case ErrorCode::kNotImplemented: return "NotImplemented";
    case ErrorCode::kPermissionDenied: return "PermissionDenied";
    case ErrorCode::kUnauthenticated: return "Unauthenticated";
    case ErrorCode::kTimeout: return "Timeout";
    case ErrorCode::kCancelled: return "Cancelled";
    case ErrorCode::kConflict: return "Conflict";
    case ErrorCode::kUnavailable: return "Unavailable";
    case ErrorCode::kInternal: return "Internal";
  }
  return "Internal";
}

inline std::optional<ErrorCode> errorCodeFromString(std::string_view name) {
  for (int i = 0; i <= static_cast<int>(ErrorCode::kInternal); ++i) {
    auto code = static_cast<ErrorCode>(i);
    if (toString(code) == name) return code;
  }
  return std::nullopt;
}

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;  // one line a user can act on
  std::string details;  // optional: cause chain, offending value

  std::string describe() const {
    std::string text = std::string(toString(code)) + ": " + message;
    if (!details.empty()) text += " (" + details + ")";
    return text;
  }
};

inline Error makeError(ErrorCode code, std::string message, std::string details = {}) {
  return Error{code, std::move(message), std::move(details)};
}

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { return std::get<1>(state_); }

  T valueOr(T fallback) const& { return ok() ? value() : std::move(fallback); }

 private:
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return *error_; }

 private:
  std::optional<Error> error_;
};

using Status = Result<void>;

inline Status okStatus() { return {}; }

}  // namespace strato
