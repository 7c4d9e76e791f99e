#include "recdeck/common/private_files.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>
#include <vector>

#ifndef _WIN32
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace recdeck {

namespace {

namespace fs = std::filesystem;

#ifndef _WIN32
std::string reason(int error) {
    return std::generic_category().message(error);
}

// Retries a call interrupted by a signal (bounded: a signal storm cannot spin forever).
template <typename Call>
int retryInterrupted(Call call) {
    int result = -1;
    for (int attempt = 0; attempt < 100; ++attempt) {
        result = call();
        if (result != -1 || errno != EINTR) break;
    }
    return result;
}
#endif

}  // namespace

Status createPrivateDirectories(const fs::path& folder) {
    if (folder.empty()) return {};
    std::error_code ec;
    if (fs::is_directory(folder, ec)) return {};
    // Missing components, outermost first.
    std::vector<fs::path> missing;
    for (fs::path current = folder; !current.empty(); current = current.parent_path()) {
        if (fs::exists(current, ec)) break;
        missing.push_back(current);
        if (current == current.parent_path()) break;  // a root that does not exist
    }
    for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
#ifdef _WIN32
        fs::create_directory(*it, ec);
        if (ec && !fs::is_directory(*it))
            return Error::internal("cannot create folder " + it->string() + ": " + ec.message());
#else
        if (::mkdir(it->c_str(), 0700) != 0 && !(errno == EEXIST && fs::is_directory(*it, ec))) {
            return Error::internal("cannot create folder " + it->string() + ": " + reason(errno));
        }
#endif
    }
    if (!fs::is_directory(folder, ec)) return Error::internal(folder.string() + " exists and is not a folder");
    return {};
}

Status ensurePrivateFile(const fs::path& file) {
#ifdef _WIN32
    std::error_code ec;
    if (!fs::exists(file, ec)) {
        std::ofstream create(file, std::ios::binary | std::ios::app);
        if (!create) return Error::internal("cannot create " + file.string());
    }
    return {};
#else
    const int fd = retryInterrupted([&] { return ::open(file.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600); });
    if (fd < 0) return Error::internal("cannot create " + file.string() + ": " + reason(errno));
    const int changed = ::fchmod(fd, 0600);
    const int error = errno;
    ::close(fd);
    if (changed != 0) return Error::internal("cannot make " + file.string() + " private (mode 0600): " + reason(error));
    return {};
#endif
}

Status restrictToOwner(const fs::path& file) {
#ifdef _WIN32
    (void)file;
    return {};
#else
    if (::chmod(file.c_str(), 0600) != 0 && errno != ENOENT) {
        return Error::internal("cannot make " + file.string() + " private (mode 0600): " + reason(errno));
    }
    return {};
#endif
}

Status syncFile(const fs::path& file) {
#ifdef _WIN32
    (void)file;
    return {};
#else
    const int fd = retryInterrupted([&] { return ::open(file.c_str(), O_RDONLY | O_CLOEXEC); });
    if (fd < 0) return Error::internal("cannot open " + file.string() + " to flush it: " + reason(errno));
    const int synced = retryInterrupted([&] { return ::fsync(fd); });
    const int error = errno;
    ::close(fd);
    if (synced != 0) return Error::internal("cannot flush " + file.string() + " to disk: " + reason(error));
    return {};
#endif
}

Status syncFolder(const fs::path& folder) {
#ifdef _WIN32
    (void)folder;
    return {};
#else
    const fs::path target = folder.empty() ? fs::path(".") : folder;
    const int fd = retryInterrupted([&] { return ::open(target.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); });
    if (fd < 0) return Error::internal("cannot open folder " + target.string() + " to flush it: " + reason(errno));
    const int synced = retryInterrupted([&] { return ::fsync(fd); });
    const int error = errno;
    ::close(fd);
    // Some file systems cannot fsync a folder; the data itself is already on disk.
    if (synced != 0 && error != EINVAL && error != EROFS) {
        return Error::internal("cannot flush folder " + target.string() + " to disk: " + reason(error));
    }
    return {};
#endif
}

bool readableByOthers(const fs::path& file) {
#ifdef _WIN32
    (void)file;
    return false;
#else
    struct stat info {};
    if (::stat(file.c_str(), &info) != 0) return false;
    return (info.st_mode & (S_IRGRP | S_IROTH)) != 0;
#endif
}

Result<std::string> readSecretFile(const fs::path& file, std::string_view what, std::size_t maxBytes) {
    const std::string where = std::string(what) + " file " + file.string();
    std::error_code ec;
    const auto status = fs::status(file, ec);
    if (ec || !fs::exists(status)) return Error::invalid(where + ": no such file");
    if (!fs::is_regular_file(status)) return Error::invalid(where + ": not a regular file");
    if (readableByOthers(file)) {
        return Error::invalid(where + ": group or others may read it; make it private (chmod 600 " + file.string() +
                              ")");
    }
    const auto size = fs::file_size(file, ec);
    if (ec) return Error::invalid(where + ": " + ec.message());
    if (size > maxBytes) return Error::invalid(where + ": larger than " + std::to_string(maxBytes) + " bytes");
    std::ifstream in(file, std::ios::binary);
    if (!in) return Error::invalid(where + ": cannot be read");
    std::string text(static_cast<std::size_t>(size), '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (const auto newline = text.find('\n'); newline != std::string::npos) text.resize(newline);
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (text.empty()) return Error::invalid(where + ": the first line is empty");
    return text;
}

}  // namespace recdeck
