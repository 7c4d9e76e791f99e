#pragma once
// Files and folders only their owner may read: the data folder, the event log, the
// experiments database, saved models and secrets (passwords, tokens) read from files.
//
// On POSIX, folders RecDeck creates get mode 0700 and files 0600, set when they are
// created (never created wider and narrowed afterwards, so no other user can open them
// in between). Files that already exist with wider modes are narrowed by
// restrictToOwner(). On Windows the modes do not apply; files inherit the folder's ACL
// (the user's profile), and these functions only create.
//
// Thread safety: free functions without shared state.

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "recdeck/common/result.h"

namespace recdeck {

// Creates `folder` and its missing parents with mode 0700. Folders that exist already
// keep their mode (a user's own choice, such as a shared parent). Fails with the folder
// and the reason.
Status createPrivateDirectories(const std::filesystem::path& folder);

// Creates `file` empty with mode 0600 if it does not exist (its parent must exist);
// narrows an existing file to 0600 (owner read/write). Fails with the file and the reason.
Status ensurePrivateFile(const std::filesystem::path& file);

// Narrows an existing file to 0600; a missing file is not an error.
Status restrictToOwner(const std::filesystem::path& file);

// Flushes a written file's data to the disk (fsync), so a rename that follows cannot
// survive a crash without the data. A missing file is an error.
Status syncFile(const std::filesystem::path& file);
// Flushes a folder's entries (after a rename into it). Best effort where unsupported.
Status syncFolder(const std::filesystem::path& folder);

// True when group or others may read the file (POSIX mode bits 0044); always false on
// Windows.
bool readableByOthers(const std::filesystem::path& file);

// Reads a secret (password, token) from a file: it must be a regular file of at most
// maxBytes that neither group nor others may read (POSIX), so a leaked mode is refused
// rather than silently used. The first line is the secret (a trailing "\n" or "\r\n" is
// removed); it must not be empty. Messages name the file and `what`, never the secret.
Result<std::string> readSecretFile(const std::filesystem::path& file, std::string_view what,
                                   std::size_t maxBytes = 4096);

}  // namespace recdeck
