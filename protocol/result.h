// Result<T, E>: a value or an expected failure (tl::expected underneath; builds with gcc 12 and clang 14).
#pragma once

#include <tl/expected.hpp>

namespace gregor {

template <class T, class E>
using Result = tl::expected<T, E>;

using tl::unexpected;

}  // namespace gregor
