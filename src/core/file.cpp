#include "core/file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace drsync::detail {

int read_small_file(const std::string& path, std::string& out, std::size_t max_size) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  out.clear();
  char buffer[16384];
  int failure = 0;
  while (true) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      failure = errno;
      break;
    }
    if (n == 0) break;
    out.append(buffer, static_cast<std::size_t>(n));
    if (out.size() > max_size) {
      failure = EFBIG;
      break;
    }
  }
  ::close(fd);
  return failure;
}

}  // namespace drsync::detail
