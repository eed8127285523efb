// Symbol visibility for the public C++ API (the library is built with hidden visibility).
#pragma once

#if defined(DRSYNC_STATIC)
#define DRSYNC_API
#else
#define DRSYNC_API __attribute__((visibility("default")))
#endif
