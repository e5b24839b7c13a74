// Password hashing. The ZStack API never carries the plain password: clients send the lowercase
// hex SHA-512 of it. That digest is itself a password equivalent, so it is not stored as is:
// the account row keeps a random per-account salt and PBKDF2-HMAC-SHA256 of the received digest,
// written as "pbkdf2-sha256$<iterations>$<hex>" so the cost can rise later without breaking
// stored hashes.
#pragma once

#include <string>
#include <string_view>

namespace strato::identity {

// Lowercase hex SHA-512, the form the API sends (and the form of the admin's default password).
std::string sha512Hex(std::string_view text);

// 16 bytes from the OS CSPRNG, as 32 hex digits.
std::string newSalt();

// The stored form of `received` (what the API carried) under `salt`.
std::string hashPassword(std::string_view salt, std::string_view received);

// Recomputes with the stored parameters and compares in constant time. False for a stored hash
// in an unknown format.
bool verifyPassword(std::string_view storedHash, std::string_view salt, std::string_view received);

}  // namespace strato::identity
